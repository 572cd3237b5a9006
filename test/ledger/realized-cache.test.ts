/*
 * pnl --realized reads, doesn't recompute (services/ledger/views.ts realizedService, store/read-cache.ts
 * derivedRead): under read replay its result is kept with the database's answers and given again only
 * while the file holds the same bytes and everything else it depends on is the same (realizedKey).
 * Each case below changes one input and checks that the kept result is not given (no derived hit) and
 * that what is shown equals the result computed with read replay off, i.e. never a stale value.
 *
 * Worked example (portfolio w, USD; portfolio z, INR; config fx_rates INR 0.012):
 *   w: buy 10 XYZ @ 100 (2 Nov), buy 10 @ 110 (3 Nov), sell 10 @ 120 (4 Nov)
 *      fifo: (120 − 100) × 10 = 200;  lifo: (120 − 110) × 10 = 100
 *      a later sell 10 @ 130 (5 Nov) adds (130 − 110) × 10 = 200 under fifo
 *      an opening snapshot of 5 XYZ @ 90 (30 Oct): the 4 Nov sell closes 5 @ 90 and 5 @ 100: 150 + 100 = 250
 *   z: buy 10 INFY @ 1,500 (2 Nov), sell 10 @ 1,600 (3 Nov): 1,000 INR = 12.00 USD at today's rate,
 *      12.50 USD once USDINR 80 is stored for 3 Nov
 */
