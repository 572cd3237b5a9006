import type {SnapshotResult} from '../../services/snapshot.js'
import {dim, money, num, partial, pnl, table} from '../format.js'

export function renderSnapshot(r: SnapshotResult): string {
  const rows = r.portfolios.map((p) => [
    p.portfolio, p.date, p.currency, String(p.positions), money(p.equity), partial(pnl(p.unrealizedPnl), p.missing), pnl(p.dayPnl),
    partial(num(p.delta), p.missing), partial(num(p.theta), p.missing), partial(num(p.vega), p.missing), p.replaced ? 'replaced' : 'new',
  ])
  const out = [table(['Portfolio', 'Date', 'Ccy', 'Positions', 'Equity', 'Unrealized', 'Day P&L', 'Delta', 'Theta/day', 'Vega/pt', 'Row'], rows,
    ['left', 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left'])]
  out.push(dim(`${r.positions} position rows written at ${r.asOf}`))
  if (r.skipped.length > 0) out.push(`not synced yet, no snapshot: ${r.skipped.join(', ')} (run cotrader sync)`)
  if (r.portfolios.some((p) => p.missing > 0)) out.push(dim('* partial: positions with unknown Greeks or prices are left out'))
  return out.join('\n')
}
