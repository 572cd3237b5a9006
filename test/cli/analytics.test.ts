/*
 * Issue 9 (part B) through the built CLI: strategy groups, position health, day P&L, history,
 * attribution and --csv on every table view, against a temp book with snapshots written by the store.
 */
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {exchangeDate} from '../../src/core/domain/daypnl.js'
import {writeHistory} from '../../src/core/store/history.js'
import {writeSnapshots, type PortfolioSnapshot, type PositionSnapshot} from '../../src/core/store/snapshots.js'
import {workspace} from './helpers.js'

const CONFIG = `
base_currency: USD
fx_rates: {INR: 0.012}
market:
  rates: {USD: 0.04}
  betas: {XYZ: 1.5}
portfolios:
  - {name: opt, broker: manual, account: O1, source: {file: opt.csv, format: generic}}
  - {name: inr, broker: manual, account: I1, currency: INR, source: {file: inr.csv, format: generic}}
  - {name: opt-whatif, broker: none, kind: whatif, shadows: opt}
`
const OPT = `symbol,quantity,entry_price,mark_price
XYZ,200,90,100
XYZ 2027-06-18 110C,-2,3,2.5
XYZ 2027-06-18 90P,1,2,1.5
XYZ 2027-06-18 95P,-1,3.5,2.6
`
const INR = `symbol,quantity,entry_price,mark_price
INFY,10,1500,1400
`

const DAY = 86_400_000
const today = exchangeDate('USD', new Date())
const day = (n: number) => new Date(Date.parse(today) - n * DAY).toISOString().slice(0, 10)
const D1 = day(1)
const D2 = day(2)
const at = (d: string) => `${d}T21:00:00.000Z`

function pos(date: string, symbol: string, quantity: number, mark: number, extra: Partial<PositionSnapshot> = {}): PositionSnapshot {
  const m = /^XYZ (\S+) (\d+)([CP])$/.exec(symbol)
  return {
    date, portfolio: 'opt', symbol, underlying: 'XYZ', instrumentType: m ? 'equity_option' : 'equity', quantity, multiplier: m ? 100 : 1, currency: 'USD',
    ...(m ? {option: {expiry: m[1], strike: Number(m[2]), right: m[3] === 'C' ? 'call' : 'put', style: 'american'}} : {}),
    entryPrice: null, markPrice: mark, underlyingPrice: 98, iv: m ? 0.3 : null, greeks: m ? null : {delta: 1, gamma: 0, theta: 0, vega: 0, rho: 0}, unrealizedPnl: null, takenAt: at(date), ...extra,
  }
}
const portfolio = (date: string, p: string, currency: string, equity: number, pnl: number, dayPnl: number | null, greeks: Partial<PortfolioSnapshot> = {}): PortfolioSnapshot => ({
  date, portfolio: p, currency, equity, cash: null, delta: 250, betaWeightedDelta: 300, gamma: 1, theta: 5, vega: -40, unrealizedPnl: pnl, dayPnl, positions: 1, missing: 0, takenAt: at(date), ...greeks,
})

