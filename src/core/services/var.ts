/*
 * VaR and expected shortfall per portfolio, computed fresh and stored with the time it was
 * computed. sync computes them inside its write (so every sync and daemon tick refreshes them);
 * `risk` shows the stored figures while their inputs are unchanged and recomputes (and stores)
 * when the book, the prices or the settings changed since, or when asked (`risk --var`).
 *
 * Inputs key: a hash of the portfolio's positions (symbol, quantity, prices, IV), the price
 * history's version, the VaR settings and the date (time to expiry moves daily).
 */
import type {Config, PortfolioConfig} from '../config/config.js'
import {buildBundles, type PortfolioBundle} from '../containers/bundles.js'
import {isoDate} from '../domain/time.js'
import type {Position} from '../domain/types.js'
import {bookVar, DEFAULT_VAR_SETTINGS, type BookVar, type PriceHistory, type VarSettings} from '../domain/var.js'
import {bookStress, DEFAULT_STRESS_SETTINGS, type StressCell} from '../domain/stress.js'
import {UserError} from '../errors.js'
import {apiEngine} from '../pricing/revalue.js'
import type {Db} from '../store/database.js'
import {mayWrite, readDb, writeDb} from '../store/database.js'
import {openHistory, type History} from '../store/history.js'
import {loadPriceHistory, loadVars, priceHistoryVersion, saveVar} from '../store/prices.js'
import * as repo from '../store/repositories.js'
import {dividendFor, rateFor} from './market.js'
import {snapshotHistory} from './prices.js'
import {compareText} from '../domain/text.js'

export interface PortfolioVar extends BookVar {
  portfolio: string
  /** when these figures were computed (ISO instant) */
  computedAt: string
  /** true when computed by this command, false when read from the store */
  recomputed: boolean
  /** the worst cell of the stress grid (risk --stress shows the whole grid); null when nothing could be valued; absent only in sync's own refresh, which leaves the grid to risk */
  worstStress?: StressCell | null
}

/** The portfolios that get a VaR: real and research ones (what-if books are shown by --with-whatif). */
function varPortfolios(config: Config, names?: string[]): PortfolioConfig[] {
  return config.portfolios.filter((p) => p.kind !== 'whatif' && (!names || names.includes(p.name)))
}

export function varSettings(config: Config): VarSettings {
  return config.var ?? DEFAULT_VAR_SETTINGS
}

/** FNV-1a over a string, hex. */
function hash(s: string): string {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return (h >>> 0).toString(16).padStart(8, '0')
}

export function inputsKey(positions: Position[], priceVersion: string, config: Config, asOf: Date): string {
  const settings = {var: varSettings(config), stress: config.stress ?? DEFAULT_STRESS_SETTINGS, rates: config.market.rates, dividends: config.market.dividends, fx: config.fxRates}
  // Each position as [symbol, quantity, multiplier, currency, mark, underlying price, IV].join(','), written
  // out (join prints null as ""): no array per position on every risk (the keys stored by sync stay valid).
  const s = (v: string | number | null) => (v === null || v === undefined ? '' : v)
  const book = positions
    .map((p) => `${s(p.symbol)},${s(p.quantity)},${s(p.multiplier)},${s(p.currency)},${s(p.markPrice)},${s(p.underlyingPrice)},${s(p.iv)},${p.deliverable ? `${p.deliverable.shares}/${p.deliverable.cash}` : ''},${p.opaque ? 1 : ''}`)
    .sort()
    .join(';')
  return `${isoDate(asOf)}|${hash(book)}|${positions.length}|${priceVersion}|${hash(JSON.stringify(settings))}`
}

/** History of the given underlyings: the imported/candle table, filled in from the daily snapshots where it has no close. */
function historyIn(db: Db, history: History, symbols: string[], from: string): PriceHistory {
  const table = loadPriceHistory(db, symbols, from)
  const snaps = snapshotHistory(history, symbols, from)
  for (const [symbol, points] of snaps) {
    const have = table.get(symbol) ?? []
    const dates = new Set(have.map((p) => p.date))
    const merged = [...have, ...points.filter((p) => !dates.has(p.date))].sort((a, b) => compareText(a.date, b.date))
    table.set(symbol, merged)
  }
  return table
}

