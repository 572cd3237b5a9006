/*
 * The co-trader loop: what-if legs and proposals wait for approval; approval books a paper trade
 * or, when asked and enabled, sends a real order after a dry run, a risk check and confirmation.
 * Every what-if add is a proposal (source user) whose legs are stored as what_if trades in the
 * what-if portfolio shadowing the real one; rules and screeners add proposals the same way.
 */
import type {MarketDataProvider} from '../adapters/broker.js'
import type {Config, PortfolioConfig} from '../config/config.js'
import {findPortfolio} from '../config/lookup.js'
import {neverSyncedBundle, type PortfolioBundle} from '../containers/bundles.js'
import {positionRow, type PositionRow} from '../containers/positions.js'
import {portfolioRisk, type Breach, type PortfolioRisk} from '../containers/risk.js'
import {modelFor} from '../domain/greeks.js'
import {analyzePayoff, type PayoffAnalysis} from '../domain/payoff.js'
import {defaultExerciseStyle} from '../domain/symbols.js'
import {parseLeg, tradeAsPosition, type LegSpec, type Trade} from '../domain/trade.js'
import {yearsToExpiry} from '../domain/time.js'
import type {Deliverable, Position} from '../domain/types.js'
import {effectiveOption, unknownDeliverable} from '../domain/deliverable.js'
import {UserError} from '../errors.js'
import {impliedVol, optionPrice, priceGreeks} from '../pricing/index.js'
import {readDb, writeDb, writeGate, type Db} from '../store/database.js'
import type {LedgerEvent} from '../domain/ledger/events.js'
import {appendEvents, loadEvents, loadLinks} from '../store/ledger.js'
import {tradeEvent} from './ledger/booked.js'
import * as repo from '../store/repositories.js'
import {dividendFor, loadQuotesFile, rateFor} from './market.js'

export interface TradesContext {
  config: Config
  dbPath: string
  asOf: Date
}

/** Prices known to the book: marks by symbol, underlying prices, IVs of held options. */
export interface MarketView {
  marks: Map<string, number>
  underlyings: Map<string, number>
  ivs: Map<string, {iv: number; expiry: string}[]>
  /** a held position per symbol: its IV and Greeks are the contract's at the current mark */
  held: Map<string, Position>
  /** non-standard deliverables of held options by option root (XYZ1 → 150 XYZ), as the broker stated them */
  deliverables?: Map<string, Deliverable>
}

export function marketView(positions: Position[], quotes: Map<string, number>): MarketView {
  const marks = new Map<string, number>()
  const underlyings = new Map<string, number>(quotes)
  const ivs = new Map<string, {iv: number; expiry: string}[]>()
  const held = new Map<string, Position>()
  const deliverables = new Map<string, Deliverable>()
  for (const p of positions) {
    if (p.deliverable && p.option) deliverables.set(rootOf(p.symbol), p.deliverable)
    if (p.markPrice !== null && !(held.get(p.symbol)?.greeks && !p.greeks)) held.set(p.symbol, p)
    if (p.markPrice !== null) marks.set(p.symbol, p.markPrice)
    if (p.underlyingPrice !== null) underlyings.set(p.underlying, p.underlyingPrice)
    if (p.option && p.iv !== null) {
      // one list per underlying, appended to (a copy per position made this quadratic on big books)
      const list = ivs.get(p.underlying)
      if (list) list.push({iv: p.iv, expiry: p.option.expiry})
      else ivs.set(p.underlying, [{iv: p.iv, expiry: p.option.expiry}])
    }
  }
  return {marks, underlyings, ivs, held, deliverables}
}

const rootOf = (symbol: string) => symbol.split(' ')[0].toUpperCase()

/** What a contract of this option root delivers when it is not standard: a held option's (the broker's word), else the config's `deliverables:`. */
export function deliverableOf(symbol: string, view: MarketView, config: Config): Deliverable | undefined {
  const root = rootOf(symbol)
  const d = view.deliverables?.get(root) ?? config.deliverables?.[root]
  return d ? {...d} : undefined
}

/** A trade's Greeks at creation in the shape positions use for entry Greeks. */
export function entryOf(t: Trade): repo.EntryGreeks {
  return {firstSeenAt: t.createdAt, quantity: t.quantity, entryPrice: t.price, ...t.entry}
}

