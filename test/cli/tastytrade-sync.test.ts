/*
 * `cotrader sync` with a tastytrade portfolio, end to end: the BUILT CLI (npm run build) as a real
 * child process, talking over 127.0.0.1 to the local fake tastytrade (REST + DXLink) started in
 * this test process. Every book also holds a file-fed `manual` portfolio (generic CSV) and a
 * `fidelity` portfolio whose US prices and option Greeks come from the tastytrade feed.
 *
 * The child must be spawned asynchronously (never spawnSync, which is what helpers.ts's cli() does):
 * the fake answers from this process's event loop.
 *
 * Each test starts its own fake and workspace and closes the fake in `finally` (the happy-path
 * tests share one book, closed in afterAll). Tests run concurrently: most of their time is spent
 * waiting (child start-up, retry backoff, timeouts), and ~65 CLI processes in a row would take
 * minutes.
 *
 * The fake's dates are fixed (valuation 2026-01-05, options expiring in 2026), so the CLI runs on
 * the fake's clock (COTRADER_NOW): on the real one those options would long have expired and left
 * the live book (issue 11).
 */
import {chmodSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, describe, expect, test, type ExpectStatic} from 'vitest'
import {readDb} from '../../src/core/store/database.js'
import {defaultInstruments, defaultOptions, defaultPositions, defaultQuotes, POSITIONS_PATH, startFakeTastytrade, type FakeOptionMarket, type FakeTastytrade, type Fault, type Row, type Scenario} from '../fake-tastytrade/index.js'
import {modelGreeks, underlyingPrice} from '../fake-tastytrade/market.js'
import {cliAsync, ROOT, tempDir, type Run} from './helpers.js'


/** Distinctive secrets: a leak of any of them (or of a telling piece) is unmistakable. */
const CLIENT_SECRET = 'cs-CLIPROC-5e1f9a7c3b2d-client-secret-never-print-8d4c6b0a'
const REFRESH_TOKEN = 'rt-CLIPROC-0b7d3e9f1a5c-refresh-token-never-print-2f6a8c4e'
const SECRET_PIECES = ['5e1f9a7c3b2d', '8d4c6b0a', '0b7d3e9f1a5c', '2f6a8c4e', 'never-print']

/** The Fidelity account's option, and the market the fake's DXLink prices it from. */
const FID_OPTION_STREAMER = '.AAPL271217C250'
const FID_OPTION_MARKET: FakeOptionMarket = {underlying: 'AAPL', expiry: '2027-12-17', strike: 250, right: 'call', model: 'bsm', style: 'american', vol: 0.3}
/** The same contract held at tastytrade, in the DXLink test. */
const LONG_DATED_OCC = 'AAPL  271217C00250000'
/**
 * The feed's MSFT: every symbol of every book then streams, so the Greeks wait ends as soon as the
 * data is in (the configured 3 s is only a ceiling for a loaded machine); and it differs from the
 * Fidelity file's 410, so the feed's price is told from the file's.
 */
const MSFT_QUOTE = {bid: 414.9, ask: 415.1, last: 415}

const FIDELITY_CSV = `\uFEFFAccount Number,Account Name,Symbol,Description,Quantity,Last Price,Last Price Change,Current Value,Today's Gain/Loss Dollar,Today's Gain/Loss Percent,Total Gain/Loss Dollar,Total Gain/Loss Percent,Percent Of Account,Cost Basis Total,Average Cost Basis,Type
Z22222222,Individual - TOD,SPAXX**,HELD IN MONEY MARKET,,,,"$2,500.00",,,,,7.60%,,,Cash,
Z22222222,Individual - TOD,AAPL,APPLE INC,100,$230.50,+$1.25,"$23,050.00",+$125.00,+0.55%,"+$8,050.00",+53.67%,70.06%,"$15,000.00",$150.00,Margin,
Z22222222,Individual - TOD, -AAPL271217C250,AAPL DEC 17 2027 $250 CALL,2,$18.40,-$0.20,"$3,680.00",-$40.00,-1.08%,+$680.00,+22.67%,11.18%,"$3,000.00",$15.00,Margin,
Z22222222,Individual - TOD,MSFT,MICROSOFT CORP,10,$410.00,+$2.00,"$4,100.00",+$20.00,+0.49%,"+$1,100.00",+36.67%,12.46%,"$3,000.00",$300.00,Margin,

"The data and information in this spreadsheet is provided to you solely for your use and is not for distribution."

"Date downloaded 01/05/2026 10:00 AM ET"
`

