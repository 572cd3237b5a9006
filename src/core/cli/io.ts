/*
 * What a command's body needs from the CLI, without oclif: the config and database, the clock, human
 * output, notes, and the one way errors become exit codes and messages. BaseCommand (oclif) and the
 * fast path (src/fast.ts) both build a CommandIo from these functions, so a command body behaves the
 * same whichever of the two ran it.
 */
import path from 'node:path'
import {loadConfig, resolveConfigPath, type Config} from '../config/config.js'
import {ExternalError, UserError} from '../errors.js'
import {withTableWidth} from './format.js'
import {terminalWidth} from './table.js'

/** oclif's per-user directories (config.cacheDir, configDir, dataDir). */
export interface Dirs {
  cacheDir: string
  configDir: string
  dataDir: string
}

export interface CommandIo {
  /** --json was given: human output is suppressed and the result is printed as JSON */
  readonly json: boolean
  /** the config and the database file for --config / --db */
  context(flags: {config?: string; db?: string}): {config: Config; dbPath: string}
  /** the clock, passed down as `asOf` */
  now(): Date
  /** human output (nothing under --json); tables fit the terminal unless --wide */
  print(render: () => string): void
  /** a line on stderr (nothing under --json) */
  note(message: string): void
}

export function commandIo(o: {json: boolean; wide: boolean; dirs: Dirs}): CommandIo {
  return {
    json: o.json,
    context: (flags) => loadContext(flags, o.dirs),
    now: () => clockNow(process.env),
    print(render) {
      // console.log, as oclif's this.log: the same bytes either way
      if (!o.json) console.log(withTableWidth(terminalWidth(process.stdout, process.env, o.wide), render))
    },
    note(message) {
      if (!o.json) process.stderr.write(`${message}\n`)
    },
  }
}

/** Loads the config and picks the database file: --db > COTRADER_DB > config database: > data dir. */
export function loadContext(flags: {config?: string; db?: string}, dirs: Dirs): {config: Config; dbPath: string} {
  const cwd = process.cwd()
  // bin/run.js names the build; without it (the modules loaded some other way) nothing is cached.
  const buildId = (globalThis as {cotraderBuildId?: string}).cotraderBuildId
  const cache = buildId ? {dir: dirs.cacheDir, buildId} : undefined
  const config = loadConfig(resolveConfigPath(flags.config, process.env, cwd, dirs.configDir), cache)
  const dbPath = flags.db
    ? path.resolve(cwd, flags.db)
    : process.env.COTRADER_DB
      ? path.resolve(cwd, process.env.COTRADER_DB)
      : config.database ?? path.join(dirs.dataDir, 'cotrader.sqlite')
  return {config, dbPath}
}

/**
 * The clock every command passes down as `asOf`. COTRADER_NOW (an ISO instant) injects it for
 * tests and reproducible runs against fixed-date data; otherwise the real time.
 */
export function clockNow(env: NodeJS.ProcessEnv): Date {
  const text = env.COTRADER_NOW
  if (!text) return new Date()
  const at = new Date(text)
  if (Number.isNaN(at.getTime())) throw new UserError(`COTRADER_NOW "${text}" is not an ISO instant such as 2026-01-05T15:00:00Z`)
  return at
}

/** JSON as printed when it cannot be coloured (piped, or NO_COLOR). */
export function writePlainJson(json: unknown): void {
  process.stdout.write(`${JSON.stringify(json, null, 2)}\n`)
}

type CliError = Error & {exitCode?: number; code?: string; oclif?: {exit?: number}; parse?: unknown}

/**
 * Errors to exit codes and messages: 2 for what the user can fix (and oclif's usage errors), 1 for
 * failures outside and bugs; no stack traces for expected failures; a JSON document under --json.
 */
export function reportError(error: CliError, json: boolean, logJson: (json: unknown) => void): void {
  const known = error instanceof UserError || error instanceof ExternalError
  // oclif's flag and argument errors (CLIParseError and friends) are usage errors: exit 2.
  const usage = !known && (error.parse !== undefined || error.oclif?.exit === 2 || /^Parsing (--|\S+ argument)/.test(error.message))
  const exitCode = known ? error.exitCode! : usage ? 2 : 1
  const message = error.message.replace(/\s*\n\s*/g, ' ').trim()
    // Text from input files may carry control characters: shown escaped, never sent raw to a terminal.
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
  if (!known && !usage && process.env.DEBUG) process.stderr.write(`${error.stack}\n`)
  process.exitCode = exitCode
  if (json) {
    const code = known ? error.code : usage ? 'usage' : 'internal'
    logJson({error: {code, message, exitCode}})
    return
  }
  process.stderr.write(`Error: ${message}${known || usage ? '' : ' (set DEBUG=1 for details)'}\n`)
}
