/*
 * The capital estimate's sweep (containers/risk.ts worstStrikes) must give exactly what evaluating the
 * value at expiry at every strike gives: the same number to the bit, on books built to make the maximum
 * tie or nearly tie across strikes, with shares, non-standard deliverables and many strikes.
 */
import {describe, expect, it} from 'vitest'
import {estimateCapitalInUse} from '../../src/core/containers/risk.js'
import {effectiveOption} from '../../src/core/domain/deliverable.js'
import type {Position} from '../../src/core/domain/types.js'
import {pos} from '../domain/builders.js'

/** The estimate as it was computed before the sweep: every strike, each summed in the group's order. */
function reference(positions: Position[]): number | null {
  const groups = new Map<string, Position[]>()
  for (const p of positions) groups.set(p.underlying, [...(groups.get(p.underlying) ?? []), p])
  let sum = 0
  for (const group of groups.values()) {
    if (group.some((p) => p.instrumentType === 'future' || p.instrumentType === 'future_option' || p.markPrice === null)) return null
    if (group.some((p) => p.opaque || (p.option && effectiveOption(p) === null))) return null
    const now = group.reduce((v, p) => v + p.markPrice! * p.quantity * p.multiplier, 0)
    const value = (s: number) => {
      let v = 0
      for (const p of group) {
        const o = p.option
        if (o && p.deliverable) {
          const e = effectiveOption(p)!
          v = v + e.ratio * Math.max(o.right === 'call' ? s - e.strike : e.strike - s, 0) * p.quantity * p.multiplier
          continue
        }
        v = v + (o ? Math.max(o.right === 'call' ? s - o.strike : o.strike - s, 0) : s) * p.quantity * p.multiplier
      }
      return v
    }
    let loss = Math.max(0, now - value(0))
    for (const p of group) if (p.option) loss = Math.max(loss, now - value(p.deliverable ? effectiveOption(p)!.strike : p.option.strike))
    const slope = group.reduce((v, p) => v + (!p.option || p.option.right === 'call' ? p.quantity * p.multiplier * (p.deliverable ? effectiveOption(p)!.ratio : 1) : 0), 0)
    if (slope < 0) {
      const price = group.find((p) => p.underlyingPrice !== null)?.underlyingPrice ?? null
      if (price === null) return null
      loss += -slope * price
    }
    sum += loss
  }
  return sum
}

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function book(seed: number): Position[] {
  const r = random(seed)
  const out: Position[] = []
  const legs = 10 + Math.floor(r() * 300)
  const step = [0.5, 1, 2.5, 0.01, 1 / 3][seed % 5]
  for (let i = 0; i < legs; i++) {
    const u = ['AAA', 'BBB'][i % 2]
    const strike = Number((50 + Math.floor(r() * 200) * step).toFixed(4))
    const right = r() < 0.5 ? 'C' : 'P'
    const q = [1, -1, 2, -3, 10][Math.floor(r() * 5)]
    const mark = (r() * 20).toFixed(2)
    const extra: Partial<Position> = {underlyingPrice: 150}
    // some adjusted contracts: 150 shares plus cash, as after a 3-for-2 split with a special dividend
    if (seed % 3 === 0 && r() < 0.1) extra.deliverable = {shares: 150, underlying: u, cash: r() < 0.5 ? 0 : 1234.56}
    out.push(pos(`${q} ${u} 2027-01-15 ${strike}${right} @ 1 mark ${mark}`, extra))
  }
  if (seed % 4 === 0) out.push(pos(`${seed % 8 === 0 ? 300 : -200} AAA @ 100 mark 150`))
  return out
}

describe('capital estimate: the sweep over strikes gives what every strike gives, to the bit', () => {
  it('random books with hundreds of strikes, shares and non-standard deliverables', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const positions = book(seed)
      const want = reference(positions)
      const got = estimateCapitalInUse(positions)
      if (!Object.is(got, want)) throw new Error(`seed ${seed}: ${got} against ${want}`)
    }
  })

  it('near ties: plateaus whose value differs in the last bits from strike to strike', () => {
    // Put verticals at high strikes (a flat stretch below them, worth k1 - k2 in exact arithmetic at every
    // strike there, not in floating point) and pairs cancelling at one strike inside it: the worst strike
    // by the sweep's sums is not always the worst by valueAtExpiry's (about 1 book in 20 here without the
    // sweep's error margin), and the result must still be valueAtExpiry's worst.
    for (let seed = 1; seed <= 400; seed++) {
      const r = random(seed)
      const positions = [pos('1 AAA 2027-01-15 20P @ 1 mark 5'), pos('1 AAA 2027-01-15 400C @ 1 mark 5')]
      for (let i = 0, n = 10 + Math.floor(r() * 40); i < n; i++) {
        const q = 1 + Math.floor(r() * 5)
        positions.push(pos(`${q} AAA 2027-01-15 ${(300 + r() * 50).toFixed(10)}P @ 1 mark ${(r() * 9).toFixed(2)}`))
        positions.push(pos(`-${q} AAA 2027-01-15 ${(300 + r() * 50).toFixed(10)}P @ 1 mark ${(r() * 9).toFixed(2)}`))
        const k = (60 + r() * 200).toFixed(10)
        positions.push(pos(`1 AAA 2027-01-15 ${k}C @ 1 mark 1`), pos(`-1 AAA 2027-01-15 ${k}C @ 1 mark 1`))
      }
      const want = reference(positions)
      const got = estimateCapitalInUse(positions)
      if (!Object.is(got, want)) throw new Error(`seed ${seed}: ${got} against ${want}`)
    }
  })

  it('ties: a ladder of verticals whose worst case is the same at many strikes', () => {
    // Each vertical 1-wide loses the same at every strike above its short leg: the maximum ties across
    // strikes, where a sum in another order could pick a value one bit off.
    const positions: Position[] = []
    for (let k = 100; k < 140; k += 1) {
      positions.push(pos(`-1 AAA 2027-01-15 ${k}P @ 1 mark 0.3`), pos(`1 AAA 2027-01-15 ${k - 1}P @ 1 mark 0.1`))
      positions.push(pos(`-1 AAA 2027-01-15 ${k + 0.1}C @ 1 mark 0.7`), pos(`1 AAA 2027-01-15 ${k + 1.1}C @ 1 mark 0.1`))
    }
    expect(Object.is(estimateCapitalInUse(positions), reference(positions))).toBe(true)
    expect(estimateCapitalInUse(positions)).toBeGreaterThan(0)
  })

  it('a few strikes (evaluated one by one as before) and the bench book shape', () => {
    const few = [pos('-1 AAA 2027-01-15 100P @ 1 mark 2'), pos('1 AAA 2027-01-15 90P @ 1 mark 1'), pos('100 AAA @ 1 mark 95')]
    expect(Object.is(estimateCapitalInUse(few), reference(few))).toBe(true)
    // bench/startup.mjs bigBook: strikes 50..250 by 0.5, calls and puts, alternating long and short
    const big: Position[] = []
    let k = 0
    for (const month of ['2027-01-15', '2027-03-19'])
      for (let strike = 50; strike < 250; strike += 0.5)
        for (const right of ['C', 'P']) {
          const intrinsic = right === 'C' ? Math.max(0, 150 - strike) : Math.max(0, strike - 150)
          big.push(pos(`${k % 3 ? 1 : -1} BIG ${month} ${strike}${right} @ 2.5 mark ${(intrinsic + 3 + (k % 7) * 0.1).toFixed(2)}`, {underlyingPrice: 150}))
          k++
        }
    expect(Object.is(estimateCapitalInUse(big), reference(big))).toBe(true)
  })
})
