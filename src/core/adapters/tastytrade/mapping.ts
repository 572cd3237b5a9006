/*
 * tastytrade rows → domain shapes (doc §4, §5). Quantities arrive unsigned (as string or number)
 * with the sign in `quantity-direction`; money arrives as strings; symbols in tastytrade's own
 * spellings (OCC, `/ESZ6`, `./ESZ6 EW3U6 260918P9100`, `./MESM6EX3H6 260320P6450`, `BTC/USD`).
 * Prices as the broker means them: "0.0" is no price, `mark` is a position total. Rows cotrader
 * cannot read are kept (Position.opaque), never dropped. The instrument record, where there is one,
 * wins over the symbol string (withInstrument). Feed-dependent fields (underlying price, IV,
 * Greeks) are left unknown here and filled by the adapter.
 */
import {defaultExerciseStyle, EUROPEAN_INDEX_ROOTS, formatOption, parseSymbol} from '../../domain/symbols.js'
import type {Balances, Deliverable, ExerciseStyle, InstrumentType, MarkSource, ParsedSymbol, Position} from '../../domain/types.js'

export type Json = Record<string, unknown>

/** A finite number from a JSON number or numeric string; null otherwise, including DXLink's "NaN"/"Infinity" strings (doc §9.4): never 0 for "unknown". */
export function num(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value)
    return Number.isFinite(n) ? n : null
  }
  return null
}

const INSTRUMENT_TYPES: Record<string, InstrumentType> = {
  Equity: 'equity',
  'Equity Option': 'equity_option',
  Future: 'future',
  'Future Option': 'future_option',
  Cryptocurrency: 'crypto',
}

/** The broker's instrument-type string for a domain type (orders). */
export const BROKER_INSTRUMENT_TYPE: Record<InstrumentType, string | undefined> = {
  equity: 'Equity',
  equity_option: 'Equity Option',
  future: 'Future',
  future_option: 'Future Option',
  crypto: 'Cryptocurrency',
  fund: undefined,
  bond: undefined,
}

/** Exercise style of an option from the instrument's `exercise-style` or, failing that, its class. */
export function optionStyle(type: InstrumentType, parsed: ParsedSymbol, stated?: unknown): ExerciseStyle {
  if (typeof stated === 'string') {
    if (/^european$/i.test(stated)) return 'european'
    if (/^american$/i.test(stated)) return 'american'
  }
  // Futures options on CME products are American unless the instrument says otherwise.
  if (type === 'future_option') return 'american'
  return defaultExerciseStyle(parsed, 'USD')
}

export interface MappedRow {
  /** Feed-dependent fields are unknown (null / 'none') at this point. */
  position: Position
  /** The broker's `underlying-symbol` (`AAPL`, `SPX`, `/ESZ6`), used for instrument and quote lookups. */
  brokerUnderlying: string
  parsed: ParsedSymbol
  /** The broker's `close-price` per unit: the previous session's close, or the fill price of a position opened today. Not a live mark. */
  closePrice: number | null
  /** The row's own `streamer-symbol`, when the broker sends one: preferred over any lookup or derivation. */
  streamerSymbol?: string
}

export type RowResult = {ok: MappedRow} | {skip: string} | {closed: true}

/**
 * A price field as the broker means it: a positive number. tastytrade writes `close-price: "0.0"`
 * (and 0) for "no previous close" (a position opened today, and every row of some older accounts),
 * so 0 is unknown here, never a price.
 */
export function price(value: unknown): number | null {
  const n = num(value)
  return n !== null && n > 0 ? n : null
}

/** A futures price, which can be zero or below (CL at −37.63 on 2020-04-20): only "0.0" placeholders are unknown. */
function futuresPrice(value: unknown): number | null {
  const n = num(value)
  return n === null || n === 0 ? null : n
}

/**
 * One position row; `closed` for Zero-direction and zero-quantity rows (closed positions, purged
 * overnight). A row whose symbol or instrument type cotrader cannot read is never dropped and never
 * fails the portfolio: it comes back with the broker's numbers and `opaque` saying why (Greeks
 * unknown, counted in `missing`). Only a row without a usable direction or quantity is skipped.
 */
