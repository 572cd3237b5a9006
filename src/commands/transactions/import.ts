import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../core/cli/base.js'
import {renderImport} from '../../core/cli/render/ledger.js'
import {TRANSACTION_FORMATS} from '../../core/config/schema.js'
import {importTransactionsService, type ImportTransactionsResult} from '../../core/services/ledger/import.js'

export default class TransactionsImport extends BaseCommand {
  static override summary = "Import a broker's transactions (activity) export into the ledger."
  static override description = `One file is one transaction: a malformed row refuses the whole file (file:line and what is wrong), and so does a transaction id already stored with other content (both rows are named). Importing the same file twice, or an overlapping export, adds nothing: events are keyed by the broker's id, else by their content and their occurrence among identical rows of the file. Rows out of time order are sorted; a kind the parser does not know is kept as "unclassified". Formats: ${TRANSACTION_FORMATS.join(', ')} (the generic one is described in docs/FILE_FORMATS.md). Conventions (lots, assignments, splits): docs/LEDGER.md.`
  static override examples = [
    '<%= config.bin %> transactions import activity-2026.csv --portfolio research-wheel',
    '<%= config.bin %> transactions import export.csv --portfolio fidelity-ira --format generic --json',
  ]
  static override args = {
    file: Args.string({description: 'The export file', required: true}),
  }
  static override flags = {
    portfolio: Flags.string({char: 'p', description: 'The portfolio the transactions belong to.', required: true}),
    format: Flags.string({description: "The file's format (default: the portfolio's source.transactions.format).", options: [...TRANSACTION_FORMATS]}),
  }

  async run(): Promise<ImportTransactionsResult> {
    const {args, flags} = await this.parse(TransactionsImport)
    const result = await importTransactionsService({...this.context(flags), file: args.file, portfolio: flags.portfolio, format: flags.format, asOf: this.now()})
    this.print(() => renderImport(result))
    return result
  }
}
