/* Shared bits of the transactions parser tests. */
import {expect} from 'vitest'
import type {PortfolioConfig} from '../../../src/core/config/config.js'
import {withContentKeys} from '../../../src/core/domain/ledger/events.js'
import type {Draft, TransactionsParse} from '../../../src/core/adapters/transactions/common.js'

export function portfolioOf(overrides: Partial<PortfolioConfig> = {}): PortfolioConfig {
  return {name: 'p', broker: 'file', currency: 'USD', kind: 'real', tradingEnabled: false, limits: {}, ...overrides} as PortfolioConfig
}

/** A draft with every field, for exact comparisons: the defaults of a row that states nothing. */
export function draft(fields: Partial<Draft>): Draft {
  return {
    portfolio: 'p',
    account: null,
    source: 'file',
    sourceRef: null,
    brokerId: null,
    kind: 'trade',
    provisional: false,
    at: '',
    timeKnown: false,
    tradeDate: '',
    symbol: null,
    brokerSymbol: null,
    instrumentType: null,
    underlying: null,
    quantity: null,
    price: null,
    multiplier: null,
    currency: 'USD',
    amount: null,
    fees: {commission: null, clearing: null, regulatory: null, exchange: null, other: null},
    orderId: null,
    positionEffect: null,
    description: '',
    brokerRealizedPnl: null,
    ...fields,
  }
}

/** Parsing the same text twice gives the same events and the same keys. */
export function expectStable(parse: () => TransactionsParse): void {
  const a = withContentKeys(parse().events)
  const b = withContentKeys(parse().events)
  expect(b).toEqual(a)
  expect(new Set(a.map((e) => e.key)).size).toBe(a.length)
}

/** The error a parse throws (its message), or a failure when it does not throw. */
export function errorOf(parse: () => unknown): {message: string; name: string; exitCode?: number} {
  try {
    parse()
  } catch (error) {
    return error as {message: string; name: string; exitCode?: number}
  }
  throw new Error('expected the parse to fail')
}
