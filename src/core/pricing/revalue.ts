/*
 * Full revaluation of a book of legs under market scenarios: the engine of historical-simulation
 * and Monte Carlo VaR and of the stress grid. Pure and allocation-free inside the per-leg loop.
 *
 * A scenario moves each underlying's price by a factor and each underlying's implied vol by an
 * absolute shift (σ + shift, floored at MIN_VOL), and lets `elapsedYears` pass. A leg's P&L is
 * units × (value in the scenario − value today), both from the same model, so a model/mark
 * mismatch never shows up as P&L. Linear legs (stock, futures, funds) move with their factor.
 *
 * The option pricer is a parameter (`LegEngine`). Default: the public pricing API
 * (`optionPrice` with the leg's ModelChoice: BSM or Black-76, American by Bjerksund–Stensland
 * where the option is American). With `interpolate`, each option leg is priced exactly on a
 * Chebyshev tensor grid over its underlying's scenario range (16 log-spot × 4 vol nodes); the
 * legs of one underlying add up to one interpolant (coefficients are linear), which is read off
 * once per scenario, so the cost per scenario no longer grows with the number of legs. Its
 * error against exact pricing is measured in
 * test/pricing/var-revalue.test.ts and bench/var.mjs. Legs within 7 days of expiry at the
 * horizon are always priced exactly (the payoff kink makes the interpolant poor there).
 */
import {optionPrice, type ModelChoice, type PricingInput} from './index.js'

export const MIN_VOL = 0.01

/** Value of one unit of an option; must be deterministic and pure. */
export type LegEngine = (call: boolean, spot: number, strike: number, years: number, rate: number, dividend: number, vol: number, black76: boolean, american: boolean) => number

const CHOICES: Record<string, ModelChoice> = {
  'bsm-european': {model: 'bsm', style: 'european'},
  'bsm-american': {model: 'bsm', style: 'american'},
  'black76-european': {model: 'black76', style: 'european'},
  'black76-american': {model: 'black76', style: 'american'},
}

/** The public pricing API as a LegEngine, with one reused input object (no allocation per call). */
export function apiEngine(extra: Partial<ModelChoice> = {}): LegEngine {
  const input: PricingInput = {right: 'call', spot: 0, strike: 0, years: 0, rate: 0, dividend: 0, vol: 0}
  const choices = {
    be: {...CHOICES['bsm-european'], ...extra},
    ba: {...CHOICES['bsm-american'], ...extra},
    ke: {...CHOICES['black76-european'], ...extra},
    ka: {...CHOICES['black76-american'], ...extra},
  }
  return (call, spot, strike, years, rate, dividend, vol, black76, american) => {
    input.right = call ? 'call' : 'put'
    input.spot = spot
    input.strike = strike
    input.years = years
    input.rate = rate
    input.dividend = dividend
    input.vol = vol
    return optionPrice(input, black76 ? (american ? choices.ka : choices.ke) : american ? choices.ba : choices.be)
  }
}

/** A book as parallel arrays (struct of arrays), one entry per leg. */
export interface LegBook {
  n: number
  /** names of the underlyings the `under` indices point into */
  underlyings: string[]
  under: Int32Array
  /** 1 option, 0 linear */
  option: Uint8Array
  call: Uint8Array
  american: Uint8Array
  black76: Uint8Array
  /** money per 1.00 of the leg's price: signed quantity × multiplier × FX rate into the book's currency */
  units: Float64Array
  /** today's underlying price (for a linear leg: its own price), in the leg's currency */
  spot: Float64Array
  strike: Float64Array
  /** years to expiry today */
  years: Float64Array
  rate: Float64Array
  dividend: Float64Array
  /** implied vol, fraction */
  vol: Float64Array
}

export interface LegInput {
  underlying: string
  option: boolean
  call?: boolean
  american?: boolean
  black76?: boolean
  units: number
  spot: number
  strike?: number
  years?: number
  rate?: number
  dividend?: number
  vol?: number
}

