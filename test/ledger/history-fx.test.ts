/*
 * pnl --history shows cumulative realised P&L per day (from the ledger's lots closed up to that day)
 * beside the snapshots' open P&L; realised P&L in the base currency uses the FX rate stored for the
 * close date when there is one (a currency pair in the price history), else today's config rate, said so.
 *
 * Worked example (portfolio w, USD; TastyTrade-style assignment: the option realises its premium):
 *   2 Nov  buy 100 XYZ @ 50; sell to open 2 XYZ 20 Nov 45P @ 1.50           realised 0
 *   3 Nov  sell 40 XYZ @ 55: (55 − 50) × 40 = 200                            cumulative 200
 *   4 Nov  buy to close 1 put @ 0.50: (0.50 − 1.50) × −1 × 100 = 100         cumulative 300
 *   20 Nov the other put assigned: closes at 0, (0 − 1.50) × −1 × 100 = 150;  cumulative 450
 *          +100 XYZ delivered at the 45 strike (opens a lot, realises nothing)
 * Portfolio z (INR): buy 10 INFY @ 1,500 on 2 Nov, sell 10 @ 1,600 on 3 Nov: 1,000 INR realised.
 *   config fx_rates INR 0.012 (today's); USDINR 80 stored for 3 Nov → 1,000 / 80 = 12.50 USD.
 */
