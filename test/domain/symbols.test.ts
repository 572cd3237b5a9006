import {describe, expect, it} from 'vitest'
import {formatOption, nseExpiry, parseSymbol, SymbolError, toOcc, toStreamerSymbol} from '../../src/core/domain/symbols.js'
import {UserError} from '../../src/core/errors.js'

type Row = [input: string, symbol: string, type: string, underlying: string, option?: {expiry: string; strike: number; right: 'call' | 'put'}, futureExpiry?: string]

const call = (expiry: string, strike: number) => ({expiry, strike, right: 'call' as const})
const put = (expiry: string, strike: number) => ({expiry, strike, right: 'put' as const})

describe('parseSymbol maps every broker form to the internal form', () => {
  const rows: Row[] = [
    // plain tickers
    ['AAPL', 'AAPL', 'equity', 'AAPL'],
    ['  msft ', 'MSFT', 'equity', 'MSFT'],
    ['BRK/B', 'BRK.B', 'equity', 'BRK.B'],
    ['BRK.B', 'BRK.B', 'equity', 'BRK.B'],
    ['RELIANCE-EQ', 'RELIANCE', 'equity', 'RELIANCE'],
    ['BAJAJ-AUTO', 'BAJAJ-AUTO', 'equity', 'BAJAJ-AUTO'],
    ['M&M', 'M&M', 'equity', 'M&M'],
    ['NIFTYBEES', 'NIFTYBEES', 'equity', 'NIFTYBEES'],
    // CUSIP (Fidelity 401(k) funds) and crypto pairs
    ['31617E745', '31617E745', 'fund', '31617E745'],
    ['BTC/USD', 'BTC/USD', 'crypto', 'BTC/USD'],
    // OCC
    ['AAPL  260116C00150000', 'AAPL 2026-01-16 150C', 'equity_option', 'AAPL', call('2026-01-16', 150)],
    ['SPY 230731C00393000', 'SPY 2023-07-31 393C', 'equity_option', 'SPY', call('2023-07-31', 393)],
    ['SPXW  220520C04025000', 'SPXW 2022-05-20 4025C', 'equity_option', 'SPX', call('2022-05-20', 4025)],
    ['UBER  260618C00082500', 'UBER 2026-06-18 82.5C', 'equity_option', 'UBER', call('2026-06-18', 82.5)],
    ['AAPL260116P00150000', 'AAPL 2026-01-16 150P', 'equity_option', 'AAPL', put('2026-01-16', 150)],
    // Fidelity: the leading space and dash are a marker, not a sign
    [' -TSLA260821P360', 'TSLA 2026-08-21 360P', 'equity_option', 'TSLA', put('2026-08-21', 360)],
    [' -UBER260618C82.5', 'UBER 2026-06-18 82.5C', 'equity_option', 'UBER', call('2026-06-18', 82.5)],
    ['-AMD251226P212.5', 'AMD 2025-12-26 212.5P', 'equity_option', 'AMD', put('2025-12-26', 212.5)],
    [' -EEE261218C50', 'EEE 2026-12-18 50C', 'equity_option', 'EEE', call('2026-12-18', 50)],
    // Fidelity's description of the same contract
    ['TSLA AUG 21 2026 $360 PUT', 'TSLA 2026-08-21 360P', 'equity_option', 'TSLA', put('2026-08-21', 360)],
    ['UBER JUN 18 2026 $82.50 CALL', 'UBER 2026-06-18 82.5C', 'equity_option', 'UBER', call('2026-06-18', 82.5)],
    // tastytrade streamer
    ['.AAPL260116C150', 'AAPL 2026-01-16 150C', 'equity_option', 'AAPL', call('2026-01-16', 150)],
    ['.UBER260618C82.5', 'UBER 2026-06-18 82.5C', 'equity_option', 'UBER', call('2026-06-18', 82.5)],
    // Zerodha monthly (last Thursday before 2025-09, last Tuesday after)
    ['NIFTY24JAN21000CE', 'NIFTY 2024-01-25 21000C', 'equity_option', 'NIFTY', call('2024-01-25', 21000)],
    ['BANKNIFTY23OCT38000PE', 'BANKNIFTY 2023-10-26 38000P', 'equity_option', 'BANKNIFTY', put('2023-10-26', 38000)],
    ['BANKNIFTY20FEB30900CE', 'BANKNIFTY 2020-02-27 30900C', 'equity_option', 'BANKNIFTY', call('2020-02-27', 30900)],
    ['NIFTY26DEC24000CE', 'NIFTY 2026-12-29 24000C', 'equity_option', 'NIFTY', call('2026-12-29', 24000)],
    ['NIFTY27JAN23500PE', 'NIFTY 2027-01-25 23500P', 'equity_option', 'NIFTY', put('2027-01-25', 23500)], // last Tuesday 26th is Republic Day
    ['M&M26DEC3000CE', 'M&M 2026-12-29 3000C', 'equity_option', 'M&M', call('2026-12-29', 3000)],
    ['BAJAJ-AUTO26DEC9000PE', 'BAJAJ-AUTO 2026-12-29 9000P', 'equity_option', 'BAJAJ-AUTO', put('2026-12-29', 9000)],
    ['RELIANCE26DEC1302.5CE', 'RELIANCE 2026-12-29 1302.5C', 'equity_option', 'RELIANCE', call('2026-12-29', 1302.5)],
    ['NIFTYNXT5026DEC70000CE', 'NIFTYNXT50 2026-12-29 70000C', 'equity_option', 'NIFTYNXT50', call('2026-12-29', 70000)],
    // Zerodha weekly: month 1-9, O, N, D
    ['NIFTY20D1713600CE', 'NIFTY 2020-12-17 13600C', 'equity_option', 'NIFTY', call('2020-12-17', 13600)],
    ['BANKNIFTY2020630900CE', 'BANKNIFTY 2020-02-06 30900C', 'equity_option', 'BANKNIFTY', call('2020-02-06', 30900)],
    ['NIFTY26O2025000PE', 'NIFTY 2026-10-20 25000P', 'equity_option', 'NIFTY', put('2026-10-20', 25000)],
    // Zerodha futures (month only) and the internal future form
    ['NIFTY24JANFUT', 'NIFTY 2024-01 FUT', 'future', 'NIFTY', undefined, '2024-01'],
    ['NIFTY26DECFUT', 'NIFTY 2026-12 FUT', 'future', 'NIFTY', undefined, '2026-12'],
    ['NIFTY 2024-01 FUT', 'NIFTY 2024-01 FUT', 'future', 'NIFTY', undefined, '2024-01'],
    ['nifty 2024-01-25 fut', 'NIFTY 2024-01-25 FUT', 'future', 'NIFTY', undefined, '2024-01-25'],
    // spaced display forms that carry an expiry
    ['NIFTY 25 JAN 2024 21000 CE', 'NIFTY 2024-01-25 21000C', 'equity_option', 'NIFTY', call('2024-01-25', 21000)],
    ['NIFTY JAN 2024 21000 CE', 'NIFTY 2024-01-25 21000C', 'equity_option', 'NIFTY', call('2024-01-25', 21000)],
    ['NIFTY 2024-01-25 21000CE', 'NIFTY 2024-01-25 21000C', 'equity_option', 'NIFTY', call('2024-01-25', 21000)],
    // tastytrade futures and futures options
    ['/ESZ6', '/ESZ6', 'future', '/ESZ6'],
    ['/MNQH6', '/MNQH6', 'future', '/MNQH6'],
    ['/ESZ26', '/ESZ26', 'future', '/ESZ26', undefined, '2026-12'],
    ['./ESZ6 EW3U6 260918P9100', '/ESZ6 2026-09-18 9100P', 'future_option', '/ESZ6', put('2026-09-18', 9100)],
    ['./CLJ6 LO3G6 260220C65', '/CLJ6 2026-02-20 65C', 'future_option', '/CLJ6', call('2026-02-20', 65)],
    ['/ESZ6 2026-09-18 9100P', '/ESZ6 2026-09-18 9100P', 'future_option', '/ESZ6', put('2026-09-18', 9100)],
    // the internal form itself
    ['AAPL 2027-01-15 210P', 'AAPL 2027-01-15 210P', 'equity_option', 'AAPL', put('2027-01-15', 210)],
    ['aapl  2027-01-15  210p', 'AAPL 2027-01-15 210P', 'equity_option', 'AAPL', put('2027-01-15', 210)],
    ['UBER 2026-06-18 82.50C', 'UBER 2026-06-18 82.5C', 'equity_option', 'UBER', call('2026-06-18', 82.5)],
    ['SPXW 2026-12-18 6000P', 'SPXW 2026-12-18 6000P', 'equity_option', 'SPX', put('2026-12-18', 6000)],
  ]

  it.each(rows)('%s → %s', (input, symbol, type, underlying, option, futureExpiry) => {
    const p = parseSymbol(input)
    expect(p.symbol).toBe(symbol)
    expect(p.type).toBe(type)
    expect(p.underlying).toBe(underlying)
    expect(p.option).toEqual(option)
    expect(p.futureExpiry).toBe(futureExpiry)
  })

  it('is idempotent: the internal form parses to itself', () => {
    for (const [input] of rows) {
      const once = parseSymbol(input)
      expect(parseSymbol(once.symbol).symbol).toBe(once.symbol)
    }
  })
})

