/*
 * IBKR Flex Query "Open Positions" (docs/FILE_FORMATS.md): CSV with or without header/trailer
 * records (BOF/BOA/BOS/EOS/EOA/EOF, a leading MSG row) and with or without the section-code
 * prefixes (`"HEADER","POST",…` / `"DATA","POST",…`), several sections in one file, or the same
 * query as XML (`<OpenPosition …/>` elements). Columns are whatever the user ticked, found by name.
 * SUMMARY and LOT rows both appear when lots are ticked: only SUMMARY rows are positions. Every row
 * is checked against IBKR's own PositionValue, CostBasisMoney and FifoPnlUnrealized.
 */
import {readFileSync} from 'node:fs'
import type {PortfolioConfig} from '../../config/config.js'
import {zonedInstant} from '../../domain/calendar/zones.js'
import {formatOption, parseSymbol} from '../../domain/symbols.js'
import type {InstrumentType, ParsedSymbol} from '../../domain/types.js'
import {BOND_MULTIPLIER, futuresMultiplier, US_OPTION_MULTIPLIER} from '../../domain/multipliers.js'
import type {FetchedPortfolio, SkippedRow} from '../broker.js'
import {crossCheck, halfUlp} from './crosscheck.js'
import {checkDraft, eachRow, finalize, round, unknownBalances, type Draft} from './positions.js'
import {displayPath, ImportError, isBlank, locateColumns, normalizeHeader, readRecords, RowError, sameAccount, type ColumnSpec, type CsvRecord} from './table.js'

type Col =
  | 'account' | 'currency' | 'assetClass' | 'symbol' | 'description' | 'underlying' | 'multiplier' | 'strike' | 'expiry' | 'putCall'
  | 'quantity' | 'markPrice' | 'positionValue' | 'costBasisPrice' | 'costBasisMoney' | 'pnl' | 'level' | 'reportDate'

/**
 * The instrument columns every Flex section shares (Open Positions here, Trades in
 * adapters/transactions/ibkr.ts). CSV names are the XML attribute names in CamelCase (normalizeHeader
 * makes case irrelevant, so both match).
 */
export const IBKR_INSTRUMENT_COLUMNS = {
  account: ['ClientAccountID', 'AccountId'],
  currency: ['CurrencyPrimary', 'Currency'],
  assetClass: ['AssetClass', 'AssetCategory'],
  symbol: ['Symbol'],
  description: ['Description'],
  underlying: ['UnderlyingSymbol'],
  multiplier: ['Multiplier'],
  strike: ['Strike'],
  expiry: ['Expiry'],
  putCall: ['Put/Call', 'PutCall'],
}

const SPEC: ColumnSpec<Col> = {
  columns: {
    ...IBKR_INSTRUMENT_COLUMNS,
    quantity: ['Quantity', 'Position'],
    markPrice: ['MarkPrice'],
    positionValue: ['PositionValue'],
    costBasisPrice: ['CostBasisPrice'],
    costBasisMoney: ['CostBasisMoney'],
    pnl: ['FifoPnlUnrealized'],
    level: ['LevelOfDetail'],
    reportDate: ['ReportDate'],
  },
  required: ['symbol', 'quantity', 'markPrice'],
  anchor: 'markPrice',
}

const MARKERS = new Set(['BOF', 'BOA', 'BOS', 'EOS', 'EOA', 'EOF', 'MSG'])

/** Reads the file (CSV or XML) and imports the open positions of the portfolio's account. */
export function importIbkrFlexFile(portfolio: PortfolioConfig, file: string, skipInvalid: boolean): FetchedPortfolio {
  const display = displayPath(file)
  let head = ''
  try {
    head = readFileSync(file, 'utf8').replace(/^\uFEFF/, '').trimStart().slice(0, 1)
  } catch {
    // readRecords reports the unreadable file
  }
  const records = head === '<' ? xmlRecords(display, readFileSync(file, 'utf8')) : positionSection(display, readRecords(file).records)
  return importIbkrFlex(portfolio, display, records, skipInvalid)
}

/**
 * The Open Positions section of a Flex CSV, as a plain header + rows table (line numbers kept):
 * marker rows dropped, `HEADER`/`DATA` prefixes removed (section POST), and of several unprefixed
 * sections the one whose header has MarkPrice and Quantity/Position.
 */
