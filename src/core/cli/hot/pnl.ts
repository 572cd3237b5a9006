/*
 * pnl: flags and body, shared by the oclif command (src/commands/pnl.ts) and the fast path
 * (src/fast.ts).
 */
import {UserError} from '../../errors.js'
import type {AttributionResult} from '../../services/attribution.js'
import type {PnlHistoryResult} from '../../services/history.js'
import type {RealizedResult} from '../../services/ledger/views.js'
import {pnlService, type PnlResult} from '../../services/pnl.js'
import {checkCsvTarget, csvFlagSpec, writeCsv} from '../csv-output.js'
import type {CommandIo} from '../io.js'
import {renderPnl} from '../render/pnl.js'
import type {BaseFlagValues, FlagsSpec, FlagValues} from '../spec.js'
import {parseAsOf, timeFlags, warnData} from '../time-flags.js'

export const flags = {
  portfolio: {type: 'string', char: 'p', description: 'Only this portfolio (repeatable: -p a -p b).', multiple: true},
  'with-whatif': {type: 'boolean', description: 'Also show each portfolio with its open what-if trades: before → after.'},
  history: {type: 'boolean', description: "Daily equity, open P&L, day P&L and cumulative realised P&L (the ledger's lots closed up to that day) per portfolio and in the base currency, from the daily snapshots.", exclusive: ['attribution', 'with-whatif', 'as-of', 'realized']},
  realized: {type: 'boolean', description: "Realised P&L from the ledger's closed lots, per position, underlying, month and portfolio; all history, or --since DATE, --year YYYY or --days N.", exclusive: ['history', 'attribution', 'with-whatif', 'as-of']},
  year: {type: 'integer', description: 'With --realized: lots closed in this calendar year.', min: 1900, max: 2999, dependsOn: ['realized'], exclusive: ['since', 'days']},
  attribution: {type: 'boolean', description: 'Split the P&L since --since (yesterday, entry or a date; default yesterday) into delta, gamma, theta, vega, rho and residual.', exclusive: ['history', 'with-whatif', 'as-of']},
  days: {type: 'integer', description: 'With --history: the last N days (default 30). With --realized: lots closed in the last N days.', min: 1, exclusive: ['since']},
  since: {type: 'string', description: 'With --history or --realized: from DATE (YYYY-MM-DD). With --attribution: yesterday, entry or DATE.', helpValue: 'DATE'},
  csv: csvFlagSpec,
  ...timeFlags,
} satisfies FlagsSpec

/** CSV columns of pnl --realized (money in cents like every CSV). */
export const REALIZED_COLUMNS: readonly string[] = ['level', 'portfolio', 'book', 'symbol', 'underlying', 'month', 'currency', 'realized', 'realizedBase', 'fxAtToday', 'missing', 'closedLots', 'fees']

export async function run(f: FlagValues<typeof flags> & BaseFlagValues, io: CommandIo): Promise<PnlResult | PnlHistoryResult | AttributionResult | RealizedResult> {
  const ctx = {...(await io.context(f)), portfolio: f.portfolio, asOf: io.now()}
  checkCsvTarget(f.csv, io.json)
  const csv = f.csv
  const c = csv === undefined ? undefined : await import('../csv.js') // csv-stringify only when asked for
  const out = (rows: object[], columns: readonly string[], what: string, money?: ReadonlySet<string>) => writeCsv(csv!, c!.rowsCsv(rows, columns, money ?? c!.MONEY_COLUMNS), what, (m) => io.note(m), ctx)
  if (f.since !== undefined && !f.history && !f.attribution && !f.realized) throw new UserError('--since needs --history, --realized or --attribution')
  if (f.days !== undefined && !f.history && !f.realized) throw new UserError('--days needs --history or --realized')
  if (f.realized) {
    const [{realizedService}, {renderRealized}] = await Promise.all([import('../../services/ledger/views.js'), import('../render/ledger.js')])
    const result = await realizedService({...ctx, portfolios: f.portfolio ?? [], since: f.since, year: f.year, days: f.days})
    if (c) await out([...result.positions.map((r) => ({level: 'position', ...r})), ...result.underlyings.map((r) => ({level: 'underlying', ...r})), ...result.months.map((r) => ({level: 'month', ...r})), ...result.portfolios.map((r) => ({level: 'portfolio', ...r}))], REALIZED_COLUMNS, 'realised P&L lines', new Set(['realized', 'realizedBase', 'fees']))
    else io.print(() => renderRealized(result))
    return result
  }
  if (f.history) {
    const [{pnlHistoryService}, {realizedByDay}, {renderPnlHistory}] = await Promise.all([import('../../services/history.js'), import('../../services/ledger/realized-history.js'), import('../render/history.js')])
    const result = await pnlHistoryService({...ctx, days: f.days, since: f.since}, realizedByDay)
    if (c) await out(result.rows, c.PNL_HISTORY_COLUMNS, `${result.rows.length} history rows`)
    else io.print(() => renderPnlHistory(result))
    return result
  }
  if (f.attribution) {
    const [{attributionService}, {renderAttribution}] = await Promise.all([import('../../services/attribution.js'), import('../render/attribution.js')])
    const result = await attributionService({...ctx, since: f.since})
    if (c) await out([...result.positions, ...result.underlyings, ...result.portfolios], c.ATTRIBUTION_COLUMNS, 'attribution lines')
    else io.print(() => renderAttribution(result))
    return result
  }
  const valueAt = f['as-of'] ? parseAsOf(f['as-of'], ctx.config.baseCurrency) : undefined
  const result = await pnlService({...ctx, withWhatif: f['with-whatif'], valueAt, maxAge: f['max-age']})
  warnData(result)
  if (f['fail-on-stale'] && result.stale) process.exitCode = 3
  if (c) await out([...result.positions, ...result.underlyings, ...result.portfolios], c.PNL_COLUMNS, 'P&L lines')
  else io.print(() => renderPnl(result))
  return result
}
