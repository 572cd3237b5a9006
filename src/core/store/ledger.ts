/*
 * The ledger's tables (migration 9): append-only events and the links between them. Appending is
 * idempotent by (portfolio, key): an event already stored with the same content is a duplicate and
 * adds nothing; one stored under the same key with other content is a conflict, returned (never
 * overwritten) so the caller can name both and roll its transaction back.
 */
import type {Db} from './database.js'
import type {EventDraft, EventKind, LedgerEvent, LedgerLink, LinkKind} from '../domain/ledger/events.js'

export interface AppendConflict {
  key: string
  stored: LedgerEvent
  incoming: EventDraft
}

export interface AppendResult {
  /** ids of the events added, in the order given */
  added: number[]
  /** how many were already stored with the same content */
  duplicates: number
  conflicts: AppendConflict[]
}

/** The fields that must agree for an event stored under the same key to be the same event. */
function sameContent(a: EventDraft, b: EventDraft): boolean {
  const eq = (x: number | null, y: number | null): boolean => (x === null || y === null ? x === y : Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x)))
  return a.kind === b.kind && a.symbol === b.symbol && eq(a.quantity, b.quantity) && eq(a.price, b.price) && eq(a.amount, b.amount) && a.tradeDate === b.tradeDate && a.currency === b.currency
}

const INSERT = `INSERT INTO ledger_events (portfolio, account, source, source_ref, broker_id, key, kind, provisional, at, time_known, trade_date, symbol, broker_symbol,
    instrument_type, underlying, expiry, strike, option_right, style, quantity, price, multiplier, currency, amount, fee_commission, fee_clearing, fee_regulatory,
    fee_exchange, fee_other, order_id, position_effect, ratio_from, ratio_to, new_symbol, description, broker_realized_pnl, recorded_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

const BATCH = 200
const COLUMNS = INSERT.slice(INSERT.indexOf('('), INSERT.indexOf(')') + 1)

/**
 * Rows as one multi-row INSERT with the values written as SQL literals: binding 37 parameters a row
 * through sql.js costs a call into WebAssembly per value, which made a 100,000-row import take tens of
 * seconds; SQLite parses literals in C. Text is quoted (' doubled); a value that cannot be written as a
 * literal (a NUL in text, a non-finite number) sends that row through the bound INSERT instead.
 */
function insertRows(db: Db, rows: unknown[][]): void {
  let literal: string[] = []
  const flush = () => {
    if (literal.length > 0) db.runOnce(`INSERT INTO ledger_events ${COLUMNS} VALUES ${literal.join(', ')}`)
    literal = []
  }
  for (const r of rows) {
    const cells: string[] = []
    let ok = true
    for (const v of r) {
      if (v === null || v === undefined) cells.push('NULL')
      else if (typeof v === 'number') {
        if (!Number.isFinite(v)) ok = false
        cells.push(String(v))
      } else {
        const t = String(v)
        if (t.includes('\u0000')) ok = false
        cells.push(`'${t.replace(/'/g, "''")}'`)
      }
    }
    if (ok) literal.push(`(${cells.join(', ')})`)
    else {
      flush() // keep insertion order (ids follow it)
      db.run(INSERT, r)
    }
  }
  flush()
}

/** Appends events (inside the caller's write transaction); duplicates are skipped, conflicts returned and not written. */
export function appendEvents(db: Db, events: EventDraft[], now: string): AppendResult {
  const out: AppendResult = {added: [], duplicates: 0, conflicts: []}
  if (events.length === 0) return out
  // The keys already stored for these portfolios, in one query per portfolio (a 100,000-row import
  // must not pay a lookup per row); only a key found there is fetched whole and compared.
  const stored = new Map<string, Set<string>>()
  for (const p of new Set(events.map((e) => e.portfolio))) stored.set(p, new Set(db.all<{key: string}>('SELECT key FROM ledger_events WHERE portfolio = ?', [p]).map((r) => r.key)))
  let inserted = 0
  let batch: unknown[][] = []
  const flush = () => {
    if (batch.length > 0) insertRows(db, batch)
    batch = []
  }
  for (const e of events) {
    const keys = stored.get(e.portfolio)!
    if (keys.has(e.key)) {
      const row = db.get<Record<string, any>>('SELECT * FROM ledger_events WHERE portfolio = ? AND key = ?', [e.portfolio, e.key])
      if (row) {
        const s = rowToEvent(row)
        if (sameContent(s, e)) out.duplicates++
        else out.conflicts.push({key: e.key, stored: s, incoming: e})
        continue
      }
      flush() // the key was added by this call: let the store see the rows before it
      const again = db.get<Record<string, any>>('SELECT * FROM ledger_events WHERE portfolio = ? AND key = ?', [e.portfolio, e.key])
      if (again) {
        const s = rowToEvent(again)
        if (sameContent(s, e)) out.duplicates++
        else out.conflicts.push({key: e.key, stored: s, incoming: e})
        continue
      }
    }
    const f = e.fees
    batch.push([
      e.portfolio, e.account, e.source, e.sourceRef, e.brokerId, e.key, e.kind, e.provisional ? 1 : 0, e.at, e.timeKnown ? 1 : 0, e.tradeDate, e.symbol, e.brokerSymbol,
      e.instrumentType, e.underlying, e.option?.expiry ?? null, e.option?.strike ?? null, e.option?.right ?? null, e.option?.style ?? null, e.quantity, e.price,
      e.multiplier, e.currency, e.amount, f.commission, f.clearing, f.regulatory, f.exchange, f.other, e.orderId, e.positionEffect, e.ratio?.from ?? null,
      e.ratio?.to ?? null, e.newSymbol ?? null, e.description, e.brokerRealizedPnl, now,
    ])
    if (batch.length >= BATCH) flush()
    keys.add(e.key)
    inserted++
    out.added.push(inserted)
  }
  flush()
  // Ids of one writer's inserts in one transaction are consecutive (AUTOINCREMENT): the last one names them all.
  if (inserted > 0) {
    const last = db.lastInsertId()
    out.added = out.added.map((n) => last - inserted + n)
  }
  return out
}

