/*
 * sync's pricing of file-fed books: config `deliverables:` for adjusted options, marks that fail
 * the no-arbitrage bounds, and the quotes file's time (a column, else its mtime) aging like any
 * other price so the book's freshness rules flag it.
 */
import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {parseConfig} from '../../src/core/config/config.js'
import {loadQuotes} from '../../src/core/services/market.js'
import {syncService} from '../../src/core/services/sync.js'
import {readDb} from '../../src/core/store/database.js'
import * as repo from '../../src/core/store/repositories.js'
import {tempDir} from '../cli/helpers.js'

const asOf = new Date('2026-03-02T15:00:00Z') // Monday, market open

async function syncBook(rows: string[], opts: {quotes?: string; quotesMtime?: Date; extra?: string} = {}) {
  const dir = tempDir('cotrader-prices-')
  fs.writeFileSync(path.join(dir, 'book.csv'), ['Symbol,Quantity,Entry_Price,Mark_Price,Underlying_Price', ...rows].join('\n') + '\n')
  if (opts.quotes !== undefined) {
    fs.writeFileSync(path.join(dir, 'quotes.csv'), opts.quotes)
    if (opts.quotesMtime) fs.utimesSync(path.join(dir, 'quotes.csv'), opts.quotesMtime, opts.quotesMtime)
  }
  const config = parseConfig(
    `market: {rates: {USD: 0.04}${opts.quotes !== undefined ? ', quotes_file: quotes.csv' : ''}}\n${opts.extra ?? ''}\nportfolios:\n  - {name: m, broker: manual, source: {file: book.csv, format: generic}}\n`,
    path.join(dir, 'risk_config.yaml'),
  )
  const dbPath = path.join(dir, 'db.sqlite')
  const result = await syncService({config, dbPath, skipInvalid: false, asOf, env: {}})
  const stored = await readDb(dbPath, (db) => ({positions: repo.loadPositions(db), portfolios: repo.loadPortfolios(db)}))
  return {result, positions: Object.fromEntries(stored.positions.map((p) => [p.symbol, p])), stored}
}

describe('deliverables from the config', () => {
  it('XYZ1 (150 XYZ per contract) is priced on XYZ with 1.5× the Greeks of the plain option at strike 33.33', async () => {
    const extra = 'deliverables:\n  XYZ1: {shares: 150, underlying: XYZ}\n'
    const {result, positions} = await syncBook(['XYZ,100,35,40,', 'XYZ1 2026-06-18 50C,2,8,12,', 'XYZ 2026-06-18 33.333333C,3,5,8,'], {extra})
    expect(result.portfolios[0].status).toBe('ok')
    const adj = positions['XYZ1 2026-06-18 50C']
    const plain = positions['XYZ 2026-06-18 33.333333C']
    expect(adj).toMatchObject({underlying: 'XYZ', underlyingPrice: 40, greeksSource: 'model'})
    // mark 12 / 1.5 = 8 = the plain option's mark at K' = 50 / 1.5: the same IV, 1.5× every Greek per unit
    expect(adj.iv).toBeCloseTo(plain.iv!, 5)
    expect(adj.greeks!.delta).toBeCloseTo(1.5 * plain.greeks!.delta, 5)
    expect(adj.greeks!.vega).toBeCloseTo(1.5 * plain.greeks!.vega, 5)
  })

  it('without a configured deliverable a digit root has unknown Greeks and says why', async () => {
    const {positions, result} = await syncBook(['XYZ,100,35,40,', 'XYZ1 2026-06-18 50C,2,8,12,'])
    expect(result.portfolios[0].status).toBe('ok')
    expect(positions['XYZ1 2026-06-18 50C']).toMatchObject({greeks: null, greeksSource: 'none'})
    expect(positions['XYZ1 2026-06-18 50C'].greeksNote).toMatch(/adjusted option.*deliverables:/)
  })
})

describe('marks outside the no-arbitrage bounds', () => {
  it('an American call below intrinsic is not used: mark unknown, a warning names it', async () => {
    const {result, positions} = await syncBook(['AAPL,100,150,190,', 'AAPL 2026-06-18 150C,1,30,30,'])
    expect(result.portfolios[0].warnings).toContainEqual(expect.stringMatching(/^AAPL 2026-06-18 150C: mark 30 is below intrinsic value 40 .*mark \(and value\) is unknown/))
    expect(positions['AAPL 2026-06-18 150C'].markPrice).toBeNull()
  })
})

