/*
 * Bench: start-up and large books (issue 8), wall time of the real CLI process.
 *
 * Start-up ratios are paired: our command and `node -e 0` run alternately, 15 pairs, and the ratio is
 * median(ours) / median(node -e 0), so load on a shared machine hits both sides alike.
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

const PAIRS = 15

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

/** Our command against `node -e 0`, alternately: medians and their ratio. */
export function paired(args, opts, pairs = PAIRS) {
  timed(args, opts) // warm the caches
  const floor = []
  const ours = []
  for (let i = 0; i < pairs; i++) {
    floor.push(timed(['-e', '0'], opts))
    ours.push(timed(args, opts))
  }
  return {floorMs: median(floor), oursMs: median(ours), ratio: median(ours) / median(floor)}
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

/** The issue-8 figures: start-up ratios on the demo, exit gaps, and the 20,000-position book. */
export async function runStartupBench({root, bin, tmp, env, line}) {
  const quick = {cwd: root, env: {...env, COTRADER_CACHE_DIR: path.join(tmp, 'cache')}}
  delete quick.env.NODE_EXTRA_CA_CERTS
  const demoDb = path.join(tmp, 'demo.sqlite')
  spawnSync(process.execPath, [path.join(root, 'scripts', 'demo-data.mjs')], quick) // the demo exports in data/, as npm start writes them
  // as npm start does: the demo's price history first, so that sync computes VaR/ES (issue 9)
  for (const f of ['price_history_us.csv', 'price_history_in.csv']) spawnSync(process.execPath, [bin, 'prices', 'import', path.join(root, 'data', f), '--db', demoDb], quick)
  spawnSync(process.execPath, [bin, 'sync', '--db', demoDb], quick)
  const ratio = (r) => `${r.oursMs.toFixed(0)} / ${r.floorMs.toFixed(0)} ms = ${r.ratio.toFixed(2)}x`
  for (const cmd of ['positions', 'risk', 'pnl']) line(`${cmd} --json, demo (ours / node -e 0)`, ratio(paired([bin, cmd, '--json', '--db', demoDb], quick)), '<= 4x')
  line('--version (ours / node -e 0)', ratio(paired([bin, '--version'], quick)), '<= 2.5x')
  line('--help (ours / node -e 0)', ratio(paired([bin, '--help'], quick)), '<= 2.5x')
  const greeksArgs = [bin, 'greeks', '--type', 'put', '--spot', '100', '--strike', '95', '--days', '30', '--vol', '0.25', '--rate', '0.04', '--style', 'american', '--json']
  line('greeks ... --json (ours / node -e 0)', ratio(paired(greeksArgs, quick)), '<= 2.5x')
  line('exit after the last output: node -e "console.log(1)" (median ms)', (await exitGap(['-e', 'console.log(1)'], quick)).toFixed(1), 'reference: Node alone')
  for (const [name, args] of [['positions --json', [bin, 'positions', '--json', '--db', demoDb]], ['sync, demo', [bin, 'sync', '--db', demoDb]], ['greeks --json', greeksArgs]])
    line(`exit after the last output: ${name} (median ms)`, (await exitGap(args, quick)).toFixed(1), 'about the reference (no wait for compilation)')

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
  const line = (name, value, target) => console.log(`${name.padEnd(52)} ${value.padStart(24)}   target ${target}`)
  console.log(`load average (1, 5, 15 min) before: ${load()}; ${os.cpus().length} CPUs; Node ${process.version}`)
  await runStartupBench({root, bin: path.join(root, 'bin', 'run.js'), tmp: mkdtempSync(path.join(os.tmpdir(), 'cotrader-bench-')), env, line})
  console.log(`load average after: ${load()}`)
}
