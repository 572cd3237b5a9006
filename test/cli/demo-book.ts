/*
 * The demo book as `npm start` builds it (the shipped config/risk_config.yaml and the demo exports with
 * their year of price history), in a temp directory, at the fixed instant the fixture copies were
 * written for (test/fixtures/demo: scripts/demo-data.mjs output for 2026-11-24 21:05 UTC).
 */
import {copyFileSync, mkdirSync, readdirSync} from 'node:fs'
import path from 'node:path'
import {cli, ROOT, tempDir, type RunResult} from './helpers.js'

export const DEMO_NOW = '2026-11-24T21:05:00Z'

export interface DemoBook {
  dir: string
  config: string
  /** the CLI in the demo's directory, its config and clock */
  run: (args: string[], env?: Record<string, string | undefined>) => RunResult
}

export function demoBook(): DemoBook {
  const dir = tempDir('cotrader-demo-book-')
  mkdirSync(path.join(dir, 'config'))
  mkdirSync(path.join(dir, 'data'))
  const config = path.join(dir, 'config', 'risk_config.yaml')
  copyFileSync(path.join(ROOT, 'config', 'risk_config.yaml'), config)
  const fixtures = path.join(ROOT, 'test', 'fixtures', 'demo')
  for (const f of readdirSync(fixtures)) copyFileSync(path.join(fixtures, f), path.join(dir, 'data', f))
  const run = (args: string[], env: Record<string, string | undefined> = {}) =>
    cli(args, {cwd: dir, env: {COTRADER_CONFIG: config, COTRADER_NOW: DEMO_NOW, COTRADER_CACHE_DIR: path.join(dir, 'cache'), ...env}})
  return {dir, config, run}
}

/** The demo book after what `npm start` does: price history imported, every file-fed portfolio synced. */
export function syncedDemoBook(): DemoBook {
  const book = demoBook()
  for (const f of ['price_history_us.csv', 'price_history_in.csv']) {
    const r = book.run(['prices', 'import', path.join(book.dir, 'data', f)])
    if (r.code !== 0) throw new Error(`prices import ${f}: ${r.stderr}`)
  }
  const s = book.run(['sync'])
  if (s.code !== 0) throw new Error(`sync: exit ${s.code} ${s.stderr}`)
  return book
}
