import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import type {PortfolioConfig} from '../../../src/core/config/config.js'
import {importPositionsFile} from '../../../src/core/adapters/csv/index.js'

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/csv')

function portfolio(file: string, account?: string): PortfolioConfig {
  return {name: 'tt', broker: 'manual', account, currency: 'USD', kind: 'research', source: {file, format: 'tastytrade-csv'}, tradingEnabled: false, limits: {}}
}

function temp(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cotrader-tt-'))
  const file = path.join(dir, 'tastytrade.csv')
  fs.writeFileSync(file, text)
  return file
}

describe('tastytrade-csv: the web positions export', () => {
  const r = importPositionsFile(portfolio(path.join(FIXTURES, 'tastytrade_positions.csv'), '5WT00001'), {skipInvalid: false})
  const by = new Map(r.positions.map((p) => [p.symbol, p]))

  it('keeps the configured account and skips the Total row', () => {
    expect(r.positions.map((p) => p.symbol)).toEqual([
      'AAPL 2027-01-15 250C',
      'AAPL',
      'UBER 2027-01-15 82.5C',
      '/ESZ6',
      '/ESZ6 2026-09-18 9100P',
      'BTC/USD',
    ])
    expect(r.skipped).toEqual([])
  })

  it('reads OCC options: signed quantity, multiplier 100, Trade Price as entry, Mark as mark', () => {
    expect(by.get('AAPL 2027-01-15 250C')).toMatchObject({brokerSymbol: 'AAPL  270115C00250000', quantity: -3, multiplier: 100, entryPrice: 22.1, markPrice: 22.5})
  })

  it('uses Underlying Last Price, and ignores the position-total Greeks (the model fills per-unit ones)', () => {
    expect(by.get('AAPL 2027-01-15 250C')).toMatchObject({underlyingPrice: 268.4, underlyingPriceSource: 'file', greeks: null, greeksSource: 'none', iv: null})
  })

  it('completes an option shown by its underlying from Exp Date, Strike Price and Call/Put', () => {
    expect(by.get('UBER 2027-01-15 82.5C')).toMatchObject({brokerSymbol: 'UBER', quantity: 2, multiplier: 100, entryPrice: 8.3, markPrice: 13.35})
  })

  it('reads futures and futures options with the contract multiplier', () => {
    expect(by.get('/ESZ6')).toMatchObject({instrumentType: 'future', quantity: 1, multiplier: 50, underlying: '/ESZ6', markPrice: 6901.25, underlyingPrice: 6901.25})
    const fop = by.get('/ESZ6 2026-09-18 9100P')!
    expect(fop).toMatchObject({instrumentType: 'future_option', quantity: -1, multiplier: 50, underlying: '/ESZ6', entryPrice: 2210, markPrice: 2198.75})
    expect(fop.option).toEqual({expiry: '2026-09-18', strike: 9100, right: 'put', style: 'american'})
  })

  it('reads crypto by its Type', () => {
    expect(by.get('BTC/USD')).toMatchObject({instrumentType: 'crypto', quantity: 0.05, multiplier: 1, markPrice: 96000})
  })

  it('has no account balances (Net Liq is per position)', () => {
    expect(r.balances).toEqual({equity: null, cash: null, buyingPower: null, maintenanceRequirement: null})
  })

  it('with no account configured takes every account', () => {
    const all = importPositionsFile(portfolio(path.join(FIXTURES, 'tastytrade_positions.csv')), {skipInvalid: false})
    expect(all.positions.map((p) => p.symbol)).toContain('SPY 2027-03-19 640P')
    expect(all.positions.find((p) => p.symbol === 'SPY 2027-03-19 640P')?.option?.style).toBe('american')
  })

  it('an account absent from the file fails naming the accounts it has, rather than importing nothing', () => {
    expect(() => importPositionsFile(portfolio(path.join(FIXTURES, 'tastytrade_positions.csv'), 'RESEARCH-TT'), {skipInvalid: false})).toThrow(
      /no rows for account RESEARCH-TT \(portfolio tt\); accounts in the file: 5WT00001, 5WT99999/,
    )
  })

  it('needs only Symbol and Quantity; a missing mark is unknown, mid of bid/ask when given', () => {
    const file = temp('Symbol,Quantity,Bid (Sell),Ask (Buy)\nSPXW  261218P06000000,-1,,\nSPY   270319P00640000,2,11.90,12.20\n')
    const t = importPositionsFile(portfolio(file), {skipInvalid: false})
    expect(t.positions[0]).toMatchObject({symbol: 'SPXW 2026-12-18 6000P', underlying: 'SPX', markPrice: null, entryPrice: null})
    expect(t.positions[0].option?.style).toBe('european')
    expect(t.positions[1].markPrice).toBeCloseTo(12.05, 8)
  })

  it('an unknown futures root fails on its line unless a Multiplier column says', () => {
    const file = temp('Symbol,Type,Quantity,Mark\n/XYZZ6,Future,1,10\n')
    expect(() => importPositionsFile(portfolio(file), {skipInvalid: false})).toThrow(/tastytrade.csv:2: no known contract multiplier for \/XYZZ6/)
    const withMultiplier = temp('Symbol,Type,Quantity,Mark,Multiplier\n/XYZZ6,Future,1,10,25\n')
    expect(importPositionsFile(portfolio(withMultiplier), {skipInvalid: false}).positions[0].multiplier).toBe(25)
  })

  it('names the missing Quantity column', () => {
    const file = temp('Symbol,Type,Mark\nAAPL,Stock,1\n')
    expect(() => importPositionsFile(portfolio(file), {skipInvalid: false})).toThrow(/:1: missing column "Quantity"/)
  })
})
