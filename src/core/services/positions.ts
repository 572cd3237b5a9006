/*
 * positions: every position of the selected portfolios with P&L and position Greeks.
 */
import type {Config} from '../config/config.js'
import {positionView, type PositionRow} from '../containers/positions.js'
import type {EntryGreeks} from '../store/repositories.js'
import type {DayPnl} from '../domain/daypnl.js'
import {positionHealth, type PositionHealth} from '../domain/health.js'
import {inCurrency, toBase} from '../domain/money.js'
import {groupStrategies, type StrategyGroup} from '../domain/strategies.js'
import type {Position} from '../domain/types.js'
import {total, wholeTotal} from '../domain/sum.js'
import {oldest, type PortfolioFreshness} from '../containers/freshness.js'
import {bookFreshness, loadCountedBook, neverSynced} from './book.js'
import {positionDayPnl, readDayHistory, tradeDayPnl} from './daypnl.js'
import {dividendFor, rateFor} from './market.js'
import {entryOf, tradePositions} from './trades.js'

export interface PositionsOptions {
  config: Config
  dbPath: string
  /** only these portfolios (a name or several; all when absent) */
  portfolio?: string | readonly string[]
  underlying?: string
  /** the clock: freshness is judged at this instant (and the book valued here unless valueAt is given) */
  asOf: Date
  /** --as-of: value the stored book at this instant instead (time decay and expiries, today's prices) */
  valueAt?: Date
  /** how old prices may be before a warning ("1 session", "12h"); default the config's, else one session */
  maxAge?: string
  /** also group each account's legs per underlying into strategies (`groups` in the result) */
  group?: boolean
}

/** A position row with its day P&L and health (domain/health.ts units). */
export interface PositionView extends PositionRow {
  /** P&L since the previous close, money in `currency`; null = unknown (no previous mark), never 0 for unknown */
  dayPnl: number | null
  /** where the previous-close price came from: broker (TastyTrade close), snapshot (previous daily snapshot's mark), entry (opened today) */
  dayPnlBasis: 'broker' | 'snapshot' | 'entry' | null
  /** that price, per unit in `currency` */
  dayPnlBasisPrice: number | null
  /** why day P&L is unknown, when it is */
  dayPnlNote: string | null
  health: PositionHealth
}

