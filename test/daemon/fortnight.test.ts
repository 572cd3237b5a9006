/*
 * A simulated fortnight (issue 18's Tests section) on the demo book plus the local fake TastyTrade
 * (real SDK, real REST and DXLink), run by a SimClock in seconds of wall time, Wednesday 10 to
 * Wednesday 31 March 2027:
 *
 *   Wed 10  the fake broker down for an hour (14:30–15:30 UTC); a config reload with an error (twice);
 *           the disk write of New York's end of day fails once (21:15 UTC)
 *   Thu 11  the access token expires mid-sync (the fake answers 401 to the old token, accepts the
 *           refreshed one); a DXLink connection goes silent (no data, no keepalive)
 *   Thu 11 19:30 UTC → Mon 15 15:00 UTC  laptop asleep: over Friday 12's close, where a short UBER 100
 *           put expires in the money (UBER closed at 95, stored as DXLink candles store it; Monday's
 *           quote is 102) and a short UBER 95 call expires exactly at its strike (pin risk); and over
 *           the change to daylight saving time (Sunday 14)
 *   Fri 19  a long UBER 110 call expires out of the money while the daemon runs (settled on the close it saw)
 *   Thu 25 22:00 UTC → Tue 30 14:00 UTC  the process stopped over Good Friday (26, both markets closed) and a weekend
 *
 * Asserted: one end of day per market day (late ones marked), settlement prices equal to the closes
 * of the expiry dates (never a later price), pending items alerted once, no job starved, `daemon
 * status` equal to the log, nothing lost or doubled in the database.
 */
import {writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest'
import {createTastytrade} from '../../src/core/adapters/tastytrade/adapter.js'
import {fileAdapter} from '../../src/core/adapters/file.js'
import {loadConfig} from '../../src/core/config/config.js'
import {calendar, type Market} from '../../src/core/services/calendar-adapter.js'
import {daemonStatusService} from '../../src/core/services/daemon/status.js'
import type {AdapterFactory} from '../../src/core/services/sync.js'
import {readDb, writeDb} from '../../src/core/store/database.js'
import * as dstore from '../../src/core/store/daemon.js'
import {readHistory} from '../../src/core/store/history.js'
import {loadEvents} from '../../src/core/store/ledger.js'
import {upsertPrices} from '../../src/core/store/prices.js'
import * as repo from '../../src/core/store/repositories.js'
import {portfolioSnapshots} from '../../src/core/store/snapshots.js'
import {defaultBalances, envFor, startFakeTastytrade, type FakeTastytrade, type Row} from '../fake-tastytrade/index.js'
import {demoCopy, simDaemon, type SimDaemon} from './helpers.js'

// A disk write that fails once: armed, the next main-database write runs and then fails before its
// save (as a full disk or an I/O error would): rolled back, nothing of it stored.
const disk = vi.hoisted(() => ({failNext: false, failed: [] as string[]}))
vi.mock('../../src/core/store/database.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/core/store/database.js')>()
  return {
    ...real,
    writeDb: (file: string, fn: (db: Parameters<typeof real.writeDb>[1] extends (db: infer D) => unknown ? D : never) => unknown, options?: Parameters<typeof real.writeDb>[2]) => {
      if (!disk.failNext) return real.writeDb(file, fn, options)
      disk.failNext = false
      return real.writeDb(file, (db) => {
        fn(db)
        disk.failed.push(new Error().stack ?? '')
        throw new Error('EIO: i/o error, write (injected: the disk write failed once)')
      }, options)
    },
  }
})

const ACCOUNT = '5WT00001' // the demo's tastytrade account
const POSITIONS = `/accounts/${ACCOUNT}/positions`

/** The sim-expiry portfolio's export: two options expiring Friday 12 March, one Friday 19 March. */
const CSV = (uber: number) => `symbol,quantity,entry_price,mark_price,underlying_price,multiplier
UBER 2027-03-12 100P,-1,2.00,${Math.max(0.01, 100 - uber)},${uber},
UBER 2027-03-12 95C,-1,1.00,${Math.max(0.01, uber - 95)},${uber},
UBER 2027-03-19 110C,1,0.50,0.01,${uber},
`

