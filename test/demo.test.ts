/*
 * The demo stays current: the exports `npm start` writes (src/demo/exports.ts) import cleanly on
 * any date, with every contract live, sensible DTE and marks an implied volatility can be solved
 * from. The clock is injected; the fixed-date copies in test/fixtures/demo serve the other tests.
 */
import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {downloadedAt} from '../src/core/adapters/csv/fidelity.js'
import {importPositionsFile} from '../src/core/adapters/csv/index.js'
import type {FileFormat, PortfolioConfig} from '../src/core/config/config.js'
import {positionExpiry} from '../src/core/containers/aging.js'
import {localDate} from '../src/core/domain/calendar/index.js'
import {dayNumber} from '../src/core/domain/calendar/zones.js'
import {parse} from 'csv-parse/sync'
import {previousTradingDay} from '../src/core/domain/calendar/index.js'
import {impliedVol} from '../src/core/pricing/index.js'
import {parsePriceCsv} from '../src/core/services/prices.js'
import {cmeQuarterly, demoExports, nseMonthly, usMonthly} from '../src/demo/exports.js'
import {HISTORY_DAYS} from '../src/demo/history.js'
import {tempDir} from './cli/helpers.js'

function write(now: Date): string {
  const dir = tempDir('cotrader-demo-')
  for (const [name, text] of demoExports(now)) fs.writeFileSync(path.join(dir, name), text)
  return dir
}

function demo(dir: string, name: string, file: string, format: FileFormat, currency: string, account?: string): PortfolioConfig {
  return {name, broker: format === 'generic' || format === 'tastytrade-csv' ? 'manual' : format === 'fidelity' ? 'fidelity' : 'zerodha', account, currency, kind: 'real', source: {file: path.join(dir, file), format}, tradingEnabled: false, limits: {}}
}

const portfolios = (dir: string) => [
  demo(dir, 'fidelity-ira', 'fidelity_positions.csv', 'fidelity', 'USD', '245944181'),
  demo(dir, 'fidelity-personal', 'fidelity_positions.csv', 'fidelity', 'USD', 'Z23456789'),
  demo(dir, 'zerodha', 'zerodha_positions.csv', 'zerodha-positions', 'INR', 'ZR1234'),
  demo(dir, 'zerodha-holdings', 'zerodha_holdings.csv', 'zerodha-holdings', 'INR', 'ZR1234-EQ'),
  demo(dir, 'inr-fund', 'inr_fund.csv', 'generic', 'INR', 'INR-FUND-1'),
  demo(dir, 'research-wheel', 'research_wheel.csv', 'generic', 'USD', 'RESEARCH-WHEEL'),
  demo(dir, 'research-condor', 'research_condor.csv', 'generic', 'USD', 'RESEARCH-CONDOR'),
  demo(dir, 'research-tt', 'tastytrade_positions.csv', 'tastytrade-csv', 'USD', 'RESEARCH-TT'),
]

describe('the demo book written for the date the fixtures were made (2026-11-24)', () => {
  const now = new Date('2026-11-24T21:05:00Z')
  it('picks the same listed expiries as the fixed demo files', () => {
    expect([usMonthly(now, 35), usMonthly(now, 80), usMonthly(now, 110)]).toEqual(['2027-01-15', '2027-02-19', '2027-03-19'])
    expect([nseMonthly(now, 14).date, nseMonthly(now, 70).date]).toEqual(['2026-12-29', '2027-02-23'])
    expect(cmeQuarterly('MES', now, 60)).toEqual({symbol: '/MESH7', lastTrade: '2027-03-19'})
  })
  it('stamps the Fidelity export with the instant it was written', () => {
    const text = demoExports(now).get('fidelity_positions.csv')!
    expect(text.trimEnd().endsWith('"Date downloaded Nov-24-2026 at 4:05 p.m ET"')).toBe(true)
  })
})

