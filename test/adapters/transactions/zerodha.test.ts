/*
 * Zerodha Console tradebook: the real-shaped MF rows and the F&O row of broker-transactions.md
 * §3.2, plus equity fills in the documented shape, to exact ledger drafts.
 */
import {describe, expect, test} from 'vitest'
import {parseZerodhaTransactions} from '../../../src/core/adapters/transactions/zerodha.js'
import {ExternalError} from '../../../src/core/errors.js'
import {draft, errorOf, expectStable, portfolioOf} from './helpers.js'

// Verbatim: "the header + first two rows of a real Zerodha Console MF tradebook CSV export".
const MF = [
  'symbol,isin,trade_date,exchange,segment,series,trade_type,auction,quantity,price,trade_id,order_id,order_execution_time',
  'NAVI ELSS TAX SAVER NIFTY 50 INDEX FUND - DIRECT PLAN,INF959L01GR6,2025-01-03,BSE,MF,,buy,false,1741.770000,14.352500,1582636286,1582636286,2025-01-03T00:00:00',
  'NIPPON INDIA INDEX FUND - NIFTY 50 PLAN - DIRECT PLAN,INF204K01H36,2025-01-07,BSE,MF,,buy,false,582.072000,42.947900,1594748061,1594748061,2025-01-07T00:00:00',
  '',
].join('\n')

// The F&O sample row as found (no isin column), with the header it implies.
const FO = [
  'symbol,trade_date,exchange,segment,series,trade_type,auction,quantity,price,trade_id,order_id,order_execution_time,expiry_date',
  'NIFTY2591624450PE,2025-09-15,NFO,FO,OPT,sell,false,75,120,T1,O1,2025-09-15T09:20:00,2025-09-16',
].join('\n')

// Equity and F&O in the full 14-column layout (synthetic values, documented shape); two fills of one order.
const EQ = [
  'symbol,isin,trade_date,exchange,segment,series,trade_type,auction,quantity,price,trade_id,order_id,order_execution_time,expiry_date',
  'RELIANCE,INE002A01018,2025-02-03,NSE,EQ,EQ,buy,false,10.000000,1250.450000,55512301,1100000012345678,2025-02-03T09:31:12,',
  'RELIANCE,INE002A01018,2025-02-03,NSE,EQ,EQ,buy,false,5.000000,1250.500000,55512302,1100000012345678,2025-02-03T09:31:12,',
  'BANKNIFTY25FEB50000CE,,2025-02-04,NFO,FO,OPT,sell,false,30.000000,212.050000,40012001,1200000022223333,2025-02-04T14:02:55,2025-02-27',
  'NIFTY25FEBFUT,,2025-02-05,NFO,FO,FUT,buy,false,75.000000,23510.000000,40012002,1200000022224444,2025-02-05T10:15:00,2025-02-27',
].join('\n')

const F = 'tradebook-ABC123-EQ.csv'
const p = portfolioOf({currency: 'INR', account: 'ABC123'})

