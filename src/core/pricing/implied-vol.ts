/*
 * Implied volatility.
 *
 * European (Black-76 and BSM): P. Jäckel, "Let's Be Rational", Wilmott (2015) 40–53. The price is
 * reduced to the normalised Black function b(x, s) of an out-of-the-money call (x = ln(F/K) ≤ 0,
 * s = σ√T). The s axis is cut at s_c = √(2|x|) (inflection of b), s_l and s_u (where the tangent
 * at s_c meets 0 and b_max = e^{x/2}). On each of the four pieces an initial guess comes from a
 * rational cubic (Delbourgo–Gregory) interpolation, in the two outer pieces of a transformed
 * variable that makes b nearly linear, and is then polished with Householder steps of order 3 on
 * an objective chosen per piece (1/ln b low down, ln(b_max − b) near the top, b itself between).
 * Two steps reach the accuracy of the price itself.
 *
 * American: against the exact engine (or BS2002 on request), from the European IV corrected for
 * the early-exercise premium, then bracketed secant steps.
 */
import {bs2002Price} from './american.js'
import {exactAmericanPrice} from './american-exact.js'
import {blackScratch, normalisedBlackOtm, normalisedIntrinsicCall} from './black76.js'
import {normCdf, normInv, erfcx, ONE_OVER_SQRT_2, ONE_OVER_SQRT_2PI} from './normal.js'

const DBL_EPSILON = 2.220446049250313e-16
const DBL_MIN = 2.2250738585072014e-308
const DBL_MAX = Number.MAX_VALUE
const SQRT_DBL_MAX = 1.3407807929942596e154
const TWO_PI = 2 * Math.PI
const SQRT_PI_OVER_2 = 1.2533141373155002512078826424055226265035
const SQRT_THREE = Math.sqrt(3)
const SQRT_ONE_OVER_THREE = Math.sqrt(1 / 3)
const TWO_PI_OVER_SQRT_27 = (2 * Math.PI) / Math.sqrt(27)

// Rational cubic control parameter limits: r → −1 is the singular end, r → ∞ linear interpolation.
const MIN_R = -(1 - Math.sqrt(DBL_EPSILON))
const MAX_R = 2 / (DBL_EPSILON * DBL_EPSILON)

/*
 * Rational cubic interpolation (R. Delbourgo & J. A. Gregory, "Shape preserving piecewise
 * rational interpolation", SIAM J. Sci. Stat. Comput. 6 (1985)) between (xl, yl, slope dl) and
 * (xr, yr, slope dr) with control parameter r (r = 3 is the cubic Hermite interpolant).
 */
function rationalCubic(x: number, xl: number, xr: number, yl: number, yr: number, dl: number, dr: number, r: number): number {
  const h = xr - xl
  if (!(Math.abs(h) > 0)) return 0.5 * (yl + yr)
  const t = (x - xl) / h
  if (r < MAX_R) {
    const omt = 1 - t
    const t2 = t * t
    const omt2 = omt * omt
    return (yr * t2 * t + (r * yr - h * dr) * t2 * omt + (r * yl + h * dl) * t * omt2 + yl * omt2 * omt) / (1 + (r - 3) * t * omt)
  }
  return yr * t + yl * (1 - t)
}

/*
 * Expanding the interpolant at t = 0 gives R''(xl) = (2/h)·[r·(Δ − dl) − (dr − dl)] with
 * Δ = (yr − yl)/h, and symmetrically R''(xr) = (2/h)·[r·(dr − Δ) − (dr − dl)]; these solve for r.
 */
function rToFitSecondLeft(xl: number, xr: number, yl: number, yr: number, dl: number, dr: number, second: number): number {
  const h = xr - xl
  const num = 0.5 * h * second + (dr - dl)
  if (num === 0) return 0
  const den = (yr - yl) / h - dl
  if (den === 0) return num > 0 ? MAX_R : MIN_R
  return num / den
}

function rToFitSecondRight(xl: number, xr: number, yl: number, yr: number, dl: number, dr: number, second: number): number {
  const h = xr - xl
  const num = 0.5 * h * second + (dr - dl)
  if (num === 0) return 0
  const den = dr - (yr - yl) / h
  if (den === 0) return num > 0 ? MAX_R : MIN_R
  return num / den
}

/**
 * Smallest r that keeps the interpolant monotone (r ≥ (dl + dr)/Δ) and convex/concave
 * (r ≥ |(dr − dl)/(dr − Δ)|, |(dr − dl)/(Δ − dl)|) when the data are, per Delbourgo & Gregory.
 */
