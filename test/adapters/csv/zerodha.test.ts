import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import type {FileFormat, PortfolioConfig} from '../../../src/core/config/config.js'
import {ImportError, importPositionsFile} from '../../../src/core/adapters/csv/index.js'

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/csv')

function portfolio(file: string, format: FileFormat): PortfolioConfig {
  return {name: 'z', broker: 'zerodha', account: 'ZR1', currency: 'INR', kind: 'real', source: {file, format}, tradingEnabled: false, limits: {}}
}

const run = (name: string, format: FileFormat, skipInvalid = false) => importPositionsFile(portfolio(path.join(FIXTURES, name), format), {skipInvalid})

function temp(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cotrader-zerodha-'))
  const file = path.join(dir, 'positions.csv')
  fs.writeFileSync(file, text)
  return file
}

describe('zerodha-holdings', () => {
  it('reads the Kite download: -EQ dropped, multiplier 1, INR, prices per share', () => {
    const r = run('zerodha_holdings.csv', 'zerodha-holdings')
    expect(r.positions.map((p) => [p.symbol, p.brokerSymbol, p.quantity, p.multiplier, p.entryPrice, p.markPrice, p.currency, p.instrumentType])).toEqual([
      ['RELIANCE', 'RELIANCE-EQ', 15, 1, 2450.5, 2890, 'INR', 'equity'],
      ['INFY', 'INFY', 10, 1, 1450, 1612.3, 'INR', 'equity'],
      ['BAJAJ-AUTO', 'BAJAJ-AUTO', 4, 1, 8120, 9005.25, 'INR', 'equity'],
    ])
    expect(r.positions[0]).toMatchObject({underlyingPrice: 2890, underlyingPriceSource: 'file', greeks: null, greeksSource: 'none', iv: null})
    // The download has no cash or account total: balances are the sync service's to complete from the config.
    expect(r.balances).toEqual({equity: null, cash: null, buyingPower: null, maintenanceRequirement: null})
  })

  it('reads the Console variant: Invested column, "1,063" and "10,76,659.55", Total footer', () => {
    const r = run('zerodha_holdings_console.csv', 'zerodha-holdings')
    expect(r.positions.map((p) => [p.symbol, p.quantity, p.entryPrice, p.markPrice])).toEqual([
      ['M&M', 12, 2950, 3500.5],
      ['HDFCBANK', 1063, 812.4, 1012.85],
    ])
  })

  it('refuses a short holding and an option in holdings', () => {
    const file = temp('Instrument,Qty.,Avg. cost,LTP,Cur. val,P&L,Net chg.,Day chg.\nINFY,-5,1450,1612.3,,,,\nNIFTY26DEC24000CE,75,10,12,,,,\n')
    const r = importPositionsFile(portfolio(file, 'zerodha-holdings'), {skipInvalid: true})
    expect(r.positions).toEqual([])
    expect(r.skipped).toEqual([
      {line: 2, reason: 'Qty. "-5" is negative; holdings cannot be short'},
      {line: 3, reason: 'NIFTY26DEC24000CE is not an equity; holdings hold shares and units only'},
    ])
  })
})

describe('zerodha-positions', () => {
  const r = run('zerodha_positions.csv', 'zerodha-positions')
  const by = new Map(r.positions.map((p) => [p.symbol, p]))

  it('parses F&O tradingsymbols: monthly, weekly and futures', () => {
    expect(r.positions.map((p) => p.symbol)).toEqual([
      'NIFTY 2026-12-29 27000C',
      'NIFTY 2026-12-29 25500P',
      'BANKNIFTY 2026-12-29 61000C',
      'NIFTY 2026-12-08 25000P',
      'NIFTY 2026-12 FUT',
      'SBIN',
    ])
  })

  it('keeps Qty signed and in units, so the multiplier is 1', () => {
    expect(by.get('NIFTY 2026-12-29 27000C')).toMatchObject({quantity: -75, multiplier: 1, entryPrice: 512.4, markPrice: 444.8, instrumentType: 'equity_option', underlying: 'NIFTY'})
    expect(by.get('BANKNIFTY 2026-12-29 61000C')).toMatchObject({quantity: 35, multiplier: 1})
    expect(by.get('NIFTY 2026-12 FUT')).toMatchObject({quantity: 75, multiplier: 1, instrumentType: 'future', underlying: 'NIFTY', entryPrice: 26180, markPrice: 26517.3})
  })

  it('marks NSE options European and leaves the index price to quotes', () => {
    const call = by.get('NIFTY 2026-12-29 27000C')!
    expect(call.option).toEqual({expiry: '2026-12-29', strike: 27000, right: 'call', style: 'european'})
    expect(call).toMatchObject({underlyingPrice: null, underlyingPriceSource: 'none', greeks: null, greeksSource: 'none'})
    // The future is not the index: it does not price NIFTY options.
    expect(by.get('NIFTY 2026-12 FUT')).toMatchObject({underlyingPrice: null, underlyingPriceSource: 'none'})
  })

  it('merges CNC and MIS rows of the same stock and drops the closed (Qty 0) one, with warnings', () => {
    const sbin = by.get('SBIN')!
    expect(sbin.quantity).toBe(150)
    expect(sbin.entryPrice).toBeCloseTo((100 * 960 + 50 * 966) / 150, 6)
    expect(by.has('ITC')).toBe(false)
    expect(r.warnings.join('\n')).toMatch(/SBIN appears on lines 7 and 8; merged into one position of 150/)
    expect(r.warnings.join('\n')).toMatch(/1 position with quantity 0 left out \(closed\): ITC/)
    expect(r.balances).toEqual({equity: null, cash: null, buyingPower: null, maintenanceRequirement: null})
  })

  it('a spaced instrument without an expiry is an error on its line', () => {
    const file = temp('Product,Instrument,Qty.,Avg.,LTP,P&L,Chg.\nNRML,NIFTY 21000 CE,-75,100,90,750,-1.5%\n')
    expect(() => importPositionsFile(portfolio(file, 'zerodha-positions'), {skipInvalid: false})).toThrow(ImportError)
    expect(() => importPositionsFile(portfolio(file, 'zerodha-positions'), {skipInvalid: false})).toThrow(/positions.csv:2: "NIFTY 21000 CE" has no expiry/)
  })

  it('a spaced instrument with its expiry is accepted', () => {
    const file = temp('Product,Instrument,Qty.,Avg.,LTP,P&L,Chg.\nNRML,NIFTY 29 DEC 2026 21000 CE,-75,100,90,750,-1.5%\n')
    expect(importPositionsFile(portfolio(file, 'zerodha-positions'), {skipInvalid: false}).positions[0].symbol).toBe('NIFTY 2026-12-29 21000C')
  })

  it('names the missing column', () => {
    const file = temp('Product,Instrument,Qty.,LTP\nNRML,SBIN,1,2\n')
    expect(() => importPositionsFile(portfolio(file, 'zerodha-positions'), {skipInvalid: true})).toThrow(/:1: missing column "Avg."/)
  })
})