export interface CurrencyTotal {
  currency: string
  /** Σ market value, money in `currency` (partial when `missing` > 0) */
  marketValue: number | null
  /** Σ unrealized P&L, money in `currency` */
  unrealizedPnl: number | null
  /** Σ day P&L, money in `currency`; null when any part is unknown (dayPnlMissing > 0) */
  dayPnl: number | null
  /** positions whose day P&L is unknown, plus one per never-synced real portfolio of this currency (dayPnl is then null: known only when every part is) */
  dayPnlMissing: number
  /** positions whose mark or entry price is unknown, left out of the sums, plus one per never-synced real portfolio of this currency */
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
  positions: PositionView[]
  /** paper and live trades booked by `approve`, marked to market */
  agentTrades: PositionView[]
  /** open what-if trades, marked to market */
  whatIf: PositionView[]
  /** with --group: broker positions grouped per account and underlying into strategies (money in the portfolio's currency) */
  groups?: StrategyGroup[]
  /** with --group: the ledger's roll chains of these portfolios (credit collected, realised so far, P&L since the chain began) */
  chains?: import('../domain/ledger/chains.js').Chain[]
  /** the real portfolios in the selection; none (only research portfolios asked for) = no real-book total to show */
  realPortfolios: string[]
  /** the real book: broker positions and paper trades of real portfolios (research portfolios excluded) */
  totals: CurrencyTotal[]
  /** research portfolios on their own (never part of `totals` or `unrealizedPnlBase`) */
  researchTotals: CurrencyTotal[]
  /** Σ unrealized P&L of the real book (positions + paper trades) in the base currency, of the positions whose P&L and FX rate are known */
  unrealizedPnlBase: number | null
  /** parts left out of unrealizedPnlBase: positions (unknown price or no FX rate), plus one per never-synced real portfolio (unknownPortfolios) */
  unrealizedPnlBaseMissing: number
  /** Σ day P&L of the real book in the base currency; null when any part is unknown (dayPnlBaseMissing > 0) */
  dayPnlBase: number | null
  /** unknown parts of dayPnlBase: positions, plus one per never-synced real portfolio (unknownPortfolios) */
  dayPnlBaseMissing: number
  /** portfolios selected that have never been synced (their numbers are unknown: unrealizedPnlBase is then null or partial) */
  notSynced: string[]
  /** real portfolios never synced: each is one unknown part of the base totals (not a position) */
  unknownPortfolios: string[]
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
  const book = await loadCountedBook(opts.config, opts.dbPath, opts.portfolio, {asOf: at, revalue: opts.valueAt !== undefined}, (_db, names, history) => readDayHistory(history, names, opts.asOf))
  const {config} = opts
  // Health at the instant the book is valued; day P&L by the clock (since the previous close).
  // Each row is built with its day P&L and health in one object (containers/positions.ts positionView: the row's keys, then the tail's).
  const view = (p: Position, entry: EntryGreeks | null, day: DayPnl): PositionView => {
    const next = config.market.nextDividends?.[p.underlying] ?? null
    const health = positionHealth(p, {asOf: at, rate: rateFor(config, p.currency), dividend: dividendFor(config, p.underlying), nextDividend: next})
    return positionView(p, at, entry, {dayPnl: day.dayPnl, dayPnlBasis: day.basis, dayPnlBasisPrice: day.basisPrice, dayPnlNote: day.note, health})
  }
  const fresh = bookFreshness(opts.config, book.bundles, opts.asOf, opts.maxAge)
  const want = opts.underlying?.toUpperCase()
  const keep = (p: {underlying: string}) => !want || p.underlying.toUpperCase() === want
  // The broker's positions (unsettled expiries marked) and the deliveries of provisional settlements, as the counted book holds them.
  const rows = book.counted.portfolios.flatMap((c) => [...c.held, ...c.pending]).filter(keep).map((p) => {
    const entry = book.entryGreeks.get(`${p.portfolio}\u0000${p.symbol}`) ?? null
    return view(p, entry, positionDayPnl(p, book.extra, entry, opts.asOf))
  })
  const live = rows.filter((r) => !r.expired)
  const market = book.counted.view
  const traded = (trades: typeof book.whatIf) => {
    const mine = trades.filter(keep)
    return tradePositions(mine, market, opts.config, at).map((p, i) => view(p, entryOf(mine[i]), tradeDayPnl(p, mine[i], opts.asOf)))
  }
  const groups = () => {
    // Each portfolio's live legs in its own currency; cash decides whether a lone short put is cash-secured.
    const cash = Object.fromEntries(book.bundles.map((b) => [b.config.name, b.stored?.balances.cash ?? null]))
    const restated = book.bundles.flatMap((b) => b.positions.filter(keep).map((p) => inCurrency(p, b.config.currency, config.fxRates)))
    return groupStrategies(restated, {asOf: at, rates: config.market.rates, dividends: config.market.dividends, cash})
  }
  // The agent's trades as listed: paper trades from the counted book (aged like positions), live orders still working marked as they are.
  const paperRows = book.counted.portfolios.flatMap((c) => c.paper.filter((x) => keep(x.position)).map((x) => view(x.position, entryOf(x.trade), tradeDayPnl(x.position, x.trade, opts.asOf))))
  const agentRows = [...paperRows, ...traded(book.agentTrades.filter((t) => t.kind !== 'paper'))]
  // Sums run over the counted book (services/book.ts): research portfolios apart, never-synced portfolios one unknown each.
  const research = new Set(book.counted.portfolios.filter((c) => c.config.kind === 'research').map((c) => c.config.name))
  const realRows = [...rows, ...paperRows].filter((r) => !research.has(r.portfolio))
  const realUnknownBooks = book.counted.portfolios.filter((c) => c.unknown && c.config.kind !== 'research')
  const realUnknownNames = realUnknownBooks.map((c) => c.config.name)
  const realUnknown = realUnknownNames.map(() => null)
  const base = total([...realRows.filter((r) => !r.expired).map((r) => toBase(r.unrealizedPnl, r.currency, opts.config.fxRates)), ...realUnknown])
  // Day P&L is known only when every part is (domain/sum.ts wholeTotal): a partial day P&L would pass unknowns off as 0.
  const dayBase = wholeTotal([...realRows.filter((r) => !r.expired).map((r) => toBase(r.dayPnl, r.currency, opts.config.fxRates)), ...realUnknown])
  return {
    asOf: opts.asOf.toISOString(),
    valuedAt: at.toISOString(),
    baseCurrency: opts.config.baseCurrency,
    positions: rows,
    agentTrades: agentRows,
    whatIf: traded(book.whatIf),
    realPortfolios: book.counted.portfolios.filter((c) => c.real).map((c) => c.config.name),
    totals: currencyTotals(realRows, realUnknownBooks.map((c) => c.config.currency)),
    researchTotals: currencyTotals([...rows, ...paperRows].filter((r) => research.has(r.portfolio))),
    unrealizedPnlBase: base.value,
    unrealizedPnlBaseMissing: base.missing,
    dayPnlBase: dayBase.value,
    dayPnlBaseMissing: dayBase.missing,
    notSynced: neverSynced(book.bundles),
    unknownPortfolios: realUnknownNames,
    expired: rows.length - live.length,
    ...fresh,
    ...(opts.group ? {groups: groups()} : {}),
  }
}

/**
 * Per-currency sums of the live rows; expired rows (expired: true) are counted, not summed.
 * `unknown`: the currency of each never-synced portfolio in the sums, one unknown part of its
 * currency's totals (as of the base totals): never a silent 0.
 */
export function currencyTotals(rows: (Pick<PositionView, 'currency' | 'marketValue' | 'unrealizedPnl' | 'dayPnl'> & Partial<Pick<PositionRow, 'expired' | 'markAsOf'>>)[], unknown: string[] = []): CurrencyTotal[] {
  const currencies = [...new Set([...rows.map((r) => r.currency), ...unknown])].sort()
  return currencies.map((currency) => {
    const all = rows.filter((r) => r.currency === currency)
    const mine = all.filter((r) => !r.expired)
    const unknownParts = unknown.filter((c) => c === currency).map(() => null)
    const pnl = total([...mine.map((r) => r.unrealizedPnl), ...unknownParts])
    const mv = total([...mine.map((r) => r.marketValue), ...unknownParts])
    const day = wholeTotal([...mine.map((r) => r.dayPnl), ...unknownParts])
    return {currency, marketValue: mv.value, unrealizedPnl: pnl.value, dayPnl: day.value, dayPnlMissing: day.missing, missing: Math.max(pnl.missing, mv.missing), expired: all.length - mine.length, pricesAsOf: oldest(mine.map((r) => r.markAsOf))}
  })
}
