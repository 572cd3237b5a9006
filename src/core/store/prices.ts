/*
 * price_history (daily closes per symbol) and var_results (the latest VaR of each portfolio).
 * Rows only; the services decide what to write. Run inside readDb/writeDb callbacks.
 */
import type {PricePoint, PriceHistory} from '../domain/var.js'
import type {Db} from './database.js'
import type {History} from './history.js'

export interface PriceRow {
  symbol: string
  /** YYYY-MM-DD */
  date: string
  /** per unit */
  close: number
  /** fraction; null = unknown */
  iv: number | null
  /** 'import' | 'candle' */
  source: string
}

/** Upserts closes (a later write of the same symbol and date replaces it). */
export function upsertPrices(db: Db, rows: PriceRow[]): void {
  for (const r of rows)
    db.run(
      `INSERT INTO price_history (symbol, date, close, iv, source) VALUES (:symbol, :date, :close, :iv, :source)
       ON CONFLICT(symbol, date) DO UPDATE SET close = excluded.close, iv = COALESCE(excluded.iv, price_history.iv), source = excluded.source`,
      {symbol: r.symbol, date: r.date, close: r.close, iv: r.iv, source: r.source},
    )
  // Every write of closes bumps the version VaR's inputs key reads (priceHistoryVersion).
  if (rows.length > 0) db.run(`INSERT INTO meta (key, value) VALUES ('${VERSION_KEY}', '1') ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1`)
}

const VERSION_KEY = 'price_history_version'

/** Closes of the given symbols from `from` (inclusive) on, oldest first. */
export function loadPriceHistory(db: Db, symbols: string[], from?: string): PriceHistory {
  const out: PriceHistory = new Map()
  for (const symbol of symbols) {
    const rows = db.all<{date: string; close: number; iv: number | null}>(
      'SELECT date, close, iv FROM price_history WHERE symbol = :symbol AND date >= :from ORDER BY date',
      {symbol, from: from ?? ''},
    )
    out.set(symbol, rows.map((r): PricePoint => ({date: r.date, close: r.close, iv: r.iv})))
  }
  return out
}

/** Latest stored date per symbol. */
export function lastPriceDates(db: Db): Map<string, string> {
  return new Map(db.all<{symbol: string; d: string}>('SELECT symbol, MAX(date) AS d FROM price_history GROUP BY symbol').map((r) => [r.symbol, r.d]))
}

/**
 * A cheap fingerprint of the price history: the version upsertPrices bumps on every write of
 * closes (one row of meta: `risk` reads it on every run, and an aggregate over the whole table
 * cost ~100 ms there with a year of demo history, sql.js compiling its scan code each time), and
 * the daily position snapshots (another source of closes; the history files' sizes and mtimes,
 * which change when one is taken, without reading them).
 */
export function priceHistoryVersion(db: Db, history: History): string {
  const v = db.get<{value: string}>(`SELECT value FROM meta WHERE key = '${VERSION_KEY}'`)
  return `v${v?.value ?? 0}/${history.version()}`
}

export interface StoredVar {
  portfolio: string
  computedAt: string
  inputsKey: string
  result: unknown
}

export function saveVar(db: Db, v: StoredVar): void {
  db.run(
    `INSERT INTO var_results (portfolio, computed_at, inputs_key, result_json) VALUES (:portfolio, :computedAt, :inputsKey, :json)
     ON CONFLICT(portfolio) DO UPDATE SET computed_at = excluded.computed_at, inputs_key = excluded.inputs_key, result_json = excluded.result_json`,
    {portfolio: v.portfolio, computedAt: v.computedAt, inputsKey: v.inputsKey, json: JSON.stringify(v.result)},
  )
}

export function loadVars(db: Db): Map<string, StoredVar> {
  const out = new Map<string, StoredVar>()
  for (const r of db.all<{portfolio: string; computed_at: string; inputs_key: string; result_json: string}>('SELECT * FROM var_results'))
    out.set(r.portfolio, {portfolio: r.portfolio, computedAt: r.computed_at, inputsKey: r.inputs_key, result: JSON.parse(r.result_json)})
  return out
}
