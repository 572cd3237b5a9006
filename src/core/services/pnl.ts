/*
 * pnl: unrealized P&L per position, per underlying and per portfolio, in each portfolio's
 * currency and converted to the base currency.
 */
import type {Config} from '../config/config.js'
import {toBase} from '../domain/money.js'
import {unrealizedPnl} from '../domain/pnl.js'
import {total} from '../domain/sum.js'
import type {Position} from '../domain/types.js'
import {loadBook, neverSynced} from './book.js'

export interface PnlLine {
  portfolio: string
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
  /** everything in the base currency */
  totalBase: number | null
  notSynced: string[]
}

export interface PnlOptions {
  config: Config
  dbPath: string
  portfolio?: string
  asOf: Date
}

export async function pnlService(opts: PnlOptions): Promise<PnlResult> {
  const {fxRates} = opts.config
  const book = await loadBook(opts.config, opts.dbPath, opts.portfolio)
  const line = (portfolio: string, symbol: string | null, underlying: string | null, currency: string, list: Position[]): PnlLine => {
    const t = total(list.map(unrealizedPnl))
    return {portfolio, symbol, underlying, currency, unrealizedPnl: t.value, unrealizedPnlBase: toBase(t.value, currency, fxRates), missing: t.missing}
  }
  const positions: PnlLine[] = []
  const underlyings: PnlLine[] = []
  const portfolios: PnlLine[] = []
  for (const b of book.bundles) {
    if (b.positions.length === 0 && b.config.kind === 'whatif') continue
    for (const p of b.positions) positions.push(line(b.config.name, p.symbol, p.underlying, p.currency, [p]))
    for (const u of [...new Set(b.positions.map((p) => p.underlying))].sort()) {
      const list = b.positions.filter((p) => p.underlying === u)
      underlyings.push(line(b.config.name, null, u, list[0].currency, list))
    }
    portfolios.push(line(b.config.name, null, null, b.config.currency, b.positions))
  }
  const currencies = [...new Set(positions.map((p) => p.currency))].sort()
  return {
    asOf: opts.asOf.toISOString(),
    baseCurrency: opts.config.baseCurrency,
    positions,
    underlyings,
    portfolios,
    byCurrency: currencies.map((currency) => {
      const t = total(positions.filter((p) => p.currency === currency).map((p) => p.unrealizedPnl))
      return {currency, unrealizedPnl: t.value, missing: t.missing}
    }),
    totalBase: total(positions.map((p) => p.unrealizedPnlBase)).value,
    notSynced: neverSynced(book.bundles),
  }
}
