import {describe, expect, it} from 'vitest'
import {analyzePayoff, type PayoffAnalysis, type PayoffLeg} from '../../src/core/domain/payoff.js'
import {expiryInstant, yearsToExpiry} from '../../src/core/domain/time.js'
import {optionPrice} from '../../src/core/pricing/index.js'
import {renderPayoff} from '../../src/core/cli/render/payoff.js'

const EXP = '2025-02-21'
const LATER = '2025-03-21'
const market = {spot: 100, rate: 0.04, dividend: 0, asOf: new Date('2025-01-02T15:00:00Z'), currency: 'USD'}

const call = (quantity: number, strike: number, price: number, extra: Partial<PayoffLeg> = {}): PayoffLeg =>
  ({kind: 'option', right: 'call', strike, expiry: EXP, quantity, multiplier: 100, price, ...extra})
const put = (quantity: number, strike: number, price: number, extra: Partial<PayoffLeg> = {}): PayoffLeg =>
  ({kind: 'option', right: 'put', strike, expiry: EXP, quantity, multiplier: 100, price, ...extra})
const shares = (quantity: number, price: number): PayoffLeg => ({kind: 'linear', quantity, multiplier: 1, price})

/** Expiration P&L straight from the definition, to check the grid against. */
function byHand(legs: PayoffLeg[], s: number): number {
  return legs.reduce((sum, l) => {
    const value = l.kind === 'linear' ? s : Math.max(l.right === 'call' ? s - l.strike! : l.strike! - s, 0)
    return sum + (value - l.price) * l.quantity * l.multiplier
  }, 0)
}

const I = Infinity
// [name, legs, spot, net premium, max profit, at, max loss, at, breakevens], all by hand.
const cases: [string, PayoffLeg[], number, number, number | null, number[], number | null, number[], number[]][] = [
  // credit 9.10 − 6.20 = 2.90; loss below 200: 2.90 − 10 = −7.10; breakeven 210 − 2.90.
  ['bull put spread', [put(-1, 210, 9.1), put(1, 200, 6.2)], 205, -290, 290, [210, I], -710, [0, 200], [207.1]],
  // credit 4.20 − 1.80 = 2.40; max loss 5 − 2.40 = 2.60; breakeven 100 + 2.40.
  ['bear call spread', [call(-1, 100, 4.2), call(1, 105, 1.8)], 100, -240, 240, [0, 100], -260, [105, I], [102.4]],
  // debit 2.40; max profit 5 − 2.40 = 2.60 above 105; breakeven 100 + 2.40.
  ['bull call spread', [call(1, 100, 4.2), call(-1, 105, 1.8)], 100, 240, 260, [105, I], -240, [0, 100], [102.4]],
  ['long call', [call(1, 100, 3.5)], 100, 350, null, [], -350, [0, 100], [103.5]],
  ['short naked call', [call(-1, 100, 3.5)], 100, -350, 350, [0, 100], null, [], [103.5]],
  // worst case S = 0: −(100 − 2.75) × 100.
  ['short put', [put(-1, 100, 2.75)], 100, -275, 275, [100, I], -9725, [0], [97.25]],
  ['long put', [put(1, 50, 2)], 55, 200, 4800, [0], -200, [50, I], [48]],
  // credit −0.80 + 1.90 + 2.10 − 0.95 = 2.25; wings 5 wide: max loss 2.75; breakevens 95 − 2.25, 105 + 2.25.
  ['iron condor', [put(1, 90, 0.8), put(-1, 95, 1.9), call(-1, 105, 2.1), call(1, 110, 0.95)], 100, -225, 225, [95, 105], -275, [0, 90, 110, I], [92.75, 107.25]],
  // (110 − 100 + 2) × 100 above 110; at 0: −(100 − 2) × 100; breakeven 100 − 2.
  ['covered call', [shares(100, 100), call(-1, 110, 2)], 100, 9800, 1200, [110, I], -9800, [0], [98]],
  // debit 7.50; breakevens 100 ± 7.50.
  ['long straddle', [call(1, 100, 4), put(1, 100, 3.5)], 100, 750, null, [], -750, [100], [92.5, 107.5]],
  ['short straddle', [call(-1, 100, 4), put(-1, 100, 3.5)], 100, -750, 750, [100], null, [], [92.5, 107.5]],
  ['long stock', [shares(50, 20)], 21, 1000, null, [], -1000, [0], [20]],
]