describe('Zerodha tradebook', () => {
  test('mutual fund rows: ISIN as symbol, midnight IST is a date not a time', () => {
    const {events, warnings} = parseZerodhaTransactions(MF, F, p)
    expect(warnings).toEqual([])
    expect(events).toEqual([
      draft({
        account: 'ABC123', sourceRef: `${F}:2`, brokerId: 'BSE:MF:1582636286', kind: 'trade', at: '2025-01-02T18:30:00.000Z', timeKnown: false, tradeDate: '2025-01-03',
        symbol: 'INF959L01GR6', brokerSymbol: 'NAVI ELSS TAX SAVER NIFTY 50 INDEX FUND - DIRECT PLAN', instrumentType: 'fund', underlying: 'INF959L01GR6', quantity: 1741.77, price: 14.3525,
        multiplier: 1, currency: 'INR', orderId: '1582636286', description: 'buy 1741.770000 NAVI ELSS TAX SAVER NIFTY 50 INDEX FUND - DIRECT PLAN @ 14.352500 on BSE',
      }),
      draft({
        account: 'ABC123', sourceRef: `${F}:3`, brokerId: 'BSE:MF:1594748061', kind: 'trade', at: '2025-01-06T18:30:00.000Z', timeKnown: false, tradeDate: '2025-01-07',
        symbol: 'INF204K01H36', brokerSymbol: 'NIPPON INDIA INDEX FUND - NIFTY 50 PLAN - DIRECT PLAN', instrumentType: 'fund', underlying: 'INF204K01H36', quantity: 582.072, price: 42.9479,
        multiplier: 1, currency: 'INR', orderId: '1594748061', description: 'buy 582.072000 NIPPON INDIA INDEX FUND - NIFTY 50 PLAN - DIRECT PLAN @ 42.947900 on BSE',
      }),
    ])
  })

  test('F&O sample row: NIFTY weekly put sold, units not lots, IST time', () => {
    const {events} = parseZerodhaTransactions(FO, F, p)
    expect(events).toEqual([
      draft({
        account: 'ABC123', sourceRef: `${F}:2`, brokerId: 'NFO:FO:T1', kind: 'trade', at: '2025-09-15T03:50:00.000Z', timeKnown: true, tradeDate: '2025-09-15',
        symbol: 'NIFTY 2025-09-16 24450P', brokerSymbol: 'NIFTY2591624450PE', instrumentType: 'equity_option', underlying: 'NIFTY', option: {expiry: '2025-09-16', strike: 24450, right: 'put'},
        quantity: -75, price: 120, multiplier: 1, currency: 'INR', orderId: 'O1', description: 'sell 75 NIFTY2591624450PE @ 120 on NFO',
      }),
    ])
  })

  test('equity fills of one order stay two events; monthly options and futures', () => {
    const {events, warnings} = parseZerodhaTransactions(EQ, F, p)
    expect(warnings).toEqual([])
    expect(events.map((e) => [e.brokerId, e.symbol, e.quantity, e.price, e.at, e.orderId])).toEqual([
      ['NSE:EQ:55512301', 'RELIANCE', 10, 1250.45, '2025-02-03T04:01:12.000Z', '1100000012345678'],
      ['NSE:EQ:55512302', 'RELIANCE', 5, 1250.5, '2025-02-03T04:01:12.000Z', '1100000012345678'],
      ['NFO:FO:40012001', 'BANKNIFTY 2025-02-27 50000C', -30, 212.05, '2025-02-04T08:32:55.000Z', '1200000022223333'],
      ['NFO:FO:40012002', 'NIFTY 2025-02 FUT', 75, 23510, '2025-02-05T04:45:00.000Z', '1200000022224444'],
    ])
    expect(events.every((e) => e.amount === null && e.fees.commission === null)).toBe(true)
  })

  test('an expiry_date that disagrees with the symbol is a warning', () => {
    const {warnings} = parseZerodhaTransactions(FO.replace(',2025-09-16', ',2025-09-23'), F, p)
    expect(warnings).toEqual([`${F}:2: NIFTY2591624450PE expires 2025-09-16 by its symbol but expiry_date says 2025-09-23; the symbol is used`])
  })

  test('an unknown trade_type is kept as unclassified', () => {
    const {events} = parseZerodhaTransactions(FO.replace(',sell,', ',bonus,'), F, p)
    expect(events[0]).toMatchObject({kind: 'unclassified', quantity: null, symbol: 'NIFTY 2025-09-16 24450P'})
  })

  test('a bad row fails the whole file with file:line', () => {
    const e = errorOf(() => parseZerodhaTransactions(EQ.replace(',5.000000,1250.500000,', ',5.000000,12x0.5,'), F, p))
    expect(e).toBeInstanceOf(ExternalError)
    expect(e.message).toBe(`${F}:3: price "12x0.5" is not a number`)
    expect(errorOf(() => parseZerodhaTransactions(EQ.replace('2025-02-04T14:02:55', '04/02/2025 14:02'), F, p)).message).toBe(`${F}:4: order_execution_time "04/02/2025 14:02" is not a time (YYYY-MM-DDTHH:MM:SS)`)
    expect(errorOf(() => parseZerodhaTransactions(EQ.replace('BANKNIFTY25FEB50000CE', 'BANKNIFTY25FEB0CE'), F, p)).message).toMatch(new RegExp(`^${F}:4: `))
  })

  test('the same file twice gives identical events and keys', () => {
    expectStable(() => parseZerodhaTransactions(EQ, F, p))
    expectStable(() => parseZerodhaTransactions(MF, F, p))
  })
})
