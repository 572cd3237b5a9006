/*
 * The one REST client of an adapter: @tastytrade/api 7's TastytradeClient plus what the SDK lacks
 * (doc §10.10): a single-flight token refresh, retries with jittered exponential backoff for
 * 429/5xx/network errors, exactly one forced token refresh on 401, a per-request timeout, and
 * detection of bodies the SDK silently passes through (malformed JSON, no {"data"} envelope,
 * doc §2.3). Every failure becomes a TastytradeApiError built from status + endpoint + the
 * server's error code/message, redacted; an axios error object never escapes (it carries the
 * Authorization header and the OAuth body).
 */
import {setMaxListeners} from 'node:events'
import {readFileSync} from 'node:fs'
import type TastytradeClient from '@tastytrade/api'
import {ExternalError} from '../../errors.js'
import type {TastytradeCredentials} from './credentials.js'
import type {Redactor} from './redact.js'

export interface HttpOptions {
  baseUrl: string
  environment: 'production' | 'sandbox'
  scopes: string[]
  /** Per-request timeout (axios `timeout`). */
  timeoutMs: number
  /** First backoff step; later ones double, each jittered ×0.5–1.5. */
  retryBaseMs: number
  /** Attempts in all, for retryable failures. */
  maxAttempts: number
}

/**
 * `idempotent`: retry 429, 5xx, timeouts and network errors. `once`: for order placement, where a
 * timeout or 5xx may mean the order went through, retry only what the server certainly refused
 * before acting (429, connection refused).
 */
export type RetryPolicy = 'idempotent' | 'once'

/** A REST call that failed; the message is one redacted line: `tastytrade: GET /path failed: …`. */
export class TastytradeApiError extends ExternalError {
  /** `GET /accounts/5WT0001/positions failed: HTTP 503 (server error) after 3 attempts` */
  readonly detail: string
  readonly status: number | null
  /** The server's error code (`preflight_check_failure`, `not_permitted`, …), redacted. */
  readonly serverCode: string | null
  /** Nested reasons (`cant_buy_for_credit: You cannot buy for a credit.`), redacted. */
  readonly reasons: string[]

  constructor(detail: string, status: number | null = null, serverCode: string | null = null, reasons: string[] = []) {
    super(`tastytrade: ${detail}`, 'tastytrade')
    this.name = 'TastytradeApiError'
    this.detail = detail
    this.status = status
    this.serverCode = serverCode
    this.reasons = reasons
  }
}

interface Failure {
  status: number | null
  /** `HTTP 503 (server error)`, `timed out after 10 s`, … */
  text: string
  /** What the server said, `code: message (reasons)`, redacted; '' when nothing. */
  server: string
  serverCode: string | null
  reasons: string[]
  network: 'refused' | 'other' | null
  retryAfterMs: number | null
}

const RETRYABLE_NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'ECONNABORTED', 'EPIPE', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ERR_NETWORK', 'ESOCKETTIMEDOUT'])

export class TastytradeApi {
  private closed = false
  private readonly abort = new AbortController()
  private tokenRefresh: Promise<void> | null = null
  /** Bumped on every successful token refresh; lets a 401 tell whether its token is already stale. */
  private tokenGeneration = 0
  private readonly timers = new Set<NodeJS.Timeout>()

  private constructor(
    readonly client: TastytradeClient,
    private readonly options: HttpOptions,
    private readonly redactor: Redactor,
  ) {
    // axios adds one abort listener per in-flight request; batches run in parallel, and Node would
    // print a MaxListenersExceededWarning past 10.
    setMaxListeners(0, this.abort.signal)
  }

  /** Loads the SDK lazily (start-up time, architecture.md) and builds the one client. */
  static async create(credentials: TastytradeCredentials, options: HttpOptions, redactor: Redactor): Promise<TastytradeApi> {
    const {default: Client} = await import('@tastytrade/api')
    const preset = options.environment === 'sandbox' ? Client.SandboxConfig : Client.ProdConfig
    const client = new Client({
      baseUrl: options.baseUrl || preset.baseUrl!,
      accountStreamerUrl: preset.accountStreamerUrl!,
      clientSecret: credentials.clientSecret,
      refreshToken: credentials.refreshToken,
      oauthScopes: options.scopes,
      // No logger: the SDK's info log would print whole request configs, secrets included.
    })
    const api = new TastytradeApi(client, options, redactor)
    api.installTimeout()
    return api
  }

