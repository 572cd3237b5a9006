/*
 * The fast path (src/fast.ts: positions, risk, pnl, greeks, --version and root help without oclif) never
 * drifts from oclif: each argv below runs as a real process twice, through the fast path and with
 * COTRADER_OCLIF=1 (oclif's commands), and stdout, stderr and the exit code must be identical. A
 * preloaded tracer (trace-loads.cjs) records which bundle ran, so the table also proves which argv the
 * fast path answers itself and which it leaves to oclif, that it never loads oclif, and that greeks
 * never loads sql.js.
 */
import {spawn} from 'node:child_process'
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {ROOT, cli, tempDir} from './helpers.js'

const CONFIG = `
base_currency: USD
fx_rates: {INR: 0.012}
market:
  rates: {USD: 0.04, INR: 0.065}
  betas: {AAPL: 1.2}
  quotes_file: quotes.csv
defaults:
  limits: {max_delta_dollars_per_underlying: 5000}
portfolios:
  - {name: alpha, broker: manual, account: A1, source: {file: alpha.csv, format: generic}, limits: {max_abs_vega: 10}}
  - {name: inr, broker: manual, account: I1, currency: INR, source: {file: inr.csv, format: generic}}
  - {name: lab, broker: manual, account: L1, kind: research, source: {file: lab.csv, format: generic}}
  - {name: alpha-whatif, broker: none, kind: whatif, shadows: alpha}
`
const FILES: Record<string, string> = {
  'alpha.csv': 'symbol,quantity,entry_price,mark_price\nAAPL,100,150,200\nAAPL 2027-01-15 190P,-2,7.47,9.05\nAAPL 2027-03-19 220C,3,6.1,5.4\nSPY,-10,600,600\n',
  'inr.csv': 'symbol,quantity,entry_price,mark_price\nINFY,10,1500,1400\n',
  'lab.csv': 'symbol,quantity,entry_price,mark_price\nQQQ 2027-02-19 540P,-1,12,10.5\n',
  'quotes.csv': 'symbol,price\nAAPL,200\nSPY,600\nQQQ,560\nINFY,1400\n',
  'broken.yaml': 'portfolios:\n  - {name: x, broker: nobody}\n',
  'bad-yaml.yaml': 'portfolios: [\n',
  'not-a-db.sqlite': 'this is not SQLite',
}

interface Case {
  args: string[]
  /** the fast path answers it itself (else it declines and oclif runs) */
  fast: boolean
  env?: Record<string, string>
  /** argv without --config/--db */
  bare?: boolean
}

const fast = (...args: string[]): Case => ({args, fast: true})
const oclif = (...args: string[]): Case => ({args, fast: false})
const GREEKS = ['greeks', '--type', 'put', '--spot', '100', '--strike', '95', '--days', '30', '--vol', '0.25', '--rate', '0.04', '--style', 'american']

