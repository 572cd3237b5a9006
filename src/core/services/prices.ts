/*
 * Price history for VaR: `cotrader prices import FILE` (CSV: date, symbol, close[, iv]), daily
 * candles from DXLink when TastyTrade credentials are set, and the closes recorded in the daily
 * snapshots. A file with a gap, a duplicate or a bad close is refused whole, naming file:line.
 */
import {readFileSync} from 'node:fs'
import type {Config} from '../config/config.js'
import type {PricePoint, PriceHistory} from '../domain/var.js'
import {ExternalError, UserError} from '../errors.js'
import type {Db} from '../store/database.js'
import {writeDb, writeGate} from '../store/database.js'
import {openHistory} from '../store/history.js'
import {upsertPrices, type PriceRow} from '../store/prices.js'
import type {History} from '../store/history.js'
import {positionSnapshots} from '../store/snapshots.js'
import {compareText} from '../domain/text.js'
// (var.ts imports snapshotHistory from here: a cycle of functions only, resolved before either runs)
import {refreshDerived} from './var.js'

export interface ImportPricesOptions {
  config: Config
  dbPath: string
  file: string
  /** the clock: VaR/ES and the worst stress cell are recomputed as of it (services/var.ts refreshDerived); default now */
  asOf?: Date
}

export interface ImportPricesResult {
  file: string
  /** closes written (new or replaced) */
  rows: number
  symbols: {symbol: string; days: number; from: string; to: string; withIv: number}[]
}

const DATE = /^\d{4}-\d{2}-\d{2}$/
const DAY_MS = 86_400_000
/** Longest run of calendar days without a close accepted inside a series (long weekends + a holiday). */
export const MAX_GAP_DAYS = 5

/**
 * Parses and checks a price-history CSV. Columns by header (any order, case-insensitive): date
 * (YYYY-MM-DD), symbol, close (per unit, > 0), optional iv (fraction, > 0, or empty). Refused:
 * a duplicate (symbol, date); a close that is not a positive number; a gap: a weekday missing
 * from a symbol's series that another symbol in the file has, or more than MAX_GAP_DAYS calendar
 * days between two closes of a symbol.
 */
export function parsePriceCsv(text: string, file: string, parse: (t: string, o: object) => string[][]): PriceRow[] {
  const rows = parse(text, {bom: true, relax_column_count: true, skip_empty_lines: false, trim: true, comment: '#'})
  const header = rows[0]?.map((h) => h.toLowerCase()) ?? []
  const col = (n: string) => header.indexOf(n)
  const [di, si, ci, vi] = [col('date'), col('symbol'), col('close'), col('iv')]
  if (di < 0 || si < 0 || ci < 0) throw new UserError(`${file}:1: a price-history file needs the header date,symbol,close (optionally iv); got "${(rows[0] ?? []).join(',')}"`)
  const problems: string[] = []
  const out: (PriceRow & {line: number})[] = []
  const seen = new Map<string, number>()
  rows.forEach((r, i) => {
    const line = i + 1
    if (i === 0 || r.every((c) => c === '')) return
    const date = r[di] ?? ''
    const symbol = (r[si] ?? '').toUpperCase()
    const closeText = r[ci] ?? ''
    const close = Number(closeText)
    if (!DATE.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) problems.push(`${file}:${line}: "${date}" is not a date (YYYY-MM-DD)`)
    else if (!symbol) problems.push(`${file}:${line}: no symbol`)
    else if (closeText === '' || !Number.isFinite(close) || close <= 0) problems.push(`${file}:${line}: close "${closeText}" of ${symbol} on ${date} is not a positive number`)
    else {
      const ivText = vi >= 0 ? r[vi] ?? '' : ''
      const iv = ivText === '' ? null : Number(ivText)
      if (iv !== null && (!Number.isFinite(iv) || iv <= 0 || iv > 10)) {
        problems.push(`${file}:${line}: iv "${ivText}" of ${symbol} on ${date} is not a volatility as a fraction (0.25 = 25 %)`)
        return
      }
      const key = `${symbol}\u0000${date}`
      const first = seen.get(key)
      if (first !== undefined) problems.push(`${file}:${line}: duplicate close of ${symbol} on ${date} (also line ${first})`)
      else {
        seen.set(key, line)
        out.push({symbol, date, close, iv, source: 'import', line})
      }
    }
  })
  if (problems.length === 0) problems.push(...gaps(out, file))
  if (problems.length > 0) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : ''
    throw new UserError(`${problems[0]}${more}; nothing imported`)
  }
  return out.map(({line: _line, ...r}) => r)
}

