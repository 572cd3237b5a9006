/*
 * What the fake tastytrade serves. A scenario is data: the account's rows exactly as tastytrade
 * writes them (money as strings, quantity unsigned with quantity-direction, doc §4), instrument
 * records with streamer symbols (doc §7.2), the market the fake's DXLink prices Greeks from, and
 * faults to inject per endpoint.
 */

export type Row = Record<string, unknown>

/** One fault, applied to matching requests (method + path without query). */
export interface Fault {
  method?: 'GET' | 'POST'
  /** Exact path (`/accounts/5WT0001/positions`) or a pattern. */
  path: string | RegExp
  /** Query values the request must carry as well (`{'page-offset': '1'}`: only the second page fails). */
  query?: Record<string, string>
  /** How many matching requests fail; default: all of them. */
  times?: number
  /**
   * status: answer `status` with tastytrade's error envelope; timeout: never answer;
   * malformed: 200 with a truncated JSON body; unenveloped: 200 with the payload but no
   * {"data"} envelope; revoke-token: invalidate every issued access token, then 401 (the next
   * requests fail the Bearer check until the client gets a new token).
   */
  kind: 'status' | 'timeout' | 'malformed' | 'unenveloped' | 'revoke-token'
  status?: number
  code?: string
  message?: string
  /** Put the request's Authorization header and the refresh token into the error message (redaction tests). */
  echoSecrets?: boolean
}

/** An instrument as /instruments/* describe it. */
export interface FakeInstrument {
  /** null: the instrument exists but lists no streamer symbol (seen for some futures options, doc §7.2). */
  streamerSymbol: string | null
  exerciseStyle?: 'American' | 'European'
}

/** What the fake's DXLink needs to price an option's Greeks. */
export interface FakeOptionMarket {
  /** Streamer symbol of the underlying whose price (quote mid, else last) the model uses. */
  underlying: string
  expiry: string
  strike: number
  right: 'call' | 'put'
  model: 'bsm' | 'black76'
  style: 'american' | 'european'
  /** Implied volatility the feed reports and prices with. */
  vol: number
}

export interface FakeQuote {
  bid?: number
  ask?: number
  /** Trade price; index underlyings (SPX) have only this (doc §10.6). */
  last?: number
}

export interface DxlinkBehaviour {
  /** false: AUTH_STATE UNAUTHORIZED after AUTH, then close (the client then gives up, doc §9.3). */
  authorize: boolean
  /** Close the first connection once it has subscribed, before any data; the client reconnects. */
  dropOnce: boolean
  /** >0: the FEED_CONFIG with eventFields comes this late, one data frame is sent before it (dropped by the client), the rest after. */
  lateFeedConfigMs: number
  /** accepted: honour acceptEventFields; server: always the full dxFeed field lists in dxFeed order. */
  fieldOrder: 'accepted' | 'server'
  /** Streamer symbols that never get data. */
  silent: string[]
  /** The first connection opened under this behaviour (at start, or after a setScenario) goes silent after subscribing: no data, no keepalive, never closed (a dead streamer). */
  silentOnce?: boolean
}

export interface OrderBehaviour {
  /** Signed change in buying power the dry run reports (negative = consumes). */
  buyingPowerChange: number
  /** Signed fees (negative = paid). */
  fees: number
  /** Preflight failures to answer with 422. */
  reject?: Array<{code: string; message: string}>
  warnings?: Array<{code: string; message: string}>
  /**
   * What GET /accounts/{n}/orders/{id} answers for a placed order (placed = `Routed`): the
   * first GET gives the first step, each later GET the next, the last one repeats.
   * Default Live then Filled. `reason` becomes the order's `reject-reason`.
   */
  progression?: Array<{status: string; reason?: string}>
}

