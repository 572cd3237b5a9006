/*
 * How an option that reached its expiry leaves the book, by the exchange calendar's rule for its
 * product (domain/calendar/expiry.ts), not a blanket "intrinsic at the close of the date in the symbol":
 *  - the day it expires is the calendar's expiry date (a listed date on a holiday rolls back to the
 *    trading day before);
 *  - a PM-settled option (US equity/ETF options, SPXW and other weeklies, NSE/BSE, futures options)
 *    settles on the underlying's price at the close of that day;
 *  - an AM-settled option (SPX, NDX, RUT monthlies, VIX …) stopped trading the day before and
 *    settles on the opening prints of its expiry date. The daemon records the first underlying price
 *    it observes after the open (within OPENING_WINDOW_MS); the exchange's special opening quotation
 *    is built from each component's opening print, so this is the nearest figure the book has. When
 *    none was observed, the last price is used and the result says so.
 * Out of the money: expired worthless. In the money: a physically settled option (American US equity
 * option) is assigned (short) or exercised (long) into the underlying at the strike; the rest settle
 * in cash. Realised P&L = (settlement value − entry) × quantity × multiplier. Pure.
 */
import {optionExpiry, type Settlement} from './calendar/expiry.js'
import type {Position} from './types.js'
import {intrinsic} from '../pricing/index.js'

/** An AM-settled option's opening price counts if observed within this long after the open. */
export const OPENING_WINDOW_MS = 30 * 60_000

export interface ObservedPrice {
  /** underlying price per unit */
  price: number
  /** ISO instant it was observed */
  at: string
}

export interface ExpirySettlement {
  /** exchange-local date the option expired (the calendar's, after any holiday roll-back) */
  expiryDate: string
  settlement: Settlement
  /** the underlying price it settled on, per unit */
  underlyingPrice: number
  /** 'open': an AM settlement on the observed opening price; 'close': the last price (the rule for PM, a fallback for AM) */
  priceSource: 'open' | 'close'
  /** settlement value per unit: the intrinsic value at `underlyingPrice` */
  intrinsic: number
  outcome: 'expired' | 'assigned' | 'exercised' | 'cash_settled'
  /** signed shares delivered (+ bought, − sold) on assignment/exercise; null otherwise */
  stockQuantity: number | null
  /** money in the position's currency; null when the entry price is unknown */
  realizedPnl: number | null
  /** why the figure is less certain than the rule asks (AM-settled without an observed opening price); null otherwise */
  note: string | null
}

type OptionPosition = Pick<Position, 'symbol' | 'underlying' | 'instrumentType' | 'currency' | 'quantity' | 'multiplier' | 'entryPrice' | 'underlyingPrice' | 'option'>

/** Key of an observed opening price: one per underlying and expiry date (every AM option on it shares the settlement). */
export function openingKey(underlying: string, expiryDate: string): string {
  return `${underlying}|${expiryDate}`
}

/**
 * Whether an observation at `now` of this position's underlying is its AM settlement's opening price:
 * the option is AM-settled, and `now` is at or after its settlement instant (the open of its expiry
 * date) by at most OPENING_WINDOW_MS. Returns the key to record it under, or null.
 */
export function openingToRecord(p: OptionPosition, now: Date): string | null {
  if (!p.option || p.underlyingPrice === null) return null
  const e = optionExpiry(p.option.expiry, p)
  if (e.settlement !== 'am') return null
  const since = now.getTime() - e.settlesAt.getTime()
  return since >= 0 && since <= OPENING_WINDOW_MS ? openingKey(p.underlying, e.expiryDate) : null
}

/**
 * The settlement of an option whose expiry date is on or before `date` (the trade date whose end of
 * day is being done); null when it has not expired by then, or when no underlying price is known (the
 * broker's next sync settles it). `openings` holds the observed opening prices by openingKey.
 */
export function settleAtExpiry(p: OptionPosition, date: string, openings: Record<string, ObservedPrice> = {}): ExpirySettlement | null {
  if (!p.option) return null
  const e = optionExpiry(p.option.expiry, p)
  if (e.expiryDate > date) return null
  const opening = e.settlement === 'am' ? openings[openingKey(p.underlying, e.expiryDate)] : undefined
  const price = opening?.price ?? p.underlyingPrice
  if (price === null) return null
  const value = intrinsic({right: p.option.right, spot: price, strike: p.option.strike})
  const physical = p.instrumentType === 'equity_option' && p.option.style === 'american' && p.currency === 'USD'
  const outcome: ExpirySettlement['outcome'] = value <= 0 ? 'expired' : !physical ? 'cash_settled' : p.quantity < 0 ? 'assigned' : 'exercised'
  const stockQuantity = outcome === 'assigned' || outcome === 'exercised' ? p.quantity * p.multiplier * (p.option.right === 'call' ? 1 : -1) : null
  return {
    expiryDate: e.expiryDate,
    settlement: e.settlement,
    underlyingPrice: price,
    priceSource: opening ? 'open' : 'close',
    intrinsic: value,
    outcome,
    stockQuantity,
    realizedPnl: p.entryPrice === null ? null : (value - p.entryPrice) * p.quantity * p.multiplier,
    note: e.settlement === 'am' && !opening ? `AM-settled on ${e.expiryDate}'s opening prints, which were not observed; settled on the last price ${price}` : null,
  }
}
