/*
 * Order dry runs and placement through the real SDK: dash-case leg keys (the SDK does not
 * dasherize array items, doc §2.2), signed buying-power effect and fees, preflight rejections,
 * and no placement without trading_enabled.
 */
import TastytradeClient from '@tastytrade/api'
import {afterEach, describe, expect, test} from 'vitest'
import {createTastytrade, type OrderRequest} from '../../../src/core/adapters/tastytrade/adapter.js'
import {ExternalError, UserError} from '../../../src/core/errors.js'
import {ACCOUNT, CLIENT_SECRET, configFor, envFor, portfolio, REFRESH_TOKEN, renderings, secretsOf, startFakeTastytrade, type Scenario} from '../../fake-tastytrade/index.js'

const DRY_RUN = `/accounts/${ACCOUNT}/orders/dry-run`
const ORDERS = `/accounts/${ACCOUNT}/orders`
const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

async function setup(scenario: Partial<Scenario> = {}, tradingEnabled = false) {
  const fake = await startFakeTastytrade(scenario)
  cleanups.push(() => fake.close())
  const adapter = createTastytrade(configFor({portfolios: [portfolio({tradingEnabled})]}), envFor(fake), {retryBaseMs: 2})
  cleanups.push(() => adapter.close())
  return {fake, adapter}
}

const putSpread: OrderRequest = {
  orderType: 'Limit',
  timeInForce: 'Day',
  price: 1.35,
  priceEffect: 'Credit',
  legs: [
    {instrumentType: 'equity_option', symbol: 'SPY   260320P00550000', quantity: 1, action: 'Sell to Open'},
    // The internal form is accepted and sent as padded OCC.
    {instrumentType: 'equity_option', symbol: 'SPY 2026-03-20 540P', quantity: 1, action: 'Buy to Open'},
  ],
}

