/*
 * P&L attribution: the change in a position's value between two valuations, split by the Greeks of
 * the first one (a second-order Taylor expansion in the underlying, first order in time, vol and
 * rate):
 *   delta  Δ·dS          gamma  ½·Γ·dS²          theta  Θ·dt (calendar days)
 *   vega   ν·dσ (vol points)                      rho    ρ·dr (rate points, only when the rate moved)
 *   residual = actual P&L − the sum (cross terms, higher orders, marks off the model).
 * Every term is money for the position (per-unit Greek × signed quantity × multiplier), in the
 * position's currency. Greeks use types.ts units: Δ, Γ per 1.00 of the underlying; Θ per calendar
 * day; ν per vol point (σ + 0.01); ρ per rate point (r + 0.01). Pure.
 */
import type {UnitGreeks} from './types.js'

export interface Valuation {
  /** instant of the valuation */
  at: Date
  /** mark per unit */
  price: number | null
  /** underlying price per unit */
  underlyingPrice: number | null
  /** implied vol as a fraction (options); null = unknown */
  iv: number | null
  /** continuously compounded rate; null/absent = the same at both ends (no rho term) */
  rate?: number | null
}

export interface AttributionInput {
  quantity: number
  multiplier: number
  /** true for stock, funds, futures: delta 1, no other Greek, no vol needed */
  linear: boolean
  /** per-unit Greeks at the start valuation (options); ignored for linear instruments */
  greeks: UnitGreeks | null
  start: Valuation
  end: Valuation
}

export interface Attribution {
  /** actual P&L: (end price − start price) × quantity × multiplier, money */
  pnl: number
  delta: number
  gamma: number
  theta: number
  vega: number
  /** 0 when the rate did not move (or is not known at both ends) */
  rho: number
  /** Σ of the five terms, money */
  explained: number
  /** pnl − explained, money */
  residual: number
  /** explained ÷ pnl (1 = fully explained); null when the P&L is 0 */
  explainedShare: number | null
  /** calendar days between the valuations */
  days: number
}

export type AttributionOutcome = {ok: Attribution} | {unknown: string}

const DAY_MS = 86_400_000

export function attribute(i: AttributionInput): AttributionOutcome {
  const {start: a, end: b} = i
  if (a.price === null || b.price === null) return {unknown: `no mark at the ${a.price === null ? 'start' : 'end'}`}
  const size = i.quantity * i.multiplier
  const days = (b.at.getTime() - a.at.getTime()) / DAY_MS
  const pnl = (b.price - a.price) * size
  const g: UnitGreeks | null = i.linear ? {delta: 1, gamma: 0, theta: 0, vega: 0, rho: 0} : i.greeks
  if (!g) return {unknown: 'Greeks unknown at the start'}
  // A linear instrument held outright is its own underlying when no separate underlying price is known.
  const s0 = a.underlyingPrice ?? (i.linear ? a.price : null)
  const s1 = b.underlyingPrice ?? (i.linear ? b.price : null)
  if (s0 === null || s1 === null) return {unknown: `no underlying price at the ${s0 === null ? 'start' : 'end'}`}
  const dS = s1 - s0
  let dVolPts = 0
  if (!i.linear) {
    if (a.iv === null || b.iv === null) return {unknown: `no implied volatility at the ${a.iv === null ? 'start' : 'end'}`}
    dVolPts = (b.iv - a.iv) * 100
  }
  const dRatePts = a.rate !== undefined && a.rate !== null && b.rate !== undefined && b.rate !== null ? (b.rate - a.rate) * 100 : 0
  const t = {
    delta: g.delta * dS * size,
    gamma: 0.5 * g.gamma * dS * dS * size,
    theta: g.theta * days * size,
    vega: g.vega * dVolPts * size,
    rho: g.rho * dRatePts * size,
  }
  const explained = t.delta + t.gamma + t.theta + t.vega + t.rho
  return {ok: {pnl, ...t, explained, residual: pnl - explained, explainedShare: pnl === 0 ? null : explained / pnl, days}}
}
