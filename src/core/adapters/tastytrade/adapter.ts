/*
 * tastytrade as a broker (positions, balances, orders) and as a market-data provider (DXLink
 * quotes and Greeks, also for options held at other brokers). One REST client and at most one
 * DXLink connection per adapter; close() releases both. Feed problems never fail a portfolio:
 * its positions come through without feed Greeks (greeksSource 'none', greeksNote says why) and
 * FetchedPortfolio.warnings says so; the sync service then fills model Greeks.
 */
import type {Config, PortfolioConfig} from '../../config/config.js'
import {marketFor, previousClose} from '../../domain/calendar/index.js'
import {parseSymbol, toStreamerSymbol, formatOption} from '../../domain/symbols.js'
import type {Balances, ParsedSymbol, Position} from '../../domain/types.js'
import {ExternalError, UserError} from '../../errors.js'
import type {BrokerAdapter, FetchContext, FetchedPortfolio, MarketDataProvider, MarketSnapshot, OptionQuoteRequest, SkippedRow} from '../broker.js'
import {resolveCredentials, type TastytradeCredentials} from './credentials.js'
import {DxlinkHub, feedPrice, feedPriceWithSource, normaliseFeedGreeks, quoteCrossed, quoteMid, REMOVE_EVENT, type FeedRequest, type FeedResult, type QuoteEndpoint} from './feed.js'
import {TastytradeApi, TastytradeApiError, unwrapList, unwrapObject, unwrapRaw} from './http.js'
import {mapBalances, mapPositionRow, mergeBySymbol, optionStyle, pickUsdBalances, withInstrument, type Json, type MappedRow} from './mapping.js'
import {buildOrderBody, parseOrderResponse, parseOrderStatus, type OrderRequest, type OrderResult, type OrderStatus} from './orders.js'
import {Redactor} from './redact.js'
import {implausibleMark} from '../../domain/plausible.js'
import {fetchTastytradeTransactions} from './transactions.js'
import type {EventDraft} from '../../domain/ledger/events.js'

export {normaliseFeedGreeks, type GreeksReading} from './feed.js'
export {TastytradeApiError} from './http.js'
export type {OrderAction, OrderLeg, OrderRequest, OrderResult, OrderState, OrderStatus} from './orders.js'

export interface TastytradeAdapterOptions {
  /** Per-request HTTP timeout; default TASTYTRADE_HTTP_TIMEOUT_MS from the environment, else 10 000 ms. */
  httpTimeoutMs?: number
  /** First retry backoff step (doubling, jittered ×0.5–1.5); default 500 ms. */
  retryBaseMs?: number
}

const DEFAULT_TIMEOUT_MS = 10_000
const DEFAULT_RETRY_BASE_MS = 500
const MAX_ATTEMPTS = 3
/** Symbols per instruments request: keeps URLs well under proxy limits (an OCC symbol is ~30 bytes encoded). */
const INSTRUMENT_BATCH = 50
const PARALLEL_REQUESTS = 4

/** Longest per-request timeout TASTYTRADE_HTTP_TIMEOUT_MS may set: ten minutes. */
const MAX_TIMEOUT_MS = 600_000

export function createTastytrade(config: Config, env: NodeJS.ProcessEnv, options: TastytradeAdapterOptions = {}): TastytradeAdapter {
  return new TastytradeAdapter(config, env, options)
}

/**
 * The per-request timeout: the caller's option, else TASTYTRADE_HTTP_TIMEOUT_MS (for slow links,
 * and so tests of the CLI can see a timeout quickly), else 10 s. A value that is not a whole number
 * of milliseconds in 1..600000 is a problem the user must fix; it fails the tastytrade calls, it is
 * never silently replaced by the default.
 */
function httpTimeout(env: NodeJS.ProcessEnv, option: number | undefined): {ms: number} | {problem: string} {
  if (option !== undefined) return {ms: option}
  const raw = env.TASTYTRADE_HTTP_TIMEOUT_MS?.trim()
  if (!raw) return {ms: DEFAULT_TIMEOUT_MS}
  const ms = Number(raw)
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(ms) || ms < 1 || ms > MAX_TIMEOUT_MS) {
    return {problem: `TASTYTRADE_HTTP_TIMEOUT_MS must be a whole number of milliseconds between 1 and ${MAX_TIMEOUT_MS}`}
  }
  return {ms}
}

