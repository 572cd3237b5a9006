import {Args} from '@oclif/core'
import {BaseCommand} from '../../core/cli/base.js'
import {parseProposalId} from '../../core/services/approve.js'
import {whatifRemove} from '../../core/services/trades.js'

export default class WhatifRemove extends BaseCommand {
  static override summary = 'Remove a pending what-if trade (all its legs) by ID.'
  static override examples = ['<%= config.bin %> whatif remove 3']
  static override args = {id: Args.integer({description: 'ID from whatif list.', required: true, parse: async (s) => parseProposalId(s)})}

  async run(): Promise<{removed: number}> {
    const {args, flags} = await this.parse(WhatifRemove)
    const result = await whatifRemove({...this.context(flags), id: args.id, asOf: this.now()})
    this.print(() => `removed what-if trade ${result.removed}`)
    return result
  }
}