export function legBook(legs: LegInput[]): LegBook {
  const n = legs.length
  const underlyings: string[] = []
  const index = new Map<string, number>()
  const b: LegBook = {
    n, underlyings, under: new Int32Array(n), option: new Uint8Array(n), call: new Uint8Array(n), american: new Uint8Array(n), black76: new Uint8Array(n),
    units: new Float64Array(n), spot: new Float64Array(n), strike: new Float64Array(n), years: new Float64Array(n), rate: new Float64Array(n),
    dividend: new Float64Array(n), vol: new Float64Array(n),
  }
  legs.forEach((l, i) => {
    let u = index.get(l.underlying)
    if (u === undefined) {
      u = underlyings.length
      underlyings.push(l.underlying)
      index.set(l.underlying, u)
    }
    b.under[i] = u
    b.option[i] = l.option ? 1 : 0
    b.call[i] = l.call ? 1 : 0
    b.american[i] = l.american ? 1 : 0
    b.black76[i] = l.black76 ? 1 : 0
    b.units[i] = l.units
    b.spot[i] = l.spot
    b.strike[i] = l.strike ?? 0
    b.years[i] = l.years ?? 0
    b.rate[i] = l.rate ?? 0
    b.dividend[i] = l.dividend ?? 0
    b.vol[i] = l.vol ?? 0
  })
  return b
}

/**
 * Scenarios for the book's underlyings, row-major by underlying: entry u·n + s is underlying u
 * in scenario s. `volShift` null = implied vols unchanged.
 */
export interface ScenarioSet {
  n: number
  /** multiplicative price factor (1.05 = +5 %) */
  spotFactor: Float64Array
  /** absolute implied-vol shift, fraction (0.02 = +2 vol points); null = none */
  volShift: Float64Array | null
  /** time that passes in every scenario, years */
  elapsedYears: number
}

export interface RevalueOptions {
  engine?: LegEngine
  /** price option legs on a per-leg Chebyshev grid (see the top of this file) */
  interpolate?: boolean
}

const NS = 16
const NV = 4

/**
 * P&L per scenario into `out` (length n), in the book's currency; with `perUnderlying`
 * (length underlyings × n) also each underlying's share. Both are overwritten.
 */
export function revaluePnl(book: LegBook, sc: ScenarioSet, out: Float64Array, opts: RevalueOptions = {}, perUnderlying?: Float64Array): void {
  const engine = opts.engine ?? apiEngine()
  const n = sc.n
  const m = book.underlyings.length
  out.fill(0, 0, n)
  perUnderlying?.fill(0, 0, m * n)
  const dt = sc.elapsedYears
  const shifts = sc.volShift
  // Per underlying: the log-factor range and each scenario's position in it, computed once.
  let xs: Float64Array | null = null
  let range: Float64Array | null = null
  if (opts.interpolate) {
    xs = new Float64Array(m * n)
    range = new Float64Array(m * 4) // logLo, logHi, volLo, volHi
    for (let u = 0; u < m; u++) {
      let lo = Infinity
      let hi = -Infinity
      let vlo = Infinity
      let vhi = -Infinity
      for (let s = 0; s < n; s++) {
        const l = Math.log(sc.spotFactor[u * n + s])
        if (l < lo) lo = l
        if (l > hi) hi = l
        const v = shifts ? shifts[u * n + s] : 0
        if (v < vlo) vlo = v
        if (v > vhi) vhi = v
      }
      if (hi - lo < 1e-9) {
        lo -= 1e-6
        hi += 1e-6
      }
      range[u * 4] = lo
      range[u * 4 + 1] = hi
      range[u * 4 + 2] = vlo
      range[u * 4 + 3] = vhi
      for (let s = 0; s < n; s++) xs[u * n + s] = (2 * Math.log(sc.spotFactor[u * n + s]) - lo - hi) / (hi - lo)
    }
  }
  const grid = new Float64Array(NS * NV)
  const coef = new Float64Array(NS * NV)
  const colB = new Float64Array(NV)
  // Interpolated legs of one underlying share its nodes, and Chebyshev coefficients are linear:
  // their units-weighted sum is one interpolant per underlying, evaluated once per scenario.
  const acc = xs ? new Float64Array(m * NS * NV) : null
  const accBase = xs ? new Float64Array(m) : null
  const accUsed = xs ? new Uint8Array(m) : null
  for (let i = 0; i < book.n; i++) {
    const u = book.under[i]
    const units = book.units[i]
    const S0 = book.spot[i]
    const row = u * n
    if (book.option[i] === 0) {
      for (let s = 0; s < n; s++) {
        const p = units * S0 * (sc.spotFactor[row + s] - 1)
        out[s] += p
        if (perUnderlying) perUnderlying[row + s] += p
      }
      continue
    }
    const call = book.call[i] === 1
    const K = book.strike[i]
    const T0 = book.years[i]
    const T = T0 - dt
    const r = book.rate[i]
    const q = book.dividend[i]
    const v0 = book.vol[i]
    const b76 = book.black76[i] === 1
    const am = book.american[i] === 1
    const base = engine(call, S0, K, T0, r, q, v0, b76, am)
    if (xs && range && T * 365 >= 7) {
      const lo = range[u * 4]
      const hi = range[u * 4 + 1]
      const vlo = range[u * 4 + 2]
      const vhi = range[u * 4 + 3]
      const flatVol = vhi - vlo < 1e-12
      const nv = flatVol ? 1 : NV
      // Exact values at the Chebyshev nodes (spot) × (vol), then DCT to coefficients.
      for (let k = 0; k < nv; k++) {
        const yv = flatVol ? 0 : Math.cos((Math.PI * (k + 0.5)) / NV)
        const shift = flatVol ? vlo : 0.5 * (vlo + vhi) + 0.5 * (vhi - vlo) * yv
        const vol = Math.max(MIN_VOL, v0 + shift)
        for (let j = 0; j < NS; j++) {
          const xj = Math.cos((Math.PI * (j + 0.5)) / NS)
          grid[j * NV + k] = engine(call, S0 * Math.exp(0.5 * (lo + hi) + 0.5 * (hi - lo) * xj), K, T, r, q, vol, b76, am)
        }
      }
      chebCoefficients(grid, coef, nv)
      const off = u * NS * NV
      for (let k = 0; k < NS * NV; k++) acc![off + k] += units * coef[k]
      accBase![u] += units * base
      accUsed![u] = 1
      continue
    }
    for (let s = 0; s < n; s++) {
      const vol = shifts ? Math.max(MIN_VOL, v0 + shifts[row + s]) : v0
      const p = units * (engine(call, S0 * sc.spotFactor[row + s], K, T, r, q, vol, b76, am) - base)
      out[s] += p
      if (perUnderlying) perUnderlying[row + s] += p
    }
  }
  if (!xs || !range || !acc || !accBase || !accUsed) return
  for (let u = 0; u < m; u++) {
    if (accUsed[u] === 0) continue
    const row = u * n
    const vlo = range[u * 4 + 2]
    const vhi = range[u * 4 + 3]
    const flatVol = vhi - vlo < 1e-12
    coef.set(acc.subarray(u * NS * NV, (u + 1) * NS * NV))
    for (let s = 0; s < n; s++) {
      const x = xs[row + s]
      let value: number
      if (flatVol) value = clenshaw(coef, 0, x)
      else {
        for (let l = 0; l < NV; l++) colB[l] = clenshaw(coef, l, x)
        value = clenshaw1(colB, (2 * (shifts ? shifts[row + s] : 0) - vlo - vhi) / (vhi - vlo))
      }
      const p = value - accBase[u]
      out[s] += p
      if (perUnderlying) perUnderlying[row + s] += p
    }
  }
}

