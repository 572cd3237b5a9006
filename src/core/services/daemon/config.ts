/*
 * The daemon's settings, read from the validated config's `daemon:` section, with the checks zod
 * cannot do (cron expressions and time zones, via croner). Every problem is a ConfigError (exit 2).
 */
import os from 'node:os'
import path from 'node:path'
import type {Config} from '../../config/config.js'
import type {RuleSettings} from '../../domain/rules.js'
import {ConfigError} from '../../errors.js'
import {alertSettings, type AlertSettings} from '../alerts.js'
import type {Market} from '../calendar-adapter.js'
import {cronOf} from '../clock.js'
import type {Level} from './log.js'
import type {ExerciseRules} from '../../domain/expiry-settlement.js'

export interface DaemonSettings {
  /** seconds */
  monitorInHours: number
  /** seconds; 0 = no ticks outside market hours */
  monitorOutOfHours: number
  scan: {cron: string; timezone: string}
  /** minutes after each market's close */
  eodOffset: (m: Market) => number
  backoff: {initialSeconds: number; maxSeconds: number; factor: number}
  rules: RuleSettings
  alerts: AlertSettings
  log: {file: string; level: Level; maxBytes: number; keep: number}
  /** OCC exercise by exception and the pin band (domain/expiry-settlement.ts) */
  settlement: ExerciseRules
  /** seconds a DXLink connection may stay silent before it is closed and reopened */
  feedSilentSeconds: number
}

export function daemonSettings(config: Config, dataDir: string): DaemonSettings {
  const d = config.daemon
  // file:line: key, like the errors of config.ts (which cannot check these without loading croner)
  const at = (key: string) => `${config.file}${config.keyLines?.[key] ? `:${config.keyLines[key]}` : ''}: ${key}`
  const scan = {cron: d?.scan.cron ?? '*/30 * * * *', timezone: d?.scan.timezone ?? 'America/New_York'}
  cronOf(scan.cron, scan.timezone, at('daemon.scan.cron'))
  const offsets = d?.eod.markets ?? {}
  const base = d?.eod.offset_minutes ?? 15
  const r = d?.rules
  if (r?.delta_band && r.delta_band.min > r.delta_band.max) throw new ConfigError(`${at('daemon.rules.delta_band')}: min ${r.delta_band.min} is above max ${r.delta_band.max}`)
  const b = d?.backoff
  if (b && b.max_seconds < b.initial_seconds) throw new ConfigError(`${at('daemon.backoff')}: max_seconds ${b.max_seconds} is below initial_seconds ${b.initial_seconds}`)
  const dir = path.dirname(config.file)
  return {
    monitorInHours: d?.monitor.in_hours_seconds ?? 60,
    monitorOutOfHours: d?.monitor.out_of_hours_seconds ?? 900,
    scan,
    eodOffset: (m) => offsets[m] ?? base,
    backoff: {initialSeconds: b?.initial_seconds ?? 30, maxSeconds: b?.max_seconds ?? 900, factor: b?.factor ?? 2},
    rules: {
      takeProfitPct: r?.take_profit_pct, closeAtDte: r?.close_at_dte, stopLossMultiple: r?.stop_loss_multiple, assignmentRiskDte: r?.assignment_risk_dte,
      deltaBand: r?.delta_band, hedge: r?.hedge,
    },
    alerts: alertSettings(config),
    log: {
      file: d?.log.file ? path.resolve(dir, d.log.file.replace(/^~\//, `${os.homedir()}/`)) : path.join(dataDir, 'daemon.log'),
      level: d?.log.level ?? 'info',
      maxBytes: d?.log.max_bytes ?? 5_000_000,
      keep: d?.log.keep ?? 3,
    },
    settlement: {
      exerciseThreshold: d?.settlement?.exercise_threshold ?? 0.01,
      pinAbsolute: d?.settlement?.pin_band_abs ?? 0.05,
      pinFraction: (d?.settlement?.pin_band_pct ?? 0.1) / 100,
    },
    feedSilentSeconds: d?.feed?.silent_seconds ?? 120,
  }
}
