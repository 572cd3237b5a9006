/*
 * VaR and expected shortfall of a portfolio's positions from daily price history. Pure: positions,
 * history, settings and asOf in, figures out. Four methods:
 *  - historical: scenarios from the underlyings' (and, where history has it, their implied vols')
 *    h-day changes over the lookback, applied to today's prices, full revaluation;
 *  - monte-carlo: correlated normal or Student-t h-day log returns (and IV changes) with the
 *    covariance of the same history, seeded, full revaluation;
 *  - delta-normal and delta-gamma (Cornish–Fisher): one-day σ from the same covariance, scaled by √h.
 * A position without a usable price or implied vol is left out and counted in `missing`, never
 * valued at 0. Too little history gives status 'insufficient-history' with the counts, no figure.
 */
import {convert} from './money.js'
import {modelFor} from './greeks.js'
import {yearsToExpiry} from './time.js'
import type {Position} from './types.js'
import {priceGreeks} from '../pricing/index.js'
import {effectiveOption} from './deliverable.js'
import {legBook, revaluePnl, type LegBook, type LegEngine, type LegInput} from '../pricing/revalue.js'
import {checkLevel, covariance, deltaGamma, deltaNormal, monteCarloReturns, scenarioFactors, scenarioShifts, varEsFromPnl} from '../pricing/var.js'

export type VarMethod = 'historical' | 'monte-carlo' | 'delta-normal' | 'delta-gamma'
export const VAR_METHODS: readonly VarMethod[] = ['historical', 'monte-carlo', 'delta-normal', 'delta-gamma']

/** One daily close of a symbol; iv = the symbol's implied vol that day (fraction), null when unknown. */
export interface PricePoint {
  date: string
  close: number
  iv: number | null
}

/** Daily closes by symbol, oldest first. */
export type PriceHistory = Map<string, PricePoint[]>

export interface VarSettings {
  /** probabilities strictly between 0 and 1 (0.99 = 99 %) */
  levels: number[]
  /** trading days */
  horizonDays: number
  methods: VarMethod[]
  /** at most this many most recent common closes are used */
  lookbackDays: number
  /** fewest h-day scenarios (historical) or daily returns (the others) accepted */
  minObservations: number
  monteCarlo: {scenarios: number; seed: number; distribution: 'normal' | 'student-t'; dof: number}
  /** price option legs through the interpolating engine (revalue.ts); undefined = when legs × scenarios ≥ AUTO_INTERPOLATE */
  interpolate?: boolean
}

export const DEFAULT_VAR_SETTINGS: VarSettings = {
  levels: [0.95, 0.99],
  horizonDays: 1,
  methods: ['historical', 'delta-normal', 'delta-gamma'],
  lookbackDays: 501,
  minObservations: 100,
  monteCarlo: {scenarios: 10_000, seed: 1, distribution: 'normal', dof: 5},
}

export interface VarFigure {
  method: VarMethod
  /** probability, 0–1 */
  level: number
  /** trading days */
  horizonDays: number
  /** loss over the horizon not exceeded with probability `level`; money in the portfolio's currency, positive = loss */
  var: number
  /** mean loss beyond the VaR, same units; null where the method does not define it (delta-gamma) */
  es: number | null
}

export interface BookVar {
  status: 'ok' | 'insufficient-history' | 'no-positions'
  /** why there is no figure (status not ok) */
  message: string | null
  currency: string
  /** positions valued */
  positions: number
  /** positions left out: no price, no implied vol, or no FX rate */
  missing: number
  missingSymbols: string[]
  history: {
    /** common daily closes used */
    days: number
    /** closes needed (minObservations + horizon) */
    needed: number
    from: string | null
    to: string | null
    /** underlyings with too few closes, and how many they have */
    short: {symbol: string; days: number}[]
    /** underlyings whose implied-vol changes enter the scenarios */
    withIv: string[]
  }
  /** scenarios of the full-revaluation methods (historical, Monte Carlo) */
  scenarios: {historical: number | null; monteCarlo: number | null}
  figures: VarFigure[]
}

export interface VarMarket {
  currency: string
  fxRates: Record<string, number>
  rate: (currency: string) => number
  dividend: (underlying: string) => number
}

/** Above this many leg revaluations a full-revaluation method uses the interpolating engine unless told otherwise. */
export const AUTO_INTERPOLATE = 100_000

/** Years that pass over a horizon of h trading days (252 a year). */
export const horizonYears = (h: number) => h / 252

/**
 * Positions → revaluation legs in the book's currency. Options need the underlying's price and an
 * implied vol; linear positions their own price (mark, else the underlying's).
 */
