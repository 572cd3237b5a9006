/*
 * What all file formats share once a row is understood: the row loop with --skip-invalid,
 * merging a symbol that appears twice, underlying prices taken from the same file, and the
 * market value that balances are built from.
 */
import type {PortfolioConfig} from '../../config/config.js'
import {defaultExerciseStyle, SymbolError} from '../../domain/symbols.js'
import type {Balances, ExerciseStyle, InstrumentType, ParsedSymbol, Position, PriceSource} from '../../domain/types.js'
import type {SkippedRow} from '../broker.js'
import {checkShape, ImportError, RowError, RowReader, type CsvRecord, type Table} from './table.js'

/** One row understood, before merging and pricing the underlyings. */
export interface Draft {
  line: number
  brokerSymbol: string
  parsed: ParsedSymbol
  /** Usually parsed.type; a format may know better (a Fidelity CUSIP or a generic `type: fund`). */
  instrumentType: InstrumentType
  quantity: number
  multiplier: number
  entryPrice: number | null
  markPrice: number | null
  currency: string
  /** Options only. */
  style?: ExerciseStyle
  /** When the row itself carries the underlying's price (tastytrade, generic). */
  underlyingPrice?: number | null
  /** The broker's day P&L of the row, money (Fidelity "Today's Gain/Loss Dollar"); null/absent = not stated. */
  dayGain?: number | null
}

/**
 * Runs fn over rows; a RowError or SymbolError fails the import naming file and line, or under
 * skipInvalid lands in `skipped`. Anything else is a bug and propagates.
 */
export function eachRow<K extends string>(table: Table<K>, rows: CsvRecord[], skipInvalid: boolean, skipped: SkippedRow[], fn: (row: RowReader<K>) => void): void {
  for (const record of rows) {
    try {
      checkShape(table, record)
      fn(new RowReader(table, record))
    } catch (error) {
      if (!(error instanceof RowError) && !(error instanceof SymbolError)) throw error
      if (!skipInvalid) throw new ImportError(table.display, record.line, error.message)
      skipped.push({line: record.line, reason: error.message})
    }
  }
}

/** Checks every importer applies to a row it understood: options trade in whole contracts. */
export function checkDraft(d: Draft): Draft {
  if (isOption(d.instrumentType) && !Number.isInteger(d.quantity)) throw new RowError(`${d.brokerSymbol}: ${d.quantity} contracts; options trade in whole contracts, so a fractional quantity is an error in the file`)
  if (!Number.isFinite(d.quantity)) throw new RowError(`${d.brokerSymbol}: quantity is not a finite number`)
  return d
}

export function isOption(type: InstrumentType): boolean {
  return type === 'equity_option' || type === 'future_option'
}

/**
 * Drafts → positions: one per symbol (duplicates merged with a warning, flat results dropped),
 * underlying prices filled from the file, every field set.
 */
export function finalize(drafts: Draft[], portfolio: PortfolioConfig, display: string, warnings: string[]): Position[] {
  const groups = new Map<string, Draft[]>()
  for (const d of drafts) {
    const group = groups.get(d.parsed.symbol)
    if (group) group.push(d)
    else groups.set(d.parsed.symbol, [d])
  }
  const merged: Draft[] = []
  const flat: string[] = []
  for (const [symbol, group] of groups) {
    const d = group.length === 1 ? group[0] : merge(group, display, warnings)
    if (d.quantity === 0) flat.push(symbol)
    else merged.push(d)
  }
  if (flat.length > 0) warnings.push(`${display}: ${flat.length} position${flat.length > 1 ? 's' : ''} with quantity 0 left out (closed): ${flat.join(', ')}`)

  // A derivative's underlying priced by another row of the same file (the stock next to its covered call).
  const priceOf = new Map<string, number>()
  for (const d of merged) if (d.markPrice !== null && !isOption(d.instrumentType)) priceOf.set(d.parsed.symbol, d.markPrice)

  return merged.map((d) => {
    let underlyingPrice: number | null = null
    let source: PriceSource = 'none'
    if (d.parsed.symbol === d.parsed.underlying) {
      underlyingPrice = d.markPrice
    } else {
      underlyingPrice = d.underlyingPrice ?? priceOf.get(d.parsed.underlying) ?? null
    }
    if (underlyingPrice !== null) source = 'file'
    const position: Position = {
      portfolio: portfolio.name,
      symbol: d.parsed.symbol,
      // Raw bytes from a file never reach the database: control characters become spaces.
      brokerSymbol: d.brokerSymbol.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' '),
      instrumentType: d.instrumentType,
      underlying: d.parsed.underlying,
      quantity: d.quantity,
      multiplier: d.multiplier,
      entryPrice: d.entryPrice,
      markPrice: d.markPrice,
      currency: d.currency,
      underlyingPrice,
      underlyingPriceSource: source,
      iv: null,
      greeks: null,
      greeksSource: 'none',
    }
    if (d.parsed.option) position.option = {...d.parsed.option, style: d.style ?? defaultExerciseStyle(d.parsed, d.currency)}
    // The broker's day-P&L basis per unit, from its own day P&L: the previous close for what was held
    // overnight, the fill for what was bought today (as TastyTrade states it), so the day P&L is the broker's.
    // Rounded to 1e-12 only: binary noise goes (336.78, not 336.78000000000003), the broker's cents stay (round's 1e-8
    // would move the day P&L of 210.337 fund shares by 1e-6).
    if (d.dayGain != null && d.markPrice !== null) position.previousClose = Math.round((d.markPrice - d.dayGain / (d.quantity * d.multiplier)) * 1e12) / 1e12
    return position
  })
}

