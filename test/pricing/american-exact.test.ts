/*
 * The converged American engine (Andersen–Lake–Offengelden fixed point; finite differences for
 * two exercise boundaries), the default for style 'american'.
 *
 * Reference values: test/fixtures/american-reference.csv (120 cases, QuantLib 1.29
 * QdFpAmericanEngine high-precision scheme, cross-checked by a 1200 × 1200 finite-difference
 * solution; see /work/shared/data/README.md) and test/fixtures/american-grid.csv (random cases
 * over the grid, made by scripts/american-fixtures.py with the same engine, kept where
 * QuantLib's accurate scheme agrees within 1e-7 × K). Tests never need QuantLib.
 */
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {
  exercisedGreeks,
  impliedVol,
  optionPrice,
  priceGreeks,
  type ModelChoice,
  type PricingInput,
  type Right,
} from '../../src/core/pricing/index.js'

const AM: ModelChoice = {model: 'bsm', style: 'american'}
const AM76: ModelChoice = {model: 'black76', style: 'american'}
const EU: ModelChoice = {model: 'bsm', style: 'european'}

function input(right: Right, spot: number, strike: number, years: number, rate: number, dividend: number, vol: number): PricingInput {
  return {right, spot, strike, years, rate, dividend, vol}
}

interface Row {
  line: string
  choice: ModelChoice
  input: PricingInput
  price: number
  delta: number
}

function fixture(name: string): Row[] {
  const text = readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url)), 'utf8')
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [model, type, spot, strike, years, vol, rate, dividend, price, delta] = line.split(',')
      const [days, per] = years.split('/').map(Number)
      return {
        line,
        choice: model === 'black76' ? AM76 : AM,
        input: input(type as Right, Number(spot), Number(strike), days / per, Number(rate), Number(dividend), Number(vol)),
        price: Number(price),
        delta: Number(delta),
      }
    })
}

describe('price within 1e-6 × strike of the converged reference values', () => {
  for (const name of ['american-reference.csv', 'american-grid.csv']) {
    const rows = fixture(name)
    it(`${name}: all ${rows.length} cases, price and delta`, () => {
      expect(rows.length).toBeGreaterThanOrEqual(120)
      for (const row of rows) {
        const g = priceGreeks(row.input, row.choice)
        expect(Math.abs(g.price - row.price), row.line).toBeLessThanOrEqual(1e-6 * row.input.strike)
        expect(Math.abs(optionPrice(row.input, row.choice) - g.price), row.line).toBeLessThan(1e-12 * row.input.strike)
        // The reference delta is itself a central difference (bump 0.1 % of spot): compare like
        // with like, and our analytic delta with that difference of our own price.
        const h = 1e-3 * row.input.spot
        const fd = (optionPrice({...row.input, spot: row.input.spot + h}, row.choice) - optionPrice({...row.input, spot: row.input.spot - h}, row.choice)) / (2 * h)
        expect(Math.abs(fd - row.delta), row.line).toBeLessThanOrEqual(1e-4)
        expect(Math.abs(g.delta - fd), row.line).toBeLessThanOrEqual(Math.max(1e-4, 0.5 * g.gamma * h))
      }
    })
  }
})

describe('the fast engine for scenario grids', () => {
  it('fast (QD+ and one Jacobi–Newton step) stays within 1e-4 × strike of every converged case', () => {
    const FAST: ModelChoice = {model: 'bsm', style: 'american', engine: 'fast'}
    const FAST76: ModelChoice = {model: 'black76', style: 'american', engine: 'fast'}
    let worst = 0
    for (const row of [...fixture('american-reference.csv'), ...fixture('american-grid.csv')]) {
      const p = optionPrice(row.input, row.choice === AM76 ? FAST76 : FAST)
      worst = Math.max(worst, Math.abs(p - row.price) / row.input.strike)
    }
    expect(worst).toBeLessThan(1e-4)
    expect(worst).toBeGreaterThan(1e-6) // it is an approximation: the exact engine is what marks use
  })

  it('choosing it does not disturb the exact engine (separate tables)', () => {
    const inp = input('put', 95, 100, 0.5, 0.05, 0.01, 0.3)
    const before = optionPrice(inp, AM)
    optionPrice(inp, {model: 'bsm', style: 'american', engine: 'fast'})
    expect(optionPrice(inp, AM)).toBe(before)
  })
})