export function mapPositionRow(row: Json, portfolio: string): RowResult {
  const brokerSymbol = typeof row.symbol === 'string' ? row.symbol : ''
  const label = brokerSymbol ? `"${brokerSymbol}"` : 'a row without a symbol'
  const direction = row['quantity-direction']
  if (direction === 'Zero') return {closed: true}
  if (direction !== 'Long' && direction !== 'Short') return {skip: `${label}: quantity-direction ${JSON.stringify(direction)} is neither Long, Short nor Zero`}
  const size = num(row.quantity)
  if (size === null || size < 0) return {skip: `${label}: quantity ${JSON.stringify(row.quantity)} is not a number`}
  if (size === 0) return {closed: true}
  if (!brokerSymbol.trim()) return {skip: `${label}: no symbol`}
  const rawType = String(row['instrument-type'] ?? '')
  const known = INSTRUMENT_TYPES[rawType]
  const quantity = direction === 'Short' ? -size : size

  let parsed: ParsedSymbol | null = null
  let opaque: string | undefined
  if (!known) opaque = `instrument type "${rawType}" is not one cotrader models (equities, equity options, futures, futures options and crypto are)`
  else {
    try {
      parsed = parseSymbol(brokerSymbol)
      const isOption = known === 'equity_option' || known === 'future_option'
      if (isOption !== !!parsed.option) opaque = `instrument type ${rawType} does not match the symbol`
    } catch (error) {
      opaque = (error as Error).message
    }
  }
  const type: InstrumentType = known ?? 'equity'

  let multiplier = num(row.multiplier)
  let multiplierKnown = multiplier !== null && multiplier > 0
  if (!multiplierKnown) {
    // US equity options are 100 shares and stock/crypto 1; a future's multiplier cannot be guessed.
    if (type === 'equity_option' && !opaque) multiplier = 100
    else if ((type === 'equity' || type === 'crypto') && !opaque) multiplier = 1
    else if (!opaque) return {skip: `${label}: no multiplier for a ${rawType}`}
    multiplierKnown = !opaque
  }
  const units = Math.abs(size) * (multiplierKnown ? (multiplier as number) : 1)

  const linear = type === 'future'
  const perUnit = linear ? futuresPrice : price
  // mark-price is per unit (with include-marks=true); `mark` is the position's total value, so
  // mark ÷ |quantity| ÷ multiplier is the same mark when mark-price is absent (some real rows).
  let markPrice = perUnit(row['mark-price'])
  let markSource: MarkSource | undefined = markPrice !== null ? 'live' : undefined
  const total = num(row.mark)
  if (markPrice === null && total !== null && total !== 0 && multiplierKnown) {
    markPrice = Math.abs(total) / units
    markSource = 'broker_total'
  }
  const underlyingField = typeof row['underlying-symbol'] === 'string' && row['underlying-symbol'].trim() ? (row['underlying-symbol'] as string).trim() : null
  const fallbackSymbol = brokerSymbol.trim().replace(/\s+/g, ' ').toUpperCase()
  const symbolParsed: ParsedSymbol = parsed ?? {symbol: fallbackSymbol, type, underlying: underlyingField ?? fallbackSymbol}
  // A futures option's underlying is the future the broker names (`/ESZ6`); the parsed one is the same or a guess.
  // So is an adjusted equity option's (root XYZ1, underlying-symbol XYZ): its risk belongs to XYZ even while its deliverable is unknown.
  const adjusted = type === 'equity_option' && parsed?.option && /\d/.test(symbolParsed.symbol.split(' ')[0])
  const underlying = (type === 'future_option' && underlyingField?.startsWith('/')) || (adjusted && underlyingField && !underlyingField.startsWith('/')) ? (underlyingField as string) : symbolParsed.underlying
  const closePrice = perUnit(row['close-price'])
  const position: Position = {
    portfolio,
    symbol: symbolParsed.symbol,
    brokerSymbol,
    instrumentType: type,
    underlying,
    quantity,
    multiplier: multiplierKnown ? (multiplier as number) : 1,
    entryPrice: multiplierKnown ? perUnit(row['average-open-price']) : null,
    // Without a live mark (after hours) close-price is kept aside (closePrice), never passed off as one.
    markPrice: multiplierKnown ? markPrice : null,
    // The broker's day-P&L basis only beside a live mark (average-daily-market-close-price: the previous close, or the fill price if opened today).
    previousClose: markPrice === null ? null : perUnit(row['average-daily-market-close-price']) ?? closePrice,
    currency: 'USD',
    ...(parsed?.option && !opaque ? {option: {...parsed.option, style: optionStyle(type, parsed)}} : {}),
    underlyingPrice: null,
    underlyingPriceSource: 'none',
    iv: null,
    greeks: null,
    greeksSource: 'none',
  }
  if (position.markPrice !== null && markSource) position.markSource = markSource
  // The broker's `mark` total is the next source when mark-price fails the plausibility checks (domain/plausible.ts).
  const perUnitTotal = markSource === 'live' && total !== null && total !== 0 && multiplierKnown ? Math.abs(total) / units : null
  if (perUnitTotal !== null && Math.abs(perUnitTotal - (markPrice as number)) > 1e-9) position.markAlternatives = [{price: perUnitTotal, source: 'broker_total'}]
  if (opaque) position.opaque = `not understood (${opaque}${multiplierKnown ? '' : '; no multiplier, so no value'}): kept with the broker's numbers, Greeks unknown`
  const streamer = typeof row['streamer-symbol'] === 'string' && row['streamer-symbol'].trim() ? (row['streamer-symbol'] as string).trim() : undefined
  return {ok: {position, brokerUnderlying: underlyingField ?? symbolParsed.underlying, parsed: symbolParsed, closePrice: multiplierKnown ? closePrice : null, ...(streamer ? {streamerSymbol: streamer} : {})}}
}

