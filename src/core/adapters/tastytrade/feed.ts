/*
 * Greeks and quotes from DXLink (doc §9), with @dxfeed/dxlink-api's DXLinkWebSocketClient +
 * DXLinkFeed built here rather than the SDK's QuoteStreamer, which never closes its socket
 * (pitfall §10.2). One connection per adapter, shared by concurrent requests and disconnected
 * as soon as the last one is done, so the process can exit. A request waits a bounded time and
 * finishes early once every symbol it asked for has arrived.
 *
 * Units (the one place they are decided): see normaliseFeedGreeks.
 */
import type {DXLinkFeed, DXLinkLogLevel, DXLinkWebSocketClient, FeedContract, FeedEventData} from '@dxfeed/dxlink-api'
import type {UnitGreeks} from '../../domain/types.js'
import {num} from './mapping.js'
import type {Redactor} from './redact.js'

export type FeedEvent = FeedEventData

/**
 * ok: all five Greeks usable. Otherwise `why` names the unusable ones and `partial` holds the usable
 * ones (with the event's IV), so one "NaN" costs one Greek, not five (the model fills the rest).
 */
export type GreeksReading =
  | {ok: true; greeks: UnitGreeks; iv: number | null; price: number | null}
  | {ok: false; why: string; partial?: Partial<UnitGreeks>; iv?: number | null}

const GREEK_NAMES = ['delta', 'gamma', 'theta', 'vega', 'rho'] as const

/**
 * dxFeed Greeks event → domain units. THE unit conversion of the feed; fields are read by name.
 *
 * What dxFeed says (com.dxfeed.event.option.Greeks in devexperts/QD; the same text in
 * dxfeed-graal-net-api and dxfeed-c-api): delta = "first derivative of an option price by an
 * underlying price", gamma = "second derivative … by an underlying price", theta = "first
 * derivative of an option price by a number of days to expiration", rho = "… by percentage
 * interest rate", vega = "… by percentage volatility"; volatility = "Black-Scholes implied
 * volatility" (a fraction, doc §9.5). All per unit of the option (one share's worth, not ×100).
 *
 * What real events show (checked numerically, not assumed):
 *  - `.SPY251114P669` at 2025-11-12T00:59:21Z, 2.834 calendar days before the 16:00 ET expiry
 *    (a DXLink FULL-format capture in a public repository): delta −0.08818, gamma 0.014887,
 *    volatility 0.17812, theta −0.30188, vega 0.096472, rho −0.0047294. For BSM,
 *    theta/vega ≈ −σ/(2T); reading theta per calendar day and vega per vol point gives
 *    T = 2.846 days (actual 2.834); theta per trading day would give 4.1 days, vega per 1.00 of
 *    σ 0.03 days. With S solved from delta (≈ 683), BSM gives gamma 0.01492, vega/pt 0.0963,
 *    theta/day −0.296, rho/pt −0.00471: all match. (test/adapters/tastytrade/feed.test.ts
 *    replays this event through the pricing module.)
 *  - `.SPLG230616C23` (doc §9.5), deep in the money, 27.6 days left: rho 0.0183 ≈ K·T·1 % =
 *    0.017; per 1.00 of rate it would be ≈ 1.7. Its theta is negative: decay, not ∂/∂(days left).
 *
 * So the feed sends delta per 1.00 of underlying, gamma per 1.00, theta per CALENDAR day
 * (value change as a day passes), vega per vol point (σ + 0.01), rho per rate point (r + 0.01):
 * exactly the domain's units (types.ts). The conversion is the identity; it stays one function so
 * a different feed convention would change in one place.
 */
export function normaliseFeedGreeks(event: FeedEvent): GreeksReading {
  const values: Partial<Record<(typeof GREEK_NAMES)[number], number>> = {}
  const missing: string[] = []
  for (const name of GREEK_NAMES) {
    const v = num(event[name])
    if (v === null) missing.push(`${name} ${describeRaw(event[name])}`)
    else values[name] = v
  }
  const iv = num(event.volatility)
  if (missing.length === GREEK_NAMES.length) return {ok: false, why: `DXLink sent no usable Greeks (${missing.join(', ')})`}
  if (missing.length > 0) return {ok: false, why: `DXLink sent no usable Greeks (${missing.join(', ')})`, partial: values, iv: iv !== null && iv > 0 ? iv : null}
  return {
    ok: true,
    greeks: {
      delta: values.delta!, // per 1.00 move of the underlying
      gamma: values.gamma!, // per 1.00 move
      theta: values.theta!, // per day, as sent
      vega: values.vega!, // per vol point, as sent
      rho: values.rho!, // per rate point, as sent
    },
    iv: iv !== null && iv > 0 ? iv : null,
    price: num(event.price),
  }
}

