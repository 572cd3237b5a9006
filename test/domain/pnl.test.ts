import {describe, expect, it} from 'vitest'
import {marketValue, unrealizedPnl} from '../../src/core/domain/pnl.js'
import {total} from '../../src/core/domain/sum.js'
import {pos} from './builders.js'

describe('unrealized P&L = (mark − entry) × signed quantity × multiplier', () => {
  it.each([
    ['long call bought 5, now 3, qty 1, ×100', '1 AAPL 2027-01-15 150C @ 5 mark 3', -200],
    ['short put sold 7.47, now 5.05, qty −2, ×100', '-2 AAPL 2027-01-15 150P @ 7.47 mark 5.05', 484],
    ['long stock 54.50 → 52.79, 100 shares', '100 XYZ @ 54.50 mark 52.79', -171],
    ['short stock gains when the price falls', '-50 XYZ @ 20 mark 18', 100],
  ])('%s → %d', (_name, spec, expected) => {
    expect(unrealizedPnl(pos(spec))).toBeCloseTo(expected, 9)
  })

  it('an unknown mark or entry gives unknown P&L, never 0', () => {
    expect(unrealizedPnl(pos('1 XYZ @ ? mark 10'))).toBeNull()
    expect(unrealizedPnl(pos('1 XYZ @ 10 mark ?'))).toBeNull()
    expect(marketValue(pos('1 XYZ @ 10 mark ?'))).toBeNull()
  })

  it('market value is signed: negative for shorts', () => {
    expect(marketValue(pos('-2 AAPL 2027-01-15 150P @ 7.47 mark 5.05'))).toBeCloseTo(-1010, 9)
  })
})

describe('sums of partly unknown values keep count of what is missing', () => {
  it('sums known values and counts unknown ones', () => expect(total([1, null, 2])).toEqual({value: 3, missing: 1}))
  it('all unknown is unknown', () => expect(total([null, null])).toEqual({value: null, missing: 2}))
  it('an empty sum is exactly 0', () => expect(total([])).toEqual({value: 0, missing: 0}))
})
