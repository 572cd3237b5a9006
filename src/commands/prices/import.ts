import {Args} from '@oclif/core'
import {BaseCommand} from '../../core/cli/base.js'
import {table} from '../../core/cli/format.js'
import {importPricesService, type ImportPricesResult} from '../../core/services/prices.js'

export default class PricesImport extends BaseCommand {
  static override summary = 'Import daily closes (price history for VaR) from a CSV file.'
  static override description = `Columns (header row, any order): date (YYYY-MM-DD), symbol (the underlying as positions name it: AAPL, SPX, /ES), close (per unit, > 0), and optionally iv (that day's implied vol of the symbol as a fraction, 0.25 = 25 %). A close already stored for the same symbol and date is replaced. The file is refused whole, naming file:line, when a close is not a positive number, a symbol and date appear twice, or a series has a gap (a date other symbols in the file have, or more than 5 calendar days without a close). Dated FX rates are closes of a currency pair: USDINR (INR per 1 USD) or INRUSD (USD per 1 INR); realised P&L in the base currency uses the rate of each close date (docs/LEDGER.md).`
  static override examples = [
    '<%= config.bin %> prices import history.csv',
    '<%= config.bin %> prices import history.csv --json',
    '<%= config.bin %> prices import fx.csv   # date,symbol,close rows such as 2026-06-15,USDINR,83.25',
  ]
  static override args = {
    file: Args.string({description: 'CSV file: date,symbol,close[,iv]', required: true}),
  }

  async run(): Promise<ImportPricesResult> {
    const {args, flags} = await this.parse(PricesImport)
    const result = await importPricesService({...this.context(flags), file: args.file, asOf: this.now()})
    this.print(() => `imported ${result.rows} close(s) from ${result.file}\n` + table(['Symbol', 'Days', 'From', 'To', 'With IV'], result.symbols.map((s) => [s.symbol, String(s.days), s.from, s.to, String(s.withIv)])))
    return result
  }
}
