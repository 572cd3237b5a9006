/*
 * Day P&L of the book (domain/daypnl.ts): the previous snapshots and first sightings it needs are read
 * in the same read of the database as the book (loadBook's `also`), from the history files.
 */
import {dayPnl, exchangeDate, type DayPnl} from '../domain/daypnl.js'
import type {Trade} from '../domain/trade.js'
import type {Position} from '../domain/types.js'
import type {History} from '../store/history.js'
import type {EntryGreeks} from '../store/repositories.js'
import {lastPositionSnapshotsBefore, portfolioSnapshots, type PositionSnapshot} from '../store/snapshots.js'

export interface DayHistory {
  /** latest snapshot before the position's exchange-local today, by `date\0portfolio\0symbol` (date = today) */
  previous: Map<string, PositionSnapshot>
  /** `date\0portfolio` of portfolios with position snapshots before that date, or whose latest snapshot held nothing */
  withHistory: Set<string>
}

const CURRENCIES = ['USD', 'INR']

/** Reads what day P&L needs for `portfolios`, for each exchange's today. */
export function readDayHistory(h: History, portfolios: string[], asOf: Date, currencies: string[] = CURRENCIES): DayHistory {
  return readDayHistoryOn(h, portfolios, currencies.map((c) => exchangeDate(c, asOf)))
}

/** Reads what day P&L needs for `portfolios` on the given trade dates (YYYY-MM-DD). */
export function readDayHistoryOn(h: History, portfolios: string[], dates: string[]): DayHistory {
  const previous = new Map<string, PositionSnapshot>()
  const withHistory = new Set<string>()
  for (const date of new Set(dates)) {
    for (const s of lastPositionSnapshotsBefore(h, date, portfolios)) {
      previous.set(`${date}\u0000${s.portfolio}\u0000${s.symbol}`, s)
      withHistory.add(`${date}\u0000${s.portfolio}`)
    }
    // A portfolio whose latest snapshot held nothing also has history: what it holds now is new.
    const month = new Date(Date.parse(date) - 31 * 86_400_000).toISOString().slice(0, 10)
    const dayBefore = new Date(Date.parse(date) - 86_400_000).toISOString().slice(0, 10)
    const latest = new Map<string, number>()
    for (const s of portfolioSnapshots(h, {portfolios, from: month, to: dayBefore})) latest.set(s.portfolio, s.positions)
    for (const [portfolio, n] of latest) if (n === 0) withHistory.add(`${date}\u0000${portfolio}`)
  }
  return {previous, withHistory}
}

/** `today`: the trade date the day P&L is for; default the exchange-local date of `asOf`. */
export function positionDayPnl(p: Position, history: DayHistory, entry: EntryGreeks | null, asOf: Date, today: string = exchangeDate(p.currency, asOf)): DayPnl {
  const prev = history.previous.get(`${today}\u0000${p.portfolio}\u0000${p.symbol}`)
  return dayPnl({
    position: p,
    previous: prev ? {date: prev.date, quantity: prev.quantity, entryPrice: prev.entryPrice, markPrice: prev.markPrice} : undefined,
    portfolioHasHistory: history.withHistory.has(`${today}\u0000${p.portfolio}`),
    firstSeenToday: entry !== null && firstSeenDate(p.currency, entry.firstSeenAt) >= today,
  })
}

/** The exchange date of a first sighting, kept per currency and instant: one sync stamps every position it adds with one instant. */
function firstSeenDate(currency: string, firstSeenAt: string): string {
  let dates = firstSeenDates.get(currency)
  if (dates === undefined) firstSeenDates.set(currency, (dates = new Map()))
  let date = dates.get(firstSeenAt)
  if (date === undefined) {
    date = exchangeDate(currency, new Date(firstSeenAt))
    if (dates.size >= 10_000) dates.clear()
    dates.set(firstSeenAt, date)
  }
  return date
}
const firstSeenDates = new Map<string, Map<string, string>>()

/** A booked trade's day P&L: from its price when booked today, else unknown (trades have no snapshots). */
export function tradeDayPnl(p: Position, t: Trade, asOf: Date): DayPnl {
  const today = exchangeDate(p.currency, asOf)
  return dayPnl({position: p, portfolioHasHistory: true, firstSeenToday: exchangeDate(p.currency, new Date(t.createdAt)) === today})
}
