import {createInterface} from 'node:readline/promises'
import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../core/cli/base.js'
import {UserError} from '../core/errors.js'
import {renderApprove, renderDryRun, renderPending} from '../core/cli/render/trades.js'
import {approve, approveList, parseProposalId, type ApproveResult, type PendingItem} from '../core/services/approve.js'

export default class Approve extends BaseCommand {
  static override summary = 'List what waits for approval, or approve one item: book it as a paper trade, or send it live.'
  static override description = `Without an ID: pending what-if trades and proposals. With an ID: book it as paper trades (entry Greeks captured now, marked to market afterwards). --live sends a real TastyTrade order, only when the portfolio has trading_enabled: first a dry run (buying-power effect, fees, warnings), then a risk-limit check that refuses a new breach, or a portfolio never synced (its limits cannot be checked), unless --force, then confirmation (y/N on a terminal, --yes in scripts). Approving twice never books twice.`
  static override examples = [
    '<%= config.bin %> approve',
    '<%= config.bin %> approve 3',
    '<%= config.bin %> approve 3 --live',
    '<%= config.bin %> approve 3 --live --yes --json',
  ]
  static override args = {id: Args.integer({description: 'Proposal ID (from approve or whatif list).', parse: async (s) => parseProposalId(s)})}
  static override flags = {
    live: Flags.boolean({description: 'Send a real order to the broker (needs trading_enabled).'}),
    force: Flags.boolean({description: 'With --live: send even if the order would breach a risk limit, or its portfolio was never synced (limits unknown).', dependsOn: ['live']}),
    yes: Flags.boolean({char: 'y', description: 'With --live: do not ask for confirmation.', dependsOn: ['live']}),
  }

  async run(): Promise<ApproveResult | {pending: PendingItem[]}> {
    const {args, flags} = await this.parse(Approve)
    const ctx = {...this.context(flags), asOf: this.now()}
    if (args.id === undefined) {
      if (flags.live) throw new UserError('--live needs the ID of the proposal to send (see: cotrader approve)')
      const list = await approveList(ctx)
      this.print(() => renderPending(list.pending))
      return list
    }
    const tty = Boolean(process.stdin.isTTY && process.stdout.isTTY) && !this.jsonEnabled()
    const result = await approve({
      ...ctx, id: args.id, live: flags.live, force: flags.force, yes: flags.yes,
      confirm: tty
        ? async (dryRun, order) => {
            this.print(() => renderDryRun(dryRun, order)) // fitted to the terminal like every output
            const rl = createInterface({input: process.stdin, output: process.stdout})
            const answer = await rl.question('Send this order? [y/N] ')
            rl.close()
            return /^y(es)?$/i.test(answer.trim())
          }
        : undefined,
    })
    this.print(() => renderApprove(result))
    return result
  }
}
