/*
 * Zerodha Kite downloads. Holdings are delivery equity (demat); positions are the day's and
 * carried-forward trades, including F&O, with Qty in units (not lots), so every multiplier is 1.
 * Neither file carries cash or an account total, so balances stay unknown here; the sync service
 * builds them from the portfolio's `cash:` in the config and the positions' value.
 */
import type {PortfolioConfig} from '../../config/config.js'
import {parseSymbol} from '../../domain/symbols.js'
import type {FetchedPortfolio, SkippedRow} from '../broker.js'
import {eachRow, finalize, isTotalRow, unknownBalances, type Draft} from './positions.js'
import {isBlank, locateColumns, RowError, type ColumnSpec, type CsvRecord} from './table.js'

type HoldingCol = 'instrument' | 'quantity' | 'average' | 'ltp' | 'currentValue'

const HOLDINGS: ColumnSpec<HoldingCol> = {
  columns: {
    instrument: ['Instrument', 'Symbol', 'Tradingsymbol'],
    quantity: ['Qty.', 'Qty', 'Quantity'],
    average: ['Avg. cost', 'Avg cost', 'Average cost', 'Average price'],
    ltp: ['LTP', 'Last price', 'Close price'],
    currentValue: ['Cur. val', 'Cur val', 'Current value'],
  },
  required: ['instrument', 'quantity', 'average', 'ltp'],
  anchor: 'instrument',
}

type PositionCol = 'product' | 'instrument' | 'quantity' | 'average' | 'ltp'

const POSITIONS: ColumnSpec<PositionCol> = {
  columns: {
    product: ['Product'],
    instrument: ['Instrument', 'Tradingsymbol', 'Symbol'],
    quantity: ['Qty.', 'Qty', 'Quantity', 'Net qty'],
    average: ['Avg.', 'Avg', 'Avg. price', 'Average price'],
    ltp: ['LTP', 'Last price'],
  },
  required: ['instrument', 'quantity', 'average', 'ltp'],
  anchor: 'instrument',
}

export function importZerodhaHoldings(portfolio: PortfolioConfig, display: string, records: CsvRecord[], skipInvalid: boolean): FetchedPortfolio {
  const table = locateColumns(display, records, HOLDINGS)
  const skipped: SkippedRow[] = []
  const warnings: string[] = []
  const drafts: Draft[] = []
  eachRow(table, dataRows(table.rows, table.index.instrument as number), skipInvalid, skipped, (row) => {
    const written = row.text('instrument')
    if (written === '') throw new RowError(`${row.label('instrument')} is blank`)
    const parsed = parseSymbol(written)
    if (parsed.type !== 'equity' && parsed.type !== 'fund') throw new RowError(`${written} is not an equity; holdings hold shares and units only`)
    const quantity = row.requiredNumber('quantity')
    if (quantity < 0) throw new RowError(`${row.label('quantity')} "${row.text('quantity')}" is negative; holdings cannot be short`)
    drafts.push({
      line: row.record.line,
      brokerSymbol: written,
      parsed,
      instrumentType: parsed.type,
      quantity,
      multiplier: 1,
      entryPrice: row.price('average'),
      markPrice: row.price('ltp'),
      currency: portfolio.currency,
    })
  })
  const positions = finalize(drafts, portfolio, display, warnings)
  return {positions, balances: unknownBalances(), skipped, warnings}
}

export function importZerodhaPositions(portfolio: PortfolioConfig, display: string, records: CsvRecord[], skipInvalid: boolean): FetchedPortfolio {
  const table = locateColumns(display, records, POSITIONS)
  const skipped: SkippedRow[] = []
  const warnings: string[] = []
  const drafts: Draft[] = []
  eachRow(table, dataRows(table.rows, table.index.instrument as number), skipInvalid, skipped, (row) => {
    const written = row.text('instrument')
    if (written === '') throw new RowError(`${row.label('instrument')} is blank`)
    const parsed = parseSymbol(written)
    drafts.push({
      line: row.record.line,
      brokerSymbol: written,
      parsed,
      instrumentType: parsed.type,
      // Units, not lots: -75 NIFTY options is one lot short, and one unit moves one rupee per point.
      quantity: row.requiredNumber('quantity'),
      multiplier: 1,
      entryPrice: row.price('average'),
      markPrice: row.price('ltp'),
      currency: portfolio.currency,
      ...(parsed.option ? {style: 'european' as const} : {}),
    })
  })
  const positions = finalize(drafts, portfolio, display, warnings)
  return {positions, balances: unknownBalances(), skipped, warnings}
}

/** Rows up to a `Total` footer, blank lines dropped. */
function dataRows(rows: CsvRecord[], keyColumn: number): CsvRecord[] {
  const end = rows.findIndex((r) => isTotalRow(r.cells[0] ?? '') || isTotalRow(r.cells[keyColumn] ?? ''))
  return (end < 0 ? rows : rows.slice(0, end)).filter((r) => !isBlank(r.cells))
}
