/*
 * DXLink through the real @dxfeed/dxlink-api client against the fake: Greeks units, the model
 * agreement, NaN and missing data, late FEED_CONFIG, reconnects, a feed that never authorises,
 * and the MarketDataProvider side.
 */
import {afterEach, describe, expect, test, vi} from 'vitest'
import {createTastytrade, normaliseFeedGreeks} from '../../../src/core/adapters/tastytrade/adapter.js'
import {modelFor} from '../../../src/core/domain/greeks.js'
import {yearsToExpiry} from '../../../src/core/domain/time.js'
import type {Position} from '../../../src/core/domain/types.js'
import {priceGreeks} from '../../../src/core/pricing/index.js'
import {AS_OF, configFor, defaultInstruments, envFor, OTHER_ACCOUNT, portfolio, RATE, startFakeTastytrade, type Scenario} from '../../fake-tastytrade/index.js'

const asOf = new Date(AS_OF)
const ctx = {asOf, skipInvalid: false}
const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  vi.restoreAllMocks()
  while (cleanups.length > 0) await cleanups.pop()!()
})

async function fetchWith(scenario: Partial<Scenario> = {}, greeksWaitSeconds = 1) {
  const fake = await startFakeTastytrade(scenario)
  cleanups.push(() => fake.close())
  const adapter = createTastytrade(configFor({greeksWaitSeconds}), envFor(fake), {retryBaseMs: 2, httpTimeoutMs: 2000})
  cleanups.push(() => adapter.close())
  const started = Date.now()
  const result = await adapter.fetch(portfolio(), ctx)
  return {fake, adapter, result, elapsed: Date.now() - started, p: Object.fromEntries(result.positions.map((q) => [q.symbol, q])) as Record<string, Position>}
}

const OPTIONS = ['AAPL 2026-06-18 170P', 'AAPL 2026-06-18 200C', 'SPY 2026-03-20 550P', 'SPXW 2026-03-20 6100C', '/ESH6 2026-03-20 5800P']

/** Relative closeness that also works near zero. */
function expectClose(actual: number, expected: number, rel = 1e-9) {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(expected)))
}

