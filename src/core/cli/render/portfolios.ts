import type {PortfoliosResult} from '../../services/portfolios.js'
import {dim, green, money, red, table, yellow} from '../format.js'

export function renderPortfolios(r: PortfoliosResult): string {
  const status = (s: string) => (s === 'ok' ? green(s) : s === 'failed' ? red(s) : s === 'skipped' ? yellow(s) : dim(s))
  const rows = r.portfolios.map((p) => [
    p.name,
    p.kind,
    p.broker,
    p.account ?? '',
    p.currency,
    p.kind === 'whatif' ? `shadows ${p.shadows}` : money(p.equity),
    p.positions === null ? '' : String(p.positions),
    p.lastSyncAt ? p.lastSyncAt.replace('T', ' ').slice(0, 19) + 'Z' : '',
    p.kind === 'whatif' ? '' : status(p.lastSyncStatus),
  ])
  const out = [table(['Name', 'Kind', 'Broker', 'Account', 'Ccy', 'Equity', 'Positions', 'Last sync (UTC)', 'Status'], rows, ['left', 'left', 'left', 'left', 'left', 'right', 'right', 'left', 'left'])]
  for (const p of r.portfolios) if (p.lastSyncError && p.lastSyncStatus !== 'ok') out.push(`${p.name}: ${p.lastSyncError}`)
  out.push(dim(`config ${r.config}\ndatabase ${r.database}`))
  return out.join('\n')
}
