/*
 * Prices that prove themselves (domain/plausible.ts) and the deliverable rules of the model
 * (domain/greeks.ts): worked examples with known answers.
 */
import {describe, expect, test} from 'vitest'
import {withModelGreeks} from '../../src/core/domain/greeks.js'
import {implausibleMark, isCrossed, provenMark} from '../../src/core/domain/plausible.js'
import {pos} from './builders.js'

const asOf = new Date('2026-01-05T15:00:00Z')
const market = {rate: 0.04, dividend: 0}

describe('marks that cannot be prices', () => {
  test('crossed quotes', () => {
    expect(isCrossed(34, 31)).toBe(true)
    expect(isCrossed(31, 34)).toBe(false)
    expect(isCrossed(null, 31)).toBe(false)
  })

  test('an American call marked below intrinsic by more than a tick; at intrinsic minus a tick it passes', () => {
    // AAPL at 190: the 150 call is worth at least 40.00 now; 39.95 is one 0.05 tick under, 39.90 two.
    const call = pos('1 AAPL 2026-06-18 150C @ 30 mark 39.9', {underlyingPrice: 190})
    expect(implausibleMark(call, 39.9)).toMatch(/below intrinsic value 40 .*American/)
    expect(implausibleMark(call, 39.95)).toBeNull()
    // European: no lower bound at intrinsic (discounting can put it under)
    expect(implausibleMark({...call, option: {...call.option!, style: 'european'}}, 39.9)).toBeNull()
  })

  test('a call above its underlying, a put above its strike', () => {
    const call = pos('1 AAPL 2026-06-18 150C @ 30 mark 40', {underlyingPrice: 190})
    expect(implausibleMark(call, 191)).toMatch(/call is above what it delivers \(190/)
    const put = pos('-1 AAPL 2026-06-18 150P @ 3 mark 3', {underlyingPrice: 190})
    expect(implausibleMark(put, 151)).toMatch(/put is above its strike 150/)
  })

  test('an implausible mark falls back to the next source that passes, with a warning; with none, it is unknown', () => {
    const call = pos('1 AAPL 2026-06-18 150C @ 30 mark 30', {underlyingPrice: 190, markSource: 'live', markAsOf: '2026-01-05T15:00:00.000Z', markAlternatives: [{price: 41.2, source: 'quote_mid'}]})
    const fell = provenMark(call)
    expect(fell.position).toMatchObject({markPrice: 41.2, markSource: 'quote_mid'})
    expect(fell.position.markAlternatives).toBeUndefined()
    expect(fell.warning).toMatch(/^AAPL 2026-06-18 150C: mark 30 is below intrinsic value 40 .*\(live\); using the quote mid 41.2 instead$/)
    const none = provenMark({...call, markAlternatives: []})
    expect(none.position.markPrice).toBeNull()
    expect(none.position.markSource).toBeUndefined()
    expect(none.warning).toMatch(/no other price passes, so its mark \(and value\) is unknown/)
    expect(provenMark(pos('1 AAPL 2026-06-18 150C @ 30 mark 42', {underlyingPrice: 190})).warning).toBeNull()
  })

  test('bounds use the deliverable: XYZ1 (150 XYZ) call at XYZ 40 delivers 60 per unit, intrinsic 10', () => {
    const xyz1 = pos('1 XYZ1 2026-06-18 50C @ 8 mark 9', {underlying: 'XYZ', underlyingPrice: 40, deliverable: {shares: 150, underlying: 'XYZ', cash: 0}})
    expect(implausibleMark(xyz1, 9.9)).toMatch(/below intrinsic value 10/)
    expect(implausibleMark(xyz1, 10)).toBeNull()
    // 100-share reading would have called 10 "above intrinsic 0" and 45 fine; with 150 shares a mark of 61 is above the 60 delivered
    expect(implausibleMark(xyz1, 61)).toMatch(/above what it delivers \(60/)
  })
})

describe('deliverables in the model', () => {
  test('a root with a digit and no known deliverable: unknown Greeks with the reason, never a 100-share guess', () => {
    const p = withModelGreeks(pos('1 XYZ1 2026-06-18 50C @ 8 mark 12', {underlying: 'XYZ1', underlyingPrice: 40}), market, asOf)
    expect(p).toMatchObject({greeks: null, greeksSource: 'none'})
    expect(p.greeksNote).toMatch(/XYZ1 is an adjusted option .*deliverables:/)
  })

  test('cash in the deliverable lowers the effective strike: 100 shares + 500 cash at strike 50 is an option at strike 45', () => {
    const withCash = withModelGreeks(pos('1 XYZ1 2026-06-18 50C @ 8 mark 6', {underlying: 'XYZ', underlyingPrice: 40, deliverable: {shares: 100, underlying: 'XYZ', cash: 500}}), market, asOf)
    const plain = withModelGreeks(pos('1 XYZ 2026-06-18 45C @ 8 mark 6', {underlyingPrice: 40}), market, asOf)
    expect(withCash.iv).toBeCloseTo(plain.iv!, 10)
    expect(withCash.greeks!.delta).toBeCloseTo(plain.greeks!.delta, 10)
  })
})