/** What the adapter decided to ask the feed for, per position. */
interface Plan {
  /** Option streamer symbol for Greeks. */
  greeks: string | null
  /** Why an option has no streamer symbol. */
  noGreeks?: string
  /** Streamer symbol whose price is the underlying's (the instrument's own for stock and futures). */
  price: string | null
  /** Option streamer symbol whose Quote mid becomes the mark when the broker gave none. */
  optionQuote: string | null
  /** Exercise style stated by the instrument lookup. */
  style?: unknown
}

export class TastytradeAdapter implements BrokerAdapter, MarketDataProvider {
  readonly name = 'tastytrade'
  private readonly redactor = new Redactor()
  private readonly hub: DxlinkHub
  private credentialsResult: ReturnType<typeof resolveCredentials> | null = null
  private apiPromise: Promise<TastytradeApi> | null = null
  private accountsPromise: Promise<string[]> | null = null
  private closed = false

  constructor(
    private readonly config: Config,
    private readonly env: NodeJS.ProcessEnv,
    private readonly options: TastytradeAdapterOptions = {},
  ) {
    this.hub = new DxlinkHub(() => this.quoteEndpoint(), this.redactor, (config.daemon?.feed?.silent_seconds ?? 120) * 1000)
  }

  /**
   * Unavailable only when no credentials are configured at all (the portfolio is skipped). Credentials
   * that are configured but unusable (one variable missing, a file that is absent, unreadable, not
   * mode 0600 or not JSON) fail the portfolio in fetch() instead, so cron notices (exit 1).
   */
  unavailable(): string | null {
    const configured = Boolean(this.env.TASTYTRADE_CLIENT_SECRET || this.env.TASTYTRADE_REFRESH_TOKEN || this.config.tastytrade.credentialsFile)
    const result = this.credentials()
    return !configured && 'problem' in result ? result.problem : null
  }

  async fetch(portfolio: PortfolioConfig, ctx: FetchContext): Promise<FetchedPortfolio> {
    try {
      return await this.fetchAccount(portfolio, ctx)
    } catch (error) {
      // One line naming the portfolio; the detail was already built redacted from status + path.
      if (error instanceof TastytradeApiError) {
        throw new TastytradeApiError(`portfolio "${portfolio.name}": ${error.detail}`, error.status, error.serverCode, error.reasons)
      }
      throw error
    }
  }

  /**
   * The account's transactions from trade date `since` (the caller passes the last stored date
   * minus a few days of overlap; keys are the transaction ids, so the overlap adds nothing). All
   * pages or an error (transactions.ts).
   */
  async fetchTransactions(portfolio: PortfolioConfig, since: string | null, ctx: FetchContext): Promise<EventDraft[]> {
    if (portfolio.broker !== 'tastytrade' || !portfolio.account) {
      throw new UserError(`portfolio "${portfolio.name}" is not a tastytrade portfolio with an account number`)
    }
    const account = portfolio.account
    try {
      const api = await this.api()
      await this.checkAccount(api, account)
      return await fetchTastytradeTransactions(api, portfolio, account, since, ctx)
    } catch (error) {
      if (error instanceof TastytradeApiError) {
        throw new TastytradeApiError(`portfolio "${portfolio.name}": ${this.redactor.redact(error.detail)}`, error.status, error.serverCode, error.reasons)
      }
      throw error
    }
  }

