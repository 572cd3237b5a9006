import {writeFileSync} from 'node:fs'
import {Flags} from '@oclif/core'
import {BaseCommand} from '../core/cli/base.js'
import {renderPositions} from '../core/cli/render/positions.js'
import {positionsService, type PositionsResult} from '../core/services/positions.js'

export default class Positions extends BaseCommand {
  static override summary = 'Show positions with unrealized P&L and position Greeks.'
  static override description = `P&L = (mark − entry) × signed quantity × multiplier. Greeks are position totals: delta in shares of the underlying, theta per calendar day, vega per vol point. Unknown numbers show as "?".`
  static override examples = [
    '<%= config.bin %> positions',
    '<%= config.bin %> positions --portfolio fidelity-ira --underlying MSFT',
    '<%= config.bin %> positions --group   # legs grouped into strategies: max profit / loss, break-evens, net Greeks',
    '<%= config.bin %> positions --csv positions.csv',
    '<%= config.bin %> positions --csv | head',
    '<%= config.bin %> positions --json',
  ]
  static override flags = {
    portfolio: Flags.string({char: 'p', description: 'Only this portfolio.'}),
    underlying: Flags.string({char: 'u', description: 'Only positions on this underlying.'}),
    group: Flags.boolean({description: 'Also group each account\'s legs per underlying into strategies (vertical, iron condor, covered call, ...) with max profit / loss, break-evens, net Greeks, P&L and DTE.'}),
    csv: Flags.string({description: 'Write CSV to FILE, or to stdout when FILE is omitted or "-".', helpValue: '[FILE]'}),
  }

  async run(): Promise<PositionsResult> {
    // `--csv` without a value means stdout: oclif string flags need a value, so give it one.
    const i = this.argv.indexOf('--csv')
    if (i >= 0 && (i === this.argv.length - 1 || (this.argv[i + 1].startsWith('-') && this.argv[i + 1] !== '-'))) this.argv.splice(i + 1, 0, '-')
    const {flags} = await this.parse(Positions)
    const result = await positionsService({...this.context(flags), portfolio: flags.portfolio, underlying: flags.underlying, group: flags.group, asOf: new Date()})
    if (flags.csv !== undefined && !this.jsonEnabled()) {
      const {positionsCsv} = await import('../core/cli/csv.js') // csv-stringify only when asked for
      const csv = positionsCsv(result.positions)
      if (flags.csv === '-') process.stdout.write(csv)
      else {
        writeFileSync(flags.csv, csv)
        this.note(`wrote ${result.positions.length} positions to ${flags.csv}`)
      }
      return result
    }
    this.print(() => renderPositions(result))
    return result
  }
}
