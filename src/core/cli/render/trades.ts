import type {PositionRow} from '../../containers/positions.js'
import type {ApproveResult, DryRun, OrderRequestLike, PendingItem} from '../../services/approve.js'
import type {WhatifAddResult, WhatifListResult, WhatifPayoffResult} from '../../services/trades.js'
import {bold, colorEnabled, dim, green, money, num, pnl, portfolioColumn, price, qty, red, shortSymbol, table, tableWidth, UNKNOWN, utc, yellow, type Column} from '../format.js'
import {renderPayoff} from './payoff.js'

/** Column priority (0 = always shown; the largest number is dropped first when the terminal is narrow). */
export const TRADE_COLUMNS: Column[] = [
  portfolioColumn(5),
  {header: 'Symbol', priority: 0, minWidth: 18, shorten: shortSymbol},
  {header: 'Qty', align: 'right', priority: 0},
  {header: 'Price', align: 'right', priority: 3},
  {header: 'Mark', align: 'right', priority: 4},
  {header: 'Unreal. P&L', align: 'right', priority: 1},
  {header: 'Ccy', priority: 2},
  {header: 'Δ sh', align: 'right', priority: 6},
  {header: 'Θ/day', align: 'right', priority: 7},
  {header: 'Vega/pt', align: 'right', priority: 9},
  {header: 'IV', align: 'right', priority: 8},
]

export const PENDING_COLUMNS: Column[] = [
  {header: 'ID', align: 'right', priority: 0},
  {header: 'Source', priority: 4},
  portfolioColumn(3),
  {header: 'Legs', priority: 0, minWidth: 18, cut: 'wrap'},
  {header: 'Reason', priority: 2, minWidth: 16, cut: 'wrap'},
  {header: 'Created', priority: 5},
]

/** Rows of trades marked to market (what-if, paper, live). */
export function tradeTable(rows: (PositionRow & {proposalId?: number})[], withId = false): string {
  return table(
    [...(withId ? [{header: 'ID', align: 'right', priority: 0} as Column] : []), ...TRADE_COLUMNS],
    rows.map((r) => [
      ...(withId ? [String(r.proposalId ?? '')] : []), r.portfolio, r.symbol, qty(r.quantity), price(r.entryPrice), price(r.markPrice), pnl(r.unrealizedPnl), r.currency,
      num(r.delta), num(r.theta), num(r.vega), r.iv === null ? UNKNOWN : `${num(r.iv * 100, 1)}%`,
    ]),
  )
}

export function renderWhatifAdd(r: WhatifAddResult): string {
  return [
    `What-if trade ${r.proposalId} added to ${r.whatifPortfolio} (shadows ${r.portfolio}); it waits for approval: cotrader approve ${r.proposalId}`,
    tradeTable(r.trades),
    ...r.warnings.map((w) => yellow(w)),
    dim('Entry Greeks stored. See the effect: cotrader risk --with-whatif; the payoff: cotrader whatif payoff --portfolio ' + r.portfolio),
  ].join('\n')
}

export function renderWhatifList(r: WhatifListResult): string {
  if (r.whatIf.length > 0) return tradeTable(r.whatIf, true)
  const others = r.excluded?.otherPortfolios ?? 0
  return others > 0 ? dim(`No open what-if trades in the selected portfolio(s); ${others} leg(s) in other portfolios (drop --portfolio to list them).`) : 'No open what-if trades.'
}

export function renderPending(items: PendingItem[]): string {
  if (items.length === 0) return 'Nothing waits for approval.'
  return table(
    PENDING_COLUMNS,
    items.map((i) => [String(i.id), i.source, i.portfolio, i.legs.map((l) => `${l.quantity > 0 ? '+' : ''}${qty(l.quantity)} ${l.symbol} @ ${l.price === null ? UNKNOWN : price(l.price)}`).join('\n'), i.reason ?? '', utc(i.createdAt)]),
  )
}

export function renderDryRun(d: DryRun, order: OrderRequestLike): string {
  const lines = [
    bold('Dry run'),
    ...order.legs.map((l) => `  ${l.action} ${l.quantity} ${l.symbol}`),
    `  ${order.orderType} ${money(order.price)} ${order.priceEffect}, ${order.timeInForce}`,
    `  buying-power effect ${money(d.buyingPowerEffect)}   fees ${money(d.fees)}`,
    ...d.warnings.map((w) => yellow(`  warning: ${w}`)),
  ]
  return lines.join('\n')
}

