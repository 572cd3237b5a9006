/*
 * Every view of the demo book on an 80- and a 120-column terminal: the CLI gives each view's result
 * (--json, the very object its renderer gets) and the renderer draws it as `print` does on a terminal
 * of that width (renderForTerminal). The rules of issue 20: nothing wider than the terminal; numbers
 * never cut; Portfolio kept while rows of several portfolios show; long text shortened before columns
 * are dropped; a hidden column's note hidden with it; alert messages never dropped; every time with
 * its zone; prose broken only at spaces.
 */
import {beforeAll, describe, expect, it} from 'vitest'
import {renderForTerminal, withTableWidth} from '../../src/core/cli/format.js'
import {renderAttribution} from '../../src/core/cli/render/attribution.js'
import {renderAlerts, renderDaemonStatus} from '../../src/core/cli/render/daemon.js'
import {renderPnlHistory, renderRiskHistory} from '../../src/core/cli/render/history.js'
import {renderPnl} from '../../src/core/cli/render/pnl.js'
import {renderPortfolios} from '../../src/core/cli/render/portfolios.js'
import {renderPositions} from '../../src/core/cli/render/positions.js'
import {renderRiskView} from '../../src/core/cli/render/risk.js'
import {renderSnapshot} from '../../src/core/cli/render/snapshot.js'
import {renderSync} from '../../src/core/cli/render/sync.js'
import {renderGreeks} from '../../src/core/cli/render/greeks.js'
import {renderPending, renderTradesList, renderWhatifList, renderWhatifPayoff} from '../../src/core/cli/render/trades.js'
import {renderLedger, renderRealized, renderReconcile} from '../../src/core/cli/render/ledger.js'
import {displayWidth} from '../../src/core/cli/table.js'
import {syncedDemoBook, type DemoBook} from './demo-book.js'

interface View {
  name: string
  args: string[]
  render: (r: any) => string
  /** the result's rows come from several portfolios: tables listing symbols must show Portfolio */
  portfolios?: (r: any) => number
}

const distinct = (xs: {portfolio: string}[]) => new Set(xs.map((x) => x.portfolio)).size

const VIEWS: View[] = [
  {name: 'sync', args: ['sync'], render: renderSync},
  {name: 'portfolios', args: ['portfolios'], render: renderPortfolios},
  {name: 'positions', args: ['positions'], render: renderPositions, portfolios: (r) => distinct(r.positions)},
  {name: 'positions --group', args: ['positions', '--group'], render: renderPositions, portfolios: (r) => distinct(r.positions)},
  {name: 'pnl', args: ['pnl'], render: renderPnl, portfolios: (r) => distinct(r.positions)},
  {name: 'pnl --attribution', args: ['pnl', '--attribution', '--since', 'entry'], render: renderAttribution, portfolios: (r) => distinct(r.positions)},
  {name: 'pnl --history', args: ['pnl', '--history'], render: renderPnlHistory},
  {name: 'risk', args: ['risk'], render: renderRiskView},
  {name: 'risk --with-whatif', args: ['risk', '--with-whatif'], render: renderRiskView},
  {name: 'risk --stress', args: ['risk', '--stress', '--portfolio', 'fidelity-personal'], render: renderRiskView},
  {name: 'risk --history', args: ['risk', '--history'], render: renderRiskHistory},
  {name: 'risk --var', args: ['risk', '--var'], render: renderRiskView},
  {name: 'pnl --with-whatif', args: ['pnl', '--with-whatif'], render: renderPnl, portfolios: (r) => distinct(r.positions)},
  {name: 'positions --as-of', args: ['positions', '--as-of', '2026-12-18'], render: renderPositions, portfolios: (r) => distinct(r.positions)},
  {name: 'snapshot', args: ['snapshot'], render: renderSnapshot},
  {name: 'greeks', args: ['greeks', '--type', 'put', '--spot', '268.40', '--strike', '250', '--expiry', '2027-01-15', '--price', '4.36', '--rate', '0.042', '--style', 'american'], render: renderGreeks},
  {name: 'whatif list', args: ['whatif', 'list'], render: renderWhatifList, portfolios: (r) => distinct(r.whatIf)},
  {name: 'whatif payoff', args: ['whatif', 'payoff', '--portfolio', 'fidelity-personal'], render: renderWhatifPayoff},
  {name: 'approve (pending)', args: ['approve'], render: (r) => renderPending(r.pending)},
  {name: 'trades list', args: ['trades', 'list'], render: renderTradesList, portfolios: (r) => distinct(r.trades)},
  {name: 'alerts', args: ['alerts'], render: renderAlerts},
  {name: 'daemon status', args: ['daemon', 'status'], render: renderDaemonStatus},
  // the ledger lists the research book's imported fills beside the paper trade booked on approval
  {name: 'ledger', args: ['ledger'], render: renderLedger, portfolios: (r) => distinct(r.events)},
  {name: 'pnl --realized', args: ['pnl', '--realized'], render: renderRealized, portfolios: (r) => distinct(r.positions)},
  {name: 'reconcile', args: ['reconcile'], render: renderReconcile},
]

