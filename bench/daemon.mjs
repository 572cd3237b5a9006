/*
 * Daemon and history figures (issue 10), printed never asserted:
 *  - size (main file + per-year history files) and the time of one daily snapshot for 10 years × 200
 *    positions of daily snapshots;
 *  - daemon CPU per monitor tick on the demo (file-fed) book;
 *  - RSS after 10,000 simulated ticks vs after 100, with faults (the export file missing for a few
 *    ticks every 1,000, a bad config reload, the clock jumping 3 days every 2,500: suspends);
 *  - the time to catch up 30 missed closes on the demo book (issue 18: resume).
 * Run by bench/run.js, or alone: node bench/daemon.mjs (after npm run build).
 */
import {mkdtempSync, statSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const dist = (p) => pathToFileURL(path.join(root, 'dist', p)).href
const line = (name, value, target) => console.log(`${name.padEnd(52)} ${value.padStart(16)}   target ${target}`)

/**
 * 10 years × 200 positions of daily snapshots in the per-year history files, then one daily snapshot
 * taken as the daemon's end of day and `cotrader snapshot` take it (services/snapshot.ts: read the
 * book from the main file, then lock, load, write and save the year's history file), timed end to end.
 */
export async function snapshotHistoryBench({years = 10, positions = 200, quiet = false} = {}) {
  const {writeFileSync, mkdirSync, readdirSync, copyFileSync} = await import('node:fs')
  const {writeHistory, readHistory, historyDir} = await import(dist('core/store/history.js'))
  const {writeSnapshots, positionSnapshots} = await import(dist('core/store/snapshots.js'))
  const {loadConfig} = await import(dist('core/config/config.js'))
  const {syncService} = await import(dist('core/services/sync.js'))
  const {snapshotService} = await import(dist('core/services/snapshot.js'))
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'cotrader-bench-snap-'))
  const db = path.join(tmp, 'cotrader.sqlite')
  // 200 positions over 40 underlyings in 4 portfolios: stock and options, random-walk marks, model-like Greeks.
  let seed = 42
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648)
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
  const unders = Array.from({length: 40}, (_, i) => ({name: `Q${letters[Math.floor(i / 26)]}${letters[i % 26]}`, price: 50 + 400 * rnd()}))
  const book = Array.from({length: positions}, (_, i) => {
    const u = unders[i % unders.length]
    // One stock position per underlying, the rest options on distinct strikes (a book has no duplicate symbols).
    const isStock = i < unders.length
    const strike = Math.round(u.price * 0.8) + 5 * Math.floor(i / unders.length) + Math.floor(5 * rnd())
    return {u, isStock, strike, right: rnd() < 0.5 ? 'put' : 'call', qty: isStock ? 100 : -1 - Math.floor(rnd() * 10), entry: isStock ? Math.round(u.price * 100) / 100 : Math.round(5 + 10 * rnd()) / 100 * 10}
  })
  const days = []
  for (let d = new Date(Date.UTC(2016, 11, 1)); days.length < years * 252; d = new Date(d.getTime() + 86_400_000)) if (d.getUTCDay() % 6 !== 0) days.push(d.toISOString().slice(0, 10))
  const last = days[days.length - 1]
  const symbolOf = (b, expiry) => (b.isStock ? b.u.name : `${b.u.name} ${expiry} ${b.strike}${b.right === 'put' ? 'P' : 'C'}`)
  const dayRows = (date) => {
    for (const u of unders) u.price = Math.max(1, Math.round(u.price * (1 + (rnd() - 0.5) * 0.04) * 100) / 100)
    return book.map((b, i) => {
      const mark = b.isStock ? b.u.price : Math.round(Math.max(0.01, b.entry * (0.5 + rnd())) * 100) / 100
      const expiry = `${Number(date.slice(0, 4)) + 1}-01-15`
      return {
        date, portfolio: `p${i % 4}`, symbol: symbolOf(b, expiry), underlying: b.u.name,
        instrumentType: b.isStock ? 'equity' : 'equity_option', quantity: b.qty, multiplier: b.isStock ? 1 : 100, currency: 'USD',
        ...(b.isStock ? {} : {option: {expiry, strike: b.strike, right: b.right, style: 'american'}}),
        entryPrice: b.entry, markPrice: mark, underlyingPrice: b.u.price, iv: b.isStock ? null : 0.15 + 0.3 * rnd(),
        greeks: b.isStock ? {delta: 1, gamma: 0, theta: 0, vega: 0, rho: 0} : {delta: rnd() - 0.5, gamma: 0.05 * rnd(), theta: -0.1 * rnd(), vega: 0.4 * rnd(), rho: 0.2 * (rnd() - 0.5)},
        unrealizedPnl: (mark - b.entry) * b.qty * (b.isStock ? 1 : 100), takenAt: `${date}T21:15:00.000Z`,
      }
    })
  }
  const folios = (date) => [0, 1, 2, 3].map((i) => ({date, portfolio: `p${i}`, currency: 'USD', equity: 1e6 * rnd(), cash: 1e5, delta: 100, betaWeightedDelta: 50, gamma: 1, theta: -10, vega: 100, unrealizedPnl: 1000, dayPnl: 10, positions: 50, missing: 0, takenAt: `${date}T21:15:00.000Z`}))
  // The history before the last day, one write per year file.
  for (const y of [...new Set(days.map((d) => Number(d.slice(0, 4))))]) {
    const inYear = days.filter((d) => d < last && Number(d.slice(0, 4)) === y)
    if (inYear.length > 0) await writeHistory(db, [y], (h) => {
      for (const date of inYear) writeSnapshots(h, date, dayRows(date), folios(date))
    })
  }
  // The book in the main file: the same 200 positions in 4 manual portfolios, synced once.
  const lastYear = Number(last.slice(0, 4))
  mkdirSync(path.join(tmp, 'data'))
  for (let p = 0; p < 4; p++) {
    const rows = book.filter((_, i) => i % 4 === p).map((b) => `${symbolOf(b, `${lastYear + 1}-01-15`)},${b.qty},${b.entry},${b.isStock ? b.u.price : Math.round(b.entry * 90) / 100},${b.u.price}`)
    writeFileSync(path.join(tmp, 'data', `p${p}.csv`), `symbol,quantity,entry_price,mark_price,underlying_price\n${rows.join('\n')}\n`)
  }
  const portfolios = [0, 1, 2, 3].map((p) => `  - {name: p${p}, broker: manual, account: P${p}, source: {file: data/p${p}.csv, format: generic}, cash: 100000}`).join('\n')
  writeFileSync(path.join(tmp, 'risk_config.yaml'), `market: {rates: {USD: 0.04}}\nportfolios:\n${portfolios}\n`)
  const config = loadConfig(path.join(tmp, 'risk_config.yaml'))
  const asOf = new Date(`${last}T21:15:00.000Z`)
  const synced = await syncService({config, dbPath: db, skipInvalid: false, asOf, env: {}})
  if (synced.ok !== 4) throw new Error(`bench book did not sync: ${JSON.stringify(synced.portfolios.map((p) => p.error))}`)
  const time = async (dbPath) => {
    const t = process.hrtime.bigint()
    const r = await snapshotService({config, dbPath, asOf, date: last})
    if (r.positions !== positions) throw new Error(`snapshot wrote ${r.positions} positions`)
    return Number(process.hrtime.bigint() - t) / 1e6
  }
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const saves = []
  for (let i = 0; i < 5; i++) saves.push(await time(db))
  // The same snapshot into a copy of the main file without history, measured in this run: the floor here.
  const bare = path.join(tmp, 'bare.sqlite')
  copyFileSync(db, bare)
  const floor = []
  for (let i = 0; i < 5; i++) floor.push(await time(bare))
  const mainBytes = statSync(db).size
  const yearFiles = readdirSync(historyDir(db)).filter((n) => /^\d{4}\.sqlite$/.test(n))
  const sizes = yearFiles.map((n) => statSync(path.join(historyDir(db), n)).size)
  const historyBytes = sizes.reduce((a, b) => a + b, 0)
  const bytes = mainBytes + historyBytes
  const t = process.hrtime.bigint()
  const n = await readHistory(db, (h) => positionSnapshots(h, {from: days[days.length - 252]}).length)
  const readMs = Number(process.hrtime.bigint() - t) / 1e6
  const rows = days.length * positions
  if (!quiet) {
    line(`snapshot history: ${years} y × ${positions} positions (${rows.toLocaleString('en-US')} rows)`, `${(bytes / 1e6).toFixed(2)} MB`, '< 20 MB')
    line(`  main file / ${yearFiles.length} year files (largest)`, `${(mainBytes / 1e6).toFixed(2)} / ${(historyBytes / 1e6).toFixed(2)} (${(Math.max(...sizes) / 1e6).toFixed(2)}) MB`, '')
    line('  bytes per position-day', (historyBytes / rows).toFixed(1), '')
    line('  one daily snapshot (snapshot service, median ms)', median(saves).toFixed(1), '< 150 ms')
    line('  the same with no history (median ms, this run)', median(floor).toFixed(1), '')
    line(`  read the last year (${n.toLocaleString('en-US')} rows, ms)`, readMs.toFixed(1), '')
  }
  return {bytes, rows, saveMs: median(saves), readMs}
}

