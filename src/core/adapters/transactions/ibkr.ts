/*
 * IBKR Flex Query, Trades and Cash Transactions sections, as CSV (doc broker-transactions §4). Two layouts:
 *  - without header/trailer records: each section starts with its own header row
 *    ("ClientAccountID",…) and sections follow one another;
 *  - with them: BOF, BOA per account, BOS/EOS around each section (EOS states the row count,
 *    checked so a cut-off file is refused), EOA, EOF; rows optionally prefixed "HEADER"/"DATA"
 *    and the section code (TRNT = trades).
 * Only Trades rows at EXECUTION level are read (ORDER, CLOSED_LOT and SUMMARY rows repeat the same
 * fills); Cash Transactions (CTRN) DETAIL rows become dividend/interest/fee/transfer events; other
 * sections are named in a warning. Columns by name, CSV or XML spelling. Quantity is
 * signed; IBCommission is negative for a cost; NetCash is the cash effect; FifoPnlRealized is
 * IBKR's own realised P&L, carried as brokerRealizedPnl. Notes/Codes: A assignment, Ex/AEx
 * exercise, Ep expiry, CD cash delivery. Times are the query's zone, US/Eastern by default.
 * The broker id is TransactionID (TradeID when the query has no TransactionID).
 */
import type {PortfolioConfig} from '../../config/config.js'
import type {EventKind} from '../../domain/ledger/events.js'
import {formatOption, parseSymbol} from '../../domain/symbols.js'
import {ImportError, locateColumns, normalizeHeader, RowError, RowReader, sameAccount, type ColumnSpec, type CsvRecord} from '../csv/table.js'
import {IBKR_INSTRUMENT_COLUMNS} from '../csv/ibkr.js'
import {anyDate, blank, clean, csvRecords, eachRecord, fees, instrumentFields, instrumentOf, localInstant, midnight, type Draft, type Instrument, type TransactionsParse, numberOf} from './common.js'

type Col =
  | 'account' | 'currency' | 'assetClass' | 'symbol' | 'description' | 'underlying' | 'multiplier' | 'strike' | 'expiry' | 'putCall'
  | 'tradeId' | 'transactionId' | 'orderId' | 'tradeDate' | 'tradeTime' | 'dateTime' | 'transactionType' | 'quantity' | 'price'
  | 'netCash' | 'commission' | 'taxes' | 'openClose' | 'notes' | 'buySell' | 'fifoPnl' | 'levelOfDetail'

const SPEC: ColumnSpec<Col> = {
  columns: {
    ...IBKR_INSTRUMENT_COLUMNS,
    tradeId: ['TradeID'],
    transactionId: ['TransactionID'],
    orderId: ['IBOrderID'],
    tradeDate: ['TradeDate'],
    tradeTime: ['TradeTime'],
    dateTime: ['DateTime', 'Date/Time'],
    transactionType: ['TransactionType'],
    quantity: ['Quantity'],
    price: ['TradePrice'],
    netCash: ['NetCash'],
    commission: ['IBCommission'],
    taxes: ['Taxes'],
    openClose: ['Open/CloseIndicator', 'OpenCloseIndicator'],
    notes: ['Notes/Codes', 'Notes'],
    buySell: ['Buy/Sell', 'BuySell'],
    fifoPnl: ['FifoPnlRealized'],
    levelOfDetail: ['LevelOfDetail'],
  },
  required: ['assetClass', 'symbol', 'quantity', 'price'],
  anchor: 'symbol',
}

interface Section {
  code: string | null
  header: CsvRecord
  rows: CsvRecord[]
}

const MARKERS = new Set(['BOF', 'BOA', 'EOA', 'EOF'])

/** A header row of the layout without trailer records: it names the columns. */
function isHeader(cells: string[]): boolean {
  const names = new Set(cells.map(normalizeHeader))
  return names.has('clientaccountid') || (names.has('symbol') && names.has('quantity'))
}

