/*
 * Tables for the terminal, in time linear in the number of cells, fitted to a width.
 *
 * cli-table3 (used before) lays out row and column spans by checking every cell against every earlier
 * row, so rendering is quadratic in the rows: 20,000 positions took 168 s. These tables have no spans,
 * so one pass measures the columns and one pass writes the lines, in the same frame cli-table3 drew
 * (compact: no lines between rows; one space of padding).
 *
 * Fitting, when the table is wider than the limit (a trader on an 80-column terminal must still see
 * what matters, so each view declares its columns' priorities):
 * 1. Text columns that allow it (`minWidth`) are shortened first, the least important first, down to
 *    their minimum: cut with "…" (at the end, or in the middle for names told apart by their ends),
 *    shortened by the column's own `shorten` (option symbols keep their strike), or word-wrapped over
 *    several lines (`wrap`: a message is never cut). Shortening comes before any column is dropped.
 * 2. Then columns are dropped, the least important first (ties: the rightmost). Priority 0 is never
 *    dropped; a column marked `keepIfDistinct` (Portfolio) counts as priority 0 whenever its rows do
 *    not all say the same, and is only shortened as far as its values stay distinct.
 * 3. Whatever room is left goes back to the shortened columns, the most important first.
 * Numbers are never cut (a cut number reads as another number), only dropped. If the essential
 * columns alone are still too wide, each line is clipped at the limit with "…": a row never wraps.
 * A note under the table names the hidden columns; a column's own `note` (what its header means) is
 * printed only while the column is shown. No limit (null) keeps every column: the default for piped
 * output and for --wide.
 */

export type Align = 'left' | 'right'

export interface Column {
  header: string
  align?: Align
  /** 0 = never dropped; larger numbers are dropped (or cut) first. Default: the column's index. */
  priority?: number
  /** Text columns only: may be shortened to this many columns before anything is dropped. */
  minWidth?: number
  /** How a text column is shortened: cut at the end (default) or in the middle ("fide…ira"), or word-wrapped. */
  cut?: 'end' | 'middle' | 'wrap'
  /** A column-specific shortening (e.g. option symbols: the root is cut, never the strike); must return at most `width` columns. */
  shorten?: (text: string, width: number) => string
  /** Never dropped while its cells differ between rows (the Portfolio of a book with several accounts). */
  keepIfDistinct?: boolean
  /** Columns with the same `group` and priority are dropped together (a grid thins out evenly). */
  group?: string
  /** The header when the column is shortened below its header's width ("Portf." for "Portfolio"). */
  shortHeader?: string
  /** Explains the column (printed under the table, only while the column is shown). */
  note?: string
}

