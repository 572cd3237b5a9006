/*
 * Schwab transactions export (doc broker-transactions §5.2): `"Date","Action","Symbol",
 * "Description","Quantity","Price","Fees & Comm","Amount"`, an optional title row before the
 * header ("Transactions  for account ...000 as of …") and a "Transactions Total" footer. Dates are
 * `MM/DD/YYYY` or `MM/DD/YYYY as of MM/DD/YYYY` (posted / effective: the effective date is the
 * event's). Quantity is unsigned, the direction is in Action. Money is `$1,234.56`, `-$497.25` or
 * `($15.00)`. Options are written `AAPL 06/20/2025 200.00 C`. No times and no ids: `at` is
 * midnight New York, keys are content keys.
 */
import type {PortfolioConfig} from '../../config/config.js'
import type {EventKind} from '../../domain/ledger/events.js'
import {locateColumns, RowError, RowReader, type ColumnSpec} from '../csv/table.js'
import {blank, clean, csvRecords, eachRecord, fees, instrumentFields, instrumentOf, markDeliveries, midnight, unsigned, usDate, numberOf, type Draft, type TransactionsParse} from './common.js'

type Col = 'date' | 'action' | 'symbol' | 'description' | 'quantity' | 'price' | 'fees' | 'amount'

const SPEC: ColumnSpec<Col> = {
  columns: {
    date: ['Date'],
    action: ['Action'],
    symbol: ['Symbol'],
    description: ['Description'],
    quantity: ['Quantity', 'Qty'],
    price: ['Price'],
    fees: ['Fees & Comm', 'Fees & Commissions'],
    amount: ['Amount'],
  },
  required: ['date', 'action', 'symbol', 'quantity', 'price', 'amount'],
  anchor: 'action',
}

/** Direction of the position change: + buy / receive, − sell / deliver, 0 = from the amount's sign, null = not stated. */
interface ActionRule {
  kind: EventKind
  sign: 1 | -1 | 0 | null
  effect?: 'open' | 'close'
}

const ACTIONS: Record<string, ActionRule> = {
  'buy': {kind: 'trade', sign: 1},
  'sell': {kind: 'trade', sign: -1},
  'sell short': {kind: 'trade', sign: -1, effect: 'open'},
  'buy to open': {kind: 'trade', sign: 1, effect: 'open'},
  'sell to open': {kind: 'trade', sign: -1, effect: 'open'},
  'buy to close': {kind: 'trade', sign: 1, effect: 'close'},
  'sell to close': {kind: 'trade', sign: -1, effect: 'close'},
  'reinvest shares': {kind: 'trade', sign: 1},
  // Reverses an earlier Buy (the opposite amount); the description says so. Not a sale.
  'cancel buy': {kind: 'trade', sign: -1},
  'cancel sell': {kind: 'trade', sign: 1},
  // Option removals: the direction is not written. An expiry may close either side; an
  // assignment closes a short, an exercise a long (stock legs: from the cash direction).
  'expired': {kind: 'expiration', sign: null, effect: 'close'},
  'assigned': {kind: 'assignment', sign: 0, effect: 'close'},
  'exchange or exercise': {kind: 'exercise', sign: 0, effect: 'close'},
  // Schwab writes only the shares added (or the new count), not the ratio: the lot engine computes it from the holding.
  'stock split': {kind: 'split', sign: 1},
  'reverse split': {kind: 'reverse_split', sign: null},
  'security transfer': {kind: 'transfer', sign: 0},
  'journaled shares': {kind: 'transfer', sign: 0},
  'reinvest dividend': {kind: 'dividend', sign: null},
  'cash dividend': {kind: 'dividend', sign: null},
  'qualified dividend': {kind: 'dividend', sign: null},
  'non-qualified div': {kind: 'dividend', sign: null},
  'special qual div': {kind: 'dividend', sign: null},
  'special non qual div': {kind: 'dividend', sign: null},
  'pr yr cash div': {kind: 'dividend', sign: null},
  'pr yr div reinvest': {kind: 'dividend', sign: null},
  'long term cap gain': {kind: 'dividend', sign: null},
  'short term cap gain': {kind: 'dividend', sign: null},
  // Tax withheld on income: a negative dividend, as tastytrade books it.
  'foreign tax paid': {kind: 'dividend', sign: null},
  'nra tax adj': {kind: 'dividend', sign: null},
  'nra withholding': {kind: 'dividend', sign: null},
  // Cash paid instead of a fractional share after a split or merger.
  'cash in lieu': {kind: 'cash_settlement', sign: null},
  'bank interest': {kind: 'interest', sign: null},
  'credit interest': {kind: 'interest', sign: null},
  'margin interest': {kind: 'interest', sign: null},
  'adr mgmt fee': {kind: 'fee', sign: null},
  'service fee': {kind: 'fee', sign: null},
  'moneylink transfer': {kind: 'transfer', sign: null},
  'moneylink deposit': {kind: 'transfer', sign: null},
  'wire sent': {kind: 'transfer', sign: null},
  'wire received': {kind: 'transfer', sign: null},
  'wire funds': {kind: 'transfer', sign: null},
  'journal': {kind: 'transfer', sign: null},
  'misc cash entry': {kind: 'transfer', sign: null},
}

