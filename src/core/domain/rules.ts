/*
 * The daemon's trading rules, evaluated on the book: pure functions of positions, settings and the
 * time (asOf). A hit is an idea with the legs that would act on it; the daemon turns hits into
 * proposals (source `rule`) that wait for approve/reject, once per rule, position and trade date.
 */
import {intrinsic} from '../pricing/index.js'
import {effectiveOption} from './deliverable.js'
import {daysToExpiry} from './time.js'
import type {Position} from './types.js'

export interface RuleSettings {
  /** close a credit (short option) position once this % of its max profit (the credit) is earned */
  takeProfitPct?: number
  /** close or roll an option at this many calendar days to expiry or fewer */
  closeAtDte?: number
  /** close a short option when the cost to buy it back reaches k × the credit received */
  stopLossMultiple?: number
  /** a short option in the money within this many days of expiry: assignment risk */
  assignmentRiskDte?: number
  /** band for the book's beta-weighted delta, benchmark shares */
  deltaBand?: {min: number; max: number}
  /** the hedge instrument: its symbol, how many benchmark shares one unit stands for, and where to book it */
  hedge?: {symbol: string; multiplier: number; portfolio?: string}
}

export type RuleName = 'take_profit' | 'close_at_dte' | 'stop_loss' | 'assignment_risk' | 'delta_band'

export interface RuleHit {
  rule: RuleName
  portfolio: string
  /** the position's symbol, or '*' for a book-level rule */
  symbol: string
  reason: string
  /** quantity signed (+ buy), price per unit */
  legs: {quantity: number; symbol: string; price: number}[]
}

export interface BookView {
  /** the book's beta-weighted delta in benchmark shares; null = unknown */
  betaWeightedDelta: number | null
  benchmark: string
  /** per share, null = unknown */
  benchmarkPrice: number | null
  /** portfolio that receives a hedge when the settings name none */
  defaultHedgePortfolio: string | null
}

const fmt = (n: number, d = 2) => n.toLocaleString('en-US', {maximumFractionDigits: d, minimumFractionDigits: 0})

/** Every rule on every position. Positions with an unknown mark are skipped (no rule can price them). */
export function evaluateRules(positions: Position[], book: BookView, s: RuleSettings, asOf: Date): RuleHit[] {
  const hits: RuleHit[] = []
  for (const p of positions) {
    if (!p.option || p.markPrice === null) continue
    const close = [{quantity: -p.quantity, symbol: p.symbol, price: p.markPrice}]
    const short = p.quantity < 0
    const dte = daysToExpiry(p.option.expiry, p.currency, asOf)
    if (dte < 0) continue // expired: eod_evaluation settles it
    const hit = (rule: RuleName, reason: string) => hits.push({rule, portfolio: p.portfolio, symbol: p.symbol, reason, legs: close})
    if (short && p.entryPrice !== null && p.entryPrice > 0) {
      const earnedPct = ((p.entryPrice - p.markPrice) / p.entryPrice) * 100
      if (s.takeProfitPct !== undefined && earnedPct >= s.takeProfitPct)
        hit('take_profit', `${p.symbol}: ${fmt(earnedPct, 1)} % of the max profit earned (credit ${fmt(p.entryPrice)}, now ${fmt(p.markPrice)}), target ${fmt(s.takeProfitPct)} %: buy to close`)
      if (s.stopLossMultiple !== undefined && p.markPrice >= s.stopLossMultiple * p.entryPrice)
        hit('stop_loss', `${p.symbol}: costs ${fmt(p.markPrice)} to close, ≥ ${fmt(s.stopLossMultiple)} × the ${fmt(p.entryPrice)} credit: buy to close`)
    }
    if (s.closeAtDte !== undefined && dte <= s.closeAtDte) hit('close_at_dte', `${p.symbol}: ${dte} day(s) to expiry (rule: close or roll at ${s.closeAtDte})`)
    if (short && s.assignmentRiskDte !== undefined && dte <= s.assignmentRiskDte && p.underlyingPrice !== null) {
      // On what it delivers (XYZ1: 1.5 × max(S − 33.33, 0)); with the deliverable unknown it cannot be judged, so it is flagged.
      const e = effectiveOption(p)
      if (!e) hit('assignment_risk', `${p.symbol}: short with ${dte} day(s) to expiry and its deliverable unknown, so how far in the money it is cannot be told: check assignment risk`)
      const itm = e ? e.ratio * intrinsic({right: p.option.right, spot: p.underlyingPrice, strike: e.strike}) : 0
      if (itm > 0)
        hit('assignment_risk', `${p.symbol}: short and ${fmt(itm)} in the money with ${dte} day(s) to expiry (underlying ${fmt(p.underlyingPrice)}): assignment risk, buy to close or roll`)
    }
  }
  const band = s.deltaBand
  if (band && book.betaWeightedDelta !== null && (book.betaWeightedDelta < band.min || book.betaWeightedDelta > band.max)) {
    const hedge = s.hedge ?? {symbol: book.benchmark, multiplier: 1}
    const portfolio = hedge.portfolio ?? book.defaultHedgePortfolio
    const target = (band.min + band.max) / 2
    const units = Math.round((target - book.betaWeightedDelta) / hedge.multiplier)
    const held = positions.find((p) => p.symbol === hedge.symbol && p.markPrice !== null)
    const price = held?.markPrice ?? (hedge.symbol === book.benchmark ? book.benchmarkPrice : null)
    if (portfolio && units !== 0 && price !== null)
      hits.push({
        rule: 'delta_band', portfolio, symbol: '*',
        reason: `beta-weighted delta ${fmt(book.betaWeightedDelta, 1)} ${book.benchmark} shares is outside [${fmt(band.min)}, ${fmt(band.max)}]: ${units > 0 ? 'buy' : 'sell'} ${Math.abs(units)} ${hedge.symbol} to bring it to ${fmt(target)}`,
        legs: [{quantity: units, symbol: hedge.symbol, price}],
      })
  }
  return hits
}
