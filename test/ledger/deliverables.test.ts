/*
 * Non-standard options in the lots: XYZ1 (after a 3-for-2 split of XYZ) delivers 150 XYZ per contract
 * (config `deliverables: {XYZ1: {shares: 150, underlying: XYZ}}`). Its assignment's delivery is found
 * among XYZ's share rows (not "XYZ1"), by contracts × 150 shares; the folded premium is spread over
 * those 150 shares.
 *
 * Worked example: sell 1 XYZ1 2026-12-18 60P @ 3.00 (premium 300); assigned on 18 Dec: +150 XYZ at
 * 60 × 100 / 150 = 40.00 a share.
 *   fold (IBKR): the option realises 0; the shares' basis 40 − 300 / 150 = 38.00.
 *   separate (TastyTrade): the option realises 300; the shares at 40.00.
 */
import {describe, expect, it} from 'vitest'
import {NO_FEES, type EventKind, type LedgerEvent} from '../../src/core/domain/ledger/events.js'
import {computeLots, pairDeliveries, type LotOptions} from '../../src/core/domain/ledger/lots.js'
import {parseSymbol} from '../../src/core/domain/symbols.js'

let nextId = 1
function ev(kind: EventKind, at: string, symbol: string, quantity: number | null, price: number | null, over: Partial<LedgerEvent> = {}): LedgerEvent {
  const p = parseSymbol(symbol)
  const isOpt = p.type === 'equity_option'
  return {
    id: nextId++, portfolio: 'p', account: 'A', source: 'file', sourceRef: null, brokerId: null, key: `k${nextId}`, kind, provisional: false,
    at: at.length === 10 ? `${at}T21:00:00.000Z` : at, timeKnown: at.length > 10, tradeDate: at.slice(0, 10), symbol: p.symbol, brokerSymbol: symbol,
    instrumentType: p.type, underlying: p.underlying, ...(p.option ? {option: {...p.option, style: 'american' as const}} : {}),
    quantity, price, multiplier: isOpt ? 100 : 1, currency: 'USD', amount: null, fees: NO_FEES, orderId: null, positionEffect: null,
    description: '', brokerRealizedPnl: null, recordedAt: 'now', ...over,
  }
}
const opts = (assignment: LotOptions['assignment']) => () => ({method: 'fifo', assignment}) as LotOptions
const XYZ1 = {XYZ1: {shares: 150, underlying: 'XYZ', cash: 0}}
const PUT = 'XYZ1 2026-12-18 60P'

const events = () => [ev('trade', '2026-12-01T15:00:00Z', PUT, -1, 3.0), ev('assignment', '2026-12-18', PUT, 1, null), ev('assignment', '2026-12-18', 'XYZ', 150, 40)]