/** The file's sections, whichever layout it has; EOS row counts are checked. */
function sectionsOf(file: string, records: CsvRecord[]): Section[] {
  const sections: Section[] = []
  let open: {code: string | null; start: number} | null = null
  let current: Section | null = null
  for (const r of records) {
    const first = (r.cells[0] ?? '').trim()
    if (r.cells.every((c) => c.trim() === '')) continue
    if (MARKERS.has(first)) continue
    if (first === 'BOS') {
      open = {code: (r.cells[1] ?? '').trim() || null, start: sections.length}
      current = null
      continue
    }
    if (first === 'EOS') {
      const stated = Number((r.cells[2] ?? '').trim())
      const counted = sections.slice(open?.start ?? 0).reduce((n, s) => n + s.rows.length, 0)
      if ((r.cells[2] ?? '').trim() !== '' && Number.isInteger(stated) && stated !== counted) {
        throw new ImportError(file, r.line, `section ${(r.cells[1] ?? '').trim()} ends saying it has ${stated} rows, but ${counted} were read; the file is cut off or edited, so none of it is imported`)
      }
      open = null
      current = null
      continue
    }
    if (first === 'HEADER' || first === 'DATA') {
      const code = (r.cells[1] ?? '').trim() || null
      const record = {line: r.line, cells: r.cells.slice(2)}
      if (first === 'HEADER') {
        current = {code, header: record, rows: []}
        sections.push(current)
      } else {
        if (!current || current.code !== code) throw new ImportError(file, r.line, `a DATA row of section ${code ?? '?'} comes before its HEADER row`)
        current.rows.push(record)
      }
      continue
    }
    if (isHeader(r.cells)) {
      current = {code: open?.code ?? null, header: r, rows: []}
      sections.push(current)
      continue
    }
    if (!current) throw new ImportError(file, r.line, 'a row before any header row; this is not an IBKR Flex Query CSV (Trades)')
    current.rows.push(r)
  }
  return sections
}

function isTrades(s: Section): boolean {
  if (s.code !== null) return s.code === 'TRNT'
  const names = new Set(s.header.cells.map(normalizeHeader))
  return names.has('tradeprice') && names.has('quantity')
}

/** Cash Transactions (CTRN): dividends, withholding, interest, fees, deposits. */
function isCash(s: Section): boolean {
  if (s.code !== null) return s.code === 'CTRN'
  const names = new Set(s.header.cells.map(normalizeHeader))
  return names.has('amount') && names.has('type') && !names.has('tradeprice')
}

type CashCol = 'account' | 'currency' | 'symbol' | 'description' | 'dateTime' | 'settleDate' | 'amount' | 'type' | 'transactionId' | 'levelOfDetail'

const CASH_SPEC: ColumnSpec<CashCol> = {
  columns: {
    account: ['ClientAccountID', 'AccountId'],
    currency: ['CurrencyPrimary', 'Currency'],
    symbol: ['Symbol'],
    description: ['Description'],
    dateTime: ['Date/Time', 'DateTime'],
    settleDate: ['SettleDate'],
    amount: ['Amount'],
    type: ['Type'],
    transactionId: ['TransactionID'],
    levelOfDetail: ['LevelOfDetail'],
  },
  required: ['amount', 'type'],
  anchor: 'amount',
}

/** CashTransaction types (ibflex CashAction) → kinds; others are kept as unclassified. */
const CASH_KINDS: Array<{re: RegExp; kind: EventKind}> = [
  {re: /withholding/i, kind: 'dividend'},
  {re: /dividend/i, kind: 'dividend'},
  {re: /interest/i, kind: 'interest'},
  {re: /fee|commission adjustment/i, kind: 'fee'},
  {re: /deposit|withdrawal/i, kind: 'transfer'},
]

/** IBKR date-times: `20260717;162000`, `2026-01-05;10:00:00`, `2026-01-05, 10:00:00 EST`. */
const DATE_TIME = /^(\d{4}-?\d{2}-?\d{2})[;,T ]+(\d{2}):?(\d{2}):?(\d{2})(?:\s+(EST|EDT|ET|US\/Eastern|America\/New_York))?$/i

/**
 * `parseIbkrFlexTransactions(text, file, portfolio)`: one event per EXECUTION-level trade of the
 * portfolio's account (`account:`, needed when the file holds several). A row that cannot be read
 * fails the file with file:line.
 */
