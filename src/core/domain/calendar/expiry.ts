/*
 * When a contract stops trading and when its value is fixed, per product. Time to expiry, DTE and
 * "expired" all follow the settlement instant here, never a blanket 16:00.
 *
 *   SPX, NDX, RUT (standard monthlies, roots without W/P), VIX and VIXW options: AM-settled. The
 *     last trade is the close of the trading day before; the settlement value is set from the
 *     opening prints (09:30 New York) on the expiry date, which is when the option is over.
 *   SPXW, NDXP, RUTW, XSP and all US equity/ETF options: PM-settled at the 16:00 close (13:00 on an
 *     early-close day).
 *   NSE/BSE options and futures: 15:30 Kolkata on the expiry date.
 *   CME equity-index futures (ES, MES, NQ, MNQ, RTY, M2K, YM, MYM): last trade 09:30 New York on the
 *     third Friday of the contract month (settled on the Special Opening Quotation); other CME
 *     products by their own rule below; futures options at the 16:00 New York close.
 * An expiry date that falls on a holiday moves to the trading day before (the exchanges list the
 * contract that way; this catches dates computed from a month).
 */
import {BSE_ROOTS, type Market, marketFor, previousTradingDay, sessionOn, tradingDayOnOrBefore} from './index.js'
import {addDays, isoDate, nthWeekdayOfMonth, zonedInstant} from './zones.js'

export type Settlement = 'am' | 'pm'

export interface ExpiryTimes {
  market: Market
  settlement: Settlement
  /** exchange-local date the contract expires (after any holiday roll-back) */
  expiryDate: string
  /** the last instant it can be traded */
  lastTradeAt: Date
  /** the instant its final value is fixed: after this it is expired (no Greeks, not live) */
  settlesAt: Date
}

/** Option classes settled on the opening prints of the expiry date. */
const AM_SETTLED_ROOTS = new Set(['SPX', 'NDX', 'RUT', 'VIX', 'VIXW', 'DJX', 'OEX', 'XEO'])

export interface ContractKey {
  /** internal symbol (`SPX 2026-12-18 6800C`, `/MESH7`, `NIFTY 2026-12 FUT`); its first word is the class/root */
  symbol: string
  underlying: string
  instrumentType: string
  currency: string
  /**
   * US equity and index options: AM or PM as the broker states it (tastytrade instruments
   * `settlement-type`), which wins over the class rule below (an SPX monthly AM, SPXW PM).
   */
  settlement?: Settlement
}

const expiries = new Map<string, ExpiryTimes>()

/** Settlement of an option expiring on `expiry` (YYYY-MM-DD). Treat the result as read-only (it is shared). */
export function optionExpiry(expiry: string, c: ContractKey): ExpiryTimes {
  // A position's row, health and aging each ask for its expiry in turn: the last answer is kept, and the
  // answer for each contract object (a position: aging asks for every position before the rows do).
  const l = last
  if (sameContract(l, expiry, c)) return l.times
  const known = byContract.get(c)
  if (known !== undefined && sameContract(known, expiry, c)) {
    last = known
    return known.times
  }
  const market = marketFor(c)
  const root = c.symbol.split(' ')[0].toUpperCase()
  const am = c.settlement ? c.settlement === 'am' : AM_SETTLED_ROOTS.has(root)
  const key = `${expiry}|${market}|${c.instrumentType === 'future_option' ? 'f' : am ? 'am' : 'pm'}`
  let e = expiries.get(key)
  if (!e) expiries.set(key, (e = computeOptionExpiry(expiry, c, market, am)))
  last = {expiry, symbol: c.symbol, underlying: c.underlying, instrumentType: c.instrumentType, currency: c.currency, settlement: c.settlement, times: e}
  byContract.set(c, last)
  return e
}
// (what the answer depends on: the expiry and the contract's fields, compared again on every use)
type Answered = ContractKey & {expiry: string | undefined; times: ExpiryTimes}
let last: Answered = {expiry: undefined, symbol: '', underlying: '', instrumentType: '', currency: '', times: undefined as never}
const byContract = new WeakMap<ContractKey, Answered>()
function sameContract(a: Answered, expiry: string, c: ContractKey): boolean {
  return a.expiry === expiry && a.symbol === c.symbol && a.underlying === c.underlying && a.instrumentType === c.instrumentType && a.currency === c.currency && a.settlement === c.settlement
}

