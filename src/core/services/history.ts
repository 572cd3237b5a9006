/*
 * History views from the daily portfolio snapshots (`cotrader snapshot`): `pnl --history` (equity,
 * open P&L, day P&L, and cumulative realised P&L from the ledger) and `risk --history` (net delta,
 * beta-weighted delta, theta, vega), one row per portfolio per date in its currency, plus a total per
 * date in the base currency.
 *
 * Realised P&L per day comes from the ledger when read (services/ledger/realized-history.ts, passed in
 * by `pnl --history`; see there why it is not stored with the snapshot).
 */
import type {Config} from '../config/config.js'
import {selectedPortfolios} from './book.js'
import {exchangeDate} from '../domain/daypnl.js'
import {toBase} from '../domain/money.js'
import {total} from '../domain/sum.js'
import {UserError} from '../errors.js'
import {readHistory} from '../store/history.js'
import {portfolioSnapshots, type PortfolioSnapshot} from '../store/snapshots.js'

export interface HistoryOptions {
  config: Config
  dbPath: string
  /** only these portfolios (a name or several; all when absent) */
  portfolio?: string | readonly string[]
  asOf: Date
  /** the last N calendar days up to today (default 30) */
  days?: number
  /** from this date (YYYY-MM-DD) on; wins over days */
  since?: string
}

export interface PnlHistoryRow {
  date: string
  /** portfolio = one portfolio in its currency; total = the real portfolios in the base currency (research never summed in) */
  level: 'portfolio' | 'total'
  /** null on total rows */
  portfolio: string | null
  currency: string
  /** net liquidating value, money */
  equity: number | null
  /** open (unrealized) P&L, money */
  unrealizedPnl: number | null
  /** change since the previous snapshot, money */
  dayPnl: number | null
  /** portfolios left out of a total row (no snapshot that day, unknown value or no FX rate; research portfolios are never in it); on portfolio rows, positions the snapshot left out */
  missing: number
  /** what `missing` says, per column: total rows count the portfolios left out of that column's sum; portfolio rows the positions (0 for equity, the broker's figure) */
  equityMissing: number
  unrealizedPnlMissing: number
  dayPnlMissing: number
  /**
   * cumulative realised P&L of the ledger's lots (every book: broker, paper, live) closed on or before
   * this date, money; null when the portfolio has no ledger events (unknown, not 0). Total rows: in the
   * base currency, each piece at its close date's stored FX rate, else today's (fxAtToday).
   */
  realizedPnl: number | null
  /** closed pieces left out of realizedPnl (basis unknown, or no FX rate); on total rows also the portfolios without a ledger */
  realizedMissing: number
  /** total rows: closed pieces converted at today's config FX rate (no rate stored for their close date); portfolio rows: 0 */
  fxAtToday: number
}

export interface RiskHistoryRow {
  date: string
  level: 'portfolio' | 'total'
  portfolio: string | null
  currency: string
  /** net position delta in shares of the underlyings (summed across underlyings) */
  delta: number | null
  /** benchmark shares */
  betaWeightedDelta: number | null
  /** money per calendar day */
  theta: number | null
  /** money per vol point */
  vega: number | null
  missing: number
}

export interface HistoryResult<Row> {
  asOf: string
  baseCurrency: string
  /** first date asked for, YYYY-MM-DD */
  from: string
  /** last date (today), YYYY-MM-DD */
  to: string
  /** dates with at least one snapshot */
  dates: string[]
  rows: Row[]
  /** portfolios selected that have no snapshot in the range */
  noHistory: string[]
  /** research portfolios selected: their rows are listed, never summed into the total rows */
  research: string[]
}

export type PnlHistoryResult = HistoryResult<PnlHistoryRow>
export type RiskHistoryResult = HistoryResult<RiskHistoryRow>

const DATE = /^\d{4}-\d{2}-\d{2}$/

export function historyRange(o: Pick<HistoryOptions, 'asOf' | 'days' | 'since' | 'config'>): {from: string; to: string} {
  const to = exchangeDate(o.config.baseCurrency, o.asOf)
  if (o.since !== undefined) {
    if (!DATE.test(o.since) || Number.isNaN(Date.parse(o.since)) || new Date(Date.parse(o.since)).toISOString().slice(0, 10) !== o.since)
      throw new UserError(`--since ${o.since}: expected a date YYYY-MM-DD`)
    return {from: o.since, to}
  }
  const days = o.days ?? 30
  if (!Number.isInteger(days) || days < 1) throw new UserError(`--days ${days}: expected a whole number of days ≥ 1`)
  return {from: new Date(Date.parse(to) - (days - 1) * 86_400_000).toISOString().slice(0, 10), to}
}

async function load(o: HistoryOptions) {
  const configs = selectedPortfolios(o.config, o.portfolio).filter((c) => c.kind !== 'whatif')
  const names = configs.map((c) => c.name)
  // Totals are of the real book (services/book.ts): research portfolios are listed, never summed in.
  const real = configs.filter((c) => c.kind === 'real').map((c) => c.name)
  const range = historyRange(o)
  const snaps = await readHistory(o.dbPath, (h) => portfolioSnapshots(h, {portfolios: names, from: range.from, to: range.to}))
  const dates = [...new Set(snaps.map((s) => s.date))].sort()
  const seen = new Set(snaps.map((s) => s.portfolio))
  const research = configs.filter((c) => c.kind === 'research').map((c) => c.name)
  return {names, real, research, range, snaps, dates, noHistory: names.filter((n) => !seen.has(n))}
}

