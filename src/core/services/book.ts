/*
 * The book: every configured portfolio's stored state, bundled. One read of the database per
 * command; the read-side services (positions, risk, pnl, portfolios) all start here.
 */
import {findPortfolio, type Config} from '../config/config.js'
import {buildBundles, type PortfolioBundle} from '../containers/bundles.js'
import {readDb} from '../store/database.js'
import * as repo from '../store/repositories.js'

export interface Book {
  bundles: PortfolioBundle[]
  runs: repo.SyncRun[]
}

export async function loadBook(config: Config, dbPath: string, portfolio?: string): Promise<Book> {
  const configs = portfolio ? [findPortfolio(config, portfolio)] : config.portfolios
  return readDb(dbPath, (db) => ({
    bundles: buildBundles(configs, repo.loadPortfolios(db), repo.loadPositions(db)),
    runs: repo.loadSyncRuns(db),
  }))
}

/** Names of the given bundles' portfolios that have never been synced (and could be). */
export function neverSynced(bundles: PortfolioBundle[]): string[] {
  return bundles.filter((b) => b.config.kind !== 'whatif' && b.config.broker !== 'none' && !b.stored?.lastSyncAt).map((b) => b.config.name)
}