/** Trades of one kind marked to market as positions. */
export function tradePositions(trades: Trade[], view: MarketView, config: Config, asOf: Date): Position[] {
  return trades.map((t) => {
    const p = tradeAsPosition(t, {
      underlyingPrice: view.underlyings.get(t.underlying) ?? null,
      bookMark: view.marks.get(t.symbol) ?? null,
      market: {rate: rateFor(config, t.currency), dividend: dividendFor(config, t.underlying)},
      asOf,
      ...(t.option && t.instrumentType === 'equity_option' ? {deliverable: deliverableOf(t.symbol, view, config)} : {}),
    })
    // One contract at one mark has one IV and one set of Greeks, whether held, paper or what-if: those of
    // the held position at the current mark (feed or model), never re-derived from this trade's entry price.
    const h = view.held.get(t.symbol)
    if (h && h.option && p.option && h.markPrice === p.markPrice) return {...p, iv: h.iv, greeks: h.greeks, greeksSource: h.greeksSource, ...(h.greeksSources ? {greeksSources: h.greeksSources} : {}), greeksNote: h.greeksNote}
    return p
  })
}

/** The what-if portfolio for a name that is either a what-if portfolio or the real one it shadows. */
export function whatifPortfolioFor(config: Config, name: string): {whatif: PortfolioConfig; real: PortfolioConfig} {
  const p = findPortfolio(config, name)
  if (p.kind === 'whatif') return {whatif: p, real: findPortfolio(config, p.shadows!)}
  const w = config.portfolios.find((q) => q.kind === 'whatif' && q.shadows === p.name)
  if (!w) throw new UserError(`no what-if portfolio shadows "${p.name}"; add one to the config: {name: ${p.name}-whatif, broker: none, kind: whatif, shadows: ${p.name}}`)
  return {whatif: w, real: p}
}

// ------------------------------------------------------------------------------------------ what-if add

export interface WhatifAddOptions extends TradesContext {
  portfolio: string
  legs: string[]
  reason?: string
  /** For live prices of legs without @ PRICE when TastyTrade credentials are set. */
  env: NodeJS.ProcessEnv
}

export interface WhatifAddResult {
  proposalId: number
  portfolio: string
  whatifPortfolio: string
  trades: PositionRow[]
  /** legs whose Greeks could not be computed, and why */
  warnings: string[]
}

export async function whatifAdd(o: WhatifAddOptions): Promise<WhatifAddResult> {
  writeGate(o.dbPath) // store/database.ts: the one gate of every write, before any work
  if (o.legs.length === 0) throw new UserError('give at least one --leg "QTY SYMBOL [@ PRICE]"')
  const {whatif, real} = whatifPortfolioFor(o.config, o.portfolio)
  const specs = o.legs.map(parseLeg)
  const symbols = new Set<string>()
  for (const s of specs) {
    if (symbols.has(s.parsed.symbol)) throw new UserError(`leg ${s.parsed.symbol} is given twice; combine the quantities`)
    symbols.add(s.parsed.symbol)
    if (s.parsed.option && yearsToExpiry(s.parsed.option.expiry, whatif.currency, o.asOf, {symbol: s.parsed.symbol, underlying: s.parsed.underlying, instrumentType: s.parsed.type}) <= 0)
      throw new UserError(`leg ${s.parsed.symbol}: the option expired on ${s.parsed.option.expiry}`)
    if (s.parsed.type === 'future' || s.parsed.type === 'future_option') throw new UserError(`leg ${s.parsed.symbol}: what-if futures are not supported yet; use stock or equity/index options`)
    if (s.parsed.option && !Number.isInteger(s.quantity)) throw new UserError(`leg ${s.parsed.symbol}: options trade in whole contracts, got ${s.quantity}`)
  }
  const positions = await readDb(o.dbPath, (db) => repo.loadPositions(db))
  const view = marketView(positions, await loadQuotesFile(o.config.market.quotesFile))
  const live = specs.some((s) => s.price === null) ? await liveSnapshot(o.config, o.env, specs) : undefined
  if (live) for (const [u, price] of live.quotes) view.underlyings.set(u, price)
  const trades = specs.map((s) => newTrade(s, whatif, 'what_if', o.config, view, o.asOf, live?.prices.get(s.parsed.symbol)))
  const now = o.asOf.toISOString()
  const proposalId = await writeDb(o.dbPath, (db) => {
    for (const p of o.config.portfolios) repo.upsertPortfolio(db, p, now)
    const id = repo.insertProposal(db, {source: 'user', portfolio: real.name, legs: trades.map((t) => ({quantity: t.quantity, symbol: t.symbol, price: t.price})), reason: o.reason ?? null, createdAt: now})
    for (const t of trades) repo.insertTrade(db, {...t, proposalId: id}, now)
    return id
  })
  const warnings = trades
    .filter((t) => t.option && t.entry.iv === null)
    .map((t) => `leg ${t.symbol}: price ${t.price} is outside the model's no-arbitrage bounds with ${t.underlying} at ${t.entry.underlyingPrice}; no implied volatility, Greeks unknown`)
  return {
    warnings,
    proposalId,
    portfolio: real.name,
    whatifPortfolio: whatif.name,
    trades: tradePositions(trades.map((t, i) => ({...t, id: i, proposalId})), view, o.config, o.asOf).map((p) => positionRow(p, o.asOf)),
  }
}

