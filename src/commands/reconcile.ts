import {Flags} from '@oclif/core'
import {BaseCommand} from '../core/cli/base.js'
import {renderReconcile} from '../core/cli/render/ledger.js'
import {reconcileService, type ReconcileResult} from '../core/services/ledger/views.js'

export default class Reconcile extends BaseCommand {
  static override summary = "The positions the ledger implies against the broker's latest positions, each difference with its likely cause."
  static override description = `Ledger positions = the opening balance (the positions of the latest daily snapshot before a portfolio's first event; none: it starts empty) plus every event since. The broker's latest positions (the last sync) are the truth: differences are shown, never corrected, each with a likely cause: an expiry, assignment or exercise not yet in the transactions, a split, a transfer, a missing export period. Unclassified events are counted. Exit code 3 when a portfolio differs (for cron). Conventions: docs/LEDGER.md.`
  static override examples = [
    '<%= config.bin %> reconcile',
    '<%= config.bin %> reconcile --portfolio research-wheel --json',
    '<%= config.bin %> reconcile || echo "the ledger and the broker disagree"',
  ]
  static override flags = {
    portfolio: Flags.string({char: 'p', description: 'Only this portfolio (repeatable).', multiple: true}),
  }

  async run(): Promise<ReconcileResult> {
    const {flags} = await this.parse(Reconcile)
    const result = await reconcileService({...this.context(flags), portfolios: flags.portfolio, asOf: this.now()})
    this.print(() => renderReconcile(result))
    if (result.differing > 0) process.exitCode = 3
    return result
  }
}
