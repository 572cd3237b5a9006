/*
 * The risk-factor container: Greeks per underlying and per portfolio, delta dollars,
 * beta-weighted delta, capital utilisation. Sums of partly unknown values carry the count of
 * positions left out (missingGreeks), so a total is never passed off as complete.
 */
import type {Limits} from '../config/config.js'
import {betaWeightedDelta, deltaDollars, positionGreeks} from '../domain/greeks.js'
import {inCurrency, toBase} from '../domain/money.js'
import {marketValue, unrealizedPnl} from '../domain/pnl.js'
import {total} from '../domain/sum.js'
import {effectiveOption} from '../domain/deliverable.js'
import type {Position} from '../domain/types.js'
import {neverSyncedBundle, type PortfolioBundle} from './bundles.js'
import {compareText, formatNumberEn} from '../domain/text.js'

export interface UnderlyingRisk {
  underlying: string
  currency: string
  /** per unit, null = unknown */
  underlyingPrice: number | null
  positions: number
  /** position delta in shares of the underlying */
  delta: number | null
  /** shares per 1.00 move */
  gamma: number | null
  /** money per calendar day */
  theta: number | null
  /** money per vol point */
  vega: number | null
  /** Σ position delta × underlying price, money */
  deltaDollars: number | null
  /** shares of the benchmark with the same dollar exposure (β-weighted); null without a beta or prices */
  betaWeightedDelta: number | null
  beta: number | null
  unrealizedPnl: number | null
  /** positions of this underlying whose Greeks (or price) are unknown and are left out of the sums */
  missingGreeks: number
}

export interface Breach {
  portfolio: string
  limit: keyof Limits
  underlying?: string
  /** the position's symbol, for maxPositionPctOfEquity */
  symbol?: string
  value: number
  threshold: number
  message: string
}

export interface PortfolioRisk {
  portfolio: string
  kind: string
  currency: string
  /** net liquidating value, money; null = unknown */
  equity: number | null
  cash: number | null
  /** money tied up: the broker's maintenance requirement, else the cash-secured estimate (see capitalBasis) */
  capitalInUse: number | null
  capitalBasis: 'broker' | 'estimate' | 'unknown'
  /** capitalInUse ÷ equity × 100 */
  capitalUtilizationPct: number | null
  delta: number | null
  gamma: number | null
  theta: number | null
  vega: number | null
  deltaDollars: number | null
  /** Σ β-weighted delta in benchmark shares over underlyings that have a beta */
  betaWeightedDelta: number | null
  unrealizedPnl: number | null
  missingGreeks: number
  /** positions whose P&L is unknown (no mark or entry), left out of unrealizedPnl */
  missingPnl: number
  /**
   * positions left out of betaWeightedDelta: those of underlyings without a beta (market.betas) or a price
   * in the base currency, and those with unknown Greeks; betaWeightedDelta is partial when > 0
   */
  missingBeta: number
  underlyings: UnderlyingRisk[]
  breaches: Breach[]
  /** limits that could not be checked because a number was unknown */
  unchecked: string[]
  /** false when the portfolio has never been synced: every number above is unknown (null), not 0 */
  synced: boolean
  /** symbols of positions past their settlement instant: left out of Greeks, capital in use, P&L and breaches */
  expired: string[]
  /** oldest observation time (ISO) of the marks behind these numbers; null = unknown */
  pricesAsOf: string | null
}

export interface RiskMarket {
  betas: Record<string, number>
  /** price of the benchmark per share, in the base currency; null = unknown */
  benchmarkPrice: number | null
  /** value of one unit of each currency in the base currency (β-weighting compares prices in one currency) */
  fxRates: Record<string, number>
}

export function underlyingRisks(positions: Position[], market: RiskMarket): UnderlyingRisk[] {
  const groups = new Map<string, Position[]>()
  for (const p of positions) {
    const key = `${p.underlying}\u0000${p.currency}`
    const list = groups.get(key)
    if (list) list.push(p)
    else groups.set(key, [p])
  }
  const out: UnderlyingRisk[] = []
  for (const list of groups.values()) {
    const first = list[0]
    const greeks = list.map(positionGreeks)
    const dd = list.map(deltaDollars)
    const delta = total(greeks.map((g) => g?.delta ?? null))
    const price = list.find((p) => p.underlyingPrice !== null)?.underlyingPrice ?? null
    const beta = market.betas[first.underlying]
    const missing = list.filter((p, i) => greeks[i] === null || dd[i] === null).length
    out.push({
      underlying: first.underlying,
      currency: first.currency,
      underlyingPrice: price,
      positions: list.length,
      delta: delta.value,
      gamma: total(greeks.map((g) => g?.gamma ?? null)).value,
      theta: total(greeks.map((g) => g?.theta ?? null)).value,
      vega: total(greeks.map((g) => g?.vega ?? null)).value,
      deltaDollars: total(dd).value,
      betaWeightedDelta: betaWeightedDelta(delta.value, toBase(price, first.currency, market.fxRates), beta, market.benchmarkPrice),
      beta: beta ?? null,
      unrealizedPnl: total(list.map(unrealizedPnl)).value,
      missingGreeks: missing,
    })
  }
  return out.sort((a, b) => compareText(a.underlying, b.underlying))
}

