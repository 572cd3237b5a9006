/*
 * A big book's model Greeks priced in two threads (services/model-greeks.ts) are exactly those of one
 * thread, in the same order: the worker runs the same withModelGreeks on the same inputs. The worker
 * is the built one (dist/bundle/price-worker.cjs, `npm run build`); without it everything is priced here.
 */
import {existsSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {withModelGreeks} from '../../src/core/domain/greeks.js'
import type {Position} from '../../src/core/domain/types.js'
import {PARALLEL_MIN, withModelGreeksAll} from '../../src/core/services/model-greeks.js'

const WORKER = path.resolve(__dirname, '../../dist/bundle/price-worker.cjs')
const asOf = new Date('2026-12-01T15:00:00Z')

/** American options on one underlying at 150: every strike from 50 to 250, both rights, a few expiries; some marks at intrinsic or impossible. */
function book(n: number): Position[] {
  const out: Position[] = []
  const expiries = ['2027-01-15', '2027-06-18', '2027-12-17']
  for (let k = 0; out.length < n; k++) {
    const strike = 50 + (k % 400) * 0.5
    const right = k % 2 ? 'call' : 'put'
    const intrinsic = right === 'call' ? Math.max(0, 150 - strike) : Math.max(0, strike - 150)
    const mark = k % 97 === 0 ? intrinsic : k % 89 === 0 ? 0.001 : intrinsic + 3 + (k % 7) * 0.1
    const expiry = expiries[k % 3]
    out.push({
      symbol: `BIG ${expiry} ${strike}${right === 'call' ? 'C' : 'P'}`, brokerSymbol: `B${k}`, instrumentType: 'equity_option', underlying: 'BIG',
      quantity: k % 3 ? 1 : -1, multiplier: 100, entryPrice: 2.5, markPrice: mark, currency: 'USD',
      option: {expiry, strike, right, style: 'american'}, underlyingPrice: 150, underlyingPriceSource: 'quotes', iv: null, greeks: null, greeksSource: 'none',
    } as unknown as Position)
  }
  return out
}

describe('model Greeks of a big book in two threads', () => {
  it.skipIf(!existsSync(WORKER))('equal one thread’s, position by position, in order (with the built worker)', {timeout: 120_000}, async () => {
    const positions = book(PARALLEL_MIN + 101)
    const markets = positions.map((_, i) => ({rate: 0.04, dividend: i % 5 === 0 ? 0.01 : 0}))
    const two = await withModelGreeksAll(positions, markets, asOf, WORKER)
    const one = positions.map((p, i) => withModelGreeks(p, markets[i], asOf))
    expect(two).toEqual(one)
    // both parts were really priced (the second in the worker): IVs solved for nearly every position
    const half = Math.ceil(positions.length * 0.52)
    const solved = (ps: typeof two) => ps.filter((p) => p.greeksSource === 'model' && p.iv !== null).length / ps.length
    expect(solved(two.slice(half))).toBeGreaterThan(0.9)
    expect(solved(two.slice(0, half))).toBeGreaterThan(0.9)
    expect(two.some((p) => p.greeksSource === 'none')).toBe(true) // the impossible marks, explained
  })

  it('without a worker file, or when the worker cannot run, prices everything in this thread', async () => {
    const positions = book(PARALLEL_MIN)
    const markets = positions.map(() => ({rate: 0.04, dividend: 0}))
    const one = positions.map((p, i) => withModelGreeks(p, markets[i], asOf))
    expect(await withModelGreeksAll(positions, markets, asOf, undefined)).toEqual(one)
    expect(await withModelGreeksAll(positions, markets, asOf, path.join(__dirname, 'no-such-worker.cjs'))).toEqual(one)
  }, 120_000)
})
