import path from 'node:path'
import {describe, expect, it} from 'vitest'
import type {BrokerAdapter, FetchedPortfolio, MarketDataProvider} from '../../src/core/adapters/broker.js'
import {parseConfig} from '../../src/core/config/config.js'
import type {Position} from '../../src/core/domain/types.js'
import {syncService, type AdapterFactory} from '../../src/core/services/sync.js'
import {readDb} from '../../src/core/store/database.js'
import * as repo from '../../src/core/store/repositories.js'
import {tempDir} from '../cli/helpers.js'
import {pos} from '../domain/builders.js'

const config = parseConfig(`
market: {rates: {USD: 0.04}}
portfolios:
  - {name: a, broker: manual, account: A, source: {file: a.csv, format: generic}}
  - {name: b, broker: manual, account: B, source: {file: b.csv, format: generic}}
  - {name: t, broker: tastytrade, account: T1}
`, '/x/risk_config.yaml')

/** A broker built from partial stubs: fakeBroker({a: positions | Error}). */
function fakeBroker(data: Record<string, Position[] | Error>, opts: {unavailable?: string} = {}): BrokerAdapter & MarketDataProvider {
  return {
    name: 'fake',
    unavailable: () => opts.unavailable ?? null,
    fetch: async (p): Promise<FetchedPortfolio> => {
      const d = data[p.name]
      if (d instanceof Error) throw d
      return {positions: (d ?? []).map((q) => ({...q, portfolio: p.name})), balances: {equity: 1000, cash: 100, buyingPower: null, maintenanceRequirement: null}, skipped: [], warnings: []}
    },
    snapshot: async () => ({quotes: new Map(), greeks: new Map()}),
    close: async () => {},
  }
}

const adapters = (file: BrokerAdapter, tt: BrokerAdapter & MarketDataProvider = fakeBroker({}, {unavailable: 'set TASTYTRADE_CLIENT_SECRET'})): AdapterFactory => ({
  file: async () => file,
  tastytrade: async () => tt,
})

const put = (mark: string, extra: Partial<Position> = {}) => pos(`-2 AAPL 2027-01-15 190P @ 7.47 mark ${mark}`, {underlyingPrice: 200, underlyingPriceSource: 'file', ...extra})

async function run(dbPath: string, file: BrokerAdapter, asOf = new Date('2026-11-24T15:00:00Z'), tt?: BrokerAdapter & MarketDataProvider) {
  return syncService({config, dbPath, skipInvalid: false, asOf, env: {}}, adapters(file, tt))
}

