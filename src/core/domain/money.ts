/*
 * Currency conversion to the base currency. fxRates hold the value of one unit of each currency
 * in the base currency (base itself = 1). A missing rate makes the converted amount unknown.
 */
import type {Position} from './types.js'

export function toBase(amount: number | null, currency: string, fxRates: Record<string, number>): number | null {
  if (amount === null) return null
  const rate = fxRates[currency]
  return rate === undefined ? null : amount * rate
}

/** An amount from one currency into another through the base-currency rates; null when either rate is missing. */
export function convert(amount: number | null, from: string, to: string, fxRates: Record<string, number>): number | null {
  if (amount === null || from === to) return amount
  const a = fxRates[from]
  const b = fxRates[to]
  return a === undefined || b === undefined ? null : (amount * a) / b
}

/**
 * A position restated in another currency, so a portfolio's sums never add two currencies: prices
 * (entry, mark, underlying, strike) and money Greeks (theta, vega, rho) scale by the rate, gamma
 * (per 1.00 move of the underlying) by its inverse, delta in shares not at all. Without a rate the
 * numbers become unknown, never silently unconverted.
 */
export function inCurrency(p: Position, currency: string, fxRates: Record<string, number>): Position {
  if (p.currency === currency) return p
  const k = convert(1, p.currency, currency, fxRates)
  const scale = (v: number | null) => (v === null || k === null ? null : v * k)
  const g = p.greeks
  return {
    ...p,
    currency,
    entryPrice: scale(p.entryPrice),
    markPrice: scale(p.markPrice),
    underlyingPrice: scale(p.underlyingPrice),
    option: p.option && k !== null ? {...p.option, strike: p.option.strike * k} : p.option,
    greeks: g && k !== null ? {delta: g.delta, gamma: g.gamma / k, theta: g.theta * k, vega: g.vega * k, rho: g.rho * k} : null,
    greeksSource: g && k === null ? 'none' : p.greeksSource,
    greeksNote: k === null ? `no FX rate from ${p.currency} to ${currency}` : p.greeksNote,
  }
}