describe('analytics on a synced book with two days of snapshots', () => {
  const ws = workspace({'risk_config.yaml': CONFIG, 'opt.csv': OPT, 'inr.csv': INR})
  beforeAll(async () => {
    expect(ws.run(['sync']).code).toBe(0)
    await writeHistory(ws.db, [D1, D2].map((d) => Number(d.slice(0, 4))), (db) => {
      writeSnapshots(db, D2, [pos(D2, 'XYZ', 200, 97)], [portfolio(D2, 'opt', 'USD', 50_000, 1_000, null), portfolio(D2, 'inr', 'INR', 1_000_000, -500, null)])
      writeSnapshots(
        db,
        D1,
        [
          pos(D1, 'XYZ', 200, 98),
          pos(D1, 'XYZ 2027-06-18 110C', -2, 2.8, {greeks: {delta: 0.3, gamma: 0.01, theta: -0.02, vega: 0.3, rho: 0.1}}),
          pos(D1, 'XYZ 2027-06-18 90P', 1, 1.6, {greeks: {delta: -0.2, gamma: 0.01, theta: -0.01, vega: 0.25, rho: -0.05}}),
        ],
        [portfolio(D1, 'opt', 'USD', 50_500, 1_500, 500), portfolio(D1, 'inr', 'INR', 1_010_000, 9_500, 10_000)],
      )
    })
  })

  it('positions: day P&L from the previous snapshot, from entry for a position opened today, totals in the base currency', () => {
    const j = ws.run(['positions', '--json']).json()
    const by = Object.fromEntries(j.positions.map((p: any) => [p.symbol, p]))
    expect(by.XYZ).toMatchObject({dayPnlBasis: 'snapshot', dayPnlBasisPrice: 98})
    expect(by.XYZ.dayPnl).toBeCloseTo(400, 9) // (100 − 98) × 200
    expect(by['XYZ 2027-06-18 110C'].dayPnl).toBeCloseTo(60, 9) // (2.50 − 2.80) × −200
    expect(by['XYZ 2027-06-18 90P'].dayPnl).toBeCloseTo(-10, 9)
    expect(by['XYZ 2027-06-18 95P']).toMatchObject({dayPnlBasis: 'entry'}) // not in yesterday's snapshot: opened today
    expect(by['XYZ 2027-06-18 95P'].dayPnl).toBeCloseTo(90, 9) // (2.60 − 3.50) × −100
    // inr's snapshot says it held 1 position but no position rows were kept: INFY is not known to be new, so unknown.
    expect(by.INFY).toMatchObject({dayPnl: null, dayPnlBasis: null})
    const usd = j.totals.find((t: any) => t.currency === 'USD')
    expect(usd.dayPnl).toBeCloseTo(540, 9)
    expect(j.dayPnlBaseMissing).toBe(1)
    // Health in the row: short 95P, credit 3.50, mark 2.60 → 25.7 % captured; break-even 91.50.
    expect(by['XYZ 2027-06-18 95P'].health.profitCaptured).toBeCloseTo(0.9 / 3.5, 12)
    expect(by['XYZ 2027-06-18 95P'].health.breakeven).toBeCloseTo(91.5, 12)
    expect(by['XYZ 2027-06-18 95P'].health.assignmentRisk).toBe(false)
    // --csv: the JSON row's fields, nested ones dotted.
    // (a null deliverable or per-Greek sources still has its dotted columns, empty)
    const shapes: Record<string, object> = {deliverable: {shares: 0, underlying: 0, cash: 0}, greeksSources: {delta: 0, gamma: 0, theta: 0, vega: 0, rho: 0}}
    const flat = (o: any, pre = ''): string[] =>
      Object.entries(o).flatMap(([k, v]) => (v === null && pre === '' && shapes[k] ? flat(shapes[k], `${k}.`) : v !== null && typeof v === 'object' && !Array.isArray(v) ? flat(v, `${pre}${k}.`) : [`${pre}${k}`]))
    const header = ws.run(['positions', '--csv']).stdout.split('\n')[0].split(',')
    expect([...header].sort()).toEqual(flat(by['XYZ 2027-06-18 110C']).sort())
    const human = ws.run(['positions'], {COLUMNS: '250'})
    expect(human.stdout).toMatch(/Day P&L/)
    expect(human.stdout).toMatch(/P\(ITM\)/)
    expect(human.stdout).toMatch(/Total USD: .*day P&L \+540\.00/)
  })

  it('positions --group: covered call and put vertical with max profit / loss and break-evens', () => {
    const j = ws.run(['positions', '--group', '--json', '--portfolio', 'opt']).json()
    const by = Object.fromEntries(j.groups.map((g: any) => [g.strategy, g]))
    expect(Object.keys(by).sort()).toEqual(['covered_call', 'vertical'])
    expect(by.covered_call.legs).toEqual([{symbol: 'XYZ', quantity: 200}, {symbol: 'XYZ 2027-06-18 110C', quantity: -2}])
    expect(by.covered_call.maxProfit).toBeCloseTo((110 - 90 + 3) * 200, 9)
    expect(by.covered_call.breakevens[0]).toBeCloseTo(87, 9)
    expect(by.vertical.maxProfit).toBeCloseTo(150, 9) // credit 3.50 − 2.00
    expect(by.vertical.maxLoss).toBeCloseTo(350, 9) // width 5 − 1.50
    expect(by.vertical.breakevens[0]).toBeCloseTo(93.5, 9)
    expect(by.vertical.unrealizedPnl).toBeCloseTo(90 - 50, 9)
    const human = ws.run(['positions', '--group', '--portfolio', 'opt'], {COLUMNS: '250'}).stdout
    expect(human).toMatch(/covered call/)
    expect(human).toMatch(/vertical .* 150\.00 .* 350\.00 .* 93\.50/)
  })

  it('pnl: day P&L per position, underlying and portfolio; --csv has the JSON line fields', () => {
    const j = ws.run(['pnl', '--json']).json()
    const opt = j.portfolios.find((l: any) => l.portfolio === 'opt')
    expect(opt.dayPnl).toBeCloseTo(540, 9)
    expect(opt.dayPnlMissing).toBe(0)
    expect(j.portfolios.find((l: any) => l.portfolio === 'inr')).toMatchObject({dayPnl: null, dayPnlMissing: 1})
    // The book's day P&L has an unknown part (inr): it is unknown, never the known part passed off as the total (issue 20).
    expect(j.dayPnlBase).toBeNull()
    expect(j.dayPnlBaseMissing).toBe(1)
    const csv = ws.run(['pnl', '--csv']).stdout.trim().split('\n')
    const header = csv[0].split(',')
    expect(header.sort()).toEqual(Object.keys(j.positions[0]).sort())
    expect(csv).toHaveLength(1 + j.positions.length + j.underlyings.length + j.portfolios.length)
    expect(ws.run(['pnl']).stdout).toMatch(/Total in USD: .*day \?\*/)
    expect(ws.run(['pnl', '--portfolio', 'opt']).stdout).toMatch(/Total in USD: .*day \+540\.00/)
  })

  it('pnl --history: equity, open and day P&L per portfolio and in the base currency; table, chart, csv', () => {
    const j = ws.run(['pnl', '--history', '--days', '5', '--json']).json()
    expect(j.dates).toEqual([D2, D1])
    const total = j.rows.find((r: any) => r.level === 'total' && r.date === D1)
    expect(total.equity).toBeCloseTo(50_500 + 1_010_000 * 0.012, 9) // 62,620
    expect(total.dayPnl).toBeCloseTo(500 + 10_000 * 0.012, 9)
    expect(j.rows.find((r: any) => r.level === 'total' && r.date === D2).dayPnl).toBeNull()
    expect(j.rows.find((r: any) => r.portfolio === 'inr' && r.date === D1)).toMatchObject({currency: 'INR', equity: 1_010_000})
    const human = ws.run(['pnl', '--history', '--days', '5']).stdout
    expect(human).toMatch(/Equity, real book \(USD\)/)
    expect(human).toMatch(/62,620/)
    const csv = ws.run(['pnl', '--history', '--days', '5', '--csv']).stdout.trim().split('\n')
    expect(csv[0].split(',').sort()).toEqual(Object.keys(j.rows[0]).sort())
    expect(csv).toHaveLength(1 + j.rows.length)
    expect(ws.run(['pnl', '--history', '--since', D1, '--json']).json().dates).toEqual([D1])
    const bad = ws.run(['pnl', '--history', '--since', '2026-13-01'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--since 2026-13-01: expected a date YYYY-MM-DD/)
  })

  it('risk --history: net delta, beta-weighted delta, theta and vega per day', () => {
    const j = ws.run(['risk', '--history', '--json']).json()
    const total = j.rows.find((r: any) => r.level === 'total' && r.date === D1)
    expect(total).toMatchObject({delta: 500, betaWeightedDelta: 600})
    expect(total.theta).toBeCloseTo(5 + 5 * 0.012, 9)
    expect(total.vega).toBeCloseTo(-40 - 40 * 0.012, 9)
    const csv = ws.run(['risk', '--history', '--csv']).stdout.trim().split('\n')
    expect(csv[0]).toBe('date,level,portfolio,currency,delta,betaWeightedDelta,theta,vega,missing')
    expect(csv[0].split(',').sort()).toEqual(Object.keys(j.rows[0]).sort())
    expect(ws.run(['risk', '--history']).stdout).toMatch(/Beta-weighted delta/)
  })

  it('pnl --attribution since yesterday: each term from the snapshot Greeks, the terms and residual add up to the P&L', () => {
    const j = ws.run(['pnl', '--attribution', '--json']).json()
    const positions = ws.run(['positions', '--json']).json().positions
    const by = Object.fromEntries(j.positions.map((l: any) => [l.symbol, l]))
    expect(by.XYZ.delta).toBeCloseTo(400, 9) // (100 − 98) × 200
    expect(by.XYZ.residual).toBeCloseTo(0, 9)
    const c = by['XYZ 2027-06-18 110C']
    expect(c.pnl).toBeCloseTo(60, 9)
    expect(c.delta).toBeCloseTo(0.3 * 2 * -200, 9)
    expect(c.gamma).toBeCloseTo(0.5 * 0.01 * 4 * -200, 9)
    expect(c.theta).toBeCloseTo(-0.02 * c.days * -200, 9)
    const iv = positions.find((p: any) => p.symbol === 'XYZ 2027-06-18 110C').iv
    expect(c.vega).toBeCloseTo(0.3 * (iv - 0.3) * 100 * -200, 6)
    expect(c.rho).toBe(0)
    expect(c.explained + c.residual).toBeCloseTo(c.pnl, 9)
    expect(c.from).toBe(at(D1))
    expect(by['XYZ 2027-06-18 95P']).toMatchObject({missing: 1, pnl: null, note: 'no snapshot before today'})
    const opt = j.portfolios.find((l: any) => l.portfolio === 'opt')
    expect(opt.missing).toBe(1)
    expect(opt.pnl).toBeCloseTo(400 + 60 - 10, 9)
    expect(opt.explainedShare).toBeCloseTo(opt.explained / opt.pnl, 12)
    const human = ws.run(['pnl', '--attribution'], {COLUMNS: '250'}).stdout
    expect(human).toMatch(/P&L attribution since yesterday/)
    expect(human).toMatch(/XYZ 2027-06-18 95P: no snapshot before today/)
    const csv = ws.run(['pnl', '--attribution', '--csv']).stdout.trim().split('\n')
    expect(csv[0].split(',').sort()).toEqual(Object.keys(j.positions[0]).sort())
  })

  it('pnl --attribution --since entry: from the entry price with the Greeks recorded at first sight', () => {
    const j = ws.run(['pnl', '--attribution', '--since', 'entry', '--json']).json()
    const p = j.positions.find((l: any) => l.symbol === 'XYZ 2027-06-18 95P')
    expect(p.missing).toBe(0)
    expect(p.pnl).toBeCloseTo(90, 9) // (2.60 − 3.50) × −100
    expect(p.explained + p.residual).toBeCloseTo(90, 9)
    expect(ws.run(['pnl', '--attribution', '--since', 'tomorrow']).code).toBe(2)
  })

  it('--csv on risk, portfolios and whatif list: one header line with the JSON field names, to stdout or a file', () => {
    const risk = ws.run(['risk', '--json']).json()
    const csv = ws.run(['risk', '--csv']).stdout.trim().split('\n')
    const header = csv[0].split(',')
    const fields = new Set([...Object.keys(risk.portfolios[0]), ...Object.keys(risk.portfolios[0].underlyings[0])].filter((k) => k !== 'underlyings'))
    // Every JSON field of a portfolio and of an underlying, plus `level` telling the rows apart.
    expect([...header].sort()).toEqual(['level', ...fields].sort())
    expect(csv).toHaveLength(1 + risk.portfolios.reduce((n: number, p: any) => n + 1 + p.underlyings.length, 0))
    const ports = ws.run(['portfolios', '--json']).json().portfolios
    const file = path.join(ws.dir, 'p.csv')
    expect(ws.run(['portfolios', '--csv', file]).code).toBe(0)
    const lines = readFileSync(file, 'utf8').trim().split('\n')
    expect(lines[0].split(',')).toEqual(Object.keys(ports[0]))
    expect(lines).toHaveLength(1 + ports.length)
    expect(ws.run(['whatif', 'add', '--portfolio', 'opt', '--leg', '-1 XYZ 2027-06-18 120C @ 1.10']).code).toBe(0)
    const w = ws.run(['whatif', 'list', '--csv']).stdout.trim().split('\n')
    expect(w).toHaveLength(2)
    expect(w[0]).toMatch(/^proposalId,tradeId,portfolio,symbol/)
    // (a null deliverable or per-Greek sources still has its dotted columns, empty)
    const shapes: Record<string, object> = {deliverable: {shares: 0, underlying: 0, cash: 0}, greeksSources: {delta: 0, gamma: 0, theta: 0, vega: 0, rho: 0}}
    const flat = (o: any, pre = ''): string[] =>
      Object.entries(o).flatMap(([k, v]) => (v === null && pre === '' && shapes[k] ? flat(shapes[k], `${k}.`) : v !== null && typeof v === 'object' && !Array.isArray(v) ? flat(v, `${pre}${k}.`) : [`${pre}${k}`]))
    const row = ws.run(['whatif', 'list', '--json']).json().whatIf[0]
    expect(w[0].split(',').sort()).toEqual(flat(row).sort())
  })
})

describe('assignment risk from market.next_dividends', () => {
  it('a short ITM call whose extrinsic is below the next dividend is flagged; a bad ex_date is a config error', () => {
    const ex = new Date(Date.parse(today) + 10 * DAY).toISOString().slice(0, 10)
    const config = (date: string) => `
base_currency: USD
market:
  rates: {USD: 0.04}
  dividends: {XYZ: 0.02}
  next_dividends:
    XYZ: {ex_date: ${date}, amount: 1.0}
portfolios:
  - {name: opt, broker: manual, account: O1, source: {file: opt.csv, format: generic}}
`
    // XYZ at 100, the 90 call marked 10.20: extrinsic 0.20 < the 1.00 dividend going ex in 10 days.
    const ws = workspace({'risk_config.yaml': config(ex), 'opt.csv': 'symbol,quantity,entry_price,mark_price\nXYZ,100,90,100\nXYZ 2027-06-18 90C,-1,11,10.2\n'})
    expect(ws.run(['sync']).code).toBe(0)
    const call = ws.run(['positions', '--json']).json().positions.find((p: any) => p.symbol === 'XYZ 2027-06-18 90C')
    expect(call.health).toMatchObject({assignmentRisk: true, intrinsic: 10})
    expect(call.health.extrinsic).toBeCloseTo(0.2, 9)
    expect(call.health.assignmentNote).toMatch(/below the 1.00 dividend/)
    const human = ws.run(['positions'], {COLUMNS: '250'}).stdout
    expect(human).toMatch(/opt XYZ 2027-06-18 90C: assignment risk: in the money, extrinsic 0.20 below the 1.00 dividend/)
    const bad = workspace({'risk_config.yaml': config('soon'), 'opt.csv': 'symbol,quantity,entry_price,mark_price\nXYZ,100,90,100\n'})
    const r = bad.run(['positions'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/next_dividends\.XYZ\.ex_date: must be a date YYYY-MM-DD/)
  })
})
