import {copyFileSync, mkdirSync, readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {cli, tempDir, workspace} from './helpers.js'

const REPO = path.resolve(import.meta.dirname, '../..')

const CONFIG = `
market:
  rates: {USD: 0.04}
  quotes_file: quotes.csv
portfolios:
  - {name: alpha, broker: manual, account: A1, source: {file: alpha.csv, format: generic}}
`
const ALPHA = `symbol,quantity,entry_price,mark_price
AAPL,100,150,200
AAPL 2027-01-15 190P,-2,7.47,9.05
SPY,-10,600,600
`
const QUOTES = 'symbol,price\nAAPL,200\nSPY,600\n'

/** Business-day closes of AAPL and SPY. */
function historyCsv(days: number, startDay = Date.UTC(2025, 0, 1)): string {
  const lines = ['date,symbol,close']
  let d = startDay
  let a = 180
  let s = 550
  for (let i = 0; i < days; i++) {
    while ([0, 6].includes(new Date(d).getUTCDay())) d += 86_400_000
    const date = new Date(d).toISOString().slice(0, 10)
    lines.push(`${date},AAPL,${a.toFixed(2)}`, `${date},SPY,${s.toFixed(2)}`)
    a *= 1 + 0.02 * Math.sin(i * 1.3) * Math.cos(i * 0.37)
    s *= 1 + 0.01 * Math.sin(i * 0.9 + 1)
    d += 86_400_000
  }
  return `${lines.join('\n')}\n`
}

describe('VaR and stress from the CLI', () => {
  const ws = workspace({'risk_config.yaml': CONFIG, 'alpha.csv': ALPHA, 'quotes.csv': QUOTES, 'short.csv': historyCsv(3), 'long.csv': historyCsv(130), 'bad.csv': 'date,symbol,close\n2025-01-02,AAPL,100\n2025-01-03,AAPL,abc\n'})

  it('without history: sync stores a VaR result saying how many days there are and how many are needed', () => {
    expect(ws.run(['sync', '--json']).code).toBe(0)
    expect(ws.run(['prices', 'import', path.join(ws.dir, 'short.csv')]).code).toBe(0)
    const r = ws.run(['risk', '--json']).json()
    // prices import recomputed and stored it (refreshDerived, issue 19): risk reads it
    expect(r.var[0]).toMatchObject({portfolio: 'alpha', status: 'insufficient-history', recomputed: false, figures: []})
    expect(r.var[0].message).toBe('VaR needs 101 daily closes of each underlying (100 1-day scenarios); AAPL has 3, SPY has 3')
    const human = ws.run(['risk'])
    expect(human.stdout).toMatch(/alpha \(USD\)\s+computed \d{4}-\d\d-\d\d \d\d:\d\d UTC\s+VaR needs 101 daily closes/)
  }, 120_000)

  it('a bad price file is refused with file:line and nothing is imported', () => {
    const r = ws.run(['prices', 'import', path.join(ws.dir, 'bad.csv')])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`${path.join(ws.dir, 'bad.csv')}:3: close "abc" of AAPL on 2025-01-03 is not a positive number; nothing imported`)
    const j = ws.run(['prices', 'import', path.join(ws.dir, 'bad.csv'), '--json'])
    expect(j.json().error).toMatchObject({exitCode: 2})
    expect(ws.run(['risk', '--json']).json().var[0].history.short).toEqual([{symbol: 'AAPL', days: 3}, {symbol: 'SPY', days: 3}])
  }, 120_000)

  it('with history: sync computes VaR/ES; risk shows the stored figures and their time until the prices change', () => {
    const imp = ws.run(['prices', 'import', path.join(ws.dir, 'long.csv'), '--json'])
    expect(imp.code).toBe(0)
    expect(imp.json()).toMatchObject({rows: 260, symbols: [{symbol: 'AAPL', days: 130}, {symbol: 'SPY', days: 130}]})
    // the import changed the prices and recomputed what risk shows in the same write (refreshDerived,
    // issue 19): risk reads the stored result, with the stress grid's worst cell
    const first = ws.run(['risk', '--json']).json().var[0]
    expect(first).toMatchObject({status: 'ok', recomputed: false, positions: 3, missing: 0, scenarios: {historical: 129}})
    expect(first.worstStress).toEqual(expect.objectContaining({pnl: expect.any(Number)}))
    const second = ws.run(['risk', '--json']).json().var[0]
    expect(second.recomputed).toBe(false)
    expect(second.computedAt).toBe(first.computedAt)
    expect(second.figures).toEqual(first.figures)
    expect(first.figures.map((f: any) => `${f.method} ${f.level}`)).toEqual(['historical 0.95', 'historical 0.99', 'delta-normal 0.95', 'delta-normal 0.99', 'delta-gamma 0.95', 'delta-gamma 0.99'])
    for (const f of first.figures) expect(f.var).toBeGreaterThan(0)
    // --var recomputes on demand
    expect(ws.run(['risk', '--var', '--json']).json().var[0].recomputed).toBe(true)
    // a sync recomputes and stores
    ws.run(['sync'])
    expect(ws.run(['risk', '--json']).json().var[0].recomputed).toBe(false)
    const human = ws.run(['risk']).stdout
    expect(human).toMatch(/Value at risk and expected shortfall/)
    expect(human).toMatch(/historical \(1d\)/)
    expect(human).toMatch(/worst stress cell -[\d,.]+ at AAPL -15 %, SPY -8 %; vol [+-]\d+ pts/)
  }, 180_000)

  it('risk --stress: heat map with numbers (no colour when piped), the worst cell named; --json and --csv', () => {
    const r = ws.run(['risk', '--stress'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/AAPL \(single stock range\)/)
    expect(r.stdout).toMatch(/SPY \(broad index range\)/)
    expect(r.stdout).toMatch(/worst cell: -[\d,.]+ at AAPL -15 %, SPY -8 %; vol/)
    expect(r.stdout).not.toContain('\u001B[')
    const j = ws.run(['risk', '--stress', '--json']).json()
    const s = j.stress[0]
    expect(s.volShifts).toEqual([-10, -7.5, -5, -2.5, 0, 2.5, 5, 7.5, 10])
    expect(s.underlyings.map((u: any) => u.moves.length)).toEqual([11, 11])
    expect(s.total[5][4]).toBeCloseTo(0, 6)
    const shares = s.underlyings.find((u: any) => u.underlying === 'SPY')
    expect(shares.pnl[0][4]).toBeCloseTo(-10 * 600 * -0.08, 6)
    const csv = ws.run(['risk', '--stress', '--csv']).stdout.trim().split('\n')
    expect(csv[0]).toBe('portfolio,underlying,currency,scanIndex,movePct,volShift,pnl')
    expect(csv).toHaveLength(1 + 3 * 11 * 9)
    const file = path.join(ws.dir, 'stress.csv')
    expect(ws.run(['risk', '--stress', '--csv', file]).code).toBe(0)
    expect(readFileSync(file, 'utf8').split('\n')[1]).toMatch(/^alpha,AAPL,USD,0,-15,-10,/)
  }, 120_000)

  it('a VaR level outside (0, 1) in the config is refused with the key and line', () => {
    const bad = workspace({'risk_config.yaml': `var: {levels: [99]}\n${CONFIG}`, 'alpha.csv': ALPHA, 'quotes.csv': QUOTES})
    const r = bad.run(['risk'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/risk_config\.yaml:1: var\.levels\[0\]: must be a probability strictly between 0 and 1/)
  })
})

describe('the demo as `npm start` runs it', () => {
  it('the shipped config, the demo exports and their price history: every real and research portfolio shows VaR and ES', () => {
    // test/fixtures/demo holds the exports (price history included) scripts/demo-data.mjs writes for 2026-11-24 21:05 UTC.
    const root = tempDir('cotrader-demo-')
    mkdirSync(path.join(root, 'config'))
    mkdirSync(path.join(root, 'data'))
    copyFileSync(path.join(REPO, 'config', 'risk_config.yaml'), path.join(root, 'config', 'risk_config.yaml'))
    const fixtures = path.join(REPO, 'test', 'fixtures', 'demo')
    for (const f of readdirSync(fixtures)) copyFileSync(path.join(fixtures, f), path.join(root, 'data', f))
    const run = (args: string[]) => cli([...args, '--config', path.join(root, 'config', 'risk_config.yaml')], {cwd: root, env: {COTRADER_NOW: '2026-11-24T21:05:00Z'}})
    for (const f of ['price_history_us.csv', 'price_history_in.csv']) expect(run(['prices', 'import', path.join(root, 'data', f)]).code).toBe(0)
    run(['sync'])
    const r = run(['risk', '--json']).json()
    expect(r.var.map((v: {portfolio: string}) => v.portfolio)).toEqual(['fidelity-ira', 'fidelity-personal', 'zerodha', 'zerodha-holdings', 'inr-fund', 'research-wheel', 'research-condor', 'research-tt'])
    for (const v of r.var) {
      expect(v, v.portfolio).toMatchObject({status: 'ok', missing: 0, history: {days: 260, short: []}, scenarios: {historical: 259}})
      expect(v.figures, v.portfolio).toHaveLength(6)
      const hist = v.figures.filter((f: {method: string}) => f.method === 'historical')
      for (const f of hist) expect(f.es, v.portfolio).toBeGreaterThanOrEqual(f.var)
      expect(hist[1].var, v.portfolio).toBeGreaterThan(hist[0].var) // 99 % above 95 %
      expect(hist[0].var, v.portfolio).toBeGreaterThan(0)
    }
    expect(run(['risk']).stdout).toMatch(/historical \(1d\)/)
  }, 180_000)
})
