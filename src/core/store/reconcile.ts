/*
 * The last reconcile status of each portfolio (migration 11), so `sync` warns when a portfolio *stops*
 * reconciling rather than on every run while it stays unreconciled (services/sync.ts).
 */
import type {Db} from './database.js'

export interface ReconcileStatus {
  portfolio: string
  status: 'reconciles' | 'differs'
  /** ISO instant the portfolio entered this status */
  since: string
  /** ISO instant of the last check */
  checkedAt: string
  differences: number
}

export function loadReconcileStatus(db: Db): Map<string, ReconcileStatus> {
  return new Map(
    db
      .all<{portfolio: string; status: ReconcileStatus['status']; since: string; checked_at: string; differences: number}>('SELECT * FROM reconcile_status')
      .map((r) => [r.portfolio, {portfolio: r.portfolio, status: r.status, since: r.since, checkedAt: r.checked_at, differences: r.differences}]),
  )
}

export function saveReconcileStatus(db: Db, s: ReconcileStatus): void {
  db.run(
    `INSERT INTO reconcile_status (portfolio, status, since, checked_at, differences) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(portfolio) DO UPDATE SET status = excluded.status, since = excluded.since, checked_at = excluded.checked_at, differences = excluded.differences`,
    [s.portfolio, s.status, s.since, s.checkedAt, s.differences],
  )
}
