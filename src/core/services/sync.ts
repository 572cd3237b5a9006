/*
 * sync: fetch every selected portfolio from its broker (network and files, no lock held), fill
 * underlying prices and model Greeks, then write everything in one locked write: per portfolio a
 * savepoint that replaces its positions and aggregates, so one failure keeps that portfolio's
 * previous positions and the others still land. Every run is recorded.
 */
import type {BrokerAdapter, FetchContext, FetchedPortfolio, MarketDataProvider, OptionQuoteRequest} from '../adapters/broker.js'
import {FILE_FED_BROKERS, type Config, type PortfolioConfig} from '../config/config.js'
import {underlyingRisks, type UnderlyingRisk} from '../containers/risk.js'
import type {ModelMarket} from '../domain/greeks.js'
import {total} from '../domain/sum.js'
import {isoDate} from '../domain/time.js'
import type {Balances, Position} from '../domain/types.js'
import {UserError} from '../errors.js'
import {marketValue, unrealizedPnl} from '../domain/pnl.js'
import {inCurrency} from '../domain/money.js'
import {readDb, writeDb, writeGate} from '../store/database.js'
import {openHistory} from '../store/history.js'
import * as repo from '../store/repositories.js'
import {loadReconcileStatus, saveReconcileStatus, type ReconcileStatus} from '../store/reconcile.js'
import {dividendFor, loadQuotes, rateFor, type QuotesFile} from './market.js'
import {provenMark} from '../domain/plausible.js'
import {isStale, oldest, parseMaxAge, DEFAULT_MAX_AGE} from '../containers/freshness.js'
import {marketFor} from '../domain/calendar/index.js'
import {withModelGreeksAll} from './model-greeks.js'
import {refreshDerived, varSettings} from './var.js'
import {candlesConfigured, refreshCandles, type CandleSource} from './prices.js'
import {lastPriceDates, upsertPrices, type PriceRow} from '../store/prices.js'
import type {EventDraft} from '../domain/ledger/events.js'
import {appendEvents, lastEventDate} from '../store/ledger.js'
import {settleProvisional} from './ledger-provisional.js'
import {addDays} from '../domain/calendar/zones.js'

/** Days an incremental transactions pull reaches back before the last stored event (late-posted rows; the overlap adds nothing). */
export const TRANSACTIONS_OVERLAP_DAYS = 3

export interface SyncOptions {
  config: Config
  dbPath: string
  /** Limit the run to these portfolios (names); all syncable ones when empty. */
  portfolios?: string[]
  skipInvalid: boolean
  /** Accept an import with no positions for a portfolio that had some (else it fails and keeps them). */
  allowEmpty?: boolean
  asOf: Date
  env: NodeJS.ProcessEnv
  onProgress?: (portfolio: string, message: string) => void
}

export interface PortfolioSyncResult {
  name: string
  broker: string
  status: 'ok' | 'skipped' | 'failed'
  /** positions stored (ok only) */
  positions: number | null
  greeks: {feed: number; model: number; none: number} | null
  /** seconds */
  duration: number
  error: string | null
  warnings: string[]
  skippedRows: {line: number; reason: string}[]
  /** ledger events of this run: read (files or the broker's API), added, already stored; null = the portfolio has no transactions source */
  transactions: {read: number; added: number; duplicates: number} | null
  /**
   * The ledger against the broker's positions after this run (portfolios with transactions only):
   * changed = the status differs from the last sync's (a change to 'differs' is also a warning line;
   * staying 'differs' is only this, shown as a one-line reminder). Absent when not checked.
   */
  reconcile?: {status: 'reconciles' | 'differs'; since: string; differences: number; changed: boolean; previous: 'reconciles' | 'differs' | null}
}

export interface SyncResult {
  asOf: string
  portfolios: PortfolioSyncResult[]
  ok: number
  skipped: number
  failed: number
}

