/*
 * Off the happy path (issue 18), on the demo book in simulated time: a laptop asleep from Thursday
 * 3 December 2026 13:30 New York to Monday 7 December 10:00, with a short UBER 100 put expiring Friday
 * in the money (UBER closed at 95 on Friday; Monday's quote is 102, which must not be used) and a short
 * UBER 95 call exactly at the strike (pin risk). Then the process is stopped over Christmas (a weekend
 * and a holiday) and started again. One end of day per market day, late ones marked; settlement on
 * the closes of the expiry date; pending alerted once; status equal to the log.
 */
import {writeFileSync} from 'node:fs'
import path from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {calendar, type Market} from '../../src/core/services/calendar-adapter.js'
import {daemonStatusService} from '../../src/core/services/daemon/status.js'
import {pendingSettlementRows} from '../../src/core/services/ledger-provisional.js'
import {readDb, writeDb} from '../../src/core/store/database.js'
import * as dstore from '../../src/core/store/daemon.js'
import {loadEvents} from '../../src/core/store/ledger.js'
import {upsertPrices} from '../../src/core/store/prices.js'
import {tradesList} from '../../src/core/services/trades.js'
import {bookApprovedTrades} from '../../src/core/services/ledger/booked.js'
import {realizedService} from '../../src/core/services/ledger/views.js'
import * as repo from '../../src/core/store/repositories.js'
import {demoCopy, simDaemon, type SimDaemon} from './helpers.js'

const CSV = (uber: number) => `symbol,quantity,entry_price,mark_price,underlying_price,multiplier
UBER 2026-12-04 100P,-1,2.00,${Math.max(0.01, 100 - uber)},${uber},
UBER 2026-12-04 95C,-1,1.00,${Math.max(0.01, uber - 95)},${uber},
`

const DAEMON = `
daemon:
  monitor: {in_hours_seconds: 3600, out_of_hours_seconds: 0}
  scan: {cron: "0 0 1 1 *", timezone: America/New_York}
  eod: {offset_minutes: 15}
  alerts: {file: ../data/alerts.jsonl, dedupe_seconds: 3600, max_per_hour: 100}
  log: {file: ../data/daemon.log}
`

/** Trade dates of `m` with a session from `from` to `to` inclusive. */
function sessions(m: Market, from: string, to: string): string[] {
  const out: string[] = []
  for (let t = Date.parse(`${from}T12:00:00Z`); t <= Date.parse(`${to}T12:00:00Z`); t += 86_400_000) {
    const d = new Date(t).toISOString().slice(0, 10)
    if (calendar.sessionOn(m, d)) out.push(d)
  }
  return out
}

