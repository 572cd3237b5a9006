/*
 * Greeks of positions. Per-unit Greeks (types.ts units) times signed quantity times multiplier
 * give position totals: delta in units of the underlying (shares), gamma in shares per 1.00 move,
 * theta in money per calendar day, vega in money per vol point, rho in money per rate point.
 * Model Greeks for options without feed Greeks: IV solved from the mark, then Greeks at that IV.
 */
import {exercisedGreeks, impliedVol, intrinsic, priceGreeks, type ModelChoice, type PricingInput} from '../pricing/index.js'
import {deliverablePerUnit} from './plausible.js'
import {unknownDeliverable} from './deliverable.js'
import {expiryInstant, yearsToExpiry} from './time.js'
import type {GreeksSources, Position, UnitGreeks} from './types.js'

export interface PositionGreeks extends UnitGreeks {}

/** Position totals; null when the Greeks are unknown. */
export function positionGreeks(p: Pick<Position, 'greeks' | 'quantity' | 'multiplier'>): PositionGreeks | null {
  if (!p.greeks) return null
  const k = p.quantity * p.multiplier
  return {delta: p.greeks.delta * k, gamma: p.greeks.gamma * k, theta: p.greeks.theta * k, vega: p.greeks.vega * k, rho: p.greeks.rho * k}
}

/** Position delta in shares × underlying price: money gained per 1.00 (100 %) move, linearised. */
export function deltaDollars(p: Pick<Position, 'greeks' | 'quantity' | 'multiplier' | 'underlyingPrice'>): number | null {
  if (!p.greeks || p.underlyingPrice === null) return null
  return p.greeks.delta * p.quantity * p.multiplier * p.underlyingPrice
}

/** Beta-weighted delta in shares of the benchmark: β × underlying price × share delta ÷ benchmark price. */
export function betaWeightedDelta(shareDelta: number | null, underlyingPrice: number | null, beta: number | undefined, benchmarkPrice: number | null): number | null {
  if (shareDelta === null || underlyingPrice === null || beta === undefined || benchmarkPrice === null || benchmarkPrice <= 0) return null
  return (beta * underlyingPrice * shareDelta) / benchmarkPrice
}

/** A mark within half a cent of intrinsic is at intrinsic: marks are printed to the cent. */
const INTRINSIC_TOLERANCE = 0.005

const LINEAR: UnitGreeks = {delta: 1, gamma: 0, theta: 0, vega: 0, rho: 0}

export interface ModelMarket {
  /** Continuously compounded risk-free rate of the position's currency. */
  rate: number
  /** Continuous dividend yield of the underlying. */
  dividend: number
}

/**
 * Which model prices an option position: Black-76 on futures (zero carry), BSM otherwise; American
 * style (equity options by default) by the converged engine ('exact': Andersen–Lake–Offengelden),
 * which every valuation of a position uses (sync model Greeks and IV, what-if, payoff, paper trades).
 */
export function modelFor(p: Pick<Position, 'instrumentType' | 'option'>): ModelChoice {
  const model = p.instrumentType === 'future_option' ? 'black76' : 'bsm'
  const style = p.option?.style ?? (model === 'black76' ? 'european' : 'american')
  return style === 'american' ? {model, style, engine: 'exact'} : {model, style}
}

/**
 * Fills Greeks the feed did not give. Linear instruments get delta 1 (exact, source model).
 * Options get IV from the mark (or keep a known IV), then model Greeks; when that is impossible
 * the Greeks stay unknown and greeksNote says why.
 */
