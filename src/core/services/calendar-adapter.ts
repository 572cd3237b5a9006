/*
 * The exchange calendar as the daemon and snapshots use it: the API of `domain/calendar` (built for the
 * issue "Time ages the book"), behind one import so the daemon is written against the interface.
 *
 * PROVISIONAL until `src/core/domain/calendar` is on this branch: regular weekday hours in each market's
 * zone, no holidays and no early closes. When it lands, replace the body of this file with
 * `export * from '../domain/calendar/index.js'` plus `export const calendar: Calendar = {...}` of it.
 * Tests that need holidays inject a Calendar (see test/daemon/calendar-fixture.ts).
 */

export type Market = 'XNYS' | 'XCBO' | 'XCME' | 'XNSE' | 'XBOM'
export const MARKETS: readonly Market[] = ['XNYS', 'XCBO', 'XCME', 'XNSE', 'XBOM']

export interface Session {
  market: Market
  /** exchange-local trade date YYYY-MM-DD */
  date: string
  open: Date
  close: Date
  earlyClose: boolean
}

export interface Calendar {
  sessionOn(market: Market, date: string): Session | null
  isOpen(market: Market, at: Date): boolean
  nextSession(market: Market, at: Date): Session
  previousClose(market: Market, at: Date): Session | null
  localDate(market: Market, at: Date): string
  holidayName(market: Market, date: string): string | null
  marketFor(p: {instrumentType: string; currency: string; underlying: string}): Market
}

const ZONE: Record<Market, string> = {XNYS: 'America/New_York', XCBO: 'America/New_York', XCME: 'America/New_York', XNSE: 'Asia/Kolkata', XBOM: 'Asia/Kolkata'}
/** [open h, open m, close h, close m]; CME opens the evening before the trade date */
const HOURS: Record<Market, [number, number, number, number]> = {XNYS: [9, 30, 16, 0], XCBO: [9, 30, 16, 0], XCME: [18, 0, 17, 0], XNSE: [9, 15, 15, 30], XBOM: [9, 15, 15, 30]}

const formatters = new Map<string, Intl.DateTimeFormat>()
function parts(zone: string, at: Date): {y: number; m: number; d: number; h: number; min: number; s: number} {
  let f = formatters.get(zone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit'})
    formatters.set(zone, f)
  }
  const o: Record<string, number> = {}
  for (const p of f.formatToParts(at)) if (p.type !== 'literal') o[p.type] = Number(p.value)
  return {y: o.year, m: o.month, d: o.day, h: o.hour, min: o.minute, s: o.second}
}

/** The instant of a wall-clock time in a zone (two passes settle the offset across DST changes). */
export function zonedInstant(zone: string, date: string, hour: number, minute: number): Date {
  const [y, m, d] = date.split('-').map(Number)
  const wall = Date.UTC(y, m - 1, d, hour, minute)
  let t = wall
  for (let i = 0; i < 2; i++) {
    const p = parts(zone, new Date(t))
    const seen = Date.UTC(p.y, p.m - 1, p.d, p.h, p.min, p.s)
    t += wall - seen
  }
  return new Date(t)
}

function addDays(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number)
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10)
}

function weekday(date: string): number {
  const [y, m, d] = date.split('-').map(Number)
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay()
}

const provisional: Calendar = {
  sessionOn(market, date) {
    const wd = weekday(date)
    if (wd === 0 || wd === 6) return null
    const [oh, om, ch, cm] = HOURS[market]
    const openDate = market === 'XCME' ? addDays(date, -1) : date
    return {market, date, open: zonedInstant(ZONE[market], openDate, oh, om), close: zonedInstant(ZONE[market], date, ch, cm), earlyClose: false}
  },
  isOpen(market, at) {
    const today = this.localDate(market, at)
    for (const date of [today, addDays(today, 1)]) {
      const s = this.sessionOn(market, date)
      if (s && s.open <= at && at < s.close) return true
    }
    return false
  },
  nextSession(market, at) {
    let date = addDays(this.localDate(market, at), -1)
    for (let i = 0; i < 30; i++, date = addDays(date, 1)) {
      const s = this.sessionOn(market, date)
      if (s && s.close > at) return s
    }
    throw new Error(`no session of ${market} within 30 days of ${at.toISOString()}`)
  },
  previousClose(market, at) {
    let date = addDays(this.localDate(market, at), 1)
    for (let i = 0; i < 30; i++, date = addDays(date, -1)) {
      const s = this.sessionOn(market, date)
      if (s && s.close <= at) return s
    }
    return null
  },
  localDate(market, at) {
    const p = parts(ZONE[market], at)
    return `${p.y}-${String(p.m).padStart(2, '0')}-${String(p.d).padStart(2, '0')}`
  },
  holidayName() {
    return null
  },
  marketFor(p) {
    if (p.instrumentType === 'future' || p.instrumentType === 'future_option' || p.underlying.startsWith('/')) return 'XCME'
    if (p.currency === 'INR') return 'XNSE'
    if (p.instrumentType === 'equity_option') return 'XCBO'
    return 'XNYS'
  },
}

export const calendar: Calendar = provisional

/** The trade date a snapshot taken at `at` closes: today's session while open or after it, else the last one. */
export function sessionDate(cal: Calendar, market: Market, at: Date): string {
  const next = cal.nextSession(market, at)
  if (next.open <= at) return next.date
  return cal.previousClose(market, at)?.date ?? cal.localDate(market, at)
}

/** The market a portfolio trades in, from its currency (the daemon schedules by this). */
export function portfolioMarket(cal: Calendar, currency: string): Market {
  return cal.marketFor({instrumentType: 'equity', currency, underlying: ''})
}
