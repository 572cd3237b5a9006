/*
 * Fidelity activity history: the sample rows of broker-transactions.md §2.3 inside files shaped
 * like the real exports (BOM, blank preamble lines, leading spaces, disclaimer trailer, download
 * stamp), to exact ledger drafts.
 */
import {describe, expect, test} from 'vitest'
import {parseFidelityTransactions} from '../../../src/core/adapters/transactions/fidelity.js'
import {ExternalError} from '../../../src/core/errors.js'
import {draft, errorOf, expectStable, portfolioOf} from './helpers.js'

const TRAILER = [
  '',
  '"The data and information in this spreadsheet is provided to you solely for your use and is not for distribution. The spreadsheet is provided for informational purposes only, and is not intended to provide advice, nor should it be construed as an offer to sell, a solicitation of an offer to buy or a recommendation for any security or insurance product by Fidelity or any third party."',
  '',
  '"Date downloaded 07/11/2025 7:51 pm"',
  '',
]

// 2022 single-account export (sbrummer612), verbatim rows with their leading spaces.
const FILE_2022 = [
  '\uFEFF',
  '',
  'Brokerage',
  '',
  'Run Date,Action,Symbol,Security Description,Security Type,Quantity,Price ($),Commission ($),Fees ($),Accrued Interest ($),Amount ($),Settlement Date',
  ' 11/16/2022, YOU SOLD OPENING TRANSACTION PUT (SPY) SPDR S&P500 ETF NOV 18 22 $395 (100 SHS) (Cash), -SPY221118P395, PUT (SPY) SPDR S&P500 ETF NOV 18 22 $395 (100 SHS),Cash,-3,2.59,1.95,0.07,,774.98,11/17/2022',
  ' 11/15/2022, YOU BOUGHT CLOSING TRANSACTION 22319G50EI PUT (SPY) SPDR S&P500 ETF NOV 16 22 $395 (100 SHS) (Cash), -SPY221116P395, PUT (SPY) SPDR S&P500 ETF NOV 16 22 $395 (100 SHS),Cash,3,0.7,1.95,0.05,,-212,11/16/2022',
  ' 09/06/2022, YOU BOUGHT ASSIGNED PUTS AS OF 09-02-22 SPDR S&P500 ETF TRUST TRUST UNIT DEP... (SPY) (Margin), SPY, SPDR S&P500 ETF TRUST TRUST UNIT DEPOSI,Margin,100,393,,,,-39300,09/07/2022',
  ' 11/14/2022, ASSIGNED as of 11/11/2022 CALL (SPY) SPDR S&P500 ETF NOV 11 22 $395 (100 SHS) (Margin), -SPY221111C395, CALL (SPY) SPDR S&P500 ETF NOV 11 22 $395 (100 SHS),Margin,1,,,,,,',
  ...TRAILER,
].join('\r\n')

// 2025–26 single-account export (eJournal), verbatim rows.
const FILE_2026 = [
  '\uFEFF',
  '',
  'Run Date,Action,Symbol,Description,Type,Quantity,Price ($),Commission ($),Fees ($),Accrued Interest ($),Amount ($),Cash Balance ($),Settlement Date',
  '04/24/2026,"YOU SOLD OPENING TRANSACTION PUT (UMAC) UNUSUAL MACHS INC MAY 01 26 $13.5 (100 SHS) (Cash)", -UMAC260501P13.5,"PUT (UMAC)",Cash,-1,0.41,0.65,0.02,,40.33,10252.02,04/27/2026',
  '08/03/2026,"EXPIRED PUT (TNA) DIREXION SHARES ETF JUL 31 26 $63 as of 2026-07-31", -TNA260731P63,"PUT (TNA)",Margin,0,"",,,,0.00,,""',
  '06/30/2025,"DIVIDEND RECEIVED FIDELITY U.S. BOND INDEX FUND (FXNAX) (Cash)",FXNAX,"FIDELITY U.S. BOND INDEX FUND",Cash,0.000,,,,,2389.28,--,',
  '03/02/2026,"JOURNALED SPP PURCHASE CREDIT",,"No Description",Cash,0.000,,,,,12.5,--,',
  ...TRAILER,
].join('\n')

