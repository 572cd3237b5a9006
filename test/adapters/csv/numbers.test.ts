import {describe, expect, it} from 'vitest'
import {normalizeHeader, parseNumber} from '../../../src/core/adapters/csv/table.js'

describe('parseNumber reads numbers as exports write them', () => {
  it.each([
    ['$50.922', 50.922],
    ['+$0.160', 0.16],
    ['-$397.77', -397.77],
    ['$-397.77', -397.77],
    ['$1,234.56', 1234.56],
    ['$45,900.35', 45900.35],
    ['1,063', 1063],
    ['3,500.50', 3500.5],
    ['1,21,542.00', 121542],
    ['10,76,659.55', 1076659.55],
    ['-9,290.00', -9290],
    ['(15.00)', -15],
    ['₹1,548.20', 1548.2],
    ['+0.32%', 0.32],
    ['-1.5%', -1.5],
    ['0.0003', 0.0003],
    ['.5', 0.5],
    [' 42 ', 42],
    ['1,2', Number.NaN],
    ['abc', Number.NaN],
    ['1.2.3', Number.NaN],
    ['$', Number.NaN],
  ])('%j → %d', (text, expected) => {
    const n = parseNumber(text)
    if (Number.isNaN(expected)) expect(n).toBeNaN()
    else expect(n).toBeCloseTo(expected, 10)
  })

  it.each(['', '   ', '--', '-', 'n/a', 'N/A', 'NA'])('%j is unknown (null), not 0', (text) => {
    expect(parseNumber(text)).toBeNull()
  })

  it('strips a unit suffix when asked (DTE "28d")', () => {
    expect(parseNumber('28d', {suffix: 'd'})).toBe(28)
  })
})

describe('normalizeHeader', () => {
  it.each([
    ['\uFEFFAccount Number', 'account number'],
    ['  Last  price ', 'last price'],
    ['entry_price', 'entry price'],
    ['Qty.', 'qty.'],
    ['β Delta', 'β delta'],
  ])('%j → %j', (raw, normalized) => {
    expect(normalizeHeader(raw)).toBe(normalized)
  })
})
