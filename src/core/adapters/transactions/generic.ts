/*
 * cotrader's generic transactions CSV (docs/FILE_FORMATS.md, "Generic transactions"): for any broker
 * without its own parser, and for the demo. One row per event, a header row naming the columns (any
 * order, `#` comment lines and blank lines ignored):
 *
 *   date,kind,symbol,quantity,price[,commission][,fees][,amount][,currency][,multiplier][,id][,order_id]
 *        [,account][,effect][,ratio][,new_symbol][,realized][,description]
 *
 * Signs: quantity is signed by its effect on the position (+ bought / received, − sold / delivered; an
 * expiring or assigned short option is removed with +), amount is the net cash (+ credit, − debit).
 * Every problem is refused with file:line; a kind it does not know is kept as `unclassified`.
 */
import type {PortfolioConfig} from '../../config/config.js'
import {marketFor, zoneOf} from '../../domain/calendar/index.js'
import {zonedDate, zonedInstant, type Zone} from '../../domain/calendar/zones.js'
import {EVENT_KINDS, type EventDraft, type EventKind} from '../../domain/ledger/events.js'
import {futuresMultiplier, isOptionType} from '../../domain/multipliers.js'
import {defaultExerciseStyle, parseSymbol, SymbolError} from '../../domain/symbols.js'
import type {ExerciseStyle, ParsedSymbol} from '../../domain/types.js'
import {ImportError, locateColumns, RowError, RowReader, type ColumnSpec} from '../csv/table.js'
import {csvRecords, type TransactionsParse} from './common.js'

type Col =
  | 'date' | 'kind' | 'symbol' | 'quantity' | 'price' | 'commission' | 'fees' | 'amount' | 'currency' | 'multiplier' | 'id' | 'orderId' | 'account' | 'effect'
  | 'ratio' | 'newSymbol' | 'realized' | 'description'

const SPEC: ColumnSpec<Col> = {
  columns: {
    date: ['date', 'time', 'executed_at'],
    kind: ['kind', 'type'],
    symbol: ['symbol'],
    quantity: ['quantity', 'qty'],
    price: ['price'],
    commission: ['commission'],
    fees: ['fees'],
    amount: ['amount', 'net_amount'],
    currency: ['currency'],
    multiplier: ['multiplier'],
    id: ['id', 'transaction_id'],
    orderId: ['order_id'],
    account: ['account'],
    effect: ['effect', 'open_close'],
    ratio: ['ratio'],
    newSymbol: ['new_symbol'],
    realized: ['realized', 'realized_pnl'],
    description: ['description'],
  },
  required: ['date', 'kind'],
  anchor: 'kind',
}

/** Kinds written as words people use; the canonical names of EventKind are accepted too. */
const KIND_ALIASES: Record<string, EventKind> = {
  buy: 'trade', sell: 'trade', fill: 'trade', assigned: 'assignment', exercised: 'exercise', expired: 'expiration', expiry: 'expiration',
  'cash settlement': 'cash_settlement', 'forward split': 'split', 'stock split': 'split', 'reverse split': 'reverse_split', 'symbol change': 'symbol_change',
  div: 'dividend', deposit: 'transfer', withdrawal: 'transfer',
}

const INSTRUMENT_KINDS: ReadonlySet<EventKind> = new Set(['trade', 'assignment', 'exercise', 'expiration', 'cash_settlement', 'split', 'reverse_split', 'symbol_change'])

/**
 * Per-file memo: a long export repeats few symbols, kinds and dates, and parsing them dominated
 * (bench/ledger.mjs, 100,000 rows): per symbol and currency its parse, zone and exercise style; per
 * kind text its kind; per zone and date whether the date is valid and its local midnight.
 */
interface Memo {
  symbols: Map<string, {parsed: ParsedSymbol; zone: Zone; style: ExerciseStyle | undefined}>
  kinds: Map<string, EventKind>
  days: Map<string, Day>
  noSymbol: Map<string, Zone>
}

/** A date in a zone: valid or not; the instant of its local midnight; whether its offset is one all day (no DST switch that day). */
interface Day {
  valid: boolean
  midnight: number
  oneOffset: boolean
}

export function parseGenericTransactions(text: string, file: string, portfolio: PortfolioConfig): TransactionsParse {
  const records = csvRecords(text, file, {comments: true})
  const table = locateColumns(file, records, SPEC)
  const events: Omit<EventDraft, 'key'>[] = []
  const memo: Memo = {symbols: new Map(), kinds: new Map(), days: new Map(), noSymbol: new Map()}
  for (const record of table.rows) {
    if (record.cells.every((c) => c.trim() === '')) continue
    const row = new RowReader(table, record)
    try {
      events.push(readRow(row, file, portfolio, memo))
    } catch (error) {
      if (error instanceof RowError || error instanceof SymbolError) throw new ImportError(file, record.line, error.message)
      throw error
    }
  }
  return {events, skipped: [], warnings: []}
}

