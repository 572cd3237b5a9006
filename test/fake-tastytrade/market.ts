/*
 * The fake DXLink's numbers. Greeks are computed by the project's pricing model at the
 * scenario's IV and sent in the REAL feed's convention, dxFeed's Greeks event: per unit of the
 * option, delta and gamma per 1.00 of the underlying, theta per calendar day (negative = decay),
 * vega per 1 % (one vol point) of volatility, rho per 1 % (one rate point) of the rate;
 * `volatility` is the implied vol as a fraction and `price` the option price. Why this is the
 * real convention: dxFeed's own definitions plus a real captured event that is self-consistent
 * only under it (see normaliseFeedGreeks in src/core/adapters/tastytrade/feed.ts). The pricing
 * module's units (types.ts) are the same, so toDxfeedConvention() is the identity, written out
 * so the convention is stated where it is produced and a test can prove the adapter does not
 * rescale.
 */
import {yearsToExpiry} from '../../src/core/domain/time.js'
import {priceGreeks} from '../../src/core/pricing/index.js'
import type {FakeOptionMarket, FakeQuote, Scenario} from './scenario.js'

export interface DxGreeks {
  price: number
  volatility: number
  delta: number
  gamma: number
  /** per day */
  theta: number
  /** per 1 % of volatility */
  vega: number
  /** per 1 % of rate */
  rho: number
}

/** Underlying price the fake prices options from: quote mid, else last trade. */
export function underlyingPrice(quote: FakeQuote | undefined): number | null {
  if (!quote) return null
  if (quote.bid !== undefined && quote.ask !== undefined) return (quote.bid + quote.ask) / 2
  return quote.last ?? null
}

export function modelGreeks(option: FakeOptionMarket, scenario: Pick<Scenario, 'quotes' | 'asOf' | 'rate'>): DxGreeks | null {
  const spot = underlyingPrice(scenario.quotes[option.underlying])
  if (spot === null) return null
  const years = yearsToExpiry(option.expiry, 'USD', new Date(scenario.asOf))
  if (!(years > 0)) return null
  const g = priceGreeks(
    {right: option.right, spot, strike: option.strike, years, rate: scenario.rate, dividend: 0, vol: option.vol},
    {model: option.model, style: option.style},
  )
  return toDxfeedConvention({price: g.price, volatility: option.vol, delta: g.delta, gamma: g.gamma, theta: g.theta, vega: g.vega, rho: g.rho})
}

/** Pricing-module units → dxFeed's: both are per day / per vol point / per rate point, so nothing changes. */
function toDxfeedConvention(g: DxGreeks): DxGreeks {
  return {
    price: g.price,
    volatility: g.volatility,
    delta: g.delta,
    gamma: g.gamma,
    theta: g.theta, // pricing: per calendar day; dxFeed: per calendar day
    vega: g.vega, // pricing: per vol point (σ + 0.01); dxFeed: per 1 % volatility
    rho: g.rho, // pricing: per rate point (r + 0.01); dxFeed: per 1 % rate
  }
}
