/*
 * One bundle per configured portfolio, holding exactly that portfolio's positions. Stored rows are
 * matched on broker + account number when the portfolio has one (so a renamed portfolio keeps its
 * data), by name otherwise; never "first found" (the old system handed every portfolio the first
 * account's positions, five times over).
 */
import type {PortfolioConfig} from '../config/config.js'
import type {Position} from '../domain/types.js'
import type {StoredPortfolio} from '../store/repositories.js'

export interface PortfolioBundle {
  config: PortfolioConfig
  /** null until the portfolio has been synced once. */
  stored: StoredPortfolio | null
  /** live positions (containers/aging.ts): options and futures past settlement are moved to `expired` */
  positions: Position[]
  /** positions whose contract has settled by the valuation instant: last mark, no Greeks, out of every live sum */
  expired?: Position[]
}

/**
 * True when nothing is known about a broker-fed portfolio: no successful sync has stored anything
 * (a row left by a failed first sync has no positions and no sync time). Its numbers are unknown, not 0.
 */
export function neverSyncedBundle(b: PortfolioBundle): boolean {
  if (b.config.kind === 'whatif' || b.config.broker === 'none') return false
  return !b.stored || (!b.stored.lastSyncAt && b.positions.length === 0 && (b.expired?.length ?? 0) === 0)
}

export function buildBundles(configs: PortfolioConfig[], stored: StoredPortfolio[], positions: Position[]): PortfolioBundle[] {
  const byName = new Map(stored.map((s) => [s.name, s]))
  const byAccount = new Map(stored.filter((s) => s.account).map((s) => [`${s.broker}/${s.account}`, s]))
  const byPortfolio = new Map<string, Position[]>()
  for (const p of positions) {
    const list = byPortfolio.get(p.portfolio)
    if (list) list.push(p)
    else byPortfolio.set(p.portfolio, [p])
  }
  return configs.map((config) => {
    const match = config.account && config.broker !== 'none' ? byAccount.get(`${config.broker}/${config.account}`) : byName.get(config.name)
    const own = match ? byPortfolio.get(match.name) ?? [] : []
    return {config, stored: match ?? null, positions: own.map((p) => (p.portfolio === config.name ? p : {...p, portfolio: config.name}))}
  })
}
