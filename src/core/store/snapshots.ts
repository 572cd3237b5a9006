/*
 * Daily snapshots: one row per position per date per portfolio, plus one per portfolio. The history
 * that day P&L, attribution and VaR read. Taking a snapshot again on the same date replaces that date.
 *
 * Why the position rows are packed: sql.js loads and saves the whole file on every command, so history
 * size is start-up time. 10 years × 252 days × 200 positions is ~500k rows; as plain SQL rows (a REAL per
 * number, text keys) that is ~60 MB. Here one SQL row holds one portfolio-day: every position as
 * [instrument id, flags, zig-zag varints of scaled integers], static fields (symbol, type, multiplier,
 * option terms) once in `snapshot_instruments`, and each day's distinct underlying prices once. Measured
 * in bench/daemon.mjs: ~32 bytes per position-day.
 *
 * Where: one file per calendar year (store/history.ts); the functions here take a History and open the
 * years a query needs, so callers never deal with files. Inside one year file the layout is as below.
 *
 * Precision: quantity, entry, mark and underlying prices and unrealized P&L round-trip exactly (a decimal
 * with up to 6 places is packed as one, anything else is kept as a float64); IV and per-unit Greeks are stored to fixed
 * decimals: IV, delta, theta, vega, rho to 1e-6, gamma to 1e-7 (per unit).
 */
import {unrealizedPnl} from '../domain/pnl.js'
import type {ExerciseStyle, InstrumentType, OptionRight, UnitGreeks} from '../domain/types.js'
import type {Db} from './database.js'
import type {History} from './history.js'
import {compareText} from '../domain/text.js'

export interface PositionSnapshot {
  /** trade date the snapshot closes, YYYY-MM-DD (exchange-local) */
  date: string
  portfolio: string
  symbol: string
  underlying: string
  instrumentType: InstrumentType
  /** signed: + long, − short; contracts or shares */
  quantity: number
  /** money per 1.00 of price per contract */
  multiplier: number
  currency: string
  option?: {expiry: string; strike: number; right: OptionRight; style: ExerciseStyle}
  /** per unit, row currency */
  entryPrice: number | null
  markPrice: number | null
  underlyingPrice: number | null
  /** fraction, 0.25 = 25 % */
  iv: number | null
  /** per unit (see domain/types.ts units) */
  greeks: UnitGreeks | null
  /** position total, row currency */
  unrealizedPnl: number | null
  /** ISO instant the snapshot was taken */
  takenAt: string
}

export interface PortfolioSnapshot {
  date: string
  portfolio: string
  currency: string
  /** money in `currency`; null = unknown */
  equity: number | null
  cash: number | null
  /** position totals: delta in shares of the underlyings, gamma per 1.00, theta per day, vega per vol point */
  delta: number | null
  /** benchmark shares */
  betaWeightedDelta: number | null
  gamma: number | null
  theta: number | null
  vega: number | null
  unrealizedPnl: number | null
  /** change in value since the previous snapshot, money (see services/snapshot.ts) */
  dayPnl: number | null
  positions: number
  /** positions whose Greeks or P&L were unknown and are left out of the sums */
  missing: number
  takenAt: string
}

export interface SnapshotQuery {
  portfolios?: string[]
  /** inclusive, YYYY-MM-DD */
  from?: string
  /** inclusive, YYYY-MM-DD */
  to?: string
}

// ------------------------------------------------------------------------------------------ write

/**
 * Replaces the snapshots of `date` for every portfolio named in `positions` or `portfolios` (a portfolio
 * snapshot with no position rows means "no positions that day"). Run inside writeHistory with the year
 * of `date`.
 */
