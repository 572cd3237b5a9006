/*
 * Fidelity activity history ("Accounts_History.csv", "History_for_Account_*.csv"; doc
 * broker-transactions §2). Blank lines (and an account-type line) before the header, a trailer of
 * disclaimers and "Date downloaded …" after the rows: the data is the rows whose first cell is a
 * date. Columns by name (the 2026 all-accounts variant puts Price before Quantity and drops the
 * `($)` suffixes). Older exports start every cell with a space. The Action text says everything:
 * direction, open/close, assignment/expiry and, for those, the real date ("as of …", in four
 * spellings over the years). Quantity and Amount are signed; Amount includes the fees; Price is
 * per share. Dates only (no times): `at` is midnight New York of the event date, timeKnown false.
 * No transaction id: keys are content keys.
 */
import type {PortfolioConfig} from '../../config/config.js'
import type {EventKind} from '../../domain/ledger/events.js'
import {ImportError, locateColumns, RowError, RowReader, sameAccount, type ColumnSpec} from '../csv/table.js'
import {anyDate, blank, clean, csvRecords, eachRecord, fees, instrumentFields, instrumentOf, midnight, usDate, numberOf, type Draft, type TransactionsParse} from './common.js'

type Col = 'runDate' | 'account' | 'accountNumber' | 'action' | 'symbol' | 'description' | 'type' | 'quantity' | 'price' | 'commission' | 'fees' | 'amount' | 'currency' | 'settlement'

const SPEC: ColumnSpec<Col> = {
  columns: {
    runDate: ['Run Date'],
    account: ['Account'],
    accountNumber: ['Account Number'],
    action: ['Action'],
    symbol: ['Symbol'],
    description: ['Description', 'Security Description'],
    type: ['Type', 'Security Type'],
    quantity: ['Quantity'],
    price: ['Price ($)', 'Price'],
    commission: ['Commission ($)', 'Commission'],
    fees: ['Fees ($)', 'Fees'],
    amount: ['Amount ($)', 'Amount'],
    currency: ['Currency'],
    settlement: ['Settlement Date'],
  },
  required: ['runDate', 'action', 'symbol', 'quantity', 'price', 'amount'],
  anchor: 'runDate',
}

/** The action texts, first match wins; `open`/`close` where the text says OPENING/CLOSING. */
const ACTIONS: Array<{re: RegExp; kind: EventKind}> = [
  // The share leg of an assignment / exercise (YOU BOUGHT ASSIGNED PUTS AS OF 09-02-22 …).
  {re: /^YOU (BOUGHT|SOLD) ASSIGNED\b/, kind: 'assignment'},
  {re: /^YOU (BOUGHT|SOLD) EXERCISED\b/, kind: 'exercise'},
  {re: /^ASSIGNED\b/, kind: 'assignment'},
  {re: /^EXERCISED?\b/, kind: 'exercise'},
  {re: /^EXPIRED\b/, kind: 'expiration'},
  {re: /^YOU (BOUGHT|SOLD)\b/, kind: 'trade'},
  {re: /^REINVESTMENT\b/, kind: 'trade'},
  {re: /^(DIVIDEND RECEIVED|LONG-TERM CAP GAIN|SHORT-TERM CAP GAIN|DISTRIBUTION|FOREIGN TAX PAID|NON-RESIDENT TAX)\b/, kind: 'dividend'},
  {re: /^(INTEREST|MARGIN INTEREST)\b/, kind: 'interest'},
  {re: /^(FEE CHARGED|ADR FEE)\b/, kind: 'fee'},
  {re: /^(ELECTRONIC FUNDS TRANSFER|TRANSFERRED (FROM|TO)|WIRE TRANSFER|DIRECT DEPOSIT|DIRECT DEBIT|CHECK RECEIVED|CASH CONTRIBUTION|PARTIC CONTR)/, kind: 'transfer'},
]

const classified = new Map<string, {upper: string; kind: EventKind; asOf: string | null}>()

/** An action text's kind and "as of" date text; remembered, since an export repeats its action texts. */
function classify(action: string): {upper: string; kind: EventKind; asOf: string | null} {
  let c = classified.get(action)
  if (!c) {
    const upper = action.toUpperCase()
    // Assignments and expiries are posted days later; the event's own date is in the text.
    const asOf = /\bAS OF ([A-Z]{3}-\d{1,2}-\d{4}|\d{4}-\d{2}-\d{2}|\d{1,2}[/-]\d{1,2}[/-]\d{2,4})\b/.exec(upper)
    c = {upper, kind: ACTIONS.find((a) => a.re.test(upper))?.kind ?? 'unclassified', asOf: asOf ? asOf[1] : null}
    if (classified.size >= 20_000) classified.clear()
    classified.set(action, c)
  }
  return c
}

