/*
 * American options by the Bjerksund–Stensland (2002) approximation: P. Bjerksund & G. Stensland,
 * "Closed Form Valuation of American Options", NHH discussion paper (2002); formulas as in
 * E. G. Haug, "The Complete Guide to Option Pricing Formulas", 2nd ed. (2007), §3.1.3.
 *
 * The call is valued as the option exercised when S first reaches a flat barrier I2 during
 * [0, t1] and a flat barrier I1 during [t1, T], with t1 = ½(√5 − 1)·T; each barrier is fitted to
 * the Bjerksund–Stensland (1993) boundary for its remaining life. That strategy is feasible, so
 * the result is a (tight) lower bound of the true American value. Puts use the put–call
 * transformation P(S, K, T, r, q, σ) = C(K, S, T, q, r, σ). Carry b = r − q (b = 0 for futures).
 *
 * Every term is a coefficient times e^{λT}·S^γ·(normal probability); with small σ those factors
 * overflow while the probabilities underflow, so terms are assembled in log space (cdfScaled,
 * bvnScaled) and only the finite product is exponentiated.
 */
import {gbsPrice, type RawGreeks} from './black76.js'
import {erfcx, normCdf, ONE_OVER_SQRT_2} from './normal.js'
import {gaussLegendre} from './quadrature.js'

// 20-point Gauss–Legendre rule on [−1, 1] for the bivariate normal.
const GL_N = 20
const {x: GL_X, w: GL_W} = gaussLegendre(GL_N)

/** e^L·Φ(z) without overflow of e^L or underflow of Φ(z) when the product is representable. */
function cdfScaled(z: number, L: number): number {
  if (z < -5) return 0.5 * erfcx(-z * ONE_OVER_SQRT_2) * Math.exp(L - 0.5 * z * z)
  return Math.exp(L) * normCdf(z)
}

/**
 * e^L·M(a, b; ρ), M the standard bivariate normal CDF. By Plackett's identity ∂M/∂ρ is the
 * bivariate density, and with r = sin θ (Sheppard; Drezner & Wesolowsky, J. Stat. Comput. Simul.
 * 35, 1990):  M = Φ(a)Φ(b) + (1/2π)·∫₀^{asin ρ} exp(−(a² − 2ab·sin θ + b²)/(2cos²θ)) dθ.
 * BS2002 only needs |ρ| = √(t1/T) ≈ 0.786, where the integrand is smooth enough for 20-point
 * Gauss–Legendre to reach ~1e-15 (Genz, Statistics and Computing 14, 2004, uses the same rule).
 */
function bvnScaled(a: number, b: number, rho: number, L: number): number {
  let la = 0
  let ma: number
  if (a < -5) {
    ma = 0.5 * erfcx(-a * ONE_OVER_SQRT_2)
    la = -0.5 * a * a
  } else {
    ma = normCdf(a)
  }
  let lb = 0
  let mb: number
  if (b < -5) {
    mb = 0.5 * erfcx(-b * ONE_OVER_SQRT_2)
    lb = -0.5 * b * b
  } else {
    mb = normCdf(b)
  }
  const product = ma * mb * Math.exp(L + la + lb)
  const asr = Math.asin(rho)
  const half = 0.5 * asr
  const hs = 0.5 * (a * a + b * b)
  const ab = a * b
  let sum = 0
  for (let i = 0; i < GL_N; i++) {
    const th = half * (1 + GL_X[i])
    const sn = Math.sin(th)
    const c2 = 1 - sn * sn
    sum += GL_W[i] * Math.exp(L + (ab * sn - hs) / c2)
  }
  return Math.max(product + (half * sum) / (2 * Math.PI), 0)
}

interface Ctx {
  r: number
  b: number
  v: number
  v2: number
}

/** e^{logPre}·φ(S, T, γ, H, I)/S^γ·… : Haug's φ with the coefficient·S^γ given as its log. */
function phi(c: Ctx, S: number, T: number, gamma: number, H: number, I: number, logPre: number): number {
  const sT = c.v * Math.sqrt(T)
  const lambda = -c.r + gamma * c.b + 0.5 * gamma * (gamma - 1) * c.v2
  const kappa = (2 * c.b) / c.v2 + (2 * gamma - 1)
  const lnIS = Math.log(I / S)
  const d = (Math.log(S / H) + (c.b + (gamma - 0.5) * c.v2) * T) / sT
  const L = logPre + lambda * T
  return cdfScaled(-d, L) - cdfScaled(-d - (2 * lnIS) / sT, L + kappa * lnIS)
}

