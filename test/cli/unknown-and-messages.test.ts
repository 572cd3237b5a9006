/*
 * Issue 20 items 2 and 5, as real processes: unknown is never 0 (a never-synced book before → after is
 * "? → ?" with no "no breach" line; a day-P&L total with unknown parts stays "?*" once a paper trade is
 * booked today; never-synced portfolios are counted apart from positions), and the messages: flags named
 * once, our wording for oclif's parse errors, empty lists that say what the filter left out, repeatable
 * --portfolio, a bad time zone reported at its key and line, numbers formatted alike in every column.
 */
import {writeFileSync} from 'node:fs'
import path from 'node:path'
import {beforeAll, describe, expect, it, vi} from 'vitest'
import {cli, workspace} from './helpers.js'

vi.setConfig({hookTimeout: 180_000, testTimeout: 180_000})

const CONFIG = `
base_currency: USD
market:
  rates: {USD: 0.04}
  quotes_file: quotes.csv
portfolios:
  - {name: alpha, broker: manual, account: A1, source: {file: alpha.csv, format: generic}, limits: {max_delta_dollars_total: 10000000}}
  - {name: tt, broker: tastytrade, account: 5WT0001, limits: {max_delta_dollars_total: 10000000}}
  - {name: alpha-whatif, broker: none, kind: whatif, shadows: alpha}
  - {name: tt-whatif, broker: none, kind: whatif, shadows: tt}
`
const ALPHA = `symbol,quantity,entry_price,mark_price,underlying_price
AAPL,1000,150,200,
AAPL 2027-01-15 190P,-2,7.47,5.0512,200
CASH,10000,,,
`
const NOW = {COTRADER_NOW: '2026-11-24T18:00:00Z'}