export interface TableOptions {
  /** Total columns available; null or undefined = no limit (every column, full width). */
  width?: number | null
  /** Paints the header text (e.g. bold); applied after measuring. */
  head?: (s: string) => string
  /** Paints the notes under the table (hidden columns, column notes; e.g. dim). */
  note?: (s: string) => string
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001B\[[0-9;]*[A-Za-z]/g
// eslint-disable-next-line no-control-regex
const PLAIN = /^[\u0020-\u007E]*$/

/** Printed width of one line: ANSI codes take no columns, combining marks none, East Asian wide characters two. */
export function displayWidth(s: string): number {
  if (PLAIN.test(s)) return s.length
  const text = s.includes('\u001B') ? s.replace(ANSI, '') : s
  if (PLAIN.test(text)) return text.length
  let w = 0
  for (const ch of text) w += charWidth(ch.codePointAt(0)!)
  return w
}

function charWidth(c: number): number {
  if (c < 0x20 || (c >= 0x7f && c < 0xa0)) return 0
  if ((c >= 0x300 && c <= 0x36f) || (c >= 0x200b && c <= 0x200f) || (c >= 0xfe00 && c <= 0xfe0f) || (c >= 0x20d0 && c <= 0x20ff)) return 0
  if (
    (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0x303e) || (c >= 0x3041 && c <= 0x33ff) || (c >= 0x3400 && c <= 0x4dbf) ||
    (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xa000 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
    (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1f64f) ||
    (c >= 0x1f900 && c <= 0x1f9ff) || (c >= 0x20000 && c <= 0x3fffd)
  )
    return 2
  return 1
}

/** Cuts a line to at most `width` printed columns, ending in "…" when anything was cut; ANSI codes are kept and closed. */
export function clip(s: string, width: number): string {
  if (displayWidth(s) <= width) return s
  if (width <= 0) return ''
  let out = ''
  let w = 0
  let painted = false
  for (let i = 0; i < s.length; ) {
    if (s[i] === '\u001B') {
      const m = /^\u001B\[[0-9;]*[A-Za-z]/.exec(s.slice(i))
      if (m) {
        out += m[0]
        painted = true
        i += m[0].length
        continue
      }
    }
    const ch = String.fromCodePoint(s.codePointAt(i)!)
    const cw = charWidth(ch.codePointAt(0)!)
    if (w + cw > width - 1) break
    out += ch
    w += cw
    i += ch.length
  }
  return `${out}…${painted ? '\u001B[0m' : ''}`
}

const pad = (s: string, width: number, align: Align) => {
  const gap = width - displayWidth(s)
  if (gap <= 0) return s
  return align === 'right' ? ' '.repeat(gap) + s : s + ' '.repeat(gap)
}

/** Cuts the middle out of a line: "fidelity-personal" at 8 → "fide…nal" (names told apart by their ends). */
export function clipMiddle(s: string, width: number): string {
  if (displayWidth(s) <= width) return s
  if (width <= 1) return clip(s, width)
  const chars = [...s.replace(ANSI, '')]
  const tail = Math.floor((width - 1) / 2)
  const head = width - 1 - tail
  return `${chars.slice(0, head).join('')}…${tail > 0 ? chars.slice(chars.length - tail).join('') : ''}`
}

/** One cell's text shortened to `width` columns the way its column shortens (not for `wrap`). */
function shortenCell(c: Column, text: string, width: number): string {
  if (displayWidth(text) <= width) return text
  const out = c.shorten ? c.shorten(text, width) : c.cut === 'middle' ? clipMiddle(text, width) : clip(text, width)
  return displayWidth(out) <= width ? out : clip(out, width)
}

/** The narrowest width ≥ `from` at which the column's distinct values stay distinct once shortened. */
function distinctWidth(c: Column, values: Set<string>, from: number, natural: number): number {
  const list = [...values]
  for (let w = from; w < natural; w++) {
    const seen = new Set(list.map((v) => shortenCell(c, v, w)))
    if (seen.size === list.length) return w
  }
  return natural
}

interface Fit {
  keep: number[]
  widths: number[]
}

/** The columns that fit `limit`, with the width each gets (shortened columns get less than their content). */
function fit(columns: Column[], natural: number[], values: Set<string>[], limit: number | null | undefined): Fit {
  const widths = [...natural]
  const keep = columns.map((_, i) => i)
  if (limit === null || limit === undefined) return {keep, widths}
  const total = () => keep.reduce((sum, i) => sum + widths[i] + 3, 1)
  // keepIfDistinct: essential while the rows differ, shortened only as far as they stay told apart.
  const priority = columns.map((c, i) => (c.keepIfDistinct && values[i].size > 1 ? 0 : c.priority ?? i))
  const min = columns.map((c, i) => {
    if (c.minWidth === undefined || c.minWidth >= natural[i]) return natural[i]
    const header = displayWidth(c.header)
    const floor = Math.max(c.minWidth, c.cut === 'wrap' ? 1 : 0)
    const w = c.keepIfDistinct && c.cut !== 'wrap' ? distinctWidth(c, values[i], floor, natural[i]) : floor
    return Math.min(natural[i], Math.max(w, c.cut === 'wrap' ? Math.min(header, natural[i]) : 0))
  })
  // Least important first; among equals, the rightmost first.
  const order = columns.map((_, i) => ({i, p: priority[i]})).sort((a, b) => b.p - a.p || b.i - a.i)
  // 1. shorten text columns (every priority), least important first; among equals a marker that stays
  // distinct (Portfolio) before a name (Symbol)
  const marker = (i: number) => (columns[i].keepIfDistinct ? 1 : 0)
  for (const {i} of [...order].sort((a, b) => b.p - a.p || marker(b.i) - marker(a.i) || b.i - a.i)) {
    const excess = total() - limit
    if (excess <= 0) break
    widths[i] = Math.max(min[i], widths[i] - excess)
  }
  // 2. drop columns, least important first; essential ones stay
  for (const {i, p} of order) {
    if (total() <= limit) break
    if (p <= 0 || !keep.includes(i)) continue
    const g = columns[i].group
    for (const j of g === undefined ? [i] : columns.map((_, j) => j).filter((j) => columns[j].group === g && priority[j] === p))
      if (keep.includes(j)) keep.splice(keep.indexOf(j), 1)
  }
  // 2b. a dropped column comes back, most important first, where it fits in the room the drops left
  // (with the text still shortened): text shrinks before a column goes, never the other way round
  // (never a less important column while a more important one stays hidden)
  for (const {i} of [...order].reverse()) {
    if (keep.includes(i)) continue
    if (columns[i].group !== undefined || total() + widths[i] + 3 > limit) break
    keep.push(i)
    keep.sort((a, b) => a - b)
  }
  // 3. room left goes back to the shortened columns, one column of width at a time, most important
  // first, so that several shortened columns share it; a keepIfDistinct column (a marker telling rows
  // apart) gets room last: its short form already does its job
  const back = [...order].reverse().filter(({i}) => keep.includes(i) && widths[i] < natural[i])
  for (const tier of [back.filter(({i}) => !columns[i].keepIfDistinct), back.filter(({i}) => columns[i].keepIfDistinct)]) {
    let room = limit - total()
    while (room > 0) {
      const open = tier.filter(({i}) => widths[i] < natural[i])
      if (open.length === 0) break
      for (const {i} of open) {
        if (room <= 0) break
        widths[i]++
        room--
      }
    }
  }
  return {keep, widths}
}

/**
 * Word-wraps a line of a cell to `width` (a word longer than the line is clipped). Runs of spaces that
 * aligned it as a column in a wide message (an end-of-day summary's "inr-fund      equity …") are one
 * space once it wraps, and its continuation lines are indented two spaces, so each wrapped line still
 * reads as one item.
 */
function wrapCell(text: string, width: number): string[] {
  const found = /^ */.exec(text)![0]
  const indent = found.length <= width / 3 ? found : ''
  const body = text.slice(found.length).replace(/ {2,}/g, ' ')
  const [first, ...rest] = wrapWords(body, width - indent.length)
  if (rest.length === 0) return [indent + first]
  const hang = indent.length + 2 <= width / 3 ? `${indent}  ` : indent
  return [indent + first, ...wrapWords(rest.join(' '), width - hang.length).map((l) => hang + l)]
}

/**
 * Renders rows under a header. Rows shorter than the header are padded with empty cells; a cell with
 * newlines spans that many lines of its row.
 */
export function renderTable(columns: Column[], rows: string[][], opts: TableOptions = {}): string {
  const n = columns.length
  const natural = columns.map((c) => displayWidth(c.header))
  const values: Set<string>[] = columns.map(() => new Set())
  const split: string[][][] = new Array(rows.length)
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]
    const cells: string[][] = new Array(n)
    for (let i = 0; i < n; i++) {
      const text = row[i] ?? ''
      if (columns[i].keepIfDistinct && text !== '') values[i].add(text)
      const lines = text.includes('\n') ? text.split('\n') : [text]
      for (const line of lines) {
        const w = displayWidth(line)
        if (w > natural[i]) natural[i] = w
      }
      cells[i] = lines
    }
    split[r] = cells
  }
  const {keep, widths} = fit(columns, natural, values, opts.width)
  // Wrapped columns narrower than their content: each cell becomes the lines of its words.
  for (const i of keep)
    if (columns[i].cut === 'wrap' && widths[i] < natural[i]) for (const cells of split) cells[i] = cells[i].flatMap((line) => (displayWidth(line) > widths[i] ? wrapCell(line, widths[i]) : [line]))
  const cell = (text: string, i: number) => {
    const w = widths[i]
    return pad(w < natural[i] ? shortenCell(columns[i], text, w) : text, w, columns[i].align ?? 'left')
  }
  const rule = (l: string, m: string, r: string) => l + keep.map((i) => '─'.repeat(widths[i] + 2)).join(m) + r
  const head = opts.head ?? ((s: string) => s)
  const headerCell = (i: number) => {
    const c = columns[i]
    const h = displayWidth(c.header) > widths[i] && c.shortHeader ? c.shortHeader : c.header
    return pad(displayWidth(h) > widths[i] ? clip(h, widths[i]) : head(h), widths[i], c.align ?? 'left')
  }
  const out: string[] = [rule('┌', '┬', '┐'), `│ ${keep.map(headerCell).join(' │ ')} │`]
  if (rows.length > 0) out.push(rule('├', '┼', '┤'))
  for (const cells of split) {
    let height = 1
    for (const i of keep) if (cells[i].length > height) height = cells[i].length
    for (let k = 0; k < height; k++) out.push(`│ ${keep.map((i) => cell(cells[i][k] ?? '', i)).join(' │ ')} │`)
  }
  out.push(rule('└', '┴', '┘'))
  const limit = opts.width
  let text = out.join('\n')
  if (limit !== null && limit !== undefined && out[0].length > limit) text = out.map((line) => clip(line, limit)).join('\n')
  const paint = opts.note ?? ((s: string) => s)
  // a header is one word of the note (no-break spaces): "BE σ" is never split over two lines
  const hidden = columns.filter((_, i) => !keep.includes(i)).map((c) => c.header.replace(/ /g, '\u00a0'))
  if (hidden.length > 0) text += `\n${noteLines(`(hidden to fit ${limit} columns: ${hidden.join(', ')}; --wide shows all)`, limit).map(paint).join('\n')}`
  // A column's explanation only while the column is shown (and only when it has rows to explain).
  const notes = rows.length === 0 ? [] : keep.map((i) => columns[i].note).filter((x): x is string => Boolean(x))
  for (const note of [...new Set(notes)]) text += `\n${noteLines(note, limit).map(paint).join('\n')}`
  return text
}

/** A note under a table: each of its lines wrapped at spaces, continuing two spaces in (like every other prose line). */
function noteLines(note: string, limit: number | null | undefined): string[] {
  const width = limit ?? Infinity
  return note.split('\n').flatMap((line) => {
    const [first, ...rest] = wrapWords(line, width)
    return rest.length === 0 ? [first] : [first, ...wrapWords(rest.join(' '), width - 2).map((l) => `  ${l}`)]
  })
}

/** Prose broken into lines at spaces; a word longer than the line is clipped. */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(' ')) {
    if (line !== '' && displayWidth(line) + 1 + displayWidth(word) > width) {
      lines.push(line)
      line = word
    } else line = line === '' ? word : `${line} ${word}`
  }
  lines.push(line)
  return lines.map((l) => clip(l, width))
}

/**
 * The width tables must fit: the terminal's (`process.stdout.columns`, else `COLUMNS`) when stdout is
 * a terminal; null (no limit) when output goes to a pipe or file, or with --wide.
 */
export function terminalWidth(stdout: {isTTY?: boolean; columns?: number}, env: NodeJS.ProcessEnv, wide = false): number | null {
  if (wide || !stdout.isTTY) return null
  if (stdout.columns && stdout.columns > 0) return stdout.columns
  const env_ = Number(env.COLUMNS)
  return Number.isInteger(env_) && env_ > 0 ? env_ : null
}