// The 2026 all-accounts layout (Price before Quantity, no ($) suffixes), two accounts in one file.
// Header as documented (eJournal); rows built from the sample rows above in that layout.
const FILE_ALL = [
  '',
  '',
  'Run Date,Account,Account Number,Action,Symbol,Description,Type,Exchange Quantity,Exchange Currency,Currency,Price,Quantity,Exchange Rate,Commission,Fees,Accrued Interest,Amount,Settlement Date',
  '01/05/2026,"Individual","Z12345678","YOU SOLD OPENING TRANSACTION CALL (MSFT) MICROSOFT CORP JAN 15 27 $560 (100 SHS) (Margin)", -MSFT270115C560,"CALL (MSFT) MICROSOFT CORP JAN 15 27 $560 (100 SHS)",Margin,0,,USD,21.35,-2,0,1.30,0.09,,4268.61,01/06/2026',
  '01/05/2026,"ROTH IRA","238000111","YOU BOUGHT MICROSOFT CORP (MSFT) (Cash)",MSFT,"MICROSOFT CORP",Cash,0,,USD,478.12,5,0,0,0.01,,-2390.61,01/06/2026',
  '01/06/2026,"Individual","Z12345678","YOU BOUGHT MICROSOFT CORP (MSFT) (Margin)",MSFT,"MICROSOFT CORP",Margin,0,,USD,480.00,100,0,0,,,-48000.00,01/07/2026',
  ...TRAILER,
].join('\n')

const p = portfolioOf()
const F = 'Accounts_History.csv'

