/*
 * cotrader's own CSV for manual portfolios, research ideas and funds (see docs/FILE_FORMATS.md):
 *   symbol,quantity,entry_price,mark_price[,underlying_price][,multiplier][,currency][,type][,description]
 * `#` comment lines and blank lines are ignored; a CASH row (or type cash) is money, not a position.
 */
import type {PortfolioConfig} from '../../config/config.js'
import {parseSymbol, SymbolError} from '../../domain/symbols.js'
import type {InstrumentType, ParsedSymbol} from '../../domain/types.js'
import type {FetchedPortfolio, SkippedRow} from '../broker.js'
import {checkDraft, eachRow, finalize, isOption, positionsValue, round, type Draft} from './positions.js'
import {locateColumns, RowError, type ColumnSpec, type CsvRecord} from './table.js'

type Col = 'symbol' | 'quantity' | 'entryPrice' | 'markPrice' | 'underlyingPrice' | 'multiplier' | 'currency' | 'type' | 'description'

const SPEC: ColumnSpec<Col> = {
  columns: {
    symbol: ['symbol'],
    quantity: ['quantity', 'qty'],
    entryPrice: ['entry_price'],
    markPrice: ['mark_price'],
    underlyingPrice: ['underlying_price'],
    multiplier: ['multiplier'],
    currency: ['currency'],
    type: ['type'],
    description: ['description'],
  },
  required: ['symbol', 'quantity', 'entryPrice', 'markPrice'],
  anchor: 'symbol',
}

type RowType = 'equity' | 'fund' | 'option' | 'future' | 'crypto' | 'cash'

const TYPES: Record<string, RowType> = {
  equity: 'equity', stock: 'equity', etf: 'equity',
  fund: 'fund', mf: 'fund', 'mutual fund': 'fund',
  option: 'option', 'equity option': 'option', 'future option': 'option',
  future: 'future', futures: 'future',
  crypto: 'crypto',
  cash: 'cash',
}

export function importGeneric(portfolio: PortfolioConfig, display: string, records: CsvRecord[], skipInvalid: boolean): FetchedPortfolio {
  const table = locateColumns(display, records, SPEC)
  const skipped: SkippedRow[] = []
  const warnings: string[] = []
  const drafts: Draft[] = []
  const sums = {cash: null as number | null}

  eachRow(table, table.rows, skipInvalid, skipped, (row) => {
    const written = row.text('symbol')
    if (written === '') throw new RowError(`${row.label('symbol')} is blank`)
    const typeText = row.text('type').toLowerCase().replace(/[\s_-]+/g, ' ')
    const declared = typeText === '' ? undefined : TYPES[typeText]
    if (typeText !== '' && !declared) throw new RowError(`${row.label('type')} "${row.text('type')}" is not one of equity | fund | option | future | crypto | cash`)
    const currency = row.text('currency').toUpperCase() || portfolio.currency
    if (!/^[A-Z]{3}$/.test(currency)) throw new RowError(`${row.label('currency')} "${row.text('currency')}" is not a three-letter currency code`)
    const quantity = row.requiredNumber('quantity')

    if (declared === 'cash' || written.toUpperCase() === 'CASH') {
      // Balances are in the portfolio's currency; converting here would hide an FX assumption.
      if (currency !== portfolio.currency) throw new RowError(`cash in ${currency} in a ${portfolio.currency} portfolio; keep one currency per portfolio's cash`)
      sums.cash = round((sums.cash ?? 0) + quantity)
      return
    }

    const parsed = symbolFor(written, declared)
    const instrumentType: InstrumentType = declared === 'fund' ? 'fund' : declared === 'crypto' ? 'crypto' : parsed.type
    const multiplier = row.number('multiplier') ?? (isOption(instrumentType) ? 100 : 1)
    if (!(multiplier > 0)) throw new RowError(`${row.label('multiplier')} "${row.text('multiplier')}" must be positive`)
    // Futures prices can be negative (crude oil, April 2020); nothing else's can.
    const price = (key: Col) => (instrumentType === 'future' ? row.number(key) : row.price(key))
    // The underlying of a futures option is a future: its price may be negative too (Greeks are then unknown: Black-76 needs F > 0).
    const underlyingPrice = instrumentType === 'future' || instrumentType === 'future_option' ? row.signedPrice('underlyingPrice') : row.price('underlyingPrice')
    drafts.push(
      checkDraft({
        line: row.record.line,
        brokerSymbol: written,
        parsed: parsed.type === instrumentType ? parsed : {...parsed, type: instrumentType},
        instrumentType,
        quantity,
        multiplier,
        entryPrice: price('entryPrice'),
        markPrice: price('markPrice'),
        currency,
        underlyingPrice,
      }),
    )
  })

  const positions = finalize(drafts, portfolio, display, warnings)
  // The portfolio's `cash:` in the config, when set, replaces this in the sync service.
  const cash = sums.cash
  let equity: number | null = null
  if (cash === null) {
    if (positions.length > 0 && portfolio.cash === undefined) warnings.push(`${display}: no CASH row, so cash and portfolio value are unknown (add a row "CASH,0,," if there is none)`)
  } else {
    const held = positionsValue(positions, portfolio.currency)
    if (held.value === null) warnings.push(`${display}: portfolio value unknown: ${held.unknown}`)
    else equity = round(cash + held.value)
  }
  return {positions, balances: {equity, cash, buyingPower: null, maintenanceRequirement: null}, skipped, warnings}
}

/** The symbol in any form parseSymbol accepts; a fund may instead be named in free text (`PARAG PARIKH FLEXI CAP`). */
function symbolFor(written: string, declared: RowType | undefined): ParsedSymbol {
  let parsed: ParsedSymbol
  try {
    parsed = parseSymbol(written)
  } catch (error) {
    if (!(error instanceof SymbolError) || declared !== 'fund') throw error
    const name = written.toUpperCase().replace(/\s+/g, ' ').trim()
    if (!/^[A-Z0-9][A-Z0-9 &.'()\/-]*$/.test(name)) throw new RowError(`fund name "${written}" may hold letters, digits, spaces and & . ' ( ) / - only`)
    return {symbol: name, type: 'fund', underlying: name}
  }
  const isOpt = isOption(parsed.type)
  if (declared === 'option' && !isOpt) throw new RowError(`type is option but "${written}" is not an option symbol (e.g. AAPL 2027-01-15 210P)`)
  if (declared === 'future' && parsed.type !== 'future') throw new RowError(`type is future but "${written}" is not a futures symbol (e.g. NIFTY 2026-12 FUT or /ESZ6)`)
  if ((declared === 'equity' || declared === 'fund' || declared === 'crypto') && (isOpt || parsed.type === 'future')) {
    throw new RowError(`type is ${declared} but "${written}" is a${isOpt ? 'n option' : ' future'}`)
  }
  return parsed
}
