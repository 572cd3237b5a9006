import {BaseCommand} from '../core/cli/base.js'
import {checkCsvTarget, csvToStdout, writeCsv} from '../core/cli/csv-output.js'
import {csvFlag} from '../core/cli/oclif-flags.js'
import {renderPortfolios} from '../core/cli/render/portfolios.js'
import {portfoliosService, type PortfoliosResult} from '../core/services/portfolios.js'

export default class Portfolios extends BaseCommand {
  static override summary = 'List configured portfolios with their last sync time and status.'
  static override examples = ['<%= config.bin %> portfolios', '<%= config.bin %> portfolios --json', '<%= config.bin %> portfolios --csv portfolios.csv']
  static override flags = {csv: csvFlag()}

  async run(): Promise<PortfoliosResult> {
    csvToStdout(this.argv)
    const {flags} = await this.parse(Portfolios)
    checkCsvTarget(flags.csv, this.jsonEnabled())
    const ctx = this.context(flags)
    const result = await portfoliosService({...ctx, asOf: this.now()})
    if (flags.csv !== undefined) {
      const {rowsCsv, MONEY_COLUMNS, PORTFOLIO_COLUMNS} = await import('../core/cli/csv.js')
      await writeCsv(flags.csv, rowsCsv(result.portfolios, PORTFOLIO_COLUMNS, MONEY_COLUMNS), `${result.portfolios.length} portfolios`, (m) => this.note(m), ctx)
      return result
    }
    this.print(() => renderPortfolios(result))
    return result
  }
}
