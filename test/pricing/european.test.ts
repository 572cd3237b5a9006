/*
 * European pricing: BSM with continuous dividend yield and Black-76, against worked textbook
 * examples, 40-digit references, put–call parity and finite differences of the price.
 */
import {describe, expect, it} from 'vitest'
import {
  intrinsic,
  optionPrice,
  priceGreeks,
  priceGreeksInto,
  type ModelChoice,
  type PricingInput,
  type Right,
} from '../../src/core/pricing/index.js'

const BSM: ModelChoice = {model: 'bsm', style: 'european'}
const B76: ModelChoice = {model: 'black76', style: 'european'}

function input(right: Right, spot: number, strike: number, years: number, rate: number, dividend: number, vol: number): PricingInput {
  return {right, spot, strike, years, rate, dividend, vol}
}

describe("Hull's worked example (Options, Futures and Other Derivatives, ch. 15/19)", () => {
  // Call S=49, K=50, r=5 %, q=0, σ=20 %, T=0.3846 (20 weeks rounded to 4 places).
  const hull = input('call', 49, 50, 0.3846, 0.05, 0, 0.2)
  const g = priceGreeks(hull)

  it('price 2.400461', () => expect(g.price).toBeCloseTo(2.400461, 6))
  it('delta 0.521602', () => expect(g.delta).toBeCloseTo(0.521602, 6))
  it('gamma 0.0655454', () => expect(g.gamma).toBeCloseTo(0.0655454, 7))
  it('theta −4.305390 per year = −4.305390/365 per calendar day', () => {
    expect(g.theta * 365).toBeCloseTo(-4.30539, 5)
    expect(g.theta).toBeCloseTo(-4.30539 / 365, 8)
  })
  it('vega 12.105243 per 1.00 of σ = 0.12105243 per vol point', () => {
    expect(g.vega * 100).toBeCloseTo(12.105243, 6)
    expect(g.vega).toBeCloseTo(0.12105243, 8)
  })
  it('rho 8.906961 per 1.00 (0.0890696 per point) holds for T = 20/52 exactly', () => {
    // Hull's rho is computed with T = 20/52 = 0.384615…; with the rounded T = 0.3846 the exact
    // value is 8.906574 (K·T·e^{−rT}·N(d2), checked to 30 digits with mpmath).
    const exact = priceGreeks({...hull, years: 20 / 52})
    expect(Math.abs(exact.rho * 100 - 8.906961)).toBeLessThan(1.5e-6) // 8.9069619…, quoted truncated
    expect(exact.rho).toBeCloseTo(0.0890696, 7)
    expect(g.rho * 100).toBeCloseTo(8.906574, 6)
  })
})

describe('Black-76 worked example (Hull: futures option)', () => {
  it('put F=20, K=20, r=9 %, σ=25 %, T=4/12 is 1.1166', () => {
    const p = optionPrice(input('put', 20, 20, 4 / 12, 0.09, 0, 0.25), B76)
    expect(p).toBeCloseTo(1.1166, 4)
    expect(Math.abs(p / 1.1166414565589434782 - 1)).toBeLessThan(1e-14)
  })
  it('ignores the dividend field', () => {
    const a = optionPrice(input('call', 20, 22, 0.5, 0.04, 0, 0.3), B76)
    const b = optionPrice(input('call', 20, 22, 0.5, 0.04, 0.07, 0.3), B76)
    expect(a).toBe(b)
  })
})

describe('BSM prices against 40-digit references', () => {
  // [right, S, K, T, r, q, σ, price] — mpmath 1.3 at 40 digits; last two rows are deep out of
  // the money, where the price must keep its *relative* accuracy.
  const table: Array<[Right, number, number, number, number, number, number, number]> = [
    ['call', 100, 100, 1, 0.05, 0.02, 0.2, 9.2270055081540475442],
    ['put', 100, 100, 1, 0.05, 0.02, 0.2, 6.3300806275499182313],
    ['call', 100, 120, 0.5, 0.03, 0.0, 0.3, 2.8185067463712387021],
    ['put', 100, 80, 0.25, 0.01, 0.03, 0.45, 1.7604013697898679438],
    ['call', 50, 55, 2, 0.0, 0.0, 0.6, 14.855163086223289104],
    ['put', 1500, 1400, 0.05, 0.04, 0.015, 0.15, 0.31896031088586290759],
    ['call', 100, 100, 1 / 365, 0.05, 0.0, 0.01, 0.028440029269693167849],
    ['call', 100, 60, 5, 0.05, 0.02, 0.25, 45.816304387980099408],
    ['put', 100, 300, 3, 0.02, 0.0, 1.5, 251.48111215635449833],
    ['call', 25.5, 30, 0.75, -0.005, 0.01, 0.9, 6.1988126444359972208],
    ['call', 100, 140, 0.1, 0.05, 0.0, 0.1, 1.8265750766812874712e-26],
    ['put', 100, 70, 0.1, 0.05, 0.0, 0.1, 3.0989483610690828331e-31],
  ]
  it.each(table)('%s S=%d K=%d T=%d r=%d q=%d σ=%d', (right, S, K, T, r, q, v, expected) => {
    const p = optionPrice(input(right, S, K, T, r, q, v))
    expect(Math.abs(p / expected - 1)).toBeLessThan(1e-13)
    expect(priceGreeks(input(right, S, K, T, r, q, v)).price).toBe(p)
  })
})