const NOTES: [header: string, note: string][] = [
  ['Max%', 'Max% ='],
  ['BE σ', 'BE σ ='],
  ['P(ITM)', 'P(ITM) ='],
  ['Realised', 'Realised: cumulative'],
]

/** The header lines of the tables in a rendering (the line after each top border). */
function headers(text: string): string[] {
  const lines = text.split('\n')
  return lines.flatMap((l, i) => (l.startsWith('┌') && lines[i + 1] ? [lines[i + 1]] : []))
}

const words = (text: string) => text.split(/\s+/).filter(Boolean)

let book: DemoBook
const results = new Map<string, any>()

beforeAll(() => {
  book = syncedDemoBook()
  // A day of history, what-if and paper trades, and the daemon's alerts and proposals, so every view has rows.
  expect(book.run(['snapshot']).code).toBe(0)
  expect(book.run(['whatif', 'add', '--portfolio', 'fidelity-personal', '--leg', '-1 AAPL 2027-01-15 250P @ 4.35', '--leg', '1 AAPL 2027-01-15 240P @ 2.40']).code).toBe(0)
  expect(book.run(['whatif', 'add', '--portfolio', 'fidelity-ira', '--leg', '1 MSFT 2027-01-15 560C @ 5.80', '--reason', 'roll the covered call up and out once the stock has moved through the strike']).code).toBe(0)
  expect(book.run(['approve', '2']).code).toBe(0)
  expect(book.run(['daemon', '--once']).code).toBe(0)
  for (const v of VIEWS) {
    const r = book.run([...v.args, '--json'])
    expect(r.code, `${v.name}: ${r.stderr}`).toBeLessThan(2)
    results.set(v.name, r.json())
  }
}, 240_000)