describe('unknown is never 0', () => {
  const ws = workspace({'risk_config.yaml': CONFIG, 'alpha.csv': ALPHA, 'quotes.csv': 'symbol,price\nSPY,600\nAAPL,200\n'})
  const ok = (args: string[]) => {
    const r = ws.run([...args, '--json'], NOW)
    expect(r.code, `${args.join(' ')}: ${r.stdout} ${r.stderr}`).toBe(0)
    return r.json()
  }
  beforeAll(() => {
    ok(['sync', '--portfolio', 'alpha'])
    ok(['whatif', 'add', '--portfolio', 'tt', '--leg', '2 AAPL 2027-01-15 220C @ 5.00'])
  })

  it('risk --with-whatif on a never-synced portfolio: "? → ?", no "no breach" line, and --fail-on-breach exits 3', () => {
    const r = ws.run(['risk', '--with-whatif', '--portfolio', 'tt'], NOW)
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/Total\s*│\s*\? → \?\s*│\s*\? → \?\s*│\s*\? → \?\s*│\s*\? → \? │/)
    expect(r.stdout).toContain('* partial, left out: 1 never-synced portfolio(s) (tt)')
    expect(r.stdout).toContain('tt was never synced: its risk before and after the what-if trades is unknown; limits unchecked')
    expect(r.stdout).not.toMatch(/no new risk limit breach|No risk limit breached/)
    expect(r.stdout).toContain('Risk limits unknown: tt never synced')
    expect(r.stdout).not.toMatch(/0\.0 → |\b0 → /)
    const j = ws.run(['risk', '--with-whatif', '--portfolio', 'tt', '--json'], NOW).json()
    expect(j.whatif[0].after).toMatchObject({synced: false, delta: null, deltaDollars: null})
    expect(ws.run(['risk', '--with-whatif', '--portfolio', 'tt', '--fail-on-breach'], NOW).code).toBe(3)
  })

  it('βΔ with a position without a beta is marked partial and counted, in the table and the real book line', () => {
    const r = ws.run(['risk'], NOW)
    // AAPL has no beta in this config: its two positions are left out of βΔ, and tt is unknown.
    expect(r.stdout).toMatch(/Total\s*│.*│\s*\?\* │/)
    expect(r.stdout).toContain('* βΔ leaves out 2 position(s) without a beta or a price')
    expect(r.stdout).toMatch(/βΔ \?\* SPY/)
    expect(r.stdout).toContain('* βΔ left out: 2 position(s) and 1 never-synced portfolio(s) (tt)')
    const j = ws.run(['risk', '--json'], NOW).json()
    expect(j.portfolios.find((p: {portfolio: string}) => p.portfolio === 'alpha').missingBeta).toBe(2)
    expect(j.totals.betaWeightedDeltaMissing).toBe(3)
  })

  it("pnl's footnote counts what its total leaves out: the never-synced portfolio, not a position", () => {
    const r = ws.run(['pnl'], NOW)
    expect(r.stdout).toContain('* sum of known values; left out: 1 never-synced portfolio(s) (tt)')
    expect(r.stdout).not.toContain('positions with an unknown entry or mark price')
  })

  it('pnl --with-whatif on a never-synced portfolio: ? → ?', () => {
    const r = ws.run(['pnl', '--with-whatif', '--portfolio', 'tt'], NOW)
    expect(r.stdout).toMatch(/With what-if trades, tt: \?\* → \?\* USD/)
  })

  it('a day-P&L total with unknown parts stays "?*" after a paper trade is booked today; the footnote counts positions and never-synced portfolios apart', () => {
    const before = ok(['pnl'])
    expect(before.dayPnlBase).toBeNull()
    // 2 positions without a previous close, and tt never synced: 3 unknown parts, of which 1 a portfolio.
    expect(before.dayPnlBaseMissing).toBe(3)
    expect(before.unknownPortfolios).toEqual(['tt'])
    const id = ok(['whatif', 'add', '--portfolio', 'alpha', '--leg', '10 AAPL @ 200']).proposalId
    ok(['approve', String(id)])
    for (const cmd of ['pnl', 'positions']) {
      const j = ok([cmd])
      expect(j.dayPnlBase).toBeNull()
      expect(j.dayPnlBaseMissing).toBe(3)
      const text = ws.run([cmd, '--wide'], NOW).stdout
      expect(text).toMatch(/day (P&L )?\?\*/)
      expect(text).not.toMatch(/day (P&L )?[+-]?0\.00\*/)
      expect(text).toContain('* day P&L unknown: 2 position(s) and 1 never-synced portfolio(s) (tt)')
    }
  })

  it("a never-synced portfolio is one unknown part of its currency's totals as well (positions and pnl), not a silent 0", () => {
    // alpha (synced) and tt (never synced) are both USD: the USD totals are partial and their day P&L unknown.
    const pos = ok(['positions'])
    expect(pos.totals).toEqual([expect.objectContaining({currency: 'USD', missing: 1, dayPnl: null, dayPnlMissing: 3})])
    const pnl = ok(['pnl'])
    expect(pnl.byCurrency).toEqual([{currency: 'USD', unrealizedPnl: expect.any(Number), missing: 1, dayPnl: null, dayPnlMissing: 3}])
    expect(pnl.byCurrency[0].unrealizedPnl).toBeCloseTo(pos.totals[0].unrealizedPnl, 9)
    expect(ws.run(['positions', '--wide'], NOW).stdout).toMatch(/Total USD: market value [\d,.]+\*, unrealized P&L \+[\d,.]+\*, day P&L \?\*/)
    expect(ws.run(['pnl'], NOW).stdout).toMatch(/Total USD: \+[\d,.]+\*, day \?\*/)
    // alpha alone: nothing unknown in its currency
    expect(ok(['positions', '-p', 'alpha']).totals).toEqual([expect.objectContaining({currency: 'USD', missing: 0, dayPnlMissing: 2})])
    expect(ok(['pnl', '-p', 'alpha']).byCurrency).toEqual([expect.objectContaining({currency: 'USD', missing: 0, dayPnlMissing: 2})])
  })

  it('--portfolio is repeatable on positions, risk and pnl', () => {
    const j = ok(['positions', '-p', 'alpha', '-p', 'tt'])
    expect([...new Set(j.positions.map((p: any) => p.portfolio))]).toEqual(['alpha'])
    expect(j.notSynced).toEqual(['tt'])
    expect(ok(['risk', '-p', 'alpha', '-p', 'tt']).portfolios.map((p: any) => p.portfolio)).toEqual(['alpha', 'tt'])
    expect(ok(['pnl', '--portfolio', 'tt', '--portfolio', 'alpha']).portfolios.map((p: any) => p.portfolio)).toEqual(['alpha', 'tt'])
    expect(ok(['trades', 'list', '-p', 'alpha', '-p', 'tt']).trades).toHaveLength(1)
  })

  it('numbers alike in every column: 1,000 with a separator, a mark with the decimals its P&L was computed from', () => {
    const text = ws.run(['positions', '--portfolio', 'alpha', '--wide'], NOW).stdout
    const aapl = text.split('\n').find((l) => /\bAAPL\s/.test(l) && !l.includes('190P'))!
    expect(aapl).toMatch(/\s1,000\s/)
    const put = text.split('\n').find((l) => l.includes('AAPL 2027-01-15 190P'))!
    // (5.0512 − 7.47) × −2 × 100 = +483.76: the mark is shown as 5.0512, not rounded to 5.05
    expect(put).toMatch(/\s5\.0512\s/)
    expect(put).toContain('+483.76')
  })
})