describe('put–call parity to 1e-12 relative', () => {
  // C − P = S·e^{−qT} − K·e^{−rT} (BSM), = e^{−rT}·(F − K) (Black-76).
  const cases: Array<[number, number, number, number, number, number]> = [
    [100, 100, 1, 0.05, 0.02, 0.2],
    [100, 80, 0.25, 0.01, 0.03, 0.45],
    [100, 130, 2, 0.07, 0.0, 0.35],
    [42, 40, 0.75, 0.04, 0.08, 0.35],
    [1500, 1400, 0.05, 0.04, 0.015, 0.15],
    [10, 12, 5, -0.01, 0.02, 0.8],
    [100, 100, 1 / 365, 0.05, 0.0, 0.1],
    [100, 250, 3, 0.03, 0.01, 1.2],
  ]
  it.each(cases)('BSM S=%d K=%d T=%d r=%d q=%d σ=%d', (S, K, T, r, q, v) => {
    const c = optionPrice(input('call', S, K, T, r, q, v), BSM)
    const p = optionPrice(input('put', S, K, T, r, q, v), BSM)
    const parity = S * Math.exp(-q * T) - K * Math.exp(-r * T)
    expect(Math.abs(c - p - parity)).toBeLessThanOrEqual(1e-12 * Math.max(c, p, S))
  })
  it.each(cases)('Black-76 F=%d K=%d T=%d r=%d (q=%d ignored) σ=%d', (F, K, T, r, q, v) => {
    const c = optionPrice(input('call', F, K, T, r, q, v), B76)
    const p = optionPrice(input('put', F, K, T, r, q, v), B76)
    const parity = Math.exp(-r * T) * (F - K)
    expect(Math.abs(c - p - parity)).toBeLessThanOrEqual(1e-12 * Math.max(c, p, F))
  })
})

describe('Greeks agree with central differences of the price', () => {
  /*
   * Bumps are relative (1e-4; for spot 1e-3 of one standard deviation S·σ√T, the scale on which
   * the price curves); truncation error of central differences is O(h²) and rounding O(ε/h)
   * (O(ε/h²) for gamma), so 1e-6 relative (1e-5 for gamma) is comfortably met.
   * Units: theta per calendar day (value change as T shrinks by 1/365 in the limit), vega per
   * vol point, rho per rate point.
   */
  const cases: Array<[Right, number, number, number, number, number, number]> = [
    ['call', 100, 100, 1, 0.05, 0.02, 0.2],
    ['put', 100, 100, 1, 0.05, 0.02, 0.2],
    ['call', 100, 120, 0.5, 0.03, 0.0, 0.3],
    ['put', 100, 80, 0.25, 0.01, 0.03, 0.45],
    ['call', 49, 50, 0.3846, 0.05, 0, 0.2],
    ['put', 1500, 1450, 0.05, 0.04, 0.015, 0.15],
    ['call', 25.5, 30, 2, -0.005, 0.01, 0.9],
    ['put', 60, 75, 3, 0.08, 0.0, 0.6],
  ]
  const close = (analytic: number, numeric: number, rel: number): void => {
    expect(Math.abs(analytic - numeric)).toBeLessThanOrEqual(rel * Math.max(Math.abs(analytic), 1e-8))
  }
  for (const choice of [BSM, B76]) {
    it.each(cases)(`${choice.model} %s S=%d K=%d T=%d r=%d q=%d σ=%d`, (right, S, K, T, r, q, v) => {
      const base = input(right, S, K, T, r, q, v)
      const g = priceGreeks(base, choice)
      const price = (patch: Partial<PricingInput>): number => optionPrice({...base, ...patch}, choice)
      const hS = S * v * Math.sqrt(T) * 1e-3 // a thousandth of one standard deviation of S
      const up = price({spot: S + hS})
      const dn = price({spot: S - hS})
      close(g.delta, (up - dn) / (2 * hS), 1e-6)
      close(g.gamma, (up - 2 * g.price + dn) / (hS * hS), 1e-5)
      const hT = T * 1e-4
      close(g.theta, (-(price({years: T + hT}) - price({years: T - hT})) / (2 * hT)) / 365, 1e-6)
      const hV = v * 1e-4
      close(g.vega, (price({vol: v + hV}) - price({vol: v - hV})) / (2 * hV) / 100, 1e-6)
      const hR = 1e-5
      close(g.rho, (price({rate: r + hR}) - price({rate: r - hR})) / (2 * hR) / 100, 1e-6)
    })
  }
})