/**
 * The row completed from its instrument record (/instruments/equity-options, /future-options),
 * the broker's structured description, which wins over what the symbol string says: expiration,
 * strike, call/put, underlying, multiplier, and for equity options the deliverable
 * (`shares-per-contract`, `deliverables`). A row whose symbol could not be parsed is understood
 * from its record when the record has all of these. Pure.
 */
export function withInstrument(row: MappedRow, inst: Json | undefined): MappedRow {
  if (!inst) return row
  const p = row.position
  const isOption = p.instrumentType === 'equity_option' || p.instrumentType === 'future_option'
  if (!isOption) return row
  const expiry = typeof inst['expiration-date'] === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(inst['expiration-date']) ? (inst['expiration-date'] as string) : null
  const strike = price(inst['strike-price'])
  const typeText = String(inst['option-type'] ?? '').toUpperCase()
  const right = typeText === 'C' || typeText === 'CALL' ? 'call' : typeText === 'P' || typeText === 'PUT' ? 'put' : null
  const instUnderlying = typeof inst['underlying-symbol'] === 'string' && inst['underlying-symbol'].trim() ? (inst['underlying-symbol'] as string).trim() : null
  let next: Position = p
  let parsed = row.parsed
  if (expiry && strike !== null && right) {
    const underlying = p.instrumentType === 'future_option' ? (instUnderlying?.startsWith('/') ? instUnderlying : p.underlying) : p.underlying
    // (A future-option record's `multiplier` is a price ratio, not the point value: only the row's multiplier is used.)
    if (p.opaque && p.opaque.startsWith('not understood (') && !p.opaque.includes('no multiplier')) {
      // Rescued: the record says what the symbol did not.
      const root = p.instrumentType === 'future_option' ? underlying : String(inst['root-symbol'] ?? instUnderlying ?? underlying).trim().toUpperCase()
      const symbol = formatOption(root, expiry, strike, right)
      parsed = {symbol, type: p.instrumentType, underlying: p.instrumentType === 'future_option' ? underlying : (instUnderlying ?? underlying), option: {expiry, strike, right}}
      const {opaque: _o, ...rest} = p
      next = {...rest, symbol, underlying: parsed.underlying, option: {expiry, strike, right, style: optionStyle(p.instrumentType, parsed, inst['exercise-style'])}}
    } else if (p.option && !p.opaque && (p.option.expiry !== expiry || p.option.strike !== strike || p.option.right !== right)) {
      // The record and the symbol disagree: the record is the broker's own statement of the contract.
      next = {...p, option: {...p.option, expiry, strike, right}, symbol: formatOption(p.symbol.split(' ')[0], expiry, strike, right)}
    }
  }
  const settlement = settlementOf(inst, next)
  if (settlement.settlement || settlement.settlementKind) next = {...next, ...settlement}
  if (p.instrumentType === 'equity_option' && !next.opaque) {
    const d = deliverableOf(inst, next)
    if (d && 'unknown' in d) next = {...next, opaque: `not understood (${d.unknown}): kept with the broker's numbers, Greeks unknown`}
    else if (d) next = {...next, deliverable: d, underlying: d.underlying}
  }
  return next === p ? row : {...row, position: next, parsed}
}

/**
 * How the option settles, as its record states it: `settlement-type` "AM"/"PM" for equity and index
 * options (an SPX monthly AM, SPXW PM: the instant its value is fixed, calendar/expiry.ts), "Future"
 * for a futures option that exercises into its future (physical), "Cash" when cash-settled.
 * An equity option's record does not say cash or physical reliably, so its class does: cash for the
 * index classes, physical (shares) otherwise.
 */