/** Adapters are created lazily so a run that touches no TastyTrade portfolio never loads the SDK. */
export interface AdapterFactory {
  file(): Promise<BrokerAdapter>
  tastytrade(): Promise<BrokerAdapter & MarketDataProvider>
}

export const defaultAdapters = (config: Config, env: NodeJS.ProcessEnv): AdapterFactory => {
  let tt: Promise<BrokerAdapter & MarketDataProvider> | undefined
  return {
    async file() {
      const {fileAdapter} = await import('../adapters/file.js')
      return fileAdapter()
    },
    tastytrade() {
      tt ??= import('../adapters/tastytrade/adapter.js').then((m) => m.createTastytrade(config, env))
      return tt
    },
  }
}

/** Portfolios that sync pulls: everything with a broker or a source file, except what-if ones. */
export function syncable(p: PortfolioConfig): boolean {
  return p.kind !== 'whatif' && p.broker !== 'none'
}

export async function syncService(opts: SyncOptions, adapters: AdapterFactory = defaultAdapters(opts.config, opts.env)): Promise<SyncResult> {
  const {config, asOf} = opts
  const selected = selectPortfolios(config, opts.portfolios ?? [])
  // The write gate before any fetch: nothing is fetched for a write that cannot happen.
  writeGate(opts.dbPath)
  const quotes = await loadQuotes(config.market.quotesFile)
  const {lastPrices, held, lastDates, lastApiEvents} = await readDb(opts.dbPath, (db) => ({
    lastPrices: repo.lastUnderlyingPrices(db),
    held: new Map(db.all<{portfolio: string; n: number}>('SELECT portfolio, count(*) AS n FROM positions GROUP BY portfolio').map((r) => [r.portfolio, Number(r.n)])),
    lastDates: lastPriceDates(db),
    lastApiEvents: new Map(selected.map((p) => [p.name, lastEventDate(db, p.name, 'broker_api')])),
  }))
  let candles: PriceRow[] = []
  const outcomes: {config: PortfolioConfig; result: PortfolioSyncResult; fetched?: FetchedPortfolio & {positions: Position[]}; events?: {file: string; events: EventDraft[]}[]}[] = []
  let tastytrade: (BrokerAdapter & MarketDataProvider) | undefined
  try {
    for (const p of selected) {
      const started = Date.now()
      const progress = (m: string) => opts.onProgress?.(p.name, m)
      progress('fetching')
      const base: PortfolioSyncResult = {name: p.name, broker: p.broker, status: 'ok', positions: null, greeks: null, duration: 0, error: null, warnings: [], skippedRows: [], transactions: null}
      try {
        const isFile = (FILE_FED_BROKERS as string[]).includes(p.broker)
        const adapter = isFile ? await adapters.file() : (tastytrade ??= await adapters.tastytrade())
        const why = adapter.unavailable()
        if (why) {
          outcomes.push({config: p, result: {...base, status: 'skipped', error: `${p.broker} credentials missing: ${why}`, duration: secondsSince(started)}})
          continue
        }
        const fetched = await adapter.fetch(p, {asOf, skipInvalid: opts.skipInvalid, onProgress: progress})
        // No silent wipes: a header-only export, or --skip-invalid leaving nothing, must not empty a portfolio that had positions.
        const had = held.get(p.name) ?? 0
        if (isFile && fetched.positions.length === 0 && had > 0 && !opts.allowEmpty) {
          const why = fetched.skipped.length > 0 ? `every row was skipped (${fetched.skipped.length})` : 'the file has no positions'
          throw new UserError(`${why}; the previous ${had} position${had > 1 ? 's are' : ' is'} kept. If the portfolio is really empty now, sync again with --allow-empty`)
        }
        let feed: MarketDataProvider | undefined
        if (p.broker === 'fidelity' && hasUsOptionsOrStock(fetched.positions)) {
          tastytrade ??= await adapters.tastytrade()
          if (!tastytrade.unavailable()) feed = tastytrade
        }
        // The ledger's events of this run, fetched before anything is stored: a failure here (a bad row,
        // a page that fails) fails the portfolio, so nothing of its run is stored (positions included).
        const events = await fetchLedgerEvents(p, adapter, lastApiEvents.get(p.name) ?? null, {asOf, skipInvalid: opts.skipInvalid, onProgress: progress})
        if (events) for (const f of events) fetched.warnings.push(...f.warnings)
        progress('pricing')
        const observed = stampMarks(fetched.positions, fetched.pricesAsOf ?? asOf.toISOString(), isFile)
        const quotesUsed: string[] = []
        const positions = await price(observed, {config, quotes, lastPrices, asOf, feed, warnings: fetched.warnings, quotesUsed})
        // Prices from the quotes file age like any other: the portfolio's prices are as old as the oldest one used.
        const quoted = quotesUsed.map((u) => quotes.asOf.get(u)).filter((t): t is string => !!t && t < asOf.toISOString())
        if (quoted.length > 0) {
          const at = oldest(quoted) as string
          fetched.pricesAsOf = oldest([fetched.pricesAsOf ?? asOf.toISOString(), at]) ?? undefined
          const max = (config.market.maxDataAge && parseMaxAge(config.market.maxDataAge)) || DEFAULT_MAX_AGE
          const stale = quotesUsed.filter((u) => {
            const t = quotes.asOf.get(u)
            return t !== undefined && isStale(marketFor(positions.find((q) => q.underlying.toUpperCase() === u) ?? {instrumentType: 'equity', currency: p.currency, underlying: u}), new Date(t), asOf, max)
          })
          if (stale.length > 0) fetched.warnings.push(`quotes file prices are stale (from ${at.slice(0, 16).replace('T', ' ')}Z, older than allowed) for ${stale.slice(0, 5).join(', ')}${stale.length > 5 ? ` and ${stale.length - 5} more` : ''}: update ${config.market.quotesFile}`)
        }
        const counts = {feed: 0, model: 0, none: 0}
        for (const q of positions) counts[q.greeksSource]++
        outcomes.push({
          config: p,
          fetched: {...fetched, positions},
          ...(events ? {events} : {}),
          result: {...base, positions: positions.length, greeks: counts, warnings: fetched.warnings, skippedRows: fetched.skipped, duration: secondsSince(started)},
        })
      } catch (error) {
        outcomes.push({config: p, result: {...base, status: 'failed', error: oneLine(error), duration: secondsSince(started)}})
      }
    }
    // Daily closes for VaR from DXLink candles, with TastyTrade credentials (services/prices.ts).
    // Only over a connection this run has shown to work: a failing broker is not asked twice.
    const underlyings = [...new Set(outcomes.flatMap((o) => o.fetched?.positions.map((q) => q.underlying) ?? []))]
    const ttOk = outcomes.some((o) => o.config.broker === 'tastytrade' && o.result.status === 'ok')
    if (underlyings.length > 0 && ttOk && candlesConfigured(config, opts.env)) {
      try {
        tastytrade ??= await adapters.tastytrade()
        if ('dailyCandles' in tastytrade) candles = await refreshCandles(tastytrade as unknown as CandleSource, underlyings, lastDates, varSettings(config).lookbackDays, asOf)
      } catch (error) {
        for (const o of outcomes) if (o.result.status === 'ok') o.result.warnings.push(`price history from DXLink candles not updated: ${oneLine(error)}`)
      }
    }
  } finally {
    await Promise.allSettled([tastytrade?.close()])
  }
  const now = asOf.toISOString()
  // VaR reads the snapshot history (store/history.ts) inside the write; its year files open on demand.
  const history = await openHistory(opts.dbPath)
  let lastReconcile = new Map<string, ReconcileStatus>()
  try {
    await writeDb(opts.dbPath, (db) => {
      lastReconcile = loadReconcileStatus(db)
      for (const p of config.portfolios) repo.upsertPortfolio(db, p, now)
      for (const {config: p, result, fetched, events} of outcomes) {
        const run = {portfolio: p.name, startedAt: now, finishedAt: new Date(Date.parse(now) + result.duration * 1000).toISOString(), status: result.status,
          positions: result.positions, greeksFeed: result.greeks?.feed ?? null, greeksModel: result.greeks?.model ?? null, greeksNone: result.greeks?.none ?? null, error: result.error}
        if (result.status !== 'ok' || !fetched) {
          repo.markSyncStatus(db, p.name, result.status as 'failed' | 'skipped', result.error ?? '', now)
          repo.recordSyncRun(db, run)
          continue
        }
        db.run('SAVEPOINT portfolio')
        try {
          repo.replacePositions(db, p.name, fetched.positions, now)
          const inOwn = fetched.positions.map((q) => inCurrency(q, p.currency, config.fxRates))
          const rows = underlyingRisks(inOwn, {betas: {}, benchmarkPrice: null, fxRates: config.fxRates})
          const aggregates = aggregate(rows, balancesOf(p, fetched))
          repo.updateAggregates(db, p.name, aggregates, fetched.positions.length, now)
          repo.setPricesAsOf(db, p.name, fetched.pricesAsOf ?? now)
          snapshot(db, p.name, rows, aggregates, now)
          if (events) result.transactions = storeLedgerEvents(db, events, now)
          // The broker's positions (and transactions) just stored confirm or replace the daemon's provisional settlements.
          settleProvisional(db, p.name, now, {positionsSynced: true})
          db.run('RELEASE portfolio')
        } catch (error) {
          db.run('ROLLBACK TO portfolio')
          db.run('RELEASE portfolio')
          result.status = 'failed'
          result.error = `storing failed: ${oneLine(error)}`
          run.status = 'failed'
          run.error = result.error
          repo.markSyncStatus(db, p.name, 'failed', result.error, now)
        }
        repo.recordSyncRun(db, run)
      }
      if (candles.length > 0) upsertPrices(db, candles)
      // VaR/ES and the worst stress cell, fresh on every sync, stored with their time (services/var.ts refreshDerived).
      const synced = outcomes.filter((o) => o.result.status === 'ok').map((o) => o.config.name)
      if (synced.length > 0) {
        try {
          refreshDerived(db, history, config, asOf, {portfolios: synced, positions: new Map(outcomes.filter((o) => o.result.status === 'ok').map((o) => [o.config.name, o.fetched?.positions ?? []]))})
        } catch (error) {
          for (const o of outcomes) if (o.result.status === 'ok') o.result.warnings.push(`VaR not computed: ${oneLine(error)}`)
        }
      }
    })
  } finally {
    history.close()
  }
  await warnUnreconciled(opts, outcomes.filter((o) => o.result.status === 'ok' && o.result.transactions !== null).map((o) => o.result), lastReconcile)
  const results = outcomes.map((o) => o.result)
  return {
    asOf: now,
    portfolios: results,
    ok: results.filter((r) => r.status === 'ok').length,
    skipped: results.filter((r) => r.status === 'skipped').length,
    failed: results.filter((r) => r.status === 'failed').length,
  }
}

