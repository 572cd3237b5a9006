/*
 * daemon status: whether a daemon runs on this database (pid file + process check), its state, last
 * tick, next runs, open alerts (breaches not cleared) and pending proposals. Read-only.
 */
import {readDb} from '../store/database.js'
import * as dstore from '../store/daemon.js'
import * as repo from '../store/repositories.js'
import type {DaemonStatusState, TickRecord} from './daemon.js'
import {readPidFile} from './daemon-lock.js'

export interface DaemonStatusResult {
  database: string
  running: boolean
  pid: number | null
  /** ISO instant the running (or last) daemon started */
  since: string | null
  /** a pid file was left by a daemon that no longer runs (killed) */
  stalePidFile: boolean
  state: string | null
  lastTick: TickRecord | null
  nextRuns: Record<string, string | null>
  counts: DaemonStatusState['counts'] | null
  /** breaches alerted and not yet cleared */
  openAlerts: string[]
  backoff: DaemonStatusState['backoff']
  pendingProposals: {id: number; source: string; portfolio: string; reason: string | null; createdAt: string}[]
  recentTransitions: dstore.WorkflowEventRow[]
}

export async function daemonStatusService(o: {dbPath: string}): Promise<DaemonStatusResult> {
  const pid = readPidFile(o.dbPath)
  const {state, pending, transitions} = await readDb(o.dbPath, (db) => ({
    state: dstore.getState<DaemonStatusState>(db, 'status'),
    pending: repo.loadProposals(db, {status: 'pending'}),
    transitions: dstore.workflowEvents(db, {limit: 10}),
  }))
  const running = Boolean(pid?.alive)
  return {
    database: o.dbPath,
    running,
    pid: running ? pid!.pid : null,
    since: running ? pid!.since : state?.since ?? null,
    stalePidFile: pid !== null && !pid.alive,
    state: running ? state?.state ?? null : state ? 'stopped' : null,
    lastTick: state?.lastTick ?? null,
    nextRuns: running ? state?.nextRuns ?? {} : {},
    counts: state?.counts ?? null,
    openAlerts: state?.breaches ?? [],
    backoff: state?.backoff ?? {},
    pendingProposals: pending.map((p) => ({id: p.id, source: p.source, portfolio: p.portfolio, reason: p.reason, createdAt: p.createdAt})),
    recentTransitions: transitions,
  }
}
