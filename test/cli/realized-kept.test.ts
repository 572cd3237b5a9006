/*
 * pnl --realized on the fast path keeps its result with the database's read replay (docs/LEDGER.md
 * "Speed"), as real processes (build first): the kept result is what oclif computes (COTRADER_OCLIF=1,
 * no read replay) before and after a new import, a lot-method change and another day; never a stale one.
 */
import {readdirSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {unpackParts} from '../../src/core/store/cache-file.js'
import {workspace} from './helpers.js'

const config = (lots: string) => `
base_currency: USD
portfolios:
  - {name: w, broker: manual, account: W1, lots: ${lots}, source: {file: w.csv, format: generic}}
`
const HEADER = 'date,kind,symbol,quantity,price,commission,id'
// fifo: (120 − 100) × 10 = 200; lifo: (120 − 110) × 10 = 100; a later sell of 10 @ 130 (fifo): + (130 − 110) × 10 = 400
const TX = [HEADER, '2026-11-02 10:00:00,trade,XYZ,10,100,,W1', '2026-11-03 10:00:00,trade,XYZ,10,110,,W2', '2026-11-04 10:00:00,trade,XYZ,-10,120,,W3'].join('\n') + '\n'

describe('pnl --realized: the kept result (real processes)', () => {
  it('is what oclif computes, before and after a new import, a lot-method change and another day', () => {
    const w = workspace({'risk_config.yaml': config('fifo'), 'w.csv': 'symbol,quantity,entry_price,mark_price\nCASH,0,,\n', 'tx.csv': TX})
    const cache = path.join(w.dir, 'cache')
    const env = (now: string, oclif = false) => ({COTRADER_NOW: now, COTRADER_CACHE_DIR: cache, ...(oclif ? {COTRADER_OCLIF: '1'} : {})})
    const day = '2026-11-04T21:00:00Z'
    const both = (args: string[], now: string) => {
      const fast = w.run(['pnl', '--realized', '--json', ...args], env(now))
      expect(fast.code).toBe(0)
      const oclif = w.run(['pnl', '--realized', '--json', ...args], env(now, true))
      expect(fast.stdout).toBe(oclif.stdout)
      return fast.json()
    }
    const kept = () => {
      const stores = readdirSync(cache).filter((n) => n.startsWith('reads-'))
      // A store's parts: header, the file's bytes, then key and answer in turn (store/read-cache.ts packStore).
      const keys = (n: string) => (unpackParts(readFileSync(path.join(cache, n))) ?? []).filter((part, i) => i >= 2 && i % 2 === 0 && typeof part === 'string' && part.startsWith('d\0'))
      return stores.flatMap(keys).length
    }
    expect(w.run(['transactions', 'import', 'tx.csv', '--portfolio', 'w', '--format', 'generic']).code).toBe(0)

    expect(both([], day).portfolios[0].realized).toBe(200)
    expect(kept()).toBe(1)
    const again = both([], day) // from the store
    expect(again.portfolios[0].realized).toBe(200)

    writeFileSync(w.config, config('lifo'))
    expect(both([], day).portfolios[0].realized).toBe(100)
    writeFileSync(w.config, config('fifo'))
    expect(both([], day).portfolios[0].realized).toBe(200)

    writeFileSync(path.join(w.dir, 'tx2.csv'), `${HEADER}\n2026-11-04 11:00:00,trade,XYZ,-10,130,,W4\n`)
    expect(w.run(['transactions', 'import', 'tx2.csv', '--portfolio', 'w', '--format', 'generic']).code).toBe(0)
    expect(both([], day).portfolios[0].realized).toBe(400)
    expect(both(['--days', '1'], day).portfolios[0].realized).toBe(400)

    // another day: the --days 1 window moves, nothing closed on 5 Nov
    expect(both(['--days', '1'], '2026-11-05T21:00:00Z').portfolios).toEqual([])
  }, 120_000)
})
