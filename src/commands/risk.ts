import {Flags} from '@oclif/core'
import {BaseCommand} from '../core/cli/base.js'
import {renderRisk} from '../core/cli/render/risk.js'
import {riskService, type RiskResult} from '../core/services/risk.js'

export default class Risk extends BaseCommand {
  static override summary = 'Greeks per underlying and portfolio, delta dollars, beta-weighted delta, capital utilisation and limit breaches.'
  static override description = `Delta dollars = position delta in shares × underlying price. Beta-weighted delta = β × underlying price × share delta ÷ benchmark price (benchmark and betas from the config). Limits come from risk_config.yaml; breaches are reported, and exit with code 3 under --fail-on-breach. Research portfolios are shown in their own section and are not summed into the real book's totals or breaches. Booked paper trades count in their portfolio.`
  static override examples = [
    '<%= config.bin %> risk',
    '<%= config.bin %> risk --portfolio tastytrade --json',
    '<%= config.bin %> risk --fail-on-breach   # for cron: exit 3 on any breach',
    '<%= config.bin %> risk --fail-on-breach --fail-on-unchecked   # also when a limit cannot be checked',
    '<%= config.bin %> risk --with-whatif',
    '<%= config.bin %> risk --fail-on-breach --include-research   # research portfolios count too',
  ]
  static override flags = {
    portfolio: Flags.string({char: 'p', description: 'Only this portfolio.'}),
    'with-whatif': Flags.boolean({description: 'Also show each portfolio with its open what-if trades: before → after.'}),
    'fail-on-breach': Flags.boolean({description: 'Exit with code 3 when any risk limit is breached.'}),
    'fail-on-unchecked': Flags.boolean({description: 'Also exit with code 3 when a limit could not be checked because an input is unknown.', dependsOn: ['fail-on-breach']}),
    'include-research': Flags.boolean({description: 'With --fail-on-breach: research portfolios count too (by default only the real book does).', dependsOn: ['fail-on-breach']}),
  }

  async run(): Promise<RiskResult> {
    const {flags} = await this.parse(Risk)
    const result = await riskService({...this.context(flags), portfolio: flags.portfolio, withWhatif: flags['with-whatif'], asOf: new Date()})
    const counted = result.portfolios.filter((p) => flags['include-research'] || p.kind !== 'research')
    const unchecked = counted.some((p) => p.unchecked.length > 0)
    const breaches = result.breaches.length + (flags['include-research'] ? result.research.breaches.length : 0)
    if (flags['fail-on-breach'] && (breaches > 0 || (flags['fail-on-unchecked'] && unchecked))) process.exitCode = 3
    this.print(() => renderRisk(result))
    return result
  }
}