const CASES: Case[] = [
  fast('positions'),
  fast('positions', '--json'),
  fast('positions', '--csv'),
  fast('positions', '--csv', '-'),
  fast('positions', '--portfolio', 'alpha', '--group'),
  fast('positions', '-p', 'alpha', '--json', '--wide'),
  fast('positions', '--portfolio=inr', '-u', 'INFY'),
  fast('positions', '--portfolio', 'nope'),
  fast('positions', '--portfolio', 'nope', '--json'),
  fast('positions', '--as-of', '2026-12-18T15:30', '--json'),
  fast('positions', '--as-of', 'soon'),
  fast('positions', '--as-of', 'soon', '--json'),
  fast('positions', '--fail-on-stale', '--max-age', '12h'),
  fast('positions', '--max-age', 'forever', '--json'),
  fast('positions', '--csv', '-', '--json'),
  oclif('positions', '--bogus'),
  oclif('positions', '--json', '--bogus'),
  oclif('positions', '--portfolio'),
  // --portfolio is repeatable on positions, risk and pnl (issue 20): both paths take the list
  fast('positions', '--portfolio', 'alpha', '--portfolio', 'inr', '--json'),
  fast('positions', '-p', 'alpha', '-p', 'nope'),
  fast('risk', '-p', 'alpha', '-p', 'inr'),
  fast('pnl', '-p', 'inr', '--portfolio=alpha', '--json'),
  fast('risk', '--history', '-p', 'alpha', '-p', 'inr', '--json'),
  oclif('positions', '--portfolio', 'alpha', 'inr'),
  oclif('positions', 'extra'),
  oclif('positions', '--json', '--', '--wide'),
  oclif('positions', '--help'),
  oclif('positions', '-pbeta'),
  fast('risk'),
  fast('risk', '--json'),
  fast('risk', '--fail-on-breach'),
  fast('risk', '--fail-on-breach', '--include-research', '--fail-on-unchecked', '--json'),
  fast('risk', '--with-whatif'),
  fast('risk', '--stress', '--json'),
  fast('risk', '--csv'),
  fast('risk', '--history', '--days', '5'),
  fast('risk', '--history', '--since', '2026-01-01', '--json'),
  oclif('risk', '--history', '--days', '0'),
  oclif('risk', '--days', '5'),
  oclif('risk', '--history', '--as-of', '2026-12-18'),
  oclif('risk', '--include-research'),
  fast('pnl'),
  fast('pnl', '--json'),
  fast('pnl', '--portfolio', 'inr', '--csv'),
  fast('pnl', '--since', '2026-01-01'),
  fast('pnl', '--since', '2026-01-01', '--json'),
  fast('pnl', '--history', '--json'),
  fast('pnl', '--attribution'),
  fast('pnl', '--as-of', '2027-01-15', '--with-whatif'),
  oclif('pnl', '--history', '--attribution'),
  fast('pnl', '--realized'),
  fast('pnl', '--realized', '--json'),
  fast('pnl', '--realized', '--year', '2026', '--csv'),
  fast('pnl', '--realized', '--days', '30', '--portfolio', 'alpha', '--json'),
  fast('pnl', '--realized', '--since', 'yesterday'),
  fast('pnl', '--days', '3'),
  oclif('pnl', '--realized', '--history'),
  {...fast('pnl', '--json'), env: {COTRADER_NOW: 'yesterday'}},
  {...fast('positions', '--json'), env: {COTRADER_DB: 'env.sqlite'}, bare: true},
  fast(...GREEKS),
  fast(...GREEKS, '--json'),
  fast('greeks', '--type', 'call', '--spot', '5000', '--strike', '5100', '--expiry', '2026-12-18', '--vol', '0.18', '--model', 'black76', '--rate', '-0.01'),
  fast('greeks', '--type', 'call', '--spot', '6795', '--strike', '6800', '--expiry', '2026-12-18', '--root', 'SPX', '--price', '12', '--rate', '0.045', '--as-of', '2026-12-17T16:30', '--json'),
  fast('greeks', '--type', 'put', '--spot', '100', '--strike', '95', '--days', '30', '--vol', '0.25', '--price', '2'),
  fast('greeks', '--type', 'put', '--spot', '100', '--strike', '95', '--days', '30', '--vol', '0.25', '--price', '2', '--json'),
  fast('greeks', '--type', 'put', '--spot', '100', '--strike', '95', '--days', '0', '--vol', '0.25', '--json'),
  fast('greeks', '--type', 'put', '--spot', '100', '--strike', '95', '--expiry', '2027-02-30', '--vol', '0.25'),
  oclif('greeks', '--type', 'straddle', '--spot', '100', '--strike', '95', '--days', '30', '--vol', '0.25'),
  oclif('greeks', '--type', 'put', '--spot', 'abc', '--strike', '95', '--days', '30', '--vol', '0.25', '--json'),
  oclif('greeks', '--spot', '100', '--strike', '95', '--days', '30', '--vol', '0.25'),
  oclif('greeks', '--type', 'put', '--spot', '100', '--strike', '95', '--days', '30', '--vol', '0.25', '--csv'),
  {...fast('positions', '--config', 'broken.yaml'), bare: true},
  {...fast('positions', '--config', 'broken.yaml', '--json'), bare: true},
  {...fast('risk', '--config', 'bad-yaml.yaml', '--json'), bare: true},
  {...fast('pnl', '--config', 'missing.yaml'), bare: true},
  {...fast('positions', '--db', 'not-a-db.sqlite', '--config', 'risk_config.yaml'), bare: true},
  {...fast('risk', '--db', 'not-a-db.sqlite', '--config', 'risk_config.yaml', '--json'), bare: true},
  {...fast('positions', '--db', 'missing/none.sqlite', '--config', 'risk_config.yaml', '--json'), bare: true},
  // no --config: the user config dir, as oclif computes it (XDG_CONFIG_HOME below); none there in `empty/`
  {...fast('positions'), bare: true},
  {...fast('risk', '--json'), bare: true, env: {XDG_CONFIG_HOME: 'empty'}},
  {...fast('--version'), bare: true},
  {...fast('--help'), bare: true},
  {...fast(), bare: true},
  {...fast('--version', '--json'), bare: true},
  {...oclif('help'), bare: true},
  {...oclif('--help', 'positions'), bare: true},
  {...oclif('positons', '--json'), bare: true},
  {...oclif('positions', '--json'), env: {DEBUG: '1'}},
  {...oclif('positions', '--json'), env: {COTRADER_CONTENT_TYPE: 'json'}},
]

