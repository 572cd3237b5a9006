import {Flags} from '@oclif/core'
import {BaseCommand} from '../../core/cli/base.js'
import {whatifClear} from '../../core/services/trades.js'

export default class WhatifClear extends BaseCommand {
  static override summary = 'Remove every pending what-if trade of one portfolio.'
  static override examples = ['<%= config.bin %> whatif clear --portfolio tastytrade']
  static override flags = {
    portfolio: Flags.string({char: 'p', description: 'Real portfolio (or its what-if portfolio).', required: true}),
  }

  async run(): Promise<{removed: number[]}> {
    const {flags} = await this.parse(WhatifClear)
    const result = await whatifClear({...this.context(flags), portfolio: flags.portfolio, asOf: this.now()})
    this.print(() => `removed ${result.removed.length} what-if trade(s)${result.removed.length ? `: ${result.removed.join(', ')}` : ''}`)
    return result
  }
}
