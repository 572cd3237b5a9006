/*
 * Time ages the book: one stored book, an injected clock moved across a holiday, an early close,
 * an expiry on that early close, an AM settlement, an NSE holiday roll-back and a stale export.
 */
import path from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import type {BrokerAdapter, FetchedPortfolio, MarketDataProvider} from '../../src/core/adapters/broker.js'
import {parseAsOf} from '../../src/core/cli/time-flags.js'
import {parseConfig} from '../../src/core/config/config.js'
import {isStale, parseMaxAge} from '../../src/core/containers/freshness.js'
import type {Position} from '../../src/core/domain/types.js'
import {positionsService} from '../../src/core/services/positions.js'
import {pnlService} from '../../src/core/services/pnl.js'
import {riskService} from '../../src/core/services/risk.js'
import {syncService} from '../../src/core/services/sync.js'
import {priceGreeks} from '../../src/core/pricing/index.js'
import {tempDir} from '../cli/helpers.js'
import {pos} from '../domain/builders.js'

const config = parseConfig(`
base_currency: USD
fx_rates: {INR: 0.012}
market: {rates: {USD: 0.045}}
portfolios:
  - {name: us, broker: fidelity, account: Z1, source: {file: us.csv, format: fidelity}, limits: {max_abs_vega: 1000000}}
  - {name: in, broker: zerodha, account: K1, currency: INR, source: {file: in.csv, format: zerodha-positions}}
  - {name: tt, broker: tastytrade, account: T1}
`, '/x/risk_config.yaml')

const SPX = 'SPX 2026-12-18 6800C'
const SPXW = 'SPXW 2026-12-18 6800C'
const AAPL = 'AAPL 2026-11-27 200C' // expires on the day after Thanksgiving: early close 13:00 New York
const NIFTY = 'NIFTY 2027-01-25 24000P' // NIFTY27JAN24000PE: the last Tuesday, the 26th, is Republic Day

const us: Position[] = [
  pos(`1 ${SPX} @ 30 mark 40`, {underlying: 'SPX', underlyingPrice: 6795, underlyingPriceSource: 'file', option: {expiry: '2026-12-18', strike: 6800, right: 'call', style: 'european'}}),
  pos(`1 ${SPXW} @ 30 mark 41`, {underlying: 'SPX', underlyingPrice: 6795, underlyingPriceSource: 'file', option: {expiry: '2026-12-18', strike: 6800, right: 'call', style: 'european'}}),
  pos(`2 ${AAPL} @ 1 mark 2.5`, {underlyingPrice: 201, underlyingPriceSource: 'file'}),
  pos('10 MSFT @ 400 mark 420'),
]
const india: Position[] = [
  pos(`-75 ${NIFTY} @ 120 mark 90`, {underlying: 'NIFTY', currency: 'INR', multiplier: 1, underlyingPrice: 24500, underlyingPriceSource: 'file', option: {expiry: '2027-01-25', strike: 24000, right: 'put', style: 'european'}}),
]

// The Fidelity export says it was downloaded Wed 2026-11-25 10:00 New York; sync runs at 12:00.
const DOWNLOADED = '2026-11-25T15:00:00.000Z'
const SYNCED = new Date('2026-11-25T17:00:00Z')

function fileBroker(): BrokerAdapter & MarketDataProvider {
  return {
    name: 'fake',
    unavailable: () => null,
    fetch: async (p): Promise<FetchedPortfolio> => ({
      positions: (p.name === 'us' ? us : india).map((q) => ({...q, portfolio: p.name})),
      balances: {equity: 500000, cash: 100000, buyingPower: null, maintenanceRequirement: null},
      skipped: [],
      warnings: [],
      ...(p.name === 'us' ? {pricesAsOf: DOWNLOADED} : {}),
    }),
    snapshot: async () => ({quotes: new Map(), greeks: new Map()}),
    close: async () => {},
  }
}

