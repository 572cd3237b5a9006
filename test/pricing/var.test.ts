import {describe, expect, it} from 'vitest'
import {optionPrice} from '../../src/core/pricing/index.js'
import {apiEngine, legBook, revaluePnl} from '../../src/core/pricing/revalue.js'
import {scanPoints, stressGrid, worstCell} from '../../src/core/pricing/stress.js'
import {
  checkLevel, cholesky, covFromVolsCorr, covariance, deltaGamma, deltaNormal, historicalScenarioValues, monteCarloReturns, scenarioFactors, tailCount, varEsFromPnl, zScore,
} from '../../src/core/pricing/var.js'

describe('Hull: model-building (delta-normal) worked examples', () => {
  // Hull, RMFI / OFOD "Model-building approach": $10m in Microsoft (daily σ 2 %), $5m in AT&T (1 %), ρ = 0.3.
  const cov = covFromVolsCorr([0.02, 0.01], [[1, 0.3], [0.3, 1]])
  it('10-day 99 % VaR of Microsoft alone is 1,473,621 with Hull’s z = 2.33', () => {
    const r = deltaNormal([10e6], [0.02 * 0.02], {level: 0.99, horizonDays: 10, z: 2.33})
    expect(r.sigma1d).toBeCloseTo(200_000, 6)
    expect(Math.round(r.var)).toBe(1_473_621)
  })
  it('10-day 99 % VaR of AT&T alone is 368,405', () => {
    expect(Math.round(deltaNormal([5e6], [0.01 * 0.01], {level: 0.99, horizonDays: 10, z: 2.33}).var)).toBe(368_405)
  })
  it('both together at ρ = 0.3: 1,622,657 (less than the sum: diversification)', () => {
    const r = deltaNormal([10e6, 5e6], cov, {level: 0.99, horizonDays: 10, z: 2.33})
    expect(r.sigma1d).toBeCloseTo(220_227.1, 0)
    expect(Math.round(r.var)).toBe(1_622_657)
  })
  it('with the exact normal quantile (2.3263) the same book gives 1,620,148', () => {
    const r = deltaNormal([10e6, 5e6], cov, {level: 0.99, horizonDays: 10})
    expect(zScore(0.99)).toBeCloseTo(2.326348, 6)
    expect(r.var).toBeCloseTo(220_227.16 * Math.sqrt(10) * 2.3263479, -1)
  })
  it('two-option linear example: deltas 1,000 and 20,000 at $120 and $30 → 1-day σ 7,099; 5-day 95 % VaR 26,193', () => {
    const r1 = deltaNormal([120 * 1000, 30 * 20_000], cov, {level: 0.95, horizonDays: 1})
    expect(Math.round(r1.sigma1d)).toBe(7_099)
    const r5 = deltaNormal([120 * 1000, 30 * 20_000], cov, {level: 0.95, horizonDays: 5, z: 1.65})
    expect(Math.round(r5.var)).toBe(26_193)
  })
  it('normal ES = σ φ(z) / (1 − α): 2.0627 σ at 95 %', () => {
    const r = deltaNormal([1], [1], {level: 0.95, horizonDays: 1})
    expect(r.es).toBeCloseTo(2.062713, 5)
  })
})

describe('Hull: historical-simulation scenario arithmetic', () => {
  it('scenario value = v_today × v_i / v_{i−1}: DJIA 11,022.06 × 11,173.59 / 11,219.38 = 10,977.08', () => {
    const s = historicalScenarioValues([11_219.38, 11_173.59], 11_022.06)
    expect(s).toHaveLength(1)
    expect(s[0]).toBeCloseTo(10_977.08, 2)
  })
  it('n closes give n − h scenarios; h-day scenarios use v_i / v_{i−h}', () => {
    expect(Array.from(scenarioFactors([100, 110, 99, 99], 1))).toEqual([1.1, 0.9, 1])
    expect(Array.from(scenarioFactors([100, 110, 99, 99], 2)).map((x) => Number(x.toFixed(12)))).toEqual([0.99, 0.9])
  })
  it('500 scenarios at 99 %: VaR is the 5th-worst loss, ES the mean of the 5 worst', () => {
    const pnl = Array.from({length: 500}, (_, i) => i - 10) // losses 10, 9, 8, 7, 6, …
    const r = varEsFromPnl(pnl, 0.99)
    expect(r.tail).toBe(5)
    expect(r.var).toBe(6)
    expect(r.es).toBe(8)
    expect(tailCount(500, 0.95)).toBe(25)
  })
  it('a confidence level outside (0, 1) is refused', () => {
    for (const bad of [0, 1, 99, -0.5, Number.NaN]) expect(() => checkLevel(bad)).toThrow(/strictly between 0 and 1/)
    expect(() => varEsFromPnl([1, 2], 1.2)).toThrow(RangeError)
  })
})