describe('expiration payoff: exact max profit, max loss and breakevens', () => {
  it.each(cases)('%s', (_name, legs, spot, net, maxProfit, profitAt, maxLoss, lossAt, breakevens) => {
    const a = analyzePayoff(legs, {...market, spot})
    expect(a.method).toBe('exact')
    expect(a.expiration).toBe(legs.some((l) => l.kind === 'option') ? EXP : null)
    expect(a.netPremium).toBeCloseTo(net, 9)
    if (maxProfit === null) expect(a.maxProfit).toBeNull()
    else expect(a.maxProfit).toBeCloseTo(maxProfit, 9)
    if (maxLoss === null) expect(a.maxLoss).toBeNull()
    else expect(a.maxLoss).toBeCloseTo(maxLoss, 9)
    expect(a.maxProfitAt).toEqual(profitAt)
    expect(a.maxLossAt).toEqual(lossAt)
    expect(a.breakevens).toHaveLength(breakevens.length)
    breakevens.forEach((b, i) => expect(a.breakevens[i]).toBeCloseTo(b, 9))
    // The grid's expiration values are the definition, at every point.
    for (const p of a.points) expect(p.expiration).toBeCloseTo(byHand(legs, p.underlying), 6)
  })

  it('default grid: 0.7 × lowest to 1.3 × highest of strikes and spot, with strikes, spot and breakevens on it', () => {
    const legs = [put(-1, 210, 9.1), put(1, 200, 6.2)]
    const a = analyzePayoff(legs, {...market, spot: 205.37})
    const xs = a.points.map((p) => p.underlying)
    expect(xs[0]).toBeCloseTo(200 * 0.7, 9)
    expect(xs[xs.length - 1]).toBeCloseTo(210 * 1.3, 9)
    expect(xs.length).toBeGreaterThanOrEqual(61)
    for (let i = 1; i < xs.length; i++) expect(xs[i]).toBeGreaterThan(xs[i - 1])
    for (const x of [200, 210, 205.37, a.breakevens[0]]) expect(xs.some((v) => Math.abs(v - x) < 1e-9)).toBe(true)
  })

  it('the default grid widens to show a breakeven outside the strikes-and-spot range', () => {
    const a = analyzePayoff([call(1, 100, 40)], market) // breakeven 140 > 1.3 × 100
    expect(a.breakevens[0]).toBeCloseTo(140, 9)
    expect(a.points.some((p) => Math.abs(p.underlying - 140) < 1e-9)).toBe(true)
    expect(a.points[a.points.length - 1].underlying).toBeCloseTo(140 * 1.3, 9)
  })

  it('an explicit grid is used as given (plus the strikes inside it)', () => {
    const a = analyzePayoff([call(1, 100, 3.5)], market, {from: 90, to: 110, steps: 4})
    expect(a.points.map((p) => p.underlying)).toEqual([90, 95, 100, 103.5, 105, 110])
  })

  it('rejects an option leg without a strike', () => {
    expect(() => analyzePayoff([{kind: 'option', right: 'call', quantity: 1, multiplier: 100, price: 1}], market)).toThrow(/strike/)
  })
})