/** 2-D DCT: values at NS × nv Chebyshev nodes (layout j·NV + k) → coefficients (i·NV + l). */
function chebCoefficients(grid: Float64Array, coef: Float64Array, nv: number): void {
  coef.fill(0)
  for (let i = 0; i < NS; i++)
    for (let l = 0; l < nv; l++) {
      let s = 0
      for (let j = 0; j < NS; j++) {
        const cj = Math.cos((Math.PI * i * (j + 0.5)) / NS)
        for (let k = 0; k < nv; k++) s += grid[j * NV + k] * cj * (nv === 1 ? 1 : Math.cos((Math.PI * l * (k + 0.5)) / nv))
      }
      let c = (s * 2) / NS
      if (nv > 1) c *= 2 / nv
      if (i === 0) c *= 0.5
      if (l === 0 && nv > 1) c *= 0.5
      coef[i * NV + l] = c
    }
}

/** Σ_i coef[i·NV + l] T_i(x) by Clenshaw's recurrence. */
function clenshaw(coef: Float64Array, l: number, x: number): number {
  let b1 = 0
  let b2 = 0
  const x2 = 2 * x
  for (let i = NS - 1; i >= 1; i--) {
    const t = x2 * b1 - b2 + coef[i * NV + l]
    b2 = b1
    b1 = t
  }
  return x * b1 - b2 + coef[l]
}

function clenshaw1(c: Float64Array, x: number): number {
  let b1 = 0
  let b2 = 0
  const x2 = 2 * x
  for (let i = c.length - 1; i >= 1; i--) {
    const t = x2 * b1 - b2 + c[i]
    b2 = b1
    b1 = t
  }
  return x * b1 - b2 + c[0]
}
