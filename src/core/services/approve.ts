/*
 * approve / reject: a pending proposal (a what-if add, or a rule's or screener's idea) is booked as
 * a paper trade, or, with --live on a portfolio that enables trading, sent to TastyTrade after a
 * dry run, a pre-trade risk check and an explicit confirmation. A proposal moves on only from
 * `pending`, under the database lock, so approving twice never books twice, and a live order is
 * claimed before it is sent so two shells cannot both send it.
 */
import {findPortfolio, type Config} from '../config/config.js'
import {buildBundles} from '../containers/bundles.js'
import {positionRow, type PositionRow} from '../containers/positions.js'
import type {Breach} from '../containers/risk.js'
import {parseSymbol} from '../domain/symbols.js'
import type {Trade} from '../domain/trade.js'
import {ExternalError, UserError} from '../errors.js'
import {readDb, writeDb, writeGate, type Db} from '../store/database.js'
import * as repo from '../store/repositories.js'
import {bookApprovedTrades} from './ledger/booked.js'
import {loadQuotesFile} from './market.js'
import {marketView, newTrade, tradePositions, whatifRisks, type TradesContext} from './trades.js'
import {loadCountedBook} from './book.js'

export interface PendingItem {
  id: number
  source: repo.Proposal['source']
  portfolio: string
  legs: repo.ProposalLeg[]
  reason: string | null
  createdAt: string
}

/**
 * A proposal ID typed on the command line. Validated here rather than by oclif's integer arg,
 * whose errors are plain Errors (exit 1, "set DEBUG=1") instead of usage errors (exit 2).
 */
export function parseProposalId(text: string): number {
  const id = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN
  if (!Number.isSafeInteger(id) || id < 1) throw new UserError(`"${text}" is not a proposal ID: IDs are whole numbers from 1 (see: cotrader approve)`)
  return id
}

export async function approveList(o: TradesContext): Promise<{pending: PendingItem[]}> {
  const proposals = await readDb(o.dbPath, (db) => repo.loadProposals(db, {status: 'pending'}))
  return {pending: proposals.map(({id, source, portfolio, legs, reason, createdAt}) => ({id, source, portfolio, legs, reason, createdAt}))}
}

export interface DryRun {
  /** money; negative = the order uses buying power */
  buyingPowerEffect: number | null
  /** money; negative = fees paid */
  fees: number | null
  warnings: string[]
}

/** What the live path needs from a broker; TastyTrade's adapter provides it. */
export interface OrderBroker {
  unavailable(): string | null
  dryRunOrder(account: string, order: OrderRequestLike): Promise<DryRun & {status: string; orderId?: string}>
  placeOrder(account: string, order: OrderRequestLike): Promise<DryRun & {status: string; orderId?: string}>
  close(): Promise<void>
}

export interface OrderRequestLike {
  legs: {instrumentType: Trade['instrumentType']; symbol: string; quantity: number; action: 'Buy to Open' | 'Sell to Open' | 'Buy to Close' | 'Sell to Close'}[]
  orderType: 'Limit'
  timeInForce: 'Day'
  /** per unit, positive: net for spreads */
  price: number
  priceEffect: 'Debit' | 'Credit'
}

export interface ApproveOptions extends TradesContext {
  id: number
  live: boolean
  force: boolean
  yes: boolean
  /** Asks the user; resolves true to send. Absent when there is no terminal. */
  confirm?: (dryRun: DryRun, order: OrderRequestLike) => Promise<boolean>
  broker?: () => Promise<OrderBroker>
}

export interface ApproveResult {
  id: number
  /** approved = booked as paper trades; executed = live order sent; already = nothing done; cancelled = user said no */
  status: 'approved' | 'executed' | 'already' | 'cancelled'
  message: string
  /** paper or live trades booked, marked to market */
  booked: PositionRow[]
  dryRun: DryRun | null
  order: {orderId: string | null; status: string} | null
  /** breaches the trade would cause (live path; refused without --force) */
  newBreaches: Breach[]
}

/** A decision that contradicts the one already taken (approve a rejected proposal, reject an approved one): exit 2. */
export class ProposalConflict extends UserError {
  constructor(message: string) {
    super(message, 'conflict')
  }
}

/** Refused because the trade would breach a risk limit: exit 3 like --fail-on-breach. */
export class BreachRefusal extends UserError {
  override readonly exitCode = 3
  constructor(message: string) {
    super(message, 'risk_breach')
  }
}

