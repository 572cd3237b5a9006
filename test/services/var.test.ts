import {describe, expect, it} from 'vitest'
import {parse} from 'csv-parse/sync'
import {parseConfig} from '../../src/core/config/config.js'
import {bookStress, DEFAULT_STRESS_SETTINGS} from '../../src/core/domain/stress.js'
import {bookVar, DEFAULT_VAR_SETTINGS, type PriceHistory, type VarSettings} from '../../src/core/domain/var.js'
import {optionPrice} from '../../src/core/pricing/index.js'
import {covariance, deltaNormal, varEsFromPnl} from '../../src/core/pricing/var.js'
import {historyFromSnapshots, parsePriceCsv} from '../../src/core/services/prices.js'
import {pos} from '../domain/builders.js'

const asOf = new Date('2026-06-01T15:00:00Z')
const market = {currency: 'USD', fxRates: {USD: 1, INR: 0.012}, rate: () => 0.04, dividend: () => 0}

/** n+1 business-day closes from a deterministic wiggle. */
function series(n: number, start: number, amp: number, phase = 0, iv?: number): {date: string; close: number; iv: number | null}[] {
  const out = []
  let v = start
  let d = Date.UTC(2025, 0, 1)
  for (let i = 0; i <= n; i++) {
    while ([0, 6].includes(new Date(d).getUTCDay())) d += 86_400_000
    out.push({date: new Date(d).toISOString().slice(0, 10), close: v, iv: iv === undefined ? null : iv + 0.02 * Math.sin(i * 0.7 + phase)})
    v *= 1 + amp * Math.sin(i * 1.3 + phase) * Math.cos(i * 0.37)
    d += 86_400_000
  }
  return out
}

const settings = (over: Partial<VarSettings> = {}): VarSettings => ({...DEFAULT_VAR_SETTINGS, methods: ['historical'], ...over})

