/*
 * IBKR Flex Trades as CSV, with and without header/trailer records: the ibflex assignment
 * BookTrade and the expiry BookTrade of broker-transactions.md §4.2 in CSV form, plus a round trip
 * whose FifoPnlRealized is carried through, to exact ledger drafts.
 */
import {describe, expect, test} from 'vitest'
import {parseIbkrFlexTransactions} from '../../../src/core/adapters/transactions/ibkr.js'
import {ExternalError} from '../../../src/core/errors.js'
import {draft, errorOf, expectStable, portfolioOf} from './helpers.js'

const COLUMNS = [
  'ClientAccountID', 'AccountAlias', 'CurrencyPrimary', 'AssetClass', 'Symbol', 'Description', 'UnderlyingSymbol', 'Multiplier', 'Strike', 'Expiry', 'Put/Call',
  'TradeID', 'TransactionID', 'IBOrderID', 'TradeDate', 'DateTime', 'TransactionType', 'Quantity', 'TradePrice', 'Proceeds', 'NetCash', 'IBCommission',
  'IBCommissionCurrency', 'Open/CloseIndicator', 'Notes/Codes', 'Buy/Sell', 'FifoPnlRealized', 'LevelOfDetail',
]
const q = (cells: string[]) => cells.map((c) => `"${c}"`).join(',')
const ROWS = [
  // ibflex TradeTestCase: an assigned call, BookTrade, notes A, price 0, FIFO realised 0.
  ['U123456', 'ibflex test', 'USD', 'OPT', 'VXX   110917C00005000', 'VXX 17SEP11 5.0 C', 'VXX', '100', '5', '2011-09-17', 'C', '594763148', '2381339439', '2381339439', '2011-08-11', '2011-08-11;162000', 'BookTrade', '3', '0', '-0', '0', '0', 'USD', 'C', 'A', 'BUY', '0', 'EXECUTION'],
  // The expiry BookTrade (notes Ep) of the same section, another account.
  ['DU1234567', '', 'USD', 'OPT', 'AA    260717C00054000', 'AA 17JUL26 54 C', 'AA', '100', '54', '20260717', 'C', '1787168394', '10653829572', '10653829572', '20260717', '20260717;162000', 'BookTrade', '-2', '0', '0', '0', '0', 'USD', 'C', 'Ep', 'SELL', '', 'EXECUTION'],
  // A round trip (synthetic, documented shape): FIFO realised = 15510 − 15025 − 1.00 − 1.02 = 482.98.
  ['U123456', 'ibflex test', 'USD', 'STK', 'AAPL', 'APPLE INC', '', '1', '', '', '', '700000001', '900000001', '800000001', '20260105', '20260105;101500', 'ExchTrade', '100', '150.25', '-15025', '-15026', '-1', 'USD', 'O', '', 'BUY', '0', 'EXECUTION'],
  ['U123456', 'ibflex test', 'USD', 'STK', 'AAPL', 'APPLE INC', '', '1', '', '', '', '', '', '800000002', '20260106', '', 'ExchTrade', '-100', '155.10', '15510', '15508.98', '-1.02', 'USD', 'C', '', 'SELL', '482.98', 'ORDER'],
  ['U123456', 'ibflex test', 'USD', 'STK', 'AAPL', 'APPLE INC', '', '1', '', '', '', '700000002', '900000002', '800000002', '20260106', '20260106;143005', 'ExchTrade', '-100', '155.10', '15510', '15508.98', '-1.02', 'USD', 'C', 'P', 'SELL', '482.98', 'EXECUTION'],
]
// Cash Transactions (CTRN): column and Type names as ibflex's CashTransaction / CashAction spell them
// (the reference gives no CSV sample; synthetic values). The SUMMARY row repeats the details.
const CASH_COLUMNS = ['ClientAccountID', 'CurrencyPrimary', 'Symbol', 'Date/Time', 'SettleDate', 'Amount', 'Type', 'TransactionID', 'Description', 'LevelOfDetail']
const CASH_ROWS = [
  ['U123456', 'USD', 'AAPL', '20260115', '20260115', '12.40', 'Dividends', '900000010', 'AAPL(US0378331005) CASH DIVIDEND USD 0.124 PER SHARE (Ordinary Dividend)', 'DETAIL'],
  ['U123456', 'USD', 'AAPL', '20260115', '20260115', '-1.86', 'Withholding Tax', '900000011', 'AAPL(US0378331005) CASH DIVIDEND USD 0.124 PER SHARE - US TAX', 'DETAIL'],
  ['U123456', 'USD', '', '20260203;202000', '20260203', '3.21', 'Broker Interest Received', '900000012', 'USD CREDIT INT FOR JAN-2026', 'DETAIL'],
  ['U123456', 'USD', '', '', '20260203', '3.21', 'Broker Interest Received', '', 'USD CREDIT INT FOR JAN-2026', 'SUMMARY'],
]