export function parseIbkrFlexTransactions(text: string, file: string, portfolio: PortfolioConfig): TransactionsParse {
  const records = csvRecords(text, file)
  const sections = sectionsOf(file, records)
  const warnings: string[] = []
  const trades = sections.filter(isTrades)
  const cash = sections.filter((s) => !isTrades(s) && isCash(s))
  for (const s of sections) {
    if (!isTrades(s) && !isCash(s)) warnings.push(`${file}:${s.header.line}: section ${s.code ?? `with columns ${s.header.cells.slice(0, 4).join(', ')}…`} (${s.rows.length} rows) not read; only Trades and Cash Transactions are`)
  }
  if (trades.length === 0) throw new ImportError(file, undefined, 'no Trades section (a header row with Symbol, Quantity and TradePrice); export the Flex Query with its Trades section')

  const events: Draft[] = []
  let aggregate = 0
  for (const section of trades) {
    const table = locateColumns(file, [section.header, ...section.rows], SPEC)
    if (table.index.transactionId === undefined && table.index.tradeId === undefined) throw new ImportError(file, section.header.line, 'the Trades section has neither TransactionID nor TradeID; add one to the Flex Query (it keys each fill)')
    if (table.index.tradeDate === undefined && table.index.dateTime === undefined) throw new ImportError(file, section.header.line, 'the Trades section has neither TradeDate nor DateTime')
    const accountOf = (r: CsvRecord) => (table.index.account === undefined ? '' : (r.cells[table.index.account] ?? '').trim())
    const accounts = [...new Set(section.rows.map(accountOf).filter(Boolean))]
    const wanted = portfolio.account?.trim()
    if (!wanted && accounts.length > 1) throw new ImportError(file, undefined, `holds accounts ${accounts.join(', ')}; set "account:" on portfolio ${portfolio.name} to pick one`)
    const mine = wanted ? section.rows.filter((r) => accountOf(r) === '' || sameAccount(accountOf(r), wanted)) : section.rows

    eachRecord(file, mine, (record) => {
      const row = new RowReader(table, record)
      const level = row.text('levelOfDetail')
      if (level !== '' && level.toUpperCase() !== 'EXECUTION') {
        aggregate++
        return
      }
      const id = row.text('transactionId') || row.text('tradeId')
      if (id === '') throw new RowError(`${row.has('transactionId') ? row.label('transactionId') : row.label('tradeId')} is blank`)
      const currency = (row.has('currency') && /^[A-Z]{3}$/.test(row.text('currency')) ? row.text('currency') : '') || portfolio.currency
      const assetClass = row.text('assetClass').toUpperCase()
      const codes = row.text('notes').split(';').map((c) => c.trim()).filter(Boolean)
      const when = timing({dateTime: row.text('dateTime'), dateTimeLabel: row.label('dateTime'), tradeDate: row.text('tradeDate'), tradeDateLabel: row.label('tradeDate'), tradeTime: row.text('tradeTime')})

      const quantity = row.requiredNumber('quantity')
      const side = row.text('buySell').toUpperCase()
      if ((side === 'BUY' && quantity < 0) || (side === 'SELL' && quantity > 0)) throw new RowError(`${row.label('buySell')} ${side} but ${row.label('quantity')} ${row.text('quantity')}`)

      let kind: EventKind = 'trade'
      if (codes.includes('CD') && (codes.includes('A') || codes.includes('Ex') || codes.includes('AEx'))) kind = 'cash_settlement'
      else if (codes.includes('A')) kind = 'assignment'
      else if (codes.includes('Ex') || codes.includes('AEx')) kind = 'exercise'
      else if (codes.includes('Ep')) kind = 'expiration'
      // Currency conversions are cash, not positions; kept with their text for the user.
      if (assetClass === 'CASH') kind = 'unclassified'

      const instrument = assetClass === 'CASH' ? null : instrumentFor(row, assetClass, currency)
      const multiplier = row.has('multiplier') ? numberOf(row, 'multiplier') : null
      if (instrument && multiplier !== null) instrument.multiplier = multiplier

      const oc = row.text('openClose').toUpperCase()
      const parts = [row.text('description'), row.text('transactionType'), side, codes.length > 0 ? `notes ${codes.join(';')}` : ''].filter(Boolean)
      const draft = blank(portfolio, 'file', `${file}:${record.line}`, kind, when.at, when.timeKnown, when.tradeDate, currency, parts.join(' · '))
      draft.account = accountOf(record) || portfolio.account || null
      draft.brokerId = id
      Object.assign(draft, instrumentFields(instrument))
      draft.quantity = instrument ? clean(quantity) : null
      draft.price = numberOf(row, 'price')
      draft.amount = row.has('netCash') ? numberOf(row, 'netCash') : null
      const commission = row.has('commission') ? numberOf(row, 'commission') : null
      const taxes = row.has('taxes') ? numberOf(row, 'taxes') : null
      draft.fees = fees({commission: commission === null ? null : clean(-commission), other: taxes === null ? null : clean(-taxes)})
      const order = row.text('orderId')
      draft.orderId = order !== '' && order !== '0' ? order : null
      draft.positionEffect = oc === 'O' ? 'open' : oc === 'C' ? 'close' : null
      draft.brokerRealizedPnl = row.has('fifoPnl') ? numberOf(row, 'fifoPnl') : null
      events.push(draft)
    })
  }
  for (const section of cash) readCash(file, section, portfolio, events)
  if (aggregate > 0) warnings.push(`${file}: ${aggregate} rows at ORDER, CLOSED_LOT or SUMMARY level not read (they repeat the EXECUTION rows)`)
  return {events, warnings}
}

