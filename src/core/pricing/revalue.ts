/*
 * Full revaluation of a book of legs under market scenarios: the engine of historical-simulation
 * and Monte Carlo VaR and of the stress grid. Pure and allocation-free inside the per-leg loop.
 *
 * A scenario moves each underlying's price by a factor and each underlying's implied vol by an
 * absolute shift (σ + shift, floored at MIN_VOL), and lets `elapsedYears` pass. A leg's P&L is
 * units × (value in the scenario − value today), both from the same model, so a model/mark
 * mismatch never shows up as P&L. Linear legs (stock, futures, funds) move with their factor.
 *
 * The option pricer is a parameter (`LegEngine`). Default: the public pricing API (`apiEngine`:
 * BSM or Black-76, American by the converged engine or the one named). With the API engine every
 * scenario is priced by the model itself, through two shortcuts that change no number beyond
 * rounding: European legs go through a BSM/Black-76 kernel with the per-leg work hoisted out of
 * the scenario loop (bit-identical to the API), and American legs price all scenarios that share
 * an implied vol with one exercise-boundary solve (exactAmericanCurve: the boundary does not
 * depend on the spot; stress grids have 9 vols for 99 cells).
 *
 * With `interpolate`, option legs are priced exactly on Chebyshev nodes over their underlying's
 * scenario range (log price × vol shift) and interpolated: each leg picks how many equal pieces
 * the log-price range is cut into (a "tier": 1, 2, 4 … 32 pieces) so that a piece is at most
 * PIECE_WIDTH standard deviations σ√T of the leg wide; legs of one underlying and tier add up to
 * one interpolant (the coefficients are linear), read off once per scenario, so the cost per
 * scenario no longer grows with the number of legs. The error against pricing every scenario is
 * measured in test/pricing/var-revalue.test.ts and bench/var.mjs (README states it). Legs the grid
 * cannot serve (finer than 32 pieces, or a vol shift reaching the MIN_VOL floor) are priced
 * scenario by scenario.
 */
import {exactAmericanCurve, exactAmericanPrice} from './american-exact.js'
import {gbsPrice} from './black76.js'
import {optionPrice, type Engine, type ModelChoice, type PricingInput} from './index.js'
import {gaussFactor, normCdf, normCdfWithGauss} from './normal.js'

export const MIN_VOL = 0.01

/** Value of one unit of an option; must be deterministic and pure. */
export type LegEngine = (call: boolean, spot: number, strike: number, years: number, rate: number, dividend: number, vol: number, black76: boolean, american: boolean) => number

const CHOICES: Record<string, ModelChoice> = {
  'bsm-european': {model: 'bsm', style: 'european'},
  'bsm-american': {model: 'bsm', style: 'american'},
  'black76-european': {model: 'black76', style: 'european'},
  'black76-american': {model: 'black76', style: 'american'},
}

/** The public pricing API as a LegEngine; `american` names the American engine it uses. */
export type ApiLegEngine = LegEngine & {readonly american: Engine}

/** The public pricing API as a LegEngine, with one reused input object (no allocation per call). */
export function apiEngine(extra: {engine?: Engine} = {}): ApiLegEngine {
  const input: PricingInput = {right: 'call', spot: 0, strike: 0, years: 0, rate: 0, dividend: 0, vol: 0}
  const choices = {
    be: {...CHOICES['bsm-european'], ...extra},
    ba: {...CHOICES['bsm-american'], ...extra},
    ke: {...CHOICES['black76-european'], ...extra},
    ka: {...CHOICES['black76-american'], ...extra},
  }
  const fn: LegEngine = (call, spot, strike, years, rate, dividend, vol, black76, american) => {
    input.right = call ? 'call' : 'put'
    input.spot = spot
    input.strike = strike
    input.years = years
    input.rate = rate
    input.dividend = dividend
    input.vol = vol
    return optionPrice(input, black76 ? (american ? choices.ka : choices.ke) : american ? choices.ba : choices.be)
  }
  return Object.assign(fn, {american: extra.engine ?? 'exact'})
}

const apiAmerican = (engine: LegEngine): Engine | null => {
  const a = (engine as Partial<ApiLegEngine>).american
  return a === 'exact' || a === 'fast' || a === 'bs2002' ? a : null
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
  /** price option legs by the interpolating engine (see the top of this file) */
  interpolate?: boolean
  /** interpolating engine: widest piece of log price, in σ√T of the leg (default PIECE_WIDTH; for accuracy studies) */
  pieceWidth?: number
}

