/*
 * A temp copy of the demo book (config + data files) with a daemon section and an extra file-fed
 * portfolio whose options expire during Thanksgiving week 2026, and a Daemon wired to a SimClock.
 */
import {cpSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {loadConfig, type Config} from '../../src/core/config/config.js'
import type {AdapterFactory} from '../../src/core/services/sync.js'
import {createAlerter} from '../../src/core/services/alerts.js'
import {calendar} from '../../src/core/services/calendar-adapter.js'
import {SimClock} from '../../src/core/services/clock.js'
import {Daemon} from '../../src/core/services/daemon/engine.js'
import {daemonSettings} from '../../src/core/services/daemon/config.js'
import {createLogger} from '../../src/core/services/daemon/log.js'
import {ROOT, tempDir} from '../cli/helpers.js'

/** Short UBER put (assigned at Friday's early close) and long UBER call (expires worthless Wednesday). */
export const SIM_CSV = (putMark: number) => `symbol,quantity,entry_price,mark_price,underlying_price,multiplier
UBER 2026-11-27 100P,-1,2.00,${putMark},,
UBER 2026-11-25 110C,1,0.50,0.01,,
`

export const DAEMON_YAML = (extra = '') => `
daemon:
  monitor: {in_hours_seconds: 3600, out_of_hours_seconds: 21600}
  scan: {cron: "0 11,15 * * 1-5", timezone: America/New_York}
  eod: {offset_minutes: 15}
  backoff: {initial_seconds: 60, max_seconds: 240, factor: 2}
  rules: {close_at_dte: 3, assignment_risk_dte: 2}
  alerts: {file: ../data/alerts.jsonl, dedupe_seconds: 3600, max_per_hour: 100}
  log: {file: ../data/daemon.log}
${extra}`

export function demoCopy(opts: {portfolios?: string; daemon?: string} = {}): {dir: string; configFile: string; dbPath: string; dataDir: string} {
  const dir = tempDir('cotrader-daemon-')
  mkdirSync(path.join(dir, 'config'))
  // The fixed 2026-11-24 copies of the demo exports (data/*.csv are regenerated relative to today).
  cpSync(path.join(ROOT, 'test', 'fixtures', 'demo'), path.join(dir, 'data'), {recursive: true})
  // The demo's own daemon section is replaced by the test's.
  let yaml = readFileSync(path.join(ROOT, 'config', 'risk_config.yaml'), 'utf8').replace(/\n# --- the daemon[\s\S]*$/, '\n')
  yaml = yaml.replace('portfolios:\n', `portfolios:\n  - {name: sim-expiry, broker: manual, account: SIM-1, currency: USD, kind: real, source: {file: ../data/sim.csv, format: generic}, cash: 10000, limits: {max_loss: 1000, max_delta_dollars_per_underlying: 1000000, max_position_pct_of_equity: 100, max_capital_utilization_pct: 100}}\n${opts.portfolios ?? ''}`)
  writeFileSync(path.join(dir, 'config', 'risk_config.yaml'), yaml + (opts.daemon ?? DAEMON_YAML()))
  writeFileSync(path.join(dir, 'data', 'sim.csv'), SIM_CSV(5.8))
  return {dir, configFile: path.join(dir, 'config', 'risk_config.yaml'), dbPath: path.join(dir, 'data', 'cotrader.sqlite'), dataDir: path.join(dir, 'data')}
}

export interface SimDaemon {
  daemon: Daemon
  clock: SimClock
  lines: string[]
  config: Config
}

export function simDaemon(ws: {configFile: string; dbPath: string; dataDir: string}, start: Date, o: {adapters?: AdapterFactory; env?: NodeJS.ProcessEnv} = {}): SimDaemon {
  const config = loadConfig(ws.configFile)
  const settings = daemonSettings(config, ws.dataDir)
  const clock = new SimClock(start)
  const lines: string[] = []
  let daemon: Daemon | undefined
  const log = createLogger({file: settings.log.file, level: 'info', maxBytes: 50_000_000, keep: 2, clock, human: (l) => {
    lines.push(l)
    if (process.env.SIM_DEBUG) process.stderr.write(`${l}\n`)
  }, state: () => daemon?.machine.state ?? 'initializing'})
  daemon = new Daemon({
    config, settings, dbPath: ws.dbPath, env: o.env ?? {}, clock, scheduler: clock, calendar, log, alerter: createAlerter(ws.dbPath, settings.alerts), adapters: o.adapters,
    reloadConfig: () => {
      const c = loadConfig(ws.configFile)
      return {config: c, settings: daemonSettings(c, ws.dataDir)}
    },
  })
  return {daemon, clock, lines, config}
}
