/*
 * The `daemon` command's service: validates the daemon settings, takes the one-daemon-per-database
 * pid file, wires the real clock, croner scheduler, calendar, log and alert channels, and runs until
 * SIGTERM/SIGINT (clean stop, exit 0 within 10 s) while SIGHUP reloads the config. --once runs one
 * cycle and returns.
 */
import path from 'node:path'
import {loadConfig, type Config} from '../../config/config.js'
import {createAlerter} from '../alerts.js'
import {calendar} from '../calendar-adapter.js'
import {processClock, realScheduler} from '../clock.js'
import type {PortfolioConfig} from '../../config/config.js'
import {UserError} from '../../errors.js'
import {Daemon, type DaemonDeps} from './engine.js'
import {daemonSettings} from './config.js'
import {acquireDaemonLock} from './lock.js'
import {checkAppendFile, createLogger} from './log.js'
import {writeGate} from '../../store/database.js'

export interface DaemonRunOptions {
  config: Config
  configFile: string
  dbPath: string
  dataDir: string
  once?: boolean
  logFile?: string
  env: NodeJS.ProcessEnv
  human?: (line: string) => void
}

export interface DaemonRunResult {
  mode: 'once' | 'daemon'
  /** why it stopped */
  stoppedBy: string | null
  state: string
  counts: Daemon['status']['counts']
}

export async function runDaemon(o: DaemonRunOptions): Promise<DaemonRunResult> {
  let settings = daemonSettings(o.config, o.dataDir) // ConfigError (exit 2) before anything starts
  if (o.logFile) settings = {...settings, log: {...settings.log, file: o.logFile}}
  // One clock: COTRADER_NOW (when set) is the daemon's now too, running on at the real pace.
  const clock = processClock(o.env)
  const broker = liveOrders(o.config, o.env)
  // The write gate before the pid file, the log or any alert: a daemon that could not write its database does not start.
  writeGate(o.dbPath)
  // Its log and alerts file likewise: a missing directory is refused, not created (the default log's, in the user data directory, excepted).
  checkAppendFile(settings.log.file, 'daemon log', settings.log.file === path.join(o.dataDir, 'daemon.log'))
  if (settings.alerts.file) checkAppendFile(settings.alerts.file, 'alerts file')
  const lock = acquireDaemonLock(o.dbPath, clock.now())
  let daemon: Daemon | undefined
  const secrets = [o.env.TASTYTRADE_CLIENT_SECRET, o.env.TASTYTRADE_REFRESH_TOKEN].filter((s): s is string => Boolean(s))
  const log = createLogger({file: settings.log.file, level: settings.log.level, maxBytes: settings.log.maxBytes, keep: settings.log.keep, clock, human: o.human, secrets, state: () => daemon?.machine.state ?? 'initializing'})
  try {
    if (lock.stale) log.warn(`removed a stale pid file of pid ${lock.stale.pid} (started ${lock.stale.since}, no longer running)`, {job: 'boot'})
    const scheduler = realScheduler()
    const alerter = createAlerter(o.dbPath, settings.alerts, (m) => log.warn(m, {job: 'alert'}))
    daemon = new Daemon({
      config: o.config, settings, dbPath: o.dbPath, env: o.env, clock, scheduler, calendar, log, alerter, orderStatus: broker.orderStatus,
      reloadConfig: () => {
        const config = loadConfig(o.configFile)
        return {config, settings: {...daemonSettings(config, o.dataDir), ...(o.logFile ? {log: settings.log} : {})}}
      },
    })
    await daemon.boot()
    // Resume: the ends of day missed while no daemon ran, oldest first, before the first tick.
    await daemon.catchUp()
    if (o.once) {
      await daemon.once()
      log.info('--once: cycle done', {job: 'once'})
      return {mode: 'once', stoppedBy: null, state: daemon.machine.state, counts: daemon.status.counts}
    }
    daemon.start()
    await daemon.saveStatus()
    const d = daemon
    const stoppedBy = await new Promise<string>((resolve) => {
      const stop = (signal: string) => {
        log.info(`${signal}: stopping`, {job: 'stop'})
        process.off('SIGTERM', onTerm)
        process.off('SIGINT', onInt)
        process.off('SIGHUP', onHup)
        // Hard limit: whatever happens, out within 10 s.
        setTimeout(() => process.exit(0), 9_500).unref()
        void d.stop(7_000).finally(() => {
          scheduler.stopAll()
          resolve(signal)
        })
      }
      const onTerm = () => stop('SIGTERM')
      const onInt = () => stop('SIGINT')
      const onHup = () => {
        log.info('SIGHUP: reloading the config', {job: 'reload'})
        d.reload()
      }
      process.on('SIGTERM', onTerm)
      process.on('SIGINT', onInt)
      process.on('SIGHUP', onHup)
    })
    return {mode: 'daemon', stoppedBy, state: daemon.machine.state, counts: daemon.status.counts}
  } finally {
    await broker.close()
    lock.release()
  }
}

/**
 * Follows live orders at TastyTrade (GET /accounts/{n}/orders/{id}) through one adapter, made on
 * first use (no broker contact when nothing is working) and closed when the daemon stops.
 */
export function liveOrders(config: Config, env: NodeJS.ProcessEnv): {orderStatus: NonNullable<DaemonDeps['orderStatus']>; close: () => Promise<void>} {
  let adapter: Promise<{orderStatus(account: string, id: string): Promise<{status: string; reason: string | null}>; close(): Promise<void>}> | null = null
  return {
    async orderStatus(p: PortfolioConfig, orderId: string) {
      if (p.broker !== 'tastytrade' || !p.account) throw new UserError(`${p.name}: live orders are followed at tastytrade only`)
      adapter ??= import('../../adapters/tastytrade/adapter.js').then((m) => m.createTastytrade(config, env))
      const s = await (await adapter).orderStatus(p.account, orderId)
      return {status: s.status, reason: s.reason}
    },
    async close() {
      if (adapter) await (await adapter).close()
    },
  }
}