export function writeSnapshots(h: History, date: string, positions: PositionSnapshot[], portfolios: PortfolioSnapshot[]): void {
  checkDate(date)
  const db = h.writable(yearOf(date))
  const byPortfolio = new Map<string, PositionSnapshot[]>()
  for (const p of portfolios) byPortfolio.set(p.portfolio, [])
  for (const p of positions) {
    if (p.date !== date) throw new TypeError(`position snapshot of ${p.portfolio} ${p.symbol} is dated ${p.date}, not ${date}`)
    const list = byPortfolio.get(p.portfolio)
    if (list) list.push(p)
    else byPortfolio.set(p.portfolio, [p])
  }
  const ids = instrumentIds()
  for (const [portfolio, list] of byPortfolio) {
    const takenAt = portfolios.find((p) => p.portfolio === portfolio)?.takenAt ?? list[0]?.takenAt
    if (!takenAt) throw new TypeError(`snapshot of ${portfolio} has no takenAt`)
    const items = list.map((p) => ({p, id: ids.idOf(db, p)}))
    noteHoldings(db, portfolio, items, date)
    const month = readMonth(db, portfolio, date.slice(0, 7))
    month.set(date, {date, portfolio, takenAt, data: encode(items)})
    writeMonth(db, portfolio, date.slice(0, 7), month)
  }
  for (const s of portfolios) {
    if (s.date !== date) throw new TypeError(`portfolio snapshot of ${s.portfolio} is dated ${s.date}, not ${date}`)
    db.run(
      `INSERT OR REPLACE INTO portfolio_snapshots (date, portfolio, currency, equity, cash, delta, beta_weighted_delta, gamma, theta, vega, unrealized_pnl, day_pnl, positions, missing, taken_at)
       VALUES (:date, :portfolio, :currency, :equity, :cash, :delta, :betaWeightedDelta, :gamma, :theta, :vega, :unrealizedPnl, :dayPnl, :positions, :missing, :takenAt)`,
      {...s},
    )
  }
}

function noteHoldings(db: Db, portfolio: string, items: {id: number}[], date: string): void {
  for (const {id} of items)
    db.run(
      `INSERT INTO snapshot_holdings (portfolio, instrument_id, first_date, last_date) VALUES (:portfolio, :id, :date, :date)
       ON CONFLICT(portfolio, instrument_id) DO UPDATE SET first_date = min(first_date, excluded.first_date), last_date = max(last_date, excluded.last_date)`,
      {portfolio, id, date},
    )
}

const yearOf = (date: string): number => Number(date.slice(0, 4))

/** The years of `h` a date range touches, ascending. */
function yearsIn(h: History, q: {from?: string; to?: string}): number[] {
  const from = q.from ? yearOf(q.from) : -Infinity
  const to = q.to ? yearOf(q.to) : Infinity
  return h.years().filter((y) => y >= from && y <= to)
}

// ------------------------------------------------------------------------------------------- read

export function positionSnapshots(h: History, q: SnapshotQuery = {}): PositionSnapshot[] {
  return yearsIn(h, q).flatMap((y) => {
    const db = h.year(y)
    if (!db) return []
    const instruments = loadInstruments(db)
    return [...days(db, {...q, newestFirst: false})].flatMap((d) => decodeDay(d, instruments))
  })
}

export function portfolioSnapshots(h: History, q: SnapshotQuery = {}): PortfolioSnapshot[] {
  const want = q.portfolios ? new Set(q.portfolios) : undefined
  return yearsIn(h, q).flatMap((y) =>
    (h.year(y)?.all<Record<string, any>>(
      `SELECT * FROM portfolio_snapshots WHERE (:from IS NULL OR date >= :from) AND (:to IS NULL OR date <= :to) ORDER BY date, portfolio`,
      {from: q.from ?? null, to: q.to ?? null},
    ) ?? [])
      .filter((r) => !want || want.has(r.portfolio))
      .map((r) => ({
        date: r.date, portfolio: r.portfolio, currency: r.currency, equity: r.equity, cash: r.cash, delta: r.delta, betaWeightedDelta: r.beta_weighted_delta,
        gamma: r.gamma, theta: r.theta, vega: r.vega, unrealizedPnl: r.unrealized_pnl, dayPnl: r.day_pnl, positions: r.positions, missing: r.missing, takenAt: r.taken_at,
      })),
  )
}

/**
 * Each position's latest row dated before `date` (per portfolio and symbol), including positions closed
 * since. Year files are read newest first from `date`'s year; a portfolio is complete with the first
 * (newest) year in which it has position rows before `date`: so on January 2 the lookback reaches into
 * December's file, and positions closed in an earlier calendar year than that are not returned (finding
 * them would mean opening every year of the history on every day-P&L read). Without `portfolios`,
 * every portfolio in the history is looked up, which may open every year.
 */