  async snapshot(underlyings: string[], options: OptionQuoteRequest[]): Promise<MarketSnapshot> {
    const api = await this.api()
    const futures = [...new Set(underlyings.filter((u) => u.startsWith('/')))]
    const instruments = new Map<string, Json>()
    const warnings: string[] = []
    if (futures.length > 0) await this.lookupInstruments(api, [], [], futures, instruments, warnings)

    const priceOf = new Map<string, string>()
    for (const u of underlyings) {
      if (u.startsWith('/')) {
        const streamer = instruments.get(compact(u))?.['streamer-symbol']
        if (typeof streamer === 'string' && streamer) priceOf.set(u, streamer)
      } else priceOf.set(u, equityStreamer(u))
    }
    const greeksOf = new Map<string, string>()
    for (const o of options) {
      const streamer = optionStreamer(o)
      if (streamer) greeksOf.set(o.symbol, streamer)
    }
    // Option quotes too: an option's price is the mid of its quote, the Greeks event's price only when no quote came.
    const result = await this.hub.collect({greeks: unique([...greeksOf.values()]), prices: unique([...priceOf.values(), ...greeksOf.values()])}, this.waitMs())
    if (result.failure && result.events.size === 0) throw new ExternalError(`tastytrade market data: ${result.failure}`, 'tastytrade')

    const quotes = new Map<string, number>()
    for (const [u, streamer] of priceOf) {
      const price = feedPrice(result, streamer)
      if (price !== null) quotes.set(u, price)
    }
    const greeks: MarketSnapshot['greeks'] = new Map()
    const partialGreeks: NonNullable<MarketSnapshot['partialGreeks']> = new Map()
    for (const [symbol, streamer] of greeksOf) {
      const event = result.events.get(`Greeks:${streamer}`)
      const reading = event ? normaliseFeedGreeks(event) : null
      if (reading?.ok) greeks.set(symbol, {greeks: reading.greeks, iv: reading.iv, price: feedPrice(result, streamer) ?? reading.price})
      else if (reading?.partial) partialGreeks.set(symbol, {greeks: reading.partial, iv: reading.iv ?? null})
    }
    return {quotes, greeks, partialGreeks}
  }

  /** Preflight an order: buying-power effect and fees without placing it. */
  /**
   * Daily closes from DXLink Candle events (`AAPL{=1d}` from fromDate, doc §9.1), with the candle's
   * implied vol when it carries one. Stocks, ETFs and indices; futures (which need a contract's
   * streamer symbol) are left out. A symbol with no answer within the wait is absent from the map.
   */
  async dailyCandles(symbols: string[], fromDate: string): Promise<Map<string, {date: string; close: number; iv: number | null}[]>> {
    const fromTime = Date.parse(`${fromDate}T00:00:00Z`)
    const wanted = new Map(symbols.filter((s) => !s.startsWith('/') && !s.includes(' ')).map((s) => [`${equityStreamer(s)}{=1d}`, s]))
    const out = new Map<string, {date: string; close: number; iv: number | null}[]>()
    if (wanted.size === 0) return out
    const result = await this.hub.collect({greeks: [], prices: [], candles: [...wanted.keys()].map((symbol) => ({symbol, fromTime}))}, this.waitMs())
    if (result.failure) throw new ExternalError(`DXLink candles: ${result.failure}`)
    for (const [streamer, events] of result.candles) {
      const byDate = new Map<string, {date: string; close: number; iv: number | null}>()
      for (const e of events) {
        const time = Number(e.time)
        const close = Number(e.close)
        if ((Number(e.eventFlags) & REMOVE_EVENT) !== 0 || !Number.isFinite(time) || !Number.isFinite(close) || close <= 0) continue
        // Daily candles are stamped at the start of the trading day in the exchange's zone; noon UTC of that instant's day is safe either side.
        const date = new Date(time + 12 * 3_600_000).toISOString().slice(0, 10)
        const iv = Number(e.impVolatility)
        byDate.set(date, {date, close, iv: Number.isFinite(iv) && iv > 0 ? iv : null})
      }
      const list = [...byDate.values()].filter((p) => p.date >= fromDate).sort((a, b) => a.date.localeCompare(b.date))
      if (list.length > 0) out.set(wanted.get(streamer)!, list)
    }
    return out
  }

  async dryRunOrder(account: string, order: OrderRequest): Promise<OrderResult> {
    const body = buildOrderBody(order)
    const api = await this.api()
    await this.checkAccount(api, account)
    const label = `POST /accounts/${account}/orders/dry-run`
    return parseOrderResponse(unwrapObject(label, await api.request(label, (c) => c.orderService.postOrderDryRun(account, body))))
  }

  /** Places an order; only for accounts whose portfolio has trading_enabled (the client then holds the `trade` scope). */
  async placeOrder(account: string, order: OrderRequest): Promise<OrderResult> {
    const portfolio = this.config.portfolios.find((p) => p.broker === 'tastytrade' && p.account === account)
    if (!portfolio?.tradingEnabled) {
      throw new UserError(`trading is not enabled for tastytrade account ${account}; set trading_enabled: true on its portfolio${portfolio ? ` "${portfolio.name}"` : ''}`)
    }
    const body = buildOrderBody(order)
    const api = await this.api()
    await this.checkAccount(api, account)
    const label = `POST /accounts/${account}/orders`
    // Not retried on timeouts or 5xx: the order may have been accepted (RetryPolicy 'once').
    return parseOrderResponse(unwrapObject(label, await api.request(label, (c) => c.orderService.createOrder(account, body), 'once')))
  }