function describeRaw(value: unknown): string {
  if (value === undefined) return 'absent'
  return typeof value === 'string' ? JSON.stringify(value) : String(value)
}

/** Mid of a Quote event when both sides are usable, else null. A crossed quote (bid above ask) is not usable: see quoteCrossed. */
export function quoteMid(event: FeedEvent | undefined): number | null {
  if (!event) return null
  const bid = num(event.bidPrice)
  const ask = num(event.askPrice)
  if (bid === null || ask === null || bid <= 0 || ask <= 0 || ask < bid) return null
  return (bid + ask) / 2
}

/** The Quote event's sides when it is crossed (bid above ask), for the warning that names it; else null. */
export function quoteCrossed(event: FeedEvent | undefined): {bid: number; ask: number} | null {
  if (!event) return null
  const bid = num(event.bidPrice)
  const ask = num(event.askPrice)
  return bid !== null && ask !== null && bid > 0 && ask > 0 && bid > ask ? {bid, ask} : null
}

/** A symbol's price with what it is: the Quote mid, else the last Trade; null when neither is usable. */
export function feedPriceWithSource(result: FeedResult, symbol: string): {price: number; source: 'quote_mid' | 'trade'} | null {
  const mid = quoteMid(result.events.get(`Quote:${symbol}`))
  if (mid !== null) return {price: mid, source: 'quote_mid'}
  const last = tradePrice(result.events.get(`Trade:${symbol}`))
  return last !== null ? {price: last, source: 'trade'} : null
}

/** Price of a Trade event, else null. */
export function tradePrice(event: FeedEvent | undefined): number | null {
  const p = num(event?.price)
  return p !== null && p > 0 ? p : null
}

// ---------------------------------------------------------------------------------------------

export interface FeedRequest {
  /** Option streamer symbols to get Greeks for. */
  greeks: string[]
  /** Streamer symbols to get a price for: Quote, with Trade as the fallback (index underlyings have no Quote, doc §10.6). */
  prices: string[]
  /** Candle series (`AAPL{=1d}`) from fromTime (epoch ms, doc §9.1): the request waits for each one's snapshot end. */
  candles?: {symbol: string; fromTime: number}[]
}

export interface FeedResult {
  /** Latest event by `Type:symbol` (`Greeks:.AAPL260116C150`, `Quote:AAPL`, `Trade:SPX`). */
  events: Map<string, FeedEvent>
  /** Every Candle event received, by candle symbol (`AAPL{=1d}`), in arrival order. */
  candles: Map<string, FeedEvent[]>
  /** Why nothing (or not everything) came: a connection-level failure, redacted; null when connected. */
  failure: string | null
  /** Errors the server or socket reported on the way (redacted), for warnings. */
  errors: string[]
  waitedMs: number
}

/** Price of a symbol: Quote mid, else Trade price. */
export function feedPrice(result: FeedResult, symbol: string): number | null {
  return quoteMid(result.events.get(`Quote:${symbol}`)) ?? tradePrice(result.events.get(`Trade:${symbol}`))
}

export interface QuoteEndpoint {
  url: string
  token: string
}

/**
 * The fields asked for. A server may send them in another order or with extras (it chooses when
 * the client asks nothing, doc §9.5); events are read by name, never by position.
 */
const EVENT_FIELDS = {
  Greeks: ['eventType', 'eventSymbol', 'price', 'volatility', 'delta', 'gamma', 'theta', 'rho', 'vega'],
  Quote: ['eventType', 'eventSymbol', 'bidPrice', 'askPrice', 'bidSize', 'askSize'],
  Trade: ['eventType', 'eventSymbol', 'price', 'size', 'dayVolume'],
  Candle: ['eventType', 'eventSymbol', 'eventFlags', 'time', 'close', 'impVolatility'],
}

