import {describe, expect, it} from 'vitest'
import {lineChart} from '../../src/core/cli/render/history.js'

describe('history line chart', () => {
  it('spans the first to the last known day, labels the range, leaves unknown days out', () => {
    const out = lineChart('Equity', ['2026-01-05', '2026-01-06', '2026-01-07'], [100_000, null, 103_000], 4, 20).split('\n')
    expect(out[0]).toBe('Equity')
    expect(out[1]).toMatch(/^ *103,000 ┤/) // top row: the highest value
    expect(out[out.length - 2]).toMatch(/^ *100,000 ┼/) // bottom row: the lowest
    expect(out[out.length - 1].trim()).toMatch(/^2026-01-05 +2026-01-07$/)
    // 20 columns of curve: the line climbs from the bottom-left to the top-right.
    expect(out[out.length - 2]).toMatch(/┼─*╯/)
  })

  it('says so instead of drawing fewer than 2 known days', () => {
    expect(lineChart('Equity', ['2026-01-05', '2026-01-06'], [null, 5])).toMatch(/fewer than 2 days/)
  })
})
