/*
 * Formatting for human output: unknown numbers print as "?", partial sums get a "*" and a
 * footnote, colour only on a TTY and never with NO_COLOR.
 */
import {isTerminal} from './stdio.js'
import {clip, displayWidth, renderTable, wrapWords, type Align, type Column} from './table.js'

export type {Column} from './table.js'

export const colorEnabled = isTerminal(1) && !process.env.NO_COLOR && process.env.TERM !== 'dumb'
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

/** The width tables are fitted to now (null: no limit); for drawings such as the payoff chart. */
export function tableWidth(): number | null {
  return currentWidth
}

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
 * An instrument's name shortened to `width` columns for a narrow table. An option keeps its strike
 * and expiry (what tells two legs apart): the date goes to the OCC form first ("2026-12-29" → "261229"),
 * then the root is cut ("BANKN… 261229 61000C"); anything else (a fund's name) is cut at the end.
 */
export function shortSymbol(text: string, width: number): string {
  if (displayWidth(text) <= width) return text
  const m = /^(.+?) (\d\d)(\d\d)-(\d\d)-(\d\d) (\S+)$/.exec(text)
  if (!m) return clip(text, width)
  const tail = ` ${m[3]}${m[4]}${m[5]} ${m[6]}`
  const root = m[1]
  if (root.length + tail.length <= width) return root + tail
  const room = width - tail.length
  if (room >= 2) return `${clip(root, room)}${tail}`
  // Too narrow even for that: the expiry and strike, cut from the left.
  const chars = [...tail.trimStart()]
  return `…${chars.slice(Math.max(0, chars.length - (width - 1))).join('')}`
}

/** The Portfolio column of a table whose rows may come from several portfolios: kept while they differ, cut in the middle. */
export function portfolioColumn(priority: number): Column {
  return {header: 'Portfolio', shortHeader: 'Portf.', priority, minWidth: 8, cut: 'middle', keepIfDistinct: true}
}

/**
 * Everything a command prints for a person, fitted to `width` (null: no limit): tables fit by
 * table.ts, and every other line (totals, notes, warnings) longer than the width is broken at spaces,
 * never inside a number, continuing indented two spaces past the line's own indent. Lines of a table
 * (box drawing) are never broken: they already fit.
 */
export function renderForTerminal(width: number | null, render: () => string): string {
  const text = withTableWidth(width, render)
  if (width === null) return text
  return text
    .split('\n')
    .flatMap((line) => {
      // table borders (┌│├└), escaped: esbuild keeps a regular expression's characters as written, and one
      // character past Latin-1 makes the whole fast bundle a two-byte string for V8 (scripts/bundle.mjs)
      if (displayWidth(line) <= width || /^[\s]*[\u250c\u2502\u251c\u2514]/.test(line)) return [line]
      const indent = /^ */.exec(line)![0]
      const rest = indent.length + 2 < width / 2 ? `${indent}  ` : ''
      const lines = wrapWords(line.slice(indent.length), width - indent.length)
      // continuation lines get the hanging indent and are re-wrapped to the narrower room
      const first = (indent + lines[0]).trimEnd()
      const more = lines.length > 1 ? wrapWords(lines.slice(1).join(' ').trim(), width - rest.length).map((l) => (rest + l).trimEnd()) : []
      return [first, ...more]
    })
    .join('\n')
}

/**
 * An instant for people, with its zone: "2026-12-07 16:20 UTC" (seconds with `seconds`). Stored times
 * are UTC ISO instants; anything that is not one is shown as it is.
 */
export function utc(iso: string | null | undefined, seconds = false): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (!/^\d{4}-\d\d-\d\dT/.test(iso) || Number.isNaN(d.getTime())) return iso
  return `${d.toISOString().slice(0, seconds ? 19 : 16).replace('T', ' ')} UTC`
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
