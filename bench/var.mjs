/*
 * VaR and stress benchmarks on the compiled library (issue 9):
 *   - historical-simulation VaR with full revaluation, 10,000 scenarios × 1,000 option legs
 *     (target ≤ 1 s on one core), legs × scenarios per second: European legs priced exactly in
 *     every scenario (the BSM kernel, bit-identical to the pricing API) and through the
 *     interpolating engine; American legs through the interpolating engine, its grid priced by the
 *     'fast' engine (what VaR uses) and by the converged 'exact' engine;
 *   - the interpolating engine's error: per leg, the worst |interpolated − priced| over every
 *     scenario, in units of the strike, for a sample of 40 legs (each priced in all 10,000
 *     scenarios by the same engine), and the 99 % VaR/ES of the 40-leg book both ways;
 *   - stress grid 11 × 9 on 1,000 legs (target ≤ 200 ms), every cell priced by the model.
 * Times are CPU milliseconds of this single-threaded process (median of runs).
 * The legs are deliberately unkind: every leg its own expiry (5–400 days) and its own vol (15–60 %).
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

/** Daily scenarios: log returns with 2 % daily σ (fat enough: ±8 % over 10,000 draws), IV changes up to about ±3 vol points. */
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

/** Median of `runs` runs: CPU milliseconds of this process (one thread; on a loaded machine wall time also measures the queue). */
function time(fn, runs = 3) {
  const t = []
  for (let i = 0; i < runs; i++) {
    const s = process.cpuUsage()
    fn()
    const d = process.cpuUsage(s)
    t.push((d.user + d.system) / 1000)
  }
  return t.sort((a, b) => a - b)[Math.floor(runs / 2)]
}

/** Worst per-leg |interpolated − priced| ÷ strike over all scenarios, for every 25th leg; and the 99 % VaR/ES of that sample book both ways. */
function gridError(legs, sc, engine) {
  const n = sc.n
  const a = new Float64Array(n)
  const b = new Float64Array(n)
  const sample = legs.filter((_, i) => i % 25 === 0)
  let worst = 0
  const bookA = new Float64Array(n)
  const bookB = new Float64Array(n)
  for (const leg of sample) {
    const one = legBook([{...leg, underlying: 'X'}])
    const u = Number(leg.underlying.slice(1))
    const sc1 = {n, spotFactor: sc.spotFactor.subarray(u * n, (u + 1) * n), volShift: sc.volShift.subarray(u * n, (u + 1) * n), elapsedYears: sc.elapsedYears}
    revaluePnl(one, sc1, a, {engine, interpolate: true})
    revaluePnl(one, sc1, b, {engine})
    for (let s = 0; s < n; s++) {
      worst = Math.max(worst, Math.abs(a[s] - b[s]) / Math.abs(leg.units) / leg.strike)
      bookA[s] += a[s]
      bookB[s] += b[s]
    }
  }
  const va = varEsFromPnl(bookA, 0.99)
  const vb = varEsFromPnl(bookB, 0.99)
  return {worst, varRel: Math.abs(va.var / vb.var - 1), esRel: Math.abs(va.es / vb.es - 1)}
}

