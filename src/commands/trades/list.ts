import {Flags} from '@oclif/core'
import {BaseCommand} from '../../core/cli/base.js'
import {renderTradesList} from '../../core/cli/render/trades.js'
import {tradesList, type TradesListResult} from '../../core/services/trades.js'

export default class TradesList extends BaseCommand {
  static override summary = 'Paper and live trades booked by approve: open ones marked to market, closed ones with their realised P&L.'
  static override description = `Open paper trades count in positions, pnl and risk like broker positions. P&L = (mark or close − open) × signed quantity × multiplier, money in the trade's currency.`
  static override examples = ['<%= config.bin %> trades list', '<%= config.bin %> trades list --portfolio tastytrade --open', '<%= config.bin %> trades list --json']
  static override flags = {
    portfolio: Flags.string({char: 'p', description: 'Only this portfolio.'}),
    open: Flags.boolean({description: 'Only open trades.'}),
  }

  async run(): Promise<TradesListResult> {
    const {flags} = await this.parse(TradesList)
    const result = await tradesList({...this.context(flags), portfolio: flags.portfolio, open: flags.open, asOf: this.now()})
    this.print(() => renderTradesList(result))
    return result
  }
}
