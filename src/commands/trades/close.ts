import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../core/cli/base.js'
import {UserError} from '../../core/errors.js'
import {tradesClose, type TradesCloseResult} from '../../core/services/trades.js'

const price = Flags.custom<number>({
  parse: async (input) => {
    const v = Number(input)
    if (input.trim() === '' || !Number.isFinite(v) || v < 0) throw new UserError(`--price "${input}" is not a price per unit (a number ≥ 0)`)
    return v
  },
})

/** A trade ID as the user typed it: a whole number from 1, else a usage error naming it (exit 2). */
function parseTradeId(text: string): number {
  const id = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN
  if (!Number.isSafeInteger(id) || id < 1) throw new UserError(`"${text}" is not a trade ID: IDs are whole numbers from 1 (see: cotrader trades list)`)
  return id
}

export default class TradesClose extends BaseCommand {
  static override summary = 'Close an open paper trade at a price (default: its current mark) and record the realised P&L.'
  static override description = `Realised P&L = (close − open) × signed quantity × multiplier, money in the trade's currency. Without --price the trade closes at its current mark: the book's mark for the symbol, else the model at the trade's IV and the current underlying price. A closed trade leaves positions, pnl and risk; trades list shows it with its realised P&L. Live trades are closed by an order at the broker.`
  static override examples = ['<%= config.bin %> trades close 7', '<%= config.bin %> trades close 7 --price 4.35', '<%= config.bin %> trades close 7 --json']
  static override args = {id: Args.integer({description: 'Trade ID (from trades list).', required: true, parse: async (s) => parseTradeId(s)})}
  static override flags = {price: price({description: 'Close price per unit, in the trade currency (default: the current mark).'})}

  async run(): Promise<TradesCloseResult> {
    const {args, flags} = await this.parse(TradesClose)
    const result = await tradesClose({...this.context(flags), id: args.id, price: flags.price, asOf: this.now()})
    this.print(() => result.message)
    return result
  }
}
