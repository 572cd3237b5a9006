/*
 * Rows ↔ domain objects. No business rules here: the services decide what to write, these
 * functions only know the tables. All of them run inside readDb/writeDb callbacks.
 */
import type {PortfolioConfig} from '../config/config.js'
import type {Balances, GreeksSource, GreeksSources, InstrumentType, MarkSource, Position, PriceSource, UnitGreeks} from '../domain/types.js'
import type {Trade} from '../domain/trade.js'
import type {Db} from './database.js'

export interface StoredPortfolio {
  name: string
  broker: string
  account: string | null
  currency: string
  kind: string
  balances: Balances
  /** Position totals of the portfolio at the last successful sync (see domain/greeks.ts units). */
  delta: number | null
  gamma: number | null
  theta: number | null
  vega: number | null
  deltaDollars: number | null
  unrealizedPnl: number | null
  positionsCount: number | null
  lastSyncAt: string | null
  lastSyncStatus: string | null
  lastSyncError: string | null
  /** when the prices of the last successful sync were observed (ISO): the export's stamp, else the sync time; null = unknown */
  pricesAsOf?: string | null
}

export interface SyncRun {
  portfolio: string
  startedAt: string
  finishedAt: string
  status: 'ok' | 'failed' | 'skipped'
  positions: number | null
  greeksFeed: number | null
  greeksModel: number | null
  greeksNone: number | null
  error: string | null
}

export interface PortfolioAggregates {
  balances: Balances
  delta: number | null
  gamma: number | null
  theta: number | null
  vega: number | null
  deltaDollars: number | null
  unrealizedPnl: number | null
}

export interface EntryGreeks {
  firstSeenAt: string
  quantity: number | null
  entryPrice: number | null
  underlyingPrice: number | null
  iv: number | null
  greeks: UnitGreeks | null
  greeksSource: GreeksSource
}

/** Keeps the portfolios table in step with the config (static fields only). */
export function upsertPortfolio(db: Db, p: PortfolioConfig, now: string): void {
  db.run(
    `INSERT INTO portfolios (name, broker, account, currency, kind, shadows, updated_at)
     VALUES (:name, :broker, :account, :currency, :kind, :shadows, :now)
     ON CONFLICT(name) DO UPDATE SET broker = excluded.broker, account = excluded.account, currency = excluded.currency,
       kind = excluded.kind, shadows = excluded.shadows, updated_at = excluded.updated_at`,
    {name: p.name, broker: p.broker, account: p.account ?? null, currency: p.currency, kind: p.kind, shadows: p.shadows ?? null, now},
  )
}

