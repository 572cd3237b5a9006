import {existsSync, readdirSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {historyDir, readHistory, writeHistory, type History} from '../../src/core/store/history.js'
import {lastPositionSnapshotsBefore, portfolioSnapshots, positionSnapshots, snapshotDates, writeSnapshots, type PortfolioSnapshot, type PositionSnapshot} from '../../src/core/store/snapshots.js'
import {tempDir} from '../cli/helpers.js'

const put = (date: string, mark: number, extra: Partial<PositionSnapshot> = {}): PositionSnapshot => ({
  date, portfolio: 'alpha', symbol: 'AAPL 2027-01-15 190P', underlying: 'AAPL', instrumentType: 'equity_option', quantity: -2, multiplier: 100, currency: 'USD',
  option: {expiry: '2027-01-15', strike: 190, right: 'put', style: 'american'}, entryPrice: 7.47, markPrice: mark, underlyingPrice: 201.37, iv: 0.2734567891,
  greeks: {delta: -0.31234567, gamma: 0.0123456789, theta: -0.0456789, vega: 0.5123456, rho: -0.2345678}, unrealizedPnl: (mark - 7.47) * -2 * 100, takenAt: `${date}T21:15:00.000Z`, ...extra,
})
const stock = (date: string, mark: number | null): PositionSnapshot => ({
  date, portfolio: 'alpha', symbol: 'AAPL', underlying: 'AAPL', instrumentType: 'equity', quantity: 100.123, multiplier: 1, currency: 'USD', entryPrice: 150.123456789,
  markPrice: mark, underlyingPrice: 201.37, iv: null, greeks: {delta: 1, gamma: 0, theta: 0, vega: 0, rho: 0}, unrealizedPnl: mark === null ? null : (mark - 150.123456789) * 100.123, takenAt: `${date}T21:15:00.000Z`,
})
const folio = (date: string, extra: Partial<PortfolioSnapshot> = {}): PortfolioSnapshot => ({
  date, portfolio: 'alpha', currency: 'USD', equity: 100000, cash: 20000, delta: 162.5, betaWeightedDelta: 80.1, gamma: -2.4, theta: 9.1, vega: -102.4,
  unrealizedPnl: 5484, dayPnl: null, positions: 2, missing: 0, takenAt: `${date}T21:15:00.000Z`, ...extra,
})

describe('daily snapshots store', () => {
  const db = path.join(tempDir(), 'snap.sqlite')

  it('round-trips a day: prices, quantities and P&L exactly; IV and Greeks to their stored decimals', async () => {
    await writeHistory(db, [2026], (d) => writeSnapshots(d, '2026-11-23', [put('2026-11-23', 5.05), stock('2026-11-23', 201.37)], [folio('2026-11-23')]))
    const rows = await readHistory(db, (d) => positionSnapshots(d, {}))
    expect(rows).toHaveLength(2)
    const p = rows.find((r) => r.symbol === 'AAPL 2027-01-15 190P')!
    expect(p).toMatchObject({date: '2026-11-23', portfolio: 'alpha', quantity: -2, multiplier: 100, entryPrice: 7.47, markPrice: 5.05, underlyingPrice: 201.37, option: {expiry: '2027-01-15', strike: 190, right: 'put', style: 'american'}})
    expect(p.unrealizedPnl).toBe((5.05 - 7.47) * -2 * 100) // 484 up to the same float arithmetic
    expect(p.iv).toBeCloseTo(0.273457, 6)
    expect(p.greeks!.delta).toBe(-0.312346)
    expect(p.greeks!.gamma).toBe(0.0123457)
    expect(p.greeks!.theta).toBe(-0.045679)
    const s = rows.find((r) => r.symbol === 'AAPL')!
    expect(s.quantity).toBe(100.123)
    expect(s.entryPrice).toBe(150.123456789) // not a whole number of 1e-6: kept as float64
    expect(s.option).toBeUndefined()
    expect(s.takenAt).toBe('2026-11-23T21:15:00.000Z')
    expect(await readHistory(db, (d) => portfolioSnapshots(d, {}))).toEqual([folio('2026-11-23')])
  })

  it('taking the same date again replaces: one row per position, the new values', async () => {
    await writeHistory(db, [2026], (d) => writeSnapshots(d, '2026-11-23', [put('2026-11-23', 4.0), stock('2026-11-23', null)], [folio('2026-11-23', {equity: 99000})]))
    const rows = await readHistory(db, (d) => positionSnapshots(d, {from: '2026-11-23', to: '2026-11-23'}))
    expect(rows.map((r) => [r.symbol, r.markPrice])).toEqual([['AAPL 2027-01-15 190P', 4], ['AAPL', null]])
    expect(rows[1].unrealizedPnl).toBeNull()
    const folios = await readHistory(db, (d) => portfolioSnapshots(d, {portfolios: ['alpha']}))
    expect(folios.map((f) => f.equity)).toEqual([99000])
  })

  it("lastPositionSnapshotsBefore: each position's latest earlier row, closed positions included", async () => {
    // 24th: only the put (stock sold); 25th: nothing (put closed too).
    await writeHistory(db, [2026], (d) => writeSnapshots(d, '2026-11-24', [put('2026-11-24', 3.5)], [folio('2026-11-24', {positions: 1})]))
    await writeHistory(db, [2026], (d) => writeSnapshots(d, '2026-11-25', [], [folio('2026-11-25', {positions: 0})]))
    const before = await readHistory(db, (d) => lastPositionSnapshotsBefore(d, '2026-11-26'))
    expect(before.map((r) => [r.symbol, r.date, r.markPrice]).sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([['AAPL', '2026-11-23', null], ['AAPL 2027-01-15 190P', '2026-11-24', 3.5]])
    const before24 = await readHistory(db, (d) => lastPositionSnapshotsBefore(d, '2026-11-24', ['alpha']))
    expect(before24.map((r) => r.date)).toEqual(['2026-11-23', '2026-11-23'])
    expect(await readHistory(db, (d) => lastPositionSnapshotsBefore(d, '2026-11-23'))).toEqual([])
    expect(await readHistory(db, (d) => positionSnapshots(d, {portfolios: ['beta']}))).toEqual([])
  })

  it('the history lives in <db>.history/<year>.sqlite; the main database holds none of it', async () => {
    expect(readdirSync(historyDir(db))).toEqual(['2026.sqlite'])
    expect(historyDir(db)).toBe(`${db}.history`)
    expect(existsSync(db)).toBe(false) // snapshots never write the main file (its schema has no snapshot tables: test/store/database.test.ts)
    // Another database path (a test's temp copy) has its own history: nothing here.
    const other = path.join(tempDir(), 'copy.sqlite')
    expect(await readHistory(other, (d) => positionSnapshots(d, {}))).toEqual([])
    expect(existsSync(historyDir(other))).toBe(false)
  })
})

describe('history across a year boundary', () => {
  const db = path.join(tempDir(), 'years.sqlite')
  const take = (date: string, rows: PositionSnapshot[]) => writeHistory(db, [Number(date.slice(0, 4))], (d) => writeSnapshots(d, date, rows, [folio(date, {positions: rows.length})]))
  /** Counts which year files a reader opens. */
  const spy = (h: History, opened: Set<number>): History => ({years: () => h.years(), year: (y) => (opened.add(y), h.year(y)), writable: (y) => h.writable(y), version: () => h.version()})

  it('January 2 looks back into December: the latest rows come from the previous year file', async () => {
    await take('2025-12-30', [put('2025-12-30', 5.5), stock('2025-12-30', 199)])
    await take('2025-12-31', [put('2025-12-31', 5.25)]) // stock sold on the 31st
    expect(readdirSync(historyDir(db)).sort()).toEqual(['2025.sqlite'])
    const before = await readHistory(db, (d) => lastPositionSnapshotsBefore(d, '2026-01-02', ['alpha']))
    expect(before.map((r) => [r.symbol, r.date, r.markPrice]).sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([['AAPL', '2025-12-30', 199], ['AAPL 2027-01-15 190P', '2025-12-31', 5.25]])
  })

  it('once the new year has rows, the lookback reads only the new year file', async () => {
    await take('2026-01-02', [put('2026-01-02', 5.0)])
    expect(readdirSync(historyDir(db)).sort()).toEqual(['2025.sqlite', '2026.sqlite'])
    const opened = new Set<number>()
    const before = await readHistory(db, (d) => lastPositionSnapshotsBefore(spy(d, opened), '2026-01-05', ['alpha']))
    expect(before.map((r) => [r.symbol, r.date, r.markPrice])).toEqual([['AAPL 2027-01-15 190P', '2026-01-02', 5]])
    expect([...opened]).toEqual([2026])
    // The snapshot service's "previous" for Jan 2 itself still comes from December.
    const jan2 = await readHistory(db, (d) => lastPositionSnapshotsBefore(d, '2026-01-02', ['alpha']))
    expect(jan2.map((r) => r.date).sort()).toEqual(['2025-12-30', '2025-12-31'])
  })

  it('range readers open only the years of their range and return rows in date order across files', async () => {
    const opened = new Set<number>()
    const rows = await readHistory(db, (d) => portfolioSnapshots(spy(d, opened), {from: '2026-01-01'}))
    expect(rows.map((r) => r.date)).toEqual(['2026-01-02'])
    expect([...opened]).toEqual([2026])
    const all = await readHistory(db, (d) => positionSnapshots(d, {from: '2025-12-31', to: '2026-01-02'}))
    expect(all.map((r) => r.date)).toEqual(['2025-12-31', '2026-01-02'])
    expect(await readHistory(db, (d) => snapshotDates(d, 'alpha'))).toEqual(['2025-12-30', '2025-12-31', '2026-01-02'])
  })

  it('a write names its years: writing a date of a year not locked is refused, nothing saved', async () => {
    const error = await writeHistory(db, [2026], (d) => writeSnapshots(d, '2025-12-29', [], [folio('2025-12-29')])).catch((e: unknown) => e)
    expect((error as Error).message).toMatch(/history of 2025 is not open for writing/)
    expect(await readHistory(db, (d) => snapshotDates(d, 'alpha'))).toEqual(['2025-12-30', '2025-12-31', '2026-01-02'])
  })
})
