/*
 * The scenario engine (pricing/revalue.ts) against the pricing API it stands for: the European
 * kernel and the shared-boundary American prices must equal pricing every scenario one by one
 * (to rounding), and the interpolating engine must stay within its stated error (README: 2e-6 of
 * the strike per price against the converged engine, VaR and ES within 1e-5) — including American
 * legs whose exercise boundary lies inside the scenario range, where a plain polynomial fails.
 */
import {describe, expect, it} from 'vitest'
import {exactAmericanCurve, exactAmericanPrice} from '../../src/core/pricing/american-exact.js'
import {apiEngine, legBook, revaluePnl, type LegEngine, type LegInput, type ScenarioSet} from '../../src/core/pricing/revalue.js'
import {gaussFactor, normCdf, normCdfWithGauss} from '../../src/core/pricing/normal.js'
import {varEsFromPnl} from '../../src/core/pricing/var.js'

/** The API engine without its tag: revaluePnl then calls it for every scenario (the reference path). */
const oneByOne = (e: LegEngine): LegEngine => (...a) => e(...a)

function lcg(seed: number) {
  let a = seed
  return () => (a = (a * 1103515245 + 12345) % 2147483648) / 2147483648
}

/** n scenarios: log moves uniform in ±width, vol shifts uniform in ±shift (null when 0). */
function scenarios(n: number, width: number, shift: number, seed = 5): ScenarioSet {
  const r = lcg(seed)
  return {
    n,
    spotFactor: Float64Array.from({length: n}, () => Math.exp(width * (2 * r() - 1))),
    volShift: shift > 0 ? Float64Array.from({length: n}, () => shift * (2 * r() - 1)) : null,
    elapsedYears: 1 / 252,
  }
}

/** Per leg (one-leg books): worst |a − b| ÷ (|units| × strike) over the scenarios. */
function worstPerLeg(legs: LegInput[], sc: ScenarioSet, a: {engine?: LegEngine; interpolate?: boolean}, b: {engine?: LegEngine; interpolate?: boolean}): number {
  let worst = 0
  const x = new Float64Array(sc.n)
  const y = new Float64Array(sc.n)
  for (const leg of legs) {
    const book = legBook([leg])
    revaluePnl(book, sc, x, a)
    revaluePnl(book, sc, y, b)
    for (let s = 0; s < sc.n; s++) worst = Math.max(worst, Math.abs(x[s] - y[s]) / Math.abs(leg.units) / leg.strike!)
  }
  return worst
}

const leg = (o: Partial<LegInput>): LegInput => ({underlying: 'X', option: true, call: true, american: false, black76: false, units: 100, spot: 100, strike: 100, years: 0.25, rate: 0.045, dividend: 0.01, vol: 0.25, ...o})

function grid(american: boolean): LegInput[] {
  const out: LegInput[] = []
  for (const call of [true, false])
    for (const mny of [0.7, 0.9, 1, 1.1, 1.3])
      for (const [days, vol] of [[8, 0.2], [45, 0.15], [120, 0.6], [400, 0.3]])
        out.push(leg({call, american, strike: 100 * mny, years: days / 365, vol, dividend: call ? 0.02 : 0}))
  return out
}

describe('priced in every scenario: the same numbers as the pricing API one by one', () => {
  it('Φ from a supplied Gaussian factor is normCdf itself (bit for bit when the factor is exp(−x²/2) as normCdf forms it)', () => {
    for (let x = -40; x <= 10; x += 0.0137) expect(normCdfWithGauss(x, gaussFactor(x))).toBe(normCdf(x))
    // d₂'s factor from d₁'s: exp(−d₂²/2) = exp(−d₁²/2)·F/K, so Φ(d₂) agrees to rounding
    const s = 0.3
    for (let lnFK = -1; lnFK <= 1; lnFK += 0.01) {
      const d1 = lnFK / s + s / 2
      const d2 = d1 - s
      expect(Math.abs(normCdfWithGauss(d2, gaussFactor(d1) * Math.exp(lnFK)) / normCdf(d2) - 1)).toBeLessThan(1e-14)
    }
  })
  it('European BSM and Black-76 legs (the kernel): within 1e-13 of the strike, deep in and out of the money', () => {
    const api = apiEngine()
    const legs = [...grid(false), ...grid(false).map((l) => ({...l, black76: true})), leg({strike: 40, vol: 0.05}), leg({call: false, strike: 250, vol: 1.5, years: 2})]
    const sc = scenarios(300, 0.2, 0.05)
    expect(worstPerLeg(legs, sc, {engine: api}, {engine: oneByOne(api)})).toBeLessThan(1e-13)
  })
  it('American legs (one boundary solve per vol shift): within 1e-13 of the strike, stress-like vols and none', () => {
    const fast = apiEngine({engine: 'fast'})
    const legs = [...grid(true).filter((_, i) => i % 3 === 0), leg({american: true, call: false, strike: 130, vol: 0.12, years: 1}), leg({american: true, black76: true, call: true, strike: 90})]
    const r = lcg(3)
    // 60 scenarios on 6 vol shifts (the stress grid's shape), and 60 with no vol shift
    const stress: ScenarioSet = {n: 60, spotFactor: Float64Array.from({length: 60}, () => 0.8 + 0.4 * r()), volShift: Float64Array.from({length: 60}, (_, i) => (i % 6) * 0.02 - 0.05), elapsedYears: 0}
    expect(worstPerLeg(legs, stress, {engine: fast}, {engine: oneByOne(fast)})).toBeLessThan(1e-13)
    expect(worstPerLeg(legs, scenarios(60, 0.2, 0), {engine: fast}, {engine: oneByOne(fast)})).toBeLessThan(1e-13)
  })
  it('exactAmericanCurve: each spot as exactAmericanPrice, and the boundary it returns separates exercise from holding', () => {
    const spots = Float64Array.from({length: 41}, (_, j) => 60 + 2 * j)
    const out = new Float64Array(41)
    for (const fast of [false, true])
      for (const call of [false, true])
        for (const [r, q] of [[0.05, 0], [0.04, 0.01], [0.03, 0.08], [0.04, 0.04]]) {
          const b = exactAmericanCurve(call, spots, 100, 0.75, r, q, 0.3, fast, out)
          for (let j = 0; j < 41; j++) expect(Math.abs(out[j] - exactAmericanPrice(call, spots[j], 100, 0.75, r, q, 0.3, fast))).toBeLessThan(1e-13 * 100)
          if (!Number.isFinite(b) || b === 0) continue
          const inside = call ? b * 1.001 : b * 0.999
          const outside = call ? b * 0.99 : b * 1.01
          expect(exactAmericanPrice(call, inside, 100, 0.75, r, q, 0.3, fast)).toBe(Math.max(call ? inside - 100 : 100 - inside, 0))
          expect(exactAmericanPrice(call, outside, 100, 0.75, r, q, 0.3, fast)).toBeGreaterThan(Math.max(call ? outside - 100 : 100 - outside, 0))
        }
  })
})