export function positionLegs(positions: Position[], market: VarMarket, asOf: Date): {legs: LegInput[]; missing: string[]} {
  const legs: LegInput[] = []
  const missing: string[] = []
  for (const p of positions) {
    const fx = convert(1, p.currency, market.currency, market.fxRates)
    if (fx === null) {
      missing.push(p.symbol)
      continue
    }
    const units = p.quantity * p.multiplier * fx
    if (!p.option) {
      const price = p.markPrice ?? p.underlyingPrice
      if (price === null || !(price > 0)) missing.push(p.symbol)
      else legs.push({underlying: p.underlying, option: false, units, spot: price})
      continue
    }
    // An adjusted option is valued on what it delivers (1.5 options on XYZ per unit for XYZ1 → 150 XYZ);
    // one whose deliverable is unknown is left out (missing), never valued as 100 shares.
    const eff = effectiveOption(p)
    if (eff === null || p.underlyingPrice === null || !(p.underlyingPrice > 0) || p.iv === null || !(p.iv > 0)) {
      missing.push(p.symbol)
      continue
    }
    const choice = modelFor(p)
    legs.push({
      underlying: p.underlying,
      option: true,
      call: p.option.right === 'call',
      american: choice.style === 'american',
      black76: choice.model === 'black76',
      units: units * eff.ratio,
      spot: p.underlyingPrice,
      strike: eff.strike,
      years: yearsToExpiry(p.option.expiry, p.currency, asOf),
      rate: market.rate(p.currency),
      dividend: p.instrumentType === 'future_option' ? 0 : market.dividend(p.underlying),
      vol: p.iv,
    })
  }
  return {legs, missing}
}

interface Aligned {
  dates: string[]
  closes: Float64Array[]
  ivs: (Float64Array | null)[]
}

/** The most recent `lookback` dates on which every symbol has a close. */
function align(symbols: string[], history: PriceHistory, lookback: number): Aligned {
  const maps = symbols.map((s) => new Map((history.get(s) ?? []).map((p) => [p.date, p])))
  let dates = [...(maps[0]?.keys() ?? [])].filter((d) => maps.every((m) => m.has(d))).sort()
  dates = dates.slice(Math.max(0, dates.length - lookback))
  const closes = maps.map((m) => Float64Array.from(dates, (d) => m.get(d)!.close))
  const ivs = maps.map((m) => (dates.length > 0 && dates.every((d) => m.get(d)!.iv !== null) ? Float64Array.from(dates, (d) => m.get(d)!.iv!) : null))
  return {dates, closes, ivs}
}

