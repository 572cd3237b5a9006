import {describe, expect, it} from 'vitest'
import {compareText, formatNumberEn} from '../../src/core/domain/text.js'

// Intl is the oracle: the shortcuts must give what it gives, for the cases they take and the ones they pass on.
describe('formatNumberEn', () => {
  it('rounds the shortest decimal half away from zero, as ICU does (not toFixed)', () => {
    expect(formatNumberEn(1.005, 2)).toBe('1.01') // toFixed(2) gives 1.00
    expect(formatNumberEn(2.675, 2)).toBe('2.68')
    expect(formatNumberEn(1234567.125, 2)).toBe('1,234,567.13')
    expect(formatNumberEn(-0.001, 2)).toBe('-0')
    expect(formatNumberEn(-0, 2)).toBe('-0')
    expect(formatNumberEn(999.995, 2)).toBe('1,000')
    expect(formatNumberEn(60000, 2)).toBe('60,000')
  })

  it('matches toLocaleString on many values, scales and digit counts', () => {
    let seed = 7
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32)
    const values = [0, -0, 0.5, 1.5, 2.5, 0.045, 9.995, 99999.995, 1e-7, 1.5e-6, 123456789012.345, 1e21, 5e20, NaN, Infinity, -Infinity]
    for (let i = 0; i < 2000; i++) {
      const scale = 10 ** Math.floor(rand() * 14 - 4)
      const v = (rand() - 0.5) * scale
      values.push(v, Math.round(v * 1000) / 1000, Math.round(v * 100) / 100 + 0.005)
    }
    const wrong: string[] = []
    for (const digits of [0, 1, 2, 3, 6]) {
      const intl = new Intl.NumberFormat('en-US', {maximumFractionDigits: digits})
      for (const v of values) if (formatNumberEn(v, digits) !== intl.format(v)) wrong.push(`${v} with ${digits}: ${formatNumberEn(v, digits)} != ${intl.format(v)}`)
    }
    expect(wrong).toEqual([])
    expect(values.length).toBeGreaterThan(6000)
  })
})

describe('compareText', () => {
  it('orders like localeCompare, by sign', () => {
    const words = ['SPY', 'AAPL', 'A', 'AA', 'B2', 'B10', '2026-01-05', '2025-12-31', 'nifty', 'banknifty', 'Nifty', 'inr_fund', 'tasty-trade', '/ESZ6', 'BRK.B', 'BRK/B', 'é', 'e', 'Z', 'z', '', '10', '9', 'SPX', 'SPXW']
    for (const a of words) for (const b of words) expect(Math.sign(compareText(a, b)), `${a} vs ${b}`).toBe(Math.sign(a.localeCompare(b)))
  })

  it('orders every pair of printable ASCII characters, and one-case strings with symbols, like localeCompare', () => {
    const chars = Array.from({length: 95}, (_, i) => String.fromCharCode(32 + i))
    const wrong: string[] = []
    const check = (a: string, b: string) => {
      if (Math.sign(compareText(a, b)) !== Math.sign(a.localeCompare(b))) wrong.push(`${JSON.stringify(a)} vs ${JSON.stringify(b)}`)
    }
    for (const a of chars) for (const b of chars) check(a, b)
    // fund names, futures, tickers with classes: spaces, punctuation and digits between one-case letters
    const names = ['HDFC INDEX FUND NIFTY 50 PLAN', 'HDFCBANK', 'MIRAE ASSET LARGE & MIDCAP', 'M&M', 'M-M', 'M M', 'MM', '/MESH7', '/ES', 'BRK.B', 'BRK/B', 'BRK B', 'PARAG PARIKH FLEXI CAP', 'A_B', 'A-B', 'A,B', "A'B", 'A(B)', 'A+B', 'A$B', 'A~B', 'hdfc index fund', 'm&m', 'brk.b', 'x-1', 'x 1', 'x1', '2026-01-05', '2026-01-05 ', '']
    for (const a of names) for (const b of names) check(a, b)
    let seed = 11
    const rand = (n: number) => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n
    const upper = " _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789ABCXYZ"
    const lower = upper.replace('ABCXYZ', 'abcxyz')
    for (const alphabet of [upper, lower]) {
      const word = () => Array.from({length: 1 + rand(5)}, () => alphabet[rand(alphabet.length)]).join('')
      for (let i = 0; i < 5000; i++) check(word(), word())
    }
    expect(wrong).toEqual([])
  })
})
