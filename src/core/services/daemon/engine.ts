/*
 * The daemon: runs the workflow (domain/workflow) on schedules, executing its actions with the same
 * services the commands use (sync, risk, snapshot, proposals). Time comes from an injected Clock and
 * Scheduler, so a simulated trading week runs in seconds. The database lock is held only inside each
 * short write (writeDb), so approve/reject/sync keep working from other shells.
 *
 * Faults never stop it: a failing broker backs off exponentially (capped) while the others sync, a
 * tick that throws is logged with context and the loop goes on. Jobs run one at a time through one
 * queue: a job due while another runs waits (one log line), an end of day goes to the front, and a
 * job already waiting is not queued twice. State kept: the latest status (daemon_state, written at
 * every transition and tick) and the events (workflow transitions, alerts, proposals, syncs, expiries,
 * end-of-day runs), never one row per tick.
 *
 * Resume is a first-class event: whenever the end-of-day check runs (each minute, at boot, in --once)
 * it catches up every end of day missed since the last one done (suspend, a stopped process), oldest
 * first, each valued at that day's stored closes (rows without one are marked late with the price
 * used), settles that day's expiries on that day's settlement prices, and raises one alert for the gap.
 */
import type {Config, PortfolioConfig} from '../../config/config.js'
import {evaluateRules, type RuleHit} from '../../domain/rules.js'
import {INITIAL, step, type Action, type Machine, type Transition, type WorkflowEvent} from '../../domain/workflow/index.js'
import type {Position} from '../../domain/types.js'
import {openingToRecord, priceKey, settleAtExpiry, settleFutureAtExpiry, type ExpirySettlement, type ObservedPrice, type SettlementPrices} from '../../domain/expiry-settlement.js'
import {readDb, writeDb} from '../../store/database.js'
import {readHistory} from '../../store/history.js'
import {loadPriceHistory} from '../../store/prices.js'
import {positionSnapshots} from '../../store/snapshots.js'
import {provisionalSettlementEvents, recordProvisionalSettlement, settleProvisional} from '../ledger-provisional.js'
import {appendEvents} from '../../store/ledger.js'
import type {Db} from '../../store/database.js'
import * as dstore from '../../store/daemon.js'
import type {LatePrice} from '../../store/daemon.js'
import * as repo from '../../store/repositories.js'
import type {Alerter} from '../alerts.js'
import {portfolioMarket, type Calendar, type Market} from '../calendar-adapter.js'
import type {Clock, Job, Scheduler} from '../clock.js'
import type {DaemonSettings} from './config.js'
import type {Logger} from './log.js'
import {riskService} from '../risk.js'
import {snapshotService, type SnapshotOptions} from '../snapshot.js'
import {oneLine, syncable, syncService, type AdapterFactory, type SyncResult} from '../sync.js'

export interface DaemonDeps {
  config: Config
  settings: DaemonSettings
  dbPath: string
  env: NodeJS.ProcessEnv
  clock: Clock
  scheduler: Scheduler
  calendar: Calendar
  log: Logger
  alerter: Alerter
  /** broker adapters for sync (tests pass ones pointed at the fake TastyTrade) */
  adapters?: AdapterFactory
  /**
   * The broker's status of a live order (to follow it to a final status); absent = cannot follow.
   * A throw means "not known now" (asked again next tick, never taken as filled).
   */
  orderStatus?: (portfolio: PortfolioConfig, orderId: string) => Promise<string | OrderStatusAnswer>
  /** re-reads and validates the config file (SIGHUP) */
  reloadConfig?: () => {config: Config; settings: DaemonSettings}
}

/** What the broker says about an order: its status word and, for a rejection or cancel, why. */
export interface OrderStatusAnswer {
  status: string
  reason?: string | null
}

/** Ticks in a row the broker may fail to answer about an order before it is recorded `unknown` and alerted. */
export const ORDER_STATUS_MAX_FAILURES = 5

export interface TickRecord {
  at: string
  job: string
  outcome: 'ok' | 'error' | 'skipped'
  /** ms of wall time */
  ms: number
  message: string
}

export interface DaemonStatusState {
  pid: number
  since: string
  state: string
  running: boolean
  lastTick: TickRecord | null
  counts: {ticksInHours: number; ticksOutOfHours: number; scans: number; eods: number; skipped: number; errors: number; waited?: number; lateEods?: number}
  nextRuns: Record<string, string | null>
  /** breach keys currently open */
  breaches: string[]
  backoff: Record<string, {failures: number; nextAttempt: string}>
  /** last trade date whose end of day was done, per market */
  eodDone: Partial<Record<Market, string>>
  /** AM settlement: the first underlying price observed after the open of an AM-settled option's expiry date, by `underlying|date` (domain/expiry-settlement.ts) */
  openings?: Record<string, ObservedPrice>
  /** the last underlying price seen in hours, by `underlying|date` (a week kept) */
  lastPrices?: Record<string, ObservedPrice>
  /** ISO instant of the daemon's clock when this status was stored (each transition and tick): the last sign of life */
  lastSeenAt?: string
}

/** An end-of-day job waiting in the queue, or a tick/scan. */
interface Queued {
  job: string
  fn: () => Promise<void>
  quiet: boolean
  force: boolean
  done: (() => void)[]
}

/** Sync runs are kept a week (the daemon writes one per portfolio per tick). */
const SYNC_RUNS_KEPT_MS = 7 * 86_400_000

const FINAL_ORDER = new Set(['filled', 'cancelled', 'canceled', 'rejected', 'expired', 'removed', 'failed'])

export class Daemon {
  machine: Machine = INITIAL
  private busy: string | null = null
  private jobs: Job[] = []
  private awaiting: number[] = []
  private lastOutOfHours = 0
  /** failed status questions in a row, per order id */
  private orderFailures = new Map<string, number>()
  /** proposals with a live order not final, as of the last monitor tick's sync */
  private workingOrders: number[] = []
  private stopping = false
  private current: Promise<void> | null = null
  readonly status: DaemonStatusState

  constructor(private d: DaemonDeps) {
    this.status = {
      pid: process.pid, since: d.clock.now().toISOString(), state: 'initializing', running: true, lastTick: null,
      counts: {ticksInHours: 0, ticksOutOfHours: 0, scans: 0, eods: 0, skipped: 0, errors: 0, waited: 0, lateEods: 0}, nextRuns: {}, breaches: [], backoff: {}, eodDone: {},
    }
  }

  private get now(): Date {
    return this.d.clock.now()
  }

  /** Markets the book trades in (from each syncable portfolio's currency). */
  markets(): Market[] {
    return [...new Set(this.d.config.portfolios.filter(syncable).map((p) => portfolioMarket(this.d.calendar, p.currency)))].sort()
  }

  // ------------------------------------------------------------------------------------------ boot

