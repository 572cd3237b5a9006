/*
 * The demo exports shipped in data/ import cleanly through the portfolios the demo config
 * defines (built here by hand so this test does not depend on config/risk_config.yaml), and
 * every option has a price from which an implied volatility can be solved.
 */
import fs from 'node:fs'
import path from 'node:path'
import {parse} from 'csv-parse/sync'
import {describe, expect, it} from 'vitest'
import type {FileFormat, PortfolioConfig} from '../../../src/core/config/config.js'
import {importPositionsFile} from '../../../src/core/adapters/csv/index.js'
import type {Position} from '../../../src/core/domain/types.js'

// The demo exports as of 2026-11-24 (npm start writes data/ afresh relative to today; see test/demo.test.ts).
const DATA = path.resolve(import.meta.dirname, '../../fixtures/demo')

function demo(name: string, file: string, format: FileFormat, currency: string, account?: string): PortfolioConfig {
  return {name, broker: format === 'generic' || format === 'tastytrade-csv' ? 'manual' : format === 'fidelity' ? 'fidelity' : 'zerodha', account, currency, kind: name.startsWith('research') ? 'research' : 'real', source: {file: path.join(DATA, file), format}, tradingEnabled: false, limits: {}}
}

const PORTFOLIOS = [
  demo('fidelity-ira', 'fidelity_positions.csv', 'fidelity', 'USD', '245944181'),
  demo('fidelity-personal', 'fidelity_positions.csv', 'fidelity', 'USD', 'Z23456789'),
  demo('zerodha', 'zerodha_positions.csv', 'zerodha-positions', 'INR', 'ZR1234'),
  demo('zerodha-holdings', 'zerodha_holdings.csv', 'zerodha-holdings', 'INR', 'ZR1234-EQ'),
  demo('inr-fund', 'inr_fund.csv', 'generic', 'INR', 'INR-FUND-1'),
  demo('research-wheel', 'research_wheel.csv', 'generic', 'USD', 'RESEARCH-WHEEL'),
  demo('research-condor', 'research_condor.csv', 'generic', 'USD', 'RESEARCH-CONDOR'),
  demo('research-tt', 'tastytrade_positions.csv', 'tastytrade-csv', 'USD', 'RESEARCH-TT'),
]

const quotes = new Map(
  (parse(fs.readFileSync(path.join(DATA, 'quotes.csv'), 'utf8'), {columns: true, bom: true}) as {symbol: string; price: string}[]).map((q) => [q.symbol, Number(q.price)]),
)

const imported = new Map(PORTFOLIOS.map((p) => [p.name, importPositionsFile(p, {skipInvalid: false})]))
const all: Position[] = [...imported.values()].flatMap((r) => r.positions)

describe('demo data', () => {
  it.each([
    ['fidelity-ira', 4, {equity: 215398.63, cash: 12480.55}],
    ['fidelity-personal', 5, {equity: 122532.6, cash: 18124.6}],
    ['zerodha', 6, {equity: null, cash: null}],
    ['zerodha-holdings', 6, {equity: null, cash: null}],
    ['inr-fund', 4, {cash: 250000}],
    ['research-wheel', 3, {cash: 50000}],
    ['research-condor', 4, {cash: 25000}],
    ['research-tt', 4, {equity: null, cash: null}],
  ])('%s imports %i positions, nothing skipped', (name, count, balances) => {
    const r = imported.get(name)!
    expect(r.positions).toHaveLength(count)
    expect(r.skipped).toEqual([])
    expect(r.balances).toMatchObject(balances)
    expect(r.positions.every((p) => p.portfolio === name)).toBe(true)
  })

  it('only fidelity-personal warns, about its pending activity', () => {
    for (const [name, r] of imported) {
      expect(r.warnings, name).toEqual(name === 'fidelity-personal' ? [expect.stringMatching(/pending activity of -125.40 USD counted as cash/)] : [])
    }
  })

  it('generic portfolios know their value', () => {
    for (const name of ['inr-fund', 'research-wheel', 'research-condor']) expect(imported.get(name)!.balances.equity).not.toBeNull()
  })

  const options = all.filter((p) => p.option)

  it('options expire between December 2026 and September 2027', () => {
    expect(options.length).toBeGreaterThan(10)
    for (const p of options) {
      expect(p.option!.expiry >= '2026-12-01' && p.option!.expiry <= '2027-09-30', p.symbol).toBe(true)
    }
  })

  it('every option underlying is priced by its file or by data/quotes.csv', () => {
    for (const p of options) {
      expect(p.underlyingPrice ?? quotes.get(p.underlying), `${p.portfolio} ${p.symbol}`).toBeTypeOf('number')
    }
  })

  it('file prices agree with quotes.csv', () => {
    for (const p of all) {
      const quoted = quotes.get(p.underlying)
      if (quoted !== undefined && p.underlyingPriceSource === 'file') expect(p.underlyingPrice, p.symbol).toBe(quoted)
    }
  })

  it('every option mark lies strictly inside its no-arbitrage bounds, so an implied volatility exists', () => {
    for (const p of options) {
      const s = (p.underlyingPrice ?? quotes.get(p.underlying)) as number
      const {strike, right} = p.option!
      const intrinsic = Math.max(0, right === 'call' ? s - strike : strike - s)
      const upper = right === 'call' ? s : strike
      expect(p.markPrice, p.symbol).not.toBeNull()
      // Discounting can push a deep European put's value a little below intrinsic; allow 3 %.
      expect(p.markPrice!, `${p.portfolio} ${p.symbol}`).toBeGreaterThan(intrinsic * 0.97)
      expect(p.markPrice!, `${p.portfolio} ${p.symbol}`).toBeLessThan(upper)
    }
  })

  it('the Fidelity file really has the export quirks (BOM, CRLF, trailing commas, footer)', () => {
    const text = fs.readFileSync(path.join(DATA, 'fidelity_positions.csv'), 'utf8')
    expect(text.startsWith('\uFEFFAccount Number,')).toBe(true)
    expect(text).toContain(',Cash,\r\n')
    expect(text.trimEnd().endsWith('"Date downloaded Nov-24-2026 at 4:05 p.m ET"')).toBe(true)
  })
})