describe("the issue's worked cases", () => {
  it('put S=K=100, T=0.5, σ 20 %, r 8 %, q 0: 4.1913 (BS2002 4.15, the old code 4.1324)', () => {
    // QuantLib's high-precision scheme gives 4.187236 at 182 days and 4.195438 at 183.
    expect(Math.abs(optionPrice(input('put', 100, 100, 0.5, 0.08, 0, 0.2), AM) - 4.1913)).toBeLessThan(1e-4)
  })

  it('put S=73.06 K=100, 50 days, σ 49.8 %, r 5.86 %, q 1.94 %: 26.9989 with time value, delta −0.967', () => {
    const g = priceGreeks(input('put', 73.06, 100, 50 / 365, 0.0586, 0.0194, 0.498), AM)
    expect(g.price).toBeCloseTo(26.9989, 4)
    expect(g.price).toBeGreaterThan(100 - 73.06)
    expect(g.delta).toBeCloseTo(-0.967, 3)
    expect(g.vega).toBeGreaterThan(0)
  })
})

/** Central differences of the converged price, in the domain's units. */
function numericGreeks(inp: PricingInput, choice: ModelChoice) {
  const p = (patch: Partial<PricingInput>): number => optionPrice({...inp, ...patch}, choice)
  const hS = 1e-3 * inp.spot
  const hT = 1e-4 * inp.years
  const hV = 1e-4
  const hR = 1e-5
  const mid = p({})
  return {
    delta: (p({spot: inp.spot + hS}) - p({spot: inp.spot - hS})) / (2 * hS),
    gamma: (p({spot: inp.spot + hS}) - 2 * mid + p({spot: inp.spot - hS})) / (hS * hS),
    theta: -(p({years: inp.years + hT}) - p({years: inp.years - hT})) / (2 * hT) / 365,
    vega: (p({vol: inp.vol + hV}) - p({vol: inp.vol - hV})) / (2 * hV) / 100,
    rho:
      choice.model === 'black76'
        ? (p({rate: inp.rate + hR}) - p({rate: inp.rate - hR})) / (2 * hR) / 100
        : (p({rate: inp.rate + hR}) - p({rate: inp.rate - hR})) / (2 * hR) / 100,
  }
}

describe('Greeks agree with central differences of the converged price within 1e-4', () => {
  const cases: Array<[Right, number, number, number, number, number, ModelChoice]> = [
    ['put', 100, 0.5, 0.08, 0, 0.2, AM],
    ['put', 90, 1, 0.05, 0.02, 0.3, AM],
    ['put', 120, 3, 0.1, 0, 0.25, AM],
    ['put', 80, 30 / 365, 0.05, 0.01, 0.6, AM],
    ['call', 110, 1, 0.03, 0.06, 0.3, AM],
    ['call', 95, 0.25, 0.02, 0.08, 1.2, AM],
    ['call', 150, 2, -0.01, 0.04, 0.35, AM], // r < 0, q > 0: the call still has one boundary
    ['call', 105, 0.5, -0.005, 0, 0.4, AM], // q = 0, r < 0: early exercise pays for a call
    ['put', 97, 7 / 365, 0.045, 0.045, 0.15, AM], // q = r
    ['put', 95, 0.75, 0.07, 0, 0.3, AM76],
    ['call', 4100, 0.3, 0.05, 0, 0.2, AM76],
  ]
  it.each(cases)('%s S=%d K=100 T=%d r=%d q=%d σ=%d', (right, S, T, r, q, v, choice) => {
    const strike = choice === AM76 && S > 1000 ? 4000 : 100
    const inp = input(right, S, strike, T, r, q, v)
    const g = priceGreeks(inp, choice)
    const n = numericGreeks(inp, choice)
    expect(Math.abs(g.delta - n.delta)).toBeLessThanOrEqual(1e-4)
    expect(Math.abs(g.gamma - n.gamma)).toBeLessThanOrEqual(1e-4)
    expect(Math.abs(g.theta - n.theta)).toBeLessThanOrEqual(1e-4)
    expect(Math.abs(g.vega - n.vega)).toBeLessThanOrEqual(1e-4)
    expect(Math.abs(g.rho - n.rho)).toBeLessThanOrEqual(1e-4)
  })
})

