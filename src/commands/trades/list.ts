import {Flags} from '@oclif/core'
import {BaseCommand} from '../../core/cli/base.js'
import {renderTradesList} from '../../core/cli/render/trades.js'
import {tradesList, type TradesListResult} from '../../core/services/trades.js'

export default class TradesList extends BaseCommand {
  static override summary = 'Paper and live trades booked by approve, and the fills from the broker\'s records (the ledger), marked by source.'
  static override description = `Kind paper / live: booked by approve; open ones marked to market, closed ones with their realised P&L. Kind broker: fills, assignments, exercises and expiries from the broker's records (cotrader ledger; their realised P&L is in pnl --realized), ID = the ledger event's. Open paper trades count in positions, pnl and risk like broker positions. P&L = (mark or close − open) × signed quantity × multiplier, money in the trade's currency.`
  static override examples = ['<%= config.bin %> trades list', '<%= config.bin %> trades list --portfolio tastytrade --open', '<%= config.bin %> trades list --json']
  static override flags = {
    portfolio: Flags.string({char: 'p', description: 'Only this portfolio (repeatable: -p a -p b).', multiple: true}),
    open: Flags.boolean({description: 'Only open trades.'}),
  }

  async run(): Promise<TradesListResult> {
    const {flags} = await this.parse(TradesList)
    const result = await tradesList({...this.context(flags), portfolio: flags.portfolio, open: flags.open, asOf: this.now()})
    this.print(() => renderTradesList(result))
    return result
  }
}
