/*
 * Expiry settlement by the exchange calendar's rule for each product (domain/expiry-settlement.ts):
 * an AM-settled SPX monthly settles on the opening price of its expiry date, not the close; a listed
 * expiry on a holiday leaves the book the trading day before. Worked examples with known answers,
 * then a simulated expiry Friday of the daemon.
 */
import {mkdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {openingToRecord, settleAtExpiry} from '../../src/core/domain/expiry-settlement.js'
import type {Position} from '../../src/core/domain/types.js'
import {readDb} from '../../src/core/store/database.js'
import * as dstore from '../../src/core/store/daemon.js'
import * as repo from '../../src/core/store/repositories.js'
import {tempDir} from '../cli/helpers.js'
import {DAEMON_YAML, simDaemon} from './helpers.js'

type Opt = Pick<Position, 'symbol' | 'underlying' | 'instrumentType' | 'currency' | 'quantity' | 'multiplier' | 'entryPrice' | 'underlyingPrice' | 'option'>
const option = (symbol: string, quantity: number, entry: number, underlyingPrice: number | null): Opt => {
  const [root, expiry, term] = symbol.split(' ')
  const index = ['SPX', 'SPXW'].includes(root)
  return {
    symbol, underlying: index ? 'SPX' : root, instrumentType: 'equity_option', currency: 'USD', quantity, multiplier: 100, entryPrice: entry, underlyingPrice,
    option: {expiry, strike: Number(term.slice(0, -1)), right: term.endsWith('P') ? 'put' : 'call', style: index ? 'european' : 'american'},
  }
}

describe('settlement at expiry by the calendar rule', () => {
  // SPX 2026-11-20 is a third-Friday monthly: AM-settled, the opening prints of Friday 20 November
  // (14:30 UTC). Short one 6000 put at 10.00; SPX opened at 5,900 and closed at 6,100.
  const spx = option('SPX 2026-11-20 6000P', -1, 10, 6100)

  it('an AM-settled SPX put settles on the opening price: 100 in the money, cash-settled, −9,000 realised', () => {
    const s = settleAtExpiry(spx, '2026-11-20', {openings: {'SPX|2026-11-20': {price: 5900, at: '2026-11-20T14:30:00.000Z'}}})
    expect(s).toMatchObject({status: 'settled', expiryDate: '2026-11-20', settlement: 'am', priceSource: 'open', underlyingPrice: 5900, intrinsic: 100, outcome: 'cash_settled', stockQuantity: null, note: null})
    expect(s!.status === 'settled' && s!.realizedPnl).toBe(-9000) // (100 − 10) × −1 × 100
  })

  it('without an observed opening price it is pending settlement, never settled on a later price', () => {
    const s = settleAtExpiry(spx, '2026-11-20', {lastAt: '2026-11-20T21:00:00Z'})
    expect(s).toMatchObject({status: 'pending', reason: 'no_settlement_price', underlyingPrice: null})
    expect(s!.status === 'pending' && s!.detail).toMatch(/the opening print of SPX on 2026-11-20/)
  })

  it('the weekly SPXW of the same day is PM-settled: the close, whatever the opening was', () => {
    const s = settleAtExpiry(option('SPXW 2026-11-20 6000P', -1, 10, 6100), '2026-11-20', {openings: {'SPX|2026-11-20': {price: 5900, at: '2026-11-20T14:30:00.000Z'}}, lastAt: '2026-11-20T21:00:00Z'})
    expect(s).toMatchObject({status: 'settled', settlement: 'pm', priceSource: 'close', intrinsic: 0, outcome: 'expired', note: null})
  })

  it('not expired before its expiry date (an AM option stops trading the day before but settles on the day)', () => {
    expect(settleAtExpiry(spx, '2026-11-19')).toBeNull()
  })

  it('a listed expiry on Good Friday (2026-04-03) leaves the book on Thursday 2 April, assigned into stock', () => {
    const put = option('AAPL 2026-04-03 200P', -2, 3, 190)
    const s = settleAtExpiry(put, '2026-04-02', {lastAt: '2026-04-02T19:55:00Z'})
    expect(s).toMatchObject({status: 'settled', expiryDate: '2026-04-02', settlement: 'pm', intrinsic: 10, outcome: 'assigned', stockQuantity: 200})
    expect(s!.status === 'settled' && s!.realizedPnl).toBe(600) // (0 − 3) × −2 × 100: the premium kept; the 10 of intrinsic value is in the 200 shares at the 200 strike
    expect(settleAtExpiry(put, '2026-04-01')).toBeNull()
  })

  it('the opening price is recorded from the open for 30 minutes, for AM-settled options only', () => {
    expect(openingToRecord(spx, new Date('2026-11-20T14:29:59Z'))).toBeNull()
    expect(openingToRecord(spx, new Date('2026-11-20T14:30:00Z'))).toBe('SPX|2026-11-20')
    expect(openingToRecord(spx, new Date('2026-11-20T15:00:00Z'))).toBe('SPX|2026-11-20')
    expect(openingToRecord(spx, new Date('2026-11-20T15:00:01Z'))).toBeNull()
    expect(openingToRecord(option('SPXW 2026-11-20 6000P', -1, 10, 6100), new Date('2026-11-20T14:35:00Z'))).toBeNull()
  })
})

describe('the daemon on an expiry Friday: the AM-settled put settles on the price seen at the open', () => {
  it('records SPX at the first tick after the open and settles on it at the end of day', async () => {
    const dir = tempDir('cotrader-settle-')
    mkdirSync(path.join(dir, 'config'))
    mkdirSync(path.join(dir, 'data'))
    const csv = (spxPrice: number, mark: number) => `symbol,quantity,entry_price,mark_price,underlying_price\nSPX 2026-11-20 6000P,-1,10,${mark},${spxPrice}\n`
    writeFileSync(path.join(dir, 'data', 'am.csv'), csv(5900, 100))
    writeFileSync(path.join(dir, 'data', 'quotes.csv'), 'symbol,price\nSPY,600\n')
    const daemon = DAEMON_YAML().replace('in_hours_seconds: 3600', 'in_hours_seconds: 600')
    writeFileSync(
      path.join(dir, 'config', 'risk_config.yaml'),
      `market: {quotes_file: ../data/quotes.csv}\nportfolios:\n  - {name: am, broker: manual, account: AM1, source: {file: ../data/am.csv, format: generic}, cash: 100000}\n${daemon}`,
    )
    const ws = {configFile: path.join(dir, 'config', 'risk_config.yaml'), dbPath: path.join(dir, 'data', 'cotrader.sqlite'), dataDir: path.join(dir, 'data')}
    const sim = simDaemon(ws, new Date('2026-11-20T14:00:00Z')) // Friday 09:00 New York
    await sim.daemon.boot()
    sim.daemon.start()
    await sim.clock.runUntil(new Date('2026-11-20T15:30:00Z'))
    // From mid-morning SPX rallies; it closes at 6,100, where the put would be worthless.
    writeFileSync(path.join(dir, 'data', 'am.csv'), csv(6100, 0.05))
    await sim.clock.runUntil(new Date('2026-11-20T21:30:00Z'))
    await sim.daemon.stop()
    const {expiries, positions} = await readDb(ws.dbPath, (db) => ({expiries: dstore.listExpiries(db), positions: repo.loadPositions(db)}))
    expect(expiries.map((e) => [e.symbol, e.date, e.outcome, e.underlyingPrice, e.intrinsic, e.realizedPnl])).toEqual([['SPX 2026-11-20 6000P', '2026-11-20', 'cash_settled', 5900, 100, -9000]])
    expect(positions).toEqual([])
    expect(sim.lines.some((l) => /opening price for AM settlement: SPX 2026-11-20 5900/.test(l))).toBe(true)
  }, 60_000)
})
