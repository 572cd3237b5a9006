/*
 * Schwab positions export ("Positions for account … as of …"). Layout (docs/FILE_FORMATS.md):
 * a one-cell preamble with the account and the time the prices were taken, a blank row, the header
 * (`Qty (Quantity)` style, or the plain `Quantity` of older exports), the positions, then the
 * `Cash & Cash Investments` and `Account Total` rows. `--` is unknown, `($15.00)` negative,
 * quantities are signed (short = negative). Options are written `AAPL 06/20/2025 200.00 C`.
 * Every row is checked against Schwab's own Market Value and Gain/Loss.
 */
import type {PortfolioConfig} from '../../config/config.js'
import {zonedInstant} from '../../domain/calendar/zones.js'
import {formatOption, parseSymbol} from '../../domain/symbols.js'
import type {Balances, InstrumentType, ParsedSymbol} from '../../domain/types.js'
import {BOND_MULTIPLIER, US_OPTION_MULTIPLIER} from '../../domain/multipliers.js'
import type {FetchedPortfolio, SkippedRow} from '../broker.js'
import {crossCheck, halfUlp} from './crosscheck.js'
import {checkDraft, eachRow, finalize, round, type Draft} from './positions.js'
import {isBlank, locateColumns, RowError, type ColumnSpec, type CsvRecord} from './table.js'

type Col = 'symbol' | 'description' | 'quantity' | 'price' | 'marketValue' | 'costBasis' | 'gain' | 'securityType'

const SPEC: ColumnSpec<Col> = {
  columns: {
    symbol: ['Symbol'],
    description: ['Description'],
    quantity: ['Qty (Quantity)', 'Quantity', 'Qty'],
    price: ['Price'],
    marketValue: ['Mkt Val (Market Value)', 'Market Value', 'Mkt Val'],
    costBasis: ['Cost Basis'],
    gain: ['Gain $ (Gain/Loss $)', 'Gain/Loss $', 'Gain $'],
    securityType: ['Security Type'],
  },
  required: ['symbol', 'quantity', 'price', 'marketValue'],
  anchor: 'symbol',
}

/** `AAPL 06/20/2025 200.00 C`: Schwab's option form (positions and transactions). */
const SCHWAB_OPTION = /^([A-Z][A-Z0-9./]*)\s+(\d{2})\/(\d{2})\/(\d{4})\s+(\d+(?:\.\d+)?)\s+([CP])$/

