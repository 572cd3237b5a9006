import {describe, expect, it} from 'vitest'
import {holidayName, holidaysPublished, isOpen, localDate, marketFor, nextSession, previousClose, previousTradingDay, sessionOn, tradingDayOnOrBefore, type Market} from '../../src/core/domain/calendar/index.js'

/** Every weekday of a year on which the market has no session. */
function weekdayClosures(market: Market, year: number): string[] {
  const out: string[] = []
  for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += 86_400_000) {
    const d = new Date(t)
    const wd = d.getUTCDay()
    const date = d.toISOString().slice(0, 10)
    if (wd !== 0 && wd !== 6 && sessionOn(market, date) === null) out.push(date)
  }
  return out
}

function earlyCloses(market: Market, year: number): string[] {
  const out: string[] = []
  for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += 86_400_000) {
    const date = new Date(t).toISOString().slice(0, 10)
    if (sessionOn(market, date)?.earlyClose) out.push(date)
  }
  return out
}

describe('NYSE holidays and early closes = the NYSE published lists 2024–2027', () => {
  it.each([
    [2024, ['2024-01-01', '2024-01-15', '2024-02-19', '2024-03-29', '2024-05-27', '2024-06-19', '2024-07-04', '2024-09-02', '2024-11-28', '2024-12-25'], ['2024-07-03', '2024-11-29', '2024-12-24']],
    [2025, ['2025-01-01', '2025-01-09', '2025-01-20', '2025-02-17', '2025-04-18', '2025-05-26', '2025-06-19', '2025-07-04', '2025-09-01', '2025-11-27', '2025-12-25'], ['2025-07-03', '2025-11-28', '2025-12-24']],
    [2026, ['2026-01-01', '2026-01-19', '2026-02-16', '2026-04-03', '2026-05-25', '2026-06-19', '2026-07-03', '2026-09-07', '2026-11-26', '2026-12-25'], ['2026-11-27', '2026-12-24']],
    [2027, ['2027-01-01', '2027-01-18', '2027-02-15', '2027-03-26', '2027-05-31', '2027-06-18', '2027-07-05', '2027-09-06', '2027-11-25', '2027-12-24'], ['2027-11-26']],
  ])('%i', (year, holidays, early) => {
    expect(weekdayClosures('XNYS', year)).toEqual(holidays)
    expect(earlyCloses('XNYS', year)).toEqual(early)
    expect(weekdayClosures('XCBO', year)).toEqual(holidays)
  })
  it('New Year on a Saturday does not close the Friday before (2027-12-31 trades)', () => {
    expect(sessionOn('XNYS', '2027-12-31')).not.toBeNull()
    expect(holidayName('XNYS', '2026-07-03')).toBe('Independence Day (observed)')
  })
  it('early close 13:00 New York on the day after Thanksgiving; Cboe index options 13:15', () => {
    const s = sessionOn('XNYS', '2026-11-27')!
    expect(s.open.toISOString()).toBe('2026-11-27T14:30:00.000Z')
    expect(s.close.toISOString()).toBe('2026-11-27T18:00:00.000Z')
    expect(sessionOn('XCBO', '2026-11-27')!.close.toISOString()).toBe('2026-11-27T18:15:00.000Z')
    expect(sessionOn('XNYS', '2026-07-17')!.close.toISOString()).toBe('2026-07-17T20:00:00.000Z') // EDT
  })
})

describe('NSE/BSE holidays = the NSE circulars 2024–2026 (2027 provisional)', () => {
  it.each([
    [2024, ['2024-01-22', '2024-01-26', '2024-03-08', '2024-03-25', '2024-03-29', '2024-04-11', '2024-04-17', '2024-05-01', '2024-05-20', '2024-06-17', '2024-07-17', '2024-08-15', '2024-10-02', '2024-11-01', '2024-11-15', '2024-11-20', '2024-12-25']],
    [2025, ['2025-02-26', '2025-03-14', '2025-03-31', '2025-04-10', '2025-04-14', '2025-04-18', '2025-05-01', '2025-08-15', '2025-08-27', '2025-10-02', '2025-10-21', '2025-10-22', '2025-11-05', '2025-12-25']],
    [2026, ['2026-01-15', '2026-01-26', '2026-03-03', '2026-03-26', '2026-03-31', '2026-04-03', '2026-04-14', '2026-05-01', '2026-05-28', '2026-06-26', '2026-09-14', '2026-10-02', '2026-10-20', '2026-11-10', '2026-11-24', '2026-12-25']],
  ])('%i', (year, holidays) => {
    expect(weekdayClosures('XNSE', year)).toEqual(holidays)
    expect(weekdayClosures('XBOM', year)).toEqual(holidays)
    expect(holidaysPublished('XNSE', year)).toBe(true)
  })
  it('2027 holds the date-fixed holidays and says it is provisional', () => {
    expect(holidayName('XNSE', '2027-01-26')).toBe('Republic Day')
    expect(holidaysPublished('XNSE', 2027)).toBe(false)
  })
  it('Budget Saturday 2025-02-01 was a full session; sessions are 09:15–15:30 Kolkata', () => {
    expect(sessionOn('XNSE', '2025-02-01')).not.toBeNull()
    const s = sessionOn('XBOM', '2026-12-29')!
    expect(s.open.toISOString()).toBe('2026-12-29T03:45:00.000Z')
    expect(s.close.toISOString()).toBe('2026-12-29T10:00:00.000Z')
  })
})