function computeOptionExpiry(expiry: string, c: ContractKey, market: Market, am: boolean): ExpiryTimes {
  if (market === 'XNSE' || market === 'XBOM') return indiaTimes(market, expiry)
  if (c.instrumentType === 'future_option') {
    const date = tradingDayOnOrBefore('XCME', expiry)
    const at = zonedInstant('America/New_York', date, 16 * 60)
    return {market, settlement: 'pm', expiryDate: date, lastTradeAt: at, settlesAt: at}
  }
  const date = tradingDayOnOrBefore('XNYS', expiry)
  if (am) {
    const last = previousTradingDay('XNYS', date)
    return {market, settlement: 'am', expiryDate: date, lastTradeAt: sessionOn('XCBO', last)!.close, settlesAt: sessionOn('XNYS', date)!.open}
  }
  // PM: expiring options, index weeklies included, stop at the stock market's close.
  const close = sessionOn('XNYS', date)!.close
  return {market, settlement: 'pm', expiryDate: date, lastTradeAt: close, settlesAt: close}
}

function indiaTimes(market: Market, expiry: string): ExpiryTimes {
  const date = tradingDayOnOrBefore(market, expiry)
  const at = zonedInstant('Asia/Kolkata', date, 15 * 60 + 30)
  return {market, settlement: 'pm', expiryDate: date, lastTradeAt: at, settlesAt: at}
}

// ----------------------------------------------------------------------------------- India expiry days

/**
 * Expiry weekday (0 = Sunday … 6 = Saturday) of each index's monthly contracts, by era: each entry
 * holds from its month on. Sources: NSE and BSE circulars — BANKNIFTY monthly moved to Wednesday
 * from March 2024; from January 2025 all NSE monthlies expire on the last Thursday and BSE's on the
 * last Tuesday; SEBI's 2025 rule put NSE on Tuesday and BSE on Thursday from September 2025.
 */
const MONTHLY_WEEKDAY: Record<string, {from: string; weekday: number}[]> = {
  NIFTY: [{from: '2000-01', weekday: 4}, {from: '2025-09', weekday: 2}],
  BANKNIFTY: [{from: '2000-01', weekday: 4}, {from: '2024-03', weekday: 3}, {from: '2025-01', weekday: 4}, {from: '2025-09', weekday: 2}],
  FINNIFTY: [{from: '2000-01', weekday: 2}, {from: '2025-01', weekday: 4}, {from: '2025-09', weekday: 2}],
  MIDCPNIFTY: [{from: '2000-01', weekday: 1}, {from: '2025-01', weekday: 4}, {from: '2025-09', weekday: 2}],
  NIFTYNXT50: [{from: '2000-01', weekday: 5}, {from: '2025-01', weekday: 4}, {from: '2025-09', weekday: 2}],
  SENSEX: [{from: '2000-01', weekday: 5}, {from: '2025-01', weekday: 2}, {from: '2025-09', weekday: 4}],
  SENSEX50: [{from: '2000-01', weekday: 5}, {from: '2025-01', weekday: 2}, {from: '2025-09', weekday: 4}],
  BANKEX: [{from: '2000-01', weekday: 1}, {from: '2025-01', weekday: 2}, {from: '2025-09', weekday: 4}],
}
/** Stock F&O: NSE's default day (last Thursday, last Tuesday from September 2025); BSE stock derivatives follow BSE's. */
const NSE_DEFAULT = [{from: '2000-01', weekday: 4}, {from: '2025-09', weekday: 2}]
const BSE_DEFAULT = [{from: '2000-01', weekday: 4}, {from: '2025-01', weekday: 2}, {from: '2025-09', weekday: 4}]

