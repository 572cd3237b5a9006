/*
 * The positions view (services/positions.ts viewOf) is written out field by field for speed: it must
 * hold every field of the row, in the row's order, then the day P&L and health, as `{...row, ...}` did
 * (the JSON output keeps that order).
 */
import {describe, expect, it} from 'vitest'
import {positionRow} from '../../src/core/containers/positions.js'
import {positionHealth} from '../../src/core/domain/health.js'
import {viewOf} from '../../src/core/services/positions.js'
import {pos} from '../domain/builders.js'

describe('positions view', () => {
  it('is the row with day P&L and health, in the same key order as a spread', () => {
    const asOf = new Date('2027-01-05T15:00:00Z')
    for (const p of [pos('1 AAPL 2027-01-15 150C @ 5 mark 3'), pos('-2 SPY 2027-03-19 500P @ 4 mark 6'), pos('100 MSFT @ 300 mark 310')]) {
      const row = positionRow(p, asOf)
      const day = {dayPnl: 12.5, basis: 'snapshot' as const, basisPrice: 3.1, note: null}
      const health = positionHealth(p, {asOf, rate: 0.04, dividend: 0})
      const view = viewOf(row, day, health)
      const spread = {...row, dayPnl: day.dayPnl, dayPnlBasis: day.basis, dayPnlBasisPrice: day.basisPrice, dayPnlNote: day.note, health}
      expect(Object.keys(view)).toEqual(Object.keys(spread))
      expect(JSON.stringify(view)).toBe(JSON.stringify(spread))
    }
  })
})