let dbPath: string
beforeAll(async () => {
  dbPath = path.join(tempDir(), 'db.sqlite')
  const file = fileBroker()
  await syncService({config, dbPath, skipInvalid: false, asOf: SYNCED, env: {}, portfolios: ['us', 'in']}, {file: async () => file, tastytrade: async () => file})
})

const at = (iso: string) => new Date(iso)
const positionsAt = (iso: string, extra: {valueAt?: Date; maxAge?: string} = {}) => positionsService({config, dbPath, asOf: at(iso), ...extra})
const row = (r: Awaited<ReturnType<typeof positionsAt>>, symbol: string) => r.positions.find((p) => p.symbol === symbol)!

describe('the clock moves across the Thanksgiving week', () => {
  it('marks carry the export’s own stamp, not the sync time', async () => {
    const r = await positionsAt('2026-11-25T18:00:00Z')
    expect(row(r, AAPL).markAsOf).toBe(DOWNLOADED)
    expect(row(r, AAPL).markSource).toBe('file')
    expect(r.freshness.find((f) => f.portfolio === 'us')).toMatchObject({status: 'fresh', pricesAsOf: DOWNLOADED})
    expect(r.totals.find((t) => t.currency === 'USD')!.pricesAsOf).toBe(DOWNLOADED)
  })

  it('over the holiday: Thursday is Thanksgiving, so Wednesday’s prices are still one session old, not stale', async () => {
    const r = await positionsAt('2026-11-26T20:00:00Z')
    expect(r.freshness.find((f) => f.portfolio === 'us')!.status).toBe('fresh')
  })

  it('early close, Fri 12:30 New York: the AAPL call expiring today still trades (until 13:00), DTE 0', async () => {
    const r = await positionsAt('2026-11-27T17:30:00Z')
    expect(row(r, AAPL)).toMatchObject({expired: false, dte: 0, settlesAt: '2026-11-27T18:00:00.000Z', settlement: 'pm'})
    expect(row(r, AAPL).delta).not.toBeNull()
  })

  it('Fri 13:30 New York: the AAPL call has expired at the early close; Wednesday’s export is now stale (it missed Friday’s session)', async () => {
    const r = await positionsAt('2026-11-27T18:30:00Z')
    const aapl = row(r, AAPL)
    expect(aapl).toMatchObject({expired: true, markPrice: 2.5, delta: null, greeksSource: 'none'})
    const usd = r.totals.find((t) => t.currency === 'USD')!
    expect(usd.expired).toBe(1)
    // 2 × (2.5 − 1) × 100 = 300 of P&L is no longer in the live sum.
    const live = r.positions.filter((p) => p.currency === 'USD' && !p.expired).reduce((s, p) => s + p.unrealizedPnl!, 0)
    expect(usd.unrealizedPnl).toBeCloseTo(live, 9)
    expect(r.expired).toBe(1)
    const fresh = r.freshness.find((f) => f.portfolio === 'us')!
    expect(fresh.status).toBe('stale')
    expect(r.stale).toBe(true)
    expect(r.dataWarnings).toContainEqual(expect.stringMatching(/^us: prices are from 2026-11-25 15:00Z .* older than 1 market session/))
    // With a larger allowed age the same export is fine.
    const lax = await positionsAt('2026-11-27T18:30:00Z', {maxAge: '2 sessions'})
    expect(lax.freshness.find((f) => f.portfolio === 'us')!.status).toBe('fresh')
  })
})