  /**
   * The broker's current status of a placed order (GET /accounts/{n}/orders/{id}), retried on
   * 429/5xx/network errors like every read; a failure throws a redacted TastytradeApiError and
   * says nothing about the order (the caller keeps it as unknown, never filled).
   */
  async orderStatus(account: string, orderId: string): Promise<OrderStatus> {
    if (!/^\d+$/.test(orderId)) throw new UserError(`not a tastytrade order id: ${JSON.stringify(orderId)}`)
    const api = await this.api()
    await this.checkAccount(api, account)
    const label = `GET /accounts/${account}/orders/${orderId}`
    return parseOrderStatus(orderId, unwrapObject(label, await api.request(label, (c) => c.orderService.getOrder(account, Number(orderId)))))
  }

  async close(): Promise<void> {
    this.closed = true
    this.hub.close()
    const api = this.apiPromise
    this.apiPromise = null
    if (api) await api.then((a) => a.close(), () => undefined)
  }

  // -------------------------------------------------------------------------------------------

  private async fetchAccount(portfolio: PortfolioConfig, ctx: FetchContext): Promise<FetchedPortfolio> {
    if (portfolio.broker !== 'tastytrade' || !portfolio.account) {
      throw new UserError(`portfolio "${portfolio.name}" is not a tastytrade portfolio with an account number`)
    }
    const account = portfolio.account
    const progress = (what: string) => ctx.onProgress?.(`tastytrade ${portfolio.name}: ${what}`)
    const api = await this.api()
    progress('accounts')
    await this.checkAccount(api, account)

    progress('positions and balances')
    const positionsLabel = `GET /accounts/${account}/positions`
    const [rawRows, balances] = await Promise.all([
      api.request(positionsLabel, (c) => c.balancesAndPositionsService.getPositionsList(account, {includeMarks: true})).then((r) => unwrapList(positionsLabel, r)),
      this.balances(api, account),
    ])

    const skipped: SkippedRow[] = []
    const warnings: string[] = []
    const mapped: MappedRow[] = []
    for (const row of rawRows) {
      const result = mapPositionRow(row, portfolio.name)
      if ('closed' in result) continue
      if ('skip' in result) {
        if (!ctx.skipInvalid) throw new TastytradeApiError(`${positionsLabel} returned a position cotrader cannot use: ${this.redactor.redact(result.skip)}; rerun with --skip-invalid to import the rest`)
        skipped.push({line: 0, reason: this.redactor.redact(result.skip)})
        continue
      }
      mapped.push(result.ok)
    }
    const merged = mergeBySymbol(mapped)

    progress('instruments')
    const instruments = new Map<string, Json>()
    const of = (type: string) => merged.filter((r) => r.position.instrumentType === type)
    await this.lookupInstruments(
      api,
      of('equity_option').map((r) => r.position.brokerSymbol),
      of('future_option').map((r) => r.position.brokerSymbol),
      [...of('future').map((r) => r.position.brokerSymbol), ...of('future_option').map((r) => r.brokerUnderlying)],
      instruments,
      warnings,
      of('crypto').filter((r) => r.position.markPrice === null && !r.streamerSymbol).map((r) => r.position.brokerSymbol),
    )
    // The instrument record is the broker's own description: it settles what the symbol alone cannot.
    const rows = merged.map((r) => withInstrument(r, instruments.get(compact(r.position.brokerSymbol))))
    const opaque = rows.filter((r) => r.position.opaque)
    if (opaque.length > 0) {
      const names = opaque.slice(0, 5).map((r) => `"${this.redactor.redact(r.position.brokerSymbol)}" (${r.position.opaque})`)
      warnings.push(`${opaque.length} position${opaque.length > 1 ? 's' : ''} not understood, kept with the broker's quantity, mark and value, Greeks unknown (counted as missing): ${names.join('; ')}${opaque.length > 5 ? '; …' : ''}`)
    }

    const plans = rows.map((r) => this.plan(r, instruments))
    const request: FeedRequest = {
      greeks: unique(plans.map((p) => p.greeks)),
      prices: unique([...plans.map((p) => p.price), ...plans.map((p) => p.optionQuote)]),
    }
    progress('Greeks and quotes')
    const feed = await this.hub.collect(request, this.waitMs())
    const positions = rows.map((r, i) => markProvenance(this.complete(r, plans[i], feed, warnings), r, ctx.asOf))
    await this.quoteFallbacks(positions, plans, warnings)
    const closes = positions.filter((p) => p.markSource === 'previous_close').map((p) => p.symbol)
    if (closes.length > 0) warnings.push(`no live mark for ${closes.slice(0, 5).join(', ')}${closes.length > 5 ? ` and ${closes.length - 5} more` : ''}: shown at the previous close (labelled previous_close)`)
    warnings.push(...this.feedWarnings(positions, plans, request, feed))
    return {positions, balances, skipped, warnings}
  }

