/*
 * Alerts: recorded in the database, deduplicated (the same key within `dedupe_seconds` is recorded as a
 * duplicate, not sent) and rate-limited (at most `max_per_hour` sent), then delivered through the
 * configured channels: a shell command (argv from the config, the alert appended as arguments and in
 * COTRADER_ALERT_* environment variables; no shell, so no quoting surprises) and/or an append-only file
 * of JSON lines. `cotrader alerts` lists them.
 */
import {spawn} from 'node:child_process'
import {appendFileSync, mkdirSync} from 'node:fs'
import path from 'node:path'
import type {Config} from '../config/config.js'
import {UserError} from '../errors.js'
import {readDb, writeDb} from '../store/database.js'
import * as store from '../store/daemon.js'

export interface AlertSettings {
  command?: string[]
  file?: string
  dedupeSeconds: number
  maxPerHour: number
}

export interface NewAlert {
  key: string
  kind: string
  severity: store.AlertRow['severity']
  message: string
}

export interface Alerter {
  raise(a: NewAlert, at: Date): Promise<store.AlertRow>
}

export function alertSettings(config: Config): AlertSettings {
  const a = config.daemon?.alerts
  const dir = path.dirname(config.file)
  return {
    command: a?.command,
    file: a?.file ? path.resolve(dir, a.file) : undefined,
    dedupeSeconds: a?.dedupe_seconds ?? 3600,
    maxPerHour: a?.max_per_hour ?? 30,
  }
}

export function createAlerter(dbPath: string, s: AlertSettings, onError: (message: string) => void = () => undefined): Alerter {
  return {
    async raise(a, at) {
      const now = at.toISOString()
      const row = await writeDb(dbPath, (db) => {
        const last = store.lastSentAlert(db, a.key)
        const dup = last !== null && last.message === a.message && at.getTime() - Date.parse(last.at) < s.dedupeSeconds * 1000
        const limited = !dup && store.sentSince(db, new Date(at.getTime() - 3_600_000).toISOString()) >= s.maxPerHour
        const hasChannel = Boolean(s.command || s.file)
        const status: store.AlertRow['status'] = dup ? 'duplicate' : limited ? 'rate_limited' : hasChannel ? 'sent' : 'recorded'
        const r = {at: now, key: a.key, kind: a.kind, severity: a.severity, message: a.message, status, error: null}
        return {...r, id: store.insertAlert(db, r)}
      })
      if (row.status !== 'sent') return row
      const errors: string[] = []
      if (s.file) {
        try {
          mkdirSync(path.dirname(s.file), {recursive: true})
          appendFileSync(s.file, JSON.stringify({at: row.at, severity: row.severity, kind: row.kind, key: row.key, message: row.message}) + '\n')
        } catch (error) {
          errors.push(`file ${s.file}: ${(error as Error).message}`)
        }
      }
      if (s.command) {
        const e = await runCommand(s.command, row)
        if (e) errors.push(e)
      }
      if (errors.length > 0) {
        const error = errors.join('; ')
        onError(`alert ${row.id} not delivered: ${error}`)
        await writeDb(dbPath, (db) => store.updateAlertStatus(db, row.id, 'failed', error))
        return {...row, status: 'failed', error}
      }
      return row
    },
  }
}

function runCommand(argv: string[], a: store.AlertRow): Promise<string | null> {
  return new Promise((resolve) => {
    const env = {...process.env, COTRADER_ALERT_ID: String(a.id), COTRADER_ALERT_AT: a.at, COTRADER_ALERT_SEVERITY: a.severity, COTRADER_ALERT_KIND: a.kind, COTRADER_ALERT_KEY: a.key, COTRADER_ALERT_MESSAGE: a.message}
    const child = spawn(argv[0], [...argv.slice(1), a.severity, a.message], {env, stdio: ['ignore', 'ignore', 'pipe']})
    let err = ''
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-300)))
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    child.on('error', (e) => {
      clearTimeout(timer)
      resolve(`command ${argv[0]}: ${e.message}`)
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve(code === 0 ? null : `command ${argv[0]} exited ${code}${err ? `: ${err.trim().split('\n')[0]}` : ''}`)
    })
  })
}

export interface AlertsResult {
  alerts: store.AlertRow[]
}

/** `since`: an ISO date/time, or a duration back from now such as 30m, 12h, 7d. */
export async function alertsService(o: {dbPath: string; since?: string; limit?: number; asOf: Date}): Promise<AlertsResult> {
  const since = o.since === undefined ? undefined : parseSince(o.since, o.asOf)
  return {alerts: await readDb(o.dbPath, (db) => store.listAlerts(db, {since, limit: o.limit}))}
}

export function parseSince(text: string, asOf: Date): string {
  const m = /^(\d+)\s*([mhd])$/.exec(text.trim())
  if (m) return new Date(asOf.getTime() - Number(m[1]) * {m: 60_000, h: 3_600_000, d: 86_400_000}[m[2] as 'm' | 'h' | 'd']).toISOString()
  const t = Date.parse(text)
  if (Number.isNaN(t)) throw new UserError(`--since "${text}" is neither a date/time (2026-11-27, 2026-11-27T14:00Z) nor a duration (30m, 12h, 7d)`)
  return new Date(t).toISOString()
}
