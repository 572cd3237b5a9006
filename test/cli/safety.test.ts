/*
 * Issue 12 end to end, as a hostile user would try it: files stay safe (--db devices, FIFOs,
 * read-only files, --csv over the database), no silent wipes, bad input leaves the database
 * byte-identical, and one set of numbers everywhere (paper trades in pnl = positions = risk,
 * research portfolios apart, one IV per contract, trades close/list).
 */
import {execFileSync} from 'node:child_process'
import {chmodSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {beforeAll, describe, expect, it, vi} from 'vitest'
import {readDb} from '../../src/core/store/database.js'
import {cli, workspace} from './helpers.js'

// Real processes on a shared 2-core machine: setup runs several CLI commands.
vi.setConfig({hookTimeout: 120_000, testTimeout: 180_000})

const CONFIG = `
base_currency: USD
market:
  rates: {USD: 0.04}
  quotes_file: quotes.csv
portfolios:
  - {name: alpha, broker: manual, account: A1, source: {file: alpha.csv, format: generic}, limits: {max_delta_dollars_total: 1000000}}
  - {name: ideas, broker: manual, account: R1, kind: research, source: {file: ideas.csv, format: generic}, limits: {max_loss: 1}}
  - {name: alpha-whatif, broker: none, kind: whatif, shadows: alpha}
`
const ALPHA = `symbol,quantity,entry_price,mark_price
AAPL,100,150,200
AAPL 2027-01-15 190P,-2,7.47,5.05
CASH,10000,,
`
const IDEAS = `symbol,quantity,entry_price,mark_price
MSFT,10,500,400
CASH,5000,,
`
const QUOTES = 'symbol,price\nSPY,600\n'

function book() {
  const ws = workspace({'risk_config.yaml': CONFIG, 'alpha.csv': ALPHA, 'ideas.csv': IDEAS, 'quotes.csv': QUOTES})
  const ok = (args: string[]) => {
    const r = ws.run([...args, '--json'])
    expect(r.code, `${args.join(' ')}: ${r.stdout} ${r.stderr}`).toBe(0)
    return r.json()
  }
  return {...ws, ok, bytes: () => readFileSync(ws.db)}
}

describe('--db must be a regular file', {timeout: 180_000}, () => {
  it('sync --db /dev/null is refused (exit 2) and the device stays a device', () => {
    const ws = book()
    const before = statSync('/dev/null')
    const r = cli(['sync', '--config', ws.config, '--db', '/dev/null'], {cwd: ws.dir})
    expect(r.code).toBe(2)
    expect(r.stderr).toBe('Error: /dev/null is a character device, not a cotrader database file; it was left as it is. Point --db at a regular file (or a path that does not exist yet).\n')
    const after = statSync('/dev/null')
    expect(after.isCharacterDevice()).toBe(true)
    expect(after.ino).toBe(before.ino)
  })

  it('a FIFO is refused at once (no hang), for reads and writes, also under --json', () => {
    const ws = book()
    const fifo = path.join(ws.dir, 'pipe.sqlite')
    execFileSync('mkfifo', [fifo])
    for (const cmd of [['positions'], ['sync']]) {
      const r = cli([...cmd, '--config', ws.config, '--db', fifo, '--json'], {cwd: ws.dir})
      expect(r.code).toBe(2)
      expect(r.json().error).toMatchObject({code: 'store', exitCode: 2, message: expect.stringMatching(/pipe\.sqlite is a FIFO \(named pipe\)/)})
    }
    expect(statSync(fifo).isFIFO()).toBe(true)
  })

  it('a read-only database is refused for writes, byte-identical; reads still work', () => {
    const ws = book()
    ws.ok(['sync'])
    chmodSync(ws.db, 0o444)
    const bytes = ws.bytes()
    const r = ws.run(['sync'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/book\.sqlite is read-only, so cotrader will not write to it \(nothing was changed\)/)
    expect(ws.bytes().equals(bytes)).toBe(true)
    expect(ws.ok(['positions', '--portfolio', 'alpha']).positions).toHaveLength(2)
  })
})

describe('--csv FILE', {timeout: 180_000}, () => {
  const ws = book()
  beforeAll(() => {
    ws.ok(['sync'])
  })

  it.each([
    ['the database', () => ws.db, /it is the database/],
    ['the config', () => ws.config, /it is the config file/],
    ['an input export', () => path.join(ws.dir, 'alpha.csv'), /it is the export file of portfolio alpha/],
  ])('never overwrites %s (exit 2, file unchanged)', (_what, target, message) => {
    const file = target()
    const bytes = readFileSync(file)
    const r = ws.run(['positions', '--csv', file])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message)
    expect(readFileSync(file).equals(bytes)).toBe(true)
  })

  it('a missing directory is a one-line error', () => {
    const r = ws.run(['positions', '--csv', path.join(ws.dir, 'nope', 'out.csv')])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(`Error: cannot write ${path.join(ws.dir, 'nope', 'out.csv')}: the directory ${path.join(ws.dir, 'nope')} does not exist\n`)
  })

  it('--csv FILE --json writes both; --csv (stdout) with --json is a usage error', () => {
    const out = path.join(ws.dir, 'out.csv')
    const r = ws.run(['positions', '--portfolio', 'alpha', '--csv', out, '--json'])
    expect(r.code).toBe(0)
    expect(r.json().positions).toHaveLength(2)
    const csv = readFileSync(out, 'utf8').trim().split('\n')
    expect(csv[0]).toMatch(/^portfolio,symbol,/)
    expect(csv).toHaveLength(3)
    const both = ws.run(['positions', '--csv', '--json'])
    expect(both.code).toBe(2)
    expect(both.json().error.message).toMatch(/--csv to stdout and --json both write stdout/)
  })

  it('money is in cents in the CSV', () => {
    const out = path.join(ws.dir, 'cents.csv')
    expect(ws.run(['positions', '--portfolio', 'alpha', '--csv', out]).code).toBe(0)
    const [head, ...rows] = readFileSync(out, 'utf8').trim().split('\n')
    const col = head.split(',').indexOf('unrealizedPnl')
    expect(rows.map((r) => r.split(',')[col]).sort()).toEqual(['484', '5000'])
  })
})

describe('no silent wipes', {timeout: 180_000}, () => {
  it('a header-only export for a portfolio that had positions fails (exit 1), previous kept; --allow-empty accepts it', () => {
    const ws = book()
    ws.ok(['sync'])
    writeFileSync(path.join(ws.dir, 'alpha.csv'), 'symbol,quantity,entry_price,mark_price\n')
    const r = ws.run(['sync', '--portfolio', 'alpha', '--json'])
    expect(r.code).toBe(1)
    expect(r.json().portfolios[0]).toMatchObject({status: 'failed', error: 'the file has no positions; the previous 2 positions are kept. If the portfolio is really empty now, sync again with --allow-empty'})
    expect(ws.ok(['positions', '--portfolio', 'alpha']).positions).toHaveLength(2)
    expect(ws.run(['sync', '--portfolio', 'alpha', '--allow-empty']).code).toBe(0)
    expect(ws.ok(['positions', '--portfolio', 'alpha']).positions).toHaveLength(0)
  })

  it('--skip-invalid leaving zero rows fails too', () => {
    const ws = book()
    ws.ok(['sync'])
    writeFileSync(path.join(ws.dir, 'alpha.csv'), 'symbol,quantity,entry_price,mark_price\nAAPL,abc,1,2\n')
    const r = ws.run(['sync', '--portfolio', 'alpha', '--skip-invalid', '--json'])
    expect(r.code).toBe(1)
    expect(r.json().portfolios[0].error).toMatch(/^every row was skipped \(1\); the previous 2 positions are kept/)
    expect(ws.ok(['positions', '--portfolio', 'alpha']).positions).toHaveLength(2)
  })
})

describe('control characters from a file', () => {
  it('never reach the terminal or the database', async () => {
    const ws = book()
    ws.ok(['sync'])
    writeFileSync(path.join(ws.dir, 'alpha.csv'), `${ALPHA}"\u001b]0;pwned\u0007\u001b[2JEVIL",1,1,1\n`)
    for (const args of [['sync'], ['sync', '--json'], ['sync', '--skip-invalid'], ['portfolios'], ['portfolios', '--json']]) {
      const r = ws.run(args)
      expect(r.stdout + r.stderr, args.join(' ')).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/)
    }
    expect(ws.run(['sync', '--json']).json().portfolios[0].error).toContain('\\x1b]0;pwned\\x07\\x1b[2JEVIL')
    const stored = await readDb(ws.db, (db) => [
      ...db.all<{t: string}>('SELECT error AS t FROM sync_runs WHERE error IS NOT NULL'),
      ...db.all<{t: string}>('SELECT last_sync_error AS t FROM portfolios WHERE last_sync_error IS NOT NULL'),
      ...db.all<{t: string}>('SELECT broker_symbol AS t FROM positions'),
    ].map((r) => r.t))
    expect(stored.some((t) => t.includes('EVIL'))).toBe(true)
    for (const t of stored) expect(t).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/)
  })
})

