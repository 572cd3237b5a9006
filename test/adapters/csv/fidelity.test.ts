import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import type {PortfolioConfig} from '../../../src/core/config/config.js'
import {ImportError, importPositionsFile} from '../../../src/core/adapters/csv/index.js'
import {downloadedAt} from '../../../src/core/adapters/csv/fidelity.js'
import {dayPnl} from '../../../src/core/domain/daypnl.js'
import type {Position} from '../../../src/core/domain/types.js'
import {ExternalError} from '../../../src/core/errors.js'

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/csv')

function portfolio(file: string, account: string | undefined, extra: Partial<PortfolioConfig> = {}): PortfolioConfig {
  return {name: 'fid', broker: 'fidelity', account, currency: 'USD', kind: 'real', source: {file, format: 'fidelity'}, tradingEnabled: false, limits: {}, ...extra}
}

const importFixture = (name: string, account: string | undefined, skipInvalid = false) =>
  importPositionsFile(portfolio(path.join(FIXTURES, name), account), {skipInvalid})

/** A Fidelity-shaped file in a temp dir: BOM, CRLF, trailing commas, a footer. */
function tempExport(rows: string[], header = FIDELITY_HEADER): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cotrader-fid-'))
  const file = path.join(dir, 'Portfolio_Positions_Nov-24-2026.csv')
  const body = [header, ...rows.map((r) => `${r},`), '', '"Date downloaded Nov-24-2026 at 4:05 p.m ET"'].join('\r\n')
  fs.writeFileSync(file, `\uFEFF${body}\r\n`)
  return file
}

const FIDELITY_HEADER =
  "Account Number,Account Name,Symbol,Description,Quantity,Last Price,Last Price Change,Current Value,Today's Gain/Loss Dollar,Today's Gain/Loss Percent,Total Gain/Loss Dollar,Total Gain/Loss Percent,Percent Of Account,Cost Basis Total,Average Cost Basis,Type"

describe('fidelity: the canonical 16-column export', () => {
  it('keeps only the configured account (ROTH IRA), with the money market as cash', () => {
    const r = importFixture('fidelity_positions.csv', 'X11111111')
    expect(r.positions.map((p) => [p.symbol, p.instrumentType, p.quantity, p.multiplier])).toEqual([
      ['VWO', 'equity', 900, 1],
      ['31617E745', 'fund', 994.409, 1],
      ['EEE 2026-12-18 50C', 'equity_option', 1, 100],
    ])
    expect(r.balances).toEqual({equity: 248315.26, cash: 1971.1, buyingPower: null, maintenanceRequirement: null})
    expect(r.skipped).toEqual([])
  })

  it('reads $50.922 and takes the entry from "$38,362.05" ÷ quantity', () => {
    const vwo = importFixture('fidelity_positions.csv', 'X11111111').positions[0]
    expect(vwo).toEqual({
      portfolio: 'fid',
      symbol: 'VWO',
      brokerSymbol: 'VWO',
      instrumentType: 'equity',
      underlying: 'VWO',
      quantity: 900,
      multiplier: 1,
      entryPrice: 42.6245, // Cost Basis Total ÷ quantity (38,362.05 ÷ 900), not the rounded $42.62 column
      markPrice: 50.922,
      currency: 'USD',
      underlyingPrice: 50.922,
      underlyingPriceSource: 'file',
      iv: null,
      greeks: null,
      greeksSource: 'none',
      previousClose: 50.762, // the day-P&L basis: 50.922 − Today's Gain/Loss 144.00 ÷ 900
    })
  })

  it('signs options by Quantity, not by the leading dash, and prices them per share', () => {
    const r = importFixture('fidelity_positions.csv', 'Z22222222')
    const bySymbol = new Map(r.positions.map((p) => [p.symbol, p]))
    const tsla = bySymbol.get('TSLA 2026-08-21 360P')!
    expect(tsla).toMatchObject({brokerSymbol: '-TSLA260821P360', quantity: -2, multiplier: 100, entryPrice: 31, markPrice: 25, underlying: 'TSLA'})
    expect(tsla.option).toEqual({expiry: '2026-08-21', strike: 360, right: 'put', style: 'american'})
    // No TSLA stock row in this account: the underlying's price is left to quotes.
    expect(tsla).toMatchObject({underlyingPrice: null, underlyingPriceSource: 'none'})
    const uber = bySymbol.get('UBER 2026-06-18 82.5C')!
    expect(uber).toMatchObject({quantity: -52, entryPrice: 5, markPrice: 4.1})
    const long = importFixture('fidelity_positions.csv', 'X11111111').positions[2]
    expect(long).toMatchObject({brokerSymbol: '-EEE261218C50', quantity: 1, entryPrice: 2.5, markPrice: 3.1})
  })

  it('merges the same symbol held in Cash and Margin with a quantity-weighted entry, and warns', () => {
    const r = importFixture('fidelity_positions.csv', 'Z22222222')
    const aapl = r.positions.filter((p) => p.symbol === 'AAPL')
    expect(aapl).toHaveLength(1)
    expect(aapl[0].quantity).toBe(120)
    expect(aapl[0].entryPrice).toBeCloseTo((100 * 150 + 20 * 170) / 120, 6)
    expect(r.warnings.some((w) => /AAPL appears on lines 6 and 7; merged/.test(w))).toBe(true)
  })

  it('normalises BRK/B and counts FCASH and pending activity as cash, with a warning', () => {
    const r = importFixture('fidelity_positions.csv', 'Z22222222')
    expect(r.positions.map((p) => p.symbol)).toEqual(['AAPL', 'TSLA 2026-08-21 360P', 'UBER 2026-06-18 82.5C', 'BRK.B'])
    expect(r.positions.find((p) => p.symbol === 'BRK.B')?.brokerSymbol).toBe('BRK/B')
    expect(r.balances.cash).toBe(2475)
    // 23,050 + 4,610 − 5,000 − 21,320 + 4,120.80 + 2,500 − 25
    expect(r.balances.equity).toBe(7935.8)
    expect(r.warnings.some((w) => /pending activity of -25.00 USD counted as cash/.test(w))).toBe(true)
  })

  it('takes an option underlying price from the stock row of the same file', () => {
    const file = tempExport([
      'Z1,Individual,AAPL,APPLE INC,100,$230.50,+$1.25,"$23,050.00",,,,,,"$15,000.00",$150.00,Margin',
      'Z1,Individual, -AAPL270115C250,AAPL JAN 15 2027 $250 CALL,-1,$8.40,,-$840.00,,,,,,$1050.00,$10.50,Margin',
    ])
    const r = importPositionsFile(portfolio(file, 'Z1'), {skipInvalid: false})
    expect(r.positions[1]).toMatchObject({symbol: 'AAPL 2027-01-15 250C', underlyingPrice: 230.5, underlyingPriceSource: 'file', entryPrice: 10.5})
  })
})

