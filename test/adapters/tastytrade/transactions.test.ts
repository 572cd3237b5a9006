/*
 * TastyTrade transactions through the real SDK client against the local fake: every page, oldest
 * first, start-date honoured, keys from the transaction ids, signs from the *-effect fields, fees
 * per kind, and all-or-nothing when a page fails (with no secret in the error).
 */
import {afterEach, describe, expect, test} from 'vitest'
import {createTastytrade} from '../../../src/core/adapters/tastytrade/adapter.js'
import type {EventDraft} from '../../../src/core/domain/ledger/events.js'
import {ExternalError} from '../../../src/core/errors.js'
import {ACCOUNT, configFor, envFor, portfolio, renderings, sampleTransactions, secretsOf, startFakeTastytrade, type Fault, type Scenario} from '../../fake-tastytrade/index.js'

const PATH = `/accounts/${ACCOUNT}/transactions`
const ctx = {asOf: new Date('2026-01-05T15:00:00Z'), skipInvalid: false}
const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

async function setup(scenario: Partial<Scenario> = {}) {
  const fake = await startFakeTastytrade({transactions: sampleTransactions(), transactionsMaxPerPage: 4, ...scenario})
  cleanups.push(() => fake.close())
  const adapter = createTastytrade(configFor({greeksWaitSeconds: 0.5}), envFor(fake), {retryBaseMs: 2, httpTimeoutMs: 2000})
  cleanups.push(() => adapter.close())
  return {fake, adapter}
}

const byId = (events: EventDraft[], id: string) => {
  const e = events.find((x) => x.brokerId === id)
  if (!e) throw new Error(`no event ${id}`)
  return e
}

