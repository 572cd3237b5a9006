/*
 * Payoff analysis of a set of legs on one underlying: the P&L at the earliest option expiration
 * and "today", as functions of the underlying price S.
 *
 * Units as in types.ts: prices per unit, quantity signed (+ long, − short), multiplier turns one
 * unit of price into money. All results are money in the legs' currency.
 *
 * When every option expires on the same date the expiration P&L is piecewise linear in S with
 * kinks only at the strikes, so breakevens and max profit/loss are solved exactly on the linear
 * pieces (never read off the plotting grid, whose spacing would make them approximate). When
 * some options expire later, they are still alive at the evaluation date and are valued with the
 * pricing model at their IV; the curve is then smooth and the figures are found numerically.
 * A later leg without IV leaves the expiration curve unknown: nothing is invented for it.
 */
import {optionPrice, type ModelChoice} from '../pricing/index.js'
import {expiryInstant, yearsToExpiry} from './time.js'

export interface PayoffLeg {
  /** linear = stock / future / fund: P&L moves 1:1 with the underlying. */
  kind: 'option' | 'linear'
  right?: 'call' | 'put'
  strike?: number
  /** YYYY-MM-DD. */
  expiry?: string
  /** Signed: + long, − short; contracts or shares. */
  quantity: number
  multiplier: number
  /** Open price per unit (paid when long, received when short). */
  price: number
  /** Implied volatility as a fraction; without it the leg's model value is unknown. */
  iv?: number | null
  style?: 'american' | 'european'
  model?: 'bsm' | 'black76'
}

export interface PayoffPoint {
  underlying: number
  /** P&L at the analysis expiration; null only when method = 'unknown'. */
  expiration: number | null
  /** P&L at the market's asOf; null when some option leg has no IV (or no expiry). */
  today: number | null
}

/**
 * How the expiration figures were obtained:
 *  - exact: all options expire together; the payoff is piecewise linear and solved exactly;
 *  - numeric: options expiring later are model-valued at the expiration; figures are numerical;
 *  - unknown: an option expiring later has no IV, so the expiration P&L is unknown
 *    (expiration points, breakevens, max profit / loss are all unknown; see notes).
 */
export type PayoffMethod = 'exact' | 'numeric' | 'unknown'

export interface PayoffAnalysis {
  /** Ascending grid over the underlying price. */
  points: PayoffPoint[]
  /** Underlying prices where the expiration P&L is 0, ascending. */
  breakevens: number[]
  /** At expiration, money; null = unbounded (or unknown when method = 'unknown'). */
  maxProfit: number | null
  /** Lowest expiration P&L, money (negative when the trade can lose); null = unbounded (or unknown, see method). */
  maxLoss: number | null
  /**
   * Underlying prices where max profit / loss is reached. A flat region is given by its two ends,
   * Infinity as the upper end of a region that extends without bound (e.g. [210, Infinity]).
   */
  maxProfitAt: number[]
  maxLossAt: number[]
  /** Σ price × quantity × multiplier: + = paid (debit), − = received (credit). */
  netPremium: number
  /** Earliest option expiry (YYYY-MM-DD), where the expiration curve is evaluated; null if no dated option. */
  expiration: string | null
  method: PayoffMethod
  /** Human-readable caveats: legs model-valued at the expiration, legs without IV, expired legs. */
  notes: string[]
}

export interface PayoffMarket {
  spot: number
  rate: number
  dividend: number
  asOf: Date
  currency: string
}

export interface PayoffGrid {
  from?: number
  to?: number
  /** Number of equal intervals between from and to (default 60, i.e. 61 points). */
  steps?: number
}

const DEFAULT_STEPS = 60

/** A leg after validation, with everything the evaluators need precomputed. */
interface Prepared {
  leg: PayoffLeg
  /** quantity × multiplier: money per 1.00 of the leg's price. */
  size: number
  isOption: boolean
  isCall: boolean
  strike: number
  choice: ModelChoice
  /** Usable IV (finite, > 0) or null. */
  iv: number | null
  /** Years from asOf to the leg's expiry; null when the leg has no expiry. */
  yearsToday: number | null
  /** Years the leg still has to live at the analysis expiration; 0 when it expires there. */
  yearsAtExpiration: number
}

