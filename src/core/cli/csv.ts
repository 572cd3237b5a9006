/*
 * CSV export of position rows (csv-stringify): one header row, the --json field names, unknown
 * numbers as empty cells (never 0), money rounded to cents (JSON keeps full precision), and an
 * output file that can never be the database, the config or an input file. Text cells are
 * Excel-safe (csv-output.ts excelSafe: a leading ' before =, +, -, @, tab, CR); numbers stay numbers.
 */
import {statSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {stringify} from 'csv-stringify/sync'
import type {Config} from '../config/config.js'
import type {PositionRow} from '../containers/positions.js'
import {UserError} from '../errors.js'
import {excelSafe} from './csv-output.js'

const COLUMNS: (keyof PositionRow)[] = [
  'portfolio', 'symbol', 'brokerSymbol', 'underlying', 'instrumentType', 'quantity', 'multiplier', 'entryPrice', 'markPrice', 'marketValue',
  'unrealizedPnl', 'currency', 'delta', 'gamma', 'theta', 'vega', 'iv', 'dte', 'expiry', 'strike', 'right', 'underlyingPrice', 'underlyingPriceSource', 'greeksSource', 'greeksNote',
  'settlesAt', 'settlement', 'expired', 'markAsOf', 'markSource', 'pendingSettlement',
]

/** Money columns, rounded to cents; the rest (prices, Greeks, IV) keep their precision. */
const MONEY = new Set<keyof PositionRow>(['marketValue', 'unrealizedPnl'])

/** A number as a CSV cell: money to cents, never "-0". */
export function csvNumber(v: number, money: boolean): string {
  const n = money ? Math.round(v * 100) / 100 : v
  return String(n === 0 ? 0 : n) // -0 (and a loss that rounds to nothing) prints as 0
}

export function positionsCsv(rows: PositionRow[]): string {
  const cells = rows.map((r) => Object.fromEntries(COLUMNS.map((c) => {
    const v = r[c]
    return [c, typeof v === 'number' ? csvNumber(v, MONEY.has(c)) : typeof v === 'string' ? excelSafe(v) : v]
  })))
  return stringify(cells, {header: true, columns: COLUMNS, cast: {boolean: (v) => (v ? 'true' : 'false')}})
}

/**
 * Writes an output file, refusing what would destroy cotrader's own files: the database (and its
 * lock), the config, the quotes file and any portfolio's source export. A missing directory or a
 * directory given as the file is a one-line usage error.
 */
export function writeOutputFile(file: string, text: string, protect: {config: Config; dbPath: string}): string {
  const target = path.resolve(file)
  const dir = path.dirname(target)
  let dirStat
  try {
    dirStat = statSync(dir)
  } catch {
    throw new UserError(`cannot write ${file}: the directory ${dir} does not exist`)
  }
  if (!dirStat.isDirectory()) throw new UserError(`cannot write ${file}: ${dir} is not a directory`)
  const protectedFiles: [string, string][] = [
    [protect.dbPath, 'the database'],
    [protect.config.file, 'the config file'],
    ...(protect.config.market.quotesFile ? [[protect.config.market.quotesFile, 'the quotes file'] as [string, string]] : []),
    ...protect.config.portfolios.flatMap((p) => (p.source ? [[p.source.file, `the export file of portfolio ${p.name}`] as [string, string]] : [])),
  ]
  const existing = statOrNull(target)
  if (existing?.isDirectory()) throw new UserError(`cannot write ${file}: it is a directory`)
  for (const [other, what] of protectedFiles) {
    const o = statOrNull(other)
    const same = path.resolve(other) === target || (existing && o && existing.dev === o.dev && existing.ino === o.ino)
    const sibling = target.startsWith(`${path.resolve(other)}.`) && /\.(lock|lock\.pid|tmp-[^/]*)$/.test(target)
    if (same || sibling) throw new UserError(`refusing to write ${file}: it is ${what}${sibling ? "'s lock or temp file" : ''}; choose another output file`)
  }
  try {
    writeFileSync(target, text)
  } catch (error) {
    throw new UserError(`cannot write ${file}: ${(error as Error).message}`)
  }
  return target
}

function statOrNull(file: string) {
  try {
    return statSync(file)
  } catch {
    return null
  }
}

// ---------------------------------------------------------------------------- every table view

/**
 * CSV of any view's rows. Columns are the --json field names, dotted for a nested field
 * (`health.probItm`); a list is joined with "; " (objects in it as JSON), unknown (null) is an empty
 * cell, never 0. Columns named in `money` are rounded to cents (JSON keeps full precision); no cell is "-0".
 */
export function rowsCsv(rows: readonly object[], columns: readonly string[], money: ReadonlySet<string> = new Set()): string {
  const cell = (row: object, column: string): unknown => {
    let v: unknown = row
    for (const key of column.split('.')) v = v === null || v === undefined ? undefined : (v as Record<string, unknown>)[key]
    if (Array.isArray(v)) return excelSafe(v.map((x) => (typeof x === 'object' && x !== null ? JSON.stringify(x) : String(x))).join('; '))
    if (typeof v === 'number') return Number.isFinite(v) ? csvNumber(v, money.has(column)) : ''
    if (typeof v === 'boolean') return v ? 'true' : 'false'
    if (typeof v === 'string') return excelSafe(v)
    return v === undefined || v === null ? '' : typeof v === 'object' ? excelSafe(JSON.stringify(v)) : v
  }
  return stringify(rows.map((r) => columns.map((c) => cell(r, c))), {header: true, columns: [...columns]})
}

const ENTRY_GREEKS = ['firstSeenAt', 'quantity', 'entryPrice', 'underlyingPrice', 'iv', 'greeks.delta', 'greeks.gamma', 'greeks.theta', 'greeks.vega', 'greeks.rho', 'greeksSource'].map((k) => `entryGreeks.${k}`)
const HEALTH = ['dte', 'profitCaptured', 'breakeven', 'breakevenDistancePct', 'breakevenDistanceSd', 'intrinsic', 'extrinsic', 'probItm', 'assignmentRisk', 'assignmentNote'].map((k) => `health.${k}`)

/** `positions --csv`: the position row of --json, nested fields dotted. */
// Row fields the base position columns may not list yet (each column once).
const ROW_EXTRA = ['underlyingPriceAsOf', 'settlesAt', 'settlement', 'expired', 'markAsOf', 'markSource'].filter((c) => !(COLUMNS as string[]).includes(c))
// Per-Greek provenance, the deliverable of a non-standard option and the not-understood marker
// (docs/TASTYTRADE.md): empty cells when the row has none (standard contract, Greeks unknown).
const INSTRUMENT_EXTRA = [
  'settlementKind', ...['delta', 'gamma', 'theta', 'vega', 'rho'].map((k) => `greeksSources.${k}`), ...['shares', 'underlying', 'cash'].map((k) => `deliverable.${k}`), 'opaque',
]
export const POSITION_VIEW_COLUMNS: readonly string[] = [...COLUMNS, ...ROW_EXTRA, ...INSTRUMENT_EXTRA, 'dayPnl', 'dayPnlBasis', 'dayPnlBasisPrice', 'dayPnlNote', ...HEALTH, ...ENTRY_GREEKS]

/** `positions --group --csv`: one row per strategy group. */
export const GROUP_COLUMNS: readonly string[] = [
  'portfolio', 'underlying', 'currency', 'strategy', 'legs', 'maxProfit', 'maxLoss', 'unlimitedProfit', 'unlimitedLoss', 'breakevens', 'payoffMethod',
  'delta', 'gamma', 'theta', 'vega', 'missingGreeks', 'unrealizedPnl', 'missingPnl', 'dte', 'expiry', 'notes',
]

/** `whatif list --csv`: the what-if rows of --json (position row + proposal and trade ids). */
export const WHATIF_COLUMNS: readonly string[] = ['proposalId', 'tradeId', ...COLUMNS, ...ROW_EXTRA, ...INSTRUMENT_EXTRA, ...ENTRY_GREEKS]

/** `portfolios --csv`. */
export const PORTFOLIO_COLUMNS: readonly string[] = ['name', 'broker', 'account', 'kind', 'currency', 'shadows', 'source', 'equity', 'cash', 'positions', 'lastSyncAt', 'lastSyncStatus', 'lastSyncError']

/** `pnl --csv`: position, underlying and portfolio lines of --json, told apart by `level`. */
export const PNL_COLUMNS: readonly string[] = ['level', 'portfolio', 'source', 'symbol', 'underlying', 'currency', 'unrealizedPnl', 'unrealizedPnlBase', 'dayPnl', 'dayPnlBase', 'missing', 'dayPnlMissing', 'expired', 'pricesAsOf']

/** `risk --csv`: the underlying rows of each portfolio (level underlying) and the portfolio row (level portfolio). */
export const RISK_COLUMNS: readonly string[] = [
  'level', 'portfolio', 'kind', 'underlying', 'currency', 'underlyingPrice', 'positions', 'delta', 'gamma', 'theta', 'vega', 'deltaDollars', 'betaWeightedDelta', 'beta',
  'unrealizedPnl', 'missingGreeks', 'equity', 'cash', 'capitalInUse', 'capitalBasis', 'capitalUtilizationPct', 'missingPnl', 'missingBeta', 'breaches', 'unchecked', 'synced', 'expired', 'pricesAsOf',
]

/** The rows behind `risk --csv`: each portfolio's underlyings, then the portfolio itself. */
export function riskCsvRows(portfolios: readonly {portfolio: string; underlyings: readonly object[]; breaches: readonly {message: string}[]}[]): object[] {
  return portfolios.flatMap((p) => [
    ...p.underlyings.map((u) => ({level: 'underlying', portfolio: p.portfolio, ...u})),
    {...p, level: 'portfolio', underlying: null, breaches: p.breaches.map((b) => b.message)},
  ])
}

/** `pnl --history --csv`: one row per portfolio per date, and the base-currency total of each date. */
export const PNL_HISTORY_COLUMNS: readonly string[] = ['date', 'level', 'portfolio', 'currency', 'equity', 'unrealizedPnl', 'dayPnl', 'missing', 'equityMissing', 'unrealizedPnlMissing', 'dayPnlMissing', 'realizedPnl', 'realizedMissing', 'fxAtToday']

/** `risk --history --csv`. */
export const RISK_HISTORY_COLUMNS: readonly string[] = ['date', 'level', 'portfolio', 'currency', 'delta', 'betaWeightedDelta', 'theta', 'vega', 'missing']

/** `pnl --attribution --csv`: position, underlying and portfolio lines. */
export const ATTRIBUTION_COLUMNS: readonly string[] = [
  'level', 'portfolio', 'symbol', 'underlying', 'currency', 'from', 'days', 'pnl', 'delta', 'gamma', 'theta', 'vega', 'rho', 'explained', 'residual', 'explainedShare', 'missing', 'note',
]

/** Money columns of the views above (money in the row's currency), rounded to cents in CSV. */
export const MONEY_COLUMNS: ReadonlySet<string> = new Set([
  'marketValue', 'unrealizedPnl', 'unrealizedPnlBase', 'dayPnl', 'dayPnlBase', 'equity', 'cash', 'capitalInUse', 'deltaDollars',
  'maxProfit', 'maxLoss', 'pnl', 'explained', 'residual',
])