export function lastPositionSnapshotsBefore(h: History, date: string, portfolios?: string[]): PositionSnapshot[] {
  checkDate(date)
  const want = portfolios ? new Set(portfolios) : undefined
  const done = new Set<string>()
  const out: PositionSnapshot[] = []
  for (const y of h.years().filter((y) => y <= yearOf(date)).reverse()) {
    const db = h.year(y)
    if (!db) continue
    for (const [portfolio, rows] of lastBeforeIn(db, date, (p) => (!want || want.has(p)) && !done.has(p))) {
      done.add(portfolio)
      out.push(...rows)
    }
    if (want && [...want].every((p) => done.has(p))) break
  }
  return out.sort((a, b) => compareText(a.portfolio, b.portfolio))
}

/**
 * lastPositionSnapshotsBefore inside one year file: walks each accepted portfolio's days newest first
 * and stops once every instrument it held before `date` (snapshot_holdings) has been found.
 */
function lastBeforeIn(db: Db, date: string, accept: (portfolio: string) => boolean): Map<string, PositionSnapshot[]> {
  const instruments = loadInstruments(db)
  const held = new Map<string, {symbol: string; lastDate: string}[]>()
  for (const h of db.all<{portfolio: string; instrument_id: number; last_date: string}>('SELECT portfolio, instrument_id, last_date FROM snapshot_holdings WHERE first_date < :date', {date})) {
    if (!accept(h.portfolio)) continue
    const symbol = instruments.get(h.instrument_id)?.symbol
    if (symbol !== undefined) held.set(h.portfolio, [...(held.get(h.portfolio) ?? []), {symbol, lastDate: h.last_date}])
  }
  const out = new Map<string, PositionSnapshot[]>()
  for (const [portfolio, list] of [...held].sort((a, b) => compareText(a[0], b[0]))) {
    const found = new Map<string, PositionSnapshot>()
    const take = (day: DayBlob | undefined) => {
      if (day) for (const s of decodeDay(day, instruments)) if (!found.has(s.symbol)) found.set(s.symbol, s)
    }
    const missing = (l: typeof list) => l.filter((h) => !found.has(h.symbol))
    // 1. Held on or after `date`: their row is on the newest days before it (usually the very last one).
    const open = list.filter((h) => h.lastDate >= date)
    if (open.length > 0)
      for (const day of days(db, {portfolios: [portfolio], before: date, newestFirst: true})) {
        take(day)
        if (missing(open).length === 0) break
      }
    // 2. Closed before `date`: their last day is known; read those days only, newest first.
    const months = new Map<string, Map<string, DayBlob>>()
    for (const lastDate of [...new Set(missing(list).map((h) => h.lastDate))].sort().reverse()) {
      const month = lastDate.slice(0, 7)
      if (!months.has(month)) months.set(month, readMonth(db, portfolio, month))
      take(months.get(month)!.get(lastDate))
    }
    // 3. Anything not where snapshot_holdings said (a day retaken without it): walk everything.
    if (missing(list).length > 0)
      for (const day of days(db, {portfolios: [portfolio], before: date, newestFirst: true})) {
        take(day)
        if (missing(list).length === 0) break
      }
    out.set(portfolio, [...found.values()])
  }
  return out
}

/** Dates with a portfolio snapshot, per portfolio (for "exactly one per day" checks and history views). */
export function snapshotDates(h: History, portfolio: string): string[] {
  return h.years().flatMap((y) => h.year(y)?.all<{date: string}>('SELECT date FROM portfolio_snapshots WHERE portfolio = :portfolio ORDER BY date', {portfolio}).map((r) => r.date) ?? [])
}

// ------------------------------------------------------------------------- snapshots from the main file

/** Years with snapshots in a main database from before the per-year files (migration 2's tables); [] when it has none. */
export function legacyYears(main: Db): number[] {
  if (!main.get("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'position_snapshots'")) return []
  return main
    .all<{y: string}>('SELECT substr(month, 1, 4) AS y FROM position_snapshots UNION SELECT substr(date, 1, 4) AS y FROM portfolio_snapshots ORDER BY y')
    .map((r) => Number(r.y))
}

