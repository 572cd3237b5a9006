/*
 * Time to expiry. Options stop trading at the exchange's close on the expiry date: 16:00 New York
 * for US listings, 15:30 Kolkata for NSE. Years are calendar time / 365 days, the convention the
 * pricing models use (theta per calendar day). The clock is always passed in (asOf).
 */
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

/**
 * Offset of the exchange's zone from UTC at an instant, in ms (+ east of Greenwich). Written out
 * rather than asked of Intl, whose first use loads ICU time-zone data (~10–25 ms per process):
 * Kolkata is UTC+5:30 all year; New York is UTC−5, or UTC−4 from the second Sunday of March 02:00
 * to the first Sunday of November 02:00 local time (US rules since 2007).
 */
function zoneOffsetMs(zone: 'Asia/Kolkata' | 'America/New_York', at: Date): number {
  if (zone === 'Asia/Kolkata') return 5.5 * 3_600_000
  const y = at.getUTCFullYear()
  const start = Date.UTC(y, 2, nthSunday(y, 2, 2), 7) // 02:00 EST = 07:00 UTC
  const end = Date.UTC(y, 10, nthSunday(y, 10, 1), 6) // 02:00 EDT = 06:00 UTC
  const t = at.getTime()
  return (t >= start && t < end ? -4 : -5) * 3_600_000
}

/** Day of the month of the n-th Sunday of a month (month 0-based). */
function nthSunday(year: number, month: number, n: number): number {
  const first = new Date(Date.UTC(year, month, 1)).getUTCDay()
  return 1 + ((7 - first) % 7) + 7 * (n - 1)
}