describe('Fidelity activity history', () => {
  test('2022 export: trades, the share leg of an assignment and the option assignment, to exact drafts', () => {
    const {events, warnings} = parseFidelityTransactions(FILE_2022, F, p)
    expect(warnings).toEqual([])
    expect(events).toEqual([
      draft({
        sourceRef: `${F}:6`, kind: 'trade', at: '2022-11-16T05:00:00.000Z', tradeDate: '2022-11-16', symbol: 'SPY 2022-11-18 395P', brokerSymbol: '-SPY221118P395',
        instrumentType: 'equity_option', underlying: 'SPY', option: {expiry: '2022-11-18', strike: 395, right: 'put'}, quantity: -3, price: 2.59, multiplier: 100, amount: 774.98,
        fees: {commission: 1.95, clearing: null, regulatory: 0.07, exchange: null, other: null}, positionEffect: 'open',
        description: 'YOU SOLD OPENING TRANSACTION PUT (SPY) SPDR S&P500 ETF NOV 18 22 $395 (100 SHS) (Cash)',
      }),
      draft({
        sourceRef: `${F}:7`, kind: 'trade', at: '2022-11-15T05:00:00.000Z', tradeDate: '2022-11-15', symbol: 'SPY 2022-11-16 395P', brokerSymbol: '-SPY221116P395',
        instrumentType: 'equity_option', underlying: 'SPY', option: {expiry: '2022-11-16', strike: 395, right: 'put'}, quantity: 3, price: 0.7, multiplier: 100, amount: -212,
        fees: {commission: 1.95, clearing: null, regulatory: 0.05, exchange: null, other: null}, positionEffect: 'close',
        description: 'YOU BOUGHT CLOSING TRANSACTION 22319G50EI PUT (SPY) SPDR S&P500 ETF NOV 16 22 $395 (100 SHS) (Cash)',
      }),
      // Posted 09/06, happened 09/02 (EDT midnight = 04:00Z): the as-of date is the event's date.
      draft({
        sourceRef: `${F}:8`, kind: 'assignment', at: '2022-09-02T04:00:00.000Z', tradeDate: '2022-09-02', symbol: 'SPY', brokerSymbol: 'SPY', instrumentType: 'equity', underlying: 'SPY',
        quantity: 100, price: 393, multiplier: 1, amount: -39300, description: 'YOU BOUGHT ASSIGNED PUTS AS OF 09-02-22 SPDR S&P500 ETF TRUST TRUST UNIT DEP... (SPY) (Margin)',
      }),
      draft({
        sourceRef: `${F}:9`, kind: 'assignment', at: '2022-11-11T05:00:00.000Z', tradeDate: '2022-11-11', symbol: 'SPY 2022-11-11 395C', brokerSymbol: '-SPY221111C395',
        instrumentType: 'equity_option', underlying: 'SPY', option: {expiry: '2022-11-11', strike: 395, right: 'call'}, quantity: 1, price: null, multiplier: 100, amount: null,
        positionEffect: 'close', description: 'ASSIGNED as of 11/11/2022 CALL (SPY) SPDR S&P500 ETF NOV 11 22 $395 (100 SHS) (Margin)',
      }),
    ])
  })

  test('2026 export: an expiry (as-of in ISO form, quantity 0 = not stated), a dividend, an unknown action kept', () => {
    const {events} = parseFidelityTransactions(FILE_2026, F, p)
    expect(events).toHaveLength(4)
    expect(events[0]).toMatchObject({kind: 'trade', symbol: 'UMAC 2026-05-01 13.5P', quantity: -1, price: 0.41, amount: 40.33, fees: {commission: 0.65, regulatory: 0.02}, positionEffect: 'open', tradeDate: '2026-04-24'})
    expect(events[1]).toEqual(
      draft({
        sourceRef: `${F}:5`, kind: 'expiration', at: '2026-07-31T04:00:00.000Z', tradeDate: '2026-07-31', symbol: 'TNA 2026-07-31 63P', brokerSymbol: '-TNA260731P63', instrumentType: 'equity_option',
        underlying: 'TNA', option: {expiry: '2026-07-31', strike: 63, right: 'put'}, quantity: null, price: null, multiplier: 100, amount: 0, positionEffect: 'close',
        description: 'EXPIRED PUT (TNA) DIREXION SHARES ETF JUL 31 26 $63 as of 2026-07-31',
      }),
    )
    expect(events[2]).toEqual(
      draft({
        sourceRef: `${F}:6`, kind: 'dividend', at: '2025-06-30T04:00:00.000Z', tradeDate: '2025-06-30', symbol: 'FXNAX', brokerSymbol: 'FXNAX', instrumentType: 'fund', underlying: 'FXNAX',
        multiplier: 1, amount: 2389.28, description: 'DIVIDEND RECEIVED FIDELITY U.S. BOND INDEX FUND (FXNAX) (Cash)',
      }),
    )
    expect(events[3]).toMatchObject({kind: 'unclassified', symbol: null, quantity: null, amount: 12.5, description: 'JOURNALED SPP PURCHASE CREDIT'})
  })

  test('all-accounts file: only the portfolio account, columns by name (Price before Quantity)', () => {
    const {events} = parseFidelityTransactions(FILE_ALL, F, portfolioOf({account: 'Z12345678'}))
    expect(events.map((e) => [e.account, e.symbol, e.quantity, e.price, e.amount])).toEqual([
      ['Z12345678', 'MSFT 2027-01-15 560C', -2, 21.35, 4268.61],
      ['Z12345678', 'MSFT', 100, 480, -48000],
    ])
    expect(events[0].fees).toEqual({commission: 1.3, clearing: null, regulatory: 0.09, exchange: null, other: null})
    const other = parseFidelityTransactions(FILE_ALL, F, portfolioOf({account: '238000111'}))
    expect(other.events.map((e) => [e.account, e.symbol, e.quantity])).toEqual([['238000111', 'MSFT', 5]])
  })

  test('several accounts and no account configured: which one is ambiguous', () => {
    expect(errorOf(() => parseFidelityTransactions(FILE_ALL, F, p)).message).toBe(`${F}: holds accounts Z12345678, 238000111; set "account:" on portfolio p to pick one`)
  })

  test('an account with no activity in the file: a warning, no events', () => {
    const r = parseFidelityTransactions(FILE_ALL, F, portfolioOf({account: 'X999'}))
    expect(r.events).toEqual([])
    expect(r.warnings).toEqual([`${F}: no activity for account X999 (accounts in the file: Z12345678, 238000111)`])
  })

  test('a bad row fails the whole file with file:line', () => {
    const bad = FILE_2022.replace(',Cash,3,0.7,', ',Cash,3x,0.7,')
    const e = errorOf(() => parseFidelityTransactions(bad, F, p))
    expect(e).toBeInstanceOf(ExternalError)
    expect(e.message).toBe(`${F}:7: Quantity "3x" is not a number`)
    const badSymbol = FILE_2022.replace(' -SPY221116P395,', ' -SPY221332P395,')
    expect(errorOf(() => parseFidelityTransactions(badSymbol, F, p)).message).toMatch(new RegExp(`^${F}:7: `))
    // A damaged date is a bad row, not the end of the data.
    expect(errorOf(() => parseFidelityTransactions(FILE_2022.replace(' 11/15/2022,', ' 11/1S/2022,'), F, p)).message).toBe(`${F}:7: Run Date "11/1S/2022" is not a date`)
    const badAsOf = FILE_2022.replace('as of 11/11/2022', 'as of 13/45/2022')
    expect(errorOf(() => parseFidelityTransactions(badAsOf, F, p)).message).toBe(`${F}:9: the "as of 13/45/2022" date in Action is not a date`)
  })

  test('the same file twice gives identical events and keys', () => {
    expectStable(() => parseFidelityTransactions(FILE_2022, F, p))
    expectStable(() => parseFidelityTransactions(FILE_2026, F, p))
  })
})
