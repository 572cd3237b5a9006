import type {PositionsResult} from '../../services/positions.js'
import {tradeTable} from './trades.js'
import {bold, dim, money, num, partial, pnl, qty, table, UNKNOWN, yellow} from '../format.js'

export function renderPositions(r: PositionsResult): string {
  const out: string[] = []
  if (r.positions.length === 0) out.push('No positions.')
  else {
    const rows = r.positions.map((p) => [
      p.portfolio,
      p.symbol,
      qty(p.quantity),
      money(p.entryPrice),
      money(p.markPrice),
      pnl(p.unrealizedPnl),
      p.currency,
      num(p.delta, 2),
      num(p.theta, 2),
      num(p.vega, 2),
      p.iv === null ? UNKNOWN : `${num(p.iv * 100, 1)}%`,
      p.dte === null ? '' : String(p.dte),
      p.greeksSource,
    ])
    out.push(table(['Portfolio', 'Symbol', 'Qty', 'Entry', 'Mark', 'Unreal. P&L', 'Ccy', 'Δ sh', 'Θ/day', 'Vega/pt', 'IV', 'DTE', 'Greeks'], rows, ['left', 'left', 'right', 'right', 'right', 'right', 'left', 'right', 'right', 'right', 'right', 'right', 'left']))
    for (const t of r.totals)
      out.push(`Total ${t.currency}: market value ${partial(money(t.marketValue), t.missing)}, unrealized P&L ${partial(pnl(t.unrealizedPnl), t.missing)}`)
    out.push(`Total in ${r.baseCurrency}: unrealized P&L ${partial(pnl(r.unrealizedPnlBase), r.unrealizedPnlBaseMissing)}${r.agentTrades.length > 0 ? ' (paper trades included)' : ''}`)
    for (const t of r.researchTotals)
      out.push(dim(`Research portfolios, not in the totals, ${t.currency}: market value ${partial(money(t.marketValue), t.missing)}, unrealized P&L ${partial(pnl(t.unrealizedPnl), t.missing)}`))
    if (r.unrealizedPnlBaseMissing > 0) out.push(dim('* sum of known values; positions with an unknown price or no FX rate to the base currency are left out'))
    const unknown = r.positions.filter((p) => p.greeksSource === 'none')
    for (const p of unknown) out.push(yellow(`${p.portfolio} ${p.symbol}: Greeks unknown: ${p.greeksNote ?? 'no reason recorded'}`))
  }
  if (r.agentTrades.length > 0) out.push(bold('Agent trades (booked on approval)'), tradeTable(r.agentTrades))
  if (r.whatIf.length > 0) out.push(bold('What-if trades'), tradeTable(r.whatIf))
  if (r.notSynced.length > 0) out.push(dim(`Never synced: ${r.notSynced.join(', ')} (run: cotrader sync)`))
  return out.join('\n')
}
