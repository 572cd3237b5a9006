/*
 * Black's formula, in two layers.
 *
 * 1. The normalised Black function of P. Jäckel, "Let's Be Rational" (Wilmott, 2015):
 *      b(x, s) = e^{x/2}·Φ(x/s + s/2) − e^{−x/2}·Φ(x/s − s/2),   x = ln(F/K), s = σ√T,
 *    so that an undiscounted Black call is √(FK)·b(x, s) and a put is √(FK)·b(−x, s).
 *    It is evaluated in four regions so that b keeps its *relative* accuracy out of the money,
 *    where the two terms nearly cancel; implied volatility depends on that.
 *
 * 2. The generalised Black–Scholes model with cost of carry b (Haug's notation): spot S grows
 *    to the forward F = S·e^{bT} and is discounted at r. BSM with dividend yield q is b = r − q;
 *    Black-76 on a futures price is S = F and b = 0. Price and Greeks are written into a caller's
 *    object so that tight loops (the risk grid, the benchmark) allocate nothing.
 *
 * Greek units here are the annual/unit ones of the formulas (theta per year, vega per 1.00 of σ,
 * rho per 1.00 of r); index.ts scales them to the domain's units.
 */
import {erfcx, normCdf, ONE_OVER_SQRT_2, ONE_OVER_SQRT_2PI} from './normal.js'

const SQRT_PI_OVER_2 = 1.2533141373155002512078826424055226265035

/** Normalised intrinsic value of a call: max(e^{x/2} − e^{−x/2}, 0) = max(2·sinh(x/2), 0). */
export function normalisedIntrinsicCall(x: number): number {
  return x > 0 ? 2 * Math.sinh(0.5 * x) : 0
}

/** ∂b/∂s = φ(h + t)·e^{x/2} = exp(−(h² + t²)/2)/√(2π) with h = x/s, t = s/2. */
export function normalisedVega(x: number, s: number): number {
  if (!(s > 0)) return x === 0 ? ONE_OVER_SQRT_2PI : 0
  const h = x / s
  const t = 0.5 * s
  return ONE_OVER_SQRT_2PI * Math.exp(-0.5 * (h * h + t * t))
}

/**
 * Normalised Black call b(x, s) for any x and s ≥ 0. In the money it is the intrinsic value plus
 * the out-of-the-money value b(−x, s) (put–call symmetry), so all the numerics below see x ≤ 0.
 */
export function normalisedBlackCall(x: number, s: number): number {
  if (x > 0) return normalisedIntrinsicCall(x) + normalisedBlackOtm(-x, s, false)
  return normalisedBlackOtm(x, s, false)
}

/*
 * Regions for x ≤ 0, with h = x/s ≤ 0 and t = s/2. Writing Y(z) = Φ(z)/φ(z):
 *   b = exp(−(h² + t²)/2)/√(2π) · [Y(h + t) − Y(h − t)].
 * The bracket is a difference of nearly equal numbers when t is small (Taylor series in t) or
 * when h is very negative (asymptotic series for Y); elsewhere the scaled erfcx form loses at most
 * a couple of bits, and when the first Black term dominates (h + t > 0.85) Φ is used directly.
 */
const SMALL_T = 0.21 // Jäckel's τ = 2·ε^{1/16}: the Taylor series below is exact enough there
const ASYMPTOTIC_H = -10
const ASYMPTOTIC_GAP = 9.5 // need −(h + t) large for the asymptotic series of Y to converge fast

/** Where normalisedBlackOtm leaves ∂b/∂s when asked (saves recomputing the shared Gaussian). */
export const blackScratch = {vega: 0}

/**
 * b(x, s) for x ≤ 0 (out of the money or at the forward). With `wantVega` it also stores
 * ∂b/∂s in blackScratch.vega: three of the four regions share the factor exp(−(h² + t²)/2).
 */
export function normalisedBlackOtm(x: number, s: number, wantVega: boolean): number {
  if (!(s > 0)) {
    if (wantVega) blackScratch.vega = x === 0 ? ONE_OVER_SQRT_2PI : 0
    return 0
  }
  const h = x / s
  const t = 0.5 * s
  if (h + t > 0.85 && !(h < ASYMPTOTIC_H && -h - t > ASYMPTOTIC_GAP) && t >= SMALL_T) {
    if (wantVega) blackScratch.vega = ONE_OVER_SQRT_2PI * Math.exp(-0.5 * (h * h + t * t))
    const second = normCdf(h - t)
    return Math.exp(0.5 * x) * normCdf(h + t) - (second === 0 ? 0 : Math.exp(-0.5 * x) * second)
  }
  const gauss = Math.exp(-0.5 * (h * h + t * t))
  if (wantVega) blackScratch.vega = ONE_OVER_SQRT_2PI * gauss
  if (h < ASYMPTOTIC_H && -h - t > ASYMPTOTIC_GAP) return asymptoticBlack(h, t, gauss)
  if (t < SMALL_T) return smallTBlack(h, t, gauss)
  const diff = erfcx(-(h + t) * ONE_OVER_SQRT_2) - erfcx(-(h - t) * ONE_OVER_SQRT_2)
  return Math.max(0.5 * gauss * diff, 0)
}