describe("fidelity: the day P&L is Fidelity's own (Today's Gain/Loss Dollar)", () => {
  /** Day P&L of an imported position on its first sync: no snapshot yet, so only the broker's basis can give one. */
  const firstDay = (p: Parameters<typeof dayPnl>[0]['position']) => dayPnl({position: p, portfolioHasHistory: false, firstSeenToday: false})

  it('turns each row into a basis per unit whose day P&L is the stated one (long, short option, fund)', () => {
    const roth = new Map(importFixture('fidelity_positions.csv', 'X11111111').positions.map((p) => [p.symbol, p]))
    const tod = new Map(importFixture('fidelity_positions.csv', 'Z22222222').positions.map((p) => [p.symbol, p]))
    // basis = Last Price − Today's Gain/Loss ÷ (quantity × multiplier): the previous close for what was held overnight
    expect(roth.get('VWO')!.previousClose).toBe(50.762) // 50.922 − 144.00 ÷ 900 (= Last Price Change +$0.160)
    expect(tod.get('TSLA 2026-08-21 360P')!.previousClose).toBe(23.5) // short 2 puts: 25.00 − (−300.00) ÷ (−200)
    expect(tod.get('UBER 2026-06-18 82.5C')!.previousClose).toBe(4.25)
    expect(tod.get('BRK.B')!.previousClose).toBe(414.19)
    const cases: Array<[Map<string, Position>, string, number]> = [
      [roth, 'VWO', 144],
      [roth, '31617E745', 1014.3],
      [roth, 'EEE 2026-12-18 50C', -20],
      [tod, 'TSLA 2026-08-21 360P', -300],
      [tod, 'UBER 2026-06-18 82.5C', 780],
      [tod, 'BRK.B', -21.1],
    ]
    for (const [book, symbol, stated] of cases) {
      const d = firstDay(book.get(symbol)!)
      expect(d.basis, symbol).toBe('broker')
      expect(d.dayPnl!, symbol).toBeCloseTo(stated, 9)
    }
  })

  it('sums the day P&L of a symbol held in two rows (Cash and Margin)', () => {
    const aapl = importFixture('fidelity_positions.csv', 'Z22222222').positions.find((p) => p.symbol === 'AAPL')!
    expect(aapl.previousClose).toBe(229.25) // 230.50 − (125.00 + 25.00) ÷ 120
    expect(firstDay(aapl).dayPnl!).toBeCloseTo(150, 9)
  })

  it('a position bought today: the basis is the fill Fidelity counts from, not the previous close', () => {
    // 100 shares bought today at 100.00; last 101.00, up 3.00 on the day: Fidelity's day gain is 100 × (101 − 100).
    const file = tempExport(['Z1,Individual,XYZ,XYZ CORP,100,$101.00,+$3.00,"$10,100.00",+$100.00,+1.00%,+$100.00,+1.00%,100%,"$10,000.00",$100.00,Cash'])
    const xyz = importPositionsFile(portfolio(file, 'Z1'), {skipInvalid: false}).positions[0]
    expect(xyz.previousClose).toBe(100)
    expect(firstDay(xyz).dayPnl!).toBeCloseTo(100, 9)
  })

  it('no stated day P&L (blank, --, or a merged row without it; the sentence-case export has no such column): none, so the day P&L stays unknown, not 0', () => {
    const file = tempExport([
      'Z1,Individual,AAA,AAA CORP,10,$50.00,+$1.00,$500.00,,,+$100.00,+25%,50%,$400.00,$40.00,Cash',
      'Z1,Individual,BBB,BBB CORP,10,$50.00,--,$500.00,--,--,+$100.00,+25%,50%,$400.00,$40.00,Cash',
      'Z1,Individual,CCC,CCC CORP,10,$50.00,+$1.00,$500.00,+$10.00,+2%,+$100.00,+25%,25%,$400.00,$40.00,Cash',
      'Z1,Individual,CCC,CCC CORP,10,$50.00,+$1.00,$500.00,,,+$100.00,+25%,25%,$400.00,$40.00,Margin',
    ])
    const r = importPositionsFile(portfolio(file, 'Z1'), {skipInvalid: false})
    for (const p of r.positions) {
      expect(p.previousClose, p.symbol).toBeUndefined()
      expect(firstDay(p), p.symbol).toMatchObject({dayPnl: null, basis: null})
    }
    for (const p of importFixture('fidelity_2026.csv', 'Z00000123').positions) expect(p.previousClose, p.symbol).toBeUndefined()
  })
})

