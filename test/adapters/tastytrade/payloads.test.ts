/*
 * The real-payload corpus (test/fake-tastytrade/payloads/*.json, served byte for byte by the fake):
 * every instrument type tastytrade sends, in its real shapes — string and JSON numbers, nulls,
 * "NaN", "0.0" closes, padded OCC, fixed-width CME futures options of every width, index options,
 * fractional shares, crypto, zero-quantity rows, a type cotrader does not model, a symbol that does
 * not parse, an adjusted option — through the real SDK and DXLink client, then the model.
 */
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterEach, describe, expect, test} from 'vitest'
import {createTastytrade} from '../../../src/core/adapters/tastytrade/adapter.js'
import {withModelGreeks} from '../../../src/core/domain/greeks.js'
import {yearsToExpiry} from '../../../src/core/domain/time.js'
import type {Position} from '../../../src/core/domain/types.js'
import {priceGreeks} from '../../../src/core/pricing/index.js'
import {configFor, envFor, portfolio, startFakeTastytrade, type FakeOptionMarket, type FakeQuote, type Scenario} from '../../fake-tastytrade/index.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const payload = (name: string) => readFileSync(path.join(here, '../../fake-tastytrade/payloads', name), 'utf8')
const asOf = new Date('2026-01-05T15:00:00Z')
const ctx = {asOf, skipInvalid: false}

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

const quotes: Record<string, FakeQuote> = {
  AAPL: {bid: 189.9, ask: 190.1, last: 190.02},
  // crossed: bid 34.00 above ask 31.00 (the issue's case); the last trade is 32.10
  VTI: {bid: 34, ask: 31, last: 32.1},
  SPX: {last: 6012.5},
  XSP: {bid: 601.1, ask: 601.3},
  NDX: {last: 21400},
  RUT: {last: 2250},
  MSFT: {bid: 449.9, ask: 450.1},
  XYZ: {bid: 39.95, ask: 40.05},
  '/MESM26:XCME': {bid: 6450, ask: 6450.5},
  '/MNQZ26:XCME': {bid: 22000, ask: 22001},
  '/ESZ26:XCME': {bid: 6100, ask: 6100.5},
  '/GCM26:XCEC': {bid: 2950, ask: 2951},
  'BTC/USD:CXTALP': {bid: 94990, ask: 95010},
}
const m = (underlying: string, expiry: string, strike: number, right: 'call' | 'put', model: 'bsm' | 'black76', style: 'american' | 'european', vol: number): FakeOptionMarket => ({underlying, expiry, strike, right, model, style, vol})
const options: Record<string, FakeOptionMarket> = {
  '.AAPL260618P170': m('AAPL', '2026-06-18', 170, 'put', 'bsm', 'american', 0.27),
  '.AAPL260618C200': m('AAPL', '2026-06-18', 200, 'call', 'bsm', 'american', 0.25),
  '.SPXW260320C6100': m('SPX', '2026-03-20', 6100, 'call', 'bsm', 'european', 0.16),
  '.XSP260320P550': m('XSP', '2026-03-20', 550, 'put', 'bsm', 'european', 0.2),
  '.NDX260320C21000': m('NDX', '2026-03-20', 21000, 'call', 'bsm', 'european', 0.2),
  '.RUT260320P2100': m('RUT', '2026-03-20', 2100, 'put', 'bsm', 'european', 0.22),
  '.MSFT260618C450': m('MSFT', '2026-06-18', 450, 'call', 'bsm', 'american', 0.24),
  './EX3H26P6450:XCME': m('/MESM26:XCME', '2026-03-20', 6450, 'put', 'black76', 'european', 0.18),
  './MN5CU26P30675:XCME': m('/MNQZ26:XCME', '2026-09-30', 30675, 'put', 'black76', 'european', 0.22),
  './EW4Z26P5800:XCME': m('/ESZ26:XCME', '2026-12-18', 5800, 'put', 'black76', 'european', 0.19),
  './OGK26C3000:XCEC': m('/GCM26:XCEC', '2026-04-28', 3000, 'call', 'black76', 'european', 0.17),
  // .XYZ1260618C50 has no market: the adjusted option's Greeks come from the model, on its deliverable
}

function corpus(): Partial<Scenario> {
  return {
    payloads: {
      '/accounts/5WT0001/positions': payload('positions.json'),
      '/instruments/equity-options': payload('instruments-equity-options.json'),
      '/instruments/future-options': payload('instruments-future-options.json'),
      '/instruments/futures': payload('instruments-futures.json'),
      '/instruments/cryptocurrencies': payload('instruments-cryptocurrencies.json'),
    },
    quotes,
    options,
    // A partial Greeks event: vega and rho "NaN", delta/gamma/theta real (COMPACT FEED_DATA).
    nanGreekFields: {'./EW4Z26P5800:XCME': ['vega', 'rho']},
  }
}

