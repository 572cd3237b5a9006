import type {StrategyGroup} from '../../domain/strategies.js'
import type {PositionsResult} from '../../services/positions.js'
import {tradeTable} from './trades.js'
import {bold, dim, money, num, partial, pct, pnl, qty, red, table, UNKNOWN, yellow} from '../format.js'

export function renderPositions(r: PositionsResult): string {
  const out: string[] = []
  if (r.positions.length === 0) out.push('No positions.')
  else {
    const rows = r.positions.map((p) => [
      p.portfolio,
      p.symbol,
      qty(p.quantity),
      money(p.entryPrice),
      money(p.markPrice),
      pnl(p.unrealizedPnl),
      pnl(p.dayPnl),
      p.currency,
      num(p.delta, 2),
      num(p.theta, 2),
      num(p.vega, 2),
      p.iv === null ? UNKNOWN : `${num(p.iv * 100, 1)}%`,
      p.dte === null ? '' : String(p.dte),
      p.health.profitCaptured === null ? '' : pct(p.health.profitCaptured * 100, 0),
      p.health.breakevenDistanceSd === null ? (p.expiry ? UNKNOWN : '') : num(p.health.breakevenDistanceSd, 1),
      p.health.probItm === null ? (p.expiry ? UNKNOWN : '') : pct(p.health.probItm * 100, 0),
      p.health.assignmentRisk === true ? red('!') : p.health.assignmentRisk === null ? UNKNOWN : '',
      p.greeksSource,
    ])
    out.push(table(['Portfolio', 'Symbol', 'Qty', 'Entry', 'Mark', 'Unreal. P&L', 'Day P&L', 'Ccy', 'Δ sh', 'Θ/day', 'Vega/pt', 'IV', 'DTE', 'Max%', 'BE σ', 'P(ITM)', 'Asgn', 'Greeks'], rows, ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left', 'left']))
    for (const t of r.totals)
      out.push(`Total ${t.currency}: market value ${partial(money(t.marketValue), t.missing)}, unrealized P&L ${partial(pnl(t.unrealizedPnl), t.missing)}, day P&L ${partial(pnl(t.dayPnl), t.dayPnlMissing)}`)
    out.push(`Total in ${r.baseCurrency}: unrealized P&L ${partial(pnl(r.unrealizedPnlBase), r.unrealizedPnlBaseMissing)}, day P&L ${partial(pnl(r.dayPnlBase), r.dayPnlBaseMissing)}`)
    if (r.dayPnlBaseMissing > 0) out.push(dim(`* day P&L unknown for ${r.dayPnlBaseMissing} position(s): no previous close (no broker close price, no earlier snapshot: run cotrader snapshot daily)`))
    if (r.unrealizedPnlBaseMissing > 0) out.push(dim('* sum of known values; positions with an unknown price or no FX rate to the base currency are left out'))
    const unknown = r.positions.filter((p) => p.greeksSource === 'none')
    for (const p of unknown) out.push(yellow(`${p.portfolio} ${p.symbol}: Greeks unknown: ${p.greeksNote ?? 'no reason recorded'}`))
    for (const p of r.positions) if (p.health.assignmentRisk !== false && p.health.assignmentNote) out.push((p.health.assignmentRisk ? red : yellow)(`${p.portfolio} ${p.symbol}: assignment risk${p.health.assignmentRisk ? '' : ' unchecked'}: ${p.health.assignmentNote}`))
    out.push(dim('Max% = share of a short option\'s credit captured; BE σ = distance to break-even in standard deviations to expiry; P(ITM) = model probability of expiring in the money'))
  }
  if (r.groups) out.push(bold('Strategy groups'), renderGroups(r.groups))
  if (r.agentTrades.length > 0) out.push(bold('Agent trades (booked on approval)'), tradeTable(r.agentTrades))
  if (r.whatIf.length > 0) out.push(bold('What-if trades'), tradeTable(r.whatIf))
  if (r.notSynced.length > 0) out.push(dim(`Never synced: ${r.notSynced.join(', ')} (run: cotrader sync)`))
  return out.join('\n')
}

const STRATEGY_LABEL: Record<StrategyGroup['strategy'], string> = {
  iron_condor: 'iron condor', iron_butterfly: 'iron butterfly', butterfly: 'butterfly', collar: 'collar', covered_call: 'covered call',
  synthetic_stock: 'synthetic stock', straddle: 'straddle', strangle: 'strangle', vertical: 'vertical', ratio_spread: 'ratio spread',
  calendar: 'calendar', diagonal: 'diagonal', cash_secured_put: 'cash-secured put', single: 'single leg',
}

export function renderGroups(groups: StrategyGroup[]): string {
  if (groups.length === 0) return dim('No positions to group.')
  const bound = (v: number | null, unlimited: boolean) => (unlimited ? 'unlimited' : money(v))
  const rows = groups.map((g) => [
    g.portfolio,
    g.underlying,
    STRATEGY_LABEL[g.strategy],
    g.legs.map((l) => `${l.quantity > 0 ? '+' : ''}${qty(l.quantity)} ${l.symbol === g.underlying ? 'sh' : l.symbol.slice(g.underlying.length + 1)}`).join(' '),
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
  return table(['Portfolio', 'Underlying', 'Strategy', 'Legs', 'DTE', 'Max profit', 'Max loss', 'Break-even', 'Δ sh', 'Θ/day', 'Vega/pt', 'Unreal. P&L', 'Ccy'], rows,
    ['left', 'left', 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left'])
}
