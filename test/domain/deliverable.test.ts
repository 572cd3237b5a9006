/*
 * The one reading of a non-standard deliverable (domain/deliverable.ts) and the views built on it
 * beyond pricing: expiry settlement, strategy grouping, assignment-risk rules, capital at risk.
 * Worked example: XYZ1 after a 3-for-2 split delivers 150 XYZ per contract at the unchanged strike
 * 50, so per unit it is 1.5 options on XYZ at 33.333…; at expiry with XYZ at 40 it is worth
 * 150 × (40 − 33.333…) = 1,000 per contract (10.00 per unit), and exercising delivers 150 shares.
 */
import {describe, expect, it} from 'vitest'
import {estimateCapitalInUse} from '../../src/core/containers/risk.js'
import {effectiveOption, unknownDeliverable} from '../../src/core/domain/deliverable.js'
import {settleAtExpiry} from '../../src/core/domain/expiry-settlement.js'
import {evaluateRules} from '../../src/core/domain/rules.js'
import {groupStrategies} from '../../src/core/domain/strategies.js'
import type {Position} from '../../src/core/domain/types.js'

const xyz1: Position = {
  portfolio: 'p', symbol: 'XYZ1 2026-06-18 50C', brokerSymbol: 'XYZ1  260618C00050000', instrumentType: 'equity_option', underlying: 'XYZ', quantity: -2, multiplier: 100,
  entryPrice: 12, markPrice: 12, currency: 'USD', option: {expiry: '2026-06-18', strike: 50, right: 'call', style: 'american'}, underlyingPrice: 40, underlyingPriceSource: 'feed',
  iv: 0.3, greeks: null, greeksSource: 'none', deliverable: {shares: 150, underlying: 'XYZ', cash: 0},
}
const abc1: Position = {...xyz1, symbol: 'ABC1 2026-06-18 30P', underlying: 'ABC', option: {...xyz1.option!, strike: 30, right: 'put'}, deliverable: undefined, markPrice: 2.5, entryPrice: 2}

describe('deliverable', () => {
  it('effectiveOption: ratio, cash per unit and effective strike; null when unknown or unpriceable', () => {
    expect(effectiveOption(xyz1)).toEqual({ratio: 1.5, cash: 0, strike: 50 / 1.5})
    // 100 ABC + 500.00 cash per contract, strike 30: (30 − 5) ÷ 1 = 25
    expect(effectiveOption({...abc1, deliverable: {shares: 100, underlying: 'ABC', cash: 500}})).toEqual({ratio: 1, cash: 5, strike: 25})
    expect(effectiveOption({...xyz1, deliverable: undefined, option: {...xyz1.option!, strike: 50}, symbol: 'XYZ 2026-06-18 50C'})).toEqual({ratio: 1, cash: 0, strike: 50})
    expect(effectiveOption(abc1)).toBeNull()
    expect(unknownDeliverable(abc1)).toMatch(/ABC1 is an adjusted option .* not priced as 100 shares/)
    expect(effectiveOption({...xyz1, opaque: 'not understood (delivers bonds)'})).toBeNull()
    // cash worth more than the strike: no positive effective strike to price at
    expect(effectiveOption({...abc1, deliverable: {shares: 100, underlying: 'ABC', cash: 4000}})).toBeNull()
  })

  it('expiry settlement: 1.5 × intrinsic at 33.33, 150 shares a contract; an unknown deliverable stays pending', () => {
    const closes = {closes: {'XYZ|2026-06-18': {price: 40, at: '2026-06-18T20:00:00.000Z'}, 'ABC|2026-06-18': {price: 20, at: '2026-06-18T20:00:00.000Z'}}}
    const s = settleAtExpiry(xyz1, '2026-06-18', closes)
    expect(s).toMatchObject({status: 'settled', outcome: 'assigned', stockQuantity: -300})
    if (s?.status !== 'settled') throw new Error('not settled')
    expect(s.intrinsic).toBeCloseTo(10, 10)
    expect(s.realizedPnl).toBeCloseTo((0 - 12) * -2 * 100, 8) // the premium kept: the intrinsic value is in the 300 shares at 33.33
    const a = settleAtExpiry(abc1, '2026-06-18', closes)
    expect(a).toMatchObject({status: 'pending', reason: 'no_settlement_price', detail: expect.stringMatching(/deliverable is unknown.*pending until the broker's records arrive/)})
  })

  it('strategies: an adjusted option is a single leg priced on its deliverable; an unknown one has unknown figures', () => {
    const market = {asOf: new Date('2026-01-05T15:00:00Z'), rates: {USD: 0.04}, dividends: {}}
    const stock: Position = {...xyz1, symbol: 'XYZ', instrumentType: 'equity', option: undefined, deliverable: undefined, quantity: 300, multiplier: 1, entryPrice: 35, markPrice: 40}
    const groups = groupStrategies([stock, xyz1], market)
    const call = groups.find((g) => g.legs.some((l) => l.symbol === xyz1.symbol))!
    // not a 2-lot covered call of 100-share contracts: the 150-share contract stands alone
    expect(call.strategy).toBe('single')
    // short 2 × 150 XYZ at 33.33 for 12.00 (8.00 per share): break-even 33.33 + 8 = 41.33
    expect(call.breakevens[0]).toBeCloseTo(50 / 1.5 + 8, 6)
    const unknown = groupStrategies([abc1], market)[0]
    expect(unknown.maxLoss).toBeNull()
    expect(unknown.notes.join(' ')).toMatch(/deliverable is unknown/)
  })

  it('assignment risk: in the money on what it delivers; an unknown deliverable is flagged, not guessed', () => {
    const book = {betaWeightedDelta: null, benchmark: 'SPY', benchmarkPrice: null, defaultHedgePortfolio: null}
    const asOf = new Date('2026-06-15T15:00:00Z')
    // XYZ at 40 is below the written strike 50 but 6.67 above the effective 33.33: 1.5 × 6.67 = 10.00 per unit in the money
    const hits = evaluateRules([xyz1, {...abc1, underlyingPrice: 29}], book as never, {assignmentRiskDte: 5}, asOf)
    expect(hits.find((h) => h.symbol.startsWith('XYZ1') && h.rule === 'assignment_risk')?.reason).toMatch(/short and 10 in the money/)
    expect(hits.find((h) => h.symbol.startsWith('ABC1') && h.rule === 'assignment_risk')?.reason).toMatch(/deliverable unknown.*check assignment risk/)
  })

  it('capital at risk: kinks and slope of the deliverable; unknown → unknown', () => {
    // a long 1 XYZ1 call costs 12 × 100 = 1,200 and can lose all of it
    expect(estimateCapitalInUse([{...xyz1, quantity: 1}])).toBeCloseTo(1200, 8)
    // short 1 XYZ1 call against 150 XYZ: covered (the stock's value is what can be lost)
    const stock: Position = {...xyz1, symbol: 'XYZ', instrumentType: 'equity', option: undefined, deliverable: undefined, quantity: 150, multiplier: 1, markPrice: 40}
    expect(estimateCapitalInUse([stock, {...xyz1, quantity: -1}])).toBeCloseTo(150 * 40 - 1200, 6)
    // against only 100 XYZ it is not: 50 shares uncovered count at the underlying's notional
    expect(estimateCapitalInUse([{...stock, quantity: 100}, {...xyz1, quantity: -1}])).toBeCloseTo(100 * 40 - 1200 + 50 * 40, 6)
    expect(estimateCapitalInUse([abc1])).toBeNull()
  })
})
