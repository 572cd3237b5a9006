/*
 * After close(), nothing of the adapter may keep Node alive: no socket, no timer. vitest ends its
 * workers itself, so a leak would not hang the test run; it would hang the CLI. Timers are tracked
 * by wrapping the global timer functions (the libraries call them at call time); sockets by
 * Node's resource list. (getActiveResourcesInfo() alone cannot see timers: it merges timers of
 * equal duration, and DXLink's 30 s keepalive hides behind vitest's 30 s test timeout.)
 */
import {afterEach, describe, expect, test} from 'vitest'
import {createTastytrade} from '../../../src/core/adapters/tastytrade/adapter.js'
import {configFor, envFor, portfolio, POSITIONS_PATH, startFakeTastytrade, type DxlinkBehaviour, type Fault} from '../../fake-tastytrade/index.js'

const dx = (patch: Partial<DxlinkBehaviour>): DxlinkBehaviour => ({authorize: true, dropOnce: false, lateFeedConfigMs: 0, fieldOrder: 'accepted', silent: [], ...patch})

const cases: Array<{name: string; dxlink?: DxlinkBehaviour; faults?: Fault[]; wait?: number}> = [
  {name: 'everything arrives'},
  {name: 'the feed never authorises', dxlink: dx({authorize: false})},
  {name: 'the socket drops once', dxlink: dx({dropOnce: true}), wait: 4},
  {name: 'late FEED_CONFIG', dxlink: dx({lateFeedConfigMs: 200}), wait: 3},
  {name: 'a symbol never arrives (wait runs out)', dxlink: dx({silent: ['.SPY260320P550']}), wait: 0.4},
  {name: 'HTTP fails', faults: [{path: POSITIONS_PATH, kind: 'status', status: 503}]},
]

type Timer = ReturnType<typeof setTimeout>
const real = {setTimeout: globalThis.setTimeout, clearTimeout: globalThis.clearTimeout, setInterval: globalThis.setInterval, clearInterval: globalThis.clearInterval}
afterEach(() => Object.assign(globalThis, real))

/** Records every timer created from now on; returns the ones still pending and keeping Node alive. */
function trackTimers(): () => string[] {
  const pending = new Map<Timer, string>()
  const origin = () => (new Error().stack ?? '').split('\n').slice(3, 6).map((l) => l.trim()).join(' < ')
  const g = globalThis as unknown as Record<string, unknown>
  g.setTimeout = (fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const t: Timer = real.setTimeout((...a: unknown[]) => {
      pending.delete(t)
      fn(...a)
    }, ms, ...args)
    pending.set(t, `setTimeout ${ms} ms at ${origin()}`)
    return t
  }
  g.setInterval = (fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const t: Timer = real.setInterval(fn, ms, ...args)
    pending.set(t, `setInterval ${ms} ms at ${origin()}`)
    return t
  }
  g.clearTimeout = (t: Timer | undefined) => {
    if (t !== undefined) pending.delete(t)
    real.clearTimeout(t)
  }
  g.clearInterval = (t: Timer | undefined) => {
    if (t !== undefined) pending.delete(t)
    real.clearInterval(t)
  }
  return () => [...pending].filter(([t]) => t.hasRef()).map(([, where]) => where)
}

function sockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap').length
}

describe('close() leaves no timer and no socket behind', () => {
  for (const c of cases) {
    test(c.name, async () => {
      const socketsBefore = sockets()
      const leftovers = trackTimers()
      const fake = await startFakeTastytrade({...(c.dxlink ? {dxlink: c.dxlink} : {}), faults: c.faults ?? []})
      const adapter = createTastytrade(configFor({greeksWaitSeconds: c.wait ?? 2}), envFor(fake), {retryBaseMs: 2})
      await adapter.fetch(portfolio(), {asOf: new Date(), skipInvalid: false}).catch(() => undefined)
      await adapter.close()
      await fake.close()
      // Let closing handshakes and one-shot batching timers (100 ms in DXLinkFeed) run out.
      await new Promise((r) => real.setTimeout(r, 300))
      expect(leftovers()).toEqual([])
      expect(sockets()).toBeLessThanOrEqual(socketsBefore)
    })
  }
})

test('close() during the feed wait ends the fetch at once, positions intact', async () => {
  const fake = await startFakeTastytrade({dxlink: dx({silent: ['.SPY260320P550']})})
  const adapter = createTastytrade(configFor({greeksWaitSeconds: 20}), envFor(fake), {retryBaseMs: 2})
  try {
    const pending = adapter.fetch(portfolio(), {asOf: new Date(), skipInvalid: false})
    while (fake.state.wsMessages.filter((m) => m.type === 'FEED_SUBSCRIPTION').length === 0) await new Promise((r) => setTimeout(r, 10))
    await new Promise((r) => setTimeout(r, 100))
    const started = Date.now()
    await adapter.close()
    const result = await pending
    expect(Date.now() - started).toBeLessThan(1000)
    expect(result.positions).toHaveLength(8)
    expect(result.positions.find((p) => p.symbol === 'AAPL 2026-06-18 170P')!.greeksSource).toBe('feed')
  } finally {
    await adapter.close()
    await fake.close()
  }
})
