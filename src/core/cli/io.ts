/*
 * What a command's body needs from the CLI, without oclif: the config and database, the clock, human
 * output, notes, and the one way errors become exit codes and messages. BaseCommand (oclif) and the
 * fast path (src/fast.ts) both build a CommandIo from these functions, so a command body behaves the
 * same whichever of the two ran it.
 */
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {cachedConfig, type ConfigCache} from '../config/cache.js'
import type {Config} from '../config/config.js'
import {resolveConfigPath} from '../config/lookup.js'
import {ExternalError, UserError} from '../errors.js'
import {allowCreatingDirectory} from '../store/gate.js'
import {renderForTerminal} from './format.js'
import {printLine, terminal, write} from './stdio.js'
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
  context(flags: {config?: string; db?: string}): Promise<{config: Config; dbPath: string}>
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
      // console.log, as oclif's this.log: the same bytes either way (the fast path writes them directly: stdio.ts)
      if (!o.json) printLine(renderForTerminal(terminalWidth(terminal(1), process.env, o.wide), render))
    },
    note(message) {
      if (!o.json) write(2, `${forStderr(message)}\n`)
    },
  }
}

/**
 * Loads the config and picks the database file. A config validated before from the same text comes
 * from the cache (config/cache.ts) without loading YAML or zod; otherwise config.ts parses it (and
 * reports every problem).
 */
export async function loadContext(flags: {config?: string; db?: string}, dirs: Dirs): Promise<{config: Config; dbPath: string}> {
  const file = resolveConfigPath(flags.config, process.env, process.cwd(), dirs.configDir)
  const cache = configCache(dirs)
  const config = cachedFromFile(file, cache) ?? (await import('../config/config.js')).loadConfig(file, cache)
  return {config, dbPath: dbPathFor(flags, config, dirs)}
}

/** The validated-config cache of this build; bin/run.js names the build (loaded some other way: no cache). */
export function configCache(dirs: Dirs): ConfigCache | undefined {
  const buildId = (globalThis as {cotraderBuildId?: string}).cotraderBuildId
  return buildId ? {dir: dirs.cacheDir, buildId} : undefined
}

function cachedFromFile(file: string, cache: ConfigCache | undefined): Config | undefined {
  if (!cache) return undefined
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return undefined // loadConfig reports it
  }
  return cachedConfig(cache, file, text)
}

/** The database file: --db > COTRADER_DB > config database: > the data dir. */
export function dbPathFor(flags: {db?: string}, config: Config, dirs: Dirs): string {
  const cwd = process.cwd()
  if (flags.db) return path.resolve(cwd, flags.db)
  if (process.env.COTRADER_DB) return path.resolve(cwd, process.env.COTRADER_DB)
  if (config.database) return config.database
  // The default data directory is the one place a database may be created along with its directory (store/database.ts writeGate).
  allowCreatingDirectory(dirs.dataDir)
  return path.join(dirs.dataDir, 'cotrader.sqlite')
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
  write(1, `${JSON.stringify(json, null, 2)}\n`)
}

type CliError = Error & {exitCode?: number; code?: string; oclif?: {exit?: number}; parse?: unknown}

/**
 * Errors to exit codes and messages: 2 for what the user can fix (and oclif's usage errors), 1 for
 * failures outside and bugs; no stack traces for expected failures; a JSON document under --json.
 */
export function reportError(error: CliError, json: boolean, logJson: (json: unknown) => void): void {
  const known = error instanceof UserError || error instanceof ExternalError
  // oclif's flag and argument errors (CLIParseError and friends) are usage errors: exit 2.
  const usage = !known && (error.parse !== undefined || error.oclif?.exit === 2 || /^Parsing (--|\S+ argument)/.test(error.message) || ARG_PARSE.test(error.message))
  const exitCode = known ? error.exitCode! : usage ? 2 : 1
  // oclif prefixes errors thrown by our flag parsers with "Parsing --flag": reworded like its own.
  const message = (usage || /^Parsing --/.test(error.message) ? usageWording(error.message) : error.message).replace(/\s*\n\s*/g, ' ').trim()
    // Text from input files may carry control characters: shown escaped, never sent raw to a terminal.
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
  if (!known && !usage && process.env.DEBUG) write(2, `${error.stack}\n`)
  process.exitCode = exitCode
  if (json) {
    const code = known ? error.code : usage ? 'usage' : 'internal'
    logJson({error: {code, message, exitCode}})
    return
  }
  write(2, `${forStderr(`Error: ${message}${known || usage ? '' : ' (set DEBUG=1 for details)'}`)}\n`)
}

