/*
 * Prices that prove themselves. A mark is not taken at its word when it cannot be a price of the
 * contract: an option below its intrinsic value by more than a tick when it could be exercised now
 * (American), a call above what exercising it delivers, a put above its strike, or a quote whose
 * bid is above its ask. Such a mark is replaced by the next source the adapter offered
 * (Position.markAlternatives, best first) that passes, or becomes unknown; either way the caller
 * warns, naming the position. Pure: no clock, no I/O.
 */
import type {MarkSource, Position} from './types.js'

/** A crossed quote: both sides present and the bid above the ask. */
export function isCrossed(bid: number | null, ask: number | null): boolean {
  return bid !== null && ask !== null && bid > 0 && ask > 0 && bid > ask
}

/**
 * One tick of the option's price, the tolerance for marks printed to the tick: US equity options
 * quote in 0.01 under 3.00 and 0.05 above (penny-pilot classes in 0.01 throughout, so 0.05 is the
 * looser bound); futures options tick in product-specific steps, taken here as 0.05 % of the strike
 * (ES 0.05–0.25 at 5,000+, CL 0.01 at 65 → 0.03).
 */
export function optionTick(p: Pick<Position, 'instrumentType' | 'option'>, mark: number): number {
  if (p.instrumentType === 'future_option' && p.option) return Math.max(0.01, 0.0005 * p.option.strike)
  return mark >= 3 ? 0.05 : 0.01
}

/**
 * What exercising one unit is worth per 1.00 of the underlying, with the deliverable: shares per
 * unit (shares ÷ multiplier) and cash per unit. Standard contracts: 1 and 0.
 */
export function deliverablePerUnit(p: Pick<Position, 'deliverable' | 'multiplier'>): {ratio: number; cash: number} {
  if (!p.deliverable || !(p.multiplier > 0)) return {ratio: 1, cash: 0}
  return {ratio: p.deliverable.shares / p.multiplier, cash: p.deliverable.cash / p.multiplier}
}

/** Why `mark` cannot be this option's price at the position's underlying price; null when it can (or cannot be judged). */
export function implausibleMark(p: Position, mark: number): string | null {
  if (!p.option) return null
  if (!(mark >= 0)) return `mark ${mark} is negative`
  const s = p.underlyingPrice
  if (s === null || !(s > 0)) return null
  const {ratio, cash} = deliverablePerUnit(p)
  const delivered = ratio * s + cash
  const k = p.option.strike
  const tick = optionTick(p, mark)
  const intrinsic = p.option.right === 'call' ? Math.max(delivered - k, 0) : Math.max(k - delivered, 0)
  if (p.option.style === 'american' && mark < intrinsic - tick - 1e-9) {
    return `mark ${fmt(mark)} is below intrinsic value ${fmt(intrinsic)} (underlying ${fmt(s)}) by more than a tick, which an American option cannot be`
  }
  if (p.option.right === 'call' && mark > delivered + tick + 1e-9) return `mark ${fmt(mark)} of a call is above what it delivers (${fmt(delivered)} at underlying ${fmt(s)})`
  if (p.option.right === 'put' && mark > k + tick + 1e-9) return `mark ${fmt(mark)} of a put is above its strike ${fmt(k)}`
  return null
}

/**
 * The position with a mark that passes implausibleMark: its own, else the first alternative that
 * passes (markSource says which), else unknown. `warning` names the position when the mark changed.
 */
export function provenMark(p: Position): {position: Position; warning: string | null} {
  const alternatives = p.markAlternatives ?? []
  const {markAlternatives: _drop, ...rest} = p
  const clean: Position = rest
  if (p.markPrice === null || p.opaque) return {position: clean, warning: null}
  const why = implausibleMark(p, p.markPrice)
  if (!why) return {position: clean, warning: null}
  const label = `${p.symbol}: ${why} (${p.markSource ?? 'mark'})`
  for (const alt of alternatives) {
    if (alt.price === p.markPrice || implausibleMark(p, alt.price)) continue
    return {position: {...clean, markPrice: alt.price, markSource: alt.source}, warning: `${label}; using the ${describe(alt.source)} ${fmt(alt.price)} instead`}
  }
  const {markAsOf: _at, markSource: _src, ...unmarked} = clean
  return {position: {...unmarked, markPrice: null}, warning: `${label}; no other price passes, so its mark (and value) is unknown`}
}

function describe(source: MarkSource): string {
  switch (source) {
    case 'quote_mid':
      return 'quote mid'
    case 'trade':
      return 'last trade'
    case 'broker_total':
      return "broker's position value per unit"
    case 'previous_close':
      return 'previous close'
    default:
      return `${source} mark`
  }
}

function fmt(n: number): string {
  return String(Math.round(n * 10000) / 10000)
}