/** Chebyshev nodes per piece of the log-price range, and across the vol-shift range. */
export const GRID_SPOT_NODES = 16
export const GRID_VOL_NODES = 8
/** Widest piece of the log-price range, in standard deviations σ√T of the leg (at its lowest scenario vol). */
export const PIECE_WIDTH = 2
/** At most 2^MAX_TIER pieces; a leg needing more is priced scenario by scenario. */
export const MAX_TIER = 5
/** An American leg is checked for exercise in every scenario when its boundary is within this (log price) of the scenario range. */
const EXERCISE_MARGIN = 0.01

const NS = GRID_SPOT_NODES
const NV = GRID_VOL_NODES
const TIERS = MAX_TIER + 1
const S_NODE = Float64Array.from({length: NS}, (_, j) => Math.cos((Math.PI * (j + 0.5)) / NS))
const V_NODE = Float64Array.from({length: NV}, (_, k) => Math.cos((Math.PI * (k + 0.5)) / NV))
const S_COS = Float64Array.from({length: NS * NS}, (_, x) => Math.cos((Math.PI * Math.floor(x / NS) * ((x % NS) + 0.5)) / NS))
const V_COS = Float64Array.from({length: NV * NV}, (_, x) => Math.cos((Math.PI * Math.floor(x / NV) * ((x % NV) + 0.5)) / NV))

const DEFAULT_ENGINE = apiEngine()

/**
 * P&L per scenario into `out` (length n), in the book's currency; with `perUnderlying`
 * (length underlyings × n) also each underlying's share. Both are overwritten.
 */
export function revaluePnl(book: LegBook, sc: ScenarioSet, out: Float64Array, opts: RevalueOptions = {}, perUnderlying?: Float64Array): void {
  const engine = opts.engine ?? DEFAULT_ENGINE
  const am = apiAmerican(engine)
  const n = sc.n
  const m = book.underlyings.length
  out.fill(0, 0, n)
  perUnderlying?.fill(0, 0, m * n)
  const dt = sc.elapsedYears
  const shifts = sc.volShift
  const grid = opts.interpolate ? new Grid(book, sc, opts.pieceWidth ?? PIECE_WIDTH) : null
  const vals = new Float64Array(n)
  const work = new Work(n)
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
    const amer = book.american[i] === 1
    const base = engine(call, S0, K, T0, r, q, v0, b76, amer)
    if (grid && grid.add(i, T, base, engine, am)) continue
    if (am !== null && !amer && T > 0) europeanValues(vals, n, call, S0, sc.spotFactor, work.logFactor(u, sc.spotFactor, n, m), row, K, T, r, b76 ? 0 : r - q, v0, shifts)
    else if (am !== null && am !== 'bs2002' && amer && T > 0) americanValues(vals, n, work, u, call, S0, sc.spotFactor, row, K, T, r, b76 ? r : q, v0, shifts, am === 'fast')
    else
      for (let s = 0; s < n; s++) {
        const vol = shifts ? Math.max(MIN_VOL, v0 + shifts[row + s]) : v0
        vals[s] = engine(call, S0 * sc.spotFactor[row + s], K, T, r, q, vol, b76, amer)
      }
    for (let s = 0; s < n; s++) {
      const p = units * (vals[s] - base)
      out[s] += p
      if (perUnderlying) perUnderlying[row + s] += p
    }
  }
  grid?.evaluate(out, perUnderlying, vals)
}

/**
 * European BSM / Black-76 values of one leg in every scenario: gbsPrice's formula with the per-leg
 * work (discount factors, √T, carry, ln(S/K)) done once, ln of each scenario factor once per
 * underlying, and one exponential per price (exp(−d₂²/2) = exp(−d₁²/2)·F/K). Where the two
 * Black terms cancel too much gbsPrice itself is used (its normalised Black function). Equal to
 * the API within 5e-16 of the strike measured (the test holds it to 1e-13 of the strike).
 */