/**
 * A portfolio's transactions for the ledger: its `source.transactions` files (file-fed), or the
 * broker's API from the last stored event's date minus TRANSACTIONS_OVERLAP_DAYS (adapters with
 * fetchTransactions). null when it has neither.
 */
async function fetchLedgerEvents(p: PortfolioConfig, adapter: BrokerAdapter, lastApi: string | null, ctx: FetchContext): Promise<{file: string; events: EventDraft[]; warnings: string[]}[] | null> {
  if (p.source?.transactions) {
    const {expandTransactionFiles, parseTransactionsFile} = await import('./ledger/import.js')
    ctx.onProgress?.('reading transactions')
    return expandTransactionFiles(p.source.transactions.file).map((f) => parseTransactionsFile(f, p.source!.transactions!.format, p))
  }
  if (adapter.fetchTransactions && !(FILE_FED_BROKERS as string[]).includes(p.broker)) {
    ctx.onProgress?.('fetching transactions')
    const since = lastApi === null ? null : addDays(lastApi, -TRANSACTIONS_OVERLAP_DAYS)
    const events = await adapter.fetchTransactions(p, since, ctx)
    return [{file: `${p.broker} API`, events, warnings: []}]
  }
  return null
}

/** Inside the portfolio's savepoint: a conflicting id throws, which rolls the portfolio's whole run back. */
function storeLedgerEvents(db: Parameters<typeof appendEvents>[0], files: {file: string; events: EventDraft[]}[], now: string): {read: number; added: number; duplicates: number} {
  const out = {read: 0, added: 0, duplicates: 0}
  for (const f of files) {
    const r = appendEvents(db, f.events, now)
    if (r.conflicts.length > 0) {
      const c = r.conflicts[0]
      throw new UserError(`${c.incoming.sourceRef ?? f.file}: transaction ${c.key} differs from the one already stored from ${c.stored.sourceRef ?? c.stored.source}; nothing of this portfolio's run was stored`)
    }
    out.read += f.events.length
    out.added += r.added.length
    out.duplicates += r.duplicates
  }
  return out
}