const DAEMON = `
daemon:
  monitor: {in_hours_seconds: 10800, out_of_hours_seconds: 0}
  scan: {cron: "0 11 * * 1-5", timezone: America/New_York}
  eod: {offset_minutes: 15}
  backoff: {initial_seconds: 60, max_seconds: 240, factor: 2}
  rules: {close_at_dte: 3, assignment_risk_dte: 2}
  feed: {silent_seconds: 0.2}
  alerts: {file: ../data/alerts.jsonl, dedupe_seconds: 3600, max_per_hour: 100}
  log: {file: ../data/daemon.log}
`

/** The fake account: 100 AAPL and a short AAPL put of January 2028 (nothing of it expires in the fortnight). */
function account(): {positions: Row[]; instruments: Record<string, {streamerSymbol: string; exerciseStyle: 'American'}>; options: Record<string, never>} {
  const stamp = {'account-number': ACCOUNT, 'created-at': '2026-11-03T15:31:07.112+00:00', 'updated-at': '2027-03-10T14:59:58.004+00:00', 'is-suppressed': false, 'is-frozen': false, 'restricted-quantity': '0.0'}
  return {
    positions: [
      {...stamp, symbol: 'AAPL', 'instrument-type': 'Equity', 'underlying-symbol': 'AAPL', quantity: '100', 'quantity-direction': 'Long', 'close-price': '189.2', 'average-open-price': '180.5', 'mark-price': '190.0', mark: '19000.0', multiplier: 1, 'cost-effect': 'Debit'},
      {...stamp, symbol: 'AAPL  280121P00170000', 'instrument-type': 'Equity Option', 'underlying-symbol': 'AAPL', quantity: '1', 'quantity-direction': 'Short', 'close-price': '9.3', 'average-open-price': '10.2', 'mark-price': '9.1', mark: '910.0', multiplier: 100, 'cost-effect': 'Credit', 'expires-at': '2028-01-21T21:00:00.000+00:00'},
    ],
    instruments: {'AAPL  280121P00170000': {streamerSymbol: '.AAPL280121P170', exerciseStyle: 'American'}},
    options: {'.AAPL280121P170': {underlying: 'AAPL', expiry: '2028-01-21', strike: 170, right: 'put', model: 'bsm', style: 'american', vol: 0.27}} as never,
  }
}

/** Trade dates of `m` with a session from `from` to `to` inclusive. */
function sessions(m: Market, from: string, to: string): string[] {
  const out: string[] = []
  for (let t = Date.parse(`${from}T12:00:00Z`); t <= Date.parse(`${to}T12:00:00Z`); t += 86_400_000) {
    const d = new Date(t).toISOString().slice(0, 10)
    if (calendar.sessionOn(m, d)) out.push(d)
  }
  return out
}

const at = (iso: string) => new Date(iso)
/** `2027-03-10 15:00` from a human log line (`2027-03-10 15:00:00Z [job] …`). */
const when = (l: string) => `${l.slice(0, 10)}T${l.slice(11, 19)}Z`

