/*
 * Following a placed order through the real SDK (OrdersService.getOrder → GET
 * /accounts/{n}/orders/{id}) against the fake: the status words map to working/final states,
 * the broker's reject reason comes through, `updated-at` (epoch ms in orders) becomes ISO, and a
 * failing endpoint is retried, then throws a redacted error (the order is never taken as filled).
 */
import {afterEach, describe, expect, test} from 'vitest'
import {createTastytrade, TastytradeApiError, type OrderRequest} from '../../../src/core/adapters/tastytrade/adapter.js'
import {orderState, parseOrderStatus} from '../../../src/core/adapters/tastytrade/orders.js'
import {ACCOUNT, configFor, envFor, portfolio, renderings, secretsOf, startFakeTastytrade, type Scenario} from '../../fake-tastytrade/index.js'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

async function placed(scenario: Partial<Scenario> = {}) {
  const fake = await startFakeTastytrade(scenario)
  cleanups.push(() => fake.close())
  const adapter = createTastytrade(configFor({portfolios: [portfolio({tradingEnabled: true})]}), envFor(fake), {retryBaseMs: 2})
  cleanups.push(() => adapter.close())
  const order: OrderRequest = {price: 1.35, priceEffect: 'Credit', legs: [
    {instrumentType: 'equity_option', symbol: 'SPY   260320P00550000', quantity: 1, action: 'Sell to Open'},
    {instrumentType: 'equity_option', symbol: 'SPY   260320P00540000', quantity: 1, action: 'Buy to Open'},
  ]}
  const result = await adapter.placeOrder(ACCOUNT, order)
  return {fake, adapter, id: result.orderId!}
}

const PLACED_AT = Date.parse('2026-01-05T15:00:00.000Z') // the default scenario's asOf

describe('status words', () => {
  test('working, final and unknown statuses', () => {
    expect(['Received', 'Routed', 'In Flight', 'Live', 'Cancel Requested', 'Replace Requested', 'Contingent'].map(orderState)).toEqual(Array(7).fill('working'))
    expect(['Filled', 'Cancelled', 'Removed', 'Rejected', 'Expired'].map(orderState)).toEqual(['filled', 'cancelled', 'cancelled', 'rejected', 'expired'])
    expect(orderState('Something New')).toBe('unknown')
  })

  test('an order body: id, status, reject reason, updated-at epoch ms → ISO', () => {
    expect(parseOrderStatus('7', {id: 7, status: 'Rejected', 'reject-reason': 'Insufficient buying power', 'updated-at': 1_767_625_200_000})).toEqual({
      orderId: '7', status: 'Rejected', state: 'rejected', reason: 'Insufficient buying power', updatedAt: '2026-01-05T15:00:00.000Z',
    })
    expect(parseOrderStatus('8', {})).toEqual({orderId: '8', status: 'unknown', state: 'unknown', reason: null, updatedAt: null})
  })
})

describe('orderStatus against the fake', () => {
  test('Routed → Live → Filled: each question gets the next step, the last repeats', async () => {
    const {adapter, fake, id} = await placed({orders: {buyingPowerChange: -100, fees: -2, progression: [{status: 'Live'}, {status: 'Filled'}]}})
    expect(id).toBe('420001')
    expect(await adapter.orderStatus(ACCOUNT, id)).toEqual({orderId: id, status: 'Live', state: 'working', reason: null, updatedAt: new Date(PLACED_AT + 1000).toISOString()})
    expect(await adapter.orderStatus(ACCOUNT, id)).toMatchObject({status: 'Filled', state: 'filled', reason: null})
    expect(await adapter.orderStatus(ACCOUNT, id)).toMatchObject({status: 'Filled', state: 'filled', updatedAt: new Date(PLACED_AT + 3000).toISOString()})
    expect(fake.requestsTo(`/accounts/${ACCOUNT}/orders/${id}`).map((r) => [r.method, r.status])).toEqual([['GET', 200], ['GET', 200], ['GET', 200]])
  })

  test('Rejected carries the broker reason', async () => {
    const {adapter, id} = await placed({orders: {buyingPowerChange: -100, fees: -2, progression: [{status: 'Rejected', reason: 'Order price is outside the allowed range'}]}})
    expect(await adapter.orderStatus(ACCOUNT, id)).toMatchObject({status: 'Rejected', state: 'rejected', reason: 'Order price is outside the allowed range'})
  })

  test('Cancelled', async () => {
    const {adapter, id} = await placed({orders: {buyingPowerChange: -100, fees: -2, progression: [{status: 'Live'}, {status: 'Cancelled'}]}})
    expect((await adapter.orderStatus(ACCOUNT, id)).state).toBe('working')
    expect(await adapter.orderStatus(ACCOUNT, id)).toMatchObject({status: 'Cancelled', state: 'cancelled', reason: null})
  })

  test('an order the broker does not know: 404, not retried', async () => {
    const {adapter, fake} = await placed()
    await expect(adapter.orderStatus(ACCOUNT, '999999')).rejects.toThrow(`tastytrade: GET /accounts/${ACCOUNT}/orders/999999 failed: HTTP 404 (not found) — record_not_found`)
    expect(fake.requestsTo(`/accounts/${ACCOUNT}/orders/999999`)).toHaveLength(1)
  })

  test('HTTP 503: retried, then a redacted error; a single 503 is retried through', async () => {
    const {adapter, fake, id} = await placed()
    const path = `/accounts/${ACCOUNT}/orders/${id}`
    fake.setScenario({faults: [{method: 'GET', path, kind: 'status', status: 503, echoSecrets: true}]})
    const error = await adapter.orderStatus(ACCOUNT, id).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TastytradeApiError)
    expect((error as Error).message).toMatch(new RegExp(`^tastytrade: GET ${path} failed: HTTP 503 \\(server error\\) after 3 attempts`))
    for (const text of renderings(error)) for (const secret of secretsOf(fake)) expect(text).not.toContain(secret)
    expect(fake.requestsTo(path)).toHaveLength(3)
    fake.setScenario({faults: [{method: 'GET', path, kind: 'status', status: 503, times: 1}]})
    expect(await adapter.orderStatus(ACCOUNT, id)).toMatchObject({status: 'Live', state: 'working'})
  })

  test('a non-numeric id is refused before any request', async () => {
    const {adapter} = await placed()
    await expect(adapter.orderStatus(ACCOUNT, '1/../../x')).rejects.toThrow('not a tastytrade order id')
  })
})
