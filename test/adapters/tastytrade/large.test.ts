/*
 * An account of 1,000 distinct positions through the real SDK and DXLink client: instrument
 * lookups in batches, ~1,800 subscriptions chunked by the client, all within a bounded time.
 */
import {afterEach, expect, test} from 'vitest'
import {createTastytrade} from '../../../src/core/adapters/tastytrade/adapter.js'
import {configFor, envFor, largeAccount, portfolio, startFakeTastytrade} from '../../fake-tastytrade/index.js'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

test('1,000 positions with feed Greeks and prices in bounded time', async () => {
  const fake = await startFakeTastytrade(largeAccount(1000))
  cleanups.push(() => fake.close())
  const adapter = createTastytrade(configFor({greeksWaitSeconds: 8}), envFor(fake), {retryBaseMs: 2})
  cleanups.push(() => adapter.close())

  const started = Date.now()
  const result = await adapter.fetch(portfolio(), {asOf: new Date('2026-01-05T15:00:00Z'), skipInvalid: false})
  const elapsed = Date.now() - started

  expect(result.positions).toHaveLength(1000)
  expect(new Set(result.positions.map((p) => p.symbol)).size).toBe(1000)
  const options = result.positions.filter((p) => p.option)
  expect(options).toHaveLength(600)
  expect(options.every((p) => p.greeksSource === 'feed')).toBe(true)
  expect(result.positions.every((p) => p.underlyingPriceSource === 'feed')).toBe(true)
  expect(result.warnings).toEqual([])
  // 600 OCC symbols in batches of 50; subscriptions in several ~8 KB FEED_SUBSCRIPTION frames.
  expect(fake.requestsTo('/instruments/equity-options')).toHaveLength(12)
  expect(fake.state.wsMessages.filter((m) => m.type === 'FEED_SUBSCRIPTION').length).toBeGreaterThan(1)
  // Finished early, well inside the 8 s feed wait.
  expect(elapsed).toBeLessThan(6000)
})
