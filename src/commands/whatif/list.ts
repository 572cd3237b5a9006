import {Flags} from '@oclif/core'
import {BaseCommand} from '../../core/cli/base.js'
import {csvFlag, csvToStdout, writeCsv} from '../../core/cli/csv-output.js'
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
    const result = await whatifList({...this.context(flags), portfolio: flags.portfolio, asOf: new Date()})
    if (flags.csv !== undefined && !this.jsonEnabled()) {
      const {rowsCsv, WHATIF_COLUMNS} = await import('../../core/cli/csv.js')
      writeCsv(flags.csv, rowsCsv(result.whatIf, WHATIF_COLUMNS), `${result.whatIf.length} what-if trades`, (m) => this.note(m))
      return result
    }
    this.print(() => renderWhatifList(result))
    return result
  }
}