/**
 * One row per portfolio per date, then the base-currency total of that date over the real portfolios
 * (`real`; research ones have their rows but are never in the total); `fields` are money (converted)
 * or shares (summed as is).
 */
function rowsFor<K extends string>(
  config: Config,
  names: string[],
  snaps: PortfolioSnapshot[],
  dates: string[],
  money: readonly K[],
  plain: readonly K[],
): ({date: string; level: 'portfolio' | 'total'; portfolio: string | null; currency: string; missing: number; missingBy: Record<string, number>} & Record<K, number | null>)[] {
  type Row = {date: string; level: 'portfolio' | 'total'; portfolio: string | null; currency: string; missing: number; missingBy: Record<string, number>} & Record<K, number | null>
  const out: Row[] = []
  const get = (s: PortfolioSnapshot, k: K) => (s as unknown as Record<K, number | null>)[k]
  for (const date of dates) {
    const day = snaps.filter((s) => s.date === date)
    for (const s of day) {
      const row = {date, level: 'portfolio', portfolio: s.portfolio, currency: s.currency, missing: s.missing, missingBy: {}} as Row
      for (const k of [...money, ...plain]) {
        ;(row as Record<K, number | null>)[k] = get(s, k)
        // Equity is the broker's figure (plus paper P&L): not a sum the snapshot left positions out of.
        row.missingBy[k] = k === 'equity' ? 0 : s.missing
      }
      out.push(row)
    }
    if (names.length === 0) continue // only research portfolios selected: nothing to total
    const absent = names.filter((n) => !day.some((s) => s.portfolio === n)).length
    const summed = day.filter((s) => names.includes(s.portfolio))
    const totalRow = {date, level: 'total', portfolio: null, currency: config.baseCurrency, missing: 0, missingBy: {}} as Row
    let missing = 0
    for (const k of money) {
      const t = total(summed.map((s) => toBase(get(s, k), s.currency, config.fxRates)))
      ;(totalRow as Record<K, number | null>)[k] = t.value
      missing = Math.max(missing, t.missing)
      totalRow.missingBy[k] = t.missing + absent
    }
    for (const k of plain) {
      const t = total(summed.map((s) => get(s, k)))
      ;(totalRow as Record<K, number | null>)[k] = t.value
      missing = Math.max(missing, t.missing)
      totalRow.missingBy[k] = t.missing + absent
    }
    totalRow.missing = missing + absent
    out.push(totalRow)
  }
  return out
}

/** Realised P&L per portfolio and day from the ledger (services/ledger/realized-history.ts), passed in so this module (in `risk --history`'s bundle too) never pulls the ledger in. */
export type RealizedByDay = (config: Config, dbPath: string, names: string[]) => Promise<{
  portfolio(name: string, date: string): Pick<PnlHistoryRow, 'realizedPnl' | 'realizedMissing' | 'fxAtToday'>
  total(real: readonly string[], date: string): Pick<PnlHistoryRow, 'realizedPnl' | 'realizedMissing' | 'fxAtToday'>
}>

/** Without `realizedByDay` the realised columns are unknown (null). */
export async function pnlHistoryService(o: HistoryOptions, realizedByDay?: RealizedByDay): Promise<PnlHistoryResult> {
  const {names, real, research, range, snaps, dates, noHistory} = await load(o)
  const rows = rowsFor(o.config, real, snaps, dates, ['equity', 'unrealizedPnl', 'dayPnl'] as const, [] as const)
  const realized = dates.length > 0 && realizedByDay ? await realizedByDay(o.config, o.dbPath, names) : null
  return {
    asOf: o.asOf.toISOString(), baseCurrency: o.config.baseCurrency, ...range, dates,
    rows: rows.map((r) => {
      const re = realized === null ? {realizedPnl: null, realizedMissing: 0, fxAtToday: 0} : r.level === 'portfolio' ? realized.portfolio(r.portfolio!, r.date) : realized.total(real, r.date)
      return {
        date: r.date, level: r.level, portfolio: r.portfolio, currency: r.currency, equity: r.equity, unrealizedPnl: r.unrealizedPnl, dayPnl: r.dayPnl, missing: r.missing,
        equityMissing: r.missingBy.equity, unrealizedPnlMissing: r.missingBy.unrealizedPnl, dayPnlMissing: r.missingBy.dayPnl, ...re,
      }
    }),
    noHistory,
    research,
  }
}

export async function riskHistoryService(o: HistoryOptions): Promise<RiskHistoryResult> {
  const {real, research, range, snaps, dates, noHistory} = await load(o)
  // β-weighted delta is in benchmark shares already; net delta is summed as shares; theta and vega are money.
  const rows = rowsFor(o.config, real, snaps, dates, ['theta', 'vega'] as const, ['delta', 'betaWeightedDelta'] as const)
  return {asOf: o.asOf.toISOString(), baseCurrency: o.config.baseCurrency, ...range, dates, rows: rows.map((r) => ({date: r.date, level: r.level, portfolio: r.portfolio, currency: r.currency, delta: r.delta, betaWeightedDelta: r.betaWeightedDelta, theta: r.theta, vega: r.vega, missing: r.missing})), noHistory, research}
}