/** A Daemon on a SimClock over a temp copy of the demo config and data (or a one-position book). */
async function simDaemon({tiny = false, inHours = 60} = {}) {
  const {cpSync, mkdirSync, readFileSync, writeFileSync} = await import('node:fs')
  const {loadConfig} = await import(dist('core/config/config.js'))
  const {SimClock} = await import(dist('core/services/clock.js'))
  const {Daemon} = await import(dist('core/services/daemon/engine.js'))
  const {daemonSettings} = await import(dist('core/services/daemon/config.js'))
  const {createLogger} = await import(dist('core/services/daemon/log.js'))
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
  return {daemon, clock, dir}
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
  const {existsSync, readFileSync, rmSync, writeFileSync} = await import('node:fs')
  const csv = path.join(tiny.dir, 'data', 'one.csv')
  const content = readFileSync(csv, 'utf8')
  let minutes = 0
  const rssAfter = async (count) => {
    const target = tiny.daemon.status.counts.ticksInHours + tiny.daemon.status.counts.ticksOutOfHours + count
    while (tiny.daemon.status.counts.ticksInHours + tiny.daemon.status.counts.ticksOutOfHours < target) {
      minutes++
      // Faults: the export missing for 3 minutes every 1,000 (sync fails, backs off), a bad config reload, a suspend of 3 days every 2,500.
      if (minutes % 1000 === 0) rmSync(csv, {force: true})
      if (minutes % 1000 === 3 || !existsSync(csv) && minutes % 1000 > 3) writeFileSync(csv, content)
      if (minutes % 1000 === 500) tiny.daemon.reload()
      if (minutes % 2500 === 0) tiny.clock.advance(3 * 86_400_000)
      await tiny.clock.runUntil(new Date(tiny.clock.now().getTime() + 60_000))
    }
    gc()
    return process.memoryUsage().rss
  }
  const w1 = process.hrtime.bigint()
  const c1 = process.cpuUsage()
  const rss100 = await rssAfter(100)
  const rssN = await rssAfter(ticks - 100)
  const tinyMs = Number(process.hrtime.bigint() - w1) / 1e6 / ticks
  const c2 = process.cpuUsage(c1)
  const tinyCpuMs = (c2.user + c2.system) / 1000 / ticks
  if (!quiet) {
    line(`daemon CPU per monitor tick, demo book (${n} ticks)`, `${cpuMs.toFixed(1)} ms`, '')
    line('  wall per tick (sync + risk + state save)', `${(wallMs / n).toFixed(1)} ms`, '')
    line(`RSS after 100 ticks / after ${ticks.toLocaleString('en-US')} (1-position book)`, `${(rss100 / 1e6).toFixed(1)} / ${(rssN / 1e6).toFixed(1)} MB`, '')
    line('  RSS growth', `${((rssN - rss100) / 1e6).toFixed(1)} MB`, '< 10 MB')
    line('  wall per tick, 1-position book', `${tinyMs.toFixed(1)} ms`, '')
    line('  CPU per tick, 1-position book (faults included)', `${tinyCpuMs.toFixed(1)} ms`, '')
  }
  return {cpuMs, rss100, rssN, growth: rssN - rss100, tinyCpuMs}
}