/**
 * Capital tied up when the broker reports no requirement, per underlying: the most the stock and
 * options on it can lose by expiration from today's marks. That is market value for long stock and
 * long options, strike × units less premium for a cash-secured put, width less credit for a
 * vertical, nothing extra for a covered call. Units that lose without bound (short calls not
 * covered by shares or long calls, short stock) count at the underlying's notional on top. Futures
 * margin cannot be estimated from an export file, so a portfolio holding futures has unknown
 * capital in use, as has one with an unknown mark.
 */
export function estimateCapitalInUse(positions: Position[]): number | null {
  const groups = new Map<string, Position[]>()
  for (const p of positions) {
    const g = groups.get(p.underlying)
    if (g) g.push(p)
    else groups.set(p.underlying, [p])
  }
  let sum = 0
  for (const group of groups.values()) {
    if (group.some((p) => p.instrumentType === 'future' || p.instrumentType === 'future_option' || p.markPrice === null)) return null
    // What an adjusted option delivers sets its kink and slope (XYZ1: 1.5 × max(S − 33.33, 0)); unknown = capital unknown.
    if (group.some((p) => p.opaque || (p.option && effectiveOption(p) === null))) return null
    const now = group.reduce((v, p) => v + p.markPrice! * p.quantity * p.multiplier, 0)
    // The value at expiry at each kink (0 and every strike), each summed in the group's order as
    // before, with no object or array per kink: a 1,000-option book has 200 legs × 200 kinks per underlying.
    let loss = Math.max(0, now - valueAtExpiry(group, 0))
    // each strike once: legs share strikes (calls and puts, several expiries), and the maximum does not
    // depend on the order its terms come in
    const strikes = new Set<number>()
    for (const p of group) if (p.option) strikes.add(p.deliverable ? effectiveOption(p)!.strike : p.option.strike)
    for (const strike of worstStrikes(group, strikes, now)) loss = Math.max(loss, now - valueAtExpiry(group, strike))
    // Beyond the highest strike the value changes by `slope` per 1.00 of the underlying.
    const slope = group.reduce((v, p) => v + (!p.option || p.option.right === 'call' ? p.quantity * p.multiplier * (p.deliverable ? effectiveOption(p)!.ratio : 1) : 0), 0)
    if (slope < 0) {
      const price = group.find((p) => p.underlyingPrice !== null)?.underlyingPrice ?? null
      if (price === null) return null
      loss += -slope * price
    }
    sum += loss
  }
  return sum
}

/**
 * The strikes among `strikes` where `now - valueAtExpiry(group, strike)` can be largest: the same maximum
 * as trying every strike, to the bit, without evaluating the whole group at each one (a 1,000-option book
 * has ~200 legs and ~400 distinct strikes per underlying: 80,000 leg values per underlying).
 *
 * How: the value at expiry is piecewise linear in the underlying with kinks at the strikes, so one sweep
 * over the sorted strikes gives it at every strike (running sums of the legs' weights and weighted strikes).
 * Those sums are added in another order than valueAtExpiry's, so they may differ from it in the last bits;
 * both differ from the exact real value by at most `err` (a bound on the rounding of n additions of terms
 * whose magnitudes add up to `scale`, taken 8 times over). So the strike valueAtExpiry makes worst is within
 * 4 × err of the sweep's worst, and only the strikes that close are returned, for the caller to evaluate
 * exactly as before. Few strikes, or anything not finite: all of them.
 */
