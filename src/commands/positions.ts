import {Flags} from '@oclif/core'
import {BaseCommand} from '../core/cli/base.js'
import {UserError} from '../core/errors.js'
import {renderPositions} from '../core/cli/render/positions.js'
import {positionsService, type PositionsResult} from '../core/services/positions.js'
import {parseAsOf, timeFlags, warnData} from '../core/cli/time-flags.js'

export default class Positions extends BaseCommand {
  static override summary = 'Show positions with unrealized P&L and position Greeks.'
  static override description = `P&L = (mark − entry) × signed quantity × multiplier. Greeks are position totals: delta in shares of the underlying, theta per calendar day, vega per vol point. Unknown numbers show as "?".`
  static override examples = [
    '<%= config.bin %> positions',
    '<%= config.bin %> positions --portfolio fidelity-ira --underlying MSFT',
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
    csv: Flags.string({description: 'Write CSV to FILE, or to stdout when FILE is omitted or "-". Money in cents. Never overwrites the database, the config or an input file; with --json, FILE gets the CSV and stdout the JSON.', helpValue: '[FILE]'}),
    ...timeFlags,
  }

  async run(): Promise<PositionsResult> {
    // `--csv` without a value means stdout: oclif string flags need a value, so give it one.
    const i = this.argv.indexOf('--csv')
    if (i >= 0 && (i === this.argv.length - 1 || (this.argv[i + 1].startsWith('-') && this.argv[i + 1] !== '-'))) this.argv.splice(i + 1, 0, '-')
    const {flags} = await this.parse(Positions)
    if (flags.csv === '-' && this.jsonEnabled()) throw new UserError('--csv to stdout and --json both write stdout; give --csv a FILE to get both')
    const ctx = this.context(flags)
    const valueAt = flags['as-of'] ? parseAsOf(flags['as-of'], ctx.config.baseCurrency) : undefined
    const result = await positionsService({...ctx, portfolio: flags.portfolio, underlying: flags.underlying, asOf: this.now(), valueAt, maxAge: flags['max-age']})
    warnData(result)
    if (flags['fail-on-stale'] && result.stale) process.exitCode = 3
    if (flags.csv !== undefined) {
      const {positionsCsv, writeOutputFile} = await import('../core/cli/csv.js') // csv-stringify only when asked for
      const csv = positionsCsv(result.positions)
      if (flags.csv === '-') {
        process.stdout.write(csv)
        return result
      }
      writeOutputFile(flags.csv, csv, ctx)
      this.note(`wrote ${result.positions.length} positions to ${flags.csv}`)
      if (!this.jsonEnabled()) return result
    }
    this.print(() => renderPositions(result))
    return result
  }
}