export function withModelGreeks(p: Position, market: ModelMarket, asOf: Date): Position {
  if (p.greeks) return p
  // Not understood: the broker's numbers only, never a guessed delta.
  if (p.opaque) return {...p, greeks: null, greeksSource: 'none', greeksNote: p.opaque}
  if (p.feedGreeks && p.option) return withPartialFeedGreeks(p, market, asOf)
  if (!p.option) {
    // A linear instrument that is its own underlying (stock, fund, crypto, a future held outright) is priced by its mark.
    const own = p.underlying === p.symbol || p.instrumentType !== 'future'
    return {...p, greeks: {...LINEAR}, greeksSource: 'model', greeksNote: undefined, underlyingPrice: p.underlyingPrice ?? (own ? p.markPrice : null)}
  }
  const none = (why: string): Position => ({...p, greeks: null, greeksSource: 'none', greeksNote: why})
  // An adjusted option (a digit in the root: XYZ1 after a split) priced as 100 shares would be wrong in every Greek.
  const unknown = unknownDeliverable(p)
  if (unknown) return none(unknown)
  // Non-standard deliverable: the contract is `ratio` options on the shares at strike (K − cash) ÷ ratio (per unit).
  const {ratio, cash} = deliverablePerUnit(p)
  if (!(ratio > 0)) return none(`deliverable of ${p.deliverable?.shares} shares per contract cannot be priced`)
  const strike = (p.option.strike - cash) / ratio
  if (!(strike > 0)) return none(`the deliverable's cash (${p.deliverable?.cash} per contract) is worth more than the strike: priced by the model only for a positive effective strike`)
  const years = yearsToExpiry(p.option.expiry, p.currency, asOf, p)
  if (years <= 0) return none(`expired: settled ${expiryInstant(p.option.expiry, p.currency, p).toISOString().slice(0, 16).replace("T", " ")}Z`)
  if (p.underlyingPrice === null) return none(`no price for the underlying ${p.underlying} (add it to the quotes file)`)
  // Futures can trade below zero (CL at −37.63 on 2020-04-20); lognormal models cannot price options on them there.
  if (!(p.underlyingPrice > 0)) {
    const model = p.instrumentType === 'future_option' ? 'Black-76 needs a positive futures price' : 'the model needs a positive underlying price'
    return none(`${model}; the underlying ${p.underlying} is at ${p.underlyingPrice}`)
  }
  const choice = modelFor(p)
  const input: Omit<PricingInput, 'vol'> = {
    right: p.option.right,
    spot: p.underlyingPrice,
    strike,
    years,
    rate: market.rate,
    dividend: p.instrumentType === 'future_option' ? 0 : market.dividend,
  }
  const scale = (g: UnitGreeks): UnitGreeks =>
    ratio === 1 ? g : {delta: g.delta * ratio, gamma: g.gamma * ratio, theta: g.theta * ratio, vega: g.vega * ratio, rho: g.rho * ratio}
  const delivers = p.deliverable ? `; deliverable ${p.deliverable.shares} ${p.deliverable.underlying}${p.deliverable.cash ? ` + ${p.deliverable.cash} cash` : ''} per contract` : ''
  let iv = p.iv
  if (iv === null) {
    if (p.markPrice === null) return none('no mark price to solve implied volatility from')
    const mark = p.markPrice / ratio
    iv = impliedVol(mark, input, choice)
    // Marked at intrinsic (within INTRINSIC_TOLERANCE): an American option there is in the
    // exercise region when exercising now can be optimal (exercisedGreeks checks the σ → 0
    // limit), where its Greeks are known exactly: delta ±1, gamma, theta, vega and rho 0; no IV.
    const exercised =
      iv === null && choice.style === 'american' && Math.abs(mark - intrinsic(input)) <= INTRINSIC_TOLERANCE
        ? exercisedGreeks(Math.min(mark, intrinsic(input)), input, choice)
        : null
    if (exercised) {
      const {delta, gamma, theta, vega, rho} = scale(exercised)
      return {...p, iv: null, greeks: {delta, gamma, theta, vega, rho}, greeksSource: 'model', greeksNote: `marked at intrinsic (${p.markPrice}): exercise region, delta ${delta}, gamma and vega 0; no implied volatility${delivers}`}
    }
    if (iv === null) return none(`mark ${p.markPrice} is outside the model's no-arbitrage bounds at underlying ${p.underlyingPrice}; no implied volatility${delivers}`)
  }
  const g = scale(priceGreeks({...input, vol: iv}, choice))
  return {...p, iv, greeks: {delta: g.delta, gamma: g.gamma, theta: g.theta, vega: g.vega, rho: g.rho}, greeksSource: 'model', greeksNote: delivers ? delivers.slice(2) : undefined}
}

const GREEKS = ['delta', 'gamma', 'theta', 'vega', 'rho'] as const

/** Per-Greek provenance of a position's Greeks: its own when mixed, else every Greek from greeksSource; null when unknown. */
export function greeksSourcesOf(p: Pick<Position, 'greeks' | 'greeksSource' | 'greeksSources'>): GreeksSources | null {
  if (!p.greeks || p.greeksSource === 'none') return null
  if (p.greeksSources) return {...p.greeksSources}
  const s = p.greeksSource
  return {delta: s, gamma: s, theta: s, vega: s, rho: s}
}

/**
 * Some Greeks from the feed, the rest from the model: each Greek keeps its own source, so one
 * "NaN" replaces one Greek, not five. greeksSource stays 'feed' and greeksNote names the Greeks
 * the model filled. When the model cannot run, the Greeks are unknown and the note says why.
 */
function withPartialFeedGreeks(p: Position, market: ModelMarket, asOf: Date): Position {
  const given = p.feedGreeks as Partial<UnitGreeks>
  const {feedGreeks: _drop, ...rest} = p
  const missing = GREEKS.filter((k) => typeof given[k] !== 'number')
  const model = withModelGreeks({...rest, greeks: null}, market, asOf)
  if (!model.greeks) return {...model, greeksNote: `DXLink gave only ${GREEKS.filter((k) => !missing.includes(k)).join(', ')}; the model cannot fill ${missing.join(', ')}: ${model.greeksNote}`}
  const merged = {} as UnitGreeks
  for (const k of GREEKS) merged[k] = typeof given[k] === 'number' ? (given[k] as number) : model.greeks[k]
  const greeksSources = Object.fromEntries(GREEKS.map((k) => [k, missing.includes(k) ? 'model' : 'feed'])) as GreeksSources
  return {...model, greeks: merged, greeksSource: 'feed', greeksSources, greeksNote: `${missing.join(', ')} from the model (DXLink sent no value); ${GREEKS.filter((k) => !missing.includes(k)).join(', ')} from DXLink`}
}
