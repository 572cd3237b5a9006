/*
 * Schwab transactions export: the sample rows of broker-transactions.md §5.2 (title row, header,
 * rows, "Transactions Total" footer) to exact ledger drafts.
 */
import {describe, expect, test} from 'vitest'
import {parseSchwabTransactions} from '../../../src/core/adapters/transactions/schwab.js'
import {ExternalError} from '../../../src/core/errors.js'
import {draft, errorOf, expectStable, portfolioOf} from './helpers.js'

const FILE = [
  '"Transactions  for account ...000 as of 09/27/2022 02:03:53 AM ET"',
  '"Date","Action","Symbol","Description","Quantity","Price","Fees & Comm","Amount"',
  '"03/26/2026 as of 03/25/2026","Cancel Buy","BRKB","BERKSHIRE HATHAWAY CLASS B","4","$477.40","","$1909.60"',
  '"11/17/2025 as of 11/14/2025","Stock Split","NFLX","NETFLIX INC","540","$111.217","",""',
  '"06/17/2024","Reverse Split","HYDR","GLOBAL X HYDROGEN ETF IV","268","$67.62","",""',
  '"07/01/2026 as of 06/30/2026","MoneyLink Transfer","","Tfr CAPITAL ONE","","","","$1000.00"',
  '"06/15/2026","Qualified Dividend","IREN","IREN LTD F","","","","$12.40"',
  '"06/01/2025","Sell to Open","AAPL 06/20/2025 200.00 C","CALL AAPL","1","$3.50","$0.66","$349.34"',
  '"12/05/2024","Expired","AAPL 12/06/2024 250.00 C","EXPIRED","1","","",""',
  // Assignment of a short put and its shares (synthetic: the real Description text is unconfirmed).
  '"06/23/2025","Assigned","AAPL 06/20/2025 190.00 P","PUT APPLE INC $190 EXP 06/20/25","1","","",""',
  '"06/23/2025","Buy","AAPL","APPLE INC","100","$190.00","","($19,000.00)"',
  '"06/24/2025","Margin Interest","","MARGIN INTEREST","","","","-$4.12"',
  '"06/25/2025","Bond Interest Adj","","SOMETHING NEW","","","","$1.00"',
  '"Transactions Total","","","","","","","$94.33"',
].join('\n')

const F = 'Individual_XXX000_Transactions.csv'
const p = portfolioOf()

describe('Schwab transactions export', () => {
  test('sample rows to exact drafts', () => {
    const {events, warnings} = parseSchwabTransactions(FILE, F, p)
    expect(warnings).toEqual([`${F}: Schwab's Reverse Split rows state no ratio and no direction; the position after them comes from the next positions export`])
    expect(events).toHaveLength(11)
    expect(events[0]).toEqual(
      draft({
        account: '...000', sourceRef: `${F}:3`, kind: 'trade', at: '2026-03-25T04:00:00.000Z', tradeDate: '2026-03-25', symbol: 'BRK.B', brokerSymbol: 'BRKB', instrumentType: 'equity',
        underlying: 'BRK.B', quantity: -4, price: 477.4, multiplier: 1, amount: 1909.6, description: 'Cancel Buy · BERKSHIRE HATHAWAY CLASS B · (posted 03/26/2026)',
      }),
    )
    expect(events[1]).toMatchObject({kind: 'split', symbol: 'NFLX', quantity: 540, price: 111.217, amount: null, tradeDate: '2025-11-14'})
    expect(events[2]).toMatchObject({kind: 'reverse_split', symbol: 'HYDR', quantity: null, price: 67.62, description: 'Reverse Split · GLOBAL X HYDROGEN ETF IV · (quantity 268)'})
    expect(events[3]).toEqual(
      draft({account: '...000', sourceRef: `${F}:6`, kind: 'transfer', at: '2026-06-30T04:00:00.000Z', tradeDate: '2026-06-30', amount: 1000, description: 'MoneyLink Transfer · Tfr CAPITAL ONE · (posted 07/01/2026)'}),
    )
    expect(events[4]).toMatchObject({kind: 'dividend', symbol: 'IREN', quantity: null, amount: 12.4})
    expect(events[5]).toEqual(
      draft({
        account: '...000', sourceRef: `${F}:8`, kind: 'trade', at: '2025-06-01T04:00:00.000Z', tradeDate: '2025-06-01', symbol: 'AAPL 2025-06-20 200C', brokerSymbol: 'AAPL 06/20/2025 200.00 C',
        instrumentType: 'equity_option', underlying: 'AAPL', option: {expiry: '2025-06-20', strike: 200, right: 'call'}, quantity: -1, price: 3.5, multiplier: 100, amount: 349.34,
        fees: {commission: 0.66, clearing: null, regulatory: null, exchange: null, other: null}, positionEffect: 'open', description: 'Sell to Open · CALL AAPL',
      }),
    )
    // An expiry states no direction: quantity unknown, the lot engine closes what is open.
    expect(events[6]).toMatchObject({kind: 'expiration', symbol: 'AAPL 2024-12-06 250C', quantity: null, price: null, amount: null, positionEffect: 'close', at: '2024-12-05T05:00:00.000Z'})
    expect(events[7]).toMatchObject({kind: 'assignment', symbol: 'AAPL 2025-06-20 190P', quantity: 1, positionEffect: 'close'})
    // The shares at the strike on the same day are the assignment's stock leg.
    expect(events[8]).toMatchObject({kind: 'assignment', symbol: 'AAPL', quantity: 100, price: 190, amount: -19000, positionEffect: null})
    expect(events[9]).toMatchObject({kind: 'interest', amount: -4.12})
    expect(events[10]).toMatchObject({kind: 'unclassified', amount: 1, description: 'Bond Interest Adj · SOMETHING NEW'})
  })

  test('a file without the title row: account from the portfolio', () => {
    const {events} = parseSchwabTransactions(FILE.split('\n').slice(1).join('\n'), F, portfolioOf({account: '1234-5678'}))
    expect(events[0].account).toBe('1234-5678')
    expect(events[0].sourceRef).toBe(`${F}:2`)
  })

  test('a bad row fails the whole file with file:line', () => {
    const e = errorOf(() => parseSchwabTransactions(FILE.replace('"$3.50"', '"$3,50"'), F, p))
    expect(e).toBeInstanceOf(ExternalError)
    expect(e.message).toMatch(new RegExp(`^${F}:8: Price "\\$3,50" has a decimal comma`))
    expect(errorOf(() => parseSchwabTransactions(FILE.replace('"06/15/2026"', '"15/06/2026"'), F, p)).message).toBe(
      `${F}:7: Date "15/06/2026" is not a date (MM/DD/YYYY or MM/DD/YYYY as of MM/DD/YYYY)`,
    )
    expect(errorOf(() => parseSchwabTransactions(FILE.replace('"Sell to Open","AAPL 06/20/2025 200.00 C","CALL AAPL","1"', '"Sell to Open","AAPL 06/20/2025 200.00 C","CALL AAPL","-1"'), F, p)).message).toBe(
      `${F}:8: Quantity "-1" is negative; this export writes quantities unsigned`,
    )
  })

  test('the same file twice gives identical events and keys', () => {
    expectStable(() => parseSchwabTransactions(FILE, F, p))
  })
})
