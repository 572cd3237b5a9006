/*
 * American put by finite differences, for the case the boundary iteration cannot handle: negative
 * rates with q < r < 0, where the exercise region is an interval between two boundaries
 * (M. Battauz, M. De Donno & A. Sbuelz, "Real options and American derivatives: the double
 * continuation region", Management Science 61(5), 2015; L. Andersen & M. Lake, "Fast American
 * option pricing: the double-boundary case", Wilmott 2021).
 *
 * In x = ln(S/K) the value solves V_τ = ½σ²V_xx + (r − q − ½σ²)V_x − rV with V ≥ K − S. We use
 * Crank–Nicolson (Rannacher start: the first step as two implicit half steps), time steps
 * concentrated near expiry (τ ∝ (i/n)²), and the early-exercise constraint by the operator
 * splitting of S. Ikonen & J. Toivanen (Appl. Math. Lett. 17, 2004), which handles any number of
 * boundaries. Two grids (n and 2n) are combined by Richardson extrapolation. Arrays are
 * preallocated for the largest grid.
 */
import type {RawGreeks} from './black76.js'

const NX = 500 // space steps of the coarse grid (the fine grid has 2·NX)
const NT = 1000 // time steps of the coarse grid (the time error dominates: see the tests)
const MAX_POINTS = 8 * NX + 1

const V = new Float64Array(MAX_POINTS)
const G = new Float64Array(MAX_POINTS) // payoff
const LAM = new Float64Array(MAX_POINTS)
const RHS = new Float64Array(MAX_POINTS)
const CP = new Float64Array(MAX_POINTS) // Thomas algorithm scratch
const DP = new Float64Array(MAX_POINTS)

interface GridResult {
  price: number
  delta: number
  gamma: number
}
const coarse: GridResult = {price: 0, delta: 0, gamma: 0}
const fine: GridResult = {price: 0, delta: 0, gamma: 0}

/** One solve on nx × nt; S sits on a node, the grid spans ±(6σ√T + |b|T + |ln S/K|) around it. */
function solve(res: GridResult, nx: number, nt: number, S: number, K: number, T: number, r: number, q: number, vol: number): void {
  const x0 = Math.log(S / K)
  const halfWidth = 6 * vol * Math.sqrt(T) + Math.abs(r - q) * T + Math.abs(x0) + 0.1
  const dx = (2 * halfWidth) / nx
  const mid = nx / 2 // index of S
  const xMin = x0 - mid * dx
  for (let i = 0; i <= nx; i++) {
    const x = xMin + i * dx
    G[i] = Math.max(K - K * Math.exp(x), 0)
    // Start from the cell average of the payoff (its kink at the strike otherwise costs the
    // scheme its second order, and Richardson extrapolation would then overshoot).
    const a = x - 0.5 * dx
    const b = Math.min(x + 0.5 * dx, 0)
    V[i] = b > a ? (K * (b - a) - K * (Math.exp(b) - Math.exp(a))) / dx : 0
    LAM[i] = 0
  }
  const s2 = vol * vol
  const mu = r - q - 0.5 * s2
  // A·V at i: a·V[i−1] + b·V[i] + c·V[i+1]
  const a = (0.5 * s2) / (dx * dx) - mu / (2 * dx)
  const c = (0.5 * s2) / (dx * dx) + mu / (2 * dx)
  const b = -s2 / (dx * dx) - r
  let tauPrev = 0
  let step = 0
  const sMin = K * Math.exp(xMin)
  for (let n = 1; n <= nt; n++) {
    const tau = T * (n / nt) * (n / nt)
    const dtFull = tau - tauPrev
    // Rannacher: the first step as two fully implicit half steps.
    const sub = n === 1 ? 2 : 1
    const dt = dtFull / sub
    for (let h = 0; h < sub; h++) {
      step++
      const theta = n === 1 ? 1 : 0.5
      const tNow = tauPrev + dt * (h + 1)
      // Boundaries: deep in the money the put is worth the larger of exercise and holding to
      // expiry; far out of the money nothing.
      const low = Math.max(K - sMin, K * Math.exp(-r * tNow) - sMin * Math.exp(-q * tNow))
      for (let i = 1; i < nx; i++) {
        const av = a * V[i - 1] + b * V[i] + c * V[i + 1]
        RHS[i] = V[i] + (1 - theta) * dt * av + dt * LAM[i]
      }
      // Tridiagonal (I − θ·dt·A), Dirichlet ends.
      const lo = -theta * dt * a
      const di = 1 - theta * dt * b
      const up = -theta * dt * c
      RHS[1] -= lo * low
      CP[1] = up / di
      DP[1] = RHS[1] / di
      for (let i = 2; i < nx; i++) {
        const m = di - lo * CP[i - 1]
        CP[i] = up / m
        DP[i] = (RHS[i] - lo * DP[i - 1]) / m
      }
      V[nx - 1] = DP[nx - 1]
      for (let i = nx - 2; i >= 1; i--) V[i] = DP[i] - CP[i] * V[i + 1]
      V[0] = low
      V[nx] = 0
      // Ikonen–Toivanen: V ← max(g, Ṽ − dt·λ), λ ← λ + (V − Ṽ)/dt.
      for (let i = 1; i < nx; i++) {
        const tilde = V[i]
        const next = Math.max(G[i], tilde - dt * LAM[i])
        LAM[i] = Math.max(0, LAM[i] + (next - tilde) / dt)
        V[i] = next
      }
    }
    tauPrev = tau
  }
  void step
  const vm = V[mid - 1]
  const v0 = V[mid]
  const vp = V[mid + 1]
  const vx = (vp - vm) / (2 * dx)
  const vxx = (vp - 2 * v0 + vm) / (dx * dx)
  res.price = v0
  res.delta = vx / S
  res.gamma = (vxx - vx) / (S * S)
}

/**
 * American put price, delta and gamma (per unit; theta/vega/rho are left to the caller) by
 * Crank–Nicolson on two grids with Richardson extrapolation. Any r, q; S, K, σ, T > 0.
 */
export function fdAmericanPut(out: RawGreeks, S: number, K: number, T: number, r: number, q: number, vol: number, nx = NX, nt = NT): RawGreeks {
  solve(coarse, nx, nt, S, K, T, r, q, vol)
  solve(fine, 2 * nx, 2 * nt, S, K, T, r, q, vol)
  const intrinsic = Math.max(K - S, 0)
  out.price = Math.max(fine.price + (fine.price - coarse.price) / 3, intrinsic)
  out.delta = fine.delta + (fine.delta - coarse.delta) / 3
  out.gamma = fine.gamma + (fine.gamma - coarse.gamma) / 3
  out.theta = 0
  out.vega = 0
  out.rho = 0
  return out
}
