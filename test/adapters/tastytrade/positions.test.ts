/*
 * The real @tastytrade/api client against the local fake: how tastytrade's rows become domain
 * positions and balances, account mapping, scopes and credentials.
 */
import {chmodSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, describe, expect, test} from 'vitest'
import {createTastytrade, type TastytradeAdapter} from '../../../src/core/adapters/tastytrade/adapter.js'
import type {Position} from '../../../src/core/domain/types.js'
import {ExternalError, UserError} from '../../../src/core/errors.js'
import {
  ACCOUNT,
  CLIENT_SECRET,
  configFor,
  defaultBalances,
  defaultPositions,
  envFor,
  portfolio,
  REFRESH_TOKEN,
  startFakeTastytrade,
  withNumericQuantities,
  type Scenario,
} from '../../fake-tastytrade/index.js'

const ctx = {asOf: new Date('2026-01-05T15:00:00Z'), skipInvalid: false}
const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

async function setup(scenario: Partial<Scenario> = {}, opts: {config?: ReturnType<typeof configFor>; env?: NodeJS.ProcessEnv} = {}) {
  const fake = await startFakeTastytrade(scenario)
  cleanups.push(() => fake.close())
  const adapter = createTastytrade(opts.config ?? configFor(), opts.env ?? envFor(fake), {retryBaseMs: 2, httpTimeoutMs: 2000})
  cleanups.push(() => adapter.close())
  return {fake, adapter}
}

function bySymbol(positions: Position[]): Record<string, Position> {
  return Object.fromEntries(positions.map((p) => [p.symbol, p]))
}

