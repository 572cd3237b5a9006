/*
 * Time to expiry. A contract is over at its settlement instant (calendar/expiry.ts): the 16:00
 * New York close for PM-settled US options (13:00 on an early-close day), the opening prints for
 * AM-settled SPX/NDX/RUT monthlies and VIX options, 15:30 Kolkata for NSE/BSE; an expiry date on a
 * holiday moves to the trading day before. Years are calendar time / 365 days, the convention the
 * pricing models use (theta per calendar day). The clock is always passed in (asOf).
 */
import {localDate, marketFor} from './calendar/index.js'
import {optionExpiry, type ContractKey} from './calendar/expiry.js'
import {dayNumber} from './calendar/zones.js'

const DAY_MS = 86_400_000

/** The contract an expiry belongs to; without one, a plain PM-settled option of the currency's main exchange. */
export type ExpiryContract = Partial<ContractKey>

function key(currency: string, c?: ExpiryContract): ContractKey {
  // A whole contract of this currency (a position) is its own key: optionExpiry then finds what it
  // answered for that very object (a position's aging, row and health each ask in turn).
  if (c !== undefined && typeof c.symbol === 'string' && typeof c.underlying === 'string' && typeof c.instrumentType === 'string' && c.currency === currency) return c as ContractKey
  const k: ContractKey = {symbol: c?.symbol ?? '', underlying: c?.underlying ?? '', instrumentType: c?.instrumentType ?? 'equity_option', currency}
  if (c?.settlement) k.settlement = c.settlement
  return k
}

/** The instant an option on `expiry` (YYYY-MM-DD) is settled and stops being a live position. */
export function expiryInstant(expiry: string, currency: string, contract?: ExpiryContract): Date {
  return optionExpiry(expiry, key(currency, contract)).settlesAt
}

/** Years from asOf to the settlement instant; negative once expired. */
export function yearsToExpiry(expiry: string, currency: string, asOf: Date, contract?: ExpiryContract): number {
  return (expiryInstant(expiry, currency, contract).getTime() - asOf.getTime()) / (365 * DAY_MS)
}

/** Calendar days from asOf's date (in the exchange's zone) to the expiry date: 0 on expiry day. */
export function daysToExpiry(expiry: string, currency: string, asOf: Date, contract?: ExpiryContract): number {
  const k = key(currency, contract)
  const e = optionExpiry(expiry, k)
  return dayNumber(e.expiryDate) - dayNumber(localDate(marketFor(k), asOf))
}

/** The calendar date of an instant in UTC, YYYY-MM-DD. */
export function isoDate(at: Date): string {
  return at.toISOString().slice(0, 10)
}