  async boot(): Promise<void> {
    const {log} = this.d
    log.info(`boot 1/6: config ${this.d.config.file} loaded and valid (${this.d.config.portfolios.length} portfolios)`, {job: 'boot'})
    const prior = await readDb(this.d.dbPath, (db) => dstore.getState<DaemonStatusState>(db, 'status'))
    if (prior) {
      this.status.breaches = prior.breaches ?? []
      this.status.eodDone = prior.eodDone ?? {}
      this.status.openings = prior.openings ?? {}
      this.status.lastPrices = prior.lastPrices ?? {}
      // The gap since the last sign of life (a suspend, a stopped or killed process) is summarised by the catch-up.
      this.lastSeen = prior.lastSeenAt ?? null
    }
    const book = await readDb(this.d.dbPath, (db) => repo.loadPortfolios(db))
    log.info(`boot 2/6: bundles built: ${this.d.config.portfolios.length} configured, ${book.filter((b) => b.lastSyncAt).length} synced before`, {job: 'boot'})
    await this.authenticate()
    await this.dispatch({type: 'booted'})
  }

  private async authenticate(): Promise<void> {
    const tt = this.d.config.portfolios.filter((p) => p.broker === 'tastytrade' && syncable(p))
    if (tt.length === 0) {
      this.d.log.info('boot 3/6: no API brokers to authenticate', {job: 'boot'})
      return
    }
    try {
      const adapter = await (this.d.adapters ?? (await import('../sync.js')).defaultAdapters(this.d.config, this.d.env)).tastytrade()
      const why = adapter.unavailable()
      if (why) this.d.log.warn(`boot 3/6: tastytrade credentials missing (${why}); ${tt.map((p) => p.name).join(', ')} will be skipped`, {job: 'boot'})
      else this.d.log.info(`boot 3/6: tastytrade credentials present for ${tt.map((p) => p.name).join(', ')}`, {job: 'boot'})
    } catch (error) {
      this.d.log.warn(`boot 3/6: tastytrade adapter unavailable: ${oneLine(error)}`, {job: 'boot'})
    }
  }

  /** Registers the jobs (monitor, scan, end-of-day check). */
  start(): void {
    const s = this.d.settings
    const every = Math.min(s.monitorInHours, s.monitorOutOfHours > 0 ? s.monitorOutOfHours : Infinity)
    this.jobs = [
      this.d.scheduler.every('monitor', {everySeconds: every}, () => this.guard('monitor', () => this.dispatch({type: 'tick'}))),
      this.d.scheduler.every('scan', {cron: s.scan.cron, timezone: s.scan.timezone}, () => this.guard('scan', () => this.scanIfTrading())),
      this.d.scheduler.every('eod', {everySeconds: 60}, () => this.guard('eod', () => this.eodIfDue(), true)),
    ]
    this.d.log.info(`boot 6/6: scheduler started: monitor every ${s.monitorInHours} s in hours, ${s.monitorOutOfHours > 0 ? `${s.monitorOutOfHours} s` : 'none'} outside; scan "${s.scan.cron}" ${s.scan.timezone}; end of day ${s.eodOffset('XNYS')} min after each close`, {job: 'boot'})
  }

  /** One full cycle for cron: the ends of day missed since the last run, monitor, scan; then return. */
  async once(): Promise<void> {
    await this.guard('eod', () => this.eodIfDue())
    await this.guard('monitor', () => this.dispatch({type: 'tick'}), false, true)
    await this.guard('scan', () => this.dispatch({type: 'scan_due'}))
    await this.saveStatus()
  }

  /** Boot-time catch-up: the ends of day missed while the daemon was not running, before the first tick. */
  async catchUp(): Promise<void> {
    await this.guard('eod', () => this.eodIfDue())
  }

  /** Finish (or give up on) the current run, record the stop, stop the jobs. */
  async stop(timeoutMs = 8000): Promise<void> {
    this.stopping = true
    for (const j of this.jobs) j.stop()
    if (this.current) await Promise.race([this.current.catch(() => undefined), new Promise((r) => setTimeout(r, timeoutMs).unref())])
    this.status.running = false
    await this.saveStatus().catch((error) => this.d.log.error(`could not save the final status: ${oneLine(error)}`))
    this.d.log.info('stopped', {job: 'stop'})
  }

  /** SIGHUP: a valid new config replaces the old; a bad one is reported and the old stays. */
  reload(): boolean {
    if (!this.d.reloadConfig) return false
    try {
      const next = this.d.reloadConfig()
      this.d.config = next.config
      this.d.settings = next.settings
      this.d.log.info('config reloaded', {job: 'reload'})
      this.alertInBackground({key: 'config:reload', kind: 'config', severity: 'info', message: 'config reloaded'})
      return true
    } catch (error) {
      this.d.log.error(`config reload refused, keeping the old config: ${oneLine(error)}`, {job: 'reload'})
      this.alertInBackground({key: 'config:reload', kind: 'config', severity: 'warning', message: `bad config on reload, old config kept: ${oneLine(error)}`})
      return false
    }
  }

  /** Alerts raised outside a job (a signal handler) go out in the order raised. */
  private alertInBackground(a: Parameters<Alerter['raise']>[0]): void {
    const now = this.now
    this.background = this.background.then(() => this.d.alerter.raise(a, now)).then(() => undefined, () => undefined)
  }

  private background: Promise<void> = Promise.resolve()

  // --------------------------------------------------------------------------------------- running

  /**
   * One queue for every job: a job due while another runs waits its turn (one log line when it starts
   * waiting, not one a minute); an end of day goes to the front, so it runs right after the current
   * job and never starves behind monitor ticks; a job already waiting is not queued twice (its callers
   * are told when it ran). Errors are logged, never thrown.
   */
  private guard(job: string, fn: () => Promise<void>, quiet = false, force = false): Promise<void> {
    if (this.stopping) return Promise.resolve()
    return new Promise<void>((resolve) => {
      const waiting = this.queue.find((q) => q.job === job)
      if (waiting) waiting.done.push(resolve)
      else {
        const item: Queued = {job, fn, quiet, force, done: [resolve]}
        if (job === 'eod') this.queue.unshift(item)
        else this.queue.push(item)
      }
      if (this.busy && !this.waitLogged.has(job)) {
        this.waitLogged.add(job)
        this.status.counts.waited = (this.status.counts.waited ?? 0) + 1
        this.d.log.info(`${job} waits: ${this.busy} still running; it runs next`, {job})
      }
      if (!this.draining) {
        this.draining = true
        this.current = this.drain()
      }
    })
  }

  private queue: Queued[] = []
  private waitLogged = new Set<string>()
  private lastSeen: string | null = null

  private draining = false

  private async drain(): Promise<void> {
    for (;;) {
      const item = this.queue.shift()
      if (!item) {
        // Cleared in the same turn as the empty check: a job queued after this starts a new drain.
        this.draining = false
        this.current = null
        return
      }
      if (!this.stopping) await this.runJob(item)
      this.waitLogged.delete(item.job)
      for (const done of item.done) done()
    }
  }

  private async runJob({job, fn, quiet, force}: Queued): Promise<void> {
    this.busy = job
    this.forceTick = force
    this.lastMessage = ''
    const started = Date.now()
    const at = this.now.toISOString()
    try {
      await fn()
      if (!quiet || this.lastMessage) this.status.lastTick = {at, job, outcome: 'ok', ms: Date.now() - started, message: this.lastMessage}
    } catch (error) {
      this.status.counts.errors++
      this.status.lastTick = {at, job, outcome: 'error', ms: Date.now() - started, message: oneLine(error)}
      this.d.log.error(`${job} failed: ${oneLine(error)}`, {job, stack: (error as Error).stack?.split('\n').slice(1, 4).join(' | ')})
      await this.dispatch({type: 'failed', error: oneLine(error)}).catch(() => undefined)
    } finally {
      this.busy = null
      this.forceTick = false
    }
  }

