/*
 * Time to expiry. Options stop trading at the exchange's close on the expiry date: 16:00 New York
 * for US listings, 15:30 Kolkata for NSE. Years are calendar time / 365 days, the convention the
 * pricing models use (theta per calendar day). The clock is always passed in (asOf).
 */
import {zoneOffsetMs} from './calendar/zones.js'

const DAY_MS = 86_400_000

const CLOSE: Record<string, {zone: 'Asia/Kolkata' | 'America/New_York'; hour: number; minute: number}> = {
  INR: {zone: 'Asia/Kolkata', hour: 15, minute: 30},
  USD: {zone: 'America/New_York', hour: 16, minute: 0},
}

/** The instant an option on `expiry` (YYYY-MM-DD) stops trading, by the currency's exchange. */
export function expiryInstant(expiry: string, currency: string): Date {
  const close = CLOSE[currency] ?? CLOSE.USD
  const [y, m, d] = expiry.split('-').map(Number)
  const guess = Date.UTC(y, m - 1, d, close.hour, close.minute)
  return new Date(guess - zoneOffsetMs(close.zone, new Date(guess)))
}

/** Years from asOf to the expiry close; negative once expired. */
export function yearsToExpiry(expiry: string, currency: string, asOf: Date): number {
  return (expiryInstant(expiry, currency).getTime() - asOf.getTime()) / (365 * DAY_MS)
}

/** Calendar days from asOf's date (in the exchange's zone) to the expiry date: 0 on expiry day. */
export function daysToExpiry(expiry: string, currency: string, asOf: Date): number {
  const close = CLOSE[currency] ?? CLOSE.USD
  const local = new Date(asOf.getTime() + zoneOffsetMs(close.zone, asOf))
  const today = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate())
  const [y, m, d] = expiry.split('-').map(Number)
  return Math.round((Date.UTC(y, m - 1, d) - today) / DAY_MS)
}

/** The calendar date of an instant in UTC, YYYY-MM-DD. */
export function isoDate(at: Date): string {
  return at.toISOString().slice(0, 10)
}
