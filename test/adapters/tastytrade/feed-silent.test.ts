/*
 * A silent DXLink feed is a dead feed (issue 18): the fake's first connection stops sending after
 * the subscription (no data, no keepalive, never closed). The watchdog closes it after
 * daemon.feed.silent_seconds and reopens a connection, with a new quote token and the same
 * subscriptions; the data then arrives within the same wait.
 */
import {afterEach, expect, test} from 'vitest'
import {createTastytrade} from '../../../src/core/adapters/tastytrade/adapter.js'
import type {Position} from '../../../src/core/domain/types.js'
import {AS_OF, configFor, envFor, portfolio, startFakeTastytrade} from '../../fake-tastytrade/index.js'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

test('the first connection goes silent: closed after 0.3 s of silence, reopened with its subscriptions, the Greeks arrive', async () => {
  const fake = await startFakeTastytrade({dxlink: {authorize: true, dropOnce: false, lateFeedConfigMs: 0, fieldOrder: 'accepted', silent: [], silentOnce: true}})
  cleanups.push(() => fake.close())
  const config = {...configFor({greeksWaitSeconds: 8}), daemon: {feed: {silent_seconds: 0.3}}} as never
  const adapter = createTastytrade(config, envFor(fake), {retryBaseMs: 2, httpTimeoutMs: 2000})
  cleanups.push(() => adapter.close())
  const result = await adapter.fetch(portfolio(), {asOf: new Date(AS_OF), skipInvalid: false})
  const p = Object.fromEntries(result.positions.map((q) => [q.symbol, q])) as Record<string, Position>
  expect(fake.state.wsConnections).toBe(2)
  expect(p['AAPL 2026-06-18 170P'].greeksSource).toBe('feed')
  expect(p['SPY 2026-03-20 550P'].greeksSource).toBe('feed')
})
