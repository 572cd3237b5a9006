/*
 * A local tastytrade for the real SDK clients: plain node:http + a ws WebSocketServer on
 * 127.0.0.1, ephemeral port, speaking the protocol of docs/tastytrade-dxlink.md §11 — OAuth with
 * a JSON body and top-level access_token/expires_in, Bearer checks answering 401 in tastytrade's
 * error envelope, {"data","context"} envelopes, bracketed array query keys, money as strings,
 * /api-quote-tokens pointing at its own ws:// URL, and DXLink (SETUP, AUTH_STATE, CHANNEL_OPENED,
 * FEED_CONFIG, COMPACT FEED_DATA one event type per frame, "NaN" strings, KEEPALIVE).
 */
import {randomBytes} from 'node:crypto'
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {WebSocketServer, type WebSocket} from 'ws'
import {modelGreeks, underlyingPrice} from './market.js'
import {defaultScenario, type DxlinkBehaviour, type Fault, type Row, type Scenario} from './scenario.js'
import {transactionsPage} from './transactions.js'

export interface RequestLogEntry {
  method: string
  path: string
  /** Decoded query, bracketed keys kept as sent (`symbol[]`). */
  query: Record<string, string[]>
  status: number | 'no answer'
  /** Parsed JSON body of POSTs. */
  body?: unknown
  /** The User-Agent header as sent (tastytrade requires `<product>/<version>`, doc §2.1). */
  userAgent?: string
}

export interface FakeState {
  requests: RequestLogEntry[]
  /** POST /oauth/token calls, successful or not. */
  tokenCalls: number
  /** `scope` of each token request. */
  tokenScopes: string[]
  /** Every access token handed out (redaction tests look for them). */
  accessTokens: string[]
  /** Every DXLink quote token handed out. */
  quoteTokens: string[]
  wsConnections: number
  /** Client → server DXLink messages, parsed. */
  wsMessages: Array<Record<string, unknown>>
  /** Body of the last POST to orders or orders/dry-run. */
  lastOrder: unknown
  ordersPlaced: number
}

export interface FakeTastytrade {
  url: string
  wsUrl: string
  state: FakeState
  scenario: Scenario
  setScenario(patch: Partial<Scenario>): void
  /** Requests to a path (without query), optionally of one method. */
  requestsTo(path: string, method?: string): RequestLogEntry[]
  close(): Promise<void>
}

const DEFAULT_FIELDS: Record<string, string[]> = {
  // dxFeed's full field lists in dxFeed's order (doc §9.5), used when the client asks for none
  // or when the scenario wants the server's own order.
  Greeks: ['eventType', 'eventSymbol', 'eventTime', 'eventFlags', 'index', 'time', 'sequence', 'price', 'volatility', 'delta', 'gamma', 'theta', 'rho', 'vega'],
  Quote: ['eventType', 'eventSymbol', 'eventTime', 'sequence', 'timeNanoPart', 'bidTime', 'bidExchangeCode', 'bidPrice', 'bidSize', 'askTime', 'askExchangeCode', 'askPrice', 'askSize'],
  Trade: ['eventType', 'eventSymbol', 'eventTime', 'time', 'timeNanoPart', 'sequence', 'exchangeCode', 'price', 'change', 'size', 'dayId', 'dayVolume', 'dayTurnover', 'tickDirection', 'extendedTradingHours'],
  Candle: ['eventType', 'eventSymbol', 'eventTime', 'eventFlags', 'index', 'time', 'sequence', 'count', 'open', 'high', 'low', 'close', 'volume', 'vwap', 'bidVolume', 'askVolume', 'impVolatility', 'openInterest'],
}