describe('bad input leaves the database byte-identical', {timeout: 180_000}, () => {
  const ws = book()
  beforeAll(() => {
    ws.ok(['sync'])
    ws.ok(['whatif', 'add', '--portfolio', 'alpha', '--leg', '10 AAPL @ 190'])
  })

  it.each([
    [['positions', '--bogus']],
    [['positions', '--portfolio', 'nope']],
    [['positions', '--csv', 'book.sqlite']],
    [['whatif', 'add', '--portfolio', 'alpha', '--leg', '-1.5 AAPL 2027-01-15 190P @ 5']],
    [['whatif', 'add', '--portfolio', 'alpha', '--leg', '1 AAPL 2027-02-30 190P @ 5']],
    [['approve', '99']],
    [['reject', '99']],
    [['trades', 'close', '99']],
    [['trades', 'close', '1', '--price', '-3']],
    [['greeks', '--type', 'put', '--spot', '100', '--strike', '95', '--expiry', '2027-02-30', '--vol', '0.2']],
    [['nosuchcommand']],
  ])('%j: exit ≠ 0, database unchanged', (args) => {
    const bytes = ws.bytes()
    const r = ws.run(args)
    expect(r.code, r.stderr).not.toBe(0)
    expect(r.stderr).not.toMatch(/\n\s+at /)
    expect(ws.bytes().equals(bytes)).toBe(true)
  })

  it('a bad export row: the portfolio fails and its positions are untouched', () => {
    // Health (σ distances, probabilities) moves with the clock between runs; the stored positions must not change.
    const held = () => ws.ok(['positions', '--portfolio', 'alpha']).positions.map(({health, ...p}: any) => p)
    const before = held()
    writeFileSync(path.join(ws.dir, 'alpha.csv'), `${ALPHA}MSFT,10,"241,30",250\n`)
    const r = ws.run(['sync', '--portfolio', 'alpha', '--json'])
    expect(r.code).toBe(1)
    expect(r.json().portfolios[0].error).toMatch(/alpha\.csv:5: entry_price "241,30" has a decimal comma/)
    expect(held()).toEqual(before)
    writeFileSync(path.join(ws.dir, 'alpha.csv'), ALPHA)
  })
})

