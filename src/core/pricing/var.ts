/*
 * Value at risk and expected shortfall: the statistics, independent of what is being valued.
 * Pure: no I/O, no clock. Conventions (Hull, "Risk Management and Financial Institutions"):
 *  - a loss is a positive number; VaR at level α is the loss exceeded with probability 1 − α;
 *  - from N equally likely scenarios, with k = ⌊N·(1 − α)⌋ (at least 1), VaR is the k-th worst
 *    loss and ES the mean of the k worst (500 scenarios at 99 %: the 5th worst, and the mean of
 *    the 5 worst, as in Hull's worked example);
 *  - historical scenarios: value of a market variable under scenario i = v_today × v_i / v_{i−h}
 *    (h = horizon in days; h = 1 is Hull's v_n × v_i / v_{i−1});
 *  - parametric (delta-normal, delta-gamma): daily covariance scaled by the horizon (√t rule).
 */
import {normInv} from './normal.js'

/** Throws RangeError unless 0 < level < 1 (a probability, 0.99 = 99 %). */
export function checkLevel(level: number): void {
  if (typeof level !== 'number' || !Number.isFinite(level) || level <= 0 || level >= 1)
    throw new RangeError(`confidence level must be a probability strictly between 0 and 1 (0.99 = 99 %), got ${String(level)}`)
}

/** Number of tail scenarios at a level: ⌊N·(1 − α)⌋, at least 1 (tolerant of 500 × 0.01 = 5.000000000000004). */
export function tailCount(n: number, level: number): number {
  return Math.max(1, Math.floor(n * (1 - level) + 1e-9))
}

export interface VarEs {
  /** loss, positive = money lost (same units as the P&L given) */
  var: number
  /** mean loss beyond VaR (the k worst, VaR included) */
  es: number
  /** scenarios in the tail */
  tail: number
}

/**
 * VaR and ES of a P&L sample (profit positive). Sorts a copy; O(N log N). `scratch` (length ≥ N)
 * avoids the allocation when called repeatedly.
 */
export function varEsFromPnl(pnl: ArrayLike<number>, level: number, scratch?: Float64Array): VarEs {
  checkLevel(level)
  const n = pnl.length
  if (n === 0) throw new RangeError('VaR needs at least one scenario')
  const s = scratch && scratch.length >= n ? scratch.subarray(0, n) : new Float64Array(n)
  for (let i = 0; i < n; i++) s[i] = pnl[i]
  s.sort() // ascending: worst P&L first
  const k = tailCount(n, level)
  let sum = 0
  for (let i = 0; i < k; i++) sum += s[i]
  return {var: -s[k - 1], es: -sum / k, tail: k}
}

/**
 * Scenario factors of one series (oldest first): factor_i = v_i / v_{i−h} for i = h … n−1, so
 * the scenario value is v_today × factor_i. Overlapping h-day windows when h > 1.
 */
export function scenarioFactors(series: ArrayLike<number>, horizonDays = 1): Float64Array {
  const h = horizonDays
  const n = series.length - h
  const out = new Float64Array(Math.max(0, n))
  for (let i = 0; i < n; i++) out[i] = series[i + h] / series[i]
  return out
}

/** Scenario values v_today × v_i / v_{i−h} (Hull's historical-simulation arithmetic). */
export function historicalScenarioValues(series: ArrayLike<number>, today: number, horizonDays = 1): Float64Array {
  const f = scenarioFactors(series, horizonDays)
  for (let i = 0; i < f.length; i++) f[i] *= today
  return f
}

/** Absolute changes x_i − x_{i−h} (for implied vol: shifts in σ, as fractions). */
export function scenarioShifts(series: ArrayLike<number>, horizonDays = 1): Float64Array {
  const h = horizonDays
  const n = series.length - h
  const out = new Float64Array(Math.max(0, n))
  for (let i = 0; i < n; i++) out[i] = series[i + h] - series[i]
  return out
}

/** Sample covariance matrix (n − 1 denominator) of daily series given as rows of equal length; row-major m×m. */
export function covariance(rows: ArrayLike<number>[]): Float64Array {
  const m = rows.length
  const n = m === 0 ? 0 : rows[0].length
  const means = new Float64Array(m)
  for (let a = 0; a < m; a++) {
    let s = 0
    for (let t = 0; t < n; t++) s += rows[a][t]
    means[a] = s / n
  }
  const out = new Float64Array(m * m)
  for (let a = 0; a < m; a++)
    for (let b = a; b < m; b++) {
      let s = 0
      for (let t = 0; t < n; t++) s += (rows[a][t] - means[a]) * (rows[b][t] - means[b])
      const c = n > 1 ? s / (n - 1) : 0
      out[a * m + b] = c
      out[b * m + a] = c
    }
  return out
}

