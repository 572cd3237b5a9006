/*
 * Unit checks of the issue-20 wording and formatting helpers (the CLI tests run them as processes too).
 */
import {describe, expect, it} from 'vitest'
import {price, qty, unknownParts} from '../../src/core/cli/format.js'
import {reportError, usageWording} from '../../src/core/cli/io.js'
import {renderGreeks} from '../../src/core/cli/render/greeks.js'
import {total, wholeTotal} from '../../src/core/domain/sum.js'

describe('usageWording: oclif parse errors in our words', () => {
  it.each([
    ['Parsing --price \n\t--price "-3" is not a price per unit (a number ≥ 0)\nSee more help with --help', '--price "-3" is not a price per unit (a number ≥ 0) (see --help)'],
    ['Parsing --days \n\tExpected an integer greater than or equal to 1 but received: 0\nSee more help with --help', '--days: expected a whole number ≥ 1, got 0 (see --help)'],
    ['The following error occurred:\n  Missing required flag portfolio\nSee more help with --help', 'missing required flag --portfolio (see --help)'],
    ['Nonexistent flag: --bogus\nSee more help with --help', 'unknown flag: --bogus (see --help)'],
    ['Missing 1 required arg:\nid  Trade ID (from trades list).\nSee more help with --help', 'missing the argument ID (Trade ID (from trades list)) (see --help)'],
    // several failed checks: one sentence, the missing flags together; the dim colour oclif puts on them on a terminal is gone
    ['The following errors occurred:\n  \u001B[2mMissing required flag leg\n  Missing required flag portfolio\u001B[22m\nSee more help with --help', 'missing required flags --leg, --portfolio (see --help)'],
    ['The following errors occurred:\n  Missing required flag spot\n  --x=1 cannot also be provided when using --y\nSee more help with --help', 'missing required flag --spot; --y and --x cannot be used together (see --help)'],
    ['Expected an integer but received: abc', 'expected a whole number, got abc (see --help)'],
    ['Parsing --days \n\tExpected an integer but received: abc\nSee more help with --help', '--days: expected a whole number, got abc (see --help)'],
    // exclusive flags, reported by oclif once from each side: one sentence, once
    ['The following errors occurred:\n  --history=true cannot also be provided when using --realized\n  --realized=true cannot also be provided when using --history\nSee more help with --help', '--realized and --history cannot be used together (see --help)'],
  ])('%j', (raw, ours) => {
    expect(usageWording(raw).replace(/\s*\n\s*/g, ' ')).toBe(ours)
  })
})

describe('totals with unknown parts', () => {
  it('total sums the known parts and counts the rest; wholeTotal is unknown as soon as one part is', () => {
    expect(total([1, null, 2])).toEqual({value: 3, missing: 1})
    expect(wholeTotal([0, null, null])).toEqual({value: null, missing: 2}) // a paper trade booked today (0) beside unknowns is not "0.00"
    expect(wholeTotal([1, 2])).toEqual({value: 3, missing: 0})
    expect(wholeTotal([])).toEqual({value: 0, missing: 0})
  })

  it('unknownParts counts never-synced portfolios apart from positions', () => {
    expect(unknownParts(26, ['tastytrade'])).toBe('25 position(s) and 1 never-synced portfolio(s) (tastytrade)')
    expect(unknownParts(1, ['tt'])).toBe('1 never-synced portfolio(s) (tt)')
    expect(unknownParts(3, [])).toBe('3 position(s)')
  })
})

describe('numbers alike in every column', () => {
  it('quantities have thousands separators, integers included', () => {
    expect(qty(1000)).toBe('1,000')
    expect(qty(1800.5)).toBe('1,800.5')
    expect(qty(-2)).toBe('-2')
  })
  it('prices keep the decimals the P&L is computed from (2 to 6)', () => {
    expect(price(5.05)).toBe('5.05')
    expect(price(5.0512)).toBe('5.0512')
    expect(price(2.123456789)).toBe('2.123457')
    expect(price(null)).toBe('?')
  })
})

describe('reportError', () => {
  it('an error of oclif\'s own argument parsers (Args.integer) is a usage error: exit 2, our wording', () => {
    const before = process.exitCode
    let json: any
    try {
      reportError(new Error('Expected an integer but received: abc'), true, (j) => (json = j))
      expect(json).toEqual({error: {code: 'usage', message: 'expected a whole number, got abc (see --help)', exitCode: 2}})
    } finally {
      process.exitCode = before
    }
  })
})

describe('greeks: numbers like every other column', () => {
  it('thousands separators and no "-0"', () => {
    const out = renderGreeks({model: 'black76', style: 'european', engine: null, right: 'call', price: 1234.5678, iv: 0.2, delta: 0.5, gamma: 0.0001234, theta: -1e-9, vega: 12.5, rho: 3.25, years: 0.5} as any)
    expect(out).toMatch(/│ price │ +1,234\.567800 │/)
    expect(out).toMatch(/│ theta │ +0\.000000 │/)
  })
})
