/*
 * Public pricing API: European BSM (continuous dividend yield) and Black-76 (options on
 * futures), American by the converged Andersen–Lake–Offengelden engine (default) or the
 * Bjerksund–Stensland 2002 approximation (`engine: 'bs2002'`), implied volatility for all.
 * Pure functions: no I/O, no clock.
 *
 * Units of PriceGreeks (the domain's, see domain/types.ts): price per unit; delta and gamma per
 * 1.00 move of the underlying (of F for Black-76); theta per calendar day = annual theta / 365,
 * signed as the value change when one day passes; vega per vol point (σ + 0.01) = annual vega/100;
 * rho per rate point (r + 0.01) = annual rho/100.
 */
import {americanInto, bs2002Price} from './american.js'
import {exactAmericanInto, exactAmericanPrice, exerciseNowAsVolVanishes} from './american-exact.js'
import {black76Into, black76Price, newRawGreeks, type RawGreeks} from './black76.js'
import {bsmInto, bsmPrice} from './bsm.js'
import {impliedVolAmerican, impliedVolBlack, impliedVolBsm} from './implied-vol.js'

export type Right = 'call' | 'put'
export type Model = 'bsm' | 'black76'
export type Style = 'european' | 'american'

export interface PricingInput {
  right: Right
  /** underlying price; for black76 this is the futures price F */
  spot: number
  strike: number
  /** time to expiry in years (calendar days / 365) */
  years: number
  /** continuously compounded risk-free rate, 0.05 = 5 % */
  rate: number
  /** continuous dividend yield q (bsm only; ignored by black76) */
  dividend: number
  /** σ as a fraction, 0.2 = 20 % */
  vol: number
}

export interface PriceGreeks {
  /** per unit */
  price: number
  /** per 1.00 move of spot (of F for black76) */
  delta: number
  /** per 1.00 move */
  gamma: number
  /** per CALENDAR DAY (annual theta / 365): value change as one day passes */
  theta: number
  /** per 1 vol point (σ + 0.01) */
  vega: number
  /** per 1 rate point (r + 0.01) */
  rho: number
}

/**
 * American engine: 'exact' (default) is the converged Andersen–Lake–Offengelden engine
 * (american-exact.ts), within 1e-6 × strike. For scenario-heavy work (VaR full revaluation,
 * stress grids) two faster approximations, with their worst error over the issue-7 grid stated in
 * README: 'fast', the same engine with QD+ and one Jacobi–Newton step (~7e-5 × strike), and
 * 'bs2002', the corrected Bjerksund–Stensland (2002) formula (~5e-2 × strike). Ignored for
 * European style.
 */
export type Engine = 'exact' | 'fast' | 'bs2002'
export const ENGINES: readonly Engine[] = ['exact', 'fast', 'bs2002']

export interface ModelChoice {
  model: Model
  style: Style
  engine?: Engine
}

const DEFAULT_CHOICE: ModelChoice = {model: 'bsm', style: 'european'}
const DAYS_PER_YEAR = 365

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}

function checkFinite(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RangeError(`pricing: ${name} must be a finite number, got ${String(value)}`)
  }
}

function checkRight(right: unknown): void {
  if (right !== 'call' && right !== 'put') throw new RangeError(`pricing: right must be 'call' or 'put', got ${String(right)}`)
}

function checkChoice(choice: ModelChoice): void {
  if (choice.model !== 'bsm' && choice.model !== 'black76') {
    throw new RangeError(`pricing: model must be 'bsm' or 'black76', got ${String(choice.model)}`)
  }
  if (choice.style !== 'european' && choice.style !== 'american') {
    throw new RangeError(`pricing: style must be 'european' or 'american', got ${String(choice.style)}`)
  }
  if (choice.engine !== undefined && !ENGINES.includes(choice.engine)) {
    throw new RangeError(`pricing: engine must be one of ${ENGINES.join(', ')}, got ${String(choice.engine)}`)
  }
}

