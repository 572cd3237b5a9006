/*
 * Terminal payoff diagram: the expiration P&L and (when known) today's P&L against the
 * underlying price, drawn with asciichart, then a summary of the numbers.
 *
 * asciichart draws every series with the same symbols and only a y-axis. To keep the two curves
 * apart without colour (NO_COLOR, pipes), each is plotted alone with the same scale and its own
 * symbols (solid for expiration, dotted for today) and the two grids are overlaid cell by cell;
 * colour, when on, is applied after the overlay so the ANSI codes never shift columns. The x-axis
 * (underlying prices at left / middle / right) is added underneath by hand.
 */
import asciichart from 'asciichart'
import type {PayoffAnalysis, PayoffPoint} from '../../domain/payoff.js'
import {num} from '../format.js'

export interface RenderPayoffOptions {
  /** Total columns, default 80. */
  width?: number
  /** Plot rows, default 14. */
  height?: number
  color: boolean
  currency: string
}

const SOLID = ['┼', '┤', '╶', '╴', '─', '╰', '╭', '╮', '╯', '│']
// Same axis symbols (first two) so both plots have identical axes; the curve is dotted.
const DOTTED = ['┼', '┤', '╶', '╴', '·', '·', '·', '·', '·', '·']
const CYAN = '\u001B[36m'
const YELLOW = '\u001B[33m'
const GREEN = '\u001B[32m'
const RED = '\u001B[31m'
const RESET = '\u001B[0m'

export function renderPayoff(a: PayoffAnalysis, opts: RenderPayoffOptions): string {
  const width = Math.max(40, Math.floor(opts.width ?? 80))
  const height = Math.max(3, Math.floor(opts.height ?? 14))
  const paint = (code: string, s: string) => (opts.color ? `${code}${s}${RESET}` : s)
  const out: string[] = []

  const expKnown = a.points.length > 1 && a.points.every((p) => p.expiration !== null)
  const todayKnown = a.points.length > 1 && a.points.every((p) => p.today !== null)
  if (expKnown || todayKnown) out.push(...chart(a, {width, height, expKnown, todayKnown, paint}))
  else out.push('(no chart: the P&L is unknown over the whole range, see the notes)')

  const legend: string[] = []
  if (expKnown) legend.push(`${paint(CYAN, '───')} at expiration${a.expiration ? ` ${a.expiration}` : ''}`)
  if (todayKnown) legend.push(`${paint(YELLOW, '···')} today`)
  else legend.push('today: unknown')
  legend.push(`x: underlying price, y: P&L (${opts.currency})`)
  out.push(...wrap(legend, width, '  '))
  out.push('')

  const money = (v: number) => `${num(v)} ${opts.currency}`
  const approx = a.method === 'numeric' ? '≈ ' : ''
  const unknown = a.method === 'unknown'
  const row = (label: string, value: string) => wrap([`${label.padEnd(13)}${value}`], width, ', ', ' '.repeat(13))

  const net = a.netPremium
  out.push(...row('Net premium', net > 0 ? `${money(net)} debit (paid)` : net < 0 ? `${money(-net)} credit (received)` : `${money(0)} (even)`))

  const profit = unknown ? 'unknown' : a.maxProfit === null ? 'unlimited' : `${approx}${money(a.maxProfit)}${at(a, a.maxProfitAt, a.maxProfit)}`
  out.push(...row('Max profit', a.maxProfit === null || unknown ? profit : paint(GREEN, profit)))
  const loss = unknown ? 'unknown' : a.maxLoss === null ? 'unlimited' : `${approx}${money(a.maxLoss)}${at(a, a.maxLossAt, a.maxLoss)}`
  out.push(...row('Max loss', a.maxLoss === null || unknown ? loss : paint(RED, loss)))

  const be = unknown ? ['unknown'] : a.breakevens.length === 0 ? ['none'] : a.breakevens.map((b) => `${approx}${num(b)}`)
  out.push(...wrap([`${'Breakevens'.padEnd(13)}${be[0]}`, ...be.slice(1)], width, ', ', ' '.repeat(13)))
  out.push(...row('Expiration', a.expiration ?? 'none (no dated option)'))

  for (const note of a.notes) out.push(...wrapWords(`Note: ${note}`, width, '      '))
  return out.join('\n')
}

