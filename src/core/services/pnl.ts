/*
 * pnl: unrealized P&L per position, per underlying and per portfolio, in each portfolio's
 * currency and converted to the base currency.
 */
import type {Config} from '../config/config.js'
import {inCurrency, toBase} from '../domain/money.js'
import {unrealizedPnl} from '../domain/pnl.js'
import {total} from '../domain/sum.js'
import type {Position} from '../domain/types.js'
import {loadBook, neverSynced} from './book.js'
import {loadQuotesFile} from './market.js'
import {marketView, tradePositions} from './trades.js'
import type {Trade} from '../domain/trade.js'

export interface PnlLine {
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
}

export interface PnlResult {
  asOf: string
  baseCurrency: string
  positions: PnlLine[]
  underlyings: PnlLine[]
  portfolios: PnlLine[]
  /** per currency, money in that currency */
  byCurrency: {currency: string; unrealizedPnl: number | null; missing: number}[]
  /** the real book in the base currency (research portfolios excluded), of the positions whose P&L and FX rate are known */
  totalBase: number | null
  /** positions left out of totalBase */
  totalBaseMissing: number
  /** research portfolios on their own, in the base currency: never part of totalBase or byCurrency */
  research: {portfolios: string[]; totalBase: number | null; missing: number}
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
  const book = await loadBook(opts.config, opts.dbPath, opts.portfolio)
  const line = (source: PnlLine['source'], portfolio: string, symbol: string | null, underlying: string | null, currency: string, list: Position[]): PnlLine => {
    const t = total(list.map(unrealizedPnl))
    return {portfolio, source, symbol, underlying, currency, unrealizedPnl: t.value, unrealizedPnlBase: toBase(t.value, currency, fxRates), missing: t.missing}
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
    const all = [...b.positions, ...booked.map((a) => a.p)].map((p) => inCurrency(p, b.config.currency, fxRates))
    for (const p of b.positions) positions.push(line('position', b.config.name, p.symbol, p.underlying, p.currency, [p]))
    for (const a of booked) positions.push(line(a.t.kind === 'live' ? 'live' : 'paper', b.config.name, a.p.symbol, a.p.underlying, a.p.currency, [a.p]))
    for (const u of [...new Set(all.map((p) => p.underlying))].sort()) {
      const list = all.filter((p) => p.underlying === u)
      underlyings.push(line('position', b.config.name, null, u, list[0].currency, list))
    }
    const sum = line('position', b.config.name, null, null, b.config.currency, all)
    portfolios.push(sum)
    const shadow = whatIf.filter((w) => opts.config.portfolios.some((c) => c.name === w.p.portfolio && c.shadows === b.config.name))
    if (opts.withWhatif && shadow.length > 0) {
      for (const w of shadow) positions.push(line('whatif', w.p.portfolio, w.p.symbol, w.p.underlying, w.p.currency, [w.p]))
      const after = total([sum.unrealizedPnl, ...shadow.map((w) => unrealizedPnl(w.p))])
      whatif.push({portfolio: b.config.name, currency: b.config.currency, before: sum.unrealizedPnl, after: after.value, missing: sum.missing + after.missing})
    }
  }
  const researchNames = new Set(book.bundles.filter((b) => b.config.kind === 'research').map((b) => b.config.name))
  const realLines = positions.filter((p) => p.source !== 'whatif' && !researchNames.has(p.portfolio))
  const base = total(realLines.map((p) => p.unrealizedPnlBase))
  const researchBase = total(positions.filter((p) => p.source !== 'whatif' && researchNames.has(p.portfolio)).map((p) => p.unrealizedPnlBase))
  const currencies = [...new Set(realLines.map((p) => p.currency))].sort()
  return {
    asOf: opts.asOf.toISOString(),
    baseCurrency: opts.config.baseCurrency,
    positions,
    underlyings,
    portfolios,
    byCurrency: currencies.map((currency) => {
      const t = total(realLines.filter((p) => p.currency === currency).map((p) => p.unrealizedPnl))
      return {currency, unrealizedPnl: t.value, missing: t.missing}
    }),
    totalBase: base.value,
    totalBaseMissing: base.missing,
    research: {portfolios: [...researchNames], totalBase: researchNames.size > 0 ? researchBase.value : null, missing: researchBase.missing},
    notSynced: neverSynced(book.bundles),
    ...(opts.withWhatif ? {whatif} : {}),
  }
}