export interface EventFilter {
  portfolio?: string | string[]
  underlying?: string
  kind?: EventKind | EventKind[]
  /** trade date on or after, YYYY-MM-DD */
  since?: string
  /** trade date on or before, YYYY-MM-DD */
  until?: string
}

/** Events in time order (at, then id). */
export function loadEvents(db: Db, f: EventFilter = {}): LedgerEvent[] {
  const where: string[] = []
  const params: unknown[] = []
  const list = (col: string, v: string | string[] | undefined): void => {
    if (v === undefined) return
    const vs = Array.isArray(v) ? v : [v]
    where.push(`${col} IN (${vs.map(() => '?').join(', ')})`)
    params.push(...vs)
  }
  list('portfolio', f.portfolio)
  list('kind', f.kind)
  if (f.underlying !== undefined) {
    where.push('underlying = ?')
    params.push(f.underlying)
  }
  if (f.since !== undefined) {
    where.push('trade_date >= ?')
    params.push(f.since)
  }
  if (f.until !== undefined) {
    where.push('trade_date <= ?')
    params.push(f.until)
  }
  const sql = `SELECT * FROM ledger_events${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY at, id`
  const {columns, rows} = db.table(sql, params)
  return rows.map((values) => {
    const r: Record<string, any> = {}
    for (let i = 0; i < columns.length; i++) r[columns[i]] = values[i]
    return rowToEvent(r)
  })
}

/** The trade date of a portfolio's latest event from a source (incremental API pulls start a few days before it); null = none. */
export function lastEventDate(db: Db, portfolio: string, source: LedgerEvent['source']): string | null {
  return db.get<{d: string | null}>('SELECT MAX(trade_date) AS d FROM ledger_events WHERE portfolio = ? AND source = ?', [portfolio, source])?.d ?? null
}

/** Records a link; a link already recorded is left as it is. */
export function addLink(db: Db, from: number, to: number, kind: LinkKind, now: string): void {
  db.run('INSERT OR IGNORE INTO ledger_links (from_id, to_id, kind, at) VALUES (?, ?, ?, ?)', [from, to, kind, now])
}

export function loadLinks(db: Db): LedgerLink[] {
  return db.all<{from_id: number; to_id: number; kind: LinkKind; at: string}>('SELECT * FROM ledger_links ORDER BY at, from_id').map((r) => ({from: r.from_id, to: r.to_id, kind: r.kind, at: r.at}))
}

export function rowToEvent(r: Record<string, any>): LedgerEvent {
  return {
    id: r.id, portfolio: r.portfolio, account: r.account, source: r.source, sourceRef: r.source_ref, brokerId: r.broker_id, key: r.key, kind: r.kind,
    provisional: r.provisional === 1, at: r.at, timeKnown: r.time_known === 1, tradeDate: r.trade_date, symbol: r.symbol, brokerSymbol: r.broker_symbol,
    instrumentType: r.instrument_type, underlying: r.underlying,
    option: r.expiry ? {expiry: r.expiry, strike: r.strike, right: r.option_right, ...(r.style ? {style: r.style} : {})} : undefined,
    quantity: r.quantity, price: r.price, multiplier: r.multiplier, currency: r.currency, amount: r.amount,
    fees: {commission: r.fee_commission, clearing: r.fee_clearing, regulatory: r.fee_regulatory, exchange: r.fee_exchange, other: r.fee_other},
    orderId: r.order_id, positionEffect: r.position_effect,
    ...(r.ratio_from !== null ? {ratio: {from: r.ratio_from, to: r.ratio_to}} : {}),
    ...(r.new_symbol !== null ? {newSymbol: r.new_symbol} : {}),
    description: r.description, brokerRealizedPnl: r.broker_realized_pnl, recordedAt: r.recorded_at,
  }
}
