/*
 * Reading broker exports as tables: BOM, CRLF, trailing commas and preambles are tolerated;
 * columns are found by name (case-insensitive, aliases per format), never by position. Every
 * record keeps its 1-based line so errors can point at it.
 */
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {parse} from 'csv-parse/sync'
import {ExternalError} from '../../errors.js'

/** An export file that cannot be used: names the file, the line when there is one, and why. */
export class ImportError extends ExternalError {
  readonly file: string
  readonly line?: number
  constructor(file: string, line: number | undefined, reason: string) {
    super(escapeControls(`${file}${line ? `:${line}` : ''}: ${reason}`), 'import')
    this.name = 'ImportError'
    this.file = file
    this.line = line
  }
}

/** A problem with one row; the importer turns it into an ImportError or a skipped row. */
export class RowError extends Error {
  constructor(reason: string) {
    super(escapeControls(reason))
    this.name = 'RowError'
  }
}

/**
 * Control characters (C0, DEL, C1) written as visible \xNN escapes, so text from an input file can
 * neither drive the terminal (ESC sequences) nor end up in the database as raw bytes.
 */
export function escapeControls(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}

/** True when the text holds a control character (tab and newline included). */
export function hasControls(text: string): boolean {
  return /[\u0000-\u001f\u007f-\u009f]/.test(text)
}

export interface CsvRecord {
  /** 1-based line where the record starts. */
  line: number
  cells: string[]
}

/** The file as the user should recognise it in messages: relative to the working directory when inside it. */
export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file)
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file
}

/** An export file's text; a file that cannot be read is an ImportError naming it (as `display`) and why. */
export function readExport(file: string, display: string = displayPath(file)): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory, not a file' : `cannot read (${code ?? String(error)})`
    throw new ImportError(display, undefined, why)
  }
}

export function readRecords(file: string, options: {comments?: boolean} = {}): {display: string; records: CsvRecord[]} {
  const display = displayPath(file)
  const text = readExport(file, display)
  if (text.replace(/^\uFEFF/, '').trim() === '') throw new ImportError(display, undefined, 'file is empty')
  let parsed: {record: string[]; info: {lines: number}}[]
  try {
    parsed = parse(text, {
      bom: true,
      info: true,
      relax_column_count: true,
      // A stray quote inside an unquoted cell (5" SCREEN) is data, not a syntax error.
      relax_quotes: true,
      skip_empty_lines: !!options.comments,
      ...(options.comments ? {comment: '#', comment_no_infix: true} : {}),
    }) as unknown as {record: string[]; info: {lines: number}}[]
  } catch (error) {
    const e = error as Error & {lines?: number}
    throw new ImportError(display, typeof e.lines === 'number' ? e.lines : undefined, `not a readable CSV file: ${e.message}`)
  }
  const records = parsed.map(({record, info}) => {
    // info.lines is where the record ends; quoted cells can span lines.
    const newlines = record.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0)
    return {line: info.lines - newlines, cells: record}
  })
  return {display, records}
}

/** Header names compared loosely: case, surrounding space, repeated spaces and `_` do not matter. */
export function normalizeHeader(name: string): string {
  return name.replace(/^\uFEFF/, '').trim().toLowerCase().replace(/[\s_]+/g, ' ')
}

export interface ColumnSpec<K extends string> {
  /** Accepted header names per column, compared after normalizeHeader; the first is the name messages use. */
  columns: Record<K, readonly string[]>
  required: readonly K[]
  /** The column whose presence marks the header row, so preamble rows above it are skipped. */
  anchor: K
}

export interface Table<K extends string> {
  display: string
  headerLine: number
  /** Column index per key, when the file has that column. */
  index: Partial<Record<K, number>>
  /** Header names as written in the file, by key, for messages. */
  label: Record<K, string>
  /** Records after the header row. */
  rows: CsvRecord[]
  /** Number of fields in the header row (trailing empty header cells not counted). */
  width: number
  /** The file ends its data rows with one extra, empty field (Fidelity's trailing comma). */
  trailingComma: boolean
}