/** Underlying quotes and option prices from TastyTrade's feed, when credentials are set (else undefined: the model prices). */
async function liveSnapshot(config: Config, env: NodeJS.ProcessEnv, specs: LegSpec[]) {
  if (!config.portfolios.some((p) => p.broker === 'tastytrade')) return undefined
  const {createTastytrade} = await import('../adapters/tastytrade/adapter.js')
  const feed: MarketDataProvider = createTastytrade(config, env)
  let snap
  try {
    if (feed.unavailable()) return undefined
    snap = await feed.snapshot(
      [...new Set(specs.map((s) => s.parsed.underlying))],
      specs.filter((s) => s.parsed.option && s.price === null).map((s) => ({symbol: s.parsed.symbol, underlying: s.parsed.underlying, ...s.parsed.option!})),
    )
  } catch {
    return undefined // the feed is a convenience here; the model prices without it
  } finally {
    await feed.close()
  }
  const prices = new Map<string, number>()
  for (const [symbol, g] of snap.greeks) if (g.price !== null) prices.set(symbol, g.price)
  return {quotes: snap.quotes, prices}
}

/** A new trade with its entry Greeks at this moment: price given, else the feed's, else the model's at a held option's IV. */
export function newTrade(s: LegSpec, portfolio: PortfolioConfig, kind: Trade['kind'], config: Config, view: MarketView, asOf: Date, feedPrice?: number): Omit<Trade, 'id'> {
  const {parsed} = s
  const currency = portfolio.currency
  const underlyingPrice = view.underlyings.get(parsed.underlying) ?? null
  const market = {rate: rateFor(config, currency), dividend: dividendFor(config, parsed.underlying)}
  const base = {
    portfolio: portfolio.name, kind, status: 'open', proposalId: null, symbol: parsed.symbol, brokerSymbol: null,
    instrumentType: parsed.type, underlying: parsed.underlying, quantity: s.quantity,
    currency, orderId: null, orderStatus: null, createdAt: asOf.toISOString(),
  }
  if (!parsed.option) {
    const price = s.price ?? feedPrice ?? underlyingPrice
    if (price === null) throw new UserError(`leg ${parsed.symbol}: no price known; give one with "@ PRICE" or add ${parsed.underlying} to the quotes file`)
    return {...base, price, multiplier: 1, entry: {underlyingPrice: price, iv: null, greeks: {delta: 1, gamma: 0, theta: 0, vega: 0, rho: 0}, greeksSource: 'model'}}
  }
  const option = {...parsed.option, style: defaultExerciseStyle(parsed, currency)}
  const multiplier = currency === 'INR' ? 1 : 100
  // An adjusted option (XYZ1 → 150 XYZ) is a leg on what it delivers: that underlying, `ratio` options per unit at the
  // effective strike. With its deliverable unknown it is never priced as 100 shares: a given price, no Greeks.
  const deliverable = parsed.type === 'equity_option' ? deliverableOf(parsed.symbol, view, config) : undefined
  const eff = effectiveOption({symbol: parsed.symbol, instrumentType: parsed.type, currency, multiplier, option, ...(deliverable ? {deliverable} : {})})
  if (!eff) {
    const price = s.price ?? feedPrice ?? null
    const why = unknownDeliverable({symbol: parsed.symbol, instrumentType: parsed.type, currency, multiplier, option, ...(deliverable ? {deliverable} : {})}) ?? `the deliverable of ${parsed.symbol} cannot be priced`
    if (price === null) throw new UserError(`leg ${parsed.symbol}: ${why}; give its price with "@ PRICE"`)
    // Its risk belongs where the held contract's does (ABC1 held under ABC), else under its root.
    return {...base, underlying: view.held.get(parsed.symbol)?.underlying ?? parsed.underlying, price, multiplier, option, entry: {underlyingPrice: null, iv: null, greeks: null, greeksSource: 'none'}}
  }
  const underlying = deliverable?.underlying ?? parsed.underlying
  const underlyingAt = deliverable ? view.underlyings.get(underlying) ?? null : underlyingPrice
  if (underlyingAt === null) throw new UserError(`leg ${parsed.symbol}: no price for the underlying ${underlying}; sync a portfolio holding it or add it to the quotes file`)
  const years = yearsToExpiry(option.expiry, currency, asOf, {symbol: parsed.symbol, underlying, instrumentType: parsed.type})
  const input = {right: option.right, spot: underlyingAt, strike: eff.strike, years, ...market, dividend: dividendFor(config, underlying)}
  const choice = modelFor({instrumentType: 'equity_option', option})
  let price = s.price ?? feedPrice ?? null
  let iv: number | null
  if (price === null) {
    const held = nearestIv(view.ivs.get(underlying) ?? [], option.expiry)
    if (held === null) throw new UserError(`leg ${parsed.symbol}: no price given, no live feed and no implied volatility known for ${underlying}; give one with "@ PRICE"`)
    iv = held
    price = optionPrice({...input, vol: iv}, choice) * eff.ratio
  } else {
    iv = impliedVol(price / eff.ratio, input, choice)
  }
  const g = iv === null ? null : priceGreeks({...input, vol: iv}, choice)
  const r = eff.ratio
  return {
    ...base, underlying, price, multiplier, option,
    entry: {underlyingPrice: underlyingAt, iv, greeks: g && {delta: g.delta * r, gamma: g.gamma * r, theta: g.theta * r, vega: g.vega * r, rho: g.rho * r}, greeksSource: g ? 'model' : 'none'},
  }
}

