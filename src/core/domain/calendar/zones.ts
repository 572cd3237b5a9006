/*
 * The two time zones cotrader's exchanges sit in, written out rather than asked of Intl: the first
 * Intl time-zone use loads ICU data (~10–25 ms per process), more than a whole command may spend.
 * Kolkata is UTC+5:30 all year (no DST since 1945). New York is UTC−5, or UTC−4 from the second
 * Sunday of March 02:00 to the first Sunday of November 02:00 local time (US rules since 2007).
 * Dates are ISO strings `YYYY-MM-DD`; day numbers are days since 1970-01-01 (a Thursday).
 */
export type Zone = 'America/New_York' | 'Asia/Kolkata'

export const DAY_MS = 86_400_000
const HOUR_MS = 3_600_000

/** Offset of the zone from UTC at an instant, in ms (+ east of Greenwich). */
export function zoneOffsetMs(zone: Zone, at: Date | number): number {
  if (zone === 'Asia/Kolkata') return 5.5 * HOUR_MS
  const t = typeof at === 'number' ? at : at.getTime()
  let d = dst
  if (!(t >= d.from && t < d.to)) d = dst = newYorkDst(new Date(t).getUTCFullYear())
  return (t >= d.start && t < d.end ? -4 : -5) * HOUR_MS
}

/**
 * New York's summer time within one UTC year [from, to): [start, end). The last year asked is kept:
 * a book asks about the same few instants once per position (thousands of times per command).
 */
function newYorkDst(y: number): {from: number; to: number; start: number; end: number} {
  return {
    from: Date.UTC(y, 0, 1),
    to: Date.UTC(y + 1, 0, 1),
    start: Date.UTC(y, 2, nthWeekdayOfMonth(y, 3, 0, 2), 7), // 02:00 EST = 07:00 UTC
    end: Date.UTC(y, 10, nthWeekdayOfMonth(y, 11, 0, 1), 6), // 02:00 EDT = 06:00 UTC
  }
}
let dst = {from: 1, to: 0, start: 0, end: 0} // no year yet

/** The instant of a wall-clock time in a zone (`date` YYYY-MM-DD, minutes after local midnight; may exceed 24 h or be negative). */
export function zonedInstant(zone: Zone, date: string, minutes: number): Date {
  const guess = dayNumber(date) * DAY_MS + minutes * 60_000
  // The offset at the guessed instant is right except within the hour around a DST switch, where
  // a second look settles it (no exchange session opens or closes at 02:00 New York).
  const first = guess - zoneOffsetMs(zone, guess)
  return new Date(guess - zoneOffsetMs(zone, first))
}

/** The zone's calendar date of an instant. */
export function zonedDate(zone: Zone, at: Date): string {
  return dateOf(Math.floor((at.getTime() + zoneOffsetMs(zone, at)) / DAY_MS))
}

/** Minutes after the zone's local midnight of an instant. */
export function zonedMinutes(zone: Zone, at: Date): number {
  const local = at.getTime() + zoneOffsetMs(zone, at)
  return Math.floor((local - Math.floor(local / DAY_MS) * DAY_MS) / 60_000)
}

export function dayNumber(date: string): number {
  let n = dayNumbers.get(date)
  if (n === undefined) {
    n = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY_MS
    remember(dayNumbers, date, n)
  }
  return n
}

export function dateOf(day: number): string {
  let d = dates.get(day)
  if (d === undefined) remember(dates, day, (d = new Date(day * DAY_MS).toISOString().slice(0, 10))) // throws for NaN: nothing kept
  return d
}

/*
 * Dates and day numbers already converted: the calendar walks the same few dates for every position
 * (expiry roll-backs, sessions, today in each zone), and each conversion built a Date and strings.
 * Bounded, for long-running processes.
 */
const dayNumbers = new Map<string, number>()
const dates = new Map<number, string>()
function remember<K, V>(m: Map<K, V>, k: K, v: V): void {
  if (m.size >= 20_000) m.clear()
  m.set(k, v)
}

export function addDays(date: string, days: number): string {
  return dateOf(dayNumber(date) + days)
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(date: string): number {
  return (((dayNumber(date) + 4) % 7) + 7) % 7
}

export function isoDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
}

/** Day of the month of the n-th given weekday (0 = Sunday) of a month (1-based); n = -1 for the last. */
export function nthWeekdayOfMonth(year: number, month: number, wd: number, n: number): number {
  if (n < 0) {
    const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate()
    const lastWd = new Date(Date.UTC(year, month - 1, lastDay)).getUTCDay()
    return lastDay - ((lastWd - wd + 7) % 7)
  }
  const first = new Date(Date.UTC(year, month - 1, 1)).getUTCDay()
  return 1 + ((wd - first + 7) % 7) + 7 * (n - 1)
}

/** Easter Sunday (Gregorian, anonymous algorithm), for Good Friday. */
export function easterSunday(year: number): string {
  const a = year % 19
  const b = Math.floor(year / 100)
  const c = year % 100
  const d = Math.floor(b / 4)
  const e = b % 4
  const f = Math.floor((b + 8) / 25)
  const g = Math.floor((b - f + 1) / 3)
  const h = (19 * a + b - d - g + 15) % 30
  const i = Math.floor(c / 4)
  const k = c % 4
  const l = (32 + 2 * e + 2 * i - h - k) % 7
  const m = Math.floor((a + 11 * h + 22 * l) / 451)
  const month = Math.floor((h + l - 7 * m + 114) / 31)
  const day = ((h + l - 7 * m + 114) % 31) + 1
  return isoDate(year, month, day)
}
