import {Flags} from '@oclif/core'
import {BaseCommand} from '../core/cli/base.js'
import {checkCsvTarget, csvFlag, csvToStdout, writeCsv} from '../core/cli/csv-output.js'
import {renderPnl} from '../core/cli/render/pnl.js'
import {parseAsOf, timeFlags, warnData} from '../core/cli/time-flags.js'
import {UserError} from '../core/errors.js'
import type {AttributionResult} from '../core/services/attribution.js'
import type {PnlHistoryResult} from '../core/services/history.js'
import {pnlService, type PnlResult} from '../core/services/pnl.js'

export default class Pnl extends BaseCommand {
  static override summary = 'Unrealized and day P&L per position, underlying and portfolio, in each currency and in the base currency; history and attribution.'
  static override description = `Day P&L is the change since the previous close: TastyTrade's close price where the API gives it, else the previous daily snapshot's mark; a position opened today counts from its entry; unknown ("?") without a previous mark.
--history shows daily equity, open P&L and day P&L from the snapshots (cotrader snapshot) as a table and a chart. --attribution splits each position's P&L since yesterday's snapshot, its entry or a date into delta, gamma, theta, vega, rho and the residual.`
  static override examples = [
    '<%= config.bin %> pnl',
    '<%= config.bin %> pnl --portfolio zerodha',
    '<%= config.bin %> pnl --with-whatif',
    '<%= config.bin %> pnl --json',
    '<%= config.bin %> pnl --csv pnl.csv',
    '<%= config.bin %> pnl --as-of 2026-12-18T15:30   # option marks re-priced at that instant (time decay), expired ones at intrinsic',
    '<%= config.bin %> pnl --fail-on-stale --max-age 12h',
    '<%= config.bin %> pnl --history --days 60',
    '<%= config.bin %> pnl --history --since 2026-01-01 --csv equity.csv',
    "<%= config.bin %> pnl --attribution                 # since yesterday's snapshot",
    '<%= config.bin %> pnl --attribution --since entry   # since entry, with the entry Greeks',
    '<%= config.bin %> pnl --attribution --since 2026-03-02 --json',
  ]
  static override flags = {
    portfolio: Flags.string({char: 'p', description: 'Only this portfolio.'}),
    'with-whatif': Flags.boolean({description: 'Also show each portfolio with its open what-if trades: before → after.'}),
    history: Flags.boolean({description: 'Daily equity, open P&L and day P&L per portfolio and in the base currency, from the daily snapshots.', exclusive: ['attribution', 'with-whatif', 'as-of']}),
    attribution: Flags.boolean({description: 'Split the P&L since --since (yesterday, entry or a date; default yesterday) into delta, gamma, theta, vega, rho and residual.', exclusive: ['history', 'with-whatif', 'as-of']}),
    days: Flags.integer({description: 'With --history: the last N days (default 30).', min: 1, dependsOn: ['history'], exclusive: ['since']}),
    since: Flags.string({description: 'With --history: from DATE (YYYY-MM-DD). With --attribution: yesterday, entry or DATE.', helpValue: 'DATE'}),
    csv: csvFlag(),
    ...timeFlags,
  }

  async run(): Promise<PnlResult | PnlHistoryResult | AttributionResult> {
    csvToStdout(this.argv)
    const {flags} = await this.parse(Pnl)
    const ctx = {...this.context(flags), portfolio: flags.portfolio, asOf: this.now()}
    checkCsvTarget(flags.csv, this.jsonEnabled())
    const csv = flags.csv
    const c = csv === undefined ? undefined : await import('../core/cli/csv.js') // csv-stringify only when asked for
    const out = (rows: object[], columns: readonly string[], what: string) => writeCsv(csv!, c!.rowsCsv(rows, columns, c!.MONEY_COLUMNS), what, (m) => this.note(m), ctx)
    if (flags.since !== undefined && !flags.history && !flags.attribution) throw new UserError('--since needs --history or --attribution')
    if (flags.history) {
      const [{pnlHistoryService}, {renderPnlHistory}] = await Promise.all([import('../core/services/history.js'), import('../core/cli/render/history.js')])
      const result = await pnlHistoryService({...ctx, days: flags.days, since: flags.since})
      if (c) await out(result.rows, c.PNL_HISTORY_COLUMNS, `${result.rows.length} history rows`)
      else this.print(() => renderPnlHistory(result))
      return result
    }
    if (flags.attribution) {
      const [{attributionService}, {renderAttribution}] = await Promise.all([import('../core/services/attribution.js'), import('../core/cli/render/attribution.js')])
      const result = await attributionService({...ctx, since: flags.since})
      if (c) await out([...result.positions, ...result.underlyings, ...result.portfolios], c.ATTRIBUTION_COLUMNS, 'attribution lines')
      else this.print(() => renderAttribution(result))
      return result
    }
    const valueAt = flags['as-of'] ? parseAsOf(flags['as-of'], ctx.config.baseCurrency) : undefined
    const result = await pnlService({...ctx, withWhatif: flags['with-whatif'], valueAt, maxAge: flags['max-age']})
    warnData(result)
    if (flags['fail-on-stale'] && result.stale) process.exitCode = 3
    if (c) await out([...result.positions, ...result.underlyings, ...result.portfolios], c.PNL_COLUMNS, 'P&L lines')
    else this.print(() => renderPnl(result))
    return result
  }
}