interface Stamps {
  dateTime: string
  dateTimeLabel: string
  tradeDate: string
  tradeDateLabel: string
  tradeTime: string
}

function timing(t: Stamps): {at: string; timeKnown: boolean; tradeDate: string} {
  const tradeDateStated = t.tradeDate === '' ? null : anyDate(t.tradeDate)
  if (t.tradeDate !== '' && !tradeDateStated) throw new RowError(`${t.tradeDateLabel} "${t.tradeDate}" is not a date`)
  let stamp = t.dateTime
  if (stamp === '' && tradeDateStated && t.tradeTime !== '') stamp = `${t.tradeDate};${t.tradeTime}`
  // A date alone (cash transactions, or a query without times) is a date, not midnight.
  const dateOnly = stamp === '' ? null : anyDate(stamp)
  if (dateOnly) return {at: midnight('America/New_York', dateOnly), timeKnown: false, tradeDate: tradeDateStated ?? dateOnly}
  if (stamp !== '') {
    const m = DATE_TIME.exec(stamp)
    const date = m ? anyDate(m[1]) : null
    if (!m || !date) throw new RowError(`${t.dateTime !== '' ? t.dateTimeLabel : 'TradeDate/TradeTime'} "${stamp}" is not a date and time in US/Eastern (20260105;101500 or 2026-01-05;10:15:00)`)
    return {at: localInstant('America/New_York', date, Number(m[2]), Number(m[3]), Number(m[4])), timeKnown: true, tradeDate: tradeDateStated ?? date}
  }
  if (!tradeDateStated) throw new RowError(`${t.tradeDateLabel} is blank`)
  return {at: midnight('America/New_York', tradeDateStated), timeKnown: false, tradeDate: tradeDateStated}
}

