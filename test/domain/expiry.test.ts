import {describe, expect, it} from 'vitest'
import {futureContractMonth, futureExpiry, indiaMonthlyExpiry, optionExpiry, vixExpiry} from '../../src/core/domain/calendar/expiry.js'
import {withModelGreeks} from '../../src/core/domain/greeks.js'
import {parseSymbol} from '../../src/core/domain/symbols.js'
import {daysToExpiry, yearsToExpiry} from '../../src/core/domain/time.js'
import type {Position} from '../../src/core/domain/types.js'

const usOpt = (symbol: string) => {
  const p = parseSymbol(symbol)
  return {key: {symbol: p.symbol, underlying: p.underlying, instrumentType: p.type, currency: 'USD'}, expiry: p.option!.expiry}
}

describe('US settlement per product', () => {
  it('SPX monthly is AM-settled: last trade Thursday 16:15, value fixed at Friday 09:30 New York', () => {
    const {key, expiry} = usOpt('SPX 2026-12-18 6800C')
    const e = optionExpiry(expiry, key)
    expect(e.settlement).toBe('am')
    expect(e.lastTradeAt.toISOString()).toBe('2026-12-17T21:15:00.000Z')
    expect(e.settlesAt.toISOString()).toBe('2026-12-18T14:30:00.000Z')
  })
  it('SPXW at the same strike trades until 16:00 Friday (PM)', () => {
    const {key, expiry} = usOpt('SPXW 2026-12-18 6800C')
    const e = optionExpiry(expiry, key)
    expect(e.settlement).toBe('pm')
    expect(e.settlesAt.toISOString()).toBe('2026-12-18T21:00:00.000Z')
  })
  it('equity options PM at 16:00; at 13:00 on an early-close day; a Good Friday expiry moves to Thursday', () => {
    expect(optionExpiry('2026-12-18', usOpt('AAPL 2026-12-18 200C').key).settlesAt.toISOString()).toBe('2026-12-18T21:00:00.000Z')
    expect(optionExpiry('2026-11-27', usOpt('AAPL 2026-11-27 200C').key).settlesAt.toISOString()).toBe('2026-11-27T18:00:00.000Z')
    const gf = optionExpiry('2026-04-03', usOpt('AAPL 2026-04-03 200C').key)
    expect(gf.expiryDate).toBe('2026-04-02')
    expect(gf.settlesAt.toISOString()).toBe('2026-04-02T20:00:00.000Z')
  })
  it('VIX options expire Wednesday morning, 30 days before the next month’s SPX expiry', () => {
    expect(vixExpiry(2026, 12)).toBe('2026-12-16') // Jan 2027 third Friday = 15th, − 30 days
    expect(vixExpiry(2027, 1)).toBe('2027-01-20') // Feb 19 − 30
    const e = optionExpiry('2026-12-16', usOpt('VIX 2026-12-16 20C').key)
    expect(e.settlement).toBe('am')
    expect(e.settlesAt.toISOString()).toBe('2026-12-16T14:30:00.000Z')
  })
})

describe('the SPX example: time to expiry follows the settlement instant', () => {
  const spx = (asOf: string): Position =>
    withModelGreeks(
      {
        portfolio: 'p', symbol: 'SPX 2026-12-18 6800C', brokerSymbol: 'SPX 2026-12-18 6800C', instrumentType: 'equity_option', underlying: 'SPX',
        quantity: 1, multiplier: 100, entryPrice: 10, markPrice: 12, currency: 'USD', option: {expiry: '2026-12-18', strike: 6800, right: 'call', style: 'european'},
        underlyingPrice: 6795, underlyingPriceSource: 'feed', iv: null, greeks: null, greeksSource: 'none',
      },
      {rate: 0.045, dividend: 0}, // USD rate 4.5 %, no dividend yield configured
      new Date(asOf),
    )
  it('Thu 2026-12-17 16:30 ET: 17 hours left, IV ≈ 11.8 %', () => {
    const years = yearsToExpiry('2026-12-18', 'USD', new Date('2026-12-17T21:30:00Z'), {symbol: 'SPX 2026-12-18 6800C', underlying: 'SPX'})
    expect(years * 365 * 24).toBeCloseTo(17, 9)
    const p = spx('2026-12-17T21:30:00Z')
    expect(p.iv).toBeCloseTo(0.118, 3)
    expect(p.greeks).not.toBeNull()
  })
  it('Fri 11:00 ET: already settled, no Greeks', () => {
    const p = spx('2026-12-18T16:00:00Z')
    expect(p.greeks).toBeNull()
    expect(p.greeksNote).toMatch(/settled/)
  })
})

