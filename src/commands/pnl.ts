import {Flags} from '@oclif/core'
import {BaseCommand} from '../core/cli/base.js'
import {renderPnl} from '../core/cli/render/pnl.js'
import {pnlService, type PnlResult} from '../core/services/pnl.js'
import {parseAsOf, timeFlags, warnData} from '../core/cli/time-flags.js'

export default class Pnl extends BaseCommand {
  static override summary = 'Unrealized P&L per position, underlying and portfolio, in each currency and in the base currency.'
  static override examples = [
    '<%= config.bin %> pnl',
    '<%= config.bin %> pnl --portfolio zerodha',
    '<%= config.bin %> pnl --with-whatif',
    '<%= config.bin %> pnl --json',
    '<%= config.bin %> pnl --as-of 2026-12-18T15:30   # option marks re-priced at that instant (time decay), expired ones at intrinsic',
    '<%= config.bin %> pnl --fail-on-stale --max-age 12h',
  ]
  static override flags = {
    portfolio: Flags.string({char: 'p', description: 'Only this portfolio.'}),
    'with-whatif': Flags.boolean({description: 'Also show each portfolio with its open what-if trades: before → after.'}),
    ...timeFlags,
  }

  async run(): Promise<PnlResult> {
    const {flags} = await this.parse(Pnl)
    const ctx = this.context(flags)
    const valueAt = flags['as-of'] ? parseAsOf(flags['as-of'], ctx.config.baseCurrency) : undefined
    const result = await pnlService({...ctx, portfolio: flags.portfolio, withWhatif: flags['with-whatif'], asOf: this.now(), valueAt, maxAge: flags['max-age']})
    warnData(result)
    if (flags['fail-on-stale'] && result.stale) process.exitCode = 3
    this.print(() => renderPnl(result))
    return result
  }
}
