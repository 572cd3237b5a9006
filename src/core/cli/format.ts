/*
 * Formatting for human output: unknown numbers print as "?", partial sums get a "*" and a
 * footnote, colour only on a TTY and never with NO_COLOR.
 */
import {renderTable, type Align, type Column} from './table.js'

export type {Column} from './table.js'

export const colorEnabled = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb'
const paint = (code: number) => (s: string) => (colorEnabled ? `\u001B[${code}m${s}\u001B[0m` : s)
export const red = paint(31)
export const green = paint(32)
export const yellow = paint(33)
export const bold = paint(1)
export const dim = paint(2)

export const UNKNOWN = '?'

// toLocaleString builds a new Intl.NumberFormat on every call (~10 µs): a 20,000-row table has
// 140,000 numbers. One formatter per option set gives the same text.
const formatters = new Map<string, Intl.NumberFormat>()
function formatter(min: number, max: number): Intl.NumberFormat {
  const key = `${min}/${max}`
  let f = formatters.get(key)
  if (!f) formatters.set(key, (f = new Intl.NumberFormat('en-US', {minimumFractionDigits: min, maximumFractionDigits: max})))
  return f
}

export function num(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined) return UNKNOWN
  // A value that rounds to zero prints as 0, never "-0.00".
  if (Math.abs(v) < 0.5 * 10 ** -digits) v = 0
  return formatter(digits, digits).format(v)
}

export function money(v: number | null | undefined, digits = 2): string {
  return num(v, digits)
}

/**
 * A price per unit (entry, mark): at least 2 decimals and up to 6, so that mark × quantity × multiplier
 * agrees with the P&L shown beside it (a model mark rounded to cents showed Mark = Price with a P&L ≠ 0).
 */
export function price(v: number | null | undefined): string {
  if (v === null || v === undefined) return UNKNOWN
  if (Math.abs(v) < 5e-7) v = 0
  return formatter(2, 6).format(v)
}

/** Signed money, green for gains and red for losses on a colour terminal. */
export function pnl(v: number | null | undefined): string {
  if (v === null || v === undefined) return UNKNOWN
  if (Math.abs(v) < 0.005) return num(0)
  const s = (v > 0 ? '+' : '') + num(v)
  return v > 0 ? green(s) : v < 0 ? red(s) : s
}

export function pct(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined ? UNKNOWN : `${num(v, digits)}%`
}

/** Marks a sum that left unknown values out. */
export function partial(text: string, missing: number): string {
  return missing > 0 ? `${text}*` : text
}

/** A quantity: thousands separators like every other number column (1,000 beside 1,800.5), up to 6 decimals. */
export function qty(v: number): string {
  return formatter(0, 6).format(v)
}

/**
 * The width tables are fitted to while a command renders (set by BaseCommand.print from the terminal
 * and --wide); null = no limit. Renderers stay pure functions of their result: the width is ambient
 * so every table in a view, however deep, fits the same terminal.
 */
let currentWidth: number | null = null

export function withTableWidth<T>(width: number | null, render: () => T): T {
  const before = currentWidth
  currentWidth = width
  try {
    return render()
  } finally {
    currentWidth = before
  }
}

/**
 * A table fitted to the current width (see table.ts). `columns` as Column objects (header, align,
 * priority, minWidth), or as plain headers with `align`: then the first column is essential and the
 * others go from the right.
 */
export function table(columns: Column[] | string[], rows: string[][], align?: Align[]): string {
  const cols: Column[] = columns.map((c, i) =>
    typeof c === 'string' ? {header: c, align: align?.[i] ?? (i === 0 ? 'left' : 'right'), priority: i} : c,
  )
  return renderTable(cols, rows, {width: currentWidth, head: bold, note: dim})
}

/**
 * What a total's `missing` count is made of, said right: never-synced portfolios are each one unknown
 * part of a total, not a position ("3 position(s) and 1 never-synced portfolio (tastytrade)").
 */
export function unknownParts(missing: number, unknownPortfolios: string[]): string {
  const positions = missing - unknownPortfolios.length
  const parts: string[] = []
  if (positions > 0) parts.push(`${positions} position(s)`)
  if (unknownPortfolios.length > 0) parts.push(`${unknownPortfolios.length} never-synced portfolio(s) (${unknownPortfolios.join(', ')})`)
  return parts.join(' and ')
}