describe('the quotes file carries its time', () => {
  it('as_of column, a date meaning that day\'s New York close; else the file mtime; bad time is file:line', async () => {
    const dir = tempDir('cotrader-q-')
    const file = path.join(dir, 'q.csv')
    fs.writeFileSync(file, 'symbol,price,as_of\nAAPL,190,2026-01-02\nMSFT,410,2026-03-02T14:55:00Z\nSPY,600,\n')
    const mtime = new Date('2026-02-27T21:00:00Z')
    fs.utimesSync(file, mtime, mtime)
    const q = await loadQuotes(file)
    expect(q.asOf.get('AAPL')).toBe('2026-01-02T21:00:00.000Z')
    expect(q.asOf.get('MSFT')).toBe('2026-03-02T14:55:00.000Z')
    expect(q.asOf.get('SPY')).toBe(mtime.toISOString())
    fs.writeFileSync(file, 'symbol,price,as_of\nAAPL,190,yesterday\n')
    await expect(loadQuotes(file)).rejects.toThrow(/q\.csv:2: "yesterday" in column as_of is not a time/)
  })

  it('a quotes file last written three months ago makes the book stale and says so', async () => {
    const {result, positions, stored} = await syncBook(['AAPL 2026-06-18 200C,1,6,7.25,'], {quotes: 'symbol,price\nAAPL,190\n', quotesMtime: new Date('2025-12-01T21:00:00Z')})
    expect(result.portfolios[0].warnings).toContainEqual(expect.stringMatching(/quotes file prices are stale \(from 2025-12-01 21:00Z.*\) for AAPL/))
    expect(positions['AAPL 2026-06-18 200C']).toMatchObject({underlyingPriceSource: 'quotes', underlyingPriceAsOf: '2025-12-01T21:00:00.000Z'})
    // the portfolio's prices are as old as the oldest price used: the freshness rules (containers/freshness.ts) flag it
    expect(stored.portfolios.find((x) => x.name === 'm')?.pricesAsOf).toBe('2025-12-01T21:00:00.000Z')
  })

  it('a fresh quotes file raises nothing', async () => {
    const {result} = await syncBook(['AAPL 2026-06-18 200C,1,6,7.25,'], {quotes: 'symbol,price,as_of\nAAPL,190,2026-03-02T14:59:00Z\n'})
    expect(result.portfolios[0].warnings.filter((w) => /stale/.test(w))).toEqual([])
  })
})

describe('config: deliverables', () => {
  it('is validated with the key and line; roots and tickers are upper-cased', () => {
    const ok = parseConfig('deliverables:\n  xyz1: {shares: 150, underlying: xyz}\nportfolios:\n  - {name: m, broker: none}\n', '/x/risk_config.yaml')
    expect(ok.deliverables).toEqual({XYZ1: {shares: 150, underlying: 'XYZ', cash: 0}})
    expect(() => parseConfig('deliverables:\n  XYZ1: {shares: 0, underlying: XYZ}\nportfolios:\n  - {name: m, broker: none}\n', '/x/risk_config.yaml')).toThrow(/risk_config\.yaml:2.*deliverables\.XYZ1\.shares.*positive number of shares/)
    expect(() => parseConfig('deliverables:\n  XYZ1: {shares: 150}\nportfolios:\n  - {name: m, broker: none}\n', '/x/risk_config.yaml')).toThrow(/deliverables\.XYZ1\.underlying/)
  })
})

describe('a partial Greeks event for a file-fed book priced by the tastytrade feed', () => {
  it('keeps the feed\'s delta, gamma and theta and fills vega and rho from the model at the feed\'s IV', async () => {
    const {defaultAdapters} = await import('../../src/core/services/sync.js')
    const dir = tempDir('cotrader-partial-')
    fs.copyFileSync(path.resolve(import.meta.dirname, '../fixtures/csv/fidelity_positions.csv'), path.join(dir, 'fid.csv'))
    const config = parseConfig('market: {rates: {USD: 0.04}}\nportfolios:\n  - {name: f, broker: fidelity, account: X11111111, source: {file: fid.csv, format: fidelity}}\n', path.join(dir, 'risk_config.yaml'))
    const real = defaultAdapters(config, {})
    const feed = {
      name: 'tastytrade',
      unavailable: () => null,
      fetch: async () => {
        throw new Error('not a broker here')
      },
      snapshot: async () => ({
        quotes: new Map([['EEE', 55]]),
        greeks: new Map(),
        partialGreeks: new Map([['EEE 2026-12-18 50C', {greeks: {delta: 0.61, gamma: 0.021, theta: -0.012}, iv: 0.3}]]),
      }),
      close: async () => {},
    }
    const dbPath = path.join(dir, 'db.sqlite')
    const r = await syncService({config, dbPath, skipInvalid: false, asOf: new Date('2026-11-24T15:00:00Z'), env: {}}, {file: real.file, tastytrade: async () => feed as never})
    expect(r.portfolios[0].status).toBe('ok')
    const stored = await readDb(dbPath, (db) => repo.loadPositions(db))
    const eee = stored.find((p) => p.symbol === 'EEE 2026-12-18 50C')!
    expect(eee).toMatchObject({greeksSource: 'feed', iv: 0.3, underlyingPrice: 55})
    expect(eee.greeks).toMatchObject({delta: 0.61, gamma: 0.021, theta: -0.012})
    expect(eee.greeks!.vega).toBeGreaterThan(0)
    expect(eee.greeksNote).toBe('vega, rho from the model (DXLink sent no value); delta, gamma, theta from DXLink')
  })
})
