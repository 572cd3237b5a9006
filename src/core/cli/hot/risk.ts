/*
 * risk: flags and body, shared by the oclif command (src/commands/risk.ts) and the fast path
 * (src/fast.ts).
 */
import type {RiskHistoryResult} from '../../services/history.js'
import {riskService, type RiskResult} from '../../services/risk.js'
import {checkCsvTarget, csvFlagSpec, writeCsv} from '../csv-output.js'
import type {CommandIo} from '../io.js'
import {renderRiskView} from '../render/risk.js'
import {stressCsv} from '../render/var.js'
import type {BaseFlagValues, FlagsSpec, FlagValues} from '../spec.js'
import {parseAsOf, timeFlags, warnData} from '../time-flags.js'

export const flags = {
  portfolio: {type: 'string', char: 'p', description: 'Only this portfolio (repeatable: -p a -p b).', multiple: true},
  'with-whatif': {type: 'boolean', description: 'Also show each portfolio with its open what-if trades: before → after.'},
  'fail-on-breach': {type: 'boolean', description: 'Exit with code 3 when any risk limit is breached.'},
  'fail-on-unchecked': {type: 'boolean', description: 'Also exit with code 3 when a limit could not be checked because an input is unknown.', dependsOn: ['fail-on-breach']},
  history: {type: 'boolean', description: 'Daily net delta, beta-weighted delta, theta and vega per portfolio and in the base currency, from the daily snapshots.', exclusive: ['with-whatif', 'fail-on-breach', 'as-of', 'stress', 'var']},
  days: {type: 'integer', description: 'With --history: the last N days (default 30).', min: 1, dependsOn: ['history'], exclusive: ['since']},
  since: {type: 'string', description: 'With --history: from DATE (YYYY-MM-DD).', helpValue: 'DATE', dependsOn: ['history']},
  csv: csvFlagSpec,
  'include-research': {type: 'boolean', description: 'With --fail-on-breach: research portfolios count too (by default only the real book does).', dependsOn: ['fail-on-breach']},
  ...timeFlags,
  var: {type: 'boolean', description: 'Recompute VaR and expected shortfall now, even if the stored figures are current.'},
  stress: {type: 'boolean', description: 'Show the stress grid: P&L per underlying and portfolio under price moves × implied-vol shifts.'},
} satisfies FlagsSpec

export async function run(f: FlagValues<typeof flags> & BaseFlagValues, io: CommandIo): Promise<RiskResult | RiskHistoryResult> {
  const ctx = await io.context(f)
  checkCsvTarget(f.csv, io.json)
  const csv = f.csv
  const c = csv === undefined ? undefined : await import('../csv.js') // csv-stringify only when asked for
  const note = (m: string) => io.note(m)
  if (f.history) {
    const [{riskHistoryService}, {renderRiskHistory}] = await Promise.all([import('../../services/history.js'), import('../render/history.js')])
    const history = await riskHistoryService({...ctx, portfolio: f.portfolio, asOf: io.now(), days: f.days, since: f.since})
    if (c) await writeCsv(csv!, c.rowsCsv(history.rows, c.RISK_HISTORY_COLUMNS, c.MONEY_COLUMNS), `${history.rows.length} history rows`, note, ctx)
    else io.print(() => renderRiskHistory(history))
    return history
  }
  const valueAt = f['as-of'] ? parseAsOf(f['as-of'], ctx.config.baseCurrency) : undefined
  const result = await riskService({...ctx, portfolio: f.portfolio, withWhatif: f['with-whatif'], asOf: io.now(), valueAt, maxAge: f['max-age'], recomputeVar: f.var, stress: f.stress})
  warnData(result)
  // Research portfolios count only when asked (--include-research); the real book always does.
  const research = new Set(ctx.config.portfolios.filter((p) => p.kind === 'research').map((p) => p.name))
  const counted = result.portfolios.filter((p) => f['include-research'] || p.kind !== 'research')
  const unchecked = counted.some((p) => p.unchecked.length > 0)
  const breaches = result.breaches.length + (f['include-research'] ? result.research.breaches.length : 0)
  const notSynced = result.notSynced.filter((n) => f['include-research'] || !research.has(n))
  // A never-synced portfolio cannot pass a limit check: nothing about it is known.
  if (f['fail-on-breach'] && (breaches > 0 || notSynced.length > 0 || (f['fail-on-unchecked'] && unchecked))) process.exitCode = 3
  if (f['fail-on-stale'] && result.stale) process.exitCode = 3
  if (c && result.stress) await writeCsv(csv!, await stressCsv(result.stress), 'the stress grid', note, ctx)
  else if (c) await writeCsv(csv!, c.rowsCsv(c.riskCsvRows(result.portfolios), c.RISK_COLUMNS, c.MONEY_COLUMNS), 'risk rows', note, ctx)
  else io.print(() => renderRiskView(result))
  return result
}
