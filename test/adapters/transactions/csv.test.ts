/* The transactions parsers' CSV reader: records with their start lines, quotes as RFC 4180 says, relaxed like the positions reader. */
import {describe, expect, test} from 'vitest'
import {csvRecords} from '../../../src/core/adapters/transactions/common.js'
import {ExternalError} from '../../../src/core/errors.js'

describe('csvRecords', () => {
  test('quotes, escaped quotes, line breaks inside cells, CRLF / LF / CR, BOM, blank lines', () => {
    const text = '\uFEFFa,"b,1","say ""hi"""\r\n\r\n"two\nlines",x\rlast,5" SCREEN,"q"tail\n'
    expect(csvRecords(text, 'f.csv')).toEqual([
      {line: 1, cells: ['a', 'b,1', 'say "hi"']},
      {line: 2, cells: ['']},
      {line: 3, cells: ['two\nlines', 'x']},
      {line: 5, cells: ['last', '5" SCREEN', 'qtail']},
    ])
  })

  test('a trailing comma is an empty last cell; no newline at the end is fine', () => {
    expect(csvRecords('a,b,\nc,d', 'f.csv')).toEqual([
      {line: 1, cells: ['a', 'b', '']},
      {line: 2, cells: ['c', 'd']},
    ])
  })

  test('an unclosed quote and an empty file are errors naming the file', () => {
    expect(() => csvRecords('a,b\n"open,c\n', 'f.csv')).toThrow(ExternalError)
    expect(() => csvRecords('a,b\n"open,c\n', 'f.csv')).toThrow('f.csv:2: not a readable CSV file: a quoted cell is never closed')
    expect(() => csvRecords('\uFEFF \n', 'f.csv')).toThrow('f.csv: file is empty')
  })
})

describe('dates as exports write them', () => {
  test('every spelling of one day, and impossible days refused', async () => {
    const {anyDate, usDate, checkedDate} = await import('../../../src/core/adapters/transactions/common.js')
    for (const text of ['2026-03-06', '20260306', '03/06/2026', '3/6/2026', '03-06-26', 'Mar-06-2026', 'MAR-6-2026']) expect(anyDate(text)).toBe('2026-03-06')
    expect(usDate('02/29/2024')).toBe('2024-02-29')
    expect(usDate('02/29/2026')).toBeNull()
    expect(usDate('02/29/2100')).toBeNull()
    expect(usDate('02/29/2000')).toBe('2000-02-29')
    expect(anyDate('2026-04-31')).toBeNull()
    expect(anyDate('13/01/2026')).toBeNull()
    expect(anyDate('Foo-01-2026')).toBeNull()
    expect(checkedDate(2026, 12, 31)).toBe('2026-12-31')
  })
})
