import type {PortfoliosResult} from '../../services/portfolios.js'
import {dim, green, money, red, table, utc, yellow, type Column} from '../format.js'

/** Column priority (0 = always shown; the largest number is dropped first when the terminal is narrow). */
// On 80 columns: the name (cut in the middle: "fidel…hatif"), its kind (research is never in the real
// totals), the equity with its currency (INR and USD equities side by side), the last sync and its status.
export const PORTFOLIO_COLUMNS: Column[] = [
  {header: 'Name', priority: 0, minWidth: 11, cut: 'middle', keepIfDistinct: true},
  {header: 'Kind', priority: 3},
  {header: 'Broker', priority: 6},
  {header: 'Account', priority: 8}, // an account number is shown whole or not at all (a cut one reads as another)
  {header: 'Ccy', priority: 1},
  {header: 'Equity', align: 'right', priority: 1},
  {header: 'Positions', align: 'right', priority: 5},
  {header: 'Last sync', priority: 4},
  {header: 'Status', priority: 2},
]

export function renderPortfolios(r: PortfoliosResult): string {
  const status = (s: string) => (s === 'ok' ? green(s) : s === 'failed' ? red(s) : s === 'skipped' ? yellow(s) : dim(s))
  const rows = r.portfolios.map((p) => [
    p.name,
    p.kind,
    p.broker,
    p.account ?? '',
    p.currency,
    p.kind === 'whatif' ? '' : money(p.equity),
    p.positions === null ? '' : String(p.positions),
    utc(p.lastSyncAt),
    p.kind === 'whatif' ? dim('what-if') : status(p.lastSyncStatus),
  ])
  const out = [table(PORTFOLIO_COLUMNS, rows)]
  for (const p of r.portfolios) if (p.lastSyncError && p.lastSyncStatus !== 'ok') out.push(`${p.name}: ${p.lastSyncError}`)
  out.push(dim(`config ${r.config}\ndatabase ${r.database}`))
  return out.join('\n')
}
