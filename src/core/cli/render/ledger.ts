/* Human output of the ledger commands: transactions import, ledger, reconcile, pnl --realized, roll chains. */
import type {Chain} from '../../domain/ledger/chains.js'
import type {LedgerIssue} from '../../domain/ledger/lots.js'
import type {ImportTransactionsResult} from '../../services/ledger/import.js'
import type {LedgerResult, RealizedResult, RealizedRow, ReconcileResult} from '../../services/ledger/views.js'
import {bold, dim, money, pnl, portfolioColumn, qty, shortSymbol, table, UNKNOWN, yellow, type Column} from '../format.js'

export function renderImport(r: ImportTransactionsResult): string {
  const span = r.firstDate ? ` from ${r.firstDate} to ${r.lastDate}` : ''
  const lines = [`${r.file} (${r.format}) → ${r.portfolio}: ${r.events} event(s)${span}; ${r.added} added, ${r.duplicates} already in the ledger${r.unclassified ? `; ${r.unclassified} unclassified (kept)` : ''}`]
  for (const w of r.warnings) lines.push(yellow(`warning: ${w}`))
  return lines.join('\n')
}

const q = (v: number | null) => (v === null ? '' : qty(v))

export function renderLedger(r: LedgerResult): string {
  if (r.events.length === 0) {
    // Say what the filters left out, so an empty list is not mistaken for an empty ledger.
    const where = r.excluded.portfolios.length > 0 ? ` of ${r.excluded.portfolios.join(', ')}` : ''
    const {filters, byFilters} = r.excluded
    if (byFilters > 0) return dim(`No ledger events match ${filters.join(' ')}; ${byFilters} event(s)${where} left out (drop ${filters.length > 1 ? 'those flags' : filters[0].split(' ')[0]} to list them).`)
    return `The ledger holds no events${where ? ` for ${r.excluded.portfolios.join(', ')}` : ''}. Import some: cotrader transactions import FILE --portfolio P (or source.transactions in the config, read by sync).`
  }
  const cols: Column[] = [
    {header: 'ID', align: 'right', priority: 6},
    {header: 'Date', priority: 0},
    // rows of several portfolios (a research book's imports beside a paper trade): Portfolio stays, cut in the middle
    portfolioColumn(4),
    // on 80 columns Kind and Symbol shorten ("assi…", "AAPL 260116 240P") so that Realised stays beside Price
    {header: 'Kind', priority: 0, minWidth: 5},
    {header: 'Symbol', priority: 0, minWidth: 16, shorten: shortSymbol},
    {header: 'Qty', align: 'right', priority: 0},
    {header: 'Price', align: 'right', priority: 1},
    {header: 'Fees', align: 'right', priority: 5},
    {header: 'Realised', align: 'right', priority: 1},
    {header: 'Broker', align: 'right', priority: 7},
    // Realised and Price are money of the row's currency: the currency goes with them
    {header: 'Ccy', priority: 2},
    {header: 'Chain', priority: 6},
    {header: 'Source', priority: 8, minWidth: 8},
  ]
  const out = [
    table(
      cols,
      r.events.map((e) => [
        String(e.id), e.tradeDate, e.portfolio, e.provisional ? `${e.kind} (provisional)` : e.kind, e.symbol ?? (e.description || '-'), q(e.quantity), e.price === null ? '' : money(e.price, 4).replace(/0{1,2}$/, ''),
        e.fees ? money(e.fees) : '', e.realized === null ? '' : pnl(e.realized), e.brokerRealizedPnl === null ? '' : money(e.brokerRealizedPnl), e.currency, e.chain ?? '', e.sourceRef ?? e.source,
      ]),
    ),
  ]
  if (r.chains.length > 0) out.push('', bold('Roll chains'), renderChains(r.chains))
  out.push(...issueLines(r.issues, r.unclassified))
  return out.join('\n')
}

