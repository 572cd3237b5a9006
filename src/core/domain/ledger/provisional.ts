/*
 * The broker's records rule over our guesses. The daemon settles an expiry at its settlement price
 * as *provisional* ledger events (source 'daemon'): the option's expiration / assignment / exercise /
 * cash settlement, and for a physical delivery the stock event at the strike. Events of one settlement
 * share an order id (`daemon:<portfolio>:<symbol>:<expiry date>`). They count until the broker's own
 * records arrive:
 *  - the broker's event for the option (an expiration, assignment, exercise or cash settlement on or
 *    after the expiry date) confirms the provisional one when it has the same kind, and replaces it
 *    otherwise (put expected worthless but assigned): link 'confirms' / 'replaces', from the
 *    provisional event to the broker's;
 *  - the broker's stock delivery (same underlying, same signed quantity, at the strike, within a
 *    few days of the expiry) confirms the provisional stock event; when the option's outcome was
 *    replaced, the provisional stock event is replaced with it (the broker's own stock event counts);
 *  - the broker's next positions (synced after the daemon recorded the settlement, the option no longer held)
 *    settle the group for the views: the positions now hold what happened, so the group stops being
 *    shown as "pending settlement" (the ledger keeps counting unlinked provisional events until the
 *    broker's transactions arrive, so lots and reconcile agree with those positions meanwhile).
 * So nothing is counted twice: `countedEvents` drops every provisional event that has a confirms or
 * replaces link. Pure: events, links and positions in; links to add and what is still pending out.
 *
 * A live trade booked by `approve` (source 'live') is the same kind of guess: cotrader's record of an
 * order it sent, until the broker's own fill arrives. The fill is the broker's trade event of the same
 * instrument with the live event's order id (every partial fill of that order), or, when no fill
 * carries that id, one fill of the same instrument and signed quantity within LIVE_FILL_MINUTES of it.
 * Link 'confirms' (same quantity and price) or 'replaces' (the broker filled otherwise), from the live
 * event to the fill; `countedEvents` then drops the live event, so lots count the broker's fill once.
 */
import type {LedgerEvent, LedgerLink, LinkKind} from './events.js'

/** Kinds that settle an option at expiry. */
export const SETTLEMENT_KINDS = new Set(['expiration', 'assignment', 'exercise', 'cash_settlement'])

/** Days after the expiry date within which the broker's stock delivery is looked for. */
export const DELIVERY_DAYS = 5

/** Order id shared by the provisional events of one expiry settlement. */
export function provisionalOrderId(portfolio: string, symbol: string, expiryDate: string): string {
  return `daemon:${portfolio}:${symbol}:${expiryDate}`
}

export interface HeldPositions {
  /** ISO instant the portfolio's positions were last synced from the broker; null = never */
  syncedAt: string | null
  /** symbols held at that sync */
  symbols: ReadonlySet<string>
}

export interface NewLink {
  from: number
  to: number
  kind: Extract<LinkKind, 'confirms' | 'replaces'>
}

/** One provisional settlement (an option and its stock delivery, if any) and where it stands. */
export interface ProvisionalGroup {
  orderId: string
  option: LedgerEvent
  stock: LedgerEvent | null
  /** confirmed / replaced by the broker's transactions (option event linked) */
  brokerEvent: {id: number; kind: LinkKind} | null
  /** the broker's positions synced after the settlement no longer hold the option */
  inPositions: boolean
}

export interface ProvisionalResult {
  links: NewLink[]
  /** groups the positions now reflect (to record, so the views stop showing them) */
  seenInPositions: ProvisionalGroup[]
  /** groups the positions do not reflect yet: the views show their effects as "pending settlement" */
  pending: ProvisionalGroup[]
}

const DAY_MS = 86_400_000

/** Minutes between a live order's booking and a broker fill without its order id for the fill to be taken as that order's. */
export const LIVE_FILL_MINUTES = 10

/** The broker's fills of cotrader's live trades (see the header): links from each unlinked live trade event to its fills. */
function matchLive(events: LedgerEvent[], linked: ReadonlyMap<number, unknown>, used: Set<number>): NewLink[] {
  const out: NewLink[] = []
  const fills = events.filter((e) => (e.source === 'broker_api' || e.source === 'file') && e.kind === 'trade' && e.symbol !== null && e.quantity !== null)
  for (const live of events) {
    if (live.source !== 'live' || live.kind !== 'trade' || linked.has(live.id) || live.quantity === null) continue
    const free = fills.filter((f) => !used.has(f.id) && f.symbol === live.symbol)
    let mine = live.orderId ? free.filter((f) => f.orderId === live.orderId) : []
    if (mine.length === 0) {
      const t = Date.parse(live.at)
      const near = free.find((f) => Math.abs(f.quantity! - live.quantity!) < 1e-9 && Math.abs(Date.parse(f.at) - t) <= LIVE_FILL_MINUTES * 60_000)
      mine = near ? [near] : []
    }
    if (mine.length === 0) continue
    const filled = mine.reduce((s, f) => s + f.quantity!, 0)
    const samePrice = live.price !== null && mine.every((f) => f.price !== null && Math.abs(f.price - live.price!) < 1e-6)
    const kind = Math.abs(filled - live.quantity) < 1e-9 && samePrice ? 'confirms' : 'replaces'
    for (const f of mine) {
      used.add(f.id)
      out.push({from: live.id, to: f.id, kind})
    }
  }
  return out
}

