import {describe, expect, it} from 'vitest'
import {classify, groupStrategies, type StrategyName} from '../../src/core/domain/strategies.js'
import type {Position} from '../../src/core/domain/types.js'
import {pos} from './builders.js'

const E = '2026-06-26'
const L = '2026-07-24'
const asOf = new Date('2026-05-27T15:00:00Z') // 30 days before E
const market = {asOf, rates: {USD: 0.04}, dividends: {}}

/** Groups as `strategy: leg leg ...`, legs as signed quantity and symbol, sorted for comparison. */
function names(positions: Position[], cash: Record<string, number | null> = {}): string[] {
  return classify(positions, new Map(Object.entries(cash)))
    .map((f) => `${f.strategy}: ${f.parts.map(([l, q]) => `${q} ${l.p.symbol}`).join(', ')}`)
    .sort()
}

const opt = (q: number, k: number, r: 'C' | 'P', price: number, exp = E, extra: Partial<Position> = {}) =>
  pos(`${q} XYZ ${exp} ${k}${r} @ ${price} mark ${price}`, {underlyingPrice: 100, iv: 0.3, ...extra})
const stock = (q: number, price = 100) => pos(`${q} XYZ @ ${price} mark ${price}`)

const cases: [string, Position[], string[]][] = [
  ['vertical (bull put)', [opt(-1, 105, 'P', 6), opt(1, 100, 'P', 3)], [`vertical: 1 XYZ ${E} 100P, -1 XYZ ${E} 105P`]],
  ['iron condor', [opt(1, 90, 'P', 0.8), opt(-1, 95, 'P', 1.9), opt(-1, 105, 'C', 2.1), opt(1, 110, 'C', 0.95)],
    [`iron_condor: 1 XYZ ${E} 90P, -1 XYZ ${E} 95P, -1 XYZ ${E} 105C, 1 XYZ ${E} 110C`]],
  ['iron butterfly', [opt(1, 90, 'P', 1), opt(-1, 100, 'P', 4), opt(-1, 100, 'C', 4), opt(1, 110, 'C', 1)],
    [`iron_butterfly: 1 XYZ ${E} 90P, -1 XYZ ${E} 100P, -1 XYZ ${E} 100C, 1 XYZ ${E} 110C`]],
  ['straddle', [opt(-2, 100, 'C', 4), opt(-2, 100, 'P', 3.5)], [`straddle: -2 XYZ ${E} 100P, -2 XYZ ${E} 100C`]],
  ['strangle', [opt(1, 110, 'C', 1.5), opt(1, 90, 'P', 1.2)], [`strangle: 1 XYZ ${E} 90P, 1 XYZ ${E} 110C`]],
  ['calendar', [opt(-1, 100, 'C', 4), opt(1, 100, 'C', 5.5, L)], [`calendar: -1 XYZ ${E} 100C, 1 XYZ ${L} 100C`]],
  ['diagonal', [opt(-1, 105, 'C', 2), opt(1, 100, 'C', 5.5, L)], [`diagonal: 1 XYZ ${L} 100C, -1 XYZ ${E} 105C`]],
  ['butterfly', [opt(1, 95, 'C', 7), opt(-2, 100, 'C', 4), opt(1, 105, 'C', 2)], [`butterfly: 1 XYZ ${E} 95C, -2 XYZ ${E} 100C, 1 XYZ ${E} 105C`]],
  ['ratio spread', [opt(1, 100, 'C', 4), opt(-2, 105, 'C', 2)], [`ratio_spread: 1 XYZ ${E} 100C, -2 XYZ ${E} 105C`]],
  ['covered call', [stock(200), opt(-2, 110, 'C', 2)], [`covered_call: 200 XYZ, -2 XYZ ${E} 110C`]],
  ['cash-secured put (cash covers 95 × 100)', [opt(-1, 95, 'P', 2)], [`cash_secured_put: -1 XYZ ${E} 95P`]],
  ['collar', [stock(100), opt(1, 95, 'P', 2), opt(-1, 110, 'C', 2)], [`collar: 100 XYZ, 1 XYZ ${E} 95P, -1 XYZ ${E} 110C`]],
  ['synthetic stock', [opt(1, 100, 'C', 4), opt(-1, 100, 'P', 3.8)], [`synthetic_stock: 1 XYZ ${E} 100C, -1 XYZ ${E} 100P`]],
  ['single leg', [opt(1, 100, 'C', 4)], [`single: 1 XYZ ${E} 100C`]],
  // Ambiguous books.
  ['two put verticals on one expiry: the two narrow spreads, not a wide and a narrow one',
    [opt(1, 100, 'P', 2), opt(-1, 105, 'P', 3), opt(1, 110, 'P', 5), opt(-1, 115, 'P', 8)],
    [`vertical: 1 XYZ ${E} 100P, -1 XYZ ${E} 105P`, `vertical: 1 XYZ ${E} 110P, -1 XYZ ${E} 115P`]],
  ['two call verticals in two expiries stay verticals (no diagonals across them)',
    [opt(1, 100, 'C', 4), opt(-1, 105, 'C', 2), opt(1, 100, 'C', 5, L), opt(-1, 105, 'C', 3, L)],
    [`vertical: 1 XYZ ${E} 100C, -1 XYZ ${E} 105C`, `vertical: 1 XYZ ${L} 100C, -1 XYZ ${L} 105C`]],
  ['three short calls on 200 shares: 2 covered, 1 naked', [stock(200), opt(-3, 110, 'C', 2)],
    [`covered_call: 200 XYZ, -2 XYZ ${E} 110C`, `single: -1 XYZ ${E} 110C`]],
  ['200 shares, −2 calls and a put spread: two covered calls and a vertical, not a collar around a stray short put',
    [stock(200), opt(-2, 110, 'C', 3), opt(1, 90, 'P', 2), opt(-1, 95, 'P', 3.5)],
    [`covered_call: 200 XYZ, -2 XYZ ${E} 110C`, `vertical: 1 XYZ ${E} 90P, -1 XYZ ${E} 95P`]],
  ['short put without enough cash is a single leg', [opt(-1, 200, 'P', 2)], [`single: -1 XYZ ${E} 200P`]],
  ['a 2-lot iron condor with a third long put: condor × 2 + single', [opt(3, 90, 'P', 0.8), opt(-2, 95, 'P', 1.9), opt(-2, 105, 'C', 2.1), opt(2, 110, 'C', 0.95)],
    [`iron_condor: 2 XYZ ${E} 90P, -2 XYZ ${E} 95P, -2 XYZ ${E} 105C, 2 XYZ ${E} 110C`, `single: 1 XYZ ${E} 90P`]],
]

