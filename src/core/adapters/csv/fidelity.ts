/*
 * Fidelity "Portfolio_Positions_Mmm-dd-yyyy.csv". One file holds every account, so rows are kept
 * only for the portfolio's account. Money-market and pending-activity rows are cash, not
 * positions; the footer of disclaimers ends the data. Options carry a leading ` -` that is a
 * marker, not a sign.
 */
import type {PortfolioConfig} from '../../config/config.js'
import {zonedInstant} from '../../domain/calendar/zones.js'
import {parseSymbol} from '../../domain/symbols.js'
import type {Balances} from '../../domain/types.js'
import type {FetchedPortfolio, SkippedRow} from '../broker.js'
import {BOND_MULTIPLIER, looksLikeBond, US_OPTION_MULTIPLIER} from '../../domain/multipliers.js'
import {crossCheck, halfUlp} from './crosscheck.js'
import {checkDraft, eachRow, finalize, round, type Draft} from './positions.js'
import {ImportError, isBlank, locateColumns, RowError, sameAccount, type ColumnSpec, type CsvRecord} from './table.js'

type Col = 'account' | 'symbol' | 'description' | 'quantity' | 'lastPrice' | 'currentValue' | 'gainToday' | 'gainTotal' | 'costTotal' | 'costAverage'

const SPEC: ColumnSpec<Col> = {
  columns: {
    account: ['Account Number', 'Account Name/Number'],
    symbol: ['Symbol'],
    description: ['Description'],
    quantity: ['Quantity'],
    lastPrice: ['Last Price'],
    currentValue: ['Current Value'],
    gainToday: ["Today's Gain/Loss Dollar"],
    gainTotal: ['Total Gain/Loss Dollar'],
    costTotal: ['Cost Basis Total', 'Cost Basis'],
    costAverage: ['Average Cost Basis', 'Cost Basis Per Share'],
  },
  required: ['account', 'symbol', 'quantity', 'lastPrice', 'currentValue'],
  anchor: 'symbol',
}

// Fidelity marks the core (cash) position with ** (SPAXX**, FDRXX**, FZFXX**, FCASH**, CORE**) or *** (USD***).
const CASH_SYMBOLS = /^[A-Z]{3,6}\*{2,3}$/
const CASH_DESCRIPTIONS = /^HELD IN (MONEY MARKET|FCASH)$/i

