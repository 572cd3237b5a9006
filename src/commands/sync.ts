import {Flags, ux} from '@oclif/core'
import {BaseCommand} from '../core/cli/base.js'
import {renderSync} from '../core/cli/render/sync.js'
import {syncService, type SyncResult} from '../core/services/sync.js'

export default class Sync extends BaseCommand {
  static override summary = 'Pull positions and balances from every broker and export file.'
  static override description = `Each portfolio is replaced in one transaction; a portfolio that fails keeps its previous positions. Option Greeks come from the TastyTrade feed when available, else from our models (IV solved from the mark). Exit code 1 if any portfolio failed.`
  static override examples = [
    '<%= config.bin %> sync',
    '<%= config.bin %> sync --portfolio fidelity-ira --portfolio zerodha',
    '<%= config.bin %> sync --skip-invalid --json',
    '<%= config.bin %> sync --portfolio fidelity-ira --allow-empty   # the account was really emptied',
  ]
  static override flags = {
    portfolio: Flags.string({char: 'p', description: 'Only this portfolio (repeatable).', multiple: true}),
    'skip-invalid': Flags.boolean({description: 'Import the valid rows of a file and list the rows skipped, instead of failing the portfolio.'}),
    'allow-empty': Flags.boolean({description: 'Accept an export with no positions for a portfolio that had some (without it, that portfolio fails and keeps its positions).'}),
  }

  async run(): Promise<SyncResult> {
    const {flags} = await this.parse(Sync)
    const {config, dbPath} = this.context(flags)
    const spinner = process.stderr.isTTY && !this.jsonEnabled()
    if (spinner) ux.action.start('Syncing')
    let result: SyncResult
    try {
      result = await syncService({
        config, dbPath, portfolios: flags.portfolio, skipInvalid: flags['skip-invalid'], allowEmpty: flags['allow-empty'], asOf: this.now(), env: process.env,
        onProgress: spinner ? (portfolio, message) => { ux.action.status = `${portfolio}: ${message}` } : undefined,
      })
    } finally {
      if (spinner) ux.action.stop('done')
    }
    if (result.failed > 0) process.exitCode = 1
    this.print(() => renderSync(result))
    return result
  }
}