/** Cash Transactions rows (DETAIL level): one cash event each, amount as IBKR signs it. */
function readCash(file: string, section: Section, portfolio: PortfolioConfig, events: Draft[]): void {
  const table = locateColumns(file, [section.header, ...section.rows], CASH_SPEC)
  if (table.index.dateTime === undefined && table.index.settleDate === undefined) throw new ImportError(file, section.header.line, 'the Cash Transactions section has neither Date/Time nor SettleDate')
  const accountOf = (r: CsvRecord) => (table.index.account === undefined ? '' : (r.cells[table.index.account] ?? '').trim())
  const wanted = portfolio.account?.trim()
  const mine = wanted ? section.rows.filter((r) => accountOf(r) === '' || sameAccount(accountOf(r), wanted)) : section.rows
  eachRecord(file, mine, (record) => {
    const row = new RowReader(table, record)
    const level = row.text('levelOfDetail').toUpperCase()
    if (level !== '' && level !== 'DETAIL') return
    const when = timing({dateTime: row.text('dateTime'), dateTimeLabel: row.label('dateTime'), tradeDate: row.text('dateTime') === '' ? row.text('settleDate') : '', tradeDateLabel: row.label('settleDate'), tradeTime: ''})
    const currency = (/^[A-Z]{3}$/.test(row.text('currency')) ? row.text('currency') : '') || portfolio.currency
    const type = row.text('type')
    const kind = CASH_KINDS.find((k) => k.re.test(type))?.kind ?? 'unclassified'
    const amount = numberOf(row, 'amount')
    if (amount === null) throw new RowError(`${row.label('amount')} is blank`)
    const symbolText = row.text('symbol')
    let instrument: Instrument | null = null
    if (symbolText !== '') {
      try {
        instrument = {...instrumentOf(symbolText.replace(/^([A-Z]+) ([A-Z])$/, '$1.$2'), currency), brokerSymbol: symbolText}
      } catch {
        // A cash row's symbol only says what paid it (a bond, a fund class): kept as written.
        instrument = null
      }
    }
    const draft = blank(portfolio, 'file', `${file}:${record.line}`, kind, when.at, when.timeKnown, when.tradeDate, currency, [type, row.text('description')].filter(Boolean).join(' · '))
    draft.account = accountOf(record) || portfolio.account || null
    draft.brokerId = row.text('transactionId') || null
    Object.assign(draft, instrumentFields(instrument))
    if (!instrument && symbolText !== '') draft.brokerSymbol = symbolText
    draft.amount = amount
    events.push(draft)
  })
}

function instrumentFor(row: RowReader<Col>, assetClass: string, currency: string): Instrument {
  const symbol = row.text('symbol')
  if (symbol === '') throw new RowError(`${row.label('symbol')} is blank`)
  if (assetClass === 'STK' || assetClass === 'FUND' || assetClass === 'ETF') {
    // IBKR writes share classes with a space (BRK B).
    const written = symbol.replace(/^([A-Z]+) ([A-Z])$/, '$1.$2')
    return {...instrumentOf(written, currency), brokerSymbol: symbol}
  }
  if (assetClass === 'OPT') {
    // OCC-style (`VXX   110917C00005000`) when it is; else from the contract columns.
    const occ = /^[A-Z0-9.]{1,6}\s+\d{6}[CP]\d{8}$/.test(symbol)
    const text = occ ? symbol : contractText(row, row.text('underlying') || symbol.split(/\s+/)[0])
    return {...instrumentOf(text, currency), brokerSymbol: symbol}
  }
  if (assetClass === 'FUT') {
    const parsed = parseSymbol(`/${symbol.replace(/\s+/g, '')}`)
    if (parsed.type !== 'future') throw new RowError(`future "${symbol}" is not a futures symbol cotrader understands`)
    return {...instrumentOf(parsed.symbol, currency, parsed), brokerSymbol: symbol}
  }
  if (assetClass === 'FOP') {
    const under = row.text('underlying')
    if (!/^[A-Z0-9]+[FGHJKMNQUVXZ]\d{1,2}$/.test(under)) throw new RowError(`futures option "${symbol}": ${row.label('underlying')} "${under}" does not name the future's month (e.g. ESZ6)`)
    return {...instrumentOf(contractText(row, `/${under}`), currency), brokerSymbol: symbol}
  }
  throw new RowError(`${row.label('assetClass')} "${assetClass}" is not read (stocks, options, futures and futures options are)`)
}

/** The internal option text from Expiry, Strike and Put/Call. */
function contractText(row: RowReader<Col>, root: string): string {
  const expiry = anyDate(row.text('expiry'))
  const strike = numberOf(row, 'strike')
  const right = row.text('putCall').toUpperCase()
  if (!expiry || strike === null || (right !== 'C' && right !== 'P')) {
    throw new RowError(`option "${row.text('symbol')}": needs ${row.label('expiry')}, ${row.label('strike')} and ${row.label('putCall')} (got "${row.text('expiry')}", "${row.text('strike')}", "${row.text('putCall')}")`)
  }
  return formatOption(root, expiry, strike, right === 'C' ? 'call' : 'put')
}
