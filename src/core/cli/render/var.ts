/*
 * VaR/ES lines of the risk view and the stress heat map of `risk --stress`.
 */
import type {PortfolioStress} from '../../services/stress.js'
import type {PortfolioVar} from '../../services/var.js'
import {bold, colorEnabled, dim, money, pnl, table, yellow, type Column} from '../format.js'

const pctLevel = (l: number) => `${Number((l * 100).toFixed(2))}%`
const when = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`

export function renderVar(list: PortfolioVar[]): string {
  if (list.length === 0) return ''
  const out: string[] = [bold('Value at risk and expected shortfall (loss over the horizon, portfolio currency)')]
  for (const v of list) {
    const head = `${v.portfolio} (${v.currency})  computed ${when(v.computedAt)}${v.recomputed ? ' (now)' : ''}`
    const worst = v.worstStress ? `  worst stress cell ${pnl(v.worstStress.pnl)} at ${v.worstStress.label}` : ''
    if (v.status !== 'ok') {
      out.push(`${head}  ${v.status === 'no-positions' ? dim(v.message ?? 'no positions') : yellow(v.message ?? v.status)}${worst}`)
      continue
    }
    const levels = [...new Set(v.figures.map((f) => f.level))]
    const methods = [...new Set(v.figures.map((f) => f.method))]
    const rows = methods.map((m) => {
      const cells = levels.flatMap((l) => {
        const f = v.figures.find((x) => x.method === m && x.level === l)
        return [money(f?.var, 0), f?.es === null ? '—' : money(f?.es, 0)]
      })
      return [`${m} (${v.figures.find((x) => x.method === m)!.horizonDays}d)`, ...cells]
    })
    out.push(head + worst)
    out.push(table(['Method', ...levels.flatMap((l) => [`VaR ${pctLevel(l)}`, `ES ${pctLevel(l)}`])], rows))
    const scen = [v.scenarios.historical !== null ? `${v.scenarios.historical} historical` : '', v.scenarios.monteCarlo !== null ? `${v.scenarios.monteCarlo} Monte Carlo` : ''].filter(Boolean).join(', ')
    out.push(dim(`  ${v.positions} position(s) valued; history ${v.history.days} days${v.history.from ? ` from ${v.history.from} to ${v.history.to}` : ''}${scen ? `; scenarios: ${scen}` : ''}${v.history.withIv.length ? `; IV history: ${v.history.withIv.join(', ')}` : ''}`))
    if (v.missing > 0) out.push(yellow(`  * ${v.missing} position(s) without a price or implied vol left out: ${v.missingSymbols.slice(0, 5).join(', ')}${v.missing > 5 ? ', …' : ''}`))
  }
  return out.join('\n')
}

/** Background shade by loss/gain relative to the largest |P&L| of the grid; colour only on a TTY. */
function heat(text: string, x: number, scale: number): string {
  if (!colorEnabled || scale <= 0) return text
  const t = Math.min(1, Math.abs(x) / scale)
  const code = x < 0 ? (t > 0.66 ? 41 : t > 0.33 ? 101 : 0) : t > 0.33 ? 42 : 0
  return code ? `\u001B[${code}m${text}\u001B[0m` : text
}

function grid(rowLabels: string[], volShifts: number[], cells: number[][], worst: {moveIndex: number; volIndex: number} | null): string {
  const scale = Math.max(0, ...cells.flat().map(Math.abs))
  const rows = cells.map((row, p) => [
    rowLabels[p],
    ...row.map((x, v) => {
      const s = money(x, 0) + (worst && worst.moveIndex === p && worst.volIndex === v ? '◀' : '')
      return heat(s, x, scale)
    }),
  ])
  // On a narrow terminal the grid thins out evenly (every other vol shift goes, the ends and 0 stay)
  // rather than losing its right-hand side.
  const center = volShifts.indexOf(0) >= 0 ? volShifts.indexOf(0) : Math.floor(volShifts.length / 2)
  const priority = (j: number) => (j === center || j === 0 || j === volShifts.length - 1 ? 1 : Math.abs(j - center) % 2 === 0 ? 2 : 3)
  const columns: Column[] = [{header: 'move \\ vol', priority: 0}, ...volShifts.map((v, j) => ({header: `${v > 0 ? '+' : ''}${v}`, align: 'right' as const, priority: priority(j), group: 'vol'}))]
  return table(columns, rows)
}

const pctText = (x: number) => `${x > 0 ? '+' : ''}${Number(x.toFixed(2))}%`

export function renderStress(list: PortfolioStress[]): string {
  const out: string[] = [bold('Stress grid: P&L under price moves (rows) × implied-vol shifts in vol points (columns), full revaluation, portfolio currency')]
  for (const s of list) {
    out.push(bold(`${s.portfolio} (${s.currency})`))
    if (s.worst === null) {
      out.push(dim(s.missing > 0 ? `  nothing could be valued (${s.missing} position(s) without a price or implied vol)` : '  no positions'))
      continue
    }
    for (const u of s.underlyings) {
      out.push(`  ${u.underlying} (${u.range === 'index' ? 'broad index' : 'single stock'} range)`)
      out.push(grid(u.moves.map(pctText), s.volShifts, u.pnl, u.worst))
    }
    if (s.underlyings.length > 1) {
      out.push('  Portfolio (each underlying at its own scan point)')
      const labels = s.total.map((_, p) => s.underlyings.map((u) => pctText(u.moves[p])).filter((x, i, a) => a.indexOf(x) === i).join(' / '))
      out.push(grid(labels, s.volShifts, s.total, s.worst))
    }
    out.push(`  worst cell: ${pnl(s.worst.pnl)} at ${s.worst.label}`)
    if (s.missing > 0) out.push(yellow(`  * ${s.missing} position(s) without a price or implied vol left out: ${s.missingSymbols.slice(0, 5).join(', ')}${s.missing > 5 ? ', …' : ''}`))
  }
  return out.join('\n')
}

/** CSV rows of the stress grids: one per portfolio × underlying ('*' = the portfolio) × move × vol shift. */
export interface StressCsvRow {
  portfolio: string
  underlying: string
  currency: string
  scanIndex: number
  /** percent; empty for the portfolio row (each underlying moves by its own range) */
  movePct: number | null
  /** vol points */
  volShift: number
  /** money, portfolio currency */
  pnl: number
}

export function stressRows(list: PortfolioStress[]): StressCsvRow[] {
  const rows: StressCsvRow[] = []
  for (const s of list) {
    for (const u of s.underlyings)
      u.pnl.forEach((r, p) => r.forEach((x, v) => rows.push({portfolio: s.portfolio, underlying: u.underlying, currency: s.currency, scanIndex: p, movePct: u.moves[p], volShift: s.volShifts[v], pnl: x})))
    s.total.forEach((r, p) => r.forEach((x, v) => rows.push({portfolio: s.portfolio, underlying: '*', currency: s.currency, scanIndex: p, movePct: null, volShift: s.volShifts[v], pnl: x})))
  }
  return rows
}

export async function stressCsv(list: PortfolioStress[]): Promise<string> {
  const {stringify} = await import('csv-stringify/sync')
  const {excelSafe} = await import('../csv-output.js') // text cells safe to open in a spreadsheet
  return stringify(stressRows(list), {header: true, columns: ['portfolio', 'underlying', 'currency', 'scanIndex', 'movePct', 'volShift', 'pnl'], cast: {number: (v) => String(v), string: excelSafe}})
}
