#!/usr/bin/env node
/*
 * The ledger (issue 16): import 100,000 transactions (target <= 2 s), `pnl --realized` over 10 years of
 * 20,000 events (target <= 300 ms), and the database's growth per 10,000 events. Wall times of the
 * built CLI as real processes (npm run build first); figures printed, never asserted.
 * Standalone: node bench/ledger.mjs; also part of npm run bench (bench/run.js).
 */
import {spawnSync} from 'node:child_process'
import {mkdtempSync, statSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const UNDERLYINGS = ['AAPL', 'MSFT', 'NVDA', 'AMD', 'TSLA', 'QQQ', 'SPY', 'IWM', 'META', 'AMZN', 'GOOG', 'NFLX', 'UBER', 'XOM', 'JPM', 'BAC', 'KO', 'PEP', 'DIS', 'INTC']

/**
 * `n` events over `years` years in the generic transactions CSV: per underlying, a short put opened,
 * closed later at a gain or loss (half of them rolled in one order), and shares bought and sold:
 * every close finds its open lot, as in a real account.
 */
export function ledgerCsv(n, years, startYear = 2016) {
  const rows = ['date,kind,symbol,quantity,price,commission,id,order_id']
  const days = years * 365
  let id = 0
  const at = (i) => {
    const d = new Date(Date.UTC(startYear, 0, 4) + Math.floor((i / n) * days) * 86_400_000)
    return `${d.toISOString().slice(0, 10)} ${String(10 + (i % 6)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:${String((i * 7) % 60).padStart(2, '0')}`
  }
  for (let i = 0; rows.length - 1 < n; i += 4) {
    const u = UNDERLYINGS[(i / 4) % UNDERLYINGS.length]
    const date = at(i).slice(0, 10)
    const expiry = new Date(Date.parse(`${date}T00:00:00Z`) + 45 * 86_400_000).toISOString().slice(0, 10)
    const strike = 100 + ((i / 4) % 40) * 5
    rows.push(`${at(i)},trade,${u} ${expiry} ${strike}P,-1,${(2 + (i % 13) / 10).toFixed(2)},1.00,T${id++},O${i}`)
    rows.push(`${at(i + 1)},trade,${u} ${expiry} ${strike}P,1,${(1 + (i % 17) / 10).toFixed(2)},1.00,T${id++},O${i + 1}`)
    rows.push(`${at(i + 2)},trade,${u},10,${(150 + (i % 50)).toFixed(2)},0,T${id++},O${i + 2}`)
    rows.push(`${at(i + 3)},trade,${u},-10,${(151 + (i % 53)).toFixed(2)},0,T${id++},O${i + 3}`)
  }
  return rows.slice(0, n + 1).join('\n') + '\n'
}

export function runLedgerBench({bin, env, tmp, line, only}) {
  const config = path.join(tmp, 'ledger.yaml')
  writeFileSync(config, 'portfolios:\n  - {name: big, broker: manual, account: B, source: {file: big.csv, format: generic}}\n')
  writeFileSync(path.join(tmp, 'big.csv'), 'symbol,quantity,entry_price,mark_price\nCASH,0,,\n')
  const run = (db, args) => {
    const t = process.hrtime.bigint()
    const r = spawnSync(process.execPath, [bin, ...args, "--config", config, "--db", db], {cwd: tmp, env, encoding: "utf8", stdio: ["ignore", "ignore", "pipe"]})
    const ms = Number(process.hrtime.bigint() - t) / 1e6
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`)
    return ms
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

  // 1. Import 100,000 transactions into an empty database (one file, one transaction).
  if (only === 'realized') return runRealized()
  writeFileSync(path.join(tmp, 'tx100k.csv'), ledgerCsv(100_000, 10))
  const imports = [0, 1, 2].map((i) => run(path.join(tmp, `import-${i}.sqlite`), ['transactions', 'import', 'tx100k.csv', '--portfolio', 'big', '--format', 'generic']))
  line('transactions import, 100,000 rows (median ms)', median(imports).toFixed(0), '<= 2000 ms')
  line('  re-import of the same file, nothing added (ms)', run(path.join(tmp, 'import-0.sqlite'), ['transactions', 'import', 'tx100k.csv', '--portfolio', 'big', '--format', 'generic']).toFixed(0), '')
  // What sql.js alone needs for these rows (bench/sqljs-insert-floor.mjs): SQLite's own work, and the rows handed over one by one.
  const floor = spawnSync(process.execPath, [path.join(path.dirname(fileURLToPath(import.meta.url)), 'sqljs-insert-floor.mjs'), path.join(tmp, 'import-0.sqlite')], {env, encoding: 'utf8'})
  if (floor.status !== 0) throw new Error(`sqljs-insert-floor.mjs exited ${floor.status}: ${floor.stderr}`)
  const {insertSelectMs, perRowMs} = JSON.parse(floor.stdout)
  line('  sql.js: the same rows, INSERT ... SELECT (ms)', insertSelectMs.toFixed(0), '')
  line('  sql.js: the same rows from memory, row by row (ms)', perRowMs.toFixed(0), '')

  // 2. pnl --realized over 10 years of 20,000 events.
  const {pnl, db20} = runRealized()
  line('ledger --json, same 20,000 events (median ms)', median([0, 1, 2].map(() => run(db20, ['ledger', '--json']))).toFixed(0), '')

  // 3. Database growth per 10,000 events.
  const dbGrow = path.join(tmp, 'grow.sqlite')
  writeFileSync(path.join(tmp, 'seed.csv'), 'date,kind,symbol,quantity,price,id\n2015-01-05,trade,AAPL,1,100,SEED\n')
  run(dbGrow, ['transactions', 'import', 'seed.csv', '--portfolio', 'big', '--format', 'generic'])
  const before = statSync(dbGrow).size
  writeFileSync(path.join(tmp, 'tx10k.csv'), ledgerCsv(10_000, 1))
  run(dbGrow, ['transactions', 'import', 'tx10k.csv', '--portfolio', 'big', '--format', 'generic'])
  const after = statSync(dbGrow).size
  line('database growth per 10,000 events', `${((after - before) / 1024 / 1024).toFixed(2)} MB`, '')
  return {importMs: median(imports), realizedMs: median(pnl), growthBytes: after - before}

  // The first run after the import computes the lots and keeps the result (read, don't recompute: docs/LEDGER.md "Speed"); the rest read it.
  function runRealized() {
    const db20 = path.join(tmp, 'realized.sqlite')
    writeFileSync(path.join(tmp, 'tx20k.csv'), ledgerCsv(20_000, 10))
    run(db20, ['transactions', 'import', 'tx20k.csv', '--portfolio', 'big', '--format', 'generic'])
    const pnl = [0, 1, 2, 3, 4, 5, 6].map(() => run(db20, ['pnl', '--realized', '--json']))
    line('pnl --realized, 20,000 events over 10 years (median ms)', median(pnl).toFixed(0), '<= 300 ms')
    line('  first run after the import (computes, ms)', pnl[0].toFixed(0), '')
    line('  another window (--year 2020, computes, ms)', run(db20, ['pnl', '--realized', '--json', '--year', '2020']).toFixed(0), '')
    return {pnl, db20, realizedMs: median(pnl)}
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
  const env = {...process.env, NO_COLOR: '1'}
  delete env.TASTYTRADE_CLIENT_SECRET
  delete env.TASTYTRADE_REFRESH_TOKEN
  const line = (name, value, target) => console.log(`${name.padEnd(52)} ${value.padStart(24)}   target ${target}`)
  // --only realized: just the pnl --realized part
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined
  runLedgerBench({bin: path.join(root, 'bin', 'run.js'), env, tmp: mkdtempSync(path.join(os.tmpdir(), 'cotrader-ledger-bench-')), line, only})
}
