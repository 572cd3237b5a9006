/* Lots and realised P&L: worked examples to the cent (domain/ledger/lots.ts, chains.ts, reconcile.ts). */
import {describe, expect, it} from 'vitest'
import {buildChains} from '../../src/core/domain/ledger/chains.js'
import {NO_FEES, type EventKind, type LedgerEvent} from '../../src/core/domain/ledger/events.js'
import {computeLots, type LotOptions} from '../../src/core/domain/ledger/lots.js'
import {reconcilePortfolio} from '../../src/core/domain/ledger/reconcile.js'
import {parseSymbol} from '../../src/core/domain/symbols.js'
import {brokerTreatment} from '../../src/core/services/ledger/book.js'

let nextId = 1
/** An event of portfolio p: `at` is a local-ish ISO instant; symbol in the internal form. */
function ev(kind: EventKind, at: string, symbol: string | null, quantity: number | null, price: number | null, over: Partial<LedgerEvent> = {}): LedgerEvent {
  const p = symbol ? parseSymbol(symbol) : null
  const isOpt = p?.type === 'equity_option'
  return {
    id: nextId++, portfolio: 'p', account: 'A', source: 'file', sourceRef: null, brokerId: null, key: `k${nextId}`, kind, provisional: false,
    at: at.length === 10 ? `${at}T21:00:00.000Z` : at, timeKnown: at.length > 10, tradeDate: at.slice(0, 10), symbol: p?.symbol ?? null, brokerSymbol: symbol,
    instrumentType: p?.type ?? null, underlying: p?.underlying ?? null, ...(p?.option ? {option: {...p.option, style: 'american' as const}} : {}),
    quantity, price, multiplier: p ? (isOpt ? 100 : 1) : null, currency: 'USD', amount: null, fees: NO_FEES, orderId: null, positionEffect: null,
    description: '', brokerRealizedPnl: null, recordedAt: 'now', ...over,
  }
}
const fee = (commission: number) => ({fees: {...NO_FEES, commission}})
const opts = (o: Partial<LotOptions> = {}) => () => ({method: 'fifo', assignment: 'separate', ...o}) as LotOptions
const sum = (xs: (number | null)[]) => Math.round(xs.reduce<number>((s, x) => s + (x ?? 0), 0) * 100) / 100

