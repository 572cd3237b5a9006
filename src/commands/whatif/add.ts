import {Flags} from '@oclif/core'
import {BaseCommand} from '../../core/cli/base.js'
import {renderWhatifAdd} from '../../core/cli/render/trades.js'
import {whatifAdd, type WhatifAddResult} from '../../core/services/trades.js'

export default class WhatifAdd extends BaseCommand {
  static override summary = 'Add a hypothetical trade (one or more legs) to the what-if portfolio shadowing a real one.'
  static override description = `Each --leg is "QTY SYMBOL [@ PRICE]": signed quantity (− sells), SYMBOL as OCC (AAPL  270115P00210000), the readable form (AAPL 2027-01-15 210P) or a ticker, price per unit. Without a price: the TastyTrade feed's, else the model's at the IV of a held option on the same underlying. Greeks at creation are stored as the trade's entry Greeks. The trade waits for approval as a proposal (cotrader approve).`
  static override examples = [
    '<%= config.bin %> whatif add --portfolio tastytrade --leg "-1 AAPL 2027-01-15 210P @ 9.10" --leg "1 AAPL 2027-01-15 200P @ 6.20"',
    '<%= config.bin %> whatif add --portfolio fidelity-ira --leg "100 MSFT" --reason "add to core"',
  ]
  static override flags = {
    portfolio: Flags.string({char: 'p', description: 'Real portfolio (or its what-if portfolio).', required: true}),
    leg: Flags.string({char: 'l', description: 'A leg "QTY SYMBOL [@ PRICE]" (repeatable).', multiple: true, required: true}),
    reason: Flags.string({description: 'Why: kept with the proposal.'}),
  }

  async run(): Promise<WhatifAddResult> {
    const {flags} = await this.parse(WhatifAdd)
    const result = await whatifAdd({...this.context(flags), portfolio: flags.portfolio, legs: flags.leg, reason: flags.reason, asOf: this.now(), env: process.env})
    this.print(() => renderWhatifAdd(result))
    return result
  }
}