const MANUAL_CSV = `symbol,quantity,entry_price,mark_price
KO,50,60,62
KO 2027-06-18 65C,-1,1.5,1.2
`

const QUOTES_CSV = 'symbol,price\nKO,62\n'

/** Spinner frames (oclif's ux.action uses braille dots), carriage returns and ANSI escapes. */
const SPINNER = /[\u2800-\u28ff]|\r|\u001b\[|Syncing/

// ---------------------------------------------------------------------------------------------
// Running the CLI

const runCli = cliAsync

interface BookOptions {
  /** Changes to the fake's default scenario (secrets and the Fidelity option's market are always set). */
  scenario?: Partial<Scenario>
  /** env (default): secrets in the environment; file: a credentials file of that mode; none. */
  credentials?: 'env' | 'none' | {fileMode: number}
  account?: string
  env?: Record<string, string>
}

interface Book {
  fake: FakeTastytrade
  dir: string
  db: string
  credentialsFile: string | null
  /** Every run so far, for the secrets check. */
  runs: Run[]
  sh(args: string[], env?: Record<string, string>): Promise<Run>
}

const opened = new Set<FakeTastytrade>()
afterAll(async () => {
  // Safety net only: every test closes its fake in `finally`.
  await Promise.all([...opened].map((f) => f.close()))
})

async function withBook(options: BookOptions, body: (book: Book) => Promise<void>): Promise<void> {
  const {book, close} = await openBook(options)
  try {
    await body(book)
  } finally {
    await close()
  }
}

async function openBook(options: BookOptions): Promise<{book: Book; close: () => Promise<void>}> {
  const fake = await startFakeTastytrade({
    clientSecret: CLIENT_SECRET,
    refreshToken: REFRESH_TOKEN,
    options: {...defaultOptions(), [FID_OPTION_STREAMER]: FID_OPTION_MARKET},
    quotes: {...defaultQuotes(), MSFT: MSFT_QUOTE},
    ...options.scenario,
  })
  opened.add(fake)
  try {
    const dir = tempDir('cotrader-tt-cli-')
    const credentials = options.credentials ?? 'env'
    let credentialsFile: string | null = null
    if (typeof credentials === 'object') {
      credentialsFile = path.join(dir, 'tastytrade.json')
      writeFileSync(credentialsFile, JSON.stringify({client_secret: CLIENT_SECRET, refresh_token: REFRESH_TOKEN}))
      chmodSync(credentialsFile, credentials.fileMode)
    }
    writeFileSync(path.join(dir, 'fidelity.csv'), FIDELITY_CSV)
    writeFileSync(path.join(dir, 'manual.csv'), MANUAL_CSV)
    writeFileSync(path.join(dir, 'quotes.csv'), QUOTES_CSV)
    writeFileSync(
      path.join(dir, 'risk_config.yaml'),
      `base_currency: USD
market:
  rates: {USD: 0.04}
  quotes_file: quotes.csv
tastytrade:
  greeks_wait_seconds: 3
${credentialsFile ? `  credentials_file: ${path.basename(credentialsFile)}\n` : ''}portfolios:
  - {name: tt, broker: tastytrade, account: '${options.account ?? '5WT0001'}'}
  - {name: hand, broker: manual, account: M1, source: {file: manual.csv, format: generic}}
  - {name: fid, broker: fidelity, account: Z22222222, source: {file: fidelity.csv, format: fidelity}}
`,
    )
    const db = path.join(dir, 'book.sqlite')
    const baseEnv: Record<string, string> = {
      TASTYTRADE_API_URL: fake.url,
      COTRADER_NOW: '2026-01-05T15:00:00.000Z',
      ...(credentials === 'env' ? {TASTYTRADE_CLIENT_SECRET: CLIENT_SECRET, TASTYTRADE_REFRESH_TOKEN: REFRESH_TOKEN} : {}),
      ...options.env,
    }
    const runs: Run[] = []
    const book: Book = {
      fake,
      dir,
      db,
      credentialsFile,
      runs,
      async sh(args, env = {}) {
        const r = await runCli([...args, '--config', 'risk_config.yaml', '--db', db], dir, {...baseEnv, ...env})
        runs.push(r)
        return r
      },
    }
    const close = async () => {
      opened.delete(fake)
      await fake.close()
      rmSync(dir, {recursive: true, force: true})
    }
    return {book, close}
  } catch (error) {
    opened.delete(fake)
    await fake.close()
    throw error
  }
}

// ---------------------------------------------------------------------------------------------
// What the fake's data implies

const byName = (r: Run) => Object.fromEntries(r.json().portfolios.map((p: any) => [p.name ?? p.portfolio, p]))
const ttRows = (r: Run) => r.json().positions.filter((p: any) => p.portfolio === 'tt')
const isOption = (row: Row) => String(row['instrument-type']).endsWith('Option')
const openRows = (s: Scenario) => s.positions.filter((r) => r['quantity-direction'] !== 'Zero' && Number(r.quantity) !== 0)
const round2 = (n: number) => Math.max(0.01, Math.round(n * 100) / 100)

/** Feed Greeks for every option the fake has a streamer symbol and a market for; model for the rest. */
function expectedCounts(s: Scenario): {positions: number; greeks: {feed: number; model: number; none: number}} {
  const rows = openRows(s)
  const feed = rows.filter((r) => {
    const streamer = s.instruments[String(r.symbol)]?.streamerSymbol
    return isOption(r) && !!streamer && !!s.options[streamer] && !s.dxlink.silent.includes(streamer) && !s.nanGreeks.includes(streamer)
  }).length
  return {positions: rows.length, greeks: {feed, model: rows.length - feed, none: 0}}
}

/** Prices the fake's feed serves for a streamer symbol (quote mid, else last). */
function feedPriceOf(s: Scenario, streamer: string): number | null {
  return underlyingPrice(s.quotes[streamer])
}

function expectNoSecrets(expect: ExpectStatic, book: Book): void {
  const {fake} = book
  const secrets = [CLIENT_SECRET, REFRESH_TOKEN, ...SECRET_PIECES, ...fake.state.accessTokens, ...fake.state.quoteTokens]
  // Tokens minus their `at-`/`qt-` prefix: a leak with the prefix cut off is still a leak.
  for (const t of [...fake.state.accessTokens, ...fake.state.quoteTokens]) secrets.push(t.slice(3))
  expect(fake.state.accessTokens.length).toBeGreaterThan(0)
  const texts: Array<[string, string]> = book.runs.flatMap((r) => [
    [`stdout of ${r.args.join(' ')}`, r.stdout],
    [`stderr of ${r.args.join(' ')}`, r.stderr],
  ])
  // Everything the runs left on disk (the database, its lock, any temp file), as raw bytes.
  const files = readdirSync(book.dir)
    .map((name) => path.join(book.dir, name))
    .filter((file) => file !== book.credentialsFile && statSync(file).isFile())
  expect(files).toContain(book.db)
  for (const file of files) texts.push([file, readFileSync(file).toString('latin1')])
  for (const [where, text] of texts) {
    for (const secret of secrets) expect(text.includes(secret), `${where} contains a secret (${secret.slice(0, 6)}…)`).toBe(false)
    expect(text, where).not.toMatch(/Bearer (?!\[redacted\])/)
  }
}

function expectNoSpinner(expect: ExpectStatic, r: Run): void {
  expect(r.stderr, `stderr of ${r.args.join(' ')}`).not.toMatch(SPINNER)
}

async function storedPrices(db: string, portfolio: string): Promise<Record<string, {price: number | null; source: string | null; greeks: string}>> {
  const rows = await readDb(db, (d) =>
    d.all<{symbol: string; underlying_price: number | null; underlying_price_source: string | null; greeks_source: string}>(
      'SELECT symbol, underlying_price, underlying_price_source, greeks_source FROM positions WHERE portfolio = :p',
      {p: portfolio},
    ),
  )
  return Object.fromEntries(rows.map((r) => [r.symbol, {price: r.underlying_price, source: r.underlying_price_source, greeks: r.greeks_source}]))
}

/** The file-fed portfolios synced fine whatever tastytrade did. */
function expectFileFedOk(expect: ExpectStatic, sync: Run): void {
  const by = byName(sync)
  expect(by.hand).toMatchObject({status: 'ok', positions: 2, greeks: {feed: 0, model: 2, none: 0}, error: null})
  expect(by.fid).toMatchObject({status: 'ok', positions: 3, error: null})
}

// ---------------------------------------------------------------------------------------------

/** One book for the happy-path tests: synced once, read by several tests, closed after the file. */
let happy: Promise<{book: Book; sync: Run; close: () => Promise<void>}> | undefined
function happyBook() {
  happy ??= openBook({}).then(async ({book, close}) => ({book, close, sync: await book.sh(['sync', '--json'])}))
  return happy
}
afterAll(async () => {
  if (!happy) return
  const {book, close} = await happy
  try {
    // Everything every happy-path test produced, now that all of them are done.
    expectNoSecrets(expect, book)
  } finally {
    await close()
  }
})

const TIMEOUT = {timeout: 90_000}

describe.concurrent('cotrader sync against the fake tastytrade (built CLI, real process)', () => {
  test("happy path: sync --json, positions, portfolios and risk carry the broker's and the feed's numbers", TIMEOUT, async ({expect}) => {
    const {book, sync} = await happyBook()
    const s = book.fake.scenario
    expect(sync.code, sync.stderr).toBe(0)
    expect(sync.stderr).toBe('')
    const tt = byName(sync).tt
    expect(tt).toMatchObject({broker: 'tastytrade', status: 'ok', error: null, skippedRows: [], ...expectedCounts(s)})
    expect(tt.greeks).toEqual({feed: 5, model: 3, none: 0}) // the five options; stock, future, crypto by model
    expect(typeof tt.duration).toBe('number')
    expect(tt.duration).toBeGreaterThan(0)
    expect(tt.duration).toBeLessThan(30)
    expect(tt.warnings).toEqual([])
    expectFileFedOk(expect, sync)
    // The fake saw what a read-only client sends, with the `<product>/<version>` User-Agent tastytrade requires.
    expect(new Set(book.fake.state.tokenScopes)).toEqual(new Set(['read']))
    expect(new Set(book.fake.state.requests.map((r) => r.userAgent))).toEqual(new Set([`cotrader/${JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version}`]))

    const [positions, portfolios, risk] = await Promise.all([
      book.sh(['positions', '--json', '--portfolio', 'tt']),
      book.sh(['portfolios', '--json']),
      book.sh(['risk', '--json']),
    ])
    for (const r of [positions, portfolios, risk]) expect(r.code, `${r.args.join(' ')}: ${r.stderr}`).toBe(0)

    // positions: one row per open position, signed quantities, multipliers, marks, feed prices and Greeks.
    const rows = positions.json().positions
    expect(rows.every((r: any) => r.portfolio === 'tt')).toBe(true)
    expect(rows).toHaveLength(openRows(s).length)
    for (const src of openRows(s)) {
      const row = rows.find((r: any) => r.brokerSymbol === src.symbol)
      expect(row, String(src.symbol)).toBeDefined()
      const sign = src['quantity-direction'] === 'Short' ? -1 : 1
      expect(row.quantity).toBe(sign * Number(src.quantity))
      expect(row.multiplier).toBe(Number(src.multiplier))
      expect(row.entryPrice).toBe(Number(src['average-open-price']))
      const streamer = s.instruments[String(src.symbol)]?.streamerSymbol ?? null
      const option = streamer ? s.options[streamer] : undefined
      if (src['mark-price'] !== undefined) expect(row.markPrice).toBe(Number(src['mark-price']))
      if (!isOption(src)) {
        expect(row.greeksSource).toBe('model')
        if (src['instrument-type'] === 'Equity') expect(row.underlyingPrice).toBeCloseTo(feedPriceOf(s, String(src.symbol))!, 9)
        if (src['instrument-type'] === 'Future') expect(row.underlyingPrice).toBeCloseTo(feedPriceOf(s, streamer!)!, 9)
        continue
      }
      // Options: Greeks and IV exactly as the fake's DXLink sent them, scaled to the position.
      expect(option, `market of ${streamer}`).toBeDefined()
      const g = modelGreeks(option!, s)!
      const k = row.quantity * row.multiplier
      expect(row.greeksSource, String(src.symbol)).toBe('feed')
      expect(row.greeksNote).toBeNull()
      expect(row.iv).toBeCloseTo(option!.vol, 12)
      expect(row.delta).toBeCloseTo(g.delta * k, 9)
      expect(row.gamma).toBeCloseTo(g.gamma * k, 9)
      expect(row.theta).toBeCloseTo(g.theta * k, 9)
      expect(row.vega).toBeCloseTo(g.vega * k, 9)
      expect(row.underlyingPrice).toBeCloseTo(feedPriceOf(s, option!.underlying)!, 9)
      // No broker mark (SPXW): the mark is the option's own Quote mid.
      if (src['mark-price'] === undefined) expect(row.markPrice).toBeCloseTo((round2(g.price - 0.05) + round2(g.price + 0.05)) / 2, 9)
    }
    const put = rows.find((r: any) => r.brokerSymbol === 'AAPL  260618P00170000')
    expect(put).toMatchObject({symbol: 'AAPL 2026-06-18 170P', underlying: 'AAPL', instrumentType: 'equity_option', quantity: -2, multiplier: 100, markPrice: 4.1, underlyingPrice: 190, greeksSource: 'feed'})
    expect(put.delta).toBeGreaterThan(0) // short put: long delta
    expect(rows.find((r: any) => r.brokerSymbol === './ESH6 EW3H6 260320P5800')).toMatchObject({instrumentType: 'future_option', quantity: -2, multiplier: 50, underlyingPrice: 6050.5, greeksSource: 'feed'})
    expect(rows.find((r: any) => r.brokerSymbol === 'SPXW  260320C06100000')).toMatchObject({quantity: 1, underlyingPrice: 6012.5, greeksSource: 'feed'})
    expect(rows.find((r: any) => r.brokerSymbol === 'BTC/USD')).toMatchObject({quantity: 0.5, multiplier: 1, markPrice: 95000})
    expect(rows.some((r: any) => r.brokerSymbol === 'MSFT')).toBe(false) // the closed (Zero) row

    // portfolios: equity is the broker's net liquidating value, cash its cash balance.
    const p = byName(portfolios).tt
    expect(p).toMatchObject({broker: 'tastytrade', account: '5WT0001', positions: 8, lastSyncStatus: 'ok', lastSyncError: null})
    expect(p.equity).toBeCloseTo(Number(s.balances['net-liquidating-value']), 9)
    expect(p.cash).toBeCloseTo(Number(s.balances['cash-balance']), 9)

    // risk: capital in use is the broker's maintenance requirement.
    const r = risk.json().portfolios.find((x: any) => x.portfolio === 'tt')
    expect(r.capitalBasis).toBe('broker')
    expect(r.capitalInUse).toBeCloseTo(Number(s.balances['maintenance-requirement']), 9)
    expect(r.equity).toBeCloseTo(Number(s.balances['net-liquidating-value']), 9)
    expect(r.capitalUtilizationPct).toBeCloseTo((Number(s.balances['maintenance-requirement']) / Number(s.balances['net-liquidating-value'])) * 100, 9)
    expect(risk.json().notSynced).toEqual([])
  })

  test('file-fed Fidelity portfolio: US underlying prices and option Greeks come from the tastytrade feed', TIMEOUT, async ({expect}) => {
    const {book, sync} = await happyBook()
    const s = book.fake.scenario
    expect(sync.code, sync.stderr).toBe(0)
    const fid = byName(sync).fid
    // AAPL and MSFT stock (model: delta 1), the AAPL call (feed).
    expect(fid).toMatchObject({status: 'ok', positions: 3, greeks: {feed: 1, model: 2, none: 0}, error: null})

    const rows = (await book.sh(['positions', '--json', '--portfolio', 'fid'])).json().positions
    const aapl = rows.find((r: any) => r.symbol === 'AAPL')
    const call = rows.find((r: any) => r.symbol === 'AAPL 2027-12-17 250C')
    const msft = rows.find((r: any) => r.symbol === 'MSFT')
    const aaplFeed = feedPriceOf(s, 'AAPL')!
    // The file says 230.50 and 410; the feed's mids win for the underlying price (the marks stay the file's).
    // (Without usable credentials the file's prices stay: see the credentials-file test.)
    expect(aapl).toMatchObject({quantity: 100, markPrice: 230.5})
    expect(aapl.underlyingPrice).toBeCloseTo(aaplFeed, 9)
    expect(call).toMatchObject({quantity: 2, multiplier: 100, markPrice: 18.4, greeksSource: 'feed', greeksNote: null})
    expect(call.underlyingPrice).toBeCloseTo(aaplFeed, 9)
    expect(call.iv).toBeCloseTo(FID_OPTION_MARKET.vol, 12)
    const g = modelGreeks(FID_OPTION_MARKET, s)!
    expect(call.delta).toBeCloseTo(g.delta * 200, 9)
    expect(call.vega).toBeCloseTo(g.vega * 200, 9)
    expect(msft).toMatchObject({markPrice: 410, underlyingPrice: 415, greeksSource: 'model'})

    // positions rows do not expose the price source; the database does.
    const stored = await storedPrices(book.db, 'fid')
    expect(stored.AAPL).toMatchObject({source: 'feed', greeks: 'model'})
    expect(stored['AAPL 2027-12-17 250C']).toMatchObject({source: 'feed', greeks: 'feed'})
    expect(stored.MSFT).toMatchObject({price: 415, source: 'feed'})
    // The manual portfolio is not fed from tastytrade: its prices are the quotes file's.
    const hand = await storedPrices(book.db, 'hand')
    expect(hand['KO 2027-06-18 65C']).toMatchObject({price: 62, greeks: 'model'})

    // The feed was asked for the Fidelity option's streamer symbol.
    const subscribed = book.fake.state.wsMessages.filter((m) => m.type === 'FEED_SUBSCRIPTION').flatMap((m) => (m.add as Array<{type: string; symbol: string}>) ?? [])
    expect(subscribed).toContainEqual({type: 'Greeks', symbol: FID_OPTION_STREAMER})
  })

  test('human sync on a pipe: the table, no spinner, no secret in anything the happy book produced', TIMEOUT, async ({expect}) => {
    const {book} = await happyBook()
    const plain = await book.sh(['sync'])
    expect(plain.code, plain.stderr).toBe(0)
    expect(plain.stdout).toMatch(/tt\s*│\s*tastytrade\s*│\s*ok\s*│\s*8\s*│\s*5\/3\/0\s*│/)
    expect(plain.stdout).toMatch(/fid\s*│\s*fidelity\s*│\s*ok\s*│\s*3\s*│\s*1\/2\/0\s*│/)
    expect(plain.stdout).toMatch(/3 ok, 0 skipped, 0 failed/)
    expectNoSpinner(expect, plain)
    expectNoSecrets(expect, book)
  })

  interface FailureCase {
    name: string
    faults: Fault[]
    env?: Record<string, string>
    reason: RegExp
    /** POST /oauth/token calls of one failing sync. */
    tokenCalls?: number
  }
  const status = (code: number, extra: Partial<Fault> = {}): Fault[] => [{path: POSITIONS_PATH, kind: 'status', status: code, echoSecrets: true, ...extra}]
  const at = 'tastytrade: portfolio "tt": '
  const failures: FailureCase[] = [
    {name: '401 even after the one forced token refresh', faults: status(401, {code: 'unauthorized', message: 'Unauthorized'}), tokenCalls: 2, reason: /GET \/accounts\/5WT0001\/positions failed: HTTP 401 \(unauthorized\) even with a freshly refreshed access token/},
    {name: '403', faults: status(403), tokenCalls: 1, reason: /GET \/accounts\/5WT0001\/positions failed: HTTP 403 \(forbidden\) — not_permitted/},
    {name: '429 forever', faults: status(429), reason: /GET \/accounts\/5WT0001\/positions failed: HTTP 429 \(rate limited\) after 3 attempts/},
    {name: '503', faults: status(503), reason: /GET \/accounts\/5WT0001\/positions failed: HTTP 503 \(server error\) after 3 attempts/},
    {name: 'timeout (TASTYTRADE_HTTP_TIMEOUT_MS=300)', faults: [{path: POSITIONS_PATH, kind: 'timeout'}], env: {TASTYTRADE_HTTP_TIMEOUT_MS: '300'}, reason: /GET \/accounts\/5WT0001\/positions failed: timed out after 0\.3 s after 3 attempts/},
    {name: 'malformed body', faults: [{path: POSITIONS_PATH, kind: 'malformed'}], reason: /GET \/accounts\/5WT0001\/positions failed: the response body is not valid JSON/},
    {name: 'refresh token rejected', faults: [{path: '/oauth/token', kind: 'status', status: 401, echoSecrets: true}], reason: /POST \/oauth\/token failed: HTTP 401 \(unauthorized\) \(the refresh token or client secret was not accepted\)/},
  ]

  test.for(failures)('fails: $name → exit 1, tt failed in one line, file-fed ok, previous positions kept, no secret anywhere', TIMEOUT, async (c, {expect}) => {
    await withBook({}, async (book) => {
      const first = await book.sh(['sync', '--json'])
      expect(first.code, first.stderr).toBe(0)
      expect(byName(first).tt.status).toBe('ok')
      const before = await book.sh(['positions', '--json'])
      expect(before.code).toBe(0)
      const beforeRows = ttRows(before)
      expect(beforeRows).toHaveLength(8)

      book.fake.setScenario({faults: c.faults})
      const tokenCallsBefore = book.fake.state.tokenCalls
      // Both at once: they fetch in parallel and take turns on the database lock.
      const [plain, json] = await Promise.all([book.sh(['sync'], c.env), book.sh(['sync', '--json'], c.env)])
      if (c.tokenCalls !== undefined) expect(book.fake.state.tokenCalls - tokenCallsBefore).toBe(2 * c.tokenCalls)

      expect(plain.code, plain.stderr).toBe(1)
      expect(json.code, json.stderr).toBe(1)
      const tt = byName(json).tt
      expect(tt).toMatchObject({status: 'failed', positions: null, greeks: null})
      expect(tt.error.startsWith(at), tt.error).toBe(true)
      expect(tt.error).toMatch(c.reason)
      expect(tt.error).not.toMatch(/\n/)
      expect(tt.error.length).toBeLessThan(400)
      expect(json.json()).toMatchObject({ok: 2, skipped: 0, failed: 1})
      expectFileFedOk(expect, json)
      expect(plain.stdout).toContain(`tt: ${at.replace('tastytrade: ', '')}`) // the broker prefix is not repeated in the human line
      expect(plain.stdout).toMatch(/2 ok, 0 skipped, 1 failed/)
      expectNoSpinner(expect, plain)
      expectNoSpinner(expect, json)

      const [after, portfolios, risk] = await Promise.all([book.sh(['positions', '--json']), book.sh(['portfolios', '--json']), book.sh(['risk', '--json'])])
      for (const r of [after, portfolios, risk]) expect(r.code, `${r.args.join(' ')}: ${r.stderr}`).toBe(0)
      expect(ttRows(after)).toEqual(beforeRows)
      const p = byName(portfolios).tt
      expect(p).toMatchObject({lastSyncStatus: 'failed', positions: 8})
      expect(p.lastSyncError).toMatch(c.reason)
      expect(p.equity).toBeCloseTo(Number(book.fake.scenario.balances['net-liquidating-value']), 9) // from the last good sync
      expect(risk.json().portfolios.find((x: any) => x.portfolio === 'tt').capitalBasis).toBe('broker')

      expectNoSecrets(expect, book)
    })
  })

  test('DXLink never authorises: positions still ok, model Greeks and a warning; no secret anywhere', TIMEOUT, async ({expect}) => {
    // A long-dated option besides the default account (whose options expire in 2026), so model
    // Greeks can be seen whatever today's date is.
    const longDated = {...defaultPositions()[2], symbol: LONG_DATED_OCC, quantity: '1', 'quantity-direction': 'Long', 'average-open-price': '15.0', 'close-price': '18.3', 'mark-price': '18.4', mark: '1840.0', 'expires-at': '2027-12-17T21:00:00.000+00:00'}
    const scenario = {positions: [...defaultPositions(), longDated], instruments: {...defaultInstruments(), [LONG_DATED_OCC]: {streamerSymbol: FID_OPTION_STREAMER, exerciseStyle: 'American' as const}}}
    await withBook({scenario}, async (book) => {
      const first = await book.sh(['sync', '--json'])
      expect(first.code, first.stderr).toBe(0)
      expect(byName(first).tt).toMatchObject({status: 'ok', positions: 9, greeks: {feed: 6, model: 3, none: 0}})
      const beforeRows = ttRows(await book.sh(['positions', '--json']))

      book.fake.setScenario({dxlink: {...book.fake.scenario.dxlink, authorize: false}})
      const json = await book.sh(['sync', '--json'])
      expect(json.code, json.stderr).toBe(0)
      const tt = byName(json).tt
      expect(tt).toMatchObject({status: 'ok', positions: 9, error: null})
      expect(tt.greeks.feed).toBe(0)
      expect(tt.greeks.model + tt.greeks.none).toBe(9)
      expect(tt.greeks.model).toBeGreaterThanOrEqual(4) // stock, future, crypto, the long-dated call
      const warnings = tt.warnings.join('\n')
      expect(warnings).toMatch(/DXLink failed \(DXLink did not authorise the quote token/)
      expect(warnings).toMatch(/model Greeks will be used/)
      expectFileFedOk(expect, json)
      expect(byName(json).fid.warnings.join('\n')).toMatch(/live quotes from tastytrade unavailable/)

      const [positions, portfolios, risk] = await Promise.all([book.sh(['positions', '--json']), book.sh(['portfolios', '--json']), book.sh(['risk', '--json'])])
      const rows = ttRows(positions)
      expect(rows.map((r: any) => [r.symbol, r.quantity, r.multiplier, r.entryPrice])).toEqual(beforeRows.map((r: any) => [r.symbol, r.quantity, r.multiplier, r.entryPrice]))
      expect(rows.filter((r: any) => r.greeksSource === 'feed')).toEqual([])
      // No feed price: the underlying price is the last one stored (the first sync's feed mid).
      const put = rows.find((r: any) => r.brokerSymbol === 'AAPL  260618P00170000')
      expect(put).toMatchObject({underlyingPrice: 190, markPrice: 4.1})
      expect(['model', 'none']).toContain(put.greeksSource)
      // The long-dated call: IV solved from the broker's mark at that price, model Greeks.
      const call = rows.find((r: any) => r.brokerSymbol === LONG_DATED_OCC)
      expect(call).toMatchObject({quantity: 1, markPrice: 18.4, underlyingPrice: 190, greeksSource: 'model'})
      expect(call.iv).toBeGreaterThan(0.05)
      expect(call.delta).toBeGreaterThan(0)
      expect((await storedPrices(book.db, 'tt'))['AAPL 2027-12-17 250C'].source).toBe('last')
      expect(byName(portfolios).tt.lastSyncStatus).toBe('ok')
      expect(risk.code).toBe(0)
      // Human output (after the reads: this sync rewrites the book).
      const plain = await book.sh(['sync'])
      expect(plain.code, plain.stderr).toBe(0)
      expect(plain.stdout).toMatch(/tt: DXLink failed/)
      expectNoSpinner(expect, plain)
      expectNoSecrets(expect, book)
    })
  })

  test('credentials file readable by others (0644): the portfolio fails saying chmod 600 (exit 1); 0600 works without env vars', TIMEOUT, async ({expect}) => {
    await withBook({credentials: {fileMode: 0o644}}, async (book) => {
      const json = await book.sh(['sync', '--json'])
      expect(json.code, json.stderr).toBe(1)
      const tt = byName(json).tt
      expect(tt.status).toBe('failed')
      expect(tt.error).toMatch(/tastytrade credentials file .*tastytrade\.json is accessible by other users \(mode 0644\); run chmod 600 /)
      expectFileFedOk(expect, json)
      // Nothing was sent: credentials that may have been exposed are not used.
      expect(book.fake.state.requests).toEqual([])
      const stored = await storedPrices(book.db, 'fid')
      expect(stored.AAPL).toMatchObject({price: 230.5, source: 'file'}) // no feed without usable credentials
      expect(stored.MSFT).toMatchObject({price: 410, source: 'file'})

      chmodSync(book.credentialsFile!, 0o600)
      const ok = await book.sh(['sync', '--json'])
      expect(ok.code, ok.stderr).toBe(0)
      expect(byName(ok).tt).toMatchObject({status: 'ok', positions: 8, greeks: {feed: 5, model: 3, none: 0}})
      expect(book.fake.state.tokenCalls).toBe(1)
      expectNoSecrets(expect, book)
    })
  })

  test('missing credentials: tt skipped naming the env vars, exit 0, nothing sent', TIMEOUT, async ({expect}) => {
    await withBook({credentials: 'none'}, async (book) => {
      const json = await book.sh(['sync', '--json'])
      expect(json.code, json.stderr).toBe(0)
      const tt = byName(json).tt
      expect(tt).toMatchObject({status: 'skipped', positions: null})
      expect(tt.error).toMatch(/TASTYTRADE_CLIENT_SECRET/)
      expect(tt.error).toMatch(/TASTYTRADE_REFRESH_TOKEN/)
      expectFileFedOk(expect, json)
      expect(book.fake.state.requests).toEqual([])
      expect(book.fake.state.wsConnections).toBe(0)
    })
  })

  test('an account the credentials cannot see: failed with a clear message, exit 1', TIMEOUT, async ({expect}) => {
    await withBook({account: '5WT0999'}, async (book) => {
      const json = await book.sh(['sync', '--json'])
      expect(json.code, json.stderr).toBe(1)
      const tt = byName(json).tt
      expect(tt.status).toBe('failed')
      expect(tt.error).toBe('tastytrade: portfolio "tt": account 5WT0999 is not visible to these credentials (visible: 5WT0001, 5WT0002)')
      expectFileFedOk(expect, json)
      expect(book.fake.requestsTo('/accounts/5WT0999/positions')).toEqual([])
      expectNoSecrets(expect, book)
    })
  })
})