describe('bookVar: historical simulation', () => {
  const history: PriceHistory = new Map([['XYZ', series(250, 50, 0.02)], ['ABC', series(250, 80, 0.015, 1.1)]])
  const closes = history.get('XYZ')!.map((p) => p.close)

  it('100 shares: P&L_i = 100 × S_today × (v_i/v_{i−1} − 1) over the last 500 days; VaR the k-th worst, ES the mean of the k worst', () => {
    const stock = pos('100 XYZ @ 40 mark 50')
    const r = bookVar([stock], history, market, settings(), asOf)
    expect(r.status).toBe('ok')
    const pnl = closes.slice(1).map((c, i) => 100 * 50 * (c / closes[i] - 1))
    const want = varEsFromPnl(pnl, 0.99)
    const got = r.figures.find((f) => f.level === 0.99)!
    expect(r.scenarios.historical).toBe(250)
    expect(got.var).toBeCloseTo(want.var, 9)
    expect(got.es).toBeCloseTo(want.es, 9)
    expect(r.figures.map((f) => f.level)).toEqual([0.95, 0.99])
    expect(got.var).toBeGreaterThan(0)
  })

  it('a 5-day horizon uses overlapping 5-day scenarios, not √5 scaling', () => {
    const stock = pos('100 XYZ @ 40 mark 50')
    const r = bookVar([stock], history, market, settings({horizonDays: 5}), asOf)
    const pnl = closes.slice(5).map((c, i) => 100 * 50 * (c / closes[i] - 1))
    expect(r.figures[1].var).toBeCloseTo(varEsFromPnl(pnl, 0.99).var, 9)
  })

  it('an American put is repriced with the American model in every scenario, one trading day later', () => {
    const put = pos('-2 XYZ 2026-09-18 45P @ 2 mark 1.5', {underlyingPrice: 50, iv: 0.3})
    const r = bookVar([put], history, market, settings(), asOf)
    const years = (Date.parse('2026-09-18T20:00:00Z') - asOf.getTime()) / (365 * 86_400_000)
    const price = (S: number, T: number) => optionPrice({right: 'put', spot: S, strike: 45, years: T, rate: 0.04, dividend: 0, vol: 0.3}, {model: 'bsm', style: 'american'})
    const base = price(50, years)
    const pnl = closes.slice(1).map((c, i) => -200 * (price((50 * c) / closes[i], years - 1 / 252) - base))
    expect(r.figures[1].var).toBeCloseTo(varEsFromPnl(pnl, 0.99).var, 6)
  })

  it('implied-vol history moves each option’s vol by the day’s IV change', () => {
    const withIv: PriceHistory = new Map([['XYZ', series(250, 50, 0.02, 0, 0.3)]])
    const call = pos('1 XYZ 2026-09-18 55C @ 2 mark 1.5', {underlyingPrice: 50, iv: 0.3})
    const flat = bookVar([call], history, market, settings(), asOf)
    const moving = bookVar([call], withIv, market, settings(), asOf)
    expect(moving.history.withIv).toEqual(['XYZ'])
    expect(flat.history.withIv).toEqual([])
    expect(moving.figures[1].var).not.toBeCloseTo(flat.figures[1].var, 2)
  })

  it('unknown IV or price: the position is left out and counted in missing, never valued at 0', () => {
    const stock = pos('100 XYZ @ 40 mark 50')
    const noIv = pos('-1 XYZ 2026-09-18 45P @ 2 mark 1.5', {underlyingPrice: 50, iv: null})
    const noPrice = pos('10 ABC @ 40 mark ?', {underlyingPrice: null})
    const r = bookVar([stock, noIv, noPrice], history, market, settings(), asOf)
    const alone = bookVar([stock], history, market, settings(), asOf)
    expect(r.missing).toBe(2)
    expect(r.missingSymbols).toEqual(['XYZ 2026-09-18 45P', 'ABC'])
    expect(r.positions).toBe(1)
    expect(r.figures).toEqual(alone.figures)
  })

  it('too little history: says how many closes there are and how many are needed; no figure', () => {
    const short: PriceHistory = new Map([['XYZ', series(2, 50, 0.02)]])
    const r = bookVar([pos('100 XYZ @ 40 mark 50')], short, market, settings(), asOf)
    expect(r.status).toBe('insufficient-history')
    expect(r.figures).toEqual([])
    expect(r.message).toBe('VaR needs 101 daily closes of each underlying (100 1-day scenarios); XYZ has 3')
    expect(r.history).toMatchObject({needed: 101, short: [{symbol: 'XYZ', days: 3}]})
  })

  it('history only common to both underlyings counts', () => {
    const h: PriceHistory = new Map([['XYZ', series(150, 50, 0.02)], ['ABC', series(150, 80, 0.01).slice(100)]])
    const r = bookVar([pos('1 XYZ @ 1 mark 50'), pos('1 ABC @ 1 mark 80')], h, market, settings(), asOf)
    expect(r.status).toBe('insufficient-history')
    expect(r.message).toMatch(/ABC has 51/)
  })

  it('a confidence level outside (0, 1) is refused', () => {
    expect(() => bookVar([pos('1 XYZ @ 1 mark 50')], history, market, settings({levels: [99]}), asOf)).toThrow(/strictly between 0 and 1/)
    expect(() => parseConfig('var: {levels: [0.95, 1.5]}\nportfolios:\n  - {name: a, broker: none}\n', 'c.yaml')).toThrow(/c\.yaml:1: var\.levels\[1\]: must be a probability strictly between 0 and 1/)
  })

  it('other currencies are converted into the portfolio’s', () => {
    const inr: PriceHistory = new Map([['INFY', series(250, 1500, 0.02)]])
    const r = bookVar([pos('10 INFY @ 1400 mark 1500', {currency: 'INR'})], inr, market, settings(), asOf)
    const c = inr.get('INFY')!.map((p) => p.close)
    const pnl = c.slice(1).map((x, i) => 10 * 1500 * 0.012 * (x / c[i] - 1))
    expect(r.figures[0].var).toBeCloseTo(varEsFromPnl(pnl, 0.95).var, 9)
  })
})