export function analyzePayoff(legs: PayoffLeg[], market: PayoffMarket, grid: PayoffGrid = {}): PayoffAnalysis {
  if (legs.length === 0) throw new Error('payoff: no legs to analyse')
  if (!Number.isFinite(market.spot) || market.spot < 0) throw new Error(`payoff: spot must be a finite price ≥ 0, got ${market.spot}`)
  const notes: string[] = []

  const expiries = legs.filter((l) => l.kind === 'option' && l.expiry).map((l) => l.expiry as string)
  const expiration = expiries.length > 0 ? expiries.reduce((a, b) => (b < a ? b : a)) : null
  const expirationInstant = expiration ? expiryInstant(expiration, market.currency) : null

  const prepared = legs.map((leg) => prepare(leg, market, expirationInstant))
  const options = prepared.filter((p) => p.isOption)
  const later = options.filter((p) => p.yearsAtExpiration > 0)
  const undated = options.filter((p) => p.yearsToday === null)

  let method: PayoffMethod = 'exact'
  if (later.length > 0) {
    const blind = later.filter((p) => p.iv === null)
    if (blind.length > 0) {
      method = 'unknown'
      notes.push(`P&L at ${expiration} unknown: ${blind.map(describe).join(', ')} expire${blind.length === 1 ? 's' : ''} later and ha${blind.length === 1 ? 's' : 've'} no IV to value ${blind.length === 1 ? 'it' : 'them'} there`)
    } else {
      method = 'numeric'
      notes.push(`${later.map(describe).join(', ')} expire${later.length === 1 ? 's' : ''} after ${expiration}: valued there with the model at ${later.length === 1 ? 'its' : 'their'} IV; breakevens and max profit / loss are numerical`)
    }
  }
  if (undated.length > 0) notes.push(`${undated.map(describe).join(', ')} ha${undated.length === 1 ? 's' : 've'} no expiry: taken to expire ${expiration ? `on ${expiration}` : 'at the evaluation date'}; today's P&L unknown`)
  const noIv = options.filter((p) => p.iv === null && p.yearsToday !== null && p.yearsToday > 0)
  if (noIv.length > 0) notes.push(`today's P&L unknown: no IV for ${noIv.map(describe).join(', ')}`)
  const expired = options.filter((p) => p.yearsToday !== null && p.yearsToday <= 0)
  if (expired.length > 0) notes.push(`${expired.map(describe).join(', ')} expired: valued at intrinsic value today`)

  const netPremium = legs.reduce((s, l) => s + l.price * l.quantity * l.multiplier, 0)
  const atExpiration = (s: number): number | null => expirationPnl(prepared, s, market)

  const strikes = [...new Set(options.map((p) => p.strike))].filter((k) => k > 0).sort((a, b) => a - b)
  let extremes: Extremes
  if (method === 'exact') extremes = exactExtremes(prepared, strikes, market)
  else if (method === 'numeric') extremes = numericExtremes(prepared, strikes, market)
  else extremes = {breakevens: [], maxProfit: null, maxLoss: null, maxProfitAt: [], maxLossAt: []}

  // Default range from the strikes and the spot, widened to show breakevens that lie outside it.
  const anchors = [...strikes, market.spot]
  const lowAnchor = Math.min(...anchors, ...extremes.breakevens)
  const highAnchor = Math.max(...anchors, ...extremes.breakevens)
  const from = Math.max(0, grid.from ?? lowAnchor * 0.7)
  let to = grid.to ?? highAnchor * 1.3
  if (!(to > from)) to = from > 0 ? from * 2 : 1
  const steps = Math.max(1, Math.round(grid.steps ?? DEFAULT_STEPS))

  const xs: number[] = []
  for (let i = 0; i <= steps; i++) xs.push(from + ((to - from) * i) / steps)
  // The kinks, the spot and the breakevens are always on the grid, so a plot through the
  // points is exact for the piecewise-linear case and shows the zero crossings.
  for (const x of [...strikes, market.spot, ...extremes.breakevens]) if (x >= from && x <= to) xs.push(x)
  xs.sort((a, b) => a - b)
  const tiny = (to - from) * 1e-9
  const grid2 = xs.filter((x, i) => i === 0 || x - xs[i - 1] > tiny)

  const points = grid2.map((s) => ({
    underlying: s,
    expiration: method === 'unknown' ? null : atExpiration(s),
    today: todayPnl(prepared, s, market),
  }))

  return {points, ...extremes, netPremium, expiration, method, notes}
}