/**
 * Matches the provisional events of one portfolio against its broker events and positions. `seen`:
 * option-event ids already recorded as settled by positions (they stay settled).
 */
export function matchProvisional(events: LedgerEvent[], links: LedgerLink[], held: HeldPositions, seen: ReadonlySet<number> = new Set()): ProvisionalResult {
  const linked = new Map<number, {id: number; kind: LinkKind}>()
  const used = new Set<number>()
  for (const l of links)
    if (l.kind === 'confirms' || l.kind === 'replaces') {
      linked.set(l.from, {id: l.to, kind: l.kind})
      used.add(l.to)
    }
  const broker = events.filter((e) => !e.provisional)
  const groups = new Map<string, {option?: LedgerEvent; stock?: LedgerEvent}>()
  for (const e of events) {
    if (!e.provisional || e.source !== 'daemon' || !e.orderId) continue
    const g = groups.get(e.orderId) ?? {}
    // The settled contract's event closes it; a delivery into the underlying opens stock.
    if (e.positionEffect === 'open') g.stock = e
    else g.option = e
    groups.set(e.orderId, g)
  }
  const out: ProvisionalResult = {links: matchLive(events, linked, used), seenInPositions: [], pending: []}
  for (const [orderId, g] of groups) {
    if (!g.option) continue
    const option = g.option
    const stock = g.stock ?? null
    let brokerEvent = linked.get(option.id) ?? null
    let replaced = brokerEvent?.kind === 'replaces'
    if (!brokerEvent) {
      const b = broker.find((e) => !used.has(e.id) && e.symbol === option.symbol && SETTLEMENT_KINDS.has(e.kind) && e.tradeDate >= option.tradeDate)
      if (b) {
        used.add(b.id)
        replaced = b.kind !== option.kind
        brokerEvent = {id: b.id, kind: replaced ? 'replaces' : 'confirms'}
        out.links.push({from: option.id, to: b.id, kind: brokerEvent.kind as NewLink['kind']})
      }
    }
    if (stock && !linked.has(stock.id)) {
      if (replaced && brokerEvent) {
        out.links.push({from: stock.id, to: brokerEvent.id, kind: 'replaces'})
      } else {
        const last = Date.parse(`${stock.tradeDate}T00:00:00Z`) + DELIVERY_DAYS * DAY_MS
        const strike = stock.price ?? NaN
        const b = broker.find(
          (e) =>
            !used.has(e.id) && e.symbol === stock.symbol && !e.option && e.quantity !== null && stock.quantity !== null && Math.abs(e.quantity - stock.quantity) < 1e-9 &&
            e.price !== null && Math.abs(e.price - strike) < 1e-6 && e.tradeDate >= stock.tradeDate && Date.parse(`${e.tradeDate}T00:00:00Z`) <= last,
        )
        if (b) {
          used.add(b.id)
          out.links.push({from: stock.id, to: b.id, kind: 'confirms'})
        }
      }
    }
    // Synced after the daemon recorded the settlement (it drops the option from the stored positions
    // then; only a later sync is the broker's word) and the option is gone.
    const after = option.recordedAt > option.at ? option.recordedAt : option.at
    const inPositions = seen.has(option.id) || (held.syncedAt !== null && held.syncedAt > after && !held.symbols.has(option.symbol!))
    const group: ProvisionalGroup = {orderId, option, stock, brokerEvent, inPositions}
    if (inPositions) {
      if (!seen.has(option.id)) out.seenInPositions.push(group)
    } else out.pending.push(group)
  }
  return out
}

/** The events that count (lots, quantities, realised P&L): every event but provisional and live ones the broker's records confirmed or replaced. */
export function countedEvents<E extends Pick<LedgerEvent, 'id' | 'provisional' | 'source'>>(events: E[], links: LedgerLink[]): E[] {
  const superseded = new Set(links.filter((l) => l.kind === 'confirms' || l.kind === 'replaces').map((l) => l.from))
  return events.filter((e) => !((e.provisional || e.source === 'live') && superseded.has(e.id)))
}

/** Net signed quantity of `symbol` over the counted events (a check that nothing is counted twice). */
export function netQuantity(events: LedgerEvent[], links: LedgerLink[], symbol: string): number {
  return countedEvents(events, links)
    .filter((e) => e.symbol === symbol)
    .reduce((s, e) => s + (e.quantity ?? 0), 0)
}
