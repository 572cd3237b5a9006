/*
 * Lots and realised P&L, recomputed from the ledger's events (pure; no clock, no store). The model is
 * beancount's: an inventory per (portfolio, book, instrument) is a list of lots, each reduction is
 * matched to lots by the portfolio's booking method, and what cannot be booked is returned as an
 * issue (data), never thrown.
 *
 *  - fifo: a close consumes the oldest lots first; lifo: the newest first; average: one pooled lot per
 *    instrument whose price is the quantity-weighted average of its opens (how Indian brokers and funds
 *    report).
 *  - Realised P&L of one closed piece = (close − open) × quantity × multiplier − fees, money in the
 *    instrument's currency; quantity is signed as the lot was (+ long, − short), so a short closed
 *    cheaper realises a gain. Fees: the opening event's fees stay with its lots pro rata and are charged
 *    when they close; the closing event's fees are spread over the pieces it closes.
 *  - Expiration closes an option at 0 (realising its premium); cash settlement closes it at the
 *    settlement value per unit.
 *  - Assignment/exercise (`assignment: 'separate'`, TastyTrade, Fidelity, Schwab, Zerodha): the option
 *    closes at 0, realising its premium, and the shares are booked at the strike by the delivery event.
 *    `'fold'` (IBKR; everybody under assignment_basis premium_in_basis): the option realises 0 and its
 *    premium (net of its fees) moves into the delivery's price per share: price′ = strike − premium / shares.
 *    Never both.
 *  - Splits and reverse splits transform the open lots (quantity × r, price per unit ÷ r: total basis
 *    unchanged) and the options on that underlying: a whole-number split multiplies the contracts and
 *    divides strike and price (OCC's standard adjustment); any other ratio leaves contracts, strike and
 *    price and makes the contract deliver `deliverable × r` shares (a non-standard option).
 *  - A symbol change moves the lots to the new symbol. Transfers in open lots at the stated price (basis
 *    unknown = null, their realised P&L then unknown); transfers out remove lots without realising.
 */
import {formatOption} from '../symbols.js'
import type {Deliverable, InstrumentType, OptionContract} from '../types.js'
import {totalFees, type LedgerEvent} from './events.js'

/**
 * What booking lots reads of an event: a LedgerEvent has all of it. The realised-P&L view loads only
 * these columns (store/ledger.ts loadLotEvents: not the key, source reference, description, …).
 */
export type LotEvent = Pick<
  LedgerEvent,
  | 'id' | 'portfolio' | 'source' | 'kind' | 'provisional' | 'at' | 'tradeDate' | 'symbol' | 'instrumentType' | 'underlying' | 'option' | 'quantity' | 'price'
  | 'multiplier' | 'currency' | 'amount' | 'fees' | 'orderId' | 'positionEffect' | 'ratio' | 'newSymbol' | 'brokerRealizedPnl'
>

export type LotMethod = 'fifo' | 'lifo' | 'average'
/** separate: the option realises its premium, shares at the strike; fold: the premium moves into the shares' price. */
export type AssignmentTreatment = 'separate' | 'fold'

export interface LotOptions {
  method: LotMethod
  assignment: AssignmentTreatment
}

/** Which inventory an event books into: the broker's account, or cotrader's own paper / live trades. */
export type Book = 'broker' | 'paper' | 'live'

export function bookOf(e: Pick<LedgerEvent, 'source'>): Book {
  return e.source === 'paper' ? 'paper' : e.source === 'live' ? 'live' : 'broker'
}

export interface Lot {
  portfolio: string
  book: Book
  symbol: string
  underlying: string
  instrumentType: InstrumentType | null
  option?: OptionContract
  /** money per 1.00 of price per unit */
  multiplier: number
  /** shares one option contract delivers (multiplier unless a split made it non-standard) */
  deliverable?: number
  currency: string
  /** signed: + long, − short */
  quantity: number
  /** open price per unit; null = basis unknown (a transfer in without one) */
  price: number | null
  /** open fees still attached to this lot, money */
  fees: number
  openedAt: string
  openDate: string
  /** the event that opened it; null for the opening balance */
  openEventId: number | null
  /** what changed it since it opened (splits, symbol changes) */
  notes?: string[]
}

