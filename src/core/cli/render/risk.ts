import type {RiskResult} from '../../services/risk.js'
import {renderStress, renderVar} from './var.js'
import {bold, dim, green, money, num, partial, pct, pnl, red, shortSymbol, table, unknownParts, utc, yellow, type Column} from '../format.js'

/** Column priority (0 = always shown; the largest number is dropped first when the terminal is narrow). */
export function riskColumns(benchmark: string, betaNote?: string): Column[] {
  return [
    {header: 'Underlying', priority: 0, minWidth: 12, shorten: shortSymbol},
    {header: 'Price', align: 'right', priority: 7},
    {header: 'Δ shares', align: 'right', priority: 2},
    {header: 'Γ', align: 'right', priority: 8},
    {header: 'Θ/day', align: 'right', priority: 4},
    {header: 'Vega/pt', align: 'right', priority: 5},
    {header: 'Δ$', align: 'right', priority: 1},
    {header: `βΔ ${benchmark}`, align: 'right', priority: 6, ...(betaNote ? {note: betaNote} : {})},
    {header: 'Unreal. P&L', align: 'right', priority: 3},
  ]
}

export const WHATIF_RISK_COLUMNS: Column[] = [
  {header: 'Underlying', priority: 0, minWidth: 12, shorten: shortSymbol},
  {header: 'Δ shares', align: 'right', priority: 2},
  {header: 'Θ/day', align: 'right', priority: 3},
  {header: 'Vega/pt', align: 'right', priority: 4},
  {header: 'Δ$', align: 'right', priority: 1},
]

export function renderRisk(r: RiskResult): string {
  const out: string[] = []
  if (r.valuedAt !== r.asOf) out.push(bold(`Valued as of ${utc(r.valuedAt)} (time decay and expiries to then; today's prices)`))
  for (const p of r.portfolios) {
    out.push(bold(`${p.portfolio} (${p.kind}, ${p.currency})`) + `  equity ${money(p.equity)}  capital in use ${money(p.capitalInUse)} (${p.capitalBasis})  utilisation ${pct(p.capitalUtilizationPct)}`)
    if (p.expired?.length) out.push(yellow(`  expired, left out of Greeks, capital in use and limits: ${p.expired.join(', ')}`))
    if (p.synced === false) {
      out.push(yellow('  never synced: every number is unknown'))
      continue
    }
    if (p.underlyings.length === 0) {
      out.push(dim('  no positions'))
      continue
    }
    const rows = p.underlyings.map((u) => [
      u.underlying,
      money(u.underlyingPrice),
      partial(num(u.delta, 1), u.missingGreeks),
      partial(num(u.gamma, 3), u.missingGreeks),
      partial(num(u.theta), u.missingGreeks),
      partial(num(u.vega), u.missingGreeks),
      partial(money(u.deltaDollars, 0), u.missingGreeks),
      num(u.betaWeightedDelta, 1),
      pnl(u.unrealizedPnl),
    ])
    rows.push([bold('Total'), '', partial(num(p.delta, 1), p.missingGreeks), partial(num(p.gamma, 3), p.missingGreeks), partial(num(p.theta), p.missingGreeks),
      partial(num(p.vega), p.missingGreeks), partial(money(p.deltaDollars, 0), p.missingGreeks), partial(num(p.betaWeightedDelta, 1), p.missingBeta ?? 0), pnl(p.unrealizedPnl)])
    // The βΔ note goes with its column: hidden on a narrow terminal when the column is.
    const betaNote = (p.missingBeta ?? 0) > p.missingGreeks ? `* βΔ leaves out ${p.missingBeta} position(s) without a beta or a price (market.betas in the config)` : undefined
    out.push(table(riskColumns(r.benchmark, betaNote), rows))
    if (p.missingGreeks > 0) out.push(dim(`  * ${p.missingGreeks} position(s) with unknown Greeks or underlying price left out (see: cotrader positions)`))
    for (const b of p.breaches) out.push(red(`  BREACH ${b.message}`))
    for (const u of p.unchecked) out.push(yellow(`  unchecked limit ${u}`))
  }
  // Only research portfolios asked for: there is no real book to total or to judge against the limits
  // (their own line follows), not a real book of 0 with no breach.
  if (r.portfolios.some((p) => p.kind === 'real')) {
    const t = r.totals
    const m = (s: string) => partial(s, t.missing)
    out.push(bold(`Real book in ${r.baseCurrency}:`) + ` Δ$ ${m(money(t.deltaDollars, 0))}  Θ/day ${m(money(t.theta))}  vega/pt ${m(money(t.vega))}  unrealized P&L ${m(pnl(t.unrealizedPnl))}  βΔ ${partial(num(t.betaWeightedDelta, 1), t.betaWeightedDeltaMissing ?? t.missing)} ${r.benchmark} @ ${money(r.benchmarkPrice)}`)
    // Never-synced portfolios are counted apart from positions (each is one unknown part of the totals).
    const unknownReal = r.notSynced.filter((n) => r.portfolios.some((p) => p.portfolio === n && p.kind === 'real'))
    if (t.missing > 0) out.push(dim(`  * partial, left out: ${unknownParts(t.missing, unknownReal)} (positions with unknown Greeks, price or P&L, or portfolios without an FX rate)`))
    // βΔ has its own count: a position without a beta is left out of it alone.
    const bm = t.betaWeightedDeltaMissing ?? 0
    if (bm > 0 && bm !== t.missing) out.push(dim(`  * βΔ left out: ${unknownParts(bm, unknownReal)} (positions without a beta, price or Greeks: market.betas in the config)`))
    if (t.unconverted.length > 0) out.push(yellow(`No FX rate to ${r.baseCurrency} for: ${t.unconverted.join(', ')} (add fx_rates to the config); left out of the totals`))
    // A book with a never-synced portfolio is unknown: no "no breach" claim for it.
    if (r.breaches.length > 0) out.push(red(`${r.breaches.length} risk limit breach(es).`))
    else if (unknownReal.length > 0) out.push(yellow(`Risk limits unknown: ${unknownReal.join(', ')} never synced, nothing known (--fail-on-breach exits 3).`))
    else out.push(green('No risk limit breached.'))
  }
  if (r.portfolios.some((p) => p.kind === 'research')) {
    const rt = r.research.totals
    const rm = (s: string) => partial(s, rt.missing)
    out.push(bold(`Research portfolios (not in the real book's totals or breaches) in ${r.baseCurrency}:`) + ` Δ$ ${rm(money(rt.deltaDollars, 0))}  Θ/day ${rm(money(rt.theta))}  vega/pt ${rm(money(rt.vega))}  unrealized P&L ${rm(pnl(rt.unrealizedPnl))}  ${r.research.breaches.length} breach(es)`)
  }
  if (r.notSynced.length > 0) out.push(dim(`Never synced: ${r.notSynced.join(', ')}: numbers unknown (the warning above says what to do)`))
  if (r.whatif) out.push(renderWhatifRisk(r.whatif))
  return out.join('\n')
}

