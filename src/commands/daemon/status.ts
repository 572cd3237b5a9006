import {BaseCommand} from '../../core/cli/base.js'
import {renderDaemonStatus} from '../../core/cli/render/daemon.js'
import {daemonStatusService, type DaemonStatusResult} from '../../core/services/daemon/status.js'

export default class DaemonStatus extends BaseCommand {
  static override summary = 'Is the daemon running on this database: pid, since, state, last tick, next runs, open alerts, pending proposals and settlements.'
  static override description = 'Read from what the daemon stored at its last transition or tick. A daemon that was killed shows as not running, with the state it was last seen in and when.'
  static override examples = ['<%= config.bin %> daemon status', '<%= config.bin %> daemon status --json']

  async run(): Promise<DaemonStatusResult> {
    const {flags} = await this.parse(DaemonStatus)
    const {dbPath} = this.context(flags)
    const result = await daemonStatusService({dbPath})
    this.print(() => renderDaemonStatus(result))
    return result
  }
}
