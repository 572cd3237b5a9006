/*
 * Bench: start-up and large books (issues 8 and 19), wall time of the real CLI process.
 *
 * Start-up ratios are paired: our command and `node -e 0` run alternately, 21 pairs, and the ratio is
 * median(ours) / median(node -e 0), so load on a shared machine hits both sides alike; each line shows
 * min / median / max of ours and of node -e 0 and the 1-minute load average when it was measured.
 * `--baseline DIR` (another checkout or install, built) times DIR/bin/run.js in the same alternation
 * (node -e 0, baseline, ours), so before and after come from the same minutes. `--quick` leaves out the
 * 20,000-position part.
 * NODE_EXTRA_CA_CERTS is unset on both sides (Node parses every certificate before V8 starts, which
 * alone costs more than our own start-up and would hide it). Each command runs once before timing,
 * so the V8 code cache and the config cache (in a fresh per-bench cache directory) are warm, as they
 * are for a user after the first run.
 *
 * `node bench/startup.mjs` runs this part alone (bench/run.js runs it first) and prints the load
 * average before and after: the machine is shared, and the load says what else was running.
 */
import {spawn, spawnSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const PAIRS = 21

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

function timed(args, {cwd, env}) {
  const t = process.hrtime.bigint()
  const r = spawnSync(process.execPath, args, {cwd, env, encoding: 'utf8', maxBuffer: 1 << 30})
  const ms = Number(process.hrtime.bigint() - t) / 1e6
  if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`)
  return ms
}

/**
 * Our command against `node -e 0`, alternately: medians and their ratio; with `baseline` (the same
 * arguments for another bin/run.js), that one too, in the same alternation, with its own cache
 * directory (the config cache holds one entry per config file: two builds sharing it would evict
 * each other's on every run).
 */
export function paired(args, opts, pairs = PAIRS, baseline) {
  const baseOpts = baseline ? {...opts, env: {...opts.env, COTRADER_CACHE_DIR: `${opts.env.COTRADER_CACHE_DIR}-baseline`}} : undefined
  timed(args, opts) // warm the caches
  if (baseline) timed(baseline, baseOpts)
  const floor = []
  const ours = []
  const base = []
  for (let i = 0; i < pairs; i++) {
    floor.push(timed(['-e', '0'], opts))
    if (baseline) base.push(timed(baseline, baseOpts))
    ours.push(timed(args, opts))
  }
  const stats = (xs) => ({min: Math.min(...xs), median: median(xs), max: Math.max(...xs)})
  const r = {floorMs: median(floor), oursMs: median(ours), ratio: median(ours) / median(floor), floor: stats(floor), ours: stats(ours), load: os.loadavg()[0]}
  if (baseline) Object.assign(r, {base: stats(base), baseRatio: median(base) / median(floor)})
  return r
}

/** Median wall time of `runs` runs (after one warm-up). */
export function wallMedian(args, opts, runs) {
  timed(args, opts)
  return median(Array.from({length: runs}, () => timed(args, opts)))
}

/**
 * Milliseconds between the last byte of output and the process's exit: what a command spends after it
 * is done (waiting for background compilation would show here as ~100 ms).
 */
export async function exitGap(args, {cwd, env}, runs = 5) {
  const gaps = []
  for (let i = 0; i < runs; i++) {
    gaps.push(
      await new Promise((resolve, reject) => {
        const child = spawn(process.execPath, args, {cwd, env, stdio: ['ignore', 'pipe', 'pipe']})
        let last = process.hrtime.bigint()
        child.stdout.on('data', () => (last = process.hrtime.bigint()))
        child.stderr.on('data', () => (last = process.hrtime.bigint()))
        child.on('error', reject)
        child.on('exit', () => resolve(Number(process.hrtime.bigint() - last) / 1e6))
      }),
    )
  }
  return median(gaps)
}

/** A file-fed portfolio of `n` option positions on 5 underlyings (all priced by sync). */
export function bigBook(dir, n) {
  const rows = ['symbol,quantity,entry_price,mark_price']
  const months = ['2027-01-15', '2027-03-19', '2027-06-18', '2027-09-17', '2027-12-17']
  let k = 0
  outer: for (const u of ['BIG', 'AAA', 'BBB', 'CCC', 'DDD'])
    for (const month of months)
      for (let strike = 50; strike < 250; strike += 0.5)
        for (const right of ['C', 'P']) {
          if (k >= n) break outer
          const intrinsic = right === 'C' ? Math.max(0, 150 - strike) : Math.max(0, strike - 150)
          rows.push(`${u} ${month} ${strike}${right},${k % 3 ? 1 : -1},2.5,${(intrinsic + 3 + (k % 7) * 0.1).toFixed(2)}`)
          k++
        }
  writeFileSync(path.join(dir, `book${n}.csv`), `${rows.join('\n')}\n`)
  writeFileSync(path.join(dir, 'quotes.csv'), 'symbol,price\nBIG,150\nAAA,150\nBBB,150\nCCC,150\nDDD,150\n')
  const config = path.join(dir, `book${n}.yaml`)
  writeFileSync(config, `market: {rates: {USD: 0.04}, quotes_file: quotes.csv}\nportfolios:\n  - {name: big, broker: manual, account: B, source: {file: book${n}.csv, format: generic}}\n`)
  return {config, db: path.join(dir, `book${n}.sqlite`)}
}

/**
 * The issue-8/19 figures: start-up ratios on the demo (with its year of price history) and on a
 * 1,000-position book, exit gaps, and the 20,000-position book (unless quick). With `baseline` (the root
 * of another build), its bin/run.js is timed in the same alternation.
 */
export async function runStartupBench({root, bin, tmp, env, line, baseline, quickOnly}) {
  const opts = {cwd: root, env: {...env, COTRADER_CACHE_DIR: path.join(tmp, 'cache')}}
  delete opts.env.NODE_EXTRA_CA_CERTS
  const demoDb = path.join(tmp, 'demo.sqlite')
  spawnSync(process.execPath, [path.join(root, 'scripts', 'demo-data.mjs')], opts) // the demo exports in data/, as npm start writes them
  // as npm start does: the demo's price history first, so that sync computes VaR/ES (issue 9)
  for (const f of ['price_history_us.csv', 'price_history_in.csv']) spawnSync(process.execPath, [bin, 'prices', 'import', path.join(root, 'data', f), '--db', demoDb], opts)
  spawnSync(process.execPath, [bin, 'sync', '--db', demoDb], opts)
  const baseBin = baseline ? path.join(baseline, 'bin', 'run.js') : undefined
  const fmt = (s) => `${s.min.toFixed(0)}/${s.median.toFixed(0)}/${s.max.toFixed(0)}`
  const ratio = (r) =>
    `${r.ratio.toFixed(2)}x  ours ${fmt(r.ours)} ms, node -e 0 ${fmt(r.floor)} ms (min/median/max), load ${r.load.toFixed(2)}` +
    (r.base ? `; baseline ${r.baseRatio.toFixed(2)}x (${fmt(r.base)} ms)` : '')
  const pair = (args) => paired([bin, ...args], opts, PAIRS, baseBin ? [baseBin, ...args] : undefined)
  for (const cmd of ['positions', 'risk', 'pnl']) line(`${cmd} --json, demo`, ratio(pair([cmd, '--json', '--db', demoDb])), '<= 2.5x')
  line('--version', ratio(pair(['--version'])), '<= 1.3x')
  line('--help', ratio(pair(['--help'])), '<= 1.3x')
  const greeks = ['greeks', '--type', 'put', '--spot', '100', '--strike', '95', '--days', '30', '--vol', '0.25', '--rate', '0.04', '--style', 'american', '--json']
  line('greeks ... --json', ratio(pair(greeks)), '<= 1.5x')
  // 1,000 option positions (5 underlyings), synced once by each build into its own database
  const thousand = bigBook(tmp, 1000)
  spawnSync(process.execPath, [bin, 'sync', '--config', thousand.config, '--db', thousand.db], opts)
  for (const cmd of ['positions', 'risk', 'pnl']) line(`${cmd} --json, 1,000 positions`, ratio(pair([cmd, '--json', '--config', thousand.config, '--db', thousand.db])), '<= 3x')
  const greeksArgs = [bin, ...greeks]
  line('exit after the last output: node -e "console.log(1)" (median ms)', (await exitGap(['-e', 'console.log(1)'], opts)).toFixed(1), 'reference: Node alone')
  for (const [name, args] of [['positions --json', [bin, 'positions', '--json', '--db', demoDb]], ['sync, demo', [bin, 'sync', '--db', demoDb]], ['greeks --json', greeksArgs]])
    line(`exit after the last output: ${name} (median ms)`, (await exitGap(args, opts)).toFixed(1), 'about the reference (no wait for compilation)')
  if (quickOnly) return
  const quick = opts

  // 20,000 positions: sync, then tables against --json (tables render in linear time and fit no terminal when piped).
  const big = bigBook(tmp, 20000)
  const bigArgs = ['--config', big.config, '--db', big.db]
  const syncBig = []
  for (let i = 0; i < 3; i++) {
    const t = process.hrtime.bigint()
    const r = spawnSync(process.execPath, [bin, 'sync', '--json', ...bigArgs], quick)
    syncBig.push(Number(process.hrtime.bigint() - t) / 1e6)
    if (r.status !== 0) throw new Error(`sync of 20,000 positions exited ${r.status}: ${r.stderr}`)
  }
  line('sync of 20,000 option positions (median of 3, s)', (syncBig.sort((a, b) => a - b)[1] / 1000).toFixed(2), '<= 5 s')
  for (const cmd of ['positions', 'risk', 'pnl']) {
    const json = wallMedian([bin, cmd, '--json', ...bigArgs], quick, 3)
    const tbl = wallMedian([bin, cmd, ...bigArgs], quick, 3)
    line(`${cmd}, 20,000 positions: table / --json`, `${tbl.toFixed(0)} / ${json.toFixed(0)} ms = ${(tbl / json).toFixed(2)}x`, '<= 3x')
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
  const env = {...process.env, NO_COLOR: '1'}
  delete env.TASTYTRADE_CLIENT_SECRET
  delete env.TASTYTRADE_REFRESH_TOKEN
  const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ')
  const line = (name, value, target) => console.log(`${name.padEnd(34)} ${value.padStart(24)}   target ${target}`)
  const b = process.argv.indexOf('--baseline')
  const baseline = b > 0 ? path.resolve(process.argv[b + 1]) : undefined
  console.log(`load average (1, 5, 15 min) before: ${load()}; ${os.cpus().length} CPUs; Node ${process.version}; ${PAIRS} pairs${baseline ? `; baseline ${baseline}` : ''}`)
  await runStartupBench({root, bin: path.join(root, 'bin', 'run.js'), tmp: mkdtempSync(path.join(os.tmpdir(), 'cotrader-bench-')), env, line, baseline, quickOnly: process.argv.includes('--quick')})
  console.log(`load average after: ${load()}`)
}