  /** The API base URL in use (environment preset or TASTYTRADE_API_URL), for messages. */
  get baseUrl(): string {
    return this.client.httpClient.baseUrl
  }

  /**
   * Runs one SDK call with token handling, retries and error mapping. `label` is what the error
   * message names: `GET /accounts/5WT0001/positions`.
   */
  async request<T>(label: string, call: (client: TastytradeClient) => Promise<T>, policy: RetryPolicy = 'idempotent'): Promise<T> {
    let attempts = 0
    let refreshedFor401 = false
    for (;;) {
      this.assertOpen(label)
      await this.ensureToken()
      const generation = this.tokenGeneration
      attempts++
      try {
        return await call(this.client)
      } catch (error) {
        if (error instanceof TastytradeApiError) throw error
        const failure = this.describe(error)
        if (this.closed) throw new TastytradeApiError(`${label} cancelled: the adapter was closed`)
        if (failure.status === 401 && !refreshedFor401) {
          // The SDK never retries a 401 (doc §1.3). Force exactly one refresh, then one retry; a
          // concurrent request may already have refreshed, in which case just retry.
          refreshedFor401 = true
          attempts--
          if (generation === this.tokenGeneration) await this.refreshToken()
          continue
        }
        if (this.retryable(failure, policy) && attempts < this.options.maxAttempts) {
          await this.sleep(this.backoff(attempts, failure.retryAfterMs))
          continue
        }
        const after = failure.status === 401 && refreshedFor401 ? ' even with a freshly refreshed access token' : ''
        throw new TastytradeApiError(this.redactor.redact(`${label} failed: ${failure.text}${after}${tries(attempts)}${said(failure)}`), failure.status, failure.serverCode, failure.reasons)
      }
    }
  }

  /** Aborts in-flight requests and pending backoff sleeps. */
  close(): void {
    if (this.closed) return
    this.closed = true
    this.abort.abort()
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
  }

  // -------------------------------------------------------------------------------------------

  private assertOpen(label: string): void {
    if (this.closed) throw new TastytradeApiError(`${label} cancelled: the adapter was closed`)
  }

  private async ensureToken(): Promise<void> {
    if (this.tokenRefresh) return this.tokenRefresh
    if (this.client.httpClient.needsTokenRefresh) return this.refreshToken()
  }

  /** Single flight: the SDK has none, so concurrent first requests would each POST /oauth/token (doc §1.3). */
  private refreshToken(): Promise<void> {
    this.tokenRefresh ??= this.refreshOnce().finally(() => {
      this.tokenRefresh = null
    })
    return this.tokenRefresh
  }

  private async refreshOnce(): Promise<void> {
    const label = 'POST /oauth/token'
    const http = this.client.httpClient
    let attempts = 0
    for (;;) {
      this.assertOpen(label)
      attempts++
      try {
        await http.generateAccessToken()
        break
      } catch (error) {
        const failure = this.describe(error)
        if (this.closed) throw new TastytradeApiError(`${label} cancelled: the adapter was closed`)
        if (this.retryable(failure, 'idempotent') && attempts < this.options.maxAttempts) {
          await this.sleep(this.backoff(attempts, failure.retryAfterMs))
          continue
        }
        const hint = failure.status === 400 || failure.status === 401 ? ' (the refresh token or client secret was not accepted)' : ''
        throw new TastytradeApiError(this.redactor.redact(`${label} failed: ${failure.text}${hint}${tries(attempts)}${said(failure)}`), failure.status, failure.serverCode, failure.reasons)
      }
    }
    const token = http.accessToken
    if (typeof token.token !== 'string' || token.token.length === 0) {
      token.clear()
      throw new TastytradeApiError(`${label} failed: the response carried no access_token`)
    }
    this.redactor.add(token.token)
    // A missing expires_in makes the SDK's expiry NaN and it would never refresh again (doc §1.3).
    const expiresIn = Number(token.expiresIn)
    token.expiresIn = Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 900
    this.tokenGeneration++
  }

