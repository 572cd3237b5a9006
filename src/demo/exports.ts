/*
 * The demo book, written relative to a date. `npm start` (scripts/demo-data.mjs) calls this with
 * the clock and writes data/*.csv, so a fresh clone shows a live book on any date: expiries are
 * the real listed ones a few weeks to months out (US monthly third Fridays, NSE/BSE monthlies by
 * the calendar, CME quarterlies), marks are Black-Scholes values at fixed implied volatilities for
 * the time actually left, and each file is in its broker's real export format (Fidelity with its
 * "Date downloaded" footer, Zerodha Kite, TastyTrade, cotrader's generic CSV). Pure: the instant
 * comes in, file texts go out. Tests that need fixed numbers use test/fixtures/demo instead.
 */
import {futureExpiry, indiaMonthlyExpiry, optionExpiry} from '../core/domain/calendar/expiry.js'
import {addDays, localDate, previousTradingDay, tradingDayOnOrBefore, zonedInstant} from '../core/domain/calendar/index.js'
import {dayNumber, nthWeekdayOfMonth} from '../core/domain/calendar/zones.js'
import {priceGreeks} from '../core/pricing/index.js'
import {demoPriceHistory} from './history.js'
import {demoTransactions} from './transactions.js'

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC']
const USD_RATE = 0.042
const INR_RATE = 0.064
const DIVIDENDS: Record<string, number> = {SPY: 0.012, MSFT: 0.008, AAPL: 0.005, NIFTY: 0.012, BANKNIFTY: 0.008}
/** Underlying prices, the same as data/quotes.csv. */
const SPOT: Record<string, number> = {SPY: 684.3, AAPL: 268.4, MSFT: 512.75, TSLA: 412.8, UBER: 94.35, NVDA: 188.9, VTI: 338.62, QQQ: 612.45, AMD: 238.7, NIFTY: 26385.4, BANKNIFTY: 59420.15}

/** File name → contents for every demo export, as of `now`. */
export function demoExports(now: Date): Map<string, string> {
  const m1 = usMonthly(now, 35)
  const m2 = usMonthly(now, 80)
  const m3 = usMonthly(now, 110)
  const n1 = nseMonthly(now, 14)
  const n2 = nseMonthly(now, 70)
  const out = new Map<string, string>()
  out.set('fidelity_positions.csv', fidelity(now, m1))
  out.set('tastytrade_positions.csv', tastytrade(now, m2, m3))
  out.set('zerodha_positions.csv', zerodha(now, n1, n2))
  out.set('research_wheel.csv', wheel(now, m1))
  out.set('research_wheel_transactions.csv', demoTransactions(now, m1))
  out.set('research_condor.csv', condor(now, m3))
  out.set('inr_fund.csv', inrFund(now))
  out.set('zerodha_holdings.csv', HOLDINGS)
  out.set('quotes.csv', ['symbol,price', ...Object.entries(SPOT).map(([s, p]) => `${s},${p.toFixed(2)}`)].join('\n') + '\n')
  for (const [name, text] of demoPriceHistory(now, cmeQuarterly('MES', now, 60).symbol)) out.set(name, text)
  return out
}

// ------------------------------------------------------------------------------------ expiries

/** The first US monthly (third Friday, holiday-adjusted) at least `days` calendar days after now. */
export function usMonthly(now: Date, days: number): string {
  const from = addDays(localDate('XNYS', now), days)
  let y = Number(from.slice(0, 4))
  let m = Number(from.slice(5, 7))
  for (;;) {
    const d = tradingDayOnOrBefore('XNYS', iso(y, m, nthWeekdayOfMonth(y, m, 5, 3)))
    if (d >= from) return d
    ;[y, m] = m === 12 ? [y + 1, 1] : [y, m + 1]
  }
}

/** The first NIFTY monthly expiry at least `days` after now: {year, month, date}. */
export function nseMonthly(now: Date, days: number): {year: number; month: number; date: string} {
  const from = addDays(localDate('XNSE', now), days)
  let y = Number(from.slice(0, 4))
  let m = Number(from.slice(5, 7))
  for (;;) {
    const date = indiaMonthlyExpiry('NIFTY', y, m)
    if (date >= from) return {year: y, month: m, date}
    ;[y, m] = m === 12 ? [y + 1, 1] : [y, m + 1]
  }
}

