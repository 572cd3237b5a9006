/*
 * The daemon's provisional settlements in the ledger, and their end when the broker's records arrive
 * (domain/ledger/provisional.ts decides; this reads and writes inside the caller's write).
 *
 * Callers: run `settleProvisional(db, portfolio, now)` inside the same writeDb as storing the broker's
 * events (transactions import, sync of transactions), and `settleProvisional(db, portfolio, now,
 * {positionsSynced: true})` in the write that stored its positions (sync), after storing them. The
 * daemon runs it after each sync and end of day. Views call `pendingSettlementRows(db)` for the rows
 * to show as "pending settlement".
 */
import {matchProvisional, provisionalOrderId, type ProvisionalGroup} from '../domain/ledger/provisional.js'
import {NO_FEES, type EventDraft, type EventKind} from '../domain/ledger/events.js'
import type {ExpirySettlement} from '../domain/expiry-settlement.js'
import {effectiveOption} from '../domain/deliverable.js'
import type {Position} from '../domain/types.js'
import type {Db} from '../store/database.js'
import * as dstore from '../store/daemon.js'
import {addLink, appendEvents, loadEvents, loadLinks, loadSettlementCandidates, type AppendResult} from '../store/ledger.js'
import * as repo from '../store/repositories.js'

export interface SettleProvisionalResult {
  /** links recorded (confirms / replaces) */
  linked: number
  /** provisional settlements the broker's positions now reflect */
  seen: number
  /** provisional settlements still pending */
  pending: number
  /** unsettled expiries (no price, pin risk) the broker's records resolved */
  resolved: number
}

/**
 * Links the portfolio's provisional events to the broker's records that confirm or replace them,
 * records the ones its latest positions reflect, and resolves pending (unsettled) expiries the broker
 * settled. Idempotent; run inside a write, after storing the broker's events or positions. Pass
 * `positionsSynced: true` only from the write that just stored the broker's positions (sync).
 */
export function settleProvisional(db: Db, portfolio: string, now: Date | string, o: {positionsSynced?: boolean} = {}): SettleProvisionalResult {
  const at = typeof now === 'string' ? now : now.toISOString()
  // Only what matching can use (not every trade of the portfolio): see loadSettlementCandidates.
  const open = dstore.pendingSettlements(db, {open: true}).filter((q) => q.portfolio === portfolio)
  const events = loadSettlementCandidates(db, portfolio, open.length > 0)
  if (events.length === 0 && open.length === 0) return {linked: 0, seen: 0, pending: 0, resolved: 0}
  const links = loadLinks(db)
  const stored = repo.loadPortfolios(db).find((p) => p.name === portfolio)
  const positions = repo.loadPositions(db).filter((p) => p.portfolio === portfolio)
  // The stored positions are the broker's word only right after a sync stored them (the daemon drops
  // settled options from them later): otherwise they are not consulted.
  const held = {syncedAt: o.positionsSynced ? stored?.lastSyncAt ?? null : null, symbols: new Set(positions.map((p) => p.symbol))}
  const seen = dstore.provisionalSeen(db)
  const r = matchProvisional(events, links, held, new Set(seen.keys()))
  for (const l of r.links) addLink(db, l.from, l.to, l.kind, at)
  for (const g of r.seenInPositions) dstore.markProvisionalSeen(db, g.option.id, at, `positions synced ${held.syncedAt}`)
  // Unsettled expiries (no settlement price, pin risk): the broker settled them when its positions,
  // synced after they were recorded, no longer hold the option, or when its settlement event is in.
  let resolved = 0
  const settledByBroker = new Set(events.filter((e) => !e.provisional && e.symbol && ['expiration', 'assignment', 'exercise', 'cash_settlement'].includes(e.kind)).map((e) => `${e.symbol}|${e.kind}`))
  for (const p of open) {
    const event = [...settledByBroker].find((k) => k.startsWith(`${p.symbol}|`))
    const gone = held.syncedAt !== null && held.syncedAt > p.since && !held.symbols.has(p.symbol)
    if (!event && !gone) continue
    dstore.resolvePendingSettlement(db, p, at, event ? `broker ${event.split('|')[1]}` : `broker positions of ${held.syncedAt}`)
    resolved++
  }
  return {linked: r.links.length, seen: r.seenInPositions.length, pending: r.pending.length, resolved}
}