function minimumShapeR(dl: number, dr: number, delta: number, preferShape: boolean): number {
  const monotonic = dl * delta >= 0 && dr * delta >= 0
  const convex = dl <= delta && delta <= dr
  const concave = dl >= delta && delta >= dr
  if (!monotonic && !convex && !concave) return MIN_R
  let r1 = -DBL_MAX
  let r2 = -DBL_MAX
  if (monotonic) {
    if (delta !== 0) r1 = (dr + dl) / delta
    else if (preferShape) r1 = MAX_R
  }
  if (convex || concave) {
    const a = delta - dl
    const b = dr - delta
    if (a !== 0 && b !== 0) r2 = Math.max(Math.abs((dr - dl) / b), Math.abs((dr - dl) / a))
    else if (preferShape) r2 = MAX_R
  } else if (monotonic && preferShape) {
    r2 = MAX_R
  }
  return Math.max(MIN_R, r1, r2)
}

function shapeRFitLeft(xl: number, xr: number, yl: number, yr: number, dl: number, dr: number, second: number, preferShape: boolean): number {
  const r = rToFitSecondLeft(xl, xr, yl, yr, dl, dr, second)
  return Math.max(r, minimumShapeR(dl, dr, (yr - yl) / (xr - xl), preferShape))
}

function shapeRFitRight(xl: number, xr: number, yl: number, yr: number, dl: number, dr: number, second: number, preferShape: boolean): number {
  const r = rToFitSecondRight(xl, xr, yl, yr, dl, dr, second)
  return Math.max(r, minimumShapeR(dl, dr, (yr - yl) / (xr - xl), preferShape))
}

/*
 * Lower map f(s) = (2π|x|/√27)·Φ(−z)³ with z = |x|/(√3·s): as s → 0, f ≈ b, so interpolating f
 * in b is nearly linear (slope 1 at the origin). Derivatives are w.r.t. b (chain rule through
 * b'(s)), with Φ(−z) = ½·erfcx(z/√2)·e^{−z²/2} so that the large exponentials cancel analytically:
 *   df/db = 2π·y·Φ(−z)²·e^{y + s²/8},  y = z²
 *   d²f/db² = 2π·(y/s)·Φ(−z)·e^{2y + s²/4}·[2z + Y(−z)·(s²/4 − 2 − 2y)],  Y = Φ/φ.
 */
const lowerMapOut = {f: 0, fp: 0, fpp: 0}
function lowerMap(x: number, s: number): void {
  const ax = Math.abs(x)
  const z = (SQRT_ONE_OVER_THREE * ax) / s
  const y = z * z
  const s2 = s * s
  const ex = erfcx(z * ONE_OVER_SQRT_2) // Φ(−z) = ½·ex·e^{−y/2}
  const halfEx = 0.5 * ex
  const phiRatio = SQRT_PI_OVER_2 * ex // Y(−z) = Φ(−z)/φ(z)
  lowerMapOut.fp = TWO_PI * y * halfEx * halfEx * Math.exp(0.125 * s2)
  lowerMapOut.fpp = TWO_PI * (y / s) * halfEx * Math.exp(1.5 * y + 0.25 * s2) * (2 * z + phiRatio * (0.25 * s2 - 2 - 2 * y))
  const cdf = normCdf(-z)
  lowerMapOut.f = TWO_PI_OVER_SQRT_27 * ax * cdf * cdf * cdf
}

function inverseLowerMap(x: number, f: number): number {
  const ax = Math.abs(x)
  return Math.abs(ax / (SQRT_THREE * normInv(Math.cbrt(f / (TWO_PI_OVER_SQRT_27 * ax)))))
}

/*
 * Upper map f(s) = Φ(−s/2), which goes to 0 linearly as b → b_max (df/db → −½):
 *   df/db = −½·e^{w/2},  d²f/db² = √(π/2)·(w/s)·e^{w + s²/8},  w = (x/s)².
 */
const upperMapOut = {f: 0, fp: 0, fpp: 0}
function upperMap(x: number, s: number): void {
  upperMapOut.f = normCdf(-0.5 * s)
  const w = (x / s) * (x / s)
  upperMapOut.fp = -0.5 * Math.exp(0.5 * w)
  upperMapOut.fpp = SQRT_PI_OVER_2 * Math.exp(w + 0.125 * s * s) * (w / s)
}

