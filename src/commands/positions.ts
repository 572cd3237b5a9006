import {Flags} from '@oclif/core'
import {BaseCommand} from '../core/cli/base.js'
import {checkCsvTarget, csvFlag, csvToStdout, writeCsv} from '../core/cli/csv-output.js'
import {renderPositions} from '../core/cli/render/positions.js'
import {positionsService, type PositionsResult} from '../core/services/positions.js'
import {parseAsOf, timeFlags, warnData} from '../core/cli/time-flags.js'

export default class Positions extends BaseCommand {
  static override summary = 'Show positions with unrealized P&L and position Greeks.'
  static override description = `P&L = (mark − entry) × signed quantity × multiplier. Greeks are position totals: delta in shares of the underlying, theta per calendar day, vega per vol point. Unknown numbers show as "?".`
  static override examples = [
    '<%= config.bin %> positions',
    '<%= config.bin %> positions --portfolio fidelity-ira --underlying MSFT',
    '<%= config.bin %> positions --group   # legs grouped into strategies: max profit / loss, break-evens, net Greeks',
    '<%= config.bin %> positions --group --csv groups.csv',
    '<%= config.bin %> positions --csv positions.csv',
    '<%= config.bin %> positions --csv | head',
    '<%= config.bin %> positions --json',
    '<%= config.bin %> positions --csv book.csv --json   # both: the CSV file and JSON on stdout',
    '<%= config.bin %> positions --as-of 2026-12-18   # DTE, decay and expiries as of Friday noon New York',
    '<%= config.bin %> positions --fail-on-stale   # exit 3 when prices are older than one market session',
  ]
  static override flags = {
    portfolio: Flags.string({char: 'p', description: 'Only this portfolio.'}),
    underlying: Flags.string({char: 'u', description: 'Only positions on this underlying.'}),
    group: Flags.boolean({description: "Also group each account's legs per underlying into strategies (vertical, iron condor, covered call, ...) with max profit / loss, break-evens, net Greeks, P&L and DTE."}),
    csv: csvFlag(),
    ...timeFlags,
  }

  async run(): Promise<PositionsResult> {
    csvToStdout(this.argv)
    const {flags} = await this.parse(Positions)
    checkCsvTarget(flags.csv, this.jsonEnabled())
    const ctx = this.context(flags)
    const valueAt = flags['as-of'] ? parseAsOf(flags['as-of'], ctx.config.baseCurrency) : undefined
    const result = await positionsService({...ctx, portfolio: flags.portfolio, underlying: flags.underlying, group: flags.group, asOf: this.now(), valueAt, maxAge: flags['max-age']})
    warnData(result)
    if (flags['fail-on-stale'] && result.stale) process.exitCode = 3
    if (flags.csv !== undefined) {
      const {rowsCsv, GROUP_COLUMNS, MONEY_COLUMNS, POSITION_VIEW_COLUMNS} = await import('../core/cli/csv.js') // csv-stringify only when asked for
      const note = (m: string) => this.note(m)
      if (result.groups) await writeCsv(flags.csv, rowsCsv(result.groups, GROUP_COLUMNS, MONEY_COLUMNS), `${result.groups.length} strategy groups`, note, ctx)
      else await writeCsv(flags.csv, rowsCsv(result.positions, POSITION_VIEW_COLUMNS, MONEY_COLUMNS), `${result.positions.length} positions`, note, ctx)
      return result // under --json oclif prints the JSON; the table is not printed with --csv
    }
    this.print(() => renderPositions(result))
    return result
  }
}
