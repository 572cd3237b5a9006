import {Flags} from '@oclif/core'
import {BaseCommand} from '../core/cli/base.js'
import {checkCsvTarget, csvToStdout, writeCsv} from '../core/cli/csv-output.js'
import {csvFlag} from '../core/cli/oclif-flags.js'
import {renderLedger} from '../core/cli/render/ledger.js'
import {ledgerService, type LedgerResult} from '../core/services/ledger/views.js'

export const LEDGER_COLUMNS = ['id', 'tradeDate', 'at', 'portfolio', 'kind', 'symbol', 'underlying', 'quantity', 'price', 'fees', 'amount', 'realized', 'brokerRealizedPnl', 'currency', 'orderId', 'chain', 'provisional', 'source', 'sourceRef', 'description'] as const

export default class Ledger extends BaseCommand {
  static override summary = 'The events of each account: fills, assignments, exercises, expiries, corporate actions, cash; with the realised P&L each close booked and its roll chain.'
  static override description = `Events come from the brokers' records (sync, transactions import), from approve (paper, live) and from the daemon (provisional settlements, until the broker's own event confirms or replaces them). Realised = the P&L of the lots the event closed, (close − open) × quantity × multiplier − fees, in the event's currency; "Broker" is the broker's own figure where its export states one. Roll chains: closing and opening option legs of one underlying in one order (or within 5 minutes without an order id), linked through the lots they open and close. Conventions: docs/LEDGER.md.`
  static override examples = [
    '<%= config.bin %> ledger',
    '<%= config.bin %> ledger --portfolio research-wheel --underlying AAPL',
    '<%= config.bin %> ledger --kind assignment --since 2026-01-01',
    '<%= config.bin %> ledger --chain R12',
    '<%= config.bin %> ledger --json',
    '<%= config.bin %> ledger --csv ledger.csv',
  ]
  static override flags = {
    portfolio: Flags.string({char: 'p', description: 'Only this portfolio (repeatable).', multiple: true}),
    underlying: Flags.string({char: 'u', description: 'Only events of this underlying (or symbol).'}),
    kind: Flags.string({description: 'Only this kind: trade, assignment, exercise, expiration, cash_settlement, split, reverse_split, symbol_change, dividend, fee, interest, transfer, unclassified.'}),
    since: Flags.string({description: 'Only events on or after DATE (YYYY-MM-DD).', helpValue: 'DATE'}),
    chain: Flags.string({description: 'Only the events of this roll chain (its ID, e.g. R12).'}),
    csv: csvFlag(),
  }

  async run(): Promise<LedgerResult> {
    csvToStdout(this.argv)
    const {flags} = await this.parse(Ledger)
    const ctx = this.context(flags)
    checkCsvTarget(flags.csv, this.jsonEnabled())
    const result = await ledgerService({...ctx, portfolios: flags.portfolio, underlying: flags.underlying, kind: flags.kind, since: flags.since, chain: flags.chain})
    if (flags.csv !== undefined) {
      const {rowsCsv} = await import('../core/cli/csv.js')
      await writeCsv(flags.csv, rowsCsv(result.events, LEDGER_COLUMNS, new Set(['price', 'fees', 'amount', 'realized', 'brokerRealizedPnl'])), `${result.events.length} events`, (m) => this.note(m), ctx)
    } else this.print(() => renderLedger(result))
    return result
  }
}