function prepare(leg: PayoffLeg, market: PayoffMarket, expirationInstant: Date | null): Prepared {
  if (!Number.isFinite(leg.quantity) || !Number.isFinite(leg.multiplier) || !Number.isFinite(leg.price)) {
    throw new Error(`payoff: leg needs finite quantity, multiplier and price (${JSON.stringify(leg)})`)
  }
  const size = leg.quantity * leg.multiplier
  const isOption = leg.kind === 'option'
  if (!isOption) {
    return {leg, size, isOption, isCall: false, strike: 0, choice: {model: 'bsm', style: 'european'}, iv: null, yearsToday: null, yearsAtExpiration: 0}
  }
  if (leg.right !== 'call' && leg.right !== 'put') throw new Error(`payoff: option leg needs right call or put (${JSON.stringify(leg)})`)
  if (leg.strike === undefined || !Number.isFinite(leg.strike) || leg.strike < 0) throw new Error(`payoff: option leg needs a strike ≥ 0 (${JSON.stringify(leg)})`)
  const model = leg.model ?? 'bsm'
  // Same default as domain/greeks.ts modelFor: equity options are American, futures options European.
  const style = leg.style ?? (model === 'black76' ? 'european' : 'american')
  // An IV of 0 or less is a placeholder from a feed, not a volatility: treat it as unknown.
  const iv = typeof leg.iv === 'number' && Number.isFinite(leg.iv) && leg.iv > 0 ? leg.iv : null
  const yearsToday = leg.expiry ? yearsToExpiry(leg.expiry, market.currency, market.asOf) : null
  const yearsAtExpiration = leg.expiry && expirationInstant ? Math.max(0, yearsToExpiry(leg.expiry, market.currency, expirationInstant)) : 0
  return {leg, size, isOption, isCall: leg.right === 'call', strike: leg.strike, choice: {model, style}, iv, yearsToday, yearsAtExpiration}
}

function describe(p: Prepared): string {
  const l = p.leg
  const right = l.right === 'call' ? 'C' : 'P'
  return `${l.quantity > 0 ? '+' : ''}${l.quantity} ${l.expiry ?? '(no expiry)'} ${l.strike}${right}`
}

function intrinsic(p: Prepared, s: number): number {
  return Math.max(p.isCall ? s - p.strike : p.strike - s, 0)
}

/**
 * Model value per unit of an option with `years` to live, or null when it cannot be priced.
 * At S = 0 the lognormal underlying stays at 0, so the value is known exactly without the model
 * (call 0; put K, or K·e^{−rT} when it cannot be exercised early), whatever the pricer does there.
 */
function modelValue(p: Prepared, s: number, years: number, market: PayoffMarket): number | null {
  if (years <= 0) return intrinsic(p, s)
  if (p.iv === null) return null
  if (s <= 0) return p.isCall ? 0 : p.choice.style === 'american' ? p.strike : p.strike * Math.exp(-market.rate * years)
  try {
    const v = optionPrice(
      {right: p.isCall ? 'call' : 'put', spot: s, strike: p.strike, years, rate: market.rate, dividend: market.dividend, vol: p.iv},
      p.choice,
    )
    return Number.isFinite(v) ? v : null
  } catch {
    return null
  }
}

