import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../core/cli/base.js'
import {parseProposalId, reject} from '../core/services/approve.js'

export default class Reject extends BaseCommand {
  static override summary = 'Reject a pending proposal or what-if trade.'
  static override examples = ['<%= config.bin %> reject 4', '<%= config.bin %> reject 4 --reason "earnings next week"']
  static override args = {id: Args.integer({description: 'Proposal ID.', required: true, parse: async (s) => parseProposalId(s)})}
  static override flags = {reason: Flags.string({description: 'Why: kept with the proposal.'})}

  async run(): Promise<{id: number; status: string; message: string}> {
    const {args, flags} = await this.parse(Reject)
    const result = await reject({...this.context(flags), id: args.id, reason: flags.reason, asOf: this.now()})
    this.print(() => result.message)
    return result
  }
}
