/*
 * Transaction (activity) export parsers: one per format, looked up by the `format` of a portfolio's
 * `source.transactions` (config) or `transactions import --format`.
 *
 * The contract every parser keeps (the ledger service relies on it):
 *
 *   type TransactionsParser = (text: string, file: string, portfolio: PortfolioConfig) => TransactionsParse   (common.ts)
 *
 *  - `text` is the whole file as read (BOM and CRLF included); `file` is the path to show in messages.
 *  - It returns every event of the file as `Omit<EventDraft, 'key'>` (domain/ledger/events.ts): portfolio
 *    set to `portfolio.name`, `source: 'file'`, `sourceRef: '<file>:<line>'`, `brokerId` when the broker
 *    gives one (the service derives `key`: `id:<brokerId>` or a content key with its occurrence index).
 *    Units and signs as events.ts says: quantity signed by its effect on the position, price per unit,
 *    fees ≥ 0, amount = net cash (+ credit, − debit). Order does not matter (the service sorts by time).
 *  - A row it cannot read is an error, never a guess: `throw new ImportError(file, line, reason)`
 *    (adapters/csv/table.ts). The service stores nothing of that file.
 *  - A row kind it does not know is kept, not dropped: `kind: 'unclassified'` with the row's own text in
 *    `description`.
 *  - Rows that are not events at all (section headers, totals, trailers) go in `skipped` with a reason;
 *    `warnings` are what the user should know that did not stop the import.
 *
 * Parsers are exported one per format as `parse<Format>Transactions` from `./<format>.js` and registered
 * in PARSERS below (and the format name in config/schema.ts TRANSACTION_FORMATS). They are pure: no
 * clock, no store, no network.
 */
import type {TransactionFormat} from '../../config/config.js'
import type {TransactionsParser} from './common.js'
import {parseFidelityTransactions} from './fidelity.js'
import {parseGenericTransactions} from './generic.js'
import {parseIbkrFlexTransactions} from './ibkr.js'
import {parseSchwabTransactions} from './schwab.js'
import {parseTastytradeCsvTransactions} from './tastytrade.js'
import {parseZerodhaTransactions} from './zerodha.js'

export type {TransactionsParse, TransactionsParser} from './common.js'

export const PARSERS: Record<TransactionFormat, TransactionsParser> = {
  generic: parseGenericTransactions,
  fidelity: parseFidelityTransactions,
  'zerodha-tradebook': parseZerodhaTransactions,
  schwab: parseSchwabTransactions,
  'ibkr-flex': parseIbkrFlexTransactions,
  'tastytrade-csv': parseTastytradeCsvTransactions,
}

export function transactionParser(format: string): TransactionsParser | null {
  return Object.hasOwn(PARSERS, format) ? PARSERS[format as TransactionFormat] : null
}

export {csvRecords} from './common.js'