/** dxFeed event flags (com.dxfeed.event.IndexedEvent): a snapshot ends with SNAPSHOT_END or SNAPSHOT_SNIP. */
export const REMOVE_EVENT = 0x02
const SNAPSHOT_END = 0x08
const SNAPSHOT_SNIP = 0x10

/** Above DXLinkLogLevel.ERROR: the libraries' Logger prints nothing at all (they log via console). */
const SILENT = 4 as unknown as DXLinkLogLevel

type DxlinkModule = typeof import('@dxfeed/dxlink-api')

/** How long a quote token is reused; they are valid for 24 h. */
const TOKEN_REUSE_MS = 12 * 3600_000

/**
 * Node 20 has no global WebSocket (pitfall §10.1); the client needs one. `ws` emits an 'error'
 * event when a socket is closed while still connecting, and an EventEmitter 'error' without a
 * listener crashes the process, so every socket gets a no-op listener besides the client's own.
 */
async function ensureWebSocket(): Promise<void> {
  const g = globalThis as {WebSocket?: unknown}
  if (typeof g.WebSocket !== 'undefined') return
  const {default: WS} = await import('ws')
  class QuietWebSocket extends WS {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols)
      this.on('error', () => {})
    }
  }
  g.WebSocket ??= QuietWebSocket
}

class Connection {
  readonly events = new Map<string, FeedEvent>()
  readonly candles = new Map<string, FeedEvent[]>()
  /** candle symbols whose snapshot has fully arrived */
  readonly candlesDone = new Set<string>()
  failure: string | null = null
  readonly errors: string[] = []
  /** ms timestamp of the last sign of life (connect, state change, data): the silence watchdog reads it */
  lastActivity = Date.now()
  private readonly client: DXLinkWebSocketClient
  private readonly feed: DXLinkFeed<FeedContract.AUTO>
  private readonly watchers = new Set<() => void>()
  private closing = false
  private authorized = false
  private rejections = 0

  constructor(dx: DxlinkModule, endpoint: QuoteEndpoint, private readonly redactor: Redactor) {
    // A bounded number of reconnects: a session that cannot get back within a few seconds is
    // reported rather than retried forever (the library's default is unlimited, doc §9.3).
    this.client = new dx.DXLinkWebSocketClient({logLevel: SILENT, maxReconnectAttempts: 3})
    // Without an error listener the client console.errors 'Unhandled dxLink error' (doc §9.3).
    this.client.addErrorListener((error) => {
      if (this.errors.length < 20) this.errors.push(this.redactor.redact(`${error.type}${error.message ? `: ${error.message}` : ''}`))
    })
    this.client.addAuthStateChangeListener((state) => {
      if (String(state) === 'AUTHORIZED') this.authorized = true
      // The first UNAUTHORIZED of a connection is the server's greeting; a second is a rejection (doc §9.3).
      else if (String(state) === 'UNAUTHORIZED') this.rejections++
    })
    this.client.addConnectionStateChangeListener((state) => {
      this.lastActivity = Date.now()
      // NOT_CONNECTED without our disconnect(): closed while unauthorised, or out of reconnects.
      if (String(state) === 'NOT_CONNECTED' && !this.closing) {
        const last = this.errors.filter((e) => e !== 'UNKNOWN').at(-1)
        const why = this.authorized
          ? 'the DXLink connection was lost and did not come back'
          : this.rejections > 1
            ? 'DXLink did not authorise the quote token'
            : last?.includes('Unable to connect')
              ? 'could not connect to DXLink'
              : 'DXLink closed the connection before authorising'
        this.fail(last ? `${why} (${last})` : why)
      }
    })
    this.client.setAuthToken(endpoint.token)
    this.client.connect(endpoint.url)
    this.feed = new dx.DXLinkFeed(this.client, dx.FeedContract.AUTO, {logLevel: SILENT})
    this.feed.configure({acceptAggregationPeriod: 0.1, acceptDataFormat: dx.FeedDataFormat.COMPACT, acceptEventFields: EVENT_FIELDS})
    this.feed.addEventListener((events) => {
      this.lastActivity = Date.now()
      for (const event of events) {
        const symbol = event.eventSymbol
        if (typeof symbol !== 'string' || typeof event.eventType !== 'string') continue
        if (event.eventType === 'Candle') {
          const list = this.candles.get(symbol) ?? []
          list.push(event)
          this.candles.set(symbol, list)
          const flags = Number(event.eventFlags)
          if (Number.isFinite(flags) && (flags & (SNAPSHOT_END | SNAPSHOT_SNIP)) !== 0) this.candlesDone.add(symbol)
          continue
        }
        this.events.set(`${event.eventType}:${symbol}`, event)
      }
      this.notify()
    })
  }