export interface Scenario {
  clientSecret: string
  refreshToken: string
  /** Accounts visible to the credentials; each serves the same rows. */
  accounts: string[]
  positions: Row[]
  balances: Record<string, string>
  /** usd: /balances/USD answers; object / list: /balances/USD is 404 and /balances answers in that shape (doc §5). */
  balancesShape: 'usd' | 'object' | 'list'
  /** By broker symbol. */
  instruments: Record<string, FakeInstrument>
  /** Valuation instant of the fake's model (the feed's "now"). */
  asOf: string
  /** Continuously compounded rate the model uses. */
  rate: number
  /** By streamer symbol (underlyings, futures). */
  quotes: Record<string, FakeQuote>
  /** By option streamer symbol. */
  options: Record<string, FakeOptionMarket>
  /** Option streamer symbols whose Greeks (and price/volatility) are "NaN" strings. */
  nanGreeks: string[]
  /** Option streamer symbol → the Greeks fields sent as "NaN" (a partial event, as real feeds send). */
  nanGreekFields?: Record<string, string[]>
  /** GET path → response body served byte for byte (recorded payload files), whatever the query. */
  payloads?: Record<string, string>
  faults: Fault[]
  tokenExpiresIn: number
  dxlink: DxlinkBehaviour
  orders: OrderBehaviour
  /** Daily candles by streamer symbol without the period (`AAPL`): served for `AAPL{=1d}` subscriptions from their fromTime. */
  candles: Record<string, FakeCandle[]>
  /** GET /accounts/{n}/transactions items (transactions.ts); none when absent. */
  transactions?: Row[]
  /** Largest page the transactions route serves, whatever per-page asks (so tests see several pages); default 2000. */
  transactionsMaxPerPage?: number
}

/** One daily candle: the trading day, its close and (optionally) the implied vol DXLink reports. */
export interface FakeCandle {
  date: string
  close: number
  iv?: number
}

export const ACCOUNT = '5WT0001'
export const OTHER_ACCOUNT = '5WT0002'
export const AS_OF = '2026-01-05T15:00:00.000Z'
export const RATE = 0.04

/** Secrets of the fake's one customer: long and distinctive so a leak is easy to spot. */
export const CLIENT_SECRET = 'cs-6b1f0e9d2c7a4b38a5e1d0c9f8e7d6c5b4a39281'
export const REFRESH_TOKEN = 'rt-eyJraWQiOiJ0ZXN0In0.9f8e7d6c5b4a3f2e1d0c-refresh-7788'

const stamp = {'created-at': '2025-11-03T15:31:07.112+00:00', 'updated-at': '2026-01-05T14:59:58.004+00:00'}

function row(fields: Row): Row {
  return {
    'account-number': ACCOUNT,
    'cost-effect': 'Debit',
    'is-suppressed': false,
    'is-frozen': false,
    'restricted-quantity': '0.0',
    'realized-day-gain': '0.0',
    'realized-day-gain-effect': 'None',
    'realized-day-gain-date': '2026-01-05',
    'realized-today': '0.0',
    'realized-today-effect': 'None',
    'realized-today-date': '2026-01-05',
    ...stamp,
    ...fields,
  }
}

/**
 * The happy account: stock, short puts and long calls (one without a broker mark, so the option's
 * Quote mid is its mark), a European index option on SPX (Trade only, no Quote), a future, a
 * futures option, crypto, and a closed (Zero) row that must be skipped.
 */
