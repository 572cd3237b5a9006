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
  const bytes = statSync(db).size
  const t = process.hrtime.bigint()
  const n = await readDb(db, (d) => positionSnapshots(d, {from: days[days.length - 252]}).length)
  const readMs = Number(process.hrtime.bigint() - t) / 1e6
  const rows = days.length * positions
  if (!quiet) {
    line(`snapshot history: ${years} y × ${positions} positions (${rows.toLocaleString('en-US')} rows)`, `${(bytes / 1e6).toFixed(2)} MB`, '< 20 MB')
    line('  bytes per position-day', (bytes / rows).toFixed(1), '')
    line('  one daily snapshot save, whole file (median ms)', saves[2].toFixed(1), '< 150 ms')
    line(`  read the last year (${n.toLocaleString('en-US')} rows, ms)`, readMs.toFixed(1), '')
  }
  return {bytes, rows, saveMs: saves[2], readMs}
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  await snapshotHistoryBench()
}
