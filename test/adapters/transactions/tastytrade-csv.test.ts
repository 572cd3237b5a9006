/*
 * tastytrade web transactions CSV: the verbatim rows of broker-transactions.md §1.5 (c) — a trade,
 * an expiry, an assignment and its stock leg — to exact ledger drafts.
 */
import {describe, expect, test} from 'vitest'
import {parseTastytradeCsvTransactions} from '../../../src/core/adapters/transactions/tastytrade.js'
import {ExternalError} from '../../../src/core/errors.js'
import {draft, errorOf, expectStable, portfolioOf} from './helpers.js'

const FILE = [
  'Date,Type,Action,Symbol,Instrument Type,Description,Value,Quantity,Average Price,Commissions,Fees,Multiplier,Root Symbol,Underlying Symbol,Expiration Date,Strike Price,Call or Put,Order #',
  '2022-12-30T22:00:00+0100,Receive Deliver,,PACB  221230C00010500,Equity Option,Removal of 2.0 PACB 12/30/22 Call 10.50 due to expiration.,0.00,2,0.00,--,0.00,100,PACB,PACB,12/30/22,10.5,CALL,',
  '2022-12-21T16:31:40+0100,Trade,SELL_TO_OPEN,PACB  221230C00010500,Equity Option,Sold 2 PACB 12/30/22 Call 10.50 @ 0.10,20.00,2,10.00,-2.00,-0.254,100,PACB,PACB,12/30/22,10.5,CALL,247462519',
  '2022-12-16T23:00:00+0100,Receive Deliver,,TLRY  221216P00003500,Equity Option,Removal of option due to assignment,0.00,2,0.00,--,0.00,100,TLRY,TLRY,12/16/22,3.5,PUT,',
  '2022-12-16T23:00:00+0100,Receive Deliver,BUY_TO_OPEN,TLRY,Equity,Buy to Open 200 TLRY @ 3.50,-700.00,200,-3.50,--,-5.00,,,,,,,',
  // Money movements in the same layout (synthetic text; the REST vocabulary).
  '2022-12-30T23:00:00+0100,Money Movement,,,,INTEREST ON CREDIT BALANCE,1.23,0,,--,0.00,,,,,,,',
  '2022-12-31T23:00:00+0100,Money Movement,,,,Mystery adjustment,-0.10,0,,--,0.00,,,,,,,',
  '',
].join('\n')

const F = 'tastytrade_transactions_history_x5WT0001_221201_to_221231.csv'
const p = portfolioOf({account: '5WT0001'})
const NONE = {commission: null, clearing: null, regulatory: null, exchange: null, other: null}