describe('strategy groups: each shape is named', () => {
  it.each(cases)('%s', (_name, positions, expected) => {
    expect(names(positions, {test: 10_000})).toEqual([...expected].sort())
  })

  it('every strategy name of the issue is reached by some case', () => {
    const all: StrategyName[] = ['vertical', 'iron_condor', 'iron_butterfly', 'straddle', 'strangle', 'calendar', 'diagonal', 'butterfly', 'ratio_spread', 'covered_call', 'cash_secured_put', 'collar', 'synthetic_stock', 'single']
    const seen = new Set(cases.flatMap(([, p]) => classify(p, new Map([['test', 10_000]])).map((f) => f.strategy)))
    expect([...seen].sort()).toEqual([...all].sort())
  })
})

describe('strategy groups: figures', () => {
  it('groups never span accounts: the same vertical legs in two portfolios make two singles each side', () => {
    const a = opt(-1, 105, 'P', 6, E, {portfolio: 'a'})
    const b = opt(1, 100, 'P', 3, E, {portfolio: 'b'})
    const g = groupStrategies([a, b], market)
    expect(g.map((x) => `${x.portfolio} ${x.strategy}`).sort()).toEqual(['a single', 'b single'])
  })

  it('bull put spread: max profit = credit, max loss = width − credit, break-even short strike − credit, net Greeks and P&L', () => {
    const short = opt(-1, 105, 'P', 6, E, {markPrice: 5, greeks: {delta: -0.6, gamma: 0.05, theta: -0.04, vega: 0.12, rho: 0}})
    const long = opt(1, 100, 'P', 3, E, {markPrice: 2.5, greeks: {delta: -0.35, gamma: 0.04, theta: -0.03, vega: 0.10, rho: 0}})
    const [g] = groupStrategies([short, long], market)
    expect(g.strategy).toBe('vertical')
    expect(g.maxProfit).toBeCloseTo(300, 9) // (6 − 3) × 100
    expect(g.maxLoss).toBeCloseTo(200, 9) // (5 − 3) × 100
    expect(g.unlimitedLoss).toBe(false)
    expect(g.breakevens).toHaveLength(1)
    expect(g.breakevens[0]).toBeCloseTo(102, 9)
    expect(g.delta).toBeCloseTo((0.6 - 0.35) * 100, 9)
    expect(g.theta).toBeCloseTo((0.04 - 0.03) * 100, 9)
    expect(g.vega).toBeCloseTo((-0.12 + 0.1) * 100, 9)
    expect(g.unrealizedPnl).toBeCloseTo((5 - 6) * -100 + (2.5 - 3) * 100, 9) // +100 − 50
    expect(g.dte).toBe(30)
    expect(g.expiry).toBe(E)
  })

  it('short straddle: unlimited loss, two break-evens; covered call split by quantity carries its share of P&L', () => {
    const [s] = groupStrategies([opt(-1, 100, 'C', 4), opt(-1, 100, 'P', 3.5)], market)
    expect(s.unlimitedLoss).toBe(true)
    expect(s.maxLoss).toBeNull()
    expect(s.maxProfit).toBeCloseTo(750, 9)
    expect(s.breakevens.map((b) => Math.round(b * 100) / 100)).toEqual([92.5, 107.5])
    const groups = groupStrategies([stock(200, 100), opt(-3, 110, 'C', 2, E, {markPrice: 1})], market)
    const cc = groups.find((g) => g.strategy === 'covered_call')!
    const naked = groups.find((g) => g.strategy === 'single')!
    expect(cc.unrealizedPnl).toBeCloseTo(200, 9) // (1 − 2) × −2 × 100; stock flat
    expect(naked.unrealizedPnl).toBeCloseTo(100, 9)
    expect(cc.maxProfit).toBeCloseTo((110 - 100 + 2) * 200, 9)
    expect(naked.unlimitedLoss).toBe(true)
  })

  it('an unknown entry price leaves max profit / loss unknown, not 0', () => {
    const [g] = groupStrategies([opt(-1, 105, 'P', 6, E, {entryPrice: null}), opt(1, 100, 'P', 3)], market)
    expect(g.maxProfit).toBeNull()
    expect(g.maxLoss).toBeNull()
    expect(g.unlimitedLoss).toBe(false)
    expect(g.payoffMethod).toBe('unknown')
    expect(g.unrealizedPnl).toBe(0) // the known leg: mark = entry
    expect(g.missingPnl).toBe(1)
  })

  it('calendar: figures come from the model at the back leg\'s IV (numeric), max loss is the debit at most', () => {
    const [g] = groupStrategies([opt(-1, 100, 'C', 4), opt(1, 100, 'C', 5.5, L)], market)
    expect(g.strategy).toBe('calendar')
    expect(g.payoffMethod).toBe('numeric')
    expect(g.maxLoss!).toBeLessThanOrEqual(150 + 1e-6)
    expect(g.maxLoss!).toBeGreaterThan(100) // far from the strike both legs are worth ~nothing
    expect(g.breakevens).toHaveLength(2)
  })
})
