/*
 * The trade commands end to end, as real processes of the BUILT CLI (npm run build): whatif
 * add / list / remove / clear / payoff, risk and pnl --with-whatif, approve (paper and --live) and
 * reject. The live path talks over 127.0.0.1 to the local fake tastytrade started in this test
 * process, so every child is spawned asynchronously (the fake answers from this event loop).
 *
 * Each test has its own workspace (and fake); tests run concurrently to keep the file short.
 */
import {createHash} from 'node:crypto'
import {readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, describe, expect, test, type ExpectStatic} from 'vitest'
import {readDb} from '../../src/core/store/database.js'
import * as repo from '../../src/core/store/repositories.js'
import {CLIENT_SECRET, REFRESH_TOKEN, startFakeTastytrade, type FakeTastytrade, type Scenario} from '../fake-tastytrade/index.js'
import {cliAsync, tempDir, type Run} from './helpers.js'

/** Per test: generous, as every test runs a dozen processes and they all share the machine. */
const TIMEOUT = {timeout: 120_000}

// ---------------------------------------------------------------------------------------------
// The book: dates relative to today so the options never expire under the test.

/** Third Friday of the month about a year from now (a regular monthly expiry). */
function expiryInAYear(): string {
  const d = new Date(Date.now() + 365 * 86_400_000)
  const first = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1))
  const friday = 1 + ((5 - first.getUTCDay() + 7) % 7) + 14
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), friday)).toISOString().slice(0, 10)
}
const EXP = expiryInAYear()
/** OCC date part: YYMMDD. */
const OCC_DATE = EXP.slice(2).replaceAll('-', '')
const P210 = `AAPL ${EXP} 210P`
const P200 = `AAPL ${EXP} 200P`
/** The credit put vertical of the examples: −1 210P @ 9.10, +1 200P @ 6.20. */
const VERTICAL = ['--leg', `-1 ${P210} @ 9.10`, '--leg', `1 ${P200} @ 6.20`]

/** Stock and a short call on AAPL, so AAPL's price and an IV are known; cash so equity is. */
const HAND_CSV = `symbol,quantity,entry_price,mark_price
AAPL,100,150,230
AAPL ${EXP} 250C,-1,12,10.5
CASH,50000,1,1
`
const QUOTES_CSV = 'symbol,price\nAAPL,230\nSPY,600\n'

interface Limits {
  tt?: string
  hand?: string
}

function configYaml(limits: Limits = {}): string {
  const lim = (l?: string) => (l ? `, limits: {${l}}` : '')
  return `base_currency: USD
market:
  rates: {USD: 0.04}
  quotes_file: quotes.csv
tastytrade:
  greeks_wait_seconds: 1
portfolios:
  - {name: tt, broker: tastytrade, account: '5WT0001', trading_enabled: true${lim(limits.tt)}}
  - {name: tt-ro, broker: tastytrade, account: '5WT0002'}
  - {name: hand, broker: manual, account: M1, source: {file: hand.csv, format: generic}${lim(limits.hand)}}
  - {name: bare, broker: manual, account: M2, source: {file: bare.csv, format: generic}}
  - {name: tt-whatif, broker: none, kind: whatif, shadows: tt}
  - {name: tt-ro-whatif, broker: none, kind: whatif, shadows: tt-ro}
  - {name: hand-whatif, broker: none, kind: whatif, shadows: hand}
`
}

// ---------------------------------------------------------------------------------------------
// Running the CLI

const runCli = cliAsync

interface Book {
  dir: string
  db: string
  config: string
  runs: Run[]
  sh(args: string[]): Promise<Run>
  /** sh, expecting exit 0 and JSON. */
  ok(args: string[]): Promise<any>
  setLimits(limits: Limits): void
}

function openBook(env: Record<string, string> = {}): Book {
  const dir = tempDir('cotrader-trades-')
  writeFileSync(path.join(dir, 'hand.csv'), HAND_CSV)
  writeFileSync(path.join(dir, 'quotes.csv'), QUOTES_CSV)
  writeFileSync(path.join(dir, 'bare.csv'), 'symbol,quantity,entry_price,mark_price\nKO,10,60,62\n')
  const config = path.join(dir, 'risk_config.yaml')
  writeFileSync(config, configYaml())
  const db = path.join(dir, 'book.sqlite')
  const runs: Run[] = []
  const book: Book = {
    dir,
    db,
    config,
    runs,
    async sh(args) {
      const r = await runCli([...args, '--config', config, '--db', db], dir, env)
      runs.push(r)
      return r
    },
    async ok(args) {
      const r = await book.sh([...args, '--json'])
      expect(r.code, `${args.join(' ')}: ${r.stderr}${r.stdout.slice(0, 400)}`).toBe(0)
      return r.json()
    },
    setLimits(limits) {
      writeFileSync(config, configYaml(limits))
    },
  }
  return book
}

/** The database after one sync of the file-fed portfolios (tastytrade ones skip: no credentials). */
let seed: Promise<Buffer> | undefined
function syncedDb(): Promise<Buffer> {
  seed ??= (async () => {
    const book = openBook()
    const sync = await book.ok(['sync'])
    const by = Object.fromEntries(sync.portfolios.map((p: any) => [p.name, p]))
    expect(by.hand).toMatchObject({status: 'ok', positions: 2, greeks: {feed: 0, model: 2, none: 0}})
    expect(by.bare).toMatchObject({status: 'ok', positions: 1})
    expect(by.tt.status).toBe('skipped')
    return readFileSync(book.db)
  })()
  return seed
}

