import {writeFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {fileAdapter} from '../../src/core/adapters/file.js'
import {loadConfig} from '../../src/core/config/config.js'
import {createAlerter} from '../../src/core/services/alerts.js'
import {calendar} from '../../src/core/services/calendar-adapter.js'
import type {JobSpec, Scheduler} from '../../src/core/services/clock.js'
import {Daemon} from '../../src/core/services/daemon/engine.js'
import {daemonSettings} from '../../src/core/services/daemon/config.js'
import {createLogger} from '../../src/core/services/daemon/log.js'
import {tempDir} from '../cli/helpers.js'

describe('no overlapping runs', () => {
  it('a job due while another still runs waits its turn (one log line) and runs after it; nothing is skipped', async () => {
    const dir = tempDir()
    const configFile = path.join(dir, 'c.yaml')
    writeFileSync(configFile, 'portfolios:\n  - {name: f, broker: manual, account: F, source: {file: f.csv, format: generic}, cash: 1}\ndaemon: {log: {file: d.log}}\n')
    writeFileSync(path.join(dir, 'f.csv'), 'symbol,quantity,entry_price,mark_price\nAAPL,1,100,110\n')
    const config = loadConfig(configFile)
    const settings = daemonSettings(config, dir)
    const jobs = new Map<string, () => Promise<void>>()
    const scheduler: Scheduler = {every: (name: string, _s: JobSpec, fn: () => Promise<void>) => (jobs.set(name, fn), {name, nextRun: () => null, stop: () => undefined})}
    let open!: () => void
    let gate: Promise<void> | null = null
    const base = fileAdapter()
    const adapters = {
      file: async () => ({...base, fetch: async (...args: Parameters<typeof base.fetch>) => {
        if (gate) await gate
        return base.fetch(...args)
      }}),
      tastytrade: async () => { throw new Error('unused') },
    }
    const lines: string[] = []
    const clock = {now: () => new Date('2026-11-23T16:00:00Z')}
    const d = new Daemon({config, settings, dbPath: path.join(dir, 'b.sqlite'), env: {}, clock, scheduler, calendar, alerter: createAlerter(path.join(dir, 'b.sqlite'), settings.alerts),
      log: createLogger({file: null, level: 'info', maxBytes: 1e6, keep: 1, clock, human: (l) => lines.push(l)}), adapters: adapters as never})
    await d.boot()
    d.start()
    gate = new Promise<void>((r) => (open = r))
    const first = jobs.get('monitor')!()
    await new Promise((r) => setTimeout(r, 50)) // let the first run reach the (held) broker fetch
    const second = jobs.get('monitor')!() // due again while the first waits: queued
    const third = jobs.get('monitor')!() // and again: the one already waiting covers it
    const scan = jobs.get('scan')!()
    expect(d.status.counts.skipped).toBe(0)
    expect(lines.filter((l) => /monitor waits: monitor still running; it runs next/.test(l))).toHaveLength(1)
    expect(lines.filter((l) => /scan waits: monitor still running/.test(l))).toHaveLength(1)
    open()
    await Promise.all([first, second, third, scan])
    expect(d.status.counts.ticksInHours).toBe(2)
    expect(d.status.counts.waited).toBe(2)
    expect(lines.filter((l) => /waits/.test(l))).toHaveLength(2)
  })
})

describe('execution follows a live order to a final status', () => {
  it('approved proposal with a working order: Routed keeps execution, Filled records it and returns to monitoring', async () => {
    const {writeDb, readDb} = await import('../../src/core/store/database.js')
    const repo = await import('../../src/core/store/repositories.js')
    const dstore = await import('../../src/core/store/daemon.js')
    const dir = tempDir()
    const configFile = path.join(dir, 'c.yaml')
    writeFileSync(configFile, 'portfolios:\n  - {name: tt, broker: tastytrade, account: "5WT0001", trading_enabled: true}\ndaemon: {log: {file: d.log}}\n')
    const config = loadConfig(configFile)
    const settings = daemonSettings(config, dir)
    const db = path.join(dir, 'b.sqlite')
    const now = '2026-11-23T16:00:00.000Z'
    const id = await writeDb(db, (d) => {
      const pid = repo.insertProposal(d, {source: 'rule', portfolio: 'tt', legs: [{quantity: 1, symbol: 'AAPL 2027-01-15 190P', price: 2}], reason: 'take_profit: test', createdAt: now})
      repo.decideProposal(d, pid, 'pending', 'executed', now, {orderId: 'O-77'})
      repo.insertTrade(d, {portfolio: 'tt', kind: 'live', status: 'Received', proposalId: pid, symbol: 'AAPL 2027-01-15 190P', brokerSymbol: 'AAPL  270115P00190000', instrumentType: 'equity_option', underlying: 'AAPL',
        quantity: 1, price: 2, multiplier: 100, currency: 'USD', option: {expiry: '2027-01-15', strike: 190, right: 'put', style: 'american'},
        entry: {underlyingPrice: 260, iv: 0.3, greeks: null, greeksSource: 'none'}, orderId: 'O-77', orderStatus: 'Received', createdAt: now}, now)
      return pid
    })
    const answers = ['Routed', 'Filled']
    const asked: string[] = []
    const lines: string[] = []
    const clock = {now: () => new Date(now)}
    const d = new Daemon({config, settings, dbPath: db, env: {}, clock, scheduler: {every: (name: string) => ({name, nextRun: () => null, stop: () => undefined})}, calendar,
      alerter: createAlerter(db, settings.alerts), log: createLogger({file: null, level: 'info', maxBytes: 1e6, keep: 1, clock, human: (l) => lines.push(l)}),
      orderStatus: async (p, orderId) => (asked.push(`${p.name}:${orderId}`), answers.shift()!)})
    d.machine = {state: 'pending_approval', executing: []}
    ;(d as unknown as {awaiting: number[]}).awaiting = [id]
    await d.dispatch({type: 'decisions', approved: [id], pending: 0})
    expect(d.machine).toEqual({state: 'execution', executing: [id]}) // Routed: still working
    await (d as unknown as {followWorkingOrders(): Promise<void>}).followWorkingOrders()
    expect(d.machine.state).toBe('monitoring')
    expect(asked).toEqual(['tt:O-77', 'tt:O-77'])
    const {trades, alerts, events} = await readDb(db, (x) => ({trades: repo.loadTrades(x, {kind: 'live'}), alerts: dstore.listAlerts(x), events: dstore.workflowEvents(x)}))
    expect(trades.map((t) => t.status)).toEqual(['Filled'])
    expect(alerts.map((a) => [a.kind, a.message])).toEqual([['order', `order O-77 (proposal ${id}) Filled`]])
    expect(events.map((e) => `${e.from}→${e.to}`)).toEqual(['pending_approval→execution', 'execution→monitoring'])
  })
})
