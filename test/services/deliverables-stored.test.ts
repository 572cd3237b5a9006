/*
 * Deliverables survive the store: a TastyTrade sync (real SDK, local fake, the real-payload corpus)
 * of an adjusted option XYZ1 (3-for-2 split: 150 XYZ per contract, strike 50) and of two options
 * whose deliverable is unknown (ABC1: a digit in the root, no instrument record; QRS1: a record
 * delivering shares of two companies), then every view that re-prices stored positions: risk
 * --stress, risk --as-of, what-if add / risk --with-whatif / payoff. XYZ1 counts as 150 XYZ shares
 * per contract; ABC1 and QRS1 stay unknown with their reason, never 100 shares.
 */
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {PortfolioConfig} from '../../src/core/config/config.js'
import {bookStress, DEFAULT_STRESS_SETTINGS} from '../../src/core/domain/stress.js'
import {yearsToExpiry} from '../../src/core/domain/time.js'
import type {Position} from '../../src/core/domain/types.js'
import {priceGreeks} from '../../src/core/pricing/index.js'
import {positionsService} from '../../src/core/services/positions.js'
import {riskService} from '../../src/core/services/risk.js'
import {defaultAdapters, syncService} from '../../src/core/services/sync.js'
import {scenarioEngine} from '../../src/core/services/var.js'
import {whatifAdd, whatifPayoff} from '../../src/core/services/trades.js'
import {readDb} from '../../src/core/store/database.js'
import {loadPositions} from '../../src/core/store/repositories.js'
import {tempDir} from '../cli/helpers.js'
import {AS_OF, configFor, envFor, portfolio, startFakeTastytrade, type FakeTastytrade} from '../fake-tastytrade/index.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const payload = (name: string) => JSON.parse(readFileSync(path.join(here, '../fake-tastytrade/payloads', name), 'utf8'))
const asOf = new Date(AS_OF)

/** A position row shaped like the corpus's (strings for money, unsigned quantity). */
const row = (symbol: string, underlying: string, direction: 'Long' | 'Short', quantity: string, mark: string) => ({
  'account-number': '5WT0001', symbol, 'instrument-type': 'Equity Option', 'underlying-symbol': underlying, quantity, 'quantity-direction': direction,
  'close-price': mark, 'average-open-price': mark, 'average-yearly-market-close-price': mark, 'average-daily-market-close-price': mark,
  multiplier: 100, 'cost-effect': 'Debit', 'is-suppressed': false, 'is-frozen': false, 'restricted-quantity': '0.0', 'realized-day-gain': '0.0',
  'realized-day-gain-effect': 'None', 'realized-today': '0.0', 'realized-today-effect': 'None', 'mark-price': mark, mark: String(Number(mark) * Number(quantity) * 100),
  'expires-at': '2026-06-18T20:00:00.000+00:00', 'created-at': '2025-11-03T15:00:00.000+00:00', 'updated-at': '2026-01-05T14:30:00.000+00:00',
})

