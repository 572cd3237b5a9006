/*
 * History views: one table row per portfolio per date and the base-currency total of each date, and a
 * terminal line chart of one series (asciichart) over the dates.
 */
import asciichart from 'asciichart'
import type {PnlHistoryResult, RiskHistoryResult} from '../../services/history.js'
import {bold, dim, money, num, partial, pnl, table, yellow, type Column} from '../format.js'

/**
 * A line chart of `values` over `dates` (unknown days left out), stretched to `width` columns by
 * linear interpolation between the known days, with the first and last date under it. Nothing with
 * fewer than 2 known points.
 */
export function lineChart(title: string, dates: string[], values: (number | null)[], height = 10, width = 60): string {
  const known = values.map((v, i) => ({v, d: dates[i]})).filter((x): x is {v: number; d: string} => x.v !== null)
  if (known.length < 2) return dim(`${title}: fewer than 2 days with a known value, no chart`)
  const n = known.length
  const cols = Math.max(n, width)
  const series = Array.from({length: cols}, (_, i) => {
    const x = (i * (n - 1)) / (cols - 1)
    const j = Math.min(n - 2, Math.floor(x))
    return known[j].v + (known[j + 1].v - known[j].v) * (x - j)
  })
  let min = Math.min(...series)
  let max = Math.max(...series)
  if (max - min < 1e-9 * Math.max(1, Math.abs(max))) {
    // A flat line: give asciichart a range so it sits mid-chart with readable labels.
    const pad = Math.abs(max) > 0 ? Math.abs(max) * 0.01 : 1
    min -= pad
    max += pad
  }
  const label = Math.max(money(min, 0).length, money(max, 0).length) + 1
  const chart = asciichart.plot(series, {height, min, max, format: (x: number) => money(x, 0).padStart(label)})
  const first = known[0].d
  const last = known[n - 1].d
  const axis = `${' '.repeat(label + 2)}${first}${' '.repeat(Math.max(1, cols - first.length - last.length))}${last}`
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
    // Realised: cumulative to that day's close, from the ledger (~: some pieces at today's FX rate; *: some left out)
    const realized = `${x.fxAtToday > 0 ? '~' : ''}${partial(pnl(x.realizedPnl), x.realizedMissing)}`
    const cells = [x.date, x.level === 'total' ? bold(`Total ${x.currency}`) : x.portfolio!, x.currency, partial(money(x.equity), x.equityMissing ?? x.missing), partial(pnl(x.unrealizedPnl), x.unrealizedPnlMissing ?? x.missing), partial(pnl(x.dayPnl), x.dayPnlMissing ?? x.missing), realized]
    return cells
  })
  // What Realised means (and its "~") is said under the table only while the column is shown (table.ts `note`).
  const fxNote = r.rows.some((x) => x.fxAtToday > 0)
    ? "\n~ some closed lots converted at today's config FX rate: no rate stored for their close date (cotrader prices import, a pair such as USDINR)"
    : ''
  const columns: Column[] = [
    {header: 'Date', priority: 0},
    {header: 'Portfolio', priority: 1},
    {header: 'Ccy', priority: 2},
    {header: 'Equity', align: 'right', priority: 3},
    {header: 'Open P&L', align: 'right', priority: 4},
    {header: 'Day P&L', align: 'right', priority: 5},
    {header: 'Realised', align: 'right', priority: 6, note: `Realised: cumulative realised P&L of the ledger's lots closed up to that day (cotrader pnl --realized); ? = no ledger${fxNote}`},
  ]
  const out = [table(columns, rows)]
  const single = r.rows.some((x) => x.level === 'portfolio') && new Set(r.rows.filter((x) => x.level === 'portfolio').map((x) => x.portfolio)).size === 1
  const series = r.rows.filter((x) => (single ? x.level === 'portfolio' : x.level === 'total'))
  out.push(lineChart(single ? `Equity of ${series[0].portfolio} (${series[0].currency})` : `Equity, real book (${r.baseCurrency})`, series.map((x) => x.date), series.map((x) => x.equity)))
  if (r.rows.some((x) => x.missing > 0)) out.push(dim(pnlPartialNote(r.rows)))
  if (r.research.length > 0) out.push(dim(`Totals are the real book: research portfolios (${r.research.join(', ')}) are listed, never summed in`))
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
  out.push(lineChart('Beta-weighted delta, real book (benchmark shares)', totals.map((x) => x.date), totals.map((x) => x.betaWeightedDelta)))
  if (r.rows.some((x) => x.missing > 0)) out.push(dim(partialNote(r.rows, r.noHistory.filter((n) => !r.research.includes(n)))))
  if (r.research.length > 0) out.push(dim(`Totals are the real book: research portfolios (${r.research.join(', ')}) are listed, never summed in`))
  if (r.noHistory.length > 0) out.push(dim(`No snapshots in range: ${r.noHistory.join(', ')}`))
  return out.join('\n')
}

/** The footnote of `*`, with the count of the latest partial total (portfolios left out of it: no snapshot that day, an unknown value, no FX rate). */
function partialNote(rows: {level: string; date: string; missing: number}[], noHistory: string[]): string {
  const last = rows.filter((x) => x.level === 'total' && x.missing > 0).at(-1)
  const count = last ? `; the total of ${last.date} leaves out ${last.missing} portfolio(s)${noHistory.length > 0 ? `, ${noHistory.join(', ')} without snapshots among them` : ''}` : ''
  return `${PARTIAL}${count}`
}

/** What `*` means in the history tables; each table's note adds what its latest partial total leaves out. */
const PARTIAL = '* partial: positions or portfolios with unknown values (or no snapshot that day, or no FX rate) are left out'

/** `pnl --history`'s footnote of `*`, counting per column what the latest partial total leaves out. */
function pnlPartialNote(rows: PnlHistoryResult['rows']): string {
  const last = rows.filter((x) => x.level === 'total' && x.missing > 0).at(-1)
  const parts = last ? ([['equity', last.equityMissing], ['open P&L', last.unrealizedPnlMissing], ['day P&L', last.dayPnlMissing]] as const).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`) : []
  const count = parts.length > 0 ? `; the total of ${last!.date} leaves out ${parts.join(', ')} portfolio(s)` : ''
  return `${PARTIAL}${count}`
}