describe('parseSymbol rejects what it cannot name, saying why', () => {
  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['!!!', /not a symbol/],
    ['hello world', /not a symbol/],
    ['AAPL 2026-02-30 100C', /not an expiry date/],
    ['AAPL 2026-13-01 100C', /not an expiry date/],
    ['AAPL 2026-01-16 0C', /strike must be a positive/],
    ['AAPL 2026-01-16 -5C', /not a symbol/],
    ['AAPL  260230C00150000', /not a valid YYMMDD/],
    ['AAPL  260116C00000000', /strike must be positive/],
    [' -TSLA261321P360', /not a valid YYMMDD/],
    [' -TSLA260821P0', /strike must be a positive/],
    ['NIFTY 21000 CE', /has no expiry/],
    ['NIFTY24XYZ21000CE', /NSE tradingsymbol/],
    ['NIFTY20D3213600CE', /NSE tradingsymbol/],
    ['NIFTY24JAN0CE', /NSE tradingsymbol|strike must be positive/],
    ['AAPL JAN 2027 150 C', /needs the expiry day/],
    ['NIFTY FUT', /needs its expiry/],
    ['123', /not a symbol/],
  ])('%j', (input, message) => {
    let error: unknown
    try {
      parseSymbol(input)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(SymbolError)
    expect(error).toBeInstanceOf(UserError)
    expect((error as Error).message).toMatch(message)
  })
})

