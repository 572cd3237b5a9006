/*
 * The start-up machinery as users run it (built CLI, real processes): the code cache is written on the
 * first run and used after, output is the same with and without it, an unwritable cache directory
 * changes nothing, piped tables keep every column whatever COLUMNS says, and --wide is accepted.
 */
import {existsSync, readdirSync, statSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {tempDir, workspace} from './helpers.js'

const CONFIG = `
market: {quotes_file: quotes.csv}
portfolios:
  - {name: alpha, broker: manual, account: A1, source: {file: alpha.csv, format: generic}}
`
const ALPHA = 'symbol,quantity,entry_price,mark_price\nSPY,10,590,600\nCASH,1000,,\n'

describe('start-up: code cache and config cache (built CLI)', () => {
  it('first run without a cache works and writes it; later runs print the same', {timeout: 180_000}, () => {
    const ws = workspace({'risk_config.yaml': CONFIG, 'alpha.csv': ALPHA, 'quotes.csv': 'symbol,price\nSPY,600\n'})
    const cache = path.join(tempDir(), 'cache')
    const env = {COTRADER_CACHE_DIR: cache, COTRADER_NOW: '2026-06-01T15:00:00Z'}
    expect(ws.run(['sync'], env).code).toBe(0)
    const files = readdirSync(cache)
    expect(files.some((f) => /^main-[0-9a-f]{16}-[0-9a-f]{8}\.v8cache$/.test(f))).toBe(true) // sync ran in the oclif bundle
    expect(files.some((f) => /^config-[0-9a-f]{8}\.bin$/.test(f))).toBe(true)

    // positions runs in the fast path's own bundle, with its own code cache
    const first = ws.run(['positions'], env)
    const fastCache = readdirSync(cache).find((f) => /^fast-positions-[0-9a-f]{16}-[0-9a-f]{8}\.v8cache$/.test(f))
    expect(fastCache).toBeDefined()
    const v8cache = path.join(cache, fastCache!)
    const written = statSync(v8cache).mtimeMs
    const again = ws.run(['positions'], env)
    expect(first.code).toBe(0)
    expect(again.stdout).toBe(first.stdout)
    expect(statSync(v8cache).mtimeMs).toBe(written) // accepted by V8: not rewritten
    // A cache directory that cannot be created (under a regular file) changes nothing.
    const blocked = path.join(ws.dir, 'alpha.csv', 'cache')
    const without = ws.run(['positions'], {...env, COTRADER_CACHE_DIR: blocked})
    expect(without.code).toBe(0)
    expect(without.stdout).toBe(first.stdout)
    expect(existsSync(blocked)).toBe(false)
    // A damaged cache file is ignored (V8 rejects it) and replaced.
    writeFileSync(v8cache, 'not a code cache')
    expect(ws.run(['positions'], env).stdout).toBe(first.stdout)
    expect(statSync(v8cache).size).toBeGreaterThan(1000)

    // Piped output keeps every column whatever COLUMNS says; --wide is accepted.
    const narrow = ws.run(['positions'], {...env, COLUMNS: '40'})
    expect(narrow.stdout).toBe(first.stdout)
    for (const h of ['Portfolio', 'Symbol', 'Qty', 'Entry', 'Mark', 'Unreal. P&L', 'Ccy', 'Δ sh', 'Θ/day', 'Vega/pt', 'IV', 'DTE', 'Greeks']) expect(first.stdout).toContain(h)
    expect(ws.run(['positions', '--wide'], env).stdout).toBe(first.stdout)
  })
})