  private forceTick = false
  private lastMessage = ''

  /** Feeds an event to the state machine, records the transition, runs the actions (which may feed more). */
  async dispatch(e: WorkflowEvent): Promise<void> {
    const r = step(this.machine, e, this.now)
    if (r.ignored) {
      this.d.log.debug(r.ignored)
      return
    }
    const before = {machine: this.machine, state: this.status.state}
    this.machine = r.machine
    this.status.state = r.machine.state
    if (r.transition) {
      const t = r.transition
      const logged = () => this.d.log.info(`${t.from} → ${t.to}: ${t.reason}`, {job: 'workflow', state: t.to})
      // The status is stored with each transition, so `daemon status` reads the state the log shows.
      // While catching up several closes, transitions and run records are written together at the end
      // of the catch-up (seconds later): every step is idempotent, so a crash in between redoes them.
      if (this.catchingUp) {
        this.deferred.transitions.push(t)
        logged()
      } else {
        const status = this.statusToStore()
        try {
          await writeDb(this.d.dbPath, (db) => {
            dstore.recordTransitions(db, [t])
            dstore.setState(db, 'status', status, t.at)
          })
        } catch (error) {
          // Not stored, not taken (a disk write that failed): the machine stays where the database
          // says it is, and the log shows only what was stored; the event comes again on its next run.
          this.machine = before.machine
          this.status.state = before.state
          throw error
        }
        logged()
      }
    }
    for (const a of r.actions) await this.execute(a)
  }

  private async execute(a: Action): Promise<void> {
    switch (a.type) {
      case 'analyse_markets':
        return this.analyseMarkets()
      case 'load_portfolio_state':
        await this.syncAndCheck('boot 5/6')
        return this.dispatch({type: 'portfolio_loaded'})
      case 'monitor':
        return this.monitor()
      case 'scan':
        return this.scan()
      case 'record_proposals': {
        const pending = await readDb(this.d.dbPath, (db) => repo.loadProposals(db, {status: 'pending'}))
        this.awaiting = pending.map((p) => p.id)
        return this.dispatch({type: 'proposals_recorded', pending: pending.length})
      }
      case 'check_decisions':
        return this.checkDecisions()
      case 'follow_orders':
        return this.followOrders(a.proposals)
      case 'eod':
        return this.endOfDay(a.market as Market, a.date)
      case 'dispatch':
        return this.dispatch(a.event)
    }
  }

  private async analyseMarkets(): Promise<void> {
    const now = this.now
    const lines = this.markets().map((m) => {
      const open = this.d.calendar.isOpen(m, now)
      const next = this.d.calendar.nextSession(m, now)
      return `${m} ${open ? `open, closes ${next.close.toISOString()}${next.earlyClose ? ' (early close)' : ''}` : `closed, opens ${next.open.toISOString()}`}`
    })
    this.d.log.info(`boot 4/6: markets: ${lines.join('; ') || 'none'}`, {job: 'boot'})
    await this.dispatch({type: 'markets_analysed'})
  }

  private inHours(now: Date): boolean {
    return this.markets().some((m) => this.d.calendar.isOpen(m, now))
  }

  private async monitor(): Promise<void> {
    const now = this.now
    const inHours = this.inHours(now)
    const s = this.d.settings
    if (!inHours && !this.forceTick) {
      if (s.monitorOutOfHours <= 0 || now.getTime() - this.lastOutOfHours < s.monitorOutOfHours * 1000 - 500) return
      this.lastOutOfHours = now.getTime()
    }
    if (inHours) this.status.counts.ticksInHours++
    else this.status.counts.ticksOutOfHours++
    await this.syncAndCheck(inHours ? 'tick' : 'tick (out of hours)')
    // Decisions and the orders of `executing` are the workflow's own actions after this tick; here,
    // live orders nobody follows (approved outside a daemon scan, or left working at an end of day).
    const followed = [...this.machine.executing, ...this.awaiting]
    if (this.workingOrders.some((id) => !followed.includes(id))) await this.updateOrders({except: followed})
    await this.saveStatus()
  }

  /** Sync (brokers in backoff wait their turn), drop settled options, check risk limits, alert on breach changes. */
  private async syncAndCheck(label: string): Promise<void> {
    const now = this.now
    const all = this.d.config.portfolios.filter(syncable)
    const due = all.filter((p) => {
      const b = this.status.backoff[p.name]
      return !b || Date.parse(b.nextAttempt) <= now.getTime()
    })
    let sync: SyncResult | null = null
    if (due.length > 0) {
      sync = await syncService({config: this.d.config, dbPath: this.d.dbPath, portfolios: due.map((p) => p.name), skipInvalid: true, asOf: now, env: this.d.env}, this.d.adapters)
      for (const r of sync.portfolios) this.noteSync(r.name, r.status, r.error, now)
    }
    // Same open of the file: which proposals have a live order still working (followed in monitor()).
    const {working, positions} = await writeDb(this.d.dbPath, (db) => {
      // The broker's fresh positions may settle the daemon's provisional events (before the expired are dropped again).
      if (sync) for (const r of sync.portfolios) if (r.status !== 'failed' && r.status !== 'skipped') settleProvisional(db, r.name, now, {positionsSynced: true})
      dstore.dropExpiredPositions(db)
      return {
        working: repo.loadTrades(db, {kind: 'live'}).filter((t) => t.orderId && t.proposalId !== null && !FINAL_ORDER.has(t.status.toLowerCase()) && t.status !== 'unknown').map((t) => t.proposalId!),
        positions: repo.loadPositions(db),
      }
    })
    this.workingOrders = working
    this.recordOpenings(positions, now)
    const risk = await riskService({config: this.d.config, dbPath: this.d.dbPath, asOf: now})
    const open = new Map(risk.breaches.map((b) => [`breach:${b.portfolio}:${b.limit}${b.underlying ? `:${b.underlying}` : ''}${b.symbol ? `:${b.symbol}` : ''}`, b]))
    const before = new Set(this.status.breaches)
    for (const [key, b] of open) if (!before.has(key)) await this.d.alerter.raise({key, kind: 'breach', severity: 'critical', message: `limit breached: ${b.message}`}, now)
    for (const key of before) if (!open.has(key)) await this.d.alerter.raise({key: `${key}:cleared`, kind: 'breach_cleared', severity: 'info', message: `limit back within bounds: ${key.slice('breach:'.length).replace(/:/g, ' ')}`}, now)
    this.status.breaches = [...open.keys()].sort()
    const util = risk.portfolios.filter((p) => p.capitalUtilizationPct !== null).map((p) => `${p.portfolio} ${p.capitalUtilizationPct!.toFixed(1)}%`)
    const synced = sync ? `${sync.ok} ok, ${sync.failed} failed, ${sync.skipped} skipped` : 'all brokers backing off'
    const waiting = all.length - due.length
    // A never-synced real portfolio is unknown: "0 breach(es)" alone would claim a clean book.
    const unknown = risk.notSynced.filter((n) => risk.portfolios.some((p) => p.portfolio === n && p.kind === 'real'))
    this.lastMessage = `sync ${synced}${waiting ? `, ${waiting} backing off` : ''}; ${risk.breaches.length} breach(es)${unknown.length > 0 ? ` (limits unknown: ${unknown.join(', ')} never synced)` : ''}; capital in use ${util.join(', ') || 'unknown'}`
    this.d.log.info(`${label}: ${this.lastMessage}`, {job: 'monitor'})
  }

