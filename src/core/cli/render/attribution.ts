import type {AttributionLine, AttributionResult} from '../../services/attribution.js'
import {bold, dim, num, partial, pct, pnl, table, yellow} from '../format.js'

const HEAD = ['P&L', 'Δ·dS', '½Γ·dS²', 'Θ·dt', 'ν·dσ', 'ρ·dr', 'Residual', 'Explained']
const cells = (l: Pick<AttributionLine, 'pnl' | 'delta' | 'gamma' | 'theta' | 'vega' | 'rho' | 'residual' | 'explainedShare' | 'missing'>) => [
  partial(pnl(l.pnl), l.missing), pnl(l.delta), pnl(l.gamma), pnl(l.theta), pnl(l.vega), pnl(l.rho), pnl(l.residual),
  l.explainedShare === null ? '' : pct(l.explainedShare * 100, 0),
]
const right = HEAD.map(() => 'right' as const)

export function renderAttribution(r: AttributionResult): string {
  const out: string[] = [bold(`P&L attribution since ${r.since}`)]
  out.push(table(['Portfolio', 'Symbol', 'Days', ...HEAD], r.positions.map((l) => [l.portfolio, l.symbol ?? '', l.days === null ? '' : num(l.days, 2), ...cells(l)]), ['left', 'left', 'right', ...right]))
  out.push(bold('By underlying'))
  out.push(table(['Portfolio', 'Underlying', 'Ccy', ...HEAD], r.underlyings.map((l) => [l.portfolio, l.underlying ?? '', l.currency, ...cells(l)]), ['left', 'left', 'left', ...right]))
  out.push(bold('By portfolio'))
  out.push(table(['Portfolio', 'Ccy', ...HEAD], r.portfolios.map((l) => [l.portfolio, l.currency, ...cells(l)]), ['left', 'left', ...right]))
  const t = r.total
  out.push(bold(`Total in ${r.baseCurrency}: `) + `P&L ${partial(pnl(t.pnl), t.missing)} = Δ ${pnl(t.delta)} + Γ ${pnl(t.gamma)} + Θ ${pnl(t.theta)} + vega ${pnl(t.vega)} + ρ ${pnl(t.rho)} + residual ${pnl(t.residual)}` +
    (t.explainedShare === null ? '' : `; explained ${pct(t.explainedShare * 100, 0)}`))
  const left = r.positions.filter((l) => l.missing > 0)
  if (left.length > 0) out.push(dim(`* ${left.length} position(s) left out:`), ...left.slice(0, 20).map((l) => yellow(`  ${l.portfolio} ${l.symbol}: ${l.note}`)))
  if (left.length > 20) out.push(dim(`  … and ${left.length - 20} more (see --json)`))
  for (const l of r.positions) if (l.missing === 0 && l.note) out.push(dim(`  ${l.portfolio} ${l.symbol}: ${l.note}`))
  out.push(dim('Terms from the Greeks at the start: Δ, Γ per 1.00 of the underlying, Θ per calendar day, ν per vol point, ρ per rate point (rates are not in the history: ρ·dr is 0).'))
  return out.join('\n')
}
