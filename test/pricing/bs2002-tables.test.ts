/*
 * The corrected Bjerksund–Stensland (2002) approximation against the values published with it:
 * P. Bjerksund & G. Stensland, "Closed form valuation of American options", NHH discussion paper
 * 2002:9, the tables of American calls and puts with K = 100, S = 80…120 (values at two decimals;
 * transcribed as in the tf-quant-finance test suite, which checks its BS2002 against them).
 * Tolerance half a cent (the tables are rounded to the cent) plus 2e-5: one value, the T = 3 put
 * at S = 110, r 8 %, q 12 % (11.79499 here, 11.80 printed), sits 1.1e-5 past the half cent, the
 * size of the difference between bivariate-normal approximations (the paper's vs ours, ~1e-15).
 */
import {describe, expect, it} from 'vitest'
import {optionPrice, type ModelChoice, type Right} from '../../src/core/pricing/index.js'

const BS2002: ModelChoice = {model: 'bsm', style: 'american', engine: 'bs2002'}
const SPOTS = [80, 90, 100, 110, 120]
const TOL = 5e-3 + 2e-5

// [r, q, σ, T, five calls (S = 80…120) then five puts]
const WITH_DIVIDENDS: Array<[number, number, number, number, number[]]> = [
  [0.08, 0.12, 0.2, 0.25, [0.03, 0.58, 3.51, 10.34, 20.0, 20.41, 11.25, 4.4, 1.12, 0.18]],
  [0.12, 0.16, 0.2, 0.25, [0.03, 0.57, 3.49, 10.31, 20.0, 20.23, 11.14, 4.35, 1.11, 0.18]],
  [0.08, 0.12, 0.4, 0.25, [1.05, 3.26, 7.39, 13.51, 21.26, 21.44, 13.91, 8.27, 4.52, 2.29]],
  [0.08, 0.12, 0.2, 0.5, [0.21, 1.35, 4.69, 10.98, 20.0, 20.96, 12.63, 6.37, 2.65, 0.92]],
  [0.08, 0.04, 0.2, 0.25, [0.05, 0.85, 4.44, 11.66, 20.9, 20.0, 10.21, 3.53, 0.79, 0.11]],
  [0.12, 0.08, 0.2, 0.25, [0.05, 0.84, 4.4, 11.55, 20.69, 20.0, 10.19, 3.51, 0.78, 0.11]],
  [0.08, 0.04, 0.4, 0.25, [1.29, 3.82, 8.35, 14.8, 22.71, 20.55, 12.94, 7.45, 3.94, 1.94]],
  [0.08, 0.04, 0.2, 0.5, [0.41, 2.18, 6.5, 13.42, 22.06, 20.0, 10.73, 4.74, 1.72, 0.52]],
  // long-dated (T = 3)
  [0.08, 0.12, 0.2, 3, [2.32, 4.74, 8.47, 13.77, 20.86, 25.64, 20.07, 15.49, 11.8, 8.88]],
  [0.08, 0.08, 0.2, 3, [3.97, 7.23, 11.68, 17.28, 23.95, 22.14, 16.17, 11.68, 8.35, 5.91]],
  [0.08, 0.04, 0.2, 3, [6.88, 11.49, 17.21, 23.84, 31.16, 20.33, 13.47, 8.91, 5.88, 3.87]],
]

// Puts on a non-dividend stock: [r, σ, T, five puts (S = 80…120)]
const NO_DIVIDEND_PUTS: Array<[number, number, number, number[]]> = [
  [0.08, 0.2, 0.25, [20.0, 10.02, 3.2, 0.66, 0.09]],
  [0.12, 0.2, 0.25, [20.0, 10.0, 2.9, 0.55, 0.07]],
  [0.08, 0.4, 0.25, [20.3, 12.54, 7.09, 3.69, 1.78]],
  [0.08, 0.2, 0.5, [20.0, 10.27, 4.15, 1.39, 0.39]],
  [0.08, 0.2, 3, [20.0, 11.68, 6.91, 4.13, 2.49]],
]

function bs2002(right: Right, spot: number, years: number, rate: number, dividend: number, vol: number): number {
  return optionPrice({right, spot, strike: 100, years, rate, dividend, vol}, BS2002)
}

describe('BS2002 reproduces the published Bjerksund–Stensland (2002) tables within 5e-3', () => {
  it.each(WITH_DIVIDENDS)('r=%d q=%d σ=%d T=%d: calls and puts, S = 80…120', (r, q, v, T, expected) => {
    const got = [
      ...SPOTS.map((S) => bs2002('call', S, T, r, q, v)),
      ...SPOTS.map((S) => bs2002('put', S, T, r, q, v)),
    ]
    for (let i = 0; i < expected.length; i++) expect(Math.abs(got[i] - expected[i]), `value ${i}: ${got[i]}`).toBeLessThanOrEqual(TOL)
  })

  it.each(NO_DIVIDEND_PUTS)('puts r=%d q=0 σ=%d T=%d, S = 80…120', (r, v, T, expected) => {
    const got = SPOTS.map((S) => bs2002('put', S, T, r, 0, v))
    for (let i = 0; i < expected.length; i++) expect(Math.abs(got[i] - expected[i]), `S=${SPOTS[i]}: ${got[i]}`).toBeLessThanOrEqual(TOL)
  })

  it("the issue's example: put S=K=100, T=0.5, σ 20 %, r 8 %, q 0 is 4.15 (was 4.1324 with the t1 barrier)", () => {
    expect(bs2002('put', 100, 0.5, 0.08, 0, 0.2)).toBeCloseTo(4.15, 2)
    expect(Math.abs(bs2002('put', 100, 0.5, 0.08, 0, 0.2) - 4.1324)).toBeGreaterThan(0.01)
  })
})