/** Householder(3) step multiplier: s += newton·(1 + halley·newton/2)/(1 + newton·(halley + hh3·newton/6)). */
function householderFactor(newton: number, halley: number, hh3: number): number {
  return (1 + 0.5 * halley * newton) / (1 + newton * (halley + (hh3 * newton) / 6))
}

const MAX_ITERATIONS = 12
// Quartic convergence: a step of relative size δ leaves an error of order C·δ⁴ (C is O(1) for
// these objectives), so once a step is below 1e-6·s the iterate is exact to the last bit and
// another evaluation of b(x, s) would be wasted. Usually that is after the second step.
const CONVERGED = 1e-6

/**
 * Normalised implied volatility s = σ√T of an out-of-the-money call: x ≤ 0, 0 < β < e^{x/2}.
 */
function normalisedVolOtmCall(beta: number, x: number, bMax: number): number {
  const sc = Math.sqrt(2 * Math.abs(x))
  // At s_c, h = −t, so b(x, s_c) = ½·e^{x/2} − e^{−x/2}·Φ(−s_c) and b'(x, s_c) = e^{x/2}/√(2π).
  // The closed form loses a few bits to cancellation for tiny |x|; b_c only places the branch
  // boundary and an interpolation node, so that costs iterations nowhere.
  const bc = Math.abs(x) < 700 ? Math.max(0.5 * bMax - normCdf(-sc) / bMax, 0) : normalisedBlackOtm(x, sc, false)
  const vc = ONE_OVER_SQRT_2PI * bMax
  let s: number
  if (beta < bc) {
    const sl = sc - bc / vc
    const bl = sl > 0 ? normalisedBlackOtm(x, sl, true) : 0
    const vl = sl > 0 ? blackScratch.vega : 0
    if (beta < bl) {
      lowerMap(x, sl)
      const fl = lowerMapOut.f
      const r = shapeRFitRight(0, bl, 0, fl, 1, lowerMapOut.fp, lowerMapOut.fpp, true)
      let f = rationalCubic(beta, 0, bl, 0, fl, 1, lowerMapOut.fp, r)
      if (!(f > 0)) {
        // Rounding in extreme wings: fall back to the quadratic through f(0) = 0, f'(0) = 1, f(b_l).
        const t = beta / bl
        f = (fl * t + bl * (1 - t)) * t
      }
      s = inverseLowerMap(x, f)
      return iterateLower(beta, x, s)
    }
    if (sl > 0) {
      const r = shapeRFitRight(bl, bc, sl, sc, 1 / vl, 1 / vc, 0, false)
      s = rationalCubic(beta, bl, bc, sl, sc, 1 / vl, 1 / vc, r)
    } else {
      s = (sc * beta) / bc
    }
  } else {
    const su = vc > DBL_MIN ? sc + (bMax - bc) / vc : DBL_MAX
    const bu = su < DBL_MAX ? normalisedBlackOtm(x, su, true) : bMax
    const vu = su < DBL_MAX ? blackScratch.vega : 0
    if (beta <= bu) {
      const r = shapeRFitLeft(bc, bu, sc, su, 1 / vc, 1 / vu, 0, false)
      s = rationalCubic(beta, bc, bu, sc, su, 1 / vc, 1 / vu, r)
    } else {
      upperMap(x, su)
      let f = NaN
      if (upperMapOut.fpp > -SQRT_DBL_MAX && upperMapOut.fpp < SQRT_DBL_MAX) {
        const r = shapeRFitLeft(bu, bMax, upperMapOut.f, 0, upperMapOut.fp, -0.5, upperMapOut.fpp, true)
        f = rationalCubic(beta, bu, bMax, upperMapOut.f, 0, upperMapOut.fp, -0.5, r)
      }
      if (!(f > 0)) {
        const h = bMax - bu
        const t = (beta - bu) / h
        f = (upperMapOut.f * (1 - t) + 0.5 * h * t) * (1 - t)
      }
      s = -2 * normInv(f)
      if (beta > 0.5 * bMax) return iterateUpper(beta, x, bMax, s)
    }
  }
  return iterateMiddle(beta, x, s)
}

/*
 * Derivatives of b in s used by all three objectives (from b' = e^{−(h²+t²)/2}/√(2π)):
 *   b''/b' = x²/s³ − s/4,   b'''/b' = (b''/b')² − 3·(x/s²)² − 1/4.
 * Each loop keeps a bracket [sLeft, sRight] and bisects if a step would leave it, which only
 * happens for absurd inputs (|x| in the hundreds). The bracket is built from evaluated points
 * only: the branch limits s_l, s_c, s_u are theoretical, and b_c is not computed by the same
 * arithmetic as the iterates, so they could exclude a root that sits on a branch boundary.
 */