function bundlesIn(db: Db, configs: PortfolioConfig[]): PortfolioBundle[] {
  return buildBundles(configs, repo.loadPortfolios(db), repo.loadPositions(db))
}

/**
 * Computes and stores the VaR of the given portfolios inside an open write (sync's). Synchronous:
 * the lock is held, so no I/O beyond the database happens here. sync leaves the stress grid out
 * (`stress: false`: a full grid reprices every option 99 times); the first `risk` after it fills
 * the worst cell in and stores it. `history` is the snapshot history (opened before the write; the
 * years of the lookback are read from it here).
 */
export function refreshVarsInDb(db: Db, history: History, config: Config, asOf: Date, names?: string[], opts: {stress?: boolean; positions?: Map<string, Position[]>; store?: boolean} = {}): PortfolioVar[] {
  const settings = varSettings(config)
  const version = priceHistoryVersion(db, history)
  // sync hands over the positions it has just written (reading 1,000 rows back costs more than the VaR).
  const given = opts.positions
  const bundles = given
    ? varPortfolios(config, names).map((c): PortfolioBundle => ({config: c, stored: null, positions: given.get(c.name) ?? []}))
    : bundlesIn(db, varPortfolios(config, names))
  const symbols = [...new Set(bundles.flatMap((b) => b.positions.map((p) => p.underlying)))]
  // The lookback in trading days, as calendar days with room for holidays.
  const from = isoDate(new Date(asOf.getTime() - Math.ceil(((settings.lookbackDays + settings.horizonDays) * 7) / 5 + 14) * 86_400_000))
  const prices = historyIn(db, history, symbols, from)
  const now = asOf.toISOString()
  return bundles.map((b) => {
    const v = computeOne(b, prices, config, settings, asOf, opts.stress ?? true)
    if ((b.stored || given) && opts.store !== false) saveVar(db, {portfolio: b.config.name, computedAt: now, inputsKey: inputsKey(b.positions, version, config, asOf), result: v})
    return {...v, portfolio: b.config.name, computedAt: now, recomputed: true}
  })
}

/**
 * The one entry point for what `risk` reads instead of computing (issue 19, "read, don't recompute"): per
 * real and research portfolio that has been synced, VaR/ES and the stress grid's worst cell, stored in
 * `var_results` with the time and the inputs key (positions with prices and IVs, the price history's and
 * the snapshots' versions, the settings, the date). `risk` shows a stored value only while its key still
 * matches (else it recomputes and stores), so a writer that forgets to call this costs time, never
 * correctness.
 *
 * Every service that changes the book or the prices calls it inside its own writeDb, after its changes:
 * sync (positions and DXLink candles), `prices import` (closes). New writers of positions or closes
 * (ledger imports, the daemon's ticks) call it the same way; a writer that changes only the snapshot
 * history (services/snapshot.ts, which does not write the main file) leaves it to the next writer or to
 * `risk`. Synchronous: no I/O beyond the open database and the history's year files.
 *
 * `portfolios` limits it to those names (sync: the ones it stored); `positions` hands over rows the caller
 * has just written (reading them back costs more than the computation). Returns what it stored.
 */
export function refreshDerived(db: Db, history: History, config: Config, asOf: Date, opts: {portfolios?: string[]; positions?: Map<string, Position[]>} = {}): PortfolioVar[] {
  const synced = new Set(repo.loadPortfolios(db).filter((p) => p.lastSyncAt).map((p) => p.name))
  const names = (opts.portfolios ?? varPortfolios(config).map((p) => p.name)).filter((n) => synced.has(n) || opts.positions?.has(n))
  if (names.length === 0) return []
  return refreshVarsInDb(db, history, config, asOf, names, {stress: true, positions: opts.positions})
}

/** worstStress undefined = not computed yet (stored by sync). */
type Computed = BookVar & {worstStress?: StressCell | null}

function marketOf(b: PortfolioBundle, config: Config) {
  return {currency: b.config.currency, fxRates: config.fxRates, rate: (c: string) => rateFor(config, c), dividend: (u: string) => dividendFor(config, u)}
}

/**
 * Scenario work prices American options with the pricing module's 'fast' engine (issue 7: the
 * converged engine with QD+ and one Newton step, error ~7e-5 × strike, about 3× faster here than
 * the converged default); base and scenario values come from the same engine.
 */
