/*
 * How fresh a portfolio's numbers are. Prices carry the time they were observed (the export's own
 * stamp, the feed time, else the sync time); a portfolio is stale when that is older than the
 * allowed age, which by default is one market session on the portfolio's exchange (calendar):
 * data observed before the open of the last completed session has missed a whole session. A
 * failed last sync and a portfolio never synced are reported too: neither is live data.
 */
import {marketFor, previousClose, type Market} from '../domain/calendar/index.js'
import type {PortfolioBundle} from './bundles.js'

export type MaxAge = {sessions: number} | {minutes: number}

export const DEFAULT_MAX_AGE: MaxAge = {sessions: 1}

/** "1 session", "2 sessions", "12h", "90m", "3d" → MaxAge; null when it is none of those. */
export function parseMaxAge(text: string): MaxAge | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(sessions?|h|m|d)\s*$/i.exec(text)
  if (!m) return null
  const n = Number(m[1])
  if (!(n > 0)) return null
  const unit = m[2].toLowerCase()
  if (unit.startsWith('session')) return Number.isInteger(n) ? {sessions: n} : null
  return {minutes: n * (unit === 'h' ? 60 : unit === 'd' ? 1440 : 1)}
}

export function describeMaxAge(a: MaxAge): string {
  return 'sessions' in a ? `${a.sessions} market session${a.sessions === 1 ? '' : 's'}` : a.minutes % 60 === 0 ? `${a.minutes / 60} h` : `${a.minutes} min`
}

export interface PortfolioFreshness {
  portfolio: string
  /** fresh; stale (older than maxAge); sync_failed (the last sync failed: older data shown); never_synced (numbers unknown) */
  status: 'fresh' | 'stale' | 'sync_failed' | 'never_synced'
  /** when the portfolio's prices were observed (ISO): the export's stamp or the sync time; null = never synced */
  pricesAsOf: string | null
  /** hours from pricesAsOf to now; null = unknown */
  ageHours: number | null
  /** the exchange whose sessions define "one session" for this portfolio */
  market: Market
  lastSyncAt: string | null
  lastSyncStatus: string | null
  lastSyncError: string | null
  /** the warning printed to stderr; null when fresh */
  warning: string | null
}

/** The exchange of most of the portfolio's positions, else its currency's main one. */
function mainMarket(b: PortfolioBundle): Market {
  const counts = new Map<Market, number>()
  for (const p of [...b.positions, ...(b.expired ?? [])]) {
    const m = marketFor(p)
    counts.set(m, (counts.get(m) ?? 0) + 1)
  }
  let best: Market = b.config.currency === 'INR' ? 'XNSE' : 'XNYS'
  let n = 0
  for (const [m, c] of counts) if (c > n) [best, n] = [m, c]
  return best === 'XCBO' ? 'XNYS' : best
}

/** True when data observed at `at` is older than `max` allows at `now`. */
export function isStale(market: Market, at: Date, now: Date, max: MaxAge): boolean {
  if ('minutes' in max) return now.getTime() - at.getTime() > max.minutes * 60_000
  // The n-th most recent completed session: data observed before its open has missed n whole sessions.
  let s = previousClose(market, now)
  for (let i = 1; s && i < max.sessions; i++) s = previousClose(market, new Date(s.open.getTime() - 1))
  return s !== null && at.getTime() < s.open.getTime()
}

/** Freshness of a syncable portfolio (null for what-if and broker-less ones, which hold no broker data). */
export function portfolioFreshness(b: PortfolioBundle, now: Date, max: MaxAge = DEFAULT_MAX_AGE): PortfolioFreshness | null {
  if (b.config.kind === 'whatif' || b.config.broker === 'none') return null
  const name = b.config.name
  const s = b.stored
  const market = mainMarket(b)
  const base = {portfolio: name, market, lastSyncAt: s?.lastSyncAt ?? null, lastSyncStatus: s?.lastSyncStatus ?? null, lastSyncError: s?.lastSyncError ?? null}
  if (!s?.lastSyncAt) {
    const failed = s?.lastSyncStatus === 'failed' ? ` (its only sync failed: ${s.lastSyncError ?? 'no reason recorded'})` : ''
    // A sync that skipped it (credentials missing) would skip it again, and one that failed (rejected
    // credentials, no network) would fail again: the hint says what comes first, then the command.
    const hint = s?.lastSyncStatus === 'skipped' && s.lastSyncError ? `; sync skipped it: ${s.lastSyncError}; then run: cotrader sync -p ${name}`
      : failed ? `; once that is fixed, run: cotrader sync -p ${name}`
      : `; run: cotrader sync -p ${name}`
    return {...base, status: 'never_synced', pricesAsOf: null, ageHours: null, warning: `${name}: never synced${failed}: its numbers are unknown${hint}`}
  }
  const pricesAsOf = s.pricesAsOf ?? s.lastSyncAt
  const at = new Date(pricesAsOf)
  const ageHours = Math.round(((now.getTime() - at.getTime()) / 3_600_000) * 10) / 10
  const stamp = `${pricesAsOf.slice(0, 16).replace('T', ' ')}Z`
  if (s.lastSyncStatus === 'failed') {
    return {...base, status: 'sync_failed', pricesAsOf, ageHours, warning: `${name}: last sync failed (${s.lastSyncError ?? 'no reason recorded'}); showing prices from ${stamp}`}
  }
  if (isStale(market, at, now, max)) {
    return {...base, status: 'stale', pricesAsOf, ageHours, warning: `${name}: prices are from ${stamp} (${ageHours} h old), older than ${describeMaxAge(max)}; sync again or download a new export`}
  }
  return {...base, status: 'fresh', pricesAsOf, ageHours, warning: null}
}

/** The oldest of several observation times (ISO), null when none is known. */
export function oldest(times: Iterable<string | null | undefined>): string | null {
  let out: string | null = null
  for (const t of times) if (t && (out === null || t < out)) out = t
  return out
}