/** Expiration P&L at S; null only if a later leg cannot be valued. */
function expirationPnl(legs: Prepared[], s: number, market: PayoffMarket): number | null {
  let total = 0
  for (const p of legs) {
    let value: number | null
    if (!p.isOption) value = s
    else if (p.yearsAtExpiration > 0) value = modelValue(p, s, p.yearsAtExpiration, market)
    else value = intrinsic(p, s)
    if (value === null) return null
    total += (value - p.leg.price) * p.size
  }
  return total
}

/** P&L at asOf; null when an option leg has no IV or no expiry (its value today is unknown). */
function todayPnl(legs: Prepared[], s: number, market: PayoffMarket): number | null {
  let total = 0
  for (const p of legs) {
    let value: number | null
    if (!p.isOption) value = s
    else if (p.yearsToday === null) value = null
    else value = modelValue(p, s, p.yearsToday, market)
    if (value === null) return null
    total += (value - p.leg.price) * p.size
  }
  return total
}

interface Extremes {
  breakevens: number[]
  maxProfit: number | null
  maxLoss: number | null
  maxProfitAt: number[]
  maxLossAt: number[]
}

/**
 * Exact figures of a piecewise-linear payoff. Between consecutive breakpoints (0 and the strikes)
 * the P&L is linear, and beyond the highest strike it is linear with slope Σ size over the legs
 * that move with S there (linear legs and calls). S cannot go below 0, so the left end is bounded.
 */
function exactExtremes(legs: Prepared[], strikes: number[], market: PayoffMarket): Extremes {
  const xs = [0, ...strikes]
  const ys = xs.map((x) => expirationPnl(legs, x, market) as number)
  const slope = legs.reduce((s, p) => s + (!p.isOption || p.isCall ? p.size : 0), 0)
  const last = xs.length - 1
  const scale = legs.reduce((s, p) => s + Math.abs(p.size) * (Math.abs(p.leg.price) + p.strike + 1), 0) + 1
  const eps = 1e-12 * scale
  const same = (a: number, b: number) => Math.abs(a - b) <= eps
  const flat = Math.abs(slope) <= 1e-12 * legs.reduce((s, p) => s + Math.abs(p.size), 0)

  const breakevens: number[] = []
  const addBreakeven = (x: number) => {
    if (!breakevens.some((b) => Math.abs(b - x) <= 1e-9 * (1 + Math.abs(x)))) breakevens.push(x)
  }
  for (let i = 0; i <= last; i++) {
    if (same(ys[i], 0)) addBreakeven(xs[i])
    if (i < last && !same(ys[i], 0) && !same(ys[i + 1], 0) && Math.sign(ys[i]) !== Math.sign(ys[i + 1])) {
      // Root of the line through (x_i, y_i) and (x_{i+1}, y_{i+1}).
      addBreakeven(xs[i] + (-ys[i] * (xs[i + 1] - xs[i])) / (ys[i + 1] - ys[i]))
    }
  }
  if (!flat && !same(ys[last], 0) && Math.sign(ys[last]) !== Math.sign(slope)) addBreakeven(xs[last] - ys[last] / slope)
  breakevens.sort((a, b) => a - b)

  const where = (target: number): number[] => {
    // Runs of consecutive breakpoints at the extreme are flat regions: report their ends.
    const at: number[] = []
    let i = 0
    while (i <= last) {
      if (!same(ys[i], target)) {
        i++
        continue
      }
      let j = i
      while (j < last && same(ys[j + 1], target)) j++
      at.push(xs[i])
      if (j === last && flat) at.push(Infinity)
      else if (j > i) at.push(xs[j])
      i = j + 1
    }
    return at
  }
  const hi = Math.max(...ys)
  const lo = Math.min(...ys)
  return {
    breakevens,
    maxProfit: slope > 0 && !flat ? null : hi,
    maxLoss: slope < 0 && !flat ? null : lo,
    maxProfitAt: slope > 0 && !flat ? [] : where(hi),
    maxLossAt: slope < 0 && !flat ? [] : where(lo),
  }
}

/**
 * Numerical figures when some options are still alive at the expiration (smooth curve). The
 * behaviour for S → ∞ comes from the model's asymptotic deltas rather than from a finite grid:
 * a call's value grows like S·e^{−qτ} (BSM European), e^{−rτ}·F (Black-76 European) or S
 * (American, exercised), a put's tends to 0.
 */
