/*
 * The exchange calendar as the daemon and snapshots use it: `domain/calendar` (sessions, holidays,
 * early closes per market) behind one small interface, so tests can inject a calendar and the
 * daemon depends on these seven functions only.
 */
import * as cal from '../domain/calendar/index.js'
import type {Market, Session} from '../domain/calendar/index.js'

export type {Market, Session} from '../domain/calendar/index.js'
export {MARKETS} from '../domain/calendar/index.js'

export interface Calendar {
  sessionOn(market: Market, date: string): Session | null
  isOpen(market: Market, at: Date): boolean
  nextSession(market: Market, at: Date): Session
  previousClose(market: Market, at: Date): Session | null
  localDate(market: Market, at: Date): string
  holidayName(market: Market, date: string): string | null
  marketFor(p: {instrumentType: string; currency: string; underlying: string}): Market
}

export const calendar: Calendar = {
  sessionOn: cal.sessionOn,
  isOpen: cal.isOpen,
  nextSession: cal.nextSession,
  previousClose: cal.previousClose,
  localDate: cal.localDate,
  holidayName: cal.holidayName,
  marketFor: cal.marketFor,
}

/** The trade date a snapshot taken at `at` closes: today's session while open or after it, else the last one. */
export function sessionDate(c: Calendar, market: Market, at: Date): string {
  const next = c.nextSession(market, at)
  if (next.open <= at) return next.date
  return c.previousClose(market, at)?.date ?? c.localDate(market, at)
}

/** The market a portfolio trades in, from its currency (the daemon schedules by this). */
export function portfolioMarket(c: Calendar, currency: string): Market {
  return c.marketFor({instrumentType: 'equity', currency, underlying: ''})
}