  /** Which streamer symbols a position needs (doc §7): instrument data first, derived as a fallback. */
  private plan(row: MappedRow, instruments: Map<string, Json>): Plan {
    const p = row.position
    const own = instruments.get(compact(p.brokerSymbol))
    const streamerOf = (inst: Json | undefined) => (typeof inst?.['streamer-symbol'] === 'string' && inst['streamer-symbol'] ? (inst['streamer-symbol'] as string) : null)
    if (p.opaque) return {greeks: null, price: null, optionQuote: null}
    switch (p.instrumentType) {
      case 'equity':
        return {greeks: null, price: row.streamerSymbol ?? equityStreamer(p.brokerSymbol.trim()), optionQuote: null}
      case 'crypto':
        // BTC/USD streams as BTC/USD:CXTALP: the broker's streamer symbol, else the instrument's, else the symbol.
        // Asked for only when the broker gave no mark: crypto needs no underlying price otherwise.
        return {greeks: null, price: p.markPrice === null ? (row.streamerSymbol ?? streamerOf(own) ?? p.brokerSymbol.trim()) : null, optionQuote: null}
      case 'equity_option': {
        let greeks = row.streamerSymbol ?? streamerOf(own)
        let noGreeks: string | undefined
        if (!greeks) {
          // OCC → streamer is a fixed rule for equity options (doc §7.1), so a missing streamer symbol is derived.
          try {
            greeks = toStreamerSymbol(row.parsed)
          } catch (error) {
            noGreeks = `no streamer symbol (${(error as Error).message})`
          }
        }
        return {greeks, noGreeks, price: row.brokerUnderlying, optionQuote: p.markPrice === null ? greeks : null, style: own?.['exercise-style']}
      }
      case 'future':
        return {greeks: null, price: row.streamerSymbol ?? streamerOf(own), optionQuote: null}
      case 'future_option': {
        const greeks = row.streamerSymbol ?? streamerOf(own)
        const underlying = streamerOf(instruments.get(compact(row.brokerUnderlying)))
        return {
          greeks,
          // Futures-option streamer symbols carry the product code and exchange, which cannot be derived (doc §7.2, §10.12).
          noGreeks: greeks ? undefined : 'tastytrade lists no streamer symbol for this futures option, so DXLink cannot be asked for its Greeks',
          price: underlying,
          optionQuote: p.markPrice === null ? greeks : null,
          style: own?.['exercise-style'],
        }
      }
      default:
        return {greeks: null, price: null, optionQuote: null}
    }
  }

