/*
 * Settlement as the OCC does it (issue 18): exercise by exception from $0.01 in the money, the pin
 * band for short options, the settlement instant's price and never a later one, futures at their
 * final settlement price. Worked examples with known answers.
 */
import {describe, expect, it} from 'vitest'
import {OCC_RULES, pinBand, settleAtExpiry, settleFutureAtExpiry} from '../../src/core/domain/expiry-settlement.js'
import type {Position} from '../../src/core/domain/types.js'

type Opt = Parameters<typeof settleAtExpiry>[0]
const opt = (q: number, strike: number, right: 'call' | 'put', spot: number | null, entry = 1): Opt => ({
  symbol: `UBER 2026-12-04 ${strike}${right === 'call' ? 'C' : 'P'}`, underlying: 'UBER', instrumentType: 'equity_option', currency: 'USD', quantity: q, multiplier: 100, entryPrice: entry,
  underlyingPrice: spot, option: {expiry: '2026-12-04', strike, right, style: 'american'},
})
// Friday 4 December 2026: the close is 21:00 UTC.
const AT_CLOSE = {lastAt: '2026-12-04T20:59:00.000Z'}

describe('exercise by exception', () => {
  it('a long call $0.005 in the money expires (below the $0.01 threshold), and says so', () => {
    const s = settleAtExpiry(opt(1, 100, 'call', 100.005), '2026-12-04', AT_CLOSE)
    expect(s).toMatchObject({status: 'settled', outcome: 'expired', intrinsic: 0, stockQuantity: null})
    expect(s!.status === 'settled' && s!.realizedPnl).toBe(-100) // (0 − 1) × 1 × 100
    expect(s!.status === 'settled' && s!.note).toMatch(/in the money by 0.005, less than the 0.01 exercise threshold/)
  })

  it('a long call exactly $0.01 in the money is exercised: +100 shares', () => {
    const s = settleAtExpiry(opt(1, 100, 'call', 100.01), '2026-12-04', AT_CLOSE)
    expect(s).toMatchObject({status: 'settled', outcome: 'exercised', stockQuantity: 100})
    expect(s!.status === 'settled' && s!.intrinsic).toBeCloseTo(0.01, 12)
  })

  it('the threshold is configurable: at $0.05, a call 0.03 in the money expires', () => {
    expect(settleAtExpiry(opt(1, 100, 'call', 100.03), '2026-12-04', AT_CLOSE, {...OCC_RULES, exerciseThreshold: 0.05})).toMatchObject({outcome: 'expired'})
  })
})

describe('the pin band', () => {
  it('is ± max($0.05, 0.1 % of the strike): 0.05 at a 20 strike, 0.10 at 100, 0.50 at 500', () => {
    expect(pinBand(20)).toBe(0.05)
    expect(pinBand(100)).toBeCloseTo(0.1, 12)
    expect(pinBand(500)).toBeCloseTo(0.5, 12)
  })

  it('a short call closing exactly at its strike is pin risk: pending, assignment uncertain', () => {
    const s = settleAtExpiry(opt(-1, 95, 'call', 95), '2026-12-04', AT_CLOSE)
    expect(s).toMatchObject({status: 'pending', reason: 'pin_risk', underlyingPrice: 95, expected: 'expired'})
    expect(s!.status === 'pending' && s!.detail).toMatch(/^pin risk: assignment uncertain/)
  })

  it('a short put 0.09 in the money at a 100 strike is inside the band; 0.11 is outside and assigned', () => {
    expect(settleAtExpiry(opt(-1, 100, 'put', 99.91), '2026-12-04', AT_CLOSE)).toMatchObject({status: 'pending', reason: 'pin_risk', expected: 'assigned'})
    expect(settleAtExpiry(opt(-1, 100, 'put', 99.89), '2026-12-04', AT_CLOSE)).toMatchObject({status: 'settled', outcome: 'assigned', stockQuantity: 100})
  })

  it('a long option at the strike is not pin risk (its holder decides; the OCC rule applies)', () => {
    expect(settleAtExpiry(opt(1, 95, 'call', 95), '2026-12-04', AT_CLOSE)).toMatchObject({status: 'settled', outcome: 'expired'})
  })
})