export function positionSection(display: string, records: CsvRecord[]): CsvRecord[] {
  const rows = records.filter((r) => !MARKERS.has((r.cells[0] ?? '').trim().toUpperCase()) && !isBlank(r.cells))
  const prefixed = rows.filter((r) => /^(HEADER|DATA)$/i.test((r.cells[0] ?? '').trim()))
  if (prefixed.length > 0) {
    const post = prefixed.filter((r) => (r.cells[1] ?? '').trim().toUpperCase() === 'POST')
    if (post.length === 0) throw new ImportError(display, undefined, 'has no Open Positions section (section code POST); add Open Positions to the Flex query')
    return post.map((r) => ({line: r.line, cells: r.cells.slice(2)}))
  }
  const isPositionsHeader = (r: CsvRecord) => {
    const names = new Set(r.cells.map(normalizeHeader))
    return names.has('markprice') && (names.has('quantity') || names.has('position')) && names.has('symbol')
  }
  const isAnyHeader = (r: CsvRecord) => r.cells.some((c) => ['clientaccountid', 'currencyprimary', 'accountalias'].includes(normalizeHeader(c)))
  const start = rows.findIndex(isPositionsHeader)
  if (start < 0) return rows // locateColumns reports the missing columns
  const end = rows.findIndex((r, i) => i > start && (isAnyHeader(r) || isPositionsHeader(r)))
  return rows.slice(start, end < 0 ? undefined : end)
}

/** `<OpenPosition attr="…"/>` elements → a table whose header is the union of their attribute names. */
function xmlRecords(display: string, text: string): CsvRecord[] {
  const elements: {line: number; attrs: Map<string, string>}[] = []
  const re = /<OpenPosition\b([^>]*?)\/?>/g
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const attrs = new Map<string, string>()
    for (const a of m[1].matchAll(/([A-Za-z_][\w.-]*)\s*=\s*"([^"]*)"/g)) attrs.set(a[1], unescapeXml(a[2]))
    elements.push({line: text.slice(0, m.index).split('\n').length, attrs})
  }
  if (elements.length === 0) throw new ImportError(display, undefined, 'has no <OpenPosition> elements; add Open Positions to the Flex query')
  const names = [...new Set(elements.flatMap((e) => [...e.attrs.keys()]))]
  return [{line: 1, cells: names}, ...elements.map((e) => ({line: e.line, cells: names.map((n) => e.attrs.get(n) ?? '')}))]
}

function unescapeXml(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
}