describe('AM settlement: SPX vs SPXW on expiry Friday', () => {
  it('Thu 2026-12-17 16:30 New York: both live, SPX has 17 hours left', async () => {
    const r = await positionsAt('2026-12-17T21:30:00Z')
    expect(row(r, SPX)).toMatchObject({expired: false, settlement: 'am', settlesAt: '2026-12-18T14:30:00.000Z', dte: 1})
    expect(row(r, SPXW)).toMatchObject({expired: false, settlement: 'pm', settlesAt: '2026-12-18T21:00:00.000Z'})
  })

  it('Fri 11:00 New York: SPX has settled (no Greeks, out of risk and limits); SPXW trades until 16:00', async () => {
    const p = await positionsAt('2026-12-18T16:00:00Z')
    expect(row(p, SPX)).toMatchObject({expired: true, delta: null, markPrice: 40})
    expect(row(p, SPXW)).toMatchObject({expired: false})
    expect(row(p, SPXW).delta).not.toBeNull()
    const risk = await riskService({config, dbPath, asOf: at('2026-12-18T16:00:00Z')})
    const usRisk = risk.portfolios.find((x) => x.portfolio === 'us')!
    expect(usRisk.expired).toEqual([AAPL, SPX])
    const spx = usRisk.underlyings.find((u) => u.underlying === 'SPX')!
    expect(spx.positions).toBe(1) // only SPXW
    expect(spx.delta).toBeCloseTo(row(p, SPXW).delta!, 9)
    expect(risk.totals.expired).toBe(2)
    const pnl = await pnlService({config, dbPath, asOf: at('2026-12-18T16:00:00Z')})
    const line = pnl.positions.find((l) => l.symbol === SPX)!
    expect(line).toMatchObject({expired: true, unrealizedPnl: 1000})
    // us: SPXW (41 − 30) × 100 + MSFT (420 − 400) × 10 = 1100 + 200 = 1300; expired SPX and AAPL are not summed.
    expect(pnl.portfolios.find((l) => l.portfolio === 'us')).toMatchObject({unrealizedPnl: 1300, expired: 2})
  })
})

describe('NSE holiday roll-back and Kolkata settlement', () => {
  it('NIFTY Jan 2027 put settles 15:30 Kolkata on Monday 2027-01-25', async () => {
    const before = await positionsAt('2027-01-25T09:30:00Z')
    expect(row(before, NIFTY)).toMatchObject({expired: false, dte: 0, settlesAt: '2027-01-25T10:00:00.000Z'})
    const after = await positionsAt('2027-01-25T10:30:00Z')
    expect(row(after, NIFTY).expired).toBe(true)
  })
})

describe('never synced and failed syncs are not live numbers', () => {
  it('tt was never synced: unknown (null), not 0, with a warning', async () => {
    const risk = await riskService({config, dbPath, asOf: at('2026-11-25T18:00:00Z')})
    const tt = risk.portfolios.find((p) => p.portfolio === 'tt')!
    expect(tt).toMatchObject({synced: false, delta: null, capitalInUse: null, unrealizedPnl: null, equity: null})
    expect(risk.freshness.find((f) => f.portfolio === 'tt')).toMatchObject({status: 'never_synced', pricesAsOf: null})
    expect(risk.dataWarnings).toContainEqual(expect.stringMatching(/^tt: never synced/))
    expect(risk.totals.missing).toBeGreaterThanOrEqual(1)
    const pnl = await pnlService({config, dbPath, asOf: at('2026-11-25T18:00:00Z'), portfolio: 'tt'})
    expect(pnl.portfolios[0].unrealizedPnl).toBeNull()
    expect(pnl.totalBase).toBeNull()
    const positions = await positionsService({config, dbPath, asOf: at('2026-11-25T18:00:00Z'), portfolio: 'tt'})
    expect(positions.unrealizedPnlBase).toBeNull()
  })

  it('a failed sync keeps the old prices and says so', async () => {
    const db = path.join(tempDir(), 'db.sqlite')
    const ok = fileBroker()
    await syncService({config, dbPath: db, skipInvalid: false, asOf: SYNCED, env: {}, portfolios: ['us']}, {file: async () => ok, tastytrade: async () => ok})
    const broken: BrokerAdapter = {unavailable: () => null, fetch: async () => { throw new Error('us.csv:3: bad quantity') }, close: async () => {}}
    await syncService({config, dbPath: db, skipInvalid: false, asOf: at('2026-11-25T18:00:00Z'), env: {}, portfolios: ['us']}, {file: async () => broken, tastytrade: async () => ok as never})
    const r = await positionsService({config, dbPath: db, asOf: at('2026-11-25T19:00:00Z'), portfolio: 'us'})
    expect(r.freshness[0]).toMatchObject({status: 'sync_failed', pricesAsOf: DOWNLOADED, lastSyncError: 'us.csv:3: bad quantity'})
    expect(r.stale).toBe(true)
  })
})