describe('the settlement instant’s price, never a later one', () => {
  const put = opt(-1, 100, 'put', 102, 2) // the book's price is Monday's 102

  it('Monday’s quote is not Friday’s close: pending settlement', () => {
    expect(settleAtExpiry(put, '2026-12-04', {lastAt: '2026-12-07T15:00:00.000Z'})).toMatchObject({status: 'pending', reason: 'no_settlement_price'})
  })

  it('a price seen on Friday hours before the close is not the close either (outside the window)', () => {
    expect(settleAtExpiry(put, '2026-12-04', {lastAt: '2026-12-07T15:00:00.000Z', seen: {'UBER|2026-12-04': {price: 95, at: '2026-12-04T17:00:00.000Z'}}})).toMatchObject({status: 'pending'})
  })

  it('Friday’s stored close settles it: assigned at 95, the option closes at 0, realised (0 − 2) × −1 × 100 = +200; the shares at the 100 strike carry the −5', () => {
    const s = settleAtExpiry(put, '2026-12-04', {lastAt: '2026-12-07T15:00:00.000Z', closes: {'UBER|2026-12-04': {price: 95, at: '2026-12-04 (stored close)'}}})
    expect(s).toMatchObject({status: 'settled', outcome: 'assigned', underlyingPrice: 95, priceSource: 'stored_close', intrinsic: 5, stockQuantity: 100, realizedPnl: 200})
    // Counted once: the option's realised P&L plus the delivered shares valued at the settlement price is the
    // trade's whole P&L, premium 200 less the 5 × 100 given up at assignment = −300.
    if (s?.status !== 'settled') throw new Error('not settled')
    expect(s.realizedPnl! + s.stockQuantity! * (s.underlyingPrice - 100)).toBe(-300)
  })

  it('a price the daemon saw on Friday within the window before the close settles it, said to be the close observed then', () => {
    const s = settleAtExpiry(put, '2026-12-04', {lastAt: '2026-12-07T15:00:00.000Z', seen: {'UBER|2026-12-04': {price: 95, at: '2026-12-04T20:45:00.000Z'}}})
    expect(s).toMatchObject({status: 'settled', priceSource: 'close', priceAt: '2026-12-04T20:45:00.000Z', underlyingPrice: 95, outcome: 'assigned'})
  })
})

describe('futures expire too', () => {
  const fut = (q: number, entry: number, mark: number | null): Pick<Position, 'symbol' | 'underlying' | 'instrumentType' | 'currency' | 'quantity' | 'multiplier' | 'entryPrice' | 'markPrice'> => ({
    symbol: '/MESZ6', underlying: '/MESZ6', instrumentType: 'future', currency: 'USD', quantity: q, multiplier: 5, entryPrice: entry, markPrice: mark,
  })

  it('/MESZ6 stops trading on Friday 18 December 2026: not before', () => {
    expect(settleFutureAtExpiry(fut(2, 6800, 6900), '2026-12-17')).toBeNull()
  })

  it('leaves the book at its final settlement price with realised P&L: (6,910.25 − 6,800) × 2 × 5 = 1,102.50', () => {
    const s = settleFutureAtExpiry(fut(2, 6800, 6900), '2026-12-18', {closes: {'/MESZ6|2026-12-18': {price: 6910.25, at: '2026-12-18 (stored close)'}}})
    expect(s).toMatchObject({status: 'settled', expiryDate: '2026-12-18', outcome: 'cash_settled', underlyingPrice: 6910.25, priceSource: 'stored_close'})
    expect(s!.status === 'settled' && s!.realizedPnl).toBeCloseTo(1102.5, 9)
  })

  it('without a price of its last trading day it is pending, never settled on a later mark', () => {
    expect(settleFutureAtExpiry({...fut(2, 6800, 6950), markAsOf: '2026-12-21T15:00:00.000Z'}, '2026-12-21')).toMatchObject({status: 'pending', reason: 'no_settlement_price', expiryDate: '2026-12-18'})
  })
})
