import {describe, expect, it} from 'vitest'
import {parseConfig} from '../../src/core/config/config.js'
import type {Trade} from '../../src/core/domain/trade.js'
import {orderFor} from '../../src/core/services/approve.js'
import {whatifRisks, type MarketView} from '../../src/core/services/trades.js'
import type {StoredPortfolio} from '../../src/core/store/repositories.js'
import {pos} from '../domain/builders.js'

const config = parseConfig(`
defaults: {limits: {max_position_pct_of_equity: 30}}
portfolios:
  - {name: p, broker: manual, account: A, source: {file: a.csv, format: generic}}
  - {name: p-whatif, broker: none, kind: whatif, shadows: p}
`, '/x/c.yaml')

const stored: StoredPortfolio = {
  name: 'p', broker: 'manual', account: 'A', currency: 'USD', kind: 'real', balances: {equity: 10_000, cash: null, buyingPower: null, maintenanceRequirement: null},
  delta: null, gamma: null, theta: null, vega: null, deltaDollars: null, unrealizedPnl: null, positionsCount: 1, lastSyncAt: 'x', lastSyncStatus: 'ok', lastSyncError: null,
}

const trade = (symbol: string, quantity: number, price: number): Trade => ({
  id: 1, portfolio: 'p-whatif', kind: 'what_if', status: 'open', proposalId: 1, symbol, brokerSymbol: null, instrumentType: 'equity', underlying: symbol,
  quantity, price, multiplier: 1, currency: 'USD', entry: {underlyingPrice: price, iv: null, greeks: {delta: 1, gamma: 0, theta: 0, vega: 0, rho: 0}, greeksSource: 'model'},
  orderId: null, orderStatus: null, createdAt: '2026-11-24T00:00:00Z',
})

describe('what-if risk: before → after and the breaches the trades would add', () => {
  const bundles = [{config: config.portfolios[0], stored, positions: [pos('35 XYZ @ 100 mark 100', {portfolio: 'p'})]}]
  const view: MarketView = {marks: new Map(), underlyings: new Map([['ABC', 50], ['XYZ', 100]]), ivs: new Map(), held: new Map()}

  it('a second position over the same limit is a new breach, the one already breached is not', () => {
    const [r] = whatifRisks(config, bundles, [trade('ABC', 80, 50)], view, {benchmarkPrice: null}, new Date('2026-11-24T15:00:00Z'))
    expect(r.before.breaches.map((b) => b.message)).toEqual(['p: XYZ % of equity 35 exceeds 30'])
    expect(r.newBreaches.map((b) => b.message)).toEqual(['p: ABC % of equity 40 exceeds 30'])
    expect(r.after.delta! - r.before.delta!).toBeCloseTo(80, 9)
  })

  it('making an existing breach bigger is not a new breach', () => {
    const [r] = whatifRisks(config, bundles, [trade('XYZ', 5, 100)], view, {benchmarkPrice: null}, new Date('2026-11-24T15:00:00Z'))
    expect(r.after.breaches.map((b) => b.message)).toEqual(['p: XYZ % of equity 40 exceeds 30'])
    expect(r.newBreaches).toEqual([])
  })
})

describe('live order legs: open or close from what is held, per-unit net limit', () => {
  const leg = (symbol: string, quantity: number, price: number) => ({...trade(symbol, quantity, price), instrumentType: 'equity_option' as const, multiplier: 100})
  it('a vertical opens both legs at the one-lot net credit', () => {
    const o = orderFor([leg('AAPL 2027-01-15 210P', -2, 9.1), leg('AAPL 2027-01-15 200P', 2, 6.2)], new Map())
    expect(o.legs.map((l) => [l.action, l.quantity])).toEqual([['Sell to Open', 2], ['Buy to Open', 2]])
    expect(o).toMatchObject({price: 2.9, priceEffect: 'Credit', orderType: 'Limit'})
  })
  it('buying back a short closes it', () => {
    expect(orderFor([leg('AAPL 2027-01-15 210P', 1, 5)], new Map([['AAPL 2027-01-15 210P', -1]])).legs[0].action).toBe('Buy to Close')
  })
  it('a leg that would close and then flip the position is refused', () => {
    expect(() => orderFor([leg('AAPL 2027-01-15 210P', 3, 5)], new Map([['AAPL 2027-01-15 210P', -1]]))).toThrow(/would close the -1 held and open 2 more/)
  })
})