const arrow = (a: string, b: string) => (a === b ? a : `${a} → ${b}`)

export function renderWhatifRisk(list: NonNullable<RiskResult['whatif']>): string {
  if (list.length === 0) return dim('No open what-if trades.')
  const out: string[] = []
  for (const w of list) {
    out.push(bold(`With what-if trades (${w.whatifPortfolio}): ${w.portfolio}, before → after`))
    if (w.before.synced === false) {
      // Unknown before means unknown after: "? → ?", and no breach claim either way.
      out.push(table(WHATIF_RISK_COLUMNS, [[bold('Total'), '? → ?', '? → ?', '? → ?', '? → ?']]))
      out.push(yellow(`  ${w.portfolio} was never synced: its risk before and after the what-if trades is unknown; limits unchecked`))
      for (const b of w.newBreaches) out.push(red(`  the trades alone would breach: ${b.message}`))
      continue
    }
    const names = [...new Set([...w.before.underlyings, ...w.after.underlyings].map((u) => u.underlying))].sort()
    const rows = names.map((n) => {
      const b = w.before.underlyings.find((u) => u.underlying === n)
      const a = w.after.underlyings.find((u) => u.underlying === n)
      // An underlying not held before starts from exactly 0; one held with unknown Greeks stays "?".
      const before = (k: 'delta' | 'theta' | 'vega' | 'deltaDollars') => (b ? b[k] : 0)
      return [n, arrow(num(before('delta'), 1), num(a?.delta, 1)), arrow(num(before('theta')), num(a?.theta)), arrow(num(before('vega')), num(a?.vega)), arrow(money(before('deltaDollars'), 0), money(a?.deltaDollars, 0))]
    })
    // Partial sums (positions with unknown Greeks left out) are marked on both sides, as in the tables above.
    const was = (t: string) => partial(t, w.before.missingGreeks)
    const is = (t: string) => partial(t, w.after.missingGreeks)
    rows.push([bold('Total'), arrow(was(num(w.before.delta, 1)), is(num(w.after.delta, 1))), arrow(was(num(w.before.theta)), is(num(w.after.theta))), arrow(was(num(w.before.vega)), is(num(w.after.vega))), arrow(was(money(w.before.deltaDollars, 0)), is(money(w.after.deltaDollars, 0)))])
    out.push(table(WHATIF_RISK_COLUMNS, rows))
    out.push(`  capital utilisation ${arrow(pct(w.before.capitalUtilizationPct), pct(w.after.capitalUtilizationPct))}`)
    if (w.after.missingGreeks > 0) out.push(dim(`  * ${w.after.missingGreeks} position(s) with unknown Greeks or underlying price left out`))
    for (const b of w.newBreaches) out.push(red(`  would breach: ${b.message}`))
    // No "no new breach" claim where a limit could not be checked after the trades.
    if (w.newBreaches.length === 0 && w.after.unchecked.length > 0) out.push(yellow(`  no new breach among the limits checked; unchecked: ${w.after.unchecked.join('; ')}`))
    else if (w.newBreaches.length === 0) out.push(green('  no new risk limit breach'))
  }
  return out.join('\n')
}

/** What `risk` prints: the stress grids with --stress, else the risk view and its VaR/ES lines. */
export function renderRiskView(r: RiskResult): string {
  return r.stress ? renderStress(r.stress) : [renderRisk(r), renderVar(r.var)].filter(Boolean).join('\n')
}
