/*
 * How an option or a future that reached its expiry leaves the book, by the exchange calendar's rule
 * for its product (domain/calendar/expiry.ts), on the price of its settlement instant, never a later one:
 *  - the day it expires is the calendar's expiry date (a listed date on a holiday rolls back to the
 *    trading day before);
 *  - a PM-settled option (US equity/ETF options, SPXW and other weeklies, NSE/BSE, futures options)
 *    settles on the underlying's close of that day: a close stored for that date (price history,
 *    DXLink daily candles, a snapshot taken then), else the last price the book observed during that
 *    day's session. A price observed on a later day (Monday's quote for Friday's expiry, after a
 *    suspended laptop resumes) is never used;
 *  - an AM-settled option (SPX, NDX, RUT monthlies, VIX …) settles on the opening prints of its expiry
 *    date: the first underlying price the daemon observed after the open (within OPENING_WINDOW_MS).
 * Without a price of the settlement instant the result is `pending` (no_settlement_price): it stays
 * in the book, marked pending settlement, until the price or the broker's records arrive.
 *
 * Exercise as the OCC does it (exercise by exception): in the money by at least `exerciseThreshold`
 * per unit ($0.01 by default) at settlement → exercised (long) / assigned (short) into the underlying
 * at the strike for a physically settled option (American US equity option), cash-settled otherwise;
 * less → expired worthless. A short physically settled option whose underlying closed within the pin
 * band of its strike (± max($0.05, 0.1 % of the strike) by default) is `pending` (pin_risk): its
 * holder may exercise either way, so only the broker's records can say.
 * Realised P&L of the option, money in the position's currency: cash-settled or expired, (settlement
 * value − entry) × quantity × multiplier; assigned or exercised into the underlying, (0 − entry) ×
 * quantity × multiplier: the option closes at 0, realising its premium, and its intrinsic value is in
 * the shares delivered at the strike (TastyTrade's and Fidelity's booking, and the ledger's `separate`
 * convention, domain/ledger/lots.ts). Counting the intrinsic value in both, on the option at the
 * settlement price and again in shares bought at the strike, would count it twice.
 * Futures settle at their final settlement price (the close of the last trading day as stored or
 * observed that day). Pure: prices and their observation times come in as arguments.
 */
import {futureExpiry, optionExpiry, type Settlement} from './calendar/expiry.js'
import {effectiveOption, unknownDeliverable} from './deliverable.js'
import {localDate, marketFor} from './calendar/index.js'
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

/** OCC exercise by exception and the pin band (configurable: daemon.settlement in the config). */
export interface ExerciseRules {
  /** per unit, money: exercised automatically when in the money by at least this much (OCC: 0.01) */
  exerciseThreshold: number
  /** per unit, money: the pin band is at least ± this (default 0.05) */
  pinAbsolute: number
  /** fraction of the strike: the pin band is at least ± this × strike (default 0.001 = 0.1 %) */
  pinFraction: number
}

export const OCC_RULES: ExerciseRules = {exerciseThreshold: 0.01, pinAbsolute: 0.05, pinFraction: 0.001}

/** Half-width of the pin band around a strike, per unit. */
export function pinBand(strike: number, rules: ExerciseRules = OCC_RULES): number {
  return Math.max(rules.pinAbsolute, rules.pinFraction * strike)
}

/** Prices the settlement may use, each with its observation time. */
export interface SettlementPrices {
  /** closes stored for a date, by priceKey(symbol, date): underlyings' closes for options, a future's own */
  closes?: Record<string, ObservedPrice>
  /** AM settlement: the observed opening prices, by priceKey(underlying, expiry date) */
  openings?: Record<string, ObservedPrice>
  /** when the position's last prices (underlyingPrice, markPrice) were observed; null/absent = unknown (never used as a close) */
  lastAt?: string | null
  /** the last underlying prices the daemon saw in hours, by priceKey(underlying, date) (kept across a restart) */
  seen?: Record<string, ObservedPrice>
  /** ms: a price observed this long before the close, or less, counts as the close (default CLOSE_WINDOW_MS) */
  closeWindowMs?: number
}

/** A last price observed within this long before the close counts as the close (the daemon widens it to its tick interval). */
export const CLOSE_WINDOW_MS = 30 * 60_000

export type ExpiryOutcome = 'expired' | 'assigned' | 'exercised' | 'cash_settled'
/** open: AM opening print; close: the last price observed during the expiry date's session; stored_close: a close stored for that date */
export type PriceSource = 'open' | 'close' | 'stored_close'

