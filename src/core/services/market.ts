/*
 * Market inputs that do not come from a broker: the quotes file (underlying prices for
 * file-fed portfolios), rates and dividend yields from the config.
 */
import {readFileSync, statSync} from 'node:fs'
import {zonedInstant} from '../domain/calendar/zones.js'
import type {Config} from '../config/config.js'
import {ConfigError} from '../errors.js'

/** symbol → price per unit, from `symbol,price[,as_of]`. A bad line is an error naming it. */
export async function loadQuotesFile(file: string | undefined): Promise<Map<string, number>> {
  return (await loadQuotes(file)).prices
}

export interface QuotesFile {
  /** symbol (upper case) → price per unit */
  prices: Map<string, number>
  /** symbol → when its price was observed (ISO): the row's as_of, else the file's modification time */
  asOf: Map<string, string>
}

/** Header names of the time column; a date alone means that day's New York close (16:00 ET). */
const TIME_COLUMNS = ['as_of', 'asof', 'as of', 'time', 'timestamp', 'date']

/**
 * The quotes file with the time of each price: a quotes file is a price like any other and ages
 * like one (sync dates each price it uses, and the book's freshness rules flag it stale). The time
 * is the row's `as_of` cell (ISO date-time, or a date = that day's 16:00 New York close), else the
 * file's modification time. A bad price or time is an error naming file:line.
 */
export async function loadQuotes(file: string | undefined): Promise<QuotesFile> {
  const out: QuotesFile = {prices: new Map(), asOf: new Map()}
  if (!file) return out
  const {parse} = await import('csv-parse/sync') // only on the paths that need quotes
  let text: string
  let mtime: string
  try {
    text = readFileSync(file, 'utf8')
    mtime = statSync(file).mtime.toISOString()
  } catch (error) {
    throw new ConfigError(`${file}: quotes file cannot be read (${(error as NodeJS.ErrnoException).code}); fix market.quotes_file in the config`)
  }
  const rows: string[][] = parse(text, {bom: true, relax_column_count: true, skip_empty_lines: true, trim: true, comment: '#'})
  const header = rows[0]?.map((h) => h.toLowerCase()) ?? []
  const si = header.indexOf('symbol')
  const pi = header.indexOf('price')
  const ti = header.findIndex((h) => TIME_COLUMNS.includes(h))
  if (si < 0 || pi < 0) throw new ConfigError(`${file}:1: quotes file needs the columns symbol,price`)
  rows.slice(1).forEach((r, i) => {
    const price = Number(r[pi])
    if (!r[si] || r[pi] === '' || !Number.isFinite(price) || price <= 0) throw new ConfigError(`${file}:${i + 2}: "${r[pi] ?? ''}" is not a price for "${r[si] ?? ''}"`)
    const symbol = r[si].toUpperCase()
    out.prices.set(symbol, price)
    const cell = ti >= 0 ? (r[ti] ?? '').trim() : ''
    if (cell === '') out.asOf.set(symbol, mtime)
    else {
      const at = quoteTime(cell)
      if (!at) throw new ConfigError(`${file}:${i + 2}: "${cell}" in column ${rows[0][ti]} is not a time (use 2026-03-02T15:30:00Z or a date 2026-03-02)`)
      out.asOf.set(symbol, at)
    }
  })
  return out
}

function quoteTime(text: string): string | null {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const t = zonedInstant('America/New_York', text, 16 * 60)
    return Number.isNaN(t.getTime()) ? null : t.toISOString()
  }
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(text)) return null
  const t = new Date(text.replace(' ', 'T'))
  return Number.isNaN(t.getTime()) ? null : t.toISOString()
}

export function rateFor(config: Config, currency: string): number {
  return config.market.rates[currency] ?? 0
}

export function dividendFor(config: Config, underlying: string): number {
  return config.market.dividends[underlying] ?? 0
}