function nearestIv(list: {iv: number; expiry: string}[], expiry: string): number | null {
  if (list.length === 0) return null
  const t = Date.parse(expiry)
  return [...list].sort((a, b) => Math.abs(Date.parse(a.expiry) - t) - Math.abs(Date.parse(b.expiry) - t))[0].iv
}

// ------------------------------------------------------------------------------------------ list / remove

export interface WhatifRow extends PositionRow {
  proposalId: number
  tradeId: number
}

export interface WhatifListResult {
  whatIf: WhatifRow[]
  /** open what-if legs of other portfolios that --portfolio left out, so an empty list can say why */
  excluded: {otherPortfolios: number}
}

export async function whatifList(o: TradesContext & {portfolio?: string | readonly string[]}): Promise<WhatifListResult> {
  const given = o.portfolio === undefined ? [] : typeof o.portfolio === 'string' ? [o.portfolio] : [...o.portfolio]
  const names = given.length > 0 ? given.map((n) => whatifPortfolioFor(o.config, n).whatif.name) : null
  const {trades, positions} = await readDb(o.dbPath, (db) => ({trades: repo.loadTrades(db, {kind: 'what_if', status: 'open'}), positions: repo.loadPositions(db)}))
  const mine = trades.filter((t) => !names || names.includes(t.portfolio))
  const view = marketView(positions, await loadQuotesFile(o.config.market.quotesFile))
  const rows = tradePositions(mine, view, o.config, o.asOf)
  return {whatIf: rows.map((p, i) => ({...positionRow(p, o.asOf, entryOf(mine[i])), proposalId: mine[i].proposalId!, tradeId: mine[i].id})), excluded: {otherPortfolios: trades.length - mine.length}}
}

export async function whatifRemove(o: TradesContext & {id: number}): Promise<{removed: number}> {
  writeGate(o.dbPath) // store/database.ts: the one gate of every write, before any work
  return writeDb(o.dbPath, (db) => {
    const p = pendingWhatif(db, o.id)
    repo.deleteProposal(db, p.id)
    return {removed: p.id}
  })
}