function iterateMiddle(beta: number, x: number, s: number): number {
  let sLeft = DBL_MIN
  let sRight = DBL_MAX
  if (!(s > sLeft && s < sRight)) s = bisect(sLeft, sRight)
  for (let i = 0; i < MAX_ITERATIONS; i++) {
    const b = normalisedBlackOtm(x, s, true)
    const bp = blackScratch.vega
    if (b > beta && s < sRight) sRight = s
    else if (b < beta && s > sLeft) sLeft = s
    let ds: number
    if (!(bp > DBL_MIN)) {
      ds = bisect(sLeft, sRight) - s
    } else {
      const newton = (beta - b) / bp
      const xs2 = x / (s * s)
      const halley = xs2 * xs2 * s - 0.25 * s
      const hh3 = halley * halley - 3 * xs2 * xs2 - 0.25
      ds = Math.max(-0.5 * s, newton * householderFactor(newton, halley, hh3))
    }
    let next = s + ds
    if (!(next >= sLeft && next <= sRight)) next = bisect(sLeft, sRight)
    const step = next - s
    s = next
    if (Math.abs(step) <= CONVERGED * s || sRight - sLeft <= DBL_EPSILON * s) break
  }
  return s
}

/*
 * Lowest piece: g(s) = 1/ln b(s) − 1/ln β, which is close to linear in s where b is tiny.
 *   newton = (ln β − ln b)·(ln b/ln β)·(b/b'),  halley = b''/b' − (b'/b)(1 + 2/ln b),
 *   hh3 = b'''/b' + 2(b'/b)²(1 + (3/ln b)(1 + 1/ln b)) − 3(b''/b')(b'/b)(1 + 2/ln b).
 */
function iterateLower(beta: number, x: number, s: number): number {
  let sLeft = DBL_MIN
  let sRight = DBL_MAX
  if (!(s > sLeft && s < sRight)) s = bisect(sLeft, sRight)
  const lnBeta = Math.log(beta)
  for (let i = 0; i < MAX_ITERATIONS; i++) {
    const b = normalisedBlackOtm(x, s, true)
    const bp = blackScratch.vega
    if (b > beta && s < sRight) sRight = s
    else if (b < beta && s > sLeft) sLeft = s
    let ds: number
    if (!(b > 0) || !(bp > 0)) {
      ds = bisect(sLeft, sRight) - s
    } else {
      const lnB = Math.log(b)
      const bpob = bp / b
      const xs2 = x / (s * s)
      const bHalley = xs2 * xs2 * s - 0.25 * s
      const bHh3 = bHalley * bHalley - 3 * xs2 * xs2 - 0.25
      const newton = (((lnBeta - lnB) * lnB) / lnBeta) / bpob
      const halley = bHalley - bpob * (1 + 2 / lnB)
      const hh3 = bHh3 + 2 * bpob * bpob * (1 + (3 / lnB) * (1 + 1 / lnB)) - 3 * bHalley * bpob * (1 + 2 / lnB)
      ds = Math.max(-0.5 * s, newton * householderFactor(newton, halley, hh3))
    }
    let next = s + ds
    if (!(next >= sLeft && next <= sRight)) next = bisect(sLeft, sRight)
    const step = next - s
    s = next
    if (Math.abs(step) <= CONVERGED * s || sRight - sLeft <= DBL_EPSILON * s) break
  }
  return s
}

/*
 * Highest piece: g(s) = ln(b_max − β) − ln(b_max − b(s)), well scaled as b → b_max.
 *   g' = b'/(b_max − b),  halley = b''/b' + g',  hh3 = b'''/b' + g'·(2g' + 3b''/b').
 */
