import {Flags} from '@oclif/core'
import {BaseCommand} from '../../core/cli/base.js'
import {checkCsvTarget, csvToStdout, writeCsv} from '../../core/cli/csv-output.js'
import {csvFlag} from '../../core/cli/oclif-flags.js'
import {renderWhatifList} from '../../core/cli/render/trades.js'
import {whatifList, type WhatifListResult} from '../../core/services/trades.js'

export default class WhatifList extends BaseCommand {
  static override summary = 'List open what-if trades, marked to market, with their IDs.'
  static override examples = ['<%= config.bin %> whatif list', '<%= config.bin %> whatif list --portfolio tastytrade --json', '<%= config.bin %> whatif list --csv whatif.csv']
  static override flags = {
    portfolio: Flags.string({char: 'p', description: 'Only this real portfolio (or its what-if portfolio).'}),
    csv: csvFlag(),
  }

  async run(): Promise<WhatifListResult> {
    csvToStdout(this.argv)
    const {flags} = await this.parse(WhatifList)
    checkCsvTarget(flags.csv, this.jsonEnabled())
    const ctx = this.context(flags)
    const result = await whatifList({...ctx, portfolio: flags.portfolio, asOf: this.now()})
    if (flags.csv !== undefined) {
      const {rowsCsv, MONEY_COLUMNS, WHATIF_COLUMNS} = await import('../../core/cli/csv.js')
      await writeCsv(flags.csv, rowsCsv(result.whatIf, WHATIF_COLUMNS, MONEY_COLUMNS), `${result.whatIf.length} what-if trades`, (m) => this.note(m), ctx)
      return result
    }
    this.print(() => renderWhatifList(result))
    return result
  }
}
