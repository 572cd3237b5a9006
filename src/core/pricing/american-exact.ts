/*
 * American options priced to convergence: the fixed-point iteration on the exercise boundary of
 * L. Andersen, M. Lake & D. Offengelden, "High-performance American option pricing", Journal of
 * Computational Finance 20(1) (2016), in the form of QuantLib's QdFpAmericanEngine (K. Spanderen,
 * 2022). Everything is done for a put; a call is the put with spot and strike, r and q swapped
 * (McDonald–Schroder symmetry C(S, K, r, q) = P(K, S, q, r)). Futures options are the zero-carry
 * case q = r on the futures price.
 *
 * The put's value is the European put plus the early-exercise premium (Kim 1990)
 *     V(S) = p_E(S) + ∫₀^T [rK·e^{−rt}·Φ(−d₋(t, S/B(T−t))) − qS·e^{−qt}·Φ(−d₊(t, S/B(T−t)))] dt,
 * where B(τ) is the exercise boundary at time τ before expiry. B solves B = K·e^{−(r−q)τ}·N/D
 * (value matching, or smooth pasting when r ≈ q); we iterate that map on a Chebyshev
 * interpolant of H(√τ) = ln²(B(τ)/X), X = B(0+) = K·min(1, r/q), started from the QD+ boundary
 * (Li 2005) and taking one Jacobi–Newton step then fixed-point steps with depth-1 Anderson
 * acceleration (4 iterations in all). The fixed-point
 * integrals use the substitution τ − u = τ(1+y)²/4 (the √ singularity at u = τ) and
 * Gauss–Legendre in w with y = sin(πw/2) (the √ singularity where the boundary meets expiry);
 * the premium integral is Gauss–Legendre in √t.
 *
 * Where the method does not apply: r ≤ 0 with q ≥ r (a put is never exercised early: European);
 * q < r ≤ 0 (two exercise boundaries: the finite-difference solver in american-fd.ts).
 *
 * Delta and gamma are exact derivatives of the premium formula (B does not depend on S), theta
 * comes from the Black–Scholes equation, vega and rho from central differences of the whole
 * engine. All work arrays are preallocated: a price allocates nothing.
 */
import {gbsInto, gbsPrice, newRawGreeks, type RawGreeks} from './black76.js'
import {gaussFactor, normCdf, normCdfWithGauss, ONE_OVER_SQRT_2PI} from './normal.js'
import {fdAmericanPut} from './american-fd.js'
import {gaussLegendre} from './quadrature.js'

/** An iteration scheme (l, m, n, p in QuantLib's notation). */
export interface Scheme {
  /** Chebyshev nodes − 1 (n + 1 Lobatto nodes in √τ) */
  n: number
  /** quadrature points per fixed-point integral */
  l: number
  /** fixed-point iterations (the first a Jacobi–Newton step) */
  m: number
  /** Gauss–Legendre points of the final premium integral */
  p: number
  /** how many of the m iterations are Jacobi–Newton steps (default 1, as QuantLib) */
  newton?: number
  /** half-width of the tanh-sinh grid in t (default 3) */
  tMax?: number
  /** fixed-point rule: 'sin-gl' (Gauss–Legendre in w, y = sin(πw/2); the default) or 'tanh-sinh' */
  rule?: 'tanh-sinh' | 'sin-gl'
}

/**
 * Gauss–Legendre in w with y = sin(πw/2): both ends of [−1, 1] clustered like √. The fixed-point
 * integrands have a √ singularity at y = 1 (the boundary meets expiry there: B(u) − X ~
 * √(u·ln u)); after this map they are smooth, and 10 points do what 24 tanh-sinh points do.
 */
export function sinGaussLegendre(n: number): {x: Float64Array; w: Float64Array} {
  const g = gaussLegendre(n)
  const x = new Float64Array(n)
  const w = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    x[i] = Math.sin(0.5 * Math.PI * g.x[i])
    w[i] = g.w[i] * 0.5 * Math.PI * Math.cos(0.5 * Math.PI * g.x[i])
  }
  return {x, w}
}

/** The default scheme: see README for the accuracy it reaches over the issue-7 grid. */
export const DEFAULT_SCHEME: Scheme = {n: 8, l: 8, m: 4, p: 32, rule: 'sin-gl'}


/**
 * Tanh-sinh (double-exponential) rule with n points on [−1, 1] (Takahasi & Mori 1974): y =
 * tanh(½π·sinh t) on an even grid in t. It converges exponentially even with endpoint
 * singularities (tMax ≤ 3 keeps |y| < 1 − 1e-14: the ends are never evaluated), which the fixed-point integrands have where the boundary meets expiry
 * (B(τ) − X ~ √(τ·ln τ) when q ≤ 0 < r): Gauss–Legendre converges only algebraically there.
 */