  /**
   * AM-settled options settle on their expiry date's opening prints: keep the first underlying price
   * seen after the open. And the last underlying price seen in hours per underlying and date (kept with
   * the status): after a suspend the book's prices are a later day's, and these are what the daemon saw.
   */
  private recordOpenings(positions: Position[], now: Date): void {
    const last = (this.status.lastPrices ??= {})
    for (const p of positions) {
      if (p.option && p.underlyingPrice !== null && this.d.calendar.isOpen(this.d.calendar.marketFor(p), now))
        last[priceKey(p.underlying, this.d.calendar.localDate(this.d.calendar.marketFor(p), now))] = {price: p.underlyingPrice, at: now.toISOString()}
    }
    for (const p of positions) {
      const key = openingToRecord(p, now)
      if (key === null || p.underlyingPrice === null) continue
      const openings = (this.status.openings ??= {})
      if (openings[key]) continue
      openings[key] = {price: p.underlyingPrice, at: now.toISOString()}
      this.d.log.info(`opening price for AM settlement: ${key.replace('|', ' ')} ${p.underlyingPrice}`, {job: 'monitor'})
    }
  }

  private noteSync(name: string, status: string, error: string | null, now: Date): void {
    const b = this.d.settings.backoff
    if (status === 'failed') {
      const failures = (this.status.backoff[name]?.failures ?? 0) + 1
      const wait = Math.min(b.maxSeconds, b.initialSeconds * b.factor ** (failures - 1))
      this.status.backoff[name] = {failures, nextAttempt: new Date(now.getTime() + wait * 1000).toISOString()}
      this.d.log.warn(`sync ${name} failed (${failures} in a row), next try in ${wait} s: ${error}`, {job: 'monitor'})
    } else if (this.status.backoff[name]) {
      delete this.status.backoff[name]
      this.d.log.info(`sync ${name} recovered`, {job: 'monitor'})
    }
  }

  /** Scans run on their schedule on days a market of the book trades. */
  private async scanIfTrading(): Promise<void> {
    const now = this.now
    if (!this.markets().some((m) => this.d.calendar.sessionOn(m, this.d.calendar.localDate(m, now)))) return
    if (this.machine.state !== 'monitoring') {
      this.d.log.info(`scan skipped: ${this.machine.state} (waiting on the trader or an order); the monitor keeps watching`, {job: 'scan'})
      return
    }
    await this.dispatch({type: 'scan_due'})
  }

  private async scan(): Promise<void> {
    const now = this.now
    this.status.counts.scans++
    const {config} = this.d
    const real = config.portfolios.filter((p) => p.kind === 'real')
    const {positions, stored} = await readDb(this.d.dbPath, (db) => ({positions: repo.loadPositions(db), stored: repo.loadPortfolios(db)}))
    const risk = await riskService({config, dbPath: this.d.dbPath, asOf: now})
    // Positions past their settlement instant are out of the book every view counts (services/book.ts):
    // no rule proposes to close what has expired and waits for the end of day's settlement.
    const expired = new Set(risk.portfolios.flatMap((p) => (p.expired ?? []).map((s) => `${p.portfolio}\u0000${s}`)))
    const mine = positions.filter((p) => real.some((r) => r.name === p.portfolio) && !expired.has(`${p.portfolio}\u0000${p.symbol}`))
    // The real book's βΔ as `risk` totals it (one book: paper trades and pending deliveries in). A partial
    // one (a never-synced portfolio, positions without a beta) is unknown to the delta band: a hedge sized
    // on the known part alone would be a wrong number, so the band is not judged.
    const bwdMissing = risk.totals.betaWeightedDeltaMissing
    const bwd = bwdMissing > 0 ? null : risk.totals.betaWeightedDelta
    if (bwdMissing > 0 && this.d.settings.rules.deltaBand)
      this.d.log.info(`scan: delta band not judged: the book's beta-weighted delta is partial (${bwdMissing} position(s) or never-synced portfolio(s) without a beta, price or Greeks)`, {job: 'scan'})
    const hedgeHome = real.find((p) => p.currency === config.baseCurrency && stored.some((s) => s.name === p.name && s.lastSyncAt))?.name ?? null
    const hits = evaluateRules(mine, {betaWeightedDelta: bwd, benchmark: config.market.benchmark, benchmarkPrice: risk.benchmarkPrice, defaultHedgePortfolio: hedgeHome}, this.d.settings.rules, now)
    const created = await writeDb(this.d.dbPath, (db) => {
      const ids: {hit: RuleHit; id: number}[] = []
      for (const hit of hits) {
        const date = this.tradeDate(hit, mine, now)
        const key = {rule: hit.rule, portfolio: hit.portfolio, symbol: hit.symbol, date}
        // Once per rule, position and trade date, and never again while the last one waits or once it was approved.
        if (dstore.ruleProposalPending(db, key) || !dstore.claimRuleHit(db, {...key, at: now.toISOString()})) continue
        const id = repo.insertProposal(db, {source: 'rule', portfolio: hit.portfolio, legs: hit.legs, reason: `${hit.rule}: ${hit.reason}`, createdAt: now.toISOString()})
        dstore.setRuleHitProposal(db, key, id)
        ids.push({hit, id})
      }
      return ids
    })
    for (const {hit, id} of created) {
      this.d.log.info(`proposal ${id} (${hit.rule}) in ${hit.portfolio}: ${hit.reason}`, {job: 'scan'})
      await this.d.alerter.raise({key: `proposal:${id}`, kind: 'proposal', severity: 'warning', message: `proposal ${id} waits for approval: ${hit.reason} (cotrader approve ${id})`}, now)
    }
    const pending = await readDb(this.d.dbPath, (db) => repo.loadProposals(db, {status: 'pending'}).length)
    this.lastMessage = `${hits.length} rule hit(s), ${created.length} new proposal(s), ${pending} pending`
    this.d.log.info(`scan: ${this.lastMessage}`, {job: 'scan'})
    await this.dispatch({type: 'scan_done', hits: created.length, pending})
  }

  private tradeDate(hit: RuleHit, positions: Position[], now: Date): string {
    const p = positions.find((q) => q.portfolio === hit.portfolio && q.symbol === hit.symbol)
    const cfg = this.d.config.portfolios.find((q) => q.name === hit.portfolio)
    const market = p ? this.d.calendar.marketFor(p) : portfolioMarket(this.d.calendar, cfg?.currency ?? 'USD')
    return this.d.calendar.localDate(market, now)
  }