export type CloseHow = 'trade' | 'expiration' | 'assignment' | 'exercise' | 'cash_settlement'

export interface ClosedLot {
  portfolio: string
  book: Book
  symbol: string
  underlying: string
  instrumentType: InstrumentType | null
  currency: string
  multiplier: number
  /** signed as the lot was: + a long closed, − a short closed */
  quantity: number
  openPrice: number | null
  /** per unit; for a folded delivery, the strike adjusted by the premium */
  closePrice: number
  openedAt: string
  openEventId: number | null
  closedAt: string
  closeDate: string
  closeEventId: number
  how: CloseHow
  /** open + close fees of this piece, money */
  fees: number
  /** money in `currency`; null when the open basis is unknown */
  realized: number | null
  /** the premium went into the delivered shares (fold): this option piece realises 0 */
  folded?: boolean
}

export interface LedgerIssue {
  eventId: number | null
  portfolio: string
  symbol: string | null
  /** error: the ledger cannot book it (a close with nothing to close); warning: booked, with a caveat */
  severity: 'error' | 'warning'
  message: string
}

/** What one event did to the lots (for roll detection, the ledger view and the broker's own figure). */
export interface EventEffect {
  /** quantity opened (signed) */
  opened: number
  /** quantity closed (signed as the closed lots were) */
  closed: number
  /** realised P&L of the pieces this event closed; null when one piece's basis is unknown */
  realized: number | null
  /** the lots this event closed were opened by these events (null = opening balance) */
  closedFrom: (number | null)[]
}

export interface CashFlow {
  eventId: number
  portfolio: string
  kind: 'dividend' | 'interest' | 'fee' | 'transfer'
  tradeDate: string
  currency: string
  underlying: string | null
  /** + credit, − debit */
  amount: number
}

export interface LotsResult {
  open: Lot[]
  closed: ClosedLot[]
  issues: LedgerIssue[]
  effects: Map<number, EventEffect>
  cash: CashFlow[]
  /** events kept as 'unclassified' (never dropped, never booked) */
  unclassified: number
}

const EPS = 1e-9
const money = (v: number): number => Math.round(v * 1e8) / 1e8

/** A lot of the opening balance (the first positions snapshot before the first event; see docs/LEDGER.md). */
export type OpeningLot = Omit<Lot, 'book' | 'fees' | 'openEventId' | 'notes'>

/** Non-standard deliverables by option root (config `deliverables:`, e.g. XYZ1 → 150 XYZ): used for option lots of that root. */
export type DeliverableTable = Readonly<Record<string, Deliverable>>

/** The configured deliverable of an option event or lot (by the root of its symbol), if any. */
export function deliverableOf(e: {symbol: string | null; option?: unknown}, table: DeliverableTable): Deliverable | undefined {
  if (!e.option || e.symbol === null) return undefined
  return table[e.symbol.split(' ')[0].toUpperCase()]
}

/**
 * Books the events (any order; sorted here by time, then id) into lots. `optionsFor` gives each
 * portfolio's method and assignment treatment; `opening` seeds the broker books; `deliverables`
 * gives non-standard option roots their real deliverable.
 */
