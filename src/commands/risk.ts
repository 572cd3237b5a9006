import {BaseCommand} from '../core/cli/base.js'
import {csvToStdout} from '../core/cli/csv-output.js'
import {flags, run} from '../core/cli/hot/risk.js'
import {oclifFlags} from '../core/cli/oclif-flags.js'
import type {RiskHistoryResult} from '../core/services/history.js'
import type {RiskResult} from '../core/services/risk.js'

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
    '<%= config.bin %> risk --as-of 2026-12-18   # the book valued Friday noon New York: decay and expiries by then',
    '<%= config.bin %> risk --fail-on-breach --fail-on-stale   # cron: exit 3 on a breach, stale or never-synced data',
    '<%= config.bin %> risk --csv risk.csv',
    '<%= config.bin %> risk --history --days 90   # net delta, beta-weighted delta, theta, vega per day',
    '<%= config.bin %> risk --history --since 2026-01-01 --csv',
    '<%= config.bin %> risk --var   # recompute VaR/ES now',
    '<%= config.bin %> risk --stress',
    '<%= config.bin %> risk --stress --csv stress.csv',
  ]
  // Declared in core/cli/hot/risk.ts, which the fast path (src/fast.ts) parses and runs too.
  static override flags = oclifFlags(flags)

  async run(): Promise<RiskResult | RiskHistoryResult> {
    csvToStdout(this.argv)
    const parsed = await this.parse(Risk)
    return run(parsed.flags, this.io())
  }
}