/**
 * The ledger against the broker's positions after the run. A portfolio that reconciled at the last
 * sync (or was never checked) and does not now gets one warning line; one that still does not gets
 * only `reconcile` (rendered as a one-line dim reminder, not a warning); one that reconciles again
 * gets `reconcile.changed`. The status is stored (reconcile_status) only when it changes, so a sync
 * whose portfolios keep their status writes nothing more.
 */
async function warnUnreconciled(opts: SyncOptions, results: PortfolioSyncResult[], last: Map<string, ReconcileStatus>): Promise<void> {
  if (results.length === 0) return
  const now = opts.asOf.toISOString()
  const changed: ReconcileStatus[] = []
  try {
    const {reconcileService} = await import('./ledger/views.js')
    const r = await reconcileService({config: opts.config, dbPath: opts.dbPath, portfolios: results.map((x) => x.name), asOf: opts.asOf})
    for (const p of r.portfolios) {
      const x = results.find((y) => y.name === p.portfolio)
      if (!x || (p.status !== 'differs' && p.status !== 'reconciles')) continue
      const before = last.get(p.portfolio)
      const moved = before?.status !== p.status
      const since = moved ? now : before!.since
      if (moved) changed.push({portfolio: p.portfolio, status: p.status, since, checkedAt: now, differences: p.differences.length})
      x.reconcile = {status: p.status, since, differences: p.differences.length, changed: moved, previous: before?.status ?? null}
      if (p.status === 'differs' && moved) {
        const d = p.differences[0]
        x.warnings.push(`the ledger does not reconcile with the positions${before ? ' any more' : ''}: ${p.differences.length} difference(s), e.g. ${d.symbol} ledger ${d.ledger} vs broker ${d.broker} (${d.cause}); see cotrader reconcile`)
      }
    }
  } catch (error) {
    for (const x of results) x.warnings.push(`ledger not reconciled: ${oneLine(error)}`)
    return
  }
  if (changed.length > 0) await writeDb(opts.dbPath, (db) => changed.forEach((c) => saveReconcileStatus(db, c)))
}

