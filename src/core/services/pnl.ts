/*
 * pnl: unrealized P&L per position, per underlying and per portfolio, in each portfolio's
 * currency and converted to the base currency.
 */
import type {Config} from '../config/config.js'
import {convert, inCurrency, toBase} from '../domain/money.js'
import {unrealizedPnl} from '../domain/pnl.js'
import {total, wholeTotal} from '../domain/sum.js'
import type {Position} from '../domain/types.js'
import {oldest, type PortfolioFreshness} from '../containers/freshness.js'
import {bookFreshness, loadCountedBook, neverSynced} from './book.js'
import {positionDayPnl, readDayHistory, tradeDayPnl} from './daypnl.js'
import {tradePositions} from './trades.js'
import type {Trade} from '../domain/trade.js'

export interface PnlLine {
  /** which list the line belongs to (the --csv rows tell them apart by this) */
  level: 'position' | 'underlying' | 'portfolio'
  portfolio: string
  /** position = synced from the broker; paper/live = booked by approve; whatif = hypothetical (with --with-whatif) */
  source: 'position' | 'paper' | 'live' | 'whatif'
  /** position symbol, or null on underlying/portfolio lines */
  symbol: string | null
  underlying: string | null
  currency: string
  /** money in `currency`; null = unknown */
  unrealizedPnl: number | null
  /** money in the base currency; null = unknown or no FX rate */
  unrealizedPnlBase: number | null
  /** positions left out of this line's sum because their P&L is unknown */
  missing: number
  /** position lines: true once the contract has settled (its last P&L is shown, never summed); sum lines: how many such positions were left out */
  expired: boolean | number
  /** oldest observation time (ISO) of the marks behind this line; null = unknown (never synced) */
  pricesAsOf: string | null
  /** P&L since the previous close (broker close, previous snapshot's mark, or entry when opened today), money in `currency`; null = unknown */
  dayPnl: number | null
  /** the same in the base currency */
  dayPnlBase: number | null
  /** positions left out of dayPnl because their day P&L is unknown */
  dayPnlMissing: number
}

export interface PnlResult {
  /** the clock (ISO) */
  asOf: string
  /** the instant the book is valued at (ISO): asOf, or --as-of */
  valuedAt: string
  baseCurrency: string
  positions: PnlLine[]
  underlyings: PnlLine[]
  portfolios: PnlLine[]
  /** per currency, money in that currency */
  byCurrency: {currency: string; unrealizedPnl: number | null; missing: number; dayPnl: number | null; dayPnlMissing: number}[]
  /** the real portfolios in the selection; none (only research portfolios asked for) = no real-book total to show */
  realPortfolios: string[]
  /** the real book in the base currency (research portfolios excluded), of the positions whose P&L and FX rate are known */
  totalBase: number | null
  /** positions left out of totalBase */
  totalBaseMissing: number
  /** day P&L of the real book in the base currency; null when any part is unknown (dayPnlBaseMissing > 0) */
  dayPnlBase: number | null
  /** positions left out of dayPnlBase */
  dayPnlBaseMissing: number
  /** research portfolios on their own, in the base currency: never part of totalBase or byCurrency */
  research: {portfolios: string[]; totalBase: number | null; missing: number}
  notSynced: string[]
  /** real portfolios never synced: each is one unknown part of totalBase and dayPnlBase (not a position) */
  unknownPortfolios: string[]
  /** with --with-whatif: each real portfolio's P&L before and after its open what-if trades, in its currency */
  whatif?: {portfolio: string; currency: string; before: number | null; after: number | null; missing: number}[]
  /** per syncable portfolio: when its prices were observed, and whether they are fresh, stale, failed or never synced */
  freshness: PortfolioFreshness[]
  /** warnings about stale, failed or never-synced data (also printed to stderr) */
  dataWarnings: string[]
  /** true when any portfolio is stale, failed its last sync or was never synced (--fail-on-stale exits 3) */
  stale: boolean
}

