/*
 * Price history from DXLink daily candles, against the local fake TastyTrade (Candle events with
 * fromTime, snapshot flags), and through sync into price_history and the stored VaR.
 */
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {createTastytrade} from '../../src/core/adapters/tastytrade/adapter.js'
import {syncService, defaultAdapters} from '../../src/core/services/sync.js'
import {readDb} from '../../src/core/store/database.js'
import {loadPriceHistory, loadVars} from '../../src/core/store/prices.js'
import {tempDir} from '../cli/helpers.js'
import {AS_OF, configFor, envFor, startFakeTastytrade, type FakeCandle, type FakeTastytrade} from '../fake-tastytrade/index.js'

function days(n: number, start: number, end = '2026-01-02'): FakeCandle[] {
  const out: FakeCandle[] = []
  let d = Date.parse(`${end}T00:00:00Z`)
  let v = start
  for (let i = 0; out.length < n; i++) {
    if (![0, 6].includes(new Date(d).getUTCDay())) {
      out.push({date: new Date(d).toISOString().slice(0, 10), close: Math.round(v * 100) / 100, iv: 0.25 + 0.01 * Math.sin(i)})
      v *= 1 - 0.01 * Math.sin(i * 1.7)
    }
    d -= 86_400_000
  }
  return out.reverse()
}

describe('DXLink daily candles', () => {
  const fakes: FakeTastytrade[] = []
  afterAll(async () => Promise.all(fakes.map((f) => f.close())))

  it('dailyCandles: closes and implied vols from fromDate, oldest first; no candles → absent; futures not asked', async () => {
    const aapl = days(40, 190)
    const fake = await startFakeTastytrade({candles: {AAPL: aapl}})
    fakes.push(fake)
    const adapter = createTastytrade(configFor(), envFor(fake), {retryBaseMs: 2, httpTimeoutMs: 5000})
    try {
      const from = aapl[10].date
      const got = await adapter.dailyCandles(['AAPL', 'SPY', '/ESH6'], from)
      expect([...got.keys()]).toEqual(['AAPL'])
      expect(got.get('AAPL')).toEqual(aapl.slice(10).map((c) => ({date: c.date, close: c.close, iv: c.iv})))
      const subs = fake.state.wsMessages.filter((m) => m.type === 'FEED_SUBSCRIPTION').flatMap((m) => (m.add as any[]) ?? [])
      expect(subs).toEqual(expect.arrayContaining([{type: 'Candle', symbol: 'AAPL{=1d}', fromTime: Date.parse(`${from}T00:00:00Z`)}, {type: 'Candle', symbol: 'SPY{=1d}', fromTime: Date.parse(`${from}T00:00:00Z`)}]))
      expect(subs.some((s) => String(s.symbol).startsWith('/ES'))).toBe(false)
    } finally {
      await adapter.close()
    }
  }, 60_000)

  it('sync stores the candles in price_history and computes the VaR from them', async () => {
    const fake = await startFakeTastytrade({candles: {AAPL: days(130, 190), SPY: days(130, 600), SPX: days(130, 6000)}})
    fakes.push(fake)
    const dir = tempDir()
    const db = path.join(dir, 'book.sqlite')
    const config = {...configFor(), var: {levels: [0.99], horizonDays: 1, methods: ['historical' as const], lookbackDays: 501, minObservations: 100, monteCarlo: {scenarios: 1000, seed: 1, distribution: 'normal' as const, dof: 5}}}
    const env = envFor(fake)
    const r = await syncService({config, dbPath: db, skipInvalid: false, asOf: new Date(AS_OF), env}, defaultAdapters(config, env))
    expect(r.ok).toBe(1)
    const {history, vars} = await readDb(db, (d) => ({history: loadPriceHistory(d, ['AAPL', 'SPY', 'SPX', '/ES']), vars: loadVars(d)}))
    expect(history.get('AAPL')).toHaveLength(130)
    expect(history.get('AAPL')![0].iv).not.toBeNull()
    expect(history.get('/ES')).toEqual([])
    const v = vars.get('tt-main')!.result as any
    // the future, its option and crypto have no candle history: the VaR says so rather than leave them out
    expect(v.status).toBe('insufficient-history')
    expect(v.history.short.map((s: any) => s.symbol)).toEqual(['/ESH6', 'BTC/USD'])
    expect(v.history.short.map((s: any) => s.symbol)).not.toContain('AAPL')
  }, 60_000)
})