/** `AAPL 06/20/2025 200.00 C` → the internal `AAPL 2025-06-20 200C`; other symbols as written. */
function schwabSymbol(text: string): string {
  const m = /^([A-Z0-9./-]+)\s+(\d{2}\/\d{2}\/\d{4})\s+(\d+(?:\.\d+)?)\s+([CP])$/i.exec(text.trim())
  if (!m) return text.trim()
  const expiry = usDate(m[2])
  if (!expiry) throw new RowError(`option symbol "${text.trim()}" has no valid expiry date`)
  return `${m[1].toUpperCase()} ${expiry} ${Number(m[3])}${m[4].toUpperCase()}`
}

/**
 * `parseSchwabTransactions(text, file, portfolio)`: one event per row; the title row, blank rows
 * and the "Transactions Total" footer are not rows. An action not listed above is kept as
 * `unclassified` with its text; a row that cannot be read fails the file with file:line.
 */
export function parseSchwabTransactions(text: string, file: string, portfolio: PortfolioConfig): TransactionsParse {
  const records = csvRecords(text, file)
  const table = locateColumns(file, records, SPEC)
  const warnings: string[] = []
  const title = records.filter((r) => r.line < table.headerLine).map((r) => r.cells[0] ?? '').join(' ')
  const account = portfolio.account ?? /for account\s+(\S+)/i.exec(title)?.[1] ?? null
  const data = table.rows.filter((r) => r.cells.some((c) => c.trim() !== '') && !/^transactions total$/i.test((r.cells[0] ?? '').trim()))
  const events: Draft[] = []
  eachRecord(file, data, (record) => {
    const row = new RowReader(table, record)
    const dateText = row.text('date')
    const dm = /^(\S+)(?:\s+as\s+of\s+(\S+))?$/i.exec(dateText)
    const posted = dm ? usDate(dm[1]) : null
    const effective = dm?.[2] ? usDate(dm[2]) : posted
    if (!posted || !effective) throw new RowError(`${row.label('date')} "${dateText}" is not a date (MM/DD/YYYY or MM/DD/YYYY as of MM/DD/YYYY)`)
    const action = row.text('action').replace(/\s+/g, ' ')
    if (action === '') throw new RowError(`${row.label('action')} is blank`)
    const rule = ACTIONS[action.toLowerCase()]
    const kind: EventKind = rule?.kind ?? 'unclassified'

    const symbolText = row.text('symbol')
    const instrument = symbolText === '' ? null : instrumentOf(schwabSymbol(symbolText), portfolio.currency)
    if (instrument) instrument.brokerSymbol = symbolText
    const size = unsigned(numberOf(row, 'quantity'), row.label('quantity'), row.text('quantity'))
    const price = row.price('price')
    const amount = numberOf(row, 'amount')
    const cost = row.has('fees') ? numberOf(row, 'fees') : null

    let quantity: number | null = null
    if (instrument && size !== null && size !== 0 && rule) {
      if (rule.sign === 1 || rule.sign === -1) quantity = rule.sign * size
      else if (rule.sign === 0) {
        if (instrument.option) quantity = kind === 'assignment' ? size : kind === 'exercise' ? -size : null
        // Shares of an assignment, exercise or transfer: cash out means shares in.
        else quantity = amount !== null && amount !== 0 ? (amount < 0 ? size : -size) : null
      }
    }
    if (kind === 'trade' && instrument && quantity === null) throw new RowError(`${row.label('quantity')} is blank on a ${action} row`)

    // What the row says that no field holds: the posting date, a count whose direction is not stated.
    const unplaced = quantity === null && size !== null && size !== 0 ? `(quantity ${row.text('quantity')})` : ''
    const description = [action, row.text('description'), unplaced, dm?.[2] ? `(posted ${dm[1]})` : ''].filter(Boolean).join(' · ')
    const draft = blank(portfolio, 'file', `${file}:${record.line}`, kind, midnight('America/New_York', effective), false, effective, portfolio.currency, description)
    draft.account = account
    Object.assign(draft, instrumentFields(instrument))
    draft.quantity = clean(quantity)
    draft.price = price
    draft.amount = amount
    // Schwab writes commission and fees as one column.
    draft.fees = fees({commission: cost})
    draft.positionEffect = rule?.effect ?? null
    events.push(draft)
  })
  // The shares of an assignment or exercise come as a Buy/Sell at the strike on the same day.
  markDeliveries(events, (e) => e.kind === 'trade' && e.positionEffect === null, (removal, leg) => removal.tradeDate === leg.tradeDate && removal.option?.strike === leg.price)
  if (events.some((e) => e.kind === 'reverse_split')) warnings.push(`${file}: Schwab's Reverse Split rows state no ratio and no direction; the position after them comes from the next positions export`)
  return {events, warnings}
}