describe.each([80, 120])('every view of the demo book at %i columns', (width) => {
  it.each(VIEWS.map((v) => [v.name, v] as const))('%s', (_name, view) => {
    const result = results.get(view.name)
    const out = renderForTerminal(width, () => view.render(result))
    const lines = out.split('\n')

    // Nothing wider than the terminal: no line wraps.
    for (const l of lines) expect(displayWidth(l), l).toBeLessThanOrEqual(width)

    // Numbers are never cut: no cell is a number ending in "…" (a name may be: "HDFC INDEX FUND NIFTY 5…").
    const cells = lines.flatMap((l) => l.split('│').map((c) => c.trim()))
    expect(cells.filter((c) => /^[+-]?[\d,.]*\d…/.test(c))).toEqual([])
    expect(lines.filter((l) => /\d…$/.test(l))).toEqual([])

    // Portfolio stays whenever rows of several portfolios are shown.
    if (view.portfolios && view.portfolios(result) > 1)
      for (const h of headers(out).filter((x) => /Symbol|Underlying/.test(x))) expect(h, view.name).toMatch(/Portfolio|Portf\./)

    // A column's note only while the column is shown.
    const shown = headers(out).join(' ')
    for (const [header, note] of NOTES) if (!shown.includes(header)) expect(out, `${note} without ${header}`).not.toContain(note)

    // Every time shown carries its zone.
    expect(out).not.toMatch(/\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d)?(?!:|\d| UTC|Z)/)

    // Prose is broken only at spaces: the same words as the unwrapped rendering, in the same order.
    expect(words(out)).toEqual(words(withTableWidth(width, () => view.render(result))))
  })

  it('positions: the long fund name is shortened before any column goes, options keep expiry and strike', () => {
    const r = results.get('positions')
    const out = renderForTerminal(width, () => renderPositions(r))
    const header = headers(out)[0]
    for (const col of ['Symbol', 'Qty', 'Unreal. P&L', 'Day P&L', 'Ccy']) expect(header).toContain(col)
    const fund = 'HDFC INDEX FUND NIFTY 50 PLAN'
    const hidden = (text: string) => /\(hidden to fit \d+ columns: ([^;]*);/.exec(text)?.[1] ?? ''
    if (out.includes('hidden to fit') && !out.includes(fund)) {
      // Columns were dropped and the fund name was cut first (its row still names it).
      expect(out).toMatch(/HDFC INDEX FUND[^│]*…/)
    } else if (out.includes('hidden to fit')) {
      // Shown in full although columns went: then its length cost no column (the room given back after
      // the drops): without its row, exactly the same columns are hidden.
      const without = {...r, positions: r.positions.filter((p: any) => p.symbol !== fund)}
      expect(hidden(renderForTerminal(width, () => renderPositions(without)))).toBe(hidden(out))
    } else expect(out).toContain(fund)
    for (const p of r.positions.filter((x: any) => x.option)) {
      const strike = p.symbol.split(' ').pop()
      const occ = p.expiry.slice(2).replace(/-/g, '')
      expect(out, p.symbol).toMatch(new RegExp(`(${p.expiry}|${occ}) ${strike.replace('.', '\\.')}`))
    }
  })

  it('alerts: every message is shown in full, wrapped, however narrow', () => {
    const r = results.get('alerts')
    expect(r.alerts.length).toBeGreaterThan(5)
    const out = renderForTerminal(width, () => renderAlerts(r))
    expect(headers(out)[0]).toContain('Message')
    const text = words(out.replace(/[│┌┐└┘├┤┬┴┼─]/g, ' ')).join(' ')
    for (const a of r.alerts) for (const line of a.message.split('\n').filter((l: string) => l.trim())) expect(text).toContain(words(line).join(' ').slice(0, 60))
  })
})

