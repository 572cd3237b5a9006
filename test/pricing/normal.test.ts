/*
 * Normal distribution functions against values computed to 40 digits (mpmath 1.3, exact binary
 * inputs), checked in relative terms: the implied-vol code relies on full relative accuracy in
 * the tails.
 */
import {describe, expect, it} from 'vitest'
import {erfc, erfcx, normCdf, normInv, normPdf} from '../../src/core/pricing/normal.js'

const EPS = 2.220446049250313e-16

function relErr(actual: number, expected: number): number {
  return expected === 0 ? Math.abs(actual) : Math.abs(actual / expected - 1)
}

describe('normCdf', () => {
  const table: Array<[number, number]> = [
    [-37, 5.7255712225245768227e-300],
    [-20, 2.7536241186062336951e-89],
    [-10, 7.619853024160526066e-24],
    [-5, 2.8665157187919391167e-7],
    [-1, 0.15865525393145705141],
    [-0.3, 0.38208857781104736693],
    [0, 0.5],
    [0.5, 0.69146246127401310364],
    [3, 0.99865010196836990547],
    [8.5, 0.99999999999999999052],
  ]
  it.each(table)('Φ(%d) to a few ulps', (x, expected) => {
    expect(relErr(normCdf(x), expected)).toBeLessThan(8 * EPS)
  })

  it('underflows to 0 below −38.5 and saturates at 1', () => {
    expect(normCdf(-40)).toBe(0)
    expect(normCdf(40)).toBe(1)
  })

  it('is symmetric: Φ(x) + Φ(−x) = 1', () => {
    for (let x = -8; x <= 8; x += 0.37) expect(normCdf(x) + normCdf(-x)).toBeCloseTo(1, 15)
  })
})

describe('erfc / erfcx (Cody)', () => {
  const table: Array<[number, number, number]> = [
    // x, erfc(x), erfcx(x) = e^{x²}·erfc(x)
    [0.3, 0.67137324054087258381, 0.73459933456765514992],
    [1, 0.15729920705028513066, 0.42758357615580700441],
    [2, 0.0046777349810472658379, 0.25539567631050574387],
    [5, 1.5374597944280348502e-12, 0.11070463773306862637],
    [10, 2.088487583762544757e-45, 0.056140992743822585858],
    [26, 5.6631924088561428465e-296, 0.021683584850562906616],
  ]
  it.each(table)('x = %d', (x, ec, ex) => {
    expect(relErr(erfc(x), ec)).toBeLessThan(4 * EPS)
    expect(relErr(erfcx(x), ex)).toBeLessThan(4 * EPS)
    expect(relErr(erfc(-x), 2 - ec)).toBeLessThan(4 * EPS)
  })

  it('erfcx for negative arguments is 2·e^{x²} − erfcx(−x)', () => {
    for (const x of [-0.2, -1, -3, -10]) {
      expect(relErr(erfcx(x), 2 * Math.exp(x * x) - erfcx(-x))).toBeLessThan(1e-14)
    }
  })
})

describe('normInv (Wichura AS 241)', () => {
  const table: Array<[number, number]> = [
    // Newton on Φ in 50-digit arithmetic from the exact binary value of p.
    [1e-300, -37.047096299361199237],
    [1e-100, -21.273453560965324294],
    [1e-10, -6.3613409024040561991],
    [0.025, -1.9599639845400542118],
    [0.3, -0.52440051270804081597],
    [0.975, 1.9599639845400538556],
    [0.999999, 4.7534243088170877657],
  ]
  it.each(table)('Φ⁻¹(%d)', (p, expected) => {
    expect(relErr(normInv(p), expected)).toBeLessThan(4 * EPS)
  })

  it('Φ⁻¹(½) = 0, ±∞ at the ends, NaN outside [0, 1]', () => {
    expect(normInv(0.5)).toBe(0)
    expect(normInv(0)).toBe(-Infinity)
    expect(normInv(1)).toBe(Infinity)
    expect(normInv(-0.1)).toBeNaN()
    expect(normInv(1.5)).toBeNaN()
  })

  it('round-trips Φ(Φ⁻¹(p)) = p over 300 decades', () => {
    for (let e = -300; e <= -1; e += 7) {
      const p = Math.pow(10, e) * 1.2345
      const x = normInv(p)
      // dΦ/Φ = |x|·dx near the tail, so allow the conditioning of Φ itself.
      expect(relErr(normCdf(x), p)).toBeLessThan((2 + x * x) * 4 * EPS)
    }
  })
})

describe('normPdf', () => {
  it('φ(0) = 1/√(2π), φ(1) = e^{−½}/√(2π)', () => {
    expect(normPdf(0)).toBeCloseTo(0.3989422804014327, 16)
    expect(relErr(normPdf(1), 0.24197072451914334)).toBeLessThan(4 * EPS)
  })
})
