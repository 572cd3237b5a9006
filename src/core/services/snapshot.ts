/*
 * snapshot: the end-of-day record of the book (per position and per portfolio), written for the trade
 * date each portfolio's market is closing (or last closed). Idempotent per date: taking it again the
 * same day replaces that day's rows. The daemon's eod_evaluation calls the same function.
 */
import type {Config} from '../config/config.js'
import {portfolioRisk} from '../containers/risk.js'
import {toBase} from '../domain/money.js'
import {wholeTotal} from '../domain/sum.js'
import type {Position} from '../domain/types.js'
import {unrealizedPnl} from '../domain/pnl.js'
import {UserError} from '../errors.js'
import {writeGate, type WriteOptions} from '../store/database.js'
import {writeHistory} from '../store/history.js'
import {portfolioSnapshots, writeSnapshots, type PortfolioSnapshot, type PositionSnapshot} from '../store/snapshots.js'
import {loadCountedBook} from './book.js'
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
}

export interface SnapshotResult {
  asOf: string
  /** one entry per portfolio snapshotted */
  portfolios: (PortfolioSnapshot & {replaced: boolean})[]
  /** portfolios selected but never synced: nothing to record */
  skipped: string[]
  /** position rows written */
  positions: number
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
  const book = await loadCountedBook(config, opts.dbPath, undefined, {asOf})
  const counted = book.counted.portfolios.filter((c) => c.config.kind !== 'whatif' && (names.length === 0 || names.includes(c.config.name)))
  const skipped = counted.filter((c) => !c.bundle.stored?.lastSyncAt).map((c) => c.config.name)
  const ready = counted.filter((c) => c.bundle.stored?.lastSyncAt)
  const benchmark = config.market.benchmark
  const held = book.allPositions.find((p) => p.underlying === benchmark && p.underlyingPrice !== null)
  const benchmarkPrice = held ? toBase(held.underlyingPrice, held.currency, config.fxRates) : book.counted.quotes.get(benchmark) ?? null
  const takenAt = asOf.toISOString()

  const plan = ready.map((c) => ({bundle: c.bundle, counted: c, date: opts.date ?? sessionDate(cal, portfolioMarket(cal, c.config.currency), asOf)}))
  // Only the history files of the dates' years are written (store/history.ts); the main database is only read.
  const years = [...new Set(plan.map((i) => Number(i.date.slice(0, 4))))]
  return writeHistory(
    opts.dbPath,
    years,
    (h) => {
      const out: SnapshotResult = {asOf: takenAt, portfolios: [], skipped, positions: 0}
      const byDate = new Map<string, typeof plan>()
      for (const item of plan) byDate.set(item.date, [...(byDate.get(item.date) ?? []), item])
      for (const [date, items] of byDate) {
        const existing = new Set(portfolioSnapshots(h, {from: date, to: date}).map((r) => r.portfolio))
        const dayHistory = readDayHistoryOn(h, items.map((i) => i.bundle.config.name), [date])
        const positions: PositionSnapshot[] = []
        const portfolios: PortfolioSnapshot[] = []
        for (const {bundle, counted: c} of items) {
          const name = bundle.config.name
          const risk = portfolioRisk(bundle, {betas: config.market.betas, benchmarkPrice, fxRates: config.fxRates})
          // Position rows are the broker's live positions (a paper trade of a held contract would collide with it);
          // the portfolio row sums the whole counted book.
          const brokerLive = c.held.filter((p) => !p.expired)
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

export function positionSnapshot(p: Position, date: string, takenAt: string): PositionSnapshot {
  return {
    date, portfolio: p.portfolio, symbol: p.symbol, underlying: p.underlying, instrumentType: p.instrumentType, quantity: p.quantity, multiplier: p.multiplier,
    currency: p.currency, ...(p.option ? {option: p.option} : {}), entryPrice: p.entryPrice, markPrice: p.markPrice, underlyingPrice: p.underlyingPrice,
    iv: p.iv, greeks: p.greeks, unrealizedPnl: unrealizedPnl(p), takenAt,
  }
}