export function computeLots(events: readonly LotEvent[], optionsFor: (portfolio: string) => LotOptions, opening: readonly OpeningLot[] = [], deliverables: DeliverableTable = {}): LotsResult {
  const inv = new Map<string, Lot[]>()
  // most configs name no deliverable: then no option symbol needs its root worked out
  const noDeliverables = Object.keys(deliverables).length === 0
  const out: LotsResult = {open: [], closed: [], issues: [], effects: new Map(), cash: [], unclassified: 0}
  const keyOf = (portfolio: string, book: Book, symbol: string) => `${portfolio}\u0000${book}\u0000${symbol}`
  for (const o of opening) {
    const k = keyOf(o.portfolio, 'broker', o.symbol)
    inv.set(k, [...(inv.get(k) ?? []), {...o, book: 'broker', fees: 0, openEventId: null}])
  }

  const before = (a: LotEvent, b: LotEvent) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id - b.id)
  // The store hands them over in this order already: checking costs one pass, sorting 20,000 a few hundred thousand comparisons.
  let inOrder = true
  for (let i = 1; i < events.length && inOrder; i++) inOrder = before(events[i - 1], events[i]) <= 0
  const sorted = inOrder ? events : [...events].sort(before)
  const deliveries = pairDeliveries(sorted, deliverables)
  const ordered = deliveries.size === 0 ? sorted : deliveryOrder(sorted, deliveries)
  /** premium (money) to fold into each delivery event's price */
  const pendingFold = new Map<number, number>()

  const issue = (e: LotEvent, severity: LedgerIssue['severity'], message: string) => out.issues.push({eventId: e.id, portfolio: e.portfolio, symbol: e.symbol, severity, message})

  /** Reduces the lots of `k` by `qty` (signed: the direction of the event) at `price`; returns what is left unclosed. */
  const reduce = (e: LotEvent, k: string, qty: number, price: number, fees: number, how: CloseHow, fold: boolean): {left: number; effect: EventEffect} => {
    const effect: EventEffect = {opened: 0, closed: 0, realized: 0, closedFrom: []}
    const lots = inv.get(k) ?? []
    const method = optionsFor(e.portfolio).method
    let left = Math.abs(qty)
    const feePerUnit = fees / Math.abs(qty)
    while (left > EPS && lots.length > 0) {
      const i = method === 'lifo' ? lots.length - 1 : 0
      const lot = lots[i]
      if (Math.sign(lot.quantity) === Math.sign(qty)) break
      const take = Math.min(Math.abs(lot.quantity), left)
      const share = take / Math.abs(lot.quantity)
      const openFees = lot.fees * share
      const closeFees = feePerUnit * take
      const signed = Math.sign(lot.quantity) * take
      const pieceFees = money(openFees + closeFees)
      const realized = lot.price === null ? null : money((price - lot.price) * signed * lot.multiplier - pieceFees)
      const piece: ClosedLot = {
        portfolio: lot.portfolio, book: lot.book, symbol: lot.symbol, underlying: lot.underlying, instrumentType: lot.instrumentType, currency: lot.currency, multiplier: lot.multiplier,
        quantity: signed, openPrice: lot.price, closePrice: price, openedAt: lot.openedAt, openEventId: lot.openEventId, closedAt: e.at, closeDate: e.tradeDate, closeEventId: e.id,
        how, fees: pieceFees, realized: fold ? 0 : realized,
      }
      if (fold) piece.folded = true
      out.closed.push(piece)
      if (fold) {
        // the would-be realised amount is the premium that moves into the shares (null basis: nothing known to move)
        if (realized !== null) effect.realized = (effect.realized ?? 0) + realized
      } else effect.realized = effect.realized === null || realized === null ? null : effect.realized + realized
      effect.closed += signed
      effect.closedFrom.push(lot.openEventId)
      lot.quantity -= signed
      lot.fees -= openFees
      left -= take
      if (Math.abs(lot.quantity) <= EPS) lots.splice(i, 1)
    }
    if (lots.length === 0) inv.delete(k)
    else inv.set(k, lots)
    return {left: Math.sign(qty) * left, effect}
  }

  const open = (e: LotEvent, k: string, qty: number, price: number | null, fees: number, extra?: Partial<Lot>) => {
    const lots = inv.get(k) ?? []
    const method = optionsFor(e.portfolio).method
    if (method === 'average' && lots.length > 0) {
      const lot = lots[0]
      const total = lot.quantity + qty
      lot.price = lot.price === null || price === null ? null : (lot.price * lot.quantity + price * qty) / total
      lot.quantity = total
      lot.fees += fees
    } else {
      // Built field by field (no spreads: a lot per opening event, 10,000s of them), in the same key order as before.
      // A non-standard option (XYZ1 delivering 150 XYZ) books against its real underlying and deliverable, as its position does (services/sync.ts).
      const d = noDeliverables ? undefined : deliverableOf(e, deliverables)
      const lot = {portfolio: e.portfolio, book: bookOf(e), symbol: e.symbol!, underlying: d?.underlying ?? e.underlying ?? e.symbol!, instrumentType: e.instrumentType} as Lot
      if (d) lot.deliverable = d.shares
      if (e.option) lot.option = {expiry: e.option.expiry, strike: e.option.strike, right: e.option.right}
      lot.multiplier = e.multiplier ?? 1
      lot.currency = e.currency
      lot.quantity = qty
      lot.price = price
      lot.fees = fees
      lot.openedAt = e.at
      lot.openDate = e.tradeDate
      lot.openEventId = e.id
      lots.push(extra === undefined ? lot : Object.assign(lot, extra))
    }
    if (lots.length === 1) inv.set(k, lots)
  }

  for (const e of ordered) {
    if (e.kind === 'unclassified') {
      out.unclassified++
      continue
    }
    if (e.kind === 'dividend' || e.kind === 'interest' || e.kind === 'fee' || (e.kind === 'transfer' && e.symbol === null)) {
      if (e.amount !== null) out.cash.push({eventId: e.id, portfolio: e.portfolio, kind: e.kind, tradeDate: e.tradeDate, currency: e.currency, underlying: e.underlying, amount: e.amount})
      else issue(e, 'warning', `${e.kind} without an amount`)
      continue
    }
    if (e.symbol === null) {
      issue(e, 'error', `${e.kind} without an instrument`)
      continue
    }
    const book = bookOf(e)
    const k = keyOf(e.portfolio, book, e.symbol)
    const fees = totalFees(e.fees)
    // summed left to right from 0, as reduce did (no closure per event)
    let held = 0
    const heldLots = inv.get(k)
    if (heldLots) for (let i = 0; i < heldLots.length; i++) held += heldLots[i].quantity
    const isOpt = e.instrumentType === 'equity_option' || e.instrumentType === 'future_option'

    if (e.kind === 'split' || e.kind === 'reverse_split') {
      let r: number | null = e.ratio ? e.ratio.to / e.ratio.from : null
      // Schwab states the shares added, not the ratio: (held + added) / held.
      if (r === null && e.quantity !== null && Math.abs(held) > EPS) r = (held + e.quantity) / held
      if (r === null || !(r > 0) || !Number.isFinite(r)) {
        issue(e, 'error', `${e.kind} of ${e.symbol} with ratio ${e.ratio ? `${e.ratio.to}:${e.ratio.from}` : 'unknown'}: must be positive; lots left as they were`)
        continue
      }
      splitLots(inv, keyOf, e, book, r)
      out.effects.set(e.id, {opened: 0, closed: 0, realized: 0, closedFrom: []})
      continue
    }
    if (e.kind === 'symbol_change') {
      if (!e.newSymbol) {
        issue(e, 'error', `symbol change of ${e.symbol} without the new symbol`)
        continue
      }
      const lots = inv.get(k) ?? []
      if (lots.length === 0) issue(e, 'warning', `symbol change ${e.symbol} → ${e.newSymbol} with no open lot of ${e.symbol}`)
      inv.delete(k)
      const to = keyOf(e.portfolio, book, e.newSymbol)
      const isStock = !lots[0]?.option
      for (const l of lots) {
        l.symbol = e.newSymbol
        if (isStock) l.underlying = e.newSymbol
        l.notes = [...(l.notes ?? []), `${e.tradeDate}: symbol ${e.symbol} → ${e.newSymbol}`]
      }
      inv.set(to, [...(inv.get(to) ?? []), ...lots])
      out.effects.set(e.id, {opened: 0, closed: 0, realized: 0, closedFrom: []})
      continue
    }
    if (e.kind === 'transfer') {
      const q = e.quantity ?? 0
      if (Math.abs(q) <= EPS) continue
      if (q > 0 === held >= 0 || Math.abs(held) <= EPS) open(e, k, q, e.price, fees)
      else {
        // out: lots leave the account without a sale
        const lots = inv.get(k) ?? []
        let left = Math.abs(q)
        while (left > EPS && lots.length > 0) {
          const lot = lots[0]
          const take = Math.min(Math.abs(lot.quantity), left)
          lot.fees -= (lot.fees * take) / Math.abs(lot.quantity)
          lot.quantity -= Math.sign(lot.quantity) * take
          left -= take
          if (Math.abs(lot.quantity) <= EPS) lots.shift()
        }
        if (lots.length === 0) inv.delete(k)
        if (left > EPS) issue(e, 'error', `transfer out of ${left} ${e.symbol} more than held`)
      }
      out.effects.set(e.id, {opened: q, closed: 0, realized: 0, closedFrom: []})
      continue
    }

    // Trades, expirations, assignments, exercises, cash settlements.
    let qty = e.quantity
    let price = e.price
    let how: CloseHow = e.kind === 'trade' ? 'trade' : e.kind
    const removal = isOpt && (e.kind === 'expiration' || e.kind === 'assignment' || e.kind === 'exercise' || e.kind === 'cash_settlement')
    if (removal) {
      // The direction of a removal is always "towards zero", whatever sign the source wrote.
      if (Math.abs(held) <= EPS) {
        issue(e, 'error', `${e.kind} of ${e.symbol}: no open lot to close`)
        continue
      }
      qty = qty === null ? -held : -Math.sign(held) * Math.abs(qty)
      if (e.kind !== 'cash_settlement') price = 0
    }
    if (qty === null || Math.abs(qty) <= EPS || price === null) {
      issue(e, 'error', `${e.kind} of ${e.symbol} without ${qty === null || Math.abs(qty) <= EPS ? 'a quantity' : 'a price'}`)
      continue
    }
    const options = optionsFor(e.portfolio)
    const fold = removal && (e.kind === 'assignment' || e.kind === 'exercise') && options.assignment === 'fold'
    const delivery = deliveries.get(e.id)
    if (fold && delivery === undefined) issue(e, 'warning', `${e.kind} of ${e.symbol}: no share delivery found on ${e.tradeDate}; the premium is realised on the option instead of folded into the shares`)
    // A delivery receiving a folded premium: price′ = strike − premium / (shares × multiplier).
    const premium = pendingFold.get(e.id)
    if (premium !== undefined) {
      price = price - premium / (qty * (e.multiplier ?? 1))
      how = e.kind === 'trade' ? 'trade' : how
    }
    const {left, effect} = reduce(e, k, qty, price, fees, how, fold && delivery !== undefined)
    if (fold && delivery !== undefined) {
      pendingFold.set(delivery, (pendingFold.get(delivery) ?? 0) + (effect.realized ?? 0))
      effect.realized = 0
    }
    if (Math.abs(left) > EPS) {
      if (removal || e.positionEffect === 'close') issue(e, 'error', `${e.kind} of ${e.symbol} closes ${Math.abs(left)} more than the open lots hold${removal ? '' : ' (a close with no open lot)'}; the excess is not booked`)
      else {
        open(e, k, left, price, (fees * Math.abs(left)) / Math.abs(qty))
        effect.opened = left
      }
    }
    out.effects.set(e.id, effect)
  }
  out.open = [...inv.values()].flat()
  return out
}

