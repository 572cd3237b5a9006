import {Flags} from '@oclif/core'
import {BaseCommand} from '../../core/cli/base.js'
import {renderForTerminal} from '../../core/cli/format.js'
import {terminalWidth} from '../../core/cli/table.js'
import {runDaemon, type DaemonRunResult} from '../../core/services/daemon/run.js'

export default class DaemonCommand extends BaseCommand {
  /** Long-running: V8 should optimise sql.js (the short-lived commands turn tier-up off). */
  static override keepWasmTierUp = true
  static override summary = 'Run the co-trader: watch the book through the trading day, check risk, propose from rules, keep history.'
  static override description = `Runs in the foreground (systemd, tmux, nohup). Boot: config → bundles → broker credentials → sync → refresh → scheduler, each step logged. Then: monitoring every daemon.monitor.in_hours_seconds while a market of the book is open (out_of_hours_seconds outside, 0 = none), opportunity scans on daemon.scan.cron, the end-of-day snapshot, expiries and summary after each market's close. Ends of day missed while asleep or stopped are caught up at boot and whenever the clock jumps, oldest first, each at that day's stored closes (rows without one are marked late with the price used), with one alert per gap. Expiries settle on the price of their settlement instant only (the close, or the AM opening print), with OCC exercise by exception (daemon.settlement) and pin risk; without that price, or in the pin band, they stay pending settlement (alerted once) until the price or the broker's records arrive. Settlements are provisional ledger events, confirmed or replaced by the broker's transactions or positions. Jobs run through one queue (an end of day never waits behind monitor ticks). COTRADER_NOW is the daemon's clock too. Rule proposals wait for "cotrader approve/reject" from another shell; a live order is then asked about at TastyTrade each tick until Filled (proposal executed), Rejected/Cancelled/Expired (proposal failed, with the broker's reason) or, after 5 unanswered ticks, unknown (check the broker); each outcome is alerted. One daemon per database (exit 2 if one runs). SIGTERM/SIGINT stop cleanly (exit 0), SIGHUP reloads the config (a bad one is reported, the old kept). --once runs one cycle and exits, for cron.`
  static override examples = [
    '<%= config.bin %> daemon',
    '<%= config.bin %> daemon --once   # from cron: missed ends of day, sync, checks, scan',
    'COTRADER_NOW=2026-12-07T15:00:00Z <%= config.bin %> daemon --once   # as of that instant',
    'nohup <%= config.bin %> daemon >/dev/null 2>&1 &',
  ]
  static override flags = {
    once: Flags.boolean({description: 'Run one full cycle (sync, risk checks, scan, end of day if due) and exit.'}),
    'log-file': Flags.string({description: 'JSON-lines log file (default: daemon.log.file in the config, else the user data dir).'}),
  }

  async run(): Promise<DaemonRunResult> {
    const {flags} = await this.parse(DaemonCommand)
    const {config, dbPath} = this.context(flags)
    const configFile = config.file
    return runDaemon({
      config, configFile, dbPath, dataDir: this.config.dataDir, once: flags.once, logFile: flags['log-file'], env: process.env,
      // on a terminal, each log line wrapped at spaces to its width (continuing indented), like every prose line
      human: process.stderr.isTTY ? (line) => process.stderr.write(`${renderForTerminal(terminalWidth(process.stderr, process.env), () => line)}\n`) : undefined,
    })
  }
}
