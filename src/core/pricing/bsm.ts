/*
 * Black–Scholes–Merton with a continuous dividend yield q: the generalised Black–Scholes model
 * with cost of carry b = r − q (Merton 1973; Haug, "The Complete Guide to Option Pricing
 * Formulas", 2nd ed., §1.1.6). Rho holds q fixed, so the forward moves with r.
 */
import {gbsInto, gbsPrice, type RawGreeks} from './black76.js'

/** BSM price per unit. Preconditions (checked in index.ts): finite inputs, S, K ≥ 0, T > 0. */
export function bsmPrice(
  isCall: boolean,
  spot: number,
  strike: number,
  years: number,
  rate: number,
  dividend: number,
  vol: number,
): number {
  return gbsPrice(isCall, spot, strike, years, rate, rate - dividend, vol)
}

/** BSM price and Greeks in formula units (theta per year, vega per 1.00 σ, rho per 1.00 r). */
export function bsmInto(
  out: RawGreeks,
  isCall: boolean,
  spot: number,
  strike: number,
  years: number,
  rate: number,
  dividend: number,
  vol: number,
): RawGreeks {
  return gbsInto(out, isCall, spot, strike, years, rate, rate - dividend, vol, true)
}