function europeanValues(vals: Float64Array, n: number, call: boolean, S0: number, factor: Float64Array, logf: Float64Array, row: number, K: number, T: number, r: number, carry: number, v0: number, shifts: Float64Array | null): void {
  const sqrtT = Math.sqrt(T)
  const dfCarry = Math.exp((carry - r) * T)
  const kd = K * Math.exp(-r * T)
  const ct = carry * T
  const fwd = Math.exp(ct) / K // F/K = S·e^{bT}/K
  const lnSK = Math.log(S0 / K)
  const theta = call ? 1 : -1
  for (let s = 0; s < n; s++) {
    const vol = shifts ? Math.max(MIN_VOL, v0 + shifts[row + s]) : v0
    const S = S0 * factor[row + s]
    const sd = vol * sqrtT
    const d1 = (lnSK + logf[row + s] + ct) / sd + 0.5 * sd
    const d2 = d1 - sd
    const g1 = gaussFactor(d1)
    const sTerm = S * dfCarry * normCdfWithGauss(theta * d1, g1)
    const kTerm = kd * (g1 > 0 ? normCdfWithGauss(theta * d2, g1 * (S * fwd)) : normCdf(theta * d2))
    const price = call ? sTerm - kTerm : kTerm - sTerm
    vals[s] = 100 * price > (1 + d1 * d1) * (call ? sTerm : kTerm) ? price : gbsPrice(call, S, K, T, r, carry, vol)
  }
}

/** Scratch shared by the legs of one revaluation: spots, values and, per underlying, the scenarios ordered by vol shift. */
class Work {
  spots: Float64Array
  curve: Float64Array
  orders = new Map<number, Int32Array>()
  private logf: Float64Array | null = null
  private logDone: Uint8Array | null = null
  constructor(n: number) {
    this.spots = new Float64Array(n)
    this.curve = new Float64Array(n)
  }
  /** ln(spot factor) of every scenario (m × n, filled per underlying on first use). */
  logFactor(u: number, factor: Float64Array, n: number, m: number): Float64Array {
    if (!this.logf || !this.logDone) {
      this.logf = new Float64Array(m * n)
      this.logDone = new Uint8Array(m)
    }
    if (this.logDone[u] === 0) {
      for (let s = u * n; s < (u + 1) * n; s++) this.logf[s] = Math.log(factor[s])
      this.logDone[u] = 1
    }
    return this.logf
  }
  order(u: number, shifts: Float64Array, row: number, n: number): Int32Array {
    let o = this.orders.get(u)
    if (!o) {
      o = Int32Array.from({length: n}, (_, s) => s)
      o.sort((a, b) => shifts[row + a] - shifts[row + b])
      this.orders.set(u, o)
    }
    return o
  }
}

/**
 * American values of one leg in every scenario: scenarios with the same implied vol share one
 * boundary solve (exactAmericanCurve), bit-identical to pricing them one by one.
 */
function americanValues(vals: Float64Array, n: number, work: Work, u: number, call: boolean, S0: number, factor: Float64Array, row: number, K: number, T: number, r: number, q: number, v0: number, shifts: Float64Array | null, fast: boolean): void {
  const spots = work.spots
  if (!shifts) {
    for (let s = 0; s < n; s++) spots[s] = S0 * factor[row + s]
    exactAmericanCurve(call, spots, K, T, r, q, v0, fast, vals, n)
    return
  }
  const order = work.order(u, shifts, row, n)
  let a = 0
  while (a < n) {
    const vol = Math.max(MIN_VOL, v0 + shifts[row + order[a]])
    let b = a + 1
    while (b < n && Math.max(MIN_VOL, v0 + shifts[row + order[b]]) === vol) b++
    if (b - a === 1) vals[order[a]] = exactAmericanPrice(call, S0 * factor[row + order[a]], K, T, r, q, vol, fast)
    else {
      for (let j = a; j < b; j++) spots[j - a] = S0 * factor[row + order[j]]
      exactAmericanCurve(call, spots, K, T, r, q, vol, fast, work.curve, b - a)
      for (let j = a; j < b; j++) vals[order[j]] = work.curve[j - a]
    }
    a = b
  }
}

/**
 * The interpolating engine: per underlying, its scenarios' log-price factors and vol shifts
 * mapped to [−1, 1], and per underlying and tier the sum of its legs' Chebyshev coefficients.
 */