export function defaultPositions(): Row[] {
  return [
    row({symbol: 'AAPL', 'instrument-type': 'Equity', 'underlying-symbol': 'AAPL', quantity: '100', 'quantity-direction': 'Long', 'close-price': '189.2', 'average-open-price': '180.5', 'mark-price': '190.0', mark: '19000.0', multiplier: 1}),
    row({symbol: 'AAPL  260618P00170000', 'instrument-type': 'Equity Option', 'underlying-symbol': 'AAPL', quantity: '2', 'quantity-direction': 'Short', 'close-price': '4.3', 'average-open-price': '5.2', 'mark-price': '4.1', mark: '820.0', multiplier: 100, 'cost-effect': 'Credit', 'expires-at': '2026-06-18T20:00:00.000+00:00'}),
    row({symbol: 'AAPL  260618C00200000', 'instrument-type': 'Equity Option', 'underlying-symbol': 'AAPL', quantity: '3', 'quantity-direction': 'Long', 'close-price': '7.1', 'average-open-price': '6.0', 'mark-price': '7.25', mark: '2175.0', multiplier: 100, 'expires-at': '2026-06-18T20:00:00.000+00:00'}),
    row({symbol: 'SPY   260320P00550000', 'instrument-type': 'Equity Option', 'underlying-symbol': 'SPY', quantity: '1', 'quantity-direction': 'Short', 'close-price': '6.6', 'average-open-price': '8.0', 'mark-price': '6.5', mark: '650.0', multiplier: 100, 'cost-effect': 'Credit', 'expires-at': '2026-03-20T20:00:00.000+00:00'}),
    // No mark-price and no close-price: the mark must come from the option's own Quote.
    row({symbol: 'SPXW  260320C06100000', 'instrument-type': 'Equity Option', 'underlying-symbol': 'SPX', quantity: '1', 'quantity-direction': 'Long', 'average-open-price': '120.0', multiplier: 100, 'expires-at': '2026-03-20T20:15:00.000+00:00'}),
    row({symbol: '/ESH6', 'instrument-type': 'Future', 'underlying-symbol': '/ES', quantity: '1', 'quantity-direction': 'Long', 'close-price': '6040.0', 'average-open-price': '6000.25', 'mark-price': '6050.5', mark: '302525.0', multiplier: 50, 'expires-at': '2026-03-20T13:30:00.000+00:00'}),
    row({symbol: './ESH6 EW3H6 260320P5800', 'instrument-type': 'Future Option', 'underlying-symbol': '/ESH6', quantity: '2', 'quantity-direction': 'Short', 'close-price': '41.0', 'average-open-price': '55.5', 'mark-price': '40.25', mark: '4025.0', multiplier: 50, 'cost-effect': 'Credit', 'expires-at': '2026-03-20T20:00:00.000+00:00'}),
    row({symbol: 'BTC/USD', 'instrument-type': 'Cryptocurrency', 'underlying-symbol': 'BTC/USD', quantity: '0.5', 'quantity-direction': 'Long', 'close-price': '94000.0', 'average-open-price': '60000.0', 'mark-price': '95000.0', mark: '47500.0', multiplier: 1}),
    row({symbol: 'MSFT', 'instrument-type': 'Equity', 'underlying-symbol': 'MSFT', quantity: '0', 'quantity-direction': 'Zero', 'close-price': '420.0', 'average-open-price': '0.0', multiplier: 1}),
  ]
}

export function defaultInstruments(): Record<string, FakeInstrument> {
  return {
    'AAPL  260618P00170000': {streamerSymbol: '.AAPL260618P170', exerciseStyle: 'American'},
    'AAPL  260618C00200000': {streamerSymbol: '.AAPL260618C200', exerciseStyle: 'American'},
    'SPY   260320P00550000': {streamerSymbol: '.SPY260320P550', exerciseStyle: 'American'},
    'SPXW  260320C06100000': {streamerSymbol: '.SPXW260320C6100', exerciseStyle: 'European'},
    '/ESH6': {streamerSymbol: '/ESH26:XCME'},
    './ESH6 EW3H6 260320P5800': {streamerSymbol: './EW3H26P5800:XCME', exerciseStyle: 'American'},
  }
}

export function defaultQuotes(): Record<string, FakeQuote> {
  return {
    AAPL: {bid: 189.9, ask: 190.1, last: 190.02},
    SPY: {bid: 600.1, ask: 600.3, last: 600.2},
    SPX: {last: 6012.5},
    '/ESH26:XCME': {bid: 6050.25, ask: 6050.75, last: 6050.5},
  }
}

export function defaultOptions(): Record<string, FakeOptionMarket> {
  return {
    '.AAPL260618P170': {underlying: 'AAPL', expiry: '2026-06-18', strike: 170, right: 'put', model: 'bsm', style: 'american', vol: 0.27},
    '.AAPL260618C200': {underlying: 'AAPL', expiry: '2026-06-18', strike: 200, right: 'call', model: 'bsm', style: 'american', vol: 0.25},
    '.SPY260320P550': {underlying: 'SPY', expiry: '2026-03-20', strike: 550, right: 'put', model: 'bsm', style: 'american', vol: 0.21},
    '.SPXW260320C6100': {underlying: 'SPX', expiry: '2026-03-20', strike: 6100, right: 'call', model: 'bsm', style: 'european', vol: 0.16},
    './EW3H26P5800:XCME': {underlying: '/ESH26:XCME', expiry: '2026-03-20', strike: 5800, right: 'put', model: 'black76', style: 'european', vol: 0.19},
  }
}

export function defaultBalances(): Record<string, string> {
  return {
    'account-number': ACCOUNT,
    currency: 'USD',
    'cash-balance': '51600.762',
    'long-equity-value': '19000.0',
    'net-liquidating-value': '543557.677',
    'equity-buying-power': '20078.762',
    'derivative-buying-power': '18078.5',
    'maintenance-requirement': '432279.234',
    'margin-equity': '452284.177',
    'pending-cash': '0.0',
    'pending-cash-effect': 'None',
    'snapshot-date': '2026-01-05',
    'updated-at': '2026-01-05T14:59:58.004+00:00',
  }
}

