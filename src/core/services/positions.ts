/*
 * positions: every position of the selected portfolios with P&L and position Greeks.
 */
import type {Config} from '../config/config.js'
import {positionRow, type PositionRow} from '../containers/positions.js'
import {toBase} from '../domain/money.js'
import {total} from '../domain/sum.js'
import {oldest, type PortfolioFreshness} from '../containers/freshness.js'
import {bookFreshness, isNeverSynced, loadBook, neverSynced} from './book.js'
import {loadQuotesFile} from './market.js'
import {entryOf, marketView, tradePositions} from './trades.js'

export interface PositionsOptions {
  config: Config
  dbPath: string
  portfolio?: string
  underlying?: string
  /** the clock: freshness is judged at this instant (and the book valued here unless valueAt is given) */
  asOf: Date
  /** --as-of: value the stored book at this instant instead (time decay and expiries, today's prices) */
  valueAt?: Date
  /** how old prices may be before a warning ("1 session", "12h"); default the config's, else one session */
  maxAge?: string
}

export interface CurrencyTotal {
  currency: string
  /** Σ market value, money in `currency` (partial when `missing` > 0) */
  marketValue: number | null
  /** Σ unrealized P&L, money in `currency` */
  unrealizedPnl: number | null
  /** positions whose mark or entry price is unknown, left out of the sums */
  missing: number
  /** expired positions (past settlement) of this currency, left out of the sums */
  expired: number
  /** oldest observation time (ISO) of the marks in the sums; null = unknown */
  pricesAsOf: string | null
}

export interface PositionsResult {
  /** the clock (ISO) */
  asOf: string
  /** the instant the book is valued at (ISO): asOf, or --as-of */
  valuedAt: string
  baseCurrency: string
  /** broker positions (synced) */
  positions: PositionRow[]
  /** paper and live trades booked by `approve`, marked to market */
  agentTrades: PositionRow[]
  /** open what-if trades, marked to market */
  whatIf: PositionRow[]
  /** the real book: broker positions and paper trades of real portfolios (research portfolios excluded) */
  totals: CurrencyTotal[]
  /** research portfolios on their own (never part of `totals` or `unrealizedPnlBase`) */
  researchTotals: CurrencyTotal[]
  /** Σ unrealized P&L of the real book (positions + paper trades) in the base currency, of the positions whose P&L and FX rate are known */
  unrealizedPnlBase: number | null
  /** positions left out of unrealizedPnlBase (unknown price or no FX rate) */
  unrealizedPnlBaseMissing: number
  /** portfolios selected that have never been synced (their numbers are unknown: unrealizedPnlBase is then null or partial) */
  notSynced: string[]
  /** expired positions listed (expired: true), left out of every total */
  expired: number
  /** per syncable portfolio: when its prices were observed, and whether they are fresh, stale, failed or never synced */
  freshness: PortfolioFreshness[]
  /** warnings about stale, failed or never-synced data (also printed to stderr) */
  dataWarnings: string[]
  /** true when any portfolio is stale, failed its last sync or was never synced (--fail-on-stale exits 3) */
  stale: boolean
}

export async function positionsService(opts: PositionsOptions): Promise<PositionsResult> {
  const at = opts.valueAt ?? opts.asOf
  const book = await loadBook(opts.config, opts.dbPath, opts.portfolio, {asOf: at, revalue: opts.valueAt !== undefined})
  const fresh = bookFreshness(opts.config, book.bundles, opts.asOf, opts.maxAge)
  const want = opts.underlying?.toUpperCase()
  const keep = (p: {underlying: string}) => !want || p.underlying.toUpperCase() === want
  const rows = book.bundles.flatMap((b) => [...b.positions, ...(b.expired ?? [])]).filter(keep).map((p) => positionRow(p, at, book.entryGreeks.get(`${p.portfolio}\u0000${p.symbol}`) ?? null))
  const live = rows.filter((r) => !r.expired)
  const hasTrades = book.agentTrades.length + book.whatIf.length > 0
  const view = hasTrades ? marketView(book.allPositions, await loadQuotesFile(opts.config.market.quotesFile)) : undefined
  const traded = (trades: typeof book.whatIf) => {
    const mine = trades.filter(keep)
    return {mine, rows: view ? tradePositions(mine, view, opts.config, at).map((p, i) => positionRow(p, at, entryOf(mine[i]))) : []}
  }
  const agent = traded(book.agentTrades)
  // Paper trades are in the book like positions (pnl and risk count them too); live orders still working are not.
  const paperRows = agent.rows.filter((_, i) => agent.mine[i].kind === 'paper')
  // Research portfolios are shown but never summed into the real book.
  const research = new Set(book.bundles.filter((b) => b.config.kind === 'research').map((b) => b.config.name))
  const realRows = [...rows, ...paperRows].filter((r) => !research.has(r.portfolio))
  const realUnknown = book.bundles.filter((b) => isNeverSynced(b) && b.config.kind !== 'research').map(() => null)
  const base = total([...realRows.filter((r) => !r.expired).map((r) => toBase(r.unrealizedPnl, r.currency, opts.config.fxRates)), ...realUnknown])
  return {
    asOf: opts.asOf.toISOString(),
    valuedAt: at.toISOString(),
    baseCurrency: opts.config.baseCurrency,
    positions: rows,
    agentTrades: agent.rows,
    whatIf: traded(book.whatIf).rows,
    totals: currencyTotals(realRows),
    researchTotals: currencyTotals([...rows, ...paperRows].filter((r) => research.has(r.portfolio))),
    unrealizedPnlBase: base.value,
    unrealizedPnlBaseMissing: base.missing,
    notSynced: neverSynced(book.bundles),
    expired: rows.length - live.length,
    ...fresh,
  }
}

/** Per-currency sums of the live rows; expired rows (expired: true) are counted, not summed. */
export function currencyTotals(rows: (Pick<PositionRow, 'currency' | 'marketValue' | 'unrealizedPnl'> & Partial<Pick<PositionRow, 'expired' | 'markAsOf'>>)[]): CurrencyTotal[] {
  const currencies = [...new Set(rows.map((r) => r.currency))].sort()
  return currencies.map((currency) => {
    const all = rows.filter((r) => r.currency === currency)
    const mine = all.filter((r) => !r.expired)
    const pnl = total(mine.map((r) => r.unrealizedPnl))
    const mv = total(mine.map((r) => r.marketValue))
    return {currency, marketValue: mv.value, unrealizedPnl: pnl.value, missing: Math.max(pnl.missing, mv.missing), expired: all.length - mine.length, pricesAsOf: oldest(mine.map((r) => r.markAsOf))}
  })
}
