/*
 * What an option contract delivers, for every valuation that re-prices a stored or new position
 * (sync model Greeks, stress and VaR legs, --as-of revaluation, capital at risk, what-if legs).
 * A contract delivering `shares` of the underlying plus `cash` (per contract, against strike ×
 * multiplier) is `ratio` = shares ÷ multiplier options per unit on the shares at the effective strike
 * (K − cash ÷ multiplier) ÷ ratio: XYZ1 after a 3-for-2 split (150 XYZ, strike 50) is 1.5 options on
 * XYZ at 33.33 per unit. An adjusted option whose deliverable is not known (a digit in a US root, or
 * a deliverable cotrader cannot price) has no such reading: it is never valued as 100 shares. Pure.
 */
import type {Position} from './types.js'

export interface EffectiveOption {
  /** shares of the underlying per unit of the option (1 for a standard contract) */
  ratio: number
  /** cash delivered per unit, in the option's currency */
  cash: number
  /** strike per share of the underlying: (K − cash) ÷ ratio */
  strike: number
}

type Deliverable = Pick<Position, 'deliverable' | 'multiplier' | 'opaque' | 'instrumentType' | 'currency' | 'symbol'> & {option?: {strike: number}}

/** Why this option cannot be valued on a known deliverable; null when it can (or is not an option). */
export function unknownDeliverable(p: Deliverable): string | null {
  if (!p.option) return null
  if (p.opaque) return p.opaque
  const root = p.symbol.split(' ')[0]
  if (!p.deliverable && p.instrumentType === 'equity_option' && p.currency === 'USD' && /\d/.test(root)) {
    return `${root} is an adjusted option (a digit in its root) and its deliverable is unknown; add it under "deliverables:" in the config (root: {shares, underlying, cash}) — it is not priced as 100 shares`
  }
  return null
}

/** The option as the model prices it per unit (see the top of this file); null when its deliverable is unknown or cannot be priced. */
export function effectiveOption(p: Deliverable): EffectiveOption | null {
  if (!p.option || unknownDeliverable(p) !== null) return null
  if (!p.deliverable || !(p.multiplier > 0)) return {ratio: 1, cash: 0, strike: p.option.strike}
  const ratio = p.deliverable.shares / p.multiplier
  const cash = p.deliverable.cash / p.multiplier
  const strike = (p.option.strike - cash) / ratio
  return ratio > 0 && strike > 0 ? {ratio, cash, strike} : null
}
