/*
 * Market inputs that do not come from a broker: the quotes file (underlying prices for
 * file-fed portfolios), rates and dividend yields from the config.
 */
import {readFileSync} from 'node:fs'
import type {Config} from '../config/config.js'
import {ConfigError} from '../errors.js'

/** symbol → price per unit, from `symbol,price[,as_of]`. A bad line is an error naming it. */
export async function loadQuotesFile(file: string | undefined): Promise<Map<string, number>> {
  const out = new Map<string, number>()
  if (!file) return out
  const {parse} = await import('csv-parse/sync') // only on the paths that need quotes
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new ConfigError(`${file}: quotes file cannot be read (${(error as NodeJS.ErrnoException).code}); fix market.quotes_file in the config`)
  }
  const rows: string[][] = parse(text, {bom: true, relax_column_count: true, skip_empty_lines: true, trim: true, comment: '#'})
  const header = rows[0]?.map((h) => h.toLowerCase()) ?? []
  const si = header.indexOf('symbol')
  const pi = header.indexOf('price')
  if (si < 0 || pi < 0) throw new ConfigError(`${file}:1: quotes file needs the columns symbol,price`)
  rows.slice(1).forEach((r, i) => {
    const price = Number(r[pi])
    if (!r[si] || r[pi] === '' || !Number.isFinite(price) || price <= 0) throw new ConfigError(`${file}:${i + 2}: "${r[pi] ?? ''}" is not a price for "${r[si] ?? ''}"`)
    out.set(r[si].toUpperCase(), price)
  })
  return out
}

export function rateFor(config: Config, currency: string): number {
  return config.market.rates[currency] ?? 0
}

export function dividendFor(config: Config, underlying: string): number {
  return config.market.dividends[underlying] ?? 0
}
