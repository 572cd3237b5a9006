/*
 * snapshot: the end-of-day record of the book (per position and per portfolio), written for the trade
 * date each portfolio's market is closing (or last closed). Idempotent per date: taking it again the
 * same day replaces that day's rows. The daemon's eod_evaluation calls the same function.
 *
 * A date in the past is built only from that date's closes, never from today's marks: a close stored
 * for it (price_history: imported history, DXLink daily candles) or a snapshot taken that day. The
 * `snapshot --date` command refuses, naming the prices missing; the daemon catching up missed closes
 * (valuation 'closes_or_late') writes the row anyway with the later price and says so (`late`).
 */
import type {Config} from '../config/config.js'
import {agePositions} from '../containers/aging.js'
import {portfolioRisk} from '../containers/risk.js'
import {toBase} from '../domain/money.js'
import {wholeTotal} from '../domain/sum.js'
import type {Position} from '../domain/types.js'
import {unrealizedPnl} from '../domain/pnl.js'
import {UserError} from '../errors.js'
import {readDb, writeGate, type WriteOptions} from '../store/database.js'
import type {LatePrice} from '../store/daemon.js'
import {writeHistory} from '../store/history.js'
import {loadPriceHistory} from '../store/prices.js'
import {portfolioSnapshots, positionSnapshots, writeSnapshots, type PortfolioSnapshot, type PositionSnapshot} from '../store/snapshots.js'
import {loadCountedBook, type Book, type CountedBook} from './book.js'
import {positionDayPnl, readDayHistoryOn, tradeDayPnl} from './daypnl.js'
import {calendar as defaultCalendar, portfolioMarket, sessionDate, type Calendar} from './calendar-adapter.js'

export interface SnapshotOptions {
  config: Config
  dbPath: string
  asOf: Date
  /** trade date to record (YYYY-MM-DD); default: the session each portfolio's market is closing or last closed */
  date?: string
  /** only these portfolios; default every real and research portfolio that has been synced */
  portfolios?: string[]
  calendar?: Calendar
  write?: WriteOptions
  /**
   * How positions are valued: 'current' = the book as last synced (today's snapshot); 'closes' = the
   * closes stored for `date`, refusing when one is missing; 'closes_or_late' = those closes, else the
   * last price marked late. Default: 'closes' when `date` is before each portfolio's current session
   * and the book was not synced on that date, else 'current'.
   */
  valuation?: 'current' | 'closes' | 'closes_or_late'
  /**
   * A holder the caller keeps across several snapshots of one catch-up (the daemon doing missed ends
   * of day, oldest first): the counted book is read once and reused while nothing but the date
   * changes, i.e. until no live position of it expires by the next date's close. The caller empties
   * it (`book = undefined`) after anything it wrote changes the book (a settlement).
   */
  reuse?: {book?: CountedBookAt; closes?: StoredCloses}
}

/** Closes read from price_history for these symbols from a date on, by `symbol|date`. */
export interface StoredCloses {
  symbols: Set<string>
  from: string
  closes: Map<string, number>
}

/** A counted book and the instant its expiries were judged at. */
export interface CountedBookAt {
  book: Book & {counted: CountedBook}
  expiredBy: Date
}

export interface SnapshotResult {
  asOf: string
  /** one entry per portfolio snapshotted */
  portfolios: (PortfolioSnapshot & {replaced: boolean})[]
  /** portfolios selected but never synced: nothing to record */
  skipped: string[]
  /** position rows written */
  positions: number
  /** positions valued at a price not of the snapshot's date (no close of that date stored): the price used and when it was observed */
  late: LatePrice[]
  /** portfolios whose snapshot of that date, taken that day, was kept rather than rebuilt later */
  kept: string[]
}

