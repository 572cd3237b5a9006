/*
 * Daemon and history figures (issue 10), printed never asserted:
 *  - DB size and save time for 10 years × 200 positions of daily snapshots;
 *  - daemon CPU per monitor tick on the demo (file-fed) book;
 *  - RSS after 10,000 simulated ticks vs after 100.
 * Run by bench/run.js, or alone: node bench/daemon.mjs (after npm run build).
 */
import {mkdtempSync, statSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const dist = (p) => pathToFileURL(path.join(root, 'dist', p)).href
const line = (name, value, target) => console.log(`${name.padEnd(52)} ${value.padStart(16)}   target ${target}`)

export async function snapshotHistoryBench({years = 10, positions = 200, quiet = false} = {}) {
  const {writeDb, readDb} = await import(dist('core/store/database.js'))
  const {writeSnapshots, positionSnapshots} = await import(dist('core/store/snapshots.js'))
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'cotrader-bench-snap-'))
  const db = path.join(tmp, 'history.sqlite')
  // 200 positions over 40 underlyings: stock and options, random-walk marks, model-like Greeks.
  let seed = 42
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648)
  const unders = Array.from({length: 40}, (_, i) => ({name: `U${i}`, price: 50 + 400 * rnd()}))
  const book = Array.from({length: positions}, (_, i) => {
    const u = unders[i % unders.length]
    const isStock = i % 5 === 0
    const strike = Math.round(u.price * (0.8 + 0.4 * rnd()))
    return {u, isStock, strike, right: rnd() < 0.5 ? 'put' : 'call', qty: isStock ? 100 : -1 - Math.floor(rnd() * 10), entry: isStock ? Math.round(u.price * 100) / 100 : Math.round(5 + 10 * rnd()) / 100 * 10}
  })
  const days = []
  for (let d = new Date(Date.UTC(2016, 0, 4)); days.length < years * 252; d = new Date(d.getTime() + 86_400_000)) if (d.getUTCDay() % 6 !== 0) days.push(d.toISOString().slice(0, 10))
  const dayRows = (date) => {
    for (const u of unders) u.price = Math.max(1, Math.round(u.price * (1 + (rnd() - 0.5) * 0.04) * 100) / 100)
    return book.map((b, i) => {
      const mark = b.isStock ? b.u.price : Math.round(Math.max(0.01, b.entry * (0.5 + rnd())) * 100) / 100
      const expiry = `${date.slice(0, 4)}-12-18`
      return {
        date, portfolio: `p${i % 4}`, symbol: b.isStock ? b.u.name : `${b.u.name} ${expiry} ${b.strike}${b.right === 'put' ? 'P' : 'C'}`, underlying: b.u.name,
        instrumentType: b.isStock ? 'equity' : 'equity_option', quantity: b.qty, multiplier: b.isStock ? 1 : 100, currency: 'USD',
        ...(b.isStock ? {} : {option: {expiry, strike: b.strike, right: b.right, style: 'american'}}),
        entryPrice: b.entry, markPrice: mark, underlyingPrice: b.u.price, iv: b.isStock ? null : 0.15 + 0.3 * rnd(),
        greeks: b.isStock ? {delta: 1, gamma: 0, theta: 0, vega: 0, rho: 0} : {delta: rnd() - 0.5, gamma: 0.05 * rnd(), theta: -0.1 * rnd(), vega: 0.4 * rnd(), rho: 0.2 * (rnd() - 0.5)},
        unrealizedPnl: (mark - b.entry) * b.qty * (b.isStock ? 1 : 100), takenAt: `${date}T21:15:00.000Z`,
      }
    })
  }
  const folios = (date) => [0, 1, 2, 3].map((i) => ({date, portfolio: `p${i}`, currency: 'USD', equity: 1e6 * rnd(), cash: 1e5, delta: 100, betaWeightedDelta: 50, gamma: 1, theta: -10, vega: 100, unrealizedPnl: 1000, dayPnl: 10, positions: 50, missing: 0, takenAt: `${date}T21:15:00.000Z`}))
  // Fill all but the last day in one write (building the history), then time the daily save alone.
  await writeDb(db, (d) => {
    for (const date of days.slice(0, -1)) writeSnapshots(d, date, dayRows(date), folios(date))
  })
  const last = days[days.length - 1]
  const saves = []
  for (let i = 0; i < 5; i++) {
    const t = process.hrtime.bigint()
    await writeDb(db, (d) => writeSnapshots(d, last, dayRows(last), folios(last)))
    saves.push(Number(process.hrtime.bigint() - t) / 1e6)
  }
  saves.sort((a, b) => a - b)
  // The same daily save into a database without history, measured in this run: the floor on this machine.
  const empty = path.join(tmp, 'empty.sqlite')
  const floor = []
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint()
    await writeDb(empty, (d) => writeSnapshots(d, last, dayRows(last), folios(last)))
    floor.push(Number(process.hrtime.bigint() - t0) / 1e6)
  }
  floor.sort((a, b) => a - b)
  const bytes = statSync(db).size
  const t = process.hrtime.bigint()
  const n = await readDb(db, (d) => positionSnapshots(d, {from: days[days.length - 252]}).length)
  const readMs = Number(process.hrtime.bigint() - t) / 1e6
  const rows = days.length * positions
  if (!quiet) {
    line(`snapshot history: ${years} y × ${positions} positions (${rows.toLocaleString('en-US')} rows)`, `${(bytes / 1e6).toFixed(2)} MB`, '< 20 MB')
    line('  bytes per position-day', (bytes / rows).toFixed(1), '')
    line('  one daily snapshot save, whole file (median ms)', saves[2].toFixed(1), '< 150 ms')
    line('  the same save with no history (median ms, this run)', floor[2].toFixed(1), '')
    line(`  read the last year (${n.toLocaleString('en-US')} rows, ms)`, readMs.toFixed(1), '')
  }
  return {bytes, rows, saveMs: saves[2], readMs}
}