export async function whatifClear(o: TradesContext & {portfolio: string}): Promise<{removed: number[]}> {
  writeGate(o.dbPath) // store/database.ts: the one gate of every write, before any work
  const {whatif} = whatifPortfolioFor(o.config, o.portfolio)
  return writeDb(o.dbPath, (db) => {
    const ids = [...new Set(repo.loadTrades(db, {kind: 'what_if', status: 'open'}).filter((t) => t.portfolio === whatif.name).map((t) => t.proposalId!))]
    for (const id of ids) repo.deleteProposal(db, id)
    return {removed: ids}
  })
}

function pendingWhatif(db: Db, id: number): repo.Proposal {
  const [p] = repo.loadProposals(db, {id})
  if (!p) throw new UserError(`no proposal or what-if trade with ID ${id} (see: cotrader whatif list, cotrader approve)`)
  if (p.status !== 'pending') throw new UserError(`proposal ${id} is ${p.status}, not pending; only pending what-if trades can be removed`)
  return p
}

// ------------------------------------------------------------------------------------------ risk before → after

export interface WhatifRisk {
  portfolio: string
  whatifPortfolio: string
  before: PortfolioRisk
  after: PortfolioRisk
  /** breaches the what-if trades would cause (present after, absent before) */
  newBreaches: Breach[]
}

/** Risk of each real portfolio with and without its open what-if trades. */
export function whatifRisks(config: Config, bundles: PortfolioBundle[], whatifs: Trade[], view: MarketView, market: {benchmarkPrice: number | null}, asOf: Date): WhatifRisk[] {
  const out: WhatifRisk[] = []
  for (const w of config.portfolios.filter((p) => p.kind === 'whatif')) {
    const trades = whatifs.filter((t) => t.portfolio === w.name)
    const real = bundles.find((b) => b.config.name === w.shadows)
    if (trades.length === 0 || !real) continue
    const riskMarket = {betas: config.market.betas, benchmarkPrice: market.benchmarkPrice, fxRates: config.fxRates}
    const before = portfolioRisk(real, riskMarket)
    const added = tradePositions(trades, view, config, asOf).map((p) => ({...p, portfolio: real.config.name}))
    const withTrades = portfolioRisk({...real, positions: [...real.positions, ...added]}, riskMarket)
    // A book that is unknown (never synced) stays unknown with trades added: after is shown unknown too, never
    // "0 + the trades". Its new breaches are still those the trades cause on what is known (conservative: the
    // live-order check of approve refuses on them).
    const after = neverSyncedBundle(real) ? before : withTrades
    // Same limit on the same thing (underlying, or position for % of equity), whatever the value.
    const key = (b: Breach) => `${b.limit}/${b.underlying ?? ''}/${b.symbol ?? ''}`
    const had = new Set(before.breaches.map(key))
    out.push({portfolio: real.config.name, whatifPortfolio: w.name, before, after, newBreaches: withTrades.breaches.filter((b) => !had.has(key(b)))})
  }
  return out
}

// ------------------------------------------------------------------------------------------ payoff

export interface WhatifPayoffResult {
  portfolio: string
  underlying: string
  currency: string
  /** per unit, the price the curves are drawn around */
  spot: number
  legs: {proposalId: number; symbol: string; quantity: number; price: number; iv: number | null}[]
  /** P&L in money (`currency`) at expiration and today, by underlying price; see domain/payoff.ts */
  analysis: PayoffAnalysis
}

