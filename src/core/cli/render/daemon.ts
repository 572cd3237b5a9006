import type {AlertsResult} from '../../services/alerts.js'
import type {DaemonStatusResult} from '../../services/daemon-status.js'
import {dim, green, red, table, yellow} from '../format.js'

export function renderDaemonStatus(r: DaemonStatusResult): string {
  const out: string[] = []
  out.push(r.running ? `${green('running')}  pid ${r.pid}, since ${r.since}, state ${r.state}` : `${yellow('not running')}${r.since ? ` (last started ${r.since})` : ''}${r.stalePidFile ? ' — a stale pid file was left by a killed daemon; the next start removes it' : ''}`)
  if (r.lastTick) out.push(`last tick  ${r.lastTick.at} ${r.lastTick.job} ${r.lastTick.outcome === 'ok' ? green('ok') : red(r.lastTick.outcome)} (${r.lastTick.ms} ms): ${r.lastTick.message}`)
  for (const [job, next] of Object.entries(r.nextRuns)) out.push(`next ${job.padEnd(8)} ${next ?? '-'}`)
  if (r.counts) out.push(dim(`ticks in hours ${r.counts.ticksInHours}, outside ${r.counts.ticksOutOfHours}, scans ${r.counts.scans}, ends of day ${r.counts.eods}, skipped ${r.counts.skipped}, errors ${r.counts.errors}`))
  for (const [name, b] of Object.entries(r.backoff)) out.push(yellow(`${name}: ${b.failures} failed syncs, next try ${b.nextAttempt}`))
  out.push(r.openAlerts.length ? red(`open alerts: ${r.openAlerts.join(', ')}`) : 'open alerts: none')
  if (r.pendingProposals.length === 0) out.push('pending proposals: none')
  else out.push(table(['ID', 'Source', 'Portfolio', 'Reason'], r.pendingProposals.map((p) => [String(p.id), p.source, p.portfolio, p.reason ?? '']), ['right', 'left', 'left', 'left']))
  return out.join('\n')
}

export function renderAlerts(r: AlertsResult): string {
  if (r.alerts.length === 0) return 'no alerts'
  return table(['ID', 'At (UTC)', 'Severity', 'Kind', 'Status', 'Message'], r.alerts.map((a) => [String(a.id), a.at.slice(0, 19).replace('T', ' '), a.severity, a.kind, a.status, a.message.split('\n')[0]]), ['right', 'left', 'left', 'left', 'left', 'left'])
}
