/*
 * The real thing: `cotrader daemon` as a process on a temp copy of the demo, 1-second monitor
 * interval. Three ticks, a second daemon refused (exit 2), SIGHUP with a bad config survived,
 * SIGTERM → exit 0 with the lock released and a consistent database; kill -9 leaves a stale pid
 * file that the next start detects and takes over.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {readDb} from '../../src/core/store/database.js'
import {cli, ROOT} from '../cli/helpers.js'
import {DAEMON_YAML, demoCopy} from './helpers.js'

const BIN = path.join(ROOT, 'bin', 'run.js')

function startDaemon(args: string[], cwd: string): {child: ChildProcess; exit: Promise<number | null>; stderr: () => string} {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) if (!/^(TASTYTRADE_|COTRADER_|NODE_ENV$)/.test(k)) env[k] = v
  const child = spawn(process.execPath, [BIN, 'daemon', ...args], {cwd, env: {...env, NO_COLOR: '1'}, stdio: ['ignore', 'pipe', 'pipe']})
  let err = ''
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d))
  child.stdout!.resume()
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  return {child, exit, stderr: () => err}
}

/** Polls the log file until `n` lines match (a real process: there is no clock to inject). */
async function waitForLines(file: string, re: RegExp, n: number, timeoutMs = 90_000): Promise<string[]> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => re.test(l)) : []
    if (lines.length >= n) return lines
    if (Date.now() > until) throw new Error(`timed out waiting for ${n} × ${re} in ${file}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe('cotrader daemon as a real process', () => {
  it('three 1-second ticks; a second daemon refused; bad SIGHUP survived; SIGTERM exits 0 and leaves a consistent database', async () => {
    const ws = demoCopy({daemon: DAEMON_YAML().replace('in_hours_seconds: 3600, out_of_hours_seconds: 21600', 'in_hours_seconds: 1, out_of_hours_seconds: 1')})
    const log = path.join(ws.dataDir, 'daemon.log')
    const args = ['--config', ws.configFile]
    const d = startDaemon(args, ws.dir)
    const ticks = await waitForLines(log, /"job":"monitor","msg":"tick/, 3)
    expect(ticks.map((l) => JSON.parse(l)).every((r) => r.level === 'info' && typeof r.time === 'string' && r.state)).toBe(true)
    const boot = readFileSync(log, 'utf8').split('\n').filter((l) => l.includes('"boot ')).map((l) => JSON.parse(l).msg.slice(0, 8))
    expect(boot).toEqual(['boot 1/6', 'boot 2/6', 'boot 3/6', 'boot 4/6', 'boot 5/6', 'boot 6/6'])

    const second = cli(['daemon', ...args], {cwd: ws.dir})
    expect(second.code).toBe(2)
    expect(second.stderr).toMatch(/a cotrader daemon is already running on .*cotrader\.sqlite \(pid \d+/)

    const status = cli(['daemon', 'status', '--json', ...args], {cwd: ws.dir}).json()
    expect(status).toMatchObject({running: true, pid: d.child.pid, stalePidFile: false})
    expect(status.lastTick.outcome).toBe('ok')
    expect(Object.keys(status.nextRuns).sort()).toEqual(['eod', 'monitor', 'scan'])

    const good = readFileSync(ws.configFile, 'utf8')
    writeFileSync(ws.configFile, good.replace('cron: "0 11,15 * * 1-5"', 'cron: "not a cron"'))
    d.child.kill('SIGHUP')
    await waitForLines(log, /config reload refused, keeping the old config/, 1)
    const after = (await waitForLines(log, /"job":"monitor","msg":"tick/, ticks.length + 2)).length
    expect(after).toBeGreaterThan(ticks.length) // still ticking on the old config
    writeFileSync(ws.configFile, good)

    d.child.kill('SIGTERM')
    expect(await d.exit).toBe(0)
    expect(existsSync(`${ws.dbPath}.daemon.pid`)).toBe(false)
    expect(existsSync(`${ws.dbPath}.lock`)).toBe(false)
    const check = await readDb(ws.dbPath, (db) => ({
      integrity: db.get<Record<string, string>>('PRAGMA integrity_check'),
      positions: db.get<{n: number}>('SELECT count(*) AS n FROM positions')!.n,
      transitions: db.all<{to_state: string}>('SELECT to_state FROM workflow_events ORDER BY id').map((r) => r.to_state),
    }))
    expect(Object.values(check.integrity!)[0]).toBe('ok')
    expect(check.positions).toBeGreaterThan(10)
    expect(check.transitions.slice(0, 3)).toEqual(['market_analysis', 'portfolio_state', 'monitoring'])
    // The demo's standing breaches were alerted once each, to the configured file too.
    const alerts = cli(['alerts', '--json', '--since', '1d', ...args], {cwd: ws.dir}).json().alerts
    const breaches = alerts.filter((a: any) => a.kind === 'breach')
    expect(breaches.length).toBeGreaterThan(3)
    expect(new Set(breaches.map((a: any) => a.key)).size).toBe(breaches.length)
    expect(breaches.every((a: any) => a.status === 'sent' && a.severity === 'critical')).toBe(true)
    expect(readFileSync(path.join(ws.dataDir, 'alerts.jsonl'), 'utf8').trim().split('\n').length).toBe(alerts.filter((a: any) => a.status === 'sent').length)
    expect(cli(['alerts', '--since', 'yesterday-ish', ...args], {cwd: ws.dir}).code).toBe(2)
    const stopped = cli(['daemon', 'status', '--json', ...args], {cwd: ws.dir}).json()
    expect(stopped).toMatchObject({running: false, state: 'not running', lastState: expect.any(String), lastSeenAt: expect.any(String), stalePidFile: false})
  }, 180_000)

  it('kill -9 leaves a pid file that status reports stale and the next start takes over', async () => {
    const ws = demoCopy({daemon: DAEMON_YAML().replace('in_hours_seconds: 3600, out_of_hours_seconds: 21600', 'in_hours_seconds: 1, out_of_hours_seconds: 1')})
    const args = ['--config', ws.configFile]
    const d = startDaemon(args, ws.dir)
    await waitForLines(path.join(ws.dataDir, 'daemon.log'), /"job":"monitor","msg":"tick/, 1)
    d.child.kill('SIGKILL')
    await d.exit
    expect(existsSync(`${ws.dbPath}.daemon.pid`)).toBe(true)
    expect(cli(['daemon', 'status', '--json', ...args], {cwd: ws.dir}).json()).toMatchObject({running: false, stalePidFile: true})
    const once = cli(['daemon', '--once', '--json', ...args], {cwd: ws.dir})
    expect(once.code).toBe(0)
    expect(once.json()).toMatchObject({mode: 'once', state: expect.any(String)})
    expect(readFileSync(path.join(ws.dataDir, 'daemon.log'), 'utf8')).toMatch(/removed a stale pid file of pid \d+/)
    expect(existsSync(`${ws.dbPath}.daemon.pid`)).toBe(false)
  }, 180_000)

  it('a bad schedule is a one-line config error, exit 2, before anything starts', () => {
    const ws = demoCopy({daemon: DAEMON_YAML().replace('cron: "0 11,15 * * 1-5"', 'cron: "99 * * * *"')})
    const r = cli(['daemon', '--once', '--config', ws.configFile], {cwd: ws.dir})
    expect(r.code).toBe(2)
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^Error: .*risk_config\.yaml:\d+: daemon\.scan\.cron: invalid cron expression "99 \* \* \* \*" in America\/New_York/)])
    const ws2 = demoCopy({daemon: DAEMON_YAML().replace('in_hours_seconds: 3600', 'in_hours_seconds: 0')})
    const r2 = cli(['daemon', '--config', ws2.configFile], {cwd: ws2.dir})
    expect(r2.code).toBe(2)
    expect(r2.stderr).toMatch(/daemon\.monitor\.in_hours_seconds: must be more than 0/)
    expect(existsSync(`${ws.dbPath}.daemon.pid`)).toBe(false)
  })
})
