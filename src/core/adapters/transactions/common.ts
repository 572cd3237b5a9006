/*
 * What every transactions parser shares: the text of an export as records with their lines, the
 * one way a bad row fails (file:line and what is wrong; nothing of the file is imported), symbols
 * to the internal form with the instrument's multiplier, and dates with their zone. The parsers
 * themselves are pure: text in, drafts out (keys come later from withContentKeys).
 *
 * Conventions every parser follows (docs/FILE_FORMATS.md, "Transactions"):
 *  - quantity signed by the effect on the position; where a source does not say the direction of
 *    an option removal (an expiration without a signed quantity) it is null, never guessed: the
 *    lot engine closes whatever is open. Assignment removes a short (+), exercise a long (−).
 *  - the stock leg of an assignment or exercise has the kind of the option event (`assignment` /
 *    `exercise`) and the equity symbol, its price the strike;
 *  - fees ≥ 0 are costs; a fee column the source does not have is null, a stated 0 is 0;
 *  - amount is the net cash effect as the source states it (+ credit, − debit), else null.
 */
import type {PortfolioConfig} from '../../config/config.js'
import type {EventDraft, EventKind, Fees} from '../../domain/ledger/events.js'
import type {SkippedRow} from '../broker.js'
import {zonedDate, zonedInstant, type Zone} from '../../domain/calendar/zones.js'
import {futuresMultiplier, mcxLot, US_OPTION_MULTIPLIER} from '../../domain/multipliers.js'
import {parseSymbol, SymbolError} from '../../domain/symbols.js'
import type {InstrumentType, ParsedSymbol} from '../../domain/types.js'
import {ImportError, RowError, type CsvRecord, type RowReader} from '../csv/table.js'

/** An event as a parser delivers it: the key is given later (withContentKeys). */
export type Draft = Omit<EventDraft, 'key'>

export interface TransactionsParse {
  events: Draft[]
  warnings: string[]
  /** rows that are not events at all (section headers, totals, trailers), with why; optional */
  skipped?: SkippedRow[]
}

/** The signature every file parser has, for the registry. */
export type TransactionsParser = (text: string, file: string, portfolio: PortfolioConfig) => TransactionsParse

/**
 * CSV text as records with their 1-based start lines (RFC 4180: quoted cells with "" escapes and
 * line breaks; BOM; CRLF, LF or CR). Like the positions importers' reader (csv-parse with
 * relax_quotes), a quote inside an unquoted cell is data (5" SCREEN) and text after a closing
 * quote is kept. Written out because a year of activity is 100,000 rows and csv-parse spends
 * ~10 µs a row where this spends ~1 µs (bench/transactions.mjs).
 */