export async function snapshotService(opts: SnapshotOptions): Promise<SnapshotResult> {
  writeGate(opts.dbPath) // store/database.ts: the one gate of every write, before any work
  const {config, asOf} = opts
  const cal = opts.calendar ?? defaultCalendar
  if (opts.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(opts.date)) throw new UserError(`--date must be YYYY-MM-DD, got "${opts.date}"`)
  const names = opts.portfolios ?? []
  for (const n of names) if (!config.portfolios.some((p) => p.name === n)) throw new UserError(`unknown portfolio "${n}"; configured: ${config.portfolios.map((p) => p.name).join(', ')}`)
  // The counted book (services/book.ts), aged at the clock: the same positions, paper trades (stock from
  // exercises and assignments included) and expiries as positions, pnl and risk count.
  // What was held at the close of the date recorded (an instant before it): an option expiring that day
  // is in its last day's snapshot, whether the end of day runs on time or late (the daemon catching up
  // on Monday holds Friday's expiring options as Friday's close did). Marks are the clock's, as in every view.
  const closesOfDate = config.portfolios
    .filter((p) => p.kind !== 'whatif' && (names.length === 0 || names.includes(p.name)))
    .map((p) => portfolioMarket(cal, p.currency))
    .map((m) => cal.sessionOn(m, opts.date ?? sessionDate(cal, m, asOf))?.close.getTime() ?? Infinity)
  const expiredBy = new Date(Math.min(asOf.getTime(), ...closesOfDate.map((t) => t - 1)))
  const book = await countedBook(config, opts.dbPath, asOf, expiredBy, opts.reuse)
  const counted = book.counted.portfolios.filter((c) => c.config.kind !== 'whatif' && (names.length === 0 || names.includes(c.config.name)))
  const skipped = counted.filter((c) => !c.bundle.stored?.lastSyncAt).map((c) => c.config.name)
  const ready = counted.filter((c) => c.bundle.stored?.lastSyncAt)
  const benchmark = config.market.benchmark
  const held = book.allPositions.find((p) => p.underlying === benchmark && p.underlyingPrice !== null)
  const benchmarkPrice = held ? toBase(held.underlyingPrice, held.currency, config.fxRates) : book.counted.quotes.get(benchmark) ?? null
  const takenAt = asOf.toISOString()

  const plan = ready.map((c) => {
    const b = c.bundle
    const market = portfolioMarket(cal, c.config.currency)
    const date = opts.date ?? sessionDate(cal, market, asOf)
    const syncedOn = b.stored?.lastSyncAt ? cal.localDate(market, new Date(b.stored.lastSyncAt)) : null
    const valuation = opts.valuation ?? (date < sessionDate(cal, market, asOf) && syncedOn !== date ? 'closes' : 'current')
    return {bundle: b, counted: c, date, market, valuation}
  })
  // Closes stored for the dates valued at their closes (one read of the main file).
  const pastDates = [...new Set(plan.filter((i) => i.valuation !== 'current').map((i) => i.date))]
  const closes = new Map<string, number>()
  if (pastDates.length > 0) {
    const symbols = [...new Set(plan.filter((i) => i.valuation !== 'current').flatMap((i) => i.bundle.positions.flatMap((p) => [p.symbol, p.underlying])))]
    const from = pastDates.reduce((a, b) => (a < b ? a : b))
    // A catch-up (oldest date first) reads them once: the holder's read covers every later date.
    const held = opts.reuse?.closes
    let stored: Map<string, number>
    if (held && held.from <= from && symbols.every((s) => held.symbols.has(s))) stored = held.closes
    else {
      stored = new Map()
      await readDb(opts.dbPath, (db) => {
        for (const [symbol, points] of loadPriceHistory(db, symbols, from)) for (const pt of points) stored.set(`${symbol}|${pt.date}`, pt.close)
      })
      if (opts.reuse) opts.reuse.closes = {symbols: new Set(symbols), from, closes: stored}
    }
    for (const [key, close] of stored) if (pastDates.includes(key.slice(key.lastIndexOf('|') + 1))) closes.set(key, close)
  }
  // Only the history files of the dates' years are written (store/history.ts); the main database is only read.
  const years = [...new Set(plan.map((i) => Number(i.date.slice(0, 4))))]
  return writeHistory(
    opts.dbPath,
    years,
    (h) => {
      const out: SnapshotResult = {asOf: takenAt, portfolios: [], skipped, positions: 0, late: [], kept: []}
      const missing: string[] = []
      const byDate = new Map<string, typeof plan>()
      for (const item of plan) byDate.set(item.date, [...(byDate.get(item.date) ?? []), item])
      for (const [date, items] of byDate) {
        const existing = new Set(portfolioSnapshots(h, {from: date, to: date}).map((r) => r.portfolio))
        const dayHistory = readDayHistoryOn(h, items.map((i) => i.bundle.config.name), [date])
        const positions: PositionSnapshot[] = []
        const portfolios: PortfolioSnapshot[] = []
        // Snapshots of this date taken on this date: closes as the book saw them then.
        const takenThen = new Map<string, PositionSnapshot>()
        const keptThen = new Set<string>()
        for (const r of positionSnapshots(h, {from: date, to: date})) if (cal.localDate(portfolioMarket(cal, r.currency), new Date(r.takenAt)) === date) takenThen.set(`${r.portfolio}\u0000${r.symbol}`, r)
        for (const r of portfolioSnapshots(h, {from: date, to: date})) if (cal.localDate(portfolioMarket(cal, r.currency), new Date(r.takenAt)) === date) keptThen.add(r.portfolio)
        for (let {bundle, counted: c, valuation, market} of items) {
          const name = bundle.config.name
          if (valuation === 'closes_or_late' && keptThen.has(name)) {
            out.kept.push(name)
            continue
          }
          const valued = valuation === 'current' ? bundle.positions : bundle.positions.map((p) => atClose(p, date, (at) => cal.localDate(market, at), closes, takenThen.get(`${name}\u0000${p.symbol}`), bundle.stored?.lastSyncAt ?? null, (why) => {
            if (valuation === 'closes') missing.push(`${name} ${why}`)
            else out.late.push({portfolio: name, symbol: p.symbol, price: p.markPrice, observedAt: p.markAsOf ?? bundle.stored?.lastSyncAt ?? null})
          }))
          const valuedOf = new Map(bundle.positions.map((p, i) => [p, valued[i]]))
          bundle = {...bundle, positions: valued}
          const risk = portfolioRisk(bundle, {betas: config.market.betas, benchmarkPrice, fxRates: config.fxRates})
          // Position rows are the broker's live positions (a paper trade of a held contract would collide with it),
          // valued like the rest; the portfolio row sums the whole counted book.
          const brokerLive = c.held.filter((p) => !p.expired).map((p) => valuedOf.get(p) ?? p)
          const rows = brokerLive.map((p) => positionSnapshot(p, date, takenAt))
          // The same day P&L as `pnl` and `positions` show (domain/daypnl.ts), for this trade date.
          const day = wholeTotal([
            ...brokerLive.map((p) => positionDayPnl(p, dayHistory, book.entryGreeks.get(`${name}\u0000${p.symbol}`) ?? null, asOf, date).dayPnl),
            ...c.paper.filter((x) => !x.position.expired).map((x) => tradeDayPnl(x.position, x.trade, asOf).dayPnl),
          ])
          positions.push(...rows)
          portfolios.push({
            date, portfolio: name, currency: bundle.config.currency, equity: risk.equity, cash: risk.cash, delta: risk.delta, betaWeightedDelta: risk.betaWeightedDelta,
            gamma: risk.gamma, theta: risk.theta, vega: risk.vega, unrealizedPnl: risk.unrealizedPnl, dayPnl: day.value, positions: bundle.positions.length,
            missing: Math.max(risk.missingGreeks, risk.missingPnl), takenAt,
          })
        }
        if (missing.length > 0)
          throw new UserError(`snapshot --date ${date} is built only from the closes of ${date}, and these are not stored: ${missing.join('; ')}. Import them (cotrader prices import) or take the snapshot on the day; today's marks are never written as an earlier day's close`)
        if (portfolios.length === 0) continue
        writeSnapshots(h, date, positions, portfolios)
        out.positions += positions.length
        out.portfolios.push(...portfolios.map((p) => ({...p, replaced: existing.has(p.portfolio)})))
      }
      out.portfolios.sort((a, b) => a.portfolio.localeCompare(b.portfolio))
      return out
    },
    opts.write,
  )
}