/** Throws RangeError on inputs no model can price; callers validate user input before this. */
function validate(input: PricingInput, choice: ModelChoice): void {
  checkRight(input.right)
  checkChoice(choice)
  checkFinite('spot', input.spot)
  checkFinite('strike', input.strike)
  checkFinite('years', input.years)
  checkFinite('rate', input.rate)
  checkFinite('vol', input.vol)
  if (choice.model === 'bsm') checkFinite('dividend', input.dividend)
  if (input.spot < 0) throw new RangeError(`pricing: spot must be ≥ 0, got ${input.spot}`)
  if (input.strike < 0) throw new RangeError(`pricing: strike must be ≥ 0, got ${input.strike}`)
}

/** Intrinsic value max(S − K, 0) for a call, max(K − S, 0) for a put (undiscounted). */
export function intrinsic(input: Pick<PricingInput, 'right' | 'spot' | 'strike'>): number {
  return Math.max(input.right === 'call' ? input.spot - input.strike : input.strike - input.spot, 0)
}

/** Formula-unit results → domain units, in place. */
function toDomainUnits(raw: RawGreeks, out: PriceGreeks): PriceGreeks {
  out.price = raw.price
  out.delta = raw.delta
  out.gamma = raw.gamma
  out.theta = raw.theta / DAYS_PER_YEAR
  out.vega = raw.vega / 100
  out.rho = raw.rho / 100
  return out
}

/** At or past expiry: the payoff, with the step of the payoff as delta (½ at the money). */
function expiredInto(input: PricingInput, out: PriceGreeks): PriceGreeks {
  const call = input.right === 'call'
  const diff = input.spot - input.strike
  out.price = intrinsic(input)
  out.delta = diff === 0 ? (call ? 0.5 : -0.5) : call ? (diff > 0 ? 1 : 0) : diff < 0 ? -1 : 0
  out.gamma = 0
  out.theta = 0
  out.vega = 0
  out.rho = 0
  return out
}

const scratch = newRawGreeks()

/**
 * Price and Greeks into a caller-provided object (no allocation: for risk grids and benchmarks).
 * Same numbers as priceGreeks().
 */
export function priceGreeksInto(input: PricingInput, out: PriceGreeks, choice: ModelChoice = DEFAULT_CHOICE): PriceGreeks {
  validate(input, choice)
  if (input.years <= 0) return expiredInto(input, out)
  const call = input.right === 'call'
  const black76 = choice.model === 'black76'
  if (choice.style === 'american') {
    const q = black76 ? input.rate : input.dividend
    if (choice.engine === 'bs2002') americanInto(scratch, call, input.spot, input.strike, input.years, input.rate, q, input.vol, black76)
    else exactAmericanInto(scratch, call, input.spot, input.strike, input.years, input.rate, q, input.vol, black76, choice.engine === 'fast')
  } else if (black76) {
    black76Into(scratch, call, input.spot, input.strike, input.years, input.rate, input.vol)
  } else {
    bsmInto(scratch, call, input.spot, input.strike, input.years, input.rate, input.dividend, input.vol)
  }
  return toDomainUnits(scratch, out)
}

/** Price and Greeks in the domain's units; default model BSM, European. */
export function priceGreeks(input: PricingInput, choice: ModelChoice = DEFAULT_CHOICE): PriceGreeks {
  return priceGreeksInto(input, {price: 0, delta: 0, gamma: 0, theta: 0, vega: 0, rho: 0}, choice)
}

/** Price only (the fast path); equals priceGreeks(input, choice).price. */
export function optionPrice(input: PricingInput, choice: ModelChoice = DEFAULT_CHOICE): number {
  validate(input, choice)
  if (input.years <= 0) return intrinsic(input)
  const call = input.right === 'call'
  if (choice.style === 'american') {
    const q = choice.model === 'black76' ? input.rate : input.dividend
    if (choice.engine === 'bs2002') return bs2002Price(call, input.spot, input.strike, input.years, input.rate, q, input.vol)
    return exactAmericanPrice(call, input.spot, input.strike, input.years, input.rate, q, input.vol, choice.engine === 'fast')
  }
  if (choice.model === 'black76') return black76Price(call, input.spot, input.strike, input.years, input.rate, input.vol)
  return bsmPrice(call, input.spot, input.strike, input.years, input.rate, input.dividend, input.vol)
}