interface ChartSpec {
  width: number
  height: number
  expKnown: boolean
  todayKnown: boolean
  paint: (code: string, s: string) => string
}

function chart(a: PayoffAnalysis, spec: ChartSpec): string[] {
  const from = a.points[0].underlying
  const to = a.points[a.points.length - 1].underlying
  const series: {values: (x: number) => number; symbols: string[]; color: string}[] = []
  if (spec.expKnown) series.push({values: (x) => interpolate(a.points, x, 'expiration') as number, symbols: SOLID, color: CYAN})
  if (spec.todayKnown) series.push({values: (x) => interpolate(a.points, x, 'today') as number, symbols: DOTTED, color: YELLOW})

  // The y labels' width depends on the value range; the plot gets whatever columns remain.
  const all = a.points.flatMap((p) => [spec.expKnown ? (p.expiration as number) : NaN, spec.todayKnown ? (p.today as number) : NaN]).filter(Number.isFinite)
  let min = Math.min(...all)
  let max = Math.max(...all)
  if (max === min) {
    // A flat line: give asciichart a range so the line sits mid-chart with readable labels.
    const pad = Math.abs(max) > 0 ? Math.abs(max) * 0.1 : 1
    min -= pad
    max += pad
  }
  if (min < 0 && max > 0) {
    // Put P&L = 0 exactly on a row (labelled 0, marked ┼ on the axis) by stretching one end of the
    // range: k rows above zero and height − k below, all `step` apart.
    const k = Math.min(spec.height - 1, Math.max(1, Math.round((max / (max - min)) * spec.height)))
    const step = Math.max(max / k, -min / (spec.height - k))
    max = k * step
    min = -(spec.height - k) * step
  }
  const digits = max - min >= 100 ? 0 : 2
  const fmt = (v: number) => {
    const s = num(v, digits)
    return /^-0(\.0+)?$/.test(s) ? s.slice(1) : s
  }
  const labelWidth = Math.max(fmt(min).length, fmt(max).length) + 1
  // With offset 2 asciichart puts the whole label in cell 0 and the axis in cell 1, where the first
  // point is also drawn: point j lands in column labelWidth + j.
  const columns = Math.max(10, spec.width - labelWidth)

  const xs = Array.from({length: columns}, (_, j) => from + ((to - from) * j) / (columns - 1))
  const config = {min, max, height: spec.height, offset: 2, format: (v: number) => fmt(v).padStart(labelWidth).slice(-labelWidth)}
  const grids = series.map((s) =>
    asciichart
      .plot(xs.map(s.values), {...config, symbols: s.symbols})
      .split('\n')
      .map((line) => ({label: line.slice(0, labelWidth), cells: Array.from(line.slice(labelWidth))})),
  )

  // asciichart 1.5 puts its "zero" axis mark on the row mirrored from the real one (it counts rows
  // bottom-up but labels them top-down), and overwrites the axis with each series' first point;
  // the axis column is therefore redrawn here, with ┼ on the row whose value is 0 (when in range).
  const rows = grids[0].length
  const rowValue = (r: number) => (rows > 1 ? max - (r * (max - min)) / (rows - 1) : max)
  let zeroRow = -1
  if (min <= 0 && max >= 0) {
    for (let r = 0; r < rows; r++) if (zeroRow < 0 || Math.abs(rowValue(r)) < Math.abs(rowValue(zeroRow))) zeroRow = r
  }
  const lines: string[] = []
  for (let r = 0; r < rows; r++) {
    let line = grids[0][r].label + (r === zeroRow ? '┼' : '┤')
    for (let c = 1; c < grids[0][r].cells.length; c++) {
      // The expiration curve wins where both curves fall into the same cell.
      const owner = grids.findIndex((g) => (g[r].cells[c] ?? ' ') !== ' ')
      line += owner < 0 ? ' ' : spec.paint(series[owner].color, grids[owner][r].cells[c])
    }
    lines.push(line.trimEnd())
  }

  // x-axis: a baseline with ticks and the underlying price under the left, middle and right ticks.
  const mid = Math.floor((columns - 1) / 2)
  const base = Array.from({length: columns}, (_, j) => (j === 0 ? '└' : j === columns - 1 ? '┘' : j === mid ? '┴' : '─'))
  lines.push(' '.repeat(labelWidth) + base.join(''))
  const xDigits = to - from >= 20 ? 0 : 2
  const left = num(from, xDigits)
  const middle = num(xs[mid], xDigits)
  const right = num(to, xDigits)
  const axis = Array.from({length: columns}, () => ' ')
  const put = (text: string, start: number) => {
    const s = Math.max(0, Math.min(columns - text.length, start))
    for (let i = 0; i < text.length; i++) axis[s + i] = text[i]
  }
  put(left, 0)
  put(right, columns - right.length)
  // The middle label is skipped when it would run into the others (very narrow charts).
  const midStart = mid - Math.floor(middle.length / 2)
  if (midStart > left.length && midStart + middle.length < columns - right.length) put(middle, midStart)
  lines.push((' '.repeat(labelWidth) + axis.join('')).trimEnd())
  return lines
}