/** A message for stderr, wrapped at spaces to the terminal's width when stderr is one (as print does for stdout). */
function forStderr(text: string): string {
  return renderForTerminal(terminalWidth(terminal(2), process.env), () => text)
}

/** oclif's own argument parsers (Args.integer) throw plain errors: usage errors all the same. */
const ARG_PARSE = /^Expected an integer (but|greater|less)/

/**
 * oclif's parse errors in our wording: the flag named once ("Parsing --price --price "-3" …" came from
 * oclif prefixing our own message), no "The following error occurred:" / "See more help with --help"
 * boilerplate, flags written as flags ("--portfolio", not "portfolio"), and a pointer to the help.
 */
export function usageWording(raw: string): string {
  // oclif dims the reasons on a colour terminal: the codes go before the words are read
  // eslint-disable-next-line no-control-regex
  let m = raw.replace(/\u001B\[[0-9;]*m/g, '').replace(/\s*See more help with --help\s*$/, '').trim()
  // oclif's list of failed flag checks, one a line: one sentence, the missing flags named together
  // ("missing required flags --leg, --portfolio", not "missing required flag --leg missing required flag --portfolio")
  const list = /^The following errors? occurred:\s*/.exec(m)
  if (list) {
    const reasons = m.slice(list[0].length).split('\n').map((l) => l.trim()).filter(Boolean)
    const missing = reasons.flatMap((l) => /^Missing required flag ([\w-]+)$/.exec(l)?.[1] ?? [])
    const others = reasons.filter((l) => !/^Missing required flag /.test(l))
    m = [...(missing.length > 1 ? [`missing required flags ${missing.map((f) => `--${f}`).join(', ')}`] : missing.map((f) => `Missing required flag ${f}`)), ...others].join('; ')
  }
  // Parsing --flag <message>: keep oclif's flag name only when the message does not start with it.
  m = m.replace(/^Parsing (--[\w-]+)\s+([\s\S]*)$/, (_all, flag: string, rest: string) => (rest.trim().startsWith(flag) ? rest.trim() : `${flag}: ${rest.trim()}`))
  m = m.replace(/Missing required flags? ([\w-]+)/g, (_all, name: string) => `missing required flag --${name}`)
  m = m.replace(/^Nonexistent flags?: /, 'unknown flag: ')
  m = m.replace(/^Missing (\d+) required args?:\s+([\w-]+)\s+([\s\S]*)$/, (_all, _n: string, name: string, what: string) => `missing the argument ${name.toUpperCase()} (${what.trim().replace(/\.$/, '')})`)
  m = m.replace(/^All of the following must be provided when using (--[\w-]+): /, '$1 needs ')
  m = m.replace(/Expected an integer greater than or equal to (\S+) but received: (\S+)/, 'expected a whole number ≥ $1, got $2')
  m = m.replace(/Expected an integer but received: (\S+)/, 'expected a whole number, got $1')
  // exclusive flags: "--history=true cannot also be provided when using --realized; --realized=true cannot also …" → one pair, once
  const seen = new Set<string>()
  m = m
    .split('; ')
    .flatMap((part) => {
      const x = /^--([\w-]+)(?:=\S+)? cannot also be provided when using --([\w-]+)$/.exec(part)
      if (!x) return [part]
      const key = [x[1], x[2]].sort().join(' ')
      return seen.has(key) || !seen.add(key) ? [] : [`--${x[2]} and --${x[1]} cannot be used together`]
    })
    .join('; ')
  // Lower-case a leading word of oclif's ("Expected …"), never a flag or a quoted value.
  return `${/^[A-Z][a-z]/.test(m) ? m.charAt(0).toLowerCase() + m.slice(1) : m} (see --help)`
}