// Layout 1: no header/trailer records; each section its own header row.
const PLAIN = [q(COLUMNS), ...ROWS.map(q), q(CASH_COLUMNS), ...CASH_ROWS.map(q)].join('\n')

// Layout 2: header and trailer records, with section code and line descriptor.
const WRAPPED = [
  q(['BOF', 'U123456', 'Trades-2026', '2', '20110101', '20261231', '20261207;120000', '1']),
  q(['BOA', 'U123456']),
  q(['BOS', 'TRNT', 'Trades; trade date basis']),
  q(['HEADER', 'TRNT', ...COLUMNS]),
  ...ROWS.map((r) => q(['DATA', 'TRNT', ...r])),
  q(['EOS', 'TRNT', String(ROWS.length), 'Trades; trade date basis']),
  q(['BOS', 'CTRN', 'Cash Transactions']),
  q(['HEADER', 'CTRN', ...CASH_COLUMNS]),
  ...CASH_ROWS.map((r) => q(['DATA', 'CTRN', ...r])),
  q(['EOS', 'CTRN', String(CASH_ROWS.length), 'Cash Transactions']),
  q(['EOA', 'U123456']),
  q(['EOF', 'U123456']),
].join('\r\n')

// Layout 2 without the HEADER/DATA descriptors.
const WRAPPED_BARE = [
  q(['BOF', 'U123456', 'Trades-2026', '1', '20110101', '20261231']),
  q(['BOA', 'U123456']),
  q(['BOS', 'TRNT', 'Trades; trade date basis']),
  q(COLUMNS),
  ...ROWS.map(q),
  q(['EOS', 'TRNT', String(ROWS.length), 'Trades; trade date basis']),
  q(['EOA', 'U123456']),
  q(['EOF', 'U123456']),
].join('\n')

const F = 'flex_trades.csv'
const U = portfolioOf({account: 'U123456'})

const ASSIGNED = (line: number) =>
  draft({
    account: 'U123456', sourceRef: `${F}:${line}`, brokerId: '2381339439', kind: 'assignment', at: '2011-08-11T20:20:00.000Z', timeKnown: true, tradeDate: '2011-08-11',
    symbol: 'VXX 2011-09-17 5C', brokerSymbol: 'VXX   110917C00005000', instrumentType: 'equity_option', underlying: 'VXX', option: {expiry: '2011-09-17', strike: 5, right: 'call'},
    quantity: 3, price: 0, multiplier: 100, amount: 0, fees: {commission: 0, clearing: null, regulatory: null, exchange: null, other: null}, orderId: '2381339439',
    positionEffect: 'close', description: 'VXX 17SEP11 5.0 C · BookTrade · BUY · notes A', brokerRealizedPnl: 0,
  })