function scenario() {
  const positions = payload('positions.json')
  positions.data.items.push(row('ABC1  260618P00030000', 'ABC', 'Long', '1', '2.5'), row('QRS1  260618C00020000', 'QRS', 'Short', '3', '4.0'))
  const equityOptions = payload('instruments-equity-options.json')
  // The broker's settlement-type wins over the class rule: this RUT contract is stated PM-settled (the class says AM).
  for (const item of equityOptions.data.items) if (item['root-symbol'] === 'RUT') item['settlement-type'] = 'PM'
  equityOptions.data.items.push({
    symbol: 'QRS1  260618C00020000', 'instrument-type': 'Equity Option', active: true, 'strike-price': '20.0', 'root-symbol': 'QRS1', 'underlying-symbol': 'QRS',
    'expiration-date': '2026-06-18', 'exercise-style': 'American', 'shares-per-contract': 100, 'option-type': 'C', 'option-chain-type': 'Non-standard',
    'expiration-type': 'Regular', 'settlement-type': 'PM', 'market-time-instrument-collection': 'Equity Option', 'streamer-symbol': '.QRS1260618C20',
    deliverables: [
      {id: 301, 'root-symbol': 'QRS1', 'deliverable-type': 'Shares', description: '100 shares of QRS', amount: '100.0', symbol: 'QRS', 'instrument-type': 'Equity', percent: '50'},
      {id: 302, 'root-symbol': 'QRS1', 'deliverable-type': 'Shares', description: '25 shares of TUV', amount: '25.0', symbol: 'TUV', 'instrument-type': 'Equity', percent: '50'},
    ],
  })
  return {
    payloads: {
      '/accounts/5WT0001/positions': JSON.stringify(positions),
      '/instruments/equity-options': JSON.stringify(equityOptions),
      '/instruments/future-options': JSON.stringify(payload('instruments-future-options.json')),
      '/instruments/futures': JSON.stringify(payload('instruments-futures.json')),
      '/instruments/cryptocurrencies': JSON.stringify(payload('instruments-cryptocurrencies.json')),
    },
    // one DXLink Greeks event with theta "NaN" (COMPACT FEED_DATA): theta from the model, the other four from the feed
    options: {'.AAPL260618P170': {underlying: 'AAPL', expiry: '2026-06-18', strike: 170, right: 'put' as const, model: 'bsm' as const, style: 'american' as const, vol: 0.27}},
    nanGreekFields: {'.AAPL260618P170': ['theta']},
    quotes: {AAPL: {bid: 189.9, ask: 190.1, last: 190.02}, XYZ: {bid: 39.95, ask: 40.05}, ABC: {bid: 29.9, ask: 30.1}, QRS: {bid: 21.9, ask: 22.1}, SPX: {last: 6012.5}, XSP: {bid: 601.1, ask: 601.3}, NDX: {last: 21400}, RUT: {last: 2250}, MSFT: {bid: 449.9, ask: 450.1}},
  }
}

const whatifPortfolio: PortfolioConfig = {name: 'tt-whatif', broker: 'none', currency: 'USD', kind: 'whatif', shadows: 'tt-main', tradingEnabled: false, limits: {}}