function selectPortfolios(config: Config, names: string[]): PortfolioConfig[] {
  if (names.length === 0) return config.portfolios.filter(syncable)
  return names.map((name) => {
    const p = config.portfolios.find((q) => q.name === name)
    if (!p) throw new UserError(`unknown portfolio "${name}"; configured: ${config.portfolios.map((q) => q.name).join(', ')}`)
    if (!syncable(p)) throw new UserError(`portfolio "${name}" is a ${p.kind === 'whatif' ? 'what-if' : 'broker-less'} portfolio; there is nothing to sync`)
    return p
  })
}

interface PriceContext {
  config: Config
  quotes: QuotesFile
  /** filled: the quotes-file symbols whose prices were used */
  quotesUsed: string[]
  lastPrices: Map<string, {price: number; at: string}>
  asOf: Date
  feed?: MarketDataProvider
  warnings: string[]
}

/**
 * Underlying prices by precedence: live feed > the file's own > quotes file > last known value;
 * then model Greeks for whatever the feed did not give.
 */
async function price(input: Position[], ctx: PriceContext): Promise<Position[]> {
  const positions = withDeliverables(input, ctx.config)
  let live: Awaited<ReturnType<MarketDataProvider['snapshot']>> | undefined
  if (ctx.feed) {
    const underlyings = [...new Set(positions.map((p) => p.underlying))]
    const options: OptionQuoteRequest[] = positions
      .filter((p) => p.instrumentType === 'equity_option' && p.option)
      .map((p) => ({symbol: p.symbol, underlying: p.underlying, expiry: p.option!.expiry, strike: p.option!.strike, right: p.option!.right}))
    try {
      live = await ctx.feed.snapshot(underlyings, options)
    } catch (error) {
      ctx.warnings.push(`live quotes from ${ctx.feed.name} unavailable, using file prices: ${oneLine(error)}`)
    }
  }
  const fromFile = new Map<string, number>()
  for (const p of positions) if (p.underlyingPrice !== null && p.underlyingPriceSource === 'file') fromFile.set(p.underlying, p.underlyingPrice)
  const missingPrice = new Set<string>()
  const markets: ModelMarket[] = []
  const prepared = positions.map((p) => {
    let q: Position = p
    const feedPrice = live?.quotes.get(p.underlying)
    if (feedPrice !== undefined) q = {...q, underlyingPrice: feedPrice, underlyingPriceSource: 'feed'}
    else if (q.underlyingPrice === null) {
      const f = fromFile.get(p.underlying)
      const quoted = ctx.quotes.prices.get(p.underlying.toUpperCase())
      const last = ctx.lastPrices.get(p.underlying)
      if (f !== undefined) q = {...q, underlyingPrice: f, underlyingPriceSource: 'file'}
      else if (quoted !== undefined) {
        const at = ctx.quotes.asOf.get(p.underlying.toUpperCase())
        q = {...q, underlyingPrice: quoted, underlyingPriceSource: 'quotes', ...(at && at < ctx.asOf.toISOString() ? {underlyingPriceAsOf: at} : {})}
        if (!ctx.quotesUsed.includes(p.underlying.toUpperCase())) ctx.quotesUsed.push(p.underlying.toUpperCase())
      }
      else if (last !== undefined) q = {...q, underlyingPrice: last.price, underlyingPriceSource: 'last', underlyingPriceAsOf: last.at}
      else if (p.option) missingPrice.add(p.underlying)
    }
    const feedGreeks = live?.greeks.get(p.symbol)
    if (feedGreeks && q.option) q = {...q, greeks: feedGreeks.greeks, iv: feedGreeks.iv ?? q.iv, greeksSource: 'feed', greeksNote: undefined}
    // Some Greeks from the feed: those stay the feed's, the model fills the rest (domain/greeks.ts).
    const partial = feedGreeks ? undefined : live?.partialGreeks?.get(p.symbol)
    if (partial && q.option && !q.greeks) q = {...q, feedGreeks: partial.greeks, iv: partial.iv ?? q.iv}
    // A mark that cannot be a price of the contract (below intrinsic, a call above its underlying) is not used silently.
    const proven = provenMark(q)
    q = proven.position
    if (proven.warning) ctx.warnings.push(proven.warning)
    markets.push({rate: rateFor(ctx.config, q.currency), dividend: dividendFor(ctx.config, q.underlying)})
    return q
  })
  if (missingPrice.size > 0) ctx.warnings.push(`no price for ${[...missingPrice].join(', ')}: their options have unknown Greeks (add them to market.quotes_file)`)
  // withModelGreeks for each (two threads for a big book: model-greeks.ts)
  return withModelGreeksAll(prepared, markets, ctx.asOf)
}

