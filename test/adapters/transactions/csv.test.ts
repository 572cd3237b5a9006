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