function settlementOf(inst: Json, p: Position): Pick<Position, 'settlement' | 'settlementKind'> {
  const stated = String(inst['settlement-type'] ?? '').trim().toUpperCase()
  const out: Pick<Position, 'settlement' | 'settlementKind'> = {}
  if (stated === 'AM') out.settlement = 'am'
  else if (stated === 'PM') out.settlement = 'pm'
  if (stated === 'FUTURE' || stated === 'PHYSICAL') out.settlementKind = 'physical'
  else if (stated === 'CASH') out.settlementKind = 'cash'
  // (Not from `market-time-instrument-collection`: recorded payloads call SPY options "Cash Settled Equity Option".)
  else if (p.instrumentType === 'equity_option' && p.option) out.settlementKind = CASH_SETTLED_CLASSES.has(p.symbol.split(' ')[0]) ? 'cash' : 'physical'
  return out
}

/** US index option classes settled in cash (the European index classes of symbols.ts, and OEX). */
const CASH_SETTLED_CLASSES: ReadonlySet<string> = new Set([...EUROPEAN_INDEX_ROOTS, 'OEX'])

/**
 * What one contract delivers, from `deliverables` (Shares/Equity and Cash entries) or
 * `shares-per-contract`; undefined for a standard contract (100 shares of the underlying, no cash)
 * or when the record says nothing; `unknown` when it delivers something cotrader cannot price
 * (shares of two companies, bonds, other instruments).
 */
function deliverableOf(inst: Json, p: Position): Deliverable | {unknown: string} | undefined {
  const underlying = typeof inst['underlying-symbol'] === 'string' && inst['underlying-symbol'].trim() ? (inst['underlying-symbol'] as string).trim().toUpperCase() : p.underlying
  const list = Array.isArray(inst.deliverables) ? (inst.deliverables as Json[]) : []
  let shares = 0
  let cash = 0
  const companies = new Set<string>()
  for (const d of list) {
    const kind = String(d['deliverable-type'] ?? d['instrument-type'] ?? '').toLowerCase()
    const amount = num(d.amount)
    if (amount === null) return {unknown: `deliverable "${String(d.description ?? kind)}" has no amount`}
    if (kind === 'cash' || kind === 'currency') cash += amount
    else if (kind === 'shares' || kind === 'equity' || kind === 'stock') {
      shares += amount
      companies.add(typeof d.symbol === 'string' && d.symbol.trim() ? d.symbol.trim().toUpperCase() : underlying)
    } else return {unknown: `delivers ${String(d.description ?? kind)}, which cotrader cannot price`}
  }
  if (companies.size > 1) return {unknown: `delivers shares of ${[...companies].join(' and ')}, which cotrader cannot price as one underlying`}
  if (list.length === 0) {
    const spc = num(inst['shares-per-contract'])
    if (spc === null || spc <= 0) return undefined
    shares = spc
  }
  const company = [...companies][0] ?? underlying
  const standard = shares === p.multiplier && cash === 0 && company === p.underlying
  // A root with a digit is adjusted by convention: its record, standard-looking or not, is the known deliverable.
  if (standard && !/\d/.test(p.symbol.split(' ')[0])) return undefined
  return {shares, underlying: company, cash}
}

/**
 * Rows of one symbol are merged (the domain keeps one row per symbol). tastytrade nets positions
 * per symbol, so this only matters for partitioned accounts; the entry price is the
 * quantity-weighted average when the sides agree, unknown otherwise.
 */
export function mergeBySymbol(rows: MappedRow[]): MappedRow[] {
  const bySymbol = new Map<string, MappedRow>()
  for (const row of rows) {
    const seen = bySymbol.get(row.position.symbol)
    if (!seen) {
      bySymbol.set(row.position.symbol, row)
      continue
    }
    const a = seen.position
    const b = row.position
    const sameSide = Math.sign(a.quantity) === Math.sign(b.quantity)
    const entryPrice =
      sameSide && a.entryPrice !== null && b.entryPrice !== null
        ? (a.entryPrice * Math.abs(a.quantity) + b.entryPrice * Math.abs(b.quantity)) / (Math.abs(a.quantity) + Math.abs(b.quantity))
        : null
    bySymbol.set(a.symbol, {...seen, position: {...a, quantity: a.quantity + b.quantity, entryPrice}})
  }
  return [...bySymbol.values()].filter((r) => r.position.quantity !== 0)
}

/** Balances from one `/balances` object (doc §5). */
export function mapBalances(obj: Json): Balances {
  return {
    equity: num(obj['net-liquidating-value']),
    cash: num(obj['cash-balance']),
    buyingPower: num(obj['derivative-buying-power']) ?? num(obj['equity-buying-power']),
    maintenanceRequirement: num(obj['maintenance-requirement']),
  }
}

/** `/balances` answers a single object or a per-currency list depending on API version (doc §5). */
export function pickUsdBalances(data: Json | Json[]): Json | null {
  if (!Array.isArray(data)) return data
  return data.find((b) => b.currency === 'USD') ?? data.find((b) => b.currency === undefined) ?? null
}