/**
 * Y(h + t) − Y(h − t) = 2·Σ_{k odd} Y^{(k)}(h)·t^k/k!, where differentiating Y' = 1 + zY gives the
 * recurrence Y^{(n)} = h·Y^{(n−1)} + (n − 1)·Y^{(n−2)}. For −10 ≤ h ≤ 0 and t < 0.21 the series
 * converges within ~8 odd terms and the recurrence loses at most a few bits.
 */
function smallTBlack(h: number, t: number, gauss: number): number {
  const y0 = SQRT_PI_OVER_2 * erfcx(-h * ONE_OVER_SQRT_2)
  let yPrev = y0
  let yCur = 1 + h * y0 // Y'(h), the leading coefficient; positive for h ≤ 0
  let tk = t // t^n / n!
  let sum = yCur * t
  const t2 = t * t
  for (let n = 2; n < 40; n += 2) {
    const yEven = h * yCur + (n - 1) * yPrev
    const yOdd = h * yEven + n * yCur
    tk *= t2 / (n * (n + 1))
    const term = yOdd * tk
    sum += term
    yPrev = yEven
    yCur = yOdd
    if (Math.abs(term) <= 1e-17 * Math.abs(sum)) break
  }
  return Math.max(ONE_OVER_SQRT_2PI * gauss * 2 * sum, 0)
}

/**
 * For z → −∞, Y(z) ~ Σ_n (−1)^n (2n−1)!! / |z|^{2n+1} (Abramowitz & Stegun 26.2.12). With
 * v = −(h + t), w = −(h − t), ρ = v/w the bracket is Σ c_n·v^{−m}·(1 − ρ^m), m = 2n + 1, and
 * 1 − ρ^m is accumulated as a sum of positive terms so that nothing cancels for small t.
 */
function asymptoticBlack(h: number, t: number, gauss: number): number {
  const v = -h - t
  const w = -h + t
  const rho = v / w
  const rho2 = rho * rho
  const oneMinusRho = (2 * t) / w
  const oneMinusRho2 = oneMinusRho * (1 + rho)
  const invV2 = 1 / (v * v)
  let d = oneMinusRho // 1 − ρ^m
  let rhoPow = rho // ρ^m
  let pw = 1 / v // v^{−m}
  let c = 1 // (−1)^n (2n−1)!!
  let sum = pw * d
  let lastAbs = Math.abs(sum)
  for (let n = 1; n < 60; n++) {
    d += rhoPow * oneMinusRho2
    rhoPow *= rho2
    pw *= invV2
    c *= -(2 * n - 1)
    const term = c * pw * d
    const a = Math.abs(term)
    if (a > lastAbs) break // the series is asymptotic: stop at its smallest term
    sum += term
    if (a <= 1e-17 * sum) break
    lastAbs = a
  }
  return Math.max(ONE_OVER_SQRT_2PI * gauss * sum, 0)
}

/** Price and Greeks in formula units (theta per year, vega per 1.00 σ, rho per 1.00 r). */
export interface RawGreeks {
  price: number
  delta: number
  gamma: number
  theta: number
  vega: number
  rho: number
}

export function newRawGreeks(): RawGreeks {
  return {price: 0, delta: 0, gamma: 0, theta: 0, vega: 0, rho: 0}
}

/*
 * Price from the two Black terms S·e^{(b−r)T}·Φ(±d1) and K·e^{−rT}·Φ(±d2), which the Greeks need
 * anyway. Each term carries a relative error of about (1 + d1²)·ε (the rounding of d1 seen
 * through the Gaussian tail), and the difference amplifies it by (larger term)/price. Where that
 * product could exceed ~100 ulps (out of the money at small s, or near the money at tiny s) the
 * normalised Black function above, which keeps full relative accuracy, takes over. gbsInto and
 * gbsPrice share this so that price-only and price+Greeks agree exactly.
 */
function priceFromTerms(
  isCall: boolean,
  spot: number,
  strike: number,
  dfCarry: number,
  df: number,
  x: number,
  s: number,
  d1: number,
  cd1: number,
  cd2: number,
): number {
  const sTerm = spot * dfCarry * cd1
  const kTerm = strike * df * cd2
  const price = isCall ? sTerm - kTerm : kTerm - sTerm
  const big = isCall ? sTerm : kTerm
  if (100 * price > (1 + d1 * d1) * big) return price
  // e^{−rT}·√(FK) = √(SK)·e^{(b/2 − r)T} = √(SK)·√(e^{(b−r)T}·e^{−rT})
  return Math.sqrt(spot * strike * dfCarry * df) * normalisedBlackCall(isCall ? x : -x, s)
}