export async function approve(o: ApproveOptions): Promise<ApproveResult> {
  // The write gate first: a live order must never be sent for a booking that could not be recorded.
  writeGate(o.dbPath)
  const state = await readDb(o.dbPath, (db) => ({
    proposal: repo.loadProposals(db, {id: o.id})[0],
    positions: repo.loadPositions(db),
    stored: repo.loadPortfolios(db),
  }))
  const p = state.proposal
  if (!p) throw new UserError(`no proposal with ID ${o.id} (see: cotrader approve)`)
  const empty = {booked: [], dryRun: null, order: null, newBreaches: []}
  // Approving what was approved is idempotent (answer 'already'); approving what was turned down is refused.
  if (p.status === 'rejected' || p.status === 'failed') throw new ProposalConflict(`proposal ${p.id} ${p.status === 'rejected' ? 'was rejected' : 'failed'}${p.decidedAt ? ` (${p.decidedAt})` : ''}; it cannot be approved — propose the trade again (cotrader whatif add)`)
  if (p.status !== 'pending') return {id: p.id, status: 'already', message: `proposal ${p.id} is already ${p.status}${p.decidedAt ? ` (${p.decidedAt})` : ''}; nothing booked`, ...empty}
  const real = findPortfolio(o.config, p.portfolio)
  const view = marketView(state.positions, await loadQuotesFile(o.config.market.quotesFile))
  const kind: Trade['kind'] = o.live ? 'live' : 'paper'
  const trades = p.legs.map((leg) => newTrade({quantity: leg.quantity, parsed: parseSymbol(leg.symbol), price: leg.price}, real, kind, o.config, view, o.asOf))
  const now = o.asOf.toISOString()
  if (!o.live) {
    const ok = await writeDb(o.dbPath, (db) => {
      if (!repo.decideProposal(db, p.id, 'pending', 'approved', now, {booked: 'paper'})) return false
      for (const t of trades) repo.insertTrade(db, {...t, proposalId: p.id}, now)
      repo.updateTradeStatus(db, {proposalId: p.id, kind: 'what_if'}, 'approved', now)
      bookApprovedTrades(db, trades, p.id, 'paper', now)
      return true
    })
    if (!ok) return {id: p.id, status: 'already', message: `proposal ${p.id} was decided by another process meanwhile; nothing booked`, ...empty}
    return {id: p.id, status: 'approved', message: `proposal ${p.id} booked as ${trades.length} paper trade(s) in ${real.name}`, ...empty, booked: rows(trades, view, o)}
  }
  return approveLive(o, p, real, trades, view, state)
}