/** Replaces every position of one portfolio and records entry Greeks of positions seen for the first time. */
// The bulk insert of a sync (20,000 rows in a big book): positional parameters and one constant SQL text.
// Named parameters cost sql.js one lookup call into the wasm per name and row, and a SQL text built per
// row is a new string to hash in the statement cache every time.
const POSITION_COLUMNS = [
  'portfolio', 'symbol', 'broker_symbol', 'instrument_type', 'underlying', 'quantity', 'multiplier', 'entry_price', 'mark_price', 'previous_close',
  'currency', 'expiry', 'strike', 'option_right', 'style', 'underlying_price', 'underlying_price_source', 'underlying_price_at', 'iv',
  'delta', 'gamma', 'theta', 'vega', 'rho', 'greeks_source', 'greeks_note', 'mark_at', 'mark_source', 'updated_at',
  'deliverable_shares', 'deliverable_underlying', 'deliverable_cash', 'opaque', 'settlement', 'settlement_kind', 'greeks_sources',
] as const
const INSERT_POSITION = `INSERT INTO positions (${POSITION_COLUMNS.join(', ')}) VALUES (${POSITION_COLUMNS.map(() => '?').join(', ')})`
// First sighting only: a later rebuild of the same position keeps the Greeks it was opened with.
const INSERT_ENTRY_GREEKS = `INSERT OR IGNORE INTO entry_greeks (portfolio, symbol, first_seen_at, quantity, entry_price, underlying_price, iv, delta, gamma, theta, vega, rho, greeks_source)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

export function replacePositions(db: Db, portfolio: string, positions: Position[], now: string): void {
  db.run('DELETE FROM positions WHERE portfolio = :portfolio', {portfolio})
  for (const p of positions) {
    const g = p.greeks
    const o = p.option
    const d = p.deliverable
    const delta = g?.delta ?? null
    const gamma = g?.gamma ?? null
    const theta = g?.theta ?? null
    const vega = g?.vega ?? null
    const rho = g?.rho ?? null
    // in POSITION_COLUMNS order
    db.run(INSERT_POSITION, [
      portfolio, p.symbol, p.brokerSymbol, p.instrumentType, p.underlying, p.quantity, p.multiplier, p.entryPrice, p.markPrice, p.previousClose ?? null,
      p.currency, o?.expiry ?? null, o?.strike ?? null, o?.right ?? null, o?.style ?? null, p.underlyingPrice, p.underlyingPriceSource,
      p.underlyingPrice === null ? null : p.underlyingPriceAsOf ?? now, p.iv,
      delta, gamma, theta, vega, rho, p.greeksSource, p.greeksNote ?? null,
      p.markPrice === null ? null : p.markAsOf ?? now, p.markPrice === null ? null : p.markSource ?? null, now,
      d?.shares ?? null, d?.underlying ?? null, d?.cash ?? null, p.opaque ?? null, p.settlement ?? null, p.settlementKind ?? null,
      g && p.greeksSources ? JSON.stringify(p.greeksSources) : null,
    ])
    db.run(INSERT_ENTRY_GREEKS, [portfolio, p.symbol, now, p.quantity, p.entryPrice, p.underlyingPrice, p.iv, delta, gamma, theta, vega, rho, p.greeksSource])
  }
  // Entry Greeks of closed positions go with them, so a position reopened later gets fresh ones.
  db.run('DELETE FROM entry_greeks WHERE portfolio = :portfolio AND symbol NOT IN (SELECT symbol FROM positions WHERE portfolio = :portfolio)', {portfolio})
}

export function updateAggregates(db: Db, portfolio: string, a: PortfolioAggregates, count: number, now: string): void {
  db.run(
    `UPDATE portfolios SET equity = :equity, cash = :cash, buying_power = :bp, maintenance_requirement = :mr,
       delta = :delta, gamma = :gamma, theta = :theta, vega = :vega, delta_dollars = :dd, unrealized_pnl = :pnl,
       positions_count = :count, last_sync_at = :now, last_sync_status = 'ok', last_sync_error = NULL, updated_at = :now
     WHERE name = :portfolio`,
    {portfolio, equity: a.balances.equity, cash: a.balances.cash, bp: a.balances.buyingPower, mr: a.balances.maintenanceRequirement,
      delta: a.delta, gamma: a.gamma, theta: a.theta, vega: a.vega, dd: a.deltaDollars, pnl: a.unrealizedPnl, count, now},
  )
}

export function markSyncStatus(db: Db, portfolio: string, status: 'failed' | 'skipped', error: string, now: string): void {
  db.run('UPDATE portfolios SET last_sync_status = :status, last_sync_error = :error, updated_at = :now WHERE name = :portfolio', {portfolio, status, error, now})
}

export function recordSyncRun(db: Db, r: SyncRun): void {
  db.run(
    `INSERT INTO sync_runs (portfolio, started_at, finished_at, status, positions, greeks_feed, greeks_model, greeks_none, error)
     VALUES (:portfolio, :startedAt, :finishedAt, :status, :positions, :greeksFeed, :greeksModel, :greeksNone, :error)`,
    {...r},
  )
}

export function upsertSnapshot(
  db: Db,
  row: {date: string; portfolio: string; underlying: string; delta: number | null; gamma: number | null; theta: number | null; vega: number | null; deltaDollars: number | null; unrealizedPnl: number | null; equity: number | null; takenAt: string},
): void {
  db.run(
    `INSERT INTO greeks_snapshots (date, portfolio, underlying, delta, gamma, theta, vega, delta_dollars, unrealized_pnl, equity, taken_at)
     VALUES (:date, :portfolio, :underlying, :delta, :gamma, :theta, :vega, :deltaDollars, :unrealizedPnl, :equity, :takenAt)
     ON CONFLICT(date, portfolio, underlying) DO UPDATE SET delta = excluded.delta, gamma = excluded.gamma, theta = excluded.theta,
       vega = excluded.vega, delta_dollars = excluded.delta_dollars, unrealized_pnl = excluded.unrealized_pnl, equity = excluded.equity, taken_at = excluded.taken_at`,
    row,
  )
}

export function loadPortfolios(db: Db): StoredPortfolio[] {
  return db.all<Record<string, any>>('SELECT * FROM portfolios ORDER BY name').map((r) => ({
    name: r.name,
    broker: r.broker,
    account: r.account,
    currency: r.currency,
    kind: r.kind,
    balances: {equity: r.equity, cash: r.cash, buyingPower: r.buying_power, maintenanceRequirement: r.maintenance_requirement},
    delta: r.delta,
    gamma: r.gamma,
    theta: r.theta,
    vega: r.vega,
    deltaDollars: r.delta_dollars,
    unrealizedPnl: r.unrealized_pnl,
    positionsCount: r.positions_count,
    lastSyncAt: r.last_sync_at,
    lastSyncStatus: r.last_sync_status,
    lastSyncError: r.last_sync_error,
    pricesAsOf: r.prices_as_of ?? null,
  }))
}

export function loadPositions(db: Db): Position[] {
  return db.all<Record<string, any>>('SELECT * FROM positions ORDER BY portfolio, underlying, symbol').map(rowToPosition)
}

export function loadEntryGreeks(db: Db): Map<string, EntryGreeks> {
  const out = new Map<string, EntryGreeks>()
  for (const r of db.all<Record<string, any>>('SELECT * FROM entry_greeks')) {
    out.set(`${r.portfolio}\u0000${r.symbol}`, {
      firstSeenAt: r.first_seen_at,
      quantity: r.quantity,
      entryPrice: r.entry_price,
      underlyingPrice: r.underlying_price,
      iv: r.iv,
      greeks: r.delta === null ? null : {delta: r.delta, gamma: r.gamma, theta: r.theta, vega: r.vega, rho: r.rho},
      greeksSource: r.greeks_source,
    })
  }
  return out
}

/** Latest known price of each underlying across all portfolios (the "last known value" fallback). */
export function lastUnderlyingPrices(db: Db): Map<string, {price: number; at: string}> {
  const out = new Map<string, {price: number; at: string}>()
  // Per underlying, the latest row; among rows of the same sync a live feed price beats a file's, which
  // beats a carried-over one; then the row written last. Chosen inside SQLite: a big book has one row
  // per position (20,000) and only a few underlyings.
  const rows = db.all<{underlying: string; price: number; at: string}>(
    `SELECT underlying, price, at FROM (
       SELECT underlying, underlying_price AS price, underlying_price_at AS at,
              row_number() OVER (PARTITION BY underlying ORDER BY underlying_price_at DESC,
                CASE underlying_price_source WHEN 'feed' THEN 3 WHEN 'broker' THEN 2 WHEN 'file' THEN 2 WHEN 'quotes' THEN 1 ELSE 0 END DESC, rowid DESC) AS n
       FROM positions WHERE underlying_price IS NOT NULL)
     WHERE n = 1`,
  )
  for (const r of rows) out.set(r.underlying, {price: r.price, at: r.at})
  return out
}

export function loadSyncRuns(db: Db, limit = 50): SyncRun[] {
  return db
    .all<Record<string, any>>('SELECT * FROM sync_runs ORDER BY id DESC LIMIT :limit', {limit})
    .map((r) => ({
      portfolio: r.portfolio, startedAt: r.started_at, finishedAt: r.finished_at, status: r.status, positions: r.positions,
      greeksFeed: r.greeks_feed, greeksModel: r.greeks_model, greeksNone: r.greeks_none, error: r.error,
    }))
}

export function rowToPosition(r: Record<string, any>): Position {
  const option = r.expiry ? {expiry: r.expiry as string, strike: r.strike as number, right: r.option_right as 'call' | 'put', style: r.style as 'american' | 'european'} : undefined
  // The optional fields are added in place, in this order (the order their keys have in the object):
  // one object per row, without the literal-with-spreads copy V8 makes per row (~1,000 rows a command).
  const p: Position = {
    portfolio: r.portfolio,
    symbol: r.symbol,
    brokerSymbol: r.broker_symbol,
    instrumentType: r.instrument_type as InstrumentType,
    underlying: r.underlying,
    quantity: r.quantity,
    multiplier: r.multiplier,
    entryPrice: r.entry_price,
    markPrice: r.mark_price,
  } as Position
  if (r.previous_close !== undefined && r.previous_close !== null) p.previousClose = r.previous_close as number
  p.currency = r.currency
  p.option = option
  p.underlyingPrice = r.underlying_price
  p.underlyingPriceSource = (r.underlying_price_source ?? 'none') as PriceSource
  if (r.underlying_price_at) p.underlyingPriceAsOf = r.underlying_price_at as string
  p.iv = r.iv
  p.greeks = r.delta === null ? null : {delta: r.delta, gamma: r.gamma, theta: r.theta, vega: r.vega, rho: r.rho}
  p.greeksSource = r.greeks_source as GreeksSource
  p.greeksNote = r.greeks_note ?? undefined
  if (r.mark_at) p.markAsOf = r.mark_at as string
  if (r.mark_source) p.markSource = r.mark_source as MarkSource
  // Migration 12: absent on rows read from an older file (undefined), NULL when not stated.
  if (r.deliverable_shares != null) p.deliverable = {shares: r.deliverable_shares as number, underlying: (r.deliverable_underlying ?? r.underlying) as string, cash: (r.deliverable_cash ?? 0) as number}
  if (r.opaque) p.opaque = r.opaque as string
  if (r.settlement === 'am' || r.settlement === 'pm') p.settlement = r.settlement
  if (r.settlement_kind === 'cash' || r.settlement_kind === 'physical') p.settlementKind = r.settlement_kind
  if (r.greeks_sources && r.delta !== null) p.greeksSources = parseGreeksSources(r.greeks_sources as string)
  return p
}

/** The stored per-Greek sources; a value that is not the JSON this file writes reads as absent. */
function parseGreeksSources(text: string): GreeksSources | undefined {
  try {
    const o = JSON.parse(text) as Record<string, unknown>
    const ok = (v: unknown) => v === 'feed' || v === 'model'
    return ok(o.delta) && ok(o.gamma) && ok(o.theta) && ok(o.vega) && ok(o.rho) ? (o as GreeksSources) : undefined
  } catch {
    return undefined
  }
}

/** Records when the prices just stored were observed (after updateAggregates, same sync). */
export function setPricesAsOf(db: Db, portfolio: string, pricesAsOf: string): void {
  db.run('UPDATE portfolios SET prices_as_of = :pricesAsOf WHERE name = :portfolio', {portfolio, pricesAsOf})
}

// ------------------------------------------------------------------------------------ trades & proposals

export interface ProposalLeg {
  quantity: number
  /** internal symbol */
  symbol: string
  /** per unit */
  price: number
}

export interface Proposal {
  id: number
  source: 'user' | 'rule' | 'screener'
  /** the real portfolio the proposal would trade in */
  portfolio: string
  legs: ProposalLeg[]
  reason: string | null
  status: 'pending' | 'approved' | 'rejected' | 'executed' | 'failed'
  createdAt: string
  decidedAt: string | null
  result: Record<string, unknown> | null
}

export function insertProposal(db: Db, p: Omit<Proposal, 'id' | 'decidedAt' | 'result' | 'status'>): number {
  db.run(
    `INSERT INTO proposals (source, portfolio, legs_json, reason, status, created_at) VALUES (:source, :portfolio, :legs, :reason, 'pending', :createdAt)`,
    {source: p.source, portfolio: p.portfolio, legs: JSON.stringify(p.legs), reason: p.reason, createdAt: p.createdAt},
  )
  return db.lastInsertId()
}

export function loadProposals(db: Db, where: {id?: number; status?: Proposal['status']} = {}): Proposal[] {
  const rows = db.all<Record<string, any>>(
    `SELECT * FROM proposals WHERE (:id IS NULL OR id = :id) AND (:status IS NULL OR status = :status) ORDER BY id`,
    {id: where.id ?? null, status: where.status ?? null},
  )
  return rows.map((r) => ({
    id: r.id, source: r.source, portfolio: r.portfolio, legs: JSON.parse(r.legs_json), reason: r.reason, status: r.status,
    createdAt: r.created_at, decidedAt: r.decided_at, result: r.result_json ? JSON.parse(r.result_json) : null,
  }))
}

/** Moves a proposal on only from the status it was read in, so two approvals can never both book. */
export function decideProposal(db: Db, id: number, from: Proposal['status'], to: Proposal['status'], now: string, result: Record<string, unknown> | null): boolean {
  db.run('UPDATE proposals SET status = :to, decided_at = :now, result_json = :result WHERE id = :id AND status = :from', {id, from, to, now, result: result ? JSON.stringify(result) : null})
  return db.changes() === 1
}

export function deleteProposal(db: Db, id: number): void {
  db.run(`DELETE FROM trades WHERE proposal_id = :id AND kind = 'what_if'`, {id})
  db.run('DELETE FROM proposals WHERE id = :id', {id})
}

export function insertTrade(db: Db, t: Omit<Trade, 'id'>, now: string): number {
  const g = t.entry.greeks
  db.run(
    `INSERT INTO trades (portfolio, kind, status, proposal_id, symbol, broker_symbol, instrument_type, underlying, quantity, price, multiplier, currency,
       expiry, strike, option_right, style, underlying_price, iv, delta, gamma, theta, vega, rho, greeks_source, order_id, order_status, created_at, updated_at)
     VALUES (:portfolio, :kind, :status, :proposalId, :symbol, :brokerSymbol, :instrumentType, :underlying, :quantity, :price, :multiplier, :currency,
       :expiry, :strike, :right, :style, :underlyingPrice, :iv, :delta, :gamma, :theta, :vega, :rho, :greeksSource, :orderId, :orderStatus, :createdAt, :now)`,
    {
      portfolio: t.portfolio, kind: t.kind, status: t.status, proposalId: t.proposalId, symbol: t.symbol, brokerSymbol: t.brokerSymbol, instrumentType: t.instrumentType,
      underlying: t.underlying, quantity: t.quantity, price: t.price, multiplier: t.multiplier, currency: t.currency, expiry: t.option?.expiry ?? null,
      strike: t.option?.strike ?? null, right: t.option?.right ?? null, style: t.option?.style ?? null, underlyingPrice: t.entry.underlyingPrice, iv: t.entry.iv,
      delta: g?.delta ?? null, gamma: g?.gamma ?? null, theta: g?.theta ?? null, vega: g?.vega ?? null, rho: g?.rho ?? null, greeksSource: t.entry.greeksSource,
      orderId: t.orderId, orderStatus: t.orderStatus, createdAt: t.createdAt, now,
    },
  )
  return db.lastInsertId()
}

export function updateTradeStatus(db: Db, where: {proposalId: number; kind: Trade['kind']}, status: string, now: string): void {
  db.run('UPDATE trades SET status = :status, updated_at = :now WHERE proposal_id = :proposalId AND kind = :kind', {...where, status, now})
}

/** A live order's new broker status on its trades (status and order_status). */
export function updateLiveOrderStatus(db: Db, proposalId: number, status: string, now: string): void {
  db.run(`UPDATE trades SET status = :status, order_status = :status, updated_at = :now WHERE proposal_id = :proposalId AND kind = 'live'`, {proposalId, status, now})
}

export function loadTrades(db: Db, where: {kind?: Trade['kind']; status?: string} = {}): Trade[] {
  return db
    .all<Record<string, any>>(`SELECT * FROM trades WHERE (:kind IS NULL OR kind = :kind) AND (:status IS NULL OR status = :status) ORDER BY id`, {kind: where.kind ?? null, status: where.status ?? null})
    .map((r) => ({
      id: r.id, portfolio: r.portfolio, kind: r.kind, status: r.status, proposalId: r.proposal_id, symbol: r.symbol, brokerSymbol: r.broker_symbol,
      instrumentType: r.instrument_type, underlying: r.underlying, quantity: r.quantity, price: r.price, multiplier: r.multiplier, currency: r.currency,
      option: r.expiry ? {expiry: r.expiry, strike: r.strike, right: r.option_right, style: r.style} : undefined,
      entry: {underlyingPrice: r.underlying_price, iv: r.iv, greeks: r.delta === null ? null : {delta: r.delta, gamma: r.gamma, theta: r.theta, vega: r.vega, rho: r.rho}, greeksSource: r.greeks_source},
      orderId: r.order_id, orderStatus: r.order_status, createdAt: r.created_at,
    }))
}

/** How a closed paper trade ended: close price per unit, realised P&L (money, trade currency), when. */
export interface TradeClose {
  closePrice: number
  realizedPnl: number
  closedAt: string
}

/** Closes an open paper trade; false when it is not (or no longer) an open paper trade. */
export function closeTrade(db: Db, id: number, c: TradeClose): boolean {
  db.run(
    `UPDATE trades SET status = 'closed', close_price = :closePrice, realized_pnl = :realizedPnl, closed_at = :closedAt, updated_at = :closedAt
     WHERE id = :id AND kind = 'paper' AND status = 'open'`,
    {id, ...c},
  )
  return db.changes() === 1
}

/** Close records by trade id. */
export function loadTradeCloses(db: Db): Map<number, TradeClose> {
  const rows = db.all<{id: number; close_price: number; realized_pnl: number; closed_at: string}>('SELECT id, close_price, realized_pnl, closed_at FROM trades WHERE closed_at IS NOT NULL')
  return new Map(rows.map((r) => [r.id, {closePrice: r.close_price, realizedPnl: r.realized_pnl, closedAt: r.closed_at}]))
}
