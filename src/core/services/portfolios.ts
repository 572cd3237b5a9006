/*
 * portfolios: what is configured, and how each one's last sync went. Equity is the counted book's
 * (services/book.ts), as risk shows it: the broker's at the last sync plus open paper trades.
 */
import type {Config} from '../config/config.js'
import {loadCountedBook} from './book.js'

export interface PortfolioSummary {
  name: string
  broker: string
  account: string | null
  kind: string
  currency: string
  shadows: string | null
  source: string | null
  /** money in `currency`: the broker's equity at the last successful sync, with the P&L of open paper trades (the counted book, as risk shows it); null = unknown or never synced */
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

export async function portfoliosService(opts: {config: Config; dbPath: string; asOf: Date}): Promise<PortfoliosResult> {
  const book = await loadCountedBook(opts.config, opts.dbPath, undefined, {asOf: opts.asOf, entryGreeks: false})
  return {
    config: opts.config.file,
    database: opts.dbPath,
    portfolios: book.counted.portfolios.map(({config: p, bundle: {stored: s}}) => ({
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
