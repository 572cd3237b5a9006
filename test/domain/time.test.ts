import {describe, expect, it} from 'vitest'
import {daysToExpiry, expiryInstant, yearsToExpiry} from '../../src/core/domain/time.js'
import {sessionOn, zonedInstant} from '../../src/core/domain/calendar/index.js'

describe('time to expiry', () => {
  it('US options stop at 16:00 New York: 21:00 UTC in winter, 20:00 UTC in summer', () => {
    expect(expiryInstant('2027-01-15', 'USD').toISOString()).toBe('2027-01-15T21:00:00.000Z')
    expect(expiryInstant('2026-07-17', 'USD').toISOString()).toBe('2026-07-17T20:00:00.000Z')
  })
  it('NSE options stop at 15:30 Kolkata = 10:00 UTC', () => {
    expect(expiryInstant('2026-12-29', 'INR').toISOString()).toBe('2026-12-29T10:00:00.000Z')
  })
  it('years are calendar time / 365 days', () => {
    const asOf = new Date('2027-01-14T21:00:00Z')
    expect(yearsToExpiry('2027-01-15', 'USD', asOf)).toBeCloseTo(1 / 365, 12)
  })
  it('DTE counts calendar days in the exchange time zone; 0 on expiry day', () => {
    expect(daysToExpiry('2027-01-15', 'USD', new Date('2027-01-15T14:00:00Z'))).toBe(0)
    // 01:00 UTC on the 15th is still the 14th in New York
    expect(daysToExpiry('2027-01-15', 'USD', new Date('2027-01-15T01:00:00Z'))).toBe(1)
    expect(daysToExpiry('2026-12-31', 'USD', new Date('2026-11-24T15:00:00Z'))).toBe(37)
    expect(daysToExpiry('2026-11-20', 'USD', new Date('2026-11-24T15:00:00Z'))).toBe(-4)
  })
})

describe('New York daylight saving edges (hand-written rule, no Intl)', () => {
  it.each([
    ['2026-03-08', '2026-03-08T20:00:00.000Z'], // DST starts that morning (second Sunday of March)
    ['2026-03-06', '2026-03-06T21:00:00.000Z'],
    ['2026-11-01', '2026-11-01T21:00:00.000Z'], // DST ended that morning (first Sunday of November)
    ['2026-10-30', '2026-10-30T20:00:00.000Z'],
    ['2027-03-15', '2027-03-15T20:00:00.000Z'],
  ])('16:00 New York on %s is %s', (date, instant) => {
    expect(zonedInstant('America/New_York', date, 16 * 60).toISOString()).toBe(instant)
  })
  it('agrees with Intl over two years of dates; expiries on full trading days stop at 16:00, early closes at 13:00', () => {
    const f = new Intl.DateTimeFormat('en-US', {timeZone: 'America/New_York', hour: 'numeric', hourCycle: 'h23'})
    for (let d = Date.UTC(2026, 0, 1); d < Date.UTC(2028, 0, 1); d += 86_400_000) {
      const date = new Date(d).toISOString().slice(0, 10)
      expect(Number(f.format(zonedInstant('America/New_York', date, 16 * 60)))).toBe(16)
      const s = sessionOn('XNYS', date)
      if (s) expect(Number(f.format(expiryInstant(date, 'USD')))).toBe(s.earlyClose ? 13 : 16)
    }
  })
})