describe('CME Globex sessions', () => {
  it('the Monday session opens Sunday 18:00 New York and closes Monday 17:00', () => {
    const s = sessionOn('XCME', '2026-12-14')!
    expect(s.open.toISOString()).toBe('2026-12-13T23:00:00.000Z')
    expect(s.close.toISOString()).toBe('2026-12-14T22:00:00.000Z')
  })
  it('open across midnight, closed in the 17:00–18:00 break and on Saturday', () => {
    expect(isOpen('XCME', new Date('2026-12-15T03:00:00Z'))).toBe(true) // Mon 22:00 NY
    expect(isOpen('XCME', new Date('2026-12-15T22:30:00Z'))).toBe(false) // Tue 17:30 NY
    expect(isOpen('XCME', new Date('2026-12-19T15:00:00Z'))).toBe(false) // Saturday
  })
  it('closed on Christmas and Good Friday, short session to 13:00 on Thanksgiving', () => {
    expect(sessionOn('XCME', '2026-12-25')).toBeNull()
    expect(sessionOn('XCME', '2026-04-03')).toBeNull()
    const t = sessionOn('XCME', '2026-11-26')!
    expect(t.earlyClose).toBe(true)
    expect(t.close.toISOString()).toBe('2026-11-26T18:00:00.000Z')
  })
})

describe('session navigation', () => {
  it('nextSession: the open one, else the next (over a weekend and a holiday)', () => {
    // Thu 2026-12-24 14:00 NY: after the 13:00 early close → Mon 2026-12-28 (Christmas Friday)
    const s = nextSession('XNYS', new Date('2026-12-24T19:00:00Z'))
    expect(s.date).toBe('2026-12-28')
    expect(nextSession('XNYS', new Date('2026-12-28T15:00:00Z')).date).toBe('2026-12-28')
  })
  it('previousClose: the last session closed at or before the instant', () => {
    expect(previousClose('XNYS', new Date('2026-12-28T15:00:00Z'))!.date).toBe('2026-12-24')
    expect(previousClose('XNSE', new Date('2026-12-29T10:00:00Z'))!.date).toBe('2026-12-29')
  })
  it('localDate in the exchange zone; holiday roll-back', () => {
    expect(localDate('XNYS', new Date('2027-01-15T01:00:00Z'))).toBe('2027-01-14')
    expect(localDate('XNSE', new Date('2027-01-14T19:00:00Z'))).toBe('2027-01-15')
    expect(tradingDayOnOrBefore('XNSE', '2027-01-26')).toBe('2027-01-25')
    expect(previousTradingDay('XNYS', '2026-12-28')).toBe('2026-12-24')
  })
  it('marketFor: index options on Cboe, futures on CME, SENSEX/BANKEX on BSE', () => {
    expect(marketFor({instrumentType: 'equity_option', currency: 'USD', underlying: 'SPX'})).toBe('XCBO')
    expect(marketFor({instrumentType: 'equity_option', currency: 'USD', underlying: 'AAPL'})).toBe('XNYS')
    expect(marketFor({instrumentType: 'future', currency: 'USD', underlying: '/MES'})).toBe('XCME')
    expect(marketFor({instrumentType: 'equity_option', currency: 'INR', underlying: 'SENSEX'})).toBe('XBOM')
    expect(marketFor({instrumentType: 'equity_option', currency: 'INR', underlying: 'NIFTY'})).toBe('XNSE')
  })
})