  /** The position with feed data filled in where the feed delivered it. */
  private complete(row: MappedRow, plan: Plan, feed: FeedResult, warnings: string[]): Position {
    const p: Position = {...row.position}
    if (p.opaque) return p
    if (p.option && plan.style !== undefined) p.option = {...p.option, style: optionStyle(p.instrumentType, row.parsed, plan.style)}
    const crossed = (symbol: string) => {
      const c = quoteCrossed(feed.events.get(`Quote:${symbol}`))
      // Once per quote, naming the first position it prices (an underlying may price many options).
      if (c && !warnings.some((w) => w.includes(` quote for ${symbol} is crossed`))) warnings.push(`${p.symbol}: DXLink quote for ${symbol} is crossed (bid ${c.bid} above ask ${c.ask}); not used as a price`)
    }
    if (plan.price) crossed(plan.price)
    const quoted = plan.price ? feedPriceWithSource(feed, plan.price) : null
    if (quoted !== null) {
      p.underlyingPrice = quoted.price
      p.underlyingPriceSource = 'feed'
      // Stock, futures and crypto are their own underlying: without the broker's mark-price, the live quote is the mark.
      if (!p.option && p.markPrice === null) {
        p.markPrice = quoted.price
        p.markSource = quoted.source
      }
    }
    if (plan.optionQuote) {
      if (plan.optionQuote !== plan.price) crossed(plan.optionQuote)
      const own = feedPriceWithSource(feed, plan.optionQuote)
      if (own && p.markPrice === null) {
        p.markPrice = own.price
        p.markSource = own.source
      } else if (own && own.price !== p.markPrice) p.markAlternatives = [...(p.markAlternatives ?? []), {price: own.price, source: own.source}]
    }
    if (!p.option) {
      p.greeksNote = 'not an option: delta 1 comes from the model'
      return p
    }
    if (!plan.greeks) {
      p.greeksNote = plan.noGreeks ?? 'no streamer symbol'
      return p
    }
    const event = feed.events.get(`Greeks:${plan.greeks}`)
    if (!event) {
      p.greeksNote = feed.failure ? `DXLink unavailable: ${feed.failure}` : `no Greeks from DXLink for ${plan.greeks} within ${this.waitMs() / 1000} s`
      return p
    }
    const reading = normaliseFeedGreeks(event)
    if (!reading.ok) {
      p.greeksNote = `${reading.why} for ${plan.greeks}`
      // The Greeks it did send stay the feed's; the model fills only the rest (domain/greeks.ts).
      if (reading.partial) {
        p.feedGreeks = reading.partial
        if (reading.iv != null) p.iv = reading.iv
      }
      return p
    }
    p.greeks = reading.greeks
    p.iv = reading.iv
    p.greeksSource = 'feed'
    p.greeksNote = undefined
    return p
  }

  /**
   * An option whose mark cannot be its price (below intrinsic by more than a tick, a call above what
   * it delivers: domain/plausible.ts) and whose broker total does not pass either gets its own DXLink
   * quote mid as the next alternative (not when crossed: never a price). Asked for only for those, in
   * a second short collection, so a book whose marks pass costs nothing more. The sync service then
   * picks the first source that passes (provenMark), or leaves the mark unknown, and warns.
   */
  private async quoteFallbacks(positions: Position[], plans: Plan[], warnings: string[]): Promise<void> {
    const passes = (p: Position, price: number) => implausibleMark(p, price) === null
    const wanted = positions
      .map((p, i) => ({p, streamer: plans[i].greeks}))
      .filter(({p, streamer}) => streamer && p.option && !p.opaque && p.markPrice !== null && !passes(p, p.markPrice) && !(p.markAlternatives ?? []).some((a) => passes(p, a.price)))
    if (wanted.length === 0) return
    const feed = await this.hub.collect({greeks: [], prices: unique(wanted.map((w) => w.streamer))}, this.waitMs())
    for (const {p, streamer} of wanted) {
      const event = feed.events.get(`Quote:${streamer}`)
      const crossed = quoteCrossed(event)
      if (crossed) {
        warnings.push(`${p.symbol}: DXLink quote for ${streamer} is crossed (bid ${crossed.bid} above ask ${crossed.ask}); not used as a price`)
        continue
      }
      const mid = quoteMid(event)
      if (mid !== null && !(p.markAlternatives ?? []).some((a) => a.price === mid)) p.markAlternatives = [...(p.markAlternatives ?? []), {price: mid, source: 'quote_mid'}]
    }
  }

  private feedWarnings(positions: Position[], plans: Plan[], request: FeedRequest, feed: FeedResult): string[] {
    const warnings: string[] = []
    const options = positions.filter((p) => p.option)
    const without = options.filter((p) => p.greeksSource !== 'feed' && !p.feedGreeks && !p.opaque)
    if (feed.failure && (request.greeks.length > 0 || request.prices.length > 0)) {
      warnings.push(`DXLink failed (${feed.failure}): positions were imported without feed Greeks or underlying prices; model Greeks will be used`)
    } else if (without.length > 0) {
      const examples = without.slice(0, 3).map((p) => `${p.symbol}: ${p.greeksNote}`)
      warnings.push(`${without.length} of ${options.length} options have no feed Greeks (${examples.join('; ')}${without.length > 3 ? '; …' : ''}); model Greeks will be used`)
    }
    if (!feed.failure) {
      const unpriced = unique(plans.filter((plan, i) => plan.price && positions[i].underlyingPriceSource !== 'feed').map((plan) => plan.price))
      if (unpriced.length > 0) warnings.push(`no DXLink price for ${unpriced.slice(0, 5).join(', ')}${unpriced.length > 5 ? ` and ${unpriced.length - 5} more` : ''}`)
    }
    return warnings
  }

