import type {GreeksResult} from '../../services/greeks.js'
import {num, table, type Column} from '../format.js'

/** Column priority: the unit is cut, then dropped, when the terminal is narrow. */
export const GREEKS_COLUMNS: Column[] = [
  {header: '', priority: 0},
  {header: 'value', align: 'right', priority: 0},
  {header: 'unit', priority: 1, minWidth: 10},
]

export function renderGreeks(r: GreeksResult): string {
  // thousands separators like every other number (an index option's price: 1,234.567000); -0 prints as 0
  const f = (v: number, d = 6) => num(v, d)
  return table(
    GREEKS_COLUMNS,
    [
      ['model', `${r.model} ${r.style}${r.engine ? ` (${r.engine})` : ''} ${r.right}`, ''],
      ['price', f(r.price), 'per unit'],
      ['iv', r.iv === null ? 'none' : f(r.iv), r.iv === null ? 'at intrinsic: exercise now (delta ±1)' : 'σ per year, fraction'],
      ['delta', f(r.delta), 'per 1.00 of underlying'],
      ['gamma', f(r.gamma, 7), 'per 1.00 of underlying'],
      ['theta', f(r.theta), 'per calendar day'],
      ['vega', f(r.vega), 'per vol point (σ + 0.01)'],
      ['rho', f(r.rho), 'per rate point (r + 0.01)'],
      ['years', f(r.years), 'calendar days / 365'],
    ],
  )
}