/** A fresh workspace holding a copy of the synced database. */
async function syncedBook(): Promise<Book> {
  const db = await syncedDb()
  const book = openBook()
  writeFileSync(book.db, db)
  return book
}

async function proposals(db: string): Promise<repo.Proposal[]> {
  return readDb(db, (d) => repo.loadProposals(d))
}

async function liveTrades(db: string) {
  return readDb(db, (d) => repo.loadTrades(d, {kind: 'live'}))
}

/** Runs at most `size` at a time (many processes at once only slow each other down). */
async function inBatches<T>(jobs: Array<() => Promise<T>>, size: number): Promise<T[]> {
  const out: T[] = []
  for (let i = 0; i < jobs.length; i += size) out.push(...(await Promise.all(jobs.slice(i, i + size).map((j) => j()))))
  return out
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')

// ---------------------------------------------------------------------------------------------
// Offline: paper trading on the file-fed portfolio

describe.concurrent('trade commands offline (built CLI, real processes)', () => {
  test('whatif add: a vertical gets a proposal ID and entry Greeks; whatif list and positions show its legs apart', TIMEOUT, async () => {
    const book = await syncedBook()
    const add = await book.ok(['whatif', 'add', '--portfolio', 'hand', ...VERTICAL, '--reason', 'credit spread'])
    expect(add).toMatchObject({proposalId: 1, portfolio: 'hand', whatifPortfolio: 'hand-whatif'})
    expect(add.trades.map((t: any) => [t.symbol, t.quantity, t.entryPrice, t.portfolio])).toEqual([
      [P210, -1, 9.1, 'hand-whatif'],
      [P200, 1, 6.2, 'hand-whatif'],
    ])
    for (const t of add.trades) {
      expect(t, t.symbol).toMatchObject({greeksSource: 'model', multiplier: 100, underlyingPrice: 230, currency: 'USD', instrumentType: 'equity_option'})
      for (const k of ['delta', 'gamma', 'theta', 'vega', 'iv']) expect(typeof t[k], `${t.symbol}.${k}`).toBe('number')
      expect(t.iv).toBeGreaterThan(0.05)
      expect(t.iv).toBeLessThan(1)
    }
    const [short, long] = add.trades
    expect(short.delta).toBeGreaterThan(0) // short put: long delta
    expect(long.delta).toBeLessThan(0)
    expect(short.delta + long.delta).toBeGreaterThan(0) // the credit put spread is net long

    const list = await book.ok(['whatif', 'list'])
    expect(list.whatIf).toHaveLength(2)
    for (const [i, row] of list.whatIf.entries()) {
      expect(row).toMatchObject({proposalId: 1, portfolio: 'hand-whatif', symbol: add.trades[i].symbol, quantity: add.trades[i].quantity})
      expect(typeof row.tradeId).toBe('number')
      expect(row.entryGreeks.greeksSource).toBe('model')
      expect(row.entryGreeks.iv).toBeCloseTo(add.trades[i].iv, 12)
      // Per-unit entry delta × quantity × multiplier = the position delta at creation.
      expect(row.entryGreeks.greeks.delta * row.quantity * 100).toBeCloseTo(add.trades[i].delta, 6)
    }
    expect((await book.ok(['whatif', 'list', '--portfolio', 'tt'])).whatIf).toEqual([])

    const positions = await book.ok(['positions'])
    expect(positions.positions.map((p: any) => [p.portfolio, p.symbol]).sort()).toEqual([['bare', 'KO'], ['hand', 'AAPL'], ['hand', `AAPL ${EXP} 250C`]])
    expect(positions.agentTrades).toEqual([])
    expect(positions.whatIf.map((p: any) => [p.portfolio, p.symbol, p.quantity])).toEqual([
      ['hand-whatif', P210, -1],
      ['hand-whatif', P200, 1],
    ])

    // Human output: the legs with their ID.
    const human = await book.sh(['whatif', 'list'])
    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(new RegExp(`│\\s*1\\s*│\\s*hand-whatif\\s*│\\s*${P210}`))
    const pending = await book.ok(['approve'])
    expect(pending.pending).toEqual([
      {id: 1, source: 'user', portfolio: 'hand', reason: 'credit spread', createdAt: expect.any(String), legs: [{quantity: -1, symbol: P210, price: 9.1}, {quantity: 1, symbol: P200, price: 6.2}]},
    ])
  })

  test('whatif add without a price: the model prices the leg at the IV of the held AAPL option', TIMEOUT, async () => {
    const book = await syncedBook()
    const held = (await book.ok(['positions'])).positions.find((p: any) => p.symbol === `AAPL ${EXP} 250C`)
    expect(held.iv).toBeGreaterThan(0.05)
    const add = await book.ok(['whatif', 'add', '--portfolio', 'hand', '--leg', `2 AAPL ${EXP} 240C`])
    const [t] = add.trades
    expect(t).toMatchObject({symbol: `AAPL ${EXP} 240C`, quantity: 2, greeksSource: 'model'})
    expect(t.iv).toBeCloseTo(held.iv, 9)
    expect(t.entryPrice).toBeGreaterThan(10) // lower strike than the held 250C
    expect(t.delta).toBeGreaterThan(0)
  })

  test('risk and pnl --with-whatif: before → after differ by exactly the legs; a tight limit shows the new breach', TIMEOUT, async () => {
    const book = await syncedBook()
    await book.ok(['whatif', 'add', '--portfolio', 'hand', ...VERTICAL])
    const [risk, plain, positions, pnl] = await Promise.all([
      book.ok(['risk', '--with-whatif']),
      book.ok(['risk']),
      book.ok(['positions']),
      book.ok(['pnl', '--with-whatif']),
    ])
    expect(plain.whatif).toBeUndefined()
    expect(risk.whatif).toHaveLength(1)
    const w = risk.whatif[0]
    expect(w).toMatchObject({portfolio: 'hand', whatifPortfolio: 'hand-whatif', newBreaches: []})
    const legs = positions.whatIf
    expect(legs).toHaveLength(2)
    const hand = plain.portfolios.find((p: any) => p.portfolio === 'hand')
    expect(w.before.delta).toBeCloseTo(hand.delta, 9)
    const aapl = (r: any) => r.underlyings.find((u: any) => u.underlying === 'AAPL')
    expect(aapl(w.before).positions).toBe(2)
    expect(aapl(w.after).positions).toBe(4)
    // Greeks move by the legs' position Greeks (marked a moment apart: theta drifts, delta does not measurably).
    expect(w.after.delta - w.before.delta).toBeCloseTo(sum(legs.map((l: any) => l.delta)), 6)
    expect(w.after.gamma - w.before.gamma).toBeCloseTo(sum(legs.map((l: any) => l.gamma)), 6)
    expect(w.after.vega - w.before.vega).toBeCloseTo(sum(legs.map((l: any) => l.vega)), 6)
    expect(w.after.deltaDollars - w.before.deltaDollars).toBeCloseTo(sum(legs.map((l: any) => l.delta)) * 230, 3)
    expect(w.after.deltaDollars).toBeGreaterThan(w.before.deltaDollars)
    // The real portfolio's own numbers do not include the what-if legs.
    expect(risk.portfolios.find((p: any) => p.portfolio === 'hand').delta).toBeCloseTo(hand.delta, 9)

    // pnl: before is the portfolio's, after adds the legs' (near-zero: marked at their entry IV).
    expect(pnl.whatif).toHaveLength(1)
    const pw = pnl.whatif[0]
    expect(pw).toMatchObject({portfolio: 'hand', currency: 'USD'})
    expect(pw.before).toBeCloseTo((230 - 150) * 100 + (12 - 10.5) * 100, 6)
    expect(pw.after - pw.before).toBeCloseTo(sum(legs.map((l: any) => l.unrealizedPnl)), 1)
    expect(pnl.positions.filter((l: any) => l.source === 'whatif').map((l: any) => [l.portfolio, l.symbol])).toEqual([
      ['hand-whatif', P210],
      ['hand-whatif', P200],
    ])

    // A limit between before and after: exactly that breach is new.
    const threshold = Math.round((w.before.deltaDollars + w.after.deltaDollars) / 2)
    book.setLimits({hand: `max_delta_dollars_total: ${threshold}`})
    const tight = await book.ok(['risk', '--with-whatif'])
    expect(tight.breaches).toEqual([]) // nothing breached today
    expect(tight.whatif[0].newBreaches).toEqual([expect.objectContaining({portfolio: 'hand', limit: 'maxDeltaDollarsTotal', threshold})])
    expect(tight.whatif[0].newBreaches[0].value).toBeCloseTo(w.after.deltaDollars, 3)
    // A limit already breached before is not new.
    book.setLimits({hand: `max_delta_dollars_total: ${Math.round(w.before.deltaDollars / 2)}`})
    const old = await book.ok(['risk', '--with-whatif'])
    expect(old.breaches).toHaveLength(1)
    expect(old.whatif[0].newBreaches).toEqual([])
  })

  test('whatif payoff: the vertical −1 210P @ 9.10 / +1 200P @ 6.20 → max profit 290, max loss −710, breakeven 207.10', TIMEOUT, async () => {
    const book = await syncedBook()
    await book.ok(['whatif', 'add', '--portfolio', 'hand', ...VERTICAL])
    const payoff = await book.ok(['whatif', 'payoff', '--portfolio', 'hand'])
    expect(payoff).toMatchObject({portfolio: 'hand-whatif', underlying: 'AAPL', currency: 'USD', spot: 230})
    expect(payoff.legs.map((l: any) => [l.symbol, l.quantity, l.price])).toEqual([
      [P210, -1, 9.1],
      [P200, 1, 6.2],
    ])
    const a = payoff.analysis
    expect(a.method).toBe('exact')
    expect(a.expiration).toBe(EXP)
    expect(a.maxProfit).toBeCloseTo(290, 9)
    expect(a.maxLoss).toBeCloseTo(-710, 9)
    expect(a.breakevens).toHaveLength(1)
    expect(a.breakevens[0]).toBeCloseTo(207.1, 9)
    expect(a.netPremium).toBeCloseTo(-290, 9)
    // Expiration P&L at a few prices by hand: above 210 keep the credit, below 200 lose the width less it.
    for (const p of a.points) {
      const s = p.underlying
      const expected = (-Math.max(0, 210 - s) + 9.1 + Math.max(0, 200 - s) - 6.2) * 100
      expect(p.expiration, `S=${s}`).toBeCloseTo(expected, 6)
    }
    expect(a.points.length).toBeGreaterThan(10)
    const human = await book.sh(['whatif', 'payoff', '--portfolio', 'hand'])
    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(/207\.10/)
  })

  test('approve: lists what is pending, books paper trades once (again → already), two at once → exactly one books', TIMEOUT, async () => {
    const book = await syncedBook()
    const id = (await book.ok(['whatif', 'add', '--portfolio', 'hand', ...VERTICAL])).proposalId
    const listHuman = await book.sh(['approve'])
    expect(listHuman.code).toBe(0)
    expect(listHuman.stdout).toMatch(new RegExp(`│\\s*${id}\\s*│\\s*user\\s*│\\s*hand`))

    const approved = await book.ok(['approve', String(id)])
    expect(approved).toMatchObject({id, status: 'approved', dryRun: null, order: null, newBreaches: []})
    expect(approved.booked.map((r: any) => [r.portfolio, r.symbol, r.quantity, r.entryPrice])).toEqual([
      ['hand', P210, -1, 9.1],
      ['hand', P200, 1, 6.2],
    ])
    const after = await book.ok(['positions'])
    expect(after.agentTrades.map((r: any) => [r.portfolio, r.symbol, r.quantity])).toEqual([
      ['hand', P210, -1],
      ['hand', P200, 1],
    ])
    expect(after.whatIf).toEqual([]) // the what-if legs became the paper trades
    expect(after.positions).toHaveLength(3) // broker positions untouched
    const pnl = await book.ok(['pnl'])
    expect(pnl.positions.filter((l: any) => l.source === 'paper').map((l: any) => [l.portfolio, l.symbol])).toEqual([
      ['hand', P210],
      ['hand', P200],
    ])
    expect((await book.ok(['approve'])).pending).toEqual([])

    // Approving again: nothing booked.
    const again = await book.ok(['approve', String(id)])
    expect(again).toMatchObject({id, status: 'already', booked: []})
    expect(again.message).toMatch(/already approved/)
    // Rejecting what was approved contradicts the decision: exit 2, nothing changes.
    const rej = await book.sh(['reject', String(id), '--json'])
    expect(rej.code).toBe(2)
    expect(rej.json().error).toMatchObject({code: 'conflict', message: `proposal ${id} is approved, not pending; it cannot be rejected (close its paper trades with: cotrader trades close ID)`})
    expect((await book.ok(['positions'])).agentTrades).toHaveLength(2)

    // Two processes approve the same proposal at once: the database lock lets exactly one book it.
    const id2 = (await book.ok(['whatif', 'add', '--portfolio', 'hand', '--leg', '10 AAPL @ 231'])).proposalId
    const both = await Promise.all([book.sh(['approve', String(id2), '--json']), book.sh(['approve', String(id2), '--json'])])
    for (const r of both) expect(r.code, r.stderr).toBe(0)
    expect(both.map((r) => r.json().status).sort()).toEqual(['already', 'approved'])
    const finalRows = (await book.ok(['positions'])).agentTrades
    expect(finalRows).toHaveLength(3)
    expect(finalRows.filter((r: any) => r.symbol === 'AAPL')).toEqual([expect.objectContaining({quantity: 10, entryPrice: 231, portfolio: 'hand'})])
    expect((await proposals(book.db)).map((p) => [p.id, p.status])).toEqual([
      [id, 'approved'],
      [id2, 'approved'],
    ])
  })

  test('reject: the proposal is rejected, its legs leave the what-if book, approving it afterwards is refused (exit 2)', TIMEOUT, async () => {
    const book = await syncedBook()
    const id = (await book.ok(['whatif', 'add', '--portfolio', 'hand', ...VERTICAL])).proposalId
    const rejected = await book.ok(['reject', String(id), '--reason', 'earnings next week'])
    expect(rejected).toMatchObject({id, status: 'rejected'})
    const [p] = await proposals(book.db)
    expect(p).toMatchObject({id, status: 'rejected', result: {reason: 'earnings next week'}})
    expect((await book.ok(['whatif', 'list'])).whatIf).toEqual([])
    expect((await book.ok(['approve'])).pending).toEqual([])

    // Approving a rejected proposal is refused (exit 2), not "nothing to do".
    const approve = await book.sh(['approve', String(id), '--json'])
    expect(approve.code).toBe(2)
    expect(approve.json().error).toMatchObject({code: 'conflict', exitCode: 2})
    expect(approve.json().error.message).toMatch(new RegExp(`proposal ${id} was rejected .*; it cannot be approved`))
    const positions = await book.ok(['positions'])
    expect(positions.agentTrades).toEqual([])
    expect(positions.whatIf).toEqual([])
    expect((await book.ok(['reject', String(id)])).status).toBe('already')
    expect((await proposals(book.db))[0].status).toBe('rejected')
  })

  test('whatif remove ID and whatif clear --portfolio', TIMEOUT, async () => {
    const book = await syncedBook()
    const a = (await book.ok(['whatif', 'add', '--portfolio', 'hand', ...VERTICAL])).proposalId
    const b = (await book.ok(['whatif', 'add', '--portfolio', 'hand', '--leg', '5 AAPL'])).proposalId
    const c = (await book.ok(['whatif', 'add', '--portfolio', 'tt', '--leg', '-3 AAPL @ 229.5'])).proposalId
    expect([a, b, c]).toEqual([1, 2, 3])
    expect((await book.ok(['whatif', 'list'])).whatIf.map((r: any) => r.proposalId)).toEqual([1, 1, 2, 3])

    expect(await book.ok(['whatif', 'remove', String(a)])).toEqual({removed: a})
    expect((await book.ok(['whatif', 'list'])).whatIf.map((r: any) => r.proposalId)).toEqual([2, 3])
    expect((await proposals(book.db)).map((p) => p.id)).toEqual([2, 3])
    const gone = await book.sh(['whatif', 'remove', String(a)])
    expect(gone.code).toBe(2)
    expect(gone.stderr).toMatch(/no proposal or what-if trade with ID 1/)

    expect(await book.ok(['whatif', 'clear', '--portfolio', 'hand'])).toEqual({removed: [b]})
    expect((await book.ok(['whatif', 'list'])).whatIf.map((r: any) => [r.proposalId, r.portfolio, r.quantity])).toEqual([[3, 'tt-whatif', -3]])
    expect(await book.ok(['whatif', 'clear', '--portfolio', 'hand'])).toEqual({removed: []})
    // The what-if portfolio's own name works as well.
    expect(await book.ok(['whatif', 'clear', '--portfolio', 'tt-whatif'])).toEqual({removed: [c]})
    expect(await proposals(book.db)).toEqual([])
  })

  test('bad input: exit 2, one clear line, and the database unchanged', TIMEOUT, async () => {
    const book = await syncedBook()
    const pending = (await book.ok(['whatif', 'add', '--portfolio', 'hand', ...VERTICAL])).proposalId
    const ro = (await book.ok(['whatif', 'add', '--portfolio', 'tt-ro', '--leg', '1 AAPL @ 230'])).proposalId
    const decided = (await book.ok(['whatif', 'add', '--portfolio', 'hand', '--leg', '1 AAPL @ 230'])).proposalId
    expect((await book.ok(['approve', String(decided)])).status).toBe('approved')

    const hand = (leg: string) => ['whatif', 'add', '--portfolio', 'hand', '--leg', leg]
    const cases: Array<[string[], RegExp]> = [
      [hand(`1 AAPL 2027-13-45 200P @ 5`), /"2027-13-45" is not an expiry date/],
      [hand(`1 AAPL ${EXP} 200X @ 5`), /is not a symbol cotrader understands/],
      [hand('1 NOSUCHTICKER'), /leg NOSUCHTICKER: no price known; give one with "@ PRICE"/],
      [hand(`0 ${P200} @ 5`), /quantity must not be 0/],
      [hand('1 AAPL 2024-01-19 200P @ 5'), /the option expired on 2024-01-19/],
      [hand(`1 ${P200} @ 0`), /price must be a positive number per unit, got "0"/],
      [hand(`1 ${P200} @ -1`), /price must be a positive number per unit, got "-1"/],
      [hand(`0.5 ${P200} @ 5`), /options trade in whole contracts, got 0.5/],
      [['whatif', 'add', '--portfolio', 'hand', '--leg', `1 ${P200} @ 6`, '--leg', `-1 AAPL  ${OCC_DATE}P00200000 @ 6`], /given twice/],
      [['whatif', 'add', '--portfolio', 'nope', '--leg', '1 AAPL @ 230'], /unknown portfolio "nope"; configured: tt, tt-ro, hand, bare/],
      [['whatif', 'add', '--portfolio', 'bare', '--leg', '1 AAPL @ 230'], /no what-if portfolio shadows "bare"/],
      [['whatif', 'add', '--portfolio', 'hand'], /missing required flag --leg \(see --help\)/],
      // No price, no feed (no credentials), no IV: nothing can price it.
      [hand(`1 SPY ${EXP} 550P`), /no price given, no live feed and no implied volatility known for SPY; give one with "@ PRICE"/],
      [['approve', '999'], /no proposal with ID 999/],
      [['reject', '999'], /no proposal with ID 999/],
      [['whatif', 'remove', '999'], /no proposal or what-if trade with ID 999/],
      [['whatif', 'remove', String(decided)], /is approved, not pending/],
      // the hint repeats the portfolio as given (the README's form), with the leg's syntax
      [['whatif', 'payoff', '--portfolio', 'tt'], /no open what-if trades in tt-whatif; add some with: cotrader whatif add --portfolio tt --leg "QTY SYMBOL \[@ PRICE\]"/],
      [['approve', '0'], /"0" is not a proposal ID/],
      [['reject', 'abc'], /"abc" is not a proposal ID/],
      [['approve', String(ro), '--live', '--yes'], /trading is not enabled for portfolio "tt-ro"; set trading_enabled: true/],
      [['approve', String(pending), '--live', '--yes'], /live orders go to TastyTrade only; portfolio "hand" is manual/],
      [['approve', String(pending), '--force'], /--live/],
      [['approve', String(pending), '--yes'], /--live/],
      [['approve', '--live'], /--live needs the ID/],
    ]
    const snapshot = async () => ({bytes: sha(book.db), proposals: await proposals(book.db), list: (await book.ok(['whatif', 'list'])).whatIf.map((r: any) => [r.tradeId, r.proposalId, r.symbol, r.quantity])})
    const before = await snapshot()
    expect(before.proposals.map((p) => p.status)).toEqual(['pending', 'pending', 'approved'])
    const results = await inBatches(cases.map(([args]) => () => book.sh(args)), 4)
    for (const [i, r] of results.entries()) {
      const what = `cotrader ${cases[i][0].join(' ')}`
      expect(r.code, `${what}: ${r.stderr}`).toBe(2)
      expect(r.stdout, what).toBe('')
      const lines = r.stderr.trim().split('\n')
      expect(lines, `${what}: ${r.stderr}`).toHaveLength(1)
      expect(lines[0], what).toMatch(/^Error: /)
      expect(lines[0], what).toMatch(cases[i][1])
      expect(lines[0], what).not.toMatch(/set DEBUG=1|at .*\.js:\d+/)
    }
    // The same under --json: one JSON error object on stdout.
    const json = await book.sh([...hand(`1 ${P200} @ 0`), '--json'])
    expect(json.code).toBe(2)
    expect(json.json()).toEqual({error: {code: 'usage', message: expect.stringMatching(/price must be a positive number/), exitCode: 2}})
    const after = await snapshot()
    expect(after).toEqual(before)
  })
})

// ---------------------------------------------------------------------------------------------
// Live: the fake tastytrade

interface LiveBook extends Book {
  fake: FakeTastytrade
}

const fakes = new Set<FakeTastytrade>()
afterAll(async () => {
  // Safety net only: every test closes its fake in `finally`.
  await Promise.all([...fakes].map((f) => f.close()))
})

async function withFake(scenario: Partial<Scenario>, body: (book: LiveBook) => Promise<void>, {synced = true} = {}): Promise<void> {
  // An account that holds nothing yet (the orders below open every leg), synced once before each test.
  const fake = await startFakeTastytrade({positions: [], ...scenario})
  fakes.add(fake)
  try {
    const book = openBook({TASTYTRADE_API_URL: fake.url, TASTYTRADE_CLIENT_SECRET: CLIENT_SECRET, TASTYTRADE_REFRESH_TOKEN: REFRESH_TOKEN})
    // A live order is checked against the synced book (a never-synced one is refused: its limits are unknown).
    if (synced) {
      await book.ok(['sync', '--portfolio', 'tt'])
      // What each test asserts about the fake's traffic starts after that sync (tokens issued stay in the secrets check).
      fake.state.requests.length = 0
      fake.state.tokenScopes.length = 0
    }
    await body({...book, fake})
    expectNoSecrets(expect, {...book, fake})
  } finally {
    fakes.delete(fake)
    await fake.close()
  }
}

function expectNoSecrets(expect: ExpectStatic, book: LiveBook): void {
  const {fake} = book
  const secrets = [CLIENT_SECRET, REFRESH_TOKEN, ...fake.state.accessTokens, ...fake.state.quoteTokens]
  for (const t of [...fake.state.accessTokens, ...fake.state.quoteTokens]) secrets.push(t.slice(3))
  const texts: Array<[string, string]> = book.runs.flatMap((r) => [
    [`stdout of ${r.args.join(' ')}`, r.stdout],
    [`stderr of ${r.args.join(' ')}`, r.stderr],
  ])
  const files = readdirSync(book.dir).map((n) => path.join(book.dir, n)).filter((f) => statSync(f).isFile())
  expect(files).toContain(book.db)
  for (const file of files) texts.push([file, readFileSync(file).toString('latin1')])
  for (const [where, text] of texts) {
    for (const secret of secrets) expect(text.includes(secret), `${where} contains a secret (${secret.slice(0, 6)}…)`).toBe(false)
    expect(text, where).not.toMatch(/Bearer (?!\[redacted\])/)
  }
}

const ORDERS = '/accounts/5WT0001/orders'
const DRY_RUN = '/accounts/5WT0001/orders/dry-run'
const orderPosts = (fake: FakeTastytrade) => fake.state.requests.filter((r) => r.method === 'POST' && (r.path === ORDERS || r.path === DRY_RUN))

describe.concurrent('approve --live against the fake tastytrade (built CLI, real processes)', () => {
  test('a never-synced book: its limits cannot be checked, so refused with exit 3 before the broker is contacted; --force sends it', TIMEOUT, async () => {
    await withFake({}, async (book) => {
      const id = (await book.ok(['whatif', 'add', '--portfolio', 'tt', ...VERTICAL])).proposalId
      const refused = await book.sh(['approve', String(id), '--live', '--yes'])
      expect(refused.code, refused.stderr).toBe(3)
      expect(refused.stderr).toMatch(/^Error: refused: portfolio "tt" was never synced, so the order's effect on its risk limits cannot be checked \(run: cotrader sync -p tt; or --force to send anyway\)/)
      expect(orderPosts(book.fake)).toEqual([])
      expect((await proposals(book.db))[0]).toMatchObject({id, status: 'pending'})
      expect(await book.ok(['approve', String(id), '--live', '--yes', '--force'])).toMatchObject({id, status: 'executed'})
      expect(book.fake.state.ordersPlaced).toBe(1)
    }, {synced: false})
  })

  test('dry run, then the order: executed, order id recorded, dash-case legs, opening actions, net credit limit', TIMEOUT, async () => {
    await withFake({}, async (book) => {
      const id = (await book.ok(['whatif', 'add', '--portfolio', 'tt', ...VERTICAL])).proposalId
      expect(book.fake.state.requests).toEqual([]) // priced legs: no feed needed
      const r = await book.ok(['approve', String(id), '--live', '--yes'])
      expect(r).toMatchObject({id, status: 'executed', order: {orderId: '420001', status: 'Routed'}, newBreaches: []})
      expect(r.dryRun.buyingPowerEffect).toBeCloseTo(-102.302, 9)
      expect(r.dryRun.fees).toBeCloseTo(-2.302, 9)
      expect(r.dryRun.warnings).toEqual([])
      expect(r.message).toMatch(/order 420001 Routed/)
      expect(r.booked.map((t: any) => [t.portfolio, t.symbol, t.quantity, t.entryPrice])).toEqual([
        ['tt', P210, -1, 9.1],
        ['tt', P200, 1, 6.2],
      ])

      // What the fake saw: the dry run, then exactly one order, both with the same dash-case body.
      const posts = orderPosts(book.fake)
      expect(posts.map((p) => [p.path, p.status])).toEqual([
        [DRY_RUN, 201],
        [ORDERS, 201],
      ])
      expect(book.fake.state.ordersPlaced).toBe(1)
      const expectedBody = {
        'time-in-force': 'Day',
        'order-type': 'Limit',
        price: '2.9',
        'price-effect': 'Credit',
        legs: [
          {'instrument-type': 'Equity Option', symbol: `AAPL  ${OCC_DATE}P00210000`, quantity: 1, action: 'Sell to Open'},
          {'instrument-type': 'Equity Option', symbol: `AAPL  ${OCC_DATE}P00200000`, quantity: 1, action: 'Buy to Open'},
        ],
      }
      for (const p of posts) {
        expect(p.body, p.path).toEqual(expectedBody)
        for (const leg of (p.body as any).legs) expect(Object.keys(leg).sort()).toEqual(['action', 'instrument-type', 'quantity', 'symbol'])
      }
      expect(book.fake.state.tokenScopes.every((s) => s.split(' ').includes('trade'))).toBe(true)

      // Recorded: the proposal executed with the order id, live trades with it, nothing pending.
      const [p] = await proposals(book.db)
      expect(p).toMatchObject({id, status: 'executed', result: {orderId: '420001', status: 'Routed'}})
      const live = await liveTrades(book.db)
      expect(live.map((t) => [t.portfolio, t.symbol, t.quantity, t.orderId, t.orderStatus, t.proposalId])).toEqual([
        ['tt', P210, -1, '420001', 'Routed', id],
        ['tt', P200, 1, '420001', 'Routed', id],
      ])
      const positions = await book.ok(['positions'])
      expect(positions.agentTrades.map((t: any) => [t.portfolio, t.symbol, t.quantity])).toEqual([
        ['tt', P210, -1],
        ['tt', P200, 1],
      ])
      expect(positions.whatIf).toEqual([])
      expect((await book.ok(['approve'])).pending).toEqual([])
      // A working order is listed, not summed in P&L: once filled, the next sync brings the position (counting both would double it).
      const pnl = await book.ok(['pnl'])
      expect(pnl.positions.filter((l: any) => l.source === 'live')).toEqual([])

      // Approving the executed proposal again, live or paper: nothing sent, nothing booked.
      const again = await Promise.all([book.ok(['approve', String(id), '--live', '--yes']), book.ok(['approve', String(id)])])
      for (const a of again) expect(a).toMatchObject({id, status: 'already', booked: [], order: null})
      expect(again[0].message).toMatch(/already executed/)
      expect(book.fake.state.ordersPlaced).toBe(1)
      expect(book.fake.requestsTo(ORDERS, 'POST')).toHaveLength(1)
      expect(await liveTrades(book.db)).toHaveLength(2)

      // Human output of a live approval.
      const id2 = (await book.ok(['whatif', 'add', '--portfolio', 'tt', '--leg', `1 ${P200} @ 6.20`])).proposalId
      const human = await book.sh(['approve', String(id2), '--live', '--yes'])
      expect(human.code, human.stderr).toBe(0)
      expect(human.stdout).toMatch(/Dry run: buying-power effect -102\.30, fees -2\.30/)
      expect(human.stdout).toMatch(/order 420002 Routed for proposal 2/)
    })
  })

  test('the limit price is per unit of the order: 2 × vertical at the one-lot net, 3 contracts at the contract price', TIMEOUT, async () => {
    await withFake({}, async (book) => {
      const two = (await book.ok(['whatif', 'add', '--portfolio', 'tt', '--leg', `-2 ${P210} @ 9.10`, '--leg', `2 ${P200} @ 6.20`])).proposalId
      const three = (await book.ok(['whatif', 'add', '--portfolio', 'tt', '--leg', `3 ${P200} @ 6.20`])).proposalId
      const stock = (await book.ok(['whatif', 'add', '--portfolio', 'tt', '--leg', '-10 AAPL @ 231.5'])).proposalId
      for (const id of [two, three, stock]) expect((await book.ok(['approve', String(id), '--live', '--yes'])).status).toBe('executed')
      const placed = book.fake.requestsTo(ORDERS, 'POST').map((r) => r.body as any)
      expect(placed.map((b) => [b.price, b['price-effect'], b.legs.map((l: any) => [l.quantity, l.action])])).toEqual([
        ['2.9', 'Credit', [[2, 'Sell to Open'], [2, 'Buy to Open']]],
        ['6.2', 'Debit', [[3, 'Buy to Open']]],
        ['231.5', 'Credit', [[10, 'Sell to Open']]],
      ])
      expect(placed[2].legs[0]).toEqual({'instrument-type': 'Equity', symbol: 'AAPL', quantity: 10, action: 'Sell to Open'})
    })
  })

  test('no terminal and no --yes: refused with exit 2 before anything is sent; the proposal stays pending', TIMEOUT, async () => {
    await withFake({}, async (book) => {
      const id = (await book.ok(['whatif', 'add', '--portfolio', 'tt', ...VERTICAL])).proposalId
      const [human, json] = await Promise.all([book.sh(['approve', String(id), '--live']), book.sh(['approve', String(id), '--live', '--json'])])
      expect(human.code).toBe(2)
      expect(human.stderr.trim()).toBe('Error: refusing to send a live order without confirmation: no terminal to ask on; pass --yes to confirm in scripts')
      expect(json.code).toBe(2)
      expect(json.json().error.message).toMatch(/^refusing to send a live order/)
      expect(orderPosts(book.fake)).toEqual([])
      expect(book.fake.state.ordersPlaced).toBe(0)
      expect((await proposals(book.db))[0].status).toBe('pending')
      expect((await book.ok(['approve'])).pending.map((p: any) => p.id)).toEqual([id])
      expect((await book.ok(['positions'])).whatIf).toHaveLength(2)
    })
  })

  test("preflight rejection (422): exit 1 with the broker's reason, proposal failed, nothing booked", TIMEOUT, async () => {
    const reject = [{code: 'insufficient_buying_power', message: 'Not enough buying power for this order'}]
    await withFake({orders: {buyingPowerChange: -102.302, fees: -2.302, reject}}, async (book) => {
      const id = (await book.ok(['whatif', 'add', '--portfolio', 'tt', ...VERTICAL])).proposalId
      const r = await book.sh(['approve', String(id), '--live', '--yes'])
      expect(r.code, r.stdout).toBe(1)
      const lines = r.stderr.trim().split('\n')
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(/^Error: tastytrade: POST \/accounts\/5WT0001\/orders\/dry-run failed: HTTP 422/)
      expect(lines[0]).toMatch(/preflight_check_failure/)
      expect(lines[0]).toMatch(/Not enough buying power for this order/)
      expect(book.fake.state.ordersPlaced).toBe(0)
      expect(book.fake.requestsTo(ORDERS, 'POST')).toEqual([])
      const [p] = await proposals(book.db)
      expect(p.status).toBe('failed')
      expect(String(p.result?.error)).toMatch(/Not enough buying power/)
      expect(await liveTrades(book.db)).toEqual([])
      const positions = await book.ok(['positions'])
      expect(positions.agentTrades).toEqual([])
      expect(positions.whatIf).toEqual([]) // a failed proposal no longer waits
      expect((await book.ok(['approve'])).pending).toEqual([])
      // Nothing more happens to a failed proposal: approving it again is refused (exit 2), not "nothing to do".
      book.fake.setScenario({orders: {buyingPowerChange: -102.302, fees: -2.302}})
      const again = await book.sh(['approve', String(id), '--live', '--yes', '--json'])
      expect(again.code).toBe(2)
      expect(again.json().error).toMatchObject({code: 'conflict', message: expect.stringMatching(new RegExp(`proposal ${id} failed .*; it cannot be approved`))})
      expect(book.fake.state.ordersPlaced).toBe(0)
      // --json: the error envelope with exit 1.
      const id2 = (await book.ok(['whatif', 'add', '--portfolio', 'tt', '--leg', `1 ${P200} @ 6.20`])).proposalId
      book.fake.setScenario({orders: {buyingPowerChange: -102.302, fees: -2.302, reject}})
      const json = await book.sh(['approve', String(id2), '--live', '--yes', '--json'])
      expect(json.code).toBe(1)
      expect(json.json().error).toMatchObject({code: 'tastytrade', exitCode: 1, message: expect.stringMatching(/Not enough buying power/)})
    })
  })

  test('the order fails after a good dry run (HTTP 500 echoing the secrets): sent once, exit 1, redacted, proposal failed', TIMEOUT, async () => {
    await withFake({faults: [{method: 'POST', path: ORDERS, kind: 'status', status: 500, echoSecrets: true}]}, async (book) => {
      const id = (await book.ok(['whatif', 'add', '--portfolio', 'tt', ...VERTICAL])).proposalId
      const r = await book.sh(['approve', String(id), '--live', '--yes'])
      expect(r.code, r.stdout).toBe(1)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).toMatch(/^Error: tastytrade: POST \/accounts\/5WT0001\/orders failed: HTTP 500/)
      expect(r.stderr).toMatch(/you sent Bearer \[redacted\]/) // the fake echoed the secrets; they were redacted
      // Not retried: the order may have reached the exchange.
      expect(orderPosts(book.fake).map((p) => p.path)).toEqual([DRY_RUN, ORDERS])
      const [p] = await proposals(book.db)
      expect(p).toMatchObject({id, status: 'failed', result: {stage: 'order'}})
      expect(await liveTrades(book.db)).toEqual([])
      expect((await book.ok(['positions'])).whatIf).toEqual([])
      // expectNoSecrets (in withFake) checks the echoed Bearer token, refresh token and client secret were redacted.
    })
  })

  test('a new risk breach: refused with exit 3 and no order; --force sends it', TIMEOUT, async () => {
    await withFake({}, async (book) => {
      book.setLimits({tt: 'max_delta_dollars_per_underlying: 10'})
      const id = (await book.ok(['whatif', 'add', '--portfolio', 'tt', ...VERTICAL])).proposalId
      const refused = await book.sh(['approve', String(id), '--live', '--yes'])
      expect(refused.code, refused.stderr).toBe(3)
      expect(refused.stderr.trim().split('\n')).toHaveLength(1)
      expect(refused.stderr).toMatch(/^Error: refused: the order would breach .*AAPL.*\(use --force to send anyway\)/)
      const json = await book.sh(['approve', String(id), '--live', '--yes', '--json'])
      expect(json.code).toBe(3)
      expect(json.json().error).toMatchObject({code: 'risk_breach', exitCode: 3})
      expect(book.fake.state.ordersPlaced).toBe(0)
      expect(book.fake.requestsTo(ORDERS, 'POST')).toEqual([])
      expect((await proposals(book.db))[0].status).toBe('pending')

      const forced = await book.ok(['approve', String(id), '--live', '--yes', '--force'])
      expect(forced).toMatchObject({id, status: 'executed', order: {orderId: '420001'}})
      expect(forced.newBreaches).toEqual([expect.objectContaining({portfolio: 'tt', limit: 'maxDeltaDollarsPerUnderlying', underlying: 'AAPL', threshold: 10})])
      expect(book.fake.state.ordersPlaced).toBe(1)
      expect((await proposals(book.db))[0].status).toBe('executed')
      // Without the limit there is nothing to refuse.
      book.setLimits({})
      const id2 = (await book.ok(['whatif', 'add', '--portfolio', 'tt', ...VERTICAL])).proposalId
      expect(await book.ok(['approve', String(id2), '--live', '--yes'])).toMatchObject({status: 'executed', newBreaches: []})
      expect(book.fake.state.ordersPlaced).toBe(2)
    })
  })
})
