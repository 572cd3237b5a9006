/*
 * The ledger commands as real processes (build first): transactions import, ledger, pnl --realized,
 * reconcile (exit 3 when the ledger and the broker differ), bad files (exit 1, file:line, nothing
 * stored), and sync + transactions import at once on one database (no event lost or doubled).
 */
import {writeFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {cliAsync, workspace} from './helpers.js'

const CONFIG = `
base_currency: USD
fx_rates: {EUR: 1.1}
portfolios:
  - name: wheel
    broker: manual
    account: W1
    source: {file: wheel.csv, format: generic, transactions: {file: tx.csv, format: generic}}
  - {name: other, broker: manual, account: O1, source: {file: other.csv, format: generic}}
`
const TX = [
  'date,kind,symbol,quantity,price,commission,order_id,description',
  '2026-01-05 10:00:00,trade,XYZ 2026-01-16 250P,-1,5.00,1.00,A1,sell to open',
  '2026-01-16,assignment,XYZ 2026-01-16 250P,1,,,,assigned',
  '2026-01-16,assignment,XYZ,100,250,,,delivered',
  '2026-01-20 10:00:00,trade,XYZ 2026-02-20 260C,-1,3.00,1.00,A2,covered call',
  '2026-02-20,assignment,XYZ 2026-02-20 260C,1,,,,called away',
  '2026-02-20,assignment,XYZ,-100,260,,,delivered',
  '2026-03-02 10:00:00,trade,XYZ 2026-04-17 240P,-1,4.00,1.00,A3,sell to open',
  '2026-03-20 10:00:00,trade,XYZ 2026-04-17 240P,1,2.00,1.00,A4,roll: close',
  '2026-03-20 10:00:00,trade,XYZ 2026-05-15 235P,-1,3.50,1.00,A4,roll: open',
].join('\n') + '\n'
const FILES = {
  'risk_config.yaml': CONFIG,
  'wheel.csv': 'symbol,quantity,entry_price,mark_price\nXYZ 2026-05-15 235P,-1,3.50,2.10\nCASH,10000,,\n',
  'other.csv': 'symbol,quantity,entry_price,mark_price\nMSFT,10,400,420\nCASH,0,,\n',
  'tx.csv': TX,
}
const ENV = {COTRADER_NOW: '2026-04-01T15:00:00Z'}

describe('ledger commands', () => {
  it('sync imports the transactions; pnl --realized, ledger and reconcile show them', () => {
    const w = workspace(FILES)
    expect(w.run(['sync', '--json'], ENV).json().portfolios[0].transactions).toEqual({read: 9, added: 9, duplicates: 0})

    const r = w.run(['pnl', '--realized', '--json'], ENV)
    expect(r.code).toBe(0)
    const realized = r.json()
    // the wheel: put 499 + call 299 + shares 1,000; the rolled put: (4 − 2) × 100 − 2 = 198
    expect(realized.portfolios).toEqual([expect.objectContaining({portfolio: 'wheel', realized: 1996, realizedBase: 1996, closedLots: 4})])
    expect(realized.months.map((m: {month: string; realized: number}) => [m.month, m.realized])).toEqual([['2026-01', 499], ['2026-02', 1299], ['2026-03', 198]])
    expect(w.run(['pnl', '--realized', '--year', '2025', '--json'], ENV).json().portfolios).toEqual([])
    const csv = w.run(['pnl', '--realized', '--since', '2026-02-01', '--csv'], ENV)
    expect(csv.stdout.split('\n')[0]).toBe('level,portfolio,book,symbol,underlying,month,currency,realized,realizedBase,fxAtToday,missing,closedLots,fees')
    expect(csv.stdout).toContain('portfolio,wheel,broker,,,,USD,1497,1497,0,0,3,3\n')
    const table = w.run(['pnl', '--realized'], ENV)
    expect(table.stdout).toMatch(/Total realised in USD: \+1,996\.00/)

    const ledger = w.run(['ledger', '--json'], ENV).json()
    expect(ledger.events).toHaveLength(9)
    expect(ledger.chains).toEqual([expect.objectContaining({underlying: 'XYZ', status: 'open', credit: 547, realized: 198, openValue: -210, pnlSinceStart: 337})])
    const chain = ledger.chains[0].id
    expect(w.run(['ledger', '--chain', chain, '--json'], ENV).json().events.map((e: {symbol: string}) => e.symbol)).toEqual(['XYZ 2026-04-17 240P', 'XYZ 2026-04-17 240P', 'XYZ 2026-05-15 235P'])
    expect(w.run(['ledger', '--kind', 'assignment', '--underlying', 'xyz', '--json'], ENV).json().events).toHaveLength(4)
    expect(w.run(['ledger', '--kind', 'nope'], ENV)).toMatchObject({code: 2})
    expect(w.run(['ledger', '--csv'], ENV).stdout.split('\n')).toHaveLength(11)
    expect(w.run(['positions', '--group', '--json'], ENV).json().chains).toHaveLength(1)
    expect(w.run(['trades', 'list', '--json'], ENV).json().trades.filter((t: {kind: string}) => t.kind === 'broker')).toHaveLength(9)

    const ok = w.run(['reconcile', '--json'], ENV)
    expect(ok.code).toBe(0)
    expect(ok.json().portfolios).toEqual([expect.objectContaining({portfolio: 'wheel', status: 'reconciles'})])
    // The broker now holds shares the ledger has no record of: exit 3, the cause named.
    writeFileSync(path.join(w.dir, 'wheel.csv'), FILES['wheel.csv'] + 'XYZ,100,240,241\n')
    expect(w.run(['sync', '--portfolio', 'wheel'], ENV).stdout).toMatch(/wheel: the ledger does not reconcile/)
    const bad = w.run(['reconcile'], ENV)
    expect(bad.code).toBe(3)
    expect(bad.stdout).toMatch(/XYZ .* 0 .* 100 .* 100 .*an export period missing/)
  }, 180_000)

  it('transactions import: added, then nothing the second time; a bad row refuses the file (exit 1, file:line) and stores nothing', () => {
    const w = workspace({...FILES, 'more.csv': 'date,kind,symbol,quantity,price\n2026-03-25,trade,MSFT,5,410\n', 'bad.csv': 'date,kind,symbol,quantity,price\n2026-03-25,trade,MSFT,5,410\n2026-03-26,trade,MSFT,-5,\n'})
    expect(w.run(['transactions', 'import', 'more.csv', '--portfolio', 'other', '--format', 'generic', '--json'], ENV).json()).toMatchObject({added: 1, duplicates: 0, events: 1})
    expect(w.run(['transactions', 'import', 'more.csv', '--portfolio', 'other', '--format', 'generic'], ENV).stdout).toMatch(/1 event\(s\) from 2026-03-25 to 2026-03-25; 0 added, 1 already in the ledger/)
    const bad = w.run(['transactions', 'import', 'bad.csv', '--portfolio', 'other', '--format', 'generic', '--json'], ENV)
    expect(bad.code).toBe(1)
    expect(bad.json().error.message).toMatch(/bad\.csv:3: price is blank/)
    expect(w.run(['transactions', 'import', 'more.csv', '--portfolio', 'other'], ENV)).toMatchObject({code: 2})
    expect(w.run(['transactions', 'import', 'more.csv', '--portfolio', 'nope', '--format', 'generic'], ENV)).toMatchObject({code: 2})
    expect(w.run(['ledger', '--portfolio', 'other', '--json'], ENV).json().events).toHaveLength(1)
  }, 120_000)

  it('sync and transactions import of the same file at once, in two processes: every event stored exactly once', async () => {
    const rows = ['date,kind,symbol,quantity,price,id']
    for (let i = 0; i < 400; i++) rows.push(`2026-02-${String(1 + (i % 27)).padStart(2, '0')} 10:${String(i % 60).padStart(2, '0')}:00,trade,MSFT,${i % 2 ? -1 : 1},${400 + (i % 7)},T${i}`)
    const w = workspace({...FILES, 'tx.csv': rows.join('\n') + '\n'})
    const args = (a: string[]) => [...a, '--config', w.config, '--db', w.db]
    const [sync, imp] = await Promise.all([
      cliAsync(args(['sync', '--portfolio', 'wheel', '--json']), w.dir, ENV),
      cliAsync(args(['transactions', 'import', 'tx.csv', '--portfolio', 'wheel', '--json']), w.dir, ENV),
    ])
    expect([sync.code, imp.code]).toEqual([0, 0])
    const added = sync.json().portfolios[0].transactions.added + imp.json().added
    expect(added).toBe(400)
    expect(w.run(['ledger', '--json'], ENV).json().events).toHaveLength(400)
  }, 120_000)
})