/**
 * Copy one year of a main file's snapshots into that year's file. Days (and portfolio rows) the year file
 * already has are left as they are: they were copied by an interrupted earlier move, or taken since.
 * Instrument ids are per file, so each day is decoded and packed again (lossless: the stored values
 * re-encode to themselves).
 */
export function copyLegacyYear(main: Db, to: Db, year: number): void {
  const instruments = loadInstruments(main)
  const ids = instrumentIds()
  const y = String(year)
  for (const {portfolio, month} of main.all<{portfolio: string; month: string}>('SELECT portfolio, month FROM position_snapshots WHERE substr(month, 1, 4) = :y ORDER BY month, portfolio', {y})) {
    const have = readMonth(to, portfolio, month)
    let added = 0
    for (const d of readMonth(main, portfolio, month).values()) {
      if (have.has(d.date)) continue
      const items = decodeDay(d, instruments).map((p) => ({p, id: ids.idOf(to, p)}))
      noteHoldings(to, portfolio, items, d.date)
      have.set(d.date, {...d, data: encode(items)})
      added++
    }
    if (added > 0) writeMonth(to, portfolio, month, have)
  }
  for (const r of main.all<Record<string, unknown>>('SELECT * FROM portfolio_snapshots WHERE substr(date, 1, 4) = :y', {y}))
    to.run(
      `INSERT OR IGNORE INTO portfolio_snapshots (date, portfolio, currency, equity, cash, delta, beta_weighted_delta, gamma, theta, vega, unrealized_pnl, day_pnl, positions, missing, taken_at)
       VALUES (:date, :portfolio, :currency, :equity, :cash, :delta, :beta_weighted_delta, :gamma, :theta, :vega, :unrealized_pnl, :day_pnl, :positions, :missing, :taken_at)`,
      r,
    )
}

// ----------------------------------------------------------------------------------- instruments

interface Instrument {
  symbol: string
  underlying: string
  instrumentType: InstrumentType
  multiplier: number
  currency: string
  option?: PositionSnapshot['option']
}

function instrumentIds() {
  const cache = new Map<string, number>()
  return {
    idOf(db2: Db, p: PositionSnapshot): number {
      const key = `${p.symbol}\u0000${p.instrumentType}\u0000${p.multiplier}\u0000${p.currency}\u0000${p.underlying}`
      const cached = cache.get(key)
      if (cached !== undefined) return cached
      const params = {symbol: p.symbol, type: p.instrumentType, multiplier: p.multiplier, currency: p.currency, underlying: p.underlying}
      let row = db2.get<{id: number}>(
        'SELECT id FROM snapshot_instruments WHERE symbol = :symbol AND instrument_type = :type AND multiplier = :multiplier AND currency = :currency AND underlying = :underlying',
        params,
      )
      if (!row) {
        db2.run(
          `INSERT INTO snapshot_instruments (symbol, underlying, instrument_type, multiplier, currency, expiry, strike, option_right, style)
           VALUES (:symbol, :underlying, :type, :multiplier, :currency, :expiry, :strike, :right, :style)`,
          {...params, expiry: p.option?.expiry ?? null, strike: p.option?.strike ?? null, right: p.option?.right ?? null, style: p.option?.style ?? null},
        )
        row = {id: db2.lastInsertId()}
      }
      cache.set(key, row.id)
      return row.id
    },
  }
}

function loadInstruments(db: Db): Map<number, Instrument> {
  const out = new Map<number, Instrument>()
  for (const r of db.all<Record<string, any>>('SELECT * FROM snapshot_instruments')) {
    out.set(r.id, {
      symbol: r.symbol, underlying: r.underlying, instrumentType: r.instrument_type, multiplier: r.multiplier, currency: r.currency,
      ...(r.expiry ? {option: {expiry: r.expiry, strike: r.strike, right: r.option_right, style: r.style}} : {}),
    })
  }
  return out
}

// ----------------------------------------------------------------------------------------- codec

/** One portfolio's packed positions of one day. */
interface DayBlob {
  date: string
  portfolio: string
  takenAt: string
  data: Uint8Array
}

const MONTH_FORMAT = 1

