/*
 * The built CLI end to end (npm run build), against the local fake tastytrade: `sync` of an account
 * holding the adjusted option XYZ1 (150 XYZ per contract, from its instrument record) and ABC1 (a
 * digit in the root, no record: deliverable unknown), and of a generic-CSV book holding XYZ1 with
 * the config's `deliverables:`; then `positions --json`, `risk --stress --json` and `whatif add`
 * read the stored deliverable: 150 shares, or unknown, never 100 shares. The AAPL put's DXLink
 * Greeks event has theta "NaN": positions --json shows greeksSources.
 */
import {readFileSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {yearsToExpiry} from '../../src/core/domain/time.js'
import {optionPrice} from '../../src/core/pricing/index.js'
import {CLIENT_SECRET, REFRESH_TOKEN, startFakeTastytrade, type FakeTastytrade} from '../fake-tastytrade/index.js'
import {cliAsync, ROOT, tempDir, type Run} from './helpers.js'

const payload = (name: string) => JSON.parse(readFileSync(path.join(ROOT, 'test/fake-tastytrade/payloads', name), 'utf8'))
const NOW = '2026-01-05T15:00:00.000Z'

const abc1 = {
  'account-number': '5WT0001', symbol: 'ABC1  260618P00030000', 'instrument-type': 'Equity Option', 'underlying-symbol': 'ABC', quantity: '1', 'quantity-direction': 'Long',
  'close-price': '2.5', 'average-open-price': '2.5', 'average-daily-market-close-price': '2.5', multiplier: 100, 'cost-effect': 'Debit', 'mark-price': '2.5', mark: '250.0',
}

describe('deliverables and per-Greek sources through the CLI', () => {
  let fake: FakeTastytrade
  let dir: string
  const runs: Run[] = []
  const sh = async (...args: string[]) => {
    const r = await cliAsync([...args, '--config', 'risk_config.yaml', '--db', path.join(dir, 'book.sqlite')], dir, {
      TASTYTRADE_API_URL: fake.url, TASTYTRADE_CLIENT_SECRET: CLIENT_SECRET, TASTYTRADE_REFRESH_TOKEN: REFRESH_TOKEN, COTRADER_NOW: NOW,
    })
    runs.push(r)
    return r
  }

  beforeAll(async () => {
    const positions = payload('positions.json')
    positions.data.items.push(abc1)
    fake = await startFakeTastytrade({
      payloads: {
        '/accounts/5WT0001/positions': JSON.stringify(positions),
        '/instruments/equity-options': JSON.stringify(payload('instruments-equity-options.json')),
        '/instruments/future-options': JSON.stringify(payload('instruments-future-options.json')),
        '/instruments/futures': JSON.stringify(payload('instruments-futures.json')),
        '/instruments/cryptocurrencies': JSON.stringify(payload('instruments-cryptocurrencies.json')),
      },
      options: {'.AAPL260618P170': {underlying: 'AAPL', expiry: '2026-06-18', strike: 170, right: 'put', model: 'bsm', style: 'american', vol: 0.27}},
      nanGreekFields: {'.AAPL260618P170': ['theta']},
      quotes: {AAPL: {bid: 189.9, ask: 190.1}, XYZ: {bid: 39.95, ask: 40.05}, ABC: {bid: 29.9, ask: 30.1}, SPX: {last: 6012.5}, NDX: {last: 21400}, RUT: {last: 2250}},
    })
    dir = tempDir('cotrader-deliv-cli-')
    writeFileSync(path.join(dir, 'hand.csv'), 'symbol,quantity,entry_price,mark_price\nXYZ1 2026-06-18 50C,-1,12,12\n')
    writeFileSync(path.join(dir, 'quotes.csv'), 'symbol,price\nXYZ,40\n')
    writeFileSync(path.join(dir, 'risk_config.yaml'), `base_currency: USD
market:
  rates: {USD: 0.04}
  quotes_file: quotes.csv
tastytrade:
  greeks_wait_seconds: 2
deliverables:
  XYZ1: {shares: 150, underlying: XYZ}
portfolios:
  - {name: tt, broker: tastytrade, account: '5WT0001'}
  - {name: tt-whatif, broker: none, kind: whatif, shadows: tt}
  - {name: hand, broker: manual, account: M1, source: {file: hand.csv, format: generic}}
`)
    const sync = await sh('sync', '--json')
    expect(sync.code, sync.stderr).toBe(0)
  }, 120_000)
  afterAll(async () => {
    await fake?.close()
    if (dir) rmSync(dir, {recursive: true, force: true})
    // no secret in anything the CLI printed
    for (const r of runs) for (const secret of [CLIENT_SECRET, REFRESH_TOKEN]) expect(r.stdout + r.stderr).not.toContain(secret)
  })

  it('positions --json: the stored deliverable, the unknown one with its reason, and each Greek\'s source', async () => {
    const j = (await sh('positions', '--json')).json()
    const row = (portfolio: string, symbol: string) => j.positions.find((p: any) => p.portfolio === portfolio && p.symbol === symbol)
    expect(row('tt', 'XYZ1 2026-06-18 50C')).toMatchObject({underlying: 'XYZ', deliverable: {shares: 150, underlying: 'XYZ', cash: 0}, greeksSource: 'model'})
    expect(row('hand', 'XYZ1 2026-06-18 50C')).toMatchObject({underlying: 'XYZ', deliverable: {shares: 150, underlying: 'XYZ', cash: 0}, greeksSource: 'model'})
    // 2 contracts long vs 1 short, same mark and underlying: the same per-unit delta
    expect(row('hand', 'XYZ1 2026-06-18 50C').delta).toBeCloseTo(-row('tt', 'XYZ1 2026-06-18 50C').delta / 2, 6)
    expect(row('tt', 'ABC1 2026-06-18 30P')).toMatchObject({underlying: 'ABC', delta: null, greeksSource: 'none', greeksSources: null, deliverable: null})
    expect(row('tt', 'ABC1 2026-06-18 30P').greeksNote).toMatch(/deliverable is unknown.*not priced as 100 shares/)
    expect(row('tt', 'AAPL 2026-06-18 170P')).toMatchObject({greeksSource: 'feed', greeksSources: {delta: 'feed', gamma: 'feed', theta: 'model', vega: 'feed', rho: 'feed'}})
    expect(row('tt', 'NDX 2026-03-20 21000C')).toMatchObject({settlement: 'am', settlementKind: 'cash', settlesAt: '2026-03-20T13:30:00.000Z'})
  }, 60_000)

  it('risk --stress --json: the file-fed XYZ1 is 150 XYZ per contract at strike 33.33; ABC1 is missing, not 100 shares', async () => {
    const positions = (await sh('positions', '--json', '--portfolio', 'hand')).json().positions
    const iv = positions[0].iv as number
    const j = (await sh('risk', '--stress', '--json')).json()
    const tt = j.stress.find((s: any) => s.portfolio === 'tt')
    expect(tt.missingSymbols).toContain('ABC1 2026-06-18 30P')
    expect(tt.missingSymbols).not.toContain('XYZ1 2026-06-18 50C')
    const hand = j.stress.find((s: any) => s.portfolio === 'hand')
    const xyz = hand.underlyings.find((u: any) => u.underlying === 'XYZ')
    const up = xyz.moves.indexOf(15)
    const flat = hand.volShifts.indexOf(0)
    // −1 contract × 100 × 1.5 × (price at 46 − price at 40), American call at K' = 33.333…
    const years = yearsToExpiry('2026-06-18', 'USD', new Date(NOW))
    const price = (s: number) => optionPrice({right: 'call', spot: s, strike: 50 / 1.5, years, rate: 0.04, dividend: 0, vol: iv}, {model: 'bsm', style: 'american', engine: 'exact'})
    const expected = -150 * (price(46) - price(40))
    expect(Math.abs(xyz.pnl[up][flat] / expected - 1)).toBeLessThan(0.01)
    // a 100-share reading at strike 50 would lose far less
    const naive = -100 * (optionPrice({right: 'call', spot: 46, strike: 50, years, rate: 0.04, dividend: 0, vol: iv}, {model: 'bsm', style: 'american', engine: 'exact'}) - optionPrice({right: 'call', spot: 40, strike: 50, years, rate: 0.04, dividend: 0, vol: iv}, {model: 'bsm', style: 'american', engine: 'exact'}))
    expect(Math.abs(xyz.pnl[up][flat] - naive)).toBeGreaterThan(200)
  }, 60_000)

  it('whatif add on XYZ1 is a leg on XYZ with 150-share Greeks; on ABC1 without a price it is refused with the reason', async () => {
    const held = (await sh('positions', '--json', '--portfolio', 'tt')).json().positions.find((p: any) => p.symbol === 'XYZ1 2026-06-18 50C')
    const add = await sh('whatif', 'add', '--portfolio', 'tt', '--leg', '-1 XYZ1 2026-06-18 50C @ 12', '--json')
    expect(add.code, add.stderr).toBe(0)
    const leg = add.json().trades[0]
    expect(leg).toMatchObject({underlying: 'XYZ', quantity: -1})
    expect(leg.delta).toBeCloseTo(-held.delta / 2, 6)
    const refused = await sh('whatif', 'add', '--portfolio', 'tt', '--leg', '1 ABC1 2026-06-18 30P', '--json')
    expect(refused.code).toBe(2)
    expect(refused.stdout + refused.stderr).toMatch(/ABC1 is an adjusted option.*deliverable is unknown/)
  }, 60_000)
})
