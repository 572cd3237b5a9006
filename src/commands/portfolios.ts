import {BaseCommand} from '../core/cli/base.js'
import {csvFlag, csvToStdout, writeCsv} from '../core/cli/csv-output.js'
import {renderPortfolios} from '../core/cli/render/portfolios.js'
import {portfoliosService, type PortfoliosResult} from '../core/services/portfolios.js'

export default class Portfolios extends BaseCommand {
  static override summary = 'List configured portfolios with their last sync time and status.'
  static override examples = ['<%= config.bin %> portfolios', '<%= config.bin %> portfolios --json', '<%= config.bin %> portfolios --csv portfolios.csv']
  static override flags = {csv: csvFlag()}

  async run(): Promise<PortfoliosResult> {
    csvToStdout(this.argv)
    const {flags} = await this.parse(Portfolios)
    const result = await portfoliosService(this.context(flags))
    if (flags.csv !== undefined && !this.jsonEnabled()) {
      const {rowsCsv, PORTFOLIO_COLUMNS} = await import('../core/cli/csv.js')
      writeCsv(flags.csv, rowsCsv(result.portfolios, PORTFOLIO_COLUMNS), `${result.portfolios.length} portfolios`, (m) => this.note(m))
      return result
    }
    this.print(() => renderPortfolios(result))
    return result
  }
}