export function importFidelity(portfolio: PortfolioConfig, display: string, records: CsvRecord[], skipInvalid: boolean): FetchedPortfolio {
  const table = locateColumns(display, records, SPEC)
  const skipped: SkippedRow[] = []
  const warnings: string[] = []
  const drafts: Draft[] = []

  // The footer (a blank line, then one-cell disclaimer paragraphs and the download date) ends the data.
  const end = table.rows.findIndex((r) => isFooter(r.cells))
  const data = (end < 0 ? table.rows : table.rows.slice(0, end)).filter((r) => !isBlank(r.cells))

  const accountCell = (r: CsvRecord) => (r.cells[table.index.account as number] ?? '').trim()
  const accounts = [...new Set(data.map(accountCell))]
  let wanted = portfolio.account?.trim()
  if (wanted === undefined) {
    if (accounts.length > 1) throw new ImportError(display, undefined, `holds accounts ${accounts.join(', ')}; set "account:" on portfolio ${portfolio.name} to pick one`)
    wanted = accounts[0]
  }
  const mine = data.filter((r) => sameAccount(accountCell(r), wanted ?? ''))
  if (mine.length === 0) {
    const listed = accounts.length > 0 ? `accounts in the file: ${accounts.join(', ')}` : 'the file has no position rows'
    throw new ImportError(display, undefined, `no rows for account ${wanted} (portfolio ${portfolio.name}); ${listed}`)
  }

  // Filled inside the row callback; an object because TypeScript does not track closure assignments.
  const sums: {cash: number | null; pending: number; equity: number; equityUnknown?: string} = {cash: null, pending: 0, equity: 0}

  eachRow(table, mine, skipInvalid, skipped, (row) => {
    const written = row.text('symbol')
    if (written === '') throw new RowError(`${row.label('symbol')} is blank`)
    const value = row.number('currentValue')

    // Pending activity is money in flight (unsettled trades, transfers): it is part of the account's value now.
    if (/^pending activity$/i.test(written)) {
      if (value === null) throw new RowError(`${written} has no ${row.label('currentValue')}`)
      sums.cash = round((sums.cash ?? 0) + value)
      sums.pending = round(sums.pending + value)
      sums.equity = round(sums.equity + value)
      return
    }

    if (CASH_SYMBOLS.test(written.toUpperCase()) || CASH_DESCRIPTIONS.test(row.text('description'))) {
      const quantity = row.number('quantity')
      const price = row.number('lastPrice')
      const amount = value ?? (quantity !== null && price !== null ? quantity * price : null)
      if (amount === null) throw new RowError(`cash row ${written} has no ${row.label('currentValue')}`)
      sums.cash = round((sums.cash ?? 0) + amount)
      sums.equity = round(sums.equity + amount)
      return
    }

    const parsed = parseSymbol(written)
    if (parsed.type === 'future' || parsed.type === 'future_option') throw new RowError(`${written}: futures are not expected in a Fidelity export`)
    const quantity = row.requiredNumber('quantity')
    const mark = row.price('lastPrice')
    const costTotal = row.number('costTotal')
    const costAverage = row.number('costAverage')
    const isOption = parsed.type === 'equity_option'
    // A CUSIP whose description carries a coupon and a maturity is a bond or CD: face value at a price per 100 of face.
    const isBond = parsed.type === 'fund' && /^[0-9]{3}[0-9A-Z]{5}[0-9]$/.test(parsed.symbol) && looksLikeBond(row.text('description'))
    const multiplier = isOption ? US_OPTION_MULTIPLIER : isBond ? BOND_MULTIPLIER : 1
    // Entry from the exact total (Cost Basis Total ÷ units), not the per-share column, which is rounded to cents.
    let entryPrice: number | null = null
    let entryTolerance = 0
    if (costTotal !== null && quantity !== 0) {
      entryPrice = Math.abs(costTotal) / Math.abs(quantity * multiplier)
      entryTolerance = halfUlp(row.written('costTotal'))
    } else if (costAverage !== null) {
      // The average column is per share (per unit of price) on the exports seen; the cross-check catches one that is not.
      entryPrice = Math.abs(costAverage)
      entryTolerance = Math.abs(quantity * multiplier) * halfUlp(row.written('costAverage'))
    }
    // Mutual-fund tickers are five letters ending in X (FXAIX); CUSIPs (401(k) funds) parse as funds already.
    const instrumentType = isBond ? 'bond' : parsed.type === 'equity' && /^[A-Z]{4}X$/.test(parsed.symbol) ? 'fund' : parsed.type
    const figure = (key: 'currentValue' | 'gainTotal') => {
      const v = row.number(key)
      return v === null ? null : {label: row.label(key), value: v, text: row.written(key)}
    }
    crossCheck({symbol: written, units: quantity * multiplier, mark, markText: row.written('lastPrice'), entry: entryPrice, entryTolerance, value: figure('currentValue'), pnl: figure('gainTotal')})
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
        // the day P&L Fidelity states (the day-P&L basis follows from it: adapters/csv/positions.ts finalize)
        dayGain: row.number('gainToday'),
      }),
    )
    const rowValue = value ?? (mark !== null ? quantity * mark * multiplier : null)
    if (rowValue === null) sums.equityUnknown ??= `${written} (line ${row.record.line}) has neither ${row.label('currentValue')} nor ${row.label('lastPrice')}`
    else sums.equity = round(sums.equity + rowValue)
  })

  const cash = sums.cash
  let equity: number | null = sums.equity
  if (sums.equityUnknown) {
    equity = null
    warnings.push(`${display}: account value unknown: ${sums.equityUnknown}`)
  }
  if (sums.pending !== 0) warnings.push(`${display}: pending activity of ${sums.pending.toFixed(2)} ${portfolio.currency} counted as cash (money in flight)`)
  const positions = finalize(drafts, portfolio, display, warnings)
  const balances: Balances = {equity, cash, buyingPower: null, maintenanceRequirement: null}
  const stamp = records.map((r) => downloadedAt(r.cells[0] ?? '')).find((d) => d !== null)
  return {positions, balances, skipped, warnings, ...(stamp ? {pricesAsOf: stamp} : {})}
}

const MON = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC']

/**
 * The footer's download stamp as an ISO instant: `Date downloaded 07/30/2021 2:26 PM ET` (older
 * exports) or `Date downloaded Feb-18-2026 at 7:04 p.m ET` (2026). ET is New York time, EST or EDT
 * by the date. This, not the sync time, is when the file's prices were observed. Null otherwise.
 */
export function downloadedAt(cell: string): string | null {
  const m = /^\s*Date downloaded\s+(?:(\d{1,2})\/(\d{1,2})\/(\d{4})|([A-Za-z]{3})-(\d{1,2})-(\d{4}))\s+(?:at\s+)?(\d{1,2}):(\d{2})\s*([ap])\.?\s*m\.?\s*(?:ET|EST|EDT)?\s*$/i.exec(cell)
  if (!m) return null
  const month = m[1] ? Number(m[1]) : MON.indexOf(m[4].toUpperCase()) + 1
  const day = Number(m[1] ? m[2] : m[5])
  const year = Number(m[1] ? m[3] : m[6])
  let hour = Number(m[7]) % 12
  if (m[9].toLowerCase() === 'p') hour += 12
  const minute = Number(m[8])
  if (month < 1 || month > 12 || day < 1 || day > 31 || minute > 59) return null
  const date = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
  return zonedInstant('America/New_York', date, hour * 60 + minute).toISOString()
}

/** A blank first cell, or a row whose only content is its first cell (a disclaimer or the download date). */
function isFooter(cells: string[]): boolean {
  return (cells[0] ?? '').trim() === '' || cells.slice(1).every((c) => c.trim() === '')
}

