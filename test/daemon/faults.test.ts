/*
 * Faults in simulated time: the fake TastyTrade down for 10 minutes (backoff, the file portfolio keeps
 * syncing), another process holding the database lock for 15 s, a bad config on SIGHUP; and a week
 * across the end of daylight saving time.
 */
import {spawn} from 'node:child_process'
import {realpathSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {createTastytrade} from '../../src/core/adapters/tastytrade/adapter.js'
import {fileAdapter} from '../../src/core/adapters/file.js'
import {loadConfig} from '../../src/core/config/config.js'
import type {AdapterFactory} from '../../src/core/services/sync.js'
import {readDb} from '../../src/core/store/database.js'
import {readHistory} from '../../src/core/store/history.js'
import {portfolioSnapshots} from '../../src/core/store/snapshots.js'
import * as dstore from '../../src/core/store/daemon.js'
import {ACCOUNT, envFor, startFakeTastytrade, type FakeTastytrade} from '../fake-tastytrade/index.js'
import {ROOT, tempDir} from '../cli/helpers.js'
import {simDaemon} from './helpers.js'

function workspace(daemonYaml: string) {
  const dir = tempDir('cotrader-faults-')
  const configFile = path.join(dir, 'risk_config.yaml')
  const yaml = (daemon: string) => `
base_currency: USD
market: {rates: {USD: 0.04}, quotes_file: quotes.csv}
tastytrade: {greeks_wait_seconds: 0.2}
portfolios:
  - {name: tt, broker: tastytrade, account: "${ACCOUNT}"}
  - {name: files, broker: manual, account: F1, source: {file: files.csv, format: generic}, cash: 1000}
${daemon}`
  writeFileSync(configFile, yaml(daemonYaml))
  writeFileSync(path.join(dir, 'files.csv'), 'symbol,quantity,entry_price,mark_price\nAAPL,10,150,200\n')
  writeFileSync(path.join(dir, 'quotes.csv'), 'symbol,price\nSPY,600\nAAPL,200\n')
  return {dir, configFile, dbPath: path.join(dir, 'book.sqlite'), dataDir: dir, yaml}
}

const DAEMON = `daemon:
  monitor: {in_hours_seconds: 60, out_of_hours_seconds: 0}
  scan: {cron: "0 0 1 1 *"}
  backoff: {initial_seconds: 60, max_seconds: 240, factor: 2}
  log: {file: daemon.log}
`

describe('faults in a simulated hour (Monday 23 Nov 2026, 10:00–10:40 New York)', () => {
  let fake: FakeTastytrade
  const ws = workspace(DAEMON)
  let sim: ReturnType<typeof simDaemon>
  let lockHolderOutput = ''

  beforeAll(async () => {
    fake = await startFakeTastytrade()
    const env = envFor(fake)
    const adapters: AdapterFactory = {file: async () => fileAdapter(), tastytrade: async () => createTastytrade(loadConfig(ws.configFile), env, {retryBaseMs: 1})}
    sim = simDaemon(ws, new Date('2026-11-23T15:00:00Z'), {adapters, env})
    await sim.daemon.boot()
    sim.daemon.start()
    await sim.clock.runUntil(new Date('2026-11-23T15:05:30Z'))
    fake.setScenario({faults: [{path: /.*/, kind: 'status', status: 503, message: 'down for maintenance'}]})
    await sim.clock.runUntil(new Date('2026-11-23T15:15:30Z'))
    fake.setScenario({faults: []})
    await sim.clock.runUntil(new Date('2026-11-23T15:20:30Z'))
    // Another process takes the database lock and keeps it 15 s (real time): the daemon's writes wait.
    const target = realpathSync(ws.dbPath)
    const holder = spawn(process.execPath, ['-e', `
      const lockfile = require(${JSON.stringify(path.join(ROOT, 'node_modules', 'proper-lockfile'))});
      lockfile.lock(${JSON.stringify(target)}, {realpath: false, stale: 10000, update: 5000}).then((release) => {
        console.log('locked'); setTimeout(() => release().then(() => console.log('released')), 15000)
      })`], {stdio: ['ignore', 'pipe', 'inherit']})
    const closed = new Promise((resolve) => holder.on('close', resolve))
    holder.stdout.setEncoding('utf8').on('data', (d: string) => (lockHolderOutput += d))
    await new Promise<void>((resolve) => {
      const wait = () => (lockHolderOutput.includes('locked') ? resolve() : setTimeout(wait, 50))
      wait()
    })
    await sim.clock.runUntil(new Date('2026-11-23T15:23:30Z'))
    await closed
    await sim.clock.runUntil(new Date('2026-11-23T15:40:00Z'))
  }, 300_000)

  afterAll(async () => {
    await fake?.close()
  })

  const runs = () => readDb(ws.dbPath, (db) => db.all<{portfolio: string; started_at: string; status: string}>('SELECT portfolio, started_at, status FROM sync_runs ORDER BY id'))

  it('the broker down 10 minutes: retried with capped exponential backoff (60, 120, 240, 240 s), then recovers; no crash', async () => {
    const tt = (await runs()).filter((r) => r.portfolio === 'tt')
    const during = tt.filter((r) => r.started_at >= '2026-11-23T15:05:30' && r.started_at < '2026-11-23T15:20')
    expect(during.map((r) => [r.started_at.slice(11, 16), r.status])).toEqual([
      ['15:06', 'failed'], ['15:07', 'failed'], ['15:09', 'failed'], ['15:13', 'failed'], ['15:17', 'ok'], ['15:18', 'ok'], ['15:19', 'ok'],
    ])
    expect(sim.daemon.status.counts.errors).toBe(0)
    expect(sim.lines.some((l) => /sync tt failed \(4 in a row\), next try in 240 s/.test(l))).toBe(true)
    expect(sim.lines.some((l) => /sync tt recovered/.test(l))).toBe(true)
  })

  it('the other portfolio keeps syncing every minute through the outage', async () => {
    const files = (await runs()).filter((r) => r.portfolio === 'files' && r.started_at >= '2026-11-23T15:05:30' && r.started_at < '2026-11-23T15:16')
    expect(files.map((r) => r.started_at.slice(11, 16))).toEqual(['15:06', '15:07', '15:08', '15:09', '15:10', '15:11', '15:12', '15:13', '15:14', '15:15'])
    expect(files.every((r) => r.status === 'ok')).toBe(true)
  })

  it('another process holding the database lock for 15 s: the writes wait, the ticks complete, nothing is lost', async () => {
    expect(lockHolderOutput).toContain('released')
    const files = (await runs()).filter((r) => r.portfolio === 'files' && r.started_at >= '2026-11-23T15:21' && r.started_at < '2026-11-23T15:24')
    expect(files.map((r) => [r.started_at.slice(11, 16), r.status])).toEqual([['15:21', 'ok'], ['15:22', 'ok'], ['15:23', 'ok']])
    expect(sim.daemon.status.counts.errors).toBe(0)
    expect(sim.daemon.status.counts.ticksInHours).toBe(40)
  })

  it('SIGHUP with a bad config: reported, the old config stays; a good one is taken', async () => {
    writeFileSync(ws.configFile, ws.yaml(DAEMON.replace('"0 0 1 1 *"', '"61 * * * *"')))
    expect(sim.daemon.reload()).toBe(false)
    expect(sim.lines.some((l) => /config reload refused, keeping the old config: .*invalid cron expression "61 \* \* \* \*"/.test(l))).toBe(true)
    writeFileSync(ws.configFile, ws.yaml(DAEMON.replace('in_hours_seconds: 60', 'in_hours_seconds: 120')))
    expect(sim.daemon.reload()).toBe(true)
    await new Promise((r) => setTimeout(r, 200)) // the reload alerts are written in the background
    const alerts = await readDb(ws.dbPath, (db) => dstore.listAlerts(db).filter((a) => a.kind === 'config'))
    expect(alerts.map((a) => a.severity)).toEqual(['warning', 'info'])
    expect(alerts[0].message).toMatch(/bad config on reload, old config kept/)
  })
})

describe('a week across the end of daylight saving time (Fri 30 Oct – Tue 3 Nov 2026)', () => {
  const ws = workspace(`daemon:
  monitor: {in_hours_seconds: 3600, out_of_hours_seconds: 0}
  scan: {cron: "0 0 1 1 *"}
  log: {file: daemon.log}
`)
  writeFileSync(ws.configFile, ws.yaml(`daemon:
  monitor: {in_hours_seconds: 3600, out_of_hours_seconds: 0}
  scan: {cron: "0 0 1 1 *"}
  log: {file: daemon.log}
`).replace(/  - \{name: tt.*\n/, ''))
  let sim: ReturnType<typeof simDaemon>

  beforeAll(async () => {
    sim = simDaemon(ws, new Date('2026-10-30T04:00:00Z'))
    await sim.daemon.boot()
    sim.daemon.start()
    await sim.clock.runUntil(new Date('2026-11-04T04:00:00Z'))
  }, 300_000)

  it('ticks follow New York hours in UTC: 13:30–20:00 UTC before the change, 14:30–21:00 after', () => {
    const hours = (date: string) =>
      sim.lines.filter((l) => l.startsWith(date) && / \[monitor\] tick: /.test(l)).map((l) => Number(l.slice(11, 13)))
    expect(hours('2026-10-30')).toEqual([14, 15, 16, 17, 18, 19]) // EDT: open 13:30 UTC, close 20:00
    expect(hours('2026-10-31')).toEqual([])
    expect(hours('2026-11-01')).toEqual([])
    expect(hours('2026-11-02')).toEqual([15, 16, 17, 18, 19, 20]) // EST: open 14:30 UTC, close 21:00
    expect(hours('2026-11-03')).toEqual([15, 16, 17, 18, 19, 20])
    expect(sim.daemon.status.counts.ticksOutOfHours).toBe(0)
  })

  it('the end of day runs 15 minutes after the 16:00 close in New York time on both sides of the change', async () => {
    const taken = (await readHistory(ws.dbPath, (h) => portfolioSnapshots(h, {portfolios: ['files']}))).map((s) => ({date: s.date, taken_at: s.takenAt}))
    expect(taken).toEqual([
      {date: '2026-10-29', taken_at: '2026-10-30T04:01:00.000Z'}, // the session before the start, caught up at boot
      {date: '2026-10-30', taken_at: '2026-10-30T20:15:00.000Z'},
      {date: '2026-11-02', taken_at: '2026-11-02T21:15:00.000Z'},
      {date: '2026-11-03', taken_at: '2026-11-03T21:15:00.000Z'},
    ])
  })
})
