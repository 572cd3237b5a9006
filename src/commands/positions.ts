import {BaseCommand} from '../core/cli/base.js'
import {csvToStdout} from '../core/cli/csv-output.js'
import {flags, run} from '../core/cli/hot/positions.js'
import {oclifFlags} from '../core/cli/oclif-flags.js'
import type {PositionsResult} from '../core/services/positions.js'

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
  // Declared in core/cli/hot/positions.ts, which the fast path (src/fast.ts) parses and runs too.
  static override flags = oclifFlags(flags)

  async run(): Promise<PositionsResult> {
    csvToStdout(this.argv)
    const parsed = await this.parse(Positions)
    return run(parsed.flags, this.io())
  }
}
