/*
 * The ledger's tables (migration 9): append-only events and the links between them. Appending is
 * idempotent by (portfolio, key): an event already stored with the same content is a duplicate and
 * adds nothing; one stored under the same key with other content is a conflict, returned (never
 * overwritten) so the caller can name both and roll its transaction back.
 */
import type {Db} from './database.js'
import type {EventDraft, EventKind, LedgerEvent, LedgerLink, LinkKind} from '../domain/ledger/events.js'
import type {LotEvent} from '../domain/ledger/lots.js'

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

/** The columns an event is stored in, in the order rowOf gives their values. */
const COLUMNS = [
  'portfolio', 'account', 'source', 'source_ref', 'broker_id', 'key', 'kind', 'provisional', 'at', 'time_known', 'trade_date', 'symbol', 'broker_symbol',
  'instrument_type', 'underlying', 'expiry', 'strike', 'option_right', 'style', 'quantity', 'price', 'multiplier', 'currency', 'amount', 'fee_commission',
  'fee_clearing', 'fee_regulatory', 'fee_exchange', 'fee_other', 'order_id', 'position_effect', 'ratio_from', 'ratio_to', 'new_symbol', 'description',
  'broker_realized_pnl', 'recorded_at',
] as const

function rowOf(e: EventDraft, now: string): (string | number | null)[] {
  const f = e.fees
  return [
    e.portfolio, e.account, e.source, e.sourceRef, e.brokerId, e.key, e.kind, e.provisional ? 1 : 0, e.at, e.timeKnown ? 1 : 0, e.tradeDate, e.symbol, e.brokerSymbol,
    e.instrumentType, e.underlying, e.option?.expiry ?? null, e.option?.strike ?? null, e.option?.right ?? null, e.option?.style ?? null, e.quantity, e.price,
    e.multiplier, e.currency, e.amount, f.commission, f.clearing, f.regulatory, f.exchange, f.other, e.orderId, e.positionEffect, e.ratio?.from ?? null,
    e.ratio?.to ?? null, e.newSymbol ?? null, e.description, e.brokerRealizedPnl, now,
  ]
}

/** A value every new row of one append shares: a text or an integer, written into the INSERT as a literal. */
type Fixed = string | number | undefined

/** The SQL literal of a shared value (texts quoted, ' doubled; only integers other than -0, so no number is re-read differently). */
function literal(v: string | number): string {
  return typeof v === 'number' ? String(v) : `'${v.replace(/'/g, "''")}'`
}

/**
 * Per column, the value every row shares (undefined: not shared, or NULL, or a fraction). Binding a
 * value is the dearest part of an insert through sql.js (each text is copied into a fresh allocation
 * in WebAssembly, freed at the next row): a callgrind count of 20,000 inserts of 37 columns puts
 * binding at two thirds of SQLite's share. The portfolio, source, account, currency and the recording
 * time are the same for a whole file, so they are written once into the statement's text instead.
 */
function sharedValues(events: EventDraft[], now: string): Fixed[] {
  const fixed: Fixed[] = rowOf(events[0], now).map((v) =>
    v === null || (typeof v === 'number' && (!Number.isSafeInteger(v) || Object.is(v, -0))) || (typeof v === 'string' && v.includes('\0')) ? undefined : v,
  )
  // Rows are built again per event rather than kept: 100,000 arrays of 37 held at once were old-space garbage.
  for (let n = 1; n < events.length; n++) {
    const row = rowOf(events[n], now)
    for (let i = 0; i < row.length; i++) if (fixed[i] !== undefined && row[i] !== fixed[i]) fixed[i] = undefined
  }
  return fixed
}

/**
 * The INSERT of one append for a shape: the set of columns that are neither shared nor NULL (a bit per
 * column of COLUMNS). A column left out of the text takes its default, NULL for every nullable one, so
 * a NULL is never bound either. A file's events come in a handful of shapes; Db.run keeps one
 * prepared statement per text.
 */
