/*
 * Tables for the terminal, in time linear in the number of cells, fitted to a width.
 *
 * cli-table3 (used before) lays out row and column spans by checking every cell against every earlier
 * row, so rendering is quadratic in the rows: 20,000 positions took 168 s. These tables have no spans,
 * so one pass measures the columns and one pass writes the lines, in the same frame cli-table3 drew
 * (compact: no lines between rows; one space of padding).
 *
 * Fitting: every column has a priority (0 = essential, never dropped; larger = less important). When
 * the table is wider than the limit, the least important column goes first (ties: the rightmost):
 * a text column that allows it (`minWidth`) is first cut to what still fits, ending in "…", down to
 * its minimum; otherwise, or when that is not enough, it is dropped. Numbers are never cut (a cut
 * number reads as another number), only dropped. If the essential columns alone are still too wide,
 * each line is clipped at the limit with "…": a row never wraps. A note under the table names the
 * hidden columns. No limit (null) keeps every column: the default for piped output and for --wide.
 */

export type Align = 'left' | 'right'

export interface Column {
  header: string
  align?: Align
  /** 0 = never dropped; larger numbers are dropped (or cut) first. Default: the column's index. */
  priority?: number
  /** Text columns only: may be cut to this many columns (ending in "…") before being dropped. */
  minWidth?: number
}

export interface TableOptions {
  /** Total columns available; null or undefined = no limit (every column, full width). */
  width?: number | null
  /** Paints the header text (e.g. bold); applied after measuring. */
  head?: (s: string) => string
  /** Paints the note about hidden columns (e.g. dim). */
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

/** The columns that fit `limit`, with the width each gets (cut text columns get less than their content). */
function fit(columns: Column[], natural: number[], limit: number | null | undefined): {keep: number[]; widths: number[]} {
  const widths = [...natural]
  const keep = columns.map((_, i) => i)
  if (limit === null || limit === undefined) return {keep, widths}
  const total = () => keep.reduce((sum, i) => sum + widths[i] + 3, 1)
  // Least important first; among equals, the rightmost first.
  const order = columns.map((c, i) => ({i, p: c.priority ?? i})).filter((c) => c.p > 0).sort((a, b) => b.p - a.p || b.i - a.i)
  for (const {i} of order) {
    const excess = total() - limit
    if (excess <= 0) break
    const min = columns[i].minWidth
    if (min !== undefined && widths[i] - excess >= min) {
      widths[i] -= excess
      break
    }
    keep.splice(keep.indexOf(i), 1)
  }
  return {keep, widths}
}

/**
 * Renders rows under a header. Rows shorter than the header are padded with empty cells; a cell with
 * newlines spans that many lines of its row.
 */
export function renderTable(columns: Column[], rows: string[][], opts: TableOptions = {}): string {
  const n = columns.length
  const natural = columns.map((c) => displayWidth(c.header))
  const split: string[][][] = new Array(rows.length)
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]
    const cells: string[][] = new Array(n)
    for (let i = 0; i < n; i++) {
      const text = row[i] ?? ''
      const lines = text.includes('\n') ? text.split('\n') : [text]
      for (const line of lines) {
        const w = displayWidth(line)
        if (w > natural[i]) natural[i] = w
      }
      cells[i] = lines
    }
    split[r] = cells
  }
  const {keep, widths} = fit(columns, natural, opts.width)
  const cell = (text: string, i: number) => {
    const w = widths[i]
    return pad(w < natural[i] ? clip(text, w) : text, w, columns[i].align ?? 'left')
  }
  const rule = (l: string, m: string, r: string) => l + keep.map((i) => '─'.repeat(widths[i] + 2)).join(m) + r
  const head = opts.head ?? ((s: string) => s)
  const out: string[] = [rule('┌', '┬', '┐'), `│ ${keep.map((i) => cell(head(columns[i].header), i)).join(' │ ')} │`]
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
  const hidden = columns.filter((_, i) => !keep.includes(i)).map((c) => c.header)
  if (hidden.length > 0) {
    const note = `(hidden to fit ${limit} columns: ${hidden.join(', ')}; --wide shows all)`
    text += `\n${wrapWords(note, limit ?? Infinity).map(opts.note ?? ((s: string) => s)).join('\n')}`
  }
  return text
}

/** Prose (the note) broken into lines at spaces; a word longer than the line is clipped. */
function wrapWords(text: string, width: number): string[] {
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
