/*
 * `snapshot --date` in the past (issue 18 item 7): built only from the closes stored for that date,
 * or refused naming the missing prices; today's marks are never written as an earlier day's close.
 * Stamped with the one clock (COTRADER_NOW → asOf), never the wall clock.
 */
import {writeFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {loadConfig} from '../../src/core/config/config.js'
import {snapshotService} from '../../src/core/services/snapshot.js'
import {syncService} from '../../src/core/services/sync.js'
import {readHistory} from '../../src/core/store/history.js'
import {writeDb} from '../../src/core/store/database.js'
import {upsertPrices} from '../../src/core/store/prices.js'
import {positionSnapshots} from '../../src/core/store/snapshots.js'
import {tempDir} from '../cli/helpers.js'

describe('snapshot of a past date', () => {
  it('refuses without that date’s closes, naming them; with them, writes those closes and the injected time', async () => {
    const dir = tempDir('cotrader-snapdate-')
    writeFileSync(path.join(dir, 'c.yaml'), 'market: {quotes_file: q.csv}\nportfolios:\n  - {name: f, broker: manual, account: F1, source: {file: f.csv, format: generic}, cash: 1000}\n')
    writeFileSync(path.join(dir, 'q.csv'), 'symbol,price\nSPY,600\n')
    writeFileSync(path.join(dir, 'f.csv'), 'symbol,quantity,entry_price,mark_price,underlying_price\nAAPL,10,150,200,200\nAAPL 2027-01-15 210C,1,5,7,200\n')
    const config = loadConfig(path.join(dir, 'c.yaml'))
    const dbPath = path.join(dir, 'db.sqlite')
    const now = new Date('2026-12-07T16:00:00Z') // Monday 11:00 New York
    await syncService({config, dbPath, portfolios: ['f'], skipInvalid: false, asOf: now, env: {}})
    await expect(snapshotService({config, dbPath, asOf: now, date: '2026-12-04'})).rejects.toThrow(
      /snapshot --date 2026-12-04 is built only from the closes of 2026-12-04, and these are not stored: f AAPL \(no close of AAPL on 2026-12-04\); f AAPL 2027-01-15 210C \(no close of AAPL 2027-01-15 210C on 2026-12-04\)/,
    )
    expect(await readHistory(dbPath, (h) => positionSnapshots(h))).toEqual([])
    await writeDb(dbPath, (db) => upsertPrices(db, [
      {symbol: 'AAPL', date: '2026-12-04', close: 190, iv: null, source: 'import'},
      {symbol: 'AAPL 2027-01-15 210C', date: '2026-12-04', close: 4.5, iv: null, source: 'import'},
    ]))
    const r = await snapshotService({config, dbPath, asOf: now, date: '2026-12-04'})
    expect(r.asOf).toBe('2026-12-07T16:00:00.000Z')
    const rows = await readHistory(dbPath, (h) => positionSnapshots(h, {from: '2026-12-04', to: '2026-12-04'}))
    expect(rows.map((p) => [p.symbol, p.markPrice, p.underlyingPrice, p.unrealizedPnl, p.takenAt])).toEqual([
      ['AAPL', 190, 190, 400, '2026-12-07T16:00:00.000Z'], // (190 − 150) × 10
      ['AAPL 2027-01-15 210C', 4.5, 190, -50, '2026-12-07T16:00:00.000Z'], // (4.5 − 5) × 1 × 100
    ])
    // Today's snapshot still uses today's marks.
    await snapshotService({config, dbPath, asOf: now})
    const today = await readHistory(dbPath, (h) => positionSnapshots(h, {from: '2026-12-07', to: '2026-12-07'}))
    expect(today.map((p) => p.markPrice)).toEqual([200, 7])
  })
})
