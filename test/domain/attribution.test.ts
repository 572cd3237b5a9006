import {describe, expect, it} from 'vitest'
import {attribute, type Attribution} from '../../src/core/domain/attribution.js'
import {priceGreeks} from '../../src/core/pricing/index.js'

const t0 = new Date('2026-05-20T20:00:00Z')
const t1 = new Date('2026-05-21T20:00:00Z') // one calendar day later
const ok = (o: ReturnType<typeof attribute>): Attribution => {
  if (!('ok' in o)) throw new Error(o.unknown)
  return o.ok
}

describe('P&L attribution', () => {
  it('worked example: each term to the cent (short 2 calls, Greeks and moves fixed by hand)', () => {
    // Δ 0.50, Γ 0.04, Θ −0.05/day, ν 0.20/vol pt, ρ 0.10/rate pt; −2 contracts × 100.
    // S 100 → 102, σ 25 % → 27 %, 1 day, r 4.0 % → 4.5 %; mark 4.00 → 5.30.
    const a = ok(attribute({
      quantity: -2, multiplier: 100, linear: false,
      greeks: {delta: 0.5, gamma: 0.04, theta: -0.05, vega: 0.2, rho: 0.1},
      start: {at: t0, price: 4, underlyingPrice: 100, iv: 0.25, rate: 0.04},
      end: {at: t1, price: 5.3, underlyingPrice: 102, iv: 0.27, rate: 0.045},
    }))
    const cents = (v: number) => Math.round(v * 100) / 100
    expect(cents(a.delta)).toBe(-200) // 0.50 × 2 × −200
    expect(cents(a.gamma)).toBe(-16) // ½ × 0.04 × 4 × −200
    expect(cents(a.theta)).toBe(10) // −0.05 × 1 × −200
    expect(cents(a.vega)).toBe(-80) // 0.20 × 2 pts × −200
    expect(cents(a.rho)).toBe(-10) // 0.10 × 0.5 pt × −200
    expect(cents(a.pnl)).toBe(-260) // 1.30 × −200
    expect(cents(a.explained)).toBe(-296)
    expect(cents(a.residual)).toBe(36)
    expect(a.explainedShare).toBeCloseTo(296 / 260, 12)
    expect(a.days).toBe(1)
  })

  it('no rho term when the rate did not move', () => {
    const a = ok(attribute({quantity: 1, multiplier: 100, linear: false, greeks: {delta: 0.5, gamma: 0, theta: 0, vega: 0, rho: 0.3},
      start: {at: t0, price: 4, underlyingPrice: 100, iv: 0.25}, end: {at: t1, price: 4.5, underlyingPrice: 101, iv: 0.25}}))
    expect(a.rho).toBe(0)
    expect(a.delta).toBeCloseTo(50, 12)
    expect(a.residual).toBeCloseTo(0, 12)
  })

  it.each([
    ['long call', 'call' as const, 1],
    ['short put', 'put' as const, -3],
  ])('model-consistent synthetic day (%s): small moves leave a residual below 5 %% of the P&L', (_n, right, quantity) => {
    const base = {right, strike: 100, rate: 0.04, dividend: 0.01}
    const T0 = 45 / 365
    const g0 = priceGreeks({...base, spot: 100, years: T0, vol: 0.25})
    const p1 = priceGreeks({...base, spot: 101, years: T0 - 1 / 365, vol: 0.255}).price
    const a = ok(attribute({quantity, multiplier: 100, linear: false, greeks: g0,
      start: {at: t0, price: g0.price, underlyingPrice: 100, iv: 0.25}, end: {at: t1, price: p1, underlyingPrice: 101, iv: 0.255}}))
    expect(Math.abs(a.pnl)).toBeGreaterThan(10)
    expect(Math.abs(a.residual)).toBeLessThan(0.05 * Math.abs(a.pnl))
    expect(a.explainedShare!).toBeGreaterThan(0.95)
  })

  it('stock: all delta, nothing unexplained', () => {
    const a = ok(attribute({quantity: 100, multiplier: 1, linear: true, greeks: null,
      start: {at: t0, price: 50, underlyingPrice: null, iv: null}, end: {at: t1, price: 52.5, underlyingPrice: null, iv: null}}))
    expect(a.delta).toBeCloseTo(250, 12)
    expect(a.residual).toBeCloseTo(0, 12)
    expect(a.explainedShare).toBe(1)
  })

  it('unknown inputs make the position unknown, not 0', () => {
    const start = {at: t0, price: 4, underlyingPrice: 100, iv: 0.25}
    const end = {at: t1, price: 4.5, underlyingPrice: 101, iv: 0.26}
    const g = {delta: 0.5, gamma: 0.04, theta: -0.05, vega: 0.2, rho: 0.1}
    expect(attribute({quantity: 1, multiplier: 100, linear: false, greeks: null, start, end})).toEqual({unknown: 'Greeks unknown at the start'})
    expect(attribute({quantity: 1, multiplier: 100, linear: false, greeks: g, start: {...start, iv: null}, end})).toEqual({unknown: 'no implied volatility at the start'})
    expect(attribute({quantity: 1, multiplier: 100, linear: false, greeks: g, start, end: {...end, price: null}})).toEqual({unknown: 'no mark at the end'})
    expect(attribute({quantity: 1, multiplier: 100, linear: false, greeks: g, start: {...start, underlyingPrice: null}, end})).toEqual({unknown: 'no underlying price at the start'})
  })
})