/** A Daemon on a SimClock over a temp copy of the demo config and data (or a one-position book). */
async function simDaemon({tiny = false, inHours = 60} = {}) {
  const {cpSync, mkdirSync, readFileSync, writeFileSync} = await import('node:fs')
  const {loadConfig} = await import(dist('core/config/config.js'))
  const {SimClock} = await import(dist('core/services/clock.js'))
  const {Daemon} = await import(dist('core/services/daemon.js'))
  const {daemonSettings} = await import(dist('core/services/daemon-config.js'))
  const {createLogger} = await import(dist('core/services/daemon-log.js'))
  const {createAlerter} = await import(dist('core/services/alerts.js'))
  const {calendar} = await import(dist('core/services/calendar-adapter.js'))
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cotrader-bench-daemon-'))
  mkdirSync(path.join(dir, 'config'))
  const daemonYaml = `\ndaemon:\n  monitor: {in_hours_seconds: ${inHours}, out_of_hours_seconds: ${inHours}}\n  scan: {cron: "0 0 1 1 *"}\n  log: {file: ../data/daemon.log, level: warn}\n`
  if (tiny) {
    mkdirSync(path.join(dir, 'data'))
    writeFileSync(path.join(dir, 'data', 'one.csv'), 'symbol,quantity,entry_price,mark_price\nAAPL,100,150,200\n')
    writeFileSync(path.join(dir, 'config', 'risk_config.yaml'), `market: {quotes_file: ../data/q.csv}\nportfolios:\n  - {name: one, broker: manual, account: O1, source: {file: ../data/one.csv, format: generic}, cash: 1000}\n${daemonYaml}`)
    writeFileSync(path.join(dir, 'data', 'q.csv'), 'symbol,price\nSPY,600\n')
  } else {
    cpSync(path.join(root, 'test', 'fixtures', 'demo'), path.join(dir, 'data'), {recursive: true}) // the fixed demo exports
    writeFileSync(path.join(dir, 'config', 'risk_config.yaml'), readFileSync(path.join(root, 'config', 'risk_config.yaml'), 'utf8').replace(/\n# --- the daemon[\s\S]*$/, '\n') + daemonYaml)
  }
  const config = loadConfig(path.join(dir, 'config', 'risk_config.yaml'))
  const settings = daemonSettings(config, path.join(dir, 'data'))
  const clock = new SimClock(new Date('2026-11-23T14:30:00Z')) // Monday, NYSE open
  const log = createLogger({file: settings.log.file, level: 'warn', maxBytes: 5e6, keep: 2, clock})
  const daemon = new Daemon({config, settings, dbPath: path.join(dir, 'data', 'cotrader.sqlite'), env: {}, clock, scheduler: clock, calendar, log, alerter: createAlerter(path.join(dir, 'data', 'cotrader.sqlite'), settings.alerts)})
  await daemon.boot()
  daemon.start()
  return {daemon, clock}
}

/** CPU per monitor tick on the demo book; RSS after 10,000 simulated ticks vs after 100. */
export async function daemonBench({ticks = 10_000, quiet = false} = {}) {
  const demo = await simDaemon()
  const n = 20
  let t = demo.clock.now().getTime()
  await demo.clock.runUntil(new Date(t + 60_000)) // warm
  const cpu0 = process.cpuUsage()
  const w0 = process.hrtime.bigint()
  t = demo.clock.now().getTime()
  await demo.clock.runUntil(new Date(t + n * 60_000))
  const cpu = process.cpuUsage(cpu0)
  const wallMs = Number(process.hrtime.bigint() - w0) / 1e6
  const cpuMs = (cpu.user + cpu.system) / 1000 / n
  // Memory: a one-position book, one tick per simulated minute around the clock.
  const tiny = await simDaemon({tiny: true})
  const gc = globalThis.gc ?? (() => undefined)
  const rssAfter = async (count) => {
    const target = tiny.daemon.status.counts.ticksInHours + tiny.daemon.status.counts.ticksOutOfHours + count
    while (tiny.daemon.status.counts.ticksInHours + tiny.daemon.status.counts.ticksOutOfHours < target) await tiny.clock.runUntil(new Date(tiny.clock.now().getTime() + 60_000))
    gc()
    return process.memoryUsage().rss
  }
  const w1 = process.hrtime.bigint()
  const rss100 = await rssAfter(100)
  const rssN = await rssAfter(ticks - 100)
  const tinyMs = Number(process.hrtime.bigint() - w1) / 1e6 / ticks
  if (!quiet) {
    line(`daemon CPU per monitor tick, demo book (${n} ticks)`, `${cpuMs.toFixed(1)} ms`, '')
    line('  wall per tick (sync + risk + state save)', `${(wallMs / n).toFixed(1)} ms`, '')
    line(`RSS after 100 ticks / after ${ticks.toLocaleString('en-US')} (1-position book)`, `${(rss100 / 1e6).toFixed(1)} / ${(rssN / 1e6).toFixed(1)} MB`, '')
    line('  RSS growth', `${((rssN - rss100) / 1e6).toFixed(1)} MB`, '< 10 MB')
    line('  wall per tick, 1-position book', `${tinyMs.toFixed(1)} ms`, '')
  }
  return {cpuMs, rss100, rssN, growth: rssN - rss100}
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const ticks = Number(process.env.DAEMON_BENCH_TICKS ?? 10_000)
  if (!process.env.DAEMON_BENCH_SKIP_HISTORY) await snapshotHistoryBench()
  await daemonBench({ticks})
}