/** The first CME quarterly equity-index contract trading at least `days` more: `/MESH7` and its last trading date. */
export function cmeQuarterly(root: string, now: Date, days: number): {symbol: string; lastTrade: string} {
  const from = addDays(localDate('XCME', now), days)
  let y = Number(from.slice(0, 4))
  for (let q = 0; q < 12; q++) {
    const month = [3, 6, 9, 12][q % 4]
    if (q > 0 && month === 3) y++
    const symbol = `/${root}${'HMUZ'[q % 4]}${y % 10}`
    const e = futureExpiry({symbol, underlying: symbol, instrumentType: 'future', currency: 'USD'}, now)
    if (e && e.lastTradeDate >= from) return {symbol, lastTrade: e.lastTradeDate}
  }
  throw new Error('no quarterly contract found')
}

// --------------------------------------------------------------------------------------- pricing

interface Opt {
  underlying: string
  expiry: string
  strike: number
  right: 'call' | 'put'
  iv: number
  currency?: 'USD' | 'INR'
  root?: string
}

function value(o: Opt, now: Date) {
  const inr = o.currency === 'INR'
  const settles = optionExpiry(o.expiry, {symbol: o.root ?? o.underlying, underlying: o.underlying, instrumentType: 'equity_option', currency: inr ? 'INR' : 'USD'}).settlesAt
  const years = Math.max(1 / (365 * 24), (settles.getTime() - now.getTime()) / (365 * 86_400_000))
  return priceGreeks({right: o.right, spot: SPOT[o.underlying], strike: o.strike, years, rate: inr ? INR_RATE : USD_RATE, dividend: DIVIDENDS[o.underlying] ?? 0, vol: o.iv}, {model: 'bsm', style: 'european'})
}

const r2 = (n: number) => Math.round(n * 100) / 100
const r = (n: number) => Math.max(0.05, Math.round(n * 100) / 100)

// -------------------------------------------------------------------------------------- Fidelity

interface FidRow {
  symbol: string
  description: string
  quantity: number
  price: number
  change: number
  costTotal: number
  option?: boolean
}

function fidelity(now: Date, expiry: string): string {
  const opt = (u: string, strike: number, right: 'call' | 'put', iv: number, quantity: number, costTotal: number): FidRow => {
    const price = r(value({underlying: u, expiry, strike, right, iv}, now).price)
    const [y, m, d] = [expiry.slice(2, 4), expiry.slice(5, 7), expiry.slice(8, 10)]
    const strikeText = Number.isInteger(strike) ? String(strike) : String(strike)
    return {
      symbol: ` -${u}${y}${m}${d}${right === 'call' ? 'C' : 'P'}${strikeText}`,
      description: `${u} ${MONTHS[Number(m) - 1]} ${Number(d)} ${expiry.slice(0, 4)} $${strike.toFixed(Number.isInteger(strike) ? 0 : 2)} ${right.toUpperCase()}`,
      quantity, price, change: r2(-price * 0.05), costTotal, option: true,
    }
  }
  const ira: FidRow[] = [
    {symbol: 'VTI', description: 'VANGUARD INDEX FDS VANGUARD TOTAL STK MKT ETF', quantity: 150, price: SPOT.VTI, change: 1.84, costTotal: 36915},
    {symbol: 'MSFT', description: 'MICROSOFT CORP', quantity: 200, price: SPOT.MSFT, change: -3.1, costTotal: 78410},
    opt('MSFT', 560, 'call', 0.24, -2, 2840),
    {symbol: '31617E745', description: 'FIDELITY 500 INDEX FUND', quantity: 210.337, price: 241.18, change: 0.96, costTotal: 38000},
  ]
  const personal: FidRow[] = [
    {symbol: 'TSLA', description: 'TESLA INC', quantity: 100, price: SPOT.TSLA, change: 6.45, costTotal: 24560},
    {symbol: 'UBER', description: 'UBER TECHNOLOGIES INC COM', quantity: 300, price: SPOT.UBER, change: -0.82, costTotal: 21750},
    {symbol: 'NVDA', description: 'NVIDIA CORPORATION COM', quantity: 150, price: SPOT.NVDA, change: 2.15, costTotal: 13200},
    opt('TSLA', 300, 'put', 0.58, -1, 845),
    opt('UBER', 82.5, 'call', 0.38, 5, 4125),
  ]
  const lines = [FIDELITY_HEADER]
  const account = (number: string, name: string, type: string, rows: FidRow[], cash: {symbol: string; description: string; value: number}[], pending: number | null) => {
    const values = rows.map((x) => x.quantity * x.price * (x.option ? 100 : 1))
    const total = values.reduce((a, b) => a + b, 0) + cash.reduce((a, c) => a + c.value, 0) + (pending ?? 0)
    const pct = (v: number) => `${(v / total * 100).toFixed(2)}%`
    for (const c of cash.slice(0, 1)) lines.push(csv([number, name, c.symbol, c.description, '', '', '', dollars(c.value), '', '', '', '', pct(c.value), '', '', 'Cash']) + ',')
    rows.forEach((x, i) => {
      const mult = x.option ? 100 : 1
      const v = values[i]
      const gain = x.quantity < 0 ? x.costTotal + v : v - x.costTotal
      const base = x.quantity < 0 ? x.costTotal : x.costTotal
      const day = x.change * x.quantity * mult
      lines.push(csv([number, name, x.symbol, x.description, fmtQty(x.quantity), dollars(x.price), signed(x.change), dollars(v), signed(day), `${day >= 0 ? '+' : '-'}${Math.abs((x.change / (x.price - x.change)) * 100).toFixed(2)}%`,
        signed(gain), `${gain >= 0 ? '+' : '-'}${Math.abs((gain / base) * 100).toFixed(2)}%`, pct(v), dollars(x.costTotal), dollars(x.costTotal / (Math.abs(x.quantity) * mult)), type]) + ',')
    })
    for (const c of cash.slice(1)) lines.push(csv([number, name, c.symbol, c.description, '', '', '', dollars(c.value), '', '', '', '', pct(c.value), '', '', 'Cash']) + ',')
    if (pending !== null) lines.push(csv([number, name, 'Pending activity', '', '', '', '', dollars(pending), '', '', '', '', '', '', '', '']) + ',')
  }
  account('245944181', 'Traditional IRA', 'Cash', ira, [{symbol: 'SPAXX**', description: 'HELD IN MONEY MARKET', value: 12480.55}], null)
  account('Z23456789', 'Individual - TOD', 'Margin', personal, [{symbol: 'FCASH**', description: 'HELD IN FCASH', value: 18250}], -125.4)
  // A download just now, stamped in Fidelity's 2026 style.
  return `\uFEFF${[...lines, '', FIDELITY_DISCLAIMER, '', FIDELITY_BROKERAGE, '', `"Date downloaded ${fidelityStamp(now)}"`].join('\r\n')}\r\n`
}