function numericExtremes(legs: Prepared[], strikes: number[], market: PayoffMarket): Extremes {
  const f = (s: number) => expirationPnl(legs, s, market) as number
  let slope = 0
  for (const p of legs) {
    if (!p.isOption) slope += p.size
    else if (p.isCall) {
      const tau = p.yearsAtExpiration
      const g = tau <= 0 || p.choice.style === 'american' ? 1 : p.choice.model === 'black76' ? Math.exp(-market.rate * tau) : Math.exp(-market.dividend * tau)
      slope += p.size * g
    }
  }
  const sizeSum = legs.reduce((s, p) => s + Math.abs(p.size), 0)
  const flat = Math.abs(slope) <= 1e-9 * sizeSum

  const top = 4 * (Math.max(...strikes, market.spot) || 1)
  const N = 800
  const xs: number[] = []
  for (let i = 0; i <= N; i++) xs.push((top * i) / N)
  xs.push(...strikes)
  xs.sort((a, b) => a - b)
  const ys = xs.map(f)

  const bisect = (a: number, b: number, fa: number): number => {
    for (let k = 0; k < 100 && b - a > 1e-10 * (1 + Math.abs(b)); k++) {
      const m = 0.5 * (a + b)
      const fm = f(m)
      if (fm === 0) return m
      if (Math.sign(fm) === Math.sign(fa)) {
        a = m
        fa = fm
      } else b = m
    }
    return 0.5 * (a + b)
  }
  const breakevens: number[] = []
  for (let i = 0; i < xs.length - 1; i++) {
    if (ys[i] === 0) breakevens.push(xs[i])
    else if (ys[i + 1] !== 0 && Math.sign(ys[i]) !== Math.sign(ys[i + 1])) breakevens.push(bisect(xs[i], xs[i + 1], ys[i]))
  }
  // A crossing beyond the grid: walk out until the sign changes (the tail is asymptotically linear).
  const yTop = ys[ys.length - 1]
  if (!flat && yTop !== 0 && Math.sign(yTop) !== Math.sign(slope)) {
    let a = top
    for (let k = 0; k < 40; k++) {
      const b = a * 2
      const fb = f(b)
      if (Math.sign(fb) !== Math.sign(yTop)) {
        breakevens.push(bisect(a, b, f(a)))
        break
      }
      a = b
    }
  }

  // Golden-section refinement of the best grid point within its neighbours.
  const refine = (i: number, sign: 1 | -1): [number, number] => {
    let a = xs[Math.max(0, i - 1)]
    let b = xs[Math.min(xs.length - 1, i + 1)]
    const g = (Math.sqrt(5) - 1) / 2
    let c = b - g * (b - a)
    let d = a + g * (b - a)
    for (let k = 0; k < 80; k++) {
      if (sign * f(c) > sign * f(d)) b = d
      else a = c
      c = b - g * (b - a)
      d = a + g * (b - a)
    }
    const x = 0.5 * (a + b)
    const y = f(x)
    // Keep the grid point unless refining really improves on it (flat stretches stay at their start).
    return sign * y > sign * ys[i] + 1e-9 * (1 + Math.abs(ys[i])) ? [x, y] : [xs[i], ys[i]]
  }
  let iMax = 0
  let iMin = 0
  for (let i = 1; i < ys.length; i++) {
    if (ys[i] > ys[iMax]) iMax = i
    if (ys[i] < ys[iMin]) iMin = i
  }
  const [xMax, yMax] = refine(iMax, 1)
  const [xMin, yMin] = refine(iMin, -1)
  return {
    breakevens: breakevens.sort((a, b) => a - b),
    maxProfit: slope > 0 && !flat ? null : yMax,
    maxLoss: slope < 0 && !flat ? null : yMin,
    maxProfitAt: slope > 0 && !flat ? [] : [xMax],
    maxLossAt: slope < 0 && !flat ? [] : [xMin],
  }
}
