import type {PortfoliosResult} from '../../services/portfolios.js'
import {dim, green, money, red, table, utc, yellow, type Column} from '../format.js'

/** Column priority (0 = always shown; the largest number is dropped first when the terminal is narrow). */
export const PORTFOLIO_COLUMNS: Column[] = [
  {header: 'Name', priority: 0},
  {header: 'Kind', priority: 7},
  {header: 'Broker', priority: 6},
  {header: 'Account', priority: 8, minWidth: 6},
  {header: 'Ccy', priority: 5},
  {header: 'Equity', align: 'right', priority: 2},
  {header: 'Positions', align: 'right', priority: 4},
  {header: 'Last sync', priority: 3},
  {header: 'Status', priority: 1},
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
