/*
 * A simulated trading week on the demo book: Thanksgiving week 2026 (Thursday 26 closed, Friday 27
 * closes at 13:00 New York), run by a SimClock in seconds of wall time.
 */
import {writeFileSync} from 'node:fs'
import path from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {approve} from '../../src/core/services/approve.js'
import {calendar, type Market} from '../../src/core/services/calendar-adapter.js'
import {loadEvents} from '../../src/core/store/ledger.js'
import {readDb} from '../../src/core/store/database.js'
import * as dstore from '../../src/core/store/daemon.js'
import * as repo from '../../src/core/store/repositories.js'
import {readHistory} from '../../src/core/store/history.js'
import {portfolioSnapshots, snapshotDates} from '../../src/core/store/snapshots.js'
import {demoCopy, SIM_CSV, simDaemon, type SimDaemon} from './helpers.js'

const START = new Date('2026-11-22T12:00:00Z') // Sunday
const END = new Date('2026-11-28T12:00:00Z') // Saturday
const HOUR = 3_600_000

describe('simulated Thanksgiving week 2026 on the demo book', () => {
  const ws = demoCopy()
  let sim: SimDaemon
  let approvedId = 0

  beforeAll(async () => {
    sim = simDaemon(ws, START)
    await sim.daemon.boot()
    sim.daemon.start()
    // Tuesday noon New York: the sim put's mark jumps (loss 1,049 > max_loss 1,000) …
    await sim.clock.runUntil(new Date('2026-11-23T20:00:00Z'))
    // … but first, Monday afternoon, the trader approves the call's close from "another shell".
    const pending = await readDb(ws.dbPath, (db) => repo.loadProposals(db, {status: 'pending'}).filter((p) => p.portfolio === 'sim-expiry'))
    const call = pending.find((p) => p.legs[0].symbol === 'UBER 2026-11-25 110C')!
    approvedId = call.id
    await approve({config: sim.config, dbPath: ws.dbPath, asOf: sim.clock.now(), id: call.id, live: false, force: false, yes: true})
    await sim.clock.runUntil(new Date('2026-11-24T17:00:00Z'))
    writeFileSync(path.join(ws.dataDir, 'sim.csv'), SIM_CSV(12))
    // Wednesday noon: back to normal, the breach clears.
    await sim.clock.runUntil(new Date('2026-11-25T17:00:00Z'))
    writeFileSync(path.join(ws.dataDir, 'sim.csv'), SIM_CSV(5.8))
    await sim.clock.runUntil(END)
  }, 600_000)

  const ticks = () =>
    sim.lines
      .filter((l) => / \[monitor\] tick( \(out of hours\))?: /.test(l))
      .map((l) => ({at: new Date(`${l.slice(0, 10)}T${l.slice(11, 19)}Z`), inHours: !l.includes('out of hours')}))

  it('monitor ticks: hourly in NYSE or NSE hours, none on Thanksgiving in New York hours, every 6 h outside', () => {
    const markets: Market[] = ['XNSE', 'XNYS']
    expect(sim.daemon.markets()).toEqual(markets)
    const t = ticks()
    const inHours = t.filter((x) => x.inHours)
    // Hand count for NYSE alone: Mon–Wed 15:00–20:00 UTC (6 each), Thursday closed, Friday 15–17 UTC (13:00 close) = 21.
    const nyse = inHours.filter((x) => calendar.isOpen('XNYS', x.at))
    expect(nyse).toHaveLength(21)
    expect(nyse.filter((x) => x.at.toISOString().startsWith('2026-11-26'))).toEqual([])
    expect(nyse.filter((x) => x.at.toISOString().startsWith('2026-11-27')).map((x) => x.at.getUTCHours())).toEqual([15, 16, 17])
    // Every hourly instant with a market of the book open is a tick in hours, and only those.
    const expected: number[] = []
    for (let at = START.getTime() + HOUR; at <= END.getTime(); at += HOUR) if (markets.some((m) => calendar.isOpen(m, new Date(at)))) expected.push(at)
    expect(inHours.map((x) => x.at.getTime())).toEqual(expected)
    // Outside hours: the first hourly instant at least 6 h after the previous out-of-hours tick.
    const outside: number[] = []
    for (let at = START.getTime() + HOUR; at <= END.getTime(); at += HOUR)
      if (!markets.some((m) => calendar.isOpen(m, new Date(at))) && (outside.length === 0 || at - outside[outside.length - 1] >= 6 * HOUR)) outside.push(at)
    expect(t.filter((x) => !x.inHours).map((x) => x.at.getTime())).toEqual(outside)
    expect(sim.daemon.status.counts.ticksInHours).toBe(expected.length)
    expect(sim.daemon.status.counts.ticksOutOfHours).toBe(outside.length)
  })

  it('exactly one end of day per market day, after the close plus 15 minutes, and one snapshot per day per portfolio', async () => {
    const eods = sim.lines.filter((l) => / \[eod\] end of day /.test(l)).map((l) => l.slice(l.indexOf('end of day ') + 11, l.indexOf('end of day ') + 26))
    const week = ['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27']
    const nyseDays = week.filter((d) => calendar.sessionOn('XNYS', d))
    const nseDays = week.filter((d) => calendar.sessionOn('XNSE', d))
    expect(nyseDays).toEqual(['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-27'])
    for (const d of nyseDays) expect(eods.filter((e) => e === `XNYS ${d}`)).toHaveLength(1)
    for (const d of nseDays) expect(eods.filter((e) => e === `XNSE ${d}`)).toHaveLength(1)
    expect(eods.filter((e) => e.endsWith('2026-11-26') && e.startsWith('XNYS'))).toEqual([])
    const dates = await readHistory(ws.dbPath, (h) => ({sim: snapshotDates(h, 'sim-expiry'), zerodha: snapshotDates(h, 'zerodha'), fid: snapshotDates(h, 'fidelity-ira')}))
    expect(dates.sim.filter((d) => week.includes(d))).toEqual(nyseDays)
    expect(dates.fid.filter((d) => week.includes(d))).toEqual(nyseDays)
    expect(dates.zerodha.filter((d) => week.includes(d))).toEqual(nseDays)
    // Friday's early close: the snapshot is taken at 13:15 New York (18:15 UTC).
    const [friday] = await readHistory(ws.dbPath, (h) => portfolioSnapshots(h, {portfolios: ['sim-expiry'], from: '2026-11-27', to: '2026-11-27'}))
    expect(friday.takenAt).toBe('2026-11-27T18:15:00.000Z')
  })

  it('options leave the book on their expiry day with the realised P&L: the call worthless Wednesday, the put assigned Friday', async () => {
    const {expiries, positions, trades} = await readDb(ws.dbPath, (db) => ({expiries: dstore.listExpiries(db), positions: repo.loadPositions(db), trades: repo.loadTrades(db, {kind: 'paper'})}))
    const sim = expiries.filter((e) => e.portfolio === 'sim-expiry')
    expect(sim.map((e) => [e.symbol, e.date, e.outcome, e.intrinsic])).toEqual([
      ['UBER 2026-11-25 110C', '2026-11-25', 'expired', 0],
      ['UBER 2026-11-27 100P', '2026-11-27', 'assigned', 100 - 94.35],
    ])
    expect(sim[0].realizedPnl).toBeCloseTo(-50, 9) // (0 − 0.50) × 1 × 100
    expect(sim[1].realizedPnl).toBeCloseTo(200, 9) // (0 − 2.00) × −1 × 100: the premium; the 5.65 given up is in the 100 shares at the 100 strike
    expect(sim[1]).toMatchObject({stockSymbol: 'UBER', stockQuantity: 100})
    expect(sim[0].at).toBe('2026-11-25T21:15:00.000Z')
    expect(positions.filter((p) => p.portfolio === 'sim-expiry')).toEqual([])
    // No paper trade any more (issue 16): the assignment is a provisional ledger event pair, the shares delivered at the strike.
    expect(trades.filter((t) => t.portfolio === 'sim-expiry' && t.symbol === 'UBER')).toEqual([])
    const events = await readDb(ws.dbPath, (db) => loadEvents(db, {portfolio: 'sim-expiry'}))
    // The approved close of the call (a paper trade, −1 110C, booked in the ledger by approve) expired with it: settled as a paper event, no longer open.
    expect(events.filter((e) => e.source === 'paper').map((e) => [e.kind, e.symbol, e.quantity])).toEqual([['trade', 'UBER 2026-11-25 110C', -1], ['expiration', 'UBER 2026-11-25 110C', 1]])
    expect(events.filter((e) => e.source === 'daemon').map((e) => [e.kind, e.symbol, e.quantity, e.price, e.provisional, e.source])).toEqual([
      ['expiration', 'UBER 2026-11-25 110C', -1, 0, true, 'daemon'],
      ['assignment', 'UBER 2026-11-27 100P', 1, 0, true, 'daemon'],
      ['assignment', 'UBER', 100, 100, true, 'daemon'],
    ])
    // Each expiring option is in its last day's snapshot (held at that close): Wednesday the call and its
    // paper close with the put, Friday the put; nothing after it.
    const snaps = (await readHistory(ws.dbPath, (h) => portfolioSnapshots(h, {portfolios: ['sim-expiry']}))).map((s) => ({date: s.date, positions: s.positions}))
    expect(snaps.filter((s) => s.date >= '2026-11-23')).toEqual([
      {date: '2026-11-23', positions: 3}, {date: '2026-11-24', positions: 3}, {date: '2026-11-25', positions: 3}, {date: '2026-11-27', positions: 1},
    ])
  })

  it('rule proposals are made once, not again at each scan while pending or after approval; an approval goes through execution', async () => {
    const {proposals, events} = await readDb(ws.dbPath, (db) => ({proposals: repo.loadProposals(db).filter((p) => p.portfolio === 'sim-expiry'), events: dstore.workflowEvents(db, {limit: 5000})}))
    expect(proposals.map((p) => [p.reason!.split(':')[0], p.legs[0].symbol, p.createdAt])).toEqual([
      ['close_at_dte', 'UBER 2026-11-25 110C', '2026-11-23T16:00:00.000Z'], // Monday 11:00 New York, 2 days to expiry
      ['close_at_dte', 'UBER 2026-11-27 100P', '2026-11-24T16:00:00.000Z'], // Tuesday, 3 days
      ['assignment_risk', 'UBER 2026-11-27 100P', '2026-11-25T16:00:00.000Z'], // Wednesday: short, 5.65 in the money, 2 days
    ])
    expect(proposals.every((p) => p.source === 'rule')).toBe(true)
    expect(proposals.find((p) => p.id === approvedId)!.status).toBe('approved')
    const intoExecution = events.filter((e) => e.to === 'execution')
    expect(intoExecution.length).toBeGreaterThan(0)
    expect(intoExecution.every((e) => e.from === 'pending_approval')).toBe(true)
    expect(intoExecution[0].reason).toContain(`approved: ${approvedId}`)
    expect(events[0]).toMatchObject({from: 'initializing', to: 'market_analysis', at: START.toISOString()})
  })

  it('a breach is alerted once when it appears and once when it clears', async () => {
    const alerts = await readDb(ws.dbPath, (db) => dstore.listAlerts(db, {limit: 10_000}))
    const mine = alerts.filter((a) => a.key.startsWith('breach:sim-expiry:maxLoss'))
    expect(mine.map((a) => [a.kind, a.at, a.status])).toEqual([
      ['breach', '2026-11-24T18:00:00.000Z', 'sent'], // first tick after the mark jumped (just after Tuesday's 17:00 UTC tick)
      ['breach_cleared', '2026-11-25T18:00:00.000Z', 'sent'],
    ])
    // The demo's own standing breaches: each alerted exactly once all week.
    const demo = alerts.filter((a) => a.kind === 'breach')
    expect(new Set(demo.map((a) => a.key)).size).toBe(demo.length)
    expect(demo.length).toBeGreaterThan(3)
  })
})
