/*
 * Exchange holidays. US exchanges follow rules (NYSE Rule 7.2: fixed dates moved off weekends,
 * Monday holidays, Good Friday from Easter) plus the rare closure decided at short notice; Indian
 * exchanges publish a list every December (festivals follow lunar calendars), so theirs is a table.
 *
 * Sources, checked against each year's published list:
 * - NYSE/Cboe: NYSE "Holidays & Trading Hours" 2024–2027 (nyse.com/markets/hours-calendars),
 *   including the 2025-01-09 closure for the National Day of Mourning for President Carter.
 * - NSE/BSE: NSE circulars "Trading holidays for the calendar year" (equity and equity derivatives
 *   segments; BSE publishes the same days) for 2024 (+ the added closures of 2024-01-22,
 *   2024-05-20 and 2024-11-20), 2025 and 2026 (+ the added 2026-01-15 Maharashtra municipal
 *   election closure, NSE circular CMTR72260). 2027: NSE publishes its list in December 2026; until
 *   then only the holidays fixed by date are known (Republic Day, Ambedkar Jayanti, Good Friday)
 *   and the year is marked provisional (festival days will be added when the circular is out).
 */
import {addDays, easterSunday, isoDate, nthWeekdayOfMonth, weekday} from './zones.js'

/** NSE equity/derivatives trading holidays on weekdays (weekend holidays change nothing). BSE keeps the same days. */
export const INDIA_HOLIDAYS: Readonly<Record<string, string>> = {
  // 2024
  '2024-01-22': 'Special holiday (Shri Ram Lalla Pran Pratishtha)',
  '2024-01-26': 'Republic Day',
  '2024-03-08': 'Mahashivratri',
  '2024-03-25': 'Holi',
  '2024-03-29': 'Good Friday',
  '2024-04-11': 'Id-Ul-Fitr (Ramadan Eid)',
  '2024-04-17': 'Shri Ram Navami',
  '2024-05-01': 'Maharashtra Day',
  '2024-05-20': 'General Parliamentary Elections',
  '2024-06-17': 'Bakri Id',
  '2024-07-17': 'Moharram',
  '2024-08-15': 'Independence Day',
  '2024-10-02': 'Mahatma Gandhi Jayanti',
  '2024-11-01': 'Diwali Laxmi Pujan',
  '2024-11-15': 'Gurunanak Jayanti',
  '2024-11-20': 'Maharashtra Assembly Elections',
  '2024-12-25': 'Christmas',
  // 2025
  '2025-02-26': 'Mahashivratri',
  '2025-03-14': 'Holi',
  '2025-03-31': 'Id-Ul-Fitr (Ramadan Eid)',
  '2025-04-10': 'Shri Mahavir Jayanti',
  '2025-04-14': 'Dr. Baba Saheb Ambedkar Jayanti',
  '2025-04-18': 'Good Friday',
  '2025-05-01': 'Maharashtra Day',
  '2025-08-15': 'Independence Day',
  '2025-08-27': 'Ganesh Chaturthi',
  '2025-10-02': 'Mahatma Gandhi Jayanti / Dussehra',
  '2025-10-21': 'Diwali Laxmi Pujan',
  '2025-10-22': 'Diwali Balipratipada',
  '2025-11-05': 'Prakash Gurpurb Sri Guru Nanak Dev',
  '2025-12-25': 'Christmas',
  // 2026
  '2026-01-15': 'Municipal Corporation Election (Maharashtra)',
  '2026-01-26': 'Republic Day',
  '2026-03-03': 'Holi',
  '2026-03-26': 'Shri Ram Navami',
  '2026-03-31': 'Shri Mahavir Jayanti',
  '2026-04-03': 'Good Friday',
  '2026-04-14': 'Dr. Baba Saheb Ambedkar Jayanti',
  '2026-05-01': 'Maharashtra Day',
  '2026-05-28': 'Bakri Id',
  '2026-06-26': 'Muharram',
  '2026-09-14': 'Ganesh Chaturthi',
  '2026-10-02': 'Mahatma Gandhi Jayanti',
  '2026-10-20': 'Dussehra',
  '2026-11-10': 'Diwali Balipratipada',
  '2026-11-24': 'Prakash Gurpurb Sri Guru Nanak Dev',
  '2026-12-25': 'Christmas',
  // 2027 (provisional: date-fixed holidays only, see above)
  '2027-01-26': 'Republic Day',
  '2027-03-26': 'Good Friday',
  '2027-04-14': 'Dr. Baba Saheb Ambedkar Jayanti',
}