describe('sync semantics', () => {
  it('stores each portfolio, records every run, skips a broker without credentials saying what to set', async () => {
    const db = path.join(tempDir(), 'db.sqlite')
    const r = await run(db, fakeBroker({a: [put('5.05')], b: [pos('10 MSFT @ 400 mark 420')]}))
    expect(r.portfolios.map((p) => [p.name, p.status])).toEqual([['a', 'ok'], ['b', 'ok'], ['t', 'skipped']])
    expect(r.portfolios[2].error).toMatch(/TASTYTRADE_CLIENT_SECRET/)
    const runs = await readDb(db, (d) => repo.loadSyncRuns(d))
    expect(runs.map((x) => [x.portfolio, x.status]).sort()).toEqual([['a', 'ok'], ['b', 'ok'], ['t', 'skipped']])
  })

  it('a failing portfolio keeps its previous positions; the others are replaced', async () => {
    const db = path.join(tempDir(), 'db.sqlite')
    await run(db, fakeBroker({a: [put('5.05')], b: [pos('10 MSFT @ 400 mark 420')]}))
    const r = await run(db, fakeBroker({a: new Error('file.csv:3: bad quantity'), b: [pos('20 MSFT @ 400 mark 430')]}))
    expect(r.failed).toBe(1)
    expect(r.portfolios[0]).toMatchObject({status: 'failed', error: 'file.csv:3: bad quantity'})
    const positions = await readDb(db, (d) => repo.loadPositions(d))
    expect(positions.map((p) => [p.portfolio, p.symbol, p.quantity, p.markPrice])).toEqual([
      ['a', 'AAPL 2027-01-15 190P', -2, 5.05],
      ['b', 'MSFT', 20, 430],
    ])
    const stored = await readDb(db, (d) => repo.loadPortfolios(d))
    expect(stored.find((p) => p.name === 'a')).toMatchObject({lastSyncStatus: 'failed', lastSyncError: 'file.csv:3: bad quantity', positionsCount: 1})
  })

  it('entry Greeks are recorded the first time a position is seen and survive later rebuilds', async () => {
    const db = path.join(tempDir(), 'db.sqlite')
    await run(db, fakeBroker({a: [put('5.05')]}), new Date('2026-11-24T15:00:00Z'))
    const first = await readDb(db, (d) => repo.loadEntryGreeks(d).get('a\u0000AAPL 2027-01-15 190P'))
    expect(first?.greeks?.delta).toBeLessThan(0)
    expect(first?.firstSeenAt).toBe('2026-11-24T15:00:00.000Z')
    await run(db, fakeBroker({a: [put('9.80', {underlyingPrice: 185})]}), new Date('2026-11-30T15:00:00Z'))
    const again = await readDb(db, (d) => repo.loadEntryGreeks(d).get('a\u0000AAPL 2027-01-15 190P'))
    const now = await readDb(db, (d) => repo.loadPositions(d)[0])
    expect(again).toEqual(first)
    expect(now.greeks!.delta).not.toBeCloseTo(first!.greeks!.delta, 3)
  })

  it('model Greeks from the mark; unknown with a reason when the underlying has no price', async () => {
    const db = path.join(tempDir(), 'db.sqlite')
    const r = await run(db, fakeBroker({a: [put('5.05'), pos('1 XYZ 2027-01-15 50C @ 2 mark 3')]}))
    expect(r.portfolios[0].greeks).toEqual({feed: 0, model: 1, none: 1})
    expect(r.portfolios[0].warnings.join()).toMatch(/no price for XYZ/)
    const xyz = (await readDb(db, (d) => repo.loadPositions(d))).find((p) => p.underlying === 'XYZ')!
    expect(xyz).toMatchObject({greeks: null, greeksSource: 'none'})
    expect(xyz.greeksNote).toMatch(/no price for the underlying XYZ/)
  })

  it('the last known underlying price is used when a later file has none', async () => {
    const db = path.join(tempDir(), 'db.sqlite')
    await run(db, fakeBroker({a: [put('5.05')]}))
    await run(db, fakeBroker({a: [put('5.05', {underlyingPrice: null, underlyingPriceSource: 'none'})]}))
    const p = (await readDb(db, (d) => repo.loadPositions(d)))[0]
    expect(p).toMatchObject({underlyingPrice: 200, underlyingPriceSource: 'last', greeksSource: 'model'})
  })

  it('a daily Greeks snapshot per underlying and portfolio, overwritten by later syncs the same day', async () => {
    const db = path.join(tempDir(), 'db.sqlite')
    await run(db, fakeBroker({a: [put('5.05')]}), new Date('2026-11-24T15:00:00Z'))
    await run(db, fakeBroker({a: [put('6.00')]}), new Date('2026-11-24T18:00:00Z'))
    await run(db, fakeBroker({a: [put('6.00')]}), new Date('2026-11-25T15:00:00Z'))
    const rows = await readDb(db, (d) => d.all<{date: string; underlying: string; unrealized_pnl: number}>("SELECT date, underlying, unrealized_pnl FROM greeks_snapshots WHERE portfolio = 'a' ORDER BY date, underlying"))
    expect(rows.map((r) => [r.date, r.underlying])).toEqual([['2026-11-24', '*'], ['2026-11-24', 'AAPL'], ['2026-11-25', '*'], ['2026-11-25', 'AAPL']])
    expect(rows[0].unrealized_pnl).toBeCloseTo((7.47 - 6) * 200, 9)
  })

  it('live quotes and Greeks from the feed take precedence for file-fed US portfolios', async () => {
    const cfg = parseConfig(`portfolios:\n  - {name: f, broker: fidelity, account: "1", source: {file: f.csv, format: fidelity}}\n  - {name: t, broker: tastytrade, account: T1}\n`, '/x/c.yaml')
    const feed = fakeBroker({})
    feed.snapshot = async () => ({quotes: new Map([['AAPL', 210]]), greeks: new Map([['AAPL 2027-01-15 190P', {greeks: {delta: -0.2, gamma: 0.01, theta: -0.05, vega: 0.3, rho: -0.1}, iv: 0.31, price: 5}]])})
    const db = path.join(tempDir(), 'db.sqlite')
    const r = await syncService({config: cfg, dbPath: db, portfolios: ['f'], skipInvalid: false, asOf: new Date('2026-11-24T15:00:00Z'), env: {}}, adapters(fakeBroker({f: [put('5.05'), pos('100 AAPL @ 150 mark 200')]}), feed))
    expect(r.portfolios[0].greeks).toEqual({feed: 1, model: 1, none: 0})
    const [option] = (await readDb(db, (d) => repo.loadPositions(d))).filter((p) => p.option)
    expect(option).toMatchObject({underlyingPrice: 210, underlyingPriceSource: 'feed', greeksSource: 'feed', iv: 0.31})
  })
})

describe('a carried-over price keeps the time it was observed', () => {
  it('the last known price is stored with its original time, not re-stamped by later syncs', async () => {
    const db = path.join(tempDir(), 'db.sqlite')
    const t1 = new Date('2026-11-20T15:00:00Z')
    await run(db, fakeBroker({a: [put('5.05')]}), t1)
    const noPrice = {underlyingPrice: null, underlyingPriceSource: 'none' as const}
    await run(db, fakeBroker({a: [put('5.05', noPrice)]}), new Date('2026-11-21T15:00:00Z'))
    await run(db, fakeBroker({a: [put('5.05', noPrice)]}), new Date('2026-11-24T15:00:00Z'))
    const p = (await readDb(db, (d) => repo.loadPositions(d)))[0]
    expect(p).toMatchObject({underlyingPrice: 200, underlyingPriceSource: 'last', underlyingPriceAsOf: t1.toISOString()})
  })
})