export function renderApprove(r: ApproveResult): string {
  const out: string[] = []
  if (r.dryRun && r.status !== 'cancelled') out.push(`Dry run: buying-power effect ${money(r.dryRun.buyingPowerEffect)}, fees ${money(r.dryRun.fees)}${r.dryRun.warnings.map((w) => `\n  warning: ${w}`).join('')}`)
  for (const b of r.newBreaches) out.push(red(`would breach: ${b.message}`))
  out.push(r.status === 'approved' || r.status === 'executed' ? green(r.message) : yellow(r.message))
  if (r.booked.length > 0) out.push(tradeTable(r.booked))
  return out.join('\n')
}

export function renderWhatifPayoff(r: WhatifPayoffResult): string {
  const legs = r.legs.map((l) => `${l.quantity > 0 ? '+' : ''}${qty(l.quantity)} ${l.symbol} @ ${price(l.price)}`).join(', ')
  return `${r.portfolio}: ${legs} (${r.underlying} at ${money(r.spot)})\n${renderPayoff(r.analysis, {color: colorEnabled, currency: r.currency, width: Math.min(tableWidth() ?? 80, 120)})}`
}

/** Column priority (0 = always shown; the largest number is dropped first when the terminal is narrow). */
export const TRADES_LIST_COLUMNS: Column[] = [
  {header: 'ID', align: 'right', priority: 0},
  portfolioColumn(7),
  // paper and live trades and the broker's fills number apart (trade 4 and ledger event 4): Kind stays while both are listed
  {header: 'Kind', priority: 8, keepIfDistinct: true, minWidth: 5},
  {header: 'Status', priority: 5},
  {header: 'Symbol', priority: 0, minWidth: 18, shorten: shortSymbol},
  {header: 'Qty', align: 'right', priority: 0},
  {header: 'Open', align: 'right', priority: 6},
  {header: 'Mark/Close', align: 'right', priority: 4},
  {header: 'Unreal. P&L', align: 'right', priority: 1},
  {header: 'Realised P&L', align: 'right', priority: 3},
  // the currency of the P&L shown comes back before a second money column
  {header: 'Ccy', priority: 2},
]

export function renderTradesList(r: import('../../services/trades.js').TradesListResult): string {
  if (r.trades.length === 0) {
    // Say what the filters left out, so an empty list is not mistaken for an empty book.
    const {closed, otherPortfolios, fills} = r.excluded
    const open = [closed > 0 ? `${closed} closed trade(s)` : '', fills > 0 ? `${fills} broker fill(s)` : ''].filter(Boolean).join(' and ')
    if (open) return dim(`No open paper or live trades${otherPortfolios > 0 ? ' in the selected portfolio(s)' : ''}; --open left out ${open} (drop --open to list them).`)
    if (otherPortfolios > 0) return dim(`No paper, live or broker trades in the selected portfolio(s); ${otherPortfolios} trade(s) in other portfolios (drop --portfolio to list them).`)
    return dim('No paper, live or broker trades (approve a proposal to book one: cotrader approve ID; broker fills come from the ledger: cotrader transactions import).')
  }
  const rows = r.trades.map((t) => [
    // a live order the broker's fill confirmed: one line, naming the fill the ledger counts
    String(t.id), t.portfolio, t.kind, t.brokerFill ? `${t.status}; broker fill #${t.brokerFill.eventIds.join(', #')}${t.brokerFill.price !== null && t.brokerFill.price !== t.openPrice ? ` @ ${price(t.brokerFill.price)}` : ''}` : t.status, t.symbol, qty(t.quantity), price(t.openPrice),
    t.closePrice !== null ? price(t.closePrice) : price(t.markPrice),
    t.realizedPnl !== null ? '' : pnl(t.unrealizedPnl), t.realizedPnl === null ? '' : pnl(t.realizedPnl), t.currency,
  ])
  const out = [table(TRADES_LIST_COLUMNS, rows)]
  for (const x of r.realized) out.push(`Realised ${x.currency}: ${pnl(x.realizedPnl)}`)
  return out.join('\n')
}
