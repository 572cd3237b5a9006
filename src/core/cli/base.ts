/*
 * The base of every command: --json (oclif's), --config and --db resolution, and one place
 * that turns errors into exit codes and messages: 2 for what the user can fix, 1 for failures
 * outside, no stack traces for expected failures, JSON errors under --json.
 */
import {Command, Flags, type Interfaces} from '@oclif/core'
// oclif's own constraint types (not exported from its entry point).
type FlagOutput = {[name: string]: any}
type ArgOutput = {[name: string]: any}
import {loadConfig, resolveConfigPath, type Config} from '../config/config.js'
import {ExternalError, UserError} from '../errors.js'
import {setWasmTierUp} from '../store/database.js'
import {withTableWidth} from './format.js'
import {terminalWidth} from './table.js'
import path from 'node:path'

export type BaseFlags = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags']>

export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true

  static override baseFlags = {
    config: Flags.string({
      description: 'Config file (default: $COTRADER_CONFIG, ./config/risk_config.yaml, then the user config dir).',
      helpGroup: 'GLOBAL',
    }),
    db: Flags.string({
      description: "SQLite database (default: $COTRADER_DB, the config's database:, then the user data dir).",
      helpGroup: 'GLOBAL',
    }),
    wide: Flags.boolean({
      description: 'Tables show every column even when wider than the terminal (piped output always does).',
      helpGroup: 'GLOBAL',
    }),
  }

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

  /** Loads the config and picks the database file: --db > COTRADER_DB > config database: > data dir. */
  protected context(flags: {config?: string; db?: string}): {config: Config; dbPath: string} {
    const cwd = process.cwd()
    // bin/run.js names the build; without it (the modules loaded some other way) nothing is cached.
    const buildId = (globalThis as {cotraderBuildId?: string}).cotraderBuildId
    const cache = buildId ? {dir: this.config.cacheDir, buildId} : undefined
    const config = loadConfig(resolveConfigPath(flags.config, process.env, cwd, this.config.configDir), cache)
    const dbPath = flags.db
      ? path.resolve(cwd, flags.db)
      : process.env.COTRADER_DB
        ? path.resolve(cwd, process.env.COTRADER_DB)
        : config.database ?? path.join(this.config.dataDir, 'cotrader.sqlite')
    return {config, dbPath}
  }

  /**
   * The clock every command passes down as `asOf`. COTRADER_NOW (an ISO instant) injects it for
   * tests and reproducible runs against fixed-date data; otherwise the real time.
   */
  protected now(): Date {
    const text = process.env.COTRADER_NOW
    if (!text) return new Date()
    const at = new Date(text)
    if (Number.isNaN(at.getTime())) throw new UserError(`COTRADER_NOW "${text}" is not an ISO instant such as 2026-01-05T15:00:00Z`)
    return at
  }

  /** Plain JSON when piped (oclif tokenises every document to colour it, which costs ~5 ms even when it cannot colour). */
  override logJson(json: unknown): void {
    if (process.stdout.isTTY && !process.env.NO_COLOR) super.logJson(json)
    else process.stdout.write(`${JSON.stringify(json, null, 2)}\n`)
  }

  /** Human output only: nothing is printed under --json. Tables fit the terminal (see table.ts) unless --wide. */
  protected print(render: () => string): void {
    if (!this.jsonEnabled()) this.log(withTableWidth(terminalWidth(process.stdout, process.env, this.wide), render))
  }

  protected note(message: string): void {
    if (!this.jsonEnabled()) process.stderr.write(`${message}\n`)
  }

  override async catch(error: Error & {exitCode?: number; code?: string; oclif?: {exit?: number}; parse?: unknown}): Promise<void> {
    const known = error instanceof UserError || error instanceof ExternalError
    // oclif's flag and argument errors (CLIParseError and friends) are usage errors: exit 2.
    const usage = !known && (error.parse !== undefined || error.oclif?.exit === 2 || /^Parsing (--|\S+ argument)/.test(error.message))
    const exitCode = known ? error.exitCode! : usage ? 2 : 1
    const message = error.message.replace(/\s*\n\s*/g, ' ').trim()
      // Text from input files may carry control characters: shown escaped, never sent raw to a terminal.
      .replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    if (!known && !usage && process.env.DEBUG) process.stderr.write(`${error.stack}\n`)
    process.exitCode = exitCode
    if (this.jsonEnabled()) {
      const code = known ? error.code : usage ? 'usage' : 'internal'
      this.logJson({error: {code, message, exitCode}})
      return
    }
    process.stderr.write(`Error: ${message}${known || usage ? '' : ' (set DEBUG=1 for details)'}\n`)
  }
}