describe('one set of numbers everywhere', {timeout: 180_000}, () => {
  const ws = book()
  let proposal: number
  beforeAll(() => {
    ws.ok(['sync'])
    // A paper trade on the contract alpha holds (booked at 6.00, marked 5.05 like the held one), and a what-if of it at 4.00.
    proposal = ws.ok(['whatif', 'add', '--portfolio', 'alpha', '--leg', '-1 AAPL 2027-01-15 190P @ 6.00', '--leg', '10 AAPL @ 190']).proposalId
    ws.ok(['approve', String(proposal)])
    ws.ok(['whatif', 'add', '--portfolio', 'alpha', '--leg', '1 AAPL 2027-01-15 190P @ 4.00'])
  })

  it('the same contract at the same mark has one IV and one set of Greeks: held, paper and what-if', () => {
    const j = ws.ok(['positions'])
    const rows = [...j.positions, ...j.agentTrades, ...j.whatIf].filter((r: any) => r.symbol === 'AAPL 2027-01-15 190P')
    expect(rows.map((r: any) => r.markPrice)).toEqual([5.05, 5.05, 5.05])
    const held = rows[0]
    for (const r of rows) {
      expect(r.iv).toBeCloseTo(held.iv, 12)
      expect(r.delta / r.quantity).toBeCloseTo(held.delta / held.quantity, 9)
      expect(r.vega / r.quantity).toBeCloseTo(held.vega / held.quantity, 9)
    }
  })

  it('pnl, positions and risk agree on totals with paper trades booked; risk counts their delta', () => {
    const positions = ws.ok(['positions', '--portfolio', 'alpha'])
    const pnl = ws.ok(['pnl', '--portfolio', 'alpha'])
    const risk = ws.ok(['risk', '--portfolio', 'alpha'])
    // held: +5000 (AAPL) +484 (2 puts); paper: (5.05 − 6.00) × −1 × 100 = +95, (200 − 190) × 10 = +100
    const expected = 5000 + 484 + 95 + 100
    expect(positions.unrealizedPnlBase).toBeCloseTo(expected, 9)
    expect(pnl.totalBase).toBeCloseTo(expected, 9)
    expect(risk.totals.unrealizedPnl).toBeCloseTo(expected, 9)
    const alpha = risk.portfolios[0]
    const rowDelta = [...positions.positions, ...positions.agentTrades].reduce((s: number, r: any) => s + r.delta, 0)
    expect(alpha.delta).toBeCloseTo(rowDelta, 9)
    // 100 shares + 10 paper shares, 2 held puts short + 1 paper put short: 1.5 × the held puts' delta.
    const heldPuts = positions.positions.find((r: any) => r.symbol === 'AAPL 2027-01-15 190P').delta
    expect(heldPuts).toBeGreaterThan(0)
    expect(alpha.delta).toBeCloseTo(110 + 1.5 * heldPuts, 9)
  })

  it('trades list / close: realised P&L recorded, the trade leaves pnl; closing twice is refused', () => {
    const list = ws.ok(['trades', 'list'])
    const put = list.trades.find((t: any) => t.symbol === 'AAPL 2027-01-15 190P')
    expect(put).toMatchObject({kind: 'paper', status: 'open', quantity: -1, openPrice: 6, markPrice: 5.05, realizedPnl: null})
    expect(put.unrealizedPnl).toBeCloseTo(95, 9)
    const closed = ws.ok(['trades', 'close', String(put.id), '--price', '4.35'])
    expect(closed.trade).toMatchObject({status: 'closed', closePrice: 4.35})
    expect(closed.trade.realizedPnl).toBeCloseTo(165, 9) // (4.35 − 6.00) × −1 × 100
    expect(closed.message).toMatch(/closed at 4\.35: realised P&L 165\.00 USD/)
    const after = ws.ok(['trades', 'list'])
    expect(after.trades.find((t: any) => t.id === put.id)).toMatchObject({status: 'closed', realizedPnl: expect.closeTo(165, 9), markPrice: null})
    expect(after.realized).toEqual([{currency: 'USD', realizedPnl: expect.closeTo(165, 9)}])
    expect(ws.ok(['pnl', '--portfolio', 'alpha']).totalBase).toBeCloseTo(5000 + 484 + 100, 9)
    const again = ws.run(['trades', 'close', String(put.id), '--json'])
    expect(again.code).toBe(2)
    expect(again.json().error.message).toMatch(/is already closed/)
    const stock = after.trades.find((t: any) => t.symbol === 'AAPL')
    const atMark = ws.ok(['trades', 'close', String(stock.id)]) // no --price: the current mark
    expect(atMark.trade).toMatchObject({closePrice: 200, realizedPnl: 100})
    expect(ws.run(['trades', 'list']).stdout).toMatch(/Realised USD: \+265\.00/)
  })

  it('research portfolios stay out of the real totals and breaches; --fail-on-breach looks at real ones unless asked', () => {
    const risk = ws.ok(['risk'])
    expect(risk.portfolios.map((p: any) => [p.portfolio, p.kind])).toEqual([['alpha', 'real'], ['ideas', 'research']])
    expect(risk.breaches).toEqual([])
    expect(risk.research.breaches).toEqual([expect.objectContaining({portfolio: 'ideas', limit: 'maxLoss', value: 1000})])
    expect(risk.totals.unrealizedPnl).toBeCloseTo(risk.portfolios[0].unrealizedPnl, 9)
    expect(risk.research.totals.unrealizedPnl).toBe(-1000)
    expect(ws.run(['risk', '--fail-on-breach']).code).toBe(0)
    expect(ws.run(['risk', '--fail-on-breach', '--include-research']).code).toBe(3)
    const human = ws.run(['risk']).stdout
    expect(human).toMatch(/Research portfolios \(not in the real book's totals or breaches\) in USD: .*unrealized P&L -1,000\.00\s+1 breach/)
    const pnl = ws.ok(['pnl'])
    expect(pnl.research).toEqual({portfolios: ['ideas'], totalBase: -1000, missing: 0})
    const realPnl = pnl.portfolios.find((l: any) => l.portfolio === 'alpha').unrealizedPnl
    // Day P&L (null or a number, by when the paper trade was booked) is checked in analytics.test.ts.
    expect(pnl.byCurrency.map(({dayPnl, dayPnlMissing, ...c}: any) => c)).toEqual([{currency: 'USD', unrealizedPnl: expect.closeTo(realPnl, 9), missing: 0}])
    expect(pnl.totalBase).toBeCloseTo(realPnl, 9)
    const positions = ws.ok(['positions'])
    expect(positions.researchTotals).toEqual([expect.objectContaining({currency: 'USD', marketValue: 4000, unrealizedPnl: -1000, missing: 0})])
    expect(positions.unrealizedPnlBase).toBeCloseTo(realPnl, 9)
  })

  it('approve/payoff headers in cents; no "-0.00" anywhere', () => {
    for (const args of [['positions'], ['pnl'], ['risk'], ['approve'], ['trades', 'list'], ['whatif', 'list'], ['whatif', 'payoff', '--portfolio', 'alpha']]) {
      const r = ws.run(args)
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0)
      expect(r.stdout, args.join(' ')).not.toMatch(/-0\.0+\b/)
    }
    expect(ws.run(['whatif', 'payoff', '--portfolio', 'alpha']).stdout.split('\n')[0]).toBe('alpha-whatif: +1 AAPL 2027-01-15 190P @ 4.00 (AAPL at 200.00)')
  })
})

describe('usage', {timeout: 180_000}, () => {
  it('--json errors for unknown commands too', () => {
    for (const args of [['nosuch', '--json'], ['whatif', 'nosuch', '--json']]) {
      const r = cli(args)
      expect(r.code).toBe(2)
      expect(r.json().error).toMatchObject({code: 'usage', exitCode: 2, message: expect.stringMatching(/^command "(whatif )?nosuch" not found; commands: .*alerts, approve, .*trades close, trades list/)})
    }
  })

  it('greeks rejects impossible dates and out-of-range rates/dividends; help states the defaults', () => {
    const g = (extra: string[]) => cli(['greeks', '--type', 'put', '--spot', '100', '--strike', '95', '--vol', '0.2', ...extra, '--json'])
    expect(g(['--expiry', '2027-02-30']).json().error.message).toMatch(/--expiry "2027-02-30" is not a date .*2027-02-30 does not/)
    expect(g(['--days', '30', '--rate', '5']).json().error.message).toMatch(/--rate 5 is out of range \[-0\.1, 1\]/)
    expect(g(['--days', '30', '--dividend', '-2']).json().error.message).toMatch(/--dividend -2 is out of range/)
    expect(g(['--days', '30', '--rate', '0.05']).code).toBe(0)
    const help = cli(['greeks', '--help']).stdout.replace(/\s+/g, ' ')
    expect(help).toMatch(/Defaults: --rate 0, --dividend 0, --style european, --model bsm/)
  })

  it('sync output does not repeat the portfolio name as a prefix ("tastytrade: tastytrade:")', () => {
    const ws = workspace({'risk_config.yaml': 'portfolios:\n  - {name: tastytrade, broker: tastytrade, account: 5WT1}\n'})
    const r = ws.run(['sync'])
    expect(r.stdout).toMatch(/tastytrade: /)
    expect(r.stdout).not.toMatch(/tastytrade: tastytrade:/)
  })
})