function gaps(rows: (PriceRow & {line: number})[], file: string): string[] {
  const bySymbol = new Map<string, (PriceRow & {line: number})[]>()
  for (const r of rows) bySymbol.set(r.symbol, [...(bySymbol.get(r.symbol) ?? []), r])
  const allDates = [...new Set(rows.map((r) => r.date))].sort()
  const out: string[] = []
  for (const [symbol, list] of bySymbol) {
    list.sort((a, b) => compareText(a.date, b.date))
    const own = new Set(list.map((r) => r.date))
    for (let i = 1; i < list.length; i++) {
      const days = (Date.parse(list[i].date) - Date.parse(list[i - 1].date)) / DAY_MS
      if (days > MAX_GAP_DAYS) out.push(`${file}:${list[i].line}: gap in ${symbol}: no close between ${list[i - 1].date} and ${list[i].date} (${days} days)`)
    }
    const first = list[0].date
    const last = list[list.length - 1].date
    for (const d of allDates) {
      if (d <= first || d >= last || own.has(d)) continue
      const next = list.find((r) => r.date > d)!
      out.push(`${file}:${next.line}: gap in ${symbol}: no close on ${d}, which other symbols in the file have`)
      break
    }
  }
  return out
}

export async function importPricesService(opts: ImportPricesOptions): Promise<ImportPricesResult> {
  writeGate(opts.dbPath) // store/database.ts: the one gate of every write, before any work
  let text: string
  try {
    text = readFileSync(opts.file, 'utf8')
  } catch (error) {
    throw new UserError(`${opts.file}: cannot read the price-history file (${(error as NodeJS.ErrnoException).code})`)
  }
  const {parse} = await import('csv-parse/sync')
  let rows: PriceRow[]
  try {
    rows = parsePriceCsv(text, opts.file, parse as (t: string, o: object) => string[][])
  } catch (error) {
    if (error instanceof UserError) throw error
    throw new UserError(`${opts.file}: not a readable CSV (${(error as Error).message.split('\n')[0]}); nothing imported`)
  }
  if (rows.length === 0) throw new UserError(`${opts.file}: no closes in the file; nothing imported`)
  // New closes change every synced portfolio's VaR inputs: recompute what risk reads, in the same write.
  const history = await openHistory(opts.dbPath)
  try {
    await writeDb(opts.dbPath, (db) => {
      upsertPrices(db, rows)
      try {
        refreshDerived(db, history, opts.config, opts.asOf ?? new Date())
      } catch {
        // e.g. bad var: settings. The closes are stored all the same; the stored figures keep their old
        // inputs key, so risk does not show them as current: it recomputes and reports the problem.
      }
    })
  } finally {
    history.close()
  }
  return {file: opts.file, rows: rows.length, symbols: summarise(rows)}
}

function summarise(rows: PriceRow[]): ImportPricesResult['symbols'] {
  const by = new Map<string, PriceRow[]>()
  for (const r of rows) by.set(r.symbol, [...(by.get(r.symbol) ?? []), r])
  return [...by].sort(([a], [b]) => compareText(a, b)).map(([symbol, list]) => {
    const dates = list.map((r) => r.date).sort()
    return {symbol, days: list.length, from: dates[0], to: dates.at(-1)!, withIv: list.filter((r) => r.iv !== null).length}
  })
}

// ------------------------------------------------------------------------------------- snapshots

/** What the VaR history needs of a daily position snapshot (issue 10's PositionSnapshot). */
export interface SnapshotPoint {
  date: string
  underlying: string
  symbol: string
  instrumentType: string
  markPrice: number | null
  underlyingPrice: number | null
  iv: number | null
}

