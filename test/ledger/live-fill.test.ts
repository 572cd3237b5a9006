/*
 * A live trade booked by `approve` is a ledger event (source live) until the broker's own fill arrives:
 * the TastyTrade transaction with the same order id (or, without one, the same instrument, side and
 * quantity within LIVE_FILL_MINUTES) confirms or replaces it through the same mechanism as the daemon's
 * provisional settlements (domain/ledger/provisional.ts), so the ledger, the lots and `trades list`
 * count it once.
 */
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import type {BrokerAdapter, FetchedPortfolio, MarketDataProvider} from '../../src/core/adapters/broker.js'
import {parseConfig} from '../../src/core/config/config.js'
import {NO_FEES, type EventDraft, type LedgerEvent} from '../../src/core/domain/ledger/events.js'
import {countedEvents, LIVE_FILL_MINUTES, matchProvisional} from '../../src/core/domain/ledger/provisional.js'
import {approve, type OrderBroker} from '../../src/core/services/approve.js'
import {loadLedger} from '../../src/core/services/ledger/book.js'
import {syncService} from '../../src/core/services/sync.js'
import {tradesList, whatifAdd} from '../../src/core/services/trades.js'
import {readDb} from '../../src/core/store/database.js'
import {loadLinks} from '../../src/core/store/ledger.js'
import {tempDir} from '../cli/helpers.js'
import {pos} from '../domain/builders.js'

function fill(o: Partial<EventDraft> & {id: string}): EventDraft {
  return {
    portfolio: 'tt', account: 'T1', source: 'broker_api', sourceRef: 'GET /accounts/T1/transactions', brokerId: o.id, key: `id:${o.id}`, kind: 'trade', provisional: false,
    at: '2026-11-24T15:00:04.000Z', timeKnown: true, tradeDate: '2026-11-24', symbol: 'MSFT', brokerSymbol: 'MSFT', instrumentType: 'equity', underlying: 'MSFT', quantity: 10, price: 400,
    multiplier: 1, currency: 'USD', amount: -4000, fees: NO_FEES, orderId: null, positionEffect: 'open', description: 'Bought 10 MSFT @ 400.00', brokerRealizedPnl: null, ...o,
  }
}