export function tanhSinh(n: number, tMax = 3): {x: Float64Array; w: Float64Array} {
  const x = new Float64Array(n)
  const w = new Float64Array(n)
  const h = (2 * tMax) / (n - 1)
  for (let i = 0; i < n; i++) {
    const t = -tMax + i * h
    const u = 0.5 * Math.PI * Math.sinh(t)
    const c = Math.cosh(u)
    x[i] = Math.tanh(u)
    w[i] = (h * 0.5 * Math.PI * Math.cosh(t)) / (c * c)
  }
  return {x, w}
}

// Anderson-acceleration state (s = √H before and g(s) after the map, this and the last iteration).
const A_S = new Float64Array(64)
const A_G = new Float64Array(64)
const A_GP = new Float64Array(64)

// Tables of the active scheme, built once by useScheme (all inputs-independent).
let N = 0
let L = 0
let M = 0
let NEWTON = 1

let P = 0
// Lobatto nodes z_j = cos(jπ/N), j = 0…N: j = 0 is τ = T, j = N is τ = 0; √(τ_j/T) = (1 + z_j)/2.
let NODE_X: Float64Array = new Float64Array(0)
let CHEB_COS: Float64Array = new Float64Array(0) // cos(jkπ/N) at [k(N+1) + j]
let FP_W: Float64Array = new Float64Array(0)
// For node j and quadrature point k: elapsed m = τ_j·(1 + y_k)²/4, the boundary point has time to
// expiry u = τ_j − m, and its Chebyshev abscissa 2√(u/T) − 1 depends on neither T nor the inputs.
let FP_M: Float64Array = new Float64Array(0) // m/τ
let FP_DU: Float64Array = new Float64Array(0) // w_k·(1 + y_k)/2 = w_k·(dm/dy)/τ
let FP_HALF: Float64Array = new Float64Array(0) // (1 + y_k)/2
let FP_Z: Float64Array = new Float64Array(0)
// Premium integral over z = √t ∈ [0, √T], t elapsed; the boundary is at time to expiry T − t.
let PR_W: Float64Array = new Float64Array(0)
let PR_S: Float64Array = new Float64Array(0) // z/√T
let PR_Z: Float64Array = new Float64Array(0) // Chebyshev abscissa of T − t
let yH: Float64Array = new Float64Array(0) // H at the nodes
let yNext: Float64Array = new Float64Array(0)
let coef: Float64Array = new Float64Array(0)
// Per-price tables of the fixed-point integrals, (N + 1)·L each (see aloPut).
let IV_M: Float64Array = new Float64Array(0)
let VM: Float64Array = new Float64Array(0)
let DP_C: Float64Array = new Float64Array(0)
let W_N: Float64Array = new Float64Array(0)
let W_D: Float64Array = new Float64Array(0)
let W_D2: Float64Array = new Float64Array(0)

/** Switch the engine to another scheme (diagnostics and the accuracy study; not thread of use). */
interface Tables {
  N: number
  L: number
  M: number
  NEWTON: number
  P: number
  NODE_X: Float64Array
  CHEB_COS: Float64Array
  FP_W: Float64Array
  FP_M: Float64Array
  FP_DU: Float64Array
  FP_HALF: Float64Array
  FP_Z: Float64Array
  PR_W: Float64Array
  PR_S: Float64Array
  PR_Z: Float64Array
  yH: Float64Array
  yNext: Float64Array
  coef: Float64Array
  IV_M: Float64Array
  VM: Float64Array
  DP_C: Float64Array
  W_N: Float64Array
  W_D: Float64Array
  W_D2: Float64Array
}

function buildTables(s: Scheme): Tables {
  const n = s.n
  const l = s.l
  const p = s.p
  const nodeX = new Float64Array(n + 1)
  const chebCos = new Float64Array((n + 1) * (n + 1))
  for (let j = 0; j <= n; j++) nodeX[j] = 0.5 * (1 + Math.cos((j * Math.PI) / n))
  for (let k = 0; k <= n; k++) for (let j = 0; j <= n; j++) chebCos[k * (n + 1) + j] = Math.cos((j * k * Math.PI) / n)
  const fp = s.rule === 'tanh-sinh' ? tanhSinh(l, s.tMax ?? 3) : sinGaussLegendre(l)
  const fpM = new Float64Array(l)
  const fpDu = new Float64Array(l)
  const fpHalf = new Float64Array(l)
  const fpZ = new Float64Array((n + 1) * l)
  for (let k = 0; k < l; k++) {
    fpM[k] = 0.25 * (1 + fp.x[k]) ** 2
    fpDu[k] = 0.5 * fp.w[k] * (1 + fp.x[k])
    fpHalf[k] = 0.5 * (1 + fp.x[k])
  }
  for (let j = 0; j <= n; j++) for (let k = 0; k < l; k++) fpZ[j * l + k] = 2 * nodeX[j] * Math.sqrt(1 - fpM[k]) - 1
  const pr = gaussLegendre(p)
  const prS = new Float64Array(p)
  const prZ = new Float64Array(p)
  for (let k = 0; k < p; k++) {
    prS[k] = 0.5 * (1 + pr.x[k])
    prZ[k] = 2 * Math.sqrt(Math.max(0, 1 - prS[k] * prS[k])) - 1
  }
  const size = (n + 1) * l
  return {
    N: n, L: l, M: s.m, NEWTON: s.newton ?? 1, P: p,
    NODE_X: nodeX, CHEB_COS: chebCos, FP_W: fp.w, FP_M: fpM, FP_DU: fpDu, FP_HALF: fpHalf, FP_Z: fpZ,
    PR_W: pr.w, PR_S: prS, PR_Z: prZ,
    yH: new Float64Array(n + 1), yNext: new Float64Array(n + 1), coef: new Float64Array(n + 1),
    IV_M: new Float64Array(size), VM: new Float64Array(size), DP_C: new Float64Array(size),
    W_N: new Float64Array(size), W_D: new Float64Array(size), W_D2: new Float64Array(size),
  }
}