async function approveLive(
  o: ApproveOptions, p: repo.Proposal, real: ReturnType<typeof findPortfolio>, trades: Omit<Trade, 'id'>[], view: ReturnType<typeof marketView>,
  state: {positions: import('../domain/types.js').Position[]; stored: repo.StoredPortfolio[]},
): Promise<ApproveResult> {
  if (real.broker !== 'tastytrade' || !real.account) throw new UserError(`live orders go to TastyTrade only; portfolio "${real.name}" is ${real.broker}`)
  if (!real.tradingEnabled) throw new UserError(`trading is not enabled for portfolio "${real.name}"; set trading_enabled: true in the config to allow --live`)
  const bundles = buildBundles([real], state.stored, state.positions)
  const held = new Map(bundles[0].positions.map((q) => [q.symbol, q.quantity]))
  const order = orderFor(trades, held)
  // Pre-trade risk: the trade's effect on this portfolio, refused on a new breach unless --force.
  // On the book `risk` shows (services/book.ts countBook: expired legs out, paper trades and pending
  // deliveries in), so "no new breach" here means what `risk --with-whatif` would say.
  const countedBook = (await loadCountedBook(o.config, o.dbPath, real.name, {asOf: o.asOf, entryGreeks: false})).counted.portfolios
  // A never-synced book is unknown: its limits cannot be checked, and unchecked is not "no breach".
  if (countedBook.some((c) => c.config.name === real.name && c.unknown) && !o.force)
    throw new BreachRefusal(`refused: portfolio "${real.name}" was never synced, so the order's effect on its risk limits cannot be checked (run: cotrader sync -p ${real.name}; or --force to send anyway)`)
  const counted = countedBook.map((c) => c.bundle)
  const asWhatif = trades.map((t, i) => ({...t, id: -1 - i, portfolio: `${real.name}#live`}))
  const cfg: Config = {...o.config, portfolios: [...o.config.portfolios, {...real, name: `${real.name}#live`, kind: 'whatif', shadows: real.name, broker: 'none'}]}
  const [risk] = whatifRisks(cfg, counted, asWhatif, view, {benchmarkPrice: null}, o.asOf)
  const newBreaches = risk?.newBreaches ?? []
  // Nobody to ask and no --yes: refuse before the broker is contacted at all.
  if (!o.yes && !o.confirm) throw new UserError('refusing to send a live order without confirmation: no terminal to ask on; pass --yes to confirm in scripts')
  const now = o.asOf.toISOString()
  const broker = await (o.broker ?? defaultBroker(o))()
  try {
    const why = broker.unavailable()
    if (why) throw new UserError(`cannot send a live order: ${why}`)
    let dry
    try {
      dry = await broker.dryRunOrder(real.account, order)
    } catch (error) {
      // The broker refused this order as built (preflight checks, validation): it cannot be sent, so the proposal failed.
      // Transport failures (timeouts, 5xx, auth) leave it pending to retry.
      if (rejectedByBroker(error)) await writeDb(o.dbPath, (db) => markFailed(db, p.id, 'pending', now, (error as Error).message, 'dry-run'))
      throw error
    }
    const dryRun: DryRun = {buyingPowerEffect: dry.buyingPowerEffect, fees: dry.fees, warnings: dry.warnings}
    if (newBreaches.length > 0 && !o.force)
      throw new BreachRefusal(`refused: the order would breach ${newBreaches.map((b) => b.message).join('; ')} (use --force to send anyway)`)
    if (!o.yes && !(await o.confirm!(dryRun, order)))
      return {id: p.id, status: 'cancelled', message: 'not sent: you did not confirm', booked: [], dryRun, order: null, newBreaches}
    const claimed = await writeDb(o.dbPath, (db) => repo.decideProposal(db, p.id, 'pending', 'approved', now, {sending: 'live'}))
    if (!claimed) return {id: p.id, status: 'already', message: `proposal ${p.id} was decided by another process meanwhile; no order sent`, booked: [], dryRun, order: null, newBreaches}
    let placed
    try {
      placed = await broker.placeOrder(real.account, order)
    } catch (error) {
      // A refusal (400/422) means no order exists. Anything else (timeout, 5xx, network) may have
      // reached the broker after all: orders are never retried, and the user is told to check.
      const uncertain = !rejectedByBroker(error)
      const reason = `${(error as Error).message}${uncertain ? ' — the order may still have reached TastyTrade: check your orders there before approving again' : ''}`
      await writeDb(o.dbPath, (db) => markFailed(db, p.id, 'approved', now, reason, 'order'))
      throw new ExternalError(reason, 'order')
    }
    // The order exists now: if recording it fails, say which order it was rather than lose it.
    await writeDb(o.dbPath, (db) => {
      repo.decideProposal(db, p.id, 'approved', 'executed', now, {orderId: placed.orderId ?? null, status: placed.status, dryRun})
      for (const t of trades) repo.insertTrade(db, {...t, proposalId: p.id, orderId: placed.orderId ?? null, orderStatus: placed.status, status: placed.status}, now)
      repo.updateTradeStatus(db, {proposalId: p.id, kind: 'what_if'}, 'approved', now)
      bookApprovedTrades(db, trades, p.id, 'live', now, placed.orderId ?? null)
    }).catch((error: unknown) => {
      throw new ExternalError(`order ${placed.orderId ?? '(no id)'} was sent (${placed.status}) but could not be recorded: ${(error as Error).message}; proposal ${p.id} stays approved`, 'store')
    })
    return {
      id: p.id, status: 'executed', message: `order ${placed.orderId ?? '(no id)'} ${placed.status} for proposal ${p.id}`,
      booked: rows(trades, view, o), dryRun, order: {orderId: placed.orderId ?? null, status: placed.status}, newBreaches,
    }
  } finally {
    await broker.close()
  }
}