function readRow(row: RowReader<Col>, file: string, portfolio: PortfolioConfig, memo: Memo): Omit<EventDraft, 'key'> {
  const kindText = row.text('kind')
  if (kindText === '') throw new RowError(`${row.label('kind')} is blank`)
  let kind = memo.kinds.get(kindText)
  if (kind === undefined) {
    const norm = kindText.toLowerCase().replace(/[\s-]+/g, ' ').trim()
    const canonical = norm.replace(/ /g, '_')
    kind = (EVENT_KINDS as readonly string[]).includes(canonical) && canonical !== 'unclassified' ? (canonical as EventKind) : (KIND_ALIASES[norm] ?? 'unclassified')
    memo.kinds.set(kindText, kind)
  }
  const currencyText = row.text('currency')
  const currency = currencyText === '' ? portfolio.currency : currencyText.toUpperCase()
  if (!/^[A-Z]{3}$/.test(currency)) throw new RowError(`${row.label('currency')} "${currencyText}" is not a three-letter currency code`)

  const symbolText = row.text('symbol')
  let parsed: ParsedSymbol | null = null
  let zone: Zone
  let style: ExerciseStyle | undefined
  if (symbolText !== '') {
    const k = `${currency}|${symbolText}`
    let known = memo.symbols.get(k)
    if (!known) {
      const p = parseSymbol(symbolText)
      known = {parsed: p, zone: zoneOf(marketFor({instrumentType: p.type, currency, underlying: p.underlying})), style: p.option ? defaultExerciseStyle(p, currency) : undefined}
      memo.symbols.set(k, known)
    }
    ;({parsed, zone, style} = known)
  } else {
    let z = memo.noSymbol.get(currency)
    if (z === undefined) memo.noSymbol.set(currency, (z = zoneOf(marketFor({instrumentType: 'equity', currency, underlying: ''}))))
    zone = z
  }
  if (parsed === null && INSTRUMENT_KINDS.has(kind)) throw new RowError(`${row.label('symbol')} is blank; a ${kind} row names its instrument`)

  const when = parseWhen(row.text('date'), row.label('date'), zone, memo.days)
  const quantity = row.number('quantity')
  const price = row.number('price')
  const amount = row.number('amount')
  const isOpt = parsed !== null && isOptionType(parsed.type)
  let multiplier = row.number('multiplier')
  if (multiplier !== null && !(multiplier > 0)) throw new RowError(`${row.label('multiplier')} "${row.text('multiplier')}" must be positive`)
  if (multiplier === null && parsed) multiplier = isOpt ? 100 : parsed.type === 'future' ? (futuresMultiplier(parsed.underlying) ?? null) : 1
  if (multiplier === null && parsed) throw new RowError(`${row.label('multiplier')} is needed for ${parsed.symbol} (no known contract size)`)
  if (price !== null && price < 0 && parsed?.type !== 'future' && parsed?.type !== 'future_option') throw new RowError(`${row.label('price')} "${row.text('price')}" is negative`)

  const need = (v: number | null, col: Col, what: string): number => {
    if (v === null) throw new RowError(`${row.label(col)} is blank; a ${kind} row needs ${what} (a blank is not 0)`)
    return v
  }
  let ratio: EventDraft['ratio']
  let newSymbol: string | undefined
  switch (kind) {
    case 'trade':
      if (need(quantity, 'quantity', 'a signed quantity') === 0) throw new RowError(`${row.label('quantity')} is 0`)
      need(price, 'price', 'a price per unit')
      break
    case 'assignment':
    case 'exercise':
      if (need(quantity, 'quantity', 'the signed quantity removed (options) or delivered (shares)') === 0) throw new RowError(`${row.label('quantity')} is 0`)
      if (!isOpt) need(price, 'price', 'the price per share the shares are delivered at (the strike)')
      break
    case 'expiration':
      if (!isOpt) throw new RowError(`${symbolText} is not an option; only options expire`)
      break
    case 'cash_settlement':
      need(quantity, 'quantity', 'the signed quantity settled')
      need(price, 'price', 'the settlement value per unit')
      break
    case 'split':
    case 'reverse_split':
      ratio = parseRatio(row.text('ratio'), row.label('ratio'))
      if (kind === 'split' && ratio.to < ratio.from) throw new RowError(`${row.label('ratio')} "${row.text('ratio')}" gives fewer shares; that is a reverse_split`)
      if (kind === 'reverse_split' && ratio.to > ratio.from) throw new RowError(`${row.label('ratio')} "${row.text('ratio')}" gives more shares; that is a split`)
      break
    case 'symbol_change': {
      const to = row.text('newSymbol')
      if (to === '') throw new RowError(`${row.label('newSymbol')} is blank; a symbol_change row names the new symbol`)
      newSymbol = parseSymbol(to).symbol
      break
    }
    case 'dividend':
    case 'fee':
    case 'interest':
      need(amount, 'amount', 'the cash amount (+ credit, − debit)')
      break
    case 'transfer':
      if (parsed) need(quantity, 'quantity', 'the signed quantity moved')
      else need(amount, 'amount', 'the cash amount (+ in, − out)')
      break
    case 'unclassified':
      break
  }
  const effectText = row.text('effect').toLowerCase()
  const positionEffect = effectText === '' ? null : effectText === 'open' || effectText === 'o' ? 'open' : effectText === 'close' || effectText === 'c' ? 'close' : null
  if (effectText !== '' && positionEffect === null) throw new RowError(`${row.label('effect')} "${row.text('effect')}" is not open or close`)
  const commission = row.number('commission')
  const other = row.number('fees')
  const description = row.text('description')
  // One literal, the optional fields added after (object spreads in a literal cost a copy per row).
  const e: Omit<EventDraft, 'key'> = {
    portfolio: portfolio.name,
    account: row.text('account') || portfolio.account || null,
    source: 'file',
    sourceRef: `${file}:${row.record.line}`,
    brokerId: row.text('id') || null,
    kind,
    provisional: false,
    at: when.at,
    timeKnown: when.timeKnown,
    tradeDate: when.tradeDate,
    symbol: parsed?.symbol ?? null,
    brokerSymbol: symbolText || null,
    instrumentType: parsed?.type ?? null,
    underlying: parsed?.underlying ?? null,
    quantity: parsed ? quantity : kind === 'transfer' ? null : quantity,
    price,
    multiplier: parsed ? multiplier : null,
    currency,
    amount,
    fees: {commission, clearing: null, regulatory: null, exchange: null, other},
    orderId: row.text('orderId') || null,
    positionEffect,
    description: kind === 'unclassified' ? `${kindText}${description ? `: ${description}` : ''}` : description,
    brokerRealizedPnl: row.number('realized'),
  }
  if (parsed?.option) e.option = {...parsed.option, style}
  if (ratio) e.ratio = ratio
  if (newSymbol) e.newSymbol = newSymbol
  return e
}