function worstStrikes(group: Position[], strikes: Set<number>, now: number): Iterable<number> {
  if (strikes.size <= 8) return strikes
  const sorted = [...strikes].sort((a, b) => a - b)
  const top = sorted[sorted.length - 1]
  // legs as weight (units per 1.00 of the underlying beyond the strike) and strike; shares: `stock` per 1.00
  const calls: {k: number; w: number}[] = []
  const puts: {k: number; w: number}[] = []
  let stock = 0
  let scale = Math.abs(now)
  for (const p of group) {
    const o = p.option
    if (!o) {
      stock += p.quantity * p.multiplier
      scale += Math.abs(p.quantity * p.multiplier) * top
      continue
    }
    const e = p.deliverable ? effectiveOption(p)! : null
    const k = e ? e.strike : o.strike
    const w = (e ? e.ratio : 1) * p.quantity * p.multiplier
    ;(o.right === 'call' ? calls : puts).push({k, w})
    scale += Math.abs(w) * (Math.abs(k) + top)
  }
  if (!Number.isFinite(scale)) return strikes
  calls.sort((a, b) => a.k - b.k)
  puts.sort((a, b) => a.k - b.k)
  // value at s = stock·s + Σ calls with k < s of w·(s − k) + Σ puts with k > s of w·(k − s)
  let putW = 0
  let putWK = 0
  for (const l of puts) {
    putW += l.w
    putWK += l.w * l.k
  }
  let callW = 0
  let callWK = 0
  let c = 0
  let q = 0
  const losses = new Float64Array(sorted.length)
  let worst = -Infinity
  for (let i = 0; i < sorted.length; i++) {
    const s = sorted[i]
    for (; c < calls.length && calls[c].k < s; c++) {
      callW += calls[c].w
      callWK += calls[c].w * calls[c].k
    }
    for (; q < puts.length && puts[q].k <= s; q++) {
      putW -= puts[q].w
      putWK -= puts[q].w * puts[q].k
    }
    const loss = now - (stock * s + (callW * s - callWK) + (putWK - putW * s))
    losses[i] = loss
    if (loss > worst) worst = loss
  }
  const err = 8 * (group.length + 4) * Number.EPSILON * scale
  if (!Number.isFinite(worst) || !Number.isFinite(err)) return strikes
  return sorted.filter((_, i) => losses[i] >= worst - 4 * err)
}

/** The group's value at expiry with the underlying at s (intrinsic value of options, s per share). */
function valueAtExpiry(group: Position[], s: number): number {
  let v = 0
  for (const p of group) {
    const o = p.option
    if (o && p.deliverable) {
      // Non-standard: ratio × the intrinsic value at the effective strike (domain/deliverable.ts).
      const e = effectiveOption(p)!
      v = v + e.ratio * Math.max(o.right === 'call' ? s - e.strike : e.strike - s, 0) * p.quantity * p.multiplier
      continue
    }
    // = pricing's intrinsic({right, spot: s, strike}), without its argument object
    v = v + (o ? Math.max(o.right === 'call' ? s - o.strike : o.strike - s, 0) : s) * p.quantity * p.multiplier
  }
  return v
}

export function portfolioRisk(bundle: PortfolioBundle, market: RiskMarket): PortfolioRisk {
  const {config} = bundle
  const expired = (bundle.expired ?? []).map((p) => p.symbol)
  if (neverSyncedBundle(bundle)) return unknownRisk(bundle, expired)
  // Every sum below is in the portfolio's currency: a position held in another currency is restated first.
  const positions = bundle.positions.map((p) => inCurrency(p, config.currency, market.fxRates))
  const underlyings = underlyingRisks(positions, market)
  const balances = bundle.stored?.balances ?? {equity: null, cash: null, buyingPower: null, maintenanceRequirement: null}
  const equity = balances.equity
  let capitalInUse: number | null = balances.maintenanceRequirement
  let capitalBasis: PortfolioRisk['capitalBasis'] = 'broker'
  if (!bundle.stored) capitalBasis = 'unknown'
  else if (capitalInUse === null) {
    capitalInUse = estimateCapitalInUse(positions)
    capitalBasis = capitalInUse === null ? 'unknown' : 'estimate'
  }
  const bwd = total(underlyings.map((u) => u.betaWeightedDelta))
  const risk: PortfolioRisk = {
    portfolio: config.name,
    kind: config.kind,
    currency: config.currency,
    equity,
    cash: balances.cash,
    capitalInUse,
    capitalBasis,
    capitalUtilizationPct: capitalInUse !== null && equity !== null && equity > 0 ? (capitalInUse / equity) * 100 : null,
    delta: sumOf(underlyings, 'delta'),
    gamma: sumOf(underlyings, 'gamma'),
    theta: sumOf(underlyings, 'theta'),
    vega: sumOf(underlyings, 'vega'),
    deltaDollars: sumOf(underlyings, 'deltaDollars'),
    betaWeightedDelta: bwd.value,
    unrealizedPnl: sumOf(underlyings, 'unrealizedPnl'),
    missingGreeks: underlyings.reduce((n, u) => n + u.missingGreeks, 0),
    missingPnl: positions.filter((p) => unrealizedPnl(p) === null).length,
    missingBeta: underlyings.reduce((n, u) => n + (u.betaWeightedDelta === null ? u.positions : u.missingGreeks), 0),
    underlyings,
    breaches: [],
    unchecked: [],
    synced: true,
    expired,
    pricesAsOf: oldestMark(bundle.positions, bundle.stored?.pricesAsOf ?? bundle.stored?.lastSyncAt ?? null),
  }
  const {breaches, unchecked} = checkLimits(risk, positions, config.limits)
  risk.breaches = breaches
  risk.unchecked = unchecked
  return risk
}

