import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import type {PortfolioConfig} from '../../../src/core/config/config.js'
import {ImportError, importPositionsFile} from '../../../src/core/adapters/csv/index.js'

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/csv')

function portfolio(file: string, currency = 'USD'): PortfolioConfig {
  return {name: 'manual', broker: 'manual', currency, kind: 'research', source: {file, format: 'generic'}, tradingEnabled: false, limits: {}}
}

function temp(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cotrader-generic-'))
  const file = path.join(dir, 'book.csv')
  fs.writeFileSync(file, text)
  return file
}

const HEADER = 'symbol,quantity,entry_price,mark_price'

describe('generic: the fixture with every kind of row', () => {
  const r = importPositionsFile(portfolio(path.join(FIXTURES, 'generic.csv')), {skipInvalid: false})
  const by = new Map(r.positions.map((p) => [p.symbol, p]))

  it('reads every symbol form into the internal form, skipping comments and blank lines', () => {
    expect(r.positions.map((p) => [p.symbol, p.instrumentType, p.quantity, p.multiplier, p.currency])).toEqual([
      ['AAPL', 'equity', 100, 1, 'USD'],
      ['AAPL 2027-01-15 290C', 'equity_option', -1, 100, 'USD'],
      ['TSLA 2027-01-15 300P', 'equity_option', -1, 100, 'USD'],
      ['SPY 2027-03-19 640P', 'equity_option', -5, 100, 'USD'],
      ['PARAG PARIKH FLEXI CAP', 'fund', 100.5, 1, 'INR'],
      ['NIFTY 2026-12 FUT', 'future', 75, 1, 'INR'],
      ['BTC', 'crypto', 0.5, 1, 'USD'],
    ])
  })

  it('takes underlying prices from the underlying_price column, else from the stock row', () => {
    expect(by.get('TSLA 2027-01-15 300P')).toMatchObject({underlyingPrice: 412.8, underlyingPriceSource: 'file', brokerSymbol: '-TSLA270115P300'})
    expect(by.get('AAPL 2027-01-15 290C')).toMatchObject({underlyingPrice: 268.4, underlyingPriceSource: 'file'})
    expect(by.get('SPY 2027-03-19 640P')).toMatchObject({underlyingPrice: null, underlyingPriceSource: 'none'})
  })

  it('adds CASH rows to cash; value is unknown when positions are in another currency', () => {
    expect(r.balances.cash).toBe(7500)
    expect(r.balances.equity).toBeNull()
    expect(r.warnings.join('\n')).toMatch(/PARAG PARIKH FLEXI CAP is in INR, not USD/)
  })
})

describe('generic: balances', () => {
  it('equity is cash plus market value, futures counting their open P&L only', () => {
    const file = temp(`${HEADER},multiplier\nAAPL,10,100,110,\nAAPL 2027-01-15 290C,-1,4,3,\n/ESZ6,1,6800,6900,50\nCASH,1000,,,\n`)
    const r = importPositionsFile(portfolio(file), {skipInvalid: false})
    // 1000 + 10 × 110 − 1 × 3 × 100 + (6900 − 6800) × 50
    expect(r.balances).toEqual({equity: 6800, cash: 1000, buyingPower: null, maintenanceRequirement: null})
  })

  it('without a CASH row cash and equity are unknown, never 0', () => {
    const r = importPositionsFile(portfolio(temp(`${HEADER}\nAAPL,10,100,110\n`)), {skipInvalid: false})
    expect(r.balances).toEqual({equity: null, cash: null, buyingPower: null, maintenanceRequirement: null})
    expect(r.warnings.join('\n')).toMatch(/no CASH row/)
  })
})