describe('continuity', () => {
  it('across r = q: price and Greeks move smoothly as r passes q (no B0 = max(K, rK/q) jump)', () => {
    const at = (r: number) => priceGreeks(input('put', 95, 100, 1, r, 0.04, 0.25), AM)
    const below = at(0.04 - 1e-6)
    const on = at(0.04)
    const above = at(0.04 + 1e-6)
    // The price moves by rho·Δr (rho per rate point → per 1e-6: rho/1e4), nothing more.
    expect(Math.abs(above.price - below.price - (2e-6 * on.rho) / 0.01)).toBeLessThan(1e-8)
    for (const key of ['price', 'delta', 'gamma', 'theta', 'vega', 'rho'] as const) {
      expect(Math.abs(above[key] - below[key]), key).toBeLessThan(1e-4)
      expect(Math.abs(on[key] - 0.5 * (above[key] + below[key])), key).toBeLessThan(1e-5)
    }
    // … and through the switch of fixed-point equation at |r − q| = 0.001
    const a = at(0.04 + 0.001 - 1e-9)
    const b = at(0.04 + 0.001 + 1e-9)
    expect(Math.abs(a.price - b.price)).toBeLessThan(1e-6)
    expect(Math.abs(a.rho - b.rho)).toBeLessThan(1e-3)
  })

  it('across the exercise boundary: intrinsic with delta −1 only below it, C¹ pasting above', () => {
    const T = 0.5
    const g = (S: number) => priceGreeks(input('put', S, 100, T, 0.08, 0, 0.2), AM)
    // Find the boundary by bisection on "price is intrinsic with delta −1".
    let lo = 50
    let hi = 100
    for (let i = 0; i < 50; i++) {
      const mid = 0.5 * (lo + hi)
      const x = g(mid)
      if (x.delta === -1 && x.price === 100 - mid) lo = mid
      else hi = mid
    }
    expect(lo).toBeGreaterThan(75)
    expect(lo).toBeLessThan(90)
    const inside = g(lo - 0.01)
    const outside = g(hi + 0.01)
    expect(inside.price).toBe(100 - (lo - 0.01))
    expect(inside.delta).toBe(-1)
    expect(outside.price).toBeGreaterThan(100 - (hi + 0.01))
    expect(outside.delta).toBeGreaterThan(-1)
    // Smooth pasting: value and delta continuous at the boundary.
    expect(outside.price - (100 - (hi + 0.01))).toBeLessThan(1e-4)
    expect(outside.delta + 1).toBeLessThan(0.02)
  })
})

describe('spot and futures options', () => {
  it('a futures option is the zero-carry case: Black-76 American = BSM American with q = r', () => {
    for (const right of ['call', 'put'] as Right[]) {
      const f = optionPrice(input(right, 95, 100, 0.75, 0.07, 0, 0.3), AM76)
      const s = optionPrice(input(right, 95, 100, 0.75, 0.07, 0.07, 0.3), AM)
      expect(f).toBe(s)
      expect(f).toBeGreaterThan(optionPrice(input(right, 95, 100, 0.75, 0.07, 0.07, 0.3), EU))
    }
  })

  it('an American call on a non-dividend stock (q = 0, r > 0) is the European call', () => {
    const inp = input('call', 100, 100, 1, 0.05, 0, 0.2)
    expect(optionPrice(inp, AM)).toBe(optionPrice(inp, EU))
  })

  it('a put with r ≤ 0 ≤ q is never exercised early: the European put', () => {
    const inp = input('put', 95, 100, 1, -0.005, 0.01, 0.3)
    expect(optionPrice(inp, AM)).toBe(optionPrice(inp, EU))
  })
})

