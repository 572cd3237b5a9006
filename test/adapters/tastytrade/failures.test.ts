/*
 * When tastytrade fails: one-line ExternalErrors naming the portfolio and what happened, retries
 * visible in the fake's request log, exactly one forced token refresh on 401, and no secret in
 * any rendering of any error (message, String(), JSON, stack).
 */
import {afterEach, describe, expect, test} from 'vitest'
import {createTastytrade} from '../../../src/core/adapters/tastytrade/adapter.js'
import {ExternalError} from '../../../src/core/errors.js'
import {ACCOUNT, configFor, envFor, portfolio, renderings, secretsOf, startFakeTastytrade, type Fault, type FakeTastytrade} from '../../fake-tastytrade/index.js'

const POSITIONS = `/accounts/${ACCOUNT}/positions`
const ctx = {asOf: new Date('2026-01-05T15:00:00Z'), skipInvalid: false}
const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

async function run(faults: Fault[], httpTimeoutMs = 2000) {
  const fake = await startFakeTastytrade({faults})
  cleanups.push(() => fake.close())
  const adapter = createTastytrade(configFor({greeksWaitSeconds: 0.5}), envFor(fake), {retryBaseMs: 2, httpTimeoutMs})
  cleanups.push(() => adapter.close())
  const started = Date.now()
  const outcome = await adapter.fetch(portfolio(), ctx).then(
    (result) => ({result, error: undefined as unknown}),
    (error: unknown) => ({result: undefined, error}),
  )
  return {fake, adapter, ...outcome, elapsed: Date.now() - started}
}

function expectNoSecrets(error: unknown, fake: FakeTastytrade) {
  const secrets = secretsOf(fake)
  expect(secrets.length).toBeGreaterThanOrEqual(2)
  for (const text of renderings(error)) {
    for (const secret of secrets) expect(text).not.toContain(secret)
    expect(text).not.toMatch(/Bearer (?!\[redacted\])/)
  }
}

interface FailureCase {
  name: string
  faults: Fault[]
  message: string | RegExp
  /** GETs of the positions endpoint the fake saw. */
  positionsCalls?: number
  tokenCalls: number
  timeoutMs?: number
}

const prefix = 'tastytrade: portfolio "tt-main": '

const failures: FailureCase[] = [
  {
    name: '401 on positions every time: one forced refresh, one retry, then fail',
    faults: [{path: POSITIONS, kind: 'status', status: 401, code: 'unauthorized', message: 'Unauthorized', echoSecrets: true}],
    message: new RegExp(`^${esc(prefix)}GET /accounts/5WT0001/positions failed: HTTP 401 \\(unauthorized\\) even with a freshly refreshed access token — unauthorized: Unauthorized \\(you sent Bearer \\[redacted\\] with refresh_token=\\[redacted\\] client_secret=\\[redacted\\]\\)$`),
    positionsCalls: 2,
    tokenCalls: 2,
  },
  {
    name: '403 is not retried',
    faults: [{path: POSITIONS, kind: 'status', status: 403}],
    message: `${prefix}GET /accounts/5WT0001/positions failed: HTTP 403 (forbidden) — not_permitted: User not permitted access`,
    positionsCalls: 1,
    tokenCalls: 1,
  },
  {
    name: '429 forever: three attempts',
    faults: [{path: POSITIONS, kind: 'status', status: 429}],
    message: `${prefix}GET /accounts/5WT0001/positions failed: HTTP 429 (rate limited) after 3 attempts — too_many_requests: Request exceeds reasonable thresholds`,
    positionsCalls: 3,
    tokenCalls: 1,
  },
  {
    name: '500 forever',
    faults: [{path: POSITIONS, kind: 'status', status: 500, echoSecrets: true}],
    message: new RegExp(`^${esc(prefix)}GET /accounts/5WT0001/positions failed: HTTP 500 \\(server error\\) after 3 attempts — internal_server_error: Unique customer support identifier: fake-5xx \\(you sent Bearer \\[redacted\\]`),
    positionsCalls: 3,
    tokenCalls: 1,
  },
  {
    name: '503 forever',
    faults: [{path: POSITIONS, kind: 'status', status: 503}],
    message: `${prefix}GET /accounts/5WT0001/positions failed: HTTP 503 (server error) after 3 attempts — internal_server_error: Unique customer support identifier: fake-5xx`,
    positionsCalls: 3,
    tokenCalls: 1,
  },
  {
    name: 'a server that never answers: timeouts, retried',
    faults: [{path: POSITIONS, kind: 'timeout'}],
    message: `${prefix}GET /accounts/5WT0001/positions failed: timed out after 0.3 s after 3 attempts`,
    positionsCalls: 3,
    tokenCalls: 1,
    timeoutMs: 300,
  },
  {
    name: 'a malformed JSON body',
    faults: [{path: POSITIONS, kind: 'malformed'}],
    message: `${prefix}GET /accounts/5WT0001/positions failed: the response body is not valid JSON`,
    positionsCalls: 1,
    tokenCalls: 1,
  },
  {
    name: 'a body without the {"data"} envelope (the SDK would hand back the raw axios response)',
    faults: [{path: POSITIONS, kind: 'unenveloped'}],
    message: `${prefix}GET /accounts/5WT0001/positions failed: the response has no {"data": …} envelope`,
    positionsCalls: 1,
    tokenCalls: 1,
  },
  {
    name: 'balances 503 fails the portfolio too',
    faults: [{path: `/accounts/${ACCOUNT}/balances/USD`, kind: 'status', status: 503}],
    message: `${prefix}GET /accounts/5WT0001/balances/USD failed: HTTP 503 (server error) after 3 attempts — internal_server_error: Unique customer support identifier: fake-5xx`,
    tokenCalls: 1,
  },
  {
    name: 'accounts list unenveloped',
    faults: [{path: '/customers/me/accounts', kind: 'unenveloped'}],
    message: `${prefix}GET /customers/me/accounts failed: the response has no {"data": …} envelope`,
    positionsCalls: 0,
    tokenCalls: 1,
  },
  {
    name: 'the token endpoint rejects the refresh token (and echoes it)',
    faults: [{path: '/oauth/token', kind: 'status', status: 401, code: 'invalid_grant', message: 'Grant not found', echoSecrets: true}],
    message: new RegExp(`^${esc(prefix)}POST /oauth/token failed: HTTP 401 \\(unauthorized\\) \\(the refresh token or client secret was not accepted\\) — invalid_grant: Grant not found \\(you sent no authorization with refresh_token=\\[redacted\\] client_secret=\\[redacted\\]\\)$`),
    positionsCalls: 0,
    tokenCalls: 1,
  },
  {
    name: 'the token endpoint is down',
    faults: [{path: '/oauth/token', kind: 'status', status: 502}],
    message: `${prefix}POST /oauth/token failed: HTTP 502 (server error) after 3 attempts — internal_server_error: Unique customer support identifier: fake-5xx`,
    positionsCalls: 0,
    tokenCalls: 3,
  },
]

