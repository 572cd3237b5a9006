import {describe, expect, it} from 'vitest'
import type {PortfolioConfig} from '../../src/core/config/config.js'
import {buildBundles} from '../../src/core/containers/bundles.js'
import {positionRow} from '../../src/core/containers/positions.js'
import {estimateCapitalInUse, portfolioRisk, underlyingRisks} from '../../src/core/containers/risk.js'
import type {StoredPortfolio} from '../../src/core/store/repositories.js'
import {pos} from '../domain/builders.js'

const cfg = (name: string, broker: PortfolioConfig['broker'], account?: string, limits: PortfolioConfig['limits'] = {}): PortfolioConfig => ({
  name, broker, account, currency: 'USD', kind: 'real', tradingEnabled: false, limits,
})
const stored = (name: string, broker: string, account: string | null, equity: number | null = null, mr: number | null = null): StoredPortfolio => ({
  name, broker, account, currency: 'USD', kind: 'real', balances: {equity, cash: null, buyingPower: null, maintenanceRequirement: mr},
  delta: null, gamma: null, theta: null, vega: null, deltaDollars: null, unrealizedPnl: null, positionsCount: null, lastSyncAt: '2026-11-24T15:00:00.000Z', lastSyncStatus: 'ok', lastSyncError: null,
})

describe('bundles: each configured portfolio sees exactly its own positions', () => {
  const configs = [cfg('ira', 'fidelity', '111'), cfg('personal', 'fidelity', '222'), cfg('roth', 'fidelity', '333'), cfg('tt', 'tastytrade', '5WT'), cfg('fund', 'manual', 'F1')]
  const rows = [stored('ira', 'fidelity', '111'), stored('personal', 'fidelity', '222'), stored('roth', 'fidelity', '333'), stored('tt', 'tastytrade', '5WT'), stored('fund', 'manual', 'F1')]
  const positions = [
    pos('10 VTI @ 200 mark 210', {portfolio: 'ira'}),
    pos('5 TSLA @ 300 mark 310', {portfolio: 'personal'}),
    pos('7 UBER @ 80 mark 82', {portfolio: 'personal'}),
    pos('3 QQQ @ 400 mark 420', {portfolio: 'roth'}),
    pos('100 AAPL @ 150 mark 160', {portfolio: 'tt'}),
  ]
  const bundles = buildBundles(configs, rows, positions)

  it('no duplication: the positions of all bundles are the stored positions, once each', () => {
    expect(bundles.flatMap((b) => b.positions)).toHaveLength(positions.length)
    expect(bundles.map((b) => b.positions.map((p) => p.symbol))).toEqual([['VTI'], ['TSLA', 'UBER'], ['QQQ'], ['AAPL'], []])
  })

  it('matches on broker + account, so a renamed portfolio keeps its data', () => {
    const renamed = buildBundles([cfg('my-ira', 'fidelity', '111')], rows, positions)
    expect(renamed[0].stored?.name).toBe('ira')
    expect(renamed[0].positions.map((p) => [p.portfolio, p.symbol])).toEqual([['my-ira', 'VTI']])
  })

  it('the same account number at another broker is another portfolio', () => {
    const other = buildBundles([cfg('x', 'manual', '111')], rows, positions)
    expect(other[0].stored).toBeNull()
    expect(other[0].positions).toEqual([])
  })
})

describe('position rows: position totals = per-unit Greeks × quantity × multiplier', () => {
  it('a short put', () => {
    const p = pos('-2 AAPL 2027-01-15 150P @ 7.47 mark 5.05', {greeks: {delta: -0.3, gamma: 0.01, theta: -0.05, vega: 0.2, rho: -0.1}, greeksSource: 'model', underlyingPrice: 160, iv: 0.3})
    const row = positionRow(p, new Date('2027-01-05T15:00:00Z'))
    expect(row).toMatchObject({quantity: -2, multiplier: 100, unrealizedPnl: 484, dte: 10, greeksSource: 'model', iv: 0.3})
    expect(row.delta).toBeCloseTo(60, 9) // −0.3 × −2 × 100 shares
    expect(row.theta).toBeCloseTo(10, 9) // short premium earns theta
    expect(row.vega).toBeCloseTo(-40, 9)
    expect(row.marketValue).toBeCloseTo(-1010, 9)
  })
  it('unknown Greeks stay unknown', () => {
    const row = positionRow(pos('1 AAPL 2027-01-15 150C @ 5 mark 3'), new Date('2027-01-05T15:00:00Z'))
    expect([row.delta, row.gamma, row.theta, row.vega]).toEqual([null, null, null, null])
  })
})