describe('bookVar: parametric and Monte Carlo on the same history', () => {
  const history: PriceHistory = new Map([['XYZ', series(300, 50, 0.02)], ['ABC', series(300, 80, 0.015, 1.1)]])
  const book = [pos('100 XYZ @ 40 mark 50'), pos('-50 ABC @ 90 mark 80')]

  it('delta-normal equals √(δᵀCδ)·z·√h with the sample covariance of daily returns', () => {
    const r = bookVar(book, history, market, settings({methods: ['delta-normal'], horizonDays: 10}), asOf)
    const rets = ['XYZ', 'ABC'].map((s) => {
      const c = history.get(s)!.map((p) => p.close)
      return c.slice(1).map((x, i) => x / c[i] - 1)
    })
    const want = deltaNormal([5000, -4000], covariance(rets), {level: 0.99, horizonDays: 10})
    expect(r.figures[1]).toMatchObject({method: 'delta-normal', horizonDays: 10})
    expect(r.figures[1].var).toBeCloseTo(want.var, 9)
    expect(r.figures[1].es).toBeCloseTo(want.es, 9)
  })

  it('delta-gamma equals delta-normal on a linear book; ES is not defined by it (null)', () => {
    const r = bookVar(book, history, market, settings({methods: ['delta-normal', 'delta-gamma']}), asOf)
    expect(r.figures[3].var).toBeCloseTo(r.figures[1].var, 6)
    expect(r.figures[3].es).toBeNull()
  })

  it('Monte Carlo is seeded (same seed, same figure) and close to delta-normal on a linear book', () => {
    const mc = settings({methods: ['monte-carlo', 'delta-normal'], monteCarlo: {scenarios: 20_000, seed: 42, distribution: 'normal', dof: 5}})
    const a = bookVar(book, history, market, mc, asOf)
    const b = bookVar(book, history, market, mc, asOf)
    expect(a.figures).toEqual(b.figures)
    expect(a.scenarios.monteCarlo).toBe(20_000)
    const mcVar = a.figures.find((f) => f.method === 'monte-carlo' && f.level === 0.95)!.var
    const dn = a.figures.find((f) => f.method === 'delta-normal' && f.level === 0.95)!.var
    expect(Math.abs(mcVar / dn - 1)).toBeLessThan(0.05)
    const t = bookVar(book, history, market, {...mc, monteCarlo: {...mc.monteCarlo, distribution: 'student-t', dof: 4}}, asOf)
    expect(t.figures.find((f) => f.method === 'monte-carlo' && f.level === 0.99)!.es!).toBeGreaterThan(a.figures.find((f) => f.method === 'monte-carlo' && f.level === 0.99)!.es!)
  })
})

describe('bookStress', () => {
  it('a stock and an index: own scan ranges, the portfolio column sums both, the worst cell is named', () => {
    const r = bookStress([pos('100 AAPL @ 100 mark 200'), pos('-10 SPY @ 600 mark 600')], market, DEFAULT_STRESS_SETTINGS, asOf)
    const aapl = r.underlyings.find((u) => u.underlying === 'AAPL')!
    const spy = r.underlyings.find((u) => u.underlying === 'SPY')!
    expect(aapl.range).toBe('stock')
    expect(spy.range).toBe('index')
    expect(aapl.pnl[0][0]).toBeCloseTo(100 * 200 * -0.15, 9)
    expect(spy.pnl[0][0]).toBeCloseTo(-10 * 600 * -0.08, 9)
    expect(r.total[0][4]).toBeCloseTo(-3000 + 480, 9)
    expect(r.worst).toMatchObject({moveIndex: 0})
    expect(r.worst!.pnl).toBeCloseTo(-2520, 9)
    expect(r.worst!.label).toBe('AAPL -15 %, SPY -8 %; vol -10 pts')
    expect(r.volShifts).toEqual([-10, -7.5, -5, -2.5, 0, 2.5, 5, 7.5, 10])
  })
  it('futures count by their root: /ESZ6 gets the index range', () => {
    const r = bookStress([pos('1 /ESZ6 @ 6000 mark 6000', {instrumentType: 'future', underlying: '/ESZ6', multiplier: 50})], market, DEFAULT_STRESS_SETTINGS, asOf)
    expect(r.underlyings[0].range).toBe('index')
  })
})

describe('price-history CSV', () => {
  const ok = 'date,symbol,close,iv\n2025-01-02,AAPL,100,0.3\n2025-01-03,AAPL,101,\n2025-01-06,AAPL,102,0.31\n2025-01-02,SPY,500,\n2025-01-03,SPY,501,\n2025-01-06,SPY,499,\n'
  const p = (t: string) => parsePriceCsv(t, 'h.csv', parse as never)
  it('reads date, symbol, close and an optional iv', () => {
    const rows = p(ok)
    expect(rows).toHaveLength(6)
    expect(rows[0]).toEqual({symbol: 'AAPL', date: '2025-01-02', close: 100, iv: 0.3, source: 'import'})
    expect(rows[1].iv).toBeNull()
  })
  it.each([
    ['a non-numeric close', ok.replace('101,', 'n/a,'), 'h.csv:3: close "n/a" of AAPL on 2025-01-03 is not a positive number; nothing imported'],
    ['a duplicate', `${ok}2025-01-03,SPY,502,\n`, 'h.csv:8: duplicate close of SPY on 2025-01-03 (also line 6); nothing imported'],
    ['a date other symbols have', ok.replace('2025-01-03,SPY,501,\n', ''), 'h.csv:6: gap in SPY: no close on 2025-01-03, which other symbols in the file have; nothing imported'],
    ['a week without a close', 'date,symbol,close\n2025-01-02,X,1\n2025-01-13,X,2\n', 'h.csv:3: gap in X: no close between 2025-01-02 and 2025-01-13 (11 days); nothing imported'],
    ['a bad date', 'date,symbol,close\n01/02/2025,X,1\n', 'h.csv:2: "01/02/2025" is not a date (YYYY-MM-DD); nothing imported'],
    ['a missing header', 'when,ticker,px\n', 'h.csv:1: a price-history file needs the header date,symbol,close (optionally iv); got "when,ticker,px"'],
  ])('refuses %s, naming file:line', (_what, text, message) => {
    expect(() => p(text)).toThrow(message)
  })
  it('counts further problems', () => {
    expect(() => p('date,symbol,close\n2025-01-02,X,-1\n2025-01-03,X,abc\n')).toThrow(/h\.csv:2: .* \(and 1 more problem\); nothing imported/)
  })
})

