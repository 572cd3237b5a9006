import type {PositionsResult} from '../../services/positions.js'
import {tradeTable} from './trades.js'
import {bold, dim, money, num, partial, pnl, qty, table, UNKNOWN, yellow, type Column} from '../format.js'

/** Column priority (0 = always shown; the largest number is dropped first when the terminal is narrow). */
export const POSITION_COLUMNS: Column[] = [
  {header: 'Portfolio', priority: 5, minWidth: 8},
  {header: 'Symbol', priority: 0},
  {header: 'Qty', align: 'right', priority: 0},
  {header: 'Entry', align: 'right', priority: 7},
  {header: 'Mark', align: 'right', priority: 4},
  {header: 'Unreal. P&L', align: 'right', priority: 1},
  {header: 'Ccy', priority: 2},
  {header: 'Δ sh', align: 'right', priority: 3},
  {header: 'Θ/day', align: 'right', priority: 6},
  {header: 'Vega/pt', align: 'right', priority: 10},
  {header: 'IV', align: 'right', priority: 9},
  {header: 'DTE', align: 'right', priority: 8},
  {header: 'Greeks', priority: 11},
]

/** The mark with what it is when it is not a live one. */
function markCell(mark: number | null, source: string | null): string {
  const label = source === 'previous_close' ? ' *' : source === 'model' ? ' (model)' : source === 'intrinsic' ? ' (intr.)' : ''
  return money(mark) + label
}

export function renderPositions(r: PositionsResult): string {
  const out: string[] = []
  if (r.valuedAt !== r.asOf) out.push(bold(`Valued as of ${r.valuedAt.slice(0, 16).replace('T', ' ')}Z (time decay and expiries to then; today's prices)`))
  if (r.positions.length === 0) out.push('No positions.')
  else {
    const rows = r.positions.map((p) => [
      p.portfolio,
      p.symbol,
      qty(p.quantity),
      money(p.entryPrice),
      markCell(p.markPrice, p.markSource),
      pnl(p.unrealizedPnl),
      p.currency,
      num(p.delta, 2),
      num(p.theta, 2),
      num(p.vega, 2),
      p.iv === null ? UNKNOWN : `${num(p.iv * 100, 1)}%`,
      p.expired ? 'expired' : p.dte === null ? '' : String(p.dte),
      p.greeksSource,
    ])
    out.push(table(POSITION_COLUMNS, rows))
    for (const t of r.totals)
      out.push(`Total ${t.currency}: market value ${partial(money(t.marketValue), t.missing)}, unrealized P&L ${partial(pnl(t.unrealizedPnl), t.missing)}`)
    out.push(`Total in ${r.baseCurrency}: unrealized P&L ${partial(pnl(r.unrealizedPnlBase), r.unrealizedPnlBaseMissing)}${r.agentTrades.length > 0 ? ' (paper trades included)' : ''}`)
    for (const t of r.researchTotals)
      out.push(dim(`Research portfolios, not in the totals, ${t.currency}: market value ${partial(money(t.marketValue), t.missing)}, unrealized P&L ${partial(pnl(t.unrealizedPnl), t.missing)}`))
    if (r.unrealizedPnlBaseMissing > 0) out.push(dim('* sum of known values; positions with an unknown price or no FX rate to the base currency are left out'))
    const expired = r.positions.filter((p) => p.expired).length
    if (expired > 0) out.push(yellow(`${expired} expired position(s) (past settlement, shown at their last mark) left out of the totals and Greeks; the next sync removes them`))
    if (r.positions.some((p) => p.markSource === 'previous_close')) out.push(dim('* mark = the previous close (no live mark yet, e.g. after hours)'))
    const unknown = r.positions.filter((p) => p.greeksSource === 'none' && !p.expired)
    for (const p of unknown) out.push(yellow(`${p.portfolio} ${p.symbol}: Greeks unknown: ${p.greeksNote ?? 'no reason recorded'}`))
  }
  if (r.agentTrades.length > 0) out.push(bold('Agent trades (booked on approval)'), tradeTable(r.agentTrades))
  if (r.whatIf.length > 0) out.push(bold('What-if trades'), tradeTable(r.whatIf))
  if (r.notSynced.length > 0) out.push(dim(`Never synced: ${r.notSynced.join(', ')} (run: cotrader sync)`))
  return out.join('\n')
}
