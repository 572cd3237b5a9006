/*
 * One book after a real exercise (issue 20 item 1): the daemon assigns a short put at Friday's
 * settlement and books the delivery as provisional ledger events (no paper trade). Until the broker's
 * records confirm it, the 500 shares are part of the book of every view: Monday's end-of-day summary,
 * positions, pnl and risk count them alike.
 */
import {writeFileSync} from 'node:fs'
import path from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import type {Config} from '../../src/core/config/config.js'
import {pnlService} from '../../src/core/services/pnl.js'
import {positionsService} from '../../src/core/services/positions.js'
import {riskService} from '../../src/core/services/risk.js'
import {readDb} from '../../src/core/store/database.js'
import * as dstore from '../../src/core/store/daemon.js'
import {demoCopy, simDaemon} from '../daemon/helpers.js'

// Friday 27 Nov 2026 (early close 13:00 New York) to Monday 30 Nov 16:30 New York (after its end of day).
const START = new Date('2026-11-27T17:00:00Z')
const MONDAY = new Date('2026-11-30T21:30:00Z')

describe('one book after an assignment the daemon booked', () => {
  const ws = demoCopy()
  let config: Config
  let monday = ''

  beforeAll(async () => {
    // Five short UBER 100 puts, deep in the money: assigned at Friday's close, 500 UBER delivered.
    writeFileSync(path.join(ws.dataDir, 'sim.csv'), 'symbol,quantity,entry_price,mark_price,underlying_price,multiplier\nUBER 2026-11-27 100P,-5,2.00,5.8,,\n')
    const sim = simDaemon(ws, START)
    config = sim.config
    await sim.daemon.boot()
    sim.daemon.start()
    await sim.clock.runUntil(MONDAY)
    const alerts = await readDb(ws.dbPath, (db) => dstore.listAlerts(db, {}))
    monday = alerts.filter((a) => a.kind === 'eod' && a.key === 'eod:XNYS:2026-11-30').map((a) => a.message).join('\n')
  }, 600_000)

  it('the expiry was settled by assignment into 500 UBER', async () => {
    const expiries = await readDb(ws.dbPath, (db) => dstore.listExpiries(db))
    expect(expiries.filter((e) => e.portfolio === 'sim-expiry').map((e) => [e.symbol, e.outcome, e.stockQuantity])).toEqual([['UBER 2026-11-27 100P', 'assigned', 500]])
  })

  it("Monday's end-of-day summary, positions, pnl and risk all count the 500 shares", async () => {
    const [pos, pnl, risk] = await Promise.all([
      positionsService({config, dbPath: ws.dbPath, asOf: MONDAY}),
      pnlService({config, dbPath: ws.dbPath, asOf: MONDAY}),
      riskService({config, dbPath: ws.dbPath, asOf: MONDAY}),
    ])
    const r = risk.portfolios.find((p) => p.portfolio === 'sim-expiry')!
    expect(r.delta).toBe(500)
    expect(r.underlyings.map((u) => [u.underlying, u.delta])).toEqual([['UBER', 500]])
    const held = pos.positions.filter((p) => p.portfolio === 'sim-expiry')
    expect(held.map((p) => [p.symbol, p.quantity])).toEqual([['UBER', 500]])
    const line = pnl.portfolios.find((l) => l.portfolio === 'sim-expiry')!
    expect(line.unrealizedPnl).toBeCloseTo(r.unrealizedPnl!, 6)
    expect(r.unrealizedPnl).toBeCloseTo(500 * (94.35 - 100), 6) // delivered at the strike, marked at UBER's price
    expect(pnl.positions.filter((l) => l.portfolio === 'sim-expiry').map((l) => [l.symbol, l.unrealizedPnl])).toEqual([['UBER', r.unrealizedPnl]])
    // The totals of the three views agree (the real book, never-synced tastytrade one unknown part of each).
    expect(pos.unrealizedPnlBase).toBeCloseTo(pnl.totalBase!, 6)
    expect(pnl.totalBase).toBeCloseTo(risk.totals.unrealizedPnl!, 6)
    expect(pos.unrealizedPnlBaseMissing).toBe(pnl.totalBaseMissing)
    const fmt = (v: number | null) => (v === null ? '?' : v.toLocaleString('en-US', {maximumFractionDigits: 2, minimumFractionDigits: 2}))
    expect(monday).toContain('end of day XNYS 2026-11-30')
    const summary = monday.split('\n').find((l) => l.trim().startsWith('sim-expiry '))!
    expect(summary).toContain(`Δ ${fmt(500)}`)
    expect(summary).toContain(`unrealized ${fmt(r.unrealizedPnl)}`)
    expect(summary).toContain(`equity ${fmt(r.equity)}`)
    expect(summary).toContain('1 positions')
  })
})
