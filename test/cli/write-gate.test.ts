/*
 * Every write behind one gate (issue 20 item 4; store/database.ts writeGate): each writing command, as a
 * real process, against a read-only database (exit 2, the database, its history year files and the
 * directory byte for byte unchanged, nothing new beside them) and against a --db in a directory that does
 * not exist (exit 2 naming the directory, which is not created). The list of writers is checked against
 * the commands the CLI has, so a new command must be classified here.
 */
import {chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {beforeAll, describe, expect, it, vi} from 'vitest'
import {cli, ROOT, workspace} from './helpers.js'

vi.setConfig({hookTimeout: 180_000, testTimeout: 300_000})

const CONFIG = `
base_currency: USD
market:
  rates: {USD: 0.04}
  quotes_file: quotes.csv
portfolios:
  - {name: alpha, broker: manual, account: A1, source: {file: alpha.csv, format: generic}}
  - {name: alpha-whatif, broker: none, kind: whatif, shadows: alpha}
`
const ALPHA = `symbol,quantity,entry_price,mark_price
AAPL,100,150,200
AAPL 2027-01-15 190P,-2,7.47,5.05
CASH,10000,,
`
const PRICES = 'date,symbol,close\n2026-11-20,AAPL,199.5\n'

/** Every command that writes the database or its history, with arguments that make it write on the book below. */
const WRITERS: Record<string, (ids: {proposal: number; trade: number}, dir: string) => string[]> = {
  sync: () => ['sync'],
  snapshot: () => ['snapshot', '--date', '2026-11-24'],
  'whatif add': () => ['whatif', 'add', '--portfolio', 'alpha', '--leg', '1 AAPL 2027-01-15 190P @ 5.00'],
  'whatif remove': (ids) => ['whatif', 'remove', String(ids.proposal)],
  'whatif clear': () => ['whatif', 'clear', '--portfolio', 'alpha'],
  approve: (ids) => ['approve', String(ids.proposal)],
  reject: (ids) => ['reject', String(ids.proposal)],
  'trades close': (ids) => ['trades', 'close', String(ids.trade), '--price', '5'],
  'prices import': (_ids, dir) => ['prices', 'import', path.join(dir, 'prices.csv')],
  daemon: (_ids, dir) => ['daemon', '--once', '--log-file', path.join(dir, 'daemon.log')],
  'transactions import': (_ids, dir) => ['transactions', 'import', path.join(dir, 'fills.csv'), '--portfolio', 'alpha', '--format', 'generic'],
}
/**
 * Commands that only read (or only write files the user names with --csv), with arguments that run them
 * on the book below: each must work on a read-only database (a reader that keeps a derived cache, such as
 * `risk` storing the VaR it computed, computes and shows it without storing).
 */
const READERS: Record<string, string[]> = {
  alerts: ['alerts'],
  autocomplete: ['autocomplete', 'bash'],
  'daemon status': ['daemon', 'status'],
  greeks: ['greeks', '--type', 'call', '--spot', '100', '--strike', '100', '--days', '30', '--vol', '0.2'],
  ledger: ['ledger'],
  pnl: ['pnl'],
  portfolios: ['portfolios'],
  positions: ['positions'],
  reconcile: ['reconcile'],
  risk: ['risk'],
  'trades list': ['trades', 'list'],
  'whatif list': ['whatif', 'list'],
  'whatif payoff': ['whatif', 'payoff', '--portfolio', 'alpha'],
}

const NOW = {COTRADER_NOW: '2026-11-24T21:30:00Z'}

/** Every file under dir with its bytes (the history directory included). */
function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name)
      if (statSync(p).isDirectory()) walk(p)
      else out.set(path.relative(dir, p), readFileSync(p).toString('base64'))
    }
  }
  walk(dir)
  return out
}