import {writeFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {parseConfig} from '../../src/core/config/config.js'
import {fxHistoryFromCloses, fxRateOn} from '../../src/core/domain/ledger/fx.js'
import {pnlHistoryService as history} from '../../src/core/services/history.js'
import {realizedByDay} from '../../src/core/services/ledger/realized-history.js'
const pnlHistoryService = (o: Parameters<typeof history>[0]) => history(o, realizedByDay)
import {importTransactionsService} from '../../src/core/services/ledger/import.js'
import {realizedService} from '../../src/core/services/ledger/views.js'
import {importPricesService} from '../../src/core/services/prices.js'
import {writeHistory} from '../../src/core/store/history.js'
import {writeSnapshots, type PortfolioSnapshot} from '../../src/core/store/snapshots.js'
import {tempDir} from '../cli/helpers.js'

const HEADER = 'date,kind,symbol,quantity,price,commission,fees,amount,id,order_id,ratio,new_symbol,realized,description'

function setup() {
  const dir = tempDir('cotrader-history-fx-')
  const config = parseConfig(
    `
base_currency: USD
fx_rates: {INR: 0.012}
portfolios:
  - {name: w, broker: manual, account: W1, source: {file: w.csv, format: generic, transactions: {file: w-tx.csv, format: generic}}}
  - {name: z, broker: manual, account: Z1, currency: INR, source: {file: z.csv, format: generic, transactions: {file: z-tx.csv, format: generic}}}
`,
    path.join(dir, 'risk_config.yaml'),
  )
  const write = (name: string, lines: string[]) => {
    const f = path.join(dir, name)
    writeFileSync(f, lines.join('\n') + '\n')
    return f
  }
  return {dir, config, db: path.join(dir, 'db.sqlite'), write}
}

const W_TX = [
  HEADER,
  '2026-11-02 10:00:00,trade,XYZ,100,50,,,,W1,,,,,buy stock',
  '2026-11-02 10:05:00,trade,XYZ 2026-11-20 45P,-2,1.50,,,,W2,,,,,sell to open',
  '2026-11-03 11:00:00,trade,XYZ,-40,55,,,,W3,,,,,partial close',
  '2026-11-04 12:00:00,trade,XYZ 2026-11-20 45P,1,0.50,,,,W4,,,,,buy to close one',
  '2026-11-20,assignment,XYZ 2026-11-20 45P,1,,,,,W5,,,,,assigned',
  '2026-11-20,assignment,XYZ,100,45,,,,W6,,,,,delivery',
]
const Z_TX = [HEADER, '2026-11-02 10:00:00,trade,INFY,10,1500,,,,Z1,,,,,', '2026-11-03 10:00:00,trade,INFY,-10,1600,,,,Z2,,,,,']

const DATES = ['2026-11-02', '2026-11-03', '2026-11-04', '2026-11-20']
/** open P&L the snapshots recorded (money in each portfolio's currency) */
const OPEN = {w: [10, 20, -30, 40], z: [500, 0, 0, 0]}

async function snapshots(db: string): Promise<void> {
  await writeHistory(db, [2026], (h) => {
    DATES.forEach((date, i) => {
      const takenAt = `${date}T21:00:00.000Z`
      const row = (portfolio: string, currency: string, unrealizedPnl: number): PortfolioSnapshot => ({
        date, portfolio, currency, equity: 1000, cash: null, delta: null, betaWeightedDelta: null, gamma: null, theta: null, vega: null, unrealizedPnl, dayPnl: null, positions: 1, missing: 0, takenAt,
      })
      writeSnapshots(h, date, [], [row('w', 'USD', OPEN.w[i]), row('z', 'INR', OPEN.z[i])])
    })
  })
}

async function book(withFx: boolean) {
  const s = setup()
  const asOf = new Date('2026-11-23T21:00:00Z')
  await importTransactionsService({config: s.config, dbPath: s.db, file: s.write('w-tx.csv', W_TX), portfolio: 'w', asOf})
  await importTransactionsService({config: s.config, dbPath: s.db, file: s.write('z-tx.csv', Z_TX), portfolio: 'z', asOf})
  if (withFx) await importPricesService({config: s.config, dbPath: s.db, file: s.write('fx.csv', ['date,symbol,close', '2026-11-03,USDINR,80']), asOf})
  await snapshots(s.db)
  return {...s, asOf}
}

describe('pnl --history: cumulative realised and open P&L per day', () => {
  it('realised of the lots closed up to each day (open, partial close, buy-back, assignment), open P&L from the snapshot, totals in the base currency', async () => {
    const s = await book(true)
    const r = await pnlHistoryService({config: s.config, dbPath: s.db, asOf: s.asOf, since: '2026-11-01'})
    const w = r.rows.filter((x) => x.portfolio === 'w')
    expect(w.map((x) => x.date)).toEqual(DATES)
    expect(w.map((x) => x.realizedPnl)).toEqual([0, 200, 300, 450])
    expect(w.map((x) => x.unrealizedPnl)).toEqual(OPEN.w)
    expect(w.every((x) => x.realizedMissing === 0)).toBe(true)
    const z = r.rows.filter((x) => x.portfolio === 'z')
    expect(z.map((x) => x.realizedPnl)).toEqual([0, 1000, 1000, 1000])
    const totals = r.rows.filter((x) => x.level === 'total')
    expect(totals.map((x) => x.currency)).toEqual(['USD', 'USD', 'USD', 'USD'])
    // 3 Nov: 200 USD + 1,000 INR at the 3 Nov rate (1 / 80) = 212.50, none at today's rate
    expect(totals.map((x) => x.realizedPnl)).toEqual([0, 212.5, 312.5, 462.5])
    expect(totals.map((x) => x.fxAtToday)).toEqual([0, 0, 0, 0])
    // open P&L total as before: 10 + 500 × 0.012 = 16
    expect(totals[0].unrealizedPnl).toBeCloseTo(16, 8)
  }, 60_000)

  it("without a rate stored for the close date, today's config rate, counted in fxAtToday", async () => {
    const s = await book(false)
    const r = await pnlHistoryService({config: s.config, dbPath: s.db, asOf: s.asOf, since: '2026-11-01'})
    const totals = r.rows.filter((x) => x.level === 'total')
    // 1,000 INR × 0.012 = 12.00
    expect(totals.map((x) => x.realizedPnl)).toEqual([0, 212, 312, 462])
    expect(totals.map((x) => x.fxAtToday)).toEqual([0, 1, 1, 1])
  }, 60_000)

  it('a portfolio without ledger events has unknown realised P&L (null), never 0; the total counts it missing', async () => {
    const s = setup()
    await snapshots(s.db)
    const r = await pnlHistoryService({config: s.config, dbPath: s.db, asOf: new Date('2026-11-23T21:00:00Z'), since: '2026-11-01'})
    expect(r.rows.every((x) => x.realizedPnl === null)).toBe(true)
  }, 60_000)
})

describe('pnl --realized: FX on the close date', () => {
  it('uses the stored rate of the close date and says so; without one, today\'s rate, flagged per row', async () => {
    const withFx = await book(true)
    const a = await realizedService({config: withFx.config, dbPath: withFx.db, asOf: withFx.asOf})
    const za = a.portfolios.find((p) => p.portfolio === 'z')!
    expect(za.realized).toBe(1000)
    expect(za.realizedBase).toBe(12.5)
    expect(za.fxAtToday).toBe(0)
    expect(a.total.realizedBase).toBe(462.5)
    expect(a.fxNote).toMatch(/stored for each close date/)

    const without = await book(false)
    const b = await realizedService({config: without.config, dbPath: without.db, asOf: without.asOf})
    const zb = b.portfolios.find((p) => p.portfolio === 'z')!
    expect(zb.realizedBase).toBe(12)
    expect(zb.fxAtToday).toBe(1)
    expect(b.portfolios.find((p) => p.portfolio === 'w')!.fxAtToday).toBe(0)
    expect(b.fxNote).toMatch(/1 closed lot\(s\) without one are converted at today's config fx_rates/)
  }, 60_000)
})

describe('fx rates per day (pure)', () => {
  const closes = new Map([
    ['USDINR', [{date: '2026-11-03', close: 80}, {date: '2026-11-04', close: 0}]],
    ['INRUSD', [{date: '2026-11-05', close: 0.0125}]],
  ])
  const h = fxHistoryFromCloses(['INR', 'USD'], 'USD', closes)
  it('an inverse pair is inverted, a direct pair taken as is, a non-positive close ignored, the base needs none', () => {
    expect(fxRateOn('INR', '2026-11-03', 'USD', h, {INR: 0.012})).toEqual({rate: 1 / 80, source: 'close_date'})
    expect(fxRateOn('INR', '2026-11-05', 'USD', h, {INR: 0.012})).toEqual({rate: 0.0125, source: 'close_date'})
    expect(fxRateOn('INR', '2026-11-04', 'USD', h, {INR: 0.012})).toEqual({rate: 0.012, source: 'config'})
    expect(fxRateOn('USD', '2026-11-04', 'USD', h, {})).toEqual({rate: 1, source: 'base'})
  })
  it('no stored rate and no config rate: unknown (null), never 1', () => {
    expect(fxRateOn('EUR', '2026-11-03', 'USD', h, {INR: 0.012})).toBeNull()
  })
})