/** The payoff of a what-if portfolio's open legs on one underlying. */
export async function whatifPayoff(o: TradesContext & {portfolio: string; underlying?: string}): Promise<WhatifPayoffResult> {
  const {whatif} = whatifPortfolioFor(o.config, o.portfolio)
  const {trades, positions} = await readDb(o.dbPath, (db) => ({trades: repo.loadTrades(db, {kind: 'what_if', status: 'open'}), positions: repo.loadPositions(db)}))
  const mine = trades.filter((t) => t.portfolio === whatif.name)
  if (mine.length === 0) throw new UserError(`no open what-if trades in ${whatif.name}; add some with: cotrader whatif add --portfolio ${o.portfolio} --leg "QTY SYMBOL [@ PRICE]"`)
  const underlyings = [...new Set(mine.map((t) => t.underlying))]
  const underlying = o.underlying?.toUpperCase() ?? (underlyings.length === 1 ? underlyings[0] : undefined)
  if (!underlying) throw new UserError(`what-if trades in ${whatif.name} are on ${underlyings.join(', ')}; pick one with --underlying`)
  const legs = mine.filter((t) => t.underlying === underlying)
  if (legs.length === 0) throw new UserError(`no what-if trades on ${underlying} in ${whatif.name}; they are on ${underlyings.join(', ')}`)
  const view = marketView(positions, await loadQuotesFile(o.config.market.quotesFile))
  const spot = view.underlyings.get(underlying) ?? legs.find((t) => t.entry.underlyingPrice !== null)?.entry.underlyingPrice ?? null
  if (spot === null) throw new UserError(`no price known for ${underlying}; add it to the quotes file`)
  const currency = whatif.currency
  const analysis = analyzePayoff(
    legs.map((t) => {
      // An adjusted option is `ratio` options per unit at its effective strike (domain/deliverable.ts).
      const d = t.option && t.instrumentType === 'equity_option' ? deliverableOf(t.symbol, view, o.config) : undefined
      const eff = t.option && d ? effectiveOption({...t, option: t.option, deliverable: d}) : null
      const unknown = t.option && !d ? unknownDeliverable({...t, option: t.option}) : null
      if (unknown) throw new UserError(`what-if leg ${t.symbol}: ${unknown}; its payoff cannot be drawn`)
      const r = eff?.ratio ?? 1
      return {
        kind: t.option ? 'option' as const : 'linear' as const, right: t.option?.right, strike: eff?.strike ?? t.option?.strike, expiry: t.option?.expiry,
        quantity: t.quantity, multiplier: t.multiplier * r, price: t.price / r, iv: t.entry.iv, style: t.option?.style, model: modelFor(t).model,
      }
    }),
    {spot, rate: rateFor(o.config, currency), dividend: dividendFor(o.config, underlying), asOf: o.asOf, currency},
  )
  return {portfolio: whatif.name, underlying, currency, spot, legs: legs.map((t) => ({proposalId: t.proposalId!, symbol: t.symbol, quantity: t.quantity, price: t.price, iv: t.entry.iv})), analysis}
}

// ------------------------------------------------------------------------------------------ trades list / close

export interface TradeLine {
  id: number
  proposalId: number | null
  portfolio: string
  /** paper | live (booked by approve; `id` is the trade's) | broker (a fill from the broker's records in the ledger; `id` is the ledger event's) */
  kind: Trade['kind'] | 'broker'
  /** paper: open | closed; live: the order's status */
  status: string
  symbol: string
  underlying: string
  /** signed: + bought, − sold; contracts or shares */
  quantity: number
  multiplier: number
  currency: string
  /** per unit, in `currency` */
  openPrice: number
  /** open trades: the current mark per unit (null = unknown); closed: null */
  markPrice: number | null
  /** open trades: (mark − open) × quantity × multiplier, money in `currency`; closed: null */
  unrealizedPnl: number | null
  /** closed trades: the close price per unit */
  closePrice: number | null
  /** closed trades: (close − open) × quantity × multiplier, money in `currency` */
  realizedPnl: number | null
  createdAt: string
  closedAt: string | null
  /**
   * live trades: the broker's own fill of the order in the ledger (its transactions: same order id, or
   * same instrument, side and quantity within minutes; domain/ledger/provisional.ts), which the ledger
   * counts instead of the live booking; the fill is not listed again as a broker line. null = no fill
   * in the ledger yet (or not a live trade). quantity signed, price per unit (quantity-weighted over partial fills).
   */
  brokerFill?: {eventIds: number[]; quantity: number; price: number | null; at: string} | null
}

export interface TradesListResult {
  trades: TradeLine[]
  /**
   * trades the filters left out, so an empty list can say why: closed paper/live trades (--open), the
   * broker's fills of the selected portfolios (--open: fills are never open trades), and the paper/live
   * trades of other portfolios (--portfolio)
   */
  excluded: {closed: number; otherPortfolios: number; fills: number}
  /** Σ realised P&L of closed paper trades per currency, money */
  realized: {currency: string; realizedPnl: number}[]
}