const FIDELITY_HEADER =
  "Account Number,Account Name,Symbol,Description,Quantity,Last Price,Last Price Change,Current Value,Today's Gain/Loss Dollar,Today's Gain/Loss Percent,Total Gain/Loss Dollar,Total Gain/Loss Percent,Percent Of Account,Cost Basis Total,Average Cost Basis,Type"
const FIDELITY_DISCLAIMER =
  '"The data and information in this spreadsheet is provided to you solely for your use and is not for distribution. The spreadsheet is provided for informational purposes only, and is not intended to provide advice, nor should it be construed as an offer to sell, a solicitation of an offer to buy or a recommendation for any security or insurance product by Fidelity or any third party. Data and information shown is based on information known to Fidelity as of the date it was exported and is subject to change. It should not be used in place of your account statements or trade confirmations and is not intended for tax reporting purposes. For more information on the data included in this spreadsheet, including any limitations thereof, go to Fidelity.com."'
const FIDELITY_BROKERAGE =
  '"Brokerage services are provided by Fidelity Brokerage Services LLC (FBS), 900 Salem Street, Smithfield, RI 02917. Custody and other services provided by National Financial Services LLC (NFS). Both are Fidelity Investment companies and members SIPC, NYSE."'

/** `Nov-24-2026 at 4:05 p.m ET` in New York time. */
export function fidelityStamp(now: Date): string {
  const date = localDate('XNYS', now)
  const minutes = Math.floor((now.getTime() - zonedInstant('America/New_York', date, 0).getTime()) / 60_000)
  const h = Math.floor(minutes / 60)
  const mm = String(minutes % 60).padStart(2, '0')
  const mon = MONTHS[Number(date.slice(5, 7)) - 1]
  return `${mon[0]}${mon.slice(1).toLowerCase()}-${date.slice(8, 10)}-${date.slice(0, 4)} at ${h % 12 === 0 ? 12 : h % 12}:${mm} ${h < 12 ? 'a.m' : 'p.m'} ET`
}

function dollars(v: number): string {
  const text = `${v < 0 ? '-' : ''}$${Math.abs(v).toLocaleString('en-US', {minimumFractionDigits: 2, maximumFractionDigits: 2})}`
  return text
}

function signed(v: number): string {
  return `${v >= 0 ? '+' : '-'}${dollars(Math.abs(v))}`
}

function fmtQty(q: number): string {
  return String(q)
}