describe('positions of the happy account', () => {
  test('signs, quantities, multipliers, internal symbols, marks and entry prices are mapped at the boundary', async () => {
    const {adapter} = await setup()
    const result = await adapter.fetch(portfolio(), ctx)
    const p = bySymbol(result.positions)

    expect(Object.keys(p).sort()).toEqual(['/ESH6', '/ESH6 2026-03-20 5800P', 'AAPL', 'AAPL 2026-06-18 170P', 'AAPL 2026-06-18 200C', 'BTC/USD', 'SPXW 2026-03-20 6100C', 'SPY 2026-03-20 550P'])
    // The Zero-direction MSFT row is a closed position: skipped silently, not reported.
    expect(result.skipped).toEqual([])

    expect(p.AAPL).toMatchObject({brokerSymbol: 'AAPL', instrumentType: 'equity', underlying: 'AAPL', quantity: 100, multiplier: 1, entryPrice: 180.5, markPrice: 190, currency: 'USD', portfolio: 'tt-main'})
    expect(p['AAPL 2026-06-18 170P']).toMatchObject({
      brokerSymbol: 'AAPL  260618P00170000',
      instrumentType: 'equity_option',
      underlying: 'AAPL',
      quantity: -2, // Short
      multiplier: 100,
      entryPrice: 5.2,
      markPrice: 4.1,
      option: {expiry: '2026-06-18', strike: 170, right: 'put', style: 'american'},
    })
    expect(p['AAPL 2026-06-18 200C']).toMatchObject({quantity: 3, entryPrice: 6, markPrice: 7.25, option: {right: 'call', strike: 200}})
    expect(p['SPY 2026-03-20 550P']).toMatchObject({quantity: -1, underlying: 'SPY'})
    // Index weekly: European, underlying SPX; no broker mark → mid of the option's own Quote.
    const spxw = p['SPXW 2026-03-20 6100C']
    expect(spxw).toMatchObject({underlying: 'SPX', quantity: 1, entryPrice: 120, option: {style: 'european', strike: 6100}})
    expect(spxw.markPrice).toBeGreaterThan(50)
    expect(p['/ESH6']).toMatchObject({instrumentType: 'future', quantity: 1, multiplier: 50, entryPrice: 6000.25, markPrice: 6050.5})
    expect(p['/ESH6 2026-03-20 5800P']).toMatchObject({
      brokerSymbol: './ESH6 EW3H6 260320P5800',
      instrumentType: 'future_option',
      underlying: '/ESH6',
      quantity: -2,
      multiplier: 50,
      entryPrice: 55.5,
      markPrice: 40.25,
      option: {expiry: '2026-03-20', strike: 5800, right: 'put', style: 'american'},
    })
    expect(p['BTC/USD']).toMatchObject({instrumentType: 'crypto', quantity: 0.5, multiplier: 1, entryPrice: 60000, markPrice: 95000})
  })

  test('marks say what they are: live mark-price, DXLink quote mid, or after hours the previous close labelled as such', async () => {
    const rows = defaultPositions().map((r) => (r.symbol === 'AAPL' ? (({'mark-price': _m, mark: _t, ...rest}) => rest)(r) : r))
    const {adapter} = await setup({positions: rows})
    const result = await adapter.fetch(portfolio(), ctx)
    const p = bySymbol(result.positions)
    expect(p['AAPL 2026-06-18 170P']).toMatchObject({markPrice: 4.1, markSource: 'live', markAsOf: '2026-01-05T15:00:00.000Z'})
    expect(p['SPXW 2026-03-20 6100C']).toMatchObject({markSource: 'quote_mid', markAsOf: '2026-01-05T15:00:00.000Z'})
    // No mark-price: the live DXLink quote of the stock marks it (mid of 189.90 / 190.10).
    expect(p.AAPL).toMatchObject({markPrice: 190, markSource: 'quote_mid', markAsOf: '2026-01-05T15:00:00.000Z'})
  })

  test('no mark-price and no live quote (after hours, feed silent): the previous close, labelled and dated', async () => {
    const rows = defaultPositions().map((r) => (r.symbol === 'AAPL' ? (({'mark-price': _m, mark: _t, ...rest}) => rest)(r) : r))
    const {adapter} = await setup({positions: rows, dxlink: {authorize: true, dropOnce: false, lateFeedConfigMs: 0, fieldOrder: 'accepted', silent: ['AAPL']}})
    const result = await adapter.fetch(portfolio(), ctx)
    const p = bySymbol(result.positions)
    // close-price 189.2 stands in, dated at the last close (Fri 2026-01-02 16:00 New York).
    expect(p.AAPL).toMatchObject({markPrice: 189.2, markSource: 'previous_close', markAsOf: '2026-01-02T21:00:00.000Z'})
    expect(result.warnings).toContainEqual(expect.stringMatching(/no live mark for AAPL: shown at the previous close/))
  })

  test('underlying prices come from the feed: Quote mid, or Trade where an index has no Quote', async () => {
    const {adapter} = await setup()
    const p = bySymbol((await adapter.fetch(portfolio(), ctx)).positions)
    expect(p['AAPL 2026-06-18 170P']).toMatchObject({underlyingPrice: 190, underlyingPriceSource: 'feed'})
    expect(p['SPY 2026-03-20 550P'].underlyingPrice).toBeCloseTo(600.2, 10)
    expect(p['SPXW 2026-03-20 6100C']).toMatchObject({underlyingPrice: 6012.5, underlyingPriceSource: 'feed'}) // Trade
    expect(p['/ESH6 2026-03-20 5800P']).toMatchObject({underlyingPrice: 6050.5, underlyingPriceSource: 'feed'}) // future's quote via /instruments/futures
    expect(p.AAPL).toMatchObject({underlyingPrice: 190, underlyingPriceSource: 'feed'})
    // Linear instruments get no Greeks from the adapter (never 0): the model sets delta 1 later.
    expect(p.AAPL).toMatchObject({greeks: null, greeksSource: 'none'})
    expect(p['BTC/USD']).toMatchObject({greeks: null, greeksSource: 'none', underlyingPriceSource: 'none'})
  })

  test('asks for marks, for instruments in bracketed batches, and takes one token for the whole fetch', async () => {
    const {adapter, fake} = await setup()
    await adapter.fetch(portfolio(), ctx)
    expect(fake.requestsTo(`/accounts/${ACCOUNT}/positions`)[0].query['include-marks']).toEqual(['true'])
    expect(fake.requestsTo('/instruments/equity-options')[0].query['symbol[]']).toContain('SPXW  260320C06100000')
    expect(fake.requestsTo('/instruments/futures')[0].query['symbol[]']).toEqual(['/ESH6'])
    // The SDK has no single-flight token refresh (doc §1.3); the adapter's concurrent calls share one.
    expect(fake.state.tokenCalls).toBe(1)
    expect(fake.state.tokenScopes).toEqual(['read'])
  })

  test('quantities as JSON numbers map the same as strings', async () => {
    const {adapter} = await setup({positions: withNumericQuantities(defaultPositions())})
    const p = bySymbol((await adapter.fetch(portfolio(), ctx)).positions)
    expect(p.AAPL.quantity).toBe(100)
    expect(p['AAPL 2026-06-18 170P'].quantity).toBe(-2)
    expect(p['BTC/USD'].quantity).toBe(0.5)
    expect(Object.keys(p)).toHaveLength(8)
  })
})