/**
 * Dash-case happens in the adapter; here: open vs close from what the portfolio holds, and the net
 * limit price. The broker's limit price is per unit of the order: per share or contract for one
 * leg, per spread for several (the legs' quantities divided by their greatest common divisor), so
 * 5 contracts at 1.20 are sent at 1.20 and a 2 × (−210P +200P) vertical at the one-lot net.
 */
export function orderFor(trades: Omit<Trade, 'id'>[], held: Map<string, number>): OrderRequestLike {
  const legs = trades.map((t) => {
    const h = held.get(t.symbol) ?? 0
    const closing = (t.quantity > 0 && h < 0) || (t.quantity < 0 && h > 0)
    // One leg cannot both close and open, and an order's leg symbols must differ: two proposals then.
    if (closing && Math.abs(t.quantity) > Math.abs(h))
      throw new UserError(`leg ${t.quantity > 0 ? '+' : ''}${t.quantity} ${t.symbol} would close the ${h} held and open ${t.quantity + h} more; propose the close and the open separately`)
    const action = t.quantity > 0 ? (closing ? 'Buy to Close' : 'Buy to Open') : closing ? 'Sell to Close' : 'Sell to Open'
    return {instrumentType: t.instrumentType, symbol: t.symbol, quantity: Math.abs(t.quantity), action} as OrderRequestLike['legs'][number]
  })
  const sizes = trades.map((t) => Math.abs(t.quantity))
  const unit = sizes.length === 1 ? sizes[0] : sizes.every(Number.isInteger) ? sizes.reduce(gcd) : 1
  const net = trades.reduce((v, t) => v + t.price * t.quantity, 0) / unit
  return {legs, orderType: 'Limit', timeInForce: 'Day', price: Math.round(Math.abs(net) * 100) / 100, priceEffect: net >= 0 ? 'Debit' : 'Credit'}
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b)
}

/**
 * The proposal failed: recorded with the broker's reason, and its what-if legs leave the what-if
 * book (status rejected, as on reject) so they neither linger in whatif list / risk --with-whatif
 * nor block a new proposal; approving it again answers 'already'.
 */
function markFailed(db: Db, id: number, from: repo.Proposal['status'], now: string, error: string, stage: 'dry-run' | 'order'): void {
  if (repo.decideProposal(db, id, from, 'failed', now, {error, stage})) repo.updateTradeStatus(db, {proposalId: id, kind: 'what_if'}, 'rejected', now)
}

/** The broker answered that it will not take this order (HTTP 400/422: validation, preflight checks). */
function rejectedByBroker(error: unknown): boolean {
  const status = (error as {status?: unknown} | null)?.status
  return error instanceof ExternalError && (status === 400 || status === 422)
}

function defaultBroker(o: ApproveOptions): () => Promise<OrderBroker> {
  return async () => {
    const {createTastytrade} = await import('../adapters/tastytrade/adapter.js')
    return createTastytrade(o.config, process.env) as unknown as OrderBroker
  }
}

function rows(trades: Omit<Trade, 'id'>[], view: ReturnType<typeof marketView>, o: TradesContext): PositionRow[] {
  return tradePositions(trades.map((t, i) => ({...t, id: i})), view, o.config, o.asOf).map((q) => positionRow(q, o.asOf))
}

export async function reject(o: TradesContext & {id: number; reason?: string}): Promise<{id: number; status: 'rejected' | 'already'; message: string}> {
  writeGate(o.dbPath) // store/database.ts: the one gate of every write, before any work
  const now = o.asOf.toISOString()
  return writeDb(o.dbPath, (db) => {
    const [p] = repo.loadProposals(db, {id: o.id})
    if (!p) throw new UserError(`no proposal with ID ${o.id} (see: cotrader approve)`)
    if (p.status !== 'pending' && p.status !== 'rejected') throw new ProposalConflict(`proposal ${p.id} is ${p.status}, not pending; it cannot be rejected${p.status === 'approved' ? ' (close its paper trades with: cotrader trades close ID)' : ''}`)
    if (!repo.decideProposal(db, p.id, 'pending', 'rejected', now, o.reason ? {reason: o.reason} : null))
      return {id: p.id, status: 'already' as const, message: `proposal ${p.id} is already ${p.status}; nothing changed`}
    repo.updateTradeStatus(db, {proposalId: p.id, kind: 'what_if'}, 'rejected', now)
    return {id: p.id, status: 'rejected' as const, message: `proposal ${p.id} rejected`}
  })
}