export function defaultScenario(): Scenario {
  return {
    clientSecret: CLIENT_SECRET,
    refreshToken: REFRESH_TOKEN,
    accounts: [ACCOUNT, OTHER_ACCOUNT],
    positions: defaultPositions(),
    balances: defaultBalances(),
    balancesShape: 'usd',
    instruments: defaultInstruments(),
    asOf: AS_OF,
    rate: RATE,
    quotes: defaultQuotes(),
    options: defaultOptions(),
    nanGreeks: [],
    faults: [],
    tokenExpiresIn: 900,
    dxlink: {authorize: true, dropOnce: false, lateFeedConfigMs: 0, fieldOrder: 'accepted', silent: []},
    orders: {buyingPowerChange: -102.302, fees: -2.302},
    candles: {},
  }
}

/** Rows with JSON-number quantities, as some captures show (doc §4.1). */
export function withNumericQuantities(rows: Row[]): Row[] {
  return rows.map((r) => ({...r, quantity: Number(r.quantity), 'restricted-quantity': 0}))
}

/**
 * An account of `count` distinct positions: 40 % stock, 60 % equity options (three per
 * underlying), every option with a streamer symbol and a market. Tickers are letters only.
 */
export function largeAccount(count = 1000): Pick<Scenario, 'positions' | 'instruments' | 'quotes' | 'options'> {
  const positions: Row[] = []
  const instruments: Record<string, FakeInstrument> = {}
  const quotes: Record<string, FakeQuote> = {}
  const options: Record<string, FakeOptionMarket> = {}
  const ticker = (i: number) => {
    let s = ''
    let n = i
    for (let k = 0; k < 3; k++) {
      s = String.fromCharCode(65 + (n % 26)) + s
      n = Math.floor(n / 26)
    }
    return `Q${s}`
  }
  const stocks = Math.round(count * 0.4)
  for (let i = 0; i < stocks; i++) {
    const t = ticker(i)
    const px = 50 + (i % 200)
    quotes[t] = {bid: px - 0.05, ask: px + 0.05, last: px}
    positions.push(row({symbol: t, 'instrument-type': 'Equity', 'underlying-symbol': t, quantity: String(10 + (i % 90)), 'quantity-direction': i % 7 === 0 ? 'Short' : 'Long', 'average-open-price': String(px - 1), 'mark-price': String(px), 'close-price': String(px), multiplier: 1}))
  }
  const strikes = [0.9, 1.0, 1.1]
  for (let j = 0; positions.length < count; j++) {
    const t = ticker(10_000 + j)
    const px = 80 + (j % 150)
    quotes[t] = {bid: px - 0.05, ask: px + 0.05, last: px}
    for (const [k, f] of strikes.entries()) {
      if (positions.length >= count) break
      const strike = Math.round(px * f)
      const right = k === 1 ? 'call' : 'put'
      const occ = `${t.padEnd(6, ' ')}260618${right === 'call' ? 'C' : 'P'}${String(strike * 1000).padStart(8, '0')}`
      const streamer = `.${t}260618${right === 'call' ? 'C' : 'P'}${strike}`
      instruments[occ] = {streamerSymbol: streamer, exerciseStyle: 'American'}
      options[streamer] = {underlying: t, expiry: '2026-06-18', strike, right, model: 'bsm', style: 'european', vol: 0.2 + (j % 10) / 100}
      positions.push(row({symbol: occ, 'instrument-type': 'Equity Option', 'underlying-symbol': t, quantity: String(1 + (j % 5)), 'quantity-direction': right === 'put' ? 'Short' : 'Long', 'average-open-price': '3.5', 'mark-price': '3.25', 'close-price': '3.3', multiplier: 100, 'expires-at': '2026-06-18T20:00:00.000+00:00'}))
    }
  }
  return {positions, instruments, quotes, options}
}

/** The default account's positions endpoint, for faults. */
export const POSITIONS_PATH = `/accounts/${ACCOUNT}/positions`

/**
 * A mixed account of `count` positions shaped like a futures trader's: a third CME futures options
 * (every fixed-width layout: 5-character micro futures run into their option code), a few futures,
 * then stock, equity options and crypto. Every option has a streamer symbol and a market.
 */
