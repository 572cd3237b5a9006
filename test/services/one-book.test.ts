/*
 * One book on every screen (issue 20 item 1): on one book holding an approved paper call and stock
 * booked by an exercise, every view that totals (positions, pnl, risk, snapshot, pnl/risk --history,
 * the daemon's end-of-day summary and breach alerts) reports the same numbers, because they all take
 * their book from services/book.ts countBook.
 */
import {beforeAll, describe, expect, it} from 'vitest'
import {loadConfig, type Config} from '../../src/core/config/config.js'
import {approve} from '../../src/core/services/approve.js'
import {attributionService} from '../../src/core/services/attribution.js'
import {pnlHistoryService, riskHistoryService} from '../../src/core/services/history.js'
import {pnlService} from '../../src/core/services/pnl.js'
import {portfoliosService} from '../../src/core/services/portfolios.js'
import {positionsService} from '../../src/core/services/positions.js'
import {riskService} from '../../src/core/services/risk.js'
import {snapshotService} from '../../src/core/services/snapshot.js'
import {syncService} from '../../src/core/services/sync.js'
import {whatifAdd} from '../../src/core/services/trades.js'
import {toBase} from '../../src/core/domain/money.js'
import {readDb, writeDb} from '../../src/core/store/database.js'
import * as dstore from '../../src/core/store/daemon.js'
import * as repo from '../../src/core/store/repositories.js'
import {demoCopy, simDaemon} from '../daemon/helpers.js'

// Tuesday 24 Nov 2026, 16:30 New York: after the close and the 15-minute end-of-day offset.
const AT = new Date('2026-11-24T21:30:00Z')
const close = (a: number | null, b: number | null) => {
  expect(a).not.toBeNull()
  expect(b).not.toBeNull()
  expect(Math.abs(a! - b!)).toBeLessThan(1e-6 * Math.max(1, Math.abs(a!)))
}

