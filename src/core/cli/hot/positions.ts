/*
 * positions: flags and body, shared by the oclif command (src/commands/positions.ts) and the fast
 * path (src/fast.ts).
 */
import {renderPositions} from '../render/positions.js'
import {positionsService, type PositionsResult} from '../../services/positions.js'
import {checkCsvTarget, csvFlagSpec, writeCsv} from '../csv-output.js'
import type {CommandIo} from '../io.js'
import type {BaseFlagValues, FlagsSpec, FlagValues} from '../spec.js'
import {parseAsOf, timeFlags, warnData} from '../time-flags.js'

export const flags = {
  portfolio: {type: 'string', char: 'p', description: 'Only this portfolio (repeatable: -p a -p b).', multiple: true},
  underlying: {type: 'string', char: 'u', description: 'Only positions on this underlying.'},
  group: {type: 'boolean', description: "Also group each account's legs per underlying into strategies (vertical, iron condor, covered call, ...) with max profit / loss, break-evens, net Greeks, P&L and DTE."},
  csv: csvFlagSpec,
  ...timeFlags,
} satisfies FlagsSpec

export async function run(f: FlagValues<typeof flags> & BaseFlagValues, io: CommandIo): Promise<PositionsResult> {
  checkCsvTarget(f.csv, io.json)
  const ctx = await io.context(f)
  const valueAt = f['as-of'] ? parseAsOf(f['as-of'], ctx.config.baseCurrency) : undefined
  const result = await positionsService({...ctx, portfolio: f.portfolio, underlying: f.underlying, group: f.group, asOf: io.now(), valueAt, maxAge: f['max-age']})
  if (f.group) {
    // Each strategy's roll chain from the ledger (services/ledger/views.ts); nothing when the ledger is empty.
    const {chainsService} = await import('../../services/ledger/views.js')
    const chains = await chainsService(ctx.config, ctx.dbPath, f.portfolio ?? [])
    result.chains = f.underlying === undefined ? chains : chains.filter((c) => c.underlying === f.underlying!.toUpperCase())
  }
  warnData(result)
  if (f['fail-on-stale'] && result.stale) process.exitCode = 3
  if (f.csv !== undefined) {
    const {rowsCsv, GROUP_COLUMNS, MONEY_COLUMNS, POSITION_VIEW_COLUMNS} = await import('../csv.js') // csv-stringify only when asked for
    const note = (m: string) => io.note(m)
    if (result.groups) await writeCsv(f.csv, rowsCsv(result.groups, GROUP_COLUMNS, MONEY_COLUMNS), `${result.groups.length} strategy groups`, note, ctx)
    else await writeCsv(f.csv, rowsCsv(result.positions, POSITION_VIEW_COLUMNS, MONEY_COLUMNS), `${result.positions.length} positions`, note, ctx)
    return result // under --json the JSON is printed too; the table is not printed with --csv
  }
  io.print(() => renderPositions(result))
  return result
}