describe('edge cases', () => {
  it('years ≤ 0: intrinsic, delta ±1/0 (½ at the money), other Greeks 0', () => {
    const call = priceGreeks(input('call', 105, 100, 0, 0.05, 0, 0.2))
    expect(call).toEqual({price: 5, delta: 1, gamma: 0, theta: 0, vega: 0, rho: 0})
    const put = priceGreeks(input('put', 105, 100, -0.01, 0.05, 0, 0.2))
    expect(put).toEqual({price: 0, delta: 0, gamma: 0, theta: 0, vega: 0, rho: 0})
    expect(priceGreeks(input('put', 95, 100, 0, 0.05, 0, 0.2)).delta).toBe(-1)
    expect(priceGreeks(input('call', 100, 100, 0, 0.05, 0, 0.2)).delta).toBe(0.5)
    expect(priceGreeks(input('put', 100, 100, 0, 0.05, 0, 0.2)).delta).toBe(-0.5)
    expect(optionPrice(input('put', 95, 100, 0, 0.05, 0, 0.2), B76)).toBe(5)
    expect(priceGreeks(input('put', 95, 100, 0, 0.05, 0, 0.2), {model: 'bsm', style: 'american'}).price).toBe(5)
  })

  it('vol ≤ 0: deterministic forward limit', () => {
    const S = 100
    const K = 95
    const T = 0.5
    const r = 0.05
    const q = 0.02
    const fwdValue = S * Math.exp(-q * T) - K * Math.exp(-r * T)
    const call = priceGreeks(input('call', S, K, T, r, q, 0))
    expect(call.price).toBeCloseTo(fwdValue, 12)
    expect(call.delta).toBeCloseTo(Math.exp(-q * T), 14)
    expect(call.gamma).toBe(0)
    expect(call.vega).toBe(0)
    expect(optionPrice(input('put', S, K, T, r, q, -0.1))).toBe(0)
    // The limit is continuous: a tiny σ gives the same price.
    expect(optionPrice(input('call', S, K, T, r, q, 1e-9))).toBeCloseTo(fwdValue, 12)
  })

  it('spot 0 and strike 0', () => {
    expect(optionPrice(input('call', 0, 100, 1, 0.05, 0, 0.2))).toBe(0)
    expect(optionPrice(input('put', 0, 100, 1, 0.05, 0, 0.2))).toBeCloseTo(100 * Math.exp(-0.05), 12)
    expect(optionPrice(input('call', 100, 0, 1, 0.05, 0.02, 0.2))).toBeCloseTo(100 * Math.exp(-0.02), 12)
    expect(priceGreeks(input('put', 0, 100, 1, 0.05, 0, 0.2)).delta).toBe(-1)
  })

  it('invalid numbers throw RangeError with the field named', () => {
    const ok = input('call', 100, 100, 1, 0.05, 0, 0.2)
    expect(() => optionPrice({...ok, spot: NaN})).toThrow(RangeError)
    expect(() => optionPrice({...ok, spot: -1})).toThrow(/spot/)
    expect(() => optionPrice({...ok, strike: -5})).toThrow(/strike/)
    expect(() => priceGreeks({...ok, vol: Infinity})).toThrow(/vol/)
    expect(() => priceGreeks({...ok, years: NaN})).toThrow(/years/)
    expect(() => priceGreeks({...ok, rate: NaN})).toThrow(/rate/)
    expect(() => priceGreeks({...ok, dividend: NaN})).toThrow(/dividend/)
    expect(() => priceGreeks({...ok, right: 'straddle' as Right})).toThrow(/right/)
    // Black-76 has no dividend, so a missing one is not an error there.
    expect(() => priceGreeks({...ok, dividend: NaN}, B76)).not.toThrow()
  })

  it('intrinsic', () => {
    expect(intrinsic({right: 'call', spot: 105, strike: 100})).toBe(5)
    expect(intrinsic({right: 'put', spot: 105, strike: 100})).toBe(0)
    expect(intrinsic({right: 'put', spot: 90, strike: 100})).toBe(10)
  })

  it('priceGreeksInto writes the same numbers into the given object', () => {
    const inp = input('put', 100, 110, 0.7, 0.03, 0.01, 0.33)
    const out = {price: 0, delta: 0, gamma: 0, theta: 0, vega: 0, rho: 0}
    expect(priceGreeksInto(inp, out)).toBe(out)
    expect(out).toEqual(priceGreeks(inp))
  })
})
