/*
 * Imports prove themselves: every example of issue 12 on files shaped like the real exports.
 * Cross-checks against the broker's own figures, units per instrument (MCX lots, bonds per 100 of
 * face), one ticker spelling (BRKB), structure checks and control characters.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import type {PortfolioConfig} from '../../../src/core/config/config.js'
import {ImportError, importPositionsFile} from '../../../src/core/adapters/csv/index.js'
import {likelyCause} from '../../../src/core/adapters/csv/crosscheck.js'
import {parseNumber} from '../../../src/core/adapters/csv/table.js'
import {estimateCapitalInUse, underlyingRisks} from '../../../src/core/containers/risk.js'
import {withModelGreeks} from '../../../src/core/domain/greeks.js'
import {unrealizedPnl, marketValue} from '../../../src/core/domain/pnl.js'
import type {Position} from '../../../src/core/domain/types.js'

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/csv')
const ASOF = new Date('2026-11-24T21:05:00Z')

type Format = NonNullable<PortfolioConfig['source']>['format']
function portfolio(file: string, format: Format, extra: Partial<PortfolioConfig> = {}): PortfolioConfig {
  return {name: 'p', broker: format === 'fidelity' ? 'fidelity' : format.startsWith('zerodha') ? 'zerodha' : 'manual', currency: format.startsWith('zerodha') ? 'INR' : 'USD', kind: 'real', source: {file, format}, tradingEnabled: false, limits: {}, ...extra}
}
const load = (file: string, format: Format, extra: Partial<PortfolioConfig> = {}, skipInvalid = false) => importPositionsFile(portfolio(file, format, extra), {skipInvalid})
const fixture = (name: string, format: Format, extra: Partial<PortfolioConfig> = {}) => load(path.join(FIXTURES, name), format, extra)

function temp(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cotrader-proof-'))
  const file = path.join(dir, name)
  fs.writeFileSync(file, text)
  return file
}

/** Fidelity-shaped: BOM, CRLF, a trailing comma on data rows, a footer. */
const FID_HEADER =
  "Account Number,Account Name,Symbol,Description,Quantity,Last Price,Last Price Change,Current Value,Today's Gain/Loss Dollar,Today's Gain/Loss Percent,Total Gain/Loss Dollar,Total Gain/Loss Percent,Percent Of Account,Cost Basis Total,Average Cost Basis,Type"
function fidelityFile(rows: string[]): string {
  return temp('Portfolio_Positions_Nov-24-2026.csv', `\uFEFF${[FID_HEADER, ...rows.map((r) => `${r},`), '', '"Date downloaded Nov-24-2026 at 4:05 p.m ET"'].join('\r\n')}\r\n`)
}

function errorOf(fn: () => unknown): ImportError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(ImportError)
    return error as ImportError
  }
  throw new Error('expected an ImportError')
}

const bySymbol = (positions: Position[]) => new Map(positions.map((p) => [p.symbol, p]))