describe('balances', () => {
  const expected = {equity: 543557.677, cash: 51600.762, buyingPower: 18078.5, maintenanceRequirement: 432279.234}

  test('from /balances/USD', async () => {
    const {adapter, fake} = await setup({balancesShape: 'usd'})
    expect((await adapter.fetch(portfolio(), ctx)).balances).toEqual(expected)
    expect(fake.requestsTo(`/accounts/${ACCOUNT}/balances`)).toHaveLength(0)
  })

  test('/balances/USD missing → /balances as a single object', async () => {
    const {adapter, fake} = await setup({balancesShape: 'object'})
    expect((await adapter.fetch(portfolio(), ctx)).balances).toEqual(expected)
    expect(fake.requestsTo(`/accounts/${ACCOUNT}/balances/USD`)[0].status).toBe(404)
    expect(fake.requestsTo(`/accounts/${ACCOUNT}/balances`)).toHaveLength(1)
  })

  test('/balances/USD missing → /balances as a per-currency list (the USD entry)', async () => {
    const {adapter} = await setup({balancesShape: 'list'})
    expect((await adapter.fetch(portfolio(), ctx)).balances).toEqual(expected)
  })

  test('equity buying power when derivative buying power is absent; unknown numbers are null', async () => {
    const {'derivative-buying-power': _d, 'maintenance-requirement': _m, ...rest} = defaultBalances()
    const {adapter} = await setup({balances: rest})
    expect((await adapter.fetch(portfolio(), ctx)).balances).toEqual({...expected, buyingPower: 20078.762, maintenanceRequirement: null})
  })
})

describe('accounts, scopes and unusable rows', () => {
  test('an account the credentials cannot see fails that portfolio, listing the visible ones', async () => {
    const {adapter} = await setup({accounts: ['5WT0002', '5WT0003']})
    const error = await adapter.fetch(portfolio(), ctx).catch((e) => e)
    expect(error).toBeInstanceOf(ExternalError)
    expect(error.message).toBe('tastytrade: portfolio "tt-main": account 5WT0001 is not visible to these credentials (visible: 5WT0002, 5WT0003)')
  })

  test('the trade scope only when a tastytrade portfolio has trading enabled', async () => {
    const fake = await startFakeTastytrade()
    cleanups.push(() => fake.close())
    const adapter = createTastytrade(configFor({portfolios: [portfolio({tradingEnabled: true})]}), envFor(fake), {retryBaseMs: 2})
    cleanups.push(() => adapter.close())
    await adapter.fetch(portfolio({tradingEnabled: true}), ctx)
    expect(fake.state.tokenScopes).toEqual(['read trade'])
  })

  test('an instrument type cotrader does not model never fails the portfolio: kept with the broker\'s numbers, Greeks unknown, named in a warning', async () => {
    const bond = {symbol: 'US912828ZT04', 'instrument-type': 'Bond', 'underlying-symbol': 'US912828ZT04', quantity: '10', 'quantity-direction': 'Long', 'average-open-price': '99.5', 'mark-price': '98.25', mark: '982.5', multiplier: 1}
    const {adapter} = await setup({positions: [...defaultPositions(), bond]})
    const result = await adapter.fetch(portfolio(), ctx)
    expect(result.positions).toHaveLength(9)
    expect(result.skipped).toEqual([])
    const kept = bySymbol(result.positions).US912828ZT04
    expect(kept).toMatchObject({quantity: 10, multiplier: 1, entryPrice: 99.5, markPrice: 98.25, greeks: null, greeksSource: 'none'})
    expect(kept.opaque).toMatch(/instrument type "Bond"/)
    expect(result.warnings).toContainEqual(expect.stringMatching(/1 position not understood.*"US912828ZT04".*Greeks unknown/))
  })

  test('a row without a usable direction still fails the portfolio, or is listed under --skip-invalid', async () => {
    const broken = {symbol: 'QQQ', 'instrument-type': 'Equity', 'underlying-symbol': 'QQQ', quantity: '10', 'quantity-direction': 'Sideways', multiplier: 1}
    const {adapter} = await setup({positions: [...defaultPositions(), broken]})
    const error = await adapter.fetch(portfolio(), ctx).catch((e) => e)
    expect(error).toBeInstanceOf(ExternalError)
    expect(error.message).toMatch(/portfolio "tt-main".*"QQQ": quantity-direction "Sideways".*--skip-invalid/)
    const result = await adapter.fetch(portfolio(), {...ctx, skipInvalid: true})
    expect(result.positions).toHaveLength(8)
    expect(result.skipped).toEqual([{line: 0, reason: expect.stringContaining('quantity-direction "Sideways"')}])
  })
})

