/*
 * pnl: unrealized P&L per position, per underlying and per portfolio, in each portfolio's
 * currency and converted to the base currency.
 */
import type {Config} from '../config/config.js'
import {convert, inCurrency, toBase} from '../domain/money.js'
import {unrealizedPnl} from '../domain/pnl.js'
import {total} from '../domain/sum.js'
import type {Position} from '../domain/types.js'
import {loadBook, neverSynced} from './book.js'
import {positionDayPnl, readDayHistory, tradeDayPnl} from './daypnl.js'
import {loadQuotesFile} from './market.js'
import {marketView, tradePositions} from './trades.js'
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
  /** P&L since the previous close (see positions: broker close, previous snapshot's mark, or entry when opened today), money in `currency`; null = unknown */
  dayPnl: number | null
  /** the same in the base currency */
  dayPnlBase: number | null
  /** positions left out of dayPnl because their day P&L is unknown */
  dayPnlMissing: number
}

export interface PnlResult {
  asOf: string
  baseCurrency: string
  positions: PnlLine[]
  underlyings: PnlLine[]
  portfolios: PnlLine[]
  /** per currency, money in that currency */
  byCurrency: {currency: string; unrealizedPnl: number | null; missing: number; dayPnl: number | null; dayPnlMissing: number}[]
  /** everything in the base currency, of the positions whose P&L and FX rate are known */
  totalBase: number | null
  /** positions left out of totalBase */
  totalBaseMissing: number
  /** day P&L of everything in the base currency, of the positions whose day P&L and FX rate are known */
  dayPnlBase: number | null
  /** positions left out of dayPnlBase */
  dayPnlBaseMissing: number
  notSynced: string[]
  /** with --with-whatif: each real portfolio's P&L before and after its open what-if trades, in its currency */
  whatif?: {portfolio: string; currency: string; before: number | null; after: number | null; missing: number}[]
}

export interface PnlOptions {
  config: Config
  dbPath: string
  portfolio?: string
  asOf: Date
  withWhatif?: boolean
}

export async function pnlService(opts: PnlOptions): Promise<PnlResult> {
  const {fxRates} = opts.config
  const book = await loadBook(opts.config, opts.dbPath, opts.portfolio, (db, names) => readDayHistory(db, names, opts.asOf))
  // Day P&L per position in its own currency, computed before any restating (snapshot marks are in that currency).
  const day = new Map<Position, number | null>()
  const dayOf = (p: Position) => day.get(p) ?? null
  const line = (level: PnlLine['level'], source: PnlLine['source'], portfolio: string, symbol: string | null, underlying: string | null, currency: string, list: Position[]): PnlLine => {
    const t = total(list.map(unrealizedPnl))
    const d = total(list.map(dayOf))
    return {level, portfolio, source, symbol, underlying, currency, unrealizedPnl: t.value, unrealizedPnlBase: toBase(t.value, currency, fxRates), missing: t.missing,
      dayPnl: d.value, dayPnlBase: toBase(d.value, currency, fxRates), dayPnlMissing: d.missing}
  }
  const view = marketView(book.allPositions, await loadQuotesFile(opts.config.market.quotesFile))
  const marked = (trades: Trade[]) => tradePositions(trades, view, opts.config, opts.asOf).map((p, i) => ({p, t: trades[i]}))
  const agent = marked(book.agentTrades)
  const whatIf = marked(book.whatIf)
  const positions: PnlLine[] = []
  const underlyings: PnlLine[] = []
  const portfolios: PnlLine[] = []
  const whatif: NonNullable<PnlResult['whatif']> = []
  for (const b of book.bundles) {
    if (b.config.kind === 'whatif') continue
    // Paper trades count in their portfolio's P&L like synced positions. Live orders still working
    // are listed but not summed: until filled they are no position, and once filled sync brings it.
    const booked = agent.filter((a) => a.p.portfolio === b.config.name && a.t.kind === 'paper')
    // Underlying and portfolio lines are in the portfolio's currency: other currencies are restated first.
    for (const p of b.positions) day.set(p, positionDayPnl(p, book.extra, book.entryGreeks.get(`${p.portfolio}\u0000${p.symbol}`) ?? null, opts.asOf).dayPnl)
    for (const a of booked) day.set(a.p, tradeDayPnl(a.p, a.t, opts.asOf).dayPnl)
    const all = [...b.positions, ...booked.map((a) => a.p)].map((p) => {
      const q = inCurrency(p, b.config.currency, fxRates)
      if (q !== p) day.set(q, convert(dayOf(p), p.currency, b.config.currency, fxRates))
      return q
    })
    for (const p of b.positions) positions.push(line('position', 'position', b.config.name, p.symbol, p.underlying, p.currency, [p]))
    for (const a of booked) positions.push(line('position', a.t.kind === 'live' ? 'live' : 'paper', b.config.name, a.p.symbol, a.p.underlying, a.p.currency, [a.p]))
    for (const u of [...new Set(all.map((p) => p.underlying))].sort()) {
      const list = all.filter((p) => p.underlying === u)
      underlyings.push(line('underlying', 'position', b.config.name, null, u, list[0].currency, list))
    }
    const sum = line('portfolio', 'position', b.config.name, null, null, b.config.currency, all)
    portfolios.push(sum)
    const shadow = whatIf.filter((w) => opts.config.portfolios.some((c) => c.name === w.p.portfolio && c.shadows === b.config.name))
    if (opts.withWhatif && shadow.length > 0) {
      for (const w of shadow) positions.push(line('position', 'whatif', w.p.portfolio, w.p.symbol, w.p.underlying, w.p.currency, [w.p]))
      const after = total([sum.unrealizedPnl, ...shadow.map((w) => unrealizedPnl(w.p))])
      whatif.push({portfolio: b.config.name, currency: b.config.currency, before: sum.unrealizedPnl, after: after.value, missing: sum.missing + after.missing})
    }
  }
  const base = total(positions.filter((p) => p.source !== 'whatif').map((p) => p.unrealizedPnlBase))
  const dayBase = total(positions.filter((p) => p.source !== 'whatif').map((p) => p.dayPnlBase))
  const currencies = [...new Set(positions.map((p) => p.currency))].sort()
  return {
    asOf: opts.asOf.toISOString(),
    baseCurrency: opts.config.baseCurrency,
    positions,
    underlyings,
    portfolios,
    byCurrency: currencies.map((currency) => {
      const mine = positions.filter((p) => p.currency === currency && p.source !== 'whatif')
      const t = total(mine.map((p) => p.unrealizedPnl))
      const d = total(mine.map((p) => p.dayPnl))
      return {currency, unrealizedPnl: t.value, missing: t.missing, dayPnl: d.value, dayPnlMissing: d.missing}
    }),
    totalBase: base.value,
    totalBaseMissing: base.missing,
    dayPnlBase: dayBase.value,
    dayPnlBaseMissing: dayBase.missing,
    notSynced: neverSynced(book.bundles),
    ...(opts.withWhatif ? {whatif} : {}),
  }
}