  /** Balances: /balances/USD first; /balances (object or per-currency list, doc §5) when that is missing. */
  private async balances(api: TastytradeApi, account: string): Promise<Balances> {
    const usdLabel = `GET /accounts/${account}/balances/USD`
    try {
      const data = pickUsdBalances(unwrapRaw(usdLabel, await api.request(usdLabel, (c) => c.httpClient.getData(`/accounts/${account}/balances/USD`))))
      if (data) return mapBalances(data)
    } catch (error) {
      if (!(error instanceof TastytradeApiError) || error.status !== 404) throw error
    }
    const label = `GET /accounts/${account}/balances`
    const result = await api.request(label, (c) => c.balancesAndPositionsService.getAccountBalanceValues(account))
    const data = pickUsdBalances(Array.isArray(result) ? unwrapList(label, result) : unwrapObject(label, result))
    if (!data) throw new TastytradeApiError(`${label} failed: the response has no USD balances`)
    return mapBalances(data)
  }

  /** Streamer symbols (and exercise styles) by symbol; failures only warn: feed data degrades, positions stay. */
  private async lookupInstruments(api: TastytradeApi, equityOptions: string[], futureOptions: string[], futures: string[], into: Map<string, Json>, warnings: string[], cryptos: string[] = []): Promise<void> {
    type Job = {label: string; run: (c: TastytradeApi['client']) => Promise<unknown>}
    const jobs: Job[] = [
      ...chunks(unique(cryptos), INSTRUMENT_BATCH).map((batch) => ({label: 'GET /instruments/cryptocurrencies', run: (c: TastytradeApi['client']) => c.instrumentsService.getCryptocurrencies(batch)})),
      ...chunks(unique(equityOptions), INSTRUMENT_BATCH).map((batch) => ({label: 'GET /instruments/equity-options', run: (c: TastytradeApi['client']) => c.instrumentsService.getEquityOptions(batch)})),
      ...chunks(unique(futureOptions), INSTRUMENT_BATCH).map((batch) => ({label: 'GET /instruments/future-options', run: (c: TastytradeApi['client']) => c.instrumentsService.getFutureOptions({symbol: batch})})),
      ...chunks(unique(futures), INSTRUMENT_BATCH).map((batch) => ({label: 'GET /instruments/futures', run: (c: TastytradeApi['client']) => c.instrumentsService.getFutures({symbol: batch})})),
    ]
    const failures: string[] = []
    await forEachLimit(jobs, PARALLEL_REQUESTS, async (job) => {
      try {
        for (const item of unwrapList(job.label, await api.request(job.label, job.run))) {
          if (typeof item.symbol === 'string') into.set(compact(item.symbol), item)
        }
      } catch (error) {
        if (!(error instanceof TastytradeApiError)) throw error
        failures.push(error.detail)
      }
    })
    if (failures.length > 0) {
      warnings.push(`instrument lookup failed (${failures[0]}${failures.length > 1 ? ` and ${failures.length - 1} more` : ''}): equity options use streamer symbols derived from OCC, futures and futures options go without feed data`)
    }
  }

  private async checkAccount(api: TastytradeApi, account: string): Promise<void> {
    this.accountsPromise ??= (async () => {
      const label = 'GET /customers/me/accounts'
      const items = unwrapList(label, await api.request(label, (c) => c.accountsAndCustomersService.getCustomerAccounts()))
      return items
        .map((item) => ((item.account ?? item) as Json)['account-number'])
        .filter((n): n is string => typeof n === 'string')
    })().catch((error) => {
      this.accountsPromise = null
      throw error
    })
    const visible = await this.accountsPromise
    if (!visible.includes(account)) {
      throw new TastytradeApiError(`account ${account} is not visible to these credentials (visible: ${visible.join(', ') || 'none'})`)
    }
  }