export function importIbkrFlex(portfolio: PortfolioConfig, display: string, records: CsvRecord[], skipInvalid: boolean): FetchedPortfolio {
  const table = locateColumns(display, records, SPEC)
  const skipped: SkippedRow[] = []
  const warnings: string[] = []
  const drafts: Draft[] = []
  const cell = (r: CsvRecord, key: Col) => (table.index[key] === undefined ? '' : (r.cells[table.index[key] as number] ?? '').trim())

  let rows = table.rows.filter((r) => !isBlank(r.cells))
  // SUMMARY and LOT rows repeat the same holding: the summary is the position.
  if (rows.some((r) => /^summary$/i.test(cell(r, 'level')))) rows = rows.filter((r) => cell(r, 'level') === '' || /^summary$/i.test(cell(r, 'level')))
  const accounts = [...new Set(rows.map((r) => cell(r, 'account')).filter(Boolean))]
  const wanted = portfolio.account?.trim()
  if (wanted === undefined && accounts.length > 1) throw new ImportError(display, undefined, `holds accounts ${accounts.join(', ')}; set "account:" on portfolio ${portfolio.name} to pick one`)
  if (wanted !== undefined && accounts.length > 0) {
    rows = rows.filter((r) => sameAccount(cell(r, 'account'), wanted))
    if (rows.length === 0) throw new ImportError(display, undefined, `no rows for account ${wanted} (portfolio ${portfolio.name}); accounts in the file: ${accounts.join(', ')}`)
  }

  eachRow(table, rows, skipInvalid, skipped, (row) => {
    const written = row.text('symbol')
    if (written === '') throw new RowError(`${row.label('symbol')} is blank`)
    const assetClass = row.text('assetClass').toUpperCase()
    if (assetClass === 'CASH') {
      // An FX balance (EUR.USD: quantity in EUR, mark in USD per EUR), not a position; never fails the file.
      const amount = row.number('quantity')
      const value = row.number('positionValue')
      const base = /^([A-Z]{3})\.[A-Z]{3}$/.exec(written.toUpperCase())?.[1] ?? written
      warnings.push(`${display}:${row.record.line}: ${written} (CASH) is a currency balance${amount === null ? '' : ` of ${amount} ${base}`}${value === null ? '' : ` worth ${value} ${row.text('currency').toUpperCase() || portfolio.currency}`}, not a position: left out (set cash: on the portfolio for its cash)`)
      return
    }
    const currency = row.text('currency').toUpperCase() || portfolio.currency
    if (currency !== portfolio.currency) throw new RowError(`${written} is in ${currency}, not the portfolio's ${portfolio.currency}; give each currency its own portfolio (account:) or Flex query`)
    const {parsed, type} = ibkrSymbol(written, assetClass, row.text('underlying'), row.text('expiry'), row.number('strike'), row.text('putCall'))
    const quantity = row.requiredNumber('quantity')
    const stated = row.number('multiplier')
    const multiplier = stated !== null && stated > 0 ? stated : defaultMultiplier(parsed, type, written)
    const linear = type === 'future'
    const mark = linear ? row.signedPrice('markPrice') : row.price('markPrice')
    const units = quantity * multiplier
    const costMoney = row.number('costBasisMoney')
    const costPrice = row.number('costBasisPrice')
    // Cost per unit from the exact total; IBKR's cost basis price is per unit of the quoted price already.
    const entryPrice = costMoney !== null && units !== 0 ? (linear ? costMoney / units : Math.abs(costMoney) / Math.abs(units)) : costPrice !== null ? (linear ? costPrice : Math.abs(costPrice)) : null
    const entryTolerance = costMoney !== null ? halfUlp(row.written('costBasisMoney')) : costPrice !== null ? Math.abs(units) * halfUlp(row.written('costBasisPrice')) : 0
    const figure = (key: 'positionValue' | 'pnl') => {
      const v = row.number(key)
      return v === null ? null : {label: row.label(key), value: v, text: row.written(key)}
    }
    // IBKR's PositionValue of a future is its notional (quantity × multiplier × price), not its open P&L.
    crossCheck({symbol: written, units, mark, markText: row.written('markPrice'), entry: entryPrice, entryTolerance, value: figure('positionValue'), pnl: figure('pnl')})
    drafts.push(
      checkDraft({
        line: row.record.line,
        brokerSymbol: written,
        parsed,
        instrumentType: type,
        quantity,
        multiplier,
        entryPrice: entryPrice === null ? null : round(entryPrice),
        markPrice: mark,
        currency,
      }),
    )
  })
  const positions = finalize(drafts, portfolio, display, warnings)
  const date = rows.map((r) => flexDate(cell(r, 'reportDate'))).find((d) => d !== null)
  // A Flex report is as of its report date's close (New York for a USD account, Kolkata for INR).
  const pricesAsOf = date ? zonedInstant(portfolio.currency === 'INR' ? 'Asia/Kolkata' : 'America/New_York', date, portfolio.currency === 'INR' ? 15 * 60 + 30 : 16 * 60).toISOString() : undefined
  return {positions, balances: unknownBalances(), skipped, warnings, ...(pricesAsOf ? {pricesAsOf} : {})}
}

/** `20260116` or `2026-01-16` → `2026-01-16`; null otherwise. */
function flexDate(text: string): string | null {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})(?:[;, T].*)?$/.exec(text.trim())
  return m ? `${m[1]}-${m[2]}-${m[3]}` : null
}