describe('fidelity: other vintages', () => {
  it('reads the 2026 sentence-case header, CORE**, FXAIX as a fund, fractional shares, lower-case pending activity', () => {
    const r = importFixture('fidelity_2026.csv', 'Z00000123')
    expect(r.positions.map((p) => [p.symbol, p.instrumentType, p.quantity, p.entryPrice, p.markPrice])).toEqual([
      ['FXAIX', 'fund', 12.5, 200, 228.1],
      ['SPY', 'equity', 0.0003, 666.66666667, 690.12],
    ])
    expect(r.balances).toEqual({equity: 3662.57, cash: 811.11, buyingPower: null, maintenanceRequirement: null})
  })

  it('reads Account Name/Number and Cost Basis Per Share (n/a and -- are unknown, not 0)', () => {
    const r = importFixture('fidelity_old.csv', '123456789')
    expect(r.positions).toHaveLength(1)
    // Cost Basis Per Share is --, so the entry comes from Cost Basis / quantity.
    expect(r.positions[0]).toMatchObject({symbol: 'VOO', quantity: 8, entryPrice: 300, markPrice: 400})
    expect(r.balances).toMatchObject({cash: 100, equity: 3300})
  })

  it('takes the only account when none is configured, but refuses to guess between several', () => {
    expect(importFixture('fidelity_2026.csv', undefined).positions).toHaveLength(2)
    expect(() => importFixture('fidelity_positions.csv', undefined)).toThrow(/holds accounts X11111111, Z22222222; set "account:"/)
  })

  it('names the accounts in the file when the configured one is absent', () => {
    expect(() => importFixture('fidelity_positions.csv', 'Y999')).toThrow(/no rows for account Y999.*X11111111, Z22222222/)
  })
})

