/*
 * The pure mapping of tastytrade transaction items (no network): the shapes the fake does not
 * serve — cash-settled index assignment, symbol change pair, a correction row, a symbol cotrader
 * cannot read — and the replies that must fail.
 */
import {describe, expect, test} from 'vitest'
import {mapTastytradeTransactions} from '../../../src/core/adapters/tastytrade/transactions.js'
import {ExternalError} from '../../../src/core/errors.js'
import {portfolio} from '../../fake-tastytrade/index.js'

const REF = 'GET /accounts/5WT0001/transactions'
const base = {'account-number': '5WT0001', 'is-estimated-fee': true, 'transaction-date': '2026-07-09', 'executed-at': '2026-07-09T21:00:00.000+00:00'}

describe('tastytrade transaction items', () => {
  test('cash-settled SPX assignment: price is the index level, amount the cash, the short closes (+)', () => {
    const [e] = mapTastytradeTransactions(
      [{...base, id: 9001, symbol: 'SPXW  260709C07540000', 'instrument-type': 'Equity Option', 'underlying-symbol': 'SPX', 'transaction-type': 'Receive Deliver', 'transaction-sub-type': 'Cash Settled Assignment',
        description: 'Cash settlement of SPXW 07/09/26 Call 7540.00', quantity: '1.0', price: '7540.0', value: '364.0', 'value-effect': 'Debit', commission: '5.0', 'commission-effect': 'Debit', 'net-value': '369.0', 'net-value-effect': 'Debit'}],
      portfolio(),
      REF,
    )
    expect(e).toMatchObject({kind: 'cash_settlement', symbol: 'SPXW 2026-07-09 7540C', underlying: 'SPX', quantity: 1, price: 7540, amount: -369, fees: {commission: 5}, positionEffect: 'close'})
  })

  test('symbol change pair: the close names the new symbol; a correction says what it reverses', () => {
    const events = mapTastytradeTransactions(
      [
        {...base, id: 9101, symbol: 'EURN', 'instrument-type': 'Equity', 'transaction-type': 'Receive Deliver', 'transaction-sub-type': 'Symbol Change', description: 'Symbol change:  Close 5.47124 EURN', action: 'Sell to Close', quantity: '5.47124', price: '0.0', value: '0.0', 'value-effect': 'None', 'net-value': '0.0', 'net-value-effect': 'None'},
        {...base, id: 9102, symbol: 'CMBT', 'instrument-type': 'Equity', 'transaction-type': 'Receive Deliver', 'transaction-sub-type': 'Symbol Change', description: 'Symbol change:  Open 5.47124 CMBT', action: 'Buy to Open', quantity: '5.47124', price: '0.0', value: '0.0', 'value-effect': 'None', 'net-value': '0.0', 'net-value-effect': 'None'},
        {...base, id: 9103, 'transaction-type': 'Money Movement', 'transaction-sub-type': 'Balance Adjustment', description: 'Regulatory fee adjustment', value: '0.02', 'value-effect': 'Credit', 'net-value': '0.02', 'net-value-effect': 'Credit', 'reverses-id': 9000},
      ],
      portfolio(),
      REF,
    )
    expect(events[0]).toMatchObject({kind: 'symbol_change', symbol: 'EURN', quantity: -5.47124, newSymbol: 'CMBT', positionEffect: 'close'})
    expect(events[0].ratio).toBeUndefined()
    expect(events[1]).toMatchObject({kind: 'symbol_change', symbol: 'CMBT', quantity: 5.47124, positionEffect: 'open'})
    expect(events[2]).toMatchObject({kind: 'fee', amount: 0.02, description: 'Regulatory fee adjustment (reverses 9000)'})
  })

  test('a symbol cotrader cannot read is kept as unclassified with the broker symbol', () => {
    const [e] = mapTastytradeTransactions(
      [{...base, id: 9201, symbol: 'XYZ 99/99/99 WEIRD', 'instrument-type': 'Bond', 'transaction-type': 'Trade', 'transaction-sub-type': 'Buy', action: 'Buy', quantity: '1.0', price: '99.5', value: '995.0', 'value-effect': 'Debit', 'net-value': '995.0', 'net-value-effect': 'Debit'}],
      portfolio(),
      REF,
    )
    expect(e).toMatchObject({kind: 'unclassified', symbol: null, brokerSymbol: 'XYZ 99/99/99 WEIRD', quantity: null, amount: -995})
    expect(e.description).toMatch(/^\[Trade \/ Buy\] .*\[symbol not understood: /)
  })

  test('replies that cannot be used fail, naming the transaction', () => {
    const item = {...base, id: 9301, 'transaction-type': 'Money Movement', 'transaction-sub-type': 'Deposit', description: 'ACH', value: '10.0', 'value-effect': 'Credit', 'net-value': '10.0', 'net-value-effect': 'Credit'}
    const fail = (patch: Record<string, unknown>) => () => mapTastytradeTransactions([{...item, ...patch}], portfolio(), REF)
    expect(fail({id: null})).toThrow(ExternalError)
    expect(fail({id: null})).toThrow(/returned a transaction without an id/)
    expect(fail({'net-value-effect': 'Sideways'})).toThrow('tastytrade: transaction 9301: net-value-effect "Sideways" is neither Credit, Debit nor None')
    expect(fail({'net-value': 'NaN'})).toThrow('tastytrade: transaction 9301: net-value "NaN" is not a number')
    expect(fail({'executed-at': 'yesterday'})).toThrow('tastytrade: transaction 9301: executed-at "yesterday" is not a time')
  })
})
