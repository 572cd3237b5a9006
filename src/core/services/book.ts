/*
 * The book: every configured portfolio's stored state, bundled. One read of the database per
 * command; the read-side services (positions, risk, pnl, portfolios) all start here.
 */
import {findPortfolio, type Config} from '../config/config.js'
import {buildBundles, type PortfolioBundle} from '../containers/bundles.js'
import {readDb, type Db} from '../store/database.js'
import * as repo from '../store/repositories.js'
import type {Trade} from '../domain/trade.js'
import type {Position} from '../domain/types.js'

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
}

/**
 * The book of every configured portfolio (or one). `also` reads more in the same load of the file (history
 * for day P&L, snapshots): its result comes back as `extra`, so a command still loads the database once.
 */
export async function loadBook(config: Config, dbPath: string, portfolio?: string): Promise<Book>
export async function loadBook<T>(config: Config, dbPath: string, portfolio: string | undefined, also: (db: Db, portfolios: string[]) => T): Promise<Book & {extra: T}>
export async function loadBook<T>(config: Config, dbPath: string, portfolio?: string, also?: (db: Db, portfolios: string[]) => T): Promise<Book & {extra?: T}> {
  const configs = portfolio ? [findPortfolio(config, portfolio)] : config.portfolios
  return readDb(dbPath, (db) => {
    const positions = repo.loadPositions(db)
    const trades = repo.loadTrades(db).filter(isOpen)
    const names = new Set(configs.flatMap((c) => [c.name, ...config.portfolios.filter((w) => w.shadows === c.name).map((w) => w.name)]))
    const mine = (t: Trade) => names.has(t.portfolio)
    return {
      bundles: buildBundles(configs, repo.loadPortfolios(db), positions),
      allPositions: positions,
      entryGreeks: repo.loadEntryGreeks(db),
      agentTrades: trades.filter((t) => t.kind !== 'what_if' && mine(t)),
      whatIf: trades.filter((t) => t.kind === 'what_if' && mine(t)),
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

/** Names of the given bundles' portfolios that have never been synced (and could be). */
export function neverSynced(bundles: PortfolioBundle[]): string[] {
  return bundles.filter((b) => b.config.kind !== 'whatif' && b.config.broker !== 'none' && !b.stored?.lastSyncAt).map((b) => b.config.name)
}