export function csvRecords(text: string, file: string, options: {comments?: boolean} = {}): CsvRecord[] {
  let s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  // `#` comment lines (the generic format): emptied, so every other record keeps its line number.
  if (options.comments) s = s.replace(/^#.*$/gm, '')
  if (s.trim() === '') throw new ImportError(file, undefined, 'file is empty')
  const out: CsvRecord[] = []
  const n = s.length
  let i = 0
  let line = 1
  while (i < n) {
    const start = line
    const cells: string[] = []
    for (;;) {
      let cell = ''
      if (s.charCodeAt(i) === 34) {
        let j = i + 1
        for (;;) {
          const q = s.indexOf('"', j)
          if (q < 0) throw new ImportError(file, start, 'not a readable CSV file: a quoted cell is never closed')
          cell += s.slice(j, q)
          if (s.charCodeAt(q + 1) === 34) {
            cell += '"'
            j = q + 2
            continue
          }
          j = q + 1
          break
        }
        for (let k = cell.indexOf('\n'); k >= 0; k = cell.indexOf('\n', k + 1)) line++
        i = j
      }
      let k = i
      while (k < n) {
        const c = s.charCodeAt(k)
        if (c === 44 || c === 10 || c === 13) break
        k++
      }
      cell += s.slice(i, k)
      i = k
      cells.push(cell)
      if (i < n && s.charCodeAt(i) === 44) {
        i++
        continue
      }
      if (s.charCodeAt(i) === 13) i++
      if (s.charCodeAt(i) === 10) i++
      line++
      break
    }
    out.push({line: start, cells})
  }
  return out
}

/**
 * Runs `fn` on each record; a RowError or SymbolError becomes an ImportError naming file:line, so
 * one bad row fails the whole file (nothing of it is imported).
 */
export function eachRecord(file: string, records: CsvRecord[], fn: (record: CsvRecord) => void): void {
  for (const record of records) {
    try {
      fn(record)
    } catch (error) {
      if (error instanceof RowError || error instanceof SymbolError) throw new ImportError(file, record.line, error.message)
      throw error
    }
    // A read row's cells are garbage from here: letting them go as we pass keeps 100,000 rows of
    // strings from being carried through every collection of the parse.
    record.cells = []
  }
}

export interface Instrument {
  symbol: string
  brokerSymbol: string
  instrumentType: InstrumentType
  underlying: string
  option?: ParsedSymbol['option']
  multiplier: number | null
}

/**
 * The instrument of a broker symbol. Multiplier: 1 for stock, funds and crypto; 100 for US
 * options; 1 for NSE/BSE F&O (quantities are in units); the CME point value for futures and
 * their options (null when the product is not in domain/multipliers.ts: unknown, not guessed).
 */
export function instrumentOf(brokerSymbol: string, currency: string, parsed: ParsedSymbol = parseCached(brokerSymbol)): Instrument {
  let multiplier: number | null = 1
  if (parsed.type === 'equity_option') multiplier = currency === 'INR' ? 1 : US_OPTION_MULTIPLIER
  else if (parsed.type === 'future' || parsed.type === 'future_option') {
    multiplier = parsed.underlying.startsWith('/') ? futuresMultiplier(parsed.underlying) ?? null : currency === 'INR' ? mcxLot(parsed.underlying) ?? 1 : null
  }
  // Mutual-fund tickers are five letters ending in X (FXAIX), as in the positions importers.
  const instrumentType = parsed.type === 'equity' && /^[A-Z]{4}X$/.test(parsed.symbol) ? 'fund' : parsed.type
  return {
    symbol: parsed.symbol,
    brokerSymbol,
    instrumentType,
    underlying: parsed.underlying,
    ...(parsed.option ? {option: parsed.option} : {}),
    multiplier,
  }
}

const symbolCache = new Map<string, ParsedSymbol>()

/** parseSymbol, remembered: an export repeats a few hundred symbols over 100,000 rows. Pure, so safe; results are never mutated. */
export function parseCached(text: string): ParsedSymbol {
  let parsed = symbolCache.get(text)
  if (!parsed) {
    parsed = parseSymbol(text)
    if (symbolCache.size >= 50_000) symbolCache.clear()
    symbolCache.set(text, parsed)
  }
  return parsed
}

/** The instrument fields of a draft (or the cash-only nulls). */
export function instrumentFields(i: Instrument | null): Pick<Draft, 'symbol' | 'brokerSymbol' | 'instrumentType' | 'underlying' | 'multiplier'> & {option?: Draft['option']} {
  if (!i) return {symbol: null, brokerSymbol: null, instrumentType: null, underlying: null, multiplier: null}
  return {
    symbol: i.symbol,
    brokerSymbol: i.brokerSymbol,
    instrumentType: i.instrumentType,
    underlying: i.underlying,
    ...(i.option ? {option: {...i.option}} : {}),
    multiplier: i.multiplier,
  }
}

/** A draft with everything unknown; parsers fill in what their source states. */
export function blank(portfolio: PortfolioConfig, source: Draft['source'], sourceRef: string, kind: EventKind, at: string, timeKnown: boolean, tradeDate: string, currency: string, description: string): Draft {
  return {
    portfolio: portfolio.name,
    account: portfolio.account ?? null,
    source,
    sourceRef,
    brokerId: null,
    kind,
    provisional: false,
    at,
    timeKnown,
    tradeDate,
    symbol: null,
    brokerSymbol: null,
    instrumentType: null,
    underlying: null,
    quantity: null,
    price: null,
    multiplier: null,
    currency,
    amount: null,
    fees: {commission: null, clearing: null, regulatory: null, exchange: null, other: null},
    orderId: null,
    positionEffect: null,
    description,
    brokerRealizedPnl: null,
  }
}

export function fees(partial: Partial<Fees>): Fees {
  return {commission: null, clearing: null, regulatory: null, exchange: null, other: null, ...partial}
}

/** Money and quantities rounded away from binary noise (1e-9), keeping what the source wrote. */
export function clean(n: number | null): number | null {
  if (n === null) return null
  const r = Math.round(n * 1e9) / 1e9
  return Object.is(r, -0) ? 0 : r
}

/** `MM/DD/YYYY` (or `MM/DD/YY`, `MM-DD-YY`) → `YYYY-MM-DD`; null when it is not such a date. */
export function usDate(text: string): string | null {
  const m = /^(\d{1,2})[/-](\d{1,2})[/-](\d{2}|\d{4})$/.exec(text.trim())
  if (!m) return null
  const year = m[3].length === 2 ? 2000 + Number(m[3]) : Number(m[3])
  return checkedDate(year, Number(m[1]), Number(m[2]))
}

const MON = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC']

/** Any date form exports write: `2026-07-31`, `20260731`, `07/31/2026`, `09-02-22`, `Mar-06-2026`. */
export function anyDate(text: string): string | null {
  const t = text.trim()
  let m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(t)
  if (m) return checkedDate(Number(m[1]), Number(m[2]), Number(m[3]))
  m = /^([A-Za-z]{3})-(\d{1,2})-(\d{4})$/.exec(t)
  if (m) {
    const month = MON.indexOf(m[1].toUpperCase()) + 1
    return month > 0 ? checkedDate(Number(m[3]), month, Number(m[2])) : null
  }
  return usDate(t)
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

export function checkedDate(year: number, month: number, day: number): string | null {
  if (!Number.isInteger(year) || year < 1000 || year > 9999 || month < 1 || month > 12 || day < 1) return null
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  if (day > DAYS_IN_MONTH[month - 1] + (leap ? 1 : 0)) return null
  return `${year}-${month < 10 ? '0' : ''}${month}-${day < 10 ? '0' : ''}${day}`
}

const midnights = new Map<string, string>()

/** Midnight of an exchange-local date as an ISO instant (date-only sources; timeKnown false). Remembered: exports repeat dates. */
export function midnight(zone: Zone, date: string): string {
  const key = `${zone} ${date}`
  let at = midnights.get(key)
  if (at === undefined) {
    at = zonedInstant(zone, date, 0).toISOString()
    if (midnights.size >= 20_000) midnights.clear()
    midnights.set(key, at)
  }
  return at
}

/** A local wall-clock time in a zone as an ISO instant. */
export function localInstant(zone: Zone, date: string, hours: number, minutes: number, seconds: number): string {
  return new Date(zonedInstant(zone, date, hours * 60 + minutes).getTime() + seconds * 1000).toISOString()
}

/** The exchange-local trade date of an instant. */
export function localDate(zone: Zone, iso: string): string {
  return zonedDate(zone, new Date(iso))
}

/** A non-negative count (quantity columns that are unsigned by the format). */
export function unsigned(n: number | null, label: string, text: string): number | null {
  if (n !== null && n < 0) throw new RowError(`${label} "${text}" is negative; this export writes quantities unsigned`)
  return n
}

/**
 * Links the stock leg of an assignment or exercise to its option removal: same account, same
 * underlying, same time (TastyTrade stamps both 21:00Z) or same date (date-only sources). The leg
 * takes the removal's kind; a delivery with no removal beside it stays what it was.
 */
export function markDeliveries(events: Draft[], isDelivery: (e: Draft) => boolean, sameMoment: (a: Draft, b: Draft) => boolean): void {
  const removals = events.filter((e) => (e.kind === 'assignment' || e.kind === 'exercise') && e.option)
  for (const e of events) {
    if (!isDelivery(e) || e.option || e.symbol === null) continue
    const removal = removals.find((r) => r.account === e.account && r.underlying === e.underlying && sameMoment(r, e))
    if (removal) e.kind = removal.kind
  }
}

const PLAIN_NUMBER = /^-?\d+(?:\.\d+)?$/

/**
 * RowReader.number with a fast path: a plain decimal (most cells of an export) is read directly;
 * anything else (`$1,234.56`, `(15.00)`, `--`, a bad value) goes through the full reader, with its
 * messages. A third of a 100,000-row parse was the full reader's regular expressions.
 */
export function numberOf<K extends string>(row: RowReader<K>, key: K): number | null {
  const t = row.text(key)
  if (t === '') return null
  return PLAIN_NUMBER.test(t) ? Number(t) : row.number(key)
}