describe('tastytrade web transactions CSV', () => {
  test('the reference rows to exact drafts', () => {
    const {events} = parseTastytradeCsvTransactions(FILE, F, p)
    expect(events.slice(0, 4)).toEqual([
      draft({
        account: '5WT0001', sourceRef: `${F}:2`, kind: 'expiration', at: '2022-12-30T21:00:00.000Z', timeKnown: true, tradeDate: '2022-12-30', symbol: 'PACB 2022-12-30 10.5C',
        brokerSymbol: 'PACB  221230C00010500', instrumentType: 'equity_option', underlying: 'PACB', option: {expiry: '2022-12-30', strike: 10.5, right: 'call'}, quantity: null, price: null,
        multiplier: 100, amount: 0, fees: {...NONE, other: 0}, positionEffect: 'close', description: 'Removal of 2.0 PACB 12/30/22 Call 10.50 due to expiration.',
      }),
      draft({
        account: '5WT0001', sourceRef: `${F}:3`, kind: 'trade', at: '2022-12-21T15:31:40.000Z', timeKnown: true, tradeDate: '2022-12-21', symbol: 'PACB 2022-12-30 10.5C',
        brokerSymbol: 'PACB  221230C00010500', instrumentType: 'equity_option', underlying: 'PACB', option: {expiry: '2022-12-30', strike: 10.5, right: 'call'}, quantity: -2, price: 0.1,
        multiplier: 100, amount: 17.746, fees: {...NONE, commission: 2, other: 0.254}, orderId: '247462519', positionEffect: 'open', description: 'Sold 2 PACB 12/30/22 Call 10.50 @ 0.10',
      }),
      draft({
        account: '5WT0001', sourceRef: `${F}:4`, kind: 'assignment', at: '2022-12-16T22:00:00.000Z', timeKnown: true, tradeDate: '2022-12-16', symbol: 'TLRY 2022-12-16 3.5P',
        brokerSymbol: 'TLRY  221216P00003500', instrumentType: 'equity_option', underlying: 'TLRY', option: {expiry: '2022-12-16', strike: 3.5, right: 'put'}, quantity: 2, price: 0,
        multiplier: 100, amount: 0, fees: {...NONE, other: 0}, positionEffect: 'close', description: 'Removal of option due to assignment',
      }),
      // The shares at the strike, same instant: the assignment's stock leg.
      draft({
        account: '5WT0001', sourceRef: `${F}:5`, kind: 'assignment', at: '2022-12-16T22:00:00.000Z', timeKnown: true, tradeDate: '2022-12-16', symbol: 'TLRY', brokerSymbol: 'TLRY',
        instrumentType: 'equity', underlying: 'TLRY', quantity: 200, price: 3.5, multiplier: 1, amount: -705, fees: {...NONE, other: 5}, positionEffect: 'open', description: 'Buy to Open 200 TLRY @ 3.50',
      }),
    ])
    expect(events[4]).toMatchObject({kind: 'interest', symbol: null, quantity: null, amount: 1.23, tradeDate: '2022-12-30'})
    expect(events[5]).toMatchObject({kind: 'unclassified', amount: -0.1, description: '[Money Movement] Mystery adjustment'})
  })

  test('newer exports with Sub Type, Total and Currency columns (not in the reference): the sub-type decides', () => {
    const newer = [
      'Date,Type,Sub Type,Action,Symbol,Instrument Type,Description,Value,Quantity,Average Price,Commissions,Fees,Multiplier,Root Symbol,Underlying Symbol,Expiration Date,Strike Price,Call or Put,Order #,Total,Currency',
      '2024-05-17T22:00:00+0200,Receive Deliver,Cash Settled Assignment,,SPXW  240517C05300000,Equity Option,Removal of option due to cash settlement,-364.00,1,,-5.00,0.00,100,SPXW,SPX,5/17/24,5300,CALL,,-369.00,USD',
      '2024-04-01T22:00:00+0200,Money Movement,Dividend,,KO,Equity,COCA-COLA CO,4.85,0,,--,0.00,,,,,,,,4.85,USD',
      '2024-04-01T22:00:00+0200,Money Movement,Cash Sweep Adjustment,,,,SWEEP ADJ,0.01,0,,--,0.00,,,,,,,,0.01,USD',
    ].join('\n')
    const {events} = parseTastytradeCsvTransactions(newer, F, p)
    expect(events[0]).toMatchObject({kind: 'cash_settlement', symbol: 'SPXW 2024-05-17 5300C', quantity: 1, positionEffect: 'close', amount: -369, fees: {commission: 5, other: 0}, currency: 'USD'})
    expect(events[1]).toMatchObject({kind: 'dividend', symbol: 'KO', amount: 4.85})
    expect(events[2]).toMatchObject({kind: 'unclassified', description: '[Money Movement / Cash Sweep Adjustment] SWEEP ADJ'})
  })

  test('a bad row fails the whole file with file:line', () => {
    const e = errorOf(() => parseTastytradeCsvTransactions(FILE.replace('2022-12-21T16:31:40+0100', '12/21/2022 16:31'), F, p))
    expect(e).toBeInstanceOf(ExternalError)
    expect(e.message).toBe(`${F}:3: Date "12/21/2022 16:31" is not a time with an offset (2022-12-30T22:00:00+0100)`)
    expect(errorOf(() => parseTastytradeCsvTransactions(FILE.replace('Trade,SELL_TO_OPEN,', 'Trade,,'), F, p)).message).toBe(
      `${F}:3: a trade needs Action (BUY_TO_OPEN, SELL_TO_CLOSE, …) and Quantity; got "", "2"`,
    )
  })

  test('the same file twice gives identical events and keys', () => {
    expectStable(() => parseTastytradeCsvTransactions(FILE, F, p))
  })
})