/** VaR/ES of positions; throws RangeError for a level outside (0, 1) (callers validate config first). */
export function bookVar(positions: Position[], history: PriceHistory, market: VarMarket, settings: VarSettings, asOf: Date, engine?: LegEngine): BookVar {
  for (const l of settings.levels) checkLevel(l)
  const h = settings.horizonDays
  if (!Number.isInteger(h) || h < 1) throw new RangeError(`VaR horizon must be a whole number of trading days ≥ 1, got ${h}`)
  const {legs, missing} = positionLegs(positions, market, asOf)
  const book = legBook(legs)
  const parametricOnly = settings.methods.every((m) => m === 'delta-normal' || m === 'delta-gamma')
  const needed = settings.minObservations + (parametricOnly ? 1 : h)
  const base: BookVar = {
    status: 'ok', message: null, currency: market.currency, positions: legs.length, missing: missing.length, missingSymbols: missing,
    history: {days: 0, needed, from: null, to: null, short: [], withIv: []}, scenarios: {historical: null, monteCarlo: null}, figures: [],
  }
  if (legs.length === 0) return {...base, status: 'no-positions', message: missing.length > 0 ? `no position could be valued (${missing.length} left out)` : 'no positions'}
  const symbols = book.underlyings
  const short = symbols.map((s) => ({symbol: s, days: history.get(s)?.length ?? 0})).filter((x) => x.days < needed)
  const aligned = align(symbols, history, Math.max(settings.lookbackDays, needed))
  base.history = {
    days: aligned.dates.length, needed, from: aligned.dates[0] ?? null, to: aligned.dates.at(-1) ?? null, short,
    withIv: symbols.filter((_, u) => aligned.ivs[u] !== null),
  }
  if (short.length > 0 || aligned.dates.length < needed) {
    const list = short.slice(0, 5).map((x) => `${x.symbol} has ${x.days}`).join(', ') + (short.length > 5 ? `, and ${short.length - 5} more` : '')
    const which = short.length > 0 ? list : `only ${aligned.dates.length} dates are common to ${symbols.join(', ')}`
    return {...base, status: 'insufficient-history', message: `VaR needs ${needed} daily closes of each underlying (${settings.minObservations} ${parametricOnly ? 'returns' : `${h}-day scenarios`}); ${which}`}
  }
  const figures: VarFigure[] = []
  const m = symbols.length
  for (const method of settings.methods) {
    if (method === 'historical') {
      const n = aligned.dates.length - h
      const spotFactor = new Float64Array(m * n)
      const anyIv = aligned.ivs.some((x) => x !== null)
      const volShift = anyIv ? new Float64Array(m * n) : null
      for (let u = 0; u < m; u++) {
        spotFactor.set(scenarioFactors(aligned.closes[u], h), u * n)
        const iv = aligned.ivs[u]
        if (volShift && iv) volShift.set(scenarioShifts(iv, h), u * n)
      }
      const pnl = new Float64Array(n)
      revaluePnl(book, {n, spotFactor, volShift, elapsedYears: horizonYears(h)}, pnl, {engine, interpolate: settings.interpolate ?? book.n * n >= AUTO_INTERPOLATE})
      base.scenarios.historical = n
      for (const level of settings.levels) figures.push(figure(method, level, h, pnl))
    } else if (method === 'monte-carlo') {
      // Factors: each underlying's daily log return, then the daily IV change of those with IV history.
      const rows: Float64Array[] = aligned.closes.map((c) => Float64Array.from({length: c.length - 1}, (_, i) => Math.log(c[i + 1] / c[i])))
      const ivIdx: number[] = []
      aligned.ivs.forEach((iv, u) => {
        if (iv) {
          ivIdx.push(u)
          rows.push(scenarioShifts(iv, 1))
        }
      })
      const k = rows.length
      const n = settings.monteCarlo.scenarios
      const draws = monteCarloReturns(covariance(rows), k, {...settings.monteCarlo, scenarios: n, horizonDays: h})
      const spotFactor = new Float64Array(m * n)
      for (let i = 0; i < m * n; i++) spotFactor[i] = Math.exp(draws[i])
      let volShift: Float64Array | null = null
      if (ivIdx.length > 0) {
        volShift = new Float64Array(m * n)
        ivIdx.forEach((u, j) => volShift!.set(draws.subarray((m + j) * n, (m + j + 1) * n), u * n))
      }
      const pnl = new Float64Array(n)
      revaluePnl(book, {n, spotFactor, volShift, elapsedYears: horizonYears(h)}, pnl, {engine, interpolate: settings.interpolate ?? book.n * n >= AUTO_INTERPOLATE})
      base.scenarios.monteCarlo = n
      for (const level of settings.levels) figures.push(figure(method, level, h, pnl))
    } else {
      const {delta, gamma} = exposures(book, asOf)
      const rets = aligned.closes.map((c) => Float64Array.from({length: c.length - 1}, (_, i) => c[i + 1] / c[i] - 1))
      const cov = covariance(rets)
      for (const level of settings.levels) {
        if (method === 'delta-normal') {
          const r = deltaNormal(delta, cov, {level, horizonDays: h})
          figures.push({method, level, horizonDays: h, var: r.var, es: r.es})
        } else {
          const r = deltaGamma(delta, gamma, cov, {level, horizonDays: h})
          figures.push({method, level, horizonDays: h, var: r.var, es: null})
        }
      }
    }
  }
  return {...base, figures}
}

function figure(method: VarMethod, level: number, h: number, pnl: Float64Array): VarFigure {
  const r = varEsFromPnl(pnl, level)
  return {method, level, horizonDays: h, var: r.var, es: r.es}
}

/**
 * Per underlying: δ = Σ units × delta × S (money per 1.00 return), γ = Σ units × gamma × S²,
 * with model Greeks at the legs' own inputs (the same model the revaluation uses).
 */
export function exposures(book: LegBook, _asOf?: Date): {delta: Float64Array; gamma: Float64Array} {
  const m = book.underlyings.length
  const delta = new Float64Array(m)
  const gamma = new Float64Array(m)
  for (let i = 0; i < book.n; i++) {
    const u = book.under[i]
    const S = book.spot[i]
    if (book.option[i] === 0) {
      delta[u] += book.units[i] * S
      continue
    }
    const g = priceGreeks(
      {right: book.call[i] ? 'call' : 'put', spot: S, strike: book.strike[i], years: book.years[i], rate: book.rate[i], dividend: book.dividend[i], vol: book.vol[i]},
      {model: book.black76[i] ? 'black76' : 'bsm', style: book.american[i] ? 'american' : 'european'},
    )
    delta[u] += book.units[i] * g.delta * S
    gamma[u] += book.units[i] * g.gamma * S * S
  }
  return {delta, gamma}
}
