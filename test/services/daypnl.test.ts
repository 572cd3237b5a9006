/*
 * Day P&L through the store: the broker's basis (TastyTrade average-daily-market-close-price) survives
 * a write and a read, and the service uses it before any snapshot; the previous snapshot's mark
 * otherwise. Times are fixed (asOf), never the clock.
 */
import {mkdtempSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {mapPositionRow} from '../../src/core/adapters/tastytrade/mapping.js'
import type {Position} from '../../src/core/domain/types.js'
import {positionDayPnl, readDayHistory} from '../../src/core/services/daypnl.js'
import {readDb, writeDb} from '../../src/core/store/database.js'
import {readHistory, writeHistory} from '../../src/core/store/history.js'
import {loadPositions, replacePositions} from '../../src/core/store/repositories.js'
import {writeSnapshots} from '../../src/core/store/snapshots.js'

const asOf = new Date('2026-04-09T18:00:00Z') // Thursday 14:00 New York
const row = (extra: Record<string, unknown>) => ({
  'account-number': '5WX34382', symbol: 'AAPL', 'instrument-type': 'Equity', 'underlying-symbol': 'AAPL', quantity: '10', 'quantity-direction': 'Long',
  'average-open-price': '178.50', 'close-price': '185.25', 'mark-price': '187.00', multiplier: 1, ...extra,
})

function mapped(extra: Record<string, unknown>): Position {
  const r = mapPositionRow(row(extra), 'tt')
  if (!('ok' in r)) throw new Error('not mapped')
  return r.ok.position
}

describe('day P&L from the broker and from the snapshots', () => {
  it("TastyTrade: the day-P&L basis is average-daily-market-close-price, else close-price; none without a live mark", () => {
    expect(mapped({'average-daily-market-close-price': '184.00'}).previousClose).toBe(184)
    expect(mapped({}).previousClose).toBe(185.25)
    expect(mapped({'mark-price': null}).previousClose).toBeNull()
  })

  it('the basis is stored with the position and used first; without it, the previous snapshot\'s mark', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'cotrader-daypnl-')), 'db.sqlite')
    const broker = mapped({'average-daily-market-close-price': '184.00'})
    const plain: Position = {...mapped({}), symbol: 'MSFT', brokerSymbol: 'MSFT', underlying: 'MSFT', previousClose: null, markPrice: 400, entryPrice: 380}
    await writeDb(file, (db) => replacePositions(db, 'tt', [broker, plain], '2026-04-09T15:00:00Z'))
    await writeHistory(file, [2026], (h) => {
      writeSnapshots(h, '2026-04-08', [
        {date: '2026-04-08', portfolio: 'tt', symbol: 'AAPL', underlying: 'AAPL', instrumentType: 'equity', quantity: 10, multiplier: 1, currency: 'USD', entryPrice: 178.5, markPrice: 180, underlyingPrice: 180, iv: null, greeks: null, unrealizedPnl: null, takenAt: '2026-04-08T20:30:00Z'},
        {date: '2026-04-08', portfolio: 'tt', symbol: 'MSFT', underlying: 'MSFT', instrumentType: 'equity', quantity: 10, multiplier: 1, currency: 'USD', entryPrice: 380, markPrice: 395.5, underlyingPrice: 395.5, iv: null, greeks: null, unrealizedPnl: null, takenAt: '2026-04-08T20:30:00Z'},
      ], [])
    })
    const positions = await readDb(file, (db) => loadPositions(db))
    const history = await readHistory(file, (h) => readDayHistory(h, ['tt'], asOf))
    const aapl = positions.find((p) => p.symbol === 'AAPL')!
    expect(aapl.previousClose).toBe(184)
    const a = positionDayPnl(aapl, history, null, asOf)
    expect(a).toMatchObject({basis: 'broker', basisPrice: 184})
    expect(a.dayPnl).toBeCloseTo((187 - 184) * 10, 9) // the broker's basis wins over the snapshot's 180
    const m = positionDayPnl(positions.find((p) => p.symbol === 'MSFT')!, history, null, asOf)
    expect(m).toMatchObject({basis: 'snapshot', basisPrice: 395.5})
    expect(m.dayPnl).toBeCloseTo(45, 9) // (400 − 395.50) × 10
  })
})