/**
 * The counted book at `expiredBy`: the one the caller holds when it was read for an instant no later
 * and none of its live positions (broker, pending, paper) expires between the two (their expired flags
 * would be the same), else read again (and held).
 */
async function countedBook(config: Config, dbPath: string, asOf: Date, expiredBy: Date, reuse: SnapshotOptions['reuse']): Promise<CountedBookAt['book']> {
  const held = reuse?.book
  if (held && held.expiredBy.getTime() <= expiredBy.getTime()) {
    const live = held.book.counted.portfolios.flatMap((c) => c.bundle.positions)
    const market = () => ({rate: 0, dividend: 0})
    if (agePositions(live, {asOf: expiredBy, revalue: false, market}).expired.length === 0) return held.book
  }
  const book = await loadCountedBook(config, dbPath, undefined, {asOf, expiredBy})
  if (reuse) reuse.book = {book, expiredBy}
  return book
}

export function positionSnapshot(p: Position, date: string, takenAt: string): PositionSnapshot {
  return {
    date, portfolio: p.portfolio, symbol: p.symbol, underlying: p.underlying, instrumentType: p.instrumentType, quantity: p.quantity, multiplier: p.multiplier,
    currency: p.currency, ...(p.option ? {option: p.option} : {}), entryPrice: p.entryPrice, markPrice: p.markPrice, underlyingPrice: p.underlyingPrice,
    iv: p.iv, greeks: p.greeks, unrealizedPnl: unrealizedPnl(p), takenAt,
  }
}

/**
 * A position valued at the close of `date`: its own close and its underlying's stored for that date
 * (or in a snapshot taken that day); else, when its prices were observed on that date, as they are.
 * Otherwise `late(why)` is called and the position is returned unchanged (the caller refuses or marks it).
 */
function atClose(p: Position, date: string, localDate: (at: Date) => string, closes: Map<string, number>, then: PositionSnapshot | undefined, lastSyncAt: string | null, late: (why: string) => void): Position {
  const observed = p.markAsOf ?? lastSyncAt
  if (observed && localDate(new Date(observed)) === date) return p
  const mark = closes.get(`${p.symbol}|${date}`) ?? then?.markPrice ?? null
  const under = p.underlying === p.symbol ? mark : closes.get(`${p.underlying}|${date}`) ?? then?.underlyingPrice ?? null
  if (mark === null || (p.option && under === null)) {
    late(`${p.symbol} (no close of ${mark === null ? p.symbol : p.underlying} on ${date})`)
    return p
  }
  return {...p, markPrice: mark, underlyingPrice: under ?? p.underlyingPrice, markAsOf: `${date}T23:59:59.000Z`, markSource: 'previous_close'}
}
