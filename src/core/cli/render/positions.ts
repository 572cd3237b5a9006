import {renderChains} from './ledger.js'
import type {StrategyGroup} from '../../domain/strategies.js'
import type {PositionsResult} from '../../services/positions.js'
import {tradeTable} from './trades.js'
import {bold, dim, money, num, partial, pct, pnl, portfolioColumn, price, qty, red, shortSymbol, table, UNKNOWN, unknownParts, utc, yellow, type Column} from '../format.js'

/**
 * Column priority (0 = always shown; the largest number is dropped first when the terminal is narrow).
 * On 80 columns: Portfolio (while rows of several portfolios are shown, cut in the middle), Symbol
 * (a fund's name cut, an option's strike kept), Qty, Unreal. P&L, Day P&L, Ccy.
 */
export const POSITION_COLUMNS: Column[] = [
  portfolioColumn(5),
  {header: 'Symbol', priority: 0, minWidth: 18, shorten: shortSymbol},
  {header: 'Qty', align: 'right', priority: 0},
  {header: 'Entry', align: 'right', priority: 7},
  {header: 'Mark', align: 'right', priority: 4, note: '* mark = the previous close (no live mark yet, e.g. after hours); (model) = priced by the model; (intr.) = intrinsic value'},
  {header: 'Unreal. P&L', align: 'right', priority: 1},
  {header: 'Day P&L', align: 'right', priority: 2},
  {header: 'Ccy', priority: 2},
  {header: 'Δ sh', align: 'right', priority: 3},
  {header: 'Θ/day', align: 'right', priority: 6},
  {header: 'Vega/pt', align: 'right', priority: 10},
  {header: 'IV', align: 'right', priority: 9},
  {header: 'DTE', align: 'right', priority: 8},
  // Health (domain/health.ts): share of a short option's credit captured, distance to break-even in σ, P(ITM), assignment risk.
  {header: 'Max%', align: 'right', priority: 12, note: "Max% = share of a short option's credit captured"},
  {header: 'BE σ', align: 'right', priority: 13, note: 'BE σ = distance to break-even in standard deviations to expiry'},
  {header: 'P(ITM)', align: 'right', priority: 12, note: 'P(ITM) = model probability of expiring in the money'},
  {header: 'Asgn', priority: 8},
  {header: 'Greeks', priority: 14},
]

/** The mark with what it is when it is not a live one. */
/** The unit of a leg that is the underlying itself: a future (`/ESZ6`) is counted in contracts, stock in shares. */
function legUnit(symbol: string): string {
  return symbol.startsWith('/') ? 'ct' : 'sh'
}

function markCell(mark: number | null, source: string | null): string {
  const label = source === 'previous_close' ? ' *' : source === 'model' ? ' (model)' : source === 'intrinsic' ? ' (intr.)' : ''
  return price(mark) + label
}