/** Log returns ln(v_i / v_{i−1}). */
export function logReturns(series: ArrayLike<number>): Float64Array {
  const out = new Float64Array(Math.max(0, series.length - 1))
  for (let i = 0; i < out.length; i++) out[i] = Math.log(series[i + 1] / series[i])
  return out
}

/** Covariance matrix from standard deviations and a correlation matrix (row-major). */
export function covFromVolsCorr(sd: number[], corr: number[][]): Float64Array {
  const m = sd.length
  const out = new Float64Array(m * m)
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) out[a * m + b] = sd[a] * sd[b] * corr[a][b]
  return out
}

/**
 * Lower-triangular Cholesky factor L (LLᵀ = C), row-major. A positive semi-definite C (perfectly
 * correlated series, fewer days than assets) gets zero columns where the pivot vanishes.
 */
export function cholesky(cov: ArrayLike<number>, m: number): Float64Array {
  const L = new Float64Array(m * m)
  for (let i = 0; i < m; i++)
    for (let j = 0; j <= i; j++) {
      let s = cov[i * m + j]
      for (let k = 0; k < j; k++) s -= L[i * m + k] * L[j * m + k]
      if (i === j) L[i * m + i] = s > 1e-18 * Math.max(1, Math.abs(cov[i * m + i])) ? Math.sqrt(s) : 0
      else L[i * m + j] = L[j * m + j] > 0 ? s / L[j * m + j] : 0
    }
  return L
}

/** z such that P(Z ≤ z) = level, Z standard normal (2.326 at 99 %). */
export function zScore(level: number): number {
  checkLevel(level)
  return normInv(level)
}

export interface ParametricOptions {
  level: number
  /** trading days; the one-day σ is scaled by √horizonDays */
  horizonDays: number
  /** override the normal quantile (Hull's examples round it: 2.33 at 99 %, 1.65 at 95 %) */
  z?: number
}

/**
 * Delta-normal: ΔP = Σ exposure_i · x_i with x ~ N(0, C) daily returns, exposure in money per
 * 1.00 (100 %) return (delta × price). Returns the one-day σ of ΔP and VaR/ES over the horizon
 * (ES of a normal: σ_h · φ(z) / (1 − α)).
 */
export function deltaNormal(exposure: ArrayLike<number>, cov: ArrayLike<number>, opts: ParametricOptions): {sigma1d: number; var: number; es: number} {
  checkLevel(opts.level)
  const m = exposure.length
  let v = 0
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) v += exposure[a] * cov[a * m + b] * exposure[b]
  const sigma1d = Math.sqrt(Math.max(0, v))
  const z = opts.z ?? normInv(opts.level)
  const sh = sigma1d * Math.sqrt(opts.horizonDays)
  const es = (sh * Math.exp(-0.5 * z * z)) / Math.sqrt(2 * Math.PI) / (1 - opts.level)
  return {sigma1d, var: z * sh, es}
}

/**
 * Delta-gamma with the Cornish–Fisher expansion (Hull, RMFI §14): ΔP = Σ δ_i x_i + ½ Σ γ_i x_i²
 * with δ_i = delta × S (money per 1.00 return), γ_i = gamma × S² (gamma per underlying: options on
 * different underlyings have no cross gamma), x ~ N(0, C·h). Moments:
 *   μ = ½ Σ γ_i C_ii,  σ² = δᵀCδ + ½ tr((ΓC)²),  E[(ΔP − μ)³] = 3 δᵀCΓCδ + tr((ΓC)³),
 * skewness ξ = E[(ΔP − μ)³] / σ³, quantile w = z + (z² − 1)ξ/6 with z = −z_α (the loss side),
 * VaR = −(μ + wσ). ES is not defined by the expansion; it is left null.
 */