let active: Tables | null = null


/** Point the engine's working variables at prebuilt tables (no allocation). */
function activate(t: Tables): void {
  if (active === t) return
  active = t
  N = t.N
  L = t.L
  M = t.M
  NEWTON = t.NEWTON
  P = t.P
  NODE_X = t.NODE_X
  CHEB_COS = t.CHEB_COS
  FP_W = t.FP_W
  FP_M = t.FP_M
  FP_DU = t.FP_DU
  FP_HALF = t.FP_HALF
  FP_Z = t.FP_Z
  PR_W = t.PR_W
  PR_S = t.PR_S
  PR_Z = t.PR_Z
  yH = t.yH
  yNext = t.yNext
  coef = t.coef
  IV_M = t.IV_M
  VM = t.VM
  DP_C = t.DP_C
  W_N = t.W_N
  W_D = t.W_D
  W_D2 = t.W_D2
}

/**
 * The fast scheme (engine 'fast'): QD+ and a single Jacobi–Newton step on 7 nodes. Its worst
 * error over the converged sets is stated in README (about 7e-5 × K); for scenario grids.
 */
export const FAST_SCHEME: Scheme = {n: 6, l: 8, m: 1, p: 24}

// Built on first use, not when the module loads: `positions`, `risk` and `pnl` load this engine with
// their bundle but on their common path price nothing (issue 19: ~3–8 ms of every start-up).
let exactTables: Tables | null = null
let fastTables: Tables | null = null

function tablesFor(fast: boolean): Tables {
  if (fast) return (fastTables ??= buildTables(FAST_SCHEME))
  return (exactTables ??= buildTables(DEFAULT_SCHEME))
}

/** Replace the exact engine's scheme (the accuracy study in scripts/; not for production use). */
export function useScheme(s: Scheme): void {
  exactTables = buildTables(s)
  active = null
  activate(exactTables)
}


function fitChebyshev(): void {
  const inv = 2 / N
  for (let k = 0; k <= N; k++) {
    const row = k * (N + 1)
    let s = 0.5 * (yH[0] * CHEB_COS[row] + yH[N] * CHEB_COS[row + N])
    for (let j = 1; j < N; j++) s += yH[j] * CHEB_COS[row + j]
    coef[k] = inv * s
  }
  coef[0] *= 0.5
  coef[N] *= 0.5
}

function chebyshev(z: number): number {
  let b1 = 0
  let b2 = 0
  for (let k = N; k >= 1; k--) {
    const b0 = 2 * z * b1 - b2 + coef[k]
    b2 = b1
    b1 = b0
  }
  return z * b1 - b2 + coef[0]
}

/*
 * QD+ boundary at time to expiry τ (Li, "The QD+ method", 2005 as in QuantLib): the root S* of
 *   f(S) = (1 − e^{−qτ}Φ(−d₊))·S − β·(K − S − p_E(S)) + α·Θ_E(S)/(r·e^{−rτ})
 * by Halley's method from the boundary of the next shorter node (X at the first); if that fails, the boundary of the next shorter node.
 */