describe('IBKR Flex Trades CSV', () => {
  test('without header/trailer records: EXECUTION rows of the account, FIFO realised carried through', () => {
    const {events, warnings} = parseIbkrFlexTransactions(PLAIN, F, U)
    expect(warnings).toEqual([`${F}: 1 rows at ORDER, CLOSED_LOT or SUMMARY level not read (they repeat the EXECUTION rows)`])
    expect(events).toEqual([
      ASSIGNED(2),
      draft({
        account: 'U123456', sourceRef: `${F}:4`, brokerId: '900000001', kind: 'trade', at: '2026-01-05T15:15:00.000Z', timeKnown: true, tradeDate: '2026-01-05', symbol: 'AAPL', brokerSymbol: 'AAPL',
        instrumentType: 'equity', underlying: 'AAPL', quantity: 100, price: 150.25, multiplier: 1, amount: -15026, fees: {commission: 1, clearing: null, regulatory: null, exchange: null, other: null},
        orderId: '800000001', positionEffect: 'open', description: 'APPLE INC · ExchTrade · BUY', brokerRealizedPnl: 0,
      }),
      draft({
        account: 'U123456', sourceRef: `${F}:6`, brokerId: '900000002', kind: 'trade', at: '2026-01-06T19:30:05.000Z', timeKnown: true, tradeDate: '2026-01-06', symbol: 'AAPL', brokerSymbol: 'AAPL',
        instrumentType: 'equity', underlying: 'AAPL', quantity: -100, price: 155.1, multiplier: 1, amount: 15508.98, fees: {commission: 1.02, clearing: null, regulatory: null, exchange: null, other: null},
        orderId: '800000002', positionEffect: 'close', description: 'APPLE INC · ExchTrade · SELL · notes P', brokerRealizedPnl: 482.98,
      }),
      draft({
        account: 'U123456', sourceRef: `${F}:8`, brokerId: '900000010', kind: 'dividend', at: '2026-01-15T05:00:00.000Z', tradeDate: '2026-01-15', symbol: 'AAPL', brokerSymbol: 'AAPL',
        instrumentType: 'equity', underlying: 'AAPL', multiplier: 1, amount: 12.4, description: 'Dividends · AAPL(US0378331005) CASH DIVIDEND USD 0.124 PER SHARE (Ordinary Dividend)',
      }),
      draft({
        account: 'U123456', sourceRef: `${F}:9`, brokerId: '900000011', kind: 'dividend', at: '2026-01-15T05:00:00.000Z', tradeDate: '2026-01-15', symbol: 'AAPL', brokerSymbol: 'AAPL',
        instrumentType: 'equity', underlying: 'AAPL', multiplier: 1, amount: -1.86, description: 'Withholding Tax · AAPL(US0378331005) CASH DIVIDEND USD 0.124 PER SHARE - US TAX',
      }),
      draft({
        account: 'U123456', sourceRef: `${F}:10`, brokerId: '900000012', kind: 'interest', at: '2026-02-04T01:20:00.000Z', timeKnown: true, tradeDate: '2026-02-03', amount: 3.21,
        description: 'Broker Interest Received · USD CREDIT INT FOR JAN-2026',
      }),
    ])
  })

  test('the expiry BookTrade (notes Ep) of the other account', () => {
    const {events} = parseIbkrFlexTransactions(PLAIN, F, portfolioOf({account: 'DU1234567'}))
    expect(events).toEqual([
      draft({
        account: 'DU1234567', sourceRef: `${F}:3`, brokerId: '10653829572', kind: 'expiration', at: '2026-07-17T20:20:00.000Z', timeKnown: true, tradeDate: '2026-07-17',
        symbol: 'AA 2026-07-17 54C', brokerSymbol: 'AA    260717C00054000', instrumentType: 'equity_option', underlying: 'AA', option: {expiry: '2026-07-17', strike: 54, right: 'call'},
        quantity: -2, price: 0, multiplier: 100, amount: 0, fees: {commission: 0, clearing: null, regulatory: null, exchange: null, other: null}, orderId: '10653829572',
        positionEffect: 'close', description: 'AA 17JUL26 54 C · BookTrade · SELL · notes Ep', brokerRealizedPnl: null,
      }),
    ])
  })

  test('with header/trailer records (HEADER/DATA descriptors, or bare): the same events', () => {
    const plain = parseIbkrFlexTransactions(PLAIN, F, U).events
    const strip = (events: typeof plain) => events.map((e) => ({...e, sourceRef: null}))
    const wrapped = parseIbkrFlexTransactions(WRAPPED, F, U)
    expect(strip(wrapped.events)).toEqual(strip(plain))
    expect(wrapped.events[0].sourceRef).toBe(`${F}:5`)
    expect(wrapped.warnings).toEqual([`${F}: 1 rows at ORDER, CLOSED_LOT or SUMMARY level not read (they repeat the EXECUTION rows)`])
    // The bare file has no Cash Transactions section.
    expect(strip(parseIbkrFlexTransactions(WRAPPED_BARE, F, U).events)).toEqual(strip(plain).filter((e) => e.kind !== 'dividend' && e.kind !== 'interest'))
  })

  test('sections other than Trades and Cash Transactions are named in a warning', () => {
    const withPositions = WRAPPED.replace(q(['EOA', 'U123456']), [q(['BOS', 'POST', 'Open Positions']), q(['HEADER', 'POST', 'ClientAccountID', 'Symbol', 'Position']), q(['DATA', 'POST', 'U123456', 'AAPL', '100']), q(['EOS', 'POST', '1']), q(['EOA', 'U123456'])].join('\r\n'))
    expect(parseIbkrFlexTransactions(withPositions, F, U).warnings).toContain(`${F}:19: section POST (1 rows) not read; only Trades and Cash Transactions are`)
  })

  test('several accounts and no account configured: which one is ambiguous', () => {
    expect(errorOf(() => parseIbkrFlexTransactions(PLAIN, F, portfolioOf())).message).toBe(`${F}: holds accounts U123456, DU1234567; set "account:" on portfolio p to pick one`)
  })

  test('a section cut short (EOS count) refuses the file', () => {
    const cut = WRAPPED.split('\r\n').filter((l) => !l.includes('"700000002"')).join('\r\n')
    expect(errorOf(() => parseIbkrFlexTransactions(cut, F, U)).message).toBe(`${F}:9: section TRNT ends saying it has 5 rows, but 4 were read; the file is cut off or edited, so none of it is imported`)
  })

  test('a bad row fails the whole file with file:line', () => {
    const e = errorOf(() => parseIbkrFlexTransactions(PLAIN.replace('"155.10","15510","15508.98","-1.02","USD","C","P"', '"155.1O","15510","15508.98","-1.02","USD","C","P"'), F, U))
    expect(e).toBeInstanceOf(ExternalError)
    expect(e.message).toBe(`${F}:6: TradePrice "155.1O" is not a number`)
    expect(errorOf(() => parseIbkrFlexTransactions(PLAIN.replace('"20260105;101500"', '"05/01/2026 10:15"'), F, U)).message).toBe(
      `${F}:4: DateTime "05/01/2026 10:15" is not a date and time in US/Eastern (20260105;101500 or 2026-01-05;10:15:00)`,
    )
    expect(errorOf(() => parseIbkrFlexTransactions(PLAIN.replace('"-100","155.10","15510","15508.98","-1.02","USD","C","P","SELL"', '"100","155.10","15510","15508.98","-1.02","USD","C","P","SELL"'), F, U)).message).toBe(
      `${F}:6: Buy/Sell SELL but Quantity 100`,
    )
    expect(errorOf(() => parseIbkrFlexTransactions('"a","b"\n"1","2"', F, U)).message).toBe(`${F}:1: a row before any header row; this is not an IBKR Flex Query CSV (Trades)`)
  })

  test('the same file twice gives identical events and keys', () => {
    expectStable(() => parseIbkrFlexTransactions(WRAPPED, F, U))
  })
})
