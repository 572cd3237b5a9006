import {describe, expect, it} from 'vitest'
import {positionHealth} from '../../src/core/domain/health.js'
import {pos} from './builders.js'

const E = '2026-06-26'
// 2026-06-26 16:00 New York = 20:00 UTC; asOf 30 days and 5 hours earlier.
const asOf = new Date('2026-05-27T15:00:00Z')
const T = (30 + 5 / 24) / 365
const m = {asOf, rate: 0, dividend: 0}

describe('position health', () => {
  it('stock: break-even at entry, no expiry, never an assignment risk (known, not unknown)', () => {
    const stock = pos('100 XYZ @ 90 mark 100') // a stock's underlying price is its mark
    const h = positionHealth(stock, m)
    expect(h).toMatchObject({breakeven: 90, dte: null, assignmentRisk: false, assignmentNote: null})
    expect(h.breakevenDistancePct).toBeCloseTo(-10, 12)
  })

  it('short put: DTE, profit captured, break-even and its distance in % and σ, intrinsic / extrinsic', () => {
    const p = pos(`-1 XYZ ${E} 95P @ 2.00 mark 1.20`, {underlyingPrice: 100, iv: 0.3})
    const h = positionHealth(p, m)
    expect(h.dte).toBe(30)
    expect(h.profitCaptured).toBeCloseTo(0.4, 12) // (2.00 − 1.20) ÷ 2.00
    expect(h.breakeven).toBe(93)
    expect(h.breakevenDistancePct).toBeCloseTo(-7, 12)
    expect(h.breakevenDistanceSd).toBeCloseTo(Math.log(0.93) / (0.3 * Math.sqrt(T)), 12) // ≈ −0.8409
    expect(h.breakevenDistanceSd).toBeCloseTo(-0.8409, 3)
    expect(h.intrinsic).toBe(0)
    expect(h.extrinsic).toBeCloseTo(1.2, 12)
    expect(h.assignmentRisk).toBe(false)
  })

  it('probability of expiring in the money: N(d2), at the money with r = q = 0 it is N(−σ√T/2)', () => {
    const atm = positionHealth(pos('1 XYZ 2027-05-20 100C @ 10 mark 10', {underlyingPrice: 100, iv: 0.3}), {asOf: new Date('2026-05-20T20:00:00Z'), rate: 0, dividend: 0})
    // T = 365 days / 365 = 1 year exactly (both at 20:00 UTC, daylight time): N(−0.15) = 0.440382
    expect(atm.probItm).toBeCloseTo(0.440382, 6)
    const put = positionHealth(pos('1 XYZ 2027-05-20 100P @ 10 mark 10', {underlyingPrice: 100, iv: 0.3}), {asOf: new Date('2026-05-20T20:00:00Z'), rate: 0, dividend: 0})
    expect(put.probItm! + atm.probItm!).toBeCloseTo(1, 12)
  })

  it('long options are never flagged for assignment, and profit captured is for credit positions only', () => {
    const h = positionHealth(pos(`2 XYZ ${E} 90C @ 11 mark 10.2`, {underlyingPrice: 100, iv: 0.3}), m)
    expect(h.assignmentRisk).toBe(false)
    expect(h.profitCaptured).toBeNull()
    expect(h.breakeven).toBe(101)
    expect(h.intrinsic).toBe(10)
    expect(h.extrinsic).toBeCloseTo(0.2, 12)
  })

  it('assignment risk: short ITM call with extrinsic below the next dividend before expiry', () => {
    const p = pos(`-1 XYZ ${E} 95C @ 4 mark 5.30`, {underlyingPrice: 100, iv: 0.3}) // extrinsic 0.30
    const risky = positionHealth(p, {...m, dividend: 0.02, nextDividend: {exDate: '2026-06-08', amount: 0.5}})
    expect(risky.assignmentRisk).toBe(true)
    expect(risky.assignmentNote).toMatch(/extrinsic 0.30 below the 0.50 dividend/)
    expect(positionHealth(p, {...m, nextDividend: {exDate: '2026-06-08', amount: 0.2}}).assignmentRisk).toBe(false)
    expect(positionHealth(p, {...m, nextDividend: {exDate: '2026-06-29', amount: 0.5}}).assignmentRisk).toBe(false) // ex after expiry
    expect(positionHealth(p, {...m, nextDividend: {exDate: '2026-05-08', amount: 0.5}}).assignmentRisk).toBe(false) // already past
    // A dividend-paying underlying without a known next dividend cannot be judged.
    const unknown = positionHealth(p, {...m, dividend: 0.02})
    expect(unknown.assignmentRisk).toBeNull()
    expect(unknown.assignmentNote).toMatch(/next dividend unknown/)
  })

  it('assignment risk: short ITM option expiring within 2 days; European options are never assigned early', () => {
    const near = new Date('2026-06-24T15:00:00Z')
    const p = pos(`-1 XYZ ${E} 105P @ 3 mark 5.10`, {underlyingPrice: 100, iv: 0.3})
    const h = positionHealth(p, {...m, asOf: near})
    expect(h.dte).toBe(2)
    expect(h.assignmentRisk).toBe(true)
    expect(positionHealth(p, m).assignmentRisk).toBe(false) // 30 days out, no dividend on a put
    const otm = pos(`-1 XYZ ${E} 95P @ 3 mark 0.10`, {underlyingPrice: 100, iv: 0.3})
    expect(positionHealth(otm, {...m, asOf: near}).assignmentRisk).toBe(false)
    const euro = pos(`-1 XYZ ${E} 105P @ 3 mark 5.10`, {underlyingPrice: 100, iv: 0.3})
    euro.option!.style = 'european'
    expect(positionHealth(euro, {...m, asOf: near}).assignmentRisk).toBe(false)
  })

  it('unknowns stay unknown: no underlying price, no IV, no entry', () => {
    const h = positionHealth(pos(`-1 XYZ ${E} 95P @ ? mark 1.20`), m)
    expect(h.intrinsic).toBeNull()
    expect(h.extrinsic).toBeNull()
    expect(h.probItm).toBeNull()
    expect(h.breakeven).toBeNull()
    expect(h.profitCaptured).toBeNull()
    expect(h.assignmentRisk).toBeNull()
  })

  it('stock: break-even is the entry price', () => {
    const h = positionHealth(pos('100 XYZ @ 90 mark 100'), m)
    expect(h.breakeven).toBe(90)
    expect(h.breakevenDistancePct).toBeCloseTo(-10, 12)
    expect(h.dte).toBeNull()
  })
})