/** The exchange an Indian root trades on. */
export function indiaMarket(root: string): 'XNSE' | 'XBOM' {
  return BSE_ROOTS.has(root.toUpperCase()) ? 'XBOM' : 'XNSE'
}

/**
 * Monthly expiry of an NSE/BSE index or stock contract: the last `weekday` of the month for the
 * root's era, moved to the trading day before when that is a holiday.
 */
export function indiaMonthlyExpiry(root: string, year: number, month: number): string {
  const r = root.toUpperCase()
  const eras = MONTHLY_WEEKDAY[r] ?? (indiaMarket(r) === 'XBOM' ? BSE_DEFAULT : NSE_DEFAULT)
  const ym = `${year}-${String(month).padStart(2, '0')}`
  let wd = eras[0].weekday
  for (const e of eras) if (ym >= e.from) wd = e.weekday
  return tradingDayOnOrBefore(indiaMarket(r), isoDate(year, month, nthWeekdayOfMonth(year, month, wd, -1)))
}

// ----------------------------------------------------------------------------------------- futures

export interface FutureExpiry {
  /** exchange-local last trading date */
  lastTradeDate: string
  /** the instant trading stops and the final settlement is fixed */
  settlesAt: Date
  market: Market
}

const CME_MONTHS = 'FGHJKMNQUVXZ'
const EQUITY_INDEX = new Set(['ES', 'MES', 'NQ', 'MNQ', 'RTY', 'M2K', 'YM', 'MYM', 'EMD'])

/**
 * Contract month of a future's symbol: `/MESH7`, `/ESZ26` (CME month code and year), `NIFTY 2026-12 FUT`,
 * `NIFTY 2026-12-29 FUT`. A one-digit year is read as the decade that puts the contract month between
 * a year before `asOf` and nine years after it (`/MESH7` seen in 2026 is March 2027).
 */
export function futureContractMonth(symbol: string, asOf: Date): {root: string; year: number; month: number; day?: number} | null {
  const s = symbol.trim().toUpperCase()
  const cme = /^\/([A-Z0-9]{1,4}?)([FGHJKMNQUVXZ])(\d{1,2})$/.exec(s)
  if (cme && /[A-Z]/.test(cme[1])) {
    const month = CME_MONTHS.indexOf(cme[2]) + 1
    // A one-digit year is the decade that puts the contract within a year behind to nine years ahead of asOf.
    const now = asOf.getUTCFullYear() * 12 + asOf.getUTCMonth()
    let year = 2000 + Number(cme[3])
    if (cme[3].length === 1) {
      year = asOf.getUTCFullYear() - 1 - ((asOf.getUTCFullYear() - 1) % 10) + Number(cme[3]) - 10
      while (year * 12 + month - 1 < now - 12) year += 10
    }
    return {root: cme[1], year, month}
  }
  const spaced = /^(\S+) (\d{4})-(\d{2})(?:-(\d{2}))? FUT$/.exec(s)
  if (spaced) return {root: spaced[1], year: Number(spaced[2]), month: Number(spaced[3]), ...(spaced[4] ? {day: Number(spaced[4])} : {})}
  return null
}