export function locateColumns<K extends string>(display: string, records: CsvRecord[], spec: ColumnSpec<K>): Table<K> {
  const keys = Object.keys(spec.columns) as K[]
  const wanted = Object.fromEntries(keys.map((k) => [k, spec.columns[k].map(normalizeHeader)])) as Record<K, string[]>
  const matches = (cell: string, key: K) => wanted[key].includes(normalizeHeader(cell))
  let at = records.findIndex((r, i) => i < 50 && r.cells.some((c) => matches(c, spec.anchor)))
  if (at < 0) at = records.findIndex((r) => !isBlank(r.cells))
  const header = records[at]
  const index: Partial<Record<K, number>> = {}
  const label = {} as Record<K, string>
  for (const key of keys) {
    const i = header.cells.findIndex((c) => matches(c, key))
    if (i >= 0) index[key] = i
    label[key] = i >= 0 ? header.cells[i].replace(/^\uFEFF/, '').trim() : spec.columns[key][0]
  }
  // Two columns with one name: which one holds the number is a guess, so refuse instead of guessing.
  const seen = new Map<string, number>()
  header.cells.forEach((c, i) => {
    const n = normalizeHeader(c)
    if (n === '') return
    if (seen.has(n)) throw new ImportError(display, header.line, `the header names column "${c.trim()}" twice (columns ${seen.get(n)! + 1} and ${i + 1}); which one holds the data is ambiguous`)
    seen.set(n, i)
  })
  const missing = spec.required.filter((k) => index[k] === undefined)
  if (missing.length > 0) {
    const names = missing.map((k) => `"${label[k]}"`).join(', ')
    const found = header.cells.map((c) => c.trim()).filter(Boolean).join(', ')
    throw new ImportError(display, header.line, `missing column${missing.length > 1 ? 's' : ''} ${names} (the header has: ${found || 'nothing'})`)
  }
  let width = header.cells.length
  while (width > 0 && header.cells[width - 1].trim() === '') width--
  // Whether rows end with one empty extra field is a property of the file, decided by most rows: a
  // file-wide trailing comma is the export's style, one row's extra field is a stray comma.
  const rows = records.slice(at + 1)
  const withTrailing = rows.filter((r) => r.cells.length === width + 1 && r.cells[width].trim() === '').length
  const exact = rows.filter((r) => r.cells.length === width).length
  return {display, headerLine: header.line, index, label, rows, width, trailingComma: withTrailing > exact}
}

export function isBlank(cells: string[]): boolean {
  return cells.every((c) => c.trim() === '')
}

const PLAIN_NUMBER = /^-?\d+(?:\.\d+)?$/

/**
 * Numbers as exports write them: `$1,234.56`, `+$0.16`, `-$397.77`, `"3,500.50"`, `(15.00)`,
 * `₹1,063`, `+0.32%`, `28d`. Blank, `--` and `n/a` are unknown (null), never 0; anything else
 * that is not a number gives NaN.
 */
export function parseNumber(raw: string, options: {suffix?: string} = {}): number | null {
  // The common cell (-1, 2.35): what the general path below gives, without its five regular expressions (a 100,000-row import reads ~500,000 numbers).
  if (PLAIN_NUMBER.test(raw)) return Number(raw)
  let t = raw.trim()
  if (t === '' || t === '--' || t === '-' || /^n\/?a$/i.test(t)) return null
  let sign = 1
  if (/^\(.*\)$/.test(t)) {
    sign = -1
    t = t.slice(1, -1).trim()
  }
  // The sign may come before or after the currency mark: -$397.77, $-397.77, +$0.16.
  t = t.replace(/^([+-]?)\s*(?:\$|₹|Rs\.?|INR|USD)\s*/i, '$1')
  if (t.startsWith('-')) {
    sign = -sign
    t = t.slice(1)
  } else if (t.startsWith('+')) t = t.slice(1)
  t = t.replace(/%$/, '')
  if (options.suffix && t.toLowerCase().endsWith(options.suffix)) t = t.slice(0, -options.suffix.length)
  t = t.trim()
  // Western (1,234,567) and Indian (12,34,567) grouping are both fine; other commas are not.
  if (!/^(\d+|\d{1,3}(,\d{3})+|\d{1,2}(,\d{2})*,\d{3})(\.\d+)?$/.test(t) && !/^\.\d+$/.test(t)) return Number.NaN
  return sign * Number(t.replace(/,/g, ''))
}