describe('at 80 columns', () => {
  it('positions keeps Portfolio (cut in the middle) with the trader columns; the footnotes of hidden health columns go with them', () => {
    const out = renderForTerminal(80, () => renderPositions(results.get('positions')))
    const header = headers(out)[0]
    expect(header).toMatch(/Portf/)
    expect(out).toContain('fide…ira')
    expect(out).toContain('fide…nal')
    expect(header).not.toContain('Max%')
    expect(out).not.toContain('Max% =')
    // the same view at 250 columns shows them, with their notes
    const wide = renderForTerminal(250, () => renderPositions(results.get('positions')))
    expect(headers(wide)[0]).toContain('Max%')
    expect(wide).toContain('Max% =')
  })

  it('pnl keeps Source (short) where a paper trade and the broker position share portfolio and symbol', () => {
    const r = results.get('pnl')
    const twins = r.positions.filter((l: any) => l.portfolio === 'fidelity-ira' && l.symbol === 'MSFT 2027-01-15 560C')
    expect(twins.map((l: any) => l.source).sort()).toEqual(['paper', 'position'])
    const out = renderForTerminal(80, () => renderPnl(r))
    expect(headers(out)[0]).toMatch(/│ Src /)
    const rows = out.split('\n').filter((l) => /fide…ira │ MSFT 2027-01-15 560C/.test(l))
    expect(rows.map((l) => l.split('│')[3].trim()).sort()).toEqual(['paper', 'pos.'])
  })

  it('pnl --history: the Realised column\'s note goes with the column', () => {
    const out = renderForTerminal(80, () => renderPnlHistory(results.get('pnl --history')))
    expect(headers(out)[0]).not.toContain('Realised')
    expect(out).not.toContain('Realised: cumulative')
    expect(renderForTerminal(120, () => renderPnlHistory(results.get('pnl --history')))).toContain('Realised: cumulative')
  })

  it('pnl --attribution: the money of each position has its currency (INR and USD rows)', () => {
    const r = results.get('pnl --attribution')
    expect(new Set(r.positions.map((l: any) => l.currency)).size).toBeGreaterThan(1)
    for (const w of [80, 120]) expect(headers(renderForTerminal(w, () => renderAttribution(r)))[0]).toMatch(/│ Ccy │/)
  })

  it('portfolios: each name told apart, its kind (research is never summed), equity with its currency', () => {
    const r = results.get('portfolios')
    for (const w of [80, 120]) {
      const out = renderForTerminal(w, () => renderPortfolios(r))
      for (const col of [/Name/, /Kind/, /│ Ccy │/, /Equity/, /Status/]) expect(headers(out)[0]).toMatch(col)
      const names = out.split('\n').filter((l) => l.startsWith('│ ') && !l.includes('Name')).map((l) => l.split('│')[1].trim())
      expect(new Set(names).size).toBe(r.portfolios.length)
    }
  })

  it('positions --group: the strategy groups\' money (INR and USD) keeps its currency', () => {
    for (const w of [80, 120]) {
      const out = renderForTerminal(w, () => renderPositions(results.get('positions --group')))
      const groups = headers(out).find((h) => h.includes('Strategy'))!
      expect(groups).toMatch(/Max loss/)
      expect(groups).toMatch(/│ Ccy │/)
    }
  })

  it('trades list: Kind stays while paper trades and broker fills (numbered apart) are listed, with the currency', () => {
    const r = results.get('trades list')
    expect(new Set(r.trades.map((t: any) => t.kind))).toEqual(new Set(['paper', 'broker']))
    const header = headers(renderForTerminal(80, () => renderTradesList(r)))[0]
    for (const col of [/│ ID │/, /Portf/, /Kind/, /Symbol/, /Qty/, /Unreal\. P&L/, /│ Ccy │/]) expect(header).toMatch(col)
  })

  it('ledger keeps Portfolio and Realised beside Price', () => {
    const header = headers(renderForTerminal(80, () => renderLedger(results.get('ledger'))))[0]
    for (const col of [/Portf/, /Symbol/, /Qty/, /Price/, /Realised/]) expect(header).toMatch(col)
  })

  it('table notes wrap at spaces with a hanging indent, a hidden header never split', () => {
    const out = renderForTerminal(80, () => renderPositions(results.get('positions')))
    const note = out.split('\n').findIndex((l) => l.startsWith('(hidden to fit 80 columns'))
    expect(out.split('\n')[note + 1]).toMatch(/^ {2}\S/)
    expect(out).not.toMatch(/BE\n/)
  })

  it('summary lines wrap at spaces with a hanging indent, never inside a number', () => {
    const out = renderForTerminal(80, () => renderPositions(results.get('positions')))
    const research = out.split('\n').findIndex((l) => l.startsWith('Research portfolios'))
    expect(research).toBeGreaterThan(0)
    expect(out.split('\n')[research + 1]).toMatch(/^ {2}\S/)
    for (const l of out.split('\n')) expect(l).not.toMatch(/^\s*[\d,.]+\*?$/)
  })
})

describe('empty lists say what the filter left out', () => {
  it('trades list --open on a portfolio with only broker fills counts the fills --open left out', () => {
    const r = book.run(['trades', 'list', '--open', '--portfolio', 'research-wheel'])
    expect(r.code).toBe(0)
    expect(r.stdout.replace(/\s+/g, ' ')).toMatch(/^No open paper or live trades in the selected portfolio\(s\); --open left out \d+ broker fill\(s\) \(drop --open to list them\)\. $/)
    const j = book.run(['trades', 'list', '--open', '--portfolio', 'research-wheel', '--json']).json()
    expect(j.trades).toEqual([])
    expect(j.excluded.fills).toBeGreaterThan(10)
  })

  it('whatif list --portfolio with what-if legs only elsewhere says so', () => {
    const r = book.run(['whatif', 'list', '-p', 'zerodha'])
    expect(r.stdout).toMatch(/^No open what-if trades in the selected portfolio\(s\); [1-9]\d* leg\(s\) in other portfolios \(drop --portfolio to list them\)\.\n$/)
  })

  it('ledger with filters that match nothing names them and counts what they left out (not "import some")', () => {
    const r = book.run(['ledger', '--underlying', 'ZZZ', '-p', 'research-wheel'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^No ledger events match --underlying ZZZ; \d+ event\(s\) of research-wheel left out \(drop --underlying to list them\)\.\n$/)
    expect(book.run(['ledger', '--underlying', 'ZZZ', '--json']).json().excluded).toMatchObject({portfolios: [], filters: ['--underlying ZZZ']})
    expect(book.run(['ledger', '-p', 'zerodha']).stdout).toMatch(/^The ledger holds no events for zerodha\. Import some/)
  })
})
