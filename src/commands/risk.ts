import {Flags} from '@oclif/core'
import {BaseCommand} from '../core/cli/base.js'
import {writeFileSync} from 'node:fs'
import {renderRisk} from '../core/cli/render/risk.js'
import {renderStress, renderVar, stressCsv} from '../core/cli/render/var.js'
import {riskService, type RiskResult} from '../core/services/risk.js'
import {parseAsOf, timeFlags, warnData} from '../core/cli/time-flags.js'

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
    '<%= config.bin %> risk --var   # recompute VaR/ES now',
    '<%= config.bin %> risk --stress',
    '<%= config.bin %> risk --stress --csv stress.csv',
  ]
  static override flags = {
    portfolio: Flags.string({char: 'p', description: 'Only this portfolio.'}),
    'with-whatif': Flags.boolean({description: 'Also show each portfolio with its open what-if trades: before → after.'}),
    'fail-on-breach': Flags.boolean({description: 'Exit with code 3 when any risk limit is breached.'}),
    'fail-on-unchecked': Flags.boolean({description: 'Also exit with code 3 when a limit could not be checked because an input is unknown.', dependsOn: ['fail-on-breach']}),
    'include-research': Flags.boolean({description: 'With --fail-on-breach: research portfolios count too (by default only the real book does).', dependsOn: ['fail-on-breach']}),
    ...timeFlags,
    var: Flags.boolean({description: 'Recompute VaR and expected shortfall now, even if the stored figures are current.'}),
    stress: Flags.boolean({description: 'Show the stress grid: P&L per underlying and portfolio under price moves × implied-vol shifts.'}),
    csv: Flags.string({description: 'With --stress: write the grid as CSV to FILE, or to stdout when FILE is omitted or "-".', helpValue: '[FILE]', dependsOn: ['stress']}),
  }

  async run(): Promise<RiskResult> {
    const i = this.argv.indexOf('--csv')
    if (i >= 0 && (i === this.argv.length - 1 || (this.argv[i + 1].startsWith('-') && this.argv[i + 1] !== '-'))) this.argv.splice(i + 1, 0, '-')
    const {flags} = await this.parse(Risk)
    const ctx = this.context(flags)
    const valueAt = flags['as-of'] ? parseAsOf(flags['as-of'], ctx.config.baseCurrency) : undefined
    const result = await riskService({...ctx, portfolio: flags.portfolio, withWhatif: flags['with-whatif'], asOf: this.now(), valueAt, maxAge: flags['max-age'], recomputeVar: flags.var, stress: flags.stress})
    warnData(result)
    // Research portfolios count only when asked (--include-research); the real book always does.
    const research = new Set(ctx.config.portfolios.filter((p) => p.kind === 'research').map((p) => p.name))
    const counted = result.portfolios.filter((p) => flags['include-research'] || p.kind !== 'research')
    const unchecked = counted.some((p) => p.unchecked.length > 0)
    const breaches = result.breaches.length + (flags['include-research'] ? result.research.breaches.length : 0)
    const notSynced = result.notSynced.filter((n) => flags['include-research'] || !research.has(n))
    // A never-synced portfolio cannot pass a limit check: nothing about it is known.
    if (flags['fail-on-breach'] && (breaches > 0 || notSynced.length > 0 || (flags['fail-on-unchecked'] && unchecked))) process.exitCode = 3
    if (flags['fail-on-stale'] && result.stale) process.exitCode = 3
    if (result.stress && flags.csv !== undefined && !this.jsonEnabled()) {
      const csv = await stressCsv(result.stress)
      if (flags.csv === '-') process.stdout.write(csv)
      else {
        writeFileSync(flags.csv, csv)
        this.note(`wrote the stress grid to ${flags.csv}`)
      }
      return result
    }
    this.print(() => (result.stress ? renderStress(result.stress) : [renderRisk(result), renderVar(result.var)].filter(Boolean).join('\n')))
    return result
  }
}