function qdPlusBoundary(K: number, tau: number, r: number, q: number, vol: number, xmax: number, start: number, fallback: number): number {
  const sigma2 = vol * vol
  const v = vol * Math.sqrt(tau)
  const dr = Math.exp(-r * tau)
  const dq = Math.exp(-q * tau)
  // ρ = (1 − e^{−rτ})/r (→ τ as r → 0), so that r = 0 (with q < 0) needs no special case:
  // α/(1 − e^{−rτ}), α·λ' and α/(r·e^{−rτ}) all stay finite.
  const rho = r === 0 ? tau : -Math.expm1(-r * tau) / r
  const omega = (2 * (r - q)) / sigma2
  const root = Math.sqrt((omega - 1) * (omega - 1) + 8 / (sigma2 * rho))
  const lambda = 0.5 * (-(omega - 1) - root)
  const kappa = 2 * lambda + omega - 1
  const beta = (2 * dr) / (sigma2 * kappa * rho) + (4 * dr) / (sigma2 * sigma2 * kappa * kappa * rho * rho * root) - lambda
  const c = 2 / (sigma2 * kappa) // α/(r·e^{−rτ})
  // Halley from `start` (X), clamped at a tiny positive floor, as QuantLib does: bisection
  // would jump to the spurious root f has far below the boundary.
  const floor = 1e-8 * xmax
  let x = start
  let converged = false
  for (let it = 0; it < 30; it++) {
    const dp = Math.log((x * dq) / (K * dr)) / v + 0.5 * v
    const dm = dp - v
    const cdp = normCdf(-dp)
    const cdm = normCdf(-dm)
    const pdp = ONE_OVER_SQRT_2PI * Math.exp(-0.5 * dp * dp)
    const npv = dr * K * cdm - x * dq * cdp
    const theta = r * K * dr * cdm - q * x * dq * cdp - ((sigma2 * x) / (2 * v)) * dq * pdp
    const charm = -dq * (pdp * ((r - q) / v - dm / (2 * tau)) + q * cdp)
    const f = (1 - dq * cdp) * x - beta * (K - x - npv) + c * theta
    const fp = 1 - dq * cdp + (dq / v) * pdp + beta * (1 - dq * cdp) + c * charm
    const gamma = (pdp * dq) / (v * x)
    const colour = gamma * (q + ((r - q) * dp) / v + (1 - dp * dm) / (2 * tau))
    const fpp = dq * (pdp / (x * v) - (pdp * dp) / (x * v * v)) + beta * gamma + c * colour
    const lf = (f * fpp) / (fp * fp)
    const next = Math.max(floor, x - f / fp / (1 - 0.5 * lf))
    if (!Number.isFinite(next)) break
    const step = Math.abs(next - x)
    x = next
    if (step < 1e-10 * xmax) {
      converged = true
      break
    }
  }
  return converged && x <= xmax ? x : fallback
}

/** Where the put core leaves its results (per unit, in put space; delta and gamma in S). */
const core = {price: 0, delta: 0, gamma: 0, exercise: false}
const euro = newRawGreeks()

/**
 * American put for r > 0 (any q) or r = 0 > q, σ > 0, T > 0, S > 0, K > 0 by the ALO iteration.
 * With `greeks` also d/dS and d²/dS² (exact derivatives of the same quadrature).
 */
function aloPut(S: number, K: number, T: number, r: number, q: number, vol: number, greeks: boolean): void {
  aloPrice(S, K, T, r, q, vol, greeks, aloBoundary(K, T, r, q, vol))
}

/**
 * Steps 1–2 of aloPut: the exercise boundary of a put (K, T, r, q, σ), left in the engine's
 * interpolant (yH, coef). The boundary does not depend on S, so one solve serves every spot
 * (exactAmericanCurve). Returns X = B(0+).
 */
