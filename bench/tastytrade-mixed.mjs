#!/usr/bin/env node
/*
 * Bench (issue 17): `cotrader sync --json` of a 1,000-position tastytrade account of mixed instrument
 * types (a third CME futures options in every fixed-width layout, futures, stock, equity options,
 * crypto) against today's 1,000-position account (stock and equity options), both measured in this
 * one run against the local fake (REST + DXLink). Target: mixed within 10 % of the stock/options
 * account. Runs alternate (large, mixed, large, …) so load on the shared machine hits both alike.
 * The configured Greeks wait (2 s, spent in full: one silent symbol each) is part of both totals, so
 * the comparison is also given on the time beyond the wait.
 *
 *   npm run build && node bench/tastytrade-mixed.mjs
 */
import {mkdtempSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {runTastytradeBench} from './tastytrade.mjs'

export async function runMixedBench({root, bin, tmp, env, rounds = 3}) {
  const large = []
  const mixed = []
  let lastLarge
  let lastMixed
  for (let i = 0; i < rounds; i++) {
    lastLarge = await runTastytradeBench({root, bin, tmp, env, account: 'large', runs: 1})
    large.push(lastLarge.totalMs)
    lastMixed = await runTastytradeBench({root, bin, tmp, env, account: 'mixed', runs: 1})
    mixed.push(lastMixed.totalMs)
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const waitMs = lastLarge.waitMs
  return {largeMs: median(large), mixedMs: median(mixed), waitMs, large, mixed, greeksLarge: lastLarge.greeks, greeksMixed: lastMixed.greeks}
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
  const bin = path.join(root, 'bin', 'run.js')
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'cotrader-bench-mixed-'))
  const env = {...process.env, NO_COLOR: '1'}
  delete env.TASTYTRADE_CLIENT_SECRET
  delete env.TASTYTRADE_REFRESH_TOKEN
  const r = await runMixedBench({root, bin, tmp, env, rounds: Number(process.env.ROUNDS ?? 3)})
  const pct = (r.mixedMs / r.largeMs - 1) * 100
  const beyond = ((r.mixedMs - r.waitMs) / (r.largeMs - r.waitMs) - 1) * 100
  console.log(`1,000 positions, stock + equity options:   ${r.largeMs.toFixed(0)} ms (runs ${r.large.map((x) => x.toFixed(0)).join(', ')}; greeks ${JSON.stringify(r.greeksLarge)})`)
  console.log(`1,000 positions, mixed (1/3 futures opts): ${r.mixedMs.toFixed(0)} ms (runs ${r.mixed.map((x) => x.toFixed(0)).join(', ')}; greeks ${JSON.stringify(r.greeksMixed)})`)
  console.log(`mixed vs stock/options: ${pct >= 0 ? '+' : ''}${pct.toFixed(1)} % total, ${beyond >= 0 ? '+' : ''}${beyond.toFixed(1)} % beyond the ${r.waitMs} ms Greeks wait   target within 10 %`)
}