describe('the write gate', () => {
  it('the writers and readers listed here are every command the CLI has', () => {
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, unknown>}
    const commands = Object.keys(manifest.commands).map((c) => c.replace(/:/g, ' ')).filter((c) => c !== 'daemon index')
    const known = new Set([...Object.keys(WRITERS), ...Object.keys(READERS)])
    expect(commands.filter((c) => !known.has(c)), 'classify each new command as a writer (with arguments that write) or a reader').toEqual([])
  })

  describe('a read-only database: every writer exits 2 and nothing is written anywhere', () => {
    const ws = workspace({'risk_config.yaml': CONFIG, 'alpha.csv': ALPHA, 'quotes.csv': 'symbol,price\nSPY,600\n', 'prices.csv': PRICES, 'fills.csv': 'date,kind,symbol,quantity,price\n2026-11-20 10:00:00,trade,AAPL,10,190\n'})
    const ids = {proposal: 0, trade: 0}
    beforeAll(() => {
      const ok = (args: string[]) => {
        const r = ws.run([...args, '--json'], NOW)
        expect(r.code, `${args.join(' ')}: ${r.stdout} ${r.stderr}`).toBe(0)
        return r.json()
      }
      ok(['sync'])
      // Monday's snapshot taken on Monday (a past date is built only from stored closes).
      expect(ws.run(['snapshot', '--date', '2026-11-23', '--json'], {COTRADER_NOW: '2026-11-23T21:30:00Z'}).code).toBe(0)
      const booked = ok(['whatif', 'add', '--portfolio', 'alpha', '--leg', '10 AAPL @ 190']).proposalId
      ok(['approve', String(booked)])
      ids.trade = ok(['trades', 'list']).trades[0].id
      ids.proposal = ok(['whatif', 'add', '--portfolio', 'alpha', '--leg', '-1 AAPL 2027-01-15 190P @ 6.00']).proposalId
      expect(existsSync(`${ws.db}.history`)).toBe(true)
      chmodSync(ws.db, 0o444)
    })

    it.each(Object.keys(WRITERS))('%s', (name) => {
      const before = tree(ws.dir)
      for (const json of [false, true]) {
        const r = ws.run([...WRITERS[name](ids, ws.dir), ...(json ? ['--json'] : [])], NOW)
        expect(r.code, `${name}: ${r.stdout} ${r.stderr}`).toBe(2)
        const message = /book\.sqlite is read-only, so cotrader will not write to it \(nothing was changed\)/
        if (json) expect(r.json().error).toMatchObject({code: 'store', exitCode: 2, message: expect.stringMatching(message)})
        else expect(r.stderr).toMatch(message)
        expect(tree(ws.dir)).toEqual(before)
      }
    })
  })

  it('the gate comes before any work: a malformed import file on a read-only database is refused as read-only, not parsed', () => {
    const ws = workspace({'risk_config.yaml': CONFIG, 'alpha.csv': ALPHA, 'quotes.csv': 'symbol,price\nSPY,600\n', 'bad.csv': 'not,a,known,header\n1,2,3,4\n'})
    expect(ws.run(['sync'], NOW).code).toBe(0)
    chmodSync(ws.db, 0o444)
    for (const args of [['transactions', 'import', path.join(ws.dir, 'bad.csv'), '--portfolio', 'alpha', '--format', 'generic'], ['prices', 'import', path.join(ws.dir, 'bad.csv')]]) {
      const r = ws.run(args, NOW)
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2)
      expect(r.stderr).toMatch(/book\.sqlite is read-only/)
    }
  })

  describe('a read-only database: every reader still works, and writes nothing', () => {
    const ws = workspace({'risk_config.yaml': CONFIG, 'alpha.csv': ALPHA, 'quotes.csv': 'symbol,price\nSPY,600\n', 'prices.csv': PRICES})
    beforeAll(() => {
      expect(ws.run(['prices', 'import', path.join(ws.dir, 'prices.csv')], NOW).code).toBe(0)
      expect(ws.run(['sync'], NOW).code).toBe(0)
      expect(ws.run(['whatif', 'add', '--portfolio', 'alpha', '--leg', '-1 AAPL 2027-01-15 190P @ 6.00'], NOW).code).toBe(0)
      chmodSync(ws.db, 0o444)
    })

    // The next day too: the VaR stored by sync is then stale, and risk recomputes it (where it used to refuse to run).
    it.each([...Object.keys(READERS).map((name) => [name, NOW.COTRADER_NOW]), ['risk', '2026-11-25T21:30:00Z'], ['risk --with-whatif', '2026-11-25T21:30:00Z']])('%s at %s', (name, now) => {
      const args = READERS[name] ?? ['risk', '--with-whatif']
      const before = tree(ws.dir)
      for (const json of [false, true]) {
        const r = ws.run([...args, ...(json ? ['--json'] : [])], {COTRADER_NOW: now})
        expect(r.code, `${name}: ${r.stdout} ${r.stderr}`).toBe(0)
        expect(r.stderr).not.toMatch(/read-only/)
        expect(tree(ws.dir)).toEqual(before)
      }
    })

    it('risk shows the VaR it computed without storing it', () => {
      const r = ws.run(['risk', '--json'], {COTRADER_NOW: '2026-11-25T21:30:00Z'}).json()
      expect(JSON.stringify(r)).toMatch(/"recomputed":true/)
    })
  })

  describe('--db in a directory that does not exist: every writer exits 2 naming it, and creates nothing', () => {
    const ws = workspace({'risk_config.yaml': CONFIG, 'alpha.csv': ALPHA, 'quotes.csv': 'symbol,price\nSPY,600\n', 'prices.csv': PRICES, 'fills.csv': 'date,kind,symbol,quantity,price\n2026-11-20 10:00:00,trade,AAPL,10,190\n'})
    const missing = path.join(ws.dir, 'missing', 'dir')
    const db = path.join(missing, 'x.sqlite')

    it.each(Object.keys(WRITERS))('%s', (name) => {
      const before = tree(ws.dir)
      const r = cli([...WRITERS[name]({proposal: 1, trade: 1}, ws.dir), '--config', ws.config, '--db', db], {cwd: ws.dir, env: NOW})
      expect(r.code, `${name}: ${r.stdout} ${r.stderr}`).toBe(2)
      expect(r.stderr).toContain(`Error: the directory ${missing} does not exist, so the database ${db} was not created (nothing was written).`)
      expect(existsSync(path.join(ws.dir, 'missing'))).toBe(false)
      expect(tree(ws.dir)).toEqual(before)
    })

    it('the default data directory may be created (no --db, no COTRADER_DB, no database: in the config)', () => {
      const data = path.join(ws.dir, 'xdg-data')
      const r = cli(['sync', '--config', ws.config], {cwd: ws.dir, env: {...NOW, XDG_DATA_HOME: data, COTRADER_DATA_DIR: undefined}})
      expect(r.code, r.stderr).toBe(0)
      expect(existsSync(path.join(data, 'cotrader', 'cotrader.sqlite'))).toBe(true)
    })
  })

  it('the daemon\'s log and alerts file in a directory that does not exist: exit 2 naming it, nothing created (as --db and --csv)', () => {
    const ws = workspace({'risk_config.yaml': CONFIG, 'alpha.csv': ALPHA, 'quotes.csv': 'symbol,price\nSPY,600\n'})
    expect(ws.run(['sync'], NOW).code).toBe(0)
    const before = tree(ws.dir)
    const missing = path.join(ws.dir, 'logs', 'dir')
    const r = ws.run(['daemon', '--once', '--log-file', path.join(missing, 'd.log')], NOW)
    expect(r.code, r.stderr).toBe(2)
    expect(r.stderr).toContain(`Error: the directory ${missing} for the daemon log ${path.join(missing, 'd.log')} does not exist (nothing was written).`)
    expect(existsSync(path.join(ws.dir, 'logs'))).toBe(false)
    expect(tree(ws.dir)).toEqual(before)

    const withAlerts = `${CONFIG}daemon: {alerts: {file: alerts/out.jsonl}}\n`
    writeFileSync(ws.config, withAlerts)
    const before2 = tree(ws.dir)
    const a = ws.run(['daemon', '--once', '--log-file', path.join(ws.dir, 'd.log'), '--json'], NOW)
    expect(a.code, a.stderr).toBe(2)
    expect(a.json().error.message).toContain(`the directory ${path.join(ws.dir, 'alerts')} for the alerts file`)
    expect(tree(ws.dir)).toEqual(before2)
  })

  it('a read-only history directory is refused by snapshot, the database untouched', () => {
    const ws = workspace({'risk_config.yaml': CONFIG, 'alpha.csv': ALPHA, 'quotes.csv': 'symbol,price\nSPY,600\n'})
    expect(ws.run(['sync'], NOW).code).toBe(0)
    expect(ws.run(['snapshot', '--date', '2026-11-23'], {COTRADER_NOW: '2026-11-23T21:30:00Z'}).code).toBe(0)
    const year = path.join(`${ws.db}.history`, '2026.sqlite')
    chmodSync(year, 0o444)
    const before = tree(ws.dir)
    const r = ws.run(['snapshot', '--date', '2026-11-24'], NOW)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/2026\.sqlite is read-only/)
    expect(tree(ws.dir)).toEqual(before)
  })
})
