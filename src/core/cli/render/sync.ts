import type {SyncResult} from '../../services/sync.js'
import {dim, green, red, table, yellow, type Column} from '../format.js'

/** Column priority (0 = always shown; the largest number is dropped first when the terminal is narrow). */
export const SYNC_COLUMNS: Column[] = [
  {header: 'Portfolio', priority: 0},
  {header: 'Broker', priority: 4},
  {header: 'Status', priority: 0},
  {header: 'Positions', align: 'right', priority: 1},
  {header: 'Greeks feed/model/none', align: 'right', priority: 3},
  {header: 'Ledger events new/read', align: 'right', priority: 5},
  {header: 'Time', align: 'right', priority: 2},
]

export function renderSync(r: SyncResult): string {
  const out: string[] = []
  const rows = r.portfolios.map((p) => [
    p.name,
    p.broker,
    p.status === 'ok' ? green('ok') : p.status === 'skipped' ? yellow('skipped') : red('failed'),
    p.positions === null ? '' : String(p.positions),
    p.greeks ? `${p.greeks.feed}/${p.greeks.model}/${p.greeks.none}` : '',
    p.transactions ? `${p.transactions.added}/${p.transactions.read}` : '',
    `${p.duration.toFixed(2)}s`,
  ])
  out.push(table(SYNC_COLUMNS, rows))
  for (const p of r.portfolios) {
    if (p.error) out.push((p.status === 'failed' ? red : yellow)(`${p.name}: ${withoutPrefix(p.error, [p.name, p.broker])}`))
    for (const w of p.warnings) out.push(yellow(`${p.name}: ${w}`))
    // A ledger that stopped reconciling is a warning above; while it stays so, one dim reminder line.
    const rc = p.reconcile
    if (rc?.status === 'differs' && !rc.changed) out.push(dim(`${p.name}: ledger still differs from the positions (since ${rc.since.slice(0, 10)}, ${rc.differences} difference(s)); cotrader reconcile`))
    if (rc?.status === 'reconciles' && rc.previous === 'differs') out.push(dim(`${p.name}: ledger reconciles with the positions again`))
    for (const s of p.skippedRows) out.push(yellow(`${p.name}: skipped line ${s.line}: ${s.reason}`))
  }
  out.push(dim(`${r.ok} ok, ${r.skipped} skipped, ${r.failed} failed`))
  return out.join('\n')
}

/** The line already starts with the portfolio's name: drop the same name (or the broker's) that the error repeats ("tastytrade: tastytrade: …"). */
function withoutPrefix(error: string, prefixes: string[]): string {
  let e = error
  for (let again = true; again; ) {
    again = false
    for (const p of prefixes) if (e.toLowerCase().startsWith(`${p.toLowerCase()}: `)) {
      e = e.slice(p.length + 2)
      again = true
    }
  }
  return e
}