export interface PnlOptions {
  config: Config
  dbPath: string
  /** only these portfolios (a name or several; all when absent) */
  portfolio?: string | readonly string[]
  /** the clock: freshness is judged here, and the book valued here unless valueAt is given */
  asOf: Date
  /** --as-of: value the stored book at this instant (time decay, expiries) with today's prices */
  valueAt?: Date
  /** how old prices may be before a warning ("1 session", "12h"); default the config's, else one session */
  maxAge?: string
  withWhatif?: boolean
}

export async function pnlService(opts: PnlOptions): Promise<PnlResult> {
  const {fxRates} = opts.config
  const at = opts.valueAt ?? opts.asOf
  const book = await loadCountedBook(opts.config, opts.dbPath, opts.portfolio, {asOf: at, revalue: opts.valueAt !== undefined}, (_db, names, history) => readDayHistory(history, names, opts.asOf))
  // Day P&L per position in its own currency, computed before any restating (snapshot marks are in that currency).
  const day = new Map<Position, number | null>()
  const dayOf = (p: Position) => day.get(p) ?? null
  const stamp = (p: Position, fallback: string | null) => (p.markPrice === null ? null : p.markAsOf ?? fallback)
  // Sum lines skip expired positions (counted in `expired`); a position line of an expired one shows its last P&L.
  const line = (source: PnlLine['source'], portfolio: string, symbol: string | null, underlying: string | null, currency: string, list: Position[], fallback: string | null = null): PnlLine => {
    const single = symbol !== null
    const live = single ? list : list.filter((p) => !p.expired)
    const t = total(live.map(unrealizedPnl))
    const d = wholeTotal(live.map(dayOf))
    const level = single ? 'position' : underlying !== null ? 'underlying' : 'portfolio'
    return {level, portfolio, source, symbol, underlying, currency, unrealizedPnl: t.value, unrealizedPnlBase: toBase(t.value, currency, fxRates), missing: t.missing,
      expired: single ? list.some((p) => p.expired === true) : list.length - live.length, pricesAsOf: oldest(live.map((p) => stamp(p, fallback))),
      dayPnl: d.value, dayPnlBase: toBase(d.value, currency, fxRates), dayPnlMissing: d.missing}
  }
  const marked = (trades: Trade[]) => tradePositions(trades, book.counted.view, opts.config, at).map((p, i) => ({p, t: trades[i]}))
  const whatIf = marked(book.whatIf)
  const positions: PnlLine[] = []
  const underlyings: PnlLine[] = []
  const portfolios: PnlLine[] = []
  const whatif: NonNullable<PnlResult['whatif']> = []
  // The counted book (services/book.ts): paper trades count in their portfolio's P&L like synced
  // positions (aged like them); live orders still working are not summed.
  for (const c of book.counted.portfolios) {
    const b = c.bundle
    if (b.config.kind === 'whatif') continue
    const booked = c.paper.map((x) => ({p: x.position, t: x.trade}))
    // Underlying and portfolio lines are in the portfolio's currency: other currencies are restated first.
    // The stock of a provisional settlement (an exercise or assignment the broker has not confirmed yet) is
    // held like a broker position, as positions and risk count it.
    const held = [...c.held, ...c.pending]
    const fallback = b.stored?.pricesAsOf ?? b.stored?.lastSyncAt ?? null
    for (const p of held) day.set(p, positionDayPnl(p, book.extra, book.entryGreeks.get(`${p.portfolio}\u0000${p.symbol}`) ?? null, opts.asOf).dayPnl)
    for (const a of booked) day.set(a.p, tradeDayPnl(a.p, a.t, opts.asOf).dayPnl)
    const all = [...held, ...booked.map((a) => a.p)].map((p) => {
      const q = inCurrency(p, b.config.currency, fxRates)
      if (q !== p) day.set(q, convert(dayOf(p), p.currency, b.config.currency, fxRates))
      return q
    })
    for (const p of held) positions.push(line('position', b.config.name, p.symbol, p.underlying, p.currency, [p], fallback))
    for (const a of booked) positions.push(line(a.t.kind === 'live' ? 'live' : 'paper', b.config.name, a.p.symbol, a.p.underlying, a.p.currency, [a.p]))
    for (const u of [...new Set(all.map((p) => p.underlying))].sort()) {
      const list = all.filter((p) => p.underlying === u)
      underlyings.push(line('position', b.config.name, null, u, list[0].currency, list, fallback))
    }
    // Never synced: nothing is known, so the portfolio's P&L is unknown, not 0.
    const sum = c.unknown
      ? {level: 'portfolio' as const, portfolio: b.config.name, source: 'position' as const, symbol: null, underlying: null, currency: b.config.currency, unrealizedPnl: null, unrealizedPnlBase: null, missing: 0, expired: 0, pricesAsOf: null, dayPnl: null, dayPnlBase: null, dayPnlMissing: 0}
      : line('position', b.config.name, null, null, b.config.currency, all, fallback)
    portfolios.push(sum)
    const shadow = whatIf.filter((w) => opts.config.portfolios.some((c) => c.name === w.p.portfolio && c.shadows === b.config.name))
    if (opts.withWhatif && shadow.length > 0) {
      for (const w of shadow) positions.push(line('whatif', w.p.portfolio, w.p.symbol, w.p.underlying, w.p.currency, [w.p]))
      // An unknown book (never synced) plus trades is still unknown: "? → ?", never 0 + the trades.
      const after = c.unknown ? {value: null, missing: 1} : total([sum.unrealizedPnl, ...shadow.map((w) => unrealizedPnl(w.p))])
      whatif.push({portfolio: b.config.name, currency: b.config.currency, before: sum.unrealizedPnl, after: after.value, missing: c.unknown ? 1 : sum.missing + after.missing})
    }
  }
  // Research portfolios are listed but never summed into the real book; expired positions are not summed either.
  const researchNames = new Set(book.bundles.filter((b) => b.config.kind === 'research').map((b) => b.config.name))
  const summed = positions.filter((p) => p.source !== 'whatif' && p.expired !== true)
  const realLines = summed.filter((p) => !researchNames.has(p.portfolio))
  // A never-synced portfolio is an unknown in the total (counted in totalBaseMissing), not a silent 0.
  const realUnknownBooks = book.counted.portfolios.filter((c) => c.unknown && c.config.kind !== 'research')
  const realUnknownNames = realUnknownBooks.map((c) => c.config.name)
  const realUnknown = realUnknownNames.map(() => null)
  const base = total([...realLines.map((p) => p.unrealizedPnlBase), ...realUnknown])
  const dayBase = wholeTotal([...realLines.map((p) => p.dayPnlBase), ...realUnknown])
  const researchBase = total(summed.filter((p) => researchNames.has(p.portfolio)).map((p) => p.unrealizedPnlBase))
  // each never-synced portfolio is one unknown part of its currency's totals too, as of the base totals
  const unknownIn = (currency: string) => realUnknownBooks.filter((c) => c.config.currency === currency).map(() => null)
  const currencies = [...new Set([...realLines.map((p) => p.currency), ...realUnknownBooks.map((c) => c.config.currency)])].sort()
  return {
    asOf: opts.asOf.toISOString(),
    valuedAt: at.toISOString(),
    baseCurrency: opts.config.baseCurrency,
    positions,
    underlyings,
    portfolios,
    byCurrency: currencies.map((currency) => {
      const mine = realLines.filter((p) => p.currency === currency)
      const t = total([...mine.map((p) => p.unrealizedPnl), ...unknownIn(currency)])
      const d = wholeTotal([...mine.map((p) => p.dayPnl), ...unknownIn(currency)])
      return {currency, unrealizedPnl: t.value, missing: t.missing, dayPnl: d.value, dayPnlMissing: d.missing}
    }),
    realPortfolios: book.counted.portfolios.filter((c) => c.real).map((c) => c.config.name),
    totalBase: base.value,
    totalBaseMissing: base.missing,
    dayPnlBase: dayBase.value,
    dayPnlBaseMissing: dayBase.missing,
    research: {portfolios: [...researchNames], totalBase: researchNames.size > 0 ? researchBase.value : null, missing: researchBase.missing},
    notSynced: neverSynced(book.bundles),
    unknownPortfolios: realUnknownNames,
    ...(opts.withWhatif ? {whatif} : {}),
    ...bookFreshness(opts.config, book.bundles, opts.asOf, opts.maxAge),
  }
}
