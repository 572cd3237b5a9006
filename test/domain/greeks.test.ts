import {describe, expect, it} from 'vitest'
import {modelFor, withModelGreeks} from '../../src/core/domain/greeks.js'
import {optionPrice} from '../../src/core/pricing/index.js'
import {yearsToExpiry} from '../../src/core/domain/time.js'
import {pos} from './builders.js'

const asOf = new Date('2026-11-24T15:00:00Z')
const market = {rate: 0.04, dividend: 0.01}

describe('model Greeks for positions without feed Greeks', () => {
  it('IV is solved from the mark, and the model at that IV reprices the mark', () => {
    const p = withModelGreeks(pos('-2 AAPL 2027-01-15 190P @ 7.47 mark 5.05', {underlyingPrice: 200}), market, asOf)
    expect(p.greeksSource).toBe('model')
    const years = yearsToExpiry('2027-01-15', 'USD', asOf)
    expect(optionPrice({right: 'put', spot: 200, strike: 190, years, rate: 0.04, dividend: 0.01, vol: p.iv!}, {model: 'bsm', style: 'american'})).toBeCloseTo(5.05, 9)
    expect(p.greeks!.delta).toBeLessThan(0)
    expect(p.greeks!.theta).toBeLessThan(0) // per unit, long: decays
  })

  it('an American put marked at intrinsic is in the exercise region: no IV, but delta −1 and the rest 0', () => {
    const p = withModelGreeks(pos('1 XYZ 2027-01-15 100P @ 40 mark 40', {underlyingPrice: 60}), market, asOf)
    expect(p).toMatchObject({iv: null, greeks: {delta: -1, gamma: 0, theta: 0, vega: 0, rho: 0}, greeksSource: 'model'})
    expect(p.greeksNote).toMatch(/exercise region/)
    // A call without a dividend yield large enough is never exercised: at intrinsic nothing is known.
    const call = withModelGreeks(pos('1 XYZ 2027-01-15 50C @ 10 mark 10', {underlyingPrice: 60}), market, asOf)
    expect(call).toMatchObject({greeks: null, greeksSource: 'none'})
  })

  it('stock gets delta 1 exactly', () => {
    expect(withModelGreeks(pos('100 XYZ @ 1 mark 2', {greeks: null, greeksSource: 'none'}), market, asOf)).toMatchObject({greeks: {delta: 1, gamma: 0, theta: 0, vega: 0, rho: 0}, greeksSource: 'model', underlyingPrice: 2})
  })

  it.each([
    ['no underlying price', pos('1 XYZ 2027-01-15 50C @ 2 mark 3'), /no price for the underlying XYZ/],
    ['expired', pos('1 XYZ 2026-11-20 50C @ 2 mark 3', {underlyingPrice: 55}), /expired: settled 2026-11-20 21:00Z/],
    ['no mark', pos('1 XYZ 2027-01-15 50C @ 2 mark ?', {underlyingPrice: 55}), /no mark price/],
    ['mark below intrinsic', pos('1 XYZ 2027-01-15 50C @ 2 mark 3', {underlyingPrice: 60}), /outside the model's no-arbitrage bounds/],
  ])('%s → unknown with the reason, never 0', (_name, p, why) => {
    const q = withModelGreeks(p, market, asOf)
    expect(q).toMatchObject({greeks: null, greeksSource: 'none'})
    expect(q.greeksNote).toMatch(why)
  })

  it('options on futures: Black-76, with the exact American engine at zero carry when American', () => {
    const fop = (style: 'american' | 'european') =>
      pos('1 /ESZ6 2026-12-18 6000P @ 80 mark 90', {instrumentType: 'future_option', underlying: '/ESZ6', underlyingPrice: 6050, option: {expiry: '2026-12-18', strike: 6000, right: 'put', style}})
    expect(modelFor(fop('american'))).toEqual({model: 'black76', style: 'american', engine: 'exact'})
    expect(modelFor(fop('european'))).toEqual({model: 'black76', style: 'european'})
    const am = withModelGreeks(fop('american'), market, asOf)
    const eu = withModelGreeks(fop('european'), market, asOf)
    // The early-exercise right is worth something, so the same price implies a lower volatility.
    expect(am.iv!).toBeLessThan(eu.iv!)
    expect(am.iv!).toBeGreaterThan(eu.iv! * 0.97)
    expect(Math.abs(am.greeks!.delta - eu.greeks!.delta)).toBeLessThan(0.02)
  })
})
