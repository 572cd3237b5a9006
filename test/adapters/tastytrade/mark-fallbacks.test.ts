/*
 * An implausible tastytrade mark falls back in order, each fallback named in markSource and the
 * rejected value named in a warning: the broker's mark-price → the broker's `mark` total ÷ |qty| ÷
 * multiplier → the option's own DXLink quote mid (never a crossed one) → unknown. Real SDK, local
 * fake (REST + DXLink), rows shaped like the recorded corpus, through sync into the store.
 * AAPL is at 190.00 (quote 189.90 / 190.10); every call below is American, tick 0.05.
 */
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {Position} from '../../../src/core/domain/types.js'
import {defaultAdapters, syncService, type PortfolioSyncResult} from '../../../src/core/services/sync.js'
import {readDb} from '../../../src/core/store/database.js'
import {loadPositions} from '../../../src/core/store/repositories.js'
import {tempDir} from '../../cli/helpers.js'
import {AS_OF, configFor, envFor, startFakeTastytrade, type FakeTastytrade} from '../../fake-tastytrade/index.js'

/** An equity option row as tastytrade writes it (money as strings; mark-price may be null). */
const row = (symbol: string, markPrice: string | null, mark: string) => ({
  'account-number': '5WT0001', symbol, 'instrument-type': 'Equity Option', 'underlying-symbol': 'AAPL', quantity: '1', 'quantity-direction': 'Long',
  'close-price': '0.0', 'average-open-price': '20.0', 'average-daily-market-close-price': '0.0', multiplier: 100, 'cost-effect': 'Debit',
  'mark-price': markPrice, mark, 'expires-at': '2026-06-18T20:00:00.000+00:00', 'updated-at': '2026-01-05T14:30:00.000+00:00',
})

const positions = {
  data: {
    items: [
      // (a) mark-price 30.00 is 10.00 below intrinsic (40.00); the broker's total 4150.00 → 41.50 passes
      row('AAPL  260618C00150000', '30.0', '4150.0'),
      // (b) mark-price and total both 45.00 (intrinsic 50.00); the option's quote 51.90 / 52.10 → 52.00
      row('AAPL  260618C00140000', '45.0', '4500.0'),
      // (c) both 55.00 (intrinsic 60.00); the quote is crossed (bid 62.00 above ask 61.00): unknown
      row('AAPL  260618C00130000', '55.0', '5500.0'),
      // (d) no mark-price; the total 6500.00 → 65.00 is below intrinsic 70.00; the quote 70.90 / 71.10 → 71.00
      row('AAPL  260618C00120000', null, '6500.0'),
      // (e) a call marked above what it delivers (200.00 > 190.00); the total 18010.00 → 180.10 passes
      row('AAPL  260618C00010000', '200.0', '18010.0'),
      // (f) a plausible mark: kept, and no second DXLink request is made for it
      row('AAPL  260618C00200000', '7.25', '725.0'),
      // (g) bad inputs: mark "NaN" (no total) and no quote at all for the option: unknown
      row('AAPL  260618C00110000', '70.0', 'NaN'),
      // (h) mark "0.0" is no total either; the quote mid 90.90 / 91.10 → 91.00
      row('AAPL  260618C00100000', '85.0', '0.0'),
    ],
  },
  context: '/accounts/5WT0001/positions',
}

