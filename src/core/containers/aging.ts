/*
 * Time ages the stored book. Positions come out of the store as of their last sync; at read time
 * (`asOf`, now or the --as-of instant) an option or future past its settlement instant is no
 * longer a live position: it is split off as expired, keeps its last mark, and has no Greeks, so
 * it drops out of Greeks, capital in use and limit checks even before the next sync removes it.
 * With `revalue` (--as-of) the live options are re-priced at `asOf` from today's underlying price
 * and implied volatility: time decay and Greeks at that instant, marks labelled `model`.
 */
import {futureExpiry, optionExpiry, type Settlement} from '../domain/calendar/expiry.js'
import {modelFor, type ModelMarket} from '../domain/greeks.js'
import type {Position} from '../domain/types.js'
import {intrinsic, priceGreeks} from '../pricing/index.js'
import {effectiveOption} from '../domain/deliverable.js'

export interface PositionExpiry {
  /** exchange-local expiry / last trading date */
  date: string
  /** the instant the contract settles (after it: expired) */
  settlesAt: Date
  /** options only */
  settlement: Settlement | null
}

/** When an option or future stops being live; null for stock, funds, crypto and futures whose rule is unknown. */
export function positionExpiry(p: Position, asOf: Date): PositionExpiry | null {
  if (p.option) {
    const e = optionExpiry(p.option.expiry, p)
    return {date: e.expiryDate, settlesAt: e.settlesAt, settlement: e.settlement}
  }
  if (p.instrumentType === 'future') {
    const e = futureExpiry(p, asOf)
    return e ? {date: e.lastTradeDate, settlesAt: e.settlesAt, settlement: null} : null
  }
  return null
}

export interface Aging {
  asOf: Date
  /** re-price live options at asOf (the --as-of valuation) */
  revalue: boolean
  /** rate and dividend yield for a position's model */
  market: (p: Position) => ModelMarket
}

/** Splits positions into live ones (re-priced when asked) and expired ones (no Greeks, last mark kept). */
export function agePositions(positions: Position[], a: Aging): {live: Position[]; expired: Position[]} {
  const live: Position[] = []
  const expired: Position[] = []
  for (const p of positions) {
    const e = positionExpiry(p, a.asOf)
    if (e && e.settlesAt.getTime() <= a.asOf.getTime()) expired.push(expire(p, e, a))
    else live.push(a.revalue ? revalue(p, a) : p)
  }
  return {live, expired}
}

function expire(p: Position, e: PositionExpiry, a: Aging): Position {
  const note = `expired: ${e.settlement === 'am' ? 'AM-settled' : 'settled'} ${e.settlesAt.toISOString().slice(0, 16).replace('T', ' ')}Z`
  const out: Position = {...p, expired: true, greeks: null, greeksSource: 'none', greeksNote: note}
  // Valued at another instant, an option that has expired by then is worth its intrinsic value at today's underlying.
  const eff = effectiveOption(p)
  if (a.revalue && p.option && p.underlyingPrice !== null && eff) {
    // On what it delivers: XYZ1 (150 XYZ, strike 50) is worth 1.5 × max(S − 33.33, 0) per unit.
    out.markPrice = eff.ratio * intrinsic({right: p.option.right, spot: p.underlyingPrice, strike: eff.strike})
    out.markSource = 'intrinsic'
    out.markAsOf = a.asOf.toISOString()
  }
  return out
}

/** A live option re-priced at asOf with today's underlying price and IV; other positions as they are. */
function revalue(p: Position, a: Aging): Position {
  // An adjusted option whose deliverable is unknown is not re-priced (never as 100 shares): it keeps its stored values.
  const eff = effectiveOption(p)
  if (!p.option || p.iv === null || p.underlyingPrice === null || !eff) return p
  const years = (optionExpiry(p.option.expiry, p).settlesAt.getTime() - a.asOf.getTime()) / (365 * 86_400_000)
  const m = a.market(p)
  const g = priceGreeks(
    {right: p.option.right, spot: p.underlyingPrice, strike: eff.strike, years, rate: m.rate, dividend: p.instrumentType === 'future_option' ? 0 : m.dividend, vol: p.iv},
    modelFor(p),
  )
  const r = eff.ratio
  const {greeksSources: _mixed, ...rest} = p
  return {
    ...rest,
    markPrice: g.price * r,
    markSource: 'model',
    markAsOf: a.asOf.toISOString(),
    greeks: {delta: g.delta * r, gamma: g.gamma * r, theta: g.theta * r, vega: g.vega * r, rho: g.rho * r},
    greeksSource: 'model',
    greeksNote: undefined,
  }
}