describe('one book: every view totals the same book', () => {
  const ws = demoCopy()
  let config: Config
  let summary = ''
  let breachKeys: string[] = []
  let monitorLines: string[] = []

  beforeAll(async () => {
    config = loadConfig(ws.configFile)
    await syncService({config, dbPath: ws.dbPath, skipInvalid: true, asOf: AT, env: {}})
    // A paper call approved in fidelity-ira (200 MSFT of delta's worth of contracts) …
    const added = await whatifAdd({config, dbPath: ws.dbPath, asOf: AT, portfolio: 'fidelity-ira', legs: ['2 MSFT 2027-01-15 600C @ 3.10'], env: {}})
    await approve({config, dbPath: ws.dbPath, asOf: AT, id: added.proposalId, live: false, force: false, yes: true})
    // … and 500 UBER held as a paper stock trade (the delivery of an exercised paper option; a broker position's
    // exercise is a provisional settlement instead: test/services/one-book-exercise.test.ts).
    await writeDb(ws.dbPath, (db) => {
      repo.insertTrade(db, {
        portfolio: 'sim-expiry', kind: 'paper', status: 'open', proposalId: null, symbol: 'UBER', brokerSymbol: 'UBER', instrumentType: 'equity', underlying: 'UBER',
        quantity: 500, price: 98, multiplier: 1, currency: 'USD',
        entry: {underlyingPrice: 98, iv: null, greeks: {delta: 1, gamma: 0, theta: 0, vega: 0, rho: 0}, greeksSource: 'model'},
        orderId: null, orderStatus: null, createdAt: AT.toISOString(),
      } as Parameters<typeof repo.insertTrade>[1], AT.toISOString())
    })
    // The daemon's end of day on the same book (its summary is an `eod` alert; its breaches come from the monitor).
    const sim = simDaemon(ws, AT)
    await sim.daemon.boot()
    await sim.daemon.once()
    const alerts = await readDb(ws.dbPath, (db) => dstore.listAlerts(db, {}))
    summary = alerts.filter((a) => a.kind === 'eod' && a.key.startsWith('eod:XNYS:')).map((a) => a.message).join('\n')
    breachKeys = sim.daemon.status.breaches
    monitorLines = sim.lines.filter((l) => l.includes('[monitor]'))
  }, 300_000)

  it('positions, pnl and risk give the same unrealized P&L per portfolio and in total, paper call and exercised stock included', async () => {
    const [pos, pnl, risk] = await Promise.all([
      positionsService({config, dbPath: ws.dbPath, asOf: AT}),
      pnlService({config, dbPath: ws.dbPath, asOf: AT}),
      riskService({config, dbPath: ws.dbPath, asOf: AT}),
    ])
    // The paper call and the stock are in the book of every view.
    expect(pos.agentTrades.map((r) => r.symbol).sort()).toEqual(['MSFT 2027-01-15 600C', 'UBER'])
    expect(pnl.positions.filter((l) => l.source === 'paper').map((l) => l.symbol).sort()).toEqual(['MSFT 2027-01-15 600C', 'UBER'])
    for (const p of risk.portfolios.filter((x) => x.kind !== 'whatif')) {
      const line = pnl.portfolios.find((l) => l.portfolio === p.portfolio)!
      if (p.synced === false) {
        expect(line.unrealizedPnl).toBeNull()
        continue
      }
      close(line.unrealizedPnl, p.unrealizedPnl)
    }
    close(pos.unrealizedPnlBase, pnl.totalBase)
    close(pnl.totalBase, risk.totals.unrealizedPnl)
    expect(pos.unrealizedPnlBaseMissing).toBe(pnl.totalBaseMissing)
    // tastytrade was never synced: one unknown portfolio in every total, never a 0.
    expect(risk.notSynced).toContain('tastytrade')
    expect(pnl.totalBaseMissing).toBeGreaterThanOrEqual(1)
    for (const c of pos.totals) {
      const b = pnl.byCurrency.find((x) => x.currency === c.currency)!
      close(c.unrealizedPnl, b.unrealizedPnl)
      if (c.dayPnl === null) expect(b.dayPnl).toBeNull()
      else close(c.dayPnl, b.dayPnl)
    }
  })

  it('portfolios shows the equity risk shows: the paper call is in it (was the broker\'s equity at the last sync alone)', async () => {
    const [list, risk] = await Promise.all([portfoliosService({config, dbPath: ws.dbPath, asOf: AT}), riskService({config, dbPath: ws.dbPath, asOf: AT})])
    let paperMoved = false
    for (const p of risk.portfolios.filter((x) => x.kind !== 'whatif')) {
      const row = list.portfolios.find((x) => x.name === p.portfolio)!
      if (p.synced === false) {
        expect(row.equity).toBeNull()
        continue
      }
      close(row.equity, p.equity)
      const stored = (await readDb(ws.dbPath, (db) => repo.loadPortfolios(db))).find((x) => x.name === p.portfolio)!
      if (stored.balances.equity !== row.equity) paperMoved = true
    }
    // The paper MSFT call's P&L moves its portfolio's equity away from the stored broker figure.
    expect(paperMoved).toBe(true)
  })

  it('pnl --attribution attributes the same book: the paper call and the stock are lines of it', async () => {
    const [attr, pnl] = await Promise.all([attributionService({config, dbPath: ws.dbPath, asOf: AT, since: 'entry'}), pnlService({config, dbPath: ws.dbPath, asOf: AT})])
    const lines = (r: {positions: {portfolio: string; symbol: string | null}[]}) => r.positions.map((l) => `${l.portfolio} ${l.symbol}`).sort()
    expect(lines(attr)).toEqual(lines(pnl))
  })

  it('the paper call moves delta and the exercised stock counts 500 shares in risk', async () => {
    const risk = await riskService({config, dbPath: ws.dbPath, asOf: AT})
    const sim = risk.portfolios.find((p) => p.portfolio === 'sim-expiry')!
    const uber = sim.underlyings.find((u) => u.underlying === 'UBER')!
    // Two UBER options synced (short put, long call) plus 500 shares of delta 1.
    expect(uber.delta).not.toBeNull()
    expect(uber.delta!).toBeGreaterThan(400)
  })

  it('the snapshot, and so pnl --history and risk --history, record the same per-portfolio numbers as risk', async () => {
    const [snap, risk] = await Promise.all([
      snapshotService({config, dbPath: ws.dbPath, asOf: AT, date: '2026-11-24'}),
      riskService({config, dbPath: ws.dbPath, asOf: AT}),
    ])
    for (const s of snap.portfolios) {
      const r = risk.portfolios.find((p) => p.portfolio === s.portfolio)!
      close(s.unrealizedPnl, r.unrealizedPnl)
      close(s.delta, r.delta)
      close(s.theta, r.theta)
      close(s.equity, r.equity)
    }
    const pnl = await pnlService({config, dbPath: ws.dbPath, asOf: AT})
    const pnlHist = await pnlHistoryService({config, dbPath: ws.dbPath, asOf: AT, since: '2026-11-24'})
    const riskHist = await riskHistoryService({config, dbPath: ws.dbPath, asOf: AT, since: '2026-11-24'})
    const t = pnlHist.rows.find((r) => r.level === 'total' && r.date === '2026-11-24')!
    // The history total is the real book, as pnl's: research portfolios are never summed in.
    close(t.unrealizedPnl, risk.totals.unrealizedPnl)
    const equity = risk.portfolios.filter((p) => p.kind === 'real' && p.synced !== false).map((p) => toBase(p.equity, p.currency, config.fxRates)!)
    close(t.equity, equity.reduce((a, b) => a + b, 0))
    const rt = riskHist.rows.find((r) => r.level === 'total' && r.date === '2026-11-24')!
    close(rt.betaWeightedDelta, risk.totals.betaWeightedDelta)
    close(rt.theta, risk.totals.theta)
    // Research rows are listed but not in the total.
    expect(pnlHist.rows.some((r) => r.portfolio === 'research-wheel')).toBe(true)
    expect(pnlHist.research).toEqual(['research-wheel', 'research-condor', 'research-tt'])
    // Counted per column: the equity total leaves out exactly the never-synced portfolio (no snapshot).
    expect(t.equityMissing).toBe(1)
    expect(t.unrealizedPnlMissing).toBe(1)
    expect(pnl.unknownPortfolios).toEqual(['tastytrade'])
    expect(t.missing).toBeGreaterThanOrEqual(t.equityMissing)
  })

  it("the daemon's end-of-day summary shows the same equity, unrealized P&L, Δ and θ as risk, paper trades and stock included", async () => {
    const risk = await riskService({config, dbPath: ws.dbPath, asOf: AT})
    const fmt = (v: number | null) => (v === null ? '?' : v.toLocaleString('en-US', {maximumFractionDigits: 2, minimumFractionDigits: 2}))
    expect(summary).toContain('end of day XNYS 2026-11-24')
    // The never-synced portfolio is named as unknown, not left out silently.
    expect(summary).toMatch(/^ {2}tastytrade +never synced: numbers unknown$/m)
    for (const name of ['fidelity-ira', 'sim-expiry']) {
      const line = summary.split('\n').find((l) => l.trim().startsWith(`${name} `))!
      const r = risk.portfolios.find((p) => p.portfolio === name)!
      expect(line).toContain(`unrealized ${fmt(r.unrealizedPnl)}`)
      expect(line).toContain(`Δ ${fmt(r.delta)}`)
      expect(line).toContain(`θ ${fmt(r.theta)}/day`)
      expect(line).toContain(`equity ${fmt(r.equity)}`)
    }
  })

  it('--as-of revalues equity with the positions: equity then − equity now = Σ market value then − Σ market value now', async () => {
    const later = new Date('2026-12-18T21:30:00Z')
    const [now, then, posNow, posThen] = await Promise.all([
      riskService({config, dbPath: ws.dbPath, asOf: AT}),
      riskService({config, dbPath: ws.dbPath, asOf: AT, valueAt: later}),
      positionsService({config, dbPath: ws.dbPath, asOf: AT}),
      positionsService({config, dbPath: ws.dbPath, asOf: AT, valueAt: later}),
    ])
    const mv = (r: typeof posNow, name: string) => [...r.positions, ...r.agentTrades].filter((x) => x.portfolio === name).reduce((s, x) => s + x.marketValue!, 0)
    for (const name of ['fidelity-ira', 'sim-expiry']) {
      const a = now.portfolios.find((p) => p.portfolio === name)!
      const b = then.portfolios.find((p) => p.portfolio === name)!
      expect(b.equity).not.toBe(a.equity) // options decay (and UBER's expire) by then
      close(b.equity! - a.equity!, mv(posThen, name) - mv(posNow, name))
    }
  })

  it("the daemon's breach alerts are risk's breaches of the same book", async () => {
    const risk = await riskService({config, dbPath: ws.dbPath, asOf: AT})
    const keys = risk.breaches.map((b) => `breach:${b.portfolio}:${b.limit}${b.underlying ? `:${b.underlying}` : ''}${b.symbol ? `:${b.symbol}` : ''}`).sort()
    expect(breachKeys).toEqual(keys)
    // The monitor's line (and so `daemon status`'s last tick) never reads as a clean book while tastytrade is unknown.
    expect(monitorLines.some((l) => l.includes(`${keys.length} breach(es) (limits unknown: tastytrade never synced)`))).toBe(true)
  })

  it("risk's VaR and stress grid measure the same book as its Greeks: the paper call and the 500 UBER are valued, and the stored VaR is read again", async () => {
    const first = await riskService({config, dbPath: ws.dbPath, asOf: AT, stress: true})
    const counted = (name: string) => first.portfolios.find((p) => p.portfolio === name)!
    for (const name of ['fidelity-ira', 'sim-expiry']) {
      const v = first.var.find((x) => x.portfolio === name)!
      const positions = counted(name).underlyings.reduce((n, u) => n + u.positions, 0)
      // every position of the counted book is either valued or counted as missing: none is left out silently
      expect(v.positions + v.missing).toBe(positions)
    }
    // the 500 UBER alone move sim-expiry's grid: its worst cell is a loss of at least 15 % of 500 × the UBER price
    const uber = first.portfolios.find((p) => p.portfolio === 'sim-expiry')!.underlyings.find((u) => u.underlying === 'UBER')!
    const grid = first.stress!.find((g) => g.portfolio === 'sim-expiry')!
    expect(grid.worst!.pnl).toBeLessThanOrEqual(-0.15 * 500 * uber.underlyingPrice! + 1e-6)
    // computed on this book once, then read: the key is the counted book's
    const again = await riskService({config, dbPath: ws.dbPath, asOf: AT})
    for (const v of again.var) expect(v.recomputed).toBe(false)
  })
})