  private async checkDecisions(): Promise<void> {
    const rows = await readDb(this.d.dbPath, (db) => repo.loadProposals(db).filter((p) => this.awaiting.includes(p.id)))
    const approved = rows.filter((p) => p.status === 'approved' || p.status === 'executed').map((p) => p.id)
    const pending = rows.filter((p) => p.status === 'pending').length
    this.awaiting = rows.filter((p) => p.status === 'pending').map((p) => p.id)
    await this.dispatch({type: 'decisions', approved, pending})
  }

  /** Paper bookings are final at once; live orders are asked about until filled, cancelled or rejected. */
  private async followOrders(proposals: number[]): Promise<void> {
    const working = await this.updateOrders(proposals)
    await this.dispatch({type: 'execution_done', working})
  }

  private async followWorkingOrders(): Promise<void> {
    if (this.machine.state === 'pending_approval') return this.checkDecisions()
    if (this.machine.state === 'execution') return this.followOrders(this.machine.executing)
  }

  /**
   * Asks the broker about each working order of these proposals (one question per order, however
   * many legs), records changes on the live trades (status and order_status), and on a final
   * status records the outcome on the proposal: Filled keeps it `executed`; Rejected, Cancelled
   * or Expired make it `failed` with the broker's reason. Returns how many are still working.
   */
  private async updateOrders(which: number[] | {except: number[]}): Promise<number> {
    const wanted = (id: number) => (Array.isArray(which) ? which.includes(id) : !which.except.includes(id))
    const trades = await readDb(this.d.dbPath, (db) => repo.loadTrades(db, {kind: 'live'}).filter((t) => t.proposalId !== null && wanted(t.proposalId)))
    const orders = new Map<string, (typeof trades)[number]>()
    for (const t of trades) if (t.orderId && !FINAL_ORDER.has(t.status.toLowerCase()) && t.status !== 'unknown') orders.set(t.orderId, t)
    let working = 0
    for (const [orderId, t] of orders) {
      const proposalId = t.proposalId!
      const cfg = this.d.config.portfolios.find((p) => p.name === t.portfolio)
      if (!this.d.orderStatus || !cfg) {
        this.d.log.warn(`order ${orderId} of proposal ${proposalId}: cannot ask the broker for its status; check it there`, {job: 'execution'})
        continue
      }
      let answer: OrderStatusAnswer
      try {
        const a = await this.d.orderStatus(cfg, orderId)
        answer = typeof a === 'string' ? {status: a} : a
        this.orderFailures.delete(orderId)
      } catch (error) {
        const failures = (this.orderFailures.get(orderId) ?? 0) + 1
        this.orderFailures.set(orderId, failures)
        const why = oneLine(error)
        if (failures < ORDER_STATUS_MAX_FAILURES) {
          this.d.log.warn(`order ${orderId} of proposal ${proposalId}: status unknown — check the broker (${failures}/${ORDER_STATUS_MAX_FAILURES}, asking again next tick): ${why}`, {job: 'execution'})
          working++
          continue
        }
        this.orderFailures.delete(orderId)
        const now = this.now.toISOString()
        await writeDb(this.d.dbPath, (db) => repo.updateLiveOrderStatus(db, proposalId, 'unknown', now))
        const message = `order ${orderId} (proposal ${proposalId}) status unknown — check the broker: ${failures} questions failed, last: ${why}`
        this.d.log.error(message, {job: 'execution'})
        await this.d.alerter.raise({key: `order:${orderId}:unknown`, kind: 'order', severity: 'warning', message}, this.now)
        continue
      }
      const {status} = answer
      const final = FINAL_ORDER.has(status.toLowerCase())
      if (status !== t.status) {
        const now = this.now.toISOString()
        const reason = answer.reason ?? null
        await writeDb(this.d.dbPath, (db) => {
          repo.updateLiveOrderStatus(db, proposalId, status, now)
          if (!final) return
          const [p] = repo.loadProposals(db, {id: proposalId})
          if (!p || (p.status !== 'executed' && p.status !== 'approved')) return
          const filled = status.toLowerCase() === 'filled'
          repo.decideProposal(db, proposalId, p.status, filled ? 'executed' : 'failed', now, {...p.result, orderId, status, ...(reason ? {reason} : {}), finalAt: now})
        })
        this.d.log.info(`order ${orderId} of proposal ${proposalId}: ${t.status} → ${status}${reason ? ` (${reason})` : ''}`, {job: 'execution'})
        if (final) {
          const filled = status.toLowerCase() === 'filled'
          await this.d.alerter.raise({key: `order:${orderId}:${status}`, kind: 'order', severity: filled ? 'info' : 'warning',
            message: `order ${orderId} (proposal ${proposalId}) ${status}${reason ? `: ${reason}` : ''}${filled ? '' : '; proposal failed'}`}, this.now)
        }
      }
      if (!final) working++
    }
    return working
  }

  // ------------------------------------------------------------------------------------ end of day

  /**
   * Every end of day due and not done, per market, oldest first: the sessions whose close (plus the
   * offset) passed since the last one done. After a suspend or a stopped process that is several: each
   * is done at its own date (resume as a first-class event), and one alert summarises the gap.
   */
  private async eodIfDue(): Promise<void> {
    const now = this.now
    const caught: {market: Market; date: string; late: boolean}[] = []
    const missed = this.markets().map((m) => ({m, dates: this.missedCloses(m, now)}))
    // Catching up several closes of one market: one alert for the gap (below), not one end-of-day alert
    // per close. One close due in each of two markets (New York's and India's after a boot) is no gap.
    this.catchingUp = missed.some((x) => x.dates.length > 1)
    try {
      for (const {m, dates} of missed) {
        for (const date of dates) {
          await this.dispatch({type: 'eod_due', market: m, date})
          if ((this.status.eodDone[m] ?? '') < date) break // not done (the workflow refused it): tried again next time
          caught.push({market: m, date, late: this.lastEodLate})
        }
      }
    } finally {
      this.catchingUp = false
      await this.flushDeferred()
    }
    // A catch-up: more than one close at once, or one done after its market opened again.
    const overdue = caught.filter((c) => this.afterNextOpen(c.market, c.date, now))
    // (Not at the first boot on a database: that is no gap.)
    if (this.lastSeen !== null && (caught.length > 1 || overdue.length > 0)) {
      const late = caught.filter((c) => c.late).length
      const from = this.lastSeen
      const message = `asleep from ${stamp(from)} to ${stamp(now.toISOString())}: ${caught.length} close${caught.length === 1 ? '' : 's'} caught up (${caught.map((c) => `${c.market} ${c.date}`).join(', ')}), ${late} without that day's prices`
      this.d.log.warn(message, {job: 'eod'})
      await this.d.alerter.raise({key: `resume:${now.toISOString()}`, kind: 'resume', severity: 'warning', message}, now)
      this.lastMessage = message
    }
    this.lastSeen = now.toISOString()
  }

