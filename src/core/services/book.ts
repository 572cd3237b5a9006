/*
 * The book: every configured portfolio's stored state, bundled. One read of the database per
 * command; the read-side services (positions, risk, pnl, portfolios) all start here.
 */
import type {Config} from '../config/config.js'
import {findPortfolio} from '../config/lookup.js'
import {agePositions, type Aging} from '../containers/aging.js'
import {buildBundles, neverSyncedBundle, type PortfolioBundle} from '../containers/bundles.js'
import {DEFAULT_MAX_AGE, parseMaxAge, portfolioFreshness, type PortfolioFreshness} from '../containers/freshness.js'
import {UserError} from '../errors.js'
import {dividendFor, loadQuotesFile, rateFor} from './market.js'
import {marketView, tradePositions, type MarketView} from './trades.js'
import {readDb, type Db} from '../store/database.js'
import {openHistory, type History} from '../store/history.js'
import * as repo from '../store/repositories.js'
import {pendingSettlementRows, type PendingSettlementRow} from './ledger-provisional.js'
import type {Trade} from '../domain/trade.js'
import {convert} from '../domain/money.js'
import {unrealizedPnl} from '../domain/pnl.js'
import {wholeTotal} from '../domain/sum.js'
import type {Position} from '../domain/types.js'

/**
 * The instant a book is valued at (`asOf`; with `revalue`, options re-priced there), and the instant
 * expiry is judged at (`expiredBy`, default asOf): an end-of-day snapshot holds what was held at the
 * close, its expiring options included, while marking at the clock like every other view.
 */
export interface BookAt {
  asOf: Date
  revalue?: boolean
  expiredBy?: Date
  /**
   * false: leave `entryGreeks` empty (risk shows none; not reading them spares decoding a row per
   * position). Default: read them.
   */
  entryGreeks?: boolean
}

export interface Book {
  bundles: PortfolioBundle[]
  /** every stored position, across all portfolios (for marks and underlying prices) */
  allPositions: Position[]
  /** open paper and live trades booked on approval */
  agentTrades: Trade[]
  /** open what-if trades */
  whatIf: Trade[]
  /** entry Greeks by `portfolio\u0000symbol` */
  entryGreeks: Map<string, repo.EntryGreeks>
  /** what expiries changed that the broker's positions do not show yet (services/ledger-provisional.ts) */
  pending: PendingSettlementRow[]
}

/**
 * Reads the book. With `at`, each bundle's positions are aged to that instant (containers/aging.ts):
 * expired contracts move to `bundle.expired`, and with `revalue` live options are re-priced there.
 * `also` reads more in the same load of the file, and from the snapshot history (day P&L, attribution;
 * year files open only when `also` asks for them): its result comes back as `extra`, so a command
 * still loads the database once.
 */
export async function loadBook(config: Config, dbPath: string, portfolio?: string | readonly string[], at?: BookAt): Promise<Book>
export async function loadBook<T>(config: Config, dbPath: string, portfolio: string | readonly string[] | undefined, at: BookAt | undefined, also: (db: Db, portfolios: string[], history: History) => T): Promise<Book & {extra: T}>
export async function loadBook<T>(config: Config, dbPath: string, portfolio?: string | readonly string[], at?: BookAt, also?: (db: Db, portfolios: string[], history: History) => T): Promise<Book & {extra?: T}> {
  const book = await readBook(config, dbPath, portfolio, also, at?.entryGreeks ?? true)
  if (!at) return book
  const aging = {asOf: at.expiredBy ?? at.asOf, revalue: at.revalue ?? false, market: (p: Position) => ({rate: rateFor(config, p.currency), dividend: dividendFor(config, p.underlying)})}
  return {...book, bundles: book.bundles.map((b) => ({...b, ...splitAged(b.positions, aging)}))}
}

function splitAged(positions: Position[], aging: Aging): {positions: Position[]; expired: Position[]} {
  const {live, expired} = agePositions(positions, aging)
  return {positions: live, expired}
}

