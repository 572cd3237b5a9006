import {Flags} from '@oclif/core'
import {BaseCommand} from '../core/cli/base.js'
import {renderAlerts} from '../core/cli/render/daemon.js'
import {alertsService, type AlertsResult} from '../core/services/alerts.js'

export default class Alerts extends BaseCommand {
  static override summary = 'Recent alerts raised by the daemon (breaches and their clearing, proposals, end-of-day summaries), sent or not.'
  static override description = `Status per alert: sent, duplicate (same alert within daemon.alerts.dedupe_seconds), rate_limited (over daemon.alerts.max_per_hour), failed (the channel failed) or recorded (no channel configured).`
  static override examples = ['<%= config.bin %> alerts', '<%= config.bin %> alerts --since 24h', '<%= config.bin %> alerts --since 2026-11-27 --json']
  static override flags = {
    since: Flags.string({description: 'Only alerts at or after this date/time (2026-11-27, 2026-11-27T14:00Z) or duration back (30m, 12h, 7d).'}),
    limit: Flags.integer({description: 'At most this many (newest).', default: 100, min: 1}),
  }

  async run(): Promise<AlertsResult> {
    const {flags} = await this.parse(Alerts)
    const {dbPath} = this.context(flags)
    const result = await alertsService({dbPath, since: flags.since, limit: flags.limit, asOf: this.now()})
    this.print(() => renderAlerts(result))
    return result
  }
}