/**
 * Sums quantities. The entry price is quantity-weighted when all rows point the same way; when
 * they offset, the rows on the side of the net position keep their average (the other side was
 * a partial close).
 */
function merge(group: Draft[], display: string, warnings: string[]): Draft {
  const quantity = round(group.reduce((s, d) => s + d.quantity, 0))
  const side = Math.sign(quantity)
  const opening = group.filter((d) => Math.sign(d.quantity) === side)
  const entryPrice = opening.some((d) => d.entryPrice === null)
    ? null
    : round(opening.reduce((s, d) => s + (d.entryPrice as number) * Math.abs(d.quantity), 0) / opening.reduce((s, d) => s + Math.abs(d.quantity), 0))
  const first = group[0]
  const symbol = first.parsed.symbol
  const lines = group.map((d) => d.line)
  warnings.push(`${display}: ${symbol} appears on lines ${lines.slice(0, -1).join(', ')} and ${lines[lines.length - 1]}; merged into one position of ${quantity}`)
  if (group.some((d) => d.multiplier !== first.multiplier || d.currency !== first.currency)) {
    warnings.push(`${display}: ${symbol} rows disagree on multiplier or currency; the first row's (line ${first.line}) are used`)
  }
  return {
    ...first,
    quantity,
    entryPrice: quantity === 0 ? null : entryPrice,
    markPrice: group.find((d) => d.markPrice !== null)?.markPrice ?? null,
    underlyingPrice: group.find((d) => d.underlyingPrice != null)?.underlyingPrice ?? null,
    // one day P&L for the merged position: known only when every row states its own
    dayGain: group.every((d) => d.dayGain != null) ? round(group.reduce((s, d) => s + (d.dayGain as number), 0)) : null,
  }
}

/**
 * Value the positions add to the account, in the portfolio's currency: mark × quantity ×
 * multiplier, except futures, which are settled daily and so add only their open P&L.
 * Null (with the reason) when any is unknown.
 */
export function positionsValue(positions: Position[], currency: string): {value: number | null; unknown?: string} {
  let value = 0
  for (const p of positions) {
    if (p.currency !== currency) return {value: null, unknown: `${p.symbol} is in ${p.currency}, not ${currency}`}
    if (p.markPrice === null) return {value: null, unknown: `${p.symbol} has no price`}
    if (p.instrumentType === 'future') {
      if (p.entryPrice === null) return {value: null, unknown: `${p.symbol} (a future) has no entry price`}
      value += (p.markPrice - p.entryPrice) * p.quantity * p.multiplier
    } else value += p.markPrice * p.quantity * p.multiplier
  }
  return {value: round(value)}
}

/** For exports without cash or an account total; the sync service completes them from the config's `cash:`. */
export function unknownBalances(): Balances {
  return {equity: null, cash: null, buyingPower: null, maintenanceRequirement: null}
}

/** Rounds away binary noise from sums of decimal money (0.1 + 0.2). */
export function round(n: number): number {
  return Math.round(n * 1e8) / 1e8
}

/** `Total` rows that some exports append, in any cell the format keys on. */
export function isTotalRow(text: string): boolean {
  return /^(grand )?totals?\b/i.test(text.trim())
}