/** The days stored in one month row, by date (inflated and split, not yet decoded). */
function readMonth(db: Db, portfolio: string, month: string): Map<string, DayBlob> {
  const row = db.get<{data: Uint8Array}>('SELECT data FROM position_snapshots WHERE portfolio = :portfolio AND month = :month', {portfolio, month})
  return row ? splitMonth(portfolio, month, row.data) : new Map()
}

function splitMonth(portfolio: string, month: string, packed: Uint8Array): Map<string, DayBlob> {
  const bytes = process.getBuiltinModule('node:zlib').inflateRawSync(packed) // loaded on first use: most reads have no snapshot
  const r = new Reader(bytes)
  const format = r.uint()
  if (format !== MONTH_FORMAT) throw new Error(`position snapshots of ${portfolio} ${month} are in format ${format}, which this cotrader cannot read`)
  const out = new Map<string, DayBlob>()
  for (let n = r.uint(); n > 0; n--) {
    const date = `${month}-${String(r.uint()).padStart(2, '0')}`
    const takenAt = new Date(r.uint()).toISOString()
    const len = r.uint()
    out.set(date, {date, portfolio, takenAt, data: r.take(len)})
  }
  return out
}

function writeMonth(db: Db, portfolio: string, month: string, days: Map<string, DayBlob>): void {
  const w = new Writer()
  w.uint(MONTH_FORMAT)
  const list = [...days.values()].sort((a, b) => compareText(a.date, b.date))
  w.uint(list.length)
  for (const d of list) {
    w.uint(Number(d.date.slice(8, 10)))
    w.uint(Date.parse(d.takenAt))
    w.uint(d.data.length)
    w.raw(d.data)
  }
  const data = process.getBuiltinModule('node:zlib').deflateRawSync(w.bytes(), {level: 6})
  db.run(
    `INSERT INTO position_snapshots (portfolio, month, days, data) VALUES (:portfolio, :month, :days, :data)
     ON CONFLICT(portfolio, month) DO UPDATE SET days = excluded.days, data = excluded.data`,
    {portfolio, month, days: list.length, data},
  )
}

/** Stored days, filtered by portfolio and date, oldest (or newest) first. */
function* days(db: Db, q: SnapshotQuery & {before?: string; newestFirst: boolean}): Generator<DayBlob> {
  const want = q.portfolios ? new Set(q.portfolios) : undefined
  const rows = db.all<{portfolio: string; month: string}>(
    `SELECT portfolio, month FROM position_snapshots
     WHERE (:from IS NULL OR month >= :from) AND (:to IS NULL OR month <= :to) AND (:before IS NULL OR month <= :before)
     ORDER BY month ${q.newestFirst ? 'DESC' : 'ASC'}, portfolio`,
    {from: q.from?.slice(0, 7) ?? null, to: q.to?.slice(0, 7) ?? null, before: q.before?.slice(0, 7) ?? null},
  )
  for (const {portfolio, month} of rows) {
    if (want && !want.has(portfolio)) continue
    const list = [...readMonth(db, portfolio, month).values()]
    if (q.newestFirst) list.reverse()
    for (const d of list) {
      if ((q.from && d.date < q.from) || (q.to && d.date > q.to) || (q.before && d.date >= q.before)) continue
      yield d
    }
  }
}

const FORMAT = 1
/** Scales of the lossy fields (IV and per-unit Greeks): value = integer / scale. */
const GREEK_SCALE = {delta: 1e6, gamma: 1e7, theta: 1e6, vega: 1e6, rho: 1e6} as const
const IV_SCALE = 1e6

// Field kinds in the per-position flags (2 bits each): 0 null, 1 varint, 2 float64.
const NULL = 0
const VARINT = 1
const FLOAT = 2
// Flag layout: qty, entry, mark, underlying (index into the day's price list), iv, greeks (all or none), pnl.
// pnl kind 3 = "equals (mark − entry) × quantity × multiplier", so it is not stored.
const DERIVED = 3