describe('a selection of research portfolios only has no real book to total', () => {
  const ws = workspace({
    'risk_config.yaml': `
base_currency: USD
market:
  rates: {USD: 0.04}
  quotes_file: quotes.csv
portfolios:
  - {name: alpha, broker: manual, account: A1, source: {file: alpha.csv, format: generic}}
  - {name: lab, broker: manual, kind: research, account: R1, source: {file: lab.csv, format: generic}}
`,
    'alpha.csv': ALPHA,
    'lab.csv': 'symbol,quantity,entry_price,mark_price,underlying_price\nMSFT,10,400,420,\nCASH,5000,,,\n',
    'quotes.csv': 'symbol,price\nSPY,600\nAAPL,200\nMSFT,420\n',
  })
  beforeAll(() => {
    expect(ws.run(['sync'], NOW).code).toBe(0)
  })

  it('positions, pnl and risk -p lab: the research line, no real-book total of 0 and no "no breach" claim', () => {
    const positions = ws.run(['positions', '-p', 'lab'], NOW)
    expect(positions.stdout).toContain('Research portfolios, not in the totals, USD: market value 4,200.00, unrealized P&L +200.00')
    expect(positions.stdout).not.toMatch(/Total in USD/)
    const pnl = ws.run(['pnl', '-p', 'lab'], NOW)
    expect(pnl.stdout).toContain('Research (lab), not in the totals: +200.00 USD')
    expect(pnl.stdout).not.toMatch(/Total in USD/)
    const risk = ws.run(['risk', '-p', 'lab'], NOW)
    expect(risk.stdout).toMatch(/Research portfolios \(not in the real book's totals or breaches\) in USD:/)
    expect(risk.stdout).not.toMatch(/Real book in USD|No risk limit breached/)
    expect(ws.run(['positions', '-p', 'lab', '--json'], NOW).json().realPortfolios).toEqual([])
  })

  it('with a real portfolio in the selection the real book is totalled as before', () => {
    expect(ws.run(['positions', '-p', 'lab', '-p', 'alpha'], NOW).stdout).toMatch(/Total in USD: unrealized P&L/)
    expect(ws.run(['pnl', '-p', 'lab', '-p', 'alpha'], NOW).stdout).toMatch(/Total in USD: /)
    expect(ws.run(['risk', '-p', 'lab', '-p', 'alpha'], NOW).stdout).toMatch(/Real book in USD:/)
    expect(ws.run(['pnl', '-p', 'alpha', '--json'], NOW).json().realPortfolios).toEqual(['alpha'])
  })
})

describe('messages', () => {
  const ws = workspace({'risk_config.yaml': CONFIG, 'alpha.csv': ALPHA, 'quotes.csv': 'symbol,price\nSPY,600\nAAPL,200\n'})

  it('a bad flag value names the flag once', () => {
    const r = ws.run(['trades', 'close', '1', '--price', '-3'], NOW)
    expect(r.code).toBe(2)
    expect(r.stderr).toBe('Error: --price "-3" is not a price per unit (a number ≥ 0) (see --help)\n')
    const j = ws.run(['trades', 'close', '1', '--price=abc', '--json'], NOW).json()
    expect(j.error.message).toBe('--price "abc" is not a price per unit (a number ≥ 0) (see --help)')
  })

  it.each([
    [['whatif', 'clear'], 'Error: missing required flag --portfolio (see --help)\n'],
    [['trades', 'close'], 'Error: missing the argument ID (Trade ID (from trades list)) (see --help)\n'],
    [['positions', '--nosuch'], 'Error: unknown flag: --nosuch (see --help)\n'],
    [['risk', '--history', '--days', '0'], 'Error: --days: expected a whole number ≥ 1, got 0 (see --help)\n'],
    [['risk', '--fail-on-unchecked'], 'Error: --fail-on-unchecked needs --fail-on-breach (see --help)\n'],
    [['positions', 'extra'], 'Error: unexpected argument "extra": positions takes no arguments (see --help)\n'],
    // a value given to a switch (was oclif's "unexpected argument: yes")
    [['sync', '--skip-invalid=yes'], 'Error: --skip-invalid is a switch and takes no value: write --skip-invalid, not --skip-invalid=yes (see --help)\n'],
    [['positions', '--wide=1'], 'Error: --wide is a switch and takes no value: write --wide, not --wide=1 (see --help)\n'],
    [['daemon', 'status', '--json=true'], 'Error: --json is a switch and takes no value: write --json, not --json=true (see --help)\n'],
    // several missing flags named together, once each (was "missing required flag --leg missing required flag --portfolio")
    [['whatif', 'add'], 'Error: missing required flags --leg, --portfolio (see --help)\n'],
    // an ID that is not one: a usage error naming what it should be (was oclif's "Expected an integer …", exit 1)
    [['trades', 'close', 'abc'], 'Error: "abc" is not a trade ID: IDs are whole numbers from 1 (see: cotrader trades list)\n'],
    [['trades', 'close', '0'], 'Error: "0" is not a trade ID: IDs are whole numbers from 1 (see: cotrader trades list)\n'],
  ])('%j: our wording, not oclif\'s', (args, message) => {
    const r = ws.run(args, NOW)
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(message)
    expect(r.stderr).not.toMatch(/The following error|See more help|Parsing/)
  })

  it('an unknown command: our wording (with a near command), exit 2, not oclif\'s " ›   Error: command positon not found"', () => {
    const r = ws.run(['positon'], NOW)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^Error: command "positon" not found \(did you mean positions\?\); commands: alerts, .*positions.*\n$/)
    expect(ws.run(['whatif', 'ad'], NOW).stderr).toMatch(/^Error: command "whatif ad" not found \(did you mean whatif add\?\)/)
    expect(ws.run(['zzz', '--json'], NOW).json().error).toMatchObject({code: 'usage', exitCode: 2})
  })

  it('trades list --open with only closed trades says what --open left out', () => {
    expect(ws.run(['sync', '-p', 'alpha'], NOW).code).toBe(0)
    const id = ws.run(['whatif', 'add', '--portfolio', 'alpha', '--leg', '10 AAPL @ 200', '--json'], NOW).json().proposalId
    expect(ws.run(['approve', String(id)], NOW).code).toBe(0)
    const trade = ws.run(['trades', 'list', '--json'], NOW).json().trades[0].id
    const closed = ws.run(['trades', 'close', String(trade), '--price', '1201.125'], NOW)
    expect(closed.code).toBe(0)
    // the close price with the decimals the realised P&L came from, separators like every table
    expect(closed.stdout).toBe(`trade ${trade} (+10 AAPL) closed at 1,201.125: realised P&L 10,011.25 USD\n`)
    expect(ws.run(['trades', 'list', '--open'], NOW).stdout).toBe('No open paper or live trades; --open left out 1 closed trade(s) (drop --open to list them).\n')
    expect(ws.run(['trades', 'list', '--portfolio', 'tt'], NOW).stdout).toBe('No paper, live or broker trades in the selected portfolio(s); 1 trade(s) in other portfolios (drop --portfolio to list them).\n')
    expect(ws.run(['trades', 'list', '--open', '--json'], NOW).json().excluded).toEqual({closed: 1, otherPortfolios: 0, fills: 0})
  })

  it('a bad daemon.scan.timezone is reported at its key and line, not as a bad cron expression', () => {
    const file = path.join(ws.dir, 'tz.yaml')
    writeFileSync(file, `${CONFIG}daemon:\n  scan:\n    cron: "0 11 * * 1-5"\n    timezone: Mars/Olympus\n`)
    const r = cli(['positions', '--config', file, '--db', ws.db], {cwd: ws.dir, env: NOW})
    expect(r.code).toBe(2)
    const line = CONFIG.split('\n').length + 3
    expect(r.stderr).toBe(`Error: ${file}:${line}: daemon.scan.timezone: not a time zone; use an IANA name such as America/New_York or Asia/Kolkata\n`)
  })

  it('the daemon\'s own config checks (cron expression, delta band, backoff) name the key with file:line too', () => {
    const cases: [yaml: string, key: string, line: number, what: RegExp][] = [
      ['daemon:\n  scan:\n    cron: "*/30 9-16 * * 1-8"\n    timezone: America/New_York\n', 'daemon.scan.cron', 3, /invalid cron expression "\*\/30 9-16 \* \* 1-8" in America\/New_York: .*dayOfWeek/],
      ['daemon:\n  rules:\n    delta_band: {min: 10, max: 5}\n', 'daemon.rules.delta_band', 3, /min 10 is above max 5/],
      ['daemon:\n  backoff: {initial_seconds: 60, max_seconds: 30}\n', 'daemon.backoff', 2, /max_seconds 30 is below initial_seconds 60/],
    ]
    for (const [yaml, key, offset, what] of cases) {
      const file = path.join(ws.dir, `${key}.yaml`)
      writeFileSync(file, `${CONFIG}${yaml}`)
      const r = cli(['daemon', '--once', '--config', file, '--db', ws.db], {cwd: ws.dir, env: NOW})
      expect(r.code, r.stderr).toBe(2)
      const line = CONFIG.split('\n').length - 1 + offset
      expect(r.stderr.startsWith(`Error: ${file}:${line}: ${key}: `), r.stderr).toBe(true)
      expect(r.stderr).toMatch(what)
    }
  })
})