function iterateUpper(beta: number, x: number, bMax: number, s: number): number {
  let sLeft = DBL_MIN
  let sRight = DBL_MAX
  if (!(s > sLeft && s < sRight)) s = bisect(sLeft, sRight)
  for (let i = 0; i < MAX_ITERATIONS; i++) {
    const b = normalisedBlackOtm(x, s, true)
    const bp = blackScratch.vega
    if (b > beta && s < sRight) sRight = s
    else if (b < beta && s > sLeft) sLeft = s
    let ds: number
    if (b >= bMax || !(bp > DBL_MIN)) {
      ds = bisect(sLeft, sRight) - s
    } else {
      const gap = bMax - b
      const g = Math.log((bMax - beta) / gap)
      const gp = bp / gap
      const xs2 = x / (s * s)
      const bHalley = xs2 * xs2 * s - 0.25 * s
      const bHh3 = bHalley * bHalley - 3 * xs2 * xs2 - 0.25
      const newton = -g / gp
      const halley = bHalley + gp
      const hh3 = bHh3 + gp * (2 * gp + 3 * bHalley)
      ds = Math.max(-0.5 * s, newton * householderFactor(newton, halley, hh3))
    }
    let next = s + ds
    if (!(next >= sLeft && next <= sRight)) next = bisect(sLeft, sRight)
    const step = next - s
    s = next
    if (Math.abs(step) <= CONVERGED * s || sRight - sLeft <= DBL_EPSILON * s) break
  }
  return s
}

/** Midpoint of a bracket whose right end may still be "unbounded" (DBL_MAX). */
function bisect(lo: number, hi: number): number {
  if (hi >= DBL_MAX) return Math.max(2 * lo, 1)
  return 0.5 * (lo + hi)
}

/**
 * Normalised implied vol s = σ√T from a normalised price β = P/(D·√(FK)), x = ln(F/K).
 * NaN when β is not strictly inside (intrinsic, upper bound).
 */
export function normalisedImpliedVol(beta: number, x: number, isCall: boolean): number {
  if (!(beta > 0) || !Number.isFinite(beta) || !Number.isFinite(x)) return NaN
  // In the money: keep only the time value, which is the out-of-the-money option's value.
  if (isCall ? x > 0 : x < 0) beta -= normalisedIntrinsicCall(Math.abs(x))
  const xo = -Math.abs(x)
  if (!(beta > 0)) return NaN
  const bMax = Math.exp(0.5 * xo)
  if (!(beta < bMax)) return NaN
  return normalisedVolOtmCall(beta, xo, bMax)
}

/**
 * Black-76 implied vol. `price` is the discounted option price, `discount` = e^{−rT}.
 * Returns null outside the no-arbitrage bounds (price ≤ discounted intrinsic, or ≥ D·F for a
 * call, ≥ D·K for a put), or for invalid inputs.
 */
export function impliedVolBlack(price: number, isCall: boolean, forward: number, strike: number, years: number, discount: number): number | null {
  if (!(forward > 0 && strike > 0 && years > 0 && discount > 0 && price > 0)) return null
  if (!Number.isFinite(forward) || !Number.isFinite(strike) || !Number.isFinite(years) || !Number.isFinite(price)) return null
  if (onOrOutsideBounds(price, isCall, discount * forward, discount * strike)) return null
  const x = Math.log(forward / strike)
  const beta = price / (discount * Math.sqrt(forward * strike))
  const s = normalisedImpliedVol(beta, x, isCall)
  return acceptedVol(s, years)
}

/**
 * The largest implied vol returned (σ = 10, i.e. 1,000 %): the same limit `greeks --vol` accepts,
 * so that every IV we report can be fed back as an input. Above it the price carries no usable
 * volatility information (it sits a rounding error below the upper bound).
 */
export const MAX_IMPLIED_VOL = 10

/** σ from a normalised s = σ√T, or null when none was found or it is outside (0, MAX_IMPLIED_VOL]. */
function acceptedVol(s: number, years: number): number | null {
  if (!(Number.isFinite(s) && s > 0)) return null
  const vol = s / Math.sqrt(years)
  return vol > 0 && vol <= MAX_IMPLIED_VOL ? vol : null
}

/**
 * True when a European price is on or outside its no-arbitrage bounds, decided on the price
 * itself: `sDisc` = e^{−qT}·S (D·F), `kDisc` = e^{−rT}·K. A price exactly at the discounted
 * intrinsic or at the discounted upper bound has no implied vol (every small σ, resp. σ → ∞,
 * reproduces it); normalising first (β = P/(D·√(FK))) could round it strictly inside.
 */
function onOrOutsideBounds(price: number, isCall: boolean, sDisc: number, kDisc: number): boolean {
  const lower = Math.max(isCall ? sDisc - kDisc : kDisc - sDisc, 0)
  const upper = isCall ? sDisc : kDisc
  return !(price > lower && price < upper)
}

/** Inputs an implied vol can be solved from: positive, finite price, spot, strike and time; finite rate and yield. */
function solvable(price: number, spot: number, strike: number, years: number, rate: number, dividend: number): boolean {
  return spot > 0 && strike > 0 && years > 0 && price > 0 && [price, spot, strike, years, rate, dividend].every(Number.isFinite)
}

