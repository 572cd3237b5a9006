/*
 * Position health: the numbers a trader checks on each position every day. DTE; for a credit
 * position (a short option) the share of its max profit already captured; break-even at
 * expiration and how far the underlying is from it, in % and in standard deviations of the move
 * the IV implies by expiry; intrinsic and extrinsic value; the model's probability of expiring in
 * the money; and an assignment-risk flag for a short American option in the money whose extrinsic
 * value is below the next dividend (calls, ex-date before expiry) or that expires within 2 days.
 *
 * Units: prices per unit in the position's currency; distances in % of the underlying price and
 * in σ (standard deviations of ln S_T); probabilities and fractions 0–1. Pure: asOf comes in.
 */
import {normCdf} from '../pricing/index.js'
import {daysToExpiry, yearsToExpiry} from './time.js'
import type {Position} from './types.js'

/** The next cash dividend of an underlying, per share, in the underlying's currency. */
export interface NextDividend {
  /** ex-dividend date, YYYY-MM-DD */
  exDate: string
  /** money per share */
  amount: number
}

export interface HealthMarket {
  asOf: Date
  /** continuously compounded rate of the position's currency */
  rate: number
  /** continuous dividend yield of the underlying */
  dividend: number
  /** the next cash dividend, when known (config market.next_dividends) */
  nextDividend?: NextDividend | null
}

export interface PositionHealth {
  /** calendar days to expiry (options), null otherwise */
  dte: number | null
  /** short options only: (entry − mark) ÷ entry, the part of the max profit (the credit) captured, 0–1 (negative when the option gained) */
  profitCaptured: number | null
  /** underlying price where the position breaks even at expiration, per unit; null when the entry price is unknown */
  breakeven: number | null
  /** (break-even − underlying) ÷ underlying × 100, percent: + = the break-even lies above the price */
  breakevenDistancePct: number | null
  /** ln(break-even ÷ underlying) ÷ (IV × √T): the same distance in standard deviations of the move to expiry (options with IV) */
  breakevenDistanceSd: number | null
  /** per unit: max(S − K, 0) for a call, max(K − S, 0) for a put; null without an underlying price */
  intrinsic: number | null
  /** per unit: mark − intrinsic (time value); null when either is unknown */
  extrinsic: number | null
  /** model probability (risk-neutral, lognormal at the IV) that the option expires in the money, 0–1 */
  probItm: number | null
  /** true when a short in-the-money option risks early assignment; null when it cannot be judged (unknown price) */
  assignmentRisk: boolean | null
  /** why assignmentRisk is set, or what could not be checked */
  assignmentNote: string | null
}

const EMPTY: PositionHealth = {
  dte: null, profitCaptured: null, breakeven: null, breakevenDistancePct: null, breakevenDistanceSd: null,
  intrinsic: null, extrinsic: null, probItm: null, assignmentRisk: null, assignmentNote: null,
}

export function positionHealth(p: Position, m: HealthMarket): PositionHealth {
  const s = p.underlyingPrice
  if (!p.option) {
    // Stock, funds, futures: break-even is the entry price; nothing expires and nothing can be assigned.
    const be = p.entryPrice
    return {...EMPTY, assignmentRisk: false, breakeven: be, breakevenDistancePct: be !== null && s !== null && s > 0 ? ((be - s) / s) * 100 : null}
  }
  const {strike, right, expiry, style} = p.option
  const call = right === 'call'
  // The contract decides its settlement (AM-settled index options, holiday roll-back): calendar/expiry.ts.
  const dte = daysToExpiry(expiry, p.currency, m.asOf, p)
  const years = yearsToExpiry(expiry, p.currency, m.asOf, p)
  const short = p.quantity < 0
  const mark = p.markPrice
  const entry = p.entryPrice
  const profitCaptured = short && entry !== null && mark !== null && entry > 0 ? (entry - mark) / entry : null
  const breakeven = entry === null ? null : call ? strike + entry : strike - entry
  const iv = p.iv !== null && p.iv > 0 ? p.iv : null
  const sdScale = iv !== null && years > 0 ? iv * Math.sqrt(years) : null
  const intrinsic = s === null ? null : Math.max(call ? s - strike : strike - s, 0)
  const extrinsic = intrinsic === null || mark === null ? null : mark - intrinsic
  let probItm: number | null = null
  if (s !== null && s > 0 && strike > 0) {
    if (years <= 0) probItm = intrinsic! > 0 ? 1 : 0
    else if (sdScale !== null) {
      // Futures options: the future drifts at 0 under the risk-neutral measure (Black-76).
      const carry = p.instrumentType === 'future_option' ? 0 : m.rate - m.dividend
      const d2 = (Math.log(s / strike) + (carry - (iv! * iv!) / 2) * years) / sdScale
      probItm = call ? normCdf(d2) : normCdf(-d2)
    }
  }
  const h: PositionHealth = {
    dte,
    profitCaptured,
    breakeven,
    breakevenDistancePct: breakeven !== null && s !== null && s > 0 ? ((breakeven - s) / s) * 100 : null,
    breakevenDistanceSd: breakeven !== null && breakeven > 0 && s !== null && s > 0 && sdScale !== null ? Math.log(breakeven / s) / sdScale : null,
    intrinsic,
    extrinsic,
    probItm,
    assignmentRisk: false,
    assignmentNote: null,
  }
  if (!short || style !== 'american' || years <= 0) return h
  if (intrinsic === null) return {...h, assignmentRisk: null, assignmentNote: 'underlying price unknown'}
  if (intrinsic <= 0) return h
  if (dte <= 2) return {...h, assignmentRisk: true, assignmentNote: `in the money, expires in ${dte} day${dte === 1 ? '' : 's'}`}
  if (!call) return h
  const div = m.nextDividend
  if (!div) {
    if (m.dividend > 0) return {...h, assignmentRisk: null, assignmentNote: 'in the money; next dividend unknown (set market.next_dividends)'}
    return h
  }
  // Only an ex-date from today up to expiry matters: the holder exercises the day before it to get the dividend.
  if (div.exDate > expiry || daysToExpiry(div.exDate, p.currency, m.asOf) < 0) return h
  if (extrinsic === null) return {...h, assignmentRisk: null, assignmentNote: 'in the money; mark unknown'}
  if (extrinsic < div.amount)
    return {...h, assignmentRisk: true, assignmentNote: `in the money, extrinsic ${extrinsic.toFixed(2)} below the ${div.amount.toFixed(2)} dividend (ex ${div.exDate})`}
  return h
}
