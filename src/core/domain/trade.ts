/*
 * Trades that are not (yet) broker positions: what-if legs, paper trades booked on approval, and
 * live orders. A trade keeps the Greeks it was opened with (its entry Greeks) and is marked to
 * market when read, from the book's marks or, failing that, the model at the trade's IV.
 */
import {UserError} from '../errors.js'
import {modelFor, withModelGreeks, type ModelMarket} from './greeks.js'
import {intrinsic, optionPrice} from '../pricing/index.js'
import {parseSymbol} from './symbols.js'
import {yearsToExpiry} from './time.js'
import type {Deliverable, ExerciseStyle, ParsedSymbol, Position, UnitGreeks} from './types.js'
import {effectiveOption} from './deliverable.js'

export type TradeKind = 'paper' | 'live' | 'what_if'

export interface Trade {
  id: number
  /** The portfolio it belongs to: a what-if portfolio for what-if legs, the real one for paper and live trades. */
  portfolio: string
  kind: TradeKind
  /** what_if: open | approved; paper: open; live: the order's status as the broker gave it. */
  status: string
  proposalId: number | null
  symbol: string
  brokerSymbol: string | null
  instrumentType: Position['instrumentType']
  underlying: string
  /** signed: + buy, − sell */
  quantity: number
  /** open price per unit, in `currency` */
  price: number
  multiplier: number
  currency: string
  option?: Position['option']
  /** at opening: underlying price per unit, IV as a fraction, per-unit Greeks (domain units) */
  entry: {underlyingPrice: number | null; iv: number | null; greeks: UnitGreeks | null; greeksSource: Position['greeksSource']}
  orderId: string | null
  orderStatus: string | null
  createdAt: string
}

/** One leg as the user writes it: `-1 AAPL 2027-01-15 210P @ 9.10` (signed quantity, optional price per unit). */
export interface LegSpec {
  quantity: number
  parsed: ParsedSymbol
  price: number | null
}

export function parseLeg(text: string): LegSpec {
  const m = /^\s*([+-]?\d+(?:\.\d+)?)\s+(.+?)\s*(?:@\s*(\S+))?\s*$/.exec(text)
  if (!m) throw new UserError(`leg "${text}": expected "QTY SYMBOL [@ PRICE]", e.g. "-1 AAPL 2027-01-15 210P @ 9.10"`)
  const quantity = Number(m[1])
  if (quantity === 0) throw new UserError(`leg "${text}": quantity must not be 0 (+ buys, − sells)`)
  let parsed: ParsedSymbol
  try {
    parsed = parseSymbol(m[2])
  } catch (error) {
    throw new UserError(`leg "${text}": ${(error as Error).message}`)
  }
  let price: number | null = null
  if (m[3] !== undefined) {
    price = Number(m[3])
    if (!Number.isFinite(price) || price <= 0) throw new UserError(`leg "${text}": price must be a positive number per unit, got "${m[3]}"`)
  }
  return {quantity, parsed, price}
}

/** The trade as a position, marked to market: the book's mark for the symbol, else the model at the trade's IV. */
export function tradeAsPosition(t: Trade, ctx: {underlyingPrice: number | null; bookMark: number | null; market: ModelMarket; asOf: Date; deliverable?: Deliverable}): Position {
  let mark = ctx.bookMark
  if (mark === null && !t.option) mark = ctx.underlyingPrice
  // An adjusted option on what it delivers (ratio options at the effective strike); unknown deliverable: no model mark.
  const eff = t.option ? effectiveOption({...t, deliverable: ctx.deliverable, option: t.option}) : null
  if (mark === null && t.option && eff && t.entry.iv !== null && ctx.underlyingPrice !== null) {
    const years = yearsToExpiry(t.option.expiry, t.currency, ctx.asOf, t)
    mark = eff.ratio * (years <= 0 ? intrinsic({right: t.option.right, spot: ctx.underlyingPrice, strike: eff.strike})
      : optionPrice({right: t.option.right, spot: ctx.underlyingPrice, strike: eff.strike, years, rate: ctx.market.rate, dividend: ctx.market.dividend, vol: t.entry.iv}, modelFor(t)))
  }
  const p: Position = {
    portfolio: t.portfolio,
    symbol: t.symbol,
    brokerSymbol: t.brokerSymbol ?? t.symbol,
    instrumentType: t.instrumentType,
    underlying: t.underlying,
    quantity: t.quantity,
    multiplier: t.multiplier,
    entryPrice: t.price,
    markPrice: mark,
    currency: t.currency,
    option: t.option,
    underlyingPrice: ctx.underlyingPrice,
    underlyingPriceSource: ctx.underlyingPrice === null ? 'none' : 'last',
    iv: t.option ? t.entry.iv : null,
    greeks: null,
    greeksSource: 'none',
    ...(ctx.deliverable ? {deliverable: ctx.deliverable} : {}),
  }
  return withModelGreeks(p, ctx.market, ctx.asOf)
}
