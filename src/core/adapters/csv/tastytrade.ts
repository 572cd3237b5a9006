/*
 * tastytrade's web positions export. It holds only the columns that were visible on screen, so
 * everything but Symbol and Quantity is optional. Its Greeks (`/ Delta`, Theta, Vega) are position
 * totals with no rho and undocumented conventions: they are ignored and the model fills per-unit
 * Greeks later. `Underlying Last Price` is used as the underlying's price. `Net Liq` is per
 * position (its buying-power effect), not the account's, so balances stay unknown here.
 */
import type {PortfolioConfig} from '../../config/config.js'
import {formatOption, parseSymbol} from '../../domain/symbols.js'
import type {InstrumentType, ParsedSymbol} from '../../domain/types.js'
import type {FetchedPortfolio, SkippedRow} from '../broker.js'
import {futuresMultiplier} from '../../domain/multipliers.js'
import {isCrossed} from '../../domain/plausible.js'
import {crossCheck, halfUlp} from './crosscheck.js'
import {checkDraft, eachRow, finalize, isOption, isTotalRow, round, unknownBalances, type Draft} from './positions.js'
import {ImportError, isBlank, locateColumns, RowError, sameAccount, type ColumnSpec, type CsvRecord} from './table.js'

type Col = 'account' | 'symbol' | 'type' | 'quantity' | 'tradePrice' | 'cost' | 'mark' | 'bid' | 'ask' | 'underlyingLast' | 'expiry' | 'strike' | 'callPut' | 'multiplier' | 'plOpen' | 'netLiq'

const SPEC: ColumnSpec<Col> = {
  columns: {
    account: ['Account', 'Account Number'],
    symbol: ['Symbol'],
    type: ['Type', 'Instrument Type'],
    quantity: ['Quantity', 'Qty'],
    tradePrice: ['Trade Price', 'Avg Price', 'Average Price', 'Open Price'],
    cost: ['Cost'],
    mark: ['Mark', 'Mark Price'],
    bid: ['Bid (Sell)', 'Bid'],
    ask: ['Ask (Buy)', 'Ask'],
    underlyingLast: ['Underlying Last Price', 'Underlying Price'],
    expiry: ['Exp Date', 'Expiration Date', 'Expiration'],
    strike: ['Strike Price', 'Strike'],
    callPut: ['Call/Put', 'Put/Call'],
    multiplier: ['Multiplier'],
    plOpen: ['P/L Open'],
    netLiq: ['Net Liq'],
  },
  required: ['symbol', 'quantity'],
  anchor: 'symbol',
}

export function importTastytradeCsv(portfolio: PortfolioConfig, display: string, records: CsvRecord[], skipInvalid: boolean): FetchedPortfolio {
  const table = locateColumns(display, records, SPEC)
  const skipped: SkippedRow[] = []
  const warnings: string[] = []
  const drafts: Draft[] = []
  const account = portfolio.account?.trim()
  const cell = (r: CsvRecord, k: Col) => (table.index[k] === undefined ? '' : (r.cells[table.index[k] as number] ?? '').trim())
  const data = table.rows.filter((r) => !isBlank(r.cells) && !isTotalRow(cell(r, 'symbol')) && !isTotalRow(cell(r, 'account')) && !isTotalRow(r.cells[0] ?? ''))
  // One export may list several accounts; keep the configured one when both sides say.
  const rows = data.filter((r) => !account || cell(r, 'account') === '' || sameAccount(cell(r, 'account'), account))
  if (rows.length === 0 && data.length > 0) {
    const accounts = [...new Set(data.map((r) => cell(r, 'account')))].join(', ')
    throw new ImportError(display, undefined, `no rows for account ${account} (portfolio ${portfolio.name}); accounts in the file: ${accounts}`)
  }

  eachRow(table, rows, skipInvalid, skipped, (row) => {
    const written = row.text('symbol')
    if (written === '') throw new RowError(`${row.label('symbol')} is blank`)
    const declared = typeFromColumn(row.text('type'))
    const parsed = symbolOf(written, declared, row.text('expiry'), row.number('strike'), row.text('callPut'))
    const instrumentType = declared === 'crypto' ? 'crypto' : parsed.type
    const quantity = row.requiredNumber('quantity')
    const multiplier = row.number('multiplier') ?? defaultMultiplier(parsed, instrumentType)
    if (!(multiplier > 0)) throw new RowError(`${row.label('multiplier')} "${row.text('multiplier')}" must be positive`)

    // Futures and their options' underlyings can trade below zero (CL at −37.63 on 2020-04-20); other prices are
    // written unsigned or signed by direction, so their sign is dropped.
    const linear = instrumentType === 'future'
    const tradePrice = row.number('tradePrice')
    const cost = row.number('cost')
    const entryPrice = tradePrice !== null ? (linear ? tradePrice : Math.abs(tradePrice)) : cost !== null && quantity !== 0 ? round(Math.abs(cost) / (Math.abs(quantity) * multiplier)) : null
    const entryTolerance = Math.abs(quantity * multiplier) * (tradePrice !== null ? halfUlp(row.written('tradePrice')) : 0) + (tradePrice === null && cost !== null ? halfUlp(row.written('cost')) : 0)
    const bid = row.number('bid')
    const ask = row.number('ask')
    const mark = row.number('mark')
    // A crossed quote (bid above ask) has no meaningful mid: not used silently as the mark.
    if (mark === null && isCrossed(bid, ask)) warnings.push(`${display}:${row.record.line}: ${written}: quote is crossed (bid ${bid} above ask ${ask}); its mid is not used, the mark is unknown`)
    const rawMark = mark ?? (bid !== null && ask !== null && !isCrossed(bid, ask) ? round((bid + ask) / 2) : null)
    const markPrice = rawMark !== null && rawMark < 0 && !linear ? Math.abs(rawMark) : rawMark
    const onFuture = instrumentType === 'future' || instrumentType === 'future_option'
    const figure = (key: 'plOpen' | 'netLiq') => {
      const v = row.number(key)
      return v === null ? null : {label: row.label(key), value: v, text: row.written(key)}
    }
    crossCheck({
      symbol: written, units: quantity * multiplier, mark: markPrice, markText: mark !== null ? row.written('mark') : '0.0005', entry: entryPrice, entryTolerance,
      settledDaily: linear, value: figure('netLiq'), pnl: figure('plOpen'),
    })
    drafts.push(
      checkDraft({
        line: row.record.line,
        brokerSymbol: written,
        parsed: instrumentType === 'crypto' && parsed.type !== 'crypto' ? {...parsed, type: 'crypto'} : parsed,
        instrumentType,
        quantity,
        multiplier,
        entryPrice,
        markPrice,
        currency: portfolio.currency,
        underlyingPrice: onFuture ? row.signedPrice('underlyingLast') : row.price('underlyingLast'),
      }),
    )
  })
  const positions = finalize(drafts, portfolio, display, warnings)
  return {positions, balances: unknownBalances(), skipped, warnings}
}