describe('HTTP failures → ExternalError naming the portfolio', () => {
  for (const c of failures) {
    test(c.name, async () => {
      const {fake, error} = await run(c.faults, c.timeoutMs)
      expect(error).toBeInstanceOf(ExternalError)
      const message = (error as Error).message
      if (typeof c.message === 'string') expect(message).toBe(c.message)
      else expect(message).toMatch(c.message)
      expect(message).not.toContain('\n')
      if (c.positionsCalls !== undefined) expect(fake.requestsTo(POSITIONS, 'GET')).toHaveLength(c.positionsCalls)
      expect(fake.state.tokenCalls).toBe(c.tokenCalls)
      expectNoSecrets(error, fake)
      // No axios object rides along (it carries the Authorization header and the OAuth body).
      expect(Object.keys(error as object).sort()).toEqual(['code', 'detail', 'exitCode', 'name', 'reasons', 'serverCode', 'status'])
      expect((error as {cause?: unknown}).cause).toBeUndefined()
    })
  }
})

describe('retries that recover', () => {
  test('401 once (token revoked) → exactly one token refresh, then OK', async () => {
    const {fake, result, error} = await run([{path: POSITIONS, kind: 'revoke-token', times: 1}])
    expect(error).toBeUndefined()
    expect(result!.positions).toHaveLength(8)
    expect(fake.state.tokenCalls).toBe(2)
    expect(fake.requestsTo(POSITIONS).map((r) => r.status)).toEqual([401, 200])
  })

  test('429 then OK', async () => {
    const {fake, result} = await run([{path: POSITIONS, kind: 'status', status: 429, times: 1}])
    expect(result!.positions).toHaveLength(8)
    expect(fake.requestsTo(POSITIONS).map((r) => r.status)).toEqual([429, 200])
    expect(fake.state.tokenCalls).toBe(1)
  })

  test('503 twice then OK, within the three attempts', async () => {
    const {fake, result} = await run([{path: POSITIONS, kind: 'status', status: 503, times: 2}])
    expect(result!.positions).toHaveLength(8)
    expect(fake.requestsTo(POSITIONS).map((r) => r.status)).toEqual([503, 503, 200])
  })

  test('one timeout then OK', async () => {
    const {fake, result} = await run([{path: POSITIONS, kind: 'timeout', times: 1}], 300)
    expect(result!.positions).toHaveLength(8)
    expect(fake.requestsTo(POSITIONS).map((r) => r.status)).toEqual(['no answer', 200])
  })
})

describe('close()', () => {
  test('aborts a request that hangs, promptly, with a clean error', async () => {
    const fake = await startFakeTastytrade({faults: [{path: POSITIONS, kind: 'timeout'}]})
    cleanups.push(() => fake.close())
    const adapter = createTastytrade(configFor(), envFor(fake), {retryBaseMs: 2, httpTimeoutMs: 30_000})
    const pending = adapter.fetch(portfolio(), ctx).catch((e: unknown) => e)
    while (fake.requestsTo(POSITIONS).length === 0) await new Promise((r) => setTimeout(r, 10))
    const started = Date.now()
    await adapter.close()
    const error = await pending
    expect(Date.now() - started).toBeLessThan(1000)
    expect(error).toBeInstanceOf(ExternalError)
    // positions hangs; balances runs alongside and may be the call whose cancellation is reported.
    expect((error as Error).message).toMatch(/^tastytrade: portfolio "tt-main": GET \/accounts\/5WT0001\/(positions|balances\/USD) cancelled: the adapter was closed$/)
    expectNoSecrets(error, fake)
  })
})

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}