const TRACER = path.join(ROOT, 'test', 'cli', 'trace-loads.cjs')

interface Outcome {
  code: number | null
  stdout: string
  stderr: string
  trace: string[]
}

function run(args: string[], cwd: string, env: NodeJS.ProcessEnv, traceFile: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'run.js'), ...args], {cwd, env: {...env, COTRADER_TRACE_FILE: traceFile}, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({code, stdout, stderr, trace: readFileSync(traceFile, 'utf8').split('\n').filter(Boolean)}))
  })
}

/** Runs fn over items, `limit` at a time (two cores here: a few processes at once is enough). */
async function pool<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length)
  let next = 0
  await Promise.all(
    Array.from({length: limit}, async () => {
      while (next < items.length) {
        const i = next++
        out[i] = await fn(items[i], i)
      }
    }),
  )
  return out
}

describe('fast path and oclif print the same (built CLI, real processes)', () => {
  const dir = tempDir('cotrader-fast-')
  const home = path.join(dir, 'home')
  const env: NodeJS.ProcessEnv = {}
  // As helpers.ts: no broker secrets, no NODE_ENV (oclif's developer warnings), none of our variables.
  for (const [k, v] of Object.entries(process.env)) if (!/^(TASTYTRADE_|COTRADER_|OCLIF_|NODE_ENV$|DEBUG$|XDG_|FORCE_COLOR$|NODE_OPTIONS$)/.test(k)) env[k] = v
  Object.assign(env, {
    NO_COLOR: '1',
    HOME: home,
    COTRADER_NOW: '2026-12-01T15:00:00Z',
    COTRADER_CACHE_DIR: path.join(dir, 'cache'),
    XDG_CONFIG_HOME: path.join(dir, 'xdg-config'),
    XDG_DATA_HOME: path.join(dir, 'xdg-data'),
    NODE_OPTIONS: `--require ${TRACER}`,
  })
  const config = path.join(dir, 'risk_config.yaml')
  const db = path.join(dir, 'book.sqlite')

  beforeAll(() => {
    for (const [name, text] of Object.entries(FILES)) writeFileSync(path.join(dir, name), text)
    writeFileSync(config, CONFIG)
    // The user config dir holds the same config (for runs without --config), its files beside it.
    mkdirSync(path.join(dir, 'xdg-config', 'cotrader'), {recursive: true})
    mkdirSync(path.join(dir, 'empty'))
    mkdirSync(path.join(dir, 'traces'))
    writeFileSync(path.join(dir, 'xdg-config', 'cotrader', 'risk_config.yaml'), CONFIG.replaceAll('file: ', `file: ${dir}/`))
    const sync = cli(['sync', '--config', config, '--db', db], {cwd: dir, env: {COTRADER_NOW: env.COTRADER_NOW, COTRADER_CACHE_DIR: env.COTRADER_CACHE_DIR}})
    expect(sync.code, sync.stderr).toBe(0)
  }, 120_000)

  it('for every argv in the table: same stdout, stderr and exit code; the fast path answers exactly the expected ones', {timeout: 600_000}, async () => {
    const results = await pool(CASES, 3, async (c, i) => {
      const args = c.bare ? c.args : [...c.args, '--config', config, '--db', db]
      const caseEnv = {...env, ...c.env}
      if (c.env?.XDG_CONFIG_HOME) caseEnv.XDG_CONFIG_HOME = path.join(dir, c.env.XDG_CONFIG_HOME)
      // one after the other: a case may write a file
      const ours = await run(args, dir, caseEnv, path.join(dir, 'traces', `${i}-fast`))
      const theirs = await run(args, dir, {...caseEnv, COTRADER_OCLIF: '1'}, path.join(dir, 'traces', `${i}-oclif`))
      return {c, args, ours, theirs}
    })
    const mainBundle = path.join(ROOT, 'dist', 'bundle', 'main.cjs')
    for (const {c, args, ours, theirs} of results) {
      const label = `cotrader ${args.join(' ')}`
      expect({code: ours.code, stdout: ours.stdout, stderr: ours.stderr}, label).toEqual({code: theirs.code, stdout: theirs.stdout, stderr: theirs.stderr})
      expect(theirs.trace, label).toContain(`script ${mainBundle}`)
      const fastBundle = ours.trace.find((t) => /^script .*fast-\w+\.cjs$/.test(t))
      if (c.fast) {
        expect(fastBundle, label).toBeDefined()
        expect(ours.trace, label).not.toContain(`script ${mainBundle}`)
        expect(ours.trace.filter((t) => t.includes('@oclif')), label).toEqual([])
      } else {
        expect(ours.trace, label).toContain(`script ${mainBundle}`)
      }
      if (c.args[0] === 'greeks' || c.args[0] === '--version' || c.args[0] === '--help') expect(ours.trace.filter((t) => t.includes('sql.js')), label).toEqual([])
    }
    // Sanity: the table exercises real output, errors and exit codes, not empty runs.
    const codes = new Set(results.map((r) => r.ours.code))
    expect([...codes].sort()).toEqual([0, 2, 3])
    const byArgs = (...a: string[]) => results.find((r) => r.c.args.join(' ') === a.join(' '))!.ours
    expect(byArgs('positions', '--json').stdout).toContain('"symbol": "AAPL 2027-01-15 190P"')
    expect(byArgs('positions', '--portfolio', 'nope', '--json').stdout).toContain('unknown portfolio \\"nope\\"')
    expect(byArgs('--version').stdout).toBe(`cotrader/${JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version} ${process.platform}-${process.arch} node-${process.version}\n`)
    expect(byArgs('positions', '--bogus').stderr).toBe('Error: unknown flag: --bogus (see --help)\n')
    // the sanity checks above are on the fast side; the parity loop compared it with oclif
  })

  it('read replay: a repeated read of an unchanged database answers without sql.js, the same as oclif; a write makes it read again', {timeout: 300_000}, async () => {
    const args = (cmd: string) => [cmd, '--json', '--config', config, '--db', db]
    const sqlJs = (o: Outcome) => o.trace.filter((t) => t.includes('sql.js'))
    for (const cmd of ['positions', 'risk', 'pnl']) {
      await run(args(cmd), dir, env, path.join(dir, 'traces', `replay-${cmd}-0`)) // records (or finds the answers of the table's runs)
      const again = await run(args(cmd), dir, env, path.join(dir, 'traces', `replay-${cmd}-1`))
      const theirs = await run(args(cmd), dir, {...env, COTRADER_OCLIF: '1'}, path.join(dir, 'traces', `replay-${cmd}-oclif`))
      expect(sqlJs(again), cmd).toEqual([])
      // nor node:v8 and Node's stream modules (bin/run.js sets V8's flags without it; the caches are not v8.serialize)
      expect(again.trace.filter((t) => t.startsWith('builtin ')), cmd).toEqual([])
      expect({code: again.code, stdout: again.stdout, stderr: again.stderr}, cmd).toEqual({code: theirs.code, stdout: theirs.stdout, stderr: theirs.stderr})
    }
    // a sync rewrites the file: the recorded answers are stale, so the next read starts sql.js again
    expect(cli(['sync', '--config', config, '--db', db], {cwd: dir, env: {COTRADER_NOW: '2026-12-01T16:00:00Z', COTRADER_CACHE_DIR: env.COTRADER_CACHE_DIR}}).code).toBe(0)
    const after = await run(args('positions'), dir, env, path.join(dir, 'traces', 'replay-after-sync'))
    expect(sqlJs(after).length).toBeGreaterThan(0)
    const theirs = await run(args('positions'), dir, {...env, COTRADER_OCLIF: '1'}, path.join(dir, 'traces', 'replay-after-sync-oclif'))
    expect(after.stdout).toBe(theirs.stdout)
  })
})