describe.each([
  ['2026-11-30T15:00:00Z'],
  ['2027-06-15T20:00:00Z'], // around Juneteenth week
  ['2028-02-29T03:00:00Z'], // leap day, night in New York
  ['2029-12-24T12:00:00Z'], // Christmas Eve
])('npm start on %s', (iso) => {
  const now = new Date(iso)
  const dir = write(now)
  const imported = portfolios(dir).map((p) => ({p, r: importPositionsFile(p, {skipInvalid: false})}))
  const quotes = new Map(fs.readFileSync(path.join(dir, 'quotes.csv'), 'utf8').trim().split('\n').slice(1).map((l) => [l.split(',')[0], Number(l.split(',')[1])]))

  it('every export imports without a skipped row', () => {
    for (const {p, r} of imported) {
      expect(r.skipped, p.name).toEqual([])
      expect(r.positions.length, p.name).toBeGreaterThan(2)
    }
  })

  it('every option and future is live: settles after now, 2 weeks to 6 months out', () => {
    const contracts = imported.flatMap(({r}) => r.positions).filter((q) => q.option || q.instrumentType === 'future')
    expect(contracts.length).toBeGreaterThan(10)
    for (const q of contracts) {
      const e = positionExpiry(q, now)
      expect(e, q.symbol).not.toBeNull()
      expect(e!.settlesAt.getTime(), q.symbol).toBeGreaterThan(now.getTime())
      const dte = dayNumber(e!.date) - dayNumber(localDate('XNYS', now))
      expect(dte, q.symbol).toBeGreaterThanOrEqual(14)
      expect(dte, q.symbol).toBeLessThanOrEqual(190)
    }
  })

  it('every option mark gives an implied volatility between 5 % and 100 %', () => {
    for (const q of imported.flatMap(({r}) => r.positions).filter((x) => x.option)) {
      const spot = (q.underlyingPrice ?? quotes.get(q.underlying)) as number
      const e = positionExpiry(q, now)!
      const years = (e.settlesAt.getTime() - now.getTime()) / (365 * 86_400_000)
      const iv = impliedVol(q.markPrice!, {right: q.option!.right, spot, strike: q.option!.strike, years, rate: q.currency === 'INR' ? 0.064 : 0.042, dividend: 0}, {model: 'bsm', style: 'european'})
      expect(iv, `${q.portfolio} ${q.symbol} mark ${q.markPrice}`).not.toBeNull()
      expect(iv!, q.symbol).toBeGreaterThan(0.05)
      expect(iv!, q.symbol).toBeLessThan(1)
    }
  })

  it('the price history covers every underlying with a year of closes up to the previous trading day, ending at its demo price', () => {
    const parseCsv = parse as unknown as (t: string, o: object) => string[][]
    const us = parsePriceCsv(fs.readFileSync(path.join(dir, 'price_history_us.csv'), 'utf8'), 'us', parseCsv)
    const india = parsePriceCsv(fs.readFileSync(path.join(dir, 'price_history_in.csv'), 'utf8'), 'in', parseCsv)
    const lastUs = previousTradingDay('XNYS', localDate('XNYS', now))
    const lastIn = previousTradingDay('XNSE', localDate('XNSE', now))
    for (const [rows, last] of [[us, lastUs], [india, lastIn]] as const) {
      const by = new Map<string, typeof rows>()
      for (const r of rows) by.set(r.symbol, [...(by.get(r.symbol) ?? []), r])
      for (const [symbol, list] of by) {
        expect(list, symbol).toHaveLength(HISTORY_DAYS)
        expect(list.at(-1)!.date, symbol).toBe(last)
        if (quotes.has(symbol)) expect(list.at(-1)!.close, symbol).toBe(quotes.get(symbol))
      }
    }
    const covered = new Set([...us, ...india].map((r) => r.symbol))
    for (const {r} of imported) for (const q of r.positions) expect(covered.has(q.underlying.toUpperCase()), q.underlying).toBe(true)
  })

  it('the Fidelity footer says when it was downloaded (to the minute)', () => {
    const r = imported.find(({p}) => p.name === 'fidelity-ira')!.r
    expect(Math.abs(Date.parse(r.pricesAsOf!) - now.getTime())).toBeLessThan(60_000)
    expect(downloadedAt(`Date downloaded ${'x'}`)).toBeNull()
  })
})
