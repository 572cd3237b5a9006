#!/usr/bin/env node
/*
 * npm run bench: figures measured in one run on this machine, printed, never asserted.
 * Targets (from the issues) are printed beside each figure.
 */
import {spawnSync} from 'node:child_process'
import {copyFileSync, mkdtempSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const bin = path.join(root, 'bin', 'run.js')
const tmp = mkdtempSync(path.join(os.tmpdir(), 'cotrader-bench-'))
const env = {...process.env, NO_COLOR: '1'}
delete env.TASTYTRADE_CLIENT_SECRET
delete env.TASTYTRADE_REFRESH_TOKEN

function wall(args, runs) {
  const times = []
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint()
    const r = spawnSync(process.execPath, args, {cwd: root, env, encoding: 'utf8'})
    times.push(Number(process.hrtime.bigint() - t) / 1e6)
    if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`)
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]
}

const line = (name, value, target) => console.log(`${name.padEnd(52)} ${value.padStart(24)}   target ${target}`)

// 1. Start-up and the 20,000-position book (issue 8): bench/startup.mjs, which also runs on its own.
const {runStartupBench} = await import('./startup.mjs')
await runStartupBench({root, bin, tmp, env, line})

// 2. Pricing throughput and implied-volatility accuracy.
const {runPricingBench} = await import('./pricing.mjs')
const p = runPricingBench({quiet: true})
line('BSM price + Greeks per second', `${(p.bsmPerSec / 1e6).toFixed(2)} M/s`, '>= 3 M/s')
line('implied vols per second', `${(p.ivPerSec / 1e6).toFixed(2)} M/s`, '>= 1 M/s')
line('worst |σ error|, moneyness ±5 sd, vols 1%–300%', p.ivWorstError.toExponential(2), '<= 1e-10')
const a = p.american
const ks = (x) => `${(x.best / 1e3).toFixed(1)} k/s`
const kc = (x) => `${(x.cpu / 1e3).toFixed(1)} k/s`
line('American price/s, exact (fast / bs2002 same run)', `${ks(a.exact.price)} (${ks(a.fast.price)} / ${ks(a.bs2002.price)})`, '>= 20 k/s')
line('American price+Greeks/s, exact (fast / bs2002)', `${ks(a.exact.greeks)} (${ks(a.fast.greeks)} / ${ks(a.bs2002.greeks)})`, '>= 5 k/s')
line('American IV/s, exact (fast / bs2002)', `${ks(a.exact.iv)} (${ks(a.fast.iv)} / ${ks(a.bs2002.iv)})`, '>= 2 k/s')
line('  same, per CPU-second: price / +Greeks / IV', `${kc(a.exact.price)} / ${kc(a.exact.greeks)} / ${kc(a.exact.iv)}`, '20 / 5 / 2 k/s')
const w = p.americanError.worst
line('American worst |err|/K, exact (fast / bs2002)', `${w.exact.toExponential(1)} (${w.fast.toExponential(1)} / ${w.bs2002.toExponential(1)})`, '<= 1e-6')

// 3. sync of a 1,000-row file-fed portfolio (options: every row gets model IV and Greeks).
const rows = ['symbol,quantity,entry_price,mark_price']
for (let i = 0; i < 1000; i++) {
  const strike = 50 + (i % 200)
  const month = ['2027-01-15', '2027-03-19', '2027-06-18', '2027-09-17', '2027-12-17'][Math.floor(i / 200)]
  const right = i % 2 ? 'C' : 'P'
  const intrinsic = right === 'C' ? Math.max(0, 150 - strike) : Math.max(0, strike - 150)
  rows.push(`BIG ${month} ${strike}${right},${i % 3 ? 1 : -1},2.5,${(intrinsic + 3 + (i % 7) * 0.1).toFixed(2)}`)
}
writeFileSync(path.join(tmp, 'big.csv'), `${rows.join('\n')}\n`)
writeFileSync(path.join(tmp, 'quotes.csv'), 'symbol,price\nBIG,150\n')
writeFileSync(path.join(tmp, 'big.yaml'), `market: {rates: {USD: 0.04}, quotes_file: quotes.csv}\nportfolios:\n  - {name: big, broker: manual, account: B, source: {file: big.csv, format: generic}}\n`)
copyFileSync(path.join(tmp, 'big.yaml'), path.join(tmp, 'risk_config.yaml'))
const syncMs = wall([bin, 'sync', '--config', path.join(tmp, 'big.yaml'), '--db', path.join(tmp, 'big.sqlite')], 5)
line('sync of a 1,000-row file-fed portfolio (median ms)', syncMs.toFixed(0), '<= 1000 ms')

// 4. TastyTrade: sync of a 1,000-position account against the local fake (issue 3).
try {
  const {runTastytradeBench} = await import('./tastytrade.mjs')
  const t = await runTastytradeBench({bin, root, env, tmp})
  line('tastytrade sync, 1,000 positions (median ms)', t.totalMs.toFixed(0), '')
  line('  of which the configured Greeks wait (ms)', t.waitMs.toFixed(0), '')
  line('  beyond the wait (ms)', (t.totalMs - t.waitMs).toFixed(0), '<= 1500 ms')
  // Issue 17: the same size of account with a third CME futures options, both measured here.
  const {runMixedBench} = await import('./tastytrade-mixed.mjs')
  const mx = await runMixedBench({bin, root, env, tmp, rounds: 3})
  line('tastytrade sync, 1,000 mixed (1/3 futures options, ms)', mx.mixedMs.toFixed(0), '')
  line('  vs 1,000 stock/options measured alongside (ms)', mx.largeMs.toFixed(0), '')
  line('  mixed vs stock/options', `${((mx.mixedMs / mx.largeMs - 1) * 100).toFixed(1)} %`, 'within 10 %')
} catch (error) {
  if (error.code !== 'ERR_MODULE_NOT_FOUND') throw error
}

// 5. Calendar: aging and freshness on every read (issue 11).
const {runCalendarBench} = await import('./calendar.mjs')
await runCalendarBench()
// Daemon and history (issue 10): snapshot history size and save time, CPU per monitor tick, RSS growth.
// Its own process with --expose-gc so RSS is read after a collection. DAEMON_BENCH_TICKS shortens the RSS run;
// BENCH_SKIP_DAEMON=1 leaves it out (it takes minutes: run `node --expose-gc bench/daemon.mjs` on its own).
if (!process.env.BENCH_SKIP_DAEMON) {
  const r = spawnSync(process.execPath, ['--expose-gc', path.join(root, 'bench', 'daemon.mjs')], {cwd: root, env, encoding: 'utf8', stdio: ['ignore', 'inherit', 'inherit']})
  if (r.status !== 0) console.log(`bench/daemon.mjs exited ${r.status}`)
}

// 6. The ledger (issue 16): import 100,000 transactions, pnl --realized over 20,000 events, growth per 10,000.
{
  const {runLedgerBench} = await import('./ledger.mjs')
  runLedgerBench({bin, env, tmp, line})
}

// 7. VaR and stress (issue 9): full revaluation throughput, stress grid, and `risk` on the demo.
{
  const {runVarBench, printVarBench} = await import('./var.mjs')
  printVarBench(runVarBench(), line)
  // `risk` on the demo: the `risk --json, demo` ratio above (compare with the figure before issue 9).
}