export function importSchwab(portfolio: PortfolioConfig, display: string, records: CsvRecord[], skipInvalid: boolean): FetchedPortfolio {
  const table = locateColumns(display, records, SPEC)
  const skipped: SkippedRow[] = []
  const warnings: string[] = []
  const drafts: Draft[] = []
  const sums: {cash: number | null; total: number | null; rows: number; tolerance: number; values: number} = {cash: null, total: null, rows: 0, tolerance: 0, values: 0}

  const data = table.rows.filter((r) => !isBlank(r.cells))
  eachRow(table, data, skipInvalid, skipped, (row) => {
    const written = row.text('symbol')
    if (written === '') throw new RowError(`${row.label('symbol')} is blank`)
    const type = row.text('securityType')
    if (/^account total$/i.test(written)) {
      sums.total = row.number('marketValue')
      return
    }
    // Cash, sweep and money-market funds are the account's cash.
    if (/^cash\b/i.test(written) || /^cash\b|money market/i.test(type)) {
      const v = row.number('marketValue')
      if (v === null) throw new RowError(`${written} has no ${row.label('marketValue')}`)
      sums.cash = round((sums.cash ?? 0) + v)
      sums.values = round(sums.values + v)
      sums.tolerance += halfUlp(row.written('marketValue'))
      return
    }
    const parsed = schwabSymbol(written)
    if (parsed.type === 'future' || parsed.type === 'future_option') throw new RowError(`${written}: futures are held in a separate Schwab futures account export, not this one`)
    const quantity = row.requiredNumber('quantity')
    const mark = row.price('price')
    const isOption = parsed.type === 'equity_option'
    const isBond = /fixed income|bond|cd\b/i.test(type)
    const instrumentType: InstrumentType = isBond ? 'bond' : /mutual fund/i.test(type) ? 'fund' : parsed.type
    const multiplier = isOption ? US_OPTION_MULTIPLIER : isBond ? BOND_MULTIPLIER : 1
    const cost = row.number('costBasis')
    const entryPrice = cost !== null && quantity !== 0 ? Math.abs(cost) / Math.abs(quantity * multiplier) : null
    const value = row.number('marketValue')
    if (value !== null) {
      sums.values = round(sums.values + value)
      sums.tolerance += halfUlp(row.written('marketValue'))
    }
    sums.rows++
    const figure = (key: 'marketValue' | 'gain') => {
      const v = row.number(key)
      return v === null ? null : {label: row.label(key), value: v, text: row.written(key)}
    }
    crossCheck({
      symbol: written, units: quantity * multiplier, mark, markText: row.written('price'), entry: entryPrice,
      entryTolerance: cost !== null ? halfUlp(row.written('costBasis')) : 0, value: figure('marketValue'), pnl: figure('gain'),
    })
    drafts.push(
      checkDraft({
        line: row.record.line,
        brokerSymbol: written,
        parsed: isBond ? {...parsed, type: 'bond'} : parsed,
        instrumentType,
        quantity,
        multiplier,
        entryPrice: entryPrice === null ? null : round(entryPrice),
        markPrice: mark,
        currency: portfolio.currency,
      }),
    )
  })

  // The Account Total is Schwab's own sum of the rows: a file whose rows do not add up to it is missing rows or shifted.
  if (sums.total !== null && skipped.length === 0 && Math.abs(sums.values - sums.total) > sums.tolerance + 0.005 + 1e-9) {
    warnings.push(`${display}: Account Total is ${sums.total.toFixed(2)} but the rows' market values add up to ${sums.values.toFixed(2)}; a row may be missing or its value shifted`)
  }
  const positions = finalize(drafts, portfolio, display, warnings)
  const balances: Balances = {equity: sums.total, cash: sums.cash, buyingPower: null, maintenanceRequirement: null}
  const stamp = records.slice(0, Math.max(0, table.headerLine - 1)).map((r) => schwabAsOf(r.cells[0] ?? '')).find((d) => d !== null)
  return {positions, balances, skipped, warnings, ...(stamp ? {pricesAsOf: stamp} : {})}
}

/** Schwab's option form → the internal one; anything else as parseSymbol reads it. */
export function schwabSymbol(text: string): ParsedSymbol {
  const m = SCHWAB_OPTION.exec(text.trim().toUpperCase())
  if (!m) return parseSymbol(text)
  const [, root, mm, dd, yyyy, strike, cp] = m
  return parseSymbol(formatOption(root.replace('/', '.'), `${yyyy}-${mm}-${dd}`, Number(strike), cp === 'C' ? 'call' : 'put'))
}

/**
 * The preamble's time as an ISO instant: `Positions for account Individual ...123 as of 12:33 PM
 * ET, 2025/05/04` or `… as of 02:30 PM ET, 08/29/2026` (New York time). Null when absent.
 */
export function schwabAsOf(cell: string): string | null {
  const m = /as of\s+(\d{1,2}):(\d{2})\s*([AP])M\s*ET,?\s*(?:(\d{4})\/(\d{2})\/(\d{2})|(\d{2})\/(\d{2})\/(\d{4}))/i.exec(cell)
  if (!m) return null
  const year = Number(m[4] ?? m[9])
  const month = Number(m[5] ?? m[7])
  const day = Number(m[6] ?? m[8])
  let hour = Number(m[1]) % 12
  if (m[3].toUpperCase() === 'P') hour += 12
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(m[2]) > 59) return null
  const date = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
  return zonedInstant('America/New_York', date, hour * 60 + Number(m[2])).toISOString()
}