describe('American implied vol on the converged engine', () => {
  const rows: Array<[Right, number, number, number, number, number]> = []
  for (const T of [1 / 365, 7 / 365, 30 / 365, 0.5, 1, 3]) {
    rows.push(['put', 99, T, 0.05, 0.01, 0.3], ['call', 105, T, 0.03, 0.06, 0.45], ['put', 110, T, 0.08, 0, 0.2])
  }
  it.each(rows)('round trip %s S=%d K=100 T=%d r=%d q=%d σ=%d', (right, S, T, r, q, v) => {
    const inp = input(right, S, 100, T, r, q, v)
    const price = optionPrice(inp, AM)
    const iv = impliedVol(price, inp, AM)
    expect(iv).not.toBeNull()
    expect(Math.abs((iv as number) - v)).toBeLessThan(1e-8)
  })

  it('futures option round trip', () => {
    const inp = input('put', 95, 100, 0.75, 0.07, 0, 0.3)
    expect(impliedVol(optionPrice(inp, AM76), inp, AM76)).toBeCloseTo(0.3, 9)
  })

  it('no IV at or below intrinsic, at or above the upper bound; Greeks at intrinsic still known', () => {
    const inp = input('put', 60, 100, 1, 0.08, 0, 0.2)
    expect(optionPrice(inp, AM)).toBe(40) // deep in the exercise region
    expect(impliedVol(40, inp, AM)).toBeNull()
    expect(impliedVol(39.5, inp, AM)).toBeNull()
    expect(impliedVol(100, inp, AM)).toBeNull()
    expect(impliedVol(120, input('call', 120, 100, 1, 0.05, 0.03, 0.2), AM)).toBeNull()
    const g = priceGreeks(inp, AM)
    expect(g.delta).toBe(-1)
    expect(g.gamma).toBe(0)
    // Just above intrinsic a vol exists and reprices.
    const iv = impliedVol(40.5, inp, AM) as number
    expect(iv).toBeGreaterThan(0.2)
    expect(optionPrice({...inp, vol: iv}, AM)).toBeCloseTo(40.5, 9)
  })

  it('exercisedGreeks: at intrinsic, delta ±1 only where exercising now can be optimal', () => {
    expect(exercisedGreeks(40, input('put', 60, 100, 1, 0.08, 0, 0), AM)).toEqual({price: 40, delta: -1, gamma: 0, theta: 0, vega: 0, rho: 0})
    expect(exercisedGreeks(30, input('call', 130, 100, 0.5, 0.02, 0.08, 0), AM)).toMatchObject({delta: 1})
    // A call without dividends is never exercised early: a price at intrinsic is an arbitrage.
    expect(exercisedGreeks(30, input('call', 130, 100, 0.5, 0.05, 0, 0), AM)).toBeNull()
    // Above intrinsic, out of the money, or European: not this case.
    expect(exercisedGreeks(40.5, input('put', 60, 100, 1, 0.08, 0, 0), AM)).toBeNull()
    expect(exercisedGreeks(0, input('put', 120, 100, 1, 0.08, 0, 0), AM)).toBeNull()
    expect(exercisedGreeks(40, input('put', 60, 100, 1, 0.08, 0, 0), EU)).toBeNull()
  })

  it('the fast engine can be asked for: IV against BS2002 when engine is bs2002', () => {
    const BS: ModelChoice = {model: 'bsm', style: 'american', engine: 'bs2002'}
    const inp = input('put', 95, 100, 0.5, 0.05, 0.01, 0.3)
    const p = optionPrice(inp, BS)
    expect(impliedVol(p, inp, BS)).toBeCloseTo(0.3, 9)
    expect(Math.abs((impliedVol(p, inp, AM) as number) - 0.3)).toBeGreaterThan(1e-4) // different engines
  })
})

describe('negative rates with two exercise boundaries (q < r < 0 put, r < q < 0 call): finite differences', () => {
  // Reference: QuantLib's Crank–Nicolson finite differences on 2000² and 4000² grids, Richardson
  // extrapolated, with |P(4000) − P(2000)| as its error estimate `err` (scripts/american-fixtures.py
  // double). Our solver agrees within that estimate plus 1e-6 × K.
  const text = readFileSync(fileURLToPath(new URL('../fixtures/american-double-boundary.csv', import.meta.url)), 'utf8')
  const rows = text.trim().split('\n').slice(1).map((line) => line.split(','))
  it(`all ${rows.length} cases within the reference's own error estimate`, () => {
    expect(rows.length).toBe(12)
    for (const [, type, spot, strike, years, vol, rate, dividend, price, , err] of rows) {
      const [d, per] = years.split('/').map(Number)
      const p = optionPrice(input(type as Right, +spot, +strike, d / per, +rate, +dividend, +vol), AM)
      expect(Math.abs(p - +price), `${type} ${spot} ${years}`).toBeLessThanOrEqual(+err + 1e-6 * +strike)
    }
  })

  it('the put is exercised only between two boundaries, and is worth more than the European', () => {
    const at = (S: number) => priceGreeks(input('put', S, 100, 0.5, -0.01, -0.03, 0.2), AM)
    // Near S = 0 waiting pays (K·e^{−rT} > K): not exercised; in between exercised; near K not.
    expect(at(20).price).toBeGreaterThan(80 + 1e-3)
    expect(at(20).delta).toBeLessThan(-1) // −e^{−qT}·Φ(−d₁) with q < 0: below −1, not the exercise −1
    expect(at(70).price).toBeCloseTo(30, 9)
    expect(at(95).price).toBeGreaterThan(5 + 1e-3)
    const eu = optionPrice(input('put', 90, 100, 0.5, -0.01, -0.03, 0.2), EU)
    expect(optionPrice(input('put', 90, 100, 0.5, -0.01, -0.03, 0.2), AM)).toBeGreaterThan(eu + 1e-3)
  })
})
