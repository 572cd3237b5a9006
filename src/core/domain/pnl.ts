/*
 * Unrealized P&L and market value of one position. Money in the position's currency.
 * Unknown inputs give null, never 0.
 */
import type {Position} from './types.js'

type Priced = Pick<Position, 'quantity' | 'multiplier' | 'entryPrice' | 'markPrice'>

/** (mark − entry) × signed quantity × multiplier. */
export function unrealizedPnl(p: Priced): number | null {
  if (p.markPrice === null || p.entryPrice === null) return null
  return (p.markPrice - p.entryPrice) * p.quantity * p.multiplier
}

/** mark × signed quantity × multiplier: negative for shorts (what it would cost to close). */
export function marketValue(p: Pick<Position, 'quantity' | 'multiplier' | 'markPrice'>): number | null {
  if (p.markPrice === null) return null
  return p.markPrice * p.quantity * p.multiplier
}
