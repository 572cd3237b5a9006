/*
 * cotrader's own trades as ledger events: a paper or live trade booked by `approve`, and a paper trade
 * closed by `trades close`, become events (source paper / live) in the same write that books them, so
 * the ledger settles them with the one mechanism it uses for the broker's fills. Keys are fixed by the
 * proposal and leg (`paper:<proposal>:<leg>`), so a retried write adds nothing.
 */
import {localDate, marketFor} from '../../domain/calendar/index.js'
import {NO_FEES, type EventDraft} from '../../domain/ledger/events.js'
import type {Trade} from '../../domain/trade.js'
import type {Db} from '../../store/database.js'
import {appendEvents} from '../../store/ledger.js'

type TradeLike = Pick<Trade, 'portfolio' | 'symbol' | 'brokerSymbol' | 'instrumentType' | 'underlying' | 'multiplier' | 'currency' | 'option'>

export function tradeEvent(t: TradeLike, e: {source: 'paper' | 'live'; key: string; ref: string; at: string; quantity: number; price: number; orderId: string | null; description: string}): EventDraft {
  const tradeDate = localDate(marketFor(t), new Date(e.at))
  return {
    portfolio: t.portfolio, account: null, source: e.source, sourceRef: e.ref, brokerId: null, key: e.key, kind: 'trade', provisional: false, at: e.at, timeKnown: true, tradeDate,
    symbol: t.symbol, brokerSymbol: t.brokerSymbol, instrumentType: t.instrumentType, underlying: t.underlying, ...(t.option ? {option: t.option} : {}),
    quantity: e.quantity, price: e.price, multiplier: t.multiplier, currency: t.currency, amount: null, fees: NO_FEES, orderId: e.orderId, positionEffect: null,
    description: e.description, brokerRealizedPnl: null,
  }
}

/** The legs of an approved proposal, inside the approve write. */
export function bookApprovedTrades(db: Db, trades: readonly Omit<Trade, 'id'>[], proposalId: number, source: 'paper' | 'live', now: string, orderId: string | null = null): void {
  appendEvents(db, trades.map((t, i) => tradeEvent(t, {source, key: `${source}:${proposalId}:${i}`, ref: `proposal ${proposalId}`, at: now, quantity: t.quantity, price: t.price, orderId, description: `${source} trade approved from proposal ${proposalId}`})), now)
}