function csv(cells: string[]): string {
  return cells.map((c) => (/[",]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')
}

// ------------------------------------------------------------------------------------ TastyTrade

function tastytrade(now: Date, m2: string, m3: string): string {
  const today = localDate('XNYS', now)
  const dte = (d: string) => `${dayNumber(d) - dayNumber(today)}d`
  const expText = (d: string) => `${MONTHS[Number(d.slice(5, 7)) - 1][0]}${MONTHS[Number(d.slice(5, 7)) - 1].slice(1).toLowerCase()} ${Number(d.slice(8, 10))}, ${d.slice(0, 4)}`
  const occ = (u: string, d: string, right: 'call' | 'put', strike: number) => `${u.padEnd(6, ' ')}${d.slice(2, 4)}${d.slice(5, 7)}${d.slice(8, 10)}${right === 'call' ? 'C' : 'P'}${String(strike * 1000).padStart(8, '0')}`
  const rows: string[][] = []
  const option = (u: string, d: string, strike: number, right: 'call' | 'put', iv: number, q: number, trade: number, beta: number) => {
    const g = value({underlying: u, expiry: d, strike, right, iv}, now)
    const mark = r(g.price)
    const k = q * 100
    rows.push([occ(u, d, right, strike), 'Equity Option', String(q), expText(d), dte(d), String(strike), right.toUpperCase(), num(SPOT[u]), num((mark - trade) * k), num(-trade * k), num(trade), num(mark),
      num(g.delta * k), num(g.theta * k), num(g.vega * k), num((g.delta * k * beta * SPOT[u]) / SPOT.SPY), num(mark * k)])
  }
  option('QQQ', m2, 560, 'put', 0.24, -2, 9.85, 1.15)
  option('QQQ', m2, 540, 'put', 0.26, 2, 6.4, 1.15)
  option('AMD', m3, 260, 'call', 0.52, 1, 15.2, 1.9)
  const mes = cmeQuarterly('MES', now, 60)
  const price = 6935.25
  rows.push([mes.symbol, 'Future', '2', expText(mes.lastTrade), dte(mes.lastTrade), '', '', num(price), num((price - 6880) * 2 * 5), num(-6880 * 2 * 5), num(6880), num(price), '10.00', '0.00', '0.00', num((10 * price) / SPOT.SPY), num((price - 6880) * 2 * 5)])
  const pl = rows.reduce((s, x) => s + Number(x[8].replace(/,/g, '')), 0)
  const header = 'Symbol,Type,Quantity,Exp Date,DTE,Strike Price,Call/Put,Underlying Last Price,P/L Open,Cost,Trade Price,Mark,/ Delta,Theta,Vega,β Delta,Net Liq'
  return [header, ...rows.map(csv), `Total,,,,,,,,${num(pl)},,,,,,,,`].join('\n') + '\n'
}

function num(v: number): string {
  return v.toLocaleString('en-US', {minimumFractionDigits: 2, maximumFractionDigits: 2})
}

// --------------------------------------------------------------------------------------- Zerodha

function zerodha(now: Date, n1: {year: number; month: number; date: string}, n2: {year: number; month: number; date: string}): string {
  const sym = (root: string, n: {year: number; month: number}) => `${root}${String(n.year).slice(2)}${MONTHS[n.month - 1]}`
  const line = (product: string, instrument: string, q: number, avg: number, ltp: number, chg: string) => [product, instrument, String(q), avg.toFixed(2), ltp.toFixed(2), ((ltp - avg) * q).toFixed(2), chg].join(',')
  const o = (root: string, n: {date: string}, strike: number, right: 'call' | 'put', iv: number) => r(value({underlying: root, expiry: n.date, strike, right, iv, currency: 'INR'}, now).price)
  // NIFTY future: spot carried at the INR rate less the dividend yield to its expiry.
  const years = (dayNumber(n1.date) - dayNumber(localDate('XNSE', now))) / 365
  const future = r2(SPOT.NIFTY * Math.exp((INR_RATE - DIVIDENDS.NIFTY) * years))
  return [
    'Product,Instrument,Qty.,Avg.,LTP,P&L,Chg.',
    line('NRML', `${sym('NIFTY', n1)}27000CE`, -75, 512.4, o('NIFTY', n1, 27000, 'call', 0.14), '-6.80%'),
    line('NRML', `${sym('NIFTY', n1)}25500PE`, -75, 318.25, o('NIFTY', n1, 25500, 'put', 0.16), '4.10%'),
    line('NRML', `${sym('BANKNIFTY', n1)}61000CE`, 35, 965.5, o('BANKNIFTY', n1, 61000, 'call', 0.17), '-3.20%'),
    line('NRML', `${sym('NIFTY', n2)}24500PE`, 75, 372, o('NIFTY', n2, 24500, 'put', 0.18), '2.60%'),
    line('NRML', `${sym('NIFTY', n1)}FUT`, 75, 26180, future, '-0.42%'),
    line('MIS', 'SBIN', -100, 968.4, 962.15, '-1.50%'),
  ].join('\n') + '\n'
}

const HOLDINGS = `Instrument,Qty.,Avg. cost,LTP,Cur. val,P&L,Net chg.,Day chg.
RELIANCE,40,"1,285.40","1,548.20","61,928.00","10,512.00",20.44,-0.62
HDFCBANK,120,842.10,"1,012.85","1,21,542.00","20,490.00",20.28,0.48
INFY,75,"1,450.00","1,612.30","1,20,922.50","12,172.50",11.19,1.12
TCS,20,"3,890.00","3,425.50","68,510.00","-9,290.00",-11.94,-0.35
ITC,300,398.20,418.65,"1,25,595.00","6,135.00",5.14,0.21
NIFTYBEES,500,248.60,291.35,"1,45,675.00","21,375.00",17.20,0.27
`

// ------------------------------------------------------------------------------- generic research

function wheel(now: Date, expiry: string): string {
  const c = r(value({underlying: 'AAPL', expiry, strike: 290, right: 'call', iv: 0.26}, now).price)
  const p = r(value({underlying: 'AAPL', expiry, strike: 250, right: 'put', iv: 0.28}, now).price)
  return [
    '# research-wheel: the wheel on AAPL (100 assigned shares, a covered call, two cash-secured puts).',
    `# Generic cotrader CSV (docs/FILE_FORMATS.md). Written by scripts/demo-data.mjs; marks as of ${localDate('XNYS', now)}. AAPL is priced by its own row.`,
    'symbol,quantity,entry_price,mark_price,underlying_price,multiplier,description',
    `AAPL,100,241.30,${SPOT.AAPL.toFixed(2)},,,assigned from an earlier 250 put`,
    `AAPL ${expiry} 290C,-1,4.10,${c.toFixed(2)},,,covered call`,
    `AAPL ${expiry} 250P,-2,6.85,${p.toFixed(2)},,,cash-secured puts`,
    'CASH,50000,,,,,secures the two puts (2 x 250 x 100)',
  ].join('\n') + '\n'
}

function condor(now: Date, expiry: string): string {
  const leg = (strike: number, right: 'call' | 'put', iv: number) => r(value({underlying: 'SPY', expiry, strike, right, iv}, now).price).toFixed(2)
  return [
    `# research-condor: SPY iron condor expiring ${expiry}, 5 lots, opened for a 7.40 credit.`,
    '# Generic cotrader CSV written by scripts/demo-data.mjs. No SPY row here: its price comes from data/quotes.csv.',
    'symbol,quantity,entry_price,mark_price,description',
    `SPY ${expiry} 620P,5,11.20,${leg(620, 'put', 0.19)},long put wing`,
    `SPY ${expiry} 640P,-5,14.65,${leg(640, 'put', 0.18)},short put`,
    `SPY ${expiry} 740C,-5,8.90,${leg(740, 'call', 0.15)},short call`,
    `SPY ${expiry} 760C,5,4.95,${leg(760, 'call', 0.14)},long call wing`,
    'CASH,25000,,,margin for the 20-point wings',
  ].join('\n') + '\n'
}

function inrFund(now: Date): string {
  const nav = previousTradingDay('XNSE', localDate('XNSE', now))
  const text = `${nav.slice(8, 10)}-${MONTHS[Number(nav.slice(5, 7)) - 1][0]}${MONTHS[Number(nav.slice(5, 7)) - 1].slice(1).toLowerCase()}-${nav.slice(0, 4)}`
  return `# inr-fund: mutual-fund units at the latest NAV (INR per unit), one ETF and cash.
# Generic cotrader CSV; type=fund lets a scheme be named in free text.
symbol,quantity,entry_price,mark_price,type,currency,description
PARAG PARIKH FLEXI CAP,2450.318,68.42,89.17,fund,INR,Direct Plan - Growth; NAV of ${text}
HDFC INDEX FUND NIFTY 50 PLAN,1800.500,185.20,231.45,fund,INR,Direct Plan - Growth
MIRAE ASSET LARGE & MIDCAP,3120.775,98.64,126.08,fund,INR,Direct Plan - Growth
NIFTYBEES,1000,245.10,291.35,equity,INR,Nippon India ETF Nifty 50 BeES
CASH,250000,,,cash,INR,bank balance kept for redemptions
`
}

function iso(y: number, m: number, d: number): string {
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`
}
