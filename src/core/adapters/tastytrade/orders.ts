/*
 * Orders and dry runs (doc §8). The SDK dasherizes keys of the top-level body and of nested plain
 * objects but NOT of objects inside arrays (doc §2.2), so the legs are written with tastytrade's
 * dash-case keys here; camelCase legs would be rejected by the real API. Amounts come back
 * positive with a `*-effect` sibling; they are signed here (Debit −, Credit +).
 */
import {UserError} from '../../errors.js'
import {parseSymbol, toOcc} from '../../domain/symbols.js'
import type {InstrumentType} from '../../domain/types.js'
import {BROKER_INSTRUMENT_TYPE, num, type Json} from './mapping.js'

export type OrderAction = 'Buy to Open' | 'Sell to Open' | 'Buy to Close' | 'Sell to Close' | 'Buy' | 'Sell'

export interface OrderLeg {
  instrumentType: InstrumentType
  /** OCC for equity options (`AAPL  260116C00150000`; the internal form is converted), tastytrade's spelling otherwise. */
  symbol: string
  /** Contracts or shares, positive; the action gives the direction. */
  quantity: number
  action: OrderAction
}

export interface OrderRequest {
  legs: OrderLeg[]
  /** Default Limit. */
  orderType?: 'Limit' | 'Market'
  /** Default Day. */
  timeInForce?: 'Day' | 'GTC'
  /** Limit price per unit, positive (net for multi-leg orders); required for Limit. */
  price?: number
  /** Whether the limit price is paid (Debit) or received (Credit); required for Limit. */
  priceEffect?: 'Debit' | 'Credit'
}

export interface OrderResult {
  /** Change in buying power in money: negative when the order consumes buying power. Null when not stated. */
  buyingPowerEffect: number | null
  /** Fees and commissions in money: negative when paid. Null when not stated. */
  fees: number | null
  /** The broker's warnings, `code: message`. */
  warnings: string[]
  /** Set for placed orders (dry runs have no id). */
  orderId?: string
  /** The broker's order status (`Received`, `Routed`, `Live`, …). */
  status: string
}

/** The JSON body of POST /accounts/{n}/orders[/dry-run], keys already dash-case. */
export function buildOrderBody(order: OrderRequest): Json {
  if (!Array.isArray(order.legs) || order.legs.length === 0) throw new UserError('an order needs at least one leg')
  if (order.legs.length > 4) throw new UserError(`tastytrade takes at most 4 legs per order, got ${order.legs.length}`)
  const orderType = order.orderType ?? 'Limit'
  const legs = order.legs.map((leg, i) => {
    const brokerType = BROKER_INSTRUMENT_TYPE[leg.instrumentType]
    if (!brokerType) throw new UserError(`leg ${i + 1}: ${leg.instrumentType} cannot be traded at tastytrade`)
    if (!(Number.isFinite(leg.quantity) && leg.quantity > 0)) throw new UserError(`leg ${i + 1}: quantity must be positive, got ${leg.quantity}`)
    return {'instrument-type': brokerType, symbol: brokerSymbol(leg), quantity: leg.quantity, action: leg.action}
  })
  if (new Set(legs.map((l) => l.symbol)).size !== legs.length) throw new UserError('the legs of an order must have distinct symbols')
  const body: Json = {'time-in-force': order.timeInForce ?? 'Day', 'order-type': orderType, legs}
  if (orderType === 'Limit') {
    if (!(order.price !== undefined && Number.isFinite(order.price) && order.price > 0)) throw new UserError('a limit order needs a positive price')
    if (order.priceEffect !== 'Debit' && order.priceEffect !== 'Credit') throw new UserError('a limit order needs priceEffect Debit or Credit')
    // Money goes out as a string, as tastytrade sends it.
    body.price = String(order.price)
    body['price-effect'] = order.priceEffect
  }
  return body
}

/** Equity options go out as padded OCC whatever spelling came in (collapsed OCC, internal form). */
function brokerSymbol(leg: OrderLeg): string {
  if (leg.instrumentType !== 'equity_option') return leg.symbol.trim()
  return toOcc(parseSymbol(leg.symbol))
}

/** Reads a dry-run or placed-order response's `data`. */
export function parseOrderResponse(data: Json): OrderResult {
  const bpe = (data['buying-power-effect'] ?? {}) as Json
  const fees = (data['fee-calculation'] ?? {}) as Json
  const order = (data.order ?? data['complex-order'] ?? {}) as Json
  const warnings = Array.isArray(data.warnings)
    ? data.warnings.map((w) => {
        const item = (w ?? {}) as Json
        return [item.code, item.message].filter((x) => typeof x === 'string' && x).join(': ')
      }).filter((w) => w.length > 0)
    : []
  const id = order.id
  return {
    buyingPowerEffect: signed(bpe['change-in-buying-power'], bpe['change-in-buying-power-effect']),
    fees: signed(fees['total-fees'], fees['total-fees-effect']),
    warnings,
    ...(id !== undefined && id !== null && id !== '' ? {orderId: String(id)} : {}),
    status: typeof order.status === 'string' ? order.status : 'unknown',
  }
}

/** tastytrade amounts are positive with a Credit/Debit/None effect (doc §8.2). */
function signed(amount: unknown, effect: unknown): number | null {
  const n = num(amount)
  if (n === null) return null
  if (effect === 'Debit') return -Math.abs(n)
  if (effect === 'Credit') return Math.abs(n)
  return n
}

/** Where a broker order stands: working until it reaches one of the final states. */
export type OrderState = 'working' | 'filled' | 'cancelled' | 'rejected' | 'expired' | 'unknown'

export interface OrderStatus {
  orderId: string
  /** The broker's status word as sent (`Routed`, `Live`, `Filled`, `Rejected`, …). */
  status: string
  state: OrderState
  /** Why it was rejected or cancelled, as the broker says (`reject-reason`), else null. */
  reason: string | null
  /** When the broker last changed the order (ISO), null when not stated. */
  updatedAt: string | null
}

/**
 * tastytrade's order statuses (doc §8): Received, Routed, In Flight, Live, Cancel Requested,
 * Replace Requested, Contingent, Partially Removed are still working; Filled, Cancelled, Expired,
 * Rejected, Removed are final. Anything else is `unknown` (followed, never taken as filled).
 */
export function orderState(status: string): OrderState {
  const s = status.trim().toLowerCase()
  if (s === 'filled') return 'filled'
  if (s === 'cancelled' || s === 'canceled' || s === 'removed') return 'cancelled'
  if (s === 'rejected') return 'rejected'
  if (s === 'expired') return 'expired'
  if (['received', 'routed', 'in flight', 'live', 'cancel requested', 'replace requested', 'contingent', 'partially removed'].includes(s)) return 'working'
  return 'unknown'
}

/** Reads GET /accounts/{n}/orders/{id}'s `data` (an order; `updated-at` is epoch ms there, doc §2.5). */
export function parseOrderStatus(orderId: string, data: Json): OrderStatus {
  const status = typeof data.status === 'string' && data.status ? data.status : 'unknown'
  const reason = [data['reject-reason'], data['cancel-reason']].find((r): r is string => typeof r === 'string' && r.trim() !== '')
  const ms = num(data['updated-at'])
  const updated = ms !== null && ms > 0 ? new Date(ms) : typeof data['updated-at'] === 'string' ? new Date(data['updated-at'] as string) : null
  return {
    orderId: data.id !== undefined && data.id !== null ? String(data.id) : orderId,
    status,
    state: orderState(status),
    reason: reason ?? null,
    updatedAt: updated && Number.isFinite(updated.getTime()) ? updated.toISOString() : null,
  }
}
