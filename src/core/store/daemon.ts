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
  /** ISO instant it was processed (a late-processed expiry has `at` after `date`) */
  at: string
  /** what settled it: close (that day's close as observed), stored_close (price history / snapshot of that date), open (AM opening print), final_settlement (a future) */
  priceSource?: string | null
  /** ISO instant the settling price was observed */
  priceAt?: string | null
  kind?: 'option' | 'future'
}

export function insertExpiry(db: Db, e: ExpiryRow): boolean {
  db.run(
    `INSERT OR IGNORE INTO expiries (portfolio, symbol, date, quantity, multiplier, currency, outcome, underlying_price, intrinsic, entry_price, realized_pnl, stock_symbol, stock_quantity, at, price_source, price_at, kind)
     VALUES (:portfolio, :symbol, :date, :quantity, :multiplier, :currency, :outcome, :underlyingPrice, :intrinsic, :entryPrice, :realizedPnl, :stockSymbol, :stockQuantity, :at, :priceSource, :priceAt, :kind)`,
    {...e, priceSource: e.priceSource ?? null, priceAt: e.priceAt ?? null, kind: e.kind ?? 'option'},
  )
  return db.changes() === 1
}

export function listExpiries(db: Db): ExpiryRow[] {
  return db.all<Record<string, any>>('SELECT * FROM expiries ORDER BY date, portfolio, symbol').map((r) => ({
    portfolio: r.portfolio, symbol: r.symbol, date: r.date, quantity: r.quantity, multiplier: r.multiplier, currency: r.currency, outcome: r.outcome,
    underlyingPrice: r.underlying_price, intrinsic: r.intrinsic, entryPrice: r.entry_price, realizedPnl: r.realized_pnl, stockSymbol: r.stock_symbol, stockQuantity: r.stock_quantity, at: r.at,
    priceSource: r.price_source ?? null, priceAt: r.price_at ?? null, kind: r.kind ?? 'option',
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

// ------------------------------------------------------------------------------ end-of-day runs

export interface LatePrice {
  portfolio: string
  symbol: string
  /** per unit: the price used because no close of that date was stored */
  price: number | null
  /** ISO instant that price was observed; null = unknown */
  observedAt: string | null
}

export interface EodRun {
  market: string
  date: string
  ranAt: string
  late: boolean
  detail: LatePrice[]
}

/** Records (or replaces) the end of day of one market and date. */
export function recordEodRun(db: Db, r: EodRun): void {
  db.run(
    'INSERT INTO eod_runs (market, date, ran_at, late, detail) VALUES (:market, :date, :ranAt, :late, :detail) ON CONFLICT(market, date) DO UPDATE SET ran_at = excluded.ran_at, late = excluded.late, detail = excluded.detail',
    {market: r.market, date: r.date, ranAt: r.ranAt, late: r.late ? 1 : 0, detail: JSON.stringify(r.detail)},
  )
}

export function eodRuns(db: Db, market?: string): EodRun[] {
  return db
    .all<Record<string, any>>('SELECT * FROM eod_runs WHERE (:market IS NULL OR market = :market) ORDER BY date, market', {market: market ?? null})
    .map((r) => ({market: r.market, date: r.date, ranAt: r.ran_at, late: r.late === 1, detail: JSON.parse(r.detail)}))
}

/** The latest date whose end of day is recorded for a market; null = none. */
export function lastEodDate(db: Db, market: string): string | null {
  return db.get<{d: string | null}>('SELECT max(date) AS d FROM eod_runs WHERE market = :market', {market})?.d ?? null
}

// -------------------------------------------------------------------------- pending settlements

export interface PendingSettlementRow {
  portfolio: string
  symbol: string
  expiryDate: string
  /** no_settlement_price | pin_risk */
  reason: string
  /** human sentence: what is missing or why assignment is uncertain */
  detail: string
  since: string
  alertedAt: string | null
  resolvedAt: string | null
  resolution: string | null
}

/** Records a pending settlement; false when it was already recorded (so it is alerted once). */
export function insertPendingSettlement(db: Db, r: Pick<PendingSettlementRow, 'portfolio' | 'symbol' | 'expiryDate' | 'reason' | 'detail' | 'since'>): boolean {
  db.run(
    'INSERT OR IGNORE INTO pending_settlements (portfolio, symbol, expiry_date, reason, detail, since) VALUES (:portfolio, :symbol, :expiryDate, :reason, :detail, :since)',
    {...r},
  )
  return db.changes() === 1
}

export function markPendingAlerted(db: Db, r: {portfolio: string; symbol: string; expiryDate: string}, at: string): void {
  db.run('UPDATE pending_settlements SET alerted_at = :at WHERE portfolio = :portfolio AND symbol = :symbol AND expiry_date = :expiryDate', {...r, at})
}

export function resolvePendingSettlement(db: Db, r: {portfolio: string; symbol: string; expiryDate: string}, at: string, resolution: string): void {
  db.run(
    'UPDATE pending_settlements SET resolved_at = :at, resolution = :resolution WHERE portfolio = :portfolio AND symbol = :symbol AND expiry_date = :expiryDate AND resolved_at IS NULL',
    {...r, at, resolution},
  )
}

export function pendingSettlements(db: Db, o: {open?: boolean} = {}): PendingSettlementRow[] {
  return db
    .all<Record<string, any>>(`SELECT * FROM pending_settlements${o.open ? ' WHERE resolved_at IS NULL' : ''} ORDER BY expiry_date, portfolio, symbol`)
    .map((r) => ({
      portfolio: r.portfolio, symbol: r.symbol, expiryDate: r.expiry_date, reason: r.reason, detail: r.detail, since: r.since, alertedAt: r.alerted_at,
      resolvedAt: r.resolved_at, resolution: r.resolution,
    }))
}

// ----------------------------------------------------------- provisional events settled by positions

export function markProvisionalSeen(db: Db, eventId: number, at: string, how: string): void {
  db.run('INSERT OR IGNORE INTO provisional_seen (event_id, at, how) VALUES (:eventId, :at, :how)', {eventId, at, how})
}

export function provisionalSeen(db: Db): Map<number, {at: string; how: string}> {
  return new Map(db.all<{event_id: number; at: string; how: string}>('SELECT * FROM provisional_seen').map((r) => [r.event_id, {at: r.at, how: r.how}]))
}

// ------------------------------------------------------------------------------ paper trades at expiry

/**
 * Settles an open paper trade at its expiry: status expired | assigned | exercised | cash_settled, the
 * settlement value per unit as its close price, realised P&L (money, trade currency). False when it
 * is not (or no longer) an open paper trade.
 */
export function settlePaperTrade(db: Db, id: number, status: string, c: {closePrice: number; realizedPnl: number; closedAt: string}): boolean {
  db.run(
    `UPDATE trades SET status = :status, close_price = :closePrice, realized_pnl = :realizedPnl, closed_at = :closedAt, updated_at = :closedAt
     WHERE id = :id AND kind = 'paper' AND status = 'open'`,
    {id, status, ...c},
  )
  return db.changes() === 1
}