export const scenarioEngine = apiEngine({engine: 'fast'})

function worstStressOf(b: PortfolioBundle, config: Config, asOf: Date): StressCell | null {
  return bookStress(b.positions, marketOf(b, config), config.stress ?? DEFAULT_STRESS_SETTINGS, asOf, scenarioEngine).worst
}

function computeOne(b: PortfolioBundle, history: PriceHistory, config: Config, settings: VarSettings, asOf: Date, stress: boolean): Computed {
  const v = bookVar(b.positions, history, marketOf(b, config), settings, asOf, scenarioEngine)
  return stress ? {...v, worstStress: worstStressOf(b, config, asOf)} : v
}

export interface VarOptions {
  config: Config
  dbPath: string
  asOf: Date
  /** the book risk already loaded: the counted book (services/book.ts countBook), paper trades and pending deliveries in */
  bundles: PortfolioBundle[]
  /** recompute even when the stored figures are current */
  force?: boolean
}

/** Stored figures while current, else recomputed and stored (one locked write, only then). */
export async function portfolioVars(opts: VarOptions): Promise<PortfolioVar[]> {
  // Never-synced portfolios have no book to measure (risk lists them under "Never synced").
  const bundles = opts.bundles.filter((b) => b.config.kind !== 'whatif' && Boolean(b.stored?.lastSyncAt))
  if (bundles.length === 0) return []
  const history = await openHistory(opts.dbPath)
  try {
    return await varsWith(opts, bundles, history)
  } finally {
    history.close()
  }
}

async function varsWith(opts: VarOptions, bundles: PortfolioBundle[], history: History): Promise<PortfolioVar[]> {
  const {stored, version} = await readDb(opts.dbPath, (db) => ({stored: loadVars(db), version: priceHistoryVersion(db, history)}))
  const current = new Map<string, PortfolioVar>()
  for (const b of bundles) {
    const s = stored.get(b.config.name)
    if (!opts.force && s && s.inputsKey === inputsKey(b.positions, version, opts.config, opts.asOf))
      current.set(b.config.name, {...(s.result as Computed), portfolio: b.config.name, computedAt: s.computedAt, recomputed: false})
  }
  const stale = bundles.filter((b) => !current.has(b.config.name)).map((b) => b.config.name)
  // Current VaR stored by sync without the stress grid's worst cell: compute it now, store it with the same key.
  const noStress = bundles.filter((b) => current.get(b.config.name)?.worstStress === undefined && current.has(b.config.name))
  const cells = new Map(noStress.map((b) => [b.config.name, worstStressOf(b, opts.config, opts.asOf)]))
  if (stale.length > 0 || cells.size > 0) {
    let fresh: PortfolioVar[]
    try {
      // A database the write gate refuses (read-only file or directory) is still readable: compute, show, store nothing.
      if (!mayWrite(opts.dbPath)) {
        fresh = stale.length > 0 ? await readDb(opts.dbPath, (db) => refreshVarsInDb(db, history, opts.config, opts.asOf, stale, {store: false})) : []
      } else {
        fresh = await writeDb(opts.dbPath, (db) => {
          const keys = loadVars(db)
          for (const [name, worst] of cells) {
            const s = keys.get(name)
            if (s && s.inputsKey === stored.get(name)?.inputsKey) saveVar(db, {...s, result: {...(s.result as Computed), worstStress: worst}})
          }
          // Computed on the book risk counts (paper trades and pending deliveries in), stored under that book's key.
        const positions = new Map(bundles.filter((b) => stale.includes(b.config.name)).map((b) => [b.config.name, b.positions]))
        return stale.length > 0 ? refreshVarsInDb(db, history, opts.config, opts.asOf, stale, {positions}) : []
        })
      }
    } catch (error) {
      if (error instanceof RangeError) throw new UserError(`VaR: ${error.message} (fix var: in the config)`)
      throw error
    }
    for (const v of fresh) current.set(v.portfolio, v)
    for (const [name, worst] of cells) current.set(name, {...current.get(name)!, worstStress: worst})
  }
  return bundles.map((b) => current.get(b.config.name)!).filter(Boolean)
}