export function runVarBench() {
  const N = 10_000
  const L = 1_000
  const out = new Float64Array(N)
  const fast = apiEngine({engine: 'fast'})
  const exact = apiEngine()
  const euroLegs = makeLegs(L, false)
  const amerLegs = makeLegs(L, true)
  const euro = legBook(euroLegs)
  const amer = legBook(amerLegs)
  const sc = makeScenarios(euro.underlyings.length, N)
  const euroMs = time(() => revaluePnl(euro, sc, out), 3)
  const euroVar = varEsFromPnl(out, 0.99)
  const euroGridMs = time(() => revaluePnl(euro, sc, out, {interpolate: true}), 3)
  const euroGridVar = varEsFromPnl(out, 0.99)
  const euroErr = gridError(euroLegs, sc, exact)
  const amerFastMs = time(() => revaluePnl(amer, sc, out, {interpolate: true, engine: fast}), 3)
  const amerExactMs = time(() => revaluePnl(amer, sc, out, {interpolate: true, engine: exact}), 1)
  const amerFastErr = gridError(amerLegs, sc, fast)
  const amerExactErr = gridError(amerLegs, sc, exact)
  // Per-scenario American pricing rate (what the grid saves): 20 legs × 10,000 scenarios.
  const few = legBook(amerLegs.slice(0, 20))
  const amerPerScenarioMs = time(() => revaluePnl(few, sc, out, {engine: fast}), 1)
  const moves = euro.underlyings.map(() => scanPoints({down: -15, up: 15, steps: 5}))
  const vols = scanPoints({down: -10, up: 10, steps: 4})
  const stressEuroMs = time(() => stressGrid(euro, moves, vols), 3)
  const stressAmerMs = time(() => stressGrid(amer, moves, vols, fast), 3)
  const stressAmerExactMs = time(() => stressGrid(amer, moves, vols, exact), 1)
  return {
    euroMs, euroPerSec: (L * N) / (euroMs / 1000), euroGridMs, euroGridPerSec: (L * N) / (euroGridMs / 1000),
    gridVarRelErr: Math.abs(euroGridVar.var / euroVar.var - 1), gridEsRelErr: Math.abs(euroGridVar.es / euroVar.es - 1), euroErr,
    amerFastMs, amerFastPerSec: (L * N) / (amerFastMs / 1000), amerExactMs, amerFastErr, amerExactErr,
    amerPerScenarioPerSec: (20 * N) / (amerPerScenarioMs / 1000),
    stressEuroMs, stressAmerMs, stressAmerExactMs,
  }
}

/** Prints the figures with `line(name, value, target)` (bench/run.js and this file share it). */
export function printVarBench(r, line) {
  const e = (x) => x.toExponential(1)
  line('hist. VaR 10k scen × 1k European legs, every scenario priced (ms)', r.euroMs.toFixed(0), '<= 1000 ms')
  line('  legs × scenarios per second', `${(r.euroPerSec / 1e6).toFixed(2)} M/s`, '>= 10 M/s')
  line('  same, interpolating engine (ms)', r.euroGridMs.toFixed(0), '<= 1000 ms')
  line('  legs × scenarios per second, interpolating', `${(r.euroGridPerSec / 1e6).toFixed(1)} M/s`, '>= 10 M/s')
  line('  99 % VaR / ES interpolating vs priced, relative difference', `${e(r.gridVarRelErr)} / ${e(r.gridEsRelErr)}`, '')
  line('  worst per-leg error ÷ strike, 40 legs × 10k scenarios', e(r.euroErr.worst), '')
  line('hist. VaR 10k × 1k American legs, interpolating, fast engine (ms)', r.amerFastMs.toFixed(0), '<= 1000 ms')
  line('  legs × scenarios per second', `${(r.amerFastPerSec / 1e6).toFixed(1)} M/s`, '>= 10 M/s')
  line('  worst per-leg error ÷ strike vs the fast engine in every scenario', e(r.amerFastErr.worst), '')
  line('  40-leg book 99 % VaR / ES, relative difference', `${e(r.amerFastErr.varRel)} / ${e(r.amerFastErr.esRel)}`, '')
  line('  same, grid priced by the converged engine (ms)', r.amerExactMs.toFixed(0), '<= 1000 ms')
  line('  worst per-leg error ÷ strike vs the converged engine', e(r.amerExactErr.worst), '')
  line('  40-leg book 99 % VaR / ES, relative difference', `${e(r.amerExactErr.varRel)} / ${e(r.amerExactErr.esRel)}`, '')
  line('  American priced in every scenario (fast engine), legs × scen/s', `${(r.amerPerScenarioPerSec / 1e3).toFixed(0)} k/s`, '')
  line('stress grid 11 × 9, 1k European legs, every cell priced (ms)', r.stressEuroMs.toFixed(1), '<= 200 ms')
  line('stress grid 11 × 9, 1k American legs, fast engine (ms)', r.stressAmerMs.toFixed(1), '<= 200 ms')
  line('  same, converged engine (ms)', r.stressAmerExactMs.toFixed(1), '<= 200 ms')
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const line = (name, value, target) => console.log(`${name.padEnd(68)} ${value.padStart(16)}   target ${target}`)
  printVarBench(runVarBench(), line)
}