/** BSM implied vol (continuous dividend yield), via the Black-76 reduction F = S·e^{(r−q)T}. */
export function impliedVolBsm(
  price: number,
  isCall: boolean,
  spot: number,
  strike: number,
  years: number,
  rate: number,
  dividend: number,
): number | null {
  if (!solvable(price, spot, strike, years, rate, dividend)) return null
  if (onOrOutsideBounds(price, isCall, spot * Math.exp(-dividend * years), strike * Math.exp(-rate * years))) return null
  const carry = rate - dividend
  const x = Math.log(spot / strike) + carry * years
  const scale = Math.sqrt(spot * strike * Math.exp(-(rate + dividend) * years)) // e^{−rT}·√(FK)
  const s = normalisedImpliedVol(price / scale, x, isCall)
  return acceptedVol(s, years)
}

/**
 * American implied vol (`black76` means spot is a futures price with zero carry), solved against
 * the chosen engine ('exact', the converged one, by default; or 'fast' / 'bs2002'). Null at or below
 * intrinsic, at or above the upper bound (S for a call, K for a put), when no σ in
 * (0, MAX_IMPLIED_VOL] reproduces the price, and for invalid inputs.
 *
 * The American price is above the European at every σ, so the European IV σ_E of the same price
 * bounds the answer from above. The next guess treats the early-exercise premium as fixed: the
 * European IV of price − (A(σ) − E(σ)), which is usually within 1e-4 of the root; secant steps
 * then finish, inside a bracket that falls back to bisection. Typically 3–4 American prices.
 */
export function impliedVolAmerican(
  price: number,
  isCall: boolean,
  spot: number,
  strike: number,
  years: number,
  rate: number,
  dividend: number,
  black76: boolean,
  engine: 'exact' | 'fast' | 'bs2002' = 'exact',
): number | null {
  if (!solvable(price, spot, strike, years, rate, dividend)) return null
  const q = black76 ? rate : dividend // Black-76: b = r − q = 0
  const intrinsic = Math.max(isCall ? spot - strike : strike - spot, 0)
  const upper = isCall ? spot : strike
  if (!(price > intrinsic) || !(price < upper)) return null
  const fast = engine === 'fast'
  const f =
    engine === 'bs2002'
      ? (vol: number): number => bs2002Price(isCall, spot, strike, years, rate, q, vol) - price
      : (vol: number): number => exactAmericanPrice(isCall, spot, strike, years, rate, q, vol, fast) - price
  const euIv = (p: number): number | null => (p > 0 ? impliedVolBsm(p, isCall, spot, strike, years, rate, q) : null)
  const tol = 1e-12

  const euHi = euIv(price)
  let hi: number
  let fHi: number
  if (euHi === null) {
    // Above the European upper bound (e.g. a deep put between K·e^{−rT} and K): grow σ.
    hi = 1
    fHi = f(hi)
    while (!(fHi >= 0) && hi < MAX_IMPLIED_VOL) {
      hi = Math.min(2 * hi, MAX_IMPLIED_VOL)
      fHi = f(hi)
    }
    if (!(fHi >= 0)) return null
  } else {
    hi = euHi
    fHi = Math.max(f(hi), 0) // A(σ_E) ≥ E(σ_E) = price, up to rounding
  }
  if (fHi === 0) return hi
  let lo = 0
  // Premium-corrected European guess.
  const guess = euIv(price - fHi)
  let x = guess !== null && guess > 0 && guess < hi ? guess : 0.5 * hi
  let xPrev = hi
  let fPrev = fHi
  for (let i = 0; i < 60; i++) {
    const fx = f(x)
    if (fx === 0) return x
    if (fx > 0) hi = x
    else lo = x
    if (hi - lo <= tol * hi) break
    // Secant through the last two points; bisect when it leaves the bracket.
    let next = fx !== fPrev ? x - (fx * (x - xPrev)) / (fx - fPrev) : NaN
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi)
    xPrev = x
    fPrev = fx
    const step = Math.abs(next - x)
    x = next
    if (step <= tol * x) break
    // At the σ → 0 limit (the price of exercising at the best deterministic time) no σ is implied.
    if (lo === 0 && hi < 1e-8 && f(hi) > 0) return null
  }
  return x > 0 && x <= MAX_IMPLIED_VOL ? x : null
}
