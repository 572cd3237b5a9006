/*
 * positions: every position of the selected portfolios with P&L and position Greeks.
 */
import type {Config} from '../config/config.js'
import {positionRow, type PositionRow} from '../containers/positions.js'
import {toBase} from '../domain/money.js'
import {total} from '../domain/sum.js'
import {loadBook, neverSynced} from './book.js'
import {loadQuotesFile} from './market.js'
import {entryOf, marketView, tradePositions} from './trades.js'

export interface PositionsOptions {
  config: Config
  dbPath: string
  portfolio?: string
  underlying?: string
  asOf: Date
}

export interface CurrencyTotal {
  currency: string
  /** Σ market value, money in `currency` (partial when `missing` > 0) */
  marketValue: number | null
  /** Σ unrealized P&L, money in `currency` */
  unrealizedPnl: number | null
  /** positions whose mark or entry price is unknown, left out of the sums */
  missing: number
}

export interface PositionsResult {
  asOf: string
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
  /** portfolios selected that have never been synced */
  notSynced: string[]
}

export async function positionsService(opts: PositionsOptions): Promise<PositionsResult> {
  const book = await loadBook(opts.config, opts.dbPath, opts.portfolio)
  const want = opts.underlying?.toUpperCase()
  const keep = (p: {underlying: string}) => !want || p.underlying.toUpperCase() === want
  const rows = book.bundles.flatMap((b) => b.positions).filter(keep).map((p) => positionRow(p, opts.asOf, book.entryGreeks.get(`${p.portfolio}\u0000${p.symbol}`) ?? null))
  const hasTrades = book.agentTrades.length + book.whatIf.length > 0
  const view = hasTrades ? marketView(book.allPositions, await loadQuotesFile(opts.config.market.quotesFile)) : undefined
  const traded = (trades: typeof book.whatIf) => {
    const mine = trades.filter(keep)
    return {mine, rows: view ? tradePositions(mine, view, opts.config, opts.asOf).map((p, i) => positionRow(p, opts.asOf, entryOf(mine[i]))) : []}
  }
  const agent = traded(book.agentTrades)
  // Paper trades are in the book like positions (pnl and risk count them too); live orders still working are not.
  const paperRows = agent.rows.filter((_, i) => agent.mine[i].kind === 'paper')
  const research = new Set(book.bundles.filter((b) => b.config.kind === 'research').map((b) => b.config.name))
  const realRows = [...rows, ...paperRows].filter((r) => !research.has(r.portfolio))
  const base = total(realRows.map((r) => toBase(r.unrealizedPnl, r.currency, opts.config.fxRates)))
  return {
    asOf: opts.asOf.toISOString(),
    baseCurrency: opts.config.baseCurrency,
    positions: rows,
    agentTrades: agent.rows,
    whatIf: traded(book.whatIf).rows,
    totals: currencyTotals(realRows),
    researchTotals: currencyTotals([...rows, ...paperRows].filter((r) => research.has(r.portfolio))),
    unrealizedPnlBase: base.value,
    unrealizedPnlBaseMissing: base.missing,
    notSynced: neverSynced(book.bundles),
  }
}

export function currencyTotals(rows: Pick<PositionRow, 'currency' | 'marketValue' | 'unrealizedPnl'>[]): CurrencyTotal[] {
  const currencies = [...new Set(rows.map((r) => r.currency))].sort()
  return currencies.map((currency) => {
    const mine = rows.filter((r) => r.currency === currency)
    const pnl = total(mine.map((r) => r.unrealizedPnl))
    const mv = total(mine.map((r) => r.marketValue))
    return {currency, marketValue: mv.value, unrealizedPnl: pnl.value, missing: Math.max(pnl.missing, mv.missing)}
  })
}
