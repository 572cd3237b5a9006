/*
 * The daemon follows a live order approved while it runs, on its own (simulated) clock, through
 * the real TastyTrade adapter and SDK against the local fake: each monitor tick asks
 * GET /accounts/{n}/orders/{id} once; Filled keeps the proposal executed, Rejected fails it with
 * the broker's reason; both are recorded on the trade and alerted. A broker that cannot answer
 * leaves the order `unknown` (check the broker) after ORDER_STATUS_MAX_FAILURES ticks, never filled.
 */
import {writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {createTastytrade} from '../../src/core/adapters/tastytrade/adapter.js'
import {loadConfig} from '../../src/core/config/config.js'
import {createAlerter} from '../../src/core/services/alerts.js'
import {calendar} from '../../src/core/services/calendar-adapter.js'
import type {JobSpec, Scheduler} from '../../src/core/services/clock.js'
import {Daemon, ORDER_STATUS_MAX_FAILURES, type DaemonDeps} from '../../src/core/services/daemon/engine.js'
import {daemonSettings} from '../../src/core/services/daemon/config.js'
import {createLogger} from '../../src/core/services/daemon/log.js'
import {liveOrders} from '../../src/core/services/daemon/run.js'
import {readDb, writeDb} from '../../src/core/store/database.js'
import * as dstore from '../../src/core/store/daemon.js'
import * as repo from '../../src/core/store/repositories.js'
import {tempDir} from '../cli/helpers.js'
import {ACCOUNT, envFor, startFakeTastytrade, type Scenario} from '../fake-tastytrade/index.js'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

const T0 = Date.parse('2026-11-23T16:00:00.000Z') // Monday 11:00 New York: NYSE open

async function world(progression: NonNullable<Scenario['orders']['progression']>, orderStatus?: DaemonDeps['orderStatus']) {
  const fake = await startFakeTastytrade({orders: {buyingPowerChange: -100, fees: -2, progression}})
  cleanups.push(() => fake.close())
  const dir = tempDir()
  const configFile = path.join(dir, 'c.yaml')
  writeFileSync(configFile, `portfolios:\n  - {name: tt, broker: tastytrade, account: "${ACCOUNT}", trading_enabled: true}\ndaemon: {log: {file: d.log}}\n`)
  const config = loadConfig(configFile)
  const settings = daemonSettings(config, dir)
  const db = path.join(dir, 'b.sqlite')
  const broker = liveOrders(config, envFor(fake))
  cleanups.push(() => broker.close())
  let now = T0
  const clock = {now: () => new Date(now)}
  const jobs = new Map<string, () => Promise<void>>()
  const scheduler: Scheduler = {every: (name: string, _s: JobSpec, fn: () => Promise<void>) => (jobs.set(name, fn), {name, nextRun: () => null, stop: () => undefined})}
  const lines: string[] = []
  // The daemon's own sync has no credentials here (a warning); only the order follow-up talks to the fake.
  const d = new Daemon({config, settings, dbPath: db, env: {}, clock, scheduler, calendar, alerter: createAlerter(db, settings.alerts),
    log: createLogger({file: null, level: 'info', maxBytes: 1e6, keep: 1, clock, human: (l) => lines.push(l)}), orderStatus: orderStatus ?? broker.orderStatus})
  const id = await writeDb(db, (x) => repo.insertProposal(x, {source: 'rule', portfolio: 'tt', legs: [{quantity: -1, symbol: 'SPY 2026-12-18 550P', price: 1.35}], reason: 'test', createdAt: new Date(T0).toISOString()}))
  d.start()
  d.machine = {state: 'pending_approval', executing: []}
  ;(d as unknown as {awaiting: number[]}).awaiting = [id]
  const tick = async () => {
    now += 60_000
    await jobs.get('monitor')!()
  }
  /** What `cotrader approve ID --live` does from another shell: the order goes to the broker, the proposal is executed. */
  const approveLive = async () => {
    const adapter = createTastytrade(config, envFor(fake), {retryBaseMs: 2})
    const placed = await adapter.placeOrder(ACCOUNT, {price: 1.35, priceEffect: 'Credit', legs: [{instrumentType: 'equity_option', symbol: 'SPY 2026-12-18 550P', quantity: 1, action: 'Sell to Open'}]})
    await adapter.close()
    const at = new Date(now).toISOString()
    await writeDb(db, (x) => {
      repo.decideProposal(x, id, 'pending', 'executed', at, {orderId: placed.orderId, status: placed.status})
      repo.insertTrade(x, {portfolio: 'tt', kind: 'live', status: placed.status, proposalId: id, symbol: 'SPY 2026-12-18 550P', brokerSymbol: 'SPY   261218P00550000', instrumentType: 'equity_option', underlying: 'SPY',
        quantity: -1, price: 1.35, multiplier: 100, currency: 'USD', option: {expiry: '2026-12-18', strike: 550, right: 'put', style: 'european'},
        entry: {underlyingPrice: 600, iv: 0.2, greeks: null, greeksSource: 'none'}, orderId: placed.orderId!, orderStatus: placed.status, createdAt: at}, at)
    })
    return placed.orderId!
  }
  const record = () => readDb(db, (x) => ({
    proposal: repo.loadProposals(x, {id})[0], trades: repo.loadTrades(x, {kind: 'live'}), alerts: dstore.listAlerts(x).filter((a) => a.kind === 'order'),
    events: dstore.workflowEvents(x).map((e) => `${e.from}→${e.to}`),
  }))
  return {fake, d, id, tick, approveLive, record, lines}
}

describe('the daemon follows a live order at the broker', () => {
  it('Routed → Live → Filled: one question per tick, the fill recorded and alerted, back to monitoring', async () => {
    const {fake, d, id, tick, approveLive, record} = await world([{status: 'Live'}, {status: 'Filled'}])
    await tick() // nothing approved yet
    expect(d.machine.state).toBe('pending_approval')
    const orderId = await approveLive()
    await tick() // sees the approval → execution, asks: Live
    expect(d.machine).toEqual({state: 'execution', executing: [id]})
    expect((await record()).trades.map((t) => [t.status, t.orderStatus])).toEqual([['Live', 'Live']])
    await tick() // asks: Filled
    expect(d.machine.state).toBe('monitoring')
    await tick() // no more questions once final
    expect(fake.requestsTo(`/accounts/${ACCOUNT}/orders/${orderId}`, 'GET')).toHaveLength(2)
    const r = await record()
    expect(r.trades.map((t) => [t.status, t.orderStatus])).toEqual([['Filled', 'Filled']])
    expect(r.proposal.status).toBe('executed')
    expect(r.proposal.result).toMatchObject({orderId, status: 'Filled', finalAt: new Date(T0 + 180_000).toISOString()})
    expect(r.alerts.map((a) => [a.severity, a.message])).toEqual([['info', `order ${orderId} (proposal ${id}) Filled`]])
    expect(r.events).toEqual(['pending_approval→execution', 'execution→monitoring'])
  })

  it('Routed → Live → Rejected: the proposal fails with the broker reason, alerted as a warning', async () => {
    const reason = 'Order price is outside the allowed range'
    const {d, id, tick, approveLive, record} = await world([{status: 'Live'}, {status: 'Rejected', reason}])
    const orderId = await approveLive()
    await tick()
    await tick()
    expect(d.machine.state).toBe('monitoring')
    const r = await record()
    expect(r.trades.map((t) => t.orderStatus)).toEqual(['Rejected'])
    expect(r.proposal.status).toBe('failed')
    expect(r.proposal.result).toMatchObject({orderId, status: 'Rejected', reason})
    expect(r.alerts.map((a) => [a.severity, a.message])).toEqual([['warning', `order ${orderId} (proposal ${id}) Rejected: ${reason}; proposal failed`]])
  })

  it('a broker that cannot answer: asked each tick, then recorded unknown and alerted — never filled', async () => {
    let asked = 0
    const {d, id, tick, approveLive, record, lines} = await world([{status: 'Filled'}], async () => {
      asked++
      throw new Error('tastytrade: GET /accounts/5WT0001/orders/420001 failed: HTTP 503 (server error) after 3 attempts')
    })
    const orderId = await approveLive()
    for (let i = 1; i < ORDER_STATUS_MAX_FAILURES; i++) {
      await tick()
      expect(d.machine.state).toBe('execution')
      expect((await record()).trades.map((t) => t.status)).toEqual(['Routed'])
    }
    await tick()
    expect(asked).toBe(ORDER_STATUS_MAX_FAILURES)
    expect(d.machine.state).toBe('monitoring')
    await tick()
    expect(asked).toBe(ORDER_STATUS_MAX_FAILURES)
    const r = await record()
    expect(r.trades.map((t) => [t.status, t.orderStatus])).toEqual([['unknown', 'unknown']])
    expect(r.proposal.status).toBe('executed') // the order was sent; its outcome is for the trader to check
    expect(r.alerts.map((a) => a.message)).toEqual([expect.stringMatching(new RegExp(`^order ${orderId} \\(proposal ${id}\\) status unknown — check the broker: 5 questions failed`))])
    expect(lines.filter((l) => /status unknown — check the broker \(\d\/5/.test(l))).toHaveLength(ORDER_STATUS_MAX_FAILURES - 1)
  })

  it('an order nobody follows (approved outside a daemon scan, or still working at an end of day) is followed from monitoring', async () => {
    const {fake, d, id, tick, approveLive, record} = await world([{status: 'Live'}, {status: 'Cancelled'}])
    d.machine = {state: 'monitoring', executing: []}
    ;(d as unknown as {awaiting: number[]}).awaiting = []
    const orderId = await approveLive()
    await tick()
    await tick()
    await tick()
    expect(fake.requestsTo(`/accounts/${ACCOUNT}/orders/${orderId}`, 'GET')).toHaveLength(2)
    const r = await record()
    expect(r.trades.map((t) => t.orderStatus)).toEqual(['Cancelled'])
    expect(r.proposal.status).toBe('failed')
    expect(r.alerts.map((a) => a.message)).toEqual([`order ${orderId} (proposal ${id}) Cancelled; proposal failed`])
    expect(d.machine.state).toBe('monitoring')
  })
})
