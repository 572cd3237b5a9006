import {Flags} from '@oclif/core'
import {BaseCommand} from '../../core/cli/base.js'
import {colorEnabled} from '../../core/cli/format.js'
import {renderPayoff} from '../../core/cli/render/payoff.js'
import {whatifPayoff, type WhatifPayoffResult} from '../../core/services/trades.js'

export default class WhatifPayoff extends BaseCommand {
  static override summary = 'Payoff of the what-if legs on one underlying: P&L at expiration and today, breakevens, max profit and loss.'
  static override examples = ['<%= config.bin %> whatif payoff --portfolio tastytrade', '<%= config.bin %> whatif payoff --portfolio tastytrade --underlying AAPL --json']
  static override flags = {
    portfolio: Flags.string({char: 'p', description: 'Real portfolio (or its what-if portfolio).', required: true}),
    underlying: Flags.string({char: 'u', description: 'Underlying, when the legs are on several.'}),
  }

  async run(): Promise<WhatifPayoffResult> {
    const {flags} = await this.parse(WhatifPayoff)
    const result = await whatifPayoff({...this.context(flags), portfolio: flags.portfolio, underlying: flags.underlying, asOf: new Date()})
    this.print(() => `${result.portfolio}: ${result.legs.map((l) => `${l.quantity > 0 ? '+' : ''}${l.quantity} ${l.symbol} @ ${l.price}`).join(', ')} (${result.underlying} at ${result.spot})\n` +
      renderPayoff(result.analysis, {color: colorEnabled, currency: result.currency}))
    return result
  }
}