/** σ ≤ 0, S = 0 or K = 0: the lognormal collapses to the forward (or to nothing). */
function degeneratePrice(isCall: boolean, spot: number, strike: number, dfCarry: number, df: number): number {
  if (spot === 0) return isCall ? 0 : strike * df
  if (strike === 0) return isCall ? spot * dfCarry : 0
  return Math.max(isCall ? spot * dfCarry - strike * df : strike * df - spot * dfCarry, 0)
}

/**
 * Generalised Black–Scholes price and Greeks (cost of carry b), written into `out`.
 * `carryFollowsRate` says whether b moves with r in rho: true for BSM (b = r − q, q fixed),
 * false for Black-76 (b = 0 whatever r). Theta holds S (or F) fixed as calendar time passes.
 * Preconditions (checked by callers): all finite, spot ≥ 0, strike ≥ 0, years > 0.
 */
export function gbsInto(
  out: RawGreeks,
  isCall: boolean,
  spot: number,
  strike: number,
  years: number,
  rate: number,
  carry: number,
  vol: number,
  carryFollowsRate: boolean,
): RawGreeks {
  const sqrtT = Math.sqrt(years)
  const s = vol > 0 ? vol * sqrtT : 0
  const dfCarry = Math.exp((carry - rate) * years) // e^{(b−r)T}: e^{−qT} for BSM, e^{−rT} for Black-76
  const df = Math.exp(-rate * years)
  const theta = isCall ? 1 : -1
  let d1: number
  let cd1: number
  let cd2: number
  let price: number
  if (spot === 0 || strike === 0 || !(s > 0)) {
    // d1 = d2 = ±∞ (0 exactly at the forward).
    const fwdMinusK = spot === 0 ? -strike : strike === 0 ? Infinity : spot * Math.exp(carry * years) - strike
    d1 = fwdMinusK > 0 ? Infinity : fwdMinusK < 0 ? -Infinity : 0
    cd1 = cd2 = normCdf(theta * d1)
    price = degeneratePrice(isCall, spot, strike, dfCarry, df)
  } else {
    const x = Math.log(spot / strike) + carry * years // ln(F/K)
    d1 = x / s + 0.5 * s
    cd1 = normCdf(theta * d1)
    cd2 = normCdf(theta * (d1 - s))
    price = priceFromTerms(isCall, spot, strike, dfCarry, df, x, s, d1, cd1, cd2)
  }
  const nd1 = d1 === Infinity || d1 === -Infinity ? 0 : ONE_OVER_SQRT_2PI * Math.exp(-0.5 * d1 * d1)
  const sDisc = spot * dfCarry
  const kDisc = strike * df
  out.price = price
  out.delta = theta * dfCarry * cd1
  out.gamma = s > 0 && spot > 0 ? (dfCarry * nd1) / (spot * s) : 0
  out.vega = sDisc * nd1 * sqrtT
  out.theta =
    (s > 0 ? (-sDisc * nd1 * vol) / (2 * sqrtT) : 0) -
    theta * (carry - rate) * sDisc * cd1 -
    theta * rate * kDisc * cd2
  out.rho = carryFollowsRate ? theta * strike * years * df * cd2 : -years * price
  return out
}

/** Generalised Black–Scholes price only (bit-identical to gbsInto().price, less work). */
export function gbsPrice(
  isCall: boolean,
  spot: number,
  strike: number,
  years: number,
  rate: number,
  carry: number,
  vol: number,
): number {
  const s = vol > 0 ? vol * Math.sqrt(years) : 0
  const dfCarry = Math.exp((carry - rate) * years)
  const df = Math.exp(-rate * years)
  if (spot === 0 || strike === 0 || !(s > 0)) return degeneratePrice(isCall, spot, strike, dfCarry, df)
  const x = Math.log(spot / strike) + carry * years
  const d1 = x / s + 0.5 * s
  const theta = isCall ? 1 : -1
  return priceFromTerms(isCall, spot, strike, dfCarry, df, x, s, d1, normCdf(theta * d1), normCdf(theta * (d1 - s)))
}

/** Black-76 (options on futures) price: F is the futures price, discounting at r. */
export function black76Price(isCall: boolean, forward: number, strike: number, years: number, rate: number, vol: number): number {
  return gbsPrice(isCall, forward, strike, years, rate, 0, vol)
}

/** Black-76 price and Greeks (delta/gamma per 1.00 of F; rho holds F fixed: −T·V). */
export function black76Into(
  out: RawGreeks,
  isCall: boolean,
  forward: number,
  strike: number,
  years: number,
  rate: number,
  vol: number,
): RawGreeks {
  return gbsInto(out, isCall, forward, strike, years, rate, 0, vol, false)
}