describe('today curve (model at each leg’s IV and time to expiry)', () => {
  const spread = [call(1, 100, 4.2, {iv: 0.3}), call(-1, 105, 1.8, {iv: 0.28})]

  it('converges to the expiration curve as asOf approaches the expiry', () => {
    const close = expiryInstant(EXP, 'USD').getTime()
    const gap = (msBefore: number) => {
      const a = analyzePayoff(spread, {...market, asOf: new Date(close - msBefore)})
      return Math.max(...a.points.map((p) => Math.abs((p.today as number) - (p.expiration as number))))
    }
    const day = gap(86_400_000)
    const hour = gap(3_600_000)
    const minute = gap(60_000)
    expect(day).toBeGreaterThan(hour)
    expect(hour).toBeGreaterThan(minute)
    expect(minute).toBeLessThan(5) // money on a 100-multiplier spread: 1 minute of time value is tiny
    const after = analyzePayoff(spread, {...market, asOf: new Date(close + 1000)})
    for (const p of after.points) expect(p.today).toBeCloseTo(p.expiration as number, 9)
  })

  it('a leg without IV makes today’s P&L unknown everywhere, never a guess', () => {
    const a = analyzePayoff([call(1, 100, 4.2, {iv: 0.3}), call(-1, 105, 1.8, {iv: null})], market)
    expect(a.points.every((p) => p.today === null)).toBe(true)
    expect(a.points.every((p) => p.expiration !== null)).toBe(true)
    expect(a.notes.join(' ')).toMatch(/today.*unknown.*105C/)
    // An IV of 0 is a feed placeholder, not a volatility.
    expect(analyzePayoff([call(1, 100, 4.2, {iv: 0})], market).points.every((p) => p.today === null)).toBe(true)
  })

  it('a fresh trade opened at model value has today’s P&L ≈ 0 at the spot', () => {
    const years = yearsToExpiry(EXP, 'USD', market.asOf)
    const at = (right: 'call' | 'put', strike: number, vol: number) =>
      optionPrice({right, spot: market.spot, strike, years, rate: market.rate, dividend: market.dividend, vol}, {model: 'bsm', style: 'american'})
    const legs = [put(-1, 95, at('put', 95, 0.32), {iv: 0.32}), call(-1, 105, at('call', 105, 0.27), {iv: 0.27}), shares(100, market.spot)]
    const a = analyzePayoff(legs, market)
    const p = a.points.find((q) => q.underlying === market.spot)!
    expect(p.today).toBeCloseTo(0, 8)
  })

  it('linear legs only: today equals expiration', () => {
    const a = analyzePayoff([shares(-30, 50)], {...market, spot: 48})
    for (const p of a.points) expect(p.today).toBeCloseTo(p.expiration as number, 9)
  })
})

describe('legs expiring after the earliest expiry', () => {
  const back = (iv: number | null) => call(1, 100, 4.8, {expiry: LATER, iv})
  const calendar = (iv: number | null) => [call(-1, 100, 2.6, {iv: 0.3}), back(iv)]

  it('are valued with the model at the earliest expiry; figures are numerical and consistent', () => {
    const a = analyzePayoff(calendar(0.3), market)
    expect(a.method).toBe('numeric')
    expect(a.expiration).toBe(EXP)
    expect(a.notes.join(' ')).toMatch(/2025-03-21.*valued/)
    const tau = yearsToExpiry(LATER, 'USD', expiryInstant(EXP, 'USD'))
    const f = (s: number) =>
      (optionPrice({right: 'call', spot: s, strike: 100, years: tau, rate: market.rate, dividend: 0, vol: 0.3}, {model: 'bsm', style: 'american'}) - 4.8) * 100 -
      (Math.max(s - 100, 0) - 2.6) * 100
    for (const p of a.points) expect(p.expiration).toBeCloseTo(f(p.underlying), 6)
    // A long calendar: bounded both ways (both calls end up worth S − K for large S), peak at the strike.
    expect(a.maxProfit).not.toBeNull()
    expect(a.maxLoss).not.toBeNull()
    expect(a.maxProfitAt[0]).toBeCloseTo(100, 0)
    for (const p of a.points) expect(p.expiration as number).toBeLessThanOrEqual((a.maxProfit as number) + 1e-6)
    expect(a.breakevens).toHaveLength(2)
    for (const b of a.breakevens) expect(f(b)).toBeCloseTo(0, 4)
  })

  it('without IV the expiration P&L is unknown (and said so), not invented', () => {
    const a = analyzePayoff(calendar(null), market)
    expect(a.method).toBe('unknown')
    expect(a.points.every((p) => p.expiration === null && p.today === null)).toBe(true)
    expect(a.breakevens).toEqual([])
    expect(a.notes.join(' ')).toMatch(/unknown.*2025-03-21 100C.*no IV/)
  })
})

