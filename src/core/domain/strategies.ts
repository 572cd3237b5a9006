/*
 * Strategy groups: the legs of one account on one underlying, grouped into the strategy they form
 * (vertical, iron condor, covered call, ...). Matching is greedy in a fixed order, most specific
 * shape first (four-leg, three-leg, stock + option, two-leg, single), so a book reads the way a
 * trader would name it; among candidates of one shape the narrowest (closest strikes, nearest
 * expiry, lowest strike) wins, which splits two verticals on one underlying into the two verticals
 * rather than a wide and a narrow one. A position can be split between groups by quantity (three
 * short calls against 200 shares: a covered call of 2 lots and a single short call).
 *
 * Per group: max profit, max loss (or unlimited), break-evens (domain/payoff.ts, exact for one
 * expiration, numerical with the model when legs expire later), net position Greeks, P&L, DTE.
 * Money in the portfolio's currency: pass positions already restated (money.inCurrency).
 */
import {positionGreeks} from './greeks.js'
import {analyzePayoff, type PayoffLeg, type PayoffMethod} from './payoff.js'
import {effectiveOption, unknownDeliverable} from './deliverable.js'
import {unrealizedPnl} from './pnl.js'
import {total} from './sum.js'
import {daysToExpiry} from './time.js'
import type {Position} from './types.js'

export type StrategyName =
  | 'iron_condor' | 'iron_butterfly' | 'butterfly' | 'collar' | 'covered_call' | 'synthetic_stock' | 'straddle' | 'strangle'
  | 'vertical' | 'ratio_spread' | 'calendar' | 'diagonal' | 'cash_secured_put' | 'single'

export interface GroupLeg {
  symbol: string
  /** the part of the position in this group, signed (+ long, − short), contracts or shares */
  quantity: number
}

export interface StrategyGroup {
  portfolio: string
  underlying: string
  currency: string
  strategy: StrategyName
  legs: GroupLeg[]
  /** most the group can gain by the (earliest) expiration from the entry prices, money; null = unlimited or unknown (see unlimitedProfit) */
  maxProfit: number | null
  /** most the group can lose, as a positive amount of money; null = unlimited or unknown (see unlimitedLoss) */
  maxLoss: number | null
  unlimitedProfit: boolean
  unlimitedLoss: boolean
  /** underlying prices where the expiration P&L is 0, ascending, per unit of the underlying */
  breakevens: number[]
  /** how the figures above were found (payoff.ts); 'unknown' when an entry price or a needed IV is missing */
  payoffMethod: PayoffMethod
  /** net position Greeks: delta in shares, gamma per 1.00 move, theta money per calendar day, vega money per vol point */
  delta: number | null
  gamma: number | null
  theta: number | null
  vega: number | null
  /** legs with unknown Greeks, left out of the Greek sums */
  missingGreeks: number
  /** Σ unrealized P&L of the legs, money; partial when missingPnl > 0 */
  unrealizedPnl: number | null
  missingPnl: number
  /** calendar days to the earliest option expiry in the group; null without options */
  dte: number | null
  /** earliest option expiry, YYYY-MM-DD */
  expiry: string | null
  notes: string[]
}

export interface StrategyMarket {
  asOf: Date
  /** continuously compounded rate by currency (missing = 0) */
  rates: Record<string, number>
  /** continuous dividend yield by underlying (missing = 0) */
  dividends: Record<string, number>
  /** cash of each portfolio in its currency (null/missing = unknown): a lone short put is cash-secured only when cash covers strike × units */
  cash?: Record<string, number | null>
}

interface Leg {
  p: Position
  /** remaining signed quantity not yet grouped */
  q: number
}

type Found = {strategy: StrategyName; parts: [Leg, number][]}

// An option with a non-standard (or unknown) deliverable is not one lot of a standard shape: it stands alone ('single').
const isOpt = (l: Leg) => !!l.p.option && !l.p.deliverable && unknownDeliverable(l.p) === null
const isStock = (l: Leg) => !l.p.option && (l.p.instrumentType === 'equity' || l.p.instrumentType === 'fund')
const live = (l: Leg) => l.q !== 0
const o = (l: Leg) => l.p.option!
const sameExp = (a: Leg, b: Leg) => o(a).expiry === o(b).expiry
const sgn = (x: number) => Math.sign(x)