describe('dry run', () => {
  test('sends dash-case legs and returns signed buying-power effect and fees, no order id', async () => {
    const {adapter, fake} = await setup()
    const result = await adapter.dryRunOrder(ACCOUNT, putSpread)
    expect(result).toEqual({buyingPowerEffect: -102.302, fees: -2.302, warnings: [], status: 'Received'})
    expect(fake.state.lastOrder).toEqual({
      'time-in-force': 'Day',
      'order-type': 'Limit',
      price: '1.35',
      'price-effect': 'Credit',
      legs: [
        {'instrument-type': 'Equity Option', symbol: 'SPY   260320P00550000', quantity: 1, action: 'Sell to Open'},
        {'instrument-type': 'Equity Option', symbol: 'SPY   260320P00540000', quantity: 1, action: 'Buy to Open'},
      ],
    })
    expect(fake.requestsTo(DRY_RUN)[0].status).toBe(201)
  })

  test('a buying-power release and broker warnings come through with their signs and codes', async () => {
    const {adapter} = await setup({orders: {buyingPowerChange: 250, fees: -1.1, warnings: [{code: 'tif.next_valid_session', message: 'Your order will begin working during next valid session.'}]}})
    expect(await adapter.dryRunOrder(ACCOUNT, putSpread)).toEqual({
      buyingPowerEffect: 250,
      fees: -1.1,
      warnings: ['tif.next_valid_session: Your order will begin working during next valid session.'],
      status: 'Received',
    })
  })

  test('a 422 preflight_check_failure → ExternalError with the broker reasons', async () => {
    const {adapter, fake} = await setup({orders: {buyingPowerChange: 0, fees: 0, reject: [{code: 'insufficient_buying_power', message: 'Not enough buying power.'}]}})
    const error = await adapter.dryRunOrder(ACCOUNT, putSpread).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ExternalError)
    expect((error as Error).message).toBe(
      'tastytrade: POST /accounts/5WT0001/orders/dry-run failed: HTTP 422 (rejected) — preflight_check_failure: One or more preflight checks failed (insufficient_buying_power: Not enough buying power.)',
    )
    expect((error as {reasons: string[]}).reasons).toEqual(['insufficient_buying_power: Not enough buying power.'])
    expect(fake.requestsTo(DRY_RUN)).toHaveLength(1) // 422 is an answer, not retried
    for (const text of renderings(error)) for (const secret of secretsOf(fake)) expect(text).not.toContain(secret)
  })

  test('buying for a credit is refused by preflight', async () => {
    const {adapter} = await setup()
    const order: OrderRequest = {price: 1, priceEffect: 'Credit', legs: [{instrumentType: 'equity_option', symbol: 'AAPL  260618C00200000', quantity: 1, action: 'Buy to Open'}]}
    await expect(adapter.dryRunOrder(ACCOUNT, order)).rejects.toThrow(/cant_buy_for_credit: You cannot buy for a credit\./)
  })

  test('the SDK alone would send camelCase legs, which the fake (like the real API) rejects', async () => {
    const fake = await startFakeTastytrade()
    cleanups.push(() => fake.close())
    const client = new TastytradeClient({...TastytradeClient.ProdConfig, baseUrl: fake.url, accountStreamerUrl: 'ws://unused', clientSecret: CLIENT_SECRET, refreshToken: REFRESH_TOKEN, oauthScopes: ['read']})
    const status = await client.orderService
      .postOrderDryRun(ACCOUNT, {timeInForce: 'Day', orderType: 'Limit', price: '1.5', priceEffect: 'Debit', legs: [{instrumentType: 'Equity Option', symbol: 'AAPL  260618C00200000', quantity: 1, action: 'Buy to Open'}]})
      .then(
        () => 'accepted',
        (e: {response?: {status?: number}}) => e.response?.status,
      )
    expect(status).toBe(422)
    const body = fake.state.lastOrder as {legs: object[]}
    expect(Object.keys(body)).toContain('time-in-force') // top level dasherized by the SDK …
    expect(Object.keys(body.legs[0])).toContain('instrumentType') // … array items not (doc §2.2)
  })

  test('invalid orders are the user’s to fix, before any request', async () => {
    const {adapter, fake} = await setup()
    await expect(adapter.dryRunOrder(ACCOUNT, {legs: []})).rejects.toBeInstanceOf(UserError)
    await expect(adapter.dryRunOrder(ACCOUNT, {...putSpread, price: undefined})).rejects.toThrow('a limit order needs a positive price')
    await expect(adapter.dryRunOrder(ACCOUNT, {...putSpread, legs: [{...putSpread.legs[0], quantity: 0}]})).rejects.toThrow('leg 1: quantity must be positive, got 0')
    expect(fake.state.requests).toHaveLength(0)
  })

  test('an account the credentials cannot see', async () => {
    const {adapter} = await setup()
    await expect(adapter.dryRunOrder('5ZZ9999', putSpread)).rejects.toThrow('tastytrade: account 5ZZ9999 is not visible to these credentials (visible: 5WT0001, 5WT0002)')
  })
})

describe('placing orders', () => {
  test('refused unless the account’s portfolio has trading_enabled', async () => {
    const {adapter, fake} = await setup({}, false)
    const error = await adapter.placeOrder(ACCOUNT, putSpread).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UserError)
    expect((error as Error).message).toBe('trading is not enabled for tastytrade account 5WT0001; set trading_enabled: true on its portfolio "tt-main"')
    expect(fake.requestsTo(ORDERS)).toHaveLength(0)
  })

  test('with trading enabled: the order id and status, under the trade scope', async () => {
    const {adapter, fake} = await setup({}, true)
    expect(await adapter.placeOrder(ACCOUNT, putSpread)).toEqual({buyingPowerEffect: -102.302, fees: -2.302, warnings: [], orderId: '420001', status: 'Routed'})
    expect(fake.state.ordersPlaced).toBe(1)
    expect(fake.state.tokenScopes).toEqual(['read trade'])
  })

  test('a 5xx is not retried (the order may have gone through); a 429 is', async () => {
    const {adapter, fake} = await setup({faults: [{method: 'POST', path: ORDERS, kind: 'status', status: 503}]}, true)
    await expect(adapter.placeOrder(ACCOUNT, putSpread)).rejects.toThrow('tastytrade: POST /accounts/5WT0001/orders failed: HTTP 503 (server error) — internal_server_error')
    expect(fake.requestsTo(ORDERS, 'POST')).toHaveLength(1)

    fake.setScenario({faults: [{method: 'POST', path: ORDERS, kind: 'status', status: 429, times: 1}]})
    expect((await adapter.placeOrder(ACCOUNT, putSpread)).orderId).toBe('420001')
    expect(fake.requestsTo(ORDERS, 'POST').map((r) => r.status)).toEqual([503, 429, 201])
  })
})