describe('fidelity: bad rows', () => {
  const good = 'Z1,Individual,MSFT,MICROSOFT CORP,10,$500.00,,"$5,000.00",,,,,,"$4,000.00",$400.00,Margin'

  it.each([
    ['a quantity that is not a number', 'Z1,Individual,AAPL,APPLE INC,abc,$230.50,,"$23,050.00",,,,,,,,Margin', /:3: Quantity "abc" is not a number/],
    ['a blank quantity (blank is not 0)', 'Z1,Individual,AAPL,APPLE INC,,$230.50,,"$23,050.00",,,,,,,,Margin', /:3: Quantity is blank; a blank is not 0/],
    ['an option with an impossible date', 'Z1,Individual, -AAPL270230C250,AAPL,-1,$8.40,,-$840.00,,,,,,,,Margin', /:3: .*not a valid YYMMDD/],
    ['garbage in Last Price', 'Z1,Individual,AAPL,APPLE INC,100,$2x0,,"$23,050.00",,,,,,,,Margin', /:3: Last Price "\$2x0" is not a number/],
    ["garbage in Today's Gain/Loss Dollar", 'Z1,Individual,AAPL,APPLE INC,100,$230.50,,"$23,050.00",+$1x5,,,,,,,Margin', /:3: Today's Gain\/Loss Dollar "\+\$1x5" is not a number/],
  ])('%s fails with the file and the line', (_name, bad, message) => {
    const file = tempExport([good, bad])
    let error: unknown
    try {
      importPositionsFile(portfolio(file, 'Z1'), {skipInvalid: false})
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ImportError)
    expect(error).toBeInstanceOf(ExternalError)
    expect((error as Error).message).toContain(file)
    expect((error as Error).message).toMatch(message)
    expect((error as ImportError).line).toBe(3)
  })

  it('under skipInvalid lists the bad row and imports the rest', () => {
    const file = tempExport([good, 'Z1,Individual,AAPL,APPLE INC,abc,$230.50,,"$23,050.00",,,,,,,,Margin', good.replace('MSFT', 'NVDA')])
    const r = importPositionsFile(portfolio(file, 'Z1'), {skipInvalid: true})
    expect(r.positions.map((p) => p.symbol)).toEqual(['MSFT', 'NVDA'])
    expect(r.skipped).toEqual([{line: 3, reason: 'Quantity "abc" is not a number'}])
  })

  it('a blank price is unknown (null), not 0, and makes the value unknown only where the file has none', () => {
    const file = tempExport(['Z1,Individual,AAPL,APPLE INC,100,--,,--,,,,,,,,Margin'])
    const r = importPositionsFile(portfolio(file, 'Z1'), {skipInvalid: false})
    expect(r.positions[0]).toMatchObject({markPrice: null, entryPrice: null, underlyingPrice: null, underlyingPriceSource: 'none'})
    expect(r.balances.equity).toBeNull()
    expect(r.balances.cash).toBeNull()
    expect(r.warnings.join('\n')).toMatch(/account value unknown/)
  })

  it('a missing required column fails naming it, whatever the other columns', () => {
    const file = tempExport(['Z1,Individual,AAPL,APPLE INC,$230.50,"$23,050.00"'], 'Account Number,Account Name,Symbol,Description,Last Price,Current Value')
    expect(() => importPositionsFile(portfolio(file, 'Z1'), {skipInvalid: true})).toThrow(/:1: missing column "Quantity"/)
  })

  it('a missing or empty file always fails', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cotrader-fid-'))
    expect(() => importPositionsFile(portfolio(path.join(dir, 'nope.csv'), 'Z1'), {skipInvalid: true})).toThrow(/nope.csv: file not found/)
    const empty = path.join(dir, 'empty.csv')
    fs.writeFileSync(empty, '\uFEFF\r\n')
    expect(() => importPositionsFile(portfolio(empty, 'Z1'), {skipInvalid: true})).toThrow(/empty.csv: file is empty/)
  })

  it('matches headers case-insensitively and in any order', () => {
    const file = tempExport(['MSFT,10,Z1,$500.00,"$5,000.00"'], 'SYMBOL,quantity,account number,LAST PRICE,Current value')
    const r = importPositionsFile(portfolio(file, 'Z1'), {skipInvalid: false})
    expect(r.positions[0]).toMatchObject({symbol: 'MSFT', quantity: 10, markPrice: 500, entryPrice: null})
    expect(r.balances.equity).toBe(5000)
  })
})

describe('fidelity: the "Date downloaded" footer is when the prices were observed', () => {
  it.each([
    ['Date downloaded Feb-18-2026 at 7:04 p.m ET', '2026-02-19T00:04:00.000Z'], // EST
    ['Date downloaded 07/30/2021 2:26 PM ET', '2021-07-30T18:26:00.000Z'], // EDT
    ['Date downloaded Nov-24-2026 at 9:41 a.m ET', '2026-11-24T14:41:00.000Z'],
    ['Date downloaded Jul-06-2026 at 12:05 p.m ET', '2026-07-06T16:05:00.000Z'],
    ['Brokerage services are provided by Fidelity', null],
  ])('%s → %s', (cell, iso) => {
    expect(downloadedAt(cell)).toBe(iso)
  })
  it('the import carries the stamp as pricesAsOf', () => {
    expect(importFixture('fidelity_2026.csv', undefined).pricesAsOf).toBe('2026-02-19T00:04:00.000Z')
    expect(importPositionsFile(portfolio(tempExport(['Z1,Individual,AAPL,APPLE INC,10,$200.00,,"$2,000.00",,,,,,"$1,500.00",$150.00,Cash']), 'Z1'), {skipInvalid: false}).pricesAsOf).toBe('2026-11-24T21:05:00.000Z')
  })
})