/**
 * `2026-03-02` (a date: 00:00 exchange-local, time unknown), `2026-03-02 10:31[:05]` (exchange-local
 * time), or an ISO instant with its offset (`2026-03-02T15:31:05Z`, `…-05:00`).
 */
function parseWhen(text: string, label: string, zone: Zone, days: Map<string, Day>): {at: string; timeKnown: boolean; tradeDate: string} {
  const bad = (): never => {
    throw new RowError(`${label} "${text}" is not a date (YYYY-MM-DD), a local time (YYYY-MM-DD HH:MM[:SS]) or an ISO instant with offset`)
  }
  const d = /^(\d{4}-\d{2}-\d{2})$/.exec(text)
  if (d) {
    const day = dayOf(zone, d[1], days)
    if (!day.valid) bad()
    return {at: new Date(day.midnight).toISOString(), timeKnown: false, tradeDate: d[1]}
  }
  const local = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?$/.exec(text)
  if (local) {
    const [, date, h, m, s, frac] = local
    const day = dayOf(zone, date, days)
    if (!day.valid || Number(h) > 23 || Number(m) > 59 || Number(s ?? 0) > 59) bad()
    const minutes = Number(h) * 60 + Number(m)
    // One offset all day: the instant is midnight plus the time (what zonedInstant gives, without its two offset look-ups).
    const base = day.oneOffset ? day.midnight + minutes * 60_000 : zonedInstant(zone, date, minutes).getTime()
    const at = new Date(base + Number(s ?? 0) * 1000 + Math.round(Number(frac ?? 0) * 1000))
    return {at: at.toISOString(), timeKnown: true, tradeDate: date}
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(text)) {
    const at = new Date(text)
    if (Number.isNaN(at.getTime()) || !validDate(text.slice(0, 10))) bad()
    return {at: at.toISOString(), timeKnown: true, tradeDate: zonedDate(zone, at)}
  }
  return bad()
}

/** A date's validity and local midnight in a zone, once per file. A zone switches offset at most once a day, so equal offsets at 00:00 and 23:59 mean one offset all day. */
function dayOf(zone: Zone, date: string, days: Map<string, Day>): Day {
  const k = `${zone}|${date}`
  let day = days.get(k)
  if (!day) {
    const valid = validDate(date)
    const midnight = valid ? zonedInstant(zone, date, 0).getTime() : Number.NaN
    const last = valid ? zonedInstant(zone, date, 1439).getTime() : Number.NaN
    days.set(k, (day = {valid, midnight, oneOffset: last - midnight === 1439 * 60_000}))
  }
  return day
}

function validDate(d: string): boolean {
  const t = new Date(`${d}T00:00:00Z`)
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === d
}

/** `3:2`, `3/2`, `3-for-2`, `3 for 2`: new units per old units, both > 0. */
function parseRatio(text: string, label: string): {from: number; to: number} {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?::|\/|-?\s*for\s*-?)\s*(\d+(?:\.\d+)?)\s*$/i.exec(text)
  if (!m) throw new RowError(`${label} "${text}" is not a ratio such as 3:2 (three new shares for two old)`)
  const to = Number(m[1])
  const from = Number(m[2])
  if (!(to > 0) || !(from > 0)) throw new RowError(`${label} "${text}" must be positive on both sides`)
  return {from, to}
}