describe('renderPayoff', () => {
  const ANSI = /\u001B\[/
  const strip = (s: string) => s.replace(/\u001B\[[0-9;]*m/g, '')
  const render = (a: PayoffAnalysis, color = false, width?: number) => renderPayoff(a, {color, currency: 'USD', width})

  it('shows the summary numbers, no ANSI without colour, ≤ 80 columns', () => {
    const a = analyzePayoff([put(-1, 210, 9.1, {iv: 0.25}), put(1, 200, 6.2, {iv: 0.27})], {...market, spot: 205})
    const text = render(a)
    expect(text).not.toMatch(ANSI)
    expect(text).toMatch(/Net premium\s+290\.00 USD credit/)
    expect(text).toMatch(/Max profit\s+290\.00 USD at S ≥ 210\.00/)
    expect(text).toMatch(/Max loss\s+-710\.00 USD at S ≤ 200\.00/)
    expect(text).toMatch(/Breakevens\s+207\.10/)
    expect(text).toMatch(/Expiration\s+2025-02-21/)
    expect(text).toMatch(/at expiration/)
    expect(text).toMatch(/··· today/)
    expect(text).toContain('140') // left x label: 0.7 × 200
    expect(text).toContain('273') // right x label: 1.3 × 210
    for (const line of text.split('\n')) expect(Array.from(line).length).toBeLessThanOrEqual(80)
  })

  it('says "unlimited" for unbounded profit or loss', () => {
    expect(render(analyzePayoff([call(1, 100, 3.5)], market))).toMatch(/Max profit\s+unlimited/)
    expect(render(analyzePayoff([call(-1, 100, 3.5)], market))).toMatch(/Max loss\s+unlimited/)
  })

  it('describes flat regions and isolated extremes', () => {
    const condor = analyzePayoff([put(1, 90, 0.8), put(-1, 95, 1.9), call(-1, 105, 2.1), call(1, 110, 0.95)], market)
    const text = render(condor)
    expect(text).toMatch(/Max profit\s+225\.00 USD at 95\.00 ≤ S ≤ 105\.00/)
    expect(text).toMatch(/Max loss\s+-275\.00 USD at S ≤ 90\.00 or S ≥ 110\.00/)
    expect(text).toMatch(/Breakevens\s+92\.75, 107\.25/)
    expect(render(analyzePayoff([call(1, 100, 4), put(1, 100, 3.5)], market))).toMatch(/Max loss\s+-750\.00 USD at S = 100\.00/)
  })

  it('with colour: ANSI codes, still ≤ 80 visible columns; narrower widths are respected', () => {
    const a = analyzePayoff([call(1, 100, 4.2, {iv: 0.3}), call(-1, 105, 1.8, {iv: 0.28})], market)
    const text = render(a, true)
    expect(text).toMatch(ANSI)
    for (const line of text.split('\n')) expect(Array.from(strip(line)).length).toBeLessThanOrEqual(80)
    for (const line of render(a, false, 60).split('\n')) expect(Array.from(line).length).toBeLessThanOrEqual(60)
  })

  it('unknown today curve and unknown expiration are shown as unknown', () => {
    const noIv = render(analyzePayoff([call(1, 100, 3.5)], market))
    expect(noIv).toMatch(/today: unknown/)
    expect(noIv).not.toMatch(/··· today/)
    const blind = render(analyzePayoff([call(-1, 100, 2.6), call(1, 100, 4.8, {expiry: LATER})], market))
    expect(blind).toMatch(/Max profit\s+unknown/)
    expect(blind).toMatch(/Max loss\s+unknown/)
    expect(blind).toMatch(/Note: .*no IV/)
  })
})