/** Last trading day and settlement instant of a future, or null when the product's rule is not known. */
export function futureExpiry(c: ContractKey, asOf: Date): FutureExpiry | null {
  const m = futureContractMonth(c.symbol, asOf)
  if (!m) return null
  if (c.currency === 'INR') {
    const market = indiaMarket(m.root)
    const date = m.day ? tradingDayOnOrBefore(market, isoDate(m.year, m.month, m.day)) : indiaMonthlyExpiry(m.root, m.year, m.month)
    return {lastTradeDate: date, settlesAt: zonedInstant('Asia/Kolkata', date, 15 * 60 + 30), market}
  }
  const root = m.root.replace(/^\//, '')
  const ny = (date: string, minutes: number): FutureExpiry => ({lastTradeDate: date, settlesAt: zonedInstant('America/New_York', date, minutes), market: 'XCME'})
  if (m.day) return ny(tradingDayOnOrBefore('XCME', isoDate(m.year, m.month, m.day)), 17 * 60)
  if (EQUITY_INDEX.has(root)) {
    // Third Friday of the contract month, trading ends 08:30 Chicago = 09:30 New York.
    return ny(tradingDayOnOrBefore('XNYS', isoDate(m.year, m.month, nthWeekdayOfMonth(m.year, m.month, 5, 3))), 9 * 60 + 30)
  }
  if (root === 'CL' || root === 'MCL' || root === 'QM') {
    // Three business days before the 25th of the month before the contract month (the 25th itself if a business day).
    const prev = m.month === 1 ? {y: m.year - 1, mo: 12} : {y: m.year, mo: m.month - 1}
    let d = isoDate(prev.y, prev.mo, 25)
    if (!isBusinessDay(d)) d = businessDayBefore(d)
    for (let i = 0; i < 3; i++) d = businessDayBefore(d)
    // MCL stops one business day before CL.
    if (root === 'MCL') d = businessDayBefore(d)
    return ny(d, 14 * 60 + 30)
  }
  if (root === 'GC' || root === 'MGC' || root === 'SI' || root === 'SIL' || root === 'HG') {
    // Third last business day of the contract month.
    let d = isoDate(m.year, m.month, new Date(Date.UTC(m.year, m.month, 0)).getUTCDate())
    if (!isBusinessDay(d)) d = businessDayBefore(d)
    for (let i = 0; i < 2; i++) d = businessDayBefore(d)
    return ny(d, 13 * 60 + 30)
  }
  if (['ZB', 'ZN', 'ZF', 'ZT', 'UB', 'TN'].includes(root)) {
    // Seventh business day before the last business day of the month (ZF/ZT: last business day).
    let d = isoDate(m.year, m.month, new Date(Date.UTC(m.year, m.month, 0)).getUTCDate())
    if (!isBusinessDay(d)) d = businessDayBefore(d)
    if (root !== 'ZF' && root !== 'ZT') for (let i = 0; i < 7; i++) d = businessDayBefore(d)
    return ny(d, 13 * 60)
  }
  if (['6E', '6J', '6B', '6A', '6C', '6S', 'M6E'].includes(root)) {
    // Two business days before the third Wednesday, 09:16 Chicago.
    let d = isoDate(m.year, m.month, nthWeekdayOfMonth(m.year, m.month, 3, 3))
    for (let i = 0; i < 2; i++) d = businessDayBefore(d)
    return ny(d, 10 * 60 + 16)
  }
  return null
}

function isBusinessDay(date: string): boolean {
  return sessionOn('XNYS', date) !== null
}

function businessDayBefore(date: string): string {
  return previousTradingDay('XNYS', date)
}

// ----------------------------------------------------------------------------------------- VIX

/**
 * VIX options and futures expire on the Wednesday 30 days before the third Friday of the following
 * month (the SPX expiry whose options make up the index); when that Friday is a holiday the
 * Wednesday before the trading day before it, and a Wednesday holiday moves to the day before.
 */
export function vixExpiry(year: number, month: number): string {
  const next = month === 12 ? {y: year + 1, m: 1} : {y: year, m: month + 1}
  const friday = tradingDayOnOrBefore('XNYS', isoDate(next.y, next.m, nthWeekdayOfMonth(next.y, next.m, 5, 3)))
  return tradingDayOnOrBefore('XNYS', addDays(friday, -30))
}