/** Reads one record's cells by column key, turning bad values into RowErrors that name the column. */
export class RowReader<K extends string> {
  constructor(
    private readonly table: Table<K>,
    readonly record: CsvRecord,
  ) {}

  has(key: K): boolean {
    return this.table.index[key] !== undefined
  }

  text(key: K): string {
    const i = this.table.index[key]
    return i === undefined ? '' : (this.record.cells[i] ?? '').trim()
  }

  /** The cell as written, untrimmed (Fidelity's ` -TSLA…`). */
  raw(key: K): string {
    const i = this.table.index[key]
    return i === undefined ? '' : (this.record.cells[i] ?? '')
  }

  /** null when blank or absent; RowError when not a number. */
  number(key: K, options: {suffix?: string} = {}): number | null {
    const text = this.text(key)
    const n = parseNumber(text, options)
    if (n !== null && Number.isNaN(n)) {
      if (isDecimalComma(text)) throw new RowError(`${this.table.label[key]} "${text}" has a decimal comma (or broken digit grouping); write it as ${text.replace(/[^\d,+-]/g, '').replace(',', '.')} — a comma here is never read as a thousands separator`)
      throw new RowError(`${this.table.label[key]} "${text}" is not a number`)
    }
    return n
  }

  /** A price that may be below zero (futures and their underlyings: crude oil traded at −37.63 on 2020-04-20). */
  signedPrice(key: K): number | null {
    return this.number(key)
  }

  /** The cell as written (trimmed), for the rounding tolerance of a cross-check. */
  written(key: K): string {
    return this.text(key)
  }

  /** Like number(), but a blank is an error: blank is not zero. */
  requiredNumber(key: K): number {
    const n = this.number(key)
    if (n === null) throw new RowError(`${this.table.label[key]} is blank${this.text(key) ? ` ("${this.text(key)}")` : ''}; a blank is not 0`)
    return n
  }

  /** A price: null when blank, RowError when negative. */
  price(key: K): number | null {
    const n = this.number(key)
    if (n !== null && n < 0) throw new RowError(`${this.table.label[key]} "${this.text(key)}" is negative`)
    return n
  }

  label(key: K): string {
    return this.table.label[key]
  }
}

/** `241,30`, `1.234,56`: a comma followed by one, two or more than three digits at the end. */
function isDecimalComma(text: string): boolean {
  const t = text.replace(/^[(+-]*\s*(?:\$|₹|Rs\.?|INR|USD)?\s*[+-]?/i, '').replace(/[)%]$/, '').trim()
  return /^[\d.]*\d,\d{1,2}$/.test(t) || /^\d{1,3}(\.\d{3})+,\d+$/.test(t)
}

/**
 * Checks a record's shape against the header: exactly as many fields, or, in a file whose rows end
 * with a comma (Fidelity), one more that is empty. Anything else means a missing or stray separator
 * (an unquoted 241,30) that shifts every value after it one column, so the row is refused.
 */
export function checkShape(table: Pick<Table<string>, 'width' | 'trailingComma'>, record: CsvRecord): void {
  const n = record.cells.length
  if (n === table.width || (table.trailingComma && n === table.width + 1 && record.cells[n - 1].trim() === '')) return
  const shifted = 'a missing or stray comma (e.g. an unquoted 241,30) shifts every value after it, so the row is not read'
  throw new RowError(`has ${n} fields but the header has ${table.width}; ${shifted}`)
}

/** The account cell names the account: equal to it, or ending with it (`Account Name/Number` style cells). */
export function sameAccount(cell: string, account: string): boolean {
  return cell === account || cell.split(/\s+/).pop() === account
}