/** Paper and live trades booked by approve, open ones marked to market, closed ones with their realised P&L. */
export async function tradesList(o: TradesContext & {portfolio?: string | readonly string[]; open?: boolean}): Promise<TradesListResult> {
  const names = o.portfolio === undefined ? [] : typeof o.portfolio === 'string' ? [o.portfolio] : [...o.portfolio]
  for (const n of names) findPortfolio(o.config, n)
  const {trades, closes, positions, ledger, links, fillsLeftOut} = await readDb(o.dbPath, (db) => ({
    trades: repo.loadTrades(db).filter((t) => t.kind !== 'what_if'),
    closes: repo.loadTradeCloses(db),
    positions: repo.loadPositions(db),
    // broker-originated trades: the ledger's fills from the broker's records (its API, export files), and the live bookings they confirm
    ledger: o.open ? [] : loadEvents(db, {kind: ['trade', 'assignment', 'exercise', 'expiration', 'cash_settlement'], ...(names.length > 0 ? {portfolio: names} : {})}),
    links: o.open ? [] : loadLinks(db),
    // --open lists no broker fills: counted, so an empty list can say they were left out
    fillsLeftOut: o.open ? loadEvents(db, {kind: ['trade', 'assignment', 'exercise', 'expiration', 'cash_settlement'], ...(names.length > 0 ? {portfolio: names} : {})}).filter((e) => e.source === 'broker_api' || e.source === 'file').length : 0,
  }))
  // A live booking the broker's fill confirmed or replaced is one trade: the live line, with its fill.
  const byId = new Map(ledger.map((e) => [e.id, e]))
  const fillsOfLive = new Map<string, typeof ledger>()
  const fillOfLive = new Set<number>()
  for (const l of links) {
    const from = byId.get(l.from)
    const to = byId.get(l.to)
    if ((l.kind !== 'confirms' && l.kind !== 'replaces') || from?.source !== 'live' || !to) continue
    // live event keys are live:<proposal>:<leg> (services/ledger/booked.ts); a proposal holds a symbol once
    const k = `${from.portfolio}\u0000${from.key.split(':')[1]}\u0000${from.symbol}`
    fillsOfLive.set(k, [...(fillsOfLive.get(k) ?? []), to])
    fillOfLive.add(to.id)
  }
  const fills = ledger.filter((e) => (e.source === 'broker_api' || e.source === 'file') && !fillOfLive.has(e.id))
  const inPortfolios = trades.filter((t) => names.length === 0 || names.includes(t.portfolio))
  const mine = inPortfolios.filter((t) => !o.open || t.status === 'open')
  const open = mine.filter((t) => !closes.has(t.id))
  const view = open.length > 0 ? marketView(positions, await loadQuotesFile(o.config.market.quotesFile)) : undefined
  const marked = new Map(view ? tradePositions(open, view, o.config, o.asOf).map((p, i) => [open[i].id, p]) : [])
  const lines = mine.map((t): TradeLine => {
    const c = closes.get(t.id)
    const p = marked.get(t.id)
    const mark = c ? null : p?.markPrice ?? null
    return {
      id: t.id, proposalId: t.proposalId, portfolio: t.portfolio, kind: t.kind, status: t.status, symbol: t.symbol, underlying: t.underlying,
      quantity: t.quantity, multiplier: t.multiplier, currency: t.currency, openPrice: t.price, markPrice: mark,
      unrealizedPnl: mark === null ? null : (mark - t.price) * t.quantity * t.multiplier,
      closePrice: c?.closePrice ?? null, realizedPnl: c?.realizedPnl ?? null, createdAt: t.createdAt, closedAt: c?.closedAt ?? null,
      // --open reads no ledger: the fill is not known there, so not said (rather than said absent)
      ...(t.kind === 'live' && !o.open ? {brokerFill: brokerFill(fillsOfLive.get(`${t.portfolio}\u0000${t.proposalId}\u0000${t.symbol}`))} : {}),
    }
  })
  for (const e of fills) {
    lines.push({
      id: e.id, proposalId: null, portfolio: e.portfolio, kind: 'broker', status: e.kind === 'trade' ? 'filled' : e.kind, symbol: e.symbol ?? '', underlying: e.underlying ?? '',
      quantity: e.quantity ?? 0, multiplier: e.multiplier ?? 1, currency: e.currency, openPrice: e.price ?? 0, markPrice: null, unrealizedPnl: null, closePrice: null, realizedPnl: null,
      createdAt: e.at, closedAt: null,
    })
  }
  const currencies = [...new Set(lines.filter((l) => l.realizedPnl !== null).map((l) => l.currency))].sort()
  return {trades: lines, excluded: {closed: inPortfolios.length - mine.length, otherPortfolios: trades.length - inPortfolios.length, fills: fillsLeftOut}, realized: currencies.map((currency) => ({currency, realizedPnl: lines.filter((l) => l.currency === currency).reduce((s, l) => s + (l.realizedPnl ?? 0), 0)}))}
}

