import type {AttributionLine, AttributionResult} from '../../services/attribution.js'
import {bold, dim, num, partial, pct, pnl, portfolioColumn, shortSymbol, table, yellow, type Column} from '../format.js'

const HEAD = ['P&L', 'Δ·dS', '½Γ·dS²', 'Θ·dt', 'ν·dσ', 'ρ·dr', 'Residual', 'Explained']
const cells = (l: Pick<AttributionLine, 'pnl' | 'delta' | 'gamma' | 'theta' | 'vega' | 'rho' | 'residual' | 'explainedShare' | 'missing'>) => [
  partial(pnl(l.pnl), l.missing), pnl(l.delta), pnl(l.gamma), pnl(l.theta), pnl(l.vega), pnl(l.rho), pnl(l.residual),
  l.explainedShare === null ? '' : pct(l.explainedShare * 100, 0),
]
// The P&L, then its largest usual terms (Δ, Θ, Γ, vega), then the rest.
const TERMS: Column[] = HEAD.map((header, i) => ({header, align: 'right', priority: [0, 1, 3, 2, 4, 7, 5, 6][i]}))
const KEY = (header: string): Column => ({header, priority: 0, minWidth: 18, shorten: shortSymbol})

export function renderAttribution(r: AttributionResult): string {
  const out: string[] = [bold(`P&L attribution since ${r.since}`)]
  // Ccy with the money it qualifies (a book of INR and USD positions), like the tables below
  out.push(table([portfolioColumn(9), KEY('Symbol'), {header: 'Days', align: 'right', priority: 8}, {header: 'Ccy', priority: 1}, ...TERMS], r.positions.map((l) => [l.portfolio, l.symbol ?? '', l.days === null ? '' : num(l.days, 2), l.currency, ...cells(l)])))
  out.push(bold('By underlying'))
  out.push(table([portfolioColumn(9), KEY('Underlying'), {header: 'Ccy', priority: 1}, ...TERMS], r.underlyings.map((l) => [l.portfolio, l.underlying ?? '', l.currency, ...cells(l)])))
  out.push(bold('By portfolio'))
  out.push(table([{header: 'Portfolio', priority: 0}, {header: 'Ccy', priority: 1}, ...TERMS], r.portfolios.map((l) => [l.portfolio, l.currency, ...cells(l)])))
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