describe('delta-gamma (Cornish–Fisher)', () => {
  it('pure gamma: ΔP = ½γx², moments of a scaled χ²₁ (mean ½γσ², sd γσ²/√2, skew √8)', () => {
    const gamma = 2_000 // money per (1.00 return)²
    const r = deltaGamma([0], [gamma], [0.02 * 0.02], {level: 0.99, horizonDays: 1})
    expect(r.mean).toBeCloseTo(0.5 * gamma * 0.0004, 12)
    expect(r.sd).toBeCloseTo((gamma * 0.0004) / Math.SQRT2, 12)
    expect(r.skew).toBeCloseTo(Math.sqrt(8), 10)
  })
  it('without gamma it equals delta-normal', () => {
    const cov = covFromVolsCorr([0.02, 0.01], [[1, 0.3], [0.3, 1]])
    const dn = deltaNormal([120_000, 600_000], cov, {level: 0.99, horizonDays: 3})
    const dg = deltaGamma([120_000, 600_000], [0, 0], cov, {level: 0.99, horizonDays: 3})
    expect(dg.var).toBeCloseTo(dn.var, 6)
  })
  it('short gamma raises the VaR above delta-normal, long gamma lowers it', () => {
    const base = deltaNormal([100_000], [0.0004], {level: 0.99, horizonDays: 1}).var
    expect(deltaGamma([100_000], [-2e6], [0.0004], {level: 0.99, horizonDays: 1}).var).toBeGreaterThan(base)
    expect(deltaGamma([100_000], [2e6], [0.0004], {level: 0.99, horizonDays: 1}).var).toBeLessThan(base)
  })
})

describe('Monte Carlo draws', () => {
  const cov = covFromVolsCorr([0.02, 0.01], [[1, 0.3], [0.3, 1]])
  it('Cholesky reproduces the covariance', () => {
    const L = cholesky(cov, 2)
    expect(L[0] * L[0]).toBeCloseTo(cov[0], 15)
    expect(L[2] * L[0]).toBeCloseTo(cov[2], 15)
    expect(L[2] * L[2] + L[3] * L[3]).toBeCloseTo(cov[3], 15)
  })
  it('seeded: the same seed gives the same draws, another seed others; the sample covariance matches', () => {
    const a = monteCarloReturns(cov, 2, {scenarios: 20_000, seed: 7, distribution: 'normal', horizonDays: 1})
    const b = monteCarloReturns(cov, 2, {scenarios: 20_000, seed: 7, distribution: 'normal', horizonDays: 1})
    const c = monteCarloReturns(cov, 2, {scenarios: 20_000, seed: 8, distribution: 'normal', horizonDays: 1})
    expect(Array.from(a.subarray(0, 5))).toEqual(Array.from(b.subarray(0, 5)))
    expect(a[0]).not.toBe(c[0])
    const s = covariance([a.subarray(0, 20_000), a.subarray(20_000)])
    expect(Math.sqrt(s[0])).toBeCloseTo(0.02, 3)
    expect(s[1] / Math.sqrt(s[0] * s[3])).toBeCloseTo(0.3, 1)
  })
  it('Student-t has the same variance and fatter tails than the normal', () => {
    const n = monteCarloReturns([1], 1, {scenarios: 50_000, seed: 3, distribution: 'normal', horizonDays: 1})
    const t = monteCarloReturns([1], 1, {scenarios: 50_000, seed: 3, distribution: 'student-t', dof: 5, horizonDays: 1})
    expect(Math.sqrt(covariance([t])[0])).toBeCloseTo(1, 1)
    const far = (x: Float64Array) => x.filter((v) => Math.abs(v) > 3.5).length
    expect(far(t)).toBeGreaterThan(2 * far(n))
  })
  it('a 10-day horizon scales the draws by √10', () => {
    const one = monteCarloReturns([0.0004], 1, {scenarios: 10, seed: 1, distribution: 'normal', horizonDays: 1})
    const ten = monteCarloReturns([0.0004], 1, {scenarios: 10, seed: 1, distribution: 'normal', horizonDays: 10})
    expect(ten[3] / one[3]).toBeCloseTo(Math.sqrt(10), 12)
  })
})