describe('non-standard deliverables in the lots', () => {
  it('fold: the delivery of 150 XYZ is found for XYZ1; the premium moves into its 150 shares (basis 38.00)', () => {
    const r = computeLots(events(), opts('fold'), [], XYZ1)
    expect(r.issues).toEqual([])
    expect(r.closed.map((c) => [c.symbol, c.realized, c.folded])).toEqual([[PUT, 0, true]])
    expect(r.open).toHaveLength(1)
    expect(r.open[0]).toMatchObject({symbol: 'XYZ', quantity: 150})
    expect(r.open[0].price).toBeCloseTo(38, 10)
  })

  it('fold without the deliverable configured: no delivery found for XYZ1, said, and the premium realised on the option instead', () => {
    const r = computeLots(events(), opts('fold'))
    expect(r.issues.map((i) => i.message)).toEqual([expect.stringMatching(/no share delivery found on 2026-12-18/)])
    expect(r.closed.map((c) => c.realized)).toEqual([300])
    expect(r.open[0]).toMatchObject({symbol: 'XYZ', quantity: 150, price: 40})
  })

  it('separate: the option realises its premium, the shares at the delivery price; the open option lot carries its deliverable and real underlying', () => {
    const [sell, ...rest] = events()
    const opened = computeLots([sell], opts('separate'), [], XYZ1)
    expect(opened.open[0]).toMatchObject({symbol: PUT, underlying: 'XYZ', deliverable: 150, quantity: -1})
    const r = computeLots([sell, ...rest], opts('separate'), [], XYZ1)
    expect(r.closed.map((c) => c.realized)).toEqual([300])
    expect(r.open[0]).toMatchObject({symbol: 'XYZ', quantity: 150, price: 40})
  })

  it('quantity delivered = contracts × deliverable shares: of two XYZ buys that day, the 300-share one is the delivery of 2 contracts', () => {
    const sell = ev('trade', '2026-12-01T15:00:00Z', PUT, -2, 3.0)
    const removal = ev('assignment', '2026-12-18', PUT, 2, null)
    const other = ev('trade', '2026-12-18', 'XYZ', 200, 45)
    const delivery = ev('trade', '2026-12-18', 'XYZ', 300, 40)
    expect(pairDeliveries([sell, removal, other, delivery], XYZ1).get(removal.id)).toBe(delivery.id)
    // 100 a contract (no deliverable known): the 200-share row would be taken
    expect(pairDeliveries([sell, removal, other, delivery].map((e) => (e.symbol === PUT ? {...e, underlying: 'XYZ'} : e))).get(removal.id)).toBe(other.id)
    const r = computeLots([sell, removal, other, delivery], opts('fold'), [], XYZ1)
    const lots = r.open.map((l) => [l.quantity, Math.round(l.price! * 1e6) / 1e6])
    expect(lots).toEqual([[200, 45], [300, 38]]) // 40 − 600 / 300
  })
})

describe("the daemon's provisional delivery of a non-standard option", () => {
  it('2 short XYZ1 60P assigned deliver 2 × 150 = 300 XYZ at 60 × 100 / 150 = 40.00 (39.00 with 150 cash a contract), not 200 at 60', async () => {
    const {settleAtExpiry} = await import('../../src/core/domain/expiry-settlement.js')
    const {provisionalSettlementEvents} = await import('../../src/core/services/ledger-provisional.js')
    const position = {
      portfolio: 'p', symbol: PUT, brokerSymbol: 'XYZ1  261218P00060000', instrumentType: 'equity_option' as const, underlying: 'XYZ', quantity: -2, multiplier: 100, entryPrice: 3, markPrice: 20,
      currency: 'USD', option: {expiry: '2026-12-18', strike: 60, right: 'put' as const, style: 'american' as const}, underlyingPrice: 25, iv: null, greeks: null, greeksSource: 'none' as const,
      deliverable: {shares: 150, underlying: 'XYZ', cash: 0},
    }
    const s = settleAtExpiry(position as never, '2026-12-18', {lastAt: '2026-12-18T20:59:00.000Z'})
    if (s?.status !== 'settled') throw new Error('expected a settlement')
    expect(s.outcome).toBe('assigned')
    const stock = provisionalSettlementEvents(position as never, s, '2026-12-18T21:30:00.000Z', null).find((e) => e.positionEffect === 'open')!
    expect([stock.symbol, stock.quantity, stock.price, stock.amount]).toEqual(['XYZ', 300, 40, -12000])
    const withCash = provisionalSettlementEvents({...position, deliverable: {shares: 150, underlying: 'XYZ', cash: 150}} as never, s, '2026-12-18T21:30:00.000Z', null).find((e) => e.positionEffect === 'open')!
    expect(withCash.price).toBe(39)
    // a standard contract as before: 100 a contract at the strike
    const plain = {...position, symbol: 'XYZ 2026-12-18 60P', deliverable: undefined}
    const s100 = settleAtExpiry(plain as never, '2026-12-18', {lastAt: '2026-12-18T20:59:00.000Z'})
    if (s100?.status !== 'settled') throw new Error('expected a settlement')
    const standard = provisionalSettlementEvents(plain as never, s100, '2026-12-18T21:30:00.000Z', null).find((e) => e.positionEffect === 'open')!
    expect([standard.quantity, standard.price]).toEqual([200, 60])
  })
})
