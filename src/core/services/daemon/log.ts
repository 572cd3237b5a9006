/*
 * The daemon's log: JSON lines (time, level, state, job, msg and fields) appended to a file that
 * rotates at a size (file → file.1 → … → file.keep), plus a human line on stderr when it is a TTY.
 * Anything that looks like a secret (the configured secret values, bearer tokens, key=value pairs
 * named token/secret/password) is masked before it is written.
 */
import {accessSync, appendFileSync, constants as fsConstants, mkdirSync, renameSync, rmSync, statSync} from 'node:fs'
import path from 'node:path'
import {UserError} from '../../errors.js'
import type {Clock} from '../clock.js'

export type Level = 'debug' | 'info' | 'warn' | 'error'
const RANK: Record<Level, number> = {debug: 10, info: 20, warn: 30, error: 40}

export interface LogFields {
  job?: string
  state?: string
  [k: string]: unknown
}

export interface Logger {
  log(level: Level, msg: string, fields?: LogFields): void
  info(msg: string, fields?: LogFields): void
  warn(msg: string, fields?: LogFields): void
  error(msg: string, fields?: LogFields): void
  debug(msg: string, fields?: LogFields): void
}

export interface LoggerOptions {
  file: string | null
  level: Level
  maxBytes: number
  keep: number
  clock: Clock
  /** human lines go here (stderr on a TTY); undefined = none */
  human?: (line: string) => void
  /** values never to write (secrets from the environment) */
  secrets?: string[]
  /** current workflow state, stamped on every line */
  state?: () => string
}

const PATTERNS: [RegExp, string][] = [
  [/(bearer\s+)[A-Za-z0-9._~+/=-]+/gi, '$1[redacted]'],
  [/((?:token|secret|password|authorization|refresh_token|client_secret)["']?\s*[:=]\s*["']?)[^\s"',}]+/gi, '$1[redacted]'],
]

export function redact(text: string, secrets: string[] = []): string {
  let out = text
  for (const s of secrets) if (s.length >= 6) out = out.split(s).join('[redacted]')
  for (const [re, to] of PATTERNS) out = out.replace(re, to)
  return out
}

/**
 * A file the daemon appends to (its log, the alerts file), checked before the daemon starts, as the write
 * gate checks the database and `--csv` its output: its directory must exist (unless it is `creatable`,
 * the default log in the user data directory) and the file, or the directory for a new one, be writable.
 * Usage error (exit 2) naming the path; nothing created.
 */
export function checkAppendFile(file: string, what: string, creatable = false): void {
  const dir = path.dirname(file)
  const st = statOrUndefined(file)
  if (st?.isDirectory()) throw new UserError(`the ${what} ${file} is a directory (nothing was written); name a file`)
  const dirSt = statOrUndefined(dir)
  if (!dirSt) {
    if (creatable) return
    throw new UserError(`the directory ${dir} for the ${what} ${file} does not exist (nothing was written). Create it first, or name a file in an existing directory.`)
  }
  if (!dirSt.isDirectory()) throw new UserError(`${dir} is not a directory, so the ${what} ${file} cannot be written there (nothing was written)`)
  try {
    accessSync(st ? file : dir, fsConstants.W_OK)
  } catch {
    throw new UserError(`the ${what} ${st ? file : dir} is read-only, so the daemon will not start (nothing was written). Make it writable or name another file.`)
  }
}

function statOrUndefined(file: string) {
  try {
    return statSync(file)
  } catch {
    return undefined
  }
}

export function createLogger(o: LoggerOptions): Logger {
  if (o.file) mkdirSync(path.dirname(o.file), {recursive: true, mode: 0o700})
  let size = o.file ? fileSize(o.file) : 0
  const write = (level: Level, msg: string, fields: LogFields = {}) => {
    if (RANK[level] < RANK[o.level]) return
    const time = o.clock.now().toISOString()
    const state = fields.state ?? o.state?.()
    const record = {time, level, state, job: fields.job, msg, ...fields}
    const line = redact(JSON.stringify(record), o.secrets) + '\n'
    if (o.file) {
      if (size + line.length > o.maxBytes && size > 0) {
        rotate(o.file, o.keep)
        size = 0
      }
      appendFileSync(o.file, line, {mode: 0o600})
      size += Buffer.byteLength(line)
    }
    if (o.human) {
      const extra = Object.entries(fields).filter(([k]) => k !== 'job' && k !== 'state').map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      o.human(redact(`${time.slice(0, 19).replace('T', ' ')}Z ${level.toUpperCase().padEnd(5)} ${state ?? ''}${fields.job ? ` [${fields.job}]` : ''} ${msg}${extra.length ? ` (${extra.join(' ')})` : ''}`, o.secrets))
    }
  }
  return {
    log: write,
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    debug: (m, f) => write('debug', m, f),
  }
}

function fileSize(file: string): number {
  try {
    return statSync(file).size
  } catch {
    return 0
  }
}

function rotate(file: string, keep: number): void {
  rmSync(`${file}.${keep}`, {force: true})
  for (let i = keep - 1; i >= 1; i--) {
    try {
      renameSync(`${file}.${i}`, `${file}.${i + 1}`)
    } catch {}
  }
  try {
    renameSync(file, `${file}.1`)
  } catch {}
}