/** The portfolios a --portfolio flag (given once, several times, or not at all) selects, in config order. */
export function selectedPortfolios(config: Config, portfolio?: string | readonly string[]): Config['portfolios'] {
  const names = portfolio === undefined ? [] : typeof portfolio === 'string' ? [portfolio] : portfolio
  if (names.length === 0) return config.portfolios
  const wanted = new Set(names.map((n) => findPortfolio(config, n).name))
  return config.portfolios.filter((p) => wanted.has(p.name))
}

async function readBook<T>(config: Config, dbPath: string, portfolio: string | readonly string[] | undefined, also: ((db: Db, portfolios: string[], history: History) => T) | undefined, entryGreeks: boolean): Promise<Book & {extra?: T}> {
  const configs = selectedPortfolios(config, portfolio)
  const history = also ? await openHistory(dbPath) : undefined
  try {
    return await readBookFrom(config, dbPath, configs, also && history ? (db, names) => also(db, names, history) : undefined, entryGreeks)
  } finally {
    history?.close()
  }
}

function readBookFrom<T>(config: Config, dbPath: string, configs: Config['portfolios'], also: ((db: Db, portfolios: string[]) => T) | undefined, entryGreeks: boolean): Promise<Book & {extra?: T}> {
  return readDb(dbPath, (db) => {
    const positions = repo.loadPositions(db)
    const trades = repo.loadTrades(db).filter(isOpen)
    const names = new Set(configs.flatMap((c) => [c.name, ...config.portfolios.filter((w) => w.shadows === c.name).map((w) => w.name)]))
    const mine = (t: Trade) => names.has(t.portfolio)
    return {
      bundles: buildBundles(configs, repo.loadPortfolios(db), positions),
      allPositions: positions,
      entryGreeks: entryGreeks ? repo.loadEntryGreeks(db) : new Map(),
      agentTrades: trades.filter((t) => t.kind !== 'what_if' && mine(t)),
      whatIf: trades.filter((t) => t.kind === 'what_if' && mine(t)),
      pending: pendingSettlementRows(db, configs.map((c) => c.name)),
      ...(also ? {extra: also(db, configs.map((c) => c.name))} : {}),
    }
  })
}

/** Order states after which a live order no longer works (case as the broker writes it varies). */
const FINISHED = new Set(['rejected', 'cancelled', 'canceled', 'expired', 'removed', 'failed', 'filled'])

/**
 * Trades still open: what-if legs not yet decided, paper trades, and live orders still working. A
 * filled live order is not listed: its position comes in with the next sync, and counting both
 * would double it.
 */
function isOpen(t: Trade): boolean {
  if (t.kind === 'live') return !FINISHED.has(t.status.toLowerCase())
  return t.status === 'open'
}

export interface BookFreshness {
  /** one entry per selected syncable portfolio */
  freshness: PortfolioFreshness[]
  /** what is printed to stderr: stale, failed-sync and never-synced portfolios */
  dataWarnings: string[]
  /** true when any portfolio is not fresh (what --fail-on-stale exits 3 on) */
  stale: boolean
}

/** Freshness of every syncable bundle at `now`, against `maxAge` (a flag) or the config's market.max_data_age (default one session). */
export function bookFreshness(config: Config, bundles: PortfolioBundle[], now: Date, maxAge?: string): BookFreshness {
  const text = maxAge ?? config.market.maxDataAge
  const max = text === undefined ? DEFAULT_MAX_AGE : parseMaxAge(text)
  if (max === null) throw new UserError(`max data age "${text}" is not an age such as "1 session", "2 sessions", "12h", "90m" or "3d"`)
  const freshness = bundles.map((b) => portfolioFreshness(b, now, max)).filter((f): f is PortfolioFreshness => f !== null)
  return {freshness, dataWarnings: freshness.flatMap((f) => (f.warning ? [f.warning] : [])), stale: freshness.some((f) => f.status !== 'fresh')}
}

/** True for a portfolio whose numbers are unknown because it has never been synced. */
export function isNeverSynced(b: PortfolioBundle): boolean {
  return neverSyncedBundle(b)
}