describe('tastytrade fetchTransactions', () => {
  test('reads every page in ascending order, keyed by transaction id', async () => {
    const {fake, adapter} = await setup()
    const events = await adapter.fetchTransactions(portfolio(), null, ctx)
    expect(events).toHaveLength(14)
    const calls = fake.requestsTo(PATH, 'GET')
    // 14 items, 4 per page: 4 pages, asked for with page-offset 0..3, sort Asc, no start-date.
    expect(calls.map((c) => c.query['page-offset']?.[0])).toEqual(['0', '1', '2', '3'])
    for (const c of calls) {
      expect(c.query.sort).toEqual(['Asc'])
      expect(c.query['start-date']).toBeUndefined()
    }
    expect(events.map((e) => e.at)).toEqual([...events.map((e) => e.at)].sort())
    for (const e of events) {
      expect(e.key).toBe(`id:${e.brokerId}`)
      expect(e.source).toBe('broker_api')
      expect(e.account).toBe(ACCOUNT)
      expect(e.portfolio).toBe('tt-main')
    }
    expect(new Set(events.map((e) => e.key)).size).toBe(14)
  })

  test('maps each kind with signs, fees per kind and symbols in the internal form', async () => {
    const {adapter} = await setup()
    const events = await adapter.fetchTransactions(portfolio(), null, ctx)

    expect(byId(events, '2455333333')).toMatchObject({
      kind: 'trade', symbol: 'RIVN 2023-06-23 15C', brokerSymbol: 'RIVN  230623C00015000', instrumentType: 'equity_option', underlying: 'RIVN',
      option: {expiry: '2023-06-23', strike: 15, right: 'call'}, quantity: -40, price: 0.47, multiplier: 100, currency: 'USD',
      amount: 1839.558, fees: {commission: 40, clearing: 0.4, regulatory: 0.042, exchange: 0, other: null},
      at: '2023-06-12T13:53:08.199Z', timeKnown: true, tradeDate: '2023-06-12', orderId: '272610989', positionEffect: 'open',
      description: 'Sold 40 RIVN 06/23/23 Call 15.00 @ 0.47', brokerRealizedPnl: null, provisional: false,
    })
    // The assigned short put: removed (+40 contracts) at no price; the shares arrive at the strike as the assignment's stock leg.
    expect(byId(events, '2454865989')).toMatchObject({kind: 'assignment', symbol: 'RIVN 2023-06-09 14P', quantity: 40, price: null, amount: 0, positionEffect: 'close', orderId: null})
    expect(byId(events, '2454865990')).toMatchObject({
      kind: 'assignment', symbol: 'RIVN', instrumentType: 'equity', quantity: 4000, price: 14, multiplier: 1, amount: -56200,
      fees: {commission: null, clearing: 200, regulatory: null, exchange: null, other: null}, positionEffect: 'open', at: '2023-06-09T21:00:00.000Z',
    })
    expect(byId(events, '280070508')).toMatchObject({kind: 'trade', symbol: 'BRK.B', brokerSymbol: 'BRK/B', quantity: -10, price: 384.04, amount: 3840.35, fees: {commission: 0, clearing: 0.008, regulatory: 0.042, exchange: 0, other: null}})
    // An expiry does not say whether the contracts were long or short: quantity unknown, the lot engine closes what is open.
    expect(byId(events, '2531000001')).toMatchObject({kind: 'expiration', symbol: 'PACB 2022-12-30 10.5C', quantity: null, price: null, amount: 0, positionEffect: 'close'})
    expect(byId(events, '2600000010')).toMatchObject({kind: 'split', symbol: 'CCJ', quantity: -1, price: 40.4, amount: 40.4, ratio: {from: 1, to: 2}, positionEffect: 'close'})
    expect(byId(events, '2600000011')).toMatchObject({kind: 'split', symbol: 'CCJ', quantity: 2, price: 20.2, amount: -40.4, ratio: {from: 1, to: 2}, positionEffect: 'open'})
    expect(byId(events, '2610000001')).toMatchObject({kind: 'dividend', symbol: 'KO', quantity: null, amount: 4.85})
    expect(byId(events, '2610000002')).toMatchObject({kind: 'dividend', symbol: 'KO', quantity: null, amount: -0.73})
    expect(byId(events, '2620000001')).toMatchObject({kind: 'interest', symbol: null, quantity: null, amount: 12.31})
    expect(byId(events, '2630000001')).toMatchObject({kind: 'transfer', symbol: null, amount: 5000})
    expect(byId(events, '2640000001')).toMatchObject({
      kind: 'trade', symbol: 'SPXW 2024-05-17 5300C', underlying: 'SPX', quantity: 1, price: 12.4, multiplier: 100, amount: -1241.79,
      fees: {commission: 1, clearing: 0.1, regulatory: 0.04, exchange: 0.65, other: null},
    })
    expect(byId(events, '2650000001')).toMatchObject({kind: 'trade', symbol: '/CLN4 2024-06-17 85C', instrumentType: 'future_option', underlying: '/CLN4', quantity: -1, price: 0.52, multiplier: 1000, amount: 517.18})
    // Unknown sub-type: kept, with its text, never dropped.
    expect(byId(events, '2660000001')).toMatchObject({kind: 'unclassified', amount: 0.01, description: '[Money Movement / Cash Sweep Adjustment] SWEEP ADJ'})
  })

  test('net value = value − fees on every row that states fees (the fake is consistent, like the SDK sample)', async () => {
    const {adapter} = await setup()
    const events = await adapter.fetchTransactions(portfolio(), null, ctx)
    const items = new Map(sampleTransactions().map((i) => [String(i.id), i]))
    for (const e of events) {
      const item = items.get(e.brokerId!)!
      const value = Number(item.value) * (item['value-effect'] === 'Debit' ? -1 : 1)
      const f = e.fees
      const total = (f.commission ?? 0) + (f.clearing ?? 0) + (f.regulatory ?? 0) + (f.exchange ?? 0) + (f.other ?? 0)
      expect(e.amount!).toBeCloseTo(value - total, 9)
    }
  })

  test('an incremental second call sends start-date and gets only the newer rows; the overlap repeats keys, adds nothing new', async () => {
    const {fake, adapter} = await setup()
    const first = await adapter.fetchTransactions(portfolio(), null, ctx)
    const before = fake.requestsTo(PATH, 'GET').length
    const second = await adapter.fetchTransactions(portfolio(), '2024-04-01', ctx)
    const calls = fake.requestsTo(PATH, 'GET').slice(before)
    expect(calls.every((c) => c.query['start-date']?.[0] === '2024-04-01')).toBe(true)
    expect(second.map((e) => e.tradeDate).every((d) => d >= '2024-04-01')).toBe(true)
    expect(second.map((e) => e.brokerId)).toEqual(['2610000001', '2610000002', '2620000001', '2630000001', '2640000001', '2650000001', '2660000001'])
    const firstKeys = new Map(first.map((e) => [e.key, e]))
    for (const e of second) expect(e).toEqual(firstKeys.get(e.key))
  })

  test('a 500 on page 2 fails the whole pull: nothing returned, no secret in the error', async () => {
    const faults: Fault[] = [{path: PATH, query: {'page-offset': '1'}, kind: 'status', status: 500, echoSecrets: true}]
    const {fake, adapter} = await setup({faults})
    const error = await adapter.fetchTransactions(portfolio(), null, ctx).then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(ExternalError)
    expect((error as Error).message).toMatch(/^tastytrade: portfolio "tt-main": GET \/accounts\/5WT0001\/transactions \(page 2\) failed: HTTP 500 \(server error\) after 3 attempts/)
    // Page 1 answered, page 2 was tried three times (retries), page 3 never asked for.
    expect(fake.requestsTo(PATH, 'GET').map((c) => c.query['page-offset']?.[0])).toEqual(['0', '1', '1', '1'])
    for (const text of renderings(error)) for (const secret of secretsOf(fake)) expect(text).not.toContain(secret)
  })

  test('a transient 500 on page 2 is retried and the pull completes', async () => {
    const faults: Fault[] = [{path: PATH, query: {'page-offset': '1'}, kind: 'status', status: 503, times: 1}]
    const {adapter} = await setup({faults})
    expect(await adapter.fetchTransactions(portfolio(), null, ctx)).toHaveLength(14)
  })

  test('a malformed page body fails the pull', async () => {
    const {adapter} = await setup({faults: [{path: PATH, query: {'page-offset': '2'}, kind: 'malformed'}]})
    await expect(adapter.fetchTransactions(portfolio(), null, ctx)).rejects.toThrow(/transactions \(page 3\) failed: the response body is not valid JSON/)
  })

  test('an account with no transactions: one request, nothing returned', async () => {
    const {fake, adapter} = await setup({transactions: []})
    expect(await adapter.fetchTransactions(portfolio(), null, ctx)).toEqual([])
    expect(fake.requestsTo(PATH, 'GET')).toHaveLength(1)
  })

  test('the same pull twice gives identical events', async () => {
    const {adapter} = await setup()
    const a = await adapter.fetchTransactions(portfolio(), null, ctx)
    const b = await adapter.fetchTransactions(portfolio(), null, ctx)
    expect(b).toEqual(a)
  })
})
