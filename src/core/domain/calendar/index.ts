/*
 * One exchange calendar for everything that asks "is the market open, when did it last close,
 * when does this contract stop trading": expiry and DTE, staleness of marks, the daemon's schedule.
 * Pure data and functions of dates and instants; the clock always comes in as an argument.
 *
 * Sessions (regular hours, exchange-local):
 *   XNYS  NYSE, US stock/ETF and equity options     09:30–16:00 New York, early close 13:00
 *   XCBO  Cboe index options (SPX, VIX, …)          09:30–16:15 New York, early close 13:15
 *   XCME  CME Globex equity-index futures           D−1 18:00 – D 17:00 New York (Sunday evening
 *         for Monday); on NYSE holidays other than New Year, Good Friday and Christmas Globex
 *         trades a short session to 13:00; on NYSE early-close days it stops at 13:15
 *   XNSE  NSE (Asia/Kolkata)                         09:15–15:30, no early closes
 *   XBOM  BSE (Asia/Kolkata)                         09:15–15:30, same holidays as NSE
 */
import {cmeClosedAllDay, INDIA_HOLIDAYS, INDIA_PUBLISHED_YEARS, INDIA_SPECIAL_SESSIONS, usEarlyClose, usHoliday} from './holidays.js'
import {addDays, weekday, type Zone, zonedDate, zonedInstant} from './zones.js'

export type Market = 'XNYS' | 'XCBO' | 'XCME' | 'XNSE' | 'XBOM'

export interface Session {
  market: Market
  /** Exchange-local trade date YYYY-MM-DD. */
  date: string
  open: Date
  close: Date
  earlyClose: boolean
}

export const MARKETS: readonly Market[] = ['XNYS', 'XCBO', 'XCME', 'XNSE', 'XBOM']

export function zoneOf(market: Market): Zone {
  return market === 'XNSE' || market === 'XBOM' ? 'Asia/Kolkata' : 'America/New_York'
}

const HOURS: Record<Market, {open: number; close: number; early: number}> = {
  XNYS: {open: 9 * 60 + 30, close: 16 * 60, early: 13 * 60},
  XCBO: {open: 9 * 60 + 30, close: 16 * 60 + 15, early: 13 * 60 + 15},
  // Opens the calendar day before (−6 h from midnight = 18:00); see sessionOn.
  XCME: {open: -6 * 60, close: 17 * 60, early: 13 * 60 + 15},
  XNSE: {open: 9 * 60 + 15, close: 15 * 60 + 30, early: 15 * 60 + 30},
  XBOM: {open: 9 * 60 + 15, close: 15 * 60 + 30, early: 15 * 60 + 30},
}

/** Why the market is closed all day on `date` (weekends excepted), or null. */
export function holidayName(market: Market, date: string): string | null {
  if (market === 'XNSE' || market === 'XBOM') return INDIA_HOLIDAYS[date] ?? null
  const name = usHoliday(date)
  if (market === 'XCME' && name && !cmeClosedAllDay(name)) return null // short session, see sessionOn
  return name
}

// Sessions are pure functions of (market, date) and are asked for again and again (every expiry,
// every staleness check walks days): computed once per process. A few thousand entries at most.
const sessions = new Map<string, Session | null>()

/** The regular session of `date`, or null when the market is closed all day (weekend, holiday). Treat it as read-only. */
export function sessionOn(market: Market, date: string): Session | null {
  const key = market + date
  let s = sessions.get(key)
  if (s === undefined) sessions.set(key, (s = computeSession(market, date)))
  return s
}

function computeSession(market: Market, date: string): Session | null {
  const wd = weekday(date)
  const india = market === 'XNSE' || market === 'XBOM'
  if ((wd === 0 || wd === 6) && !(india && INDIA_SPECIAL_SESSIONS[date])) return null
  if (holidayName(market, date) !== null) return null
  const zone = zoneOf(market)
  const h = HOURS[market]
  let close = h.close
  let earlyClose = false
  if (!india) {
    if (market === 'XCME' && usHoliday(date) !== null) {
      close = 13 * 60 // Globex halts at noon Chicago on the US holidays it trades through
      earlyClose = true
    } else if (usEarlyClose(date) !== null) {
      close = h.early
      earlyClose = true
    }
  }
  return {market, date, open: zonedInstant(zone, date, h.open), close: zonedInstant(zone, date, close), earlyClose}
}