  /**
   * The SDK calls axios with a config it builds in a private method and offers no timeout or
   * cancellation; wrap that method on this instance (not axios globally) to add both. The same
   * wrapper replaces the SDK's User-Agent (`tastytrade-sdk-js`): tastytrade documents that every
   * request, the OAuth call included, must send `<product>/<version>` or be rejected with a 401.
   */
  private installTimeout(): void {
    const http = this.client.httpClient as unknown as {axiosConfig?: (...args: unknown[]) => Record<string, unknown>}
    const original = http.axiosConfig
    if (typeof original !== 'function') throw new Error('@tastytrade/api changed: TastytradeHttpClient.axiosConfig is gone; update the tastytrade adapter')
    const agent = userAgent()
    http.axiosConfig = (...args: unknown[]) => {
      const config = original.apply(http, args)
      const headers = {...((config.headers as Record<string, unknown> | undefined) ?? {}), 'User-Agent': agent}
      return {...config, headers, timeout: this.options.timeoutMs, signal: this.abort.signal}
    }
  }

  private retryable(f: Failure, policy: RetryPolicy): boolean {
    if (policy === 'once') return f.status === 429 || f.network === 'refused'
    return f.status === 429 || (f.status !== null && f.status >= 500) || f.network !== null
  }

  private backoff(attempt: number, retryAfterMs: number | null): number {
    const jittered = this.options.retryBaseMs * 2 ** (attempt - 1) * (0.5 + Math.random())
    const wait = Math.min(jittered, 10_000)
    return retryAfterMs === null ? wait : Math.max(wait, Math.min(retryAfterMs, 30_000))
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      // close() clears the timer and resolves; the next loop turn sees `closed` and stops.
      const onAbort = () => resolve()
      const timer = setTimeout(() => {
        this.timers.delete(timer)
        this.abort.signal.removeEventListener('abort', onAbort)
        resolve()
      }, ms)
      this.timers.add(timer)
      this.abort.signal.addEventListener('abort', onAbort, {once: true})
    })
  }

  /** Reads only status, error code/message and network code from whatever was thrown. */
  private describe(error: unknown): Failure {
    const e = (error ?? {}) as {
      isAxiosError?: boolean
      code?: string
      message?: string
      name?: string
      response?: {status?: number; data?: unknown; headers?: Record<string, unknown>}
    }
    const base = {server: '', serverCode: null, reasons: [] as string[], network: null, retryAfterMs: null}
    if (e.response && typeof e.response.status === 'number') {
      const status = e.response.status
      const server = serverError(e.response.data, this.redactor)
      const retryAfter = Number(e.response.headers?.['retry-after'])
      return {
        ...base,
        status,
        text: `HTTP ${status} (${statusLabel(status)})`,
        server: server.text,
        serverCode: server.code,
        reasons: server.reasons,
        retryAfterMs: Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : null,
      }
    }
    const code = typeof e.code === 'string' ? e.code : ''
    if (code === 'ERR_CANCELED') return {...base, status: null, text: 'cancelled'}
    if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(e.message ?? '')) {
      return {...base, status: null, network: 'other', text: `timed out after ${formatSeconds(this.options.timeoutMs)}`}
    }
    if (code === 'ECONNREFUSED') return {...base, status: null, network: 'refused', text: `connection refused by ${this.redactor.redact(this.baseUrl)}`}
    if (code === 'ENOTFOUND') return {...base, status: null, text: `host of ${this.redactor.redact(this.baseUrl)} not found`}
    if (RETRYABLE_NETWORK.has(code)) return {...base, status: null, network: 'other', text: `network error (${code})`}
    if (e.isAxiosError) return {...base, status: null, text: `network error${code ? ` (${code})` : ''}`}
    // Not from axios (an SDK precondition, a bug): keep the class and the redacted first line only.
    const message = this.redactor.redact(String(e.message ?? error)).slice(0, 200)
    return {...base, status: null, text: `${e.name ?? 'Error'}: ${message}`}
  }
}

let agentCache: string | undefined

/** `cotrader/<version>` from the nearest package.json named cotrader above this file (src/, dist/ or the bundle). */
function userAgent(): string {
  if (agentCache) return agentCache
  let version = '0' // a relocated build: any version keeps the documented format
  for (let up = '../'; up.length <= 6 * 3; up += '../') {
    try {
      const pkg = JSON.parse(readFileSync(new URL(`${up}package.json`, import.meta.url), 'utf8')) as {name?: unknown; version?: unknown}
      if (pkg.name !== 'cotrader') continue
      if (typeof pkg.version === 'string' && /^[\w.+-]+$/.test(pkg.version)) version = pkg.version
      break
    } catch {
      // no package.json at this level
    }
  }
  agentCache = `cotrader/${version}`
  return agentCache
}