import {readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {parseConfig, type Config} from '../../src/core/config/config.js'
import {importTransactionsService} from '../../src/core/services/ledger/import.js'
import {realizedService, type RealizedResult} from '../../src/core/services/ledger/views.js'
import {importPricesService} from '../../src/core/services/prices.js'
import {writeHistory} from '../../src/core/store/history.js'
import {enableReadCache, readCacheStats, saveReadCache} from '../../src/core/store/read-cache.js'
import {writeSnapshots} from '../../src/core/store/snapshots.js'
import {tempDir} from '../cli/helpers.js'

const HEADER = 'date,kind,symbol,quantity,price,commission,id'
const W_TX = [HEADER, '2026-11-02 10:00:00,trade,XYZ,10,100,,W1', '2026-11-03 10:00:00,trade,XYZ,10,110,,W2', '2026-11-04 10:00:00,trade,XYZ,-10,120,,W3']
const Z_TX = [HEADER, '2026-11-02 10:00:00,trade,INFY,10,1500,,Z1', '2026-11-03 10:00:00,trade,INFY,-10,1600,,Z2']
const ASOF = new Date('2026-11-06T21:00:00Z')

function configText(lots: string, assignment = 'broker'): string {
  return `
base_currency: USD
fx_rates: {INR: 0.012}
portfolios:
  - {name: w, broker: manual, account: W1, lots: ${lots}, assignment_basis: ${assignment}, source: {file: w.csv, format: generic, transactions: {file: w-tx.csv, format: generic}}}
  - {name: z, broker: manual, account: Z1, currency: INR, source: {file: z.csv, format: generic, transactions: {file: z-tx.csv, format: generic}}}
`
}

let dir: string
let db: string
let config: Config
const cache = () => ({dir: path.join(dir, 'cache'), buildId: 'test'})

function write(name: string, lines: string[]): string {
  const f = path.join(dir, name)
  writeFileSync(f, lines.join('\n') + '\n')
  return f
}

beforeEach(async () => {
  dir = tempDir('cotrader-realized-cache-')
  db = path.join(dir, 'db.sqlite')
  config = parseConfig(configText('fifo'), path.join(dir, 'risk_config.yaml'))
  await importTransactionsService({config, dbPath: db, file: write('w-tx.csv', W_TX), portfolio: 'w', asOf: ASOF})
  await importTransactionsService({config, dbPath: db, file: write('z-tx.csv', Z_TX), portfolio: 'z', asOf: ASOF})
  enableReadCache(cache())
})

afterEach(() => {
  enableReadCache(undefined)
})

type Options = Parameters<typeof realizedService>[0]

/** The result with read replay off: computed from the database, nothing kept. */
async function computed(o: Options): Promise<RealizedResult> {
  enableReadCache(undefined)
  try {
    return await realizedService(o)
  } finally {
    enableReadCache(cache())
  }
}

/** realizedService under read replay, the store written as at the end of a command; `kept` = the result was given from the store. */
async function shown(o: Options): Promise<{result: RealizedResult; kept: boolean}> {
  const before = readCacheStats().derived
  const result = await realizedService(o)
  saveReadCache()
  return {result, kept: readCacheStats().derived > before}
}

const w = (r: RealizedResult) => r.portfolios.find((p) => p.portfolio === 'w')?.realized
const z = (r: RealizedResult) => r.portfolios.find((p) => p.portfolio === 'z')

describe('pnl --realized: the kept result', () => {
  it('is given again for the same file and inputs, equal to the computed one, fresh for every caller', async () => {
    const o = {config, dbPath: db, asOf: ASOF}
    const first = await shown(o)
    expect(first.kept).toBe(false)
    expect(w(first.result)).toBe(200)
    const second = await shown(o)
    expect(second.kept).toBe(true)
    expect(second.result).toEqual(first.result)
    expect(second.result).toEqual(await computed(o))
    // a caller changing its copy does not change the next one's
    second.result.portfolios[0].realized = -1
    const third = await shown(o)
    expect(third.kept).toBe(true)
    expect(third.result).toEqual(first.result)
    // another time on the same day: the same window, the same result
    expect((await shown({...o, asOf: new Date('2026-11-06T15:00:00Z')})).kept).toBe(true)
  }, 60_000)

  it('is not given after a new event is imported', async () => {
    const o = {config, dbPath: db, asOf: ASOF}
    await shown(o)
    expect((await shown(o)).kept).toBe(true)
    await importTransactionsService({config, dbPath: db, file: write('w-tx2.csv', [HEADER, '2026-11-05 10:00:00,trade,XYZ,-10,130,,W4']), portfolio: 'w', asOf: ASOF})
    const after = await shown(o)
    expect(after.kept).toBe(false)
    expect(w(after.result)).toBe(400)
    expect(after.result).toEqual(await computed(o))
    expect((await shown(o)).kept).toBe(true)
  }, 60_000)

  it("is not given after the config's lot method or assignment basis changes (same database file)", async () => {
    await shown({config, dbPath: db, asOf: ASOF})
    const bytes = readFileSync(db)
    const lifo = parseConfig(configText('lifo'), path.join(dir, 'risk_config.yaml'))
    const o = {config: lifo, dbPath: db, asOf: ASOF}
    const after = await shown(o)
    expect(after.kept).toBe(false)
    expect(w(after.result)).toBe(100)
    expect(after.result).toEqual(await computed(o))
    const folded = parseConfig(configText('lifo', 'premium_in_basis'), path.join(dir, 'risk_config.yaml'))
    expect((await shown({config: folded, dbPath: db, asOf: ASOF})).kept).toBe(false)
    // back to fifo: the result kept for it is given again, and it is the fifo figure
    const back = await shown({config, dbPath: db, asOf: ASOF})
    expect(back.kept).toBe(true)
    expect(w(back.result)).toBe(200)
    expect(readFileSync(db).equals(bytes)).toBe(true)
  }, 60_000)

  it("is not given after the config's FX rate changes, nor after FX rates are imported for a close date", async () => {
    const o = {config, dbPath: db, asOf: ASOF}
    expect(z((await shown(o)).result)?.realizedBase).toBe(12)
    const rate = parseConfig(configText('fifo').replace('INR: 0.012', 'INR: 0.011'), path.join(dir, 'risk_config.yaml'))
    const q = {config: rate, dbPath: db, asOf: ASOF}
    const other = await shown(q)
    expect(other.kept).toBe(false)
    expect(z(other.result)?.realizedBase).toBe(11)
    expect(other.result).toEqual(await computed(q))

    await importPricesService({config, dbPath: db, file: write('fx.csv', ['date,symbol,close', '2026-11-03,USDINR,80']), asOf: ASOF})
    const after = await shown(o)
    expect(after.kept).toBe(false)
    expect(z(after.result)?.realizedBase).toBe(12.5)
    expect(after.result).toEqual(await computed(o))
    expect((await shown(o)).kept).toBe(true)
  }, 60_000)

  it('is not given on another day: the window ends today', async () => {
    const day1 = {config, dbPath: db, asOf: new Date('2026-11-04T21:00:00Z'), days: 1}
    await shown(day1)
    const kept = await shown(day1)
    expect(kept.kept).toBe(true)
    expect(w(kept.result)).toBe(200)
    const day2 = {...day1, asOf: new Date('2026-11-05T21:00:00Z')}
    const after = await shown(day2)
    expect(after.kept).toBe(false)
    expect(after.result.until).toBe('2026-11-05')
    expect(w(after.result)).toBeUndefined() // nothing closed on 5 Nov
    expect(after.result).toEqual(await computed(day2))
    // all history: only the window's end moves, and it is today's
    expect((await shown({config, dbPath: db, asOf: ASOF})).result.until).toBe('2026-11-06')
    const all = await shown({config, dbPath: db, asOf: new Date('2026-11-07T21:00:00Z')})
    expect(all.kept).toBe(false)
    expect(all.result.until).toBe('2026-11-07')
    // other windows and portfolios are other results
    expect((await shown({config, dbPath: db, asOf: ASOF, year: 2026})).kept).toBe(false)
    expect((await shown({config, dbPath: db, asOf: ASOF, portfolios: ['w']})).kept).toBe(false)
    expect((await shown({config, dbPath: db, asOf: ASOF, portfolios: ['w']})).result).toEqual(await computed({config, dbPath: db, asOf: ASOF, portfolios: ['w']}))
  }, 60_000)

  it('is not given after an opening snapshot is written to the history (the database file itself unchanged)', async () => {
    const o = {config, dbPath: db, asOf: ASOF}
    await shown(o)
    expect((await shown(o)).kept).toBe(true)
    const bytes = readFileSync(db)
    await writeHistory(db, [2026], (h) =>
      writeSnapshots(
        h,
        '2026-10-30',
        [{date: '2026-10-30', portfolio: 'w', symbol: 'XYZ', underlying: 'XYZ', instrumentType: 'equity', quantity: 5, multiplier: 1, currency: 'USD', entryPrice: 90, markPrice: 95, underlyingPrice: 95, iv: null, greeks: null, unrealizedPnl: 25, takenAt: '2026-10-30T21:00:00.000Z'}],
        [{date: '2026-10-30', portfolio: 'w', currency: 'USD', equity: 475, cash: null, delta: null, betaWeightedDelta: null, gamma: null, theta: null, vega: null, unrealizedPnl: 25, dayPnl: null, positions: 1, missing: 0, takenAt: '2026-10-30T21:00:00.000Z'}],
      ),
    )
    expect(readFileSync(db).equals(bytes)).toBe(true)
    const after = await shown(o)
    expect(after.kept).toBe(false)
    expect(w(after.result)).toBe(250)
    expect(after.result).toEqual(await computed(o))
  }, 60_000)

  it('is not given under another locale (the rows are ordered by the default collation)', async () => {
    const o = {config, dbPath: db, asOf: ASOF}
    await shown(o)
    const saved = process.env.LC_ALL
    process.env.LC_ALL = 'sv_SE.UTF-8'
    try {
      expect((await shown(o)).kept).toBe(false)
    } finally {
      if (saved === undefined) delete process.env.LC_ALL
      else process.env.LC_ALL = saved
    }
    expect((await shown(o)).kept).toBe(true)
  }, 60_000)
})