describe('entry price from the exact total, checked against the file', () => {
  it('8765.432 units, cost total $1,000,000.00 (average shown $114.08), last $128.37 → P&L +$125,218.51, the file’s own figure', () => {
    const fund = bySymbol(fixture('fidelity_units.csv', 'fidelity').positions).get('FSKAX')!
    expect(fund.entryPrice).toBeCloseTo(1_000_000 / 8765.432, 7)
    expect(unrealizedPnl(fund)).toBeCloseTo(125_218.51, 2)
    // The rounded per-share column would have given +$125,258.02: $39.52 off.
    expect((128.37 - 114.08) * 8765.432).toBeCloseTo(125_258.02, 2)
  })

  it('a row whose Current Value disagrees with quantity × price fails naming file:line, both values and a cause', () => {
    const file = fidelityFile(['Z1,Individual,MSFT,MICROSOFT CORP,200,$512.75,-$3.10,"$102,550.00",,,"+$24,140.00",,,"$78,410.00",$392.05,Cash', 'Z1,Individual,VTI,VANGUARD TOTAL STK MKT ETF,150,$338.62,,"$5,079.30",,,,,,"$36,915.00",$246.10,Cash'])
    const e = errorOf(() => load(file, 'fidelity'))
    expect(e.line).toBe(3)
    expect(e.message).toMatch(/Portfolio_Positions_Nov-24-2026\.csv:3: VTI: Current Value is 5,079.30 in the file but quantity × price × multiplier gives 50,793.00; ours is 10× the broker's/)
  })

  it('a Total Gain/Loss that disagrees with the cost fails: the P&L we would show is not the broker’s', () => {
    const file = fidelityFile(['Z1,Individual,MSFT,MICROSOFT CORP,200,$512.75,,"$102,550.00",,,"+$4,140.00",,,"$78,410.00",$392.05,Cash'])
    const e = errorOf(() => load(file, 'fidelity'))
    expect(e.message).toMatch(/:2: MSFT: Total Gain\/Loss Dollar is 4,140.00 in the file but \(price − entry\) × quantity × multiplier gives 24,140.00; a column is probably shifted/)
  })

  it('likely causes by ratio', () => {
    expect(likelyCause(-15.4, -1540)).toMatch(/100× ours: the quantity is probably in lots/)
    expect(likelyCause(996_520, 9965.2)).toMatch(/per 100 of face value/)
    expect(likelyCause(100, -100)).toMatch(/signs differ/)
    expect(likelyCause(10, 3600)).toMatch(/lots of 360/)
    expect(likelyCause(10, 13)).toMatch(/shifted/)
  })
})

describe('units per instrument, not per file', () => {
  it('Kite MCX: NRML,CRUDEOIL26AUG8800CE,-1,529.50,544.90,-1540.00 is −1,540 INR (1 lot = 100 barrels), not −15.40', () => {
    const r = fixture('zerodha_positions_mcx.csv', 'zerodha-positions')
    const p = bySymbol(r.positions)
    const call = p.get('CRUDEOIL 2026-08-25 8800C')!
    expect(call).toMatchObject({quantity: -1, multiplier: 100, instrumentType: 'future_option', entryPrice: 529.5, markPrice: 544.9})
    expect(unrealizedPnl(call)).toBeCloseTo(-1540, 6)
    const fut = p.get('CRUDEOIL 2026-08 FUT')!
    expect(fut).toMatchObject({quantity: 2, multiplier: 100})
    expect(unrealizedPnl(fut)).toBeCloseTo(12_400, 6)
    // NSE F&O stays in units: −75 NIFTY is one lot short.
    expect(p.get('NIFTY 2026-12-29 27000C')).toMatchObject({quantity: -75, multiplier: 1})
  })

  it('an MCX contract the table lacks is caught by the file’s own P&L, naming the lot it implies', () => {
    const file = temp('positions.csv', 'Product,Instrument,Qty.,Avg.,LTP,P&L,Chg.\nNRML,MENTHAOIL26AUGFUT,1,950.00,960.00,3600.00,1.05%\n')
    const e = errorOf(() => load(file, 'zerodha-positions'))
    expect(e.message).toMatch(/positions\.csv:2: MENTHAOIL26AUGFUT: P&L is 3,600.00 in the file but .* gives 10.00; .*lots of 360/)
  })

  it('Fidelity bond 91282CJL6: 10,000 face at 99.652 → value $9,965.20, P&L −$12.30 against the file’s cost $9,977.50', () => {
    const bond = bySymbol(fixture('fidelity_units.csv', 'fidelity').positions).get('91282CJL6')!
    expect(bond).toMatchObject({instrumentType: 'bond', quantity: 10_000, multiplier: 0.01, markPrice: 99.652})
    expect(bond.entryPrice).toBeCloseTo(99.775, 8)
    expect(marketValue(bond)).toBeCloseTo(9965.2, 6)
    expect(unrealizedPnl(bond)).toBeCloseTo(-12.3, 6)
  })

  it('a CUSIP priced per 100 of face without a bond description fails the cross-check with that cause', () => {
    const file = fidelityFile(['Z1,Individual,91282CJL6,TREASURY,10000,$99.652,,"$9,965.20",,,-$12.30,,,"$9,977.50",$99.78,Cash'])
    expect(errorOf(() => load(file, 'fidelity')).message).toMatch(/:2: 91282CJL6: Current Value is 9,965.20 in the file but .* gives 996,520.00; ours is 100× the broker's: the price is probably per 100 of face value/)
  })
})

describe('one ticker normalisation', () => {
  it('BRKB (stock) and -BRKB270115C520 (option) land on one underlying BRK.B: the covered call is covered', () => {
    const r = fixture('fidelity_units.csv', 'fidelity')
    const p = bySymbol(r.positions)
    expect(p.get('BRK.B')).toMatchObject({brokerSymbol: 'BRKB', underlying: 'BRK.B', quantity: 100})
    const call = p.get('BRKB 2027-01-15 520C')!
    expect(call).toMatchObject({underlying: 'BRK.B', quantity: -1, underlyingPrice: 496.2})
    const priced = r.positions.filter((q) => q.underlying === 'BRK.B').map((q) => withModelGreeks(q, {rate: 0.042, dividend: 0}, ASOF))
    const [brk] = underlyingRisks(priced, {betas: {}, benchmarkPrice: null, fxRates: {}})
    expect(brk.underlying).toBe('BRK.B')
    // +100 shares − 100 × the call's delta (0.2833 at mark 5.69, BRK.B 496.20, 52 days)
    expect(brk.delta).toBeCloseTo(71.67, 1)
    // Capital in use of a covered call: the stock can fall to zero, less the premium taken in; no naked-call notional.
    expect(estimateCapitalInUse(priced)).toBeCloseTo(100 * 496.2 - 100 * 5.69, 6)
  })
})

describe('structure checks, every importer', () => {
  it('a stray comma that adds a field fails the row with file:line instead of shifting mark_price', () => {
    const file = temp('manual.csv', 'symbol,quantity,entry_price,mark_price,underlying_price\nMSFT,10,400,512.75,\nAAPL,100,241,30,268.40,\n')
    const e = errorOf(() => load(file, 'generic'))
    expect(e.message).toBe('manual.csv:3: has 6 fields but the header has 5; a missing or stray comma (e.g. an unquoted 241,30) shifts every value after it, so the row is not read'.replace('manual.csv', e.file))
    expect(e.line).toBe(3)
  })

  it('a row with fewer fields than the header fails', () => {
    const file = temp('manual.csv', 'symbol,quantity,entry_price,mark_price,underlying_price\nAAPL,100,241.30\n')
    expect(errorOf(() => load(file, 'generic')).message).toMatch(/:2: has 3 fields but the header has 5/)
  })

  it('"241,30" is a decimal comma, not a thousands grouping', () => {
    expect(parseNumber('241,30')).toBeNaN()
    expect(parseNumber('1,234,567.5')).toBe(1234567.5)
    expect(parseNumber('12,34,567')).toBe(1234567)
    const file = temp('manual.csv', 'symbol,quantity,entry_price,mark_price\nAAPL,100,"241,30",268.40\n')
    expect(errorOf(() => load(file, 'generic')).message).toMatch(/:2: entry_price "241,30" has a decimal comma .*write it as 241\.30/)
  })

  it('a duplicated header name fails at the header line', () => {
    const file = temp('holdings.csv', 'Instrument,Qty.,Avg. cost,LTP,LTP,P&L\nINFY,10,1450.00,1612.30,1612.30,1623.00\n')
    expect(errorOf(() => load(file, 'zerodha-holdings')).message).toMatch(/holdings\.csv:1: the header names column "LTP" twice \(columns 4 and 5\)/)
  })

  it.each([
    ['fidelity', () => fidelityFile(['Z1,Individual, -TSLA260821P360,TSLA AUG 21 2026 $360 PUT,-1.5,$25.00,,-$3750.00,,,,,,,,Margin'])],
    ['zerodha-positions', () => temp('p.csv', 'Product,Instrument,Qty.,Avg.,LTP,P&L,Chg.\nNRML,NIFTY26DEC27000CE,-7.5,512.40,444.80,507.00,-6.8%\n')],
    ['tastytrade-csv', () => temp('t.csv', 'Symbol,Type,Quantity,Trade Price,Mark\nAAPL  270115C00250000,Equity Option,0.5,22.10,22.50\n')],
    ['generic', () => temp('g.csv', 'symbol,quantity,entry_price,mark_price\nAAPL 2027-01-15 290C,-1.5,4.10,3.99\n')],
  ] as const)('%s: fractional option contracts are refused', (format, make) => {
    expect(errorOf(() => load(make(), format)).message).toMatch(/contracts; options trade in whole contracts/)
  })

  it('--skip-invalid lists the bad rows and imports the rest', () => {
    const file = temp('manual.csv', 'symbol,quantity,entry_price,mark_price\nMSFT,10,400,512.75\nAAPL,100,241,30,268.40\n')
    const r = load(file, 'generic', {}, true)
    expect(r.positions.map((p) => p.symbol)).toEqual(['MSFT'])
    expect(r.skipped).toEqual([{line: 3, reason: expect.stringMatching(/has 5 fields but the header has 4/)}])
  })
})

describe('control characters never reach the terminal or the database', () => {
  it('an ESC sequence in a symbol is shown escaped in the message', () => {
    const file = temp('manual.csv', 'symbol,quantity,entry_price,mark_price\n"AAPL\u001b[2J\u0007",100,241.30,268.40\n')
    const e = errorOf(() => load(file, 'generic'))
    expect(e.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/)
    expect(e.message).toContain('AAPL\\x1b[2J\\x07')
  })

  it('a tab inside an OCC symbol parses, and the stored broker symbol holds no control character', () => {
    const file = temp('manual.csv', 'symbol,quantity,entry_price,mark_price\n"SPY\t270319P00640000",-1,14.65,12.05\n')
    const [p] = load(file, 'generic').positions
    expect(p.symbol).toBe('SPY 2027-03-19 640P')
    expect(p.brokerSymbol).toBe('SPY 270319P00640000')
  })
})

describe('negative prices where markets allow them', () => {
  it('CL at −37.63 (2020-04-20) imports; an option on it gets Greeks unknown with the reason', () => {
    const file = temp('tt.csv', [
      'Account,Symbol,Type,Quantity,Exp Date,Strike Price,Call/Put,Underlying Last Price,P/L Open,Trade Price,Mark,Net Liq',
      '5WT1,/CLK0,Future,1,,,,-37.63,"-57,630.00",20.00,-37.63,"-57,630.00"',
      '5WT1,./CLM0 LOM0 200515P10,Future Option,1,5/15/20,10,PUT,-37.63,"10,000.00",37.63,47.63,"47,630.00"',
    ].join('\n') + '\n')
    const r = load(file, 'tastytrade-csv', {account: '5WT1'})
    const p = bySymbol(r.positions)
    expect(p.get('/CLK0')).toMatchObject({markPrice: -37.63, entryPrice: 20, multiplier: 1000, underlyingPrice: -37.63})
    expect(unrealizedPnl(p.get('/CLK0')!)).toBeCloseTo(-57_630, 6)
    const put = withModelGreeks(p.get('/CLM0 2020-05-15 10P')!, {rate: 0.01, dividend: 0}, new Date('2020-04-20T20:00:00Z'))
    expect(put).toMatchObject({greeks: null, greeksSource: 'none', underlyingPrice: -37.63})
    expect(put.greeksNote).toMatch(/Black-76 needs a positive futures price.*-37\.63/)
  })
})

describe('deep in-the-money options marked at intrinsic', () => {
  it('AAPL 400P marked 131.60 with AAPL at 268.40: exercise region, position delta +100 shares for −1 contract', () => {
    const file = temp('manual.csv', 'symbol,quantity,entry_price,mark_price,underlying_price\nAAPL 2027-01-15 400P,-1,140.00,131.60,268.40\n')
    const [p] = load(file, 'generic').positions
    const q = withModelGreeks(p, {rate: 0.042, dividend: 0.004}, ASOF)
    expect(q.greeksSource).toBe('model')
    expect(q.greeks).toEqual({delta: -1, gamma: 0, theta: 0, vega: 0, rho: 0})
    expect(q.greeks!.delta * q.quantity * q.multiplier).toBe(100)
    expect(q.greeksNote).toMatch(/exercise region/)
  })

  it('a mark well below intrinsic is a bad quote, not the exercise region: Greeks stay unknown', () => {
    const file = temp('manual.csv', 'symbol,quantity,entry_price,mark_price,underlying_price\nAAPL 2027-01-15 400P,-1,140.00,120.00,268.40\n')
    const [p] = load(file, 'generic').positions
    expect(withModelGreeks(p, {rate: 0.042, dividend: 0.004}, ASOF)).toMatchObject({greeks: null, greeksSource: 'none'})
  })
})

describe('every format checks the broker figures it carries', () => {
  it('Kite holdings: Cur. val 10× off fails naming both values', () => {
    const file = temp('holdings.csv', 'Instrument,Qty.,Avg. cost,LTP,Cur. val,P&L,Net chg.,Day chg.\nINFY,10,1450.00,1612.30,"1,61,230.00",1623.00,11.19,-0.4\n')
    expect(errorOf(() => load(file, 'zerodha-holdings')).message).toMatch(/holdings\.csv:2: INFY: Cur\. val is 161,230.00 in the file but quantity × price × multiplier gives 16,123.00; the broker's figure is 10× ours/)
  })

  it('TastyTrade: P/L Open with the wrong sign (a short read as long) fails', () => {
    const file = temp('tt.csv', 'Account,Symbol,Type,Quantity,Trade Price,Mark,P/L Open,Net Liq\n5WT1,AAPL  270115C00250000,Equity Option,3,22.10,22.50,-120.00,"-6,750.00"\n')
    expect(errorOf(() => load(file, 'tastytrade-csv', {account: '5WT1'})).message).toMatch(/tt\.csv:2: AAPL {2}270115C00250000: Net Liq is -6,750.00 in the file but quantity × price × multiplier gives 6,750.00; the signs differ/)
  })

  it('the shipped fixtures all pass their own cross-checks', () => {
    expect(fixture('fidelity_positions.csv', 'fidelity', {account: 'Z22222222'}).positions).toHaveLength(4) // AAPL's Cash and Margin rows merge
    expect(fixture('zerodha_holdings_console.csv', 'zerodha-holdings').positions).toHaveLength(2)
    expect(fixture('tastytrade_positions.csv', 'tastytrade-csv', {account: '5WT00001'}).positions).toHaveLength(6)
  })
})