  private lastEodLate = false
  private catchingUp = false
  private deferred: {transitions: Transition[]; runs: dstore.EodRun[]; book: NonNullable<SnapshotOptions['reuse']>; pendingProposals?: number; stored?: {held: Position[]; synced: repo.StoredPortfolio[]; paper: Awaited<ReturnType<typeof repo.loadTrades>>}} = {transitions: [], runs: [], book: {}}

  /** Writes what a catch-up deferred (transitions, end-of-day run records, pruning) and the status, in one write. */
  private async flushDeferred(): Promise<void> {
    const {transitions, runs} = this.deferred
    this.deferred = {transitions: [], runs: [], book: {}}
    if (transitions.length === 0 && runs.length === 0) return
    const status = this.statusToStore()
    const now = this.now
    try {
      await writeDb(this.d.dbPath, (db) => {
        dstore.recordTransitions(db, transitions)
        for (const r of runs) dstore.recordEodRun(db, r)
        dstore.pruneSyncRuns(db, new Date(now.getTime() - SYNC_RUNS_KEPT_MS).toISOString())
        dstore.setState(db, 'status', status, status.lastSeenAt!)
      })
    } catch (error) {
      // The ends of day are done (eodDone moved on): their records wait for the next end-of-day check's flush.
      this.deferred.transitions.unshift(...transitions)
      this.deferred.runs.unshift(...runs)
      throw error
    }
  }

  /** Trade dates of `m` whose end of day is due by `now` and not done, oldest first (none before the first ever done: no backfill on a new database). */
  missedCloses(m: Market, now: Date): string[] {
    const offset = this.d.settings.eodOffset(m) * 60_000
    const latest = this.d.calendar.previousClose(m, new Date(now.getTime() - offset))
    if (!latest) return []
    const done = this.status.eodDone[m]
    if (done && done >= latest.date) return []
    if (!done) return [latest.date]
    const out = [latest.date]
    let s = latest
    // A year of missed sessions at most (a database left alone longer starts again from the latest close).
    for (let i = 0; i < 300; i++) {
      const prev = this.d.calendar.previousClose(m, s.open)
      if (!prev || prev.date <= done) break
      out.push(prev.date)
      s = prev
    }
    return out.reverse()
  }

  /** Whether `now` is past the open of the session after `date`: prices have moved since that close. */
  private afterNextOpen(m: Market, date: string, now: Date): boolean {
    const s = this.d.calendar.sessionOn(m, date)
    if (!s) return true
    return this.d.calendar.nextSession(m, s.close).open.getTime() <= now.getTime()
  }

  private async endOfDay(market: Market, date: string): Promise<void> {
    const now = this.now
    this.status.counts.eods++
    const names = this.d.config.portfolios.filter((p) => p.kind !== 'whatif' && portfolioMarket(this.d.calendar, p.currency) === market).map((p) => p.name)
    // Valued at that date's closes: the book's prices when they were observed that day, else the stored
    // closes of that date, else the last price marked late (never one day's price written as another's).
    // While catching up, the counted book is read once and reused from one date to the next until a
    // settlement changes it (or a position of it expires by that date's close): services/snapshot.ts.
    const reuse = this.catchingUp ? this.deferred.book : undefined
    const snap = await snapshotService({config: this.d.config, dbPath: this.d.dbPath, asOf: now, date, portfolios: names, calendar: this.d.calendar, valuation: 'closes_or_late', reuse})
    const {expired, pending, wrote} = await this.settleExpiries(names, date, now, snap.late)
    if (wrote) {
      this.deferred.book.book = undefined
      this.deferred.stored = undefined
    }
    // One write for the run's record and the pruning; the proposals count read in the same open
    // (while catching up: once, nothing in a catch-up makes or decides proposals).
    const run = {market, date, ranAt: now.toISOString(), late: snap.late.length > 0, detail: snap.late}
    const {pruned, pendingProposals} = this.catchingUp
      ? (this.deferred.runs.push(run), {pruned: 0, pendingProposals: (this.deferred.pendingProposals ??= await readDb(this.d.dbPath, (db) => repo.loadProposals(db, {status: 'pending'}).length))})
      : await writeDb(this.d.dbPath, (db) => {
          dstore.recordEodRun(db, run)
          return {pruned: dstore.pruneSyncRuns(db, new Date(now.getTime() - SYNC_RUNS_KEPT_MS).toISOString()), pendingProposals: repo.loadProposals(db, {status: 'pending'}).length}
        })
    this.lastEodLate = snap.late.length > 0
    if (this.lastEodLate) this.status.counts.lateEods = (this.status.counts.lateEods ?? 0) + 1
    if (pruned > 0) this.d.log.info(`pruned ${pruned} sync runs older than 7 days`, {job: 'eod'})
    const processedOn = this.d.calendar.localDate(market, now)
    const lines = [`end of day ${market} ${date}${processedOn !== date ? ` (processed ${stamp(now.toISOString())}, late)` : ''}`]
    for (const p of snap.portfolios)
      lines.push(`  ${p.portfolio.padEnd(20)} equity ${fmt(p.equity)} ${p.currency}  day ${fmt(p.dayPnl)}  unrealized ${fmt(p.unrealizedPnl)}  Δ ${fmt(p.delta)}  θ ${fmt(p.theta)}/day  ${p.positions} positions`)
    for (const k of snap.kept) lines.push(`  ${k.padEnd(20)} snapshot of ${date} taken that day kept`)
    // A never-synced portfolio is unknown, not absent: the summary says so rather than leave it out silently.
    for (const k of snap.skipped) lines.push(`  ${k.padEnd(20)} never synced: numbers unknown`)
    if (snap.late.length > 0)
      lines.push(`  late: ${snap.late.length} position(s) without a close of ${date}, valued at a later price: ${snap.late.slice(0, 5).map((l) => `${l.symbol} ${px(l.price)} (seen ${l.observedAt ? stamp(l.observedAt) : '?'})`).join(', ')}${snap.late.length > 5 ? ', …' : ''}`)
    for (const e of expired)
      lines.push(`  expiry ${e.date}: ${e.portfolio} ${e.symbol} ${e.outcome}${e.stockQuantity ? ` → ${px(e.stockQuantity, 0)} ${e.stockSymbol}` : ''} on ${e.priceSource === 'open' ? 'the opening print' : 'the close'} ${px(e.underlyingPrice)} of ${e.date}, realized ${fmt(e.realizedPnl)} ${e.currency} (provisional until the broker's records)${e.note ? ` (${e.note})` : ''}`)
    for (const p of pending) lines.push(`  pending settlement: ${p.portfolio} ${p.symbol} (expired ${p.expiryDate}): ${p.detail}`)
    // Opening prices are needed only on their expiry date's end of day: keep a week, like sync runs.
    const week = new Date(now.getTime() - SYNC_RUNS_KEPT_MS).toISOString().slice(0, 10)
    for (const key of Object.keys(this.status.openings ?? {})) if (key.slice(key.lastIndexOf('|') + 1) < week) delete this.status.openings![key]
    for (const key of Object.keys(this.status.lastPrices ?? {})) if (key.slice(key.lastIndexOf('|') + 1) < week) delete this.status.lastPrices![key]
    lines.push(`  breaches open: ${this.status.breaches.length}; proposals pending: ${pendingProposals}`)
    const summary = lines.join('\n')
    this.d.log.info(summary, {job: 'eod'})
    if (!this.catchingUp) await this.d.alerter.raise({key: `eod:${market}:${date}`, kind: 'eod', severity: 'info', message: summary}, now)
    this.lastMessage = `${lines[0]}: ${snap.portfolios.length} portfolio(s), ${expired.length} expir${expired.length === 1 ? 'y' : 'ies'}, ${pending.length} pending settlement, ${snap.late.length} late price(s)`
    this.status.eodDone[market] = date
    // The transition back to monitoring stores the status (eodDone included) in the same write.
    await this.dispatch({type: 'eod_done', market, date})
  }

