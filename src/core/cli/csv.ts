/*
 * CSV export of position rows (csv-stringify): one header row, the --json field names, unknown
 * numbers as empty cells (never 0).
 */
import {stringify} from 'csv-stringify/sync'
import type {PositionRow} from '../containers/positions.js'

const COLUMNS: (keyof PositionRow)[] = [
  'portfolio', 'symbol', 'brokerSymbol', 'underlying', 'instrumentType', 'quantity', 'multiplier', 'entryPrice', 'markPrice', 'marketValue',
  'unrealizedPnl', 'currency', 'delta', 'gamma', 'theta', 'vega', 'iv', 'dte', 'expiry', 'strike', 'right', 'underlyingPrice', 'underlyingPriceSource', 'greeksSource', 'greeksNote',
]

export function positionsCsv(rows: PositionRow[]): string {
  return stringify(rows, {header: true, columns: COLUMNS, cast: {number: (v) => String(v)}})
}

// ---------------------------------------------------------------------------- every table view

/**
 * CSV of any view's rows. Columns are the --json field names, dotted for a nested field
 * (`health.probItm`); a list is joined with spaces, unknown (null) is an empty cell, never 0.
 */
export function rowsCsv(rows: readonly object[], columns: readonly string[]): string {
  const cell = (row: object, column: string): unknown => {
    let v: unknown = row
    for (const key of column.split('.')) v = v === null || v === undefined ? undefined : (v as Record<string, unknown>)[key]
    if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' && x !== null ? JSON.stringify(x) : String(x))).join('; ')
    if (typeof v === 'number') return Number.isFinite(v) ? String(v) : ''
    if (typeof v === 'boolean') return v ? 'true' : 'false'
    return v === undefined || v === null ? '' : v
  }
  return stringify(rows.map((r) => columns.map((c) => cell(r, c))), {header: true, columns: [...columns]})
}

const ENTRY_GREEKS = ['firstSeenAt', 'quantity', 'entryPrice', 'underlyingPrice', 'iv', 'greeks.delta', 'greeks.gamma', 'greeks.theta', 'greeks.vega', 'greeks.rho', 'greeksSource'].map((k) => `entryGreeks.${k}`)
const HEALTH = ['dte', 'profitCaptured', 'breakeven', 'breakevenDistancePct', 'breakevenDistanceSd', 'intrinsic', 'extrinsic', 'probItm', 'assignmentRisk', 'assignmentNote'].map((k) => `health.${k}`)

/** `positions --csv`: the position row of --json, nested fields dotted. */
const ROW_EXTRA = ['underlyingPriceAsOf', 'settlesAt', 'settlement', 'expired', 'markAsOf', 'markSource']
export const POSITION_VIEW_COLUMNS: readonly string[] = [...COLUMNS, ...ROW_EXTRA, 'dayPnl', 'dayPnlBasis', 'dayPnlBasisPrice', 'dayPnlNote', ...HEALTH, ...ENTRY_GREEKS]

/** `positions --group --csv`: one row per strategy group. */
export const GROUP_COLUMNS: readonly string[] = [
  'portfolio', 'underlying', 'currency', 'strategy', 'legs', 'maxProfit', 'maxLoss', 'unlimitedProfit', 'unlimitedLoss', 'breakevens', 'payoffMethod',
  'delta', 'gamma', 'theta', 'vega', 'missingGreeks', 'unrealizedPnl', 'missingPnl', 'dte', 'expiry', 'notes',
]

/** `whatif list --csv`: the what-if rows of --json (position row + proposal and trade ids). */
export const WHATIF_COLUMNS: readonly string[] = ['proposalId', 'tradeId', ...COLUMNS, ...ROW_EXTRA, ...ENTRY_GREEKS]

/** `portfolios --csv`. */
export const PORTFOLIO_COLUMNS: readonly string[] = ['name', 'broker', 'account', 'kind', 'currency', 'shadows', 'source', 'equity', 'cash', 'positions', 'lastSyncAt', 'lastSyncStatus', 'lastSyncError']

/** `pnl --csv`: position, underlying and portfolio lines of --json, told apart by `level`. */
export const PNL_COLUMNS: readonly string[] = ['level', 'portfolio', 'source', 'symbol', 'underlying', 'currency', 'unrealizedPnl', 'unrealizedPnlBase', 'dayPnl', 'dayPnlBase', 'missing', 'dayPnlMissing', 'expired', 'pricesAsOf']

/** `risk --csv`: the underlying rows of each portfolio (level underlying) and the portfolio row (level portfolio). */
export const RISK_COLUMNS: readonly string[] = [
  'level', 'portfolio', 'kind', 'underlying', 'currency', 'underlyingPrice', 'positions', 'delta', 'gamma', 'theta', 'vega', 'deltaDollars', 'betaWeightedDelta', 'beta',
  'unrealizedPnl', 'missingGreeks', 'equity', 'cash', 'capitalInUse', 'capitalBasis', 'capitalUtilizationPct', 'missingPnl', 'breaches', 'unchecked', 'synced', 'expired', 'pricesAsOf',
]

/** The rows behind `risk --csv`: each portfolio's underlyings, then the portfolio itself. */
export function riskCsvRows(portfolios: readonly {portfolio: string; underlyings: readonly object[]; breaches: readonly {message: string}[]}[]): object[] {
  return portfolios.flatMap((p) => [
    ...p.underlyings.map((u) => ({level: 'underlying', portfolio: p.portfolio, ...u})),
    {...p, level: 'portfolio', underlying: null, breaches: p.breaches.map((b) => b.message)},
  ])
}

/** `pnl --history --csv`: one row per portfolio per date, and the base-currency total of each date. */
export const PNL_HISTORY_COLUMNS: readonly string[] = ['date', 'level', 'portfolio', 'currency', 'equity', 'unrealizedPnl', 'dayPnl', 'missing']

/** `risk --history --csv`. */
export const RISK_HISTORY_COLUMNS: readonly string[] = ['date', 'level', 'portfolio', 'currency', 'delta', 'betaWeightedDelta', 'theta', 'vega', 'missing']

/** `pnl --attribution --csv`: position, underlying and portfolio lines. */
export const ATTRIBUTION_COLUMNS: readonly string[] = [
  'level', 'portfolio', 'symbol', 'underlying', 'currency', 'from', 'days', 'pnl', 'delta', 'gamma', 'theta', 'vega', 'rho', 'explained', 'residual', 'explainedShare', 'missing', 'note',
]