/** Years whose Indian list is the exchange's published one; later years are provisional. */
export const INDIA_PUBLISHED_YEARS: readonly number[] = [2024, 2025, 2026]

/** Weekend days the Indian exchanges opened for a full special session (budget days and the like). */
export const INDIA_SPECIAL_SESSIONS: Readonly<Record<string, string>> = {
  '2024-01-20': 'Special trading session (Saturday)',
  '2025-02-01': 'Union Budget (Saturday)',
}

/** NYSE closures decided outside the rules. */
const US_ADHOC_CLOSURES: Readonly<Record<string, string>> = {
  '2025-01-09': 'National Day of Mourning (President Carter)',
}

/** The NYSE's holidays of a year, observed dates, by rule (Rule 7.2). */
export function usHolidays(year: number): Map<string, string> {
  const out = new Map<string, string>()
  const observed = (date: string, name: string, saturdayToFriday = true) => {
    const wd = weekday(date)
    if (wd === 0) out.set(addDays(date, 1), `${name} (observed)`)
    else if (wd === 6) {
      if (saturdayToFriday) out.set(addDays(date, -1), `${name} (observed)`)
    } else out.set(date, name)
  }
  // New Year's Day on a Saturday is not moved to Friday: that Friday closes the year's books.
  observed(isoDate(year, 1, 1), "New Year's Day", false)
  out.set(isoDate(year, 1, nthWeekdayOfMonth(year, 1, 1, 3)), 'Martin Luther King Jr. Day')
  out.set(isoDate(year, 2, nthWeekdayOfMonth(year, 2, 1, 3)), "Washington's Birthday")
  out.set(addDays(easterSunday(year), -2), 'Good Friday')
  out.set(isoDate(year, 5, nthWeekdayOfMonth(year, 5, 1, -1)), 'Memorial Day')
  if (year >= 2022) observed(isoDate(year, 6, 19), 'Juneteenth National Independence Day')
  observed(isoDate(year, 7, 4), 'Independence Day')
  out.set(isoDate(year, 9, nthWeekdayOfMonth(year, 9, 1, 1)), 'Labor Day')
  out.set(isoDate(year, 11, nthWeekdayOfMonth(year, 11, 4, 4)), 'Thanksgiving Day')
  observed(isoDate(year, 12, 25), 'Christmas Day')
  for (const [date, name] of Object.entries(US_ADHOC_CLOSURES)) if (date.startsWith(String(year))) out.set(date, name)
  return out
}

/**
 * NYSE early closes (13:00 New York): the day after Thanksgiving, Christmas Eve and July 3 when
 * they are weekdays and not themselves a holiday (a Friday July 3 / December 24 is the observed
 * holiday of a Saturday July 4 / Christmas).
 */
export function usEarlyClose(date: string): string | null {
  const year = Number(date.slice(0, 4))
  const wd = weekday(date)
  if (wd === 0 || wd === 6 || usHoliday(date) !== null) return null
  const md = date.slice(5)
  if (md === '07-03') return 'Independence Day eve'
  if (md === '12-24') return 'Christmas Eve'
  if (date === addDays(isoDate(year, 11, nthWeekdayOfMonth(year, 11, 4, 4)), 1)) return 'Day after Thanksgiving'
  return null
}

/** Holidays on which CME Globex is closed all day; on the other NYSE holidays it trades a short session. */
export function cmeClosedAllDay(name: string): boolean {
  return /New Year|Good Friday|Christmas Day/.test(name)
}

const usCache = new Map<number, Map<string, string>>()
export function usHoliday(date: string): string | null {
  const year = Number(date.slice(0, 4))
  let table = usCache.get(year)
  if (!table) usCache.set(year, (table = usHolidays(year)))
  return table.get(date) ?? null
}