/**
 * Implied volatility (σ as a fraction) of a price per unit, or null when there is none: price
 * not strictly between the no-arbitrage bounds (European: discounted intrinsic on the forward,
 * and e^{−qT}·S for a call / e^{−rT}·K for a put; American: intrinsic and S / K), price ≤ 0,
 * years ≤ 0, or invalid numbers; also when the solved σ would exceed MAX_IMPLIED_VOL (10, the
 * largest σ `greeks --vol` accepts). A price equal to its lower bound gives null: every σ small
 * enough reproduces it, so it carries no volatility (the Greeks at that point are still known:
 * in the exercise region delta is ±1). American IV is solved against the chosen engine (exact
 * by default). Never throws.
 */
export function impliedVol(price: number, input: Omit<PricingInput, 'vol'>, choice: ModelChoice = DEFAULT_CHOICE): number | null {
  if (input === null || typeof input !== 'object') return null
  if (input.right !== 'call' && input.right !== 'put') return null
  if (choice.model !== 'bsm' && choice.model !== 'black76') return null
  if (choice.style !== 'european' && choice.style !== 'american') return null
  if (choice.engine !== undefined && !ENGINES.includes(choice.engine)) return null
  const {spot, strike, years, rate} = input
  const dividend = choice.model === 'black76' ? 0 : input.dividend
  if (!isFiniteNumber(price) || !isFiniteNumber(spot) || !isFiniteNumber(strike)) return null
  if (!isFiniteNumber(years) || !isFiniteNumber(rate) || !isFiniteNumber(dividend)) return null
  const call = input.right === 'call'
  if (choice.style === 'american') {
    return impliedVolAmerican(price, call, spot, strike, years, rate, dividend, choice.model === 'black76', choice.engine ?? 'exact')
  }
  if (choice.model === 'black76') return impliedVolBlack(price, call, spot, strike, years, Math.exp(-rate * years))
  return impliedVolBsm(price, call, spot, strike, years, rate, dividend)
}

/**
 * Greeks of an American option priced at (or below) its intrinsic value: a price it can only
 * have inside the exercise region, where delta is ±1 and gamma, theta, vega and rho are 0. It
 * has no implied vol (impliedVol gives null), but these Greeks are known. Null for European
 * style, out-of-the-money options, or when exercising now is never optimal (then a price at
 * intrinsic is below the no-arbitrage bound and nothing is known).
 */
export function exercisedGreeks(price: number, input: Omit<PricingInput, 'vol'>, choice: ModelChoice = DEFAULT_CHOICE): PriceGreeks | null {
  if (choice.style !== 'american' || !isFiniteNumber(price)) return null
  const value = intrinsic(input)
  if (!(value > 0) || price > value) return null
  const q = choice.model === 'black76' ? input.rate : input.dividend
  const call = input.right === 'call'
  if (![input.spot, input.strike, input.years, input.rate, q].every(isFiniteNumber)) return null
  if (!exerciseNowAsVolVanishes(call, input.spot, input.strike, input.years, input.rate, q)) return null
  return {price: value, delta: call ? 1 : -1, gamma: 0, theta: 0, vega: 0, rho: 0}
}

// Lower-level entry points for hot loops and diagnostics (beyond the fixed API above).
export {normCdf, normPdf, normInv, erfc, erfcx} from './normal.js'
export {normalisedBlackCall, normalisedVega} from './black76.js'
export {normalisedImpliedVol, impliedVolBlack, impliedVolBsm, impliedVolAmerican, MAX_IMPLIED_VOL} from './implied-vol.js'
export {bsmPrice, bsmInto} from './bsm.js'
export {black76Price, black76Into, type RawGreeks, newRawGreeks} from './black76.js'
export {bs2002Price} from './american.js'
export {exactAmericanPrice, exactAmericanInto, inExerciseRegion} from './american-exact.js'
