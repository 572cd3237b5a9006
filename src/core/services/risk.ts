/*
 * risk: Greeks per underlying and per portfolio, delta dollars, beta-weighted delta to the
 * benchmark, capital utilisation and limit breaches; totals converted to the base currency.
 */
import type {Config} from '../config/config.js'
import {portfolioRisk, type Breach, type PortfolioRisk} from '../containers/risk.js'
import {toBase} from '../domain/money.js'
import {total} from '../domain/sum.js'
import {oldest, type PortfolioFreshness} from '../containers/freshness.js'
import {bookFreshness, loadCountedBook, neverSynced} from './book.js'
import {whatifRisks, type WhatifRisk} from './trades.js'
import {portfolioStress, type PortfolioStress} from './stress.js'
import {portfolioVars, type PortfolioVar} from './var.js'

export interface RiskOptions {
  config: Config
  dbPath: string
  /** only these portfolios (a name or several; all when absent) */
  portfolio?: string | readonly string[]
  /** the clock: freshness is judged here, and the book valued here unless valueAt is given */
  asOf: Date
  /** --as-of: value the stored book at this instant (time decay, expiries) with today's prices */
  valueAt?: Date
  /** how old prices may be before a warning ("1 session", "12h"); default the config's, else one session */
  maxAge?: string
  /** also show each portfolio with its open what-if trades (before → after) */
  withWhatif?: boolean
  /** recompute VaR/ES even when the stored figures are current (risk --var) */
  recomputeVar?: boolean
  /** compute the full stress grid (risk --stress) */
  stress?: boolean
}

export interface RiskTotals {
  /** money in the base currency; partial sums leave out unknown or unconvertible values */
  deltaDollars: number | null
  /** base currency per calendar day */
  theta: number | null
  /** base currency per vol point */
  vega: number | null
  unrealizedPnl: number | null
  /** benchmark shares */
  betaWeightedDelta: number | null
  /**
   * left out of betaWeightedDelta: positions without a beta, a price or Greeks (PortfolioRisk.missingBeta)
   * plus never-synced portfolios; partial when > 0
   */
  betaWeightedDeltaMissing: number
  /** portfolios whose numbers could not be converted (no FX rate) */
  unconverted: string[]
  /** positions (plus unconverted and never-synced portfolios) left out of these sums: they are partial when > 0 */
  missing: number
  /** expired positions (past settlement) left out of every sum */
  expired: number
  /** oldest observation time (ISO) of the marks behind these sums; null = unknown */
  pricesAsOf: string | null
}

export interface RiskResult {
  /** the clock (ISO) */
  asOf: string
  /** the instant the book is valued at (ISO): asOf, or --as-of */
  valuedAt: string
  baseCurrency: string
  benchmark: string
  /** per share; null = unknown (no beta-weighted delta then) */
  benchmarkPrice: number | null
  /** every portfolio (each has its `kind`); paper trades count in their portfolio like positions */
  portfolios: PortfolioRisk[]
  /** the real book only: research portfolios are never summed in */
  totals: RiskTotals
  /** breaches of real portfolios (what --fail-on-breach looks at) */
  breaches: Breach[]
  /** research portfolios, on their own: their totals and breaches */
  research: {totals: RiskTotals; breaches: Breach[]}
  notSynced: string[]
  /** with --with-whatif: per real portfolio with open what-if trades, risk before and after them */
  whatif?: WhatifRisk[]
  /** per syncable portfolio: when its prices were observed, and whether they are fresh, stale, failed or never synced */
  freshness: PortfolioFreshness[]
  /** warnings about stale, failed or never-synced data (also printed to stderr) */
  dataWarnings: string[]
  /** true when any portfolio is stale, failed its last sync or was never synced (--fail-on-stale exits 3) */
  stale: boolean
  /** per real/research portfolio: VaR and ES (money per horizon, portfolio currency), when computed, and the worst stress cell */
  var: PortfolioVar[]
  /** with --stress: the full stress grid per portfolio */
  stress?: PortfolioStress[]
}

export async function riskService(opts: RiskOptions): Promise<RiskResult> {
  const {config} = opts
  const at = opts.valueAt ?? opts.asOf
  // risk shows no entry Greeks: they are not read (one row per position less to decode)
  const book = await loadCountedBook(config, opts.dbPath, opts.portfolio, {asOf: at, revalue: opts.valueAt !== undefined, entryGreeks: false})
  const benchmark = config.market.benchmark
  const {view, quotes} = book.counted
  // β-weighting compares prices in the base currency: a held benchmark is converted; the quotes file is taken as quoting it in the base currency.
  const held = book.allPositions.find((p) => p.underlying === benchmark && p.underlyingPrice !== null)
  const benchmarkPrice = held ? toBase(held.underlyingPrice, held.currency, config.fxRates) : quotes.get(benchmark) ?? null
  // The counted book (services/book.ts): paper trades are part of their portfolio, as in pnl and positions.
  const bundles = book.counted.portfolios.map((c) => c.bundle)
  const portfolios = bundles.filter((b) => b.config.kind !== 'whatif' || b.positions.length > 0).map((b) => portfolioRisk(b, {betas: config.market.betas, benchmarkPrice, fxRates: config.fxRates}))
  const real = portfolios.filter((p) => p.kind !== 'research')
  const research = portfolios.filter((p) => p.kind === 'research')
  return {
    asOf: opts.asOf.toISOString(),
    valuedAt: at.toISOString(),
    baseCurrency: config.baseCurrency,
    benchmark,
    benchmarkPrice,
    portfolios,
    totals: riskTotals(real, config.fxRates),
    breaches: real.flatMap((p) => p.breaches),
    research: {totals: riskTotals(research, config.fxRates), breaches: research.flatMap((p) => p.breaches)},
    notSynced: neverSynced(book.bundles),
    // VaR and the stress grid measure the same counted book as the Greeks above (paper trades, pending deliveries).
    var: await portfolioVars({config, dbPath: opts.dbPath, asOf: opts.asOf, bundles, force: opts.recomputeVar}),
    ...(opts.stress ? {stress: portfolioStress(config, bundles, at)} : {}),
    ...(opts.withWhatif
      ? {whatif: whatifRisks(config, bundles, book.whatIf, view, {benchmarkPrice}, at)}
      : {}),
    ...bookFreshness(config, book.bundles, opts.asOf, opts.maxAge),
  }
}

export function riskTotals(portfolios: PortfolioRisk[], fxRates: Record<string, number>): RiskTotals {
  const conv = (k: 'deltaDollars' | 'theta' | 'vega' | 'unrealizedPnl') => total(portfolios.map((p) => toBase(p[k], p.currency, fxRates))).value
  return {
    deltaDollars: conv('deltaDollars'),
    theta: conv('theta'),
    vega: conv('vega'),
    unrealizedPnl: conv('unrealizedPnl'),
    betaWeightedDelta: total(portfolios.map((p) => p.betaWeightedDelta)).value,
    betaWeightedDeltaMissing: portfolios.reduce((n, p) => n + (p.missingBeta ?? 0) + (p.synced === false ? 1 : 0), 0),
    unconverted: portfolios.filter((p) => fxRates[p.currency] === undefined).map((p) => p.portfolio),
    missing: portfolios.reduce((n, p) => n + Math.max(p.missingGreeks, p.missingPnl) + (fxRates[p.currency] === undefined || p.synced === false ? 1 : 0), 0),
    expired: portfolios.reduce((n, p) => n + (p.expired?.length ?? 0), 0),
    pricesAsOf: oldest(portfolios.map((p) => p.pricesAsOf)),
  }
}