  subscribe(request: FeedRequest): void {
    const subs = [
      ...request.greeks.map((symbol) => ({type: 'Greeks', symbol})),
      ...request.prices.flatMap((symbol) => [
        {type: 'Quote', symbol},
        {type: 'Trade', symbol},
      ]),
      ...(request.candles ?? []).map((c) => ({type: 'Candle', symbol: c.symbol, fromTime: c.fromTime})),
    ]
    // DXLinkFeed de-duplicates, batches (100 ms) and chunks (~8 KB, doc §10.8) for us.
    if (subs.length > 0) this.feed.addSubscriptions(subs)
  }

  watch(fn: () => void): () => void {
    this.watchers.add(fn)
    return () => this.watchers.delete(fn)
  }

  close(): void {
    if (this.closing) return
    this.closing = true
    // Requests still waiting (adapter.close() mid-fetch) finish now rather than at their deadline.
    const waiting = [...this.watchers]
    this.watchers.clear()
    for (const fn of waiting) fn()
    if (String(this.client.getConnectionState()) === 'NOT_CONNECTED') {
      // The library already disconnected itself (token rejected, reconnects used up). feed.close()
      // would send CHANNEL_CANCEL into nothing, and the client arms its 30 s self-renewing
      // keepalive timer on every send, socket or not; only disconnect() clears it, and
      // disconnect() is a no-op in this state: the process would never exit. So drop the feed
      // silently; it holds no timer beyond its one-shot 100 ms subscription batch.
      return
    }
    try {
      this.feed.close()
    } finally {
      // Clears the client's timers, including the keepalive the CHANNEL_CANCEL just armed.
      this.client.disconnect()
    }
  }

  private fail(why: string): void {
    this.failure ??= this.redactor.redact(why)
    this.notify()
  }

  private notify(): void {
    for (const fn of [...this.watchers]) fn()
  }
}

/** Hands out the adapter's one DXLink connection and closes it when the last user is done. */
export class DxlinkHub {
  private connection: Connection | null = null
  private users = 0
  private closed = false
  private endpoint: {value: Promise<QuoteEndpoint>; fetchedAt: number} | null = null

  constructor(
    /** GET /api-quote-tokens. Tokens last 24 h (doc §6) and the client never renews one (§10.7). */
    private readonly fetchEndpoint: () => Promise<QuoteEndpoint>,
    private readonly redactor: Redactor,
    /**
     * A connection with no event and no state change this long is dead (a streamer that stopped
     * sending, keepalives included, without closing): closed and reopened with a fresh quote token
     * and the request's subscriptions. ms; config daemon.feed.silent_seconds.
     */
    private readonly silentMs = 120_000,
  ) {}