describe('the wheel: a short put assigned, then a covered call called away', () => {
  const events = () => [
    ev('trade', '2026-01-05T15:00:00Z', 'XYZ 2026-01-16 250P', -1, 5.0, fee(1)),
    ev('assignment', '2026-01-16', 'XYZ 2026-01-16 250P', 1, null),
    ev('assignment', '2026-01-16', 'XYZ', 100, 250),
    ev('trade', '2026-01-20T15:00:00Z', 'XYZ 2026-02-20 260C', -1, 3.0, fee(1)),
    ev('assignment', '2026-02-20', 'XYZ 2026-02-20 260C', 1, null),
    ev('assignment', '2026-02-20', 'XYZ', -100, 260),
  ]

  it('separate (TastyTrade, Fidelity): the options realise their premiums, the shares go in and out at the strikes', () => {
    const r = computeLots(events(), opts())
    const by = (s: string) => r.closed.filter((c) => c.symbol === s)
    expect(by('XYZ 2026-01-16 250P')[0].realized).toBe(499) // (0 − 5.00) × −1 × 100 − 1.00
    expect(by('XYZ 2026-02-20 260C')[0].realized).toBe(299)
    expect(by('XYZ')[0]).toMatchObject({openPrice: 250, closePrice: 260, realized: 1000})
    expect(sum(r.closed.map((c) => c.realized))).toBe(1798)
    expect(r.open).toEqual([])
    expect(r.issues).toEqual([])
  })

  it('fold (IBKR, premium_in_basis): the options realise 0 and the premiums move into the shares; same total over the cycle', () => {
    const r = computeLots(events(), opts({assignment: 'fold'}))
    const options = r.closed.filter((c) => c.symbol !== 'XYZ')
    expect(options.map((c) => [c.realized, c.folded])).toEqual([[0, true], [0, true]])
    const shares = r.closed.find((c) => c.symbol === 'XYZ')!
    expect(shares.openPrice).toBeCloseTo(245.01, 10) // 250 − 499 / 100
    expect(shares.closePrice).toBeCloseTo(262.99, 10) // 260 + 299 / 100
    expect(shares.realized).toBe(1798)
    expect(sum(r.closed.map((c) => c.realized))).toBe(1798)
  })

  it('the share leg may come before the option removal in the file; a missing delivery is said, not guessed', () => {
    const [sell, removal, delivery] = events()
    const r = computeLots([sell, {...delivery, id: 1000}, {...removal, id: 1001}], opts({assignment: 'fold'}))
    expect(r.open[0]).toMatchObject({symbol: 'XYZ', quantity: 100})
    expect(r.open[0].price).toBeCloseTo(245.01, 10)
    const alone = computeLots([sell, removal], opts({assignment: 'fold'}))
    expect(alone.closed[0].realized).toBe(499)
    expect(alone.issues[0]).toMatchObject({severity: 'warning'})
    expect(alone.issues[0].message).toMatch(/no share delivery/)
  })

  it('each broker its own treatment: IBKR folds, the others separate', () => {
    expect(brokerTreatment({broker: 'ibkr' as never})).toBe('fold')
    expect(brokerTreatment({broker: 'manual', source: {transactions: {format: 'ibkr-flex'}}})).toBe('fold')
    for (const b of ['tastytrade', 'fidelity', 'zerodha', 'manual'] as const) expect(brokerTreatment({broker: b})).toBe('separate')
  })
})

describe('booking methods on the same fills', () => {
  const fills = () => [
    ev('trade', '2026-03-02T15:00:00Z', 'ABC', 100, 10, fee(1)),
    ev('trade', '2026-03-03T15:00:00Z', 'ABC', 100, 12, fee(1)),
    ev('trade', '2026-03-04T15:00:00Z', 'ABC', -150, 15, fee(1.5)),
  ]
  it('FIFO: oldest first, 498.00 + 149.00', () => {
    const r = computeLots(fills(), opts({method: 'fifo'}))
    expect(r.closed.map((c) => c.realized)).toEqual([498, 149]) // (15−10)×100 − 1 − 1.00 ; (15−12)×50 − 0.50 − 0.50
    expect(r.open).toMatchObject([{quantity: 50, price: 12, fees: 0.5}])
  })
  it('LIFO: newest first, 298.00 + 249.00', () => {
    const r = computeLots(fills(), opts({method: 'lifo'}))
    expect(r.closed.map((c) => c.realized)).toEqual([298, 249])
    expect(r.open).toMatchObject([{quantity: 50, price: 10}])
  })
  it('average: one pooled lot at 11.00, 597.00', () => {
    const r = computeLots(fills(), opts({method: 'average'}))
    expect(r.closed.map((c) => c.realized)).toEqual([597]) // 150 × (15 − 11) − 1.50 − 1.50
    expect(r.open).toMatchObject([{quantity: 50, price: 11, fees: 0.5}])
  })
  it('a sell through zero closes the long and opens a short with the rest', () => {
    const r = computeLots([ev('trade', '2026-03-02T15:00:00Z', 'ABC', 10, 10), ev('trade', '2026-03-03T15:00:00Z', 'ABC', -15, 11, fee(1.5))], opts())
    expect(r.closed.map((c) => c.realized)).toEqual([9]) // 10 × 1 − 1.00 of the 1.50 fee
    expect(r.open).toMatchObject([{quantity: -5, price: 11, fees: 0.5}])
  })
})