/** The row's instrument from its asset class; options from the OCC symbol, else the Strike/Expiry/Put-Call columns. */
function ibkrSymbol(written: string, assetClass: string, underlying: string, expiry: string, strike: number | null, putCall: string): {parsed: ParsedSymbol; type: InstrumentType} {
  switch (assetClass) {
    case '':
    case 'STK':
    case 'ETF': {
      const parsed = parseSymbol(written.replace(/ (?=[A-Z]$)/, '.')) // IBKR writes share classes with a space: BRK B
      return {parsed, type: parsed.type === 'equity' ? 'equity' : parsed.type}
    }
    case 'FUND':
      return {parsed: {...parseSymbol(written), type: 'fund'}, type: 'fund'}
    case 'BOND':
      return {parsed: {symbol: written.trim().toUpperCase(), type: 'bond', underlying: written.trim().toUpperCase()}, type: 'bond'}
    case 'OPT': {
      let parsed: ParsedSymbol | null = null
      try {
        parsed = parseSymbol(written)
      } catch {
        parsed = null
      }
      if (!parsed?.option) {
        const date = flexDate(expiry)
        const right = /^c/i.test(putCall) ? 'call' : /^p/i.test(putCall) ? 'put' : null
        if (!date || strike === null || !(strike > 0) || !right || !underlying) throw new RowError(`${written}: an option whose symbol is not OCC and whose UnderlyingSymbol, Expiry, Strike or Put/Call is missing`)
        parsed = parseSymbol(formatOption(underlying.replace(' ', '.'), date, strike, right))
      }
      return {parsed, type: 'equity_option'}
    }
    case 'FOP': {
      // A futures option: Strike/Expiry/Put-Call (else the local symbol `ESZ6 P5800`), on the future its symbol or UnderlyingSymbol names.
      const local = /^(\S+)\s+([CP])\s*(\d+(?:\.\d+)?)$/i.exec(written.trim())
      const date = flexDate(expiry)
      const right = /^c/i.test(putCall) ? 'call' : /^p/i.test(putCall) ? 'put' : local ? (local[2].toUpperCase() === 'C' ? 'call' : 'put') : null
      const k = strike !== null && strike > 0 ? strike : local ? Number(local[3]) : null
      if (!date || !right || k === null || !(k > 0)) throw new RowError(`${written}: a futures option needs Expiry, Strike and Put/Call (or a symbol such as ESZ6 P5800)`)
      const future = futureOfOption(written, local?.[1] ?? '', underlying, date)
      return {parsed: parseSymbol(formatOption(`/${future}`, date, k, right)), type: 'future_option'}
    }
    case 'FUT': {
      // IBKR futures symbols are the local symbol (ESZ6) with the month code and a one-digit year.
      const parsed = parseSymbol(`/${written.replace(/\s+/g, '')}`)
      if (parsed.type !== 'future') throw new RowError(`${written}: not a futures local symbol such as ESZ6`)
      return {parsed, type: 'future'}
    }
    default:
      throw new RowError(`${written}: asset class ${assetClass} is not imported (stocks, ETFs, funds, bonds, options, futures and futures options are; CASH balances are left out)`)
  }
}

/** A future's local code: root, month code, one or two year digits (ESZ6, MESH26, CLF7). */
const FUTURE_LOCAL = /^([A-Z0-9]{1,4}?)([FGHJKMNQUVXZ])(\d{1,2})$/
/** CME equity-index products: quarterly futures (H, M, U, Z) expiring the third Friday; their options (weeklies too) are on the next one. */
const QUARTERLY_INDEX = new Set(['ES', 'MES', 'NQ', 'MNQ', 'RTY', 'M2K', 'YM', 'MYM'])

/**
 * The future a Flex futures option is on: UnderlyingSymbol when it names a contract (ESZ6), else the
 * local symbol's own future code when it has one (`ESZ6 P5800`, same root), else for the quarterly
 * CME equity-index products the quarterly future expiring on or after the option (a weekly EW4Z6 on
 * ESZ6). Any other product needs the contract named: guessing CL's or GC's month would misprice it.
 */
function futureOfOption(written: string, localCode: string, underlying: string, expiry: string): string {
  const u = underlying.replace(/\s+/g, '').toUpperCase()
  if (FUTURE_LOCAL.test(u) && /[A-Z]/.test(FUTURE_LOCAL.exec(u)![1])) return u
  const code = localCode.toUpperCase()
  const m = FUTURE_LOCAL.exec(code)
  if (m && u !== '' && m[1] === u) return code
  if (QUARTERLY_INDEX.has(u)) {
    let year = Number(expiry.slice(0, 4))
    let month = Math.ceil(Number(expiry.slice(5, 7)) / 3) * 3
    if (expiry > thirdFriday(year, month)) month += 3
    if (month > 12) [year, month] = [year + 1, month - 12]
    return `${u}${'FGHJKMNQUVXZ'[month - 1]}${year % 10}`
  }
  throw new RowError(`${written}: the future this option is on cannot be told (UnderlyingSymbol "${underlying}"); tick UnderlyingSymbol with the contract, e.g. CLH6, in the Flex query`)
}

function thirdFriday(year: number, month: number): string {
  const first = new Date(Date.UTC(year, month - 1, 1)).getUTCDay()
  const day = 1 + ((5 - first + 7) % 7) + 14
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
}

function defaultMultiplier(parsed: ParsedSymbol, type: InstrumentType, written: string): number {
  if (type === 'equity_option') return US_OPTION_MULTIPLIER
  if (type === 'bond') return BOND_MULTIPLIER
  if (type === 'future' || type === 'future_option') {
    const m = futuresMultiplier(parsed.underlying)
    if (m === undefined) throw new RowError(`${written}: no Multiplier column and no known multiplier; tick Multiplier in the Flex query`)
    return m
  }
  return 1
}
