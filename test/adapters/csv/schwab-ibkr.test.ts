/*
 * Schwab positions and IBKR Flex open positions, on files shaped like the real exports
 * (docs: ../shared/docs/broker-csv-formats.md §4-5, broker-transactions.md §4.3, §5.1): preambles,
 * `Qty (Quantity)` headers, `--`, parenthesised negatives, Account Total; Flex with and without
 * header/trailer records and section prefixes, SUMMARY + LOT rows, XML. A bad row is file:line and
 * fails the portfolio with its stored positions unchanged.
 */
import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {importPositionsFile} from '../../../src/core/adapters/csv/index.js'
import {schwabAsOf} from '../../../src/core/adapters/csv/schwab.js'
import {parseConfig, type PortfolioConfig} from '../../../src/core/config/config.js'
import {syncService} from '../../../src/core/services/sync.js'
import {readDb} from '../../../src/core/store/database.js'
import * as repo from '../../../src/core/store/repositories.js'
import {tempDir} from '../../cli/helpers.js'

const q = (cells: string[]) => cells.map((c) => `"${c}"`).join(',')
const SCHWAB_HEADER = ['Symbol', 'Description', 'Qty (Quantity)', 'Price', 'Price Chng $ (Price Change $)', 'Price Chng % (Price Change %)', 'Mkt Val (Market Value)', 'Day Chng $ (Day Change $)', 'Day Chng % (Day Change %)', 'Cost Basis', 'Gain $ (Gain/Loss $)', 'Gain % (Gain/Loss %)', 'Ratings', 'Reinvest?', 'Reinvest Capital Gains?', '% of Acct (% of Account)', 'Security Type']
/** symbol, description, qty, price, market value, cost basis, gain, type → a 17-cell Schwab row */
const schwabRow = (s: string, d: string, qty: string, price: string, mv: string, cost: string, gain: string, type: string) =>
  q([s, d, qty, price, '--', '--', mv, '--', '--', cost, gain, '--', '--', 'No', '--', '--', type])

function schwabFile(rows: string[]): string {
  const file = path.join(tempDir('cotrader-schwab-'), 'Individual-Positions-2026-08-29-143000.csv')
  const pad = Array(16).fill('""').join(',')
  fs.writeFileSync(file, [`"Positions for account Individual ...123 as of 02:30 PM ET, 08/29/2026",${pad}`, `"",${pad}`, q(SCHWAB_HEADER), ...rows, ''].join('\r\n'))
  return file
}

const SCHWAB_ROWS = [
  schwabRow('SCHB', 'SCHWAB US BROAD MARKET ETF', '100', '$25.10', '$2,510.00', '$2,300.00', '$210.00', 'ETFs & Closed End Funds'),
  schwabRow('AAPL 06/18/2027 200.00 C', 'CALL APPLE INC $200 EXP 06/18/27', '-2', '$3.50', '($700.00)', '($900.00)', '$200.00', 'Option'),
  schwabRow('MSFT', 'MICROSOFT CORP', '10', '$410.00', '$4,100.00', '$4,300.00', '($200.00)', 'Equity'),
  schwabRow('SWPPX', 'SCHWAB S&P 500 INDEX', '50.123', '$15.00', '$751.85', '--', '--', 'Mutual Fund'),
  schwabRow('Cash & Cash Investments', '--', '--', '--', '$1,234.56', '--', '--', 'Cash and Money Market'),
  schwabRow('Account Total', '--', '--', '--', '$7,896.41', '--', '--', '--'),
]

const portfolio = (file: string, format: 'schwab' | 'ibkr-flex', account?: string): PortfolioConfig => ({
  name: format === 'schwab' ? 'sch' : 'ib', broker: format === 'schwab' ? 'schwab' : 'ibkr', account, currency: 'USD', kind: 'real', source: {file, format}, tradingEnabled: false, limits: {},
})

