import {describe, expect, it} from 'vitest'
import {dayPnl, exchangeDate} from '../../src/core/domain/daypnl.js'

const opt = {multiplier: 100, entryPrice: 3, markPrice: 2.5}
const prev = (quantity: number, markPrice: number | null, entryPrice: number | null = 3) => ({date: '2026-05-19', quantity, markPrice, entryPrice})

describe('day P&L', () => {
  it("the broker's close price wins: (mark − close) × quantity × multiplier", () => {
    const d = dayPnl({position: {...opt, quantity: -2, previousClose: 2.8}, previous: prev(-2, 2.9), portfolioHasHistory: true, firstSeenToday: false})
    expect(d.basis).toBe('broker')
    expect(d.dayPnl).toBeCloseTo((2.5 - 2.8) * -2 * 100, 9) // +60
  })

  it("else the previous snapshot's mark", () => {
    const d = dayPnl({position: {...opt, quantity: -2}, previous: prev(-2, 2.9), portfolioHasHistory: true, firstSeenToday: false})
    expect(d.basis).toBe('snapshot')
    expect(d.basisPrice).toBe(2.9)
    expect(d.dayPnl).toBeCloseTo(80, 9) // (2.5 − 2.9) × −200
  })

  it('a position opened today counts from its entry', () => {
    const d = dayPnl({position: {...opt, quantity: 1}, portfolioHasHistory: true, firstSeenToday: true})
    expect(d.basis).toBe('entry')
    expect(d.dayPnl).toBeCloseTo(-50, 9)
  })

  it('unknown, never 0: no previous mark, first sync ever, no mark today', () => {
    expect(dayPnl({position: {...opt, quantity: 1}, portfolioHasHistory: false, firstSeenToday: true}).dayPnl).toBeNull()
    expect(dayPnl({position: {...opt, quantity: 1}, portfolioHasHistory: true, firstSeenToday: false}).dayPnl).toBeNull()
    expect(dayPnl({position: {...opt, quantity: 1}, previous: prev(1, null), portfolioHasHistory: true, firstSeenToday: false}).dayPnl).toBeNull()
    expect(dayPnl({position: {...opt, quantity: 1, markPrice: null}, previous: prev(1, 2), portfolioHasHistory: true, firstSeenToday: false}).dayPnl).toBeNull()
    const flat = dayPnl({position: {...opt, quantity: 1}, previous: prev(1, 2.5), portfolioHasHistory: true, firstSeenToday: false})
    expect(flat.dayPnl).toBe(0) // a real 0: same mark as yesterday
  })

  it('units added today count from their fill, derived from the new average entry', () => {
    // Yesterday 100 sh entry 50, mark 52. Today bought 100 more at 54 → average 52; mark 55.
    // Day P&L = (55 − 52) × 100 + (55 − 54) × 100 = 400.
    const d = dayPnl({position: {quantity: 200, multiplier: 1, entryPrice: 52, markPrice: 55}, previous: {date: '2026-05-19', quantity: 100, entryPrice: 50, markPrice: 52}, portfolioHasHistory: true, firstSeenToday: false})
    expect(d.dayPnl).toBeCloseTo(400, 9)
  })

  it('units closed today leave the open day P&L; a flip is unknown', () => {
    const d = dayPnl({position: {quantity: 60, multiplier: 1, entryPrice: 50, markPrice: 55}, previous: {date: '2026-05-19', quantity: 100, entryPrice: 50, markPrice: 52}, portfolioHasHistory: true, firstSeenToday: false})
    expect(d.dayPnl).toBeCloseTo(180, 9)
    expect(dayPnl({position: {quantity: -10, multiplier: 1, entryPrice: 56, markPrice: 55}, previous: {date: '2026-05-19', quantity: 100, entryPrice: 50, markPrice: 52}, portfolioHasHistory: true, firstSeenToday: false}).dayPnl).toBeNull()
  })
})

describe('exchange date', () => {
  it('is the local calendar date of the exchange, holidays included', () => {
    expect(exchangeDate('USD', new Date('2026-12-25T15:00:00Z'))).toBe('2026-12-25') // Christmas: still that date
    expect(exchangeDate('USD', new Date('2026-12-26T03:00:00Z'))).toBe('2026-12-25') // 22:00 New York
    expect(exchangeDate('INR', new Date('2026-12-25T20:00:00Z'))).toBe('2026-12-26') // 01:30 Kolkata
  })
})
