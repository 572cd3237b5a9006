/*
 * tastytrade's web "Transactions" CSV export (doc broker-transactions §1.5 c): `Date,Type,Action,
 * Symbol,Instrument Type,Description,Value,Quantity,Average Price,Commissions,Fees,Multiplier,
 * Root Symbol,Underlying Symbol,Expiration Date,Strike Price,Call or Put,Order #`. The same
 * vocabulary as the REST API but no id and no sub-type: removals, splits and symbol changes are
 * told by their Description. Value, Average Price, Commissions and Fees are signed (− = paid);
 * Average Price is per contract (× multiplier); `--` means none. Times carry their offset
 * (`2022-12-30T22:00:00+0100`). Keys are content keys.
 */
import type {PortfolioConfig} from '../../config/config.js'
import type {EventKind} from '../../domain/ledger/events.js'
import {locateColumns, RowError, RowReader, type ColumnSpec} from '../csv/table.js'
import {MONEY_MOVEMENT, RECEIVE_DELIVER, TRADE_ACTIONS} from '../tastytrade/transactions.js'
import {blank, clean, csvRecords, eachRecord, fees, instrumentFields, instrumentOf, localDate, markDeliveries, unsigned, numberOf, type Draft, type TransactionsParse} from './common.js'

type Col = 'date' | 'type' | 'subType' | 'currency' | 'total' | 'action' | 'symbol' | 'instrumentType' | 'description' | 'value' | 'quantity' | 'averagePrice' | 'commissions' | 'fees' | 'multiplier' | 'order'

const SPEC: ColumnSpec<Col> = {
  columns: {
    date: ['Date'],
    type: ['Type'],
    subType: ['Sub Type'],
    currency: ['Currency'],
    total: ['Total'],
    action: ['Action'],
    symbol: ['Symbol'],
    instrumentType: ['Instrument Type'],
    description: ['Description'],
    value: ['Value'],
    quantity: ['Quantity'],
    averagePrice: ['Average Price'],
    commissions: ['Commissions'],
    fees: ['Fees'],
    multiplier: ['Multiplier'],
    order: ['Order #', 'Order Number'],
  },
  required: ['date', 'type', 'action', 'symbol', 'description', 'value', 'quantity'],
  anchor: 'type',
}

/** Receive Deliver rows without a trade action, by their description. */
const REMOVALS: Array<{re: RegExp; kind: EventKind}> = [
  {re: /due to expiration/i, kind: 'expiration'},
  {re: /cash settled (assignment|exercise)/i, kind: 'cash_settlement'},
  {re: /due to assignment/i, kind: 'assignment'},
  {re: /due to exercise/i, kind: 'exercise'},
]

/** Receive Deliver rows with an action: corporate actions by their description, else share legs. */
const CORPORATE: Array<{re: RegExp; kind: EventKind}> = [
  {re: /^forward split/i, kind: 'split'},
  {re: /^reverse split/i, kind: 'reverse_split'},
  {re: /^symbol change/i, kind: 'symbol_change'},
  {re: /^(acat|transfer)/i, kind: 'transfer'},
]

const MONEY: Array<{re: RegExp; kind: EventKind}> = [
  {re: /interest/i, kind: 'interest'},
  {re: /dividend|tax withheld|withholding/i, kind: 'dividend'},
  {re: /\bfee\b|fees|regulatory/i, kind: 'fee'},
  {re: /deposit|withdrawal|\bach\b|wire|transfer/i, kind: 'transfer'},
]

/** `2022-12-30T22:00:00+0100` (or `+01:00`, `Z`) → ISO instant; null when not such a time. */
function instant(text: string): string | null {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})$/.exec(text.trim())
  if (!m) return null
  const zone = m[2] === 'Z' ? 'Z' : `${m[2].slice(0, 3)}:${m[2].slice(-2)}`
  const t = Date.parse(`${m[1]}${zone}`)
  return Number.isFinite(t) ? new Date(t).toISOString() : null
}

/**
 * `parseTastytradeCsvTransactions(text, file, portfolio)`: one event per row; descriptions not
 * recognised are kept as `unclassified` with their text. A row that cannot be read fails the file
 * with file:line.
 */
