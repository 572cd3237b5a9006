/*
 * Excel-safe CSV (OWASP CSV injection): text cells starting with = + - @ tab CR get a leading ',
 * numbers (negative ones too) stay numbers, in every --csv writer (rowsCsv, positionsCsv, stress).
 */
import {parse} from 'csv-parse/sync'
import {describe, expect, it} from 'vitest'
import {excelSafe} from '../../src/core/cli/csv-output.js'
import {PORTFOLIO_COLUMNS, positionsCsv, POSITION_VIEW_COLUMNS, rowsCsv, MONEY_COLUMNS} from '../../src/core/cli/csv.js'
import {positionRow} from '../../src/core/containers/positions.js'
import {pos} from '../domain/builders.js'

describe('excelSafe', () => {
  it.each([
    ['=HYPERLINK("http://evil","x")', `'=HYPERLINK("http://evil","x")`],
    ['+1', `'+1`],
    ['-MSFT270115C560', `'-MSFT270115C560`],
    ['@SUM(A1)', `'@SUM(A1)`],
    ['\tx', `'\tx`],
    ['\rx', `'\rx`],
    ['AAPL', 'AAPL'],
    ['', ''],
  ])('%j → %j', (text, out) => expect(excelSafe(text)).toBe(out))
})

describe('every --csv view', () => {
  it('positions: the Fidelity option symbol is text, the negative quantity and P&L stay numbers', () => {
    const p = pos('-2 MSFT 2027-01-15 560C @ 12.5 mark 10', {brokerSymbol: '-MSFT270115C560', portfolio: 'fid'})
    const row = positionRow(p, new Date('2026-11-24T15:00:00Z'))
    for (const csv of [rowsCsv([row], POSITION_VIEW_COLUMNS, MONEY_COLUMNS), positionsCsv([row])]) {
      const [header, cells] = parse(csv) as string[][]
      const cell = (name: string) => cells[header.indexOf(name)]
      expect(cell('brokerSymbol')).toBe(`'-MSFT270115C560`)
      expect(cell('quantity')).toBe('-2')
      expect(cell('unrealizedPnl')).toBe('500')
      expect(cell('symbol')).toBe('MSFT 2027-01-15 560C')
    }
  })

  it('portfolios: a formula-shaped account name is neutralised; negative cash stays a number', () => {
    const csv = rowsCsv([{name: 'main', broker: 'fidelity', account: '=cmd|\' /C calc\'!A0', kind: 'real', currency: 'USD', cash: -1250.5, equity: 1000}], PORTFOLIO_COLUMNS, MONEY_COLUMNS)
    const [header, cells] = parse(csv) as string[][]
    expect(cells[header.indexOf('account')]).toBe(`'=cmd|' /C calc'!A0`)
    expect(cells[header.indexOf('cash')]).toBe('-1250.5')
    expect(cells[header.indexOf('name')]).toBe('main')
  })
})