export function renderPositions(r: PositionsResult): string {
  const out: string[] = []
  if (r.valuedAt !== r.asOf) out.push(bold(`Valued as of ${utc(r.valuedAt)} (time decay and expiries to then; today's prices)`))
  if (r.positions.length === 0) out.push('No positions.')
  else {
    const rows = r.positions.map((p) => [
      p.portfolio,
      p.symbol,
      qty(p.quantity),
      price(p.entryPrice),
      markCell(p.markPrice, p.markSource),
      pnl(p.unrealizedPnl),
      pnl(p.dayPnl),
      p.currency,
      num(p.delta, 2),
      num(p.theta, 2),
      num(p.vega, 2),
      p.iv === null ? UNKNOWN : `${num(p.iv * 100, 1)}%`,
      p.expired ? 'expired' : p.dte === null ? '' : String(p.dte),
      p.health.profitCaptured === null ? '' : pct(p.health.profitCaptured * 100, 0),
      p.health.breakevenDistanceSd === null ? (p.expiry ? UNKNOWN : '') : num(p.health.breakevenDistanceSd, 1),
      p.health.probItm === null ? (p.expiry ? UNKNOWN : '') : pct(p.health.probItm * 100, 0),
      p.health.assignmentRisk === true ? red('!') : p.health.assignmentRisk === null ? UNKNOWN : '',
      p.greeksSource,
    ])
    // The notes of Mark, Max%, BE σ and P(ITM) only where they explain something shown.
    const marks = r.positions.some((p) => p.markSource === 'previous_close' || p.markSource === 'model' || p.markSource === 'intrinsic')
    const options = r.positions.some((p) => p.expiry)
    out.push(table(POSITION_COLUMNS.map((c) => (c.note && ((c.header === 'Mark' && !marks) || (c.header !== 'Mark' && !options)) ? {...c, note: undefined} : c)), rows))
    for (const p of r.positions.filter((x) => x.pendingSettlement))
      out.push(yellow(`pending settlement: ${p.portfolio} ${p.symbol} ${qty(p.quantity)}: ${p.pendingSettlement}`))
    for (const t of r.totals)
      out.push(`Total ${t.currency}: market value ${partial(money(t.marketValue), t.missing)}, unrealized P&L ${partial(pnl(t.unrealizedPnl), t.missing)}, day P&L ${partial(pnl(t.dayPnl), t.dayPnlMissing)}`)
    // Only research portfolios asked for: there is no real book to total (their own line follows), not a real book of 0.
    if (r.realPortfolios.length > 0) out.push(`Total in ${r.baseCurrency}: unrealized P&L ${partial(pnl(r.unrealizedPnlBase), r.unrealizedPnlBaseMissing)}, day P&L ${partial(pnl(r.dayPnlBase), r.dayPnlBaseMissing)}${r.agentTrades.length > 0 ? ' (paper trades included)' : ''}`)
    for (const t of r.researchTotals)
      out.push(dim(`Research portfolios, not in the totals, ${t.currency}: market value ${partial(money(t.marketValue), t.missing)}, unrealized P&L ${partial(pnl(t.unrealizedPnl), t.missing)}, day P&L ${partial(pnl(t.dayPnl), t.dayPnlMissing)}`))
    if (r.dayPnlBaseMissing > 0) out.push(dim(`* day P&L unknown: ${unknownParts(r.dayPnlBaseMissing, r.unknownPortfolios)}${r.dayPnlBaseMissing > r.unknownPortfolios.length ? ' (no broker close price, no earlier snapshot: run cotrader snapshot daily)' : ''}`))
    if (r.unrealizedPnlBaseMissing > 0) out.push(dim(`* sum of known values; left out: ${unknownParts(r.unrealizedPnlBaseMissing, r.unknownPortfolios)}`))
    const expired = r.positions.filter((p) => p.expired).length
    if (expired > 0) out.push(yellow(`${expired} expired position(s) (past settlement, shown at their last mark) left out of the totals and Greeks; the next sync removes them`))
    const unknown = r.positions.filter((p) => p.greeksSource === 'none' && !p.expired)
    for (const p of unknown) out.push(yellow(`${p.portfolio} ${p.symbol}: Greeks unknown: ${p.greeksNote ?? 'no reason recorded'}`))
    for (const p of r.positions) if (!p.expired && p.health.assignmentRisk !== false && p.health.assignmentNote) out.push((p.health.assignmentRisk ? red : yellow)(`${p.portfolio} ${p.symbol}: assignment risk${p.health.assignmentRisk ? '' : ' unchecked'}: ${p.health.assignmentNote}`))
  }
  if (r.groups) out.push(bold('Strategy groups'), renderGroups(r.groups))
  if (r.chains && r.chains.length > 0) out.push(bold('Roll chains (cotrader ledger --chain ID)'), renderChains(r.chains))
  if (r.agentTrades.length > 0) out.push(bold('Agent trades (booked on approval)'), tradeTable(r.agentTrades))
  if (r.whatIf.length > 0) out.push(bold('What-if trades'), tradeTable(r.whatIf))
  if (r.notSynced.length > 0) out.push(dim(`Never synced: ${r.notSynced.join(', ')}: numbers unknown (the warning above says what to do)`))
  return out.join('\n')
}

const STRATEGY_LABEL: Record<StrategyGroup['strategy'], string> = {
  iron_condor: 'iron condor', iron_butterfly: 'iron butterfly', butterfly: 'butterfly', collar: 'collar', covered_call: 'covered call',
  synthetic_stock: 'synthetic stock', straddle: 'straddle', strangle: 'strangle', vertical: 'vertical', ratio_spread: 'ratio spread',
  calendar: 'calendar', diagonal: 'diagonal', cash_secured_put: 'cash-secured put', single: 'single leg',
}

/** Strategy groups, most important first: what it is, its legs, max loss / profit, break-evens, P&L. */
export const GROUP_COLUMNS: Column[] = [
  portfolioColumn(6),
  {header: 'Underlying', priority: 0, minWidth: 10, shorten: shortSymbol},
  {header: 'Strategy', priority: 0, minWidth: 8, cut: 'wrap'},
  {header: 'Legs', priority: 0, minWidth: 14, cut: 'wrap'},
  {header: 'DTE', align: 'right', priority: 5},
  {header: 'Max profit', align: 'right', priority: 2},
  // Max loss and its currency go last (INR and USD groups side by side)
  {header: 'Max loss', align: 'right', priority: 1},
  {header: 'Break-even', align: 'right', priority: 3},
  {header: 'Δ sh', align: 'right', priority: 7},
  {header: 'Θ/day', align: 'right', priority: 8},
  {header: 'Vega/pt', align: 'right', priority: 9},
  {header: 'Unreal. P&L', align: 'right', priority: 4},
  {header: 'Ccy', priority: 0.5},
]

export function renderGroups(groups: StrategyGroup[]): string {
  if (groups.length === 0) return dim('No positions to group.')
  const bound = (v: number | null, unlimited: boolean) => (unlimited ? 'unlimited' : money(v))
  const rows = groups.map((g) => [
    g.portfolio,
    g.underlying,
    STRATEGY_LABEL[g.strategy],
    g.legs.map((l) => `${l.quantity > 0 ? '+' : ''}${qty(l.quantity)} ${l.symbol === g.underlying ? legUnit(l.symbol) : l.symbol.slice(g.underlying.length + 1)}`).join(' '),
    g.dte === null ? '' : String(g.dte),
    bound(g.maxProfit, g.unlimitedProfit),
    bound(g.maxLoss, g.unlimitedLoss),
    g.payoffMethod === 'unknown' ? UNKNOWN : g.breakevens.map((b) => num(b)).join(' / '),
    partial(num(g.delta, 1), g.missingGreeks),
    partial(num(g.theta), g.missingGreeks),
    partial(num(g.vega), g.missingGreeks),
    partial(pnl(g.unrealizedPnl), g.missingPnl),
    g.currency,
  ])
  return table(GROUP_COLUMNS, rows)
}