describe('an implausible mark falls back: mark-price → broker total → quote mid (not crossed) → unknown', () => {
  let fake: FakeTastytrade
  let result: PortfolioSyncResult
  let p: Record<string, Position>

  beforeAll(async () => {
    fake = await startFakeTastytrade({
      payloads: {'/accounts/5WT0001/positions': JSON.stringify(positions)},
      options: {},
      quotes: {
        AAPL: {bid: 189.9, ask: 190.1},
        '.AAPL260618C140': {bid: 51.9, ask: 52.1},
        '.AAPL260618C130': {bid: 62, ask: 61},
        '.AAPL260618C120': {bid: 70.9, ask: 71.1},
        '.AAPL260618C100': {bid: 90.9, ask: 91.1},
        // quotes the fallbacks must not need: a plausible mark never asks, a passing total never asks
        '.AAPL260618C150': {bid: 1, ask: 2},
        '.AAPL260618C200': {bid: 1, ask: 2},
      },
    })
    const db = path.join(tempDir('cotrader-marks-'), 'book.sqlite')
    const config = configFor()
    const env = envFor(fake)
    const r = await syncService({config, dbPath: db, skipInvalid: false, asOf: new Date(AS_OF), env}, defaultAdapters(config, env))
    expect(r.ok).toBe(1)
    result = r.portfolios[0]
    p = Object.fromEntries((await readDb(db, (d) => loadPositions(d))).map((q) => [q.symbol, q]))
  }, 60_000)
  afterAll(async () => fake?.close())

  it('(a) below intrinsic: the broker total per unit, named broker_total; the warning names the rejected 30', () => {
    expect(p['AAPL 2026-06-18 150C']).toMatchObject({markPrice: 41.5, markSource: 'broker_total'})
    expect(result.warnings).toContainEqual(expect.stringMatching(/^AAPL 2026-06-18 150C: mark 30 is below intrinsic value 40 \(underlying 190\) by more than a tick.*\(live\); using the broker's position value per unit 41\.5 instead/))
  })

  it('(b) mark-price and total both below intrinsic: the option\'s DXLink quote mid', () => {
    expect(p['AAPL 2026-06-18 140C']).toMatchObject({markPrice: 52, markSource: 'quote_mid'})
    expect(result.warnings).toContainEqual(expect.stringMatching(/^AAPL 2026-06-18 140C: mark 45 is below intrinsic value 50 .*; using the quote mid 52 instead/))
  })

  it('(c) a crossed quote is never a price: unknown mark, value unknown, two warnings', () => {
    expect(p['AAPL 2026-06-18 130C']).toMatchObject({markPrice: null})
    expect(p['AAPL 2026-06-18 130C'].markSource).toBeUndefined()
    expect(result.warnings).toContainEqual('AAPL 2026-06-18 130C: DXLink quote for .AAPL260618C130 is crossed (bid 62 above ask 61); not used as a price')
    expect(result.warnings).toContainEqual(expect.stringMatching(/^AAPL 2026-06-18 130C: mark 55 is below intrinsic value 60 .*no other price passes, so its mark \(and value\) is unknown/))
  })

  it('(d) no mark-price and an implausible broker total: the quote mid', () => {
    expect(p['AAPL 2026-06-18 120C']).toMatchObject({markPrice: 71, markSource: 'quote_mid'})
    expect(result.warnings).toContainEqual(expect.stringMatching(/^AAPL 2026-06-18 120C: mark 65 is below intrinsic value 70 .*\(broker_total\); using the quote mid 71 instead/))
  })

  it('(e) a call above what it delivers: the broker total', () => {
    expect(p['AAPL 2026-06-18 10C']).toMatchObject({markPrice: 180.1, markSource: 'broker_total'})
    expect(result.warnings).toContainEqual(expect.stringMatching(/^AAPL 2026-06-18 10C: mark 200 of a call is above what it delivers \(190 at underlying 190\)/))
  })

  it('(g, h) a "NaN" or "0.0" total is no price: no quote → unknown; a quote → its mid', () => {
    expect(p['AAPL 2026-06-18 110C'].markPrice).toBeNull()
    expect(result.warnings).toContainEqual(expect.stringMatching(/^AAPL 2026-06-18 110C: mark 70 is below intrinsic value 80 .*no other price passes/))
    expect(p['AAPL 2026-06-18 100C']).toMatchObject({markPrice: 91, markSource: 'quote_mid'})
  })

  it('(f) a plausible mark stays; only the options that needed one had their quotes asked for', () => {
    expect(p['AAPL 2026-06-18 200C']).toMatchObject({markPrice: 7.25, markSource: 'live'})
    expect(result.warnings.some((w) => w.startsWith('AAPL 2026-06-18 200C'))).toBe(false)
    const quoted = fake.state.wsMessages.filter((m) => m.type === 'FEED_SUBSCRIPTION').flatMap((m) => ((m.add as {type: string; symbol: string}[]) ?? []).filter((s) => s.type === 'Quote').map((s) => s.symbol))
    expect(quoted).toEqual(expect.arrayContaining(['.AAPL260618C140', '.AAPL260618C130', '.AAPL260618C120']))
    expect(quoted).not.toContain('.AAPL260618C150')
    expect(quoted).not.toContain('.AAPL260618C200')
  })
})