describe('the interpolating engine against pricing every scenario (converged American engine)', () => {
  const exact = apiEngine()
  it('European legs: within 1e-8 of the strike over ±20 % moves and ±3 vol points', () => {
    expect(worstPerLeg(grid(false), scenarios(400, 0.2, 0.03), {engine: exact, interpolate: true}, {engine: exact})).toBeLessThan(1e-8)
  })
  it('American legs, the exercise boundary inside the range included: within 2e-6 of the strike', () => {
    const legs = [...grid(true).filter((_, i) => i % 2 === 0), leg({american: true, call: false, strike: 110, vol: 0.12, years: 300 / 365, dividend: 0})]
    expect(worstPerLeg(legs, scenarios(300, 0.1, 0), {engine: exact, interpolate: true}, {engine: exact})).toBeLessThan(2e-6)
    expect(worstPerLeg(legs, scenarios(300, 0.1, 0.03, 9), {engine: exact, interpolate: true}, {engine: exact})).toBeLessThan(2e-6)
  })
  it('a deep in-the-money American put exercised in every scenario is worth its payoff in each', () => {
    const put = leg({american: true, call: false, strike: 200, vol: 0.2, years: 0.5})
    const sc = scenarios(200, 0.1, 0.02)
    const out = new Float64Array(200)
    revaluePnl(legBook([put]), sc, out, {engine: exact, interpolate: true})
    const today = exactAmericanPrice(false, 100, 200, 0.5, 0.045, 0.01, 0.2)
    expect(today).toBe(100)
    for (let s = 0; s < 200; s++) expect(out[s]).toBeCloseTo(100 * (200 - 100 * sc.spotFactor[s] - today), 9)
  })
  it('legs of one underlying on different piece counts add up exactly (the coarse interpolants re-expanded on the fine pieces)', () => {
    const legs = [leg({years: 8 / 365, vol: 0.15}), leg({call: false, strike: 90, years: 2, vol: 0.4}), leg({strike: 120, years: 45 / 365, units: -300})]
    const sc = scenarios(300, 0.2, 0.03)
    const together = new Float64Array(300)
    revaluePnl(legBook(legs), sc, together, {engine: exact, interpolate: true})
    const apart = new Float64Array(300)
    const one = new Float64Array(300)
    for (const l of legs) {
      revaluePnl(legBook([l]), sc, one, {engine: exact, interpolate: true})
      for (let s = 0; s < 300; s++) apart[s] += one[s]
    }
    for (let s = 0; s < 300; s++) expect(Math.abs(together[s] - apart[s])).toBeLessThan(1e-9 * 100 * 100)
  })
  it('a book of both: 99 % and 95 % VaR and ES within 1e-5 of pricing every scenario', () => {
    const r = lcg(17)
    const legs = [...grid(true), ...grid(false)].map((l, i) => ({...l, underlying: `U${i % 3}`, units: (r() < 0.5 ? -1 : 1) * 100 * (1 + Math.floor(r() * 4))}))
    const book = legBook(legs)
    const n = 500
    const sc: ScenarioSet = {...scenarios(n * 3, 0.06, 0.02, 21), n}
    const a = new Float64Array(n)
    const b = new Float64Array(n)
    revaluePnl(book, sc, a, {engine: exact, interpolate: true})
    revaluePnl(book, sc, b, {engine: exact})
    for (const level of [0.95, 0.99]) {
      const x = varEsFromPnl(a, level)
      const y = varEsFromPnl(b, level)
      expect(Math.abs(x.var / y.var - 1)).toBeLessThan(1e-5)
      expect(Math.abs(x.es / y.es - 1)).toBeLessThan(1e-5)
    }
  })
})