export function parseTastytradeCsvTransactions(text: string, file: string, portfolio: PortfolioConfig): TransactionsParse {
  const records = csvRecords(text, file)
  const table = locateColumns(file, records, SPEC)
  const data = table.rows.filter((r) => r.cells.some((c) => c.trim() !== ''))
  const events: Draft[] = []
  const deliveries = new Set<Draft>()
  eachRecord(file, data, (record) => {
    const row = new RowReader(table, record)
    const at = instant(row.text('date'))
    if (!at) throw new RowError(`${row.label('date')} "${row.text('date')}" is not a time with an offset (2022-12-30T22:00:00+0100)`)
    const type = row.text('type')
    const action = row.text('action').toUpperCase()
    const text = row.text('description')
    const symbolText = row.text('symbol')
    const currency = row.has('currency') && /^[A-Z]{3}$/.test(row.text('currency')) ? row.text('currency') : portfolio.currency
    const instrument = symbolText === '' ? null : instrumentOf(symbolText, currency)
    const stated = row.has('multiplier') ? numberOf(row, 'multiplier') : null
    if (instrument && stated !== null) instrument.multiplier = stated

    let kind: EventKind = 'unclassified'
    let delivery = false
    if (type === 'Trade') kind = 'trade'
    else if (type === 'Receive Deliver') {
      if (action === '') kind = REMOVALS.find((r) => r.re.test(text))?.kind ?? 'unclassified'
      else {
        kind = CORPORATE.find((r) => r.re.test(text))?.kind ?? 'trade'
        delivery = kind === 'trade'
      }
    } else if (type === 'Money Movement') kind = MONEY.find((r) => r.re.test(text))?.kind ?? 'unclassified'
    // Newer exports (not in the reference) add `Sub Type`, the REST API's transaction-sub-type: it wins over the description.
    const subType = row.has('subType') ? row.text('subType') : ''
    if (subType !== '' && type === 'Receive Deliver') {
      if (TRADE_ACTIONS.has(subType)) delivery = kind === 'trade'
      else kind = RECEIVE_DELIVER[subType] ?? 'unclassified'
    } else if (subType !== '' && type === 'Money Movement') kind = subType === 'Mark to Market' ? 'cash_settlement' : MONEY_MOVEMENT[subType] ?? 'unclassified'

    const size = unsigned(numberOf(row, 'quantity'), row.label('quantity'), row.text('quantity'))
    let quantity: number | null = null
    if (instrument && size !== null && size !== 0) {
      if (action.startsWith('BUY')) quantity = size
      else if (action.startsWith('SELL')) quantity = -size
      else if (kind === 'assignment' || subType === 'Cash Settled Assignment') quantity = size
      else if (kind === 'exercise' || subType === 'Cash Settled Exercise') quantity = -size
    }
    if (kind === 'trade' && instrument && quantity === null) throw new RowError(`a trade needs ${row.label('action')} (BUY_TO_OPEN, SELL_TO_CLOSE, …) and ${row.label('quantity')}; got "${row.text('action')}", "${row.text('quantity')}"`)
    // Average Price is per contract and signed; per unit is its size over the multiplier.
    const average = row.has('averagePrice') ? numberOf(row, 'averagePrice') : null
    const price = average === null || quantity === null ? null : clean(Math.abs(average) / (instrument?.multiplier ?? 1))
    const value = numberOf(row, 'value')
    const commission = row.has('commissions') ? numberOf(row, 'commissions') : null
    const otherFees = row.has('fees') ? numberOf(row, 'fees') : null
    // `Total` (newer exports) is the net itself; otherwise Value plus the signed fees.
    const total = row.has('total') ? numberOf(row, 'total') : null
    const amount = total ?? (value === null ? null : clean(value + (commission ?? 0) + (otherFees ?? 0)))

    const draft = blank(portfolio, 'file', `${file}:${record.line}`, kind, at, true, localDate('America/New_York', at), currency, kind === 'unclassified' ? `[${[type, subType].filter(Boolean).join(' / ')}] ${text}` : text)
    Object.assign(draft, instrumentFields(instrument))
    draft.quantity = clean(quantity)
    draft.price = price
    draft.amount = amount
    // The export sums clearing, regulatory and index option fees into one Fees column.
    draft.fees = fees({commission: commission === null ? null : clean(-commission), other: otherFees === null ? null : clean(-otherFees)})
    draft.orderId = row.has('order') && row.text('order') !== '' ? row.text('order') : null
    draft.positionEffect = action.endsWith('_TO_OPEN') ? 'open' : action.endsWith('_TO_CLOSE') ? 'close' : kind === 'expiration' || kind === 'assignment' || kind === 'exercise' || (kind === 'cash_settlement' && instrument?.option) ? 'close' : null
    if (delivery) deliveries.add(draft)
    events.push(draft)
  })
  markDeliveries(events, (e) => deliveries.has(e), (a, b) => a.at === b.at)
  return {events, warnings: []}
}
