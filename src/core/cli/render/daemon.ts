import type {AlertsResult} from '../../services/alerts.js'
import type {DaemonStatusResult} from '../../services/daemon/status.js'
import {dim, green, portfolioColumn, red, table, utc, yellow, type Column} from '../format.js'

export function renderDaemonStatus(r: DaemonStatusResult): string {
  const out: string[] = []
  out.push(r.running ? `${green('running')}  pid ${r.pid}, since ${utc(r.since)}, state ${r.state}` : `${yellow('not running')}${r.since ? ` (last started ${utc(r.since)})` : ''}${r.lastSeenAt ? `; state ${r.lastState} last seen at ${utc(r.lastSeenAt)}` : ''}${r.stalePidFile ? ' — a stale pid file was left by a killed daemon; the next start removes it' : ''}`)
  if (r.lastTick) out.push(`last tick  ${utc(r.lastTick.at, true)} ${r.lastTick.job} ${r.lastTick.outcome === 'ok' ? green('ok') : red(r.lastTick.outcome)} (${r.lastTick.ms} ms): ${r.lastTick.message}`)
  for (const [job, next] of Object.entries(r.nextRuns)) out.push(`next ${job.padEnd(8)} ${next ? utc(next) : '-'}`)
  if (r.counts) out.push(dim(`ticks in hours ${r.counts.ticksInHours}, outside ${r.counts.ticksOutOfHours}, scans ${r.counts.scans}, ends of day ${r.counts.eods}${r.counts.lateEods ? ` (${r.counts.lateEods} late)` : ''}, waited ${r.counts.waited ?? 0}, errors ${r.counts.errors}`))
  for (const p of r.pendingSettlements) out.push(yellow(`pending settlement: ${p.portfolio} ${p.symbol} (expired ${p.expiryDate}): ${p.detail}`))
  for (const [name, b] of Object.entries(r.backoff)) out.push(yellow(`${name}: ${b.failures} failed syncs, next try ${utc(b.nextAttempt)}`))
  out.push(r.openAlerts.length ? red(`open alerts: ${r.openAlerts.join(', ')}`) : 'open alerts: none')
  if (r.pendingProposals.length === 0) out.push('pending proposals: none')
  else
    out.push(table([{header: 'ID', align: 'right', priority: 0}, {header: 'Source', priority: 2}, portfolioColumn(1), {header: 'Reason', priority: 0, minWidth: 16, cut: 'wrap'}, {header: 'Created', priority: 3}],
      r.pendingProposals.map((p) => [String(p.id), p.source, p.portfolio, p.reason ?? '', utc(p.createdAt)])))
  return out.join('\n')
}

/**
 * Column priority (0 = always shown; the largest number is dropped first). The message is what an
 * alert says: never dropped, word-wrapped over several lines when the terminal is narrow.
 */
export const ALERT_COLUMNS: Column[] = [
  {header: 'ID', align: 'right', priority: 0},
  {header: 'At', priority: 1},
  {header: 'Severity', priority: 2},
  {header: 'Kind', priority: 4},
  {header: 'Status', priority: 3},
  {header: 'Message', priority: 0, minWidth: 36, cut: 'wrap'},
]

export function renderAlerts(r: AlertsResult): string {
  if (r.alerts.length === 0) return 'no alerts'
  // The whole message, each of its lines wrapped by the table to the terminal (the end-of-day summary
  // has several): never cut, never dropped.
  const message = (m: string) => m.split('\n').filter((l) => l.trim() !== '').join('\n')
  return table(ALERT_COLUMNS, r.alerts.map((a) => [String(a.id), utc(a.at), a.severity, a.kind, a.status, message(a.message)]))
}