  /**
   * Options and futures of these portfolios expiring on or before `date` leave the book on the price
   * of their settlement instant (domain/expiry-settlement.ts): a close of the expiry date stored
   * (price history, a snapshot taken that day) or observed that day; an AM opening print recorded by
   * the monitor ticks. The outcome is booked as provisional ledger events (services/ledger-provisional.ts),
   * confirmed or replaced when the broker's records arrive, and an expiries row (with the price and
   * its source). Without a settlement price, or inside the pin band of a short option, the position
   * stays, pending settlement, alerted once.
   */
  private async settleExpiries(portfolios: string[], date: string, now: Date, late: LatePrice[]): Promise<{expired: (dstore.ExpiryRow & {note: string | null})[]; pending: dstore.PendingSettlementRow[]; wrote: boolean}> {
    const openings = this.status.openings ?? {}
    const rules = this.d.settings.settlement
    const at = now.toISOString()
    // Stored closes of the dates concerned: price history, and snapshots taken on their own date.
    // Only what has expired by `date` (the calendar's expiry date, after any roll-back; pending ones
    // included): most ends of day have nothing, and then nothing more is read or written.
    const expiredBy = (p: Pick<Position, 'option' | 'instrumentType' | 'symbol' | 'underlying' | 'currency'>) =>
      (p.option ? settleAtExpiry(p as Position, date) : p.instrumentType === 'future' ? settleFutureAtExpiry(p as Position, date) : null) !== null
    // While catching up, the stored book is read once and again only after a settlement wrote to it.
    const read = () => readDb(this.d.dbPath, (db) => ({
      held: repo.loadPositions(db).filter((p) => p.option || p.instrumentType === 'future'),
      synced: repo.loadPortfolios(db),
      paper: repo.loadTrades(db, {kind: 'paper', status: 'open'}).filter((t) => t.option),
    }))
    const stored = this.catchingUp ? (this.deferred.stored ??= await read()) : await read()
    const {synced} = stored
    const positions = stored.held.filter((p) => portfolios.includes(p.portfolio) && expiredBy(p))
    const underlyings = stored.paper.filter((t) => portfolios.includes(t.portfolio) && expiredBy(t as never)).map((t) => t.underlying)
    // Nothing expiring: nothing to write (the broker's records are matched where they are stored: sync, imports).
    if (positions.length === 0 && underlyings.length === 0) return {expired: [], pending: [], wrote: false}
    const symbols = [...new Set([...positions.flatMap((p) => [p.underlying, p.symbol]), ...underlyings])]
    const closes: Record<string, ObservedPrice> = {}
    const since = new Date(Date.parse(`${date}T00:00:00Z`) - 60 * 86_400_000).toISOString().slice(0, 10)
    // Rows of a snapshot valued at a price observed another day (an export months old, a catch-up) are
    // no close of their date, even in a snapshot taken that day: the end-of-day runs list them (those
    // of this catch-up and of this end of day are not stored yet).
    const stale = new Set<string>()
    const noteStale = (r: {date: string; detail: LatePrice[]}) => {
      for (const l of r.detail) stale.add(`${l.portfolio}\u0000${l.symbol}\u0000${r.date}`)
    }
    for (const r of this.deferred.runs) noteStale(r)
    noteStale({date, detail: late})
    await readDb(this.d.dbPath, (db) => {
      for (const [symbol, points] of loadPriceHistory(db, symbols, since)) for (const pt of points) closes[priceKey(symbol, pt.date)] = {price: pt.close, at: `${pt.date} (stored close)`}
      for (const r of dstore.eodRuns(db)) if (r.date >= since && r.date <= date) noteStale(r)
    })
    await readHistory(this.d.dbPath, (h) => {
      for (const r of positionSnapshots(h, {portfolios, from: since, to: date})) {
        const m = this.d.calendar.marketFor(r)
        if (this.d.calendar.localDate(m, new Date(r.takenAt)) !== r.date) continue // a late row is not that day's close
        if (stale.has(`${r.portfolio}\u0000${r.symbol}\u0000${r.date}`)) continue
        if (r.underlyingPrice !== null) closes[priceKey(r.underlying, r.date)] ??= {price: r.underlyingPrice, at: r.takenAt}
        if (r.instrumentType === 'future' && r.markPrice !== null) closes[priceKey(r.symbol, r.date)] ??= {price: r.markPrice, at: r.takenAt}
      }
    })
    const {expired, pending} = await writeDb(this.d.dbPath, (db) => {
      const expired: (dstore.ExpiryRow & {note: string | null})[] = []
      const pending: dstore.PendingSettlementRow[] = []
      const open = dstore.pendingSettlements(db, {open: true})
      for (const p of positions) {
        const lastAt = synced.find((s) => s.name === p.portfolio)?.lastSyncAt ?? null
        // What the daemon saw in hours counts as the close when seen within a tick interval of it (never a later day's quote).
        const prices = {closes, openings, lastAt, seen: this.status.lastPrices ?? {}, closeWindowMs: Math.max(30 * 60_000, 2 * this.d.settings.monitorInHours * 1000)}
        const r = p.option ? settleAtExpiry(p, date, prices, rules) : settleFutureAtExpiry(p, date, prices)
        if (!r) continue
        const was = open.find((o) => o.portfolio === p.portfolio && o.symbol === p.symbol && o.expiryDate === r.expiryDate)
        if (r.status === 'pending' || was?.reason === 'pin_risk') {
          // Pin risk stays pending until the broker says; no price: pending until one is stored.
          if (r.status === 'pending' && dstore.insertPendingSettlement(db, {portfolio: p.portfolio, symbol: p.symbol, expiryDate: r.expiryDate, reason: r.reason, detail: r.detail, since: at}))
            pending.push({portfolio: p.portfolio, symbol: p.symbol, expiryDate: r.expiryDate, reason: r.reason, detail: r.detail, since: at, alertedAt: null, resolvedAt: null, resolution: null})
          continue
        }
        const s: ExpirySettlement = r
        const row: dstore.ExpiryRow = {
          portfolio: p.portfolio, symbol: p.symbol, date: s.expiryDate, quantity: p.quantity, multiplier: p.multiplier, currency: p.currency, outcome: s.outcome,
          underlyingPrice: s.underlyingPrice, intrinsic: s.intrinsic, entryPrice: p.entryPrice, realizedPnl: s.realizedPnl,
          stockSymbol: s.stockQuantity === null ? null : p.underlying, stockQuantity: s.stockQuantity, at, priceSource: s.priceSource, priceAt: s.priceAt, kind: p.option ? 'option' : 'future',
        }
        if (!dstore.insertExpiry(db, row)) continue
        expired.push({...row, note: s.note})
        if (s.note) this.d.log.warn(`expiry ${p.portfolio} ${p.symbol}: ${s.note}`, {job: 'eod'})
        const account = this.d.config.portfolios.find((c) => c.name === p.portfolio)?.account ?? null
        recordProvisionalSettlement(db, p, s, s.priceAt.includes('T') ? s.priceAt : at, account)
        if (was) dstore.resolvePendingSettlement(db, was, at, `settled on ${s.priceSource} ${s.underlyingPrice}`)
      }
      expired.push(...this.settlePaperTrades(db, portfolios, date, {closes, openings, seen: this.status.lastPrices ?? {}, closeWindowMs: Math.max(30 * 60_000, 2 * this.d.settings.monitorInHours * 1000)}, at, synced))
      for (const name of portfolios) settleProvisional(db, name, at)
      dstore.dropExpiredPositions(db)
      return {expired, pending}
    })
    for (const p of pending) {
      const pin = p.reason === 'pin_risk'
      await this.d.alerter.raise({key: `pending:${p.portfolio}:${p.symbol}:${p.expiryDate}`, kind: pin ? 'pin_risk' : 'pending_settlement', severity: 'warning',
        message: `${p.portfolio} ${p.symbol} expired ${p.expiryDate}, pending settlement: ${p.detail}`}, now)
      await writeDb(this.d.dbPath, (db) => dstore.markPendingAlerted(db, p, at))
    }
    // The book changed only if something settled or became pending (a pending one retried is as it was).
    return {expired, pending, wrote: expired.length > 0 || pending.length > 0}
  }

