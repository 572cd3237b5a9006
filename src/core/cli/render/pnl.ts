import type {PnlLine, PnlResult} from '../../services/pnl.js'
import {bold, dim, partial, pnl, table} from '../format.js'

export function renderPnl(r: PnlResult): string {
  const out: string[] = []
  const base = `P&L ${r.baseCurrency}`
  const day = `Day ${r.baseCurrency}`
  const cells = (l: PnlLine) => [partial(pnl(l.unrealizedPnl), l.missing), partial(pnl(l.dayPnl), l.dayPnlMissing), l.currency, partial(pnl(l.unrealizedPnlBase), l.missing), partial(pnl(l.dayPnlBase), l.dayPnlMissing)]
  const right = ['right', 'right', 'left', 'right', 'right'] as const
  out.push(bold('By position'))
  out.push(table(['Portfolio', 'Symbol', 'Source', 'Unreal. P&L', 'Day P&L', 'Ccy', base, day], r.positions.map((l) => [l.portfolio, l.symbol ?? '', l.source, ...cells(l)]), ['left', 'left', 'left', ...right]))
  out.push(bold('By underlying'))
  out.push(table(['Portfolio', 'Underlying', 'Unreal. P&L', 'Day P&L', 'Ccy', base, day], r.underlyings.map((l) => [l.portfolio, l.underlying ?? '', ...cells(l)]), ['left', 'left', ...right]))
  out.push(bold('By portfolio'))
  out.push(table(['Portfolio', 'Unreal. P&L', 'Day P&L', 'Ccy', base, day], r.portfolios.map((l) => [l.portfolio, ...cells(l)]), ['left', ...right]))
  for (const c of r.byCurrency) out.push(`Total ${c.currency}: ${partial(pnl(c.unrealizedPnl), c.missing)}, day ${partial(pnl(c.dayPnl), c.dayPnlMissing)}`)
  out.push(bold(`Total in ${r.baseCurrency}: ${partial(pnl(r.totalBase), r.totalBaseMissing)}, day ${partial(pnl(r.dayPnlBase), r.dayPnlBaseMissing)}`))
  if (r.dayPnlBaseMissing > 0) out.push(dim(`* day P&L unknown for ${r.dayPnlBaseMissing} position(s): no previous close (no broker close price and no earlier snapshot; run cotrader snapshot daily)`))
  if (r.totalBaseMissing > 0 || r.positions.some((l) => l.missing > 0)) out.push(dim('* positions with an unknown entry or mark price, or no FX rate to the base currency, are left out of the sums'))
  for (const w of r.whatif ?? []) out.push(`With what-if trades, ${w.portfolio}: ${partial(pnl(w.before), w.missing)} → ${partial(pnl(w.after), w.missing)} ${w.currency}`)
  if (r.notSynced.length > 0) out.push(dim(`Never synced: ${r.notSynced.join(', ')} (run: cotrader sync)`))
  return out.join('\n')
}