/** True when `date` has a session. */
export function isTradingDay(market: Market, date: string): boolean {
  return sessionOn(market, date) !== null
}

/** The exchange-local calendar date of an instant. */
export function localDate(market: Market, at: Date): string {
  return zonedDate(zoneOf(market), at)
}

export function isOpen(market: Market, at: Date): boolean {
  const t = at.getTime()
  const today = localDate(market, at)
  for (const d of [today, addDays(today, 1)]) {
    const s = sessionOn(market, d)
    if (s && s.open.getTime() <= t && t < s.close.getTime()) return true
  }
  return false
}

/** The session open at `at`, else the next one to open. */
export function nextSession(market: Market, at: Date): Session {
  const t = at.getTime()
  let d = addDays(localDate(market, at), -1)
  for (let i = 0; i < 30; i++, d = addDays(d, 1)) {
    const s = sessionOn(market, d)
    if (s && s.close.getTime() > t) return s
  }
  throw new Error(`no ${market} session within 30 days of ${at.toISOString()}`)
}

/** The last session whose close is at or before `at`. */
export function previousClose(market: Market, at: Date): Session | null {
  const t = at.getTime()
  let d = addDays(localDate(market, at), 1)
  for (let i = 0; i < 30; i++, d = addDays(d, -1)) {
    const s = sessionOn(market, d)
    if (s && s.close.getTime() <= t) return s
  }
  return null
}

/** `date` itself when it is a trading day, else the trading day before it (an expiry on a holiday moves there). */
export function tradingDayOnOrBefore(market: Market, date: string): string {
  let d = date
  for (let i = 0; i < 30 && !isTradingDay(market, d); i++) d = addDays(d, -1)
  return d
}

/** `date` itself when it is a trading day, else the next one. */
export function tradingDayOnOrAfter(market: Market, date: string): string {
  let d = date
  for (let i = 0; i < 30 && !isTradingDay(market, d); i++) d = addDays(d, 1)
  return d
}

/** The trading day before `date` (exclusive). */
export function previousTradingDay(market: Market, date: string): string {
  return tradingDayOnOrBefore(market, addDays(date, -1))
}

/** Whether `year`'s holidays for the market are the exchange's published list (US rules are always known). */
export function holidaysPublished(market: Market, year: number): boolean {
  return market === 'XNSE' || market === 'XBOM' ? INDIA_PUBLISHED_YEARS.includes(year) : true
}

/** Cash-settled US index option classes (and their underlyings) that trade on Cboe's index hours. */
const US_INDEX = new Set(['SPX', 'SPXW', 'XSP', 'NDX', 'NDXP', 'XND', 'RUT', 'RUTW', 'MRUT', 'VIX', 'VIXW', 'DJX', 'XEO', 'OEX'])
/** Index roots listed on BSE (everything else in INR is taken to be NSE). */
export const BSE_ROOTS: ReadonlySet<string> = new Set(['SENSEX', 'BANKEX', 'SENSEX50'])

/** The exchange whose sessions govern a position's prices and expiry. */
export function marketFor(p: {instrumentType: string; currency: string; underlying: string}): Market {
  const u = p.underlying
  if (p.currency === 'INR') return BSE_ROOTS.has(rootOf(u)) ? 'XBOM' : 'XNSE'
  if (p.instrumentType === 'future' || p.instrumentType === 'future_option' || u.startsWith('/')) return 'XCME'
  if (US_INDEX.has(rootOf(u))) return 'XCBO'
  return 'XNYS'
}

/** The root of an underlying: its first word without a leading "/", upper-case. Kept per underlying: asked several times per position. */
function rootOf(underlying: string): string {
  let root = roots.get(underlying)
  if (root === undefined) {
    root = underlying.replace(/^\//, '').split(' ')[0].toUpperCase()
    if (roots.size >= 10_000) roots.clear()
    roots.set(underlying, root)
  }
  return root
}
const roots = new Map<string, string>()

export {addDays, dayNumber, weekday, zonedDate, zonedInstant, zoneOffsetMs} from './zones.js'
export type {Zone} from './zones.js'
export * from './expiry.js'
