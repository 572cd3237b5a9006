/*
 * tastytrade rows → domain shapes (doc §4, §5). Quantities arrive unsigned (as string or number)
 * with the sign in `quantity-direction`; money arrives as strings; symbols in tastytrade's own
 * spellings (OCC, `/ESZ6`, `./ESZ6 EW3U6 260918P9100`, `BTC/USD`). Feed-dependent fields
 * (underlying price, IV, Greeks) are left unknown here and filled by the adapter.
 */
import {defaultExerciseStyle, parseSymbol} from '../../domain/symbols.js'
import type {Balances, ExerciseStyle, InstrumentType, ParsedSymbol, Position} from '../../domain/types.js'

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
}

export type RowResult = {ok: MappedRow} | {skip: string} | {closed: true}

/** One position row; `closed` for Zero-direction rows (closed positions, purged overnight). */
export function mapPositionRow(row: Json, portfolio: string): RowResult {
  const brokerSymbol = typeof row.symbol === 'string' ? row.symbol : ''
  const label = brokerSymbol ? `"${brokerSymbol}"` : 'a row without a symbol'
  const direction = row['quantity-direction']
  if (direction === 'Zero') return {closed: true}
  if (direction !== 'Long' && direction !== 'Short') return {skip: `${label}: quantity-direction ${JSON.stringify(direction)} is neither Long, Short nor Zero`}
  const rawType = String(row['instrument-type'] ?? '')
  const type = INSTRUMENT_TYPES[rawType]
  if (!type) return {skip: `${label}: instrument type "${rawType}" is not supported (equities, equity options, futures, futures options and crypto are)`}
  const size = num(row.quantity)
  if (size === null || size < 0) return {skip: `${label}: quantity ${JSON.stringify(row.quantity)} is not a number`}
  if (size === 0) return {closed: true}

  let parsed: ParsedSymbol
  try {
    parsed = parseSymbol(brokerSymbol)
  } catch (error) {
    return {skip: `${label}: ${(error as Error).message}`}
  }
  const isOption = type === 'equity_option' || type === 'future_option'
  if (isOption !== !!parsed.option) return {skip: `${label}: instrument type ${rawType} does not match the symbol`}

  let multiplier = num(row.multiplier)
  if (multiplier === null || multiplier <= 0) {
    // US equity options are 100 shares and stock/crypto 1; a future's multiplier cannot be guessed.
    if (type === 'equity_option') multiplier = 100
    else if (type === 'equity' || type === 'crypto') multiplier = 1
    else return {skip: `${label}: no multiplier for a ${rawType}`}
  }

  const brokerUnderlying = typeof row['underlying-symbol'] === 'string' && row['underlying-symbol'] ? (row['underlying-symbol'] as string) : parsed.underlying
  const position: Position = {
    portfolio,
    symbol: parsed.symbol,
    brokerSymbol,
    instrumentType: type,
    underlying: parsed.underlying,
    quantity: direction === 'Short' ? -size : size,
    multiplier,
    entryPrice: num(row['average-open-price']),
    // mark-price is per unit (with include-marks=true); `mark` is the position's total, not used.
    // Without it (after hours) there is no live mark: close-price is kept aside (closePrice), never passed off as one.
    markPrice: num(row['mark-price']),
    // The broker's day-P&L basis only beside a live mark (average-daily-market-close-price: the previous close, or the fill price if opened today).
    previousClose: num(row['mark-price']) === null ? null : num(row['average-daily-market-close-price']) ?? num(row['close-price']),
    currency: 'USD',
    ...(parsed.option ? {option: {...parsed.option, style: optionStyle(type, parsed)}} : {}),
    underlyingPrice: null,
    underlyingPriceSource: 'none',
    iv: null,
    greeks: null,
    greeksSource: 'none',
  }
  if (position.markPrice !== null) position.markSource = 'live'
  return {ok: {position, brokerUnderlying, parsed, closePrice: num(row['close-price'])}}
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
