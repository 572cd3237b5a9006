import {BaseCommand} from '../core/cli/base.js'
import {renderPortfolios} from '../core/cli/render/portfolios.js'
import {portfoliosService, type PortfoliosResult} from '../core/services/portfolios.js'

export default class Portfolios extends BaseCommand {
  static override summary = 'List configured portfolios with their last sync time and status.'
  static override examples = ['<%= config.bin %> portfolios', '<%= config.bin %> portfolios --json']

  async run(): Promise<PortfoliosResult> {
    const {flags} = await this.parse(Portfolios)
    const result = await portfoliosService(this.context(flags))
    this.print(() => renderPortfolios(result))
    return result
  }
}