function insertOf(shape: number, fixed: Fixed[]): string {
  const names: string[] = []
  const values: string[] = []
  for (let i = 0; i < COLUMNS.length; i++) {
    const f = fixed[i]
    if (f !== undefined) {
      names.push(COLUMNS[i])
      values.push(literal(f))
    } else if (shape % 2 ** (i + 1) >= 2 ** i) {
      names.push(COLUMNS[i])
      values.push('?')
    }
  }
  return `INSERT INTO ledger_events (${names.join(', ')}) VALUES (${values.join(', ')})`
}

/**
 * An append this large (new rows, and at least as many as the table holds already) drops the
 * (portfolio, key) index and builds it again after the inserts: SQLite then sorts the keys once
 * instead of a random B-tree insert per row (bench/ledger.mjs: about a fifth of a 100,000-row
 * import). The index is built inside the same transaction, so a duplicate key still fails it.
 */
const REBUILD_INDEX_FROM = 1000

/** The key and the content columns sameStored compares, as stored (JSON array per row, see storedContent). */
type StoredContent = [key: string, kind: string, symbol: string | null, quantity: number | null, price: number | null, amount: number | null, tradeDate: string, currency: string]

/**
 * The keys already stored for a portfolio, each with the content sameStored compares. One query
 * returning ONE JSON text (SQLite builds it in C): reading 100,000 rows column by column through
 * sql.js costs a call into WebAssembly and a UTF-8 decode in JavaScript per value, seconds for a
 * re-import; one text decoded once and JSON.parse take a few tens of ms. Numbers come back with
 * SQLite's 15 significant digits, well inside sameStored's tolerance.
 */
function storedContent(db: Db, portfolio: string): Map<string, StoredContent> {
  const j = db.get<{j: string | null}>(
    'SELECT json_group_array(json_array(key, kind, symbol, quantity, price, amount, trade_date, currency)) AS j FROM ledger_events WHERE portfolio = ?',
    [portfolio],
  )?.j
  const out = new Map<string, StoredContent>()
  for (const r of JSON.parse(j ?? '[]') as StoredContent[]) out.set(r[0], r)
  return out
}

function contentOf(e: EventDraft): StoredContent {
  return [e.key, e.kind, e.symbol, e.quantity, e.price, e.amount, e.tradeDate, e.currency]
}

/** The fields that must agree for an event stored under the same key to be the same event (numbers within 1e-9 relative). */
function sameStored(s: StoredContent, e: EventDraft): boolean {
  const eq = (x: number | null, y: number | null): boolean => (x === null || y === null ? x === y : Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x)))
  return s[1] === e.kind && s[2] === e.symbol && eq(s[3], e.quantity) && eq(s[4], e.price) && eq(s[5], e.amount) && s[6] === e.tradeDate && s[7] === e.currency
}

/**
 * Appends events (inside the caller's write transaction); duplicates are skipped, conflicts returned and not written.
 *
 * Speed (bench/ledger.mjs, 100,000 rows): the stored keys are read once per portfolio (storedContent),
 * each new row goes through a prepared INSERT of its shape (insertOf, values shared by the whole append
 * written in as literals; Db.run caches them by text), and
 * a large append builds the key index once at the end (REBUILD_INDEX_FROM).
 * Measured against the alternatives in sql.js: multi-row INSERTs with the values written as SQL
 * literals cost ~1.5× as much (each 200-row text is copied into WebAssembly by a character loop in
 * JavaScript and parsed by SQLite), and a JSON text per row or per batch unpacked by SQLite ~2.5×.
 */
export function appendEvents(db: Db, events: EventDraft[], now: string): AppendResult {
  const out: AppendResult = {added: [], duplicates: 0, conflicts: []}
  if (events.length === 0) return out
  const stored = new Map<string, Map<string, StoredContent>>()
  for (const p of new Set(events.map((e) => e.portfolio))) stored.set(p, storedContent(db, p))
  const fresh: EventDraft[] = []
  const clashing: EventDraft[] = []
  for (const e of events) {
    const keys = stored.get(e.portfolio)!
    const s = keys.get(e.key)
    if (s !== undefined) {
      // Stored before, or earlier in this call (then its content is the draft's, and it is in the table already).
      if (sameStored(s, e)) out.duplicates++
      else clashing.push(e)
      continue
    }
    keys.set(e.key, contentOf(e))
    fresh.push(e)
  }
  if (fresh.length > 0) out.added = insertRows(db, fresh, now)
  // Read after the inserts: the row a conflict names may be one given earlier in this call.
  for (const e of clashing) {
    const stored = rowToEvent(db.get<Record<string, any>>('SELECT * FROM ledger_events WHERE portfolio = ? AND key = ?', [e.portfolio, e.key])!)
    out.conflicts.push({key: e.key, stored, incoming: e})
  }
  return out
}