export interface ExpirySettlement {
  status: 'settled'
  /** exchange-local date the contract expired (the calendar's, after any holiday roll-back) */
  expiryDate: string
  settlement: Settlement
  /** the price it settled on, per unit (the underlying's for an option, the future's own for a future) */
  underlyingPrice: number
  priceSource: PriceSource
  /** ISO instant the settling price was observed */
  priceAt: string
  /** settlement value per unit: an option's intrinsic value at `underlyingPrice` (below the exercise threshold: 0); a future's final settlement price */
  intrinsic: number
  outcome: ExpiryOutcome
  /** signed shares delivered (+ bought, − sold) on assignment/exercise; null otherwise */
  stockQuantity: number | null
  /**
   * the option's realised P&L, money in the position's currency (per position): (settlement value −
   * entry) × quantity × multiplier, where a delivery's option closes at 0 (its value is in the shares
   * at the strike); null when the entry price is unknown
   */
  realizedPnl: number | null
  /** a remark on the figure (in the money by less than the exercise threshold); null otherwise */
  note: string | null
}

export interface PendingExpiry {
  status: 'pending'
  expiryDate: string
  settlement: Settlement
  reason: 'no_settlement_price' | 'pin_risk'
  /** what is missing, or why assignment is uncertain, in one sentence */
  detail: string
  /** the price seen, when there is one (pin risk), per unit */
  underlyingPrice: number | null
  /** pin risk: the outcome the OCC's rule alone would give */
  expected: ExpiryOutcome | null
}

export type ExpiryResult = ExpirySettlement | PendingExpiry

type OptionPosition = Pick<Position, 'symbol' | 'underlying' | 'instrumentType' | 'currency' | 'quantity' | 'multiplier' | 'entryPrice' | 'underlyingPrice' | 'option'> & {
  underlyingPriceAsOf?: string
} & Partial<Pick<Position, 'deliverable' | 'opaque'>>

/** Key of a stored or observed price: one per symbol and date (every AM option on an underlying shares its opening). */
export function priceKey(symbol: string, date: string): string {
  return `${symbol}|${date}`
}

/** @deprecated name kept for callers of the AM openings map: same as priceKey. */
export const openingKey = priceKey

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
  return since >= 0 && since <= OPENING_WINDOW_MS ? priceKey(p.underlying, e.expiryDate) : null
}

/**
 * The settlement of an option whose expiry date is on or before `date` (the trade date whose end of
 * day is being done); null when it has not expired by then.
 */