class Writer {
  private buf = new Uint8Array(256)
  private len = 0
  private ensure(n: number) {
    if (this.len + n <= this.buf.length) return
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n))
    next.set(this.buf.subarray(0, this.len))
    this.buf = next
  }
  /** unsigned LEB128 of a non-negative safe integer (arithmetic, not bitwise: values exceed 32 bits) */
  uint(v: number) {
    this.ensure(8)
    while (v >= 0x80) {
      this.buf[this.len++] = (v % 0x80) | 0x80
      v = Math.floor(v / 0x80)
    }
    this.buf[this.len++] = v
  }
  int(v: number) {
    this.uint(v >= 0 ? v * 2 : -v * 2 - 1)
  }
  float(v: number) {
    this.ensure(8)
    new DataView(this.buf.buffer, this.buf.byteOffset + this.len, 8).setFloat64(0, v, true)
    this.len += 8
  }
  raw(bytes: Uint8Array) {
    this.ensure(bytes.length)
    this.buf.set(bytes, this.len)
    this.len += bytes.length
  }
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.len)
  }
}

class Reader {
  private pos = 0
  private readonly view: DataView
  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  }
  uint(): number {
    let v = 0
    let mul = 1
    for (;;) {
      const b = this.buf[this.pos++]
      if (b === undefined) throw new Error('snapshot data is truncated')
      v += (b & 0x7f) * mul
      if (b < 0x80) return v
      mul *= 0x80
    }
  }
  int(): number {
    const z = this.uint()
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2
  }
  take(n: number): Uint8Array {
    if (this.pos + n > this.buf.length) throw new Error('snapshot data is truncated')
    const out = this.buf.subarray(this.pos, this.pos + n)
    this.pos += n
    return out
  }
  float(): number {
    const v = this.view.getFloat64(this.pos, true)
    this.pos += 8
    return v
  }
}

const MAX_SCALED = Number.MAX_SAFE_INTEGER / 64

/**
 * Lossless numbers as a decimal: zig-zag(mantissa) × 8 + d, value = mantissa / 10^d for d in 0..6,
 * the smallest d that reproduces the value exactly (5.05 → 505, d 2: two bytes). A value that no d up
 * to 6 reproduces is kept as a float64.
 */
function exactKind(v: number | null): number {
  if (v === null) return NULL
  return decimalsOf(v) >= 0 ? VARINT : FLOAT
}

const POW10 = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000]

function decimalsOf(v: number): number {
  for (let d = 0; d <= 6; d++) {
    const n = Math.round(v * POW10[d])
    if (Math.abs(n) >= MAX_SCALED) return -1
    if (n / POW10[d] === v) return d
  }
  return -1
}

function writeExact(w: Writer, kind: number, v: number | null) {
  if (kind === VARINT) {
    const d = decimalsOf(v!)
    const n = Math.round(v! * POW10[d])
    w.uint((n >= 0 ? n * 2 : -n * 2 - 1) * 8 + d)
  } else if (kind === FLOAT) w.float(v!)
}

function readExact(r: Reader, kind: number): number | null {
  if (kind === VARINT) {
    const u = r.uint()
    const d = u % 8
    const z = (u - d) / 8
    const n = z % 2 === 0 ? z / 2 : -(z + 1) / 2
    return n / POW10[d]
  }
  if (kind === FLOAT) return r.float()
  return null
}

function lossyKind(v: number | null, scale: number): number {
  if (v === null) return NULL
  return Number.isFinite(v) && Math.abs(v * scale) < MAX_SCALED ? VARINT : FLOAT
}

function writeLossy(w: Writer, kind: number, v: number | null, scale: number) {
  if (kind === VARINT) w.int(Math.round(v! * scale))
  else if (kind === FLOAT) w.float(v!)
}

function readLossy(r: Reader, kind: number, scale: number): number | null {
  if (kind === VARINT) return r.int() / scale
  if (kind === FLOAT) return r.float()
  return null
}

const GREEKS = ['delta', 'gamma', 'theta', 'vega', 'rho'] as const

