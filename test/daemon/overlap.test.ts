import {writeFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {fileAdapter} from '../../src/core/adapters/file.js'
import {loadConfig} from '../../src/core/config/config.js'
import {createAlerter} from '../../src/core/services/alerts.js'
import {calendar} from '../../src/core/services/calendar-adapter.js'
import type {JobSpec, Scheduler} from '../../src/core/services/clock.js'
import {Daemon} from '../../src/core/services/daemon.js'
import {daemonSettings} from '../../src/core/services/daemon-config.js'
import {createLogger} from '../../src/core/services/daemon-log.js'
import {tempDir} from '../cli/helpers.js'

describe('no overlapping runs', () => {
  it('a job due while another still runs is skipped and logged; the running one completes', async () => {
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
    await jobs.get('monitor')!() // due again while the first waits: skipped at once
    await jobs.get('scan')!()
    expect(d.status.counts.skipped).toBe(2)
    expect(lines.filter((l) => /skipped: monitor still running/.test(l))).toHaveLength(2)
    open()
    await first
    expect(d.status.counts.ticksInHours).toBe(1)
    expect(d.status.lastTick).toMatchObject({job: 'monitor', outcome: 'ok'})
  })
})
