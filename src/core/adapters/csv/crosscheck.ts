/*
 * Imports prove themselves: where an export carries the broker's own value or P&L for a row
 * (Fidelity Current Value / Total Gain/Loss Dollar, Kite Cur. val / P&L, TastyTrade Net Liq /
 * P/L Open), the row as we understood it (quantity × multiplier, mark, entry) must give the same
 * figure within the rounding of the cells it was printed from. A mismatch fails the row with both
 * values and the likely cause (units: lots, per-100-of-face prices, a multiplier the table lacks;
 * a flipped sign; a shifted column) instead of importing a number that is 100× wrong.
 */
import {RowError} from './table.js'

/** One of the broker's own figures, as written in the file. */
export interface BrokerFigure {
  /** the column's name as the file writes it */
  label: string
  value: number
  /** the cell's text, for its rounding */
  text: string
}

export interface CrossCheck {
  symbol: string
  /** signed quantity × multiplier: money per 1.00 of price */
  units: number
  mark: number | null
  /** the mark's cell text (its decimals bound the rounding) */
  markText: string
  entry: number | null
  /** how far entry × units can be off through rounding, money */
  entryTolerance: number
  /** futures are settled daily: their value is the open P&L, not mark × units */
  settledDaily?: boolean
  /** the broker's market value of the row */
  value?: BrokerFigure | null
  /** the broker's open P&L of the row */
  pnl?: BrokerFigure | null
}

/** Half a unit in the last decimal written: `$128.37` → 0.005, `1,063` → 0.5, `50.922` → 0.0005. */
export function halfUlp(text: string): number {
  const m = /\.(\d+)/.exec(text.replace(/[^\d.]/g, ''))
  return 0.5 * 10 ** -(m ? m[1].length : 0)
}

/** Throws a RowError naming both values and the likely cause when the row disagrees with the broker's figures. */
export function crossCheck(c: CrossCheck): void {
  if (c.mark === null) return
  const markTol = Math.abs(c.units) * halfUlp(c.markText)
  const ourPnl = c.entry === null ? null : (c.mark - c.entry) * c.units
  const ourValue = c.settledDaily ? ourPnl : c.mark * c.units
  const slack = (x: number) => 1e-9 * Math.abs(x) + 1e-9
  if (c.value && ourValue !== null) {
    const tol = markTol + halfUlp(c.value.text) + (c.settledDaily ? c.entryTolerance : 0) + slack(ourValue)
    if (Math.abs(ourValue - c.value.value) > tol) throw mismatch(c, c.value, ourValue, c.settledDaily ? '(mark − entry) × quantity × multiplier' : 'quantity × price × multiplier')
  }
  if (c.pnl && ourPnl !== null) {
    // With the broker's value known, the P&L check is one of cost: value − P&L is the cost the broker holds.
    if (c.value && !c.settledDaily) {
      const theirCost = c.value.value - c.pnl.value
      const ourCost = (c.entry as number) * c.units
      const tol = c.entryTolerance + halfUlp(c.value.text) + halfUlp(c.pnl.text) + slack(ourCost)
      if (Math.abs(ourCost - theirCost) > tol) throw mismatch(c, c.pnl, ourPnl, '(price − entry) × quantity × multiplier')
    } else {
      const tol = markTol + c.entryTolerance + halfUlp(c.pnl.text) + slack(ourPnl)
      if (Math.abs(ourPnl - c.pnl.value) > tol) throw mismatch(c, c.pnl, ourPnl, '(price − entry) × quantity × multiplier')
    }
  }
}

function mismatch(c: CrossCheck, theirs: BrokerFigure, ours: number, how: string): RowError {
  return new RowError(`${c.symbol}: ${theirs.label} is ${money(theirs.value)} in the file but ${how} gives ${money(ours)}; ${likelyCause(ours, theirs.value)}`)
}

/** What usually makes our figure differ from the broker's by this ratio. */
export function likelyCause(ours: number, theirs: number): string {
  if (Math.abs(ours) > 1e-9 && Math.abs(theirs) > 1e-9) {
    const r = theirs / ours
    const near = (x: number) => Math.abs(r - x) <= 0.02 * Math.abs(x)
    if (near(-1)) return 'the signs differ: the quantity\'s direction (long/short) or a signed price is read the wrong way'
    if (near(100)) return 'the broker\'s figure is 100× ours: the quantity is probably in lots (e.g. an MCX contract) or the multiplier is missing from the table in src/core/domain/multipliers.ts'
    if (near(0.01)) return 'ours is 100× the broker\'s: the price is probably per 100 of face value (a bond or CD) or the multiplier is wrong'
    if (r > 1.5 && Math.abs(r - Math.round(r)) <= 0.02 * r) return `the broker's figure is ${Math.round(r)}× ours: the quantity is probably in lots of ${Math.round(r)}, a multiplier the table lacks`
    if (r < 0.67 && r > 0 && Math.abs(1 / r - Math.round(1 / r)) <= 0.02 / r) return `ours is ${Math.round(1 / r)}× the broker's: the multiplier is probably wrong`
  }
  return 'a column is probably shifted or stale (check the quantity, price and cost cells of this row)'
}

function money(n: number): string {
  return n.toLocaleString('en-US', {minimumFractionDigits: 2, maximumFractionDigits: 6})
}
