/*
 * greeks: price, implied volatility and Greeks of one option from the pricing models, in the
 * domain's units (per unit; theta per calendar day; vega per vol point; rho per rate point).
 */
import {yearsToExpiry} from '../domain/time.js'
import {UserError} from '../errors.js'
import {exercisedGreeks, impliedVol, MAX_IMPLIED_VOL, priceGreeks, type Engine, type Model, type Right, type Style} from '../pricing/index.js'

export interface GreeksOptions {
  right: Right
  spot: number
  strike: number
  expiry?: string
  days?: number
  years?: number
  vol?: number
  price?: number
  rate: number
  dividend: number
  style: Style
  model: Model
  /** American engine; default 'exact' (ignored for European style) */
  engine?: Engine
  /** the instant time to expiry is measured from (now, or --as-of) */
  asOf: Date
  /** option class for the settlement rule with --expiry: SPX (AM, value fixed at Friday's open), SPXW (PM 16:00)…; default a PM-settled US option */
  root?: string
}

export interface GreeksResult {
  model: Model
  style: Style
  /** American engine used ('exact' or 'bs2002'); null for European style */
  engine: Engine | null
  right: Right
  spot: number
  strike: number
  /** time to expiry in years (calendar days / 365) */
  years: number
  /** continuously compounded, fraction */
  rate: number
  /** continuous yield, fraction */
  dividend: number
  /** option price per unit */
  price: number
  /** implied (or given) volatility, fraction per year; null for an American price at intrinsic in the exercise region (no IV, Greeks still known) */
  iv: number | null
  /** per 1.00 move of the underlying */
  delta: number
  /** per 1.00 move of the underlying */
  gamma: number
  /** per calendar day */
  theta: number
  /** per vol point (σ + 0.01) */
  vega: number
  /** per rate point (r + 0.01) */
  rho: number
}

export function greeksService(o: GreeksOptions): GreeksResult {
  const times = [o.expiry, o.days, o.years].filter((t) => t !== undefined).length
  if (times !== 1) throw new UserError('give the time to expiry once: --expiry YYYY-MM-DD, --days N or --years T')
  if ((o.vol === undefined) === (o.price === undefined)) throw new UserError('give exactly one of --vol (to price) or --price (to solve implied volatility)')
  positive('spot', o.spot)
  positive('strike', o.strike)
  // Fractions, not percent: 5 would be 500 %. Wide enough for any real currency and stock.
  if (!(o.rate >= RATE_RANGE[0] && o.rate <= RATE_RANGE[1])) throw new UserError(`--rate ${o.rate} is out of range [${RATE_RANGE.join(', ')}]: give it as a fraction, e.g. 0.045 for 4.5 %`)
  if (!(o.dividend >= DIVIDEND_RANGE[0] && o.dividend <= DIVIDEND_RANGE[1])) throw new UserError(`--dividend ${o.dividend} is out of range [${DIVIDEND_RANGE.join(', ')}]: give the yield as a fraction, e.g. 0.012 for 1.2 %`)
  let years: number
  if (o.expiry !== undefined) {
    if (!isCalendarDate(o.expiry)) throw new UserError(`--expiry "${o.expiry}" is not a date (YYYY-MM-DD, a day that exists: 2027-02-30 does not)`)
    // To the settlement instant of the class, as positions and sync use: 16:00 New York, the open for AM-settled SPX/NDX/RUT/VIX.
    const root = o.root?.trim().toUpperCase()
    years = yearsToExpiry(o.expiry, 'USD', o.asOf, root ? {symbol: root, underlying: root} : undefined)
  } else if (o.days !== undefined) years = o.days / 365
  else years = o.years!
  if (!(years > 0)) throw new UserError('the option must have time left: expiry after today, --days > 0 or --years > 0')
  if (o.vol !== undefined && !(o.vol > 0 && o.vol <= MAX_IMPLIED_VOL)) throw new UserError(`--vol ${o.vol} is out of range: give σ as a fraction, e.g. 0.25 for 25 %`)
  if (o.price !== undefined) positive('price', o.price)
  const input = {right: o.right, spot: o.spot, strike: o.strike, years, rate: o.rate, dividend: o.model === 'black76' ? 0 : o.dividend}
  const engine: Engine | null = o.style === 'american' ? (o.engine ?? 'exact') : null
  const choice = engine === null ? {model: o.model, style: o.style} : {model: o.model, style: o.style, engine}
  const iv = o.vol ?? impliedVol(o.price!, input, choice)
  if (iv === null) {
    const exercised = exercisedGreeks(o.price!, input, choice)
    if (exercised) return {model: o.model, style: o.style, engine, ...input, iv: null, ...exercised}
  }
  if (iv === null) throw new UserError(`no implied volatility prices this option at ${o.price}: the price is outside the no-arbitrage bounds`)
  const g = priceGreeks({...input, vol: iv}, choice)
  return {model: o.model, style: o.style, engine, ...input, price: g.price, iv, delta: g.delta, gamma: g.gamma, theta: g.theta, vega: g.vega, rho: g.rho}
}

/** Continuously compounded risk-free rate, fraction per year. */
export const RATE_RANGE = [-0.1, 1] as const
/** Continuous dividend yield, fraction per year (negative: a borrow cost). */
export const DIVIDEND_RANGE = [-0.1, 1] as const

/** YYYY-MM-DD naming a day that exists (Date.parse would roll 2027-02-30 over to March 2). */
function isCalendarDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
  if (!m) return false
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]))
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3]
}

function positive(name: string, v: number): void {
  if (!(Number.isFinite(v) && v > 0)) throw new UserError(`--${name} must be a positive number, got ${v}`)
}
