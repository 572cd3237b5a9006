/*
 * History views: one table row per portfolio per date and the base-currency total of each date, and a
 * terminal line chart of one series (asciichart) over the dates.
 */
import asciichart from 'asciichart'
import type {PnlHistoryResult, RiskHistoryResult} from '../../services/history.js'
import {bold, dim, money, num, partial, pnl, table, yellow} from '../format.js'

/** A line chart of `values` (unknown days left out) with its title; nothing with fewer than 2 known points. */
export function lineChart(title: string, dates: string[], values: (number | null)[], height = 10): string {
  const known = values.map((v, i) => ({v, d: dates[i]})).filter((x): x is {v: number; d: string} => x.v !== null)
  if (known.length < 2) return dim(`${title}: fewer than 2 days with a known value, no chart`)
  const width = Math.max(...known.map((x) => money(x.v, 0).length)) + 1
  const chart = asciichart.plot(
    known.map((x) => x.v),
    {height, format: (x: number) => money(x, 0).padStart(width)},
  )
  const pad = ' '.repeat(width + 2)
  const axis = `${pad}${known[0].d}${' '.repeat(Math.max(1, known.length - known[0].d.length - known[known.length - 1].d.length))}${known[known.length - 1].d}`
  return `${bold(title)}\n${chart}\n${axis}`
}

function empty(r: PnlHistoryResult | RiskHistoryResult, what: string): string | null {
  if (r.rows.length > 0) return null
  return yellow(`No ${what} snapshots from ${r.from} to ${r.to}. Take one a day with: cotrader snapshot`)
}

export function renderPnlHistory(r: PnlHistoryResult): string {
  const none = empty(r, 'portfolio')
  if (none) return none
  const rows = r.rows.map((x) => {
    const cells = [x.date, x.level === 'total' ? bold(`Total ${x.currency}`) : x.portfolio!, x.currency, partial(money(x.equity), x.missing), partial(pnl(x.unrealizedPnl), x.missing), partial(pnl(x.dayPnl), x.missing)]
    return cells
  })
  const out = [table(['Date', 'Portfolio', 'Ccy', 'Equity', 'Open P&L', 'Day P&L'], rows, ['left', 'left', 'left', 'right', 'right', 'right'])]
  const single = r.rows.some((x) => x.level === 'portfolio') && new Set(r.rows.filter((x) => x.level === 'portfolio').map((x) => x.portfolio)).size === 1
  const series = r.rows.filter((x) => (single ? x.level === 'portfolio' : x.level === 'total'))
  out.push(lineChart(single ? `Equity of ${series[0].portfolio} (${series[0].currency})` : `Equity, all portfolios (${r.baseCurrency})`, series.map((x) => x.date), series.map((x) => x.equity)))
  if (r.rows.some((x) => x.missing > 0)) out.push(dim('* partial: positions or portfolios with unknown values (or no snapshot that day, or no FX rate) are left out'))
  if (r.noHistory.length > 0) out.push(dim(`No snapshots in range: ${r.noHistory.join(', ')}`))
  return out.join('\n')
}

export function renderRiskHistory(r: RiskHistoryResult): string {
  const none = empty(r, 'portfolio')
  if (none) return none
  const rows = r.rows.map((x) => [
    x.date, x.level === 'total' ? bold(`Total ${x.currency}`) : x.portfolio!, x.currency,
    partial(num(x.delta, 1), x.missing), partial(num(x.betaWeightedDelta, 1), x.missing), partial(num(x.theta), x.missing), partial(num(x.vega), x.missing),
  ])
  const out = [table(['Date', 'Portfolio', 'Ccy', 'Δ shares', 'βΔ', 'Θ/day', 'Vega/pt'], rows, ['left', 'left', 'left', 'right', 'right', 'right', 'right'])]
  const totals = r.rows.filter((x) => x.level === 'total')
  out.push(lineChart('Beta-weighted delta, all portfolios (benchmark shares)', totals.map((x) => x.date), totals.map((x) => x.betaWeightedDelta)))
  if (r.rows.some((x) => x.missing > 0)) out.push(dim('* partial: positions or portfolios with unknown values (or no snapshot that day, or no FX rate) are left out'))
  if (r.noHistory.length > 0) out.push(dim(`No snapshots in range: ${r.noHistory.join(', ')}`))
  return out.join('\n')
}
