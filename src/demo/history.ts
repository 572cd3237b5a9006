/*
 * Demo price history: a year of daily closes for every underlying the demo book holds, so that
 * `risk` on a fresh clone shows VaR and expected shortfall (they need 101 closes of each
 * underlying). Written by `npm start` next to the other demo exports, in the `prices import`
 * format (date,symbol,close), and imported by it before `sync`.
 *
 * Seeded random walks, the same for every date: each symbol's daily log return is a one-factor
 * mix of its exchange's market move and its own (correlation `rho` to the market, annual vol
 * `vol`), walked back from today's demo price, which is the close of the previous trading day.
 * One file per exchange calendar (NYSE, NSE), each series on that exchange's trading days:
 * `prices import` refuses a series missing a date another series in the same file has.
 * Pure: the instant comes in, file texts go out.
 */
import {localDate, previousTradingDay, type Market} from '../core/domain/calendar/index.js'
import {seededNormal} from '../core/pricing/var.js'

/** Closes per symbol (a year of trading days). */
export const HISTORY_DAYS = 260

interface Series {
  symbol: string
  /** today's demo price (the last close) */
  last: number
  /** annual vol of the daily log returns */
  vol: number
  /** correlation with the exchange's market factor */
  rho: number
}

/** The US underlyings (with /MES under the contract the demo holds) and the Indian ones, at the demo's prices. */
function universe(mes: string): Record<'XNYS' | 'XNSE', Series[]> {
  const s = (symbol: string, last: number, vol: number, rho: number): Series => ({symbol, last, vol, rho})
  return {
    XNYS: [
      s('SPY', 684.3, 0.16, 0.97), s('VTI', 338.62, 0.17, 0.97), s('QQQ', 612.45, 0.21, 0.9), s('31617E745', 241.18, 0.16, 0.97), s(mes, 6935.25, 0.16, 0.97),
      s('AAPL', 268.4, 0.27, 0.55), s('MSFT', 512.75, 0.25, 0.55), s('NVDA', 188.9, 0.5, 0.45), s('TSLA', 412.8, 0.6, 0.35), s('UBER', 94.35, 0.4, 0.4), s('AMD', 238.7, 0.52, 0.45),
    ],
    XNSE: [
      s('NIFTY', 26385.4, 0.14, 0.97), s('BANKNIFTY', 59420.15, 0.17, 0.85), s('NIFTYBEES', 291.35, 0.14, 0.97),
      s('SBIN', 962.15, 0.26, 0.55), s('RELIANCE', 1548.2, 0.24, 0.6), s('HDFCBANK', 1012.85, 0.21, 0.6), s('INFY', 1612.3, 0.26, 0.45), s('TCS', 3425.5, 0.23, 0.45), s('ITC', 418.65, 0.21, 0.4),
      s('PARAG PARIKH FLEXI CAP', 89.17, 0.13, 0.85), s('HDFC INDEX FUND NIFTY 50 PLAN', 231.45, 0.14, 0.97), s('MIRAE ASSET LARGE & MIDCAP', 126.08, 0.15, 0.9),
    ],
  }
}

/** FNV-1a of a string: a symbol's own seed. */
function seedOf(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h >>> 0
}

/** The `days` trading days of `market` up to and including the one before `now`'s local date, oldest first. */
export function tradingDaysBefore(market: Market, now: Date, days: number): string[] {
  const out: string[] = []
  let d = localDate(market, now)
  for (let i = 0; i < days; i++) out.push((d = previousTradingDay(market, d)))
  return out.reverse()
}

const cell = (s: string) => (/[",]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s)

function file(market: 'XNYS' | 'XNSE', series: Series[], now: Date): string {
  const dates = tradingDaysBefore(market, now, HISTORY_DAYS)
  const n = dates.length
  const market_ = seededNormal(seedOf(market))
  const factor = Float64Array.from({length: n}, () => market_())
  const closes = series.map((x) => {
    const own = seededNormal(seedOf(x.symbol))
    const sd = x.vol / Math.sqrt(252)
    const c = new Float64Array(n)
    c[n - 1] = x.last
    // close[t − 1] = close[t] / exp(return of day t), walking back from today's price
    for (let t = n - 1; t >= 1; t--) c[t - 1] = c[t] / Math.exp(sd * (Math.sqrt(x.rho) * factor[t] + Math.sqrt(1 - x.rho) * own()) - 0.5 * sd * sd)
    return c
  })
  const lines = ['date,symbol,close']
  for (let t = 0; t < n; t++) series.forEach((x, i) => lines.push(`${dates[t]},${cell(x.symbol)},${closes[i][t].toFixed(2)}`))
  return `${lines.join('\n')}\n`
}

/**
 * File name → contents: `price_history_us.csv` (NYSE trading days) and `price_history_in.csv`
 * (NSE), HISTORY_DAYS closes per symbol ending on the trading day before `now`. `mes` is the /MES
 * contract the demo's TastyTrade export holds (its series is filed under that symbol).
 */
export function demoPriceHistory(now: Date, mes: string): Map<string, string> {
  const u = universe(mes)
  return new Map([
    ['price_history_us.csv', file('XNYS', u.XNYS, now)],
    ['price_history_in.csv', file('XNSE', u.XNSE, now)],
  ])
}