function aloBoundary(K: number, T: number, r: number, q: number, vol: number): number {
  const xmax = q > 0 ? K * Math.min(1, r / q) : K
  // Smooth pasting form (QuantLib's equation "A") near zero carry, value matching ("B") elsewhere.
  const eqA = Math.abs(r - q) < 0.001
  const sqrtT = Math.sqrt(T)
  const carry = r - q
  const hasQ = q !== 0
  // 1. QD+ boundary at the nodes, from short to long time to expiry (each start from the last).
  yH[N] = 0
  let guess = xmax
  for (let j = N - 1; j >= 0; j--) {
    const tau = T * NODE_X[j] * NODE_X[j]
    const b = qdPlusBoundary(K, tau, r, q, vol, xmax, guess, guess)
    guess = b
    const lb = Math.log(b / xmax)
    yH[j] = lb * lb
  }
  // Everything in the fixed-point integrals that does not depend on the boundary, once per price:
  // for node j and point k, the weights with their discount factors, 1/(σ√m) and the drift part
  // of d₊. The boundary enters only through ln(B(τ)/B(u)) = √H(u) − √H(τ).
  for (let j = 0; j < N; j++) {
    const x = NODE_X[j]
    const tau = T * x * x
    const sqrtTau = sqrtT * x
    const base = j * L
    for (let k = 0; k < L; k++) {
      const i = base + k
      const m = tau * FP_M[k]
      const u = tau - m
      const vm = vol * sqrtTau * FP_HALF[k]
      IV_M[i] = 1 / vm
      VM[i] = vm
      DP_C[i] = (carry * m) / vm + 0.5 * vm
      const eru = Math.exp(r * u)
      const equ = q === 0 ? 1 : Math.exp(q * u)
      if (eqA) {
        // ∫ dy with dm = τ(1+y)/2·dy: the φ terms carry dm/(σ√m) = (√τ/σ)·dy.
        W_N[i] = FP_W[k] * eru * (sqrtTau / vol) * ONE_OVER_SQRT_2PI
        W_D[i] = FP_W[k] * equ * tau * FP_HALF[k]
        W_D2[i] = FP_W[k] * equ * (sqrtTau / vol) * ONE_OVER_SQRT_2PI
      } else {
        W_N[i] = tau * FP_DU[k] * eru
        W_D[i] = tau * FP_DU[k] * equ
      }
    }
  }
  fitChebyshev()
  // 2. Fixed-point iterations on B = K·e^{−(r−q)τ}·N/D.
  for (let iter = 0; iter < M; iter++) {
    const newton = iter < NEWTON
    for (let j = 0; j < N; j++) {
      const x = NODE_X[j]
      const tau = T * x * x
      const hb = yH[j] > 0 ? Math.sqrt(yH[j]) : 0 // the interpolant passes through the node
      const b = xmax * Math.exp(-hb)
      const v0 = vol * sqrtT * x
      const dp0 = (Math.log(b / K) + carry * tau) / v0 + 0.5 * v0
      const dm0 = dp0 - v0
      const pdp0 = ONE_OVER_SQRT_2PI * Math.exp(-0.5 * dp0 * dp0)
      const pdm0 = ONE_OVER_SQRT_2PI * Math.exp(-0.5 * dm0 * dm0)
      let n1 = 0
      let n2 = 0
      const base = j * L
      for (let k = 0; k < L; k++) {
        const i = base + k
        const h = chebyshev(FP_Z[i])
        const lnRatio = (h > 0 ? Math.sqrt(h) : 0) - hb
        const dp = lnRatio * IV_M[i] + DP_C[i]
        const dm = dp - VM[i]
        // With q = 0 (most puts) D has no integral: half the work.
        if (eqA) {
          n1 += W_N[i] * Math.exp(-0.5 * dm * dm)
          if (hasQ) n2 += W_D[i] * normCdf(dp) + W_D2[i] * Math.exp(-0.5 * dp * dp)
        } else {
          n1 += W_N[i] * normCdf(dm)
          if (hasQ) n2 += W_D[i] * normCdf(dp)
        }
      }
      let Nn: number
      let Dd: number
      let nPrime: number
      let dPrime: number
      if (eqA) {
        Nn = pdm0 / v0 + r * n1
        Dd = pdp0 / v0 + normCdf(dp0) + q * n2
        nPrime = (-pdm0 * dm0) / (b * vol * vol * tau)
        dPrime = (-pdp0 * dp0) / (b * vol * vol * tau) + pdp0 / (b * v0)
      } else {
        Nn = normCdf(dm0) + r * n1
        Dd = normCdf(dp0) + q * n2
        nPrime = pdm0 / (b * v0)
        dPrime = pdp0 / (b * v0)
      }
      const alpha = K * Math.exp(-carry * tau)
      const fv = (alpha * Nn) / Dd
      let nb = fv
      if (newton) {
        const fd = alpha * (nPrime / Dd - (dPrime * Nn) / (Dd * Dd))
        const candidate = b - (fv - b) / (fd - 1)
        if (candidate > 0 && Number.isFinite(candidate)) nb = candidate
      }
      if (!(nb > 0) || !Number.isFinite(nb)) nb = b
      if (nb > xmax) nb = xmax
      const lb = Math.log(nb / xmax)
      yNext[j] = lb * lb
    }
    // Anderson acceleration (depth 1) on s = √H = ln(X/B): with residuals f = g(s) − s of this and
    // the last iteration, s ← g(s) − γ·(g(s) − g(s_prev)), γ = ⟨f, Δf⟩/|Δf|² (a secant step on the
    // slowest mode of the map).
    let num = 0
    let den = 0
    for (let j = 0; j < N; j++) {
      const sNow = Math.sqrt(yH[j])
      const gNow = Math.sqrt(yNext[j])
      const f = gNow - sNow
      if (iter > 0) {
        const df = f - (A_G[j] - A_S[j])
        num += f * df
        den += df * df
      }
      A_S[j] = sNow
      A_G[j] = gNow
    }
    // |γ| stayed below 2 over the reference sets and 20,000 random inputs on the grid; a
    // larger one (residuals at rounding level) is not trusted: plain step.
    let gamma = iter > 0 && den > 0 ? num / den : 0
    if (!(Math.abs(gamma) <= 10)) gamma = 0
    for (let j = 0; j < N; j++) {
      let sNew = A_G[j]
      if (gamma !== 0) sNew = A_G[j] - gamma * (A_G[j] - A_GP[j])
      if (!(sNew >= 0)) sNew = A_G[j]
      A_GP[j] = A_G[j]
      yH[j] = sNew * sNew
    }
    fitChebyshev()
  }
  return xmax
}