/**
 * `parseFidelityTransactions(text, file, portfolio)`: one event per activity row of the
 * portfolio's account (`account:`; a file of several accounts needs it). A row that cannot be read
 * fails the whole file with file:line; an action text not in the table above is kept as
 * `unclassified` with its text.
 */
export function parseFidelityTransactions(text: string, file: string, portfolio: PortfolioConfig): TransactionsParse {
  const records = csvRecords(text, file)
  const table = locateColumns(file, records, SPEC)
  const warnings: string[] = []
  // The trailer (a blank line, then one-cell disclaimer paragraphs and "Date downloaded …") ends the
  // data. A row with several cells whose first is not a date is a bad row, not the end: it fails.
  const first = table.rows.findIndex((r) => r.cells.some((c) => c.trim() !== ''))
  const rows = first < 0 ? [] : table.rows.slice(first)
  const end = rows.findIndex((r) => (r.cells[0] ?? '').trim() === '' || r.cells.slice(1).every((c) => c.trim() === ''))
  const data = end < 0 ? rows : rows.slice(0, end)

  const accountKey = table.index.accountNumber !== undefined ? 'accountNumber' : table.index.account !== undefined ? 'account' : null
  const accountOf = (cells: string[]) => (accountKey ? (cells[table.index[accountKey] as number] ?? '').trim() : '')
  const accounts = [...new Set(data.map((r) => accountOf(r.cells)).filter(Boolean))]
  const wanted = portfolio.account?.trim()
  if (!wanted && accounts.length > 1) throw new ImportError(file, undefined, `holds accounts ${accounts.join(', ')}; set "account:" on portfolio ${portfolio.name} to pick one`)
  const mine = wanted && accountKey ? data.filter((r) => sameAccount(accountOf(r.cells), wanted)) : data
  if (wanted && accountKey && mine.length === 0 && data.length > 0) warnings.push(`${file}: no activity for account ${wanted} (accounts in the file: ${accounts.join(', ')})`)

  const events: Draft[] = []
  eachRecord(file, mine, (record) => {
    const row = new RowReader(table, record)
    const runDate = usDate(row.text('runDate'))
    if (!runDate) throw new RowError(`${row.label('runDate')} "${row.text('runDate')}" is not a date`)
    const action = row.text('action').replace(/\s+/g, ' ')
    if (action === '') throw new RowError(`${row.label('action')} is blank`)
    const {upper, kind, asOf} = classify(action)
    const eventDate = asOf ? anyDate(asOf) : runDate
    if (!eventDate) throw new RowError(`the "as of ${asOf}" date in ${row.label('action')} is not a date`)

    const currency = (row.has('currency') && /^[A-Z]{3}$/.test(row.text('currency')) ? row.text('currency') : '') || portfolio.currency
    const symbolText = row.raw('symbol').trim()
    const instrument = symbolText === '' ? null : instrumentOf(symbolText, currency)
    if (instrument && (instrument.instrumentType === 'future' || instrument.instrumentType === 'future_option')) throw new RowError(`${symbolText}: futures are not expected in a Fidelity export`)
    const written = numberOf(row, 'quantity')
    const price = row.price('price')
    const amount = numberOf(row, 'amount')
    // Cash rows (dividends) write 0.000, and a 2026 expiry row wrote 0: neither states a position change.
    const cashOnly = kind === 'dividend' || kind === 'interest' || kind === 'fee'
    const quantity = !instrument || cashOnly || written === 0 ? null : written
    if (kind === 'trade' && instrument && quantity === null) throw new RowError(`${row.label('quantity')} is blank on a trade`)

    // Option removals close; the share leg of an assignment opens or closes stock, which the row does not say.
    const removal = kind === 'expiration' || ((kind === 'assignment' || kind === 'exercise') && !!instrument?.option)
    const positionEffect = /\bOPENING TRANSACTION\b/.test(upper) ? 'open' : /\bCLOSING TRANSACTION\b/.test(upper) || removal ? 'close' : null
    const draft = blank(portfolio, 'file', `${file}:${record.line}`, kind, midnight('America/New_York', eventDate), false, eventDate, currency, action)
    draft.account = accountOf(record.cells) || portfolio.account || null
    Object.assign(draft, instrumentFields(instrument))
    draft.quantity = clean(quantity)
    draft.price = price
    draft.amount = amount
    draft.fees = fees({commission: row.has('commission') ? numberOf(row, 'commission') : null, regulatory: row.has('fees') ? numberOf(row, 'fees') : null})
    draft.positionEffect = positionEffect
    events.push(draft)
  })
  return {events, warnings}
}