/** Inserts new rows (keys checked by the caller); their ids in the order given. */
function insertRows(db: Db, fresh: EventDraft[], now: string): number[] {
  // No AUTOINCREMENT and no deletes (migration 14): each new row's id is the largest so far + 1.
  const base = db.get<{n: number | null}>('SELECT MAX(id) AS n FROM ledger_events')?.n ?? 0
  const rebuild = fresh.length >= REBUILD_INDEX_FROM && fresh.length >= base
  if (rebuild) db.run('DROP INDEX ledger_events_key')
  const fixed = sharedValues(fresh, now)
  const texts = new Map<number, string>()
  for (const e of fresh) {
    const row = rowOf(e, now)
    const params: (string | number)[] = []
    let shape = 0
    for (let i = 0; i < row.length; i++) {
      const v = row[i]
      if (v === null || fixed[i] !== undefined) continue
      shape += 2 ** i
      params.push(v)
    }
    let sql = texts.get(shape)
    if (sql === undefined) texts.set(shape, (sql = insertOf(shape, fixed)))
    db.run(sql, params)
  }
  if (rebuild) db.run('CREATE UNIQUE INDEX ledger_events_key ON ledger_events (portfolio, key)')
  return fresh.map((_, n) => base + n + 1)
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

/** The WHERE clause of a filter, with its parameters. */
function whereOf(f: EventFilter): {sql: string; params: unknown[]} {
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
  return {sql: where.length ? ` WHERE ${where.join(' AND ')}` : '', params}
}

/** Events in time order (at, then id). */
export function loadEvents(db: Db, f: EventFilter = {}): LedgerEvent[] {
  const w = whereOf(f)
  const {columns, rows} = db.table(`SELECT * FROM ledger_events${w.sql} ORDER BY at, id`, w.params)
  return eventsFromTable(columns, rows)
}

/**
 * Events in time order with only what booking lots reads (LotEvent): `pnl --realized` over 20,000
 * events spent most of its time reading and building the 38 columns of each (the key, source
 * reference, description and account are long strings that lots never look at).
 */
export function loadLotEvents(db: Db, f: EventFilter = {}): LotEvent[] {
  const w = whereOf(f)
  const {rows} = db.table(
    `SELECT id, portfolio, source, kind, provisional, at, trade_date, symbol, instrument_type, underlying, expiry, strike, option_right, style, quantity, price, multiplier,
      currency, amount, fee_commission, fee_clearing, fee_regulatory, fee_exchange, fee_other, order_id, position_effect, ratio_from, ratio_to, new_symbol, broker_realized_pnl
    FROM ledger_events${w.sql} ORDER BY at, id`,
    w.params,
  )
  const out: LotEvent[] = new Array(rows.length)
  for (let n = 0; n < rows.length; n++) {
    const r = rows[n] as any[]
    const e: LotEvent = {
      id: r[0], portfolio: r[1], source: r[2], kind: r[3], provisional: r[4] === 1, at: r[5], tradeDate: r[6], symbol: r[7], instrumentType: r[8], underlying: r[9],
      option: r[10] ? (r[13] ? {expiry: r[10], strike: r[11], right: r[12], style: r[13]} : {expiry: r[10], strike: r[11], right: r[12]}) : undefined,
      quantity: r[14], price: r[15], multiplier: r[16], currency: r[17], amount: r[18], fees: {commission: r[19], clearing: r[20], regulatory: r[21], exchange: r[22], other: r[23]},
      orderId: r[24], positionEffect: r[25], brokerRealizedPnl: r[29],
    }
    if (r[26] !== null) e.ratio = {from: r[26], to: r[27]}
    if (r[28] !== null) e.newSymbol = r[28]
    out[n] = e
  }
  return out
}

/**
 * rowToEvent for rows as arrays (Db.table): the column positions are looked up once, and each event is
 * built in one literal (a per-row object keyed by 38 column names was most of the cost of reading
 * 20,000 events). Same objects, same key order as rowToEvent.
 */
function eventsFromTable(columns: string[], rows: unknown[][]): LedgerEvent[] {
  const at = (name: string): number => {
    const i = columns.indexOf(name)
    if (i < 0) throw new Error(`ledger_events has no column ${name}`)
    return i
  }
  const [id, portfolio, account, source, sourceRef, brokerId, key, kind, provisional, when, timeKnown, tradeDate, symbol, brokerSymbol, instrumentType, underlying] = [
    'id', 'portfolio', 'account', 'source', 'source_ref', 'broker_id', 'key', 'kind', 'provisional', 'at', 'time_known', 'trade_date', 'symbol', 'broker_symbol', 'instrument_type', 'underlying',
  ].map(at)
  const [expiry, strike, right, style, quantity, price, multiplier, currency, amount, commission, clearing, regulatory, exchange, other, orderId, positionEffect] = [
    'expiry', 'strike', 'option_right', 'style', 'quantity', 'price', 'multiplier', 'currency', 'amount', 'fee_commission', 'fee_clearing', 'fee_regulatory', 'fee_exchange', 'fee_other', 'order_id', 'position_effect',
  ].map(at)
  const [ratioFrom, ratioTo, newSymbol, description, brokerRealizedPnl, recordedAt] = ['ratio_from', 'ratio_to', 'new_symbol', 'description', 'broker_realized_pnl', 'recorded_at'].map(at)
  const out: LedgerEvent[] = new Array(rows.length)
  for (let n = 0; n < rows.length; n++) {
    const r = rows[n] as any[]
    const e: LedgerEvent = {
      id: r[id], portfolio: r[portfolio], account: r[account], source: r[source], sourceRef: r[sourceRef], brokerId: r[brokerId], key: r[key], kind: r[kind],
      provisional: r[provisional] === 1, at: r[when], timeKnown: r[timeKnown] === 1, tradeDate: r[tradeDate], symbol: r[symbol], brokerSymbol: r[brokerSymbol],
      instrumentType: r[instrumentType], underlying: r[underlying],
      option: r[expiry] ? {expiry: r[expiry], strike: r[strike], right: r[right], ...(r[style] ? {style: r[style]} : {})} : undefined,
      quantity: r[quantity], price: r[price], multiplier: r[multiplier], currency: r[currency], amount: r[amount],
      fees: {commission: r[commission], clearing: r[clearing], regulatory: r[regulatory], exchange: r[exchange], other: r[other]},
      orderId: r[orderId], positionEffect: r[positionEffect],
      ...(r[ratioFrom] !== null ? {ratio: {from: r[ratioFrom], to: r[ratioTo]}} : {}),
      ...(r[newSymbol] !== null ? {newSymbol: r[newSymbol]} : {}),
      description: r[description], brokerRealizedPnl: r[brokerRealizedPnl], recordedAt: r[recordedAt],
    }
    out[n] = e
  }
  return out
}

/**
 * The events of a portfolio that matching provisional settlements can look at (services/ledger-provisional.ts),
 * in time order: the provisional events and live trades (cotrader's own guesses), every event on a
 * symbol one of them names (the broker's settlement, stock delivery or fill), and every settlement-kind
 * event (they resolve unsettled expiries). An import of 100,000 trades reads none of its trades back
 * here (it read all of them before: ~40 % of the import's time). Empty when the portfolio has no
 * provisional event, no live trade and `settlements` is false.
 */
export function loadSettlementCandidates(db: Db, portfolio: string, settlements: boolean): LedgerEvent[] {
  const kinds = settlements ? ` OR kind IN ('expiration', 'assignment', 'exercise', 'cash_settlement')` : ''
  const {columns, rows} = db.table(
    `SELECT * FROM ledger_events WHERE portfolio = ? AND (provisional = 1 OR source = 'live' OR symbol IN (SELECT symbol FROM ledger_events WHERE portfolio = ? AND (provisional = 1 OR source = 'live'))${kinds}) ORDER BY at, id`,
    [portfolio, portfolio],
  )
  return eventsFromTable(columns, rows)
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