describe('schwab positions export', () => {
  it('reads the preamble time, both header styles, --, parenthesised negatives, options, cash and the account total', () => {
    const r = importPositionsFile(portfolio(schwabFile(SCHWAB_ROWS), 'schwab'), {skipInvalid: false})
    expect(r.positions.map((p) => [p.symbol, p.instrumentType, p.quantity, p.multiplier, p.entryPrice, p.markPrice])).toEqual([
      ['SCHB', 'equity', 100, 1, 23, 25.1],
      ['AAPL 2027-06-18 200C', 'equity_option', -2, 100, 4.5, 3.5],
      ['MSFT', 'equity', 10, 1, 430, 410],
      ['SWPPX', 'fund', 50.123, 1, null, 15],
    ])
    expect(r.balances).toEqual({equity: 7896.41, cash: 1234.56, buyingPower: null, maintenanceRequirement: null})
    expect(r.warnings).toEqual([])
    // 02:30 PM ET on 2026-08-29 (EDT) = 18:30Z
    expect(r.pricesAsOf).toBe('2026-08-29T18:30:00.000Z')
    expect(schwabAsOf('Positions for account Individual ...123 as of 12:33 PM ET, 2025/05/04')).toBe('2025-05-04T16:33:00.000Z')
  })

  it('rows that do not add up to the Account Total are named in a warning', () => {
    const rows = SCHWAB_ROWS.filter((r) => !r.startsWith('"MSFT"'))
    const r = importPositionsFile(portfolio(schwabFile(rows), 'schwab'), {skipInvalid: false})
    expect(r.warnings).toContainEqual(expect.stringMatching(/Account Total is 7896.41 but the rows' market values add up to 3796.41/))
  })

  it('the older plain headers (Quantity, Market Value, Gain/Loss $) read the same', () => {
    const file = path.join(tempDir('cotrader-schwab-'), 'old.csv')
    fs.writeFileSync(file, ['"Positions for account ...456 as of 09:00 AM ET, 01/05/2026"', '', q(['Symbol', 'Description', 'Quantity', 'Price', 'Price Change %', 'Market Value', 'Day Change $', 'Cost Basis', 'Gain/Loss $', 'Security Type']),
      q(['MSFT', 'MICROSOFT CORP', '10', '$410.00', '1.2%', '$4,100.00', '$5.00', '$4,300.00', '($200.00)', 'Equity']), q(['Account Total', '', '', '', '', '$4,100.00', '', '', '', ''])].join('\n'))
    const r = importPositionsFile(portfolio(file, 'schwab'), {skipInvalid: false})
    expect(r.positions.map((p) => [p.symbol, p.quantity, p.entryPrice])).toEqual([['MSFT', 10, 430]])
    expect(r.balances.equity).toBe(4100)
  })

  it('a bad row names file:line and what; one that disagrees with Schwab\'s own Market Value too', () => {
    const bad = [...SCHWAB_ROWS]
    bad[2] = schwabRow('MSFT', 'MICROSOFT CORP', '1O', '$410.00', '$4,100.00', '$4,300.00', '($200.00)', 'Equity')
    expect(() => importPositionsFile(portfolio(schwabFile(bad), 'schwab'), {skipInvalid: false})).toThrow(/Individual-Positions-2026-08-29-143000\.csv:6: Qty \(Quantity\) "1O" is not a number/)
    bad[2] = schwabRow('MSFT', 'MICROSOFT CORP', '100', '$410.00', '$4,100.00', '$4,300.00', '($200.00)', 'Equity')
    expect(() => importPositionsFile(portfolio(schwabFile(bad), 'schwab'), {skipInvalid: false})).toThrow(/:6: MSFT: Mkt Val \(Market Value\) is 4,100.00 in the file but quantity × price × multiplier gives 41,000.00/)
  })
})

const FLEX_COLUMNS = ['ClientAccountID', 'CurrencyPrimary', 'AssetClass', 'Symbol', 'Description', 'Conid', 'UnderlyingSymbol', 'Multiplier', 'Strike', 'Expiry', 'Put/Call', 'ReportDate', 'Quantity', 'MarkPrice', 'PositionValue', 'CostBasisPrice', 'CostBasisMoney', 'FifoPnlUnrealized', 'LevelOfDetail']
const FLEX_ROWS = [
  ['U1234567', 'USD', 'STK', 'AAPL', 'APPLE INC', '265598', '', '1', '', '', '', '20260105', '100', '190.5', '19050', '150.25', '15025', '4025', 'SUMMARY'],
  ['U1234567', 'USD', 'STK', 'AAPL', 'APPLE INC', '265598', '', '1', '', '', '', '20260105', '60', '190.5', '11430', '140', '8400', '3030', 'LOT'],
  ['U1234567', 'USD', 'STK', 'AAPL', 'APPLE INC', '265598', '', '1', '', '', '', '20260105', '40', '190.5', '7620', '165.625', '6625', '995', 'LOT'],
  ['U1234567', 'USD', 'OPT', 'AAPL  260116C00150000', 'AAPL 16JAN26 150 C', '7001', 'AAPL', '100', '150', '20260116', 'C', '20260105', '-2', '41.2', '-8240', '5.5', '-1100', '-7140', 'SUMMARY'],
  ['U1234567', 'USD', 'FUT', 'ESH6', 'ES 20MAR26', '555', 'ES', '50', '', '20260320', '', '20260105', '1', '6050.5', '302525', '6000.25', '300012.5', '2512.5', 'SUMMARY'],
]

function flexFile(lines: string[], name = 'flex.csv'): string {
  const file = path.join(tempDir('cotrader-ibkr-'), name)
  fs.writeFileSync(file, lines.join('\n') + '\n')
  return file
}

/** With "Include header and trailer records" and "section code and line descriptor". */
const flexV2 = (rows = FLEX_ROWS) => [
  q(['BOF', 'U1234567', 'Positions', '1', '20260105', '20260105', '20260106;083000', '2']),
  q(['BOA', 'U1234567']),
  q(['BOS', 'POST', 'Open Positions']),
  q(['HEADER', 'POST', ...FLEX_COLUMNS]),
  ...rows.map((r) => q(['DATA', 'POST', ...r])),
  q(['EOS', 'POST', String(rows.length), '']),
  q(['EOA', 'U1234567']),
  q(['EOF', 'U1234567']),
]

describe('ibkr flex open positions', () => {
  const expected = [
    ['/ESH6', 'future', 1, 50, 6000.25, 6050.5],
    ['AAPL', 'equity', 100, 1, 150.25, 190.5],
    ['AAPL 2026-01-16 150C', 'equity_option', -2, 100, 5.5, 41.2],
  ]
  const rowsOf = (r: ReturnType<typeof importPositionsFile>) => r.positions.map((p) => [p.symbol, p.instrumentType, p.quantity, p.multiplier, p.entryPrice, p.markPrice]).sort((a, b) => String(a[0]).localeCompare(String(b[0])))

  it('with header/trailer records and section prefixes: SUMMARY rows only, the report date as the prices\' time', () => {
    const r = importPositionsFile(portfolio(flexFile(flexV2()), 'ibkr-flex', 'U1234567'), {skipInvalid: false})
    expect(rowsOf(r)).toEqual(expected)
    expect(r.pricesAsOf).toBe('2026-01-05T21:00:00.000Z')
    // the option's underlying priced from the stock row of the same file
    expect(r.positions.find((p) => p.instrumentType === 'equity_option')?.underlyingPrice).toBe(190.5)
  })

  it('without records: several sections, each with its own header; a leading MSG row', () => {
    const lines = [
      q(['MSG', 'Realized P/L is not ready yet']),
      q(['ClientAccountID', 'CurrencyPrimary', 'StartingCash', 'EndingCash']),
      q(['U1234567', 'BASE_SUMMARY', '1000', '1200']),
      q(FLEX_COLUMNS),
      ...FLEX_ROWS.map(q),
      q(['ClientAccountID', 'CurrencyPrimary', 'Symbol', 'TradeDate', 'Quantity']),
      q(['U1234567', 'USD', 'AAPL', '20260102', '10']),
    ]
    const r = importPositionsFile(portfolio(flexFile(lines), 'ibkr-flex'), {skipInvalid: false})
    expect(rowsOf(r)).toEqual(expected)
  })

  it('the same query as XML', () => {
    const attrs = (r: string[]) => FLEX_COLUMNS.map((c, i) => `${c === 'ClientAccountID' ? 'accountId' : c === 'Quantity' ? 'position' : c === 'Put/Call' ? 'putCall' : c === 'AssetClass' ? 'assetCategory' : c === 'CurrencyPrimary' ? 'currency' : c[0].toLowerCase() + c.slice(1)}="${r[i]}"`).join(' ')
    const xml = ['<FlexQueryResponse queryName="positions" type="AF">', '<FlexStatements count="1">', '<FlexStatement accountId="U1234567" fromDate="20260105" toDate="20260105">', '<OpenPositions>',
      ...FLEX_ROWS.map((r) => `<OpenPosition ${attrs(r)} />`), '</OpenPositions>', '</FlexStatement>', '</FlexStatements>', '</FlexQueryResponse>']
    const r = importPositionsFile(portfolio(flexFile(xml, 'flex.xml'), 'ibkr-flex'), {skipInvalid: false})
    expect(rowsOf(r)).toEqual(expected)
  })

  it('a bad row names file:line: a value that disagrees with IBKR\'s PositionValue', () => {
    const rows = FLEX_ROWS.map((r) => [...r])
    rows[3][14] = '-82400' // PositionValue of the option 10× off
    expect(() => importPositionsFile(portfolio(flexFile(flexV2(rows)), 'ibkr-flex'), {skipInvalid: false})).toThrow(/flex\.csv:8: AAPL {2}260116C00150000: PositionValue is -82,400.00 in the file but quantity × price × multiplier gives -8,240.00/)
  })
})

describe('ibkr flex: futures options (FOP) and FX balances (CASH)', () => {
  const FOP_ROWS = [
    // a quarterly ES option: the local symbol names its future (ESZ6); PositionValue −1 × 50 × 148.25
    ['U1234567', 'USD', 'FOP', 'ESZ6 P5800', 'ES 18DEC26 5800 P', '9001', 'ES', '50', '5800', '20261218', 'P', '20260105', '-1', '148.25', '-7412.5', '150.5', '-7525', '112.5', 'SUMMARY'],
    // a Micro E-mini end-of-week option (EX3): its future is the quarterly expiring with or after it, MESH6 (third Friday 2026-03-20)
    ['U1234567', 'USD', 'FOP', 'EX3H6 P6450', 'MES 20MAR26 6450 P', '9002', 'MES', '5', '6450', '20260320', 'P', '20260105', '2', '78.5', '785', '80', '800', '-15', 'SUMMARY'],
    // a crude oil option whose UnderlyingSymbol is the contract itself
    ['U1234567', 'USD', 'FOP', 'LOH6 C65', 'CL 17FEB26 65 C', '9003', 'CLH6', '1000', '65', '20260217', 'C', '20260105', '1', '2.1', '2100', '1.8', '1800', '300', 'SUMMARY'],
    // an FX balance: 12,000 EUR at 1.0834 USD
    ['U1234567', 'USD', 'CASH', 'EUR.USD', 'EUR.USD', '12087792', '', '1', '', '', '', '20260105', '12000', '1.0834', '13000.8', '1.05', '12600', '400.8', 'SUMMARY'],
  ]
  const rows = (extra: string[][]) => [...FLEX_ROWS, ...extra]

  it('FOP rows are futures options with their multiplier and underlying future; a CASH row is a currency balance, left out with a note', () => {
    const r = importPositionsFile(portfolio(flexFile(flexV2(rows(FOP_ROWS))), 'ibkr-flex', 'U1234567'), {skipInvalid: false})
    const fop = r.positions.filter((p) => p.instrumentType === 'future_option').map((p) => [p.symbol, p.underlying, p.quantity, p.multiplier, p.entryPrice, p.markPrice, p.option?.right, p.option?.style])
    expect(fop.sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
      ['/CLH6 2026-02-17 65C', '/CLH6', 1, 1000, 1.8, 2.1, 'call', 'american'],
      ['/ESZ6 2026-12-18 5800P', '/ESZ6', -1, 50, 150.5, 148.25, 'put', 'american'],
      ['/MESH6 2026-03-20 6450P', '/MESH6', 2, 5, 80, 78.5, 'put', 'american'],
    ])
    expect(r.positions.some((p) => p.symbol.includes('EUR'))).toBe(false)
    expect(r.positions).toHaveLength(6)
    expect(r.warnings).toContainEqual(expect.stringMatching(/flex\.csv:13: EUR\.USD \(CASH\) is a currency balance of 12000 EUR worth 13000\.8 USD, not a position: left out/))
  })

  it('a CASH row in another currency than the portfolio\'s never fails the file', () => {
    const jpy = ['U1234567', 'JPY', 'CASH', 'USD.JPY', 'USD.JPY', '15016059', '', '1', '', '', '', '20260105', '-5000', '157.2', '-786000', '150', '-750000', '-36000', 'SUMMARY']
    const r = importPositionsFile(portfolio(flexFile(flexV2(rows([jpy]))), 'ibkr-flex', 'U1234567'), {skipInvalid: false})
    expect(r.positions).toHaveLength(3)
    expect(r.warnings).toContainEqual(expect.stringMatching(/USD\.JPY \(CASH\) is a currency balance of -5000 USD worth -786000 JPY/))
  })

  it('a FOP row whose future cannot be told, or whose value disagrees with IBKR\'s, fails with file:line', () => {
    const cl = [...FOP_ROWS[2]]
    cl[3] = 'LO C65'
    cl[6] = 'CL'
    expect(() => importPositionsFile(portfolio(flexFile(flexV2(rows([cl]))), 'ibkr-flex', 'U1234567'), {skipInvalid: false})).toThrow(/flex\.csv:10: LO C65: the future this option is on cannot be told \(UnderlyingSymbol "CL"\); tick UnderlyingSymbol with the contract, e\.g\. CLH6/)
    const es = [...FOP_ROWS[0]]
    es[7] = '5' // a multiplier 10× off
    expect(() => importPositionsFile(portfolio(flexFile(flexV2(rows([es]))), 'ibkr-flex', 'U1234567'), {skipInvalid: false})).toThrow(/flex\.csv:10: ESZ6 P5800: PositionValue is -7,412\.50 in the file but quantity × price × multiplier gives -741\.25/)
    // --skip-invalid imports the rest and names the line
    const r = importPositionsFile(portfolio(flexFile(flexV2(rows([cl]))), 'ibkr-flex', 'U1234567'), {skipInvalid: true})
    expect(r.positions).toHaveLength(3)
    expect(r.skipped).toEqual([expect.objectContaining({line: 10})])
  })
})

describe('a bad row fails the portfolio and writes nothing', () => {
  it.each([
    ['schwab', 'broker: schwab', () => schwabFile(SCHWAB_ROWS), (f: string) => fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace('"$4,100.00"', '"$4,1OO.00"'))],
    ['ibkr-flex', 'broker: ibkr, account: U1234567', () => flexFile(flexV2()), (f: string) => fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace('"41.2"', '"4l.2"'))],
  ])('%s', async (format, broker, make, corrupt) => {
    const file = make()
    const dir = path.dirname(file)
    const config = parseConfig(`market: {rates: {USD: 0.04}}\nportfolios:\n  - {name: p, ${broker}, source: {file: ${path.basename(file)}, format: ${format}}}\n`, path.join(dir, 'risk_config.yaml'))
    const dbPath = path.join(dir, 'db.sqlite')
    const asOf = new Date('2026-08-31T15:00:00Z')
    const first = await syncService({config, dbPath, skipInvalid: false, asOf, env: {}})
    expect(first.portfolios[0]).toMatchObject({status: 'ok'})
    const before = await readDb(dbPath, (db) => repo.loadPositions(db).filter((p) => p.portfolio === 'p'))
    expect(before.length).toBeGreaterThan(2)
    corrupt(file)
    const second = await syncService({config, dbPath, skipInvalid: false, asOf, env: {}})
    expect(second.portfolios[0].status).toBe('failed')
    expect(second.portfolios[0].error).toMatch(new RegExp(`${path.basename(file).replace('.', '\\.')}:\\d+: .*not a number`))
    const after = await readDb(dbPath, (db) => repo.loadPositions(db).filter((p) => p.portfolio === 'p'))
    expect(after).toEqual(before)
  })
})


