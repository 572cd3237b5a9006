/*
 * VaR and stress benchmarks on the compiled library (issue 9):
 *   - historical-simulation VaR with full revaluation, 10,000 scenarios × 1,000 option legs
 *     (target ≤ 1 s on one core): legs × scenarios per second, European legs priced exactly and
 *     American legs through the interpolating engine (its error against exact pricing printed);
 *   - stress grid 11 × 9 on 1,000 legs (target ≤ 200 ms).
 *
 *   npx tsc -p tsconfig.build.json && node bench/var.mjs
 */
import {pathToFileURL} from 'node:url'
import {apiEngine, legBook, revaluePnl} from '../dist/core/pricing/revalue.js'
import {scanPoints, stressGrid} from '../dist/core/pricing/stress.js'
import {varEsFromPnl} from '../dist/core/pricing/var.js'

function rng(seed) {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2147483648
    return seed / 2147483648
  }
}

/** 1,000 option legs on 20 underlyings, strikes ±20 %, 5–400 days, vols 15–60 %. */
export function makeLegs(n, american) {
  const r = rng(7)
  const legs = []
  for (let i = 0; i < n; i++) {
    const u = i % 20
    const spot = 50 + 10 * u
    legs.push({
      underlying: `U${u}`, option: true, call: i % 2 === 0, american, black76: false,
      units: (r() < 0.5 ? -1 : 1) * 100 * (1 + Math.floor(r() * 5)),
      spot, strike: Math.round(spot * (0.8 + 0.4 * r())), years: (5 + 395 * r()) / 365, rate: 0.04, dividend: 0.01, vol: 0.15 + 0.45 * r(),
    })
  }
  return legs
}

export function makeScenarios(m, n) {
  const r = rng(11)
  const spotFactor = new Float64Array(m * n)
  const volShift = new Float64Array(m * n)
  for (let i = 0; i < m * n; i++) {
    const z = Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r())
    spotFactor[i] = Math.exp(0.02 * z)
    volShift[i] = 0.01 * z * (r() - 0.5)
  }
  return {n, spotFactor, volShift, elapsedYears: 1 / 252}
}

function time(fn, runs = 3) {
  const t = []
  for (let i = 0; i < runs; i++) {
    const s = process.hrtime.bigint()
    fn()
    t.push(Number(process.hrtime.bigint() - s) / 1e6)
  }
  return t.sort((a, b) => a - b)[Math.floor(runs / 2)]
}

export function runVarBench() {
  const N = 10_000
  const L = 1_000
  const out = new Float64Array(N)
  const euro = legBook(makeLegs(L, false))
  const sc = makeScenarios(euro.underlyings.length, N)
  const euroMs = time(() => revaluePnl(euro, sc, out), 3)
  const euroVar = varEsFromPnl(out, 0.99).var
  const euroGridMs = time(() => revaluePnl(euro, sc, out, {interpolate: true}), 3)
  const euroGridVar = varEsFromPnl(out, 0.99).var
  // American legs with the engine VaR and stress use (services/var.ts scenarioEngine: 'fast').
  const fast = apiEngine({engine: 'fast'})
  const amer = legBook(makeLegs(L, true))
  const amerGridMs = time(() => revaluePnl(amer, sc, out, {interpolate: true, engine: fast}), 1)
  // Interpolation error of American legs against exact American pricing, on a subset (exact is slow).
  const sub = legBook(makeLegs(L, true).slice(0, 40))
  const scSub = {...makeScenarios(sub.underlyings.length, 2000)}
  const exact = new Float64Array(2000)
  const grid = new Float64Array(2000)
  const amerExactMs = time(() => revaluePnl(sub, scSub, exact, {engine: fast}), 1)
  revaluePnl(sub, scSub, grid, {interpolate: true, engine: fast})
  let worst = 0
  let scale = 0
  for (let i = 0; i < 2000; i++) {
    worst = Math.max(worst, Math.abs(exact[i] - grid[i]))
    scale = Math.max(scale, Math.abs(exact[i]))
  }
  const moves = euro.underlyings.map(() => scanPoints({down: -15, up: 15, steps: 5}))
  const vols = scanPoints({down: -10, up: 10, steps: 4})
  const stressEuroMs = time(() => stressGrid(euro, moves, vols), 3)
  const stressAmerMs = time(() => stressGrid(amer, moves, vols, fast), 1)
  const stressAmerGridMs = time(() => stressGrid(amer, moves, vols, fast, true), 1)
  return {
    euroMs, euroPerSec: (L * N) / (euroMs / 1000), euroGridMs, gridVarRelErr: Math.abs(euroGridVar / euroVar - 1),
    amerGridMs, amerGridPerSec: (L * N) / (amerGridMs / 1000),
    amerExactPerSec: (40 * 2000) / (amerExactMs / 1000), amerGridWorstRel: worst / scale,
    stressEuroMs, stressAmerMs, stressAmerGridMs,
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = runVarBench()
  const line = (name, value, target) => console.log(`${name.padEnd(60)} ${value.padStart(16)}   target ${target}`)
  line('hist. VaR 10k scen × 1k European legs, exact (ms)', r.euroMs.toFixed(0), '<= 1000 ms')
  line('  legs × scenarios per second', `${(r.euroPerSec / 1e6).toFixed(2)} M/s`, '>= 10 M/s')
  line('  same, interpolating engine (ms)', r.euroGridMs.toFixed(0), '')
  line('  99 % VaR: interpolating vs exact, relative difference', r.gridVarRelErr.toExponential(2), '')
  line('hist. VaR 10k × 1k American legs, interpolating (ms)', r.amerGridMs.toFixed(0), '<= 1000 ms')
  line('  legs × scenarios per second', `${(r.amerGridPerSec / 1e6).toFixed(2)} M/s`, '>= 10 M/s')
  line('  American (fast engine) legs × scenarios per second, no grid', `${(r.amerExactPerSec / 1e3).toFixed(1)} k/s`, '')
  line('  worst |grid − exact| ÷ largest |P&L| (40 legs × 2k)', r.amerGridWorstRel.toExponential(2), '')
  line('stress grid 11 × 9, 1k European legs, exact (ms)', r.stressEuroMs.toFixed(1), '<= 200 ms')
  line('stress grid 11 × 9, 1k American legs, fast engine (ms)', r.stressAmerMs.toFixed(1), '<= 200 ms')
  line('  same, interpolating (ms)', r.stressAmerGridMs.toFixed(1), '<= 200 ms')
}