export async function startFakeTastytrade(scenario: Partial<Scenario> = {}): Promise<FakeTastytrade> {
  const current: Scenario = {...defaultScenario(), ...scenario}
  const state: FakeState = {requests: [], tokenCalls: 0, tokenScopes: [], accessTokens: [], quoteTokens: [], wsConnections: 0, wsMessages: [], lastOrder: undefined, ordersPlaced: 0}
  const validTokens = new Set<string>()
  const faultHits = new Map<Fault, number>()
  /** dxlink behaviours whose silentOnce connection has been opened */
  const silenced = new WeakSet<DxlinkBehaviour>()
  let nextOrderId = 420_001
  /** Orders accepted by POST /orders, by id, with how many times they were asked about. */
  const placedOrders = new Map<number, {account: string; order: Record<string, unknown>; gets: number}>()
  let wsUrl = ''

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) send(res, 500, {error: {code: 'fake_bug', message: String(error)}})
    })
  })
  const wss = new WebSocketServer({server, path: '/realtime'})
  wss.on('connection', (socket) => dxlinkSession(socket))

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake')
    const path = decodeURIComponent(url.pathname)
    const query: Record<string, string[]> = {}
    for (const [k, v] of url.searchParams) (query[k] ??= []).push(v)
    const raw = await readBody(req)
    let body: unknown
    if (raw) {
      try {
        body = JSON.parse(raw)
      } catch {
        body = Object.fromEntries(new URLSearchParams(raw))
      }
    }
    const userAgent = req.headers['user-agent']
    const entry: RequestLogEntry = {method: req.method ?? 'GET', path, query, status: 'no answer', ...(body !== undefined ? {body} : {}), ...(userAgent !== undefined ? {userAgent} : {})}
    state.requests.push(entry)
    const reply = (status: number, payload: unknown, raw = false) => {
      entry.status = status
      send(res, status, payload, raw)
    }

    const fault = current.faults.find((f) => matches(f, entry.method, path, query) && (faultHits.get(f) ?? 0) < (f.times ?? Infinity))
    if (path === '/oauth/token' && entry.method === 'POST') {
      state.tokenCalls++
      if (fault) {
        faultHits.set(fault, (faultHits.get(fault) ?? 0) + 1)
        return applyFault(fault, req, reply, entry)
      }
      return token(body as Record<string, unknown> | undefined, reply)
    }
    if (fault) {
      faultHits.set(fault, (faultHits.get(fault) ?? 0) + 1)
      return applyFault(fault, req, reply, entry)
    }
    const auth = req.headers.authorization ?? ''
    const bearer = /^Bearer (.+)$/.exec(auth)?.[1]
    if (!bearer || !validTokens.has(bearer)) {
      return reply(401, {error: {code: 'unauthorized', message: 'Unauthorized. Unique customer support identifier: fake-401'}})
    }
    return route(entry, reply)
  }

  function token(body: Record<string, unknown> | undefined, reply: (s: number, p: unknown) => void): void {
    state.tokenScopes.push(String(body?.scope ?? ''))
    if (body?.grant_type !== 'refresh_token' || body.refresh_token !== current.refreshToken || body.client_secret !== current.clientSecret) {
      // Shape per RFC 6749, as third-party clients assume (doc §1.3; unverified for tastytrade).
      return reply(401, {error: 'invalid_grant', error_description: 'Grant not found'})
    }
    const accessToken = `at-${randomBytes(24).toString('hex')}`
    validTokens.add(accessToken)
    state.accessTokens.push(accessToken)
    reply(200, {access_token: accessToken, token_type: 'Bearer', expires_in: current.tokenExpiresIn})
  }

  function applyFault(fault: Fault, req: IncomingMessage, reply: (s: number, p: unknown, raw?: boolean) => void, entry: RequestLogEntry): void {
    const echo = fault.echoSecrets ? ` (you sent ${req.headers.authorization ?? 'no authorization'} with refresh_token=${current.refreshToken} client_secret=${current.clientSecret})` : ''
    switch (fault.kind) {
      case 'timeout':
        return // never answer; close() destroys the socket
      case 'malformed':
        return reply(200, '{"data":{"items":[{"account-number":"5WT0001","symbol":"AAP', true)
      case 'unenveloped':
        return reply(200, {items: current.positions, context: entry.path})
      case 'revoke-token':
        validTokens.clear()
        return reply(401, {error: {code: 'token_invalid', message: `This access token is invalid or expired${echo}`}})
      case 'status': {
        const status = fault.status ?? 500
        const code = fault.code ?? (status >= 500 ? 'internal_server_error' : status === 429 ? 'too_many_requests' : status === 403 ? 'not_permitted' : 'error')
        const message = (fault.message ?? (status >= 500 ? 'Unique customer support identifier: fake-5xx' : status === 429 ? 'Request exceeds reasonable thresholds' : status === 403 ? 'User not permitted access' : 'Request failed')) + echo
        if (fault.path === '/oauth/token' && status < 500) return reply(status, {error: code, error_description: message})
        return reply(status, {error: {code, message}})
      }
    }
  }

  function route(entry: RequestLogEntry, reply: (s: number, p: unknown, raw?: boolean) => void): void {
    const {method, path, query} = entry
    const ok = (data: unknown, status = 200) => reply(status, {data, context: path})
    const list = (items: unknown[]) => ok({items})
    const recorded = method === 'GET' ? current.payloads?.[path] : undefined
    if (recorded !== undefined) return reply(200, recorded, true)
    if (method === 'GET' && path === '/customers/me/accounts') {
      return list(current.accounts.map((n, i) => ({account: {'account-number': n, nickname: i === 0 ? 'Margin acct' : 'IRA', 'account-type-name': i === 0 ? 'Individual' : 'Roth IRA', 'margin-or-cash': i === 0 ? 'Margin' : 'Cash', 'is-closed': false, 'day-trader-status': false, 'opened-at': '2021-03-26T18:31:41.070+00:00'}, 'authority-level': 'owner'})))
    }
    if (method === 'GET' && path === '/api-quote-tokens') {
      const quoteToken = `qt-${randomBytes(20).toString('hex')}`
      state.quoteTokens.push(quoteToken)
      return ok({token: quoteToken, 'dxlink-url': wsUrl, level: 'api', 'issued-at': '2026-01-05T15:00:00.000+00:00', 'expires-at': '2026-01-06T15:00:00.000+00:00'})
    }
    const accountPath = /^\/accounts\/([^/]+)(\/.*)$/.exec(path)
    if (accountPath) {
      const [, account, rest] = accountPath
      if (!current.accounts.includes(account)) return reply(403, {error: {code: 'not_permitted', message: 'User not permitted access'}})
      if (method === 'GET' && rest === '/positions') {
        const marks = query['include-marks']?.[0] === 'true'
        return list(current.positions.map((r) => (marks ? {...r, 'account-number': account} : withoutMarks({...r, 'account-number': account}))))
      }
      if (method === 'GET' && rest === '/balances/USD') {
        if (current.balancesShape !== 'usd') return reply(404, {error: {code: 'not_found', message: 'Not found'}})
        return ok({...current.balances, 'account-number': account})
      }
      if (method === 'GET' && rest === '/balances') {
        const usd = {...current.balances, 'account-number': account}
        if (current.balancesShape === 'list') return list([{...usd, currency: 'EUR', 'net-liquidating-value': '0.0', 'cash-balance': '0.0'}, usd])
        return ok(usd)
      }
      if (method === 'GET' && rest === '/transactions') {
        const page = transactionsPage(current.transactions ?? [], account, path, query, current.transactionsMaxPerPage ?? 2000)
        return reply(page.status, page.body)
      }
      if (method === 'POST' && (rest === '/orders/dry-run' || rest === '/orders')) return order(account, entry, rest === '/orders', reply)
      const orderPath = /^\/orders\/(\d+)$/.exec(rest)
      if (method === 'GET' && orderPath) {
        const placed = placedOrders.get(Number(orderPath[1]))
        if (!placed || placed.account !== account) return reply(404, {error: {code: 'record_not_found', message: `Order ${orderPath[1]} not found`}})
        const steps = current.orders.progression ?? [{status: 'Live'}, {status: 'Filled'}]
        const step = steps[Math.min(placed.gets, steps.length - 1)]
        placed.gets++
        if (step) {
          placed.order.status = step.status
          placed.order['updated-at'] = (placed.order['updated-at'] as number) + 1000
          if (step.reason) placed.order['reject-reason'] = step.reason
          if (['Filled', 'Cancelled', 'Rejected', 'Expired'].includes(step.status)) placed.order.cancellable = false
        }
        return ok(placed.order)
      }
    }
    if (method === 'GET' && path === '/instruments/equity-options') {
      return list((query['symbol[]'] ?? []).flatMap((s) => instrument(s, 'Equity Option')))
    }
    if (method === 'GET' && path === '/instruments/future-options') {
      return list((query['symbol[]'] ?? []).flatMap((s) => instrument(s, 'Future Option')))
    }
    if (method === 'GET' && path === '/instruments/cryptocurrencies') {
      return list((query['symbol[]'] ?? []).flatMap((s) => instrument(s, 'Cryptocurrency')))
    }
    if (method === 'GET' && path === '/instruments/futures') {
      return list((query['symbol[]'] ?? []).flatMap((s) => instrument(s, 'Future')))
    }
    reply(404, {error: {code: 'not_found', message: `No route for ${method} ${path}`}})
  }

  function instrument(symbol: string, type: string): Row[] {
    const known = current.instruments[symbol]
    if (!known) return []
    const item: Row = {symbol, 'instrument-type': type, active: true, 'is-closing-only': false}
    if (known.streamerSymbol) item['streamer-symbol'] = known.streamerSymbol
    if (known.exerciseStyle) item['exercise-style'] = known.exerciseStyle
    if (type === 'Equity Option') Object.assign(item, {'root-symbol': symbol.slice(0, 6).trim(), 'shares-per-contract': 100, 'option-chain-type': 'Standard'})
    if (type === 'Future') Object.assign(item, {'product-code': symbol.slice(1, -2), 'streamer-exchange-code': 'XCME'})
    return [item]
  }

  function order(account: string, entry: RequestLogEntry, place: boolean, reply: (s: number, p: unknown) => void): void {
    const body = (entry.body ?? {}) as Record<string, unknown>
    state.lastOrder = body
    const invalid = (message: string) => reply(422, {error: {code: 'validation_error', message, errors: [{code: 'invalid_parameter', message}]}})
    for (const key of ['time-in-force', 'order-type', 'legs']) if (!(key in body)) return invalid(`${key} is missing`)
    const legs = body.legs
    if (!Array.isArray(legs) || legs.length === 0) return invalid('legs must be a non-empty list')
    for (const [i, leg] of legs.entries()) {
      const keys = Object.keys(leg ?? {})
      // The SDK does not dasherize objects inside arrays (doc §2.2); the real API rejects camelCase.
      const camel = keys.find((k) => /[A-Z]/.test(k))
      if (camel) return invalid(`legs[${i}]: unknown key "${camel}" (keys are dash-case, e.g. instrument-type)`)
      for (const key of ['instrument-type', 'symbol', 'quantity', 'action']) if (!(key in leg)) return invalid(`legs[${i}].${key} is missing`)
      if (leg['instrument-type'] === 'Equity Option' && !/^[A-Z0-9. ]{6}\d{6}[CP]\d{8}$/.test(String(leg.symbol))) return invalid(`legs[${i}].symbol is not a padded OCC symbol`)
    }
    const reasons = [...(current.orders.reject ?? [])]
    if (body['price-effect'] === 'Credit' && legs.every((l: Record<string, unknown>) => String(l.action).startsWith('Buy'))) reasons.push({code: 'cant_buy_for_credit', message: 'You cannot buy for a credit.'})
    if (reasons.length > 0) return reply(422, {error: {code: 'preflight_check_failure', message: 'One or more preflight checks failed', errors: reasons}})
    const effect = (n: number) => (n < 0 ? 'Debit' : n > 0 ? 'Credit' : 'None')
    const placedId = place ? nextOrderId++ : undefined
    if (place) state.ordersPlaced++
    const placedOrder: Record<string, unknown> = {
          ...(placedId !== undefined ? {id: placedId} : {}),
          'account-number': account,
          'time-in-force': body['time-in-force'],
          'order-type': body['order-type'],
          size: legs.length,
          'underlying-symbol': String(legs[0].symbol).slice(0, 6).trim(),
          ...(body.price !== undefined ? {price: String(body.price), 'price-effect': body['price-effect']} : {}),
          status: place ? 'Routed' : 'Received',
          cancellable: true,
          editable: true,
          edited: false,
          'updated-at': Date.parse(current.asOf),
          legs: legs.map((l: Record<string, unknown>) => ({...l, 'remaining-quantity': l.quantity, fills: []})),
    }
    if (placedId !== undefined) placedOrders.set(placedId, {account, order: structuredClone(placedOrder), gets: 0})
    reply(201, {
      data: {
        order: placedOrder,
        warnings: current.orders.warnings ?? [],
        'buying-power-effect': {
          'change-in-margin-requirement': Math.abs(current.orders.buyingPowerChange).toFixed(1),
          'change-in-margin-requirement-effect': effect(current.orders.buyingPowerChange),
          'change-in-buying-power': String(Math.abs(current.orders.buyingPowerChange)),
          'change-in-buying-power-effect': effect(current.orders.buyingPowerChange),
          'current-buying-power': '18078.5',
          'current-buying-power-effect': 'Credit',
          'is-spread': legs.length > 1,
          impact: String(Math.abs(current.orders.buyingPowerChange)),
          effect: effect(current.orders.buyingPowerChange),
        },
        'fee-calculation': {
          'regulatory-fees': '0.102',
          'regulatory-fees-effect': 'Debit',
          commission: '2.0',
          'commission-effect': 'Debit',
          'total-fees': String(Math.abs(current.orders.fees)),
          'total-fees-effect': effect(current.orders.fees),
        },
      },
      'api-version': 'v1',
      context: entry.path,
    })
  }

  // -------------------------------------------------------------------------------------------
  // DXLink

  function dxlinkSession(socket: WebSocket): void {
    state.wsConnections++
    const connection = state.wsConnections
    // silentOnce: the first connection opened under this dxlink behaviour (set at start, or later by
    // setScenario: a long-running client's feed going dead mid-run) goes silent.
    const silent = current.dxlink.silentOnce === true && !silenced.has(current.dxlink)
    if (silent) silenced.add(current.dxlink)
    const out = (msg: Record<string, unknown>) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(msg))
    }
    let authorized = false
    let accepted: Record<string, string[]> = {}
    const announced = new Set<string>()
    const subscribed = new Set<string>()
    const timers = new Set<NodeJS.Timeout>()
    const later = (fn: () => void, ms: number) => {
      const t = setTimeout(() => {
        timers.delete(t)
        fn()
      }, ms)
      timers.add(t)
    }
    // Something at least every keepaliveTimeout (60 s) or the client reconnects (doc §11.8).
    const keepalive = setInterval(() => out({type: 'KEEPALIVE', channel: 0}), 30_000)
    socket.on('close', () => {
      clearInterval(keepalive)
      for (const t of timers) clearTimeout(t)
    })

    const fieldsOf = (type: string) => (current.dxlink.fieldOrder === 'accepted' && accepted[type]?.length ? accepted[type] : DEFAULT_FIELDS[type])

    socket.on('message', (data) => {
      let msg: Record<string, unknown>
      try {
        msg = JSON.parse(String(data))
      } catch {
        return out({type: 'ERROR', channel: 0, error: 'INVALID_MESSAGE', message: 'not JSON'})
      }
      state.wsMessages.push(msg)
      const channel = Number(msg.channel)
      switch (msg.type) {
        case 'SETUP':
          out({type: 'SETUP', channel: 0, keepaliveTimeout: 60, acceptKeepaliveTimeout: 60, version: '1.0-fake-tastytrade'})
          out({type: 'AUTH_STATE', channel: 0, state: 'UNAUTHORIZED'})
          return
        case 'AUTH':
          if (!current.dxlink.authorize || !state.quoteTokens.includes(String(msg.token))) {
            out({type: 'AUTH_STATE', channel: 0, state: 'UNAUTHORIZED'})
            socket.close(1008, 'unauthorized')
            return
          }
          authorized = true
          out({type: 'AUTH_STATE', channel: 0, state: 'AUTHORIZED', userId: 'fake-user'})
          return
        case 'CHANNEL_REQUEST':
          if (!authorized) return out({type: 'ERROR', channel: 0, error: 'UNAUTHORIZED', message: 'not authorized'})
          out({type: 'CHANNEL_OPENED', channel, service: msg.service, parameters: {...(msg.parameters as object), subFormat: 'LIST'}})
          return
        case 'FEED_SETUP': {
          const fields = msg.acceptEventFields as Record<string, string[]> | undefined
          if (fields) accepted = {...accepted, ...fields}
          // Like the real server: no eventFields here; they come before the first data of a type.
          out({type: 'FEED_CONFIG', channel, dataFormat: msg.acceptDataFormat ?? 'COMPACT', aggregationPeriod: msg.acceptAggregationPeriod ?? 10})
          return
        }
        case 'FEED_SUBSCRIPTION': {
          if (msg.reset) subscribed.clear()
          for (const s of (msg.remove as Array<{type: string; symbol: string}>) ?? []) subscribed.delete(`${s.type}:${s.symbol}`)
          const added = ((msg.add as Array<{type: string; symbol: string}>) ?? []).filter((s) => !subscribed.has(`${s.type}:${s.symbol}`))
          for (const s of added) subscribed.add(`${s.type}:${s.symbol}`)
          if (current.dxlink.dropOnce && connection === 1) {
            socket.close(1012, 'service restart')
            return
          }
          if (silent) {
            clearInterval(keepalive) // dead: not even keepalives
            return
          }
          publish(channel, added)
          return
        }
        case 'CHANNEL_CANCEL':
          out({type: 'CHANNEL_CLOSED', channel})
          return
        default:
          return // KEEPALIVE, ERROR
      }
    })

    function publish(channel: number, subs: Array<{type: string; symbol: string}>): void {
      const byType = new Map<string, Array<Record<string, unknown>>>()
      for (const s of subs) {
        if (s.type === 'Candle') {
          const list = candlesFor(s.symbol, Number((s as {fromTime?: number}).fromTime ?? 0))
          if (list.length > 0) (byType.get('Candle') ?? byType.set('Candle', []).get('Candle')!).push(...list)
          continue
        }
        const event = eventFor(s.type, s.symbol)
        if (event) (byType.get(s.type) ?? byType.set(s.type, []).get(s.type)!).push(event)
      }
      for (const [type, events] of byType) {
        const frame = () => ({type: 'FEED_DATA', channel, data: [type, events.flatMap((e) => fieldsOf(type).map((f) => e[f] ?? 'NaN'))]})
        const config = () => {
          if (announced.has(type)) return
          announced.add(type)
          out({type: 'FEED_CONFIG', channel, dataFormat: 'COMPACT', aggregationPeriod: 0.1, eventFields: {[type]: fieldsOf(type)}})
        }
        if (current.dxlink.lateFeedConfigMs > 0 && !announced.has(type)) {
          // Data before its eventFields: the client must drop it without crashing (doc §9.4).
          out(frame())
          later(() => {
            config()
            out(frame())
          }, current.dxlink.lateFeedConfigMs)
        } else {
          config()
          out(frame())
        }
      }
    }
  }

  /**
   * A candle snapshot like dxFeed's: newest first, SNAPSHOT_BEGIN (0x04) on the first event and
   * SNAPSHOT_END (0x08) on the last; an empty snapshot is one REMOVE_EVENT|SNAPSHOT_END (0x0a) event.
   * Daily candles are stamped at midnight New York of their trading day.
   */
  function candlesFor(symbol: string, fromTime: number): Array<Record<string, unknown>> {
    const m = /^(.+)\{=1?d\}$/.exec(symbol)
    if (!m || current.dxlink.silent.includes(symbol)) return []
    const base = {eventType: 'Candle', eventSymbol: symbol, eventTime: 0, sequence: 0, count: 1, volume: 'NaN', vwap: 'NaN', bidVolume: 'NaN', askVolume: 'NaN', openInterest: 'NaN'}
    const list = (current.candles[m[1]] ?? [])
      .map((c) => ({...c, time: Date.parse(`${c.date}T05:00:00Z`)}))
      .filter((c) => c.time >= fromTime)
      .sort((a, b) => b.time - a.time)
    if (list.length === 0) return [{...base, eventFlags: 0x0a, index: 0, time: 0, open: 'NaN', high: 'NaN', low: 'NaN', close: 'NaN', impVolatility: 'NaN'}]
    return list.map((c, i) => ({
      ...base,
      eventFlags: (i === 0 ? 0x04 : 0) | (i === list.length - 1 ? 0x08 : 0),
      index: c.time * 4096,
      time: c.time,
      open: c.close,
      high: c.close,
      low: c.close,
      close: c.close,
      impVolatility: c.iv ?? 'NaN',
    }))
  }

  function eventFor(type: string, symbol: string): Record<string, unknown> | null {
    if (current.dxlink.silent.includes(symbol)) return null
    const base = {eventType: type, eventSymbol: symbol, eventTime: 0, eventFlags: 0, sequence: 0, timeNanoPart: 0}
    const option = current.options[symbol]
    if (type === 'Greeks') {
      if (!option) return null
      const time = Date.parse(current.asOf)
      if (current.nanGreeks.includes(symbol)) return {...base, index: time * 1024, time, price: 'NaN', volatility: 'NaN', delta: 'NaN', gamma: 'NaN', theta: 'NaN', rho: 'NaN', vega: 'NaN'}
      const g = modelGreeks(option, current)
      if (!g) return null
      const nan = Object.fromEntries((current.nanGreekFields?.[symbol] ?? []).map((f) => [f, 'NaN']))
      return {...base, index: time * 1024, time, ...dx(g), ...nan}
    }
    let quote = current.quotes[symbol]
    if (!quote && option) {
      // Options quote around the model price.
      const g = modelGreeks(option, current)
      if (g) quote = {bid: round2(g.price - 0.05), ask: round2(g.price + 0.05)}
    }
    if (!quote) return null
    if (type === 'Quote') {
      if (quote.bid === undefined || quote.ask === undefined) return null
      return {...base, bidTime: 0, bidExchangeCode: 'Q', bidPrice: quote.bid, bidSize: 'NaN', askTime: 0, askExchangeCode: 'Q', askPrice: quote.ask, askSize: 'NaN'}
    }
    if (type === 'Trade') {
      if (quote.last === undefined) return null
      return {...base, time: Date.parse(current.asOf), exchangeCode: 'Q', price: quote.last, change: 0.1, size: 100, dayId: 20458, dayVolume: 123456, dayTurnover: 'NaN', tickDirection: 'ZERO_UP', extendedTradingHours: false}
    }
    return null
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  const url = `http://127.0.0.1:${port}`
  wsUrl = `ws://127.0.0.1:${port}/realtime`

  return {
    url,
    wsUrl,
    state,
    get scenario() {
      return current
    },
    setScenario(patch: Partial<Scenario>) {
      Object.assign(current, patch)
    },
    requestsTo(path: string, method?: string) {
      return state.requests.filter((r) => r.path === path && (!method || r.method === method))
    },
    async close() {
      for (const client of wss.clients) client.terminate()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** Non-finite numbers go out as "NaN" strings, as the real feed sends them (doc §9.4). */
function dx(values: object): Record<string, number | string> {
  return Object.fromEntries(Object.entries(values as Record<string, number>).map(([k, v]) => [k, Number.isFinite(v) ? v : 'NaN']))
}

function round2(n: number): number {
  return Math.max(0.01, Math.round(n * 100) / 100)
}

function withoutMarks(r: Row): Row {
  const {mark: _mark, 'mark-price': _markPrice, ...rest} = r
  return rest
}

function matches(fault: Fault, method: string, path: string, query: Record<string, string[]>): boolean {
  if (fault.method && fault.method !== method) return false
  if (fault.query && Object.entries(fault.query).some(([k, v]) => query[k]?.[0] !== v)) return false
  return typeof fault.path === 'string' ? fault.path === path : fault.path.test(path)
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function send(res: ServerResponse, status: number, payload: unknown, raw = false): void {
  const text = raw ? String(payload) : JSON.stringify(payload)
  res.writeHead(status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(text)})
  res.end(text)
}
