/*
 * The position container: one row per position with P&L and position-total Greeks, the shape
 * behind `positions` (table, --json, --csv). Field units are stated once, here.
 */
import {marketValue, unrealizedPnl} from '../domain/pnl.js'
import {dayNumber, localDate, marketFor} from '../domain/calendar/index.js'
import type {Deliverable, GreeksSource, GreeksSources, InstrumentType, MarkSource, Position, PriceSource} from '../domain/types.js'
import {greeksSourcesOf, positionGreeks} from '../domain/greeks.js'
import {positionExpiry} from './aging.js'
import type {EntryGreeks} from '../store/repositories.js'

export interface PositionRow {
  /** what an expiry changed that the broker's positions do not show yet (a provisional delivery, an unsettled expired option); null = nothing pending */
  pendingSettlement: string | null
  portfolio: string
  symbol: string
  brokerSymbol: string
  underlying: string
  instrumentType: InstrumentType
  /** signed: + long, − short (contracts or shares) */
  quantity: number
  multiplier: number
  /** per unit, in `currency`; null = unknown */
  entryPrice: number | null
  /** per unit, in `currency`; null = unknown */
  markPrice: number | null
  /** mark × quantity × multiplier, in `currency` */
  marketValue: number | null
  /** (mark − entry) × quantity × multiplier, in `currency` */
  unrealizedPnl: number | null
  currency: string
  /** position delta in units of the underlying (shares): per-unit delta × quantity × multiplier */
  delta: number | null
  /** position gamma: change of position delta per 1.00 move of the underlying */
  gamma: number | null
  /** money per calendar day */
  theta: number | null
  /** money per vol point (σ + 0.01) */
  vega: number | null
  /** implied volatility as a fraction (0.25 = 25 %) */
  iv: number | null
  /** calendar days from asOf's exchange-local date to the expiry / last trading date (options, dated futures), null otherwise */
  dte: number | null
  /** option expiry date, or a future's last trading date (exchange-local), after any holiday roll-back */
  expiry: string | null
  /** the instant the contract settles (ISO): PM close, AM opening prints, 15:30 Kolkata…; null for stock or an unknown futures rule */
  settlesAt: string | null
  /** options: am (value fixed at the open of the expiry date: SPX/NDX/RUT monthlies, VIX) or pm */
  settlement: 'am' | 'pm' | null
  /** options: cash (index options) or physical (shares; the future for futures options), as the broker's instrument record says; null = not stated */
  settlementKind: 'cash' | 'physical' | null
  /** true once settlesAt has passed: kept with its last mark, left out of Greeks, capital in use, breaches and totals */
  expired: boolean
  /** when the mark was observed (ISO): the export's own stamp, the feed time, else the sync time; null = unknown */
  markAsOf: string | null
  /** live, file, quote_mid, previous_close (no live mark: the last close, labelled), model or intrinsic (--as-of); null = not recorded */
  markSource: MarkSource | null
  strike: number | null
  right: 'call' | 'put' | null
  /** per unit of the underlying, in `currency` */
  underlyingPrice: number | null
  /** where the underlying price came from: feed (live), broker, file, quotes (quotes file), last (last known), none */
  underlyingPriceSource: PriceSource
  /** when that price was observed (ISO): the sync that stored it, or an earlier one for a carried-over last known price */
  underlyingPriceAsOf: string | null
  greeksSource: GreeksSource
  /** where each Greek came from (feed, or model where the feed sent "NaN"); null when the Greeks are unknown */
  greeksSources: GreeksSources | null
  /** options with a non-standard deliverable: shares of `underlying` and cash (money, `currency`) one contract delivers; null = standard */
  deliverable: Deliverable | null
  /** why the instrument (or its deliverable) is not understood: broker's numbers only, Greeks unknown; null = understood */
  opaque: string | null
  /** why the Greeks are unknown, when they are */
  greeksNote: string | null
  /** Greeks per unit (types.ts units), IV and underlying price recorded when the position was first seen; null if not recorded */
  entryGreeks: EntryGreeks | null
}

/** Date.toISOString, kept per instant: a book's positions settle at a few instants (one per expiry). */
function isoOf(d: Date): string {
  const t = d.getTime()
  let text = isoTexts.get(t)
  if (text === undefined) {
    text = d.toISOString() // throws for an invalid date, as before: nothing kept
    if (isoTexts.size >= 10_000) isoTexts.clear()
    isoTexts.set(t, text)
  }
  return text
}
const isoTexts = new Map<number, string>()

export function positionRow(p: Position, asOf: Date, entry: EntryGreeks | null = null): PositionRow {
  const g = positionGreeks(p)
  const e = positionExpiry(p, asOf)
  return {
    portfolio: p.portfolio,
    symbol: p.symbol,
    brokerSymbol: p.brokerSymbol,
    underlying: p.underlying,
    instrumentType: p.instrumentType,
    quantity: p.quantity,
    multiplier: p.multiplier,
    entryPrice: p.entryPrice,
    markPrice: p.markPrice,
    marketValue: marketValue(p),
    unrealizedPnl: unrealizedPnl(p),
    currency: p.currency,
    delta: g?.delta ?? null,
    gamma: g?.gamma ?? null,
    theta: g?.theta ?? null,
    vega: g?.vega ?? null,
    iv: p.iv,
    dte: e ? dayNumber(e.date) - dayNumber(localDate(marketFor(p), asOf)) : null,
    expiry: e?.date ?? null,
    settlesAt: e ? isoOf(e.settlesAt) : null,
    settlement: e?.settlement ?? null,
    settlementKind: p.settlementKind ?? null,
    expired: p.expired ?? false,
    markAsOf: p.markPrice === null ? null : p.markAsOf ?? null,
    markSource: p.markPrice === null ? null : p.markSource ?? null,
    strike: p.option?.strike ?? null,
    right: p.option?.right ?? null,
    underlyingPrice: p.underlyingPrice,
    underlyingPriceSource: p.underlyingPriceSource,
    underlyingPriceAsOf: p.underlyingPrice === null ? null : p.underlyingPriceAsOf ?? null,
    greeksSource: p.greeksSource,
    greeksSources: greeksSourcesOf(p),
    deliverable: p.deliverable ?? null,
    opaque: p.opaque ?? null,
    greeksNote: p.greeksNote ?? null,
    entryGreeks: entry,
    pendingSettlement: p.pendingSettlement ?? null,
  }
}

/** What services/positions.ts appends to a row: the day P&L and the health (its PositionView). */
export interface RowTail<D, H> {
  dayPnl: number | null
  dayPnlBasis: D
  dayPnlBasisPrice: number | null
  dayPnlNote: string | null
  health: H
}

/**
 * positionRow's fields followed by `tail`'s: the same keys in the same order as
 * `{...positionRow(p, asOf, entry), ...tail}` (test/containers/position-view.test.ts), without copying the
 * row's 38 fields into a new object (per position of every `positions`): the tail is written onto the row.
 */
export function positionView<D, H>(p: Position, asOf: Date, entry: EntryGreeks | null, tail: RowTail<D, H>): PositionRow & RowTail<D, H> {
  const view = positionRow(p, asOf, entry) as PositionRow & RowTail<D, H>
  view.dayPnl = tail.dayPnl
  view.dayPnlBasis = tail.dayPnlBasis
  view.dayPnlBasisPrice = tail.dayPnlBasisPrice
  view.dayPnlNote = tail.dayPnlNote
  view.health = tail.health
  return view
}