export function settleAtExpiry(p: OptionPosition, date: string, prices: SettlementPrices = {}, rules: ExerciseRules = OCC_RULES): ExpiryResult | null {
  if (!p.option) return null
  const e = optionExpiry(p.option.expiry, p)
  if (e.expiryDate > date) return null
  const market = marketFor(p)
  let seen: {price: number; at: string; source: PriceSource} | null = null
  if (e.settlement === 'am') {
    const o = prices.openings?.[priceKey(p.underlying, e.expiryDate)]
    if (o) seen = {...o, source: 'open'}
  } else {
    const key = priceKey(p.underlying, e.expiryDate)
    const stored = prices.closes?.[key]
    const lastAt = p.underlyingPriceAsOf ?? prices.lastAt ?? null
    const window = prices.closeWindowMs ?? CLOSE_WINDOW_MS
    // A price observed counts as the close only when observed on the expiry date itself, within the window before its close (or after it).
    const atClose = (o: ObservedPrice | null | undefined): o is ObservedPrice =>
      !!o && localDate(market, new Date(o.at)) === e.expiryDate && Date.parse(o.at) >= e.lastTradeAt.getTime() - window
    const last = p.underlyingPrice !== null && lastAt !== null ? {price: p.underlyingPrice, at: lastAt} : null
    const observed = [last, prices.seen?.[key]].filter(atClose).sort((a, b) => Date.parse(b.at) - Date.parse(a.at))[0]
    if (stored) seen = {...stored, source: 'stored_close'}
    else if (observed) seen = {...observed, source: 'close'}
  }
  if (!seen) {
    const what = e.settlement === 'am' ? `the opening print of ${p.underlying} on ${e.expiryDate}` : `a close of ${p.underlying} on ${e.expiryDate}`
    return {status: 'pending', expiryDate: e.expiryDate, settlement: e.settlement, reason: 'no_settlement_price', detail: `no price of its settlement instant (${what}) was recorded or stored; pending until it is, or until the broker's records arrive`, underlyingPrice: null, expected: null}
  }
  // What it delivers (domain/deliverable.ts): XYZ1 (150 XYZ, strike 50) is worth 1.5 × max(S − 33.33, 0) per unit and
  // delivers 150 shares a contract. An unknown deliverable is never settled as 100 shares: pending until the broker says.
  const eff = effectiveOption(p)
  if (!eff) {
    return {status: 'pending', expiryDate: e.expiryDate, settlement: e.settlement, reason: 'no_settlement_price', underlyingPrice: seen.price, expected: null,
      detail: `${unknownDeliverable(p) ?? 'its deliverable cannot be priced'}; pending until the broker's records arrive`}
  }
  const raw = eff.ratio * intrinsic({right: p.option.right, spot: seen.price, strike: eff.strike})
  // Exercise by exception: in the money by less than the threshold expires (float-safe comparison in cents).
  const itm = raw > 0 && raw + 1e-9 >= rules.exerciseThreshold
  const value = itm ? raw : 0
  const physical = p.instrumentType === 'equity_option' && p.option.style === 'american' && p.currency === 'USD'
  const outcome: ExpiryOutcome = !itm ? 'expired' : !physical ? 'cash_settled' : p.quantity < 0 ? 'assigned' : 'exercised'
  if (physical && p.quantity < 0 && Math.abs(seen.price - eff.strike) <= pinBand(eff.strike, rules) + 1e-9)
    return {
      status: 'pending', expiryDate: e.expiryDate, settlement: e.settlement, reason: 'pin_risk', underlyingPrice: seen.price, expected: outcome,
      detail: `pin risk: assignment uncertain (${p.underlying} closed at ${seen.price}, within ±${round(pinBand(eff.strike, rules))} of the ${round(eff.strike)} strike); pending until the broker says`,
    }
  const stockQuantity = outcome === 'assigned' || outcome === 'exercised' ? p.quantity * p.multiplier * eff.ratio * (p.option.right === 'call' ? 1 : -1) : null
  return {
    status: 'settled',
    expiryDate: e.expiryDate,
    settlement: e.settlement,
    underlyingPrice: seen.price,
    priceSource: seen.source,
    priceAt: seen.at,
    intrinsic: value,
    outcome,
    stockQuantity,
    // A delivery carries the intrinsic value in its shares (booked at the strike): the option itself closes at 0.
    realizedPnl: p.entryPrice === null ? null : ((stockQuantity === null ? value : 0) - p.entryPrice) * p.quantity * p.multiplier,
    note: raw > 0 && !itm ? `in the money by ${round(raw)}, less than the ${rules.exerciseThreshold} exercise threshold: not exercised` : null,
  }
}

type FuturePosition = Pick<Position, 'symbol' | 'underlying' | 'instrumentType' | 'currency' | 'quantity' | 'multiplier' | 'entryPrice' | 'markPrice'> & {markAsOf?: string}

/**
 * A future whose last trading date is on or before `date` leaves the book at its final settlement
 * price: a close of the future stored for its last trading date, else its mark observed that day.
 * null when it has not expired by then (or its product's expiry rule is not known).
 */
export function settleFutureAtExpiry(p: FuturePosition, date: string, prices: SettlementPrices = {}): ExpiryResult | null {
  if (p.instrumentType !== 'future') return null
  const f = futureExpiry(p, new Date(`${date}T12:00:00Z`))
  if (!f || f.lastTradeDate > date) return null
  const stored = prices.closes?.[priceKey(p.symbol, f.lastTradeDate)]
  const lastAt = p.markAsOf ?? prices.lastAt ?? null
  const seen: {price: number; at: string; source: PriceSource} | null = stored
    ? {...stored, source: 'stored_close'}
    : p.markPrice !== null && lastAt !== null && localDate(f.market, new Date(lastAt)) === f.lastTradeDate
      ? {price: p.markPrice, at: lastAt, source: 'close'}
      : null
  if (!seen)
    return {status: 'pending', expiryDate: f.lastTradeDate, settlement: 'pm', reason: 'no_settlement_price', underlyingPrice: null, expected: null,
      detail: `no final settlement price of ${p.symbol} for ${f.lastTradeDate} was recorded or stored; pending until it is, or until the broker's records arrive`}
  return {
    status: 'settled', expiryDate: f.lastTradeDate, settlement: 'pm', underlyingPrice: seen.price, priceSource: seen.source, priceAt: seen.at, intrinsic: seen.price,
    outcome: 'cash_settled', stockQuantity: null, realizedPnl: p.entryPrice === null ? null : (seen.price - p.entryPrice) * p.quantity * p.multiplier, note: null,
  }
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6
}