  private async quoteEndpoint(): Promise<QuoteEndpoint> {
    const api = await this.api()
    const label = 'GET /api-quote-tokens'
    try {
      const data = unwrapObject(label, await api.request(label, (c) => c.accountsAndCustomersService.getApiQuoteToken()))
      const token = data.token
      const url = data['dxlink-url']
      if (typeof token !== 'string' || !token || typeof url !== 'string' || !url) throw new TastytradeApiError(`${label} failed: the response has no token or dxlink-url`)
      this.redactor.add(token)
      return {url, token}
    } catch (error) {
      // The hub reports the message as the feed failure; the detail has no `tastytrade:` prefix.
      if (error instanceof TastytradeApiError) throw new Error(error.detail)
      throw error
    }
  }

  private api(): Promise<TastytradeApi> {
    if (this.closed) return Promise.reject(new ExternalError('tastytrade: the adapter was closed', 'tastytrade'))
    this.apiPromise ??= (async () => {
      const result = this.credentials()
      if ('problem' in result) throw new UserError(`tastytrade: ${result.problem}`, 'credentials')
      const timeout = httpTimeout(this.env, this.options.httpTimeoutMs)
      if ('problem' in timeout) throw new UserError(`tastytrade: ${timeout.problem}`, 'config')
      const credentials: TastytradeCredentials = result.credentials
      this.redactor.add(credentials.clientSecret)
      this.redactor.add(credentials.refreshToken)
      // `trade` only when some tastytrade portfolio may trade: a read-only token cannot place orders by accident.
      const trading = this.config.portfolios.some((p) => p.broker === 'tastytrade' && p.tradingEnabled)
      return TastytradeApi.create(
        credentials,
        {
          baseUrl: this.env.TASTYTRADE_API_URL?.trim() ?? '',
          environment: this.config.tastytrade.environment,
          scopes: trading ? ['read', 'trade'] : ['read'],
          timeoutMs: timeout.ms,
          retryBaseMs: this.options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS,
          maxAttempts: MAX_ATTEMPTS,
        },
        this.redactor,
      )
    })()
    return this.apiPromise
  }

  private credentials(): ReturnType<typeof resolveCredentials> {
    this.credentialsResult ??= resolveCredentials(this.env, this.config.tastytrade.credentialsFile)
    return this.credentialsResult
  }

  private waitMs(): number {
    return Math.round(this.config.tastytrade.greeksWaitSeconds * 1000)
  }
}

/** Streamer symbol of an option asked for by internal symbol (or by its parts when that does not parse). */
function optionStreamer(o: OptionQuoteRequest): string | null {
  let parsed: ParsedSymbol | null = null
  try {
    parsed = parseSymbol(o.symbol)
  } catch {
    try {
      parsed = parseSymbol(formatOption(o.underlying, o.expiry, o.strike, o.right))
    } catch {
      return null
    }
  }
  if (parsed.type !== 'equity_option' || !parsed.option) return null
  try {
    return toStreamerSymbol(parsed)
  } catch {
    return null
  }
}

/** tastytrade writes share classes with a slash (`BRK/B`, doc §7.1); the internal form uses a dot. */
function equityStreamer(symbol: string): string {
  return symbol.replace(/^([A-Z]+)\.([A-Z]{1,2})$/, '$1/$2')
}

/** Lookup key: OCC padding may differ between endpoints; case does not matter. */
function compact(symbol: string): string {
  return symbol.replace(/\s+/g, ' ').trim().toUpperCase()
}

function unique(values: Array<string | null | undefined>): string[] {
  return [...new Set(values.filter((v): v is string => typeof v === 'string' && v.length > 0))]
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

async function forEachLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await fn(items[next++])
  }
  await Promise.all(Array.from({length: Math.min(limit, items.length)}, worker))
}

/**
 * When and what each mark is: the broker's mark-price and a DXLink quote mid are observed now (the
 * API/feed time); without either, the broker's close-price stands in, labelled previous_close and
 * dated at the close of the last session, never as a live mark.
 */
function markProvenance(p: Position, row: MappedRow, asOf: Date): Position {
  if (p.markPrice !== null) return {...p, markSource: p.markSource ?? 'live', markAsOf: asOf.toISOString()}
  if (row.closePrice === null) return p
  const close = previousClose(marketFor(p), asOf)
  return {...p, markPrice: row.closePrice, markSource: 'previous_close', ...(close ? {markAsOf: close.close.toISOString()} : {})}
}
