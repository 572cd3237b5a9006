/* The ledger's import path: the generic transactions CSV, one transaction per file, idempotence, conflicts, the broker's own figure, sync. */
import {writeFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import type {BrokerAdapter, FetchedPortfolio, MarketDataProvider} from '../../src/core/adapters/broker.js'
import {parseGenericTransactions} from '../../src/core/adapters/transactions/generic.js'
import {parseConfig, type Config} from '../../src/core/config/config.js'
import {zonedInstant} from '../../src/core/domain/calendar/zones.js'
import {NO_FEES, withContentKeys, type EventDraft} from '../../src/core/domain/ledger/events.js'
import {importTransactionsService} from '../../src/core/services/ledger/import.js'
import {realizedService, reconcileService} from '../../src/core/services/ledger/views.js'
import {syncService} from '../../src/core/services/sync.js'
import {readDb} from '../../src/core/store/database.js'
import {loadEvents} from '../../src/core/store/ledger.js'
import * as repo from '../../src/core/store/repositories.js'
import {tempDir} from '../cli/helpers.js'
import {pos} from '../domain/builders.js'

const HEADER = 'date,kind,symbol,quantity,price,commission,fees,amount,id,order_id,ratio,new_symbol,realized,description'

function setup(extra = '') {
  const dir = tempDir('cotrader-ledger-')
  const config = parseConfig(`
portfolios:
  - {name: w, broker: manual, account: W1, source: {file: w.csv, format: generic, transactions: {file: tx/*.csv, format: generic}}${extra}}
  - {name: tt, broker: tastytrade, account: T1}
`, path.join(dir, 'risk_config.yaml'))
  return {dir, config, db: path.join(dir, 'db.sqlite')}
}

const write = (dir: string, name: string, lines: string[]) => {
  const f = path.join(dir, name)
  writeFileSync(f, lines.join('\n') + '\n')
  return f
}

async function importError(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (error) {
    return (error as Error).message
  }
  throw new Error('expected the import to fail')
}

describe('generic transactions CSV', () => {
  const portfolio = parseConfig('portfolios: [{name: w, broker: manual, account: W1, source: {file: w.csv, format: generic}}]', '/x/c.yaml').portfolios[0]

  it('reads every kind, with comments, local times, instants and dates; unknown kinds kept as unclassified', () => {
    const text = [
      '# exported by hand',
      HEADER,
      '2026-03-02 10:31:05,trade,AAPL 2026-04-17 200P,-1,3.10,1.00,0.14,308.86,T9,O1,,,,sell to open',
      '2026-03-01T15:00:00Z,trade,AAPL,10,195.5,,,,,,,,,',
      '2026-04-17,expiration,AAPL 2026-04-17 200P,1,,,,,,,,,,',
      '2026-05-01,split,AAPL,,,,,,,,3-for-2,,,',
      '2026-05-02,symbol_change,AAPL,,,,,,,,,APL,,',
      '2026-05-03,dividend,AAPL,,,,,12.50,,,,,,',
      '2026-05-04,Journal,,,,,,-3.00,,,,,,moved between accounts',
    ].join('\n')
    const {events} = parseGenericTransactions(text, 'tx.csv', portfolio)
    expect(events.map((e) => e.kind)).toEqual(['trade', 'trade', 'expiration', 'split', 'symbol_change', 'dividend', 'unclassified'])
    expect(events[0]).toMatchObject({
      at: '2026-03-02T15:31:05.000Z', timeKnown: true, tradeDate: '2026-03-02', symbol: 'AAPL 2026-04-17 200P', instrumentType: 'equity_option', underlying: 'AAPL', quantity: -1, price: 3.1,
      multiplier: 100, fees: {...NO_FEES, commission: 1, other: 0.14}, amount: 308.86, brokerId: 'T9', orderId: 'O1', sourceRef: 'tx.csv:3', option: {expiry: '2026-04-17', strike: 200, right: 'put'},
    })
    expect(events[2]).toMatchObject({timeKnown: false, at: '2026-04-17T04:00:00.000Z', price: null})
    expect(events[3].ratio).toEqual({from: 2, to: 3})
    expect(events[4].newSymbol).toBe('APL')
    expect(events[6]).toMatchObject({kind: 'unclassified', description: 'Journal: moved between accounts', amount: -3})
  })

  it('local times on the days New York changes its clock, and around them, are the instants zonedInstant gives (the per-day memo of midnights)', () => {
    const times = [
      '2026-03-07 23:59:59', '2026-03-08 00:30', '2026-03-08 01:59:59', '2026-03-08 03:00', '2026-03-08 10:31:05', '2026-03-09 00:00:01',
      '2026-10-31 22:00', '2026-11-01 00:59', '2026-11-01 01:30', '2026-11-01 02:00', '2026-11-01 15:45:30.250', '2026-11-02 09:30', '2026-03-08 00:30',
    ]
    const text = ['date,kind,symbol,quantity,price', ...times.map((t, i) => `${t},trade,AAPL,${i + 1},100`)].join('\n')
    const {events} = parseGenericTransactions(text, 'tx.csv', portfolio)
    const expected = times.map((t) => {
      const [, date, h, m, sec] = /^(\S+) (\d\d):(\d\d)(?::(\S+))?$/.exec(t)!
      return new Date(zonedInstant('America/New_York', date, Number(h) * 60 + Number(m)).getTime() + Math.round(Number(sec ?? 0) * 1000)).toISOString()
    })
    expect(events.map((e) => e.at)).toEqual(expected)
    // worked by hand: EST before the spring switch, EDT after it; EDT until the autumn one, EST after
    expect(events.map((e) => e.at).slice(0, 5)).toEqual(['2026-03-08T04:59:59.000Z', '2026-03-08T05:30:00.000Z', '2026-03-08T06:59:59.000Z', '2026-03-08T07:00:00.000Z', '2026-03-08T14:31:05.000Z'])
    expect(events[11].at).toBe('2026-11-02T14:30:00.000Z')
  })

  it('a kind, symbol or date met again in the file is read the same as the first time; plain and formatted numbers alike', () => {
    const text = ['date,kind,symbol,quantity,price,currency', '2026-03-02 10:00,Sell,AAPL 2026-04-17 200P,-1,3.10,', '2026-03-02 10:00,sell,AAPL 2026-04-17 200P,"-1","$3.10",usd', '2026-03-02 10:00,Sell,AAPL 2026-04-17 200P,-1.0,3.1,'].join('\n')
    const {events} = parseGenericTransactions(text, 'tx.csv', portfolio)
    const strip = (e: (typeof events)[number]) => ({...e, sourceRef: null})
    expect(strip(events[1])).toEqual(strip(events[0]))
    expect(strip(events[2])).toEqual(strip(events[0]))
    expect(events[0]).toMatchObject({kind: 'trade', quantity: -1, price: 3.1, currency: 'USD', option: {expiry: '2026-04-17', strike: 200, right: 'put', style: 'american'}})
  })

  it.each([
    ['2026-13-02,trade,AAPL,1,1', 'tx.csv:2: date "2026-13-02" is not a date'],
    ['2026-03-02,trade,AAPL,1,', 'tx.csv:2: price is blank; a trade row needs a price per unit (a blank is not 0)'],
    ['2026-03-02,trade,AAPL,0,1', 'tx.csv:2: quantity is 0'],
    ['2026-03-02,trade,,1,1', 'tx.csv:2: symbol is blank'],
    ['2026-03-02,trade,AAPL,1x,1', 'tx.csv:2: quantity "1x" is not a number'],
    ['2026-03-02,split,AAPL,,,0:1', 'tx.csv:2: ratio "0:1" must be positive on both sides'],
    ['2026-03-02,reverse_split,AAPL,,,3:1', 'gives more shares; that is a split'],
    ['2026-03-02,dividend,AAPL,,,', 'tx.csv:2: amount is blank'],
    ['2026-03-02,expiration,AAPL,,,', 'AAPL is not an option'],
  ])('refuses %s with file:line', (row, message) => {
    expect(() => parseGenericTransactions(`date,kind,symbol,quantity,price,ratio,amount\n${row.split(',').length === 6 && row.includes('split') ? row + ',' : row}\n`, 'tx.csv', portfolio)).toThrow(message)
  })
})

describe('transactions import', () => {
  it('one transaction per file: a malformed row stores nothing of that file', async () => {
    const {dir, config, db} = setup()
    const f = write(dir, 'bad.csv', [HEADER, '2026-03-02,trade,AAPL,10,195,,,,,,,,,', '2026-03-03,trade,AAPL,-10,,,,,,,,,,'])
    expect(await importError(importTransactionsService({config, dbPath: db, file: f, portfolio: 'w', asOf: new Date()}))).toMatch(/bad\.csv:3: price is blank/)
    expect(await readDb(db, (d) => loadEvents(d))).toEqual([])
  })

  it('the same file twice adds nothing; an overlapping export adds only what is new, two identical fills stay two', async () => {
    const {dir, config, db} = setup()
    const fill = '2026-03-02 10:00:00,trade,AAPL,10,195,,,,,,,,,'
    const jan = write(dir, 'a.csv', [HEADER, fill, fill])
    const both = write(dir, 'b.csv', [HEADER, fill, fill, '2026-03-05 10:00:00,trade,AAPL,-20,199,,,,,,,,,'])
    const first = await importTransactionsService({config, dbPath: db, file: jan, portfolio: 'w', asOf: new Date()})
    expect(first).toMatchObject({events: 2, added: 2, duplicates: 0})
    expect(await importTransactionsService({config, dbPath: db, file: jan, portfolio: 'w', asOf: new Date()})).toMatchObject({added: 0, duplicates: 2})
    expect(await importTransactionsService({config, dbPath: db, file: both, portfolio: 'w', asOf: new Date()})).toMatchObject({added: 1, duplicates: 2})
    expect(await readDb(db, (d) => loadEvents(d).length)).toBe(3)
  })

  it('a transaction id already stored with other content: both rows named, nothing of the file stored', async () => {
    const {dir, config, db} = setup()
    await importTransactionsService({config, dbPath: db, file: write(dir, 'a.csv', [HEADER, '2026-03-02,trade,AAPL,10,195,,,,77,,,,,']), portfolio: 'w', asOf: new Date()})
    const b = write(dir, 'b.csv', [HEADER, '2026-03-04,trade,MSFT,1,400,,,,78,,,,,', '2026-03-02,trade,AAPL,11,195,,,,77,,,,,'])
    const message = await importError(importTransactionsService({config, dbPath: db, file: b, portfolio: 'w', asOf: new Date()}))
    expect(message).toMatch(/b\.csv:3: transaction id 77 \(trade AAPL 11 @ 195 on 2026-03-02\) differs from the one already stored from \S*a\.csv:2 \(trade AAPL 10 @ 195 on 2026-03-02\)/)
    expect(await readDb(db, (d) => loadEvents(d).map((e) => e.brokerId))).toEqual(['77'])
  })

  it("IBKR-style rows: an assignment folded into the shares; the broker's FIFO realised column equals ours to the cent", async () => {
    const {dir, config, db} = setup(', assignment_basis: premium_in_basis')
    const f = write(dir, 'ibkr.csv', [
      HEADER,
      '2026-08-01 10:00:00,trade,VXX 2026-09-18 20P,-1,2.00,1.05,,198.95,101,,,,0,',
      '2026-09-18 16:20:00,assignment,VXX 2026-09-18 20P,1,0,,,0,102,,,,0,A',
      '2026-09-18 16:20:00,assignment,VXX,100,20,,,-2000,103,,,,0,A',
      '2026-09-25 11:00:00,trade,VXX,-100,21,1.00,,2099,104,,,,297.95,',
    ])
    await importTransactionsService({config, dbPath: db, file: f, portfolio: 'w', asOf: new Date()})
    const r = await realizedService({config, dbPath: db, asOf: new Date('2026-12-01T12:00:00Z')})
    expect(r.brokerChecks.map((c) => [c.ours, c.theirs])).toEqual([[0, 0], [0, 0], [0, 0], [297.95, 297.95]])
    expect(r.brokerDifferences).toBe(0)
    expect(r.portfolios[0].realized).toBe(297.95) // 2,100 − 1.00 − (2,000 − 198.95)
    // The same rows under the broker's default treatment for a non-IBKR portfolio: the option realises its premium; the difference is shown.
    const plain = setup()
    await importTransactionsService({config: plain.config, dbPath: plain.db, file: f, portfolio: 'w', asOf: new Date()})
    const s = await realizedService({config: plain.config, dbPath: plain.db, asOf: new Date('2026-12-01T12:00:00Z')})
    expect(s.portfolios[0].realized).toBe(297.95)
    expect(s.brokerChecks.filter((c) => c.difference !== 0).map((c) => [c.ours, c.theirs, c.difference])).toEqual([[198.95, 0, 198.95], [99, 297.95, -198.95]])
  })
})

// ------------------------------------------------------------------------------------------- sync

function broker(data: Record<string, FetchedPortfolio['positions']>, tx?: (since: string | null) => Promise<EventDraft[]>): BrokerAdapter & MarketDataProvider {
  return {
    name: 'fake',
    unavailable: () => null,
    fetch: async (p) => ({positions: (data[p.name] ?? []).map((q) => ({...q, portfolio: p.name})), balances: {equity: 1000, cash: 100, buyingPower: null, maintenanceRequirement: null}, skipped: [], warnings: []}),
    ...(tx ? {fetchTransactions: async (_p: unknown, since: string | null) => tx(since)} : {}),
    snapshot: async () => ({quotes: new Map(), greeks: new Map()}),
    close: async () => {},
  }
}

function apiEvent(id: string, date: string, quantity: number): Omit<EventDraft, 'key'> {
  return {
    portfolio: 'tt', account: 'T1', source: 'broker_api', sourceRef: 'GET /accounts/T1/transactions', brokerId: id, kind: 'trade', provisional: false, at: `${date}T15:00:00.000Z`, timeKnown: true,
    tradeDate: date, symbol: 'MSFT', brokerSymbol: 'MSFT', instrumentType: 'equity', underlying: 'MSFT', quantity, price: 400, multiplier: 1, currency: 'USD', amount: -400 * quantity,
    fees: NO_FEES, orderId: null, positionEffect: null, description: '', brokerRealizedPnl: null,
  }
}

describe('sync and the ledger', () => {
  const asOf = new Date('2026-11-24T15:00:00Z')
  const sync = (config: Config, db: string, file: BrokerAdapter, tt: BrokerAdapter & MarketDataProvider, only?: string[]) =>
    syncService({config, dbPath: db, skipInvalid: false, asOf, env: {}, portfolios: only}, {file: async () => file, tastytrade: async () => tt})

  it("reads a file-fed portfolio's source.transactions (a glob of monthly exports) in the same run; says when the ledger does not reconcile", async () => {
    const {dir, config, db} = setup()
    const {mkdirSync} = await import('node:fs')
    mkdirSync(path.join(dir, 'tx'))
    write(dir, 'tx/2026-10.csv', [HEADER, '2026-10-02 10:00:00,trade,MSFT,10,400,,,,,,,,,'])
    write(dir, 'tx/2026-11.csv', [HEADER, '2026-11-02 10:00:00,trade,MSFT,5,410,,,,,,,,,'])
    const r = await sync(config, db, broker({w: [pos('15 MSFT @ 403.33 mark 420')]}), broker({}), ['w'])
    expect(r.portfolios[0]).toMatchObject({status: 'ok', transactions: {read: 2, added: 2, duplicates: 0}, warnings: []})
    const again = await sync(config, db, broker({w: [pos('20 MSFT @ 403.33 mark 420')]}), broker({}), ['w'])
    expect(again.portfolios[0].transactions).toEqual({read: 2, added: 0, duplicates: 2})
    expect(again.portfolios[0].warnings.join('\n')).toMatch(/does not reconcile.*MSFT ledger 15 vs broker 20/)
    const rec = await reconcileService({config, dbPath: db, asOf})
    expect(rec.differing).toBe(1)
  })

  it('a bad transactions file fails the portfolio: nothing of its run is stored, its previous positions are kept', async () => {
    const {dir, config, db} = setup()
    const {mkdirSync} = await import('node:fs')
    mkdirSync(path.join(dir, 'tx'))
    await sync(config, db, broker({w: [pos('15 MSFT @ 403.33 mark 420')]}), broker({}), ['w'])
    write(dir, 'tx/2026-11.csv', [HEADER, '2026-11-02 10:00:00,trade,MSFT,5,,,,,,,,,,'])
    const r = await sync(config, db, broker({w: [pos('99 MSFT @ 1 mark 1')]}), broker({}), ['w'])
    expect(r.portfolios[0]).toMatchObject({status: 'failed'})
    expect(r.portfolios[0].error).toMatch(/2026-11\.csv:2: price is blank/)
    expect(await readDb(db, (d) => ({q: repo.loadPositions(d)[0].quantity, events: loadEvents(d).length}))).toEqual({q: 15, events: 0})
  })

  it('API transactions: incremental from the last stored date minus 3 days; a failed pull stores nothing of that run', async () => {
    const {config, db} = setup()
    const asked: (string | null)[] = []
    const tt = (events: Omit<EventDraft, 'key'>[] | Error) =>
      broker({tt: [pos('10 MSFT @ 400 mark 420')]}, async (since) => {
        asked.push(since)
        if (events instanceof Error) throw events
        return withContentKeys(events)
      })
    await sync(config, db, broker({}), tt([apiEvent('1', '2026-11-10', 10)]), ['tt'])
    const failed = await sync(config, db, broker({}), tt(new Error('GET /transactions page 2: 500')), ['tt'])
    expect(failed.portfolios[0]).toMatchObject({status: 'failed', error: 'GET /transactions page 2: 500'})
    const r = await sync(config, db, broker({}), tt([apiEvent('1', '2026-11-10', 10), apiEvent('2', '2026-11-20', -10)]), ['tt'])
    expect(asked).toEqual([null, '2026-11-07', '2026-11-07'])
    expect(r.portfolios[0].transactions).toEqual({read: 2, added: 1, duplicates: 1})
    expect(await readDb(db, (d) => loadEvents(d).map((e) => e.brokerId))).toEqual(['1', '2'])
  })
})

describe('paper trades in the ledger', () => {
  it('approve books a paper trade as a ledger event in the same write; trades close books its close; realised in the paper book only', async () => {
    const {whatifAdd, tradesClose, tradesList} = await import('../../src/core/services/trades.js')
    const {approve} = await import('../../src/core/services/approve.js')
    const dir = tempDir('cotrader-ledger-')
    const config = parseConfig(`
portfolios:
  - {name: w, broker: manual, account: W1, source: {file: w.csv, format: generic}}
  - {name: w-whatif, broker: none, kind: whatif, shadows: w}
`, path.join(dir, 'risk_config.yaml'))
    const db = path.join(dir, 'db.sqlite')
    const asOf = new Date('2026-11-24T15:00:00Z')
    const added = await whatifAdd({config, dbPath: db, asOf, env: {}, portfolio: 'w', legs: ['10 MSFT @ 400']} as never)
    await approve({config, dbPath: db, asOf, id: added.proposalId, live: false, force: false, yes: true})
    const booked = await readDb(db, (d) => loadEvents(d))
    expect(booked).toMatchObject([{portfolio: 'w', source: 'paper', kind: 'trade', symbol: 'MSFT', quantity: 10, price: 400, key: `paper:${added.proposalId}:0`}])
    const trade = (await tradesList({config, dbPath: db, asOf})).trades[0]
    await tradesClose({config, dbPath: db, asOf: new Date('2026-11-25T15:00:00Z'), id: trade.id, price: 410})
    const r = await realizedService({config, dbPath: db, asOf: new Date('2026-11-25T16:00:00Z')})
    expect(r.portfolios).toMatchObject([{portfolio: 'w', book: 'paper', realized: 100}])
    const rec = await reconcileService({config, dbPath: db, asOf})
    expect(rec.portfolios[0].differences).toEqual([]) // the paper book is not the broker's
  })
})
