/*
 * CME futures-option symbols as tastytrade writes them: fixed width (future code padded to 5,
 * option product code padded to 6), so 5-character futures and 6-character codes run together.
 */
import {describe, expect, test} from 'vitest'
import {parseSymbol} from '../../src/core/domain/symbols.js'

describe('tastytrade futures-option symbols, every width', () => {
  test.each([
    ['./MESM6EX3H6 260320P6450', '/MESM6', '2026-03-20', 6450, 'put'],
    ['./MNQZ6MN5CU6260930P30675', '/MNQZ6', '2026-09-30', 30675, 'put'],
    ['./ESZ6 EW4Z6 261218P5800', '/ESZ6', '2026-12-18', 5800, 'put'],
    ['./GCM6 OGK6  260428C3000', '/GCM6', '2026-04-28', 3000, 'call'],
    ['./CLJ6 LO3G6 260220C65', '/CLJ6', '2026-02-20', 65, 'call'],
    ['./6EM6 EUUM6 260605C1.1', '/6EM6', '2026-06-05', 1.1, 'call'],
    // padding collapsed to one space (the API docs' example)
    ['./ESZ4 EW3U4 240920P5650', '/ESZ4', '2024-09-20', 5650, 'put'],
    // end-of-month and weekly product codes
    ['./ESH6 EOMH6 260331C6000', '/ESH6', '2026-03-31', 6000, 'call'],
    ['./ZNM6 OZNM6 260522P110.5', '/ZNM6', '2026-05-22', 110.5, 'put'],
  ])('%s', (text, underlying, expiry, strike, right) => {
    const p = parseSymbol(text)
    expect(p).toMatchObject({type: 'future_option', underlying, option: {expiry, strike, right}})
    expect(p.symbol).toBe(`${underlying} ${expiry} ${strike}${right === 'call' ? 'C' : 'P'}`)
  })

  test('a futures-option shape with an impossible code or date is an error, not a ticker', () => {
    expect(() => parseSymbol('./ES EW4Z6 261218P5800')).toThrow(/futures option/)
    expect(() => parseSymbol('./ESZ6 EW4Z6 261318P5800')).toThrow(/YYMMDD/)
  })

  test('index options keep their class and quote against the index', () => {
    expect(parseSymbol('SPXW  260320C06100000')).toMatchObject({underlying: 'SPX', type: 'equity_option'})
    expect(parseSymbol('XSP   260320P00550000')).toMatchObject({underlying: 'XSP'})
    expect(parseSymbol('NDXP  260320C21000000')).toMatchObject({underlying: 'NDX'})
    expect(parseSymbol('RUTW  260320P02100000')).toMatchObject({underlying: 'RUT'})
  })
})