describe('history from daily snapshots', () => {
  it('one close per underlying per day (the recorded underlying price), the median option IV as that day’s IV', () => {
    const row = (date: string, symbol: string, underlying: string, type: string, mark: number | null, und: number | null, iv: number | null) =>
      ({date, symbol, underlying, instrumentType: type, markPrice: mark, underlyingPrice: und, iv})
    const h = historyFromSnapshots([
      row('2025-01-03', 'AAPL', 'AAPL', 'equity', 101, null, null),
      row('2025-01-02', 'AAPL 2025-03-21 100C', 'AAPL', 'equity_option', 5, 100, 0.3),
      row('2025-01-02', 'AAPL 2025-03-21 90P', 'AAPL', 'equity_option', 2, 100, 0.34),
      row('2025-01-02', 'AAPL 2025-03-21 80P', 'AAPL', 'equity_option', 1, 100, 0.4),
      row('2025-01-02', 'MSFT', 'MSFT', 'equity', 400, 400, null),
    ], ['AAPL'])
    expect([...h.keys()]).toEqual(['AAPL'])
    expect(h.get('AAPL')).toEqual([{date: '2025-01-02', close: 100, iv: 0.34}, {date: '2025-01-03', close: 101, iv: null}])
  })
})

describe('history from the stored daily snapshots', () => {
  it('snapshots written by the snapshot store are read back as closes (and IVs) for VaR', async () => {
    const {writeHistory, readHistory} = await import('../../src/core/store/history.js')
    const {writeSnapshots} = await import('../../src/core/store/snapshots.js')
    const {snapshotHistory} = await import('../../src/core/services/prices.js')
    const {tempDir} = await import('../cli/helpers.js')
    const file = `${tempDir()}/book.sqlite`
    const dates = series(120, 50, 0.02, 0, 0.3)
    await writeHistory(file, [...new Set(dates.map((d) => Number(d.date.slice(0, 4))))], (db) => {
      for (const d of dates) {
        const takenAt = `${d.date}T21:00:00.000Z`
        const base = {date: d.date, portfolio: 'p', currency: 'USD', entryPrice: 40, greeks: null, unrealizedPnl: null, takenAt}
        writeSnapshots(db, d.date, [
          {...base, symbol: 'XYZ', underlying: 'XYZ', instrumentType: 'equity', quantity: 100, multiplier: 1, markPrice: d.close, underlyingPrice: d.close, iv: null},
          {...base, symbol: 'XYZ 2026-09-18 45P', underlying: 'XYZ', instrumentType: 'equity_option', quantity: -1, multiplier: 100, option: {expiry: '2026-09-18', strike: 45, right: 'put', style: 'american'}, markPrice: 1, underlyingPrice: d.close, iv: d.iv},
        ], [{date: d.date, portfolio: 'p', currency: 'USD', equity: null, cash: null, delta: null, betaWeightedDelta: null, gamma: null, theta: null, vega: null, unrealizedPnl: null, dayPnl: null, positions: 2, missing: 0, takenAt}])
      }
    })
    const h = await readHistory(file, (h) => snapshotHistory(h, ['XYZ']))
    const got = h.get('XYZ')!
    expect(got).toHaveLength(121)
    expect(got[5].close).toBeCloseTo(dates[5].close, 6)
    expect(got[5].iv).toBeCloseTo(dates[5].iv!, 3)
    const r = bookVar([pos('100 XYZ @ 40 mark 50')], h, market, settings(), asOf)
    expect(r.status).toBe('ok')
    expect(r.history.withIv).toEqual(['XYZ'])
  }, 60_000)
})