describe('a simulated fortnight of faults on the demo book and the fake TastyTrade (March 2027)', () => {
  const ws = demoCopy({daemon: DAEMON})
  let fake: FakeTastytrade
  let first: SimDaemon
  let second: SimDaemon
  const marks: Record<string, {before: number; after: number}> = {}
  /** `daemon status` next to the log at checkpoints along the way */
  const checkpoints: {at: string; lastState: string | null; lastTransition: string | undefined; lastTick: string | null; tickLine: string | undefined}[] = []
  const reloads: boolean[] = []
  let tokenCallsBefore = 0

  const checkpoint = async (sim: SimDaemon) => {
    const st = await daemonStatusService({dbPath: ws.dbPath})
    const job = st.lastTick?.job
    checkpoints.push({
      at: sim.clock.now().toISOString(), lastState: st.lastState, lastTransition: sim.lines.filter((l) => / → /.test(l)).at(-1),
      lastTick: st.lastTick?.message ?? null, tickLine: job ? sim.lines.filter((l) => l.includes(`[${job === 'monitor' ? 'monitor' : job}]`)).at(-1) : undefined,
    })
  }

  beforeAll(async () => {
    fake = await startFakeTastytrade({accounts: [ACCOUNT], ...account(), balances: {...defaultBalances(), 'account-number': ACCOUNT}, asOf: '2027-03-10T15:00:00.000Z', quotes: {AAPL: {bid: 189.9, ask: 190.1, last: 190.02}, SPY: {bid: 600.1, ask: 600.3, last: 600.2}}})
    const env = envFor(fake)
    // One adapter factory as the daemon's default, pointed at the fake (short retry waits).
    const adapters: AdapterFactory = {file: async () => fileAdapter(), tastytrade: async () => createTastytrade(loadConfig(ws.configFile), env, {retryBaseMs: 1})}
    writeFileSync(path.join(ws.dataDir, 'sim.csv'), CSV(96))
    // The feed's Greeks wait: short (the Fidelity options of the demo have no market at the fake and wait it out each tick).
    writeFileSync(ws.configFile, (await import('node:fs')).readFileSync(ws.configFile, 'utf8').replace(/greeks_wait_seconds: \d+/, 'greeks_wait_seconds: 0.6'))
    first = simDaemon(ws, at('2027-03-10T12:00:00Z'), {adapters, env})
    await first.daemon.boot()
    await first.daemon.catchUp()
    first.daemon.start()

    // Wednesday: the broker down for an hour.
    await first.clock.runUntil(at('2027-03-10T14:30:00Z'))
    fake.setScenario({faults: [{path: /.*/, kind: 'status', status: 503, message: 'down for maintenance'}]})
    await first.clock.runUntil(at('2027-03-10T15:30:00Z'))
    fake.setScenario({faults: []})
    await first.clock.runUntil(at('2027-03-10T16:00:00Z'))
    await checkpoint(first)
    // A config reload with an error, twice (SIGHUP, then SIGHUP again before fixing the file).
    const good = (await import('node:fs')).readFileSync(ws.configFile, 'utf8')
    writeFileSync(ws.configFile, good.replace('in_hours_seconds: 10800', 'in_hours_seconds: -5'))
    reloads.push(first.daemon.reload(), first.daemon.reload())
    writeFileSync(ws.configFile, good)
    // New York's end of day: its first write fails once.
    await first.clock.runUntil(at('2027-03-10T21:14:30Z'))
    disk.failNext = true
    await first.clock.runUntil(at('2027-03-11T14:30:00Z'))
    await checkpoint(first)
    // Thursday: the access token expires in the middle of a sync; then the feed goes silent.
    fake.setScenario({faults: [{path: POSITIONS, kind: 'revoke-token', times: 1}]})
    tokenCallsBefore = fake.state.tokenCalls
    const wsTick = fake.state.wsConnections
    await first.clock.runUntil(at('2027-03-11T15:30:00Z'))
    fake.setScenario({faults: []})
    marks.token = {before: tokenCallsBefore, after: fake.state.tokenCalls}
    marks.normalTick = {before: wsTick, after: fake.state.wsConnections}
    await first.clock.runUntil(at('2027-03-11T17:30:00Z'))
    fake.setScenario({dxlink: {authorize: true, dropOnce: false, lateFeedConfigMs: 0, fieldOrder: 'accepted', silent: [], silentOnce: true}})
    const ws0 = fake.state.wsConnections
    await first.clock.runUntil(at('2027-03-11T18:30:00Z'))
    marks.dxlink = {before: ws0, after: fake.state.wsConnections}
    await first.clock.runUntil(at('2027-03-11T19:30:00Z'))
    await checkpoint(first)

    // The lid closes. Friday UBER closes at 95 (stored as the DXLink daily candles store it); Monday's quote is 102.
    await writeDb(ws.dbPath, (db) => upsertPrices(db, [{symbol: 'UBER', date: '2027-03-12', close: 95, iv: null, source: 'candle'}]))
    writeFileSync(path.join(ws.dataDir, 'sim.csv'), CSV(102))
    first.clock.advance(at('2027-03-15T15:00:00Z').getTime() - first.clock.now().getTime())
    await first.clock.runUntil(at('2027-03-15T15:30:00Z'))
    await checkpoint(first)
    await first.clock.runUntil(at('2027-03-25T22:00:00Z'))
    await checkpoint(first)
    await first.daemon.stop()

    // Stopped over Good Friday and the weekend; started again Tuesday morning.
    second = simDaemon(ws, at('2027-03-30T14:00:00Z'), {adapters, env})
    await second.daemon.boot()
    await second.daemon.catchUp()
    second.daemon.start()
    await second.clock.runUntil(at('2027-03-31T22:00:00Z'))
    await checkpoint(second)
    await second.daemon.stop()
  }, 900_000)

  afterAll(async () => {
    await fake?.close()
  })

  const lines = () => [...first.lines, ...second.lines]

  it('one end of day per market day, each once, in date order; those caught up are marked late with the price used', async () => {
    const runs = await readDb(ws.dbPath, (db) => dstore.eodRuns(db))
    for (const m of ['XNYS', 'XNSE'] as Market[]) {
      const mine = runs.filter((r) => r.market === m)
      const firstClose = calendar.previousClose(m, at('2027-03-10T11:45:00Z'))!.date
      expect(mine.map((r) => r.date)).toEqual(sessions(m, firstClose, '2027-03-31'))
      // Good Friday: no session, no end of day.
      expect(mine.some((r) => r.date === '2027-03-26')).toBe(false)
    }
    const ny = new Map(runs.filter((r) => r.market === 'XNYS').map((r) => [r.date, r]))
    const nse = new Map(runs.filter((r) => r.market === 'XNSE').map((r) => [r.date, r]))
    // Caught up after the suspend (Thursday's and Friday's New York closes, Friday's Indian one) and after the stop.
    for (const r of [ny.get('2027-03-11')!, ny.get('2027-03-12')!, nse.get('2027-03-12')!]) expect(r.ranAt).toBe('2027-03-15T15:00:00.000Z')
    for (const r of [ny.get('2027-03-29')!, nse.get('2027-03-29')!]) expect(r.ranAt).toBe('2027-03-30T14:00:00.000Z')
    // Those valued at a later price say so, row by row: the sim book's last prices were Thursday's (18:00 UTC tick) …
    const simLate = (r: dstore.EodRun) => r.detail.filter((d) => d.portfolio === 'sim-expiry')
    expect(ny.get('2027-03-12')!.late).toBe(true)
    expect(simLate(ny.get('2027-03-12')!).map((d) => [d.symbol, d.observedAt])).toEqual([
      ['UBER 2027-03-12 100P', '2027-03-11T18:00:00.000Z'], ['UBER 2027-03-12 95C', '2027-03-11T18:00:00.000Z'], ['UBER 2027-03-19 110C', '2027-03-11T18:00:00.000Z'],
    ])
    // … and after the stop, those of the restarted process's boot sync (Tuesday 30th), the latest it had.
    expect(simLate(ny.get('2027-03-29')!).map((d) => d.observedAt)).toEqual(['2027-03-30T14:00:00.000Z'])
    expect(simLate(ny.get('2027-03-29')!)).toHaveLength(1)
    // On time, the sim book (synced that day) is never late.
    for (const d of sessions('XNYS', '2027-03-15', '2027-03-25')) expect(simLate(ny.get(d)!)).toEqual([])
    // No end of day was done before its close plus the offset, nor (while running) more than a minute after.
    for (const r of runs) {
      const due = calendar.sessionOn(r.market as Market, r.date)!.close.getTime() + 15 * 60_000
      expect(Date.parse(r.ranAt)).toBeGreaterThanOrEqual(due)
      // (Done at a boot or a resume: the catch-up, asserted above.)
      const resumed = ['2027-03-10T12:00:00.000Z', '2027-03-15T15:00:00.000Z', '2027-03-30T14:00:00.000Z'].includes(r.ranAt)
      if (!resumed) expect(Date.parse(r.ranAt) - due).toBeLessThanOrEqual(60_000)
    }
  })

  it('the end of day follows New York time across the change to daylight saving: 21:15 UTC before, 20:15 UTC after', async () => {
    const snaps = await readHistory(ws.dbPath, (h) => portfolioSnapshots(h, {portfolios: ['fidelity-ira'], from: '2027-03-09', to: '2027-03-19'}))
    const taken = Object.fromEntries(snaps.map((s) => [s.date, s.takenAt]))
    // Wednesday's first write failed at 21:15; the end of day was done again at the next minute.
    expect(taken['2027-03-10']).toBe('2027-03-10T21:16:00.000Z')
    expect(taken['2027-03-16']).toBe('2027-03-16T20:15:00.000Z')
    expect(taken['2027-03-19']).toBe('2027-03-19T20:15:00.000Z')
  })

  it('a disk write that fails once: logged, nothing of it stored, done again at the next run; nothing lost or doubled', async () => {
    expect(disk.failed).toHaveLength(1)
    expect(lines().filter((l) => /injected: the disk write failed once/.test(l)).length).toBeGreaterThan(0)
    const {runs, transitions} = await readDb(ws.dbPath, (db) => ({runs: dstore.eodRuns(db).filter((r) => r.date === '2027-03-10' && r.market === 'XNYS'), transitions: dstore.workflowEvents(db, {limit: 100_000})}))
    expect(runs.map((r) => r.ranAt)).toEqual(['2027-03-10T21:16:00.000Z'])
    // One transition into and out of the end of day per market day (none doubled by the retry).
    const eodIn = transitions.filter((t) => t.to === 'eod_evaluation').map((t) => t.reason)
    expect(new Set(eodIn).size).toBe(eodIn.length)
    // Every transition the log shows is stored, and only those: the one whose write failed was not
    // taken (the machine stayed where the database said) and was made again at the next minute.
    const logged = lines().filter((l) => / \[workflow\] \S+ → \S+: /.test(l)).map((l) => {
      const m = / \[workflow\] (\S+) → (\S+): (.*)$/.exec(l)!
      return `${when(l)} ${m[1]} → ${m[2]}: ${m[3]}`
    })
    expect(transitions.map((t) => `${t.at.slice(0, 19)}Z ${t.from} → ${t.to}: ${t.reason}`)).toEqual(logged)
    expect(logged.filter((l) => l.startsWith('2027-03-10T21:1'))).toEqual([
      '2027-03-10T21:15:00Z pending_approval → monitoring: pending_approval failed: EIO: i/o error, write (injected: the disk write failed once)',
      '2027-03-10T21:16:00Z monitoring → eod_evaluation: XNYS closed for 2027-03-10',
      '2027-03-10T21:16:00Z eod_evaluation → monitoring: end of day done for XNYS 2027-03-10',
    ])
  })

  it('settlement on the closes of the expiry dates, never a later price: the put assigned on Friday’s 95, the call at the strike pending (pin risk), the 110 call worthless on the 19th’s close', async () => {
    const {expiries, events, pending} = await readDb(ws.dbPath, (db) => ({
      expiries: dstore.listExpiries(db).filter((e) => e.portfolio === 'sim-expiry'),
      events: loadEvents(db, {portfolio: 'sim-expiry'}).filter((e) => e.source === 'daemon'),
      pending: dstore.pendingSettlements(db),
    }))
    expect(expiries.map((e) => [e.symbol, e.date, e.outcome, e.underlyingPrice, e.intrinsic, e.priceSource])).toEqual([
      ['UBER 2027-03-12 100P', '2027-03-12', 'assigned', 95, 5, 'stored_close'],
      ['UBER 2027-03-19 110C', '2027-03-19', 'expired', 102, 0, 'stored_close'],
    ])
    expect(expiries[0].realizedPnl).toBeCloseTo(200, 9) // (0 − 2) × −1 × 100: the premium; the 5 given up is in the 100 shares at the strike
    expect(expiries[1].realizedPnl).toBeCloseTo(-50, 9) // (0 − 0.50) × 1 × 100
    expect(expiries[0].at).toBe('2027-03-15T15:00:00.000Z') // processed late, under its own date
    // The price of the 19th is one the daemon saw on the 19th, within the close's window.
    // The 19th's own close: the snapshot that end of day took of the book synced that day (not a late row).
    expect(expiries[1].priceAt).toBe('2027-03-19T20:15:00.000Z')
    expect(events.map((e) => [e.kind, e.symbol, e.quantity, e.price, e.provisional])).toEqual([
      ['assignment', 'UBER 2027-03-12 100P', 1, 0, true],
      ['assignment', 'UBER', 100, 100, true],
      ['expiration', 'UBER 2027-03-19 110C', -1, 0, true],
    ])
    expect(pending.filter((p) => p.portfolio === 'sim-expiry').map((p) => [p.symbol, p.expiryDate, p.reason, p.resolvedAt])).toEqual([['UBER 2027-03-12 95C', '2027-03-12', 'pin_risk', null]])
    // The demo's own contracts that expired months before (December, January) with no price of that day stored: pending, never settled on a later price.
    expect(pending.filter((p) => p.portfolio !== 'sim-expiry').every((p) => p.reason === 'no_settlement_price' && p.expiryDate < '2027-03-10')).toBe(true)
    expect(lines().join('\n')).not.toMatch(/2027-03-12 100P (expired|assigned)[^\n]*102/)
  })

  it('pending items alerted once, however many ends of day retried them', async () => {
    const alerts = await readDb(ws.dbPath, (db) => dstore.listAlerts(db, {limit: 100_000}))
    const pending = alerts.filter((a) => a.kind === 'pin_risk' || a.kind === 'pending_settlement')
    expect(pending.filter((a) => a.key.includes('sim-expiry')).map((a) => [a.kind, a.key, a.at])).toEqual([['pin_risk', 'pending:sim-expiry:UBER 2027-03-12 95C:2027-03-12', '2027-03-15T15:00:00.000Z']])
    // The demo's own options that expired months before (December, January) without a price stored: each pending, each alerted once.
    expect(pending.length).toBeGreaterThan(1)
    expect(new Set(pending.map((a) => a.key)).size).toBe(pending.length)
    // One resume alert per gap.
    const resume = alerts.filter((a) => a.kind === 'resume').map((a) => a.message)
    expect(resume).toHaveLength(2)
    expect(resume[0]).toMatch(/^asleep from 2027-03-11 19:30Z to 2027-03-15 15:00Z: 4 closes caught up \(XNSE 2027-03-12, XNSE 2027-03-15, XNYS 2027-03-11, XNYS 2027-03-12\)/)
    expect(resume[1]).toMatch(/to 2027-03-30 14:00Z: 3 closes caught up \(XNSE 2027-03-29, XNSE 2027-03-30, XNYS 2027-03-29\)/)
    // End-of-day alerts: one per market day done on time, none twice.
    const eod = alerts.filter((a) => a.kind === 'eod' && a.status === 'sent').map((a) => a.key)
    expect(new Set(eod).size).toBe(eod.length)
  })

  it('the broker down an hour: retried, the other portfolios kept syncing, recovered without a restart', async () => {
    const log = first.lines.join('\n')
    expect(log).toMatch(/2027-03-10 15:00:00Z .*sync tastytrade failed \(1 in a row\)/)
    expect(log).toMatch(/2027-03-10 18:00:00Z .*sync tastytrade recovered/)
    expect(first.lines.filter((l) => l.startsWith('2027-03-10 15:00:00Z') && / \[monitor\] tick: sync \d+ ok, 1 failed/.test(l))).toHaveLength(1)
  })

  it('the token expires mid-sync: the old one answered 401, refreshed once, the same sync goes on (no restart)', () => {
    const statuses = fake.requestsTo(POSITIONS).map((r) => r.status)
    const i = statuses.indexOf(401)
    expect(i).toBeGreaterThan(0)
    expect(statuses.filter((s) => s === 401)).toHaveLength(1)
    expect(statuses[i + 1]).toBe(200)
    // Each tick authenticates once; the tick with the expiry once more.
    const ticks = first.lines.filter((l) => l >= '2027-03-11 14:30' && l < '2027-03-11 15:30' && / \[monitor\] tick: /.test(l))
    expect(ticks).toHaveLength(1)
    expect(ticks[0]).toMatch(/sync \d+ ok, 0 failed/)
    expect(marks.token.after - marks.token.before).toBe(2)
  })

  it('a DXLink connection gone silent is closed and reopened with its subscriptions; the tick gets the feed’s Greeks', async () => {
    // More connections than a tick opens when all goes well (one per feed question): the silent one was closed and reopened.
    expect(marks.dxlink.after - marks.dxlink.before).toBeGreaterThan(marks.normalTick.after - marks.normalTick.before)
    const tick = first.lines.find((l) => l.startsWith('2027-03-11 18:00:00Z') && / \[monitor\] tick: /.test(l))!
    expect(tick).toMatch(/sync \d+ ok, 0 failed/)
  })

  it('a config reload with an error: the previous config kept, alerted once', async () => {
    expect(reloads).toEqual([false, false])
    const alerts = await readDb(ws.dbPath, (db) => dstore.listAlerts(db, {limit: 100_000}).filter((a) => a.kind === 'config'))
    expect(alerts.filter((a) => a.status === 'sent')).toHaveLength(1)
    expect(alerts[0].message).toMatch(/bad config on reload, old config kept: .*in_hours_seconds/)
    // Still every 3 hours afterwards (the bad file said -5 s).
    expect(first.lines.filter((l) => l >= '2027-03-10 16' && l < '2027-03-11 10' && / \[monitor\] tick: /.test(l)).map(when)).toEqual(['2027-03-10T18:00:00Z', '2027-03-11T06:00:00Z', '2027-03-11T09:00:00Z'])
  })

  it('no job starved: nothing skipped, every end of day within a minute of its due time while running (above), scans at their hours', () => {
    for (const s of [first, second]) {
      expect(s.daemon.status.counts.skipped).toBe(0)
      expect(s.lines.filter((l) => /skipped: .* still running/.test(l))).toEqual([])
    }
    // Scans at 11:00 New York on each weekday the daemon ran and a market traded (or said why not).
    const scans = lines().filter((l) => / \[scan\] scan( skipped)?: /.test(l)).map(when)
    expect(scans.filter((t) => t.startsWith('2027-03-16'))).toEqual(['2027-03-16T15:00:00Z'])
  })

  it('daemon status equals the log at every checkpoint and after the stop', async () => {
    expect(checkpoints.length).toBeGreaterThan(4)
    for (const c of checkpoints) {
      expect(c.lastTransition, c.at).toMatch(new RegExp(`→ ${c.lastState}: `))
      if (c.lastTick) expect(c.tickLine, c.at).toContain(c.lastTick)
    }
    const st = await daemonStatusService({dbPath: ws.dbPath})
    expect(st).toMatchObject({running: false, state: 'not running', lastSeenAt: '2027-03-31T22:00:00.000Z'})
  })

  it('nothing lost or doubled: one snapshot per market day and portfolio; each settlement once; the sync runs of the last week, one per tick', async () => {
    const snaps = await readHistory(ws.dbPath, (h) => portfolioSnapshots(h, {portfolios: ['sim-expiry', 'zerodha'], from: '2027-03-10'}))
    const byPortfolio = (p: string) => snaps.filter((s) => s.portfolio === p).map((s) => s.date)
    expect(byPortfolio('sim-expiry')).toEqual(sessions('XNYS', '2027-03-10', '2027-03-31'))
    expect(byPortfolio('zerodha')).toEqual(sessions('XNSE', '2027-03-10', '2027-03-31'))
    const {syncRuns, events, expiries, alerts} = await readDb(ws.dbPath, (db) => ({
      syncRuns: db.all<{portfolio: string; started_at: string}>("SELECT portfolio, started_at FROM sync_runs WHERE portfolio = 'sim-expiry' ORDER BY id"),
      events: loadEvents(db, {portfolio: 'sim-expiry'}),
      expiries: dstore.listExpiries(db),
      alerts: dstore.listAlerts(db, {limit: 100_000}),
    }))
    expect(new Set(events.map((e) => e.key)).size).toBe(events.length)
    expect(new Set(expiries.map((e) => `${e.portfolio}|${e.symbol}|${e.date}`)).size).toBe(expiries.length)
    expect(new Set(alerts.filter((a) => a.status === 'sent').map((a) => `${a.key}|${a.at}`)).size).toBe(alerts.filter((a) => a.status === 'sent').length)
    // Every monitor tick of the second process synced the file book once (its runs are within the week kept).
    const ticks = second.lines.filter((l) => / \[monitor\] (tick|boot 5\/6)/.test(l)).map(when)
    expect(syncRuns.filter((r) => r.started_at >= '2027-03-30').map((r) => r.started_at.slice(0, 19) + 'Z')).toEqual(ticks.map((t) => t))
    // The positions: the pin-risk call still held, pending; the rest settled; no position twice.
    const positions = await readDb(ws.dbPath, (db) => repo.loadPositions(db))
    expect(positions.filter((p) => p.portfolio === 'sim-expiry').map((p) => p.symbol)).toEqual(['UBER 2027-03-12 95C'])
    expect(new Set(positions.map((p) => `${p.portfolio}|${p.symbol}`)).size).toBe(positions.length)
  })
})