describe('generic: rules of the format', () => {
  it('a blank mark is unknown; a blank quantity is an error', () => {
    const r = importPositionsFile(portfolio(temp(`${HEADER}\nAAPL,10,100,\n`)), {skipInvalid: false})
    expect(r.positions[0]).toMatchObject({markPrice: null, entryPrice: 100, underlyingPrice: null, underlyingPriceSource: 'none'})
    expect(() => importPositionsFile(portfolio(temp(`${HEADER}\nAAPL,,100,110\n`)), {skipInvalid: false})).toThrow(/book.csv:2: quantity is blank/)
  })

  it('free-text names are for funds only', () => {
    const file = temp(`${HEADER},type\nPARAG PARIKH FLEXI CAP,10,1,2,\n`)
    expect(() => importPositionsFile(portfolio(file), {skipInvalid: false})).toThrow(/:2: "PARAG PARIKH FLEXI CAP" is not a symbol/)
  })

  it('checks type against the symbol', () => {
    const file = temp(`${HEADER},type\nAAPL,1,1,1,option\nAAPL 2027-01-15 290C,1,1,1,equity\nAAPL,1,1,1,bond\n`)
    const r = importPositionsFile(portfolio(file), {skipInvalid: true})
    expect(r.skipped).toEqual([
      {line: 2, reason: 'type is option but "AAPL" is not an option symbol (e.g. AAPL 2027-01-15 210P)'},
      {line: 3, reason: 'type is equity but "AAPL 2027-01-15 290C" is an option'},
      {line: 4, reason: 'type "bond" is not one of equity | fund | option | future | crypto | cash'},
    ])
  })

  it('rejects negative prices and multipliers, and cash in another currency', () => {
    const file = temp(`${HEADER},multiplier,currency\nAAPL,1,-1,1,,\nAAPL 2027-01-15 290C,1,1,1,0,\nCASH,5,,,,EUR\n`)
    const r = importPositionsFile(portfolio(file), {skipInvalid: true})
    expect(r.skipped.map((s) => s.line)).toEqual([2, 3, 4])
    expect(r.skipped[0].reason).toBe('entry_price "-1" is negative')
    expect(r.skipped[1].reason).toBe('multiplier "0" must be positive')
    expect(r.skipped[2].reason).toMatch(/cash in EUR in a USD portfolio/)
  })

  it('counts lines past comments and blank lines', () => {
    const file = temp(`# comment\n\n${HEADER}\n# another\n\nAAPL,1,1,x\n`)
    expect(() => importPositionsFile(portfolio(file), {skipInvalid: false})).toThrow(/book.csv:6: mark_price "x" is not a number/)
  })

  it('merges duplicates, weighting entry by quantity', () => {
    const r = importPositionsFile(portfolio(temp(`${HEADER}\nAAPL,10,100,110\naapl,30,120,110\n`)), {skipInvalid: false})
    expect(r.positions).toHaveLength(1)
    expect(r.positions[0]).toMatchObject({quantity: 40, entryPrice: 115})
    expect(r.warnings.join('\n')).toMatch(/AAPL appears on lines 2 and 3; merged into one position of 40/)
  })

  it('when duplicates offset, the remaining side keeps its own entry', () => {
    const r = importPositionsFile(portfolio(temp(`${HEADER}\nAAPL,10,100,110\nAAPL,-4,120,110\n`)), {skipInvalid: false})
    expect(r.positions[0]).toMatchObject({quantity: 6, entryPrice: 100})
  })

  it('a header without mark_price names it', () => {
    expect(() => importPositionsFile(portfolio(temp('symbol,quantity,entry_price\nAAPL,1,1\n')), {skipInvalid: false})).toThrow(/:1: missing column "mark_price"/)
  })

  it('a file that is not CSV at all fails with the line', () => {
    const file = temp(`${HEADER}\nAAPL,1,"1,1\n`)
    let error: unknown
    try {
      importPositionsFile(portfolio(file), {skipInvalid: true})
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ImportError)
    expect((error as Error).message).toMatch(/book.csv:\d+: not a readable CSV file/)
  })
})
