import {Flags} from '@oclif/core'
import {BaseCommand} from '../core/cli/base.js'
import {renderPnl} from '../core/cli/render/pnl.js'
import {pnlService, type PnlResult} from '../core/services/pnl.js'

export default class Pnl extends BaseCommand {
  static override summary = 'Unrealized P&L per position, underlying and portfolio, in each currency and in the base currency.'
  static override examples = ['<%= config.bin %> pnl', '<%= config.bin %> pnl --portfolio zerodha', '<%= config.bin %> pnl --with-whatif', '<%= config.bin %> pnl --json']
  static override flags = {
    portfolio: Flags.string({char: 'p', description: 'Only this portfolio.'}),
    'with-whatif': Flags.boolean({description: 'Also show each portfolio with its open what-if trades: before → after.'}),
  }

  async run(): Promise<PnlResult> {
    const {flags} = await this.parse(Pnl)
    const result = await pnlService({...this.context(flags), portfolio: flags.portfolio, withWhatif: flags['with-whatif'], asOf: new Date()})
    this.print(() => renderPnl(result))
    return result
  }
}
