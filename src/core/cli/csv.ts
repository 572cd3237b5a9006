/*
 * CSV export of position rows (csv-stringify): one header row, the --json field names, unknown
 * numbers as empty cells (never 0).
 */
import {stringify} from 'csv-stringify/sync'
import type {PositionRow} from '../containers/positions.js'

const COLUMNS: (keyof PositionRow)[] = [
  'portfolio', 'symbol', 'brokerSymbol', 'underlying', 'instrumentType', 'quantity', 'multiplier', 'entryPrice', 'markPrice', 'marketValue',
  'unrealizedPnl', 'currency', 'delta', 'gamma', 'theta', 'vega', 'iv', 'dte', 'expiry', 'strike', 'right', 'underlyingPrice', 'underlyingPriceSource', 'greeksSource', 'greeksNote',
  'settlesAt', 'settlement', 'expired', 'markAsOf', 'markSource',
]

export function positionsCsv(rows: PositionRow[]): string {
  return stringify(rows, {header: true, columns: COLUMNS, cast: {number: (v) => String(v), boolean: (v) => (v ? 'true' : 'false')}})
}