describe('full revaluation', () => {
  const put = {underlying: 'AAPL', option: true, call: false, american: true, units: -100, spot: 100, strike: 95, years: 30 / 365, rate: 0.04, dividend: 0.01, vol: 0.3}
  it('a short American put: each scenario repriced with the American model, P&L = units × (value − value today)', () => {
    const book = legBook([put, {underlying: 'AAPL', option: false, units: 50, spot: 100}])
    const spotFactor = Float64Array.from([0.9, 1, 1.1])
    const volShift = Float64Array.from([0.05, 0, -0.02])
    const out = new Float64Array(3)
    revaluePnl(book, {n: 3, spotFactor, volShift, elapsedYears: 1 / 252}, out)
    const choice = {model: 'bsm' as const, style: 'american' as const}
    const today = optionPrice({right: 'put', spot: 100, strike: 95, years: 30 / 365, rate: 0.04, dividend: 0.01, vol: 0.3}, choice)
    const at = (S: number, v: number) => optionPrice({right: 'put', spot: S, strike: 95, years: 30 / 365 - 1 / 252, rate: 0.04, dividend: 0.01, vol: v}, choice)
    expect(out[0]).toBeCloseTo(-100 * (at(90, 0.35) - today) + 50 * -10, 9)
    expect(out[1]).toBeCloseTo(-100 * (at(100, 0.3) - today), 9)
    expect(out[2]).toBeCloseTo(-100 * (at(110, 0.28) - today) + 50 * 10, 9)
    // one day of decay on an unchanged market is a small gain for the short put
    expect(out[1]).toBeGreaterThan(0)
  })
  it('the interpolating engine stays within 0.5 % of the largest exact scenario P&L (per leg: a Chebyshev grid priced exactly)', () => {
    const legs = [put, {...put, call: true, strike: 110, units: 200, years: 90 / 365}, {...put, american: false, strike: 80, years: 400 / 365, units: -300}]
    const book = legBook(legs)
    const n = 500
    const spotFactor = Float64Array.from({length: n}, (_, i) => Math.exp(0.03 * Math.sin(i * 1.7) * 2))
    const volShift = Float64Array.from({length: n}, (_, i) => 0.02 * Math.cos(i * 0.9))
    const exact = new Float64Array(n)
    const grid = new Float64Array(n)
    revaluePnl(book, {n, spotFactor, volShift, elapsedYears: 1 / 252}, exact)
    revaluePnl(book, {n, spotFactor, volShift, elapsedYears: 1 / 252}, grid, {interpolate: true})
    const scale = Math.max(...Array.from(exact, Math.abs))
    const worst = Math.max(...Array.from(exact, (x, i) => Math.abs(x - grid[i])))
    expect(worst / scale).toBeLessThan(0.005)
    expect(varEsFromPnl(grid, 0.99).var).toBeCloseTo(varEsFromPnl(exact, 0.99).var, -1)
  })
  it('the engine is a parameter', () => {
    const book = legBook([put])
    const out = new Float64Array(1)
    revaluePnl(book, {n: 1, spotFactor: Float64Array.of(1), volShift: null, elapsedYears: 0}, out, {engine: (_c, S) => S})
    expect(out[0]).toBe(0)
    revaluePnl(book, {n: 1, spotFactor: Float64Array.of(1.1), volShift: null, elapsedYears: 0}, out, {engine: (_c, S) => S})
    expect(out[0]).toBeCloseTo(-100 * 10, 9)
    expect(apiEngine()(false, 100, 95, 30 / 365, 0.04, 0.01, 0.3, false, true)).toBe(optionPrice({right: 'put', spot: 100, strike: 95, years: 30 / 365, rate: 0.04, dividend: 0.01, vol: 0.3}, {model: 'bsm', style: 'american'}))
  })
})

describe('stress grid', () => {
  it('portfolio-margin scan points: ±15 % in 3 % steps; index −8 … +6 %; vol −10 … +10 in 2.5', () => {
    expect(scanPoints({down: -15, up: 15, steps: 5})).toEqual([-15, -12, -9, -6, -3, 0, 3, 6, 9, 12, 15])
    expect(scanPoints({down: -8, up: 6, steps: 5})).toEqual([-8, -6.4, -4.8, -3.2, -1.6, 0, 1.2, 2.4, 3.6, 4.8, 6])
    expect(scanPoints({down: -10, up: 10, steps: 4})).toEqual([-10, -7.5, -5, -2.5, 0, 2.5, 5, 7.5, 10])
  })
  it('100 shares and a short call: each cell is the full revaluation; the worst cell is found', () => {
    const call = {underlying: 'XYZ', option: true, call: true, american: false, units: -100, spot: 50, strike: 55, years: 60 / 365, rate: 0.03, dividend: 0, vol: 0.25}
    const book = legBook([{underlying: 'XYZ', option: false, units: 100, spot: 50}, call])
    const moves = [scanPoints({down: -15, up: 15, steps: 5})]
    const vols = scanPoints({down: -10, up: 10, steps: 4})
    const g = stressGrid(book, moves, vols)
    const price = (S: number, v: number) => optionPrice({right: 'call', spot: S, strike: 55, years: 60 / 365, rate: 0.03, dividend: 0, vol: v})
    const base = price(50, 0.25)
    expect(g.total[0][8]).toBeCloseTo(100 * (42.5 - 50) - 100 * (price(42.5, 0.35) - base), 9)
    expect(g.total[5][4]).toBeCloseTo(0, 12)
    expect(g.underlying[0]).toEqual(g.total)
    const w = worstCell(g.total)!
    expect(w.move).toBe(0) // a covered call loses most when the stock falls
    expect(w.vol).toBe(8) // …and vol rises (the short call is worth more)
  })
})