/** Splits: the underlying's lots and its options' lots (see the header). */
function splitLots(inv: Map<string, Lot[]>, keyOf: (p: string, b: Book, s: string) => string, e: LotEvent, book: Book, r: number): void {
  const label = e.ratio ? `${e.ratio.to}-for-${e.ratio.from}` : `×${r}`
  const stockKey = keyOf(e.portfolio, book, e.symbol!)
  for (const l of inv.get(stockKey) ?? []) {
    l.quantity *= r
    if (l.price !== null) l.price /= r
    l.notes = [...(l.notes ?? []), `${e.tradeDate}: ${label} ${e.kind.replace('_', ' ')}`]
  }
  const whole = Number.isInteger(Math.round(r * 1e9) / 1e9) && r >= 1
  for (const [k, lots] of [...inv.entries()]) {
    const first = lots[0]
    if (!first?.option || first.underlying !== e.symbol || first.portfolio !== e.portfolio || first.book !== book) continue
    if (whole) {
      const strike = first.option.strike / r
      const root = first.symbol.split(' ')[0]
      const symbol = formatOption(root, first.option.expiry, Math.round(strike * 1e6) / 1e6, first.option.right)
      for (const l of lots) {
        l.quantity *= r
        if (l.price !== null) l.price /= r
        l.option = {...l.option!, strike: Math.round(strike * 1e6) / 1e6}
        l.notes = [...(l.notes ?? []), `${e.tradeDate}: ${label} split: ${l.symbol} → ${symbol}`]
        l.symbol = symbol
      }
      inv.delete(k)
      const to = keyOf(e.portfolio, book, symbol)
      inv.set(to, [...(inv.get(to) ?? []), ...lots])
    } else {
      for (const l of lots) {
        l.deliverable = (l.deliverable ?? l.multiplier) * r
        l.notes = [...(l.notes ?? []), `${e.tradeDate}: ${label} ${e.kind.replace('_', ' ')}: now delivers ${Math.round(l.deliverable * 1e6) / 1e6} shares per contract (non-standard)`]
      }
    }
  }
}