describe('credentials', () => {
  test('missing credentials: unavailable() says what to set, fetch() refuses with a UserError', async () => {
    const {adapter} = await setup({}, {env: {}})
    expect(adapter.unavailable()).toBe('set TASTYTRADE_CLIENT_SECRET and TASTYTRADE_REFRESH_TOKEN (or tastytrade.credentials_file in the config)')
    await expect(adapter.fetch(portfolio(), ctx)).rejects.toBeInstanceOf(UserError)
  })

  test('one of the two variables set: configured but unusable, so fetch() fails naming the missing one', async () => {
    const {adapter} = await setup({}, {env: {TASTYTRADE_CLIENT_SECRET: CLIENT_SECRET}})
    expect(adapter.unavailable()).toBeNull()
    await expect(adapter.fetch(portfolio(), ctx)).rejects.toThrow(/TASTYTRADE_REFRESH_TOKEN is not set; /)
  })

  function credentialsFile(mode: number, content: unknown = {client_secret: CLIENT_SECRET, refresh_token: REFRESH_TOKEN}): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'cotrader-tt-'))
    cleanups.push(() => rmSync(dir, {recursive: true, force: true}))
    const file = path.join(dir, 'tastytrade.json')
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content))
    chmodSync(file, mode)
    return file
  }

  test.skipIf(process.platform === 'win32')('a credentials file readable by others is refused with the chmod to run', async () => {
    const file = credentialsFile(0o644)
    const fake = await startFakeTastytrade()
    cleanups.push(() => fake.close())
    const adapter: TastytradeAdapter = createTastytrade(configFor({credentialsFile: file}), envFor(fake, false))
    cleanups.push(() => adapter.close())
    expect(adapter.unavailable()).toBeNull() // configured, so the portfolio fails rather than being skipped
    const error = await adapter.fetch(portfolio(), ctx).catch((e) => e)
    expect(error.message).toContain(`tastytrade credentials file ${file} is accessible by other users (mode 0644); run chmod 600 ${file}`)
    expect(error).toBeInstanceOf(UserError)
    expect(error.message).toContain(`chmod 600 ${file}`)
    expect(fake.state.requests).toHaveLength(0)
  })

  test('a 0600 credentials file is used', async () => {
    const file = credentialsFile(0o600)
    const fake = await startFakeTastytrade()
    cleanups.push(() => fake.close())
    const adapter = createTastytrade(configFor({credentialsFile: file}), envFor(fake, false), {retryBaseMs: 2})
    cleanups.push(() => adapter.close())
    expect(adapter.unavailable()).toBeNull()
    expect((await adapter.fetch(portfolio(), ctx)).positions).toHaveLength(8)
  })

  test('a credentials file without the keys, or not JSON, says so without echoing its content', async () => {
    const partial = credentialsFile(0o600, {client_secret: CLIENT_SECRET})
    const a = createTastytrade(configFor({credentialsFile: partial}), {})
    expect(a.unavailable()).toBeNull()
    await expect(a.fetch(portfolio(), ctx)).rejects.toThrow(/lacks refresh_token/)
    const garbage = credentialsFile(0o600, `{"client_secret": "${CLIENT_SECRET}", oops`)
    const why = ((await createTastytrade(configFor({credentialsFile: garbage}), {}).fetch(portfolio(), ctx).catch((e) => e)) as Error).message
    expect(why).toMatch(/is not valid JSON/)
    expect(why).not.toContain(CLIENT_SECRET)
  })
})