  /**
   * Paper option trades (booked by `approve`) settle at their expiry like held legs, on the same prices:
   * the trade gets its outcome as status, the settlement value as close price and its realised P&L; a
   * delivery into stock closes the option at 0 and is a new paper trade at the strike (the intrinsic value
   * counted once, in the shares, as the ledger counts it); both are ledger events with source 'paper'
   * (final: no broker will confirm a paper trade). Pending (no price, pin risk) ones stay open.
   */
  private settlePaperTrades(db: Db, portfolios: string[], date: string, prices: SettlementPrices, at: string, synced: repo.StoredPortfolio[]): (dstore.ExpiryRow & {note: string | null})[] {
    const out: (dstore.ExpiryRow & {note: string | null})[] = []
    const held = repo.loadPositions(db)
    for (const t of repo.loadTrades(db, {kind: 'paper', status: 'open'})) {
      if (!portfolios.includes(t.portfolio) || !t.option) continue
      // Its underlying's last price: from a held position on the same underlying (observed at that portfolio's sync).
      const near = held.find((p) => p.underlying === t.underlying && p.underlyingPrice !== null)
      const p: Position = {
        portfolio: t.portfolio, symbol: t.symbol, brokerSymbol: t.brokerSymbol ?? t.symbol, instrumentType: t.instrumentType, underlying: t.underlying, quantity: t.quantity, multiplier: t.multiplier,
        entryPrice: t.price, markPrice: null, currency: t.currency, option: t.option, underlyingPrice: near?.underlyingPrice ?? null, underlyingPriceSource: 'none' as never, iv: null, greeks: null, greeksSource: 'none',
      }
      const lastAt = near ? near.underlyingPriceAsOf ?? synced.find((s) => s.name === near.portfolio)?.lastSyncAt ?? null : null
      const r = settleAtExpiry(p, date, {...prices, lastAt}, this.d.settings.settlement)
      if (!r || r.status !== 'settled' || r.realizedPnl === null) continue
      // A delivery closes the option at 0 (its value is in the paper shares at the strike); a cash settlement or an expiry at its value.
      if (!dstore.settlePaperTrade(db, t.id, r.outcome, {closePrice: r.stockQuantity === null ? r.intrinsic : 0, realizedPnl: r.realizedPnl, closedAt: at})) continue
      const events = provisionalSettlementEvents(p, r, r.priceAt.includes('T') ? r.priceAt : at, null).map((e) => ({
        ...e, source: 'paper' as const, provisional: false, key: e.key.replace(/^daemon:daemon:/, `paper:trade ${t.id}:`), orderId: `paper:trade ${t.id}`, sourceRef: `trade ${t.id} at expiry`,
        description: e.description.replace(/^provisional /, '').replace('provisional delivery', 'delivery'),
      }))
      appendEvents(db, events, at)
      if (r.stockQuantity !== null)
        repo.insertTrade(db, {
          portfolio: t.portfolio, kind: 'paper', status: 'open', proposalId: t.proposalId, symbol: t.underlying, brokerSymbol: t.underlying, instrumentType: 'equity', underlying: t.underlying,
          quantity: r.stockQuantity, price: t.option.strike, multiplier: 1, currency: t.currency,
          entry: {underlyingPrice: r.underlyingPrice, iv: null, greeks: {delta: 1, gamma: 0, theta: 0, vega: 0, rho: 0}, greeksSource: 'model'}, orderId: null, orderStatus: null, createdAt: at,
        } as Parameters<typeof repo.insertTrade>[1], at)
      out.push({
        portfolio: t.portfolio, symbol: `${t.symbol} (paper trade ${t.id})`, date: r.expiryDate, quantity: t.quantity, multiplier: t.multiplier, currency: t.currency, outcome: r.outcome,
        underlyingPrice: r.underlyingPrice, intrinsic: r.intrinsic, entryPrice: t.price, realizedPnl: r.realizedPnl, stockSymbol: r.stockQuantity === null ? null : t.underlying,
        stockQuantity: r.stockQuantity, at, priceSource: r.priceSource, priceAt: r.priceAt, kind: 'option', note: r.note,
      })
    }
    return out
  }

  // ----------------------------------------------------------------------------------------- status

  async saveStatus(): Promise<void> {
    const value = this.statusToStore()
    await writeDb(this.d.dbPath, (db) => dstore.setState(db, 'status', value, value.lastSeenAt!))
  }

  private statusToStore(): DaemonStatusState {
    for (const j of this.jobs) this.status.nextRuns[j.name] = j.nextRun()?.toISOString() ?? null
    this.status.lastSeenAt = this.now.toISOString()
    return structuredClone(this.status)
  }
}

/** A price or quantity in a message: thousands separators like every table (26,517.3, 1,000), up to 6 decimals (at least `min`). */
function px(v: number | null | undefined, min = 2): string {
  return v === null || v === undefined ? '?' : v.toLocaleString('en-US', {minimumFractionDigits: min, maximumFractionDigits: 6})
}

function fmt(v: number | null): string {
  return v === null ? '?' : v.toLocaleString('en-US', {maximumFractionDigits: 2, minimumFractionDigits: 2})
}

/** An instant in a message people read: "2026-12-07 15:00Z", the zone joined to the time so no line break parts them (stored times stay ISO). */
function stamp(iso: string): string {
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(iso) ? `${iso.slice(0, 16).replace('T', ' ')}Z` : iso
}
