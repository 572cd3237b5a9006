/*
 * The time flags shared by positions, risk, pnl and greeks: --as-of (value the book at another
 * instant), --max-age and --fail-on-stale (freshness), and the one way stale-data warnings reach
 * stderr. Parsing only; the services decide what the instant means.
 */
import {zonedInstant, type Zone} from '../domain/calendar/index.js'
import {UserError} from '../errors.js'
import {renderForTerminal} from './format.js'
import type {FlagsSpec} from './spec.js'
import {terminal, write} from './stdio.js'
import {terminalWidth} from './table.js'

/** Flag specs (spec.ts), shared by positions, risk and pnl. */
export const timeFlags = {
  'as-of': {
    type: 'string',
    description: 'Value the stored book at another instant: DATE or DATETHH:MM, in New York time (Kolkata when the base currency is INR), or a full ISO instant with Z/offset. A bare DATE means 12:00 that day. Time decay and expiries apply; prices are today\'s.',
    helpValue: 'DATE[THH:MM]',
  },
  'max-age': {type: 'string', description: 'How old prices may be before a warning: "1 session" (default, or market.max_data_age), "2 sessions", "12h", "90m", "3d".', helpValue: 'AGE'},
  'fail-on-stale': {type: 'boolean', description: 'Exit with code 3 when a portfolio\'s prices are older than the allowed age, its last sync failed, or it was never synced.'},
} satisfies FlagsSpec

/** `2026-12-18`, `2026-12-18T15:30` (exchange-local), or an ISO instant with Z or an offset. */
export function parseAsOf(text: string, baseCurrency: string): Date {
  const s = text.trim()
  if (/(Z|[+-]\d{2}:?\d{2})$/i.test(s) && /T/.test(s)) {
    const d = new Date(s)
    if (!Number.isNaN(d.getTime())) return d
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?$/.exec(s)
  const valid = m && Number(m[2]) >= 1 && Number(m[2]) <= 12 && Number(m[3]) >= 1 && Number(m[3]) <= 31 && (!m[4] || (Number(m[4]) < 24 && Number(m[5]) < 60))
  if (!m || !valid) throw new UserError(`--as-of "${text}" is not DATE or DATETHH:MM (e.g. 2026-12-18 or 2026-12-18T15:30)`)
  const zone: Zone = baseCurrency === 'INR' ? 'Asia/Kolkata' : 'America/New_York'
  const minutes = m[4] ? Number(m[4]) * 60 + Number(m[5]) : 12 * 60
  return zonedInstant(zone, `${m[1]}-${m[2]}-${m[3]}`, minutes)
}

/** Stale/failed/never-synced warnings go to stderr in every output mode (stdout stays clean JSON). */
export function warnData(result: {dataWarnings: string[]}): void {
  // On a terminal, broken at spaces to its width like the rest of the output (never inside a number).
  if (result.dataWarnings.length === 0) return
  const width = terminalWidth(terminal(2), process.env)
  for (const w of result.dataWarnings) write(2, `${renderForTerminal(width, () => `warning: ${w}`)}\n`)
}
