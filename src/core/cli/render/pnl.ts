import type {PnlLine, PnlResult} from '../../services/pnl.js'
import {bold, dim, partial, pnl, portfolioColumn, shortSymbol, table, unknownParts, utc, type Column} from '../format.js'

/**
 * Column priority (0 = always shown; the largest number is dropped first when the terminal is narrow):
 * what the row is (symbol / underlying; the portfolio in the by-portfolio table), its P&L and currency,
 * then the P&L in the base currency, the portfolio (cut before it is dropped), the price source.
 */
export function pnlColumns(base: string, keys: string[], sourceTellsApart = false): Column[] {
  // Day P&L beside the open P&L (priority 1), in the base currency after the base-currency P&L.
  // Portfolio stays while rows of several portfolios are shown (cut in the middle first).
  const portfolio: Column = keys.length === 0 ? {header: 'Portfolio', priority: 0} : portfolioColumn(4)
  // Source tells a paper trade from the broker's position in the same symbol and portfolio: then it stays,
  // shortened as far as its values stay distinct ("pos…" / "pap…"), like Portfolio.
  const source: Column = sourceTellsApart ? {header: 'Source', shortHeader: 'Src', priority: 5, minWidth: 5, keepIfDistinct: true, shorten: shortSource} : {header: 'Source', priority: 5}
  const key = (header: string): Column => (header === 'Source' ? source : {header, priority: 0, minWidth: 18, shorten: shortSymbol})
  return [
    portfolio,
    ...keys.map(key),
    {header: 'Unreal. P&L', align: 'right', priority: 1},
    {header: 'Day P&L', align: 'right', priority: 1},
    {header: 'Ccy', priority: 2},
    {header: base, align: 'right', priority: 3},
    {header: `Day ${base.replace(/^P&L /, '')}`, align: 'right', priority: 3},
  ]
}

/** A line's source in a narrow column: "pos." for a broker position, "paper" and "live" as they are. */
function shortSource(text: string, _width: number): string {
  return text.replace('position', 'pos.').replace(' (expired)', ' exp.')
}

export function renderPnl(r: PnlResult): string {
  const out: string[] = []
  if (r.valuedAt !== r.asOf) out.push(bold(`Valued as of ${utc(r.valuedAt)} (time decay and expiries to then; today's prices)`))
  const base = `P&L ${r.baseCurrency}`
  const cells = (l: PnlLine) => [partial(pnl(l.unrealizedPnl), l.missing), partial(pnl(l.dayPnl), l.dayPnlMissing), l.currency, partial(pnl(l.unrealizedPnlBase), l.missing), partial(pnl(l.dayPnlBase), l.dayPnlMissing)]
  out.push(bold('By position'))
  const seen = new Set<string>()
  const twice = r.positions.some((l) => {
    const k = `${l.portfolio}\u0000${l.symbol}`
    return seen.has(k) || !seen.add(k)
  })
  out.push(table(pnlColumns(base, ['Symbol', 'Source'], twice), r.positions.map((l) => [l.portfolio, l.symbol ?? '', l.expired === true ? `${l.source} (expired)` : l.source, ...cells(l)])))
  out.push(bold('By underlying'))
  out.push(table(pnlColumns(base, ['Underlying']), r.underlyings.map((l) => [l.portfolio, l.underlying ?? '', ...cells(l)])))
  out.push(bold('By portfolio'))
  out.push(table(pnlColumns(base, []), r.portfolios.map((l) => [l.portfolio, ...cells(l)])))
  for (const c of r.byCurrency) out.push(`Total ${c.currency}: ${partial(pnl(c.unrealizedPnl), c.missing)}, day ${partial(pnl(c.dayPnl), c.dayPnlMissing)}`)
  // Only research portfolios asked for: there is no real book to total (their own line follows), not a real book of 0.
  if (r.realPortfolios.length > 0) out.push(bold(`Total in ${r.baseCurrency}: ${partial(pnl(r.totalBase), r.totalBaseMissing)}, day ${partial(pnl(r.dayPnlBase), r.dayPnlBaseMissing)}`) + (r.research.portfolios.length > 0 ? dim('  (real book; research below)') : ''))
  if (r.research.portfolios.length > 0) out.push(`Research (${r.research.portfolios.join(', ')}), not in the totals: ${partial(pnl(r.research.totalBase), r.research.missing)} ${r.baseCurrency}`)
  if (r.dayPnlBaseMissing > 0) out.push(dim(`* day P&L unknown: ${unknownParts(r.dayPnlBaseMissing, r.unknownPortfolios)}${r.dayPnlBaseMissing > r.unknownPortfolios.length ? ' (no broker close price and no earlier snapshot; run cotrader snapshot daily)' : ''}`))
  // Counted like positions' footnote: never-synced portfolios apart from positions.
  if (r.totalBaseMissing > 0) out.push(dim(`* sum of known values; left out: ${unknownParts(r.totalBaseMissing, r.unknownPortfolios)}${r.totalBaseMissing > r.unknownPortfolios.length ? ' (an unknown entry or mark price, or no FX rate to the base currency)' : ''}`))
  else if (r.positions.some((l) => l.missing > 0)) out.push(dim('* positions with an unknown entry or mark price, or no FX rate to the base currency, are left out of the sums'))
  for (const w of r.whatif ?? []) out.push(`With what-if trades, ${w.portfolio}: ${partial(pnl(w.before), w.missing)} → ${partial(pnl(w.after), w.missing)} ${w.currency}`)
  if (r.positions.some((l) => l.expired === true)) out.push(dim('* expired positions show their last P&L and are left out of every sum'))
  if (r.notSynced.length > 0) out.push(dim(`Never synced: ${r.notSynced.join(', ')}: numbers unknown (the warning above says what to do)`))
  return out.join('\n')
}