export function deltaGamma(delta: ArrayLike<number>, gamma: ArrayLike<number>, dailyCov: ArrayLike<number>, opts: ParametricOptions): {mean: number; sd: number; skew: number; var: number} {
  checkLevel(opts.level)
  const m = delta.length
  const h = opts.horizonDays
  const C = new Float64Array(m * m)
  for (let i = 0; i < m * m; i++) C[i] = dailyCov[i] * h
  // G = ΓC (Γ diagonal): G[a][b] = γ_a C[a][b]
  const G = new Float64Array(m * m)
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) G[a * m + b] = gamma[a] * C[a * m + b]
  let mean = 0
  for (let a = 0; a < m; a++) mean += 0.5 * G[a * m + a]
  const Cd = new Float64Array(m)
  for (let a = 0; a < m; a++) {
    let s = 0
    for (let b = 0; b < m; b++) s += C[a * m + b] * delta[b]
    Cd[a] = s
  }
  let dCd = 0
  for (let a = 0; a < m; a++) dCd += delta[a] * Cd[a]
  const G2 = matMul(G, G, m)
  const G3 = matMul(G2, G, m)
  let tr2 = 0
  let tr3 = 0
  for (let a = 0; a < m; a++) {
    tr2 += G2[a * m + a]
    tr3 += G3[a * m + a]
  }
  // δᵀCΓCδ = Σ_a γ_a (Cδ)_a²
  let dCGCd = 0
  for (let a = 0; a < m; a++) dCGCd += gamma[a] * Cd[a] * Cd[a]
  const variance = dCd + 0.5 * tr2
  const sd = Math.sqrt(Math.max(0, variance))
  const third = 3 * dCGCd + tr3
  const skew = sd > 0 ? third / (sd * sd * sd) : 0
  const z = -(opts.z ?? normInv(opts.level))
  const w = z + ((z * z - 1) * skew) / 6
  return {mean, sd, skew, var: -(mean + w * sd)}
}

function matMul(A: Float64Array, B: Float64Array, m: number): Float64Array {
  const out = new Float64Array(m * m)
  for (let i = 0; i < m; i++)
    for (let k = 0; k < m; k++) {
      const a = A[i * m + k]
      if (a === 0) continue
      for (let j = 0; j < m; j++) out[i * m + j] += a * B[k * m + j]
    }
  return out
}

// ------------------------------------------------------------------------------------ Monte Carlo

/** mulberry32: a small, fast, seeded 32-bit generator; uniform in (0, 1). */
export function seededUniform(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296
  }
}

/** Standard normal draws by inversion (one uniform each, so a seed gives the same stream everywhere). */
export function seededNormal(seed: number): () => number {
  const u = seededUniform(seed)
  return () => normInv(u())
}

export interface MonteCarloOptions {
  /** number of scenarios */
  scenarios: number
  seed: number
  /** 'normal', or 'student-t' with `dof` degrees of freedom (> 2), scaled to the same covariance */
  distribution: 'normal' | 'student-t'
  dof?: number
  /** trading days: the draws are horizon-day returns with covariance C·h */
  horizonDays: number
}

/**
 * Correlated return scenarios x = √h · L z (z normal, or multivariate Student-t: z·√((ν−2)/W)
 * with W ~ χ²_ν, one W per scenario so the tails are joint). Output: row-major m × scenarios,
 * each a log return; the scenario factor is exp(x).
 */
export function monteCarloReturns(dailyCov: ArrayLike<number>, m: number, opts: MonteCarloOptions): Float64Array {
  const n = opts.scenarios
  const L = cholesky(dailyCov, m)
  const normal = seededNormal(opts.seed)
  const out = new Float64Array(m * n)
  const z = new Float64Array(m)
  const sh = Math.sqrt(opts.horizonDays)
  const t = opts.distribution === 'student-t'
  const nu = opts.dof ?? 5
  if (t && !(Number.isInteger(nu) && nu > 2)) throw new RangeError(`Student-t degrees of freedom must be a whole number above 2, got ${nu}`)
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < m; i++) z[i] = normal()
    let scale = sh
    if (t) {
      let w = 0
      for (let k = 0; k < nu; k++) {
        const g = normal()
        w += g * g
      }
      scale *= Math.sqrt((nu - 2) / Math.max(w, 1e-300))
    }
    for (let i = 0; i < m; i++) {
      let x = 0
      for (let k = 0; k <= i; k++) x += L[i * m + k] * z[k]
      out[i * n + s] = x * scale
    }
  }
  return out
}