export function mixedAccount(count = 1000): Pick<Scenario, 'positions' | 'instruments' | 'quotes' | 'options'> {
  const base = largeAccount(count)
  const fops = Math.round(count / 3)
  const futuresCount = Math.round(count * 0.05)
  const keep = count - fops - futuresCount - 2
  const positions = base.positions.slice(0, keep)
  const {instruments, quotes, options} = base
  // product, future code, option code, multiplier, price, exchange
  const products: Array<[string, string, string, number, number, string]> = [
    ['ES', 'ESH6', 'EW3H6', 50, 6050, 'XCME'],
    ['MES', 'MESH6', 'EX3H6', 5, 6050, 'XCME'],
    ['NQ', 'NQH6', 'QN3H6', 20, 21500, 'XCME'],
    ['MNQ', 'MNQH6', 'MN3CH6', 2, 21500, 'XCME'],
    ['GC', 'GCJ6', 'OGJ6', 100, 2950, 'XCEC'],
    ['CL', 'CLJ6', 'LO3H6', 1000, 65, 'XNYM'],
  ]
  for (const [, fut, , mult, px, exch] of products) {
    const streamer = `/${fut.slice(0, -1)}${fut.slice(-1) === '6' ? '26' : fut.slice(-1)}:${exch}`
    instruments[`/${fut}`] = {streamerSymbol: streamer}
    quotes[streamer] = {bid: px - 0.25, ask: px + 0.25, last: px}
  }
  for (let i = 0; i < fops; i++) {
    const [, fut, code, mult, px, exch] = products[i % products.length]
    const n = Math.floor(i / products.length)
    const right = n % 2 === 0 ? 'put' : 'call'
    const strike = Math.round(px * (0.8 + 0.008 * Math.floor(n / 2)) * (px < 100 ? 10 : 1)) / (px < 100 ? 10 : 1)
    const cp = right === 'call' ? 'C' : 'P'
    const symbol = `./${fut.padEnd(5)}${code.padEnd(6)}260320${cp}${strike}`
    const streamer = `./${code.slice(0, -2)}H26${cp}${strike}:${exch}`
    const underlyingStreamer = `/${fut.slice(0, -1)}26:${exch}`
    instruments[symbol] = {streamerSymbol: streamer, exerciseStyle: 'American'}
    options[streamer] = {underlying: underlyingStreamer, expiry: '2026-03-20', strike, right, model: 'black76', style: 'european', vol: 0.18 + (n % 10) / 100}
    positions.push(row({symbol, 'instrument-type': 'Future Option', 'underlying-symbol': `/${fut}`, quantity: String(1 + (i % 3)), 'quantity-direction': i % 2 ? 'Long' : 'Short', 'average-open-price': '12.5', 'mark-price': '11.75', 'close-price': '0.0', multiplier: mult, 'expires-at': '2026-03-20T20:00:00.000+00:00'}))
  }
  for (let i = 0; i < futuresCount; i++) {
    const [, fut, , mult, px] = products[i % products.length]
    // distinct symbols: the same futures months are held once; the rest are later months (no feed market needed beyond price)
    const month = 'HMUZ'[Math.floor(i / products.length) % 4]
    const year = 6 + Math.floor(i / (products.length * 4))
    const symbol = `/${fut.slice(0, -2)}${month}${year}`
    if (!instruments[symbol]) {
      const streamer = `/${fut.slice(0, -2)}${month}2${year}:XCME`
      instruments[symbol] = {streamerSymbol: streamer}
      quotes[streamer] = {bid: px - 0.25, ask: px + 0.25, last: px}
    }
    positions.push(row({symbol, 'instrument-type': 'Future', 'underlying-symbol': `/${fut.slice(0, -2)}`, quantity: '1', 'quantity-direction': 'Long', 'average-open-price': String(px - 10), 'mark-price': String(px), 'close-price': String(px), multiplier: mult}))
  }
  positions.push(row({symbol: 'BTC/USD', 'instrument-type': 'Cryptocurrency', 'underlying-symbol': 'BTC/USD', quantity: '0.0123', 'quantity-direction': 'Long', 'average-open-price': '60000.0', mark: '1168.5', 'close-price': '94000.0', multiplier: 1}))
  positions.push(row({symbol: 'ETH/USD', 'instrument-type': 'Cryptocurrency', 'underlying-symbol': 'ETH/USD', quantity: '1.5', 'quantity-direction': 'Long', 'average-open-price': '2000.0', 'mark-price': '3100.0', 'close-price': '3050.0', multiplier: 1}))
  return {positions, instruments, quotes, options}
}