describe('approve --live, then the broker fill in sync', () => {
  it('the fill with the same order id confirms the live event: counted once in ledger, lots and trades list (marked live, with its fill)', async () => {
    const dir = tempDir('cotrader-live-')
    const config = parseConfig(
      `
portfolios:
  - {name: tt, broker: tastytrade, account: T1, trading_enabled: true}
  - {name: tt-whatif, broker: none, kind: whatif, shadows: tt}
`,
      path.join(dir, 'risk_config.yaml'),
    )
    const db = path.join(dir, 'db.sqlite')
    const asOf = new Date('2026-11-24T15:00:00Z')
    const orders: OrderBroker = {
      unavailable: () => null,
      dryRunOrder: async () => ({status: 'Received', buyingPowerEffect: -4000, fees: 0, warnings: []}),
      placeOrder: async () => ({status: 'Routed', orderId: '77', buyingPowerEffect: -4000, fees: 0, warnings: []}),
      close: async () => {},
    }
    const added = await whatifAdd({config, dbPath: db, asOf, env: {}, portfolio: 'tt', legs: ['10 MSFT @ 400']} as never)
    const r = await approve({config, dbPath: db, asOf, id: added.proposalId, live: true, force: true, yes: true, broker: async () => orders})
    expect(r.status).toBe('executed')
    // before the fill: the live booking counts, in the live book
    const before = await loadLedger(config, db)
    expect(before.events.map((e) => [e.source, e.quantity, e.orderId])).toEqual([['live', 10, '77']])
    expect(before.lots.open.map((l) => [l.book, l.quantity])).toEqual([['live', 10]])

    const tt: BrokerAdapter & MarketDataProvider = {
      name: 'fake',
      unavailable: () => null,
      fetch: async (p) => ({positions: [pos('10 MSFT @ 400 mark 401')].map((q) => ({...q, portfolio: p.name})) as FetchedPortfolio['positions'], balances: {equity: 1000, cash: 0, buyingPower: null, maintenanceRequirement: null}, skipped: [], warnings: []}),
      fetchTransactions: async () => [fill({id: '5001', orderId: '77', at: '2026-11-24T15:00:03.000Z'})],
      snapshot: async () => ({quotes: new Map(), greeks: new Map()}),
      close: async () => {},
    }
    const s = await syncService({config, dbPath: db, skipInvalid: false, asOf: new Date('2026-11-24T16:00:00Z'), env: {}, portfolios: ['tt']}, {file: async () => tt, tastytrade: async () => tt})
    expect(s.portfolios[0]).toMatchObject({status: 'ok', transactions: {added: 1}})

    const links = await readDb(db, (d) => loadLinks(d))
    expect(links.map((l) => l.kind)).toEqual(['confirms'])
    const after = await loadLedger(config, db)
    // the broker's fill counts, the live booking no longer: 10 shares, once
    expect(after.events.map((e) => [e.source, e.quantity])).toEqual([['broker_api', 10]])
    expect(after.lots.open.map((l) => [l.book, l.quantity])).toEqual([['broker', 10]])
    // trades list: one line, kind live, with the broker's fill it is counted as
    const list = await tradesList({config, dbPath: db, asOf: new Date('2026-11-24T16:00:00Z')})
    expect(list.trades).toHaveLength(1)
    expect(list.trades[0]).toMatchObject({kind: 'live', quantity: 10, brokerFill: {quantity: 10, price: 400, at: '2026-11-24T15:00:03.000Z'}})
    expect(list.trades[0].brokerFill!.eventIds).toEqual([links[0].to])
    // a second sync with the same transactions adds nothing and links nothing more
    await syncService({config, dbPath: db, skipInvalid: false, asOf: new Date('2026-11-24T17:00:00Z'), env: {}, portfolios: ['tt']}, {file: async () => tt, tastytrade: async () => tt})
    expect((await readDb(db, (d) => loadLinks(d))).length).toBe(1)
    expect((await loadLedger(config, db)).lots.open.map((l) => l.quantity)).toEqual([10])
  }, 60_000)
})

describe('matching live events to fills (pure)', () => {
  let id = 0
  const ev = (o: Partial<LedgerEvent>): LedgerEvent => ({...fill({id: String(++id)}), id, recordedAt: '2026-11-24T16:00:00.000Z', ...o}) as LedgerEvent
  const live = (o: Partial<LedgerEvent> = {}) => ev({source: 'live', brokerId: null, key: 'live:1:0', at: '2026-11-24T15:00:00.000Z', orderId: null, ...o})
  const none = {syncedAt: null, symbols: new Set<string>()}

  it(`no order id: a fill of the same instrument, side and quantity within ${LIVE_FILL_MINUTES} minutes; another price replaces`, () => {
    const l = live()
    const f = ev({at: '2026-11-24T15:03:00.000Z', price: 400.1})
    const r = matchProvisional([l, f], [], none)
    expect(r.links).toEqual([{from: l.id, to: f.id, kind: 'replaces'}])
    expect(countedEvents([l, f], r.links.map((x) => ({...x, at: ''}))).map((e) => e.id)).toEqual([f.id])
  })

  it('not matched: a fill too late, the other side, another quantity, another instrument; never a fill already linked', () => {
    const l = live()
    const late = ev({at: '2026-11-24T15:11:00.000Z'})
    const side = ev({quantity: -10})
    const qty = ev({quantity: 5})
    const other = ev({symbol: 'AAPL'})
    expect(matchProvisional([l, late, side, qty, other], [], none).links).toEqual([])
    const f = ev({})
    const taken = [{from: 999, to: f.id, kind: 'confirms' as const, at: ''}]
    expect(matchProvisional([l, f], taken, none).links).toEqual([])
  })

  it('partial fills of one order id: each linked; quantities that do not add up replace', () => {
    const l = live({orderId: '9'})
    const a = ev({orderId: '9', quantity: 4, at: '2026-11-24T16:00:00.000Z'})
    const b = ev({orderId: '9', quantity: 6, at: '2026-11-24T17:00:00.000Z'})
    expect(matchProvisional([l, a, b], [], none).links).toEqual([{from: l.id, to: a.id, kind: 'confirms'}, {from: l.id, to: b.id, kind: 'confirms'}])
    expect(matchProvisional([live({orderId: '9'}), a], [], none).links.map((x) => x.kind)).toEqual(['replaces'])
  })

  it('a paper event is never matched to a broker fill (separate book)', () => {
    const p = ev({source: 'paper', brokerId: null, key: 'paper:1:0'})
    expect(matchProvisional([p, ev({})], [], none).links).toEqual([])
  })
})

