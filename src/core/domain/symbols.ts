/*
 * Every broker spells instruments differently (OCC, Fidelity's ` -TSLA260821P360`, Zerodha's
 * `NIFTY24JAN21000CE`, tastytrade's `./ESZ6 EW3U6 260918P9100`). parseSymbol maps all of them to
 * one internal form, which is also what users type:
 *
 *   stock / ETF / fund   AAPL, BRK.B, RELIANCE
 *   option               ROOT YYYY-MM-DD STRIKE{C|P}   AAPL 2026-01-16 150C, UBER 2026-06-18 82.5C
 *   future               ROOT YYYY-MM FUT (month only) or ROOT YYYY-MM-DD FUT; tastytrade's /ESZ6 as is
 *   futures option       /ESZ6 2026-09-18 9100P (underlying /ESZ6)
 *   crypto               BTC/USD
 *
 * Pure: no clock, no I/O. A string that has the shape of a known form but wrong content (an
 * impossible date, a zero strike) is rejected rather than taken for a plain ticker.
 */
import {UserError} from '../errors.js'
import {indiaMonthlyExpiry} from './calendar/expiry.js'
import type {ExerciseStyle, InstrumentType, OptionRight, ParsedSymbol} from './types.js'

export class SymbolError extends UserError {
  constructor(message: string) {
    // Symbols come from files: their control characters are shown escaped, never sent to a terminal.
    super(message.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`), 'symbol')
    this.name = 'SymbolError'
  }
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const
/** CME month codes, January first. */
const FUTURE_MONTH_CODES = 'FGHJKMNQUVXZ'

/**
 * Option roots whose underlying trades under another symbol: weekly/PM-settled index classes
 * quote against the index, and OCC writes share classes without the dot.
 */
const ROOT_UNDERLYING: Record<string, string> = {
  SPXW: 'SPX',
  NDXP: 'NDX',
  RUTW: 'RUT',
  VIXW: 'VIX',
  BRKB: 'BRK.B',
  BFB: 'BF.B',
}

/** Share classes written without their dot (OCC roots, Fidelity tickers) → the dotted ticker. */
const SHARE_CLASSES: Record<string, string> = {BRKA: 'BRK.A', BRKB: 'BRK.B', BFA: 'BF.A', BFB: 'BF.B'}

/**
 * NSE/BSE roots that contain digits, or that are prefixes of other roots, tried before the
 * generic split so `NIFTYNXT50…` is not cut after `NIFTY`.
 */
const KNOWN_NSE_ROOTS = ['MIDCPNIFTY', 'NIFTYNXT50', 'BANKNIFTY', 'FINNIFTY', 'SENSEX50', 'SENSEX', 'BANKEX', 'NIFTY']

/** A root or ticker: letters, digits and . & - (M&M, BAJAJ-AUTO, BRK.B), at least one letter. */
const ROOT_RE = /^[A-Z0-9][A-Z0-9.&-]*$/
const NUMBER = String.raw`\d+(?:\.\d+)?`

export function parseSymbol(text: string): ParsedSymbol {
  const trimmed = (text ?? '').trim()
  if (trimmed === '') throw new SymbolError('empty symbol')
  // OCC pads the root with spaces; other forms use single spaces between parts.
  const s = trimmed.toUpperCase().replace(/\s+/g, ' ')
  const parsed =
    tastyFutureOption(trimmed.toUpperCase()) ??
    tastyFuture(s) ??
    occ(s) ??
    compactUsOption(s) ??
    zerodhaTradingSymbol(s) ??
    (s.includes(' ') ? spacedForm(s, trimmed) : null) ??
    cryptoPair(s) ??
    cusip(s) ??
    ticker(s)
  if (!parsed) throw new SymbolError(`"${trimmed}" is not a symbol cotrader understands (expected e.g. AAPL, AAPL 2026-01-16 150C, NIFTY24JAN21000CE or /ESZ6)`)
  return parsed
}

/** The internal form of an option: `AAPL 2026-01-16 150C`. */
export function formatOption(root: string, expiry: string, strike: number, right: OptionRight): string {
  return `${root} ${expiry} ${formatStrike(strike)}${right === 'call' ? 'C' : 'P'}`
}

/** OCC/OSI symbol: root padded to 6, YYMMDD, C/P, strike × 1000 as 8 digits (`AAPL  260116C00150000`). */
export function toOcc(p: ParsedSymbol): string {
  if (!p.option || p.type !== 'equity_option') throw new SymbolError(`${p.symbol} is not an equity or index option; OCC symbols exist only for those`)
  const root = optionRoot(p).replace('.', '')
  if (root.length > 6) throw new SymbolError(`${p.symbol}: root "${root}" is longer than the 6 characters OCC allows`)
  const milli = Math.round(p.option.strike * 1000)
  if (Math.abs(milli - p.option.strike * 1000) > 1e-6 || milli >= 1e8) throw new SymbolError(`${p.symbol}: strike ${p.option.strike} cannot be written in OCC's 5.3 digits`)
  return `${root.padEnd(6, ' ')}${yymmdd(p.option.expiry)}${p.option.right === 'call' ? 'C' : 'P'}${String(milli).padStart(8, '0')}`
}

/** DXLink/tastytrade streamer symbol: `.AAPL260116C150`, `.UBER260618C82.5`; stock, fund and crypto are their ticker. */
export function toStreamerSymbol(p: ParsedSymbol): string {
  if (p.type === 'equity' || p.type === 'fund' || p.type === 'crypto') return p.symbol
  if (p.type === 'equity_option' && p.option) {
    return `.${optionRoot(p)}${yymmdd(p.option.expiry)}${p.option.right === 'call' ? 'C' : 'P'}${formatStrike(p.option.strike)}`
  }
  // Futures streamer symbols carry the exchange and the option product code (./EW3U26P9100:XCME),
  // neither of which survives into the internal form; they must come from the broker's instrument data.
  throw new SymbolError(`${p.symbol}: no streamer symbol can be derived for futures or futures options`)
}

/**
 * Monthly NSE/BSE expiry of a root (default NIFTY): the last expiry weekday of the month for the
 * root's exchange and era (NIFTY last Thursday → last Tuesday from 2025-09; SENSEX/BANKEX on BSE's
 * own day), moved to the trading day before when it is a holiday (calendar/expiry.ts).
 */
export function nseExpiry(year: number, month: number, root = 'NIFTY'): string {
  if (!Number.isInteger(year) || !Number.isInteger(month) || month < 1 || month > 12) throw new SymbolError(`no such month ${year}-${month}`)
  return indiaMonthlyExpiry(root, year, month)
}

// ---------------------------------------------------------------------------------------------
// Recognisers: each returns null when the text does not have its shape, and throws when it has
// the shape but says something impossible.

/**
 * tastytrade/CME futures option, a fixed-width layout: `./`, the future's code padded to 5, the
 * option product's code (weekly, end-of-month and Friday codes such as EW4, EX3, MN5C, OG) padded
 * to 6, then YYMMDD, C/P and the strike. A 5-character future leaves no space before the option
 * code and a 6-character option code none before the date:
 *   ./MESM6EX3H6 260320P6450    ./MNQZ6MN5CU6260930P30675
 *   ./ESZ6 EW4Z6 261218P5800    ./GCM6 OGK6  260428C3000
 * Padding may also arrive collapsed to single spaces (`./ESZ4 EW3U4 240920P5650`), so the codes
 * are read by width when the text is exactly that wide and otherwise by their shape (root, month
 * code, year digit). Only the future's code and the date and strike matter here; the option
 * product code is kept in brokerSymbol and the streamer symbol comes from the instruments API.
 */
function tastyFutureOption(upper: string): ParsedSymbol | null {
  const m = /^\.\/(.+?)(\d{6})([CP])(\d+(?:\.\d+)?)$/.exec(upper)
  if (!m) return null
  const codes = m[1]
  let future: string | null = null
  let product: string | null = null
  if (codes.length === 11) {
    future = codes.slice(0, 5).trim()
    product = codes.slice(5).trim()
  }
  if (!future || !product || /\s/.test(future) || /\s/.test(product) || !FUTURE_CODE.test(future)) {
    const tokens = codes.trim().split(/\s+/)
    if (tokens.length === 2) [future, product] = tokens
    else if (tokens.length === 1) {
      // Run together (a 5-character future and no padding left): split after the first month code + year digit.
      const joined = /^([A-Z0-9]+?[FGHJKMNQUVXZ]\d)([A-Z0-9]+)$/.exec(tokens[0])
      if (joined) [future, product] = [joined[1], joined[2]]
    }
  }
  if (!future || !product || !FUTURE_CODE.test(future) || !/^[A-Z0-9]{1,6}$/.test(product)) {
    throw new SymbolError(`"${upper.trim()}": a futures option needs ./FUTURE OPTIONCODE YYMMDD{C|P}STRIKE, e.g. ./ESZ6 EW4Z6 261218P5800`)
  }
  const underlying = `/${future}`
  const expiry = dateFromYymmdd(m[2], upper)
  return option(underlying, expiry, strikeOf(m[4], upper), m[3] === 'C' ? 'call' : 'put', 'future_option', underlying)
}

/** A futures contract code without the slash: root (letters/digits), month code, one or two year digits. */
const FUTURE_CODE = /^[A-Z0-9]{1,4}[FGHJKMNQUVXZ]\d{1,2}$/

/** tastytrade future `/ESZ6`, `/MNQH6`, `/6EZ6`, `/ESZ26`. */
function tastyFuture(s: string): ParsedSymbol | null {
  const m = /^\/([A-Z0-9]{1,4}?)([FGHJKMNQUVXZ])(\d{1,2})$/.exec(s)
  if (!m || !/[A-Z]/.test(m[1])) return null
  const month = FUTURE_MONTH_CODES.indexOf(m[2]) + 1
  // One-digit years name a decade we cannot know without a clock; two-digit years we can.
  const futureExpiry = m[3].length === 2 ? `20${m[3]}-${pad2(month)}` : undefined
  return {symbol: s, type: 'future', underlying: s, ...(futureExpiry ? {futureExpiry} : {})}
}

/** OCC `AAPL  260116C00150000`, also with the padding collapsed (`SPY 230731C00393000`) or removed. */
function occ(s: string): ParsedSymbol | null {
  const m = /^([A-Z][A-Z0-9.]{0,5}) ?(\d{6})([CP])(\d{8})$/.exec(s)
  if (!m) return null
  const expiry = dateFromYymmdd(m[2], s)
  const strike = Number(m[4]) / 1000
  if (!(strike > 0)) throw new SymbolError(`"${s}": strike must be positive`)
  return equityOption(m[1], expiry, strike, m[3] === 'C' ? 'call' : 'put')
}

/** Fidelity ` -TSLA260821P360`, tastytrade streamer `.AAPL260116C150`, or bare `AAPL260116C150`. */
function compactUsOption(s: string): ParsedSymbol | null {
  // The leading dash is Fidelity's option marker, not a sign: direction comes from the quantity.
  const m = /^[-.]? ?([A-Z][A-Z0-9.]*?)(\d{6})([CP])(\d+(?:\.\d+)?)$/.exec(s)
  if (!m) return null
  const expiry = dateFromYymmdd(m[2], s)
  return equityOption(m[1], expiry, strikeOf(m[4], s), m[3] === 'C' ? 'call' : 'put')
}

/**
 * Zerodha/NSE tradingsymbols: weekly `NIFTY20D1713600CE` (YY, month 1-9 or O/N/D, DD), monthly
 * `NIFTY24JAN21000CE`, futures `NIFTY24JANFUT`. Roots may hold digits, & and -, so known roots
 * are tried first, then every split point; at each split weekly is tried before monthly.
 */
function zerodhaTradingSymbol(s: string): ParsedSymbol | null {
  if (s.includes(' ') || !/(\d(CE|PE)|\d{2}[A-Z]{3}FUT)$/.test(s)) return null
  const candidates: number[] = []
  for (const root of KNOWN_NSE_ROOTS) if (s.startsWith(root)) candidates.push(root.length)
  for (let i = 1; i < s.length; i++) if (!candidates.includes(i)) candidates.push(i)
  for (const i of candidates) {
    const root = s.slice(0, i)
    if (!ROOT_RE.test(root) || !/[A-Z]/.test(root) || !/^\d/.test(s.slice(i))) continue
    const parsed = nseRest(root, s.slice(i))
    if (parsed) return parsed
  }
  throw new SymbolError(`"${s}" looks like an NSE tradingsymbol but has no valid expiry (expected e.g. NIFTY24JAN21000CE, NIFTY20D1713600CE or NIFTY24JANFUT)`)
}

function nseRest(root: string, rest: string): ParsedSymbol | null {
  const weekly = new RegExp(`^(\\d{2})([1-9OND])(\\d{2})(${NUMBER})(CE|PE)$`).exec(rest)
  if (weekly) {
    const month = /\d/.test(weekly[2]) ? Number(weekly[2]) : 10 + 'OND'.indexOf(weekly[2])
    const expiry = validDate(2000 + Number(weekly[1]), month, Number(weekly[3]))
    const strike = Number(weekly[4])
    if (expiry && strike > 0) return option(root, expiry, strike, weekly[5] === 'CE' ? 'call' : 'put', 'equity_option', root)
  }
  const monthly = new RegExp(`^(\\d{2})(${MONTHS.join('|')})(${NUMBER})(CE|PE)$`).exec(rest)
  if (monthly) {
    const strike = Number(monthly[3])
    if (!(strike > 0)) throw new SymbolError(`"${root}${rest}": strike must be positive`)
    const expiry = nseExpiry(2000 + Number(monthly[1]), MONTHS.indexOf(monthly[2] as (typeof MONTHS)[number]) + 1, root)
    return option(root, expiry, strike, monthly[4] === 'CE' ? 'call' : 'put', 'equity_option', root)
  }
  const future = new RegExp(`^(\\d{2})(${MONTHS.join('|')})FUT$`).exec(rest)
  if (future) {
    return future_(root, `${2000 + Number(future[1])}-${pad2(MONTHS.indexOf(future[2] as (typeof MONTHS)[number]) + 1)}`)
  }
  return null
}

/**
 * Forms with spaces: the internal form itself (`AAPL 2027-01-15 210P`, `NIFTY 2024-01 FUT`),
 * Fidelity's description (`TSLA AUG 21 2026 $360 PUT`) and display forms such as
 * `NIFTY 25 JAN 2024 21000 CE`. A display form without an expiry (`NIFTY 21000 CE`) cannot name
 * a contract and is rejected.
 */
function spacedForm(s: string, original: string): ParsedSymbol | null {
  const tokens = s.split(' ')
  const root = tokens[0]
  if (!(root.startsWith('/') ? ROOT_RE.test(root.slice(1)) : ROOT_RE.test(root)) || !/[A-Z]/.test(root)) return null
  let rest = tokens.slice(1)
  const last = rest[rest.length - 1]

  if (last === 'FUT') {
    const date = parseDate(rest.slice(0, -1), true)
    if (!date) throw new SymbolError(`"${original}": a future needs its expiry, e.g. ${root} 2024-01 FUT`)
    return future_(root, date.value)
  }

  let rightToken: string
  const suffix = /^\$?(\d+(?:\.\d+)?)(C|P|CE|PE)$/.exec(last ?? '')
  if (suffix) {
    rightToken = suffix[2]
    rest = [...rest.slice(0, -1), suffix[1]]
  } else if (['C', 'P', 'CE', 'PE', 'CALL', 'PUT'].includes(last ?? '')) {
    rightToken = last
    rest = rest.slice(0, -1)
  } else return null
  const right: OptionRight = rightToken.startsWith('C') ? 'call' : 'put'

  const strikeToken = rest[rest.length - 1]
  if (!strikeToken || !/^\$?[\d,]+(\.\d+)?$/.test(strikeToken)) return null
  const strike = strikeOf(strikeToken.replace(/[$,]/g, ''), original)
  const date = parseDate(rest.slice(0, -1), rightToken === 'CE' || rightToken === 'PE')
  if (!date) {
    throw new SymbolError(`"${original}" has no expiry; write it with one, e.g. ${root} 2026-12-29 ${formatStrike(strike)}${right === 'call' ? 'C' : 'P'} or as a tradingsymbol such as ${root}26DEC${formatStrike(strike)}${right === 'call' ? 'CE' : 'PE'}`)
  }
  // A month alone only names a contract on NSE, where each month has one monthly expiry.
  const expiry = date.kind === 'day' ? date.value : nseExpiry(Number(date.value.slice(0, 4)), Number(date.value.slice(5, 7)), root)
  if (root.startsWith('/')) return option(root, expiry, strike, right, 'future_option', root)
  return equityOption(root, expiry, strike, right)
}

/**
 * Expiry tokens of a spaced form. Accepts YYYY-MM-DD, YYYY-MM, `DD MMM YYYY`, `MMM DD YYYY`
 * (with optional ordinal and comma) and, when monthAllowed, `MMM YYYY`. Null when there are none;
 * throws when they are there but do not make a date.
 */
function parseDate(tokens: string[], monthAllowed: boolean): {kind: 'day' | 'month'; value: string} | null {
  if (tokens.length === 0) return null
  const words = tokens.map((t) => t.replace(/,$/, '').replace(/^(\d{1,2})(ST|ND|RD|TH)$/, '$1'))
  const text = words.join(' ')
  const bad = (): never => {
    throw new SymbolError(`"${tokens.join(' ')}" is not an expiry date (use YYYY-MM-DD)`)
  }
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
  if (m) return {kind: 'day', value: validDate(+m[1], +m[2], +m[3]) ?? bad()}
  m = /^(\d{4})-(\d{2})$/.exec(text)
  if (m) {
    if (+m[2] < 1 || +m[2] > 12 || !monthAllowed) bad()
    return {kind: 'month', value: `${m[1]}-${m[2]}`}
  }
  const month = (name: string) => MONTHS.indexOf(name.slice(0, 3) as (typeof MONTHS)[number]) + 1
  m = /^(\d{1,2}) ([A-Z]{3,9}) (\d{4})$/.exec(text) ?? null
  if (m && month(m[2]) > 0) return {kind: 'day', value: validDate(+m[3], month(m[2]), +m[1]) ?? bad()}
  m = /^([A-Z]{3,9}) (\d{1,2}) (\d{4})$/.exec(text)
  if (m && month(m[1]) > 0) return {kind: 'day', value: validDate(+m[3], month(m[1]), +m[2]) ?? bad()}
  m = /^([A-Z]{3,9}) (\d{4})$/.exec(text)
  if (m && month(m[1]) > 0) {
    if (!monthAllowed) throw new SymbolError(`"${tokens.join(' ')}": a US option needs the expiry day, e.g. YYYY-MM-DD`)
    return {kind: 'month', value: `${m[2]}-${pad2(month(m[1]))}`}
  }
  return bad()
}

function cryptoPair(s: string): ParsedSymbol | null {
  if (!/^[A-Z]{2,6}\/(USD|USDT|USDC|EUR|INR)$/.test(s)) return null
  return {symbol: s, type: 'crypto', underlying: s}
}

/** 9-character CUSIPs (401(k) funds at Fidelity), recognised only with a valid check digit. */
function cusip(s: string): ParsedSymbol | null {
  if (!/^\d{3}[0-9A-Z]{5}\d$/.test(s)) return null
  let sum = 0
  for (let i = 0; i < 8; i++) {
    const c = s[i]
    let v = /\d/.test(c) ? Number(c) : c.charCodeAt(0) - 55
    if (i % 2 === 1) v *= 2
    sum += Math.floor(v / 10) + (v % 10)
  }
  if ((10 - (sum % 10)) % 10 !== Number(s[8])) return null
  return {symbol: s, type: 'fund', underlying: s}
}

function ticker(s: string): ParsedSymbol | null {
  let t = s
  const shareClass = /^([A-Z]+)\/([A-Z]{1,2})$/.exec(t)
  if (shareClass) t = `${shareClass[1]}.${shareClass[2]}`
  // Zerodha appends the NSE series to equities (RELIANCE-EQ; BE/BZ for trade-for-trade segments).
  t = t.replace(/-(EQ|BE|BZ)$/, '')
  if (!ROOT_RE.test(t) || !/[A-Z]/.test(t) || t.length > 20 || /[.&-]$/.test(t)) return null
  // Five digits in a row is a broken option or F&O symbol, not a ticker.
  if (/\d{5}/.test(t)) return null
  // One spelling per share class on every side: Fidelity writes Berkshire B as BRKB for the stock
  // and -BRKB270115C520 for its options; both are BRK.B, so a covered call is seen as covered.
  if (SHARE_CLASSES[t]) t = SHARE_CLASSES[t]
  return {symbol: t, type: 'equity', underlying: t}
}

// ---------------------------------------------------------------------------------------------

function equityOption(root: string, expiry: string, strike: number, right: OptionRight): ParsedSymbol {
  return option(root, expiry, strike, right, 'equity_option', ROOT_UNDERLYING[root] ?? SHARE_CLASSES[root] ?? root)
}

function option(root: string, expiry: string, strike: number, right: OptionRight, type: InstrumentType, underlying: string): ParsedSymbol {
  return {symbol: formatOption(root, expiry, strike, right), type, underlying, option: {expiry, strike, right}}
}

function future_(root: string, futureExpiry: string): ParsedSymbol {
  return {symbol: `${root} ${futureExpiry} FUT`, type: 'future', underlying: root, futureExpiry}
}

/** The option class as written in the symbol (`SPXW`), which may differ from the underlying (`SPX`). */
function optionRoot(p: ParsedSymbol): string {
  return p.symbol.split(' ')[0]
}

function strikeOf(text: string, original: string): number {
  const strike = Number(text)
  if (!Number.isFinite(strike) || strike <= 0) throw new SymbolError(`"${original}": strike must be a positive number, got ${text}`)
  return strike
}

/** Shortest decimal form, free of binary noise: 82.5, 21000, 0.5. */
function formatStrike(strike: number): string {
  return String(Number(strike.toFixed(6)))
}

function dateFromYymmdd(text: string, original: string): string {
  const date = validDate(2000 + Number(text.slice(0, 2)), Number(text.slice(2, 4)), Number(text.slice(4, 6)))
  if (!date) throw new SymbolError(`"${original}": ${text} is not a valid YYMMDD expiry date`)
  return date
}

function validDate(year: number, month: number, day: number): string | null {
  if (month < 1 || month > 12 || day < 1) return null
  const d = new Date(Date.UTC(year, month - 1, day))
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null
  return isoDate(year, month, day)
}

function yymmdd(expiry: string): string {
  return expiry.slice(2, 4) + expiry.slice(5, 7) + expiry.slice(8, 10)
}

function isoDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`
}

function pad2(n: number): string {
  return String(n).padStart(2, '0')
}

/**
 * Cash-settled index option classes, European-style: S&P 500 (SPX, SPXW), Mini-SPX (XSP), Nasdaq-100
 * (NDX, NDXP, XND), Russell 2000 (RUT, RUTW, MRUT), VIX (VIX, VIXW), Dow (DJX), S&P 100 European (XEO).
 * Every other US equity/ETF option is American; NSE options are all European.
 */
export const EUROPEAN_INDEX_ROOTS: ReadonlySet<string> = new Set(['SPX', 'SPXW', 'XSP', 'NDX', 'NDXP', 'XND', 'RUT', 'RUTW', 'MRUT', 'VIX', 'VIXW', 'DJX', 'XEO'])

/** The exercise style of an option when the broker does not state it. */
export function defaultExerciseStyle(parsed: ParsedSymbol, currency: string): ExerciseStyle {
  if (currency === 'INR') return 'european'
  return EUROPEAN_INDEX_ROOTS.has(parsed.symbol.split(' ')[0]) ? 'european' : 'american'
}