/**
 * Each option assignment/exercise → the event that delivers its shares: same portfolio, the option's
 * underlying, the same trade date, shares in the direction the option implies (a short put assigned or
 * a long call exercised receives shares; a short call assigned or a long put exercised delivers them).
 * A stock-leg event of kind assignment/exercise is preferred over a plain trade; then exact quantity
 * (contracts × the shares one contract delivers: its configured deliverable, else its multiplier).
 * A non-standard option (root with a digit, `XYZ1`) delivers its deliverable's underlying (XYZ).
 */
export function pairDeliveries(sorted: readonly LotEvent[], deliverables: DeliverableTable = {}): Map<number, number> {
  const pairs = new Map<number, number>()
  // Most ledgers hold few assignments: without one, no day of stock trades needs indexing.
  if (!sorted.some((e) => (e.kind === 'assignment' || e.kind === 'exercise') && e.option && e.underlying !== null)) return pairs
  const used = new Set<number>()
  const byDay = new Map<string, LotEvent[]>()
  for (const e of sorted) {
    if (e.symbol === null || e.instrumentType === 'equity_option' || e.instrumentType === 'future_option') continue
    if (e.kind !== 'trade' && e.kind !== 'assignment' && e.kind !== 'exercise') continue
    const k = `${e.portfolio}\u0000${e.symbol}\u0000${e.tradeDate}`
    const day = byDay.get(k)
    if (day) day.push(e)
    else byDay.set(k, [e])
  }
  for (const e of sorted) {
    if ((e.kind !== 'assignment' && e.kind !== 'exercise') || !e.option || e.underlying === null) continue
    // Removal quantity is + for a short (assigned), − for a long (exercised); sources not signing it: by kind.
    const removedShort = e.quantity !== null && Math.abs(e.quantity) > EPS ? e.quantity > 0 : e.kind === 'assignment'
    const receives = e.option.right === 'put' ? removedShort : !removedShort
    const contracts = Math.abs(e.quantity ?? 0)
    const d = deliverableOf(e, deliverables)
    const perContract = d?.shares ?? e.multiplier ?? 100
    const candidates = (byDay.get(`${e.portfolio}\u0000${d?.underlying ?? e.underlying}\u0000${e.tradeDate}`) ?? []).filter(
      (x) => !used.has(x.id) && x.quantity !== null && (x.quantity > 0) === receives && x.orderId === null,
    )
    const score = (x: LotEvent) => (x.kind !== 'trade' ? 2 : 0) + (contracts > 0 && Math.abs(Math.abs(x.quantity!) - contracts * perContract) < EPS ? 1 : 0)
    const best = candidates.sort((a, b) => score(b) - score(a))[0]
    if (best) {
      pairs.set(e.id, best.id)
      used.add(best.id)
    }
  }
  return pairs
}

/** The events in time order, except that an option removal is moved just before its delivery when it came after it. */
function deliveryOrder<E extends LotEvent>(sorted: readonly E[], pairs: Map<number, number>): E[] {
  const removalOf = new Map<number, E>()
  for (const e of sorted) {
    const d = pairs.get(e.id)
    if (d !== undefined) removalOf.set(d, e)
  }
  const placed = new Set<number>()
  const out: E[] = []
  for (const e of sorted) {
    if (placed.has(e.id)) continue
    const removal = removalOf.get(e.id)
    if (removal && !placed.has(removal.id)) {
      out.push(removal)
      placed.add(removal.id)
    }
    out.push(e)
    placed.add(e.id)
  }
  return out
}