describe('approve --live and sync through the real SDK against the local fake TastyTrade', () => {
  it("the order's fill in GET /transactions (same order-id) confirms the live booking: one lot, one trades-list line", async () => {
    const {createTastytrade} = await import('../../src/core/adapters/tastytrade/adapter.js')
    const {defaultAdapters} = await import('../../src/core/services/sync.js')
    const {configFor, envFor, portfolio, startFakeTastytrade} = await import('../fake-tastytrade/index.js')
    const fake = await startFakeTastytrade({positions: [], transactions: []})
    try {
      const config = configFor({portfolios: [portfolio({tradingEnabled: true}), {...portfolio(), name: 'tt-main-whatif', broker: 'none', kind: 'whatif', shadows: 'tt-main', account: undefined} as never]})
      const env = envFor(fake)
      const db = path.join(tempDir('cotrader-live-fake-'), 'db.sqlite')
      const asOf = new Date('2026-01-05T15:00:00Z')
      const added = await whatifAdd({config, dbPath: db, asOf, env, portfolio: 'tt-main', legs: ['10 MSFT @ 400']} as never)
      const adapter = createTastytrade(config, env, {retryBaseMs: 2, httpTimeoutMs: 2000})
      const r = await approve({config, dbPath: db, asOf, id: added.proposalId, live: true, force: true, yes: true, broker: async () => adapter as unknown as OrderBroker})
      expect(r.status).toBe('executed')
      const orderId = r.order!.orderId!
      // The broker's own record of the fill, as GET /transactions writes it (string numbers, *-effect signs).
      fake.setScenario({
        transactions: [
          {
            id: 3000000001, symbol: 'MSFT', 'instrument-type': 'Equity', 'underlying-symbol': 'MSFT', 'transaction-type': 'Trade', 'transaction-sub-type': 'Buy to Open',
            description: 'Bought 10 MSFT @ 400.00', action: 'Buy to Open', quantity: '10.0', price: '400.0', 'executed-at': '2026-01-05T15:00:02.120+00:00', 'transaction-date': '2026-01-05',
            value: '4000.0', 'value-effect': 'Debit', 'net-value': '4000.01', 'net-value-effect': 'Debit', 'regulatory-fees': '0.0', 'regulatory-fees-effect': 'None',
            'clearing-fees': '0.01', 'clearing-fees-effect': 'Debit', commission: '0.0', 'commission-effect': 'None', 'order-id': Number(orderId), 'leg-count': 1, 'reverses-id': null,
          },
        ],
      })
      const s = await syncService({config, dbPath: db, skipInvalid: false, asOf: new Date('2026-01-05T16:00:00Z'), env, portfolios: ['tt-main']}, defaultAdapters(config, env))
      expect(s.portfolios[0]).toMatchObject({status: 'ok', transactions: {added: 1}})
      expect((await readDb(db, (d) => loadLinks(d))).map((l) => l.kind)).toEqual(['confirms'])
      const ledger = await loadLedger(config, db)
      expect(ledger.events.map((e) => [e.source, e.quantity, e.orderId])).toEqual([['broker_api', 10, orderId]])
      expect(ledger.lots.open.map((l) => [l.book, l.symbol, l.quantity])).toEqual([['broker', 'MSFT', 10]])
      const list = await tradesList({config, dbPath: db, asOf: new Date('2026-01-05T16:00:00Z')})
      expect(list.trades.map((t) => [t.kind, t.symbol, t.quantity, t.brokerFill?.quantity])).toEqual([['live', 'MSFT', 10, 10]])
    } finally {
      await fake.close()
    }
  }, 60_000)
})
