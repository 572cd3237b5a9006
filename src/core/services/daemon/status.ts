/*
 * daemon status: whether a daemon runs on this database (pid file + process check), its state, last
 * tick, next runs, open alerts (breaches not cleared) and pending proposals. Read-only.
 */
import {readDb} from '../../store/database.js'
import * as dstore from '../../store/daemon.js'
import * as repo from '../../store/repositories.js'
import type {DaemonStatusState, TickRecord} from './engine.js'
import {readPidFile} from './lock.js'

export interface DaemonStatusResult {
  database: string
  running: boolean
  pid: number | null
  /** ISO instant the running (or last) daemon started */
  since: string | null
  /** a pid file was left by a daemon that no longer runs (killed) */
  stalePidFile: boolean
  /** running: the state stored at the daemon's last transition or tick; not running: 'not running' (see lastState) */
  state: string | null
  /** the state the daemon last stored, running or not */
  lastState: string | null
  /** ISO instant (the daemon's clock) it last stored its status: a killed daemon was last seen then */
  lastSeenAt: string | null
  lastTick: TickRecord | null
  nextRuns: Record<string, string | null>
  counts: DaemonStatusState['counts'] | null
  /** breaches alerted and not yet cleared */
  openAlerts: string[]
  backoff: DaemonStatusState['backoff']
  pendingProposals: {id: number; source: string; portfolio: string; reason: string | null; createdAt: string}[]
  recentTransitions: dstore.WorkflowEventRow[]
  /** expired options/futures not settled (no settlement price, pin risk), until the price or the broker's records arrive */
  pendingSettlements: dstore.PendingSettlementRow[]
}

export async function daemonStatusService(o: {dbPath: string}): Promise<DaemonStatusResult> {
  const pid = readPidFile(o.dbPath)
  const {state, pending, transitions, unsettled} = await readDb(o.dbPath, (db) => ({
    state: dstore.getState<DaemonStatusState>(db, 'status'),
    pending: repo.loadProposals(db, {status: 'pending'}),
    transitions: dstore.workflowEvents(db, {limit: 10}),
    unsettled: dstore.pendingSettlements(db, {open: true}),
  }))
  const running = Boolean(pid?.alive)
  return {
    database: o.dbPath,
    running,
    pid: running ? pid!.pid : null,
    since: running ? pid!.since : state?.since ?? null,
    stalePidFile: pid !== null && !pid.alive,
    state: running ? state?.state ?? null : state ? 'not running' : null,
    lastState: state?.state ?? null,
    lastSeenAt: state?.lastSeenAt ?? null,
    lastTick: state?.lastTick ?? null,
    nextRuns: running ? state?.nextRuns ?? {} : {},
    counts: state?.counts ?? null,
    openAlerts: state?.breaches ?? [],
    backoff: state?.backoff ?? {},
    pendingProposals: pending.map((p) => ({id: p.id, source: p.source, portfolio: p.portfolio, reason: p.reason, createdAt: p.createdAt})),
    recentTransitions: transitions,
    pendingSettlements: unsettled,
  }
}
