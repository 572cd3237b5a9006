/*
 * The daemon's rows: workflow transitions, alerts, rule hits, expiries and its latest state. No
 * business rules: services/daemon.ts decides what to write. All run inside readDb/writeDb.
 */
import type {Db} from './database.js'

export interface WorkflowEventRow {
  at: string
  from: string
  to: string
  reason: string
}

/** Keeps the newest `keep` transitions: the table records state changes, not ticks, but must not grow forever. */
export function recordTransitions(db: Db, rows: WorkflowEventRow[], keep = 20_000): void {
  for (const r of rows) db.run('INSERT INTO workflow_events (at, from_state, to_state, reason) VALUES (:at, :from, :to, :reason)', {...r})
  if (rows.length > 0) db.run('DELETE FROM workflow_events WHERE id <= (SELECT max(id) FROM workflow_events) - :keep', {keep})
}

export function workflowEvents(db: Db, q: {since?: string; limit?: number} = {}): WorkflowEventRow[] {
  return db
    .all<Record<string, any>>('SELECT * FROM workflow_events WHERE (:since IS NULL OR at >= :since) ORDER BY id DESC LIMIT :limit', {since: q.since ?? null, limit: q.limit ?? 1000})
    .reverse()
    .map((r) => ({at: r.at, from: r.from_state, to: r.to_state, reason: r.reason}))
}

export function setState(db: Db, key: string, value: unknown, now: string): void {
  db.run(
    'INSERT INTO daemon_state (key, value, updated_at) VALUES (:key, :value, :now) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
    {key, value: JSON.stringify(value), now},
  )
}

export function getState<T>(db: Db, key: string): T | null {
  const row = db.get<{value: string}>('SELECT value FROM daemon_state WHERE key = :key', {key})
  return row ? (JSON.parse(row.value) as T) : null
}

export interface AlertRow {
  id: number
  /** ISO instant */
  at: string
  /** what makes two alerts "the same" for deduplication, e.g. breach:alpha:maxLoss */
  key: string
  kind: string
  severity: 'info' | 'warning' | 'critical'
  message: string
  status: 'sent' | 'duplicate' | 'rate_limited' | 'failed' | 'recorded'
  error: string | null
}

export function insertAlert(db: Db, a: Omit<AlertRow, 'id'>): number {
  db.run('INSERT INTO alerts (at, key, kind, severity, message, status, error) VALUES (:at, :key, :kind, :severity, :message, :status, :error)', {...a})
  return db.lastInsertId()
}

export function updateAlertStatus(db: Db, id: number, status: AlertRow['status'], error: string | null): void {
  db.run('UPDATE alerts SET status = :status, error = :error WHERE id = :id', {id, status, error})
}

/** The last alert of `key` that went out (sent or failed to send: either way the channel was tried). */
export function lastSentAlert(db: Db, key: string): AlertRow | null {
  return (db.get<AlertRow>("SELECT * FROM alerts WHERE key = :key AND status IN ('sent', 'failed', 'recorded') ORDER BY id DESC LIMIT 1", {key}) as AlertRow | undefined) ?? null
}

export function sentSince(db: Db, since: string): number {
  return Number(db.get<{n: number}>("SELECT count(*) AS n FROM alerts WHERE at >= :since AND status IN ('sent', 'failed')", {since})?.n ?? 0)
}

export function listAlerts(db: Db, q: {since?: string; limit?: number} = {}): AlertRow[] {
  return db.all<AlertRow>('SELECT * FROM alerts WHERE (:since IS NULL OR at >= :since) ORDER BY id DESC LIMIT :limit', {since: q.since ?? null, limit: q.limit ?? 100}).reverse()
}

/** Claims a rule hit; false when the same rule already fired on this position today. */
export function claimRuleHit(db: Db, h: {rule: string; portfolio: string; symbol: string; date: string; at: string}): boolean {
  db.run('INSERT OR IGNORE INTO rule_hits (rule, portfolio, symbol, date, at) VALUES (:rule, :portfolio, :symbol, :date, :at)', {...h})
  return db.changes() === 1
}

export function setRuleHitProposal(db: Db, h: {rule: string; portfolio: string; symbol: string; date: string}, proposalId: number): void {
  db.run('UPDATE rule_hits SET proposal_id = :proposalId WHERE rule = :rule AND portfolio = :portfolio AND symbol = :symbol AND date = :date', {...h, proposalId})
}

export interface ExpiryRow {
  portfolio: string
  symbol: string
  /** expiry date YYYY-MM-DD */
  date: string
  quantity: number
  multiplier: number
  currency: string
  outcome: 'expired' | 'assigned' | 'exercised' | 'cash_settled'
  /** per unit */
  underlyingPrice: number | null
  /** per unit, at the close */
  intrinsic: number
  entryPrice: number | null
  /** money, row currency */
  realizedPnl: number | null
  stockSymbol: string | null
  /** signed shares delivered */
  stockQuantity: number | null
  at: string
}

export function insertExpiry(db: Db, e: ExpiryRow): boolean {
  db.run(
    `INSERT OR IGNORE INTO expiries (portfolio, symbol, date, quantity, multiplier, currency, outcome, underlying_price, intrinsic, entry_price, realized_pnl, stock_symbol, stock_quantity, at)
     VALUES (:portfolio, :symbol, :date, :quantity, :multiplier, :currency, :outcome, :underlyingPrice, :intrinsic, :entryPrice, :realizedPnl, :stockSymbol, :stockQuantity, :at)`,
    {...e},
  )
  return db.changes() === 1
}

export function listExpiries(db: Db): ExpiryRow[] {
  return db.all<Record<string, any>>('SELECT * FROM expiries ORDER BY date, portfolio, symbol').map((r) => ({
    portfolio: r.portfolio, symbol: r.symbol, date: r.date, quantity: r.quantity, multiplier: r.multiplier, currency: r.currency, outcome: r.outcome,
    underlyingPrice: r.underlying_price, intrinsic: r.intrinsic, entryPrice: r.entry_price, realizedPnl: r.realized_pnl, stockSymbol: r.stock_symbol, stockQuantity: r.stock_quantity, at: r.at,
  }))
}

/** Options already settled leave the book even when a stale export file still lists them. */
export function dropExpiredPositions(db: Db): number {
  db.run('DELETE FROM positions WHERE EXISTS (SELECT 1 FROM expiries e WHERE e.portfolio = positions.portfolio AND e.symbol = positions.symbol)')
  return db.changes()
}

/** A proposal of this rule on this position still waits for approve/reject, or was approved (acted on: not proposed again). */
export function ruleProposalPending(db: Db, h: {rule: string; portfolio: string; symbol: string}): boolean {
  return (
    db.get(
      `SELECT 1 AS x FROM rule_hits h JOIN proposals p ON p.id = h.proposal_id
       WHERE h.rule = :rule AND h.portfolio = :portfolio AND h.symbol = :symbol AND p.status IN ('pending', 'approved', 'executed') LIMIT 1`,
      {...h},
    ) !== undefined
  )
}

/**
 * Sync runs older than `before` go, except each portfolio's latest: the daemon syncs every minute, and
 * a run per portfolio per minute is not history worth a larger file (the snapshots are the history).
 */
export function pruneSyncRuns(db: Db, before: string): number {
  db.run('DELETE FROM sync_runs WHERE started_at < :before AND id NOT IN (SELECT max(id) FROM sync_runs GROUP BY portfolio)', {before})
  return db.changes()
}