describe('deliverables stored with each position and used by every re-pricing view', () => {
  let fake: FakeTastytrade
  let db: string
  const config = {...configFor({portfolios: [portfolio(), whatifPortfolio]})}
  let stored: Record<string, Position>

  beforeAll(async () => {
    fake = await startFakeTastytrade(scenario())
    db = path.join(tempDir('cotrader-deliv-'), 'book.sqlite')
    const env = envFor(fake)
    const r = await syncService({config, dbPath: db, skipInvalid: false, asOf, env}, defaultAdapters(config, env))
    expect(r.ok).toBe(1)
    stored = Object.fromEntries((await readDb(db, (d) => loadPositions(d))).map((p) => [p.symbol, p]))
  }, 60_000)
  afterAll(async () => fake?.close())

  it('the sync stores XYZ1\'s deliverable (150 XYZ) and the unknown marker of QRS1; ABC1 has unknown Greeks with the reason', () => {
    const xyz1 = stored['XYZ1 2026-06-18 50C']
    expect(xyz1).toMatchObject({underlying: 'XYZ', deliverable: {shares: 150, underlying: 'XYZ', cash: 0}, multiplier: 100, quantity: 2, markPrice: 12, greeksSource: 'model'})
    // per-unit delta is 1.5 × a plain option's at K' = 50 / 1.5 (priced from mark 12 / 1.5 = 8)
    const years = yearsToExpiry('2026-06-18', 'USD', asOf)
    const std = priceGreeks({right: 'call', spot: 40, strike: 50 / 1.5, years, rate: 0.04, dividend: 0, vol: xyz1.iv!}, {model: 'bsm', style: 'american', engine: 'exact'})
    expect(std.price).toBeCloseTo(8, 5)
    expect(xyz1.greeks!.delta).toBeCloseTo(1.5 * std.delta, 8)

    const abc1 = stored['ABC1 2026-06-18 30P']
    expect(abc1).toMatchObject({greeks: null, iv: null, greeksSource: 'none', markPrice: 2.5})
    expect(abc1.greeksNote).toMatch(/ABC1 is an adjusted option.*deliverable is unknown.*not priced as 100 shares/)
    expect(abc1.deliverable).toBeUndefined()

    const qrs1 = stored['QRS1 2026-06-18 20C']
    expect(qrs1).toMatchObject({greeks: null, greeksSource: 'none', quantity: -3, markPrice: 4})
    expect(qrs1.opaque).toMatch(/delivers shares of QRS and TUV/)
    // a standard option stores no deliverable and no marker
    expect(stored['AAPL 2026-06-18 170P'].deliverable).toBeUndefined()
    expect(stored['AAPL 2026-06-18 170P'].opaque).toBeUndefined()
  })

  it('per-Greek provenance is stored and shown by positions --json: one "NaN" Greek from the model, four from DXLink', async () => {
    const put = stored['AAPL 2026-06-18 170P']
    expect(put.greeksSource).toBe('feed')
    expect(put.greeksSources).toEqual({delta: 'feed', gamma: 'feed', theta: 'model', vega: 'feed', rho: 'feed'})
    expect(put.greeksNote).toBe('theta from the model (DXLink sent no value); delta, gamma, vega, rho from DXLink')
    const r = await positionsService({config, dbPath: db, asOf})
    const rows = Object.fromEntries(r.positions.map((p) => [p.symbol, p]))
    expect(JSON.parse(JSON.stringify(rows['AAPL 2026-06-18 170P'])).greeksSources).toEqual({delta: 'feed', gamma: 'feed', theta: 'model', vega: 'feed', rho: 'feed'})
    // every Greek from one source: that source for each; unknown Greeks: null
    expect(rows.AAPL.greeksSources).toEqual({delta: 'model', gamma: 'model', theta: 'model', vega: 'model', rho: 'model'})
    expect(rows['ABC1 2026-06-18 30P']).toMatchObject({greeksSources: null, deliverable: null, greeksSource: 'none'})
    expect(rows['XYZ1 2026-06-18 50C'].deliverable).toEqual({shares: 150, underlying: 'XYZ', cash: 0})
    expect(rows['QRS1 2026-06-18 20C'].opaque).toMatch(/QRS and TUV/)
  })

  it('the instruments API settlement type is stored and decides when the option settles: NDX AM at the open, RUT stated PM at the close', async () => {
    expect(stored['NDX 2026-03-20 21000C']).toMatchObject({settlement: 'am', settlementKind: 'cash'})
    expect(stored['SPXW 2026-03-20 6100C']).toMatchObject({settlement: 'pm', settlementKind: 'cash'})
    expect(stored['RUT 2026-03-20 2100P']).toMatchObject({settlement: 'pm', settlementKind: 'cash'})
    expect(stored['AAPL 2026-06-18 170P']).toMatchObject({settlement: 'pm', settlementKind: 'physical'})
    expect(stored['/MESM6 2026-03-20 6450P']).toMatchObject({settlementKind: 'physical'})
    expect(stored.AAPL.settlementKind).toBeUndefined()
    const rows = Object.fromEntries((await positionsService({config, dbPath: db, asOf})).positions.map((p) => [p.symbol, p]))
    // 2026-03-20 is a Friday: AM = the 09:30 New York open (13:30Z, daylight time), PM = the 16:00 close (20:00Z)
    expect(rows['NDX 2026-03-20 21000C']).toMatchObject({settlement: 'am', settlesAt: '2026-03-20T13:30:00.000Z', settlementKind: 'cash'})
    expect(rows['RUT 2026-03-20 2100P']).toMatchObject({settlement: 'pm', settlesAt: '2026-03-20T20:00:00.000Z'})
    expect(rows['AAPL 2026-06-18 170P'].settlementKind).toBe('physical')
  })

  it('risk --stress values XYZ1 as 3 plain contracts on XYZ at strike 33.33 (150 shares each) and leaves ABC1 and QRS1 out', async () => {
    const r = await riskService({config, dbPath: db, asOf, stress: true})
    const s = r.stress!.find((x) => x.portfolio === 'tt-main')!
    expect(s.missingSymbols).toEqual(expect.arrayContaining(['ABC1 2026-06-18 30P', 'QRS1 2026-06-18 20C']))
    expect(s.missingSymbols).not.toContain('XYZ1 2026-06-18 50C')
    const xyz = s.underlyings.find((u) => u.underlying === 'XYZ')!
    // The same exposure written as a standard contract: 2 × 150 shares = 3 × 100 shares at the effective strike,
    // in the same book (the scenario engine shares its grids across the book's legs).
    const xyz1 = stored['XYZ1 2026-06-18 50C']
    const {deliverable: _d, ...plain} = xyz1
    const equivalent: Position = {...plain, symbol: 'XYZ 2026-06-18 33.333C', quantity: 3, option: {...xyz1.option!, strike: 50 / 1.5}}
    const market = {currency: 'USD', fxRates: {USD: 1}, rate: () => 0.04, dividend: () => 0}
    const book = Object.values(stored).filter((p) => p.portfolio === 'tt-main')
    const grid = (positions: Position[]) => bookStress(positions, market, DEFAULT_STRESS_SETTINGS, asOf, scenarioEngine).underlyings.find((u) => u.underlying === 'XYZ')!
    const asStored = grid(book)
    const expected = grid(book.map((p) => (p === xyz1 ? equivalent : p)))
    expect(xyz.moves).toEqual(expected.moves)
    for (let i = 0; i < expected.pnl.length; i++) {
      for (let j = 0; j < expected.pnl[i].length; j++) {
        expect(xyz.pnl[i][j]).toBeCloseTo(asStored.pnl[i][j], 6)
        expect(asStored.pnl[i][j]).toBeCloseTo(expected.pnl[i][j], 4)
      }
    }
    // and not what a 100-share reading at strike 50 would give
    const naive = grid(book.map((p) => (p === xyz1 ? plain : p)))
    expect(Math.abs(naive.pnl[naive.pnl.length - 1][0] - xyz.pnl[xyz.pnl.length - 1][0])).toBeGreaterThan(50)
  })

  it('risk --as-of re-prices XYZ1 on its deliverable: at the sync instant its model mark is its mark (12.00)', async () => {
    const r = await riskService({config, dbPath: db, asOf, valueAt: asOf})
    const tt = r.portfolios.find((p) => p.portfolio === 'tt-main')!
    const xyz = tt.underlyings.find((u) => u.underlying === 'XYZ')!
    expect(xyz.delta).toBeCloseTo(stored['XYZ1 2026-06-18 50C'].greeks!.delta * 200, 6)
    const abc = tt.underlyings.find((u) => u.underlying === 'ABC')!
    expect(abc).toMatchObject({delta: null, missingGreeks: 1})
  })

  it('what-if: a leg on XYZ1 is a leg on XYZ with 150-share Greeks; a leg on ABC1 needs a price and has unknown Greeks', async () => {
    const base = {config, dbPath: db, asOf, env: {}, portfolio: 'tt-main'}
    const added = await whatifAdd({...base, legs: ['-1 XYZ1 2026-06-18 50C @ 12']})
    const leg = added.trades[0]
    const held = stored['XYZ1 2026-06-18 50C']
    expect(leg).toMatchObject({underlying: 'XYZ', quantity: -1, multiplier: 100})
    expect(leg.delta).toBeCloseTo(-held.greeks!.delta * 100, 6)
    expect(added.warnings).toEqual([])

    await expect(whatifAdd({...base, legs: ['1 ABC1 2026-06-18 30P']})).rejects.toThrow(/ABC1 is an adjusted option.*deliverable is unknown.*@ PRICE/)
    const abc = await whatifAdd({...base, legs: ['1 ABC1 2026-06-18 30P @ 2.5']})
    expect(abc.trades[0]).toMatchObject({delta: null, greeksSource: 'none', greeksNote: expect.stringMatching(/deliverable is unknown/)})

    const r = await riskService({config, dbPath: db, asOf, withWhatif: true})
    const w = r.whatif!.find((x) => x.portfolio === 'tt-main')!
    const before = w.before.underlyings.find((u) => u.underlying === 'XYZ')!.delta!
    const after = w.after.underlyings.find((u) => u.underlying === 'XYZ')!.delta!
    // selling one XYZ1 call removes half the position's 150-share delta
    expect(after - before).toBeCloseTo(-held.greeks!.delta * 100, 6)
    expect(w.after.underlyings.find((u) => u.underlying === 'ABC')!.missingGreeks).toBe(2)

    // payoff on XYZ: the sold XYZ1 call pays 150 × max(S − 33.33, 0) at expiry, less 12 × 100 received
    const payoff = await whatifPayoff({config, dbPath: db, asOf, portfolio: 'tt-main', underlying: 'XYZ'})
    expect(payoff.analysis.breakevens[0]).toBeCloseTo(50 / 1.5 + 12 / 1.5, 6)
  })
})