/**
 * The provisional ledger events of one expiry settlement: the option's event (its position closed:
 * quantity = −held) and, for a delivery into stock, the stock event at the strike. Both share the
 * order id provisionalOrderId(); the settlement price is in the description and in the expiries row.
 */
export function provisionalSettlementEvents(p: Position, s: ExpirySettlement, at: string, account: string | null): EventDraft[] {
  const orderId = provisionalOrderId(p.portfolio, p.symbol, s.expiryDate)
  const kind: EventKind = s.outcome === 'expired' ? 'expiration' : s.outcome === 'cash_settled' ? 'cash_settlement' : s.outcome === 'assigned' ? 'assignment' : 'exercise'
  const base = {
    portfolio: p.portfolio, account, source: 'daemon' as const, sourceRef: `daemon eod ${s.expiryDate}`, brokerId: null, provisional: true, at, timeKnown: true, tradeDate: s.expiryDate,
    currency: p.currency, fees: NO_FEES, orderId, positionEffect: 'close' as const, brokerRealizedPnl: null,
  }
  const how = `${s.priceSource === 'open' ? 'opening print' : 'close'} ${s.underlyingPrice} of ${s.expiryDate} (observed ${s.priceAt})`
  // An option's cash settlement pays its value; a future's final settlement is a last variation margin (not stated here).
  const cash = s.outcome === 'cash_settled' && p.option ? s.intrinsic * -p.quantity * p.multiplier : null
  const out: EventDraft[] = [
    {
      ...base, key: `daemon:${orderId}:option`, kind, symbol: p.symbol, brokerSymbol: p.brokerSymbol, instrumentType: p.instrumentType, underlying: p.underlying,
      ...(p.option ? {option: p.option} : {}), quantity: -p.quantity, price: s.outcome === 'cash_settled' ? s.intrinsic : 0, multiplier: p.multiplier,
      amount: cash ?? (s.stockQuantity === null && p.option ? 0 : null),
      description: `provisional ${kind} of ${p.symbol} at the ${how}; realised ${s.realizedPnl === null ? 'unknown' : s.realizedPnl}`,
    },
  ]
  if (s.stockQuantity !== null && p.option) {
    // A non-standard option (XYZ1 delivering 150 XYZ + cash): the settlement already counts its shares
    // (contracts × deliverable shares); each is bought or sold at the effective strike, (K − cash ÷ multiplier) ÷ ratio.
    const d = p.deliverable
    const quantity = s.stockQuantity
    const eff = d ? effectiveOption(p) : null
    const price = eff ? Math.round(eff.strike * 1e8) / 1e8 : p.option.strike
    const at = d ? `${price} a share (the ${p.option.strike} strike over ${d.shares} shares${d.cash ? ` less ${d.cash} cash` : ''} a contract)` : `the ${p.option.strike} strike`
    out.push({
      ...base, key: `daemon:${orderId}:stock`, kind, symbol: p.underlying, brokerSymbol: p.underlying, instrumentType: 'equity', underlying: p.underlying,
      quantity, price, multiplier: 1, amount: -quantity * price, positionEffect: 'open',
      description: `provisional delivery of ${quantity} ${p.underlying} at ${at} (${s.outcome} ${p.symbol}; settlement price ${s.underlyingPrice}, the ${how})`,
    })
  }
  return out
}

/** Appends the provisional events of a settlement, then matches them at once against broker records already stored. */
export function recordProvisionalSettlement(db: Db, p: Position, s: ExpirySettlement, at: string, account: string | null): AppendResult {
  const r = appendEvents(db, provisionalSettlementEvents(p, s, at, account), at)
  settleProvisional(db, p.portfolio, at)
  return r
}

/** A row for the views: an effect of an expiry the broker's positions do not reflect yet. */
export interface PendingSettlementRow
  extends Pick<Position, 'portfolio' | 'symbol' | 'brokerSymbol' | 'instrumentType' | 'underlying' | 'quantity' | 'multiplier' | 'entryPrice' | 'markPrice' | 'currency' | 'underlyingPrice'> {
  option?: Position['option']
  pendingSettlement: true
  /** provisional: the daemon's settlement, awaiting the broker's positions (quantity = the effect: an option's is 0 after it, a delivery's the shares); unsettled: expired, not settled (quantity = as held) */
  pendingKind: 'provisional' | 'unsettled'
  /** one sentence: what happened provisionally, or why it is not settled */
  pendingReason: string
  expiryDate: string
  /** the broker's transactions already confirmed (or replaced) the provisional event; only the positions lag */
  confirmedByBroker: boolean
}

