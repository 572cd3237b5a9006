import {Flags} from '@oclif/core'
import {BaseCommand} from '../core/cli/base.js'
import {renderSnapshot} from '../core/cli/render/snapshot.js'
import {snapshotService, type SnapshotResult} from '../core/services/snapshot.js'
import {syncService} from '../core/services/sync.js'

export default class Snapshot extends BaseCommand {
  static override summary = 'Record the end-of-day snapshot of every position and portfolio (the history day P&L and VaR read).'
  static override description = `One row per position and one per portfolio for the trade date each portfolio's market is closing or last closed (override with --date). Running it again the same day replaces that day's rows, never duplicates them. A past --date is built only from the closes stored for that date (cotrader prices import, DXLink daily candles, or a snapshot taken that day) and refused, naming the missing prices, when one is not stored: today's marks are never written as an earlier day's close. Times come from COTRADER_NOW when set, like every command. Takes the book as last synced; add --sync to sync first. The daemon takes it by itself after each close.`
  static override examples = [
    '<%= config.bin %> snapshot',
    '<%= config.bin %> snapshot --sync --json',
    '<%= config.bin %> snapshot --portfolio fidelity-ira --date 2026-11-27   # from the stored closes of that date, else refused',
    '15 16 * * 1-5  cd ~/trading && cotrader snapshot --sync   # crontab, New York time',
  ]
  static override flags = {
    portfolio: Flags.string({char: 'p', description: 'Only this portfolio (repeatable).', multiple: true}),
    date: Flags.string({description: 'Trade date to record, YYYY-MM-DD (default: the session just closed or in progress).'}),
    sync: Flags.boolean({description: 'Sync the portfolios first.'}),
  }

  async run(): Promise<SnapshotResult> {
    const {flags} = await this.parse(Snapshot)
    const {config, dbPath} = this.context(flags)
    // One clock: COTRADER_NOW (when set) stamps the snapshot like every other command's times.
    const now = this.now()
    if (flags.sync) {
      const s = await syncService({config, dbPath, portfolios: flags.portfolio, skipInvalid: false, asOf: now, env: process.env})
      for (const p of s.portfolios) if (p.status === 'failed') this.note(`sync ${p.name} failed: ${p.error} (snapshot uses its last synced positions)`)
    }
    const result = await snapshotService({config, dbPath, asOf: now, date: flags.date, portfolios: flags.portfolio})
    this.print(() => renderSnapshot(result))
    return result
  }
}
