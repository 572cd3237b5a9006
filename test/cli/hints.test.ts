/*
 * Hints point to what can help (issue 20 item 6). The never-synced warning: a sync that skipped the
 * portfolio for missing credentials would skip it again, one that failed would fail again, so the hint
 * names the fix first; only a portfolio never tried is told to sync. An empty realised P&L names the
 * commands that show and add ledger events (a portfolio without any was told only "no lot closed").
 */
import {describe, expect, it} from 'vitest'
import type {PortfolioConfig} from '../../src/core/config/config.js'
import type {PortfolioBundle} from '../../src/core/containers/bundles.js'
import {portfolioFreshness} from '../../src/core/containers/freshness.js'
import {renderRealized} from '../../src/core/cli/render/ledger.js'
import type {RealizedResult} from '../../src/core/services/ledger/views.js'
import type {StoredPortfolio} from '../../src/core/store/repositories.js'

const config = {name: 'tt', broker: 'tastytrade', kind: 'real', currency: 'USD'} as PortfolioConfig
const stored = (status: string | null, error: string | null): StoredPortfolio =>
  ({name: 'tt', broker: 'tastytrade', account: null, currency: 'USD', kind: 'real', balances: {} as StoredPortfolio['balances'], delta: null, gamma: null, theta: null, vega: null, deltaDollars: null, unrealizedPnl: null, positionsCount: null, lastSyncAt: null, lastSyncStatus: status, lastSyncError: error})
const warning = (s: StoredPortfolio | null) => portfolioFreshness({config, stored: s, positions: []} as PortfolioBundle, new Date('2026-11-24T21:00:00Z'))!.warning

describe('never-synced hints', () => {
  it('skipped for missing credentials: set them, then sync', () => {
    expect(warning(stored('skipped', 'tastytrade credentials missing: set TASTYTRADE_CLIENT_SECRET and TASTYTRADE_REFRESH_TOKEN'))).toBe(
      'tt: never synced: its numbers are unknown; sync skipped it: tastytrade credentials missing: set TASTYTRADE_CLIENT_SECRET and TASTYTRADE_REFRESH_TOKEN; then run: cotrader sync -p tt',
    )
  })

  it('its only sync failed: the reason, and sync once it is fixed (not a bare "run: cotrader sync")', () => {
    const w = warning(stored('failed', 'POST /oauth/token failed: 401 invalid_grant'))
    expect(w).toBe('tt: never synced (its only sync failed: POST /oauth/token failed: 401 invalid_grant): its numbers are unknown; once that is fixed, run: cotrader sync -p tt')
  })

  it('never tried: sync it', () => {
    expect(warning(null)).toBe('tt: never synced: its numbers are unknown; run: cotrader sync -p tt')
  })
})

describe('an empty realised P&L', () => {
  it('says where the ledger\'s events are and how to add them', () => {
    const r = {since: null, until: '2026-11-24', baseCurrency: 'USD', fxNote: '', positions: [], underlyings: [], portfolios: [], months: [], income: [], total: {realizedBase: null, missing: 0}, brokerChecks: [], brokerDifferences: 0, issues: [], unclassified: 0} as RealizedResult
    expect(renderRealized(r)).toBe('No realised P&L all history to 2026-11-24: no lot of the ledger closed in that window (its events: cotrader ledger; more of them: cotrader transactions import FILE --portfolio P).')
  })
})