/** Haug's ψ (two-period barrier, correlation √(t1/T)), coefficient·S^γ given as its log. */
function psi(c: Ctx, S: number, T2: number, gamma: number, H: number, I2: number, I1: number, t1: number, logPre: number): number {
  const s1 = c.v * Math.sqrt(t1)
  const s2 = c.v * Math.sqrt(T2)
  const drift = c.b + (gamma - 0.5) * c.v2
  const lnSI1 = Math.log(S / I1)
  const lnA = Math.log((I2 * I2) / (S * I1))
  const e1 = (lnSI1 + drift * t1) / s1
  const e2 = (lnA + drift * t1) / s1
  const e3 = (lnSI1 - drift * t1) / s1
  const e4 = (lnA - drift * t1) / s1
  const f1 = (Math.log(S / H) + drift * T2) / s2
  const f2 = (Math.log((I2 * I2) / (S * H)) + drift * T2) / s2
  const f3 = (Math.log((I1 * I1) / (S * H)) + drift * T2) / s2
  const f4 = (Math.log((S * I1 * I1) / (H * I2 * I2)) + drift * T2) / s2
  const rho = Math.sqrt(t1 / T2)
  const lambda = -c.r + gamma * c.b + 0.5 * gamma * (gamma - 1) * c.v2
  const kappa = (2 * c.b) / c.v2 + (2 * gamma - 1)
  const L = logPre + lambda * T2
  return (
    bvnScaled(-e1, -f1, rho, L) -
    bvnScaled(-e2, -f2, rho, L + kappa * Math.log(I2 / S)) -
    bvnScaled(-e3, -f3, -rho, L + kappa * Math.log(I1 / S)) +
    bvnScaled(-e4, -f4, -rho, L + kappa * Math.log(I1 / I2))
  )
}

/**
 * BS2002 American call for carry b < r (q > 0) and σ > 0, T > 0, S > 0, K > 0.
 * (For b ≥ r early exercise is never optimal and the caller uses the European price.)
 */
function bs2002CallCore(S: number, K: number, T: number, r: number, b: number, v: number): number {
  const v2 = v * v
  const c: Ctx = {r, b, v, v2}
  const t1 = 0.5 * (Math.sqrt(5) - 1) * T
  // I1 is the barrier of the second period [t1, T], so its fit uses that period's remaining
  // life T − t1 (Haug's printed formula, which this once copied, uses t1 there by mistake).
  const t2 = T - t1
  // β > 1 is the larger root of ½σ²β(β−1) + bβ − r = 0 (perpetual call exponent; real since b < r).
  const beta = 0.5 - b / v2 + Math.sqrt((b / v2 - 0.5) ** 2 + (2 * r) / v2)
  const bInf = (beta / (beta - 1)) * K
  const b0 = Math.max(K, (r / (r - b)) * K)
  const spread = Math.max(bInf - b0, 0)
  const denom = spread * b0
  const h1 = denom > 0 ? (-(b * t2 + 2 * v * Math.sqrt(t2)) * K * K) / denom : -Infinity
  const h2 = denom > 0 ? (-(b * T + 2 * v * Math.sqrt(T)) * K * K) / denom : -Infinity
  const I1 = b0 + spread * -Math.expm1(h1)
  const I2 = b0 + spread * -Math.expm1(h2)
  if (S >= I2) return S - K
  const lnS = Math.log(S)
  const lnK = Math.log(K)
  // α·S^β = (I − K)·(S/I)^β, kept as a log.
  const la1 = Math.log(I1 - K) + beta * Math.log(S / I1)
  const la2 = Math.log(I2 - K) + beta * Math.log(S / I2)
  const alpha2SBeta = I2 > K ? Math.exp(la2) : 0
  let value = alpha2SBeta
  if (I2 > K) value -= phi(c, S, t1, beta, I2, I2, la2)
  value += phi(c, S, t1, 1, I2, I2, lnS)
  value -= phi(c, S, t1, 1, I1, I2, lnS)
  value -= phi(c, S, t1, 0, I2, I2, lnK)
  value += phi(c, S, t1, 0, I1, I2, lnK)
  if (I1 > K) {
    value += phi(c, S, t1, beta, I1, I2, la1)
    value -= psi(c, S, T, beta, I1, I2, I1, t1, la1)
  }
  value += psi(c, S, T, 1, I1, I2, I1, t1, lnS)
  value -= psi(c, S, T, 1, K, I2, I1, t1, lnS)
  value -= psi(c, S, T, 0, I1, I2, I1, t1, lnK)
  value += psi(c, S, T, 0, K, I2, I1, t1, lnK)
  return value
}

/**
 * σ = 0: the underlying moves deterministically at carry b, and the holder picks the best
 * exercise time t ∈ [0, T] for e^{−rt}·max(±(S·e^{bt} − K), 0). The first-order condition gives
 * e^{bt*} = rK/(qS); the maximum is at t*, 0 or T.
 */