describe('asleep over an expiry Friday, then stopped over Christmas', () => {
  const ws = demoCopy({daemon: DAEMON})
  let sim: SimDaemon
  let second: SimDaemon
  let resumedAt: Date

  beforeAll(async () => {
    writeFileSync(path.join(ws.dataDir, 'sim.csv'), CSV(95))
    sim = simDaemon(ws, new Date('2026-11-30T14:00:00Z'))
    await sim.daemon.boot()
    // A paper trade approved earlier: long one UBER 90 call expiring Friday, bought at 1.00 (booked as approve books it: the trade and its ledger event).
    const call = {
      portfolio: 'sim-expiry', kind: 'paper', status: 'open', proposalId: null, symbol: 'UBER 2026-12-04 90C', brokerSymbol: null, instrumentType: 'equity_option', underlying: 'UBER',
      quantity: 1, price: 1, multiplier: 100, currency: 'USD', option: {expiry: '2026-12-04', strike: 90, right: 'call', style: 'american'},
      entry: {underlyingPrice: 95, iv: null, greeks: null, greeksSource: 'none'}, orderId: null, orderStatus: null, createdAt: '2026-11-30T14:00:00.000Z',
    } as const
    await writeDb(ws.dbPath, (db) => {
      repo.insertTrade(db, call, call.createdAt)
      bookApprovedTrades(db, [call], 0, 'paper', call.createdAt)
    })
    sim.daemon.start()
    await sim.clock.runUntil(new Date('2026-12-03T18:30:00Z')) // Thursday 13:30 New York: the lid closes
    // While it sleeps: Friday closes at 95 (stored as the DXLink daily candles / a price import would store it) …
    await writeDb(ws.dbPath, (db) => upsertPrices(db, [{symbol: 'UBER', date: '2026-12-04', close: 95, iv: null, source: 'candle'}]))
    // … and on Monday morning the quote is 102.
    writeFileSync(path.join(ws.dataDir, 'sim.csv'), CSV(102))
    resumedAt = new Date('2026-12-07T15:00:00Z')
    sim.clock.advance(resumedAt.getTime() - sim.clock.now().getTime())
    await sim.clock.runUntil(new Date('2026-12-09T12:00:00Z'))
    // Wednesday 9 December morning: stopped; started again Monday 28 December (weekends, the 24th's early close, the 25th's holiday).
    await sim.daemon.stop()
    second = simDaemon(ws, new Date('2026-12-28T14:00:00Z'))
    await second.daemon.boot()
    await second.daemon.catchUp()
    second.daemon.start()
    await second.clock.runUntil(new Date('2026-12-28T22:00:00Z'))
    await second.daemon.stop()
  }, 600_000)

  it('one end of day per market day, each once, oldest first; those done after the next open are marked late with the price used', async () => {
    const runs = await readDb(ws.dbPath, (db) => dstore.eodRuns(db))
    for (const m of ['XNYS', 'XNSE'] as Market[]) {
      const mine = runs.filter((r) => r.market === m)
      // The first boot does the latest close before it (no backfill on a new database); then every session.
      const first = calendar.previousClose(m, new Date('2026-11-30T13:45:00Z'))!.date
      expect(mine.map((r) => r.date)).toEqual(sessions(m, first, '2026-12-28'))
    }
    const ny = new Map(runs.filter((r) => r.market === 'XNYS').map((r) => [r.date, r]))
    // Thursday's and Friday's closes were done on Monday morning, in date order.
    expect(ny.get('2026-12-03')!.ranAt).toBe(resumedAt.toISOString())
    expect(ny.get('2026-12-04')!.ranAt).toBe(resumedAt.toISOString())
    expect(ny.get('2026-12-04')!.late).toBe(true)
    const late = ny.get('2026-12-04')!.detail.find((d) => d.symbol === 'UBER 2026-12-04 95C')!
    // Valued at the last price the daemon had (Thursday 13:00 New York), said so: never Monday's 102.
    expect(late).toEqual({portfolio: 'sim-expiry', symbol: 'UBER 2026-12-04 95C', price: 0.01, observedAt: '2026-12-03T18:00:00.000Z'})
    // On time the rest of the week: nothing synced that day is late (the demo's Fidelity exports, stamped
    // 24 November, are: their prices are that day's, and each row says so).
    expect(ny.get('2026-12-07')!.detail.filter((d) => d.portfolio === 'sim-expiry' || d.portfolio.startsWith('research'))).toEqual([])
    expect(ny.get('2026-12-07')!.detail.every((d) => d.observedAt === '2026-11-24T21:05:00.000Z')).toBe(true)
    // Christmas Eve (early close) caught up by the restarted process on Monday 28th; the 25th had no session.
    expect(ny.get('2026-12-24')!.ranAt.startsWith('2026-12-28')).toBe(true)
    expect(ny.has('2026-12-25')).toBe(false)
  })

  it('one alert summarises each gap', async () => {
    const alerts = await readDb(ws.dbPath, (db) => dstore.listAlerts(db, {limit: 10_000}).filter((a) => a.kind === 'resume'))
    expect(alerts).toHaveLength(2)
    expect(alerts[0].message).toMatch(/^asleep from 2026-12-03 18:30Z to 2026-12-07 15:00Z: [34] closes caught up \(.*XNYS 2026-12-03.*XNYS 2026-12-04.*\), [34] without that day's prices$/)
    expect(alerts[1].message).toMatch(/to 2026-12-28 14:00Z: 24 closes caught up .*XNYS 2026-12-24\), 2[34] without that day's prices/)
  })

  it('the put is assigned on Friday’s close of 95 (not Monday’s 102), provisionally, delivering 100 shares at the strike', async () => {
    const {expiries, events} = await readDb(ws.dbPath, (db) => ({expiries: dstore.listExpiries(db).filter((e) => e.portfolio === 'sim-expiry'), events: loadEvents(db, {portfolio: 'sim-expiry'}).filter((e) => e.source === 'daemon')}))
    expect(expiries).toHaveLength(1)
    expect(expiries[0]).toMatchObject({symbol: 'UBER 2026-12-04 100P', date: '2026-12-04', outcome: 'assigned', underlyingPrice: 95, intrinsic: 5, priceSource: 'stored_close', stockQuantity: 100, kind: 'option'})
    expect(expiries[0].realizedPnl).toBeCloseTo(200, 9) // (0 − 2) × −1 × 100: the premium; the 5 given up is in the 100 shares at the strike
    expect(expiries[0].at).toBe(resumedAt.toISOString()) // processed late, under its own date
    expect(events.map((e) => [e.kind, e.symbol, e.quantity, e.price, e.provisional])).toEqual([
      ['assignment', 'UBER 2026-12-04 100P', 1, 0, true],
      ['assignment', 'UBER', 100, 100, true],
    ])
    const log = sim.lines.join('\n')
    expect(log).toMatch(/expiry 2026-12-04: sim-expiry UBER 2026-12-04 100P assigned → 100 UBER on the close 95.00 of 2026-12-04, realized 200\.00 USD/)
    // Monday's 102 would have let it expire worthless
    expect(log).not.toMatch(/100P expired|on the close 102/)
  })

  it('the call at the strike is pin risk: pending settlement, alerted once, still in the book', async () => {
    const {pending, alerts, positions, rows} = await readDb(ws.dbPath, (db) => ({
      pending: dstore.pendingSettlements(db),
      alerts: dstore.listAlerts(db, {limit: 10_000}).filter((a) => a.kind === 'pin_risk' || a.kind === 'pending_settlement'),
      positions: repo.loadPositions(db).filter((p) => p.portfolio === 'sim-expiry'),
      rows: pendingSettlementRows(db, ['sim-expiry']),
    }))
    expect(pending.map((p) => [p.symbol, p.expiryDate, p.reason, p.resolvedAt])).toEqual([['UBER 2026-12-04 95C', '2026-12-04', 'pin_risk', null]])
    expect(pending[0].detail).toMatch(/pin risk: assignment uncertain \(UBER closed at 95, within ±0.095 of the 95 strike\)/)
    expect(alerts).toHaveLength(1)
    expect(positions.map((p) => p.symbol)).toEqual(['UBER 2026-12-04 95C'])
    expect(rows.map((r) => [r.symbol, r.pendingKind, r.quantity])).toEqual([
      ['UBER 2026-12-04 100P', 'provisional', 0],
      ['UBER', 'provisional', 100],
      ['UBER 2026-12-04 95C', 'unsettled', -1],
    ])
  })

  it('no job starved: every end of day ran within the tick after it was due, and nothing was skipped', () => {
    for (const s of [sim, second]) {
      expect(s.daemon.status.counts.skipped).toBe(0)
      expect(s.lines.filter((l) => /skipped: .* still running/.test(l))).toEqual([])
    }
  })

  it('daemon status after the stop equals the log: not running, the last state and when it was last seen', async () => {
    const st = await daemonStatusService({dbPath: ws.dbPath})
    const lastTransition = second.lines.filter((l) => / → /.test(l)).at(-1)!
    expect(st.running).toBe(false)
    expect(st.state).toBe('not running')
    expect(lastTransition).toMatch(new RegExp(`→ ${st.lastState}: `))
    expect(st.lastSeenAt).toBe('2026-12-28T22:00:00.000Z')
    const tick = second.lines.filter((l) => /\[monitor\] tick/.test(l)).at(-1)!
    expect(tick).toContain(st.lastTick!.message)
  })

  it('the paper call settles at its expiry like a held leg: exercised on 95, the option closed at 0, realised (0 − 1) × 100 = −100, 100 paper shares at 90 (+500 at 95): +400 in all, counted once; one number everywhere', async () => {
    const {trades, events} = await readDb(ws.dbPath, (db) => ({trades: repo.loadTrades(db, {kind: 'paper'}).filter((t) => t.portfolio === 'sim-expiry'), events: loadEvents(db, {portfolio: 'sim-expiry'}).filter((e) => e.source === 'paper')}))
    expect(trades.map((t) => [t.symbol, t.status, t.quantity, t.price])).toEqual([['UBER 2026-12-04 90C', 'exercised', 1, 1], ['UBER', 'open', 100, 90]])
    const closes = await readDb(ws.dbPath, (db) => repo.loadTradeCloses(db))
    expect(closes.get(trades[0].id)).toMatchObject({closePrice: 0, realizedPnl: -100})
    expect(events.map((e) => [e.kind, e.symbol, e.quantity, e.price, e.provisional])).toEqual([['trade', 'UBER 2026-12-04 90C', 1, 1, false], ['exercise', 'UBER 2026-12-04 90C', -1, 0, false], ['exercise', 'UBER', 100, 90, false]])
    const list = await tradesList({config: sim.config, dbPath: ws.dbPath, portfolio: 'sim-expiry', asOf: new Date('2026-12-28T22:00:00Z')})
    const line = list.trades.find((t) => t.symbol === 'UBER 2026-12-04 90C')!
    expect(line).toMatchObject({status: 'exercised', realizedPnl: -100})
    // trades list and the ledger's lots agree on the option's realised P&L (the same convention: the option closes at 0)
    const realized = await realizedService({config: sim.config, dbPath: ws.dbPath, portfolios: ['sim-expiry'], asOf: new Date('2026-12-28T22:00:00Z')})
    expect(realized.positions.find((r) => r.symbol === 'UBER 2026-12-04 90C')?.realized).toBe(-100)
  })
})
