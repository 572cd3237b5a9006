/*
 * portfolios: what is configured, and how each one's last sync went.
 */
import type {Config} from '../config/config.js'
import {loadBook} from './book.js'

export interface PortfolioSummary {
  name: string
  broker: string
  account: string | null
  kind: string
  currency: string
  shadows: string | null
  source: string | null
  /** money in `currency`, from the last successful sync; null = unknown or never synced */
  equity: number | null
  cash: number | null
  positions: number | null
  lastSyncAt: string | null
  lastSyncStatus: 'ok' | 'failed' | 'skipped' | 'never'
  lastSyncError: string | null
}

export interface PortfoliosResult {
  config: string
  database: string
  portfolios: PortfolioSummary[]
}

export async function portfoliosService(opts: {config: Config; dbPath: string}): Promise<PortfoliosResult> {
  const book = await loadBook(opts.config, opts.dbPath)
  return {
    config: opts.config.file,
    database: opts.dbPath,
    portfolios: book.bundles.map(({config: p, stored: s}) => ({
      name: p.name,
      broker: p.broker,
      account: p.account ?? null,
      kind: p.kind,
      currency: p.currency,
      shadows: p.shadows ?? null,
      source: p.source ? `${p.source.format}: ${p.source.file}` : null,
      equity: s?.balances.equity ?? null,
      cash: s?.balances.cash ?? null,
      positions: s?.positionsCount ?? null,
      lastSyncAt: s?.lastSyncAt ?? null,
      lastSyncStatus: (s?.lastSyncStatus as PortfolioSummary['lastSyncStatus']) ?? 'never',
      lastSyncError: s?.lastSyncError ?? null,
    })),
  }
}