describe('Greeks from the feed', () => {
  test('feed IV in → model Greeks out agree with the normalised feed Greeks (no rescaling on the way)', async () => {
    const {p, result} = await fetchWith()
    for (const symbol of OPTIONS) {
      const q = p[symbol]
      expect(q.greeksSource, symbol).toBe('feed')
      expect(q.iv, symbol).not.toBeNull()
      const model = priceGreeks(
        {right: q.option!.right, spot: q.underlyingPrice!, strike: q.option!.strike, years: yearsToExpiry(q.option!.expiry, q.currency, asOf), rate: RATE, dividend: 0, vol: q.iv!},
        // The fake streams European Black-76 Greeks for its futures option (scenario.ts); ours is American (CME), which differs slightly.
        q.instrumentType === 'future_option' ? {model: 'black76', style: 'european'} : modelFor(q),
      )
      for (const greek of ['delta', 'gamma', 'theta', 'vega', 'rho'] as const) expectClose(q.greeks![greek], model[greek])
    }
    expect(p['AAPL 2026-06-18 200C'].iv).toBe(0.25)
    expect(result.warnings).toEqual([])
  })

  test('units pinned independently of the pricing module: closed-form BSM per day / per vol point / per rate point', async () => {
    // European SPXW call: delta N(d1), gamma φ(d1)/(Sσ√T), theta per calendar day, vega and rho per 0.01.
    const {p} = await fetchWith()
    const q = p['SPXW 2026-03-20 6100C']
    const [S, K, r, sigma] = [6012.5, 6100, RATE, 0.16]
    const T = yearsToExpiry('2026-03-20', 'USD', asOf)
    const d1 = (Math.log(S / K) + (r + sigma ** 2 / 2) * T) / (sigma * Math.sqrt(T))
    const d2 = d1 - sigma * Math.sqrt(T)
    const expected = {
      delta: normCdf(d1),
      gamma: normPdf(d1) / (S * sigma * Math.sqrt(T)),
      theta: (-(S * normPdf(d1) * sigma) / (2 * Math.sqrt(T)) - r * K * Math.exp(-r * T) * normCdf(d2)) / 365,
      vega: (S * normPdf(d1) * Math.sqrt(T)) / 100,
      rho: (K * T * Math.exp(-r * T) * normCdf(d2)) / 100,
    }
    for (const greek of ['delta', 'gamma', 'theta', 'vega', 'rho'] as const) expectClose(q.greeks![greek], expected[greek], 1e-5)
    // Magnitudes a trader would recognise for a 2½-month ATM SPX call: ≈ $10.8 per vol point, ≈ −$1.46 a day.
    expect(q.greeks!.vega).toBeGreaterThan(5)
    expect(q.greeks!.vega).toBeLessThan(20)
    expect(q.greeks!.theta).toBeLessThan(-0.5)
    expect(q.greeks!.theta).toBeGreaterThan(-3)
  })

  test('the same Greeks when the server picks its own field order and extra fields (read by name)', async () => {
    const accepted = (await fetchWith()).p
    const server = (await fetchWith({dxlink: {authorize: true, dropOnce: false, lateFeedConfigMs: 0, fieldOrder: 'server', silent: []}})).p
    for (const symbol of OPTIONS) expect(server[symbol].greeks, symbol).toEqual(accepted[symbol].greeks)
    expect(server['SPY 2026-03-20 550P'].underlyingPrice).toBeCloseTo(600.2, 10)
  })

  test('"NaN" Greeks → greeks null, source none, a note, and a warning; never zeros', async () => {
    const {p, result, elapsed} = await fetchWith({nanGreeks: ['.SPY260320P550']}, 5)
    const spy = p['SPY 2026-03-20 550P']
    expect(spy).toMatchObject({greeks: null, greeksSource: 'none', iv: null})
    expect(spy.greeksNote).toBe('DXLink sent no usable Greeks (delta "NaN", gamma "NaN", theta "NaN", vega "NaN", rho "NaN") for .SPY260320P550')
    expect(p['AAPL 2026-06-18 170P'].greeksSource).toBe('feed')
    expect(result.warnings).toEqual([expect.stringMatching(/^1 of 5 options have no feed Greeks \(SPY 2026-03-20 550P: DXLink sent no usable Greeks.*model Greeks will be used$/)])
    // A NaN event still counts as arrived: no waiting out the 5 s.
    expect(elapsed).toBeLessThan(3000)
  })

  test('missing streamer symbols: equity options derive theirs from OCC; futures options go without (noted)', async () => {
    const instruments = defaultInstruments()
    instruments['AAPL  260618C00200000'] = {streamerSymbol: null, exerciseStyle: 'American'}
    instruments['./ESH6 EW3H6 260320P5800'] = {streamerSymbol: null, exerciseStyle: 'American'}
    const {p, result, fake} = await fetchWith({instruments})
    expect(p['AAPL 2026-06-18 200C'].greeksSource).toBe('feed')
    expect(fake.state.wsMessages.some((m) => JSON.stringify(m).includes('"symbol":".AAPL260618C200"'))).toBe(true)
    expect(p['/ESH6 2026-03-20 5800P']).toMatchObject({greeks: null, greeksSource: 'none', greeksNote: expect.stringContaining('no streamer symbol for this futures option')})
    // Its underlying (the future) is still priced from the feed.
    expect(p['/ESH6 2026-03-20 5800P'].underlyingPrice).toBe(6050.5)
    expect(result.warnings[0]).toMatch(/^1 of 5 options have no feed Greeks/)
  })

  test('a failed instrument lookup only warns; equity options still get feed Greeks through derived symbols', async () => {
    const {p, result} = await fetchWith({faults: [{path: '/instruments/equity-options', kind: 'status', status: 500}]})
    expect(p['AAPL 2026-06-18 170P'].greeksSource).toBe('feed')
    expect(p['SPXW 2026-03-20 6100C'].option!.style).toBe('european') // from the index-root rule
    expect(result.warnings).toContainEqual(expect.stringMatching(/^instrument lookup failed \(GET \/instruments\/equity-options failed: HTTP 500 \(server error\) after 3 attempts — internal_server_error: .*\): equity options use streamer symbols derived from OCC/))
  })

  test('late FEED_CONFIG: data sent before its eventFields is dropped quietly, the data after it is used', async () => {
    const consoleCalls = silenceConsole()
    const {p, elapsed} = await fetchWith({dxlink: {authorize: true, dropOnce: false, lateFeedConfigMs: 400, fieldOrder: 'accepted', silent: []}}, 5)
    for (const symbol of OPTIONS) expect(p[symbol].greeksSource, symbol).toBe('feed')
    expect(elapsed).toBeGreaterThanOrEqual(400)
    expect(elapsed).toBeLessThan(4000)
    expect(consoleCalls()).toEqual([])
  })

  test('a socket that drops once: the client reconnects and the data still arrives', async () => {
    const {p, fake, result} = await fetchWith({dxlink: {authorize: true, dropOnce: true, lateFeedConfigMs: 0, fieldOrder: 'accepted', silent: []}}, 6)
    expect(fake.state.wsConnections).toBe(2)
    for (const symbol of OPTIONS) expect(p[symbol].greeksSource, symbol).toBe('feed')
    expect(result.warnings).toEqual([])
  })

  test('a socket that never authorises: positions come through with greeks none, a warning, and no waiting', async () => {
    const consoleCalls = silenceConsole()
    const {p, result, elapsed, fake} = await fetchWith({dxlink: {authorize: false, dropOnce: false, lateFeedConfigMs: 0, fieldOrder: 'accepted', silent: []}}, 5)
    expect(Object.keys(p)).toHaveLength(8)
    for (const symbol of OPTIONS) {
      expect(p[symbol]).toMatchObject({greeks: null, greeksSource: 'none', greeksNote: expect.stringContaining('DXLink unavailable: DXLink did not authorise the quote token')})
    }
    expect(p['AAPL 2026-06-18 170P'].markPrice).toBe(4.1) // broker data intact
    expect(p['AAPL 2026-06-18 170P'].underlyingPriceSource).toBe('none')
    expect(result.warnings).toEqual([expect.stringMatching(/^DXLink failed \(DXLink did not authorise the quote token.*model Greeks will be used$/)])
    expect(elapsed).toBeLessThan(3000)
    expect(fake.state.wsConnections).toBe(1) // the client gives up after an UNAUTHORIZED close (doc §9.3)
    expect(consoleCalls()).toEqual([])
  })

  test('no quote token: a warning, positions intact', async () => {
    const {p, result} = await fetchWith({faults: [{path: '/api-quote-tokens', kind: 'status', status: 403, code: 'quote_streamer.customer_not_found_error', message: 'You must be a customer to access a quote stream.'}]})
    expect(Object.keys(p)).toHaveLength(8)
    expect(p['SPY 2026-03-20 550P'].greeksNote).toBe(
      'DXLink unavailable: GET /api-quote-tokens failed: HTTP 403 (forbidden) — quote_streamer.customer_not_found_error: You must be a customer to access a quote stream.',
    )
    expect(result.warnings[0]).toMatch(/^DXLink failed \(GET \/api-quote-tokens failed/)
  })

  test('a symbol that never gets data is waited for at most greeksWaitSeconds, then noted', async () => {
    const {p, elapsed, result} = await fetchWith({dxlink: {authorize: true, dropOnce: false, lateFeedConfigMs: 0, fieldOrder: 'accepted', silent: ['.SPY260320P550']}}, 0.6)
    expect(elapsed).toBeGreaterThanOrEqual(550)
    expect(elapsed).toBeLessThan(2500)
    expect(p['SPY 2026-03-20 550P']).toMatchObject({greeks: null, greeksSource: 'none', greeksNote: 'no Greeks from DXLink for .SPY260320P550 within 0.6 s'})
    expect(result.warnings[0]).toMatch(/^1 of 5 options/)
  })

  test('finishes as soon as everything has arrived, far inside a long wait', async () => {
    const {elapsed} = await fetchWith({}, 20)
    expect(elapsed).toBeLessThan(3000)
  })

  test('later fetches reuse the quote token; after a DXLink failure a new token is fetched', async () => {
    const unauthorised = {authorize: false, dropOnce: false, lateFeedConfigMs: 0, fieldOrder: 'accepted' as const, silent: []}
    const fake = await startFakeTastytrade()
    cleanups.push(() => fake.close())
    const adapter = createTastytrade(configFor(), envFor(fake), {retryBaseMs: 2})
    cleanups.push(() => adapter.close())
    const feedCount = async () => (await adapter.fetch(portfolio(), ctx)).positions.filter((q) => q.greeksSource === 'feed').length
    expect(await feedCount()).toBe(5)
    expect(await feedCount()).toBe(5)
    expect(fake.requestsTo('/api-quote-tokens')).toHaveLength(1)
    expect(fake.state.wsConnections).toBe(2) // disconnected when idle, reconnected with the same token
    fake.setScenario({dxlink: unauthorised})
    expect(await feedCount()).toBe(0)
    fake.setScenario({dxlink: {...unauthorised, authorize: true}})
    expect(await feedCount()).toBe(5)
    expect(fake.requestsTo('/api-quote-tokens')).toHaveLength(2)
  })

  test('two portfolios fetched at once share one DXLink connection', async () => {
    const fake = await startFakeTastytrade({dxlink: {authorize: true, dropOnce: false, lateFeedConfigMs: 0, fieldOrder: 'accepted', silent: ['.SPY260320P550']}})
    cleanups.push(() => fake.close())
    const second = portfolio({name: 'tt-ira', account: OTHER_ACCOUNT})
    const adapter = createTastytrade(configFor({portfolios: [portfolio(), second], greeksWaitSeconds: 0.8}), envFor(fake), {retryBaseMs: 2})
    cleanups.push(() => adapter.close())
    const [a, b] = await Promise.all([adapter.fetch(portfolio(), ctx), adapter.fetch(second, ctx)])
    expect(a.positions).toHaveLength(8)
    expect(b.positions.every((q) => q.portfolio === 'tt-ira')).toBe(true)
    expect(fake.state.wsConnections).toBe(1)
    expect(fake.requestsTo('/api-quote-tokens')).toHaveLength(1)
  })
})

describe('market data for file-fed portfolios', () => {
  test('snapshot(): underlying prices and feed Greeks keyed by internal symbol', async () => {
    const fake = await startFakeTastytrade()
    cleanups.push(() => fake.close())
    const adapter = createTastytrade(configFor(), envFor(fake), {retryBaseMs: 2})
    cleanups.push(() => adapter.close())
    const snap = await adapter.snapshot(
      ['AAPL', 'SPX', '/ESH6', 'NOPE'],
      [
        {symbol: 'AAPL 2026-06-18 170P', underlying: 'AAPL', expiry: '2026-06-18', strike: 170, right: 'put'},
        {symbol: 'SPXW 2026-03-20 6100C', underlying: 'SPX', expiry: '2026-03-20', strike: 6100, right: 'call'},
      ],
    )
    expect(Object.fromEntries(snap.quotes)).toEqual({AAPL: 190, SPX: 6012.5, '/ESH6': 6050.5})
    const put = snap.greeks.get('AAPL 2026-06-18 170P')!
    expect(put.iv).toBe(0.27)
    expect(put.price).toBeGreaterThan(0)
    const fetched = (await adapter.fetch(portfolio(), ctx)).positions.find((q) => q.symbol === 'AAPL 2026-06-18 170P')!
    expect(put.greeks).toEqual(fetched.greeks)
    expect(snap.greeks.get('SPXW 2026-03-20 6100C')!.greeks.vega).toBeGreaterThan(5)
  })

  test('snapshot() rejects with an ExternalError when the feed is unusable, so the caller can warn', async () => {
    const fake = await startFakeTastytrade({dxlink: {authorize: false, dropOnce: false, lateFeedConfigMs: 0, fieldOrder: 'accepted', silent: []}})
    cleanups.push(() => fake.close())
    const adapter = createTastytrade(configFor(), envFor(fake), {retryBaseMs: 2})
    cleanups.push(() => adapter.close())
    await expect(adapter.snapshot(['AAPL'], [])).rejects.toThrow(/^tastytrade market data: DXLink did not authorise the quote token/)
  })
})

describe('the feed convention, checked against a real dxFeed event', () => {
  // A real DXLink Greeks event (FULL format) captured 2.83 calendar days before expiry.
  const real = {eventType: 'Greeks', eventSymbol: '.SPY251114P669', time: 1762909161782, delta: -0.0881810723238528, gamma: 0.01488693155056913, volatility: 0.1781222921119322, rho: -0.00472942553333986, theta: -0.301884576819244, vega: 0.0964716472026524}

  test('normalised, it matches the pricing model (units: per calendar day, per vol point, per rate point)', () => {
    const reading = normaliseFeedGreeks(real)
    if (!reading.ok) throw new Error(reading.why)
    const at = new Date(real.time)
    const years = yearsToExpiry('2025-11-14', 'USD', at)
    expect(years * 365).toBeCloseTo(2.834, 2)
    // The capture has no underlying price: solve it from delta (monotonic in spot).
    const input = (spot: number) => ({right: 'put' as const, spot, strike: 669, years, rate: 0.04, dividend: 0, vol: reading.iv!})
    let [lo, hi] = [600, 760]
    for (let i = 0; i < 100; i++) {
      const mid = (lo + hi) / 2
      if (priceGreeks(input(mid), {model: 'bsm', style: 'european'}).delta < real.delta) lo = mid
      else hi = mid
    }
    const model = priceGreeks(input((lo + hi) / 2), {model: 'bsm', style: 'european'})
    const within = (actual: number, expected: number, rel: number) => expect(Math.abs(actual / expected - 1)).toBeLessThan(rel)
    within(reading.greeks.gamma, model.gamma, 0.01)
    within(reading.greeks.vega, model.vega, 0.01)
    within(reading.greeks.rho, model.rho, 0.02)
    within(reading.greeks.theta, model.theta, 0.03) // rate and dividend of the day are not in the capture
    // The alternatives are far off: theta per trading day would be ×365/252, vega per 1.00 of σ ×100.
    expect(Math.abs((reading.greeks.theta * 365) / 252 / model.theta - 1)).toBeGreaterThan(0.3)
  })
})

describe('normaliseFeedGreeks', () => {
  test('numbers pass through in domain units; "NaN"/"Infinity" strings and non-finite numbers are missing', () => {
    const event = {eventType: 'Greeks', eventSymbol: '.X', price: 1.5, volatility: 0.25, delta: 0.5, gamma: 0.01, theta: -0.05, rho: 0.02, vega: 0.1}
    expect(normaliseFeedGreeks(event)).toEqual({ok: true, greeks: {delta: 0.5, gamma: 0.01, theta: -0.05, vega: 0.1, rho: 0.02}, iv: 0.25, price: 1.5})
    expect(normaliseFeedGreeks({...event, volatility: 'NaN', price: 'NaN'})).toMatchObject({ok: true, iv: null, price: null})
    expect(normaliseFeedGreeks({...event, vega: 'Infinity', rho: '-Infinity'})).toMatchObject({ok: false, why: 'DXLink sent no usable Greeks (vega "Infinity", rho "-Infinity")'})
    expect(normaliseFeedGreeks({...event, delta: Number.NaN})).toMatchObject({ok: false, why: 'DXLink sent no usable Greeks (delta NaN)'})
    const {gamma: _g, ...noGamma} = event
    expect(normaliseFeedGreeks(noGamma)).toMatchObject({ok: false, why: 'DXLink sent no usable Greeks (gamma absent)'})
  })
})

/** Collects whatever the SDKs would print (they must print nothing) without printing it. */
function silenceConsole(): () => string[] {
  const calls: string[] = []
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      calls.push(`${method}: ${args.map(String).join(' ')}`)
    })
  }
  return () => calls
}

function normPdf(x: number): number {
  return Math.exp(-(x * x) / 2) / Math.sqrt(2 * Math.PI)
}

/** Φ via erfc with a continued-fraction-free series good to ~1e-14 for |x| < 8 (Taylor for erf). */
function normCdf(x: number): number {
  const z = x / Math.SQRT2
  // erf by its Maclaurin series: converges fast for the |z| < 3 used here.
  let term = z
  let sum = z
  for (let n = 1; n < 200; n++) {
    term *= (-z * z) / n
    const add = term / (2 * n + 1)
    sum += add
    if (Math.abs(add) < 1e-17) break
  }
  return 0.5 * (1 + (2 / Math.sqrt(Math.PI)) * sum)
}