describe('expiry, splits, symbol changes, errors as data', () => {
  it('an option expiring worthless realises its premium less fees: 248.00', () => {
    const r = computeLots([ev('trade', '2026-04-01T15:00:00Z', 'ABC 2026-04-17 50C', -2, 1.25, fee(2)), ev('expiration', '2026-04-17', 'ABC 2026-04-17 50C', null, null)], opts())
    expect(r.closed).toMatchObject([{how: 'expiration', quantity: -2, closePrice: 0, realized: 248}])
    expect(r.open).toEqual([])
  })

  it('a 3-for-2 split: 100 @ 60 becomes 150 @ 40 (basis 6,000 kept); the open put keeps its strike and delivers 150 shares', () => {
    const r = computeLots([
      ev('trade', '2026-05-01T15:00:00Z', 'XYZ', 100, 60),
      ev('trade', '2026-05-01T15:01:00Z', 'XYZ 2026-09-18 50P', -1, 2),
      ev('split', '2026-06-01', 'XYZ', null, null, {ratio: {from: 2, to: 3}}),
      ev('trade', '2026-07-01T15:00:00Z', 'XYZ', -150, 45),
    ], opts())
    expect(r.closed).toMatchObject([{symbol: 'XYZ', quantity: 150, openPrice: 40, realized: 750}]) // 6,750 − 6,000
    const put = r.open.find((l) => l.symbol === 'XYZ 2026-09-18 50P')!
    expect(put).toMatchObject({quantity: -1, price: 2, deliverable: 150, multiplier: 100})
  })

  it('a 2-for-1 split doubles the contracts and halves strike and price (OCC standard adjustment)', () => {
    const r = computeLots([ev('trade', '2026-05-01T15:01:00Z', 'XYZ 2026-09-18 50P', -1, 2), ev('split', '2026-06-01', 'XYZ', null, null, {ratio: {from: 1, to: 2}})], opts())
    expect(r.open).toMatchObject([{symbol: 'XYZ 2026-09-18 25P', quantity: -2, price: 1, option: {strike: 25}}])
  })

  it('Schwab-style split with only the added shares: ratio (held + added) / held', () => {
    const r = computeLots([ev('trade', '2026-05-01T15:00:00Z', 'NFLX', 60, 1100), ev('split', '2026-06-01', 'NFLX', 540, null)], opts())
    expect(r.open).toMatchObject([{quantity: 600, price: 110}])
  })

  it('a symbol change moves the lots', () => {
    const r = computeLots([ev('trade', '2026-05-01T15:00:00Z', 'FB', 10, 300), ev('symbol_change', '2026-06-01', 'FB', null, null, {newSymbol: 'META'}), ev('trade', '2026-07-01T15:00:00Z', 'META', -10, 320)], opts())
    expect(r.closed).toMatchObject([{symbol: 'META', realized: 200}])
  })

  it('a close with no open lot, a split ratio of 0, unknown kinds: issues and counts, never thrown, never dropped silently', () => {
    const r = computeLots([
      ev('trade', '2026-05-01T15:00:00Z', 'XYZ', -5, 10, {positionEffect: 'close'}),
      ev('split', '2026-06-01', 'XYZ', null, null, {ratio: {from: 1, to: 0}}),
      ev('expiration', '2026-06-19', 'XYZ 2026-06-19 10C', null, null),
      ev('unclassified', '2026-06-20', null, null, null, {description: 'Journal: something'}),
    ], opts())
    expect(r.issues.map((i) => i.severity)).toEqual(['error', 'error', 'error'])
    expect(r.issues[0].message).toMatch(/close with no open lot/)
    expect(r.issues[1].message).toMatch(/must be positive/)
    expect(r.unclassified).toBe(1)
    expect(r.open).toEqual([])
  })
})

