/*
 * positionView (containers/positions.ts) builds a row with its day P&L and health in one object: it must
 * give exactly `{...positionRow(...), ...tail}`: same keys, same order, same values (the
 * --json output is printed from it).
 */
import {describe, expect, it} from 'vitest'
import {positionRow, positionView} from '../../src/core/containers/positions.js'
import type {DayPnl} from '../../src/core/domain/daypnl.js'
import {positionHealth} from '../../src/core/domain/health.js'
import type {Position} from '../../src/core/domain/types.js'
import type {EntryGreeks} from '../../src/core/store/repositories.js'
import {pos} from '../domain/builders.js'

const at = new Date('2026-12-07T22:00:00Z')
const entry: EntryGreeks = {firstSeenAt: '2026-12-01T15:00:00.000Z', quantity: 1, entryPrice: 2.5, underlyingPrice: 150, iv: 0.3, greeks: {delta: 0.5, gamma: 0.01, theta: -0.1, vega: 0.2, rho: 0.05}, greeksSource: 'model'}
const positions: Position[] = [
  pos('-2 AAPL 2027-01-15 150P @ 7.47 mark 5.05', {underlyingPrice: 160, iv: 0.25, greeks: {delta: -0.3, gamma: 0.01, theta: -0.05, vega: 0.2, rho: -0.1}, greeksSource: 'model', markAsOf: '2026-12-07T21:00:00.000Z', markSource: 'file'}),
  pos('100 MSFT @ 400 mark 420'),
  pos('1 SPX 2026-12-18 6800C @ 10 mark ?', {settlement: 'am', settlementKind: 'cash', opaque: 'adjusted: deliverable not known', pendingSettlement: 'unsettled: no settlement price'}),
  pos('1 XYZ 2027-01-15 50C @ 1 mark 2', {deliverable: {shares: 150, underlying: 'XYZ', cash: 12.5}, expired: true, greeksNote: 'note', underlyingPrice: 55, underlyingPriceAsOf: '2026-12-07T20:00:00.000Z'}),
]
const days: DayPnl[] = [
  {dayPnl: 12.5, basis: 'snapshot', basisPrice: 5.2, note: null},
  {dayPnl: null, basis: null, basisPrice: null, note: 'no previous close'},
]

describe('positionView: a row with its day P&L and health, built at once', () => {
  it('has exactly the keys, order and values of {...positionRow(...), ...tail}', () => {
    for (const p of positions)
      for (const e of [null, entry])
        for (const day of days) {
          const health = positionHealth(p, {asOf: at, rate: 0.04, dividend: 0, nextDividend: null})
          const want = {...positionRow(p, at, e), dayPnl: day.dayPnl, dayPnlBasis: day.basis, dayPnlBasisPrice: day.basisPrice, dayPnlNote: day.note, health}
          const got = positionView(p, at, e, {dayPnl: day.dayPnl, dayPnlBasis: day.basis, dayPnlBasisPrice: day.basisPrice, dayPnlNote: day.note, health})
          expect(Object.keys(got)).toEqual(Object.keys(want))
          expect(JSON.stringify(got)).toBe(JSON.stringify(want))
          expect(got).toStrictEqual(want)
        }
  })
})