/** Steps 3–4 of aloPut, on the boundary aloBoundary(K, T, r, q, vol) has just left in the interpolant. */
function aloPrice(S: number, K: number, T: number, r: number, q: number, vol: number, greeks: boolean, xmax: number): void {
  const sqrtT = Math.sqrt(T)
  const carry = r - q
  const hasQ = q !== 0
  // 3. Exercise region: at or below the boundary today the put is worth K − S.
  const bT = xmax * Math.exp(-Math.sqrt(yH[0]))
  if (S <= bT) {
    core.price = K - S
    core.delta = -1
    core.gamma = 0
    core.exercise = true
    return
  }
  // 4. European put plus the premium integral over z = √t.
  gbsInto(euro, false, S, K, T, r, r - q, vol, true)
  const lnSX = Math.log(S / xmax) // ln(S/B) = ln(S/X) + √H
  let premium = 0
  let dPremium = 0
  let gPremium = 0
  const half = 0.5 * sqrtT
  for (let k = 0; k < P; k++) {
    const z = sqrtT * PR_S[k]
    const t = z * z
    const h = chebyshev(PR_Z[k])
    const sh = h > 0 ? Math.sqrt(h) : 0
    const v = vol * z
    const dp = (lnSX + sh + carry * t) / v + 0.5 * v
    const dm = dp - v
    const disc = Math.exp(-r * t)
    const dq = hasQ ? Math.exp(-q * t) : 1
    const w = PR_W[k] * half * 2 * z
    premium += w * (r * K * disc * normCdf(-dm) - (hasQ ? q * S * dq * normCdf(-dp) : 0))
    if (greeks) {
      const pdp = ONE_OVER_SQRT_2PI * Math.exp(-0.5 * dp * dp)
      const c = q - ((r * K) / xmax) * Math.exp(sh)
      dPremium += w * dq * (-q * normCdf(-dp) + (pdp * c) / v)
      gPremium += w * ((dq * pdp) / (S * v)) * (q - (c * dp) / v)
    }
  }
  const intrinsic = K - S
  let price = Math.max(euro.price, 0) + Math.max(premium, 0)
  core.exercise = false
  core.delta = euro.delta + (premium > 0 ? dPremium : 0)
  core.gamma = euro.gamma + (premium > 0 ? gPremium : 0)
  if (price < intrinsic) {
    price = intrinsic
    core.delta = -1
    core.gamma = 0
  }
  core.price = price
}

/** Regime of a put in put-space rates: which method applies. */
const enum Regime {
  European,
  SingleBoundary,
  DoubleBoundary,
}

function regime(r: number, q: number): Regime {
  if (r > 0) return Regime.SingleBoundary
  if (q >= r) return Regime.European
  // r = 0 > q: the lower boundary rK/q sits at 0, one boundary remains.
  return r === 0 ? Regime.SingleBoundary : Regime.DoubleBoundary
}

/** Best deterministic exercise time when σ = 0 (as in american.ts). */
function deterministic(isCall: boolean, S: number, K: number, T: number, r: number, q: number): number {
  const payoff = (t: number): number => Math.max(isCall ? S * Math.exp(-q * t) - K * Math.exp(-r * t) : K * Math.exp(-r * t) - S * Math.exp(-q * t), 0)
  let best = Math.max(payoff(0), payoff(T))
  if (r !== q && q !== 0 && (r * K) / (q * S) > 0) {
    const tStar = Math.log((r * K) / (q * S)) / (r - q)
    if (tStar > 0 && tStar < T) best = Math.max(best, payoff(tStar))
  }
  return best
}

const fdOut = newRawGreeks()

/** Put price (and with `greeks`, delta/gamma in S) into `core`, any rates; S, K > 0, σ > 0, T > 0. */
function putAny(S: number, K: number, T: number, r: number, q: number, vol: number, greeks: boolean): void {
  const reg = regime(r, q)
  if (reg === Regime.SingleBoundary) {
    aloPut(S, K, T, r, q, vol, greeks)
    return
  }
  if (reg === Regime.European) {
    gbsInto(euro, false, S, K, T, r, r - q, vol, true)
    core.price = euro.price
    core.delta = euro.delta
    core.gamma = euro.gamma
    core.exercise = false
    return
  }
  fdAmericanPut(fdOut, S, K, T, r, q, vol)
  core.price = fdOut.price
  core.delta = fdOut.delta
  core.gamma = fdOut.gamma
  core.exercise = fdOut.price <= K - S && fdOut.delta <= -1 + 1e-9
}

/**
 * Converged American price per unit; q is the dividend yield (q = r for a futures option).
 * Preconditions (checked in index.ts): finite, S, K ≥ 0, T > 0.
 */
export function exactAmericanPrice(isCall: boolean, S: number, K: number, T: number, r: number, q: number, vol: number, fast = false): number {
  activate(tablesFor(fast))
  const intrinsic = Math.max(isCall ? S - K : K - S, 0)
  if (!(T > 0)) return intrinsic
  if (!(vol > 0)) return deterministic(isCall, S, K, T, r, q)
  if (S === 0 || K === 0) return Math.max(gbsPrice(isCall, S, K, T, r, r - q, vol), intrinsic)
  if (isCall) putAny(K, S, T, q, r, vol, false)
  else putAny(S, K, T, r, q, vol, false)
  return Math.max(core.price, intrinsic)
}

/**
 * exactAmericanPrice at many spots of one contract: out[j] = the price at spots[j] for the first
 * `count` spots (default: all), with one boundary solve for all of them, the expensive part of a
 * price (the premium integral at a spot costs a fraction of it). A put's boundary does not depend
 * on S; a call is the put with spot and strike swapped, C(S, K, r, q) = P(K, S, q, r) =
 * S·P(K/S, 1, q, r) by homogeneity, so its spots share the boundary of the unit-strike put. Equal
 * to exactAmericanPrice up to rounding (~1e-15 relative); inputs it cannot share a boundary for
 * (σ ≤ 0, T ≤ 0, zero prices, the two-boundary regime) are priced one by one.
 *
 * Returns the exercise boundary today as a spot (count 0 gives just that): a put is exercised at
 * or below it, a call at or above it (0 for a put, Infinity for a call, never exercised early), or
 * NaN where the prices came one by one (no shared boundary). Used by revalue.ts.
 */