describe('risk factors per underlying', () => {
  const market = {betas: {AAPL: 1.2}, benchmarkPrice: 600, fxRates: {USD: 1}}
  const call = pos('2 AAPL 2027-01-15 150C @ 5 mark 6', {greeks: {delta: 0.5, gamma: 0.02, theta: -0.04, vega: 0.25, rho: 0.1}, greeksSource: 'model', underlyingPrice: 200})
  const stock = pos('100 AAPL @ 150 mark 200')

  it('delta dollars = position delta in shares × underlying price; BWD = β × price × share delta ÷ benchmark price', () => {
    const [u] = underlyingRisks([call, stock], market)
    expect(u.delta).toBeCloseTo(200, 9) // 0.5 × 2 × 100 + 100
    expect(u.deltaDollars).toBeCloseTo(40_000, 6)
    expect(u.betaWeightedDelta).toBeCloseTo((1.2 * 200 * 200) / 600, 9) // 80 SPY shares
    expect(u.gamma).toBeCloseTo(4, 9)
    expect(u.theta).toBeCloseTo(-8, 9)
    expect(u.vega).toBeCloseTo(50, 9)
    expect(u.missingGreeks).toBe(0)
  })

  it('counts positions left out of the sums', () => {
    const [u] = underlyingRisks([call, pos('1 AAPL 2027-01-15 160C @ 5 mark 3')], market)
    expect(u.missingGreeks).toBe(1)
    expect(u.delta).toBeCloseTo(100, 9)
  })

  it('no beta → no beta-weighted delta (unknown, not 0)', () => {
    const [u] = underlyingRisks([pos('10 XYZ @ 1 mark 2')], market)
    expect(u.betaWeightedDelta).toBeNull()
  })
})

describe('capital utilisation and limits', () => {
  it('estimate = max loss by expiration from today\'s marks: stock to zero less covered-call premium, cash-secured put less premium', () => {
    const positions = [
      pos('100 MSFT @ 400 mark 420'),
      pos('-1 MSFT 2027-01-15 450C @ 5 mark 4', {underlyingPrice: 420}),
      pos('-2 AAPL 2027-01-15 150P @ 7.47 mark 5.05'),
      pos('1 AAPL 2027-01-15 160C @ 5 mark 3'),
    ]
    // MSFT: 42,000 stock − 400 call premium; AAPL: 30,000 secured − 1,010 put value + 300 long call
    expect(estimateCapitalInUse(positions)).toBeCloseTo(41_600 + 29_290, 6)
  })
  it('a vertical ties up its width less the credit; a naked call its notional; futures make it unknown', () => {
    const spread = [pos('-1 AAPL 2027-01-15 210P @ 9.10 mark 9.10'), pos('1 AAPL 2027-01-15 200P @ 6.20 mark 6.20')]
    expect(estimateCapitalInUse(spread)).toBeCloseTo(1000 - 290, 6)
    expect(estimateCapitalInUse([pos('-1 MSFT 2027-01-15 450C @ 5 mark 4', {underlyingPrice: 420})])).toBeCloseTo(42_000, 6)
    expect(estimateCapitalInUse([pos('1 ES @ 1 mark 1', {instrumentType: 'future'})])).toBeNull()
  })

  it('reports breaches as findings and unknown inputs as unchecked', () => {
    const positions = [pos('100 AAPL @ 150 mark 200'), pos('-2 AAPL 2027-01-15 150P @ 7.47 mark 9', {greeks: {delta: -0.3, gamma: 0, theta: 0, vega: 0.2, rho: 0}, greeksSource: 'model', underlyingPrice: 200})]
    const limits = {maxDeltaDollarsPerUnderlying: 10_000, maxPositionPctOfEquity: 50, maxCapitalUtilizationPct: 90, maxLoss: 1, maxAbsVega: 100}
    const risk = portfolioRisk({config: cfg('p', 'manual', 'A', limits), stored: stored('p', 'manual', 'A', 30_000, null), positions}, {betas: {}, benchmarkPrice: null, fxRates: {USD: 1}})
    expect(risk.capitalBasis).toBe('estimate')
    expect(risk.capitalInUse).toBeCloseTo(20_000 + 30_000 - 1_800, 6)
    expect(risk.capitalUtilizationPct).toBeCloseTo(48_200 / 300, 6)
    expect(risk.breaches.map((b) => b.limit).sort()).toEqual(['maxCapitalUtilizationPct', 'maxDeltaDollarsPerUnderlying', 'maxPositionPctOfEquity'])
    expect(risk.unrealizedPnl).toBeCloseTo(5000 - 306, 6)
    const noEquity = portfolioRisk({config: cfg('p', 'manual', 'A', limits), stored: stored('p', 'manual', 'A', null, null), positions}, {betas: {}, benchmarkPrice: null, fxRates: {USD: 1}})
    expect(noEquity.capitalUtilizationPct).toBeNull()
    expect(noEquity.unchecked.join('\n')).toMatch(/maxCapitalUtilizationPct: capital utilisation % unknown/)
  })

  it('a portfolio never synced has unknown numbers (null, never 0) and every limit unchecked', () => {
    const risk = portfolioRisk({config: cfg('p', 'tastytrade', 'A', {maxLoss: 1}), stored: null, positions: []}, {betas: {}, benchmarkPrice: null, fxRates: {USD: 1}})
    expect(risk).toMatchObject({synced: false, delta: null, deltaDollars: null, capitalInUse: null, capitalBasis: 'unknown', unrealizedPnl: null, breaches: []})
    expect(risk.unchecked).toEqual(['maxLoss: never synced, nothing known'])
  })

  it('uses the broker maintenance requirement when known', () => {
    const risk = portfolioRisk({config: cfg('p', 'tastytrade', 'A'), stored: stored('p', 'tastytrade', 'A', 100_000, 25_000), positions: []}, {betas: {}, benchmarkPrice: null, fxRates: {USD: 1}})
    expect(risk).toMatchObject({capitalBasis: 'broker', capitalInUse: 25_000, capitalUtilizationPct: 25})
  })
})

