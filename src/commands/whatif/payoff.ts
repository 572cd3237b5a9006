import {Flags} from '@oclif/core'
import {BaseCommand} from '../../core/cli/base.js'
import {renderWhatifPayoff} from '../../core/cli/render/trades.js'
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
    const result = await whatifPayoff({...this.context(flags), portfolio: flags.portfolio, underlying: flags.underlying, asOf: this.now()})
    this.print(() => renderWhatifPayoff(result))
    return result
  }
}