  /**
   * Subscribes and waits up to waitMs, returning early when every symbol has arrived or the
   * connection failed. Never throws for feed problems: they come back as `failure`.
   */
  async collect(request: FeedRequest, waitMs: number): Promise<FeedResult> {
    const started = Date.now()
    const empty = (failure: string): FeedResult => ({events: new Map(), candles: new Map(), failure, errors: [], waitedMs: Date.now() - started})
    if (this.closed) return empty('the adapter was closed')
    if (request.greeks.length === 0 && request.prices.length === 0 && (request.candles ?? []).length === 0) return {...empty(''), failure: null}

    let connection: Connection
    this.users++
    try {
      connection = await this.acquire()
    } catch (error) {
      this.release()
      return empty(this.redactor.redact((error as Error).message ?? String(error)))
    }
    try {
      connection.subscribe(request)
      await new Promise<void>((resolve) => {
        let unwatch = () => {}
        let reopening = false
        const timer = setTimeout(() => finish(), waitMs)
        // The silence watchdog: connection management only (the events are parsed as ever).
        const watchdog = setInterval(() => void reopenIfSilent(), Math.max(10, Math.min(1000, this.silentMs / 4)))
        const finish = () => {
          clearTimeout(timer)
          clearInterval(watchdog)
          unwatch()
          resolve()
        }
        const check = () => {
          if (connection.failure !== null || this.closed || complete(connection, request)) finish()
        }
        const reopenIfSilent = async () => {
          if (reopening || this.closed || Date.now() - connection.lastActivity < this.silentMs) return
          reopening = true
          const silent = connection
          unwatch()
          silent.errors.push(`DXLink silent for ${Math.round((Date.now() - silent.lastActivity) / 1000)} s: closed and reopened with its subscriptions`)
          if (this.connection === silent) this.connection = null
          this.endpoint = null // the quote token may be why: ask for a new one
          silent.close()
          try {
            connection = await this.acquire()
            connection.errors.push(...silent.errors.slice(-1))
            connection.subscribe(request)
            unwatch = connection.watch(check)
            check()
          } catch (error) {
            silent.failure ??= this.redactor.redact((error as Error).message ?? String(error))
            finish()
          } finally {
            reopening = false
          }
        }
        unwatch = connection.watch(check)
        check()
      })
      const candles = new Map<string, FeedEvent[]>()
      for (const c of request.candles ?? []) {
        const list = connection.candles.get(c.symbol)
        if (list) candles.set(c.symbol, [...list])
      }
      return {events: new Map(connection.events), candles, failure: connection.failure, errors: [...connection.errors], waitedMs: Date.now() - started}
    } finally {
      this.release()
    }
  }

  close(): void {
    this.closed = true
    this.connection?.close()
    this.connection = null
  }

  private async acquire(): Promise<Connection> {
    // A failed connection nobody else is using is replaced; one in use is shared as it is.
    if (this.connection && (this.connection.failure === null || this.users > 1)) return this.connection
    this.forgetTokenIfFailed()
    this.connection?.close()
    this.connection = null
    // A long-lived adapter (the daemon) renews the token well before its 24 h run out.
    if (this.endpoint && Date.now() - this.endpoint.fetchedAt > TOKEN_REUSE_MS) this.endpoint = null
    this.endpoint ??= {value: this.fetchEndpoint(), fetchedAt: Date.now()}
    let endpoint: QuoteEndpoint
    try {
      endpoint = await this.endpoint.value
    } catch (error) {
      this.endpoint = null
      throw error
    }
    this.redactor.add(endpoint.token)
    const [dx] = await Promise.all([import('@dxfeed/dxlink-api'), ensureWebSocket()])
    if (this.closed) throw new Error('the adapter was closed')
    // Another request may have connected while this one awaited.
    this.connection ??= new Connection(dx, endpoint, this.redactor)
    return this.connection
  }

  private release(): void {
    this.users--
    if (this.users <= 0) {
      this.users = 0
      // Always disconnect when idle: an open DXLink socket (and its keepalive timers) keeps Node alive.
      this.forgetTokenIfFailed()
      this.connection?.close()
      this.connection = null
    }
  }

  /** After a failed connection the token may be the reason (expired, revoked): the next connection asks for a new one. */
  private forgetTokenIfFailed(): void {
    if (this.connection?.failure) this.endpoint = null
  }
}

/** Every Greeks symbol has an event; every price symbol a usable Quote or Trade, or both events. */
function complete(connection: Connection, request: FeedRequest): boolean {
  const {events} = connection
  for (const c of request.candles ?? []) if (!connection.candlesDone.has(c.symbol)) return false
  for (const symbol of request.greeks) if (!events.has(`Greeks:${symbol}`)) return false
  for (const symbol of request.prices) {
    const quote = events.get(`Quote:${symbol}`)
    const trade = events.get(`Trade:${symbol}`)
    if (quoteMid(quote) === null && tradePrice(trade) === null && !(quote && trade)) return false
  }
  return true
}