/** Names of the given bundles' portfolios that have never been synced (and could be). */
export function neverSynced(bundles: PortfolioBundle[]): string[] {
  return bundles.filter((b) => b.config.kind !== 'whatif' && b.config.broker !== 'none' && !b.stored?.lastSyncAt).map((b) => b.config.name)
}

// ------------------------------------------------------------------------------- the counted book

/** One portfolio as every totalling view counts it (positions, pnl, risk, snapshot, history, the daemon's summary and alerts). */
export interface CountedPortfolio {
  config: PortfolioBundle['config']
  /**
   * The bundle every sum is taken over: `positions` = live broker positions + open paper trades (stock
   * from the assignments and exercises of paper option trades included, and the deliveries of the daemon's
   * provisional settlements until the broker confirms them), `expired` = broker
   * positions and paper trades past settlement at the valuation instant (listed, never summed).
   */
  bundle: PortfolioBundle
  /** broker positions only (live, then expired) */
  held: Position[]
  /** open paper trades marked to market as positions (live or expired), each with its trade */
  paper: {position: Position; trade: Trade}[]
  /**
   * Stock the daemon's provisional settlements deliver and the broker's positions do not show yet,
   * marked to market (`pendingSettlement` says why). Counted like positions until the broker's
   * positions or transactions confirm the delivery, so an assignment is never counted twice nor missed.
   */
  pending: Position[]
  /** never synced: nothing is known, so every number of this portfolio is unknown (one missing part of a total, not a position) */
  unknown: boolean
  /** summed into the real totals (kind real); research portfolios are summed apart; what-if portfolios never */
  real: boolean
}

export interface CountedBook {
  portfolios: CountedPortfolio[]
  /** prices known to the book (marks, underlying prices, IVs), quotes file included */
  view: MarketView
  /** the quotes file's underlying prices */
  quotes: Map<string, number>
}

/**
 * THE book of every view that totals. Each portfolio's sums run over its live broker positions plus its
 * open paper trades (marked to market like positions, aged like them: a paper option past settlement is
 * expired, and with `revalue` re-priced at `at`); live orders still working are never counted (until
 * filled they are no position, and once filled sync brings them). A never-synced portfolio is one
 * unknown, not an empty 0. positions, pnl, risk, snapshot (and so `pnl --history`, `risk --history` and
 * the daemon's end-of-day summary) and the daemon's breach alerts all take their numbers from here, so
 * they count the same book.
 */
export function countBook(config: Config, book: Book, at: BookAt, quotes: Map<string, number>): CountedBook {
  const view = marketView(book.allPositions, quotes)
  const paperTrades = book.agentTrades.filter((t) => t.kind === 'paper')
  const marked = tradePositions(paperTrades, view, config, at.asOf)
  const aging: Aging = {asOf: at.expiredBy ?? at.asOf, revalue: at.revalue ?? false, market: (p: Position) => ({rate: rateFor(config, p.currency), dividend: dividendFor(config, p.underlying)})}
  const portfolios = book.bundles.map((b): CountedPortfolio => {
    const mine = paperTrades.map((t, i) => ({trade: t, position: marked[i]})).filter((x) => x.position.portfolio === b.config.name)
    const aged = mine.map((x) => {
      const {live, expired} = agePositions([x.position], aging)
      return {trade: x.trade, position: live[0] ?? expired[0]}
    })
    // Expired options the daemon could not settle (no settlement price, pin risk) stay listed with the reason.
    const unsettled = new Map(book.pending.filter((r) => r.pendingKind === 'unsettled' && r.portfolio === b.config.name).map((r) => [r.symbol, r.pendingReason]))
    const mark = (p: Position): Position => (unsettled.has(p.symbol) ? {...p, pendingSettlement: unsettled.get(p.symbol)} : p)
    const live = b.positions.map(mark)
    const expiredHeld = (b.expired ?? []).map(mark)
    const pending = book.pending.filter((r) => r.pendingKind === 'provisional' && r.portfolio === b.config.name && r.quantity !== 0).map((r) => pendingPosition(r, view))
    const held = [...live, ...expiredHeld]
    const bundle: PortfolioBundle = {
      ...b,
      positions: [...live, ...pending, ...aged.filter((x) => !x.position.expired).map((x) => x.position)],
      expired: [...expiredHeld, ...aged.filter((x) => x.position.expired).map((x) => x.position)],
    }
    if (bundle.stored && bundle.stored.balances.equity !== null) {
      const equity = bookEquity(bundle.stored.balances.equity, b, aged.map((x) => x.position), book.allPositions, config)
      if (equity !== bundle.stored.balances.equity) bundle.stored = {...bundle.stored, balances: {...bundle.stored.balances, equity}}
    }
    return {config: b.config, bundle, held, paper: aged, pending, unknown: neverSyncedBundle(b), real: b.config.kind === 'real'}
  })
  return {portfolios, view, quotes}
}

