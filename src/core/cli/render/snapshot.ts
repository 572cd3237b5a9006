import type {SnapshotResult} from '../../services/snapshot.js'
import {dim, money, num, partial, pnl, table, utc, type Column} from '../format.js'

/** Column priority (0 = always shown; the largest number is dropped first when the terminal is narrow). */
export const SNAPSHOT_COLUMNS: Column[] = [
  {header: 'Portfolio', priority: 0},
  {header: 'Date', priority: 6},
  {header: 'Ccy', priority: 2},
  {header: 'Positions', align: 'right', priority: 8},
  {header: 'Equity', align: 'right', priority: 3},
  {header: 'Unrealized', align: 'right', priority: 4},
  {header: 'Day P&L', align: 'right', priority: 1},
  {header: 'Delta', align: 'right', priority: 5},
  {header: 'Theta/day', align: 'right', priority: 7},
  {header: 'Vega/pt', align: 'right', priority: 9},
  {header: 'Row', priority: 10},
]

export function renderSnapshot(r: SnapshotResult): string {
  const rows = r.portfolios.map((p) => [
    p.portfolio, p.date, p.currency, String(p.positions), money(p.equity), partial(pnl(p.unrealizedPnl), p.missing), pnl(p.dayPnl),
    partial(num(p.delta), p.missing), partial(num(p.theta), p.missing), partial(num(p.vega), p.missing), p.replaced ? 'replaced' : 'new',
  ])
  const out = [table(SNAPSHOT_COLUMNS, rows)]
  out.push(dim(`${r.positions} position rows written at ${utc(r.asOf, true)}`))
  if (r.skipped.length > 0) out.push(`never synced, no snapshot: ${r.skipped.join(', ')} (cotrader portfolios says why its sync did not run)`)
  if (r.portfolios.some((p) => p.missing > 0)) out.push(dim('* partial: positions with unknown Greeks or prices are left out'))
  return out.join('\n')
}