describe('--as-of values the stored book at another instant', () => {
  it('re-priced at the sync instant, a model mark gives back the mark its IV was solved from', async () => {
    const r = await positionsAt('2026-11-25T18:00:00Z', {valueAt: SYNCED})
    expect(row(r, SPXW).markSource).toBe('model')
    expect(row(r, SPXW).markPrice).toBeCloseTo(41, 6)
    expect(r.valuedAt).toBe(SYNCED.toISOString())
  })

  it('on Thu 2026-12-17 16:30 New York: SPXW decays by the model at its stored IV; AAPL already expired at intrinsic', async () => {
    const valueAt = parseAsOf('2026-12-17T16:30', 'USD')
    expect(valueAt.toISOString()).toBe('2026-12-17T21:30:00.000Z')
    const r = await positionsAt('2026-11-25T18:00:00Z', {valueAt})
    const spxw = row(r, SPXW)
    const years = (Date.parse('2026-12-18T21:00:00Z') - valueAt.getTime()) / (365 * 86_400_000)
    const expected = priceGreeks({right: 'call', spot: 6795, strike: 6800, years, rate: 0.045, dividend: 0, vol: spxw.iv!}, {model: 'bsm', style: 'european'})
    expect(spxw.markPrice).toBeCloseTo(expected.price, 9)
    expect(spxw.markPrice!).toBeLessThan(41)
    expect(spxw.dte).toBe(1)
    const aapl = row(r, AAPL)
    expect(aapl).toMatchObject({expired: true, markPrice: 1, markSource: 'intrinsic'}) // 201 − 200
    // Freshness is judged by the clock, not by the valuation instant.
    expect(r.freshness.find((f) => f.portfolio === 'us')!.status).toBe('fresh')
  })

  it('parses DATE, DATETHH:MM (New York, Kolkata for INR) and ISO instants', () => {
    expect(parseAsOf('2026-12-18', 'USD').toISOString()).toBe('2026-12-18T17:00:00.000Z')
    expect(parseAsOf('2027-01-25T15:30', 'INR').toISOString()).toBe('2027-01-25T10:00:00.000Z')
    expect(parseAsOf('2026-07-01T12:00:00Z', 'USD').toISOString()).toBe('2026-07-01T12:00:00.000Z')
    expect(() => parseAsOf('friday', 'USD')).toThrow(/not DATE/)
  })
})

describe('max age', () => {
  it('sessions or a duration', () => {
    expect(parseMaxAge('1 session')).toEqual({sessions: 1})
    expect(parseMaxAge('12h')).toEqual({minutes: 720})
    expect(parseMaxAge('soon')).toBeNull()
    // Friday's close data read on Monday morning before the open: fresh (no session missed).
    expect(isStale('XNYS', at('2026-12-04T21:30:00Z'), at('2026-12-07T14:00:00Z'), {sessions: 1})).toBe(false)
    // Read on Tuesday morning: Monday's whole session is missing.
    expect(isStale('XNYS', at('2026-12-04T21:30:00Z'), at('2026-12-08T14:00:00Z'), {sessions: 1})).toBe(true)
    expect(isStale('XNYS', at('2026-12-04T21:30:00Z'), at('2026-12-05T10:00:00Z'), {minutes: 720})).toBe(true)
  })
})
