/*
 * Zerodha Kite downloads. Holdings are delivery equity (demat); positions are the day's and
 * carried-forward trades, including F&O. NSE/BSE F&O quantities are in units (multiplier 1); MCX
 * commodity quantities are in lots (CRUDEOIL: 1 lot = 100 barrels), so their multiplier is the lot
 * from domain/multipliers.ts. Every row is checked against the file's own P&L (and Cur. val).
 * Neither file carries cash or an account total, so balances stay unknown here; the sync service
 * builds them from the portfolio's `cash:` in the config and the positions' value.
 */
import type {PortfolioConfig} from '../../config/config.js'
import {parseSymbol} from '../../domain/symbols.js'
import type {FetchedPortfolio, SkippedRow} from '../broker.js'
import {mcxLot} from '../../domain/multipliers.js'
import {crossCheck, halfUlp, type BrokerFigure} from './crosscheck.js'
import {checkDraft, eachRow, finalize, isTotalRow, unknownBalances, type Draft} from './positions.js'
import {isBlank, locateColumns, RowError, type ColumnSpec, type CsvRecord, type RowReader} from './table.js'

function figure<K extends string>(row: RowReader<K>, key: K): BrokerFigure | null {
  const v = row.number(key)
  return v === null ? null : {label: row.label(key), value: v, text: row.written(key)}
}

type HoldingCol = 'instrument' | 'quantity' | 'average' | 'ltp' | 'currentValue' | 'pnl'

const HOLDINGS: ColumnSpec<HoldingCol> = {
  columns: {
    instrument: ['Instrument', 'Symbol', 'Tradingsymbol'],
    quantity: ['Qty.', 'Qty', 'Quantity'],
    average: ['Avg. cost', 'Avg cost', 'Average cost', 'Average price'],
    ltp: ['LTP', 'Last price', 'Close price'],
    currentValue: ['Cur. val', 'Cur val', 'Current value'],
    pnl: ['P&L', 'Unrealized P&L'],
  },
  required: ['instrument', 'quantity', 'average', 'ltp'],
  anchor: 'instrument',
}

type PositionCol = 'product' | 'instrument' | 'quantity' | 'average' | 'ltp' | 'pnl'

const POSITIONS: ColumnSpec<PositionCol> = {
  columns: {
    product: ['Product'],
    instrument: ['Instrument', 'Tradingsymbol', 'Symbol'],
    quantity: ['Qty.', 'Qty', 'Quantity', 'Net qty'],
    average: ['Avg.', 'Avg', 'Avg. price', 'Average price'],
    ltp: ['LTP', 'Last price'],
    pnl: ['P&L'],
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
    const entryPrice = row.price('average')
    const markPrice = row.price('ltp')
    crossCheck({
      symbol: written, units: quantity, mark: markPrice, markText: row.written('ltp'), entry: entryPrice,
      entryTolerance: Math.abs(quantity) * halfUlp(row.written('average')), value: figure(row, 'currentValue'), pnl: figure(row, 'pnl'),
    })
    drafts.push(checkDraft({line: row.record.line, brokerSymbol: written, parsed, instrumentType: parsed.type, quantity, multiplier: 1, entryPrice, markPrice, currency: portfolio.currency}))
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
    let parsed = parseSymbol(written)
    // MCX commodities: quantity in lots, options on the commodity future (Black-76), futures prices may go below zero.
    const lot = mcxLot(parsed.underlying)
    if (lot !== undefined && parsed.type === 'equity_option') parsed = {...parsed, type: 'future_option'}
    const quantity = row.requiredNumber('quantity')
    const multiplier = lot ?? 1
    const linear = parsed.type === 'future'
    const entryPrice = linear ? row.signedPrice('average') : row.price('average')
    const markPrice = linear ? row.signedPrice('ltp') : row.price('ltp')
    if (quantity !== 0) {
      crossCheck({
        symbol: written, units: quantity * multiplier, mark: markPrice, markText: row.written('ltp'), entry: entryPrice,
        entryTolerance: Math.abs(quantity * multiplier) * halfUlp(row.written('average')), pnl: figure(row, 'pnl'),
      })
    }
    drafts.push(
      checkDraft({
        line: row.record.line,
        brokerSymbol: written,
        parsed,
        instrumentType: parsed.type,
        quantity,
        multiplier,
        entryPrice,
        markPrice,
        currency: portfolio.currency,
        ...(parsed.option ? {style: 'european' as const} : {}),
      }),
    )
  })
  const positions = finalize(drafts, portfolio, display, warnings)
  return {positions, balances: unknownBalances(), skipped, warnings}
}

/** Rows up to a `Total` footer, blank lines dropped. */
function dataRows(rows: CsvRecord[], keyColumn: number): CsvRecord[] {
  const end = rows.findIndex((r) => isTotalRow(r.cells[0] ?? '') || isTotalRow(r.cells[keyColumn] ?? ''))
  return (end < 0 ? rows : rows.slice(0, end)).filter((r) => !isBlank(r.cells))
}