export function exactAmericanCurve(isCall: boolean, spots: ArrayLike<number>, K: number, T: number, r: number, q: number, vol: number, fast: boolean, out: Float64Array, count = spots.length): number {
  const n = count
  const pr = isCall ? q : r
  const pq = isCall ? r : q
  const reg = regime(pr, pq)
  if (T > 0 && vol > 0 && K > 0 && reg === Regime.European) {
    // Never exercised early: the European price.
    for (let j = 0; j < n; j++) out[j] = Math.max(gbsPrice(isCall, spots[j], K, T, r, r - q, vol), isCall ? spots[j] - K : K - spots[j], 0)
    return isCall ? Infinity : 0
  }
  if (!(T > 0) || !(vol > 0) || !(K > 0) || reg !== Regime.SingleBoundary) {
    for (let j = 0; j < n; j++) out[j] = exactAmericanPrice(isCall, spots[j], K, T, r, q, vol, fast)
    return NaN
  }
  activate(tablesFor(fast))
  const strike = isCall ? 1 : K
  const xmax = aloBoundary(strike, T, pr, pq, vol)
  // aloPrice with everything that does not depend on the spot hoisted out of the spot loop, and
  // one exponential for the two normal CDFs of each quadrature point.
  const sqrtT = Math.sqrt(T)
  const half = 0.5 * sqrtT
  const carry = pr - pq
  const hasQ = pq !== 0
  const bT = xmax * Math.exp(-Math.sqrt(yH[0]))
  for (let k = 0; k < P; k++) {
    const z = sqrtT * PR_S[k]
    const t = z * z
    const h = chebyshev(PR_Z[k])
    CV_SH[k] = h > 0 ? Math.sqrt(h) : 0
    CV_V[k] = vol * z
    CV_CT[k] = carry * t
    CV_RKD[k] = pr * strike * Math.exp(-pr * t)
    CV_DQ[k] = hasQ ? Math.exp(-pq * t) : 1
    CV_W[k] = PR_W[k] * half * 2 * z
    CV_E[k] = Math.exp(-(CV_SH[k] + CV_CT[k]))
  }
  for (let j = 0; j < n; j++) {
    const S = spots[j]
    if (!(S > 0)) {
      out[j] = exactAmericanPrice(isCall, S, K, T, r, q, vol, fast)
      continue
    }
    const sp = isCall ? K / S : S // the put's spot
    const intrinsicPut = strike - sp
    let price: number
    if (sp <= bT) price = intrinsicPut
    else {
      const lnSX = Math.log(sp / xmax)
      const ratio = xmax / sp
      let premium = 0
      for (let k = 0; k < P; k++) {
        const v = CV_V[k]
        const dp = (lnSX + CV_SH[k] + CV_CT[k]) / v + 0.5 * v
        const dm = dp - v
        // exp(−d₊²/2) = exp(−d₋²/2)·e^{−L}, L = ln(S/B) + carry·t = v·(d₊ + d₋)/2: one exponential for both.
        const gm = gaussFactor(dm)
        const term = CV_RKD[k] * normCdfWithGauss(-dm, gm)
        if (!hasQ) premium += CV_W[k] * term
        else premium += CV_W[k] * (term - pq * sp * CV_DQ[k] * (gm > 0 ? normCdfWithGauss(-dp, gm * ratio * CV_E[k]) : normCdf(-dp)))
      }
      price = Math.max(gbsPrice(false, sp, strike, T, pr, pr - pq, vol), 0) + Math.max(premium, 0)
      if (price < intrinsicPut) price = intrinsicPut
    }
    out[j] = Math.max(isCall ? S * price : price, Math.max(isCall ? S - K : K - S, 0))
  }
  return isCall ? K / bT : bT
}

// Per-point constants of the premium integral in exactAmericanCurve.
const CV_SH = new Float64Array(64)
const CV_V = new Float64Array(64)
const CV_CT = new Float64Array(64)
const CV_RKD = new Float64Array(64)
const CV_DQ = new Float64Array(64)
const CV_W = new Float64Array(64)
const CV_E = new Float64Array(64)

/**
 * True when exercising now is optimal in the σ → 0 limit (the best deterministic exercise time is
 * now and the option is in the money). Exactly then an American price equal to intrinsic value is
 * consistent with some σ > 0 (the exercise region only grows as σ falls): that price has no
 * implied vol, yet its Greeks are those of the exercised option (delta ±1, the rest 0).
 */
export function exerciseNowAsVolVanishes(isCall: boolean, S: number, K: number, T: number, r: number, q: number): boolean {
  const intrinsic = Math.max(isCall ? S - K : K - S, 0)
  if (!(intrinsic > 0) || !(T > 0)) return false
  return deterministic(isCall, S, K, T, r, q) <= intrinsic * (1 + 1e-12)
}