describe('roll chains', () => {
  it('three rolls in one chain: credit 900.00, realised 450.00, P&L since start 700.00 with the last put marked at 2.00', () => {
    const t = (d: string, symbol: string, q: number, p: number, order: string) => ev('trade', `${d}T15:00:00Z`, symbol, q, p, {orderId: order})
    const events = [
      t('2026-01-02', 'XYZ 2026-01-16 100P', -1, 5, 'o1'),
      t('2026-01-12', 'XYZ 2026-01-16 100P', 1, 6, 'o2'),
      t('2026-01-12', 'XYZ 2026-02-20 95P', -1, 7, 'o2'),
      t('2026-02-13', 'XYZ 2026-02-20 95P', 1, 4, 'o3'),
      t('2026-02-13', 'XYZ 2026-03-20 95P', -1, 5.5, 'o3'),
      t('2026-03-13', 'XYZ 2026-03-20 95P', 1, 3, 'o4'),
      t('2026-03-13', 'XYZ 2026-04-17 90P', -1, 4.5, 'o4'),
      t('2026-03-20', 'ABC 2026-04-17 10C', -1, 1, 'o5'), // unrelated
    ]
    const lots = computeLots(events, opts())
    const chains = buildChains(events, lots.effects, lots.open, (_p, s) => (s === 'XYZ 2026-04-17 90P' ? 2 : null))
    expect(chains).toHaveLength(1)
    expect(chains[0]).toMatchObject({rolls: [{orderId: 'o2'}, {orderId: 'o3'}, {orderId: 'o4'}], credit: 900, realized: 450, openValue: -200, pnlSinceStart: 700, status: 'open', openSymbols: ['XYZ 2026-04-17 90P']})
    expect(chains[0].events).toEqual(events.slice(0, 7).map((e) => e.id))
  })

  it('without order ids, legs within five minutes of one account are a roll; an hour apart they are not', () => {
    const t = (at: string, symbol: string, q: number, p: number) => ev('trade', at, symbol, q, p)
    const close = (at: string) => [t('2026-01-02T15:00:00Z', 'XYZ 2026-01-16 100P', -1, 5), t('2026-01-12T15:00:00Z', 'XYZ 2026-01-16 100P', 1, 6), t(at, 'XYZ 2026-02-20 95P', -1, 7)]
    const near = close('2026-01-12T15:03:00Z')
    const far = close('2026-01-12T16:30:00Z')
    expect(buildChains(near, computeLots(near, opts()).effects, [], () => null)).toHaveLength(1)
    expect(buildChains(far, computeLots(far, opts()).effects, [], () => null)).toHaveLength(0)
  })
})

describe('reconciliation', () => {
  it('names the likely cause of each difference', () => {
    const events = [
      ev('trade', '2026-01-05T15:00:00Z', 'XYZ 2026-01-16 250P', -1, 5),
      ev('trade', '2026-01-05T15:00:00Z', 'ABC', 100, 10),
      ev('trade', '2026-01-05T15:00:00Z', 'DEF', 10, 10),
    ]
    const lots = computeLots(events, opts())
    const broker = [
      {portfolio: 'p', symbol: 'XYZ', underlying: 'XYZ', quantity: 100, multiplier: 1},
      {portfolio: 'p', symbol: 'ABC', underlying: 'ABC', quantity: 200, multiplier: 1},
      {portfolio: 'p', symbol: 'DEF', underlying: 'DEF', quantity: 10, multiplier: 1},
      {portfolio: 'p', symbol: 'GHI', underlying: 'GHI', quantity: 5, multiplier: 1},
    ]
    const r = reconcilePortfolio('p', lots.open, broker, events, 2, '2026-01-20')
    expect(r.status).toBe('differs')
    const cause = (s: string) => r.differences.find((d) => d.symbol === s)?.cause ?? ''
    expect(cause('XYZ 2026-01-16 250P')).toMatch(/expired 2026-01-16.*not yet in the transactions/)
    expect(cause('XYZ')).toMatch(/assignment or exercise of XYZ 2026-01-16 250P/)
    expect(cause('ABC')).toMatch(/= 2: a split/)
    expect(cause('GHI')).toMatch(/no transaction of GHI.*missing/)
    expect(r.differences.find((d) => d.symbol === 'DEF')).toBeUndefined()
    expect(r.unclassified).toBe(2)
  })
})
