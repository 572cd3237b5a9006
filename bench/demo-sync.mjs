#!/usr/bin/env node
/*
 * The demo `sync` with the research wheel's transactions vs without them (issue 16: "the demo sync
 * with transactions within 10 % of today's"). Both configs are the demo's own (config/risk_config.yaml),
 * one with the `transactions:` source line removed; the demo exports are written to a temp data/ as
 * `npm start` writes them, prices imported as `npm start` does. Measured: the first sync into a fresh
 * database, then repeated syncs (the steady state: every transaction already stored, the ledger
 * reconciled after the run). Wall times of the built CLI (npm run build first), alternating the two
 * configs so load changes hit both alike; medians printed, never asserted.
 * Standalone: node bench/demo-sync.mjs [rounds=7]
 */
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

export async function runDemoSyncBench({root, bin, env, tmp, line, rounds = 7}) {
  const {demoExports} = await import(path.join(root, 'dist', 'demo', 'exports.js'))
  mkdirSync(path.join(tmp, 'config'), {recursive: true})
  mkdirSync(path.join(tmp, 'data'), {recursive: true})
  for (const [name, text] of demoExports(new Date())) writeFileSync(path.join(tmp, 'data', name), text)
  const yaml = readFileSync(path.join(root, 'config', 'risk_config.yaml'), 'utf8')
  const withTx = path.join(tmp, 'config', 'with.yaml')
  const without = path.join(tmp, 'config', 'without.yaml')
  writeFileSync(withTx, yaml)
  const stripped = yaml.split('\n').filter((l) => !/^\s+transactions: \{file:/.test(l)).join('\n')
  if (stripped === yaml) throw new Error('demo config has no transactions: line to remove')
  writeFileSync(without, stripped)
  // CPU time (user + system) of the process too, where /usr/bin/time exists: on a shared machine under
  // load, wall time mostly measures the other jobs.
  const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null
  const cpuFile = path.join(tmp, 'cpu.txt')
  const cpu = {with: [], without: []}
  const run = (config, db, args, cpuOut) => {
    const argv = [process.execPath, bin, ...args, '--config', config, '--db', db]
    const t = process.hrtime.bigint()
    const r = timeBin ? spawnSync(timeBin, ['-f', '%U %S', '-o', cpuFile, ...argv], {cwd: tmp, env, encoding: 'utf8'}) : spawnSync(argv[0], argv.slice(1), {cwd: tmp, env, encoding: 'utf8'})
    const ms = Number(process.hrtime.bigint() - t) / 1e6
    if (r.status !== 0) throw new Error(`${args.join(' ')} (${path.basename(config)}) exited ${r.status}: ${r.stderr}`)
    if (timeBin && cpuOut) {
      const [u, sys] = readFileSync(cpuFile, 'utf8').trim().split('\n').at(-1).split(' ').map(Number)
      cpuOut.push((u + sys) * 1000)
    }
    return ms
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const first = {with: [], without: []}
  const again = {with: [], without: []}
  for (let i = 0; i < rounds; i++) {
    for (const [k, config] of [['without', without], ['with', withTx]]) {
      const db = path.join(tmp, `demo-${k}-${i}.sqlite`)
      for (const f of ['price_history_us.csv', 'price_history_in.csv']) run(config, db, ['prices', 'import', path.join(tmp, 'data', f)])
      first[k].push(run(config, db, ['sync']))
      again[k].push(run(config, db, ['sync'], cpu[k]))
    }
  }
  const pct = (a, b) => `${(((a - b) / b) * 100).toFixed(1)} %`
  const f = {with: median(first.with), without: median(first.without)}
  const g = {with: median(again.with), without: median(again.without)}
  line('demo sync, fresh db: with / without transactions (ms)', `${f.with.toFixed(0)} / ${f.without.toFixed(0)} (${pct(f.with, f.without)})`, 'within 10 %')
  line('demo sync, repeated: with / without transactions (ms)', `${g.with.toFixed(0)} / ${g.without.toFixed(0)} (${pct(g.with, g.without)})`, 'within 10 %')
  if (timeBin) {
    const c = {with: median(cpu.with), without: median(cpu.without)}
    line('demo sync, repeated, CPU user+sys: with / without (ms)', `${c.with.toFixed(0)} / ${c.without.toFixed(0)} (${pct(c.with, c.without)})`, 'within 10 %')
  }
  return {first, again, cpu}
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
  const env = {...process.env, NO_COLOR: '1'}
  delete env.TASTYTRADE_CLIENT_SECRET
  delete env.TASTYTRADE_REFRESH_TOKEN
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'cotrader-demo-sync-'))
  const line = (name, value, target) => console.log(`${name.padEnd(56)} ${value.padStart(28)}   target ${target}`)
  const r = await runDemoSyncBench({root, bin: path.join(root, 'bin', 'run.js'), env, tmp, line, rounds: Number(process.argv[2] ?? 7)})
  if (process.env.BENCH_RAW) console.log(JSON.stringify(r))
}