/**
 * Non-standard deliverables from the config (`deliverables:` root → shares, underlying, cash) for
 * US equity options whose broker did not state one: the option is priced and risk-counted on what
 * it really delivers, against the real underlying (XYZ1 → 150 XYZ).
 */
function withDeliverables(positions: Position[], config: Config): Position[] {
  const table = config.deliverables
  if (!table || Object.keys(table).length === 0) return positions
  return positions.map((p) => {
    if (p.deliverable || p.instrumentType !== 'equity_option' || !p.option) return p
    const d = table[p.symbol.split(' ')[0].toUpperCase()]
    return d ? {...p, deliverable: {...d}, underlying: d.underlying} : p
  })
}

/** Each mark's observation time and kind: the adapter's own when it set them, else the export's stamp (files) or the fetch time (broker API). */
function stampMarks(positions: Position[], at: string, isFile: boolean): Position[] {
  return positions.map((p) => (p.markPrice === null ? p : {...p, markAsOf: p.markAsOf ?? at, markSource: p.markSource ?? (isFile ? 'file' : 'live')}))
}

function balancesOf(p: PortfolioConfig, fetched: FetchedPortfolio): Balances {
  const b = {...fetched.balances}
  if (p.cash !== undefined) b.cash = p.cash
  if (b.equity === null && b.cash !== null) {
    // Equity of a file without an account total: cash plus what the positions are worth.
    const mv = total(fetched.positions.map((q) => (q.instrumentType === 'future' ? unrealizedPnl(q) : marketValue(q))))
    if (mv.missing === 0) b.equity = b.cash + (mv.value ?? 0)
  } else if (p.cash !== undefined && fetched.balances.cash !== null && b.equity !== null) {
    b.equity += p.cash - fetched.balances.cash
  }
  return b
}