/**
 * A provisional delivery as a position: the shares at the strike (their cost), marked at the underlying's
 * current price from the book; stock's Greeks are exact (Δ 1 per share), so they are not unknown.
 */
function pendingPosition(r: PendingSettlementRow, view: MarketView): Position {
  const mark = view.marks.get(r.symbol) ?? view.underlyings.get(r.symbol) ?? null
  return {
    portfolio: r.portfolio, symbol: r.symbol, brokerSymbol: r.brokerSymbol, instrumentType: 'equity', underlying: r.underlying, quantity: r.quantity, multiplier: 1,
    entryPrice: r.entryPrice, markPrice: mark, currency: r.currency, underlyingPrice: mark, underlyingPriceSource: mark === null ? 'none' : 'last', iv: null,
    greeks: {delta: 1, gamma: 0, theta: 0, vega: 0, rho: 0}, greeksSource: 'model', pendingSettlement: r.pendingReason,
  }
}

/**
 * The equity of the counted book, money in the portfolio's currency: the broker's equity at the last sync,
 * plus the unrealized P&L of the open paper trades (bought at their price: cash out, value in, so only the
 * P&L since moves equity), plus, when the book is valued at another instant (--as-of), each position's
 * change in value from its stored mark to its mark then (options re-priced, expired ones at intrinsic).
 * Unknown (null) when one of those changes is.
 */
function bookEquity(stored: number, b: PortfolioBundle, paper: Position[], raw: Position[], config: Config): number | null {
  const name = b.stored?.name ?? b.config.name
  const before = new Map(raw.filter((p) => p.portfolio === name).map((p) => [p.symbol, p]))
  const parts: (number | null)[] = []
  for (const p of [...b.positions, ...(b.expired ?? [])]) {
    const old = before.get(p.symbol)
    if (!old || old.markPrice === p.markPrice) continue // not re-valued: already in the broker's equity
    parts.push(old.markPrice === null || p.markPrice === null ? null : (p.markPrice - old.markPrice) * p.quantity * p.multiplier)
    parts[parts.length - 1] = convert(parts[parts.length - 1], p.currency, b.config.currency, config.fxRates)
  }
  for (const p of paper) parts.push(convert(unrealizedPnl(p), p.currency, b.config.currency, config.fxRates))
  const t = wholeTotal(parts)
  return t.value === null ? null : stored + t.value
}

/** loadBook (aged at `at`) and countBook in one: the book as every totalling view counts it. */
export async function loadCountedBook(config: Config, dbPath: string, portfolio: string | readonly string[] | undefined, at: BookAt): Promise<Book & {counted: CountedBook}>
export async function loadCountedBook<T>(config: Config, dbPath: string, portfolio: string | readonly string[] | undefined, at: BookAt, also: (db: Db, portfolios: string[], history: History) => T): Promise<Book & {extra: T; counted: CountedBook}>
export async function loadCountedBook<T>(config: Config, dbPath: string, portfolio: string | readonly string[] | undefined, at: BookAt, also?: (db: Db, portfolios: string[], history: History) => T): Promise<Book & {extra?: T; counted: CountedBook}> {
  const book = also ? await loadBook(config, dbPath, portfolio, at, also) : await loadBook(config, dbPath, portfolio, at)
  const quotes = await loadQuotesFile(config.market.quotesFile)
  return {...book, counted: countBook(config, book, at, quotes)}
}
