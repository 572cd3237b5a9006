import {readFileSync, writeFileSync, existsSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {cli, ROOT, workspace} from './helpers.js'

const CONFIG = `
base_currency: USD
fx_rates: {INR: 0.012}
market:
  rates: {USD: 0.04}
  betas: {AAPL: 1.2}
  quotes_file: quotes.csv
defaults:
  limits: {max_delta_dollars_per_underlying: 1000000}
portfolios:
  - {name: alpha, broker: manual, account: A1, source: {file: alpha.csv, format: generic}}
  - {name: beta, broker: manual, account: B1, currency: INR, source: {file: beta.csv, format: generic}, limits: {max_loss: 1}}
  - {name: tt, broker: tastytrade, account: 5WT00001, limits: {max_capital_utilization_pct: 50}}
  - {name: alpha-whatif, broker: none, kind: whatif, shadows: alpha}
`
const ALPHA = `symbol,quantity,entry_price,mark_price
AAPL,100,150,200
AAPL 2027-01-15 190P,-2,7.47,5.05
AAPL 2027-01-15 250C,1,5,3
CASH,10000,1,1
`
const BETA = `symbol,quantity,entry_price,mark_price,multiplier
INFY,10,1500,1400,1
`
const QUOTES = `symbol,price\nSPY,600\n`

function book() {
  return workspace({'risk_config.yaml': CONFIG, 'alpha.csv': ALPHA, 'beta.csv': BETA, 'quotes.csv': QUOTES})
}

describe('sync → positions → risk → pnl on file-fed portfolios', () => {
  const ws = book()
  const sync = ws.run(['sync', '--json'])

  it('sync: file-fed portfolios ok, tastytrade skipped saying what to set, exit 0', () => {
    expect(sync.stderr).toBe('')
    expect(sync.code).toBe(0)
    const r = sync.json()
    const by = Object.fromEntries(r.portfolios.map((p: any) => [p.name, p]))
    expect(by.alpha).toMatchObject({status: 'ok', positions: 3, greeks: {feed: 0, model: 3, none: 0}, error: null})
    expect(by.beta).toMatchObject({status: 'ok', positions: 1})
    expect(by.tt.status).toBe('skipped')
    expect(by.tt.error).toMatch(/TASTYTRADE_CLIENT_SECRET/)
    expect(by['alpha-whatif']).toBeUndefined()
    expect(typeof by.alpha.duration).toBe('number')
  })

  it('positions --json: one row per position with the documented fields and units', () => {
    const r = ws.run(['positions', '--json'])
    expect(r.code).toBe(0)
    const rows = r.json().positions
    expect(rows).toHaveLength(4)
    const put = rows.find((p: any) => p.symbol === 'AAPL 2027-01-15 190P')
    expect(put).toMatchObject({portfolio: 'alpha', underlying: 'AAPL', instrumentType: 'equity_option', quantity: -2, multiplier: 100, entryPrice: 7.47, markPrice: 5.05, currency: 'USD', greeksSource: 'model', underlyingPrice: 200})
    expect(put.unrealizedPnl).toBeCloseTo(484, 9)
    expect(put.iv).toBeGreaterThan(0.05)
    expect(put.delta).toBeGreaterThan(0) // short put: long delta
    expect(put.theta).toBeGreaterThan(0) // short premium earns theta
    expect(put.vega).toBeLessThan(0)
    expect(typeof put.dte).toBe('number')
    for (const key of ['portfolio', 'symbol', 'underlying', 'instrumentType', 'quantity', 'multiplier', 'entryPrice', 'markPrice', 'unrealizedPnl', 'currency', 'delta', 'gamma', 'theta', 'vega', 'iv', 'dte', 'greeksSource'])
      expect(put).toHaveProperty(key)
    const stock = rows.find((p: any) => p.symbol === 'AAPL')
    expect(stock).toMatchObject({unrealizedPnl: 5000, delta: 100, gamma: 0, greeksSource: 'model'})
  })

  it('positions: human table, --portfolio and --underlying filters', () => {
    const r = ws.run(['positions', '--portfolio', 'beta'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/INFY/)
    expect(r.stdout).not.toMatch(/AAPL/)
    expect(r.stdout).toMatch(/Total INR: market value 14,000\.00, unrealized P&L -1,000\.00/)
    expect(r.stdout).toMatch(/Total in USD: unrealized P&L -12\.00/)
    const u = ws.run(['positions', '--underlying', 'aapl', '--json']).json()
    expect(u.positions.map((p: any) => p.underlying)).toEqual(['AAPL', 'AAPL', 'AAPL'])
  })

  it('positions --csv to stdout and to a file; unknown numbers are empty cells', () => {
    const r = ws.run(['positions', '--csv'])
    expect(r.code).toBe(0)
    const lines = r.stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^portfolio,symbol,brokerSymbol,underlying,instrumentType,quantity,multiplier,entryPrice,markPrice/)
    expect(lines).toHaveLength(5)
    // Health (σ distances, probabilities) moves with the clock between two runs: compare the clock-free columns.
    const stable = (text: string) => text.trim().split('\n').map((l) => l.split(',').slice(0, 12).join(','))
    expect(stable(ws.run(['positions', '--csv', '-']).stdout)).toEqual(stable(r.stdout))
    const file = path.join(ws.dir, 'out.csv')
    const f = ws.run(['positions', '--csv', file, '--portfolio', 'alpha'])
    expect(f.code).toBe(0)
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(4)
  })

  it('risk --json: per-underlying Greeks, delta dollars, beta-weighted delta, capital utilisation', () => {
    const r = ws.run(['risk', '--json'])
    expect(r.code).toBe(0)
    const j = r.json()
    expect(j.benchmark).toBe('SPY')
    expect(j.benchmarkPrice).toBe(600)
    const alpha = j.portfolios.find((p: any) => p.portfolio === 'alpha')
    const aapl = alpha.underlyings[0]
    expect(aapl.underlying).toBe('AAPL')
    expect(aapl.deltaDollars).toBeCloseTo(aapl.delta * 200, 6)
    expect(aapl.betaWeightedDelta).toBeCloseTo((1.2 * 200 * aapl.delta) / 600, 6)
    expect(alpha.equity).toBeCloseTo(10_000 + 20_000 - 1010 + 300, 6)
    expect(alpha.capitalBasis).toBe('estimate')
    expect(alpha.capitalUtilizationPct).toBeCloseTo(((38_000 + 20_000 - 1010 + 300) / 29_290) * 100, 6)
    const beta = j.portfolios.find((p: any) => p.portfolio === 'beta')
    expect(beta.breaches).toEqual([expect.objectContaining({limit: 'maxLoss', value: 1000, threshold: 1})])
    expect(j.breaches).toHaveLength(1)
    expect(j.notSynced).toEqual(['tt'])
  })

  it('risk: human output names breaches; --fail-on-breach exits 3', () => {
    const r = ws.run(['risk'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/BREACH beta: unrealized loss 1,000 exceeds 1/)
    const f = ws.run(['risk', '--fail-on-breach'])
    expect(f.code).toBe(3)
    expect(ws.run(['risk', '--fail-on-breach', '--portfolio', 'alpha']).code).toBe(0)
    // alpha's limits can all be checked; tt (never synced, equity unknown) has unchecked ones.
    expect(ws.run(['risk', '--fail-on-breach', '--fail-on-unchecked', '--portfolio', 'alpha']).code).toBe(0)
    expect(ws.run(['risk', '--json', '--portfolio', 'tt']).json().portfolios[0].unchecked.length).toBeGreaterThan(0)
    // Never synced: nothing is known, so it cannot pass a limit check (issue 11), and its numbers are null, not 0.
    const tt = ws.run(['risk', '--fail-on-breach', '--portfolio', 'tt'])
    expect(tt.code).toBe(3)
    expect(tt.stderr).toMatch(/warning: tt: never synced/)
    expect(ws.run(['risk', '--json', '--portfolio', 'tt']).json().portfolios[0]).toMatchObject({synced: false, delta: null, capitalInUse: null, unrealizedPnl: null})
    expect(ws.run(['risk', '--fail-on-breach', '--fail-on-unchecked', '--portfolio', 'tt']).code).toBe(3)
  })

  it('pnl: per position, underlying and portfolio, in each currency and the base currency', () => {
    const j = ws.run(['pnl', '--json']).json()
    const alpha = j.portfolios.find((p: any) => p.portfolio === 'alpha')
    expect(alpha.unrealizedPnl).toBeCloseTo(5000 + 484 - 200, 9)
    const beta = j.portfolios.find((p: any) => p.portfolio === 'beta')
    expect(beta).toMatchObject({currency: 'INR', unrealizedPnl: -1000})
    expect(beta.unrealizedPnlBase).toBeCloseTo(-12, 9)
    expect(j.totalBase).toBeCloseTo(5284 - 12, 9)
    // No snapshot before today and positions not opened today: day P&L unknown, never 0. tt (USD) was never
    // synced: one unknown part of the USD totals (missing 1, and one more unknown day P&L), as of the base total.
    expect(j.byCurrency).toEqual([{currency: 'INR', unrealizedPnl: -1000, missing: 0, dayPnl: null, dayPnlMissing: 1}, {currency: 'USD', unrealizedPnl: 5284, missing: 1, dayPnl: null, dayPnlMissing: 4}])
    const human = ws.run(['pnl'])
    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(/Total in USD: \+5,272\.00/)
  })

  it('portfolios: last sync time and status per portfolio', () => {
    const j = ws.run(['portfolios', '--json']).json()
    const by = Object.fromEntries(j.portfolios.map((p: any) => [p.name, p]))
    expect(by.alpha).toMatchObject({lastSyncStatus: 'ok', positions: 3})
    expect(by.tt).toMatchObject({lastSyncStatus: 'skipped'})
    expect(by['alpha-whatif']).toMatchObject({kind: 'whatif', shadows: 'alpha', lastSyncStatus: 'never'})
    expect(ws.run(['portfolios']).stdout).toMatch(/alpha\s+│?\s*real/)
  })
})

describe('a failing import keeps the previous positions', () => {
  it('bad row → portfolio failed naming file and line, exit 1, old positions stay; --skip-invalid imports the rest', () => {
    const ws = book()
    expect(ws.run(['sync']).code).toBe(0)
    // Health moves with the clock between runs; the stored positions are what must not change.
    const held = () => ws.run(['positions', '--json', '--portfolio', 'alpha']).json().positions.map(({health, ...p}: any) => p)
    const before = held()
    writeFileSync(path.join(ws.dir, 'alpha.csv'), `${ALPHA}MSFT,abc,1,2\n`)
    const r = ws.run(['sync', '--json'])
    expect(r.code).toBe(1)
    const alpha = r.json().portfolios.find((p: any) => p.name === 'alpha')
    expect(alpha.status).toBe('failed')
    expect(alpha.error).toMatch(/alpha\.csv:6/)
    expect(held()).toEqual(before)
    const human = ws.run(['sync'])
    expect(human.code).toBe(1)
    expect(human.stdout).toMatch(/alpha: .*alpha\.csv:6/)
    const skip = ws.run(['sync', '--skip-invalid', '--json'])
    expect(skip.code).toBe(0)
    const a2 = skip.json().portfolios.find((p: any) => p.name === 'alpha')
    expect(a2.skippedRows).toEqual([expect.objectContaining({line: 6})])
    expect(a2.positions).toBe(3)
  })
})

describe('bad input: one clear message, exit code ≠ 0, nothing written', () => {
  it('a bad config: exit 2, file and line named, no stack trace, no database created', () => {
    const ws = workspace({'risk_config.yaml': 'portfolios:\n  - {name: x, broker: fidelty}\n'})
    const r = ws.run(['positions'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/risk_config\.yaml:2: portfolios\[0\]\.broker: must be one of/)
    expect(r.stderr).not.toMatch(/\n\s+at /)
    expect(existsSync(ws.db)).toBe(false)
    const j = ws.run(['positions', '--json'])
    expect(j.code).toBe(2)
    expect(j.json().error).toMatchObject({code: 'config', exitCode: 2})
  })

  it.each([
    [['positions', '--portfolio', 'nope'], /unknown portfolio "nope"; configured: alpha, beta, tt, alpha-whatif/],
    [['risk', '--portfolio', 'nope'], /unknown portfolio "nope"/],
    [['pnl', '--portfolio', 'nope'], /unknown portfolio "nope"/],
    [['sync', '--portfolio', 'nope'], /unknown portfolio "nope"/],
    [['sync', '--portfolio', 'alpha-whatif'], /what-if portfolio; there is nothing to sync/],
    [['positions', '--bogus'], /unknown flag: --bogus \(see --help\)/],
  ])('%j → exit 2', (args, message) => {
    const ws = book()
    const r = ws.run(args)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message)
    expect(existsSync(ws.db)).toBe(false)
    const j = ws.run([...args, '--json'])
    expect(j.code).toBe(2)
    expect(j.json().error.message).toMatch(message)
  })

  it('a corrupt database is refused and left untouched', () => {
    const ws = book()
    const junk = Buffer.from('this is not a database, it is a shopping list\n'.repeat(50))
    writeFileSync(ws.db, junk)
    for (const args of [['sync'], ['positions'], ['risk', '--json']]) {
      const r = ws.run(args)
      expect(r.code).toBe(2)
      expect(r.stderr + r.stdout).toMatch(/book\.sqlite.*not .*(SQLite|cotrader)/i)
    }
    expect(readFileSync(ws.db).equals(junk)).toBe(true)
  })

  it('a bad quotes file: exit 2 naming file and line', () => {
    const ws = book()
    writeFileSync(path.join(ws.dir, 'quotes.csv'), 'symbol,price\nSPY,lots\n')
    const r = ws.run(['sync'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/quotes\.csv:2: "lots" is not a price for "SPY"/)
  })
})

describe('greeks', () => {
  it("Hull's example: S=49 K=50 r=5% σ=20% T=0.3846", () => {
    const r = cli(['greeks', '--type', 'call', '--spot', '49', '--strike', '50', '--years', '0.3846', '--vol', '0.2', '--rate', '0.05', '--json'])
    expect(r.code).toBe(0)
    const g = r.json()
    expect(g.price).toBeCloseTo(2.400461, 5)
    expect(g.delta).toBeCloseTo(0.521602, 5)
    expect(g.gamma).toBeCloseTo(0.0655454, 6)
    expect(g.theta).toBeCloseTo(-4.30539 / 365, 7)
    expect(g.vega).toBeCloseTo(0.12105243, 6)
    expect(g.iv).toBe(0.2)
  })
  it('solves implied volatility from a price and round-trips', () => {
    const r = cli(['greeks', '--type', 'put', '--spot', '100', '--strike', '90', '--days', '30', '--price', '0.35', '--rate', '0.04', '--json'])
    expect(r.code).toBe(0)
    const g = r.json()
    const back = cli(['greeks', '--type', 'put', '--spot', '100', '--strike', '90', '--days', '30', '--vol', String(g.iv), '--rate', '0.04', '--json']).json()
    expect(back.price).toBeCloseTo(0.35, 10)
  })
  it('American: the exact engine by default (4.1913), --engine bs2002 the corrected approximation (4.15)', () => {
    const base = ['greeks', '--type', 'put', '--spot', '100', '--strike', '100', '--years', '0.5', '--vol', '0.2', '--rate', '0.08', '--style', 'american', '--json']
    const exact = cli(base).json()
    expect(exact.engine).toBe('exact')
    expect(Math.abs(exact.price - 4.1913)).toBeLessThan(1e-4)
    const bs = cli([...base, '--engine', 'bs2002']).json()
    expect(bs.engine).toBe('bs2002')
    expect(bs.price).toBeCloseTo(4.15, 2)
    expect(cli(['greeks', '--type', 'put', '--spot', '100', '--strike', '100', '--years', '0.5', '--vol', '0.2', '--json']).json().engine).toBeNull()
  })
  it('American price at intrinsic in the exercise region: no IV, delta −1', () => {
    const r = cli(['greeks', '--type', 'put', '--spot', '60', '--strike', '100', '--years', '1', '--price', '40', '--rate', '0.08', '--style', 'american', '--json'])
    expect(r.code).toBe(0)
    expect(r.json()).toMatchObject({iv: null, price: 40, delta: -1, gamma: 0, vega: 0})
  })
  it('human output states units', () => {
    const r = cli(['greeks', '--type', 'call', '--spot', '100', '--strike', '100', '--days', '30', '--vol', '0.3'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/per calendar day/)
    expect(r.stdout).toMatch(/per vol point/)
  })
  it.each([
    [['--type', 'call', '--spot', '100', '--strike', '100', '--vol', '0.3'], /give the time to expiry once/],
    [['--type', 'call', '--spot', '100', '--strike', '100', '--days', '30'], /exactly one of --vol/],
    [['--type', 'call', '--spot', '-5', '--strike', '100', '--days', '30', '--vol', '0.2'], /--spot must be a positive number/],
    [['--type', 'call', '--spot', 'abc', '--strike', '100', '--days', '30', '--vol', '0.2'], /"abc" is not a number/],
    [['--type', 'call', '--spot', '100', '--strike', '100', '--days', '30', '--price', '150'], /no implied volatility/],
    [['--type', 'straddle', '--spot', '100', '--strike', '100', '--days', '30', '--vol', '0.2'], /expected --type=straddle to be one of: call, put \(see --help\)/],
    [['--type', 'call', '--spot', '100', '--strike', '100', '--expiry', '2020-01-01', '--vol', '0.2'], /must have time left/],
    [['--type', 'call', '--spot', '100', '--strike', '100', '--days', '30', '--vol', '25'], /out of range/],
  ])('bad flags %j → exit 2', (args, message) => {
    const r = cli(['greeks', ...args])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message)
  })
})

describe('where config and database come from', () => {
  it('COTRADER_CONFIG and COTRADER_DB are used without flags; --db wins over COTRADER_DB', () => {
    const ws = book()
    const env = {COTRADER_CONFIG: ws.config, COTRADER_DB: ws.db}
    const r = cli(['sync', '--json'], {cwd: ws.dir, env})
    expect(r.code).toBe(0)
    expect(existsSync(ws.db)).toBe(true)
    const j = cli(['portfolios', '--json'], {cwd: ROOT, env}).json()
    expect(j.config).toBe(ws.config)
    expect(j.database).toBe(ws.db)
    const other = path.join(ws.dir, 'other.sqlite')
    expect(cli(['portfolios', '--json', '--db', other], {cwd: ROOT, env}).json().database).toBe(other)
  })

  it("the config's database: is relative to the config file", () => {
    const ws = workspace({'risk_config.yaml': `database: sub/book.sqlite\n${CONFIG}`, 'alpha.csv': ALPHA, 'beta.csv': BETA, 'quotes.csv': QUOTES})
    const j = cli(['portfolios', '--json', '--config', ws.config], {cwd: ROOT}).json()
    expect(j.database).toBe(path.join(ws.dir, 'sub', 'book.sqlite'))
  })
})
