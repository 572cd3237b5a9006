import {Flags} from '@oclif/core'
import {BaseCommand} from '../../core/cli/base.js'
import {renderWhatifList} from '../../core/cli/render/trades.js'
import {whatifList, type WhatifListResult} from '../../core/services/trades.js'

export default class WhatifList extends BaseCommand {
  static override summary = 'List open what-if trades, marked to market, with their IDs.'
  static override examples = ['<%= config.bin %> whatif list', '<%= config.bin %> whatif list --portfolio tastytrade --json']
  static override flags = {
    portfolio: Flags.string({char: 'p', description: 'Only this real portfolio (or its what-if portfolio).'}),
  }

  async run(): Promise<WhatifListResult> {
    const {flags} = await this.parse(WhatifList)
    const result = await whatifList({...this.context(flags), portfolio: flags.portfolio, asOf: new Date()})
    this.print(() => renderWhatifList(result))
    return result
  }
}
