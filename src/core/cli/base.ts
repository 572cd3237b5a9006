/*
 * The base of every oclif command: --json (oclif's), --config and --db resolution, and one place
 * that turns errors into exit codes and messages: 2 for what the user can fix, 1 for failures
 * outside, no stack traces for expected failures, JSON errors under --json. The work itself lives
 * in io.ts, which the fast path (src/fast.ts) uses too, so both print the same.
 */
import {Command, type Interfaces} from '@oclif/core'
// oclif's own constraint types (not exported from its entry point).
type FlagOutput = {[name: string]: any}
type ArgOutput = {[name: string]: any}
import {loadConfig, resolveConfigPath, type Config} from '../config/config.js'
import {setWasmTierUp} from '../store/database.js'
import {clockNow, commandIo, configCache, dbPathFor, reportError, writePlainJson, type CommandIo} from './io.js'
import {oclifFlags} from './oclif-flags.js'
import {baseFlags} from './spec.js'

export type BaseFlags = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags']>

export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true

  // --config, --db, --wide: declared in spec.ts (the fast path reads the same declarations)
  static override baseFlags = oclifFlags(baseFlags)

  /**
   * Long-running commands (the daemon) set this to keep V8's optimising tier-up of sql.js's
   * WebAssembly; short ones turn it off so the process exits without waiting for background
   * compilation (see store/database.ts).
   */
  static keepWasmTierUp = false

  override async init(): Promise<void> {
    await super.init()
    setWasmTierUp((this.constructor as typeof BaseCommand).keepWasmTierUp)
  }

  /** --wide, once parsed: tables keep every column. */
  private wide = false

  override async parse<F extends FlagOutput, B extends FlagOutput, A extends ArgOutput>(
    options?: Interfaces.Input<F, B, A>,
    argv?: string[],
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    const parsed = await super.parse(options, argv)
    this.wide = (parsed.flags as {wide?: boolean}).wide === true
    return parsed
  }

  /** What a command body shared with the fast path needs (io.ts); call after parse. */
  protected io(): CommandIo {
    return commandIo({json: this.jsonEnabled(), wide: this.wide, dirs: this.config})
  }

  /** Loads the config and picks the database file: --db > COTRADER_DB > config database: > data dir. */
  protected context(flags: {config?: string; db?: string}): {config: Config; dbPath: string} {
    const config = loadConfig(resolveConfigPath(flags.config, process.env, process.cwd(), this.config.configDir), configCache(this.config))
    return {config, dbPath: dbPathFor(flags, config, this.config)}
  }

  /**
   * The clock every command passes down as `asOf`. COTRADER_NOW (an ISO instant) injects it for
   * tests and reproducible runs against fixed-date data; otherwise the real time.
   */
  protected now(): Date {
    return clockNow(process.env)
  }

  /** Plain JSON when piped (oclif tokenises every document to colour it, which costs ~5 ms even when it cannot colour). */
  override logJson(json: unknown): void {
    if (process.stdout.isTTY && !process.env.NO_COLOR) super.logJson(json)
    else writePlainJson(json)
  }

  /** Human output only: nothing is printed under --json. Tables fit the terminal (see table.ts) unless --wide. */
  protected print(render: () => string): void {
    this.io().print(render)
  }

  protected note(message: string): void {
    this.io().note(message)
  }

  override async catch(error: Error & {exitCode?: number; code?: string; oclif?: {exit?: number}; parse?: unknown}): Promise<void> {
    reportError(error, this.jsonEnabled(), (json) => this.logJson(json))
  }
}