export function renderChains(chains: readonly Chain[]): string {
  return table(
    [
      {header: 'Chain', priority: 0},
      // a chain is one account's: its portfolio always says which (cut in the middle on a narrow terminal)
      portfolioColumn(0),
      {header: 'Underlying', priority: 0},
      {header: 'Started', priority: 2},
      {header: 'Rolls', align: 'right', priority: 1},
      {header: 'Status', priority: 2},
      {header: 'Credit', align: 'right', priority: 0},
      {header: 'Realised', align: 'right', priority: 0},
      {header: 'P&L since start', align: 'right', priority: 0},
      {header: 'Ccy', priority: 4},
      {header: 'Open legs', priority: 5, minWidth: 10},
    ],
    chains.map((c) => [c.id, c.portfolio, c.underlying, c.startedAt.slice(0, 10), String(c.rolls.length), c.status, money(c.credit), pnl(c.realized), pnl(c.pnlSinceStart), c.currency, c.openSymbols.join(', ')]),
  )
}

function issueLines(issues: readonly LedgerIssue[], unclassified: number): string[] {
  const out: string[] = []
  const errors = issues.filter((i) => i.severity === 'error')
  const warnings = issues.filter((i) => i.severity === 'warning')
  for (const i of errors.slice(0, 10)) out.push(yellow(`not booked: ${i.portfolio}: event ${i.eventId}: ${i.message}`))
  if (errors.length > 10) out.push(yellow(`… and ${errors.length - 10} more events not booked (--json lists them)`))
  for (const i of warnings.slice(0, 5)) out.push(dim(`note: ${i.portfolio}: event ${i.eventId}: ${i.message}`))
  if (unclassified > 0) out.push(yellow(`${unclassified} unclassified event(s) kept but not booked (cotrader ledger --kind unclassified)`))
  return out.length ? ['', ...out] : []
}

export function renderRealized(r: RealizedResult): string {
  const window = r.since ? `${r.since} to ${r.until}` : `all history to ${r.until}`
  if (r.positions.length === 0 && r.income.length === 0) return `No realised P&L ${window}: no lot of the ledger closed in that window (its events: cotrader ledger; more of them: cotrader transactions import FILE --portfolio P).${issueLines(r.issues, r.unclassified).join('\n')}`
  const val = (row: RealizedRow) => (row.missing ? `${pnl(row.realized)} (${row.missing} ?)` : pnl(row.realized))
  // ~: some pieces converted at today's config rate (no rate stored for their close date; see the FX note)
  const base = (row: RealizedRow) => (row.realizedBase === null ? UNKNOWN : `${row.fxAtToday > 0 ? '~' : ''}${pnl(row.realizedBase)}`)
  const bookTag = (row: RealizedRow) => (row.book === 'broker' ? row.portfolio : `${row.portfolio} (${row.book})`)
  const out = [bold(`Realised P&L, ${window}`), '']
  out.push(
    table(
      [portfolioColumn(2), {header: 'Symbol', priority: 0, minWidth: 18, shorten: shortSymbol}, {header: 'Lots', align: 'right', priority: 3}, {header: 'Fees', align: 'right', priority: 4}, {header: 'Realised', align: 'right', priority: 0}, {header: 'Ccy', priority: 1}, {header: `In ${r.baseCurrency}`, align: 'right', priority: 1}],
      r.positions.map((row) => [bookTag(row), row.symbol!, String(row.closedLots), money(row.fees), val(row), row.currency, base(row)]),
    ),
  )
  out.push('', bold('By underlying'))
  out.push(table(['Portfolio', 'Underlying', 'Realised', 'Ccy', `In ${r.baseCurrency}`], r.underlyings.map((row) => [bookTag(row), row.underlying!, val(row), row.currency, base(row)]), ['left', 'left', 'right', 'left', 'right']))
  out.push('', bold('By month'))
  out.push(table(['Portfolio', 'Month', 'Realised', 'Ccy', `In ${r.baseCurrency}`], r.months.map((row) => [bookTag(row), row.month!, val(row), row.currency, base(row)]), ['left', 'left', 'right', 'left', 'right']))
  out.push('', bold('By portfolio'))
  out.push(table(['Portfolio', 'Lots', 'Realised', 'Ccy', `In ${r.baseCurrency}`], r.portfolios.map((row) => [bookTag(row), String(row.closedLots), val(row), row.currency, base(row)]), ['left', 'right', 'right', 'left', 'right']))
  const total = r.total.realizedBase === null ? UNKNOWN : pnl(r.total.realizedBase)
  out.push('', `Total realised in ${r.baseCurrency}: ${total}${r.total.missing ? ` (${r.total.missing} closed lot(s) with unknown basis left out)` : ''}`)
  if (r.income.length > 0) {
    out.push('', bold('Dividends, interest and fees (not in realised)'))
    out.push(table(['Portfolio', 'Dividends', 'Interest', 'Fees', 'Ccy', `In ${r.baseCurrency}`], r.income.map((i) => [i.portfolio, money(i.dividends), money(i.interest), money(i.fees), i.currency, i.base === null ? UNKNOWN : money(i.base)]), ['left', 'right', 'right', 'right', 'left', 'right']))
  }
  if (r.brokerChecks.length > 0) {
    const diffs = r.brokerChecks.filter((c) => c.difference === null || Math.abs(c.difference) >= 0.01)
    out.push('', `Broker's own realised figure: ${r.brokerChecks.length - diffs.length} of ${r.brokerChecks.length} equal ours to the cent.`)
    if (diffs.length > 0) out.push(table(['Event', 'Date', 'Portfolio', 'Symbol', 'Ours', 'Broker', 'Difference'], diffs.map((c) => [String(c.eventId), c.tradeDate, c.portfolio, c.symbol ?? '', pnl(c.ours), money(c.theirs), pnl(c.difference)]), ['right', 'left', 'left', 'left', 'right', 'right', 'right']))
  }
  out.push(dim(r.fxNote))
  out.push(...issueLines(r.issues, r.unclassified))
  return out.join('\n')
}