/** A never-synced portfolio: nothing is known, so every number is null and every limit unchecked (never a clean 0). */
function unknownRisk(bundle: PortfolioBundle, expired: string[]): PortfolioRisk {
  const {config} = bundle
  const limits = Object.keys(config.limits).filter((k) => config.limits[k as keyof Limits] !== undefined)
  return {
    portfolio: config.name, kind: config.kind, currency: config.currency, equity: null, cash: null, capitalInUse: null, capitalBasis: 'unknown',
    capitalUtilizationPct: null, delta: null, gamma: null, theta: null, vega: null, deltaDollars: null, betaWeightedDelta: null, unrealizedPnl: null,
    missingGreeks: 0, missingPnl: 0, missingBeta: 0, underlyings: [], breaches: [], unchecked: limits.map((l) => `${l}: never synced, nothing known`),
    synced: false, expired, pricesAsOf: null,
  }
}

/** The oldest mark observation among positions (ISO); positions without one fall back to the portfolio's stamp. */
function oldestMark(positions: Position[], fallback: string | null): string | null {
  let out: string | null = null
  for (const p of positions) {
    const t = p.markPrice === null ? null : p.markAsOf ?? fallback
    if (t && (out === null || t < out)) out = t
  }
  return out ?? fallback
}

function sumOf(rows: UnderlyingRisk[], key: 'delta' | 'gamma' | 'theta' | 'vega' | 'deltaDollars' | 'unrealizedPnl'): number | null {
  return total(rows.map((r) => r[key])).value
}

/** Breaches are findings, not errors. A limit whose input is unknown is reported as unchecked. */
export function checkLimits(risk: PortfolioRisk, positions: Position[], limits: Limits): {breaches: Breach[]; unchecked: string[]} {
  const breaches: Breach[] = []
  const unchecked: string[] = []
  const fmt = (n: number) => formatNumberEn(n, 2) // = toLocaleString('en-US', {maximumFractionDigits: 2}) without starting ICU
  const over = (limit: keyof Limits, value: number | null, threshold: number | undefined, what: string, underlying?: string, symbol?: string) => {
    if (threshold === undefined) return
    if (value === null) {
      unchecked.push(`${limit}${underlying ? ` (${underlying})` : ''}: ${what} unknown`)
      return
    }
    if (value > threshold)
      breaches.push({portfolio: risk.portfolio, limit, underlying, symbol, value, threshold, message: `${risk.portfolio}${underlying ? ` ${underlying}` : ''}: ${what} ${fmt(value)} exceeds ${fmt(threshold)}`})
  }
  for (const u of risk.underlyings)
    over('maxDeltaDollarsPerUnderlying', u.deltaDollars === null ? null : Math.abs(u.deltaDollars), limits.maxDeltaDollarsPerUnderlying, '|delta dollars|', u.underlying)
  over('maxDeltaDollarsTotal', risk.deltaDollars === null ? null : Math.abs(risk.deltaDollars), limits.maxDeltaDollarsTotal, '|delta dollars|')
  over('maxCapitalUtilizationPct', risk.capitalUtilizationPct, limits.maxCapitalUtilizationPct, 'capital utilisation %')
  over('maxAbsVega', risk.vega === null ? null : Math.abs(risk.vega), limits.maxAbsVega, '|vega|')
  // A partial P&L proves nothing either way: an unknown position could hold the loss or offset it.
  over('maxLoss', risk.unrealizedPnl === null || risk.missingPnl > 0 ? null : -risk.unrealizedPnl, limits.maxLoss, 'unrealized loss')
  if (limits.maxPositionPctOfEquity !== undefined) {
    if (risk.equity === null || risk.equity <= 0) unchecked.push('maxPositionPctOfEquity: equity unknown')
    else {
      // One position per symbol: a what-if or paper trade adds to a holding of the same symbol.
      const bySymbol = new Map<string, number | null>()
      for (const p of positions) {
        const mv = marketValue(p)
        const prev = bySymbol.get(p.symbol)
        bySymbol.set(p.symbol, prev === null || mv === null ? null : (prev ?? 0) + mv)
      }
      for (const [symbol, mv] of bySymbol)
        over('maxPositionPctOfEquity', mv === null ? null : (Math.abs(mv) / risk.equity) * 100, limits.maxPositionPctOfEquity, `${symbol} % of equity`, undefined, symbol)
    }
  }
  return {breaches, unchecked}
}
