/*
 * Zerodha Console tradebook (doc broker-transactions §3): `symbol,isin,trade_date,exchange,
 * segment,series,trade_type,auction,quantity,price,trade_id,order_id,order_execution_time
 * [,expiry_date]`, equity, F&O and mutual funds. Fills only: no expiries, charges or dividends
 * (so fees and amount are null: not stated). Quantities are unsigned units (not lots) for NSE/BSE
 * F&O; trade_type says buy/sell. Times are India local (IST, UTC+5:30); mutual-fund rows are
 * stamped midnight, which is a date, not a time. Symbols are Kite tradingsymbols (NIFTY weeklies
 * included, domain/symbols.ts); funds are named by ISIN. The broker id is exchange:segment:trade_id
 * (trade ids are per exchange).
 */
import type {PortfolioConfig} from '../../config/config.js'
import {mcxLot} from '../../domain/multipliers.js'
import {locateColumns, RowError, RowReader, type ColumnSpec} from '../csv/table.js'
import {anyDate, blank, clean, csvRecords, eachRecord, instrumentFields, instrumentOf, localInstant, midnight, unsigned, type Draft, type Instrument, type TransactionsParse, numberOf} from './common.js'

type Col = 'symbol' | 'isin' | 'tradeDate' | 'exchange' | 'segment' | 'series' | 'tradeType' | 'auction' | 'quantity' | 'price' | 'tradeId' | 'orderId' | 'executionTime' | 'expiryDate'

const SPEC: ColumnSpec<Col> = {
  columns: {
    symbol: ['symbol', 'tradingsymbol'],
    isin: ['isin'],
    tradeDate: ['trade_date', 'trade date'],
    exchange: ['exchange'],
    segment: ['segment'],
    series: ['series'],
    tradeType: ['trade_type', 'trade type'],
    auction: ['auction'],
    quantity: ['quantity'],
    price: ['price'],
    tradeId: ['trade_id', 'trade id'],
    orderId: ['order_id', 'order id'],
    executionTime: ['order_execution_time', 'order execution time'],
    expiryDate: ['expiry_date', 'expiry date'],
  },
  required: ['symbol', 'tradeDate', 'exchange', 'tradeType', 'quantity', 'price', 'tradeId'],
  anchor: 'tradeId',
}

/**
 * `parseZerodhaTransactions(text, file, portfolio)`: one `trade` per fill (an unknown trade_type
 * is kept as `unclassified`). A row that cannot be read fails the file with file:line.
 */
export function parseZerodhaTransactions(text: string, file: string, portfolio: PortfolioConfig): TransactionsParse {
  const records = csvRecords(text, file)
  const table = locateColumns(file, records, SPEC)
  const warnings: string[] = []
  const data = table.rows.filter((r) => r.cells.some((c) => c.trim() !== ''))
  const events: Draft[] = []
  const mcx = new Set<string>()
  eachRecord(file, data, (record) => {
    const row = new RowReader(table, record)
    const tradeDate = anyDate(row.text('tradeDate'))
    if (!tradeDate) throw new RowError(`${row.label('tradeDate')} "${row.text('tradeDate')}" is not a date`)
    const exchange = row.text('exchange').toUpperCase()
    const segment = row.text('segment').toUpperCase()
    const tradeId = row.text('tradeId')
    if (tradeId === '') throw new RowError(`${row.label('tradeId')} is blank`)
    const written = row.text('symbol')
    if (written === '') throw new RowError(`${row.label('symbol')} is blank`)
    const isin = row.text('isin')

    let instrument: Instrument
    if (segment === 'MF') {
      // A fund is named by its ISIN; the scheme name stays as the broker's symbol.
      if (!/^[A-Z]{2}[A-Z0-9]{9}\d$/.test(isin)) throw new RowError(`mutual fund "${written}" has no ISIN (${row.label('isin')} "${isin}")`)
      instrument = {symbol: isin, brokerSymbol: written, instrumentType: 'fund', underlying: isin, multiplier: 1}
    } else {
      instrument = instrumentOf(written, 'INR')
      instrument.brokerSymbol = written
      if (exchange === 'MCX') {
        // Tradebook quantities are units for NSE/BSE F&O; for MCX the unit is UNCONFIRMED, so the lot is taken as Kite's positions use it.
        instrument.multiplier = mcxLot(instrument.underlying) ?? null
        mcx.add(instrument.underlying)
      }
    }
    const expiryText = row.has('expiryDate') ? row.text('expiryDate') : ''
    if (expiryText && instrument.option) {
      const expiry = anyDate(expiryText)
      if (expiry && expiry !== instrument.option.expiry) warnings.push(`${file}:${record.line}: ${written} expires ${instrument.option.expiry} by its symbol but ${row.label('expiryDate')} says ${expiry}; the symbol is used`)
    }

    const size = unsigned(numberOf(row, 'quantity'), row.label('quantity'), row.text('quantity'))
    if (size === null || size === 0) throw new RowError(`${row.label('quantity')} "${row.text('quantity')}" is not a fill size`)
    const price = numberOf(row, 'price')
    if (price === null) throw new RowError(`${row.label('price')} is blank`)
    const type = row.text('tradeType').toLowerCase()
    const sign = type === 'buy' ? 1 : type === 'sell' ? -1 : null

    // order_execution_time is IST wall-clock; midnight on a fund row is its NAV date, not a time.
    const time = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2}):(\d{2})$/.exec(row.has('executionTime') ? row.text('executionTime') : '')
    const timeKnown = !!time && segment !== 'MF' && !(time[2] === '00' && time[3] === '00' && time[4] === '00')
    const at = timeKnown ? localInstant('Asia/Kolkata', time![1], Number(time![2]), Number(time![3]), Number(time![4])) : midnight('Asia/Kolkata', tradeDate)
    if (row.has('executionTime') && row.text('executionTime') !== '' && !time) throw new RowError(`${row.label('executionTime')} "${row.text('executionTime')}" is not a time (YYYY-MM-DDTHH:MM:SS)`)

    const auction = /^true$/i.test(row.text('auction')) ? ' (auction)' : ''
    const description = `${type || '?'} ${row.text('quantity')} ${written} @ ${row.text('price')} on ${exchange}${auction}`
    const draft = blank(portfolio, 'file', `${file}:${record.line}`, sign === null ? 'unclassified' : 'trade', at, timeKnown, tradeDate, 'INR', description)
    draft.brokerId = `${exchange}:${segment}:${tradeId}`
    Object.assign(draft, instrumentFields(instrument))
    draft.quantity = sign === null ? null : clean(sign * size)
    draft.price = price
    draft.orderId = row.has('orderId') && row.text('orderId') !== '' ? row.text('orderId') : null
    events.push(draft)
  })
  if (mcx.size > 0) warnings.push(`${file}: MCX quantities (${[...mcx].join(', ')}) are read as lots, as Kite's positions write them; this is unconfirmed for the tradebook`)
  return {events, warnings}
}