describe('nseExpiry', () => {
  it.each([
    [2024, 1, '2024-01-25'], // last Thursday
    [2023, 10, '2023-10-26'],
    [2025, 8, '2025-08-28'], // last month of Thursday expiries
    [2025, 9, '2025-09-30'], // first month of Tuesday expiries
    [2026, 12, '2026-12-29'],
    [2027, 1, '2027-01-25'], // the 26th is Republic Day
    [2027, 2, '2027-02-23'],
  ])('%i-%i → %s', (year, month, expected) => {
    expect(nseExpiry(year, month)).toBe(expected)
  })

  it('rejects a month that does not exist', () => {
    expect(() => nseExpiry(2026, 13)).toThrow(SymbolError)
  })
})

describe('formatting', () => {
  it('formatOption writes the strike in its shortest decimal form', () => {
    expect(formatOption('AAPL', '2026-01-16', 150, 'call')).toBe('AAPL 2026-01-16 150C')
    expect(formatOption('UBER', '2026-06-18', 82.5, 'call')).toBe('UBER 2026-06-18 82.5C')
    expect(formatOption('NIFTY', '2024-01-25', 21000, 'put')).toBe('NIFTY 2024-01-25 21000P')
    expect(formatOption('X', '2026-01-16', 0.1 + 0.2, 'put')).toBe('X 2026-01-16 0.3P')
  })

  it.each([
    ['AAPL 2026-01-16 150C', 'AAPL  260116C00150000', '.AAPL260116C150'],
    ['UBER 2026-06-18 82.5C', 'UBER  260618C00082500', '.UBER260618C82.5'],
    ['SPXW 2022-05-20 4025C', 'SPXW  220520C04025000', '.SPXW220520C4025'],
    [' -AMD251226P212.5', 'AMD   251226P00212500', '.AMD251226P212.5'],
  ])('%s → OCC %j, streamer %s', (input, occ, streamer) => {
    const p = parseSymbol(input)
    expect(toOcc(p)).toBe(occ)
    expect(toStreamerSymbol(p)).toBe(streamer)
    expect(parseSymbol(toOcc(p)).symbol).toBe(p.symbol)
    expect(parseSymbol(toStreamerSymbol(p)).symbol).toBe(p.symbol)
  })

  it('stock streams under its ticker', () => {
    expect(toStreamerSymbol(parseSymbol('BRK/B'))).toBe('BRK.B')
  })

  it('refuses OCC for what OCC cannot name', () => {
    expect(() => toOcc(parseSymbol('AAPL'))).toThrow(SymbolError)
    expect(() => toOcc(parseSymbol('BANKNIFTY24JAN45000CE'))).toThrow(/longer than the 6/)
    expect(() => toOcc(parseSymbol('./ESZ6 EW3U6 260918P9100'))).toThrow(SymbolError)
    expect(() => toStreamerSymbol(parseSymbol('/ESZ6'))).toThrow(SymbolError)
  })
})