/** True when exercising now is optimal (price = intrinsic, delta ±1) for these inputs. */
export function inExerciseRegion(isCall: boolean, S: number, K: number, T: number, r: number, q: number, vol: number, fast = false): boolean {
  activate(tablesFor(fast))
  if (!(T > 0) || !(vol > 0) || S === 0 || K === 0) return false
  if (isCall) putAny(K, S, T, q, r, vol, false)
  else putAny(S, K, T, r, q, vol, false)
  return core.exercise
}

/*
 * Greeks. Delta and gamma: exact derivatives of the premium formula (for a call through the
 * homogeneity of the put in (spot, strike): ∂P/∂K = (P − S·∂P/∂S)/K, ∂²P/∂K² = S²·Γ/K²).
 * Theta: the Black–Scholes equation, which the value satisfies in the continuation region,
 * ∂V/∂t = rV − (r − q)·S·Δ − ½σ²S²Γ (and 0 where the option is exercised). Vega and rho:
 * one-sided differences of the whole engine (the boundary moves with σ and r).
 */
const VOL_BUMP = 1e-6
const RATE_BUMP = 1e-7

export function exactAmericanInto(
  out: RawGreeks,
  isCall: boolean,
  S: number,
  K: number,
  T: number,
  r: number,
  q: number,
  vol: number,
  black76: boolean,
  fast = false,
): RawGreeks {
  if (!(vol > 0) || S === 0 || K === 0) return degenerateInto(out, isCall, S, K, T, r, q, vol, black76)
  activate(tablesFor(fast))
  if (isCall) putAny(K, S, T, q, r, vol, true)
  else putAny(S, K, T, r, q, vol, true)
  let price = core.price
  let delta: number
  let gamma: number
  if (isCall) {
    delta = (price - K * core.delta) / S
    gamma = (K * K * core.gamma) / (S * S)
  } else {
    delta = core.delta
    gamma = core.gamma
  }
  const exercise = core.exercise
  const intrinsic = Math.max(isCall ? S - K : K - S, 0)
  if (price <= intrinsic) {
    price = intrinsic
    if (exercise) {
      delta = isCall ? 1 : -1
      gamma = 0
    }
  }
  out.price = price
  out.delta = delta
  out.gamma = gamma
  out.theta = exercise ? 0 : r * price - (r - q) * S * delta - 0.5 * vol * vol * S * S * gamma
  if (exercise) {
    out.vega = 0
    out.rho = 0
    return out
  }
  // One-sided differences from the price already in hand (two solves, not four): the engine is
  // smooth to rounding, so a step of 1e-6·σ (1e-7 in r) keeps both truncation and rounding
  // below 1e-6 per vol/rate point. Rho steps away from the rates where the method switches
  // (r = 0, r = q, |r − q| = 0.001), so that it never differences across a switch.
  const dv = vol * VOL_BUMP
  out.vega = (exactAmericanPrice(isCall, S, K, T, r, q, vol + dv, fast) - price) / dv
  const h = crossesSwitch(r, r + RATE_BUMP, q) ? -RATE_BUMP : RATE_BUMP
  out.rho = (exactAmericanPrice(isCall, S, K, T, r + h, black76 ? r + h : q, vol, fast) - price) / h
  return out
}

/** True when [a, b] (either order) contains a rate at which the engine changes method. */
function crossesSwitch(a: number, b: number, q: number): boolean {
  const lo = Math.min(a, b)
  const hi = Math.max(a, b)
  return (lo <= 0 && 0 <= hi) || (lo <= q && q <= hi) || (lo <= q - 0.001 && q - 0.001 <= hi) || (lo <= q + 0.001 && q + 0.001 <= hi)
}

/** σ = 0, S = 0 or K = 0: central differences of the (piecewise simple) price. */
function degenerateInto(
  out: RawGreeks,
  isCall: boolean,
  S: number,
  K: number,
  T: number,
  r: number,
  q: number,
  vol: number,
  black76: boolean,
): RawGreeks {
  const f = (s: number, t: number, rr: number, v: number): number => exactAmericanPrice(isCall, s, K, t, rr, black76 ? rr : q, v)
  const price = f(S, T, r, vol)
  out.price = price
  const h = Math.max(S, K, 1) * 1e-4
  if (S > h) {
    const up = f(S + h, T, r, vol)
    const dn = f(S - h, T, r, vol)
    out.delta = (up - dn) / (2 * h)
    out.gamma = 0
  } else {
    out.delta = (f(S + h, T, r, vol) - price) / h
    out.gamma = 0
  }
  const dT = T * 1e-4
  out.theta = -(f(S, T + dT, r, vol) - f(S, T - dT, r, vol)) / (2 * dT)
  out.vega = 0
  out.rho = (f(S, T, r + RATE_BUMP, vol) - f(S, T, r - RATE_BUMP, vol)) / (2 * RATE_BUMP)
  return out
}