/** Linear interpolation of a curve through the points (exact between the expiration kinks). */
function interpolate(points: PayoffPoint[], x: number, key: 'expiration' | 'today'): number | null {
  if (x <= points[0].underlying) return points[0][key]
  for (let i = 1; i < points.length; i++) {
    const b = points[i]
    if (x <= b.underlying) {
      const p = points[i - 1]
      const ya = p[key]
      const yb = b[key]
      if (ya === null || yb === null) return null
      const span = b.underlying - p.underlying
      return span > 0 ? ya + ((yb - ya) * (x - p.underlying)) / span : yb
    }
  }
  return points[points.length - 1][key]
}

/**
 * Where an extreme is reached, as text. maxProfitAt / maxLossAt list single points and the ends of
 * flat regions in one array; two neighbours belong to one region when the curve between them stays
 * at the extreme (checked at their midpoint; a region running off the grid is taken as flat).
 */
function at(a: PayoffAnalysis, where: number[], target: number): string {
  if (where.length === 0) return ''
  const first = a.points[0].underlying
  const last = a.points[a.points.length - 1].underlying
  const flatBetween = (x: number, y: number) => {
    if (y === Infinity) return true
    const m = (x + y) / 2
    if (m < first || m > last) return true
    const v = interpolate(a.points, m, 'expiration')
    return v !== null && Math.abs(v - target) <= 1e-6 * (1 + Math.abs(target))
  }
  const parts: string[] = []
  for (let i = 0; i < where.length; i++) {
    const x = where[i]
    if (i + 1 < where.length && flatBetween(x, where[i + 1])) {
      const y = where[++i]
      parts.push(y === Infinity ? `S ≥ ${num(x)}` : x === 0 ? `S ≤ ${num(y)}` : `${num(x)} ≤ S ≤ ${num(y)}`)
    } else parts.push(`S = ${num(x)}`)
  }
  return ` at ${parts.join(' or ')}`
}

/** Joins items with a separator, breaking lines before `width`; continuation lines get `indent`. */
function wrap(items: string[], width: number, sep: string, indent = ''): string[] {
  const lines: string[] = []
  let line = ''
  for (const item of items) {
    const candidate = line === '' ? item : line + sep + item
    if (line !== '' && visible(candidate) > width) {
      lines.push(line + sep.trimEnd())
      line = indent + item
    } else line = candidate
  }
  if (line !== '') lines.push(line)
  return lines.flatMap((l) => (visible(l) > width ? wrapWords(l, width, indent) : [l]))
}

function wrapWords(text: string, width: number, indent: string): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(' ')) {
    const candidate = line === '' ? word : `${line} ${word}`
    if (line !== '' && line.trim() !== '' && visible(candidate) > width) {
      lines.push(line)
      line = indent + word
    } else line = candidate
  }
  if (line !== '') lines.push(line)
  return lines
}

/** Printed width: ANSI colour codes take no columns. */
function visible(s: string): number {
  // eslint-disable-next-line no-control-regex
  return Array.from(s.replace(/\u001B\[[0-9;]*m/g, '')).length
}