async function fetchCorpus(patch: Partial<Scenario> = {}) {
  const fake = await startFakeTastytrade({...corpus(), ...patch})
  cleanups.push(() => fake.close())
  const adapter = createTastytrade(configFor(), envFor(fake), {retryBaseMs: 2, httpTimeoutMs: 2000})
  cleanups.push(() => adapter.close())
  const result = await adapter.fetch(portfolio(), ctx)
  return {fake, result, p: Object.fromEntries(result.positions.map((q) => [q.symbol, q])) as Record<string, Position>}
}

describe('real payload corpus', () => {
  test('every instrument type comes through; closed rows are left out; nothing fails the portfolio', async () => {
    const {result, p, fake} = await fetchCorpus()
    // The payload really was served as recorded (byte for byte, not re-serialised by the fake).
    expect(fake.requestsTo('/accounts/5WT0001/positions')[0].status).toBe(200)
    expect(Object.keys(p).sort()).toEqual([
      '/ESZ6 2026-12-18 5800P', '/GCM6 2026-04-28 3000C', '/MESM6', '/MESM6 2026-03-20 6450P', '/MNQZ6 2026-09-30 30675P',
      'AAPL', 'AAPL 2026-06-18 170P', 'AAPL 2026-06-18 200C', 'BTC/USD', 'MSFT 2026-06-18 450C', 'NDX 2026-03-20 21000C',
      'RUT 2026-03-20 2100P', 'SPXW 2026-03-20 6100C', 'VTI', 'XSP 2026-03-20 550P', 'XYZ1 2026-06-18 50C', 'XYZWS',
    ])
    expect(result.skipped).toEqual([])
    // CME futures options of every width: underlying, multiplier and the feed's Greeks (streamer from the instruments API)
    expect(p['/MESM6 2026-03-20 6450P']).toMatchObject({underlying: '/MESM6', quantity: -1, multiplier: 5, markPrice: 78.5, underlyingPrice: 6450.25, greeksSource: 'feed', option: {style: 'american'}})
    expect(p['/MNQZ6 2026-09-30 30675P']).toMatchObject({underlying: '/MNQZ6', multiplier: 2, previousClose: null, greeksSource: 'feed'})
    expect(p['/GCM6 2026-04-28 3000C']).toMatchObject({underlying: '/GCM6', multiplier: 100, underlyingPrice: 2950.5, greeksSource: 'feed'})
    // index options: European, against the index
    expect(p['SPXW 2026-03-20 6100C']).toMatchObject({underlying: 'SPX', option: {style: 'european'}, markSource: 'quote_mid', greeksSource: 'feed'})
    expect(p['XSP 2026-03-20 550P']).toMatchObject({underlying: 'XSP', quantity: -5, option: {style: 'european'}})
    expect(p['NDX 2026-03-20 21000C']).toMatchObject({underlying: 'NDX', underlyingPrice: 21400})
    expect(p['RUT 2026-03-20 2100P']).toMatchObject({underlying: 'RUT', underlyingPrice: 2250})
  })

  test('marks the broker means: "0.0" close is no close; mark ÷ |qty| ÷ multiplier; live quote, else last trade when the quote is crossed', async () => {
    const {result, p} = await fetchCorpus()
    // fractional shares opened today: close-price "0.0" is not a previous close; the crossed quote is not the mark, the last trade is
    expect(p.VTI).toMatchObject({quantity: 12.3456, markPrice: 32.1, markSource: 'trade', previousClose: null})
    expect(result.warnings).toContainEqual(expect.stringMatching(/VTI: DXLink quote for VTI is crossed \(bid 34 above ask 31\); not used as a price/))
    // mark-price null, mark "2175.0" for 3 contracts × 100
    expect(p['AAPL 2026-06-18 200C']).toMatchObject({markPrice: 7.25, markSource: 'broker_total'})
    // crypto: mark "1168.5" for 0.0123 BTC
    expect(p['BTC/USD'].markPrice).toBeCloseTo(95000, 6)
    expect(p['BTC/USD'].markSource).toBe('broker_total')
    // numeric quantity and restricted-quantity (2023 capture) map like strings
    expect(p['AAPL 2026-06-18 170P']).toMatchObject({quantity: -2, markPrice: 4.1, markSource: 'live'})
  })

  test('a type cotrader does not model is kept with the broker\'s numbers; a symbol that does not parse is understood from its instrument record', async () => {
    const {result, p} = await fetchCorpus()
    expect(p.XYZWS).toMatchObject({quantity: 50, markPrice: 1.25, entryPrice: 1, greeks: null, greeksSource: 'none'})
    expect(withModelGreeks(p.XYZWS, {rate: 0.04, dividend: 0}, asOf)).toMatchObject({greeks: null, greeksSource: 'none', greeksNote: expect.stringMatching(/Warrant/)})
    expect(result.warnings).toContainEqual(expect.stringMatching(/1 position not understood.*"XYZWS"/))
    // "MSFT  2606?8C00450000" does not parse; the record says 2026-06-18 450 call, streamer .MSFT260618C450
    expect(p['MSFT 2026-06-18 450C']).toMatchObject({brokerSymbol: 'MSFT  2606?8C00450000', underlying: 'MSFT', option: {expiry: '2026-06-18', strike: 450, right: 'call'}, greeksSource: 'feed'})
    expect(p['MSFT 2026-06-18 450C'].opaque).toBeUndefined()
  })

  test('a partial Greeks event (vega, rho "NaN"): three Greeks from DXLink, two from the model', async () => {
    const {p} = await fetchCorpus()
    const es = p['/ESZ6 2026-12-18 5800P']
    expect(es.greeks).toBeNull()
    expect(Object.keys(es.feedGreeks ?? {}).sort()).toEqual(['delta', 'gamma', 'theta'])
    expect(es.iv).toBeCloseTo(0.19, 10)
    const priced = withModelGreeks(es, {rate: 0.04, dividend: 0}, asOf)
    expect(priced.greeksSource).toBe('feed')
    expect(priced.greeksNote).toBe('vega, rho from the model (DXLink sent no value); delta, gamma, theta from DXLink')
    expect(priced.greeks?.delta).toBe(es.feedGreeks?.delta)
    expect(priced.greeks?.theta).toBe(es.feedGreeks?.theta)
    // The model's vega at the feed's IV: Black-76 on the future at 6100.25, 5800 put, σ 0.19 (American engine: close to European here)
    const years = yearsToExpiry('2026-12-18', 'USD', asOf)
    const ref = priceGreeks({right: 'put', spot: 6100.25, strike: 5800, years, rate: 0.04, dividend: 0, vol: 0.19}, {model: 'black76', style: 'european'})
    expect(priced.greeks!.vega).toBeGreaterThan(0)
    expect(Math.abs(priced.greeks!.vega / ref.vega - 1)).toBeLessThan(0.03)
    expect(priced.feedGreeks).toBeUndefined()
  })

  test('the adjusted option XYZ1 (3-for-2 split: 150 XYZ, strike 50) is priced on its deliverable, not as 100 shares', async () => {
    const {p} = await fetchCorpus()
    const xyz1 = p['XYZ1 2026-06-18 50C']
    expect(xyz1).toMatchObject({underlying: 'XYZ', underlyingPrice: 40, deliverable: {shares: 150, underlying: 'XYZ', cash: 0}, multiplier: 100, quantity: 2})
    const priced = withModelGreeks(xyz1, {rate: 0.04, dividend: 0}, asOf)
    // Worked example: the contract pays max(150·S − 100·50, 0) = 150·max(S − 33.33, 0): 1.5 options on XYZ at strike 33.333,
    // so per unit (1/100 contract) it is 1.5 × an option at K' = 50 / 1.5, priced at mark 12.00 / 1.5 = 8.00.
    const years = yearsToExpiry('2026-06-18', 'USD', asOf)
    const input = {right: 'call' as const, spot: 40, strike: 50 / 1.5, years, rate: 0.04, dividend: 0}
    const std = priceGreeks({...input, vol: priced.iv!}, {model: 'bsm', style: 'american', engine: 'exact'})
    expect(std.price).toBeCloseTo(8, 6)
    // IV of a plain option, not the ~100 % a 100-share reading gives
    expect(priced.iv!).toBeGreaterThan(0.1)
    expect(priced.iv!).toBeLessThan(0.6)
    expect(priced.greeks!.delta).toBeCloseTo(1.5 * std.delta, 10)
    expect(priced.greeks!.gamma).toBeCloseTo(1.5 * std.gamma, 10)
    // share delta of the position: delta × 2 contracts × 100 = std delta × 300 XYZ shares
    expect(priced.greeks!.delta * 2 * 100).toBeCloseTo(std.delta * 300, 8)
    expect(priced.greeksNote).toMatch(/deliverable 150 XYZ per contract/)
  })
})

describe('the mixed 1,000-position bench account', () => {
  test('every row is understood (a third are futures options of every layout)', async () => {
    const {mixedAccount} = await import('../../fake-tastytrade/index.js')
    const {mapPositionRow} = await import('../../../src/core/adapters/tastytrade/mapping.js')
    const account = mixedAccount(1000)
    expect(account.positions).toHaveLength(1000)
    const mapped = account.positions.map((r) => mapPositionRow(r, 'bench'))
    expect(mapped.filter((r) => !('ok' in r) || r.ok.position.opaque)).toEqual([])
    const types = mapped.map((r) => ('ok' in r ? r.ok.position.instrumentType : ''))
    expect(types.filter((t) => t === 'future_option')).toHaveLength(333)
    expect(new Set(mapped.map((r) => ('ok' in r ? r.ok.position.symbol : ''))).size).toBe(1000)
  })
})