describe('a portfolio never adds two currencies', () => {
  const inr = pos('10 INFY @ 1500 mark 1600', {currency: 'INR', underlyingPrice: 1600})
  const usd = pos('10 AAPL @ 150 mark 200')

  it('a position in another currency is restated in the portfolio currency before summing', () => {
    const risk = portfolioRisk({config: cfg('p', 'manual', 'A'), stored: stored('p', 'manual', 'A', 10_000), positions: [usd, inr]}, {betas: {}, benchmarkPrice: null, fxRates: {USD: 1, INR: 0.012}})
    expect(risk.unrealizedPnl).toBeCloseTo(500 + 1000 * 0.012, 9)
    expect(risk.deltaDollars).toBeCloseTo(2000 + 16_000 * 0.012, 9)
    expect(risk.missingPnl).toBe(0)
  })

  it('without an FX rate the foreign position is unknown and counted as left out', () => {
    const risk = portfolioRisk({config: cfg('p', 'manual', 'A'), stored: stored('p', 'manual', 'A', 10_000), positions: [usd, inr]}, {betas: {}, benchmarkPrice: null, fxRates: {USD: 1}})
    expect(risk.unrealizedPnl).toBeCloseTo(500, 9)
    expect(risk.missingPnl).toBe(1)
    expect(risk.missingGreeks).toBe(1)
  })
})

describe('beta-weighted delta: a position without a beta is one unknown part, counted (never a silent 0)', () => {
  // SPY at 500 is the benchmark; AAPL has a beta of 1.2, the fund 31617E745 none.
  const aapl = pos('100 AAPL @ 150 mark 250')
  const fund = pos('10 31617E745 @ 200 mark 240')
  const market = {betas: {AAPL: 1.2}, benchmarkPrice: 500, fxRates: {USD: 1}}

  it('the total is the known part (100 × 1.2 × 250 ÷ 500 = 60 SPY shares), with the fund counted as left out', () => {
    const risk = portfolioRisk({config: cfg('p', 'manual', 'A'), stored: stored('p', 'manual', 'A', 30_000), positions: [aapl, fund]}, market)
    expect(risk.betaWeightedDelta).toBeCloseTo(60, 9)
    expect(risk.missingBeta).toBe(1)
    // Greeks and P&L are all known: only βΔ is partial.
    expect(risk.missingGreeks).toBe(0)
  })

  it('with every beta known nothing is left out', () => {
    const risk = portfolioRisk({config: cfg('p', 'manual', 'A'), stored: stored('p', 'manual', 'A', 30_000), positions: [aapl]}, market)
    expect(risk.missingBeta).toBe(0)
  })

  it("the book's total counts the positions without a beta plus each never-synced portfolio", async () => {
    const {riskTotals} = await import('../../src/core/services/risk.js')
    const known = portfolioRisk({config: cfg('p', 'manual', 'A'), stored: stored('p', 'manual', 'A', 30_000), positions: [aapl, fund]}, market)
    const never = portfolioRisk({config: cfg('tt', 'tastytrade', 'B'), stored: null, positions: []}, market)
    const t = riskTotals([known, never], {USD: 1})
    expect(t.betaWeightedDelta).toBeCloseTo(60, 9)
    expect(t.betaWeightedDeltaMissing).toBe(2)
    // The other totals leave out only the never-synced portfolio.
    expect(t.missing).toBe(1)
  })
})