class Grid {
  private readonly n: number
  private readonly xs: Float64Array
  private readonly ys: Float64Array | null
  /** per underlying: logLo, logHi, volLo, volHi */
  private readonly range: Float64Array
  private readonly acc: (Float64Array | null)[]
  private readonly base: Float64Array
  private readonly used: Uint8Array
  private readonly spots = new Float64Array(NS << MAX_TIER)
  private readonly values = new Float64Array(NV * (NS << MAX_TIER))
  private readonly g = new Float64Array(NS * NV)
  private readonly coef = new Float64Array(NV * (NS << MAX_TIER))
  private readonly lnB = new Float64Array(NV)
  /** American legs whose exercise boundary the scenarios can reach: their own interpolant over the continuation region, and the boundary (ln(boundary / spot today), Chebyshev coefficients in the vol shift) */
  private readonly exercisable: {u: number; pieces: number; coef: Float64Array; boundary: Float64Array; units: number; call: boolean; K: number; S0: number}[] = []

  constructor(private readonly book: LegBook, private readonly sc: ScenarioSet, private readonly pieceWidth: number) {
    const n = sc.n
    const m = book.underlyings.length
    this.n = n
    this.xs = new Float64Array(m * n)
    this.ys = sc.volShift ? new Float64Array(m * n) : null
    this.range = new Float64Array(m * 4)
    this.acc = new Array(m * TIERS).fill(null)
    this.base = new Float64Array(m)
    this.used = new Uint8Array(m)
    const shifts = sc.volShift
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
      if (vhi - vlo < 1e-12) vhi = vlo
      this.range.set([lo, hi, vlo, vhi], u * 4)
      for (let s = 0; s < n; s++) {
        this.xs[u * n + s] = Math.min(1, Math.max(-1, (2 * Math.log(sc.spotFactor[u * n + s]) - lo - hi) / (hi - lo)))
        if (this.ys && shifts) this.ys[u * n + s] = vhi > vlo ? (2 * shifts[u * n + s] - vlo - vhi) / (vhi - vlo) : 0
      }
    }
  }

  /** Prices leg i on its nodes and adds it to its underlying's interpolant; false when the grid cannot serve it. */
  add(i: number, T: number, base: number, engine: LegEngine, am: Engine | null): boolean {
    const b = this.book
    const u = b.under[i]
    const lo = this.range[u * 4]
    const hi = this.range[u * 4 + 1]
    const vlo = this.range[u * 4 + 2]
    const vhi = this.range[u * 4 + 3]
    const v0 = b.vol[i]
    if (!(T > 0) || v0 + vlo < MIN_VOL) return false
    const nv = vhi > vlo ? NV : 1
    const call = b.call[i] === 1
    const K = b.strike[i]
    const r = b.rate[i]
    const q = b.dividend[i]
    const b76 = b.black76[i] === 1
    const amer = b.american[i] === 1
    const S0 = b.spot[i]
    const volAt = (k: number) => v0 + (nv === 1 ? vlo : 0.5 * (vlo + vhi) + 0.5 * (vhi - vlo) * V_NODE[k])
    // American legs through the API: where the scenarios can reach the exercise boundary, the price
    // has a kink there (a jump in gamma) that no polynomial follows. Such a leg gets its own grid
    // over the continuation region only, between the boundary (per vol node) and the far end of
    // the range, and the payoff beyond the boundary (evaluate).
    const curve = am !== null && am !== 'bs2002' && amer
    const fast = am === 'fast'
    const qq = b76 ? r : q
    // Nodes over the whole range first (one boundary solve per vol node prices them); a leg that
    // can reach its boundary is priced again on nodes over its continuation region.
    const w = (v0 + vlo) * Math.sqrt(T)
    let t = 0
    while ((hi - lo) / (1 << t) > this.pieceWidth * w) if (++t > MAX_TIER) return false
    const pieces = 1 << t
    const count = pieces * NS
    const spots = this.spots
    const fill = (a: number, z: number) => {
      for (let p = 0; p < pieces; p++)
        for (let j = 0; j < NS; j++) spots[p * NS + j] = S0 * Math.exp(0.5 * (a + z) + 0.5 * (z - a) * (-1 + (2 * p + 1 + S_NODE[j]) / pieces))
    }
    fill(lo, hi)
    const lnB = this.lnB
    let reach = false
    for (let k = 0; k < nv; k++) {
      const vol = volAt(k)
      const col = this.values.subarray(k * count, (k + 1) * count)
      if (curve) {
        const boundary = exactAmericanCurve(call, spots, K, T, r, qq, vol, fast, col, count)
        if (Number.isNaN(boundary)) return false
        lnB[k] = Math.log(boundary / S0)
        // put: exercised at l ≤ lnB (call: l ≥ lnB)
        if (call ? hi >= lnB[k] - EXERCISE_MARGIN : lo <= lnB[k] + EXERCISE_MARGIN) reach = true
      } else if (am !== null && !amer) for (let j = 0; j < count; j++) col[j] = gbsPrice(call, spots[j], K, T, r, b76 ? 0 : r - q, vol)
      else for (let j = 0; j < count; j++) col[j] = engine(call, spots[j], K, T, r, q, vol, b76, amer)
    }
    // Exercised in every scenario at every vol node: worth its payoff throughout (evaluate).
    let always = reach
    for (let k = 0; k < nv; k++) if (call ? lnB[k] > lo - EXERCISE_MARGIN : lnB[k] < hi + EXERCISE_MARGIN) always = false
    if (always) this.values.fill(0, 0, nv * count)
    else if (reach) {
      // (almost) all of the range exercised at some vol but not at others: priced scenario by scenario
      for (let k = 0; k < nv; k++) if ((call ? lnB[k] - lo : hi - lnB[k]) < 0.05 * (hi - lo)) return false
      for (let k = 0; k < nv; k++) {
        fill(call ? lo : lnB[k], call ? lnB[k] : hi)
        exactAmericanCurve(call, spots, K, T, r, qq, volAt(k), fast, this.values.subarray(k * count, (k + 1) * count), count)
      }
    }
    const size = pieces * NS * NV
    const coef = reach ? new Float64Array(size) : this.coef
    coef.fill(0, 0, size)
    const g = this.g
    for (let p = 0; p < pieces; p++) {
      // Along the vol nodes first (g[j·NV + l]), then along the spot nodes, scaled to coefficients.
      for (let j = 0; j < NS; j++)
        for (let l = 0; l < nv; l++) {
          let s = 0
          for (let k = 0; k < nv; k++) s += this.values[k * count + p * NS + j] * (nv === 1 ? 1 : V_COS[l * NV + k])
          g[j * NV + l] = s
        }
      const off = p * NS * NV
      for (let c = 0; c < NS; c++)
        for (let l = 0; l < nv; l++) {
          let s = 0
          for (let j = 0; j < NS; j++) s += g[j * NV + l] * S_COS[c * NS + j]
          let cf = (s * 2) / NS
          if (nv > 1) cf *= 2 / nv
          if (c === 0) cf *= 0.5
          if (l === 0 && nv > 1) cf *= 0.5
          coef[off + c * NV + l] = cf
        }
    }
    const units = b.units[i]
    this.base[u] += units * base
    this.used[u] = 1
    if (reach) {
      const bc = new Float64Array(NV)
      if (nv === 1) bc[0] = lnB[0]
      else
        for (let l = 0; l < NV; l++) {
          let s = 0
          for (let k = 0; k < NV; k++) s += lnB[k] * V_COS[l * NV + k]
          bc[l] = ((l === 0 ? 1 : 2) * s) / NV
        }
      this.exercisable.push({u, pieces, coef, boundary: bc, units, call, K, S0})
      return true
    }
    const key = u * TIERS + t
    let acc = this.acc[key]
    if (!acc) acc = this.acc[key] = new Float64Array(size)
    for (let k = 0; k < size; k++) acc[k] += units * coef[k]
    return true
  }

  /** Adds every interpolated underlying's P&L per scenario; `sum` is scratch of length n. */
  evaluate(out: Float64Array, perUnderlying: Float64Array | undefined, sum: Float64Array): void {
    const n = this.n
    const colB = new Float64Array(NV)
    for (let u = 0; u < this.book.underlyings.length; u++) {
      if (this.used[u] === 0) continue
      const row = u * n
      const lo = this.range[u * 4]
      const hi = this.range[u * 4 + 1]
      const nv = this.range[u * 4 + 3] > this.range[u * 4 + 2] ? NV : 1
      sum.fill(0, 0, n)
      const merged = this.merge(u, nv)
      if (merged) for (let s = 0; s < n; s++) sum[s] += this.at(merged.coef, merged.pieces, nv, this.xs[row + s], this.ys ? this.ys[row + s] : 0, colB)
      // American legs that can reach their exercise boundary: the payoff beyond it, their own
      // interpolant over the continuation region (from the boundary at this vol) before it.
      for (const e of this.exercisable) {
        if (e.u !== u) continue
        for (let s = 0; s < n; s++) {
          const y = this.ys ? this.ys[row + s] : 0
          const lnB = nv === 1 ? e.boundary[0] : clenshaw1(e.boundary, y)
          const l = 0.5 * (lo + hi) + 0.5 * (hi - lo) * this.xs[row + s]
          let value: number
          if (e.call ? l >= lnB : l <= lnB) {
            const S = e.S0 * this.sc.spotFactor[row + s]
            value = Math.max(e.call ? S - e.K : e.K - S, 0)
          } else {
            const x = e.call ? (2 * (l - lo)) / (lnB - lo) - 1 : (2 * (l - lnB)) / (hi - lnB) - 1
            value = this.at(e.coef, e.pieces, nv, Math.min(1, Math.max(-1, x)), y, colB)
          }
          sum[s] += e.units * value
        }
      }
      const base = this.base[u]
      for (let s = 0; s < n; s++) {
        const p = sum[s] - base
        out[s] += p
        if (perUnderlying) perUnderlying[row + s] += p
      }
    }
  }

  /**
   * The underlying's tiers as one: each coarser tier's polynomials re-expanded exactly on the
   * finest tier's pieces (a degree NS − 1 polynomial on a sub-interval is one again: its values at
   * the sub-piece's NS Chebyshev nodes give its coefficients there), so a scenario reads one
   * interpolant whatever the mix of legs. Null when no leg of u is in the summed grid.
   */
  private merge(u: number, nv: number): {coef: Float64Array; pieces: number} | null {
    let finest = -1
    for (let t = 0; t < TIERS; t++) if (this.acc[u * TIERS + t]) finest = t
    if (finest < 0) return null
    const F = 1 << finest
    const out = this.acc[u * TIERS + finest]!
    const g = this.g
    for (let t = 0; t < finest; t++) {
      const acc = this.acc[u * TIERS + t]
      if (!acc) continue
      const C = 1 << t
      for (let pf = 0; pf < F; pf++) {
        const pc = Math.floor((pf * C) / F)
        for (let j = 0; j < NS; j++) {
          const x = -1 + (2 * pf + 1 + S_NODE[j]) / F
          const xl = (x + 1) * C - 2 * pc - 1
          for (let l = 0; l < nv; l++) g[j * NV + l] = clenshaw(acc, pc * NS * NV, l, xl)
        }
        const off = pf * NS * NV
        for (let c = 0; c < NS; c++)
          for (let l = 0; l < nv; l++) {
            let sum = 0
            for (let j = 0; j < NS; j++) sum += g[j * NV + l] * S_COS[c * NS + j]
            out[off + c * NV + l] += ((c === 0 ? 1 : 2) * sum) / NS
          }
      }
    }
    return {coef: out, pieces: F}
  }

  /** The interpolant with these coefficients at (x, y) ∈ [−1, 1]². */
  private at(c: Float64Array, pieces: number, nv: number, x: number, y: number, colB: Float64Array): number {
    const p = Math.min(pieces - 1, Math.floor((x + 1) * 0.5 * pieces))
    const xl = (x + 1) * pieces - 2 * p - 1
    const off = p * NS * NV
    if (nv === 1) return clenshaw(c, off, 0, xl)
    for (let l = 0; l < NV; l++) colB[l] = clenshaw(c, off, l, xl)
    return clenshaw1(colB, y)
  }
}

/** Σ_i c[off + i·NV + l] T_i(x) by Clenshaw's recurrence. */
function clenshaw(c: Float64Array, off: number, l: number, x: number): number {
  let b1 = 0
  let b2 = 0
  const x2 = 2 * x
  for (let i = NS - 1; i >= 1; i--) {
    const t = x2 * b1 - b2 + c[off + i * NV + l]
    b2 = b1
    b1 = t
  }
  return x * b1 - b2 + c[off + l]
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