function brokerFill(fills: LedgerEvent[] | undefined): TradeLine['brokerFill'] {
  if (!fills || fills.length === 0) return null
  const quantity = fills.reduce((a, f) => a + (f.quantity ?? 0), 0)
  const priced = fills.every((f) => f.price !== null && f.quantity !== null)
  const price = priced && Math.abs(quantity) > 1e-12 ? Math.round((fills.reduce((a, f) => a + f.price! * f.quantity!, 0) / quantity) * 1e8) / 1e8 : null
  return {eventIds: fills.map((f) => f.id), quantity, price, at: fills.map((f) => f.at).sort()[0]}
}

export interface TradesCloseResult {
  trade: TradeLine
  message: string
}

/**
 * Closes an open paper trade at `price` (per unit), or at its current mark (the book's mark, else the
 * model at the trade's IV), and records the realised P&L. Live trades close by an order at the broker.
 */
export async function tradesClose(o: TradesContext & {id: number; price?: number}): Promise<TradesCloseResult> {
  writeGate(o.dbPath) // store/database.ts: the one gate of every write, before any work
  if (o.price !== undefined && !(Number.isFinite(o.price) && o.price >= 0)) throw new UserError(`--price must be a price per unit ≥ 0, got ${o.price}`)
  const list = await tradesList(o)
  const t = list.trades.find((l) => l.id === o.id && l.kind !== 'broker')
  if (!t) throw new UserError(`no paper or live trade with ID ${o.id} (see: cotrader trades list)`)
  if (t.kind !== 'paper') throw new UserError(`trade ${o.id} is a live order (${t.status}); it is closed by an order at the broker, not here`)
  if (t.status !== 'open') throw new UserError(`trade ${o.id} is already ${t.status}${t.closedAt ? ` (${t.closedAt}, realised ${cents(t.realizedPnl ?? 0)} ${t.currency})` : ''}; nothing to close`, 'conflict')
  const price = o.price ?? t.markPrice
  if (price === null) throw new UserError(`trade ${o.id}: no current mark for ${t.symbol}; give the close price with --price P`)
  const close = {closePrice: price, realizedPnl: (price - t.openPrice) * t.quantity * t.multiplier, closedAt: o.asOf.toISOString()}
  const stored = await readDb(o.dbPath, (db) => repo.loadTrades(db).find((x) => x.id === o.id))
  const ok = await writeDb(o.dbPath, (db) => {
    if (!repo.closeTrade(db, o.id, close)) return false
    // The close is a ledger event too (source paper), booked in the same write (services/ledger/booked.ts).
    if (stored) appendEvents(db, [tradeEvent(stored, {source: 'paper', key: `paper-close:${o.id}`, ref: `trade ${o.id}`, at: close.closedAt, quantity: -t.quantity, price, orderId: null, description: `paper trade ${o.id} closed`})], close.closedAt)
    return true
  })
  if (!ok) throw new UserError(`trade ${o.id} was closed by another process meanwhile; nothing changed`, 'conflict')
  const trade: TradeLine = {...t, status: 'closed', markPrice: null, unrealizedPnl: null, ...close}
  // the price with the decimals the realised P&L was computed from (4.355, not 4.36), numbers with separators like every table
  const n = (v: number, min: number, max: number) => (Math.abs(v) < 0.5 * 10 ** -max ? 0 : v).toLocaleString('en-US', {minimumFractionDigits: min, maximumFractionDigits: max})
  return {trade, message: `trade ${o.id} (${t.quantity > 0 ? '+' : ''}${n(t.quantity, 0, 6)} ${t.symbol}) closed at ${n(price, 2, 6)}: realised P&L ${n(close.realizedPnl, 2, 2)} ${t.currency}`}
}

/** Money to cents for messages, never "-0.00". */
function cents(v: number): string {
  return (Math.abs(v) < 0.005 ? 0 : v).toFixed(2)
}
