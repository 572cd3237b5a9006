import type {PnlLine, PnlResult} from '../../services/pnl.js'
import {bold, dim, partial, pnl, table} from '../format.js'

export function renderPnl(r: PnlResult): string {
  const out: string[] = []
  const base = `P&L ${r.baseCurrency}`
  const cells = (l: PnlLine) => [partial(pnl(l.unrealizedPnl), l.missing), l.currency, partial(pnl(l.unrealizedPnlBase), l.missing)]
  out.push(bold('By position'))
  out.push(table(['Portfolio', 'Symbol', 'Source', 'Unreal. P&L', 'Ccy', base], r.positions.map((l) => [l.portfolio, l.symbol ?? '', l.source, ...cells(l)]), ['left', 'left', 'left', 'right', 'left', 'right']))
  out.push(bold('By underlying'))
  out.push(table(['Portfolio', 'Underlying', 'Unreal. P&L', 'Ccy', base], r.underlyings.map((l) => [l.portfolio, l.underlying ?? '', ...cells(l)]), ['left', 'left', 'right', 'left', 'right']))
  out.push(bold('By portfolio'))
  out.push(table(['Portfolio', 'Unreal. P&L', 'Ccy', base], r.portfolios.map((l) => [l.portfolio, ...cells(l)]), ['left', 'right', 'left', 'right']))
  for (const c of r.byCurrency) out.push(`Total ${c.currency}: ${partial(pnl(c.unrealizedPnl), c.missing)}`)
  out.push(bold(`Total in ${r.baseCurrency}: ${partial(pnl(r.totalBase), r.totalBaseMissing)}`) + (r.research.portfolios.length > 0 ? dim('  (real book; research below)') : ''))
  if (r.research.portfolios.length > 0) out.push(`Research (${r.research.portfolios.join(', ')}), not in the totals: ${partial(pnl(r.research.totalBase), r.research.missing)} ${r.baseCurrency}`)
  if (r.totalBaseMissing > 0 || r.positions.some((l) => l.missing > 0)) out.push(dim('* positions with an unknown entry or mark price, or no FX rate to the base currency, are left out of the sums'))
  for (const w of r.whatif ?? []) out.push(`With what-if trades, ${w.portfolio}: ${partial(pnl(w.before), w.missing)} → ${partial(pnl(w.after), w.missing)} ${w.currency}`)
  if (r.notSynced.length > 0) out.push(dim(`Never synced: ${r.notSynced.join(', ')} (run: cotrader sync)`))
  return out.join('\n')
}
