/*
 * CSV export of position rows (csv-stringify): one header row, the --json field names, unknown
 * numbers as empty cells (never 0), money rounded to cents (JSON keeps full precision), and an
 * output file that can never be the database, the config or an input file.
 */
import {statSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {stringify} from 'csv-stringify/sync'
import type {Config} from '../config/config.js'
import type {PositionRow} from '../containers/positions.js'
import {UserError} from '../errors.js'

const COLUMNS: (keyof PositionRow)[] = [
  'portfolio', 'symbol', 'brokerSymbol', 'underlying', 'instrumentType', 'quantity', 'multiplier', 'entryPrice', 'markPrice', 'marketValue',
  'unrealizedPnl', 'currency', 'delta', 'gamma', 'theta', 'vega', 'iv', 'dte', 'expiry', 'strike', 'right', 'underlyingPrice', 'underlyingPriceSource', 'greeksSource', 'greeksNote',
  'settlesAt', 'settlement', 'expired', 'markAsOf', 'markSource',
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
    return [c, typeof v === 'number' ? csvNumber(v, MONEY.has(c)) : v]
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