function typeFromColumn(text: string): InstrumentType | undefined {
  const t = text.toLowerCase().replace(/[\s_-]+/g, ' ').trim()
  if (t === '') return undefined
  if (/^(stock|equity|etf|equities)$/.test(t)) return 'equity'
  if (/^(equity )?options?$/.test(t) || t === 'equity option') return 'equity_option'
  if (/^futures? options?$/.test(t)) return 'future_option'
  if (/^futures?$/.test(t)) return 'future'
  if (/^(crypto|cryptocurrency)$/.test(t)) return 'crypto'
  return undefined
}

/**
 * The Symbol column in any form parseSymbol knows; when it shows only the underlying of an
 * option, the Exp Date / Strike Price / Call/Put columns complete it.
 */
function symbolOf(written: string, declared: InstrumentType | undefined, expiry: string, strike: number | null, callPut: string): ParsedSymbol {
  const parsed = parseSymbol(written)
  if (declared !== 'equity_option' || parsed.type !== 'equity') return parsed
  const date = looseDate(expiry)
  const right = /^c/i.test(callPut) ? 'call' : /^p/i.test(callPut) ? 'put' : null
  if (!date || strike === null || strike <= 0 || !right) throw new RowError(`${written} is an option but its expiry, strike or call/put is missing or unreadable`)
  return parseSymbol(formatOption(parsed.symbol, date, strike, right))
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']

/** `2026-12-18`, `12/18/2026`, `12/18/26`, `Dec 18, 2026`, `18 Dec 2026` → YYYY-MM-DD, else null. */
function looseDate(text: string): string | null {
  const t = text.trim().toLowerCase().replace(',', '')
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t)
  if (m) return `${m[1]}-${m[2]}-${m[3]}`
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})$/.exec(t)
  if (m) return iso(m[3].length === 2 ? 2000 + +m[3] : +m[3], +m[1], +m[2])
  m = /^([a-z]{3})[a-z]* (\d{1,2}) (\d{4})$/.exec(t)
  if (m && MONTHS.includes(m[1])) return iso(+m[3], MONTHS.indexOf(m[1]) + 1, +m[2])
  m = /^(\d{1,2}) ([a-z]{3})[a-z]* (\d{4})$/.exec(t)
  if (m && MONTHS.includes(m[2])) return iso(+m[3], MONTHS.indexOf(m[2]) + 1, +m[1])
  return null
}

function iso(y: number, m: number, d: number): string {
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`
}

function defaultMultiplier(parsed: ParsedSymbol, type: InstrumentType): number {
  if (type === 'equity_option') return 100
  if (type === 'future' || type === 'future_option') {
    const multiplier = futuresMultiplier(parsed.underlying)
    if (multiplier === undefined) throw new RowError(`no known contract multiplier for ${parsed.underlying}; add a Multiplier column to the export or use the generic format`)
    return multiplier
  }
  return isOption(type) ? 100 : 1
}