/** Portfolio totals from the per-underlying rows (partial sums of known values; see containers/risk.ts). */
function aggregate(rows: UnderlyingRisk[], balances: Balances): repo.PortfolioAggregates {
  const sum = (k: 'delta' | 'gamma' | 'theta' | 'vega' | 'deltaDollars' | 'unrealizedPnl') => total(rows.map((r) => r[k])).value
  return {balances, delta: sum('delta'), gamma: sum('gamma'), theta: sum('theta'), vega: sum('vega'), deltaDollars: sum('deltaDollars'), unrealizedPnl: sum('unrealizedPnl')}
}

/** Daily Greeks snapshot per underlying and for the whole portfolio ('*'); re-syncs the same day overwrite. */
function snapshot(db: Parameters<typeof repo.upsertSnapshot>[0], portfolio: string, rows: UnderlyingRisk[], a: repo.PortfolioAggregates, now: string): void {
  const date = isoDate(new Date(now))
  for (const u of rows)
    repo.upsertSnapshot(db, {date, portfolio, underlying: u.underlying, delta: u.delta, gamma: u.gamma, theta: u.theta, vega: u.vega, deltaDollars: u.deltaDollars, unrealizedPnl: u.unrealizedPnl, equity: null, takenAt: now})
  repo.upsertSnapshot(db, {date, portfolio, underlying: '*', delta: a.delta, gamma: a.gamma, theta: a.theta, vega: a.vega, deltaDollars: a.deltaDollars, unrealizedPnl: a.unrealizedPnl, equity: a.balances.equity, takenAt: now})
}

function hasUsOptionsOrStock(positions: Position[]): boolean {
  return positions.some((p) => p.currency === 'USD' && (p.instrumentType === 'equity_option' || p.instrumentType === 'equity'))
}

function secondsSince(start: number): number {
  return Math.round((Date.now() - start) / 10) / 100
}

export function oneLine(error: unknown): string {
  const msg = error instanceof Error ? error.message : String(error)
  return msg.split('\n')[0]
}