export function renderReconcile(r: ReconcileResult): string {
  if (r.portfolios.length === 0) return 'No portfolio has ledger events to reconcile. Import transactions first: cotrader transactions import FILE --portfolio P'
  const out: string[] = []
  for (const p of r.portfolios) {
    const opened = r.opening[p.portfolio] ? `opening balance: the positions snapshot of ${r.opening[p.portfolio]}` : 'no opening balance (started empty)'
    const span = p.firstEvent ? `events ${p.firstEvent} to ${p.lastEvent}` : 'no events'
    if (p.status === 'no ledger') {
      out.push(`${bold(p.portfolio)}: no ledger events; nothing to reconcile`)
      continue
    }
    const head = p.status === 'reconciles' ? `${bold(p.portfolio)}: reconciles (${p.instruments} instrument(s); ${span}; ${opened})` : `${bold(p.portfolio)}: ${yellow(`${p.differences.length} difference(s)`)} (${span}; ${opened})`
    out.push(head)
    if (p.differences.length > 0) {
      out.push(
        table(
          [{header: 'Symbol', priority: 0}, {header: 'Ledger', align: 'right', priority: 0}, {header: 'Broker', align: 'right', priority: 0}, {header: 'Diff', align: 'right', priority: 1}, {header: 'Likely cause', priority: 0, minWidth: 20}],
          p.differences.map((d) => [d.symbol, qty(d.ledger), qty(d.broker), qty(d.difference), d.cause]),
        ),
      )
    }
    if (p.unclassified > 0) out.push(yellow(`  ${p.unclassified} unclassified event(s) not booked: a possible cause (cotrader ledger --kind unclassified --portfolio ${p.portfolio})`))
  }
  const errors = r.issues.filter((i) => i.severity === 'error')
  if (errors.length > 0) out.push(yellow(`${errors.length} event(s) could not be booked (cotrader ledger shows them)`))
  return out.join('\n')
}