/** tastytrade's `{"error":{"code","message","errors":[…]}}`, or RFC 6749's `{"error","error_description"}` from /oauth/token. */
function serverError(body: unknown, redactor: Redactor): {text: string; code: string | null; reasons: string[]} {
  if (!body || typeof body !== 'object') return {text: '', code: null, reasons: []}
  const error = (body as {error?: unknown; error_description?: unknown}).error
  const clip = (s: unknown) => redactor.redact(String(s)).slice(0, 300)
  if (typeof error === 'string') {
    const description = (body as {error_description?: unknown}).error_description
    const code = clip(error)
    return {text: description ? `${code}: ${clip(description)}` : code, code, reasons: []}
  }
  if (!error || typeof error !== 'object') return {text: '', code: null, reasons: []}
  const err = error as {code?: unknown; message?: unknown; errors?: unknown}
  const code = err.code !== undefined && err.code !== null ? clip(err.code) : null
  const message = typeof err.message === 'string' ? clip(err.message) : ''
  const reasons = Array.isArray(err.errors)
    ? err.errors.slice(0, 10).map((r) => {
        const item = (r ?? {}) as {code?: unknown; message?: unknown}
        return [item.code, item.message].filter((x) => x !== undefined && x !== null).map(clip).join(': ')
      }).filter((r) => r.length > 0)
    : []
  const head = [code, message].filter(Boolean).join(': ')
  return {text: reasons.length > 0 ? `${head} (${reasons.join('; ')})` : head, code, reasons}
}

function tries(attempts: number): string {
  return attempts > 1 ? ` after ${attempts} attempts` : ''
}

function said(failure: Failure): string {
  return failure.server ? ` — ${failure.server}` : ''
}

function statusLabel(status: number): string {
  if (status >= 500) return 'server error'
  return (
    {400: 'bad request', 401: 'unauthorized', 403: 'forbidden', 404: 'not found', 406: 'API version not supported', 409: 'conflict', 422: 'rejected', 429: 'rate limited'} as Record<number, string>
  )[status] ?? 'client error'
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`
}

// ---------------------------------------------------------------------------------------------
// Envelopes (doc §2.3). The SDK's extractResponseData returns data.items, else data, else the
// whole axios response; the last case means the body was not what tastytrade sends.

type Json = Record<string, unknown>

function isAxiosResponse(value: unknown): value is {status: number; data: unknown} {
  return !!value && typeof value === 'object' && !Array.isArray(value) && 'config' in value && 'headers' in value && 'status' in value && 'data' in value
}

function bodyProblem(body: unknown): string {
  if (typeof body === 'string') return body.trim() === '' ? 'the response body is empty' : 'the response body is not valid JSON'
  return 'the response has no {"data": …} envelope'
}

/** The payload of an SDK service call that should be a list (`data.items`). */
export function unwrapList(label: string, result: unknown): Json[] {
  if (isAxiosResponse(result)) throw new TastytradeApiError(`${label} failed: ${bodyProblem(result.data)}`)
  if (!Array.isArray(result)) throw new TastytradeApiError(`${label} failed: expected a list in data.items, got ${describe(result)}`)
  return result.filter((r): r is Json => !!r && typeof r === 'object')
}

/** The payload of an SDK service call that should be an object (`data`). */
export function unwrapObject(label: string, result: unknown): Json {
  if (isAxiosResponse(result)) throw new TastytradeApiError(`${label} failed: ${bodyProblem(result.data)}`)
  if (!result || typeof result !== 'object' || Array.isArray(result)) throw new TastytradeApiError(`${label} failed: expected an object in data, got ${describe(result)}`)
  return result as Json
}

/** The payload of a raw `httpClient.getData` response: data.items (list) or data (object or list). */
export function unwrapRaw(label: string, response: unknown): Json | Json[] {
  const body = (response as {data?: unknown} | null)?.data
  if (!body || typeof body !== 'object' || Array.isArray(body) || !('data' in body)) throw new TastytradeApiError(`${label} failed: ${bodyProblem(body)}`)
  const data = (body as {data: unknown}).data
  if (data && typeof data === 'object' && !Array.isArray(data) && Array.isArray((data as {items?: unknown}).items)) return unwrapList(label, (data as {items: unknown[]}).items)
  if (Array.isArray(data)) return unwrapList(label, data)
  return unwrapObject(label, data)
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing'
  if (Array.isArray(value)) return 'a list'
  return typeof value === 'object' ? 'an object' : typeof value
}