/**
 * Daily closes from snapshots: per underlying and date, the underlying price recorded (a linear
 * position's own mark when it is its own underlying), and as that day's IV the median IV of its
 * options. Pure.
 */
export function historyFromSnapshots(rows: SnapshotPoint[], symbols: string[]): PriceHistory {
  const wanted = new Set(symbols)
  const acc = new Map<string, Map<string, {price: number | null; ivs: number[]}>>()
  for (const r of rows) {
    if (!wanted.has(r.underlying)) continue
    const byDate = acc.get(r.underlying) ?? new Map()
    acc.set(r.underlying, byDate)
    const day = byDate.get(r.date) ?? {price: null, ivs: []}
    byDate.set(r.date, day)
    const price = r.underlyingPrice ?? (r.symbol === r.underlying ? r.markPrice : null)
    if (day.price === null && price !== null && price > 0) day.price = price
    if (r.instrumentType.endsWith('option') && r.iv !== null && r.iv > 0) day.ivs.push(r.iv)
  }
  const out: PriceHistory = new Map()
  for (const [symbol, byDate] of acc) {
    const points: PricePoint[] = []
    for (const [date, d] of [...byDate].sort(([a], [b]) => compareText(a, b))) {
      if (d.price === null) continue
      const ivs = d.ivs.sort((a, b) => a - b)
      const iv = ivs.length === 0 ? null : ivs.length % 2 ? ivs[(ivs.length - 1) >> 1] : (ivs[ivs.length / 2 - 1] + ivs[ivs.length / 2]) / 2
      points.push({date, close: d.price, iv})
    }
    out.set(symbol, points)
  }
  return out
}

/** Snapshot-based history from the store (issue 10's daily position snapshots), from `from` on. */
export function snapshotHistory(h: History, symbols: string[], from?: string): PriceHistory {
  if (symbols.length === 0) return new Map()
  return historyFromSnapshots(positionSnapshots(h, {from}), symbols)
}

// ---------------------------------------------------------------------------------------- candles

/** A source of daily candles (the TastyTrade adapter's DXLink connection). */
export interface CandleSource {
  unavailable(): string | null
  /** daily closes of each symbol from `fromDate` on; a symbol the feed did not answer is absent */
  dailyCandles(symbols: string[], fromDate: string): Promise<Map<string, PricePoint[]>>
}

/** Fetches daily candles for the symbols and returns rows to store. Feed failures are ExternalErrors. */
export async function candleRows(source: CandleSource, symbols: string[], fromDate: string): Promise<PriceRow[]> {
  const why = source.unavailable()
  if (why) throw new ExternalError(`DXLink candles unavailable: ${why}`)
  const got = await source.dailyCandles(symbols, fromDate)
  const rows: PriceRow[] = []
  for (const [symbol, points] of got) for (const p of points) rows.push({symbol, date: p.date, close: p.close, iv: p.iv, source: 'candle'})
  return rows
}

/** DXLink candles are asked for only when TastyTrade credentials are configured. */
export function candlesConfigured(config: Config, env: NodeJS.ProcessEnv): boolean {
  return Boolean((env.TASTYTRADE_CLIENT_SECRET && env.TASTYTRADE_REFRESH_TOKEN) || config.tastytrade.credentialsFile)
}

/**
 * Rows to store for the held underlyings: from each one's last stored close (refreshing it), or
 * the VaR lookback (in trading days, about 7/5 as many calendar days) when it has none.
 */
export async function refreshCandles(source: CandleSource, underlyings: string[], lastDates: Map<string, string>, lookbackDays: number, asOf: Date): Promise<PriceRow[]> {
  if (underlyings.length === 0) return []
  const start = new Date(asOf.getTime() - Math.ceil((lookbackDays * 7) / 5 + 10) * DAY_MS).toISOString().slice(0, 10)
  const from = underlyings.map((u) => lastDates.get(u) ?? start).sort()[0]
  return candleRows(source, underlyings, from)
}