/** Resume: the demo book's daemon finds its last end of day 30 sessions back and catches them all up (each market). */
export async function catchUpBench({closes = 30, quiet = false} = {}) {
  const demo = await simDaemon()
  const {calendar} = await import(dist('core/services/calendar-adapter.js'))
  const now = demo.clock.now()
  for (const m of demo.daemon.markets()) {
    let s = calendar.previousClose(m, now)
    for (let i = 0; i < closes; i++) s = calendar.previousClose(m, s.open)
    demo.daemon.status.eodDone[m] = s.date
  }
  const t = process.hrtime.bigint()
  const cpu0 = process.cpuUsage()
  await demo.daemon.catchUp()
  const ms = Number(process.hrtime.bigint() - t) / 1e6
  const cpu = process.cpuUsage(cpu0)
  const done = demo.daemon.status.counts.eods
  if (!quiet) {
    line(`catch up ${closes} missed closes per market, demo book (${done} ends of day)`, `${(ms / 1000).toFixed(2)} s`, '<= 2 s')
    // On a shared machine the wall time follows the load; the CPU time is this process's own work.
    line('  CPU time of the catch-up (user + system)', `${((cpu.user + cpu.system) / 1e6).toFixed(2)} s`, '')
  }
  return {ms, eods: done, cpuMs: (cpu.user + cpu.system) / 1000}
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const ticks = Number(process.env.DAEMON_BENCH_TICKS ?? 10_000)
  if (!process.env.DAEMON_BENCH_SKIP_HISTORY) await snapshotHistoryBench()
  await daemonBench({ticks})
  await catchUpBench()
}