/** Groups every position; groups never span portfolios (accounts) or currencies. */
export function groupStrategies(positions: Position[], market: StrategyMarket): StrategyGroup[] {
  const books = new Map<string, Position[]>()
  for (const p of positions) {
    const key = `${p.portfolio}\u0000${p.underlying}\u0000${p.currency}`
    books.set(key, [...(books.get(key) ?? []), p])
  }
  const out: StrategyGroup[] = []
  const cashLeft = new Map(Object.entries(market.cash ?? {}))
  for (const list of books.values()) {
    for (const f of classify(list, cashLeft)) out.push(describeGroup(f, market))
  }
  return out
}

/** The strategies one account's legs on one underlying form, most specific first. */
export function classify(positions: Position[], cashLeft: Map<string, number | null> = new Map()): Found[] {
  const legs: Leg[] = positions
    .filter((p) => p.quantity !== 0)
    .map((p) => ({p, q: p.quantity}))
    .sort((a, b) => (o2key(a) < o2key(b) ? -1 : o2key(a) > o2key(b) ? 1 : 0))
  const found: Found[] = []
  const take = (strategy: StrategyName, parts: [Leg, number][]) => {
    for (const [leg, q] of parts) leg.q -= q
    found.push({strategy, parts})
  }
  const opts = (pred: (l: Leg) => boolean = () => true) => legs.filter((l) => live(l) && isOpt(l) && pred(l))
  // lots n of a shape with per-leg ratios: the most whole lots every leg can supply
  const lots = (parts: [Leg, number][]) => Math.min(...parts.map(([l, r]) => Math.floor(Math.abs(l.q) / Math.abs(r) + 1e-9)))
  const scaled = (parts: [Leg, number][], n: number): [Leg, number][] => parts.map(([l, r]) => [l, r * n])

  const pass = (strategy: StrategyName | ((parts: [Leg, number][]) => StrategyName), search: () => [Leg, number][] | null) => {
    for (;;) {
      const parts = search()
      if (!parts) return
      const n = lots(parts)
      if (n < 1) return
      const s = scaled(parts, n)
      take(typeof strategy === 'function' ? strategy(s) : strategy, s)
    }
  }

  // Iron condor / iron butterfly: put K1 < put K2 ≤ call K3 < call K4, one expiry; the inner pair of one sign, the wings of the other.
  pass(
    (parts) => (o(parts[1][0]).strike === o(parts[2][0]).strike ? 'iron_butterfly' : 'iron_condor'),
    () => {
      let best: [Leg, number][] | null = null
      let bestWidth = Infinity
      for (const p2 of opts((l) => o(l).right === 'put'))
        for (const c3 of opts((l) => o(l).right === 'call' && sameExp(l, p2) && sgn(l.q) === sgn(p2.q) && o(l).strike >= o(p2).strike))
          for (const p1 of opts((l) => o(l).right === 'put' && sameExp(l, p2) && sgn(l.q) === -sgn(p2.q) && o(l).strike < o(p2).strike))
            for (const c4 of opts((l) => o(l).right === 'call' && sameExp(l, p2) && sgn(l.q) === -sgn(p2.q) && o(l).strike > o(c3).strike)) {
              const width = o(c4).strike - o(p1).strike
              if (width < bestWidth) {
                bestWidth = width
                best = [[p1, sgn(p1.q)], [p2, sgn(p2.q)], [c3, sgn(c3.q)], [c4, sgn(c4.q)]]
              }
            }
      return best
    },
  )
  // Butterfly: one right and expiry, K1 < K2 < K3, wings one sign, body twice the lots of the other.
  pass('butterfly', () => {
    for (const b of opts())
      for (const w1 of opts((l) => o(l).right === o(b).right && sameExp(l, b) && sgn(l.q) === -sgn(b.q) && o(l).strike < o(b).strike).reverse())
        for (const w3 of opts((l) => o(l).right === o(b).right && sameExp(l, b) && sgn(l.q) === -sgn(b.q) && o(l).strike > o(b).strike))
          if (Math.abs(b.q) >= 2) return [[w1, sgn(w1.q)], [b, 2 * sgn(b.q)], [w3, sgn(w3.q)]]
    return null
  })
  // Vertical: one right and expiry, opposite signs, equal lots; the narrowest pair first (ties: lowest strike).
  const pairs = (samePair: (a: Leg, b: Leg) => boolean, equal: boolean) => () => {
    let best: [Leg, number][] | null = null
    let bestKey = Infinity
    for (const a of opts())
      for (const b of opts((l) => l !== a && o(l).right === o(a).right && sgn(l.q) === -sgn(a.q) && samePair(a, l))) {
        if (equal !== (Math.abs(a.q) === Math.abs(b.q))) continue
        const key = Math.abs(o(a).strike - o(b).strike) * 1e6 + daysBetween(o(a).expiry, o(b).expiry) * 1e3 + Math.min(o(a).strike, o(b).strike) * 1e-6
        if (key < bestKey) {
          bestKey = key
          const [lo, hi] = o(a).strike <= o(b).strike ? [a, b] : [b, a]
          best = equal ? [[lo, sgn(lo.q)], [hi, sgn(hi.q)]] : [[lo, lo.q], [hi, hi.q]]
        }
      }
    return best
  }
  const sameExpDiffStrike = (a: Leg, b: Leg) => sameExp(a, b) && o(a).strike !== o(b).strike
  pass('vertical', pairs(sameExpDiffStrike, true))
  // Collar: long stock, long put below a short call of one expiry, 1 contract per `multiplier` shares.
  pass('collar', () => {
    for (const s of legs.filter((l) => live(l) && isStock(l) && l.q > 0))
      for (const put of opts((l) => o(l).right === 'put' && l.q > 0))
        for (const call of opts((l) => o(l).right === 'call' && l.q < 0 && sameExp(l, put) && o(l).strike > o(put).strike && l.p.multiplier === put.p.multiplier))
          return [[s, call.p.multiplier], [put, 1], [call, -1]]
    return null
  })
  // Covered call: a short call against `multiplier` long shares per contract.
  pass('covered_call', () => {
    for (const s of legs.filter((l) => live(l) && isStock(l) && l.q > 0))
      for (const call of opts((l) => o(l).right === 'call' && l.q < 0)) return [[s, call.p.multiplier], [call, -1]]
    return null
  })
  // Synthetic stock: a call and a put of one strike and expiry, opposite signs.
  pass('synthetic_stock', () => {
    for (const c of opts((l) => o(l).right === 'call'))
      for (const p of opts((l) => o(l).right === 'put' && sameExp(l, c) && o(l).strike === o(c).strike && sgn(l.q) === -sgn(c.q)))
        return [[c, sgn(c.q)], [p, sgn(p.q)]]
    return null
  })
  // Straddle (one strike) and strangle (put below call): same sign, one expiry; the closest strikes first.
  pass(
    (parts) => (o(parts[0][0]).strike === o(parts[1][0]).strike ? 'straddle' : 'strangle'),
    () => {
      let best: [Leg, number][] | null = null
      let bestWidth = Infinity
      for (const p of opts((l) => o(l).right === 'put'))
        for (const c of opts((l) => o(l).right === 'call' && sameExp(l, p) && sgn(l.q) === sgn(p.q) && o(l).strike >= o(p).strike)) {
          const width = o(c).strike - o(p).strike
          if (width < bestWidth) {
            bestWidth = width
            best = [[p, sgn(p.q)], [c, sgn(c.q)]]
          }
        }
      return best
    },
  )
  // Ratio spread: the same shape with unequal quantities: all of both legs.
  pass('ratio_spread', pairs(sameExpDiffStrike, false))
  // Calendar (one strike) and diagonal (two strikes): opposite signs across two expiries.
  pass('calendar', pairs((a, b) => !sameExp(a, b) && o(a).strike === o(b).strike, true))
  pass('diagonal', pairs((a, b) => !sameExp(a, b) && o(a).strike !== o(b).strike, true))
  // Cash-secured put: a lone short put whose strike × units the portfolio's cash still covers.
  for (const put of opts((l) => o(l).right === 'put' && l.q < 0)) {
    const cash = cashLeft.get(put.p.portfolio)
    const need = o(put).strike * -put.q * put.p.multiplier
    if (cash !== undefined && cash !== null && cash >= need - 1e-9) {
      cashLeft.set(put.p.portfolio, cash - need)
      take('cash_secured_put', [[put, put.q]])
    }
  }
  for (const l of legs) if (live(l)) take('single', [[l, l.q]])
  return found
}