function encode(items: {p: PositionSnapshot; id: number}[]): Uint8Array {
  const w = new Writer()
  w.uint(FORMAT)
  // The day's distinct underlying prices, once: positions of one underlying share theirs.
  const prices: number[] = []
  const priceIndex = new Map<number, number>()
  for (const {p} of items) {
    if (p.underlyingPrice !== null && !priceIndex.has(p.underlyingPrice)) {
      priceIndex.set(p.underlyingPrice, prices.length)
      prices.push(p.underlyingPrice)
    }
  }
  w.uint(prices.length)
  for (const v of prices) {
    const k = exactKind(v)
    w.uint(k)
    writeExact(w, k, v)
  }
  w.uint(items.length)
  for (const {p, id} of items) {
    const kq = exactKind(p.quantity)
    const ke = exactKind(p.entryPrice)
    const km = exactKind(p.markPrice)
    const ku = p.underlyingPrice === null ? NULL : VARINT
    const ki = lossyKind(p.iv, IV_SCALE)
    const kg = p.greeks === null ? NULL : GREEKS.every((g) => lossyKind(p.greeks![g], GREEK_SCALE[g]) === VARINT) ? VARINT : FLOAT
    const derived = unrealizedPnl(p)
    const kp = p.unrealizedPnl === null ? NULL : derived !== null && derived === p.unrealizedPnl ? DERIVED : exactKind(p.unrealizedPnl)
    w.uint(id)
    w.uint(kq | (ke << 2) | (km << 4) | (ku << 6) | (ki << 8) | (kg << 10) | (kp << 12))
    writeExact(w, kq, p.quantity)
    writeExact(w, ke, p.entryPrice)
    writeExact(w, km, p.markPrice)
    if (ku === VARINT) w.uint(priceIndex.get(p.underlyingPrice!)!)
    writeLossy(w, ki, p.iv, IV_SCALE)
    if (kg === VARINT) for (const g of GREEKS) w.int(Math.round(p.greeks![g] * GREEK_SCALE[g]))
    else if (kg === FLOAT) for (const g of GREEKS) w.float(p.greeks![g])
    if (kp !== DERIVED) writeExact(w, kp, p.unrealizedPnl)
  }
  return w.bytes()
}

function decodeDay(row: DayBlob, instruments: Map<number, Instrument>): PositionSnapshot[] {
  const r = new Reader(row.data)
  const format = r.uint()
  if (format !== FORMAT) throw new Error(`snapshot of ${row.portfolio} ${row.date} is in format ${format}, which this cotrader cannot read`)
  const prices: number[] = []
  for (let n = r.uint(); n > 0; n--) prices.push(readExact(r, r.uint())!)
  const out: PositionSnapshot[] = []
  for (let n = r.uint(); n > 0; n--) {
    const id = r.uint()
    const flags = r.uint()
    const kind = (shift: number) => (flags >> shift) & 3
    const inst = instruments.get(id)
    if (!inst) throw new Error(`snapshot of ${row.portfolio} ${row.date} names instrument ${id}, which is not stored`)
    const quantity = readExact(r, kind(0))!
    const entryPrice = readExact(r, kind(2))
    const markPrice = readExact(r, kind(4))
    const underlyingPrice = kind(6) === VARINT ? prices[r.uint()] : null
    const iv = readLossy(r, kind(8), IV_SCALE)
    let greeks: UnitGreeks | null = null
    if (kind(10) === VARINT) greeks = {delta: r.int() / GREEK_SCALE.delta, gamma: r.int() / GREEK_SCALE.gamma, theta: r.int() / GREEK_SCALE.theta, vega: r.int() / GREEK_SCALE.vega, rho: r.int() / GREEK_SCALE.rho}
    else if (kind(10) === FLOAT) greeks = {delta: r.float(), gamma: r.float(), theta: r.float(), vega: r.float(), rho: r.float()}
    const kp = kind(12)
    const base = {quantity, multiplier: inst.multiplier, entryPrice, markPrice}
    const pnl = kp === DERIVED ? unrealizedPnl(base) : readExact(r, kp)
    out.push({
      date: row.date, portfolio: row.portfolio, symbol: inst.symbol, underlying: inst.underlying, instrumentType: inst.instrumentType,
      quantity, multiplier: inst.multiplier, currency: inst.currency, ...(inst.option ? {option: inst.option} : {}),
      entryPrice, markPrice, underlyingPrice, iv, greeks, unrealizedPnl: pnl, takenAt: row.takenAt,
    })
  }
  return out
}

function checkDate(date: string): void {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new TypeError(`snapshot date must be YYYY-MM-DD, got ${JSON.stringify(date)}`)
}
