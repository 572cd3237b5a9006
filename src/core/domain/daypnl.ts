/*
 * Day P&L: what a position made since the previous close, beside its open P&L. The basis price per
 * unit comes, in order, from
 *  1. the broker's day-P&L basis when it gives one (TastyTrade `average-daily-market-close-price`:
 *     the previous close for a position held overnight, the fill price for one opened today);
 *  2. the previous stored snapshot's mark (a daily snapshot dated before today), adjusted when the
 *     quantity changed since: units added today count from their price (derived from the change in
 *     the average entry), units closed today leave the open P&L;
 *  3. the entry price, for a position opened today (not in the previous snapshot of a portfolio
 *     that has snapshots, and first seen today).
 * Otherwise it is unknown (null), never 0. Money in the position's currency. Pure.
 */
import {localDate, marketFor} from './calendar/index.js'
import type {Position} from './types.js'

export type DayPnlBasis = 'broker' | 'snapshot' | 'entry'

export interface DayPnl {
  /** money in the position's currency; null = unknown */
  dayPnl: number | null
  /** where the basis came from; null when unknown */
  basis: DayPnlBasis | null
  /** basis price per unit (for a position added to today: the previous mark of the units held overnight) */
  basisPrice: number | null
  /** why the day P&L is unknown, when it is */
  note: string | null
}

/** What the previous snapshot knew about the position. */
export interface PreviousMark {
  date: string
  quantity: number
  entryPrice: number | null
  markPrice: number | null
}

export interface DayPnlInput {
  position: Pick<Position, 'quantity' | 'multiplier' | 'entryPrice' | 'markPrice' | 'previousClose'>
  /** the position's latest snapshot dated before today; undefined when none */
  previous?: PreviousMark
  /** the portfolio has a snapshot dated before today (so a position missing from it is new) */
  portfolioHasHistory: boolean
  /** the position was first seen today (entry Greeks' first sighting, exchange-local date) */
  firstSeenToday: boolean
}

const unknown = (note: string): DayPnl => ({dayPnl: null, basis: null, basisPrice: null, note})

export function dayPnl(i: DayPnlInput): DayPnl {
  const p = i.position
  const size = p.quantity * p.multiplier
  if (p.markPrice === null) return unknown('no mark')
  const close = p.previousClose ?? null
  if (close !== null) return {dayPnl: (p.markPrice - close) * size, basis: 'broker', basisPrice: close, note: null}
  const prev = i.previous
  if (prev) {
    if (prev.markPrice === null) return unknown(`no mark in the ${prev.date} snapshot`)
    const q0 = prev.quantity
    const q1 = p.quantity
    if (q0 === q1) return {dayPnl: (p.markPrice - prev.markPrice) * size, basis: 'snapshot', basisPrice: prev.markPrice, note: null}
    if (Math.sign(q0) !== Math.sign(q1)) return unknown(`position flipped from ${q0} to ${q1} since ${prev.date}`)
    // Closed part of the position today: what remains was held overnight.
    if (Math.abs(q1) < Math.abs(q0)) return {dayPnl: (p.markPrice - prev.markPrice) * size, basis: 'snapshot', basisPrice: prev.markPrice, note: null}
    // Added today: the new units' price follows from the average entry, E1·q1 = E0·q0 + P·(q1 − q0).
    if (prev.entryPrice === null || p.entryPrice === null) return unknown(`quantity changed from ${q0} to ${q1} since ${prev.date} and the price of the added units is unknown`)
    const added = q1 - q0
    const fill = (p.entryPrice * q1 - prev.entryPrice * q0) / added
    const pnl = ((p.markPrice - prev.markPrice) * q0 + (p.markPrice - fill) * added) * p.multiplier
    return {dayPnl: pnl, basis: 'snapshot', basisPrice: prev.markPrice, note: null}
  }
  if (i.firstSeenToday && i.portfolioHasHistory) {
    if (p.entryPrice === null) return unknown('opened today without an entry price')
    return {dayPnl: (p.markPrice - p.entryPrice) * size, basis: 'entry', basisPrice: p.entryPrice, note: null}
  }
  return unknown('no previous close: no broker close price and no earlier snapshot')
}

/** The exchange-local calendar date (YYYY-MM-DD) of an instant, by the currency's main exchange (calendar). */
export function exchangeDate(currency: string, at: Date): string {
  // asked once or twice per position, nearly always for the same instant (the clock): the last answer is kept
  const t = at.getTime()
  const l = lastExchangeDate
  if (l.t === t && l.currency === currency) return l.date
  const date = localDate(marketFor({instrumentType: 'equity', currency, underlying: ''}), at)
  lastExchangeDate = {currency, t, date}
  return date
}
let lastExchangeDate = {currency: '', t: Number.NaN, date: ''}