function o2key(l: Leg): string {
  const opt = l.p.option
  return opt ? `1 ${opt.expiry} ${String(opt.strike).padStart(12, '0')} ${opt.right}` : `0 ${l.p.symbol}`
}

function daysBetween(a: string, b: string): number {
  return Math.abs(Date.parse(a) - Date.parse(b)) / 86_400_000
}

function describeGroup(f: Found, market: StrategyMarket): StrategyGroup {
  const first = f.parts[0][0].p
  const notes: string[] = []
  // A leg's share of its position: Greeks and P&L scale with quantity.
  const part = (p: Position, q: number): Position => ({...p, quantity: q})
  const members = f.parts.map(([l, q]) => part(l.p, q))
  const greeks = members.map(positionGreeks)
  const sum = (k: 'delta' | 'gamma' | 'theta' | 'vega') => total(greeks.map((g) => (g ? g[k] : null)))
  const pnl = total(members.map(unrealizedPnl))
  const nearest = members.filter((p) => p.option).sort((a, b) => (a.option!.expiry < b.option!.expiry ? -1 : 1))[0]
  const expiry = nearest?.option!.expiry ?? null

  let maxProfit: number | null = null
  let maxLoss: number | null = null
  let unlimitedProfit = false
  let unlimitedLoss = false
  let breakevens: number[] = []
  let method: PayoffMethod = 'unknown'
  const noEntry = members.filter((p) => p.entryPrice === null)
  const other = members.filter((p) => !p.option && p.instrumentType !== 'equity' && p.instrumentType !== 'fund' && p.instrumentType !== 'future' && p.instrumentType !== 'crypto')
  const unknown = members.map((p) => unknownDeliverable(p)).filter((w): w is string => w !== null)
  if (noEntry.length > 0) notes.push(`no entry price for ${noEntry.map((p) => p.symbol).join(', ')}: max profit, max loss and break-evens unknown`)
  else if (unknown.length > 0) notes.push(`${unknown[0]}: max profit, max loss and break-evens unknown`)
  else if (other.length === 0) {
    // An adjusted option is `ratio` options per unit at its effective strike (domain/deliverable.ts).
    const legs: PayoffLeg[] = members.map((p) => {
      if (!p.option) return {kind: 'linear', quantity: p.quantity, multiplier: p.multiplier, price: p.entryPrice!}
      const e = effectiveOption(p)!
      return {kind: 'option', right: p.option.right, strike: e.strike, expiry: p.option.expiry, quantity: p.quantity, multiplier: p.multiplier * e.ratio, price: p.entryPrice! / e.ratio, iv: p.iv, style: p.option.style, model: p.instrumentType === 'future_option' ? 'black76' : 'bsm'}
    })
    const strikes = members.flatMap((p) => (p.option ? [effectiveOption(p)!.strike] : []))
    const spot = first.underlyingPrice ?? members.find((p) => p.underlyingPrice !== null)?.underlyingPrice ?? strikes[0] ?? members[0].entryPrice!
    const a = analyzePayoff(
      legs,
      {spot, rate: market.rates[first.currency] ?? 0, dividend: first.instrumentType === 'future_option' ? 0 : market.dividends[first.underlying] ?? 0, asOf: market.asOf, currency: first.currency},
      {steps: 4},
    )
    method = a.method
    notes.push(...a.notes)
    if (a.method !== 'unknown') {
      unlimitedProfit = a.maxProfit === null
      unlimitedLoss = a.maxLoss === null
      maxProfit = a.maxProfit === null ? null : Math.max(0, a.maxProfit)
      maxLoss = a.maxLoss === null ? null : Math.max(0, -a.maxLoss)
      breakevens = a.breakevens
    }
  }
  return {
    portfolio: first.portfolio,
    underlying: first.underlying,
    currency: first.currency,
    strategy: f.strategy,
    legs: members.map((p) => ({symbol: p.symbol, quantity: p.quantity})),
    maxProfit,
    maxLoss,
    unlimitedProfit,
    unlimitedLoss,
    breakevens,
    payoffMethod: method,
    delta: sum('delta').value,
    gamma: sum('gamma').value,
    theta: sum('theta').value,
    vega: sum('vega').value,
    missingGreeks: greeks.filter((g) => g === null).length,
    unrealizedPnl: pnl.value,
    missingPnl: pnl.missing,
    dte: nearest ? daysToExpiry(expiry!, first.currency, market.asOf, nearest) : null,
    expiry,
    notes,
  }
}