function deterministicAmerican(isCall: boolean, S: number, K: number, T: number, r: number, q: number): number {
  const b = r - q
  const payoff = (t: number): number => {
    const v = isCall ? S * Math.exp((b - r) * t) - K * Math.exp(-r * t) : K * Math.exp(-r * t) - S * Math.exp((b - r) * t)
    return Math.max(v, 0)
  }
  let best = Math.max(payoff(0), payoff(T))
  if (b !== 0 && q !== 0 && r / q > 0) {
    const tStar = Math.log((r * K) / (q * S)) / b
    if (tStar > 0 && tStar < T) best = Math.max(best, payoff(tStar))
  }
  return best
}

/**
 * American price per unit under BS2002; q is the dividend yield (pass q = r for a futures
 * option, i.e. zero carry). Preconditions (checked in index.ts): finite, S, K ≥ 0, T > 0.
 * Always ≥ the European price and ≥ intrinsic (the true American value dominates both, and
 * enforcing it keeps the approximation from dipping below them in extreme corners).
 */
export function bs2002Price(isCall: boolean, S: number, K: number, T: number, r: number, q: number, v: number): number {
  const intrinsic = Math.max(isCall ? S - K : K - S, 0)
  if (!(T > 0)) return intrinsic
  if (!(v > 0)) return deterministicAmerican(isCall, S, K, T, r, q)
  const european = gbsPrice(isCall, S, K, T, r, r - q, v)
  if (S === 0 || K === 0) return Math.max(european, intrinsic)
  // Call: never exercised early when q ≤ 0. Put: transformed call has dividend yield r.
  if (isCall ? q <= 0 : r <= 0) return Math.max(european, intrinsic)
  const american = isCall ? bs2002CallCore(S, K, T, r, r - q, v) : bs2002CallCore(K, S, T, q, q - r, v)
  if (!Number.isFinite(american)) return Math.max(european, intrinsic)
  return Math.max(american, european, intrinsic)
}

/*
 * Greeks by central differences of the BS2002 price. The price is smooth and accurate to a few
 * ulps, so a relative bump h gives truncation ~h² and rounding ~ε/h (first derivatives) or
 * ~ε/h² (gamma); h = 1e-4 balances them at ~1e-8 relative for gamma and better for the rest.
 * The spot bump is also kept below 1e-3 of one standard deviation S·σ√T, the scale on which the
 * price curves, so that low-vol or short-dated options are not differenced across their kink.
 * Bumps are relative so that they stay inside the domain (T − dT > 0, σ − dσ > 0); rate is
 * bumped absolutely by 1e-5 (it may be 0 or negative).
 */
const REL_BUMP = 1e-4
const RATE_BUMP = 1e-5

export function americanInto(
  out: RawGreeks,
  isCall: boolean,
  S: number,
  K: number,
  T: number,
  r: number,
  q: number,
  v: number,
  black76: boolean,
): RawGreeks {
  // Black-76 on futures: carry 0 means q tracks r, also when r is bumped for rho.
  const qOf = (rate: number): number => (black76 ? rate : q)
  const price = bs2002Price(isCall, S, K, T, r, qOf(r), v)
  out.price = price
  const dS = S * (v > 0 ? Math.min(REL_BUMP, Math.max(1e-3 * v * Math.sqrt(T), 1e-7)) : REL_BUMP)
  if (dS > 0) {
    const up = bs2002Price(isCall, S + dS, K, T, r, qOf(r), v)
    const dn = bs2002Price(isCall, S - dS, K, T, r, qOf(r), v)
    out.delta = (up - dn) / (2 * dS)
    out.gamma = v > 0 ? (up - 2 * price + dn) / (dS * dS) : 0
  } else {
    // S = 0: one-sided; a call is worthless near 0 and a put moves one for one.
    const h = Math.max(K, 1) * REL_BUMP
    out.delta = (bs2002Price(isCall, h, K, T, r, qOf(r), v) - price) / h
    out.gamma = 0
  }
  const dT = T * REL_BUMP
  out.theta = -(bs2002Price(isCall, S, K, T + dT, r, qOf(r), v) - bs2002Price(isCall, S, K, T - dT, r, qOf(r), v)) / (2 * dT)
  if (v > 0) {
    const dv = v * REL_BUMP
    out.vega = (bs2002Price(isCall, S, K, T, r, qOf(r), v + dv) - bs2002Price(isCall, S, K, T, r, qOf(r), v - dv)) / (2 * dv)
  } else {
    out.vega = 0
  }
  out.rho =
    (bs2002Price(isCall, S, K, T, r + RATE_BUMP, qOf(r + RATE_BUMP), v) -
      bs2002Price(isCall, S, K, T, r - RATE_BUMP, qOf(r - RATE_BUMP), v)) /
    (2 * RATE_BUMP)
  return out
}