describe('NSE/BSE expiry days', () => {
  it('NIFTY27JAN24000PE expires 2027-01-25: the last Tuesday, the 26th, is Republic Day', () => {
    expect(parseSymbol('NIFTY27JAN24000PE').option!.expiry).toBe('2027-01-25')
  })
  it('SENSEX25OCT82000CE expires on BSE’s Thursday (2025-10-30), not NSE’s Tuesday (2025-10-28)', () => {
    const p = parseSymbol('SENSEX25OCT82000CE')
    expect(p.option!.expiry).toBe('2025-10-30')
    expect(optionExpiry(p.option!.expiry, {symbol: p.symbol, underlying: 'SENSEX', instrumentType: p.type, currency: 'INR'}).market).toBe('XBOM')
  })
  it.each([
    ['NIFTY', 2024, 3, '2024-03-28'], // Thursday era
    ['NIFTY', 2025, 8, '2025-08-28'],
    ['NIFTY', 2025, 9, '2025-09-30'], // Tuesday from September 2025
    ['BANKNIFTY', 2024, 6, '2024-06-26'], // last Wednesday in 2024
    ['BANKNIFTY', 2025, 3, '2025-03-27'], // all NSE monthlies on Thursday Jan–Aug 2025
    ['FINNIFTY', 2024, 10, '2024-10-29'], // Tuesday
    ['MIDCPNIFTY', 2024, 10, '2024-10-28'], // Monday
    ['SENSEX', 2024, 10, '2024-10-25'], // Friday
    ['SENSEX', 2025, 3, '2025-03-25'], // Tuesday Jan–Aug 2025
    ['BANKEX', 2024, 10, '2024-10-28'], // Monday
    ['BANKEX', 2026, 1, '2026-01-29'], // Thursday from September 2025
    ['NIFTY', 2026, 3, '2026-03-30'], // last Tuesday 31st is Mahavir Jayanti → Monday
    ['NIFTY', 2024, 4, '2024-04-25'],
  ])('%s %i-%i → %s', (root, year, month, expected) => {
    expect(indiaMonthlyExpiry(root, year, month)).toBe(expected)
  })
  it('NSE stops at 15:30 Kolkata; DTE counts Kolkata days', () => {
    expect(yearsToExpiry('2027-01-25', 'INR', new Date('2027-01-25T10:00:00Z'), {underlying: 'NIFTY'})).toBe(0)
    expect(daysToExpiry('2027-01-26', 'INR', new Date('2027-01-24T19:00:00Z'), {underlying: 'NIFTY'})).toBe(0) // the 26th rolls to the 25th, already the 25th in Kolkata
  })
})

describe('futures expiry from the symbol', () => {
  const asOf = new Date('2026-11-30T12:00:00Z')
  it('/MESH7 seen in 2026 is March 2027; last trade 09:30 New York on the third Friday (2027-03-19)', () => {
    expect(futureContractMonth('/MESH7', asOf)).toEqual({root: 'MES', year: 2027, month: 3})
    const e = futureExpiry({symbol: '/MESH7', underlying: '/MESH7', instrumentType: 'future', currency: 'USD'}, asOf)!
    expect(e.lastTradeDate).toBe('2027-03-19')
    expect(e.settlesAt.toISOString()).toBe('2027-03-19T13:30:00.000Z')
  })
  it('/ESZ6 in late 2026 is December 2026, and stays 2026 after it expired', () => {
    expect(futureContractMonth('/ESZ6', asOf)!.year).toBe(2026)
    expect(futureContractMonth('/ESZ6', new Date('2027-02-01T00:00:00Z'))!.year).toBe(2026)
    expect(futureExpiry({symbol: '/ESZ6', underlying: '/ESZ6', instrumentType: 'future', currency: 'USD'}, asOf)!.lastTradeDate).toBe('2026-12-18')
  })
  it('NIFTY 2026-12 FUT expires with the NIFTY monthly options, 15:30 Kolkata on 2026-12-29', () => {
    const e = futureExpiry({symbol: 'NIFTY 2026-12 FUT', underlying: 'NIFTY', instrumentType: 'future', currency: 'INR'}, asOf)!
    expect(e.lastTradeDate).toBe('2026-12-29')
    expect(e.settlesAt.toISOString()).toBe('2026-12-29T10:00:00.000Z')
  })
  it('/CLF7: three business days before the 25th of the month before (2026-12-25 is Christmas → 2026-12-24 → 2026-12-21)', () => {
    expect(futureExpiry({symbol: '/CLF7', underlying: '/CLF7', instrumentType: 'future', currency: 'USD'}, asOf)!.lastTradeDate).toBe('2026-12-21')
  })
  it('an unknown product has no expiry rather than a guessed one', () => {
    expect(futureExpiry({symbol: '/XYZH7', underlying: '/XYZH7', instrumentType: 'future', currency: 'USD'}, asOf)).toBeNull()
  })
})