/**
 * What the views show as "pending settlement": the provisional deliveries and settled options the
 * positions do not reflect yet, and the expired options left unsettled (no price / pin risk; those
 * positions are still in the book: mark them). Add the `provisional` rows with quantity ≠ 0 to the
 * book's holdings; the `unsettled` ones name positions already there.
 */
export function pendingSettlementRows(db: Db, portfolios?: string[]): PendingSettlementRow[] {
  const want = (p: string) => !portfolios || portfolios.includes(p)
  const out: PendingSettlementRow[] = []
  const names = [...new Set(loadEvents(db, {kind: ['expiration', 'assignment', 'exercise', 'cash_settlement']}).filter((e) => e.provisional && want(e.portfolio)).map((e) => e.portfolio))]
  const links = loadLinks(db)
  const seen = dstore.provisionalSeen(db)
  let positions: ReturnType<typeof repo.loadPositions> | undefined // read only when a settlement is open: every book read runs this
  for (const name of names) {
    const events = loadEvents(db, {portfolio: name})
    // Settled by positions only as recorded by settleProvisional right after a sync (the stored positions lose settled options).
    const held = {syncedAt: null, symbols: new Set<string>()}
    const r = matchProvisional(events, links, held, new Set(seen.keys()))
    for (const g of r.pending) out.push(...groupRows(g))
  }
  for (const u of dstore.pendingSettlements(db, {open: true})) {
    if (!want(u.portfolio)) continue
    positions ??= repo.loadPositions(db)
    const p = positions.find((q) => q.portfolio === u.portfolio && q.symbol === u.symbol)
    if (!p) continue
    out.push({
      portfolio: p.portfolio, symbol: p.symbol, brokerSymbol: p.brokerSymbol, instrumentType: p.instrumentType, underlying: p.underlying, quantity: p.quantity, multiplier: p.multiplier,
      entryPrice: p.entryPrice, markPrice: p.markPrice, currency: p.currency, underlyingPrice: p.underlyingPrice, ...(p.option ? {option: p.option} : {}),
      pendingSettlement: true, pendingKind: 'unsettled', pendingReason: u.detail, expiryDate: u.expiryDate, confirmedByBroker: false,
    })
  }
  return out
}

function groupRows(g: ProvisionalGroup): PendingSettlementRow[] {
  const confirmed = g.brokerEvent !== null
  const o = g.option
  const rows: PendingSettlementRow[] = [
    {
      portfolio: o.portfolio, symbol: o.symbol!, brokerSymbol: o.brokerSymbol ?? o.symbol!, instrumentType: o.instrumentType ?? 'equity_option', underlying: o.underlying ?? o.symbol!, quantity: 0,
      multiplier: o.multiplier ?? 1, entryPrice: null, markPrice: o.price, currency: o.currency, underlyingPrice: null, ...(o.option ? {option: {style: 'american', ...o.option}} : {}),
      pendingSettlement: true, pendingKind: 'provisional', pendingReason: `${o.kind} (${confirmed ? `${g.brokerEvent!.kind === 'replaces' ? 'replaced' : 'confirmed'} by the broker's transaction; ` : 'provisional; '}awaiting the broker's positions)`,
      expiryDate: o.tradeDate, confirmedByBroker: confirmed,
    },
  ]
  const s = g.stock
  // A provisional delivery the broker replaced (it says the option expired) is not shown: it did not happen.
  if (s && g.brokerEvent?.kind !== 'replaces')
    rows.push({
      portfolio: s.portfolio, symbol: s.symbol!, brokerSymbol: s.brokerSymbol ?? s.symbol!, instrumentType: 'equity', underlying: s.underlying ?? s.symbol!, quantity: s.quantity ?? 0, multiplier: 1,
      entryPrice: s.price, markPrice: null, currency: s.currency, underlyingPrice: null, pendingSettlement: true, pendingKind: 'provisional',
      pendingReason: `delivery from ${o.kind} of ${o.symbol} (${confirmed ? 'confirmed by the broker\'s transaction; ' : 'provisional; '}awaiting the broker's positions)`, expiryDate: o.tradeDate, confirmedByBroker: confirmed,
    })
  return rows
}
