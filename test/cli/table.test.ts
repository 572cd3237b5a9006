import {describe, expect, it} from 'vitest'
import {shortSymbol} from '../../src/core/cli/format.js'
import {clip, displayWidth, renderTable, terminalWidth, type Column} from '../../src/core/cli/table.js'

const cols: Column[] = [
  {header: 'Name', priority: 0},
  {header: 'Qty', align: 'right', priority: 0},
  {header: 'Note', priority: 3, minWidth: 4},
  {header: 'P&L', align: 'right', priority: 1},
  {header: 'Ccy', priority: 2},
]
const rows = [
  ['AAPL', '100', 'long stock', '+1,234.00', 'USD'],
  ['NIFTY 2026-12-29 24000C', '-75', 'short call', '-5.00', 'INR'],
]

describe('renderTable', () => {
  it('draws the same frame as cli-table3 did (compact, one space of padding, per-column alignment)', () => {
    expect(renderTable(cols, rows)).toBe(
      [
        '┌─────────────────────────┬─────┬────────────┬───────────┬─────┐',
        '│ Name                    │ Qty │ Note       │       P&L │ Ccy │',
        '├─────────────────────────┼─────┼────────────┼───────────┼─────┤',
        '│ AAPL                    │ 100 │ long stock │ +1,234.00 │ USD │',
        '│ NIFTY 2026-12-29 24000C │ -75 │ short call │     -5.00 │ INR │',
        '└─────────────────────────┴─────┴────────────┴───────────┴─────┘',
      ].join('\n'),
    )
  })

  it('matches cli-table3 byte for byte on multi-line cells, short rows, colour codes and Greek letters', async () => {
    const {default: Table} = await import('cli-table3')
    const head = ['Underlying', 'Δ shares', 'Legs', 'βΔ SPY']
    const align = ['left', 'right', 'left', 'right'] as const
    const data = [
      ['\u001B[1mTotal\u001B[0m', '\u001B[32m+12.5\u001B[0m', '+1 A @ 2\n-1 B @ 3', '1.0 → 2.0'],
      ['MSFT', '', '', ''],
    ]
    const t = new Table({head, style: {head: [], border: [], compact: true}, colAligns: [...align]})
    t.push(...data)
    const ours = renderTable(head.map((h, i) => ({header: h, align: align[i]})), data)
    expect(ours).toBe(t.toString())
    // An empty table is the header alone.
    const empty = new Table({head, style: {head: [], border: [], compact: true}, colAligns: [...align]})
    expect(renderTable(head.map((h, i) => ({header: h, align: align[i]})), [])).toBe(empty.toString())
  })

  it('keeps every column without a limit, however wide', () => {
    const wide = renderTable(cols, rows, {width: null})
    expect(wide.split('\n')[0]).toHaveLength(64)
    expect(wide).not.toContain('hidden')
  })

  it('cuts a text column that allows it before dropping anything (least important first)', () => {
    // Full width 64; 60 leaves 4 too many: Note (priority 3, min 4) goes from 10 to 6 columns.
    const out = renderTable(cols, rows, {width: 60}).split('\n')
    expect(out[0]).toHaveLength(60)
    expect(out[1]).toBe('│ Name                    │ Qty │ Note   │       P&L │ Ccy │')
    expect(out[3]).toBe('│ AAPL                    │ 100 │ long … │ +1,234.00 │ USD │')
    expect(out[4]).toBe('│ NIFTY 2026-12-29 24000C │ -75 │ short… │     -5.00 │ INR │')
    expect(out).toHaveLength(6)
  })

  it('drops columns by priority when cutting is not enough, and says which', () => {
    // Without Note the table is 51 wide; without Ccy too, 45; then P&L, 33.
    const at50 = renderTable(cols, rows, {width: 50}).split('\n')
    expect(at50[1]).toBe('│ Name                    │ Qty │       P&L │')
    expect(at50.slice(6)).toEqual(['(hidden to fit 50 columns: Note, Ccy; --wide shows', '  all)'])
    const at40 = renderTable(cols, rows, {width: 40}).split('\n')
    expect(at40[1]).toBe('│ Name                    │ Qty │')
    expect(at40.slice(6).map((l) => l.trim()).join(' ')).toBe('(hidden to fit 40 columns: Note, P&L, Ccy; --wide shows all)')
  })

  it('among equal priorities drops the rightmost first; columns without a priority go from the right', () => {
    const plain: Column[] = [{header: 'A'}, {header: 'B'}, {header: 'C'}]
    const out = renderTable(plain, [['aaaa', 'bbbb', 'cccc']], {width: 16}).split('\n')
    expect(out[1]).toBe('│ A    │ B    │')
  })

  it('clips every line when even the essential columns do not fit: a row never wraps', () => {
    const out = renderTable(cols, rows, {width: 20}).split('\n')
    for (const line of out) expect(displayWidth(line)).toBeLessThanOrEqual(20)
    expect(out[3]).toBe('│ AAPL             …')
    expect(out[4]).toBe('│ NIFTY 2026-12-29 …')
  })
})

describe('widths', () => {
  it('counts printed columns: colour codes none, CJK two, Greek one', () => {
    expect(displayWidth('\u001B[31m-1.00\u001B[0m')).toBe(5)
    expect(displayWidth('日本')).toBe(4)
    expect(displayWidth('Δ$ βΔ →')).toBe(7)
  })

  it('clips keeping colour codes closed', () => {
    expect(clip('\u001B[32m+12,345.00\u001B[0m', 5)).toBe('\u001B[32m+12,…\u001B[0m')
    expect(clip('short', 5)).toBe('short')
  })

  it('takes the terminal width on a TTY, COLUMNS when the TTY does not say, and no limit when piped or --wide', () => {
    expect(terminalWidth({isTTY: true, columns: 100}, {COLUMNS: '60'})).toBe(100)
    expect(terminalWidth({isTTY: true}, {COLUMNS: '60'})).toBe(60)
    expect(terminalWidth({isTTY: true}, {})).toBeNull()
    expect(terminalWidth({isTTY: false, columns: 100}, {COLUMNS: '60'})).toBeNull()
    expect(terminalWidth({isTTY: true, columns: 100}, {}, true)).toBeNull()
  })
})

describe('fitting rules of issue 20', () => {
  const book = [
    ['fidelity-ira', 'HDFC INDEX FUND NIFTY 50 PLAN', '1,800.5', '+83,273.13', 'INR', '1.00', '2.00'],
    ['fidelity-personal', 'BANKNIFTY 2026-12-29 61000C', '35', '-17,902.50', 'INR', '3.00', '4.00'],
  ]
  const columns: Column[] = [
    {header: 'Portfolio', priority: 5, minWidth: 8, cut: 'middle', keepIfDistinct: true, shortHeader: 'Portf.'},
    {header: 'Symbol', priority: 0, minWidth: 18, shorten: shortSymbol},
    {header: 'Qty', align: 'right', priority: 0},
    {header: 'P&L', align: 'right', priority: 1},
    {header: 'Ccy', priority: 2},
    {header: 'Theta', align: 'right', priority: 3, note: 'Theta = per day'},
    {header: 'Vega', align: 'right', priority: 4},
  ]

  it('shortens text (a marker in the middle, a name at the end, an option keeping its strike) before dropping a column', () => {
    const full = renderTable(columns, book).split('\n')[0].length
    const out = renderTable(columns, book, {width: full - 10})
    expect(out).not.toContain('hidden')
    expect(out).toContain('Theta = per day')
    const narrow = renderTable(columns, book, {width: 62}).split('\n')
    expect(narrow[1]).toMatch(/^│ Portf\.\s+│ Symbol/)
    expect(narrow.join('\n')).toContain('fide…ira')
    expect(narrow.join('\n')).toContain('fide…nal')
    expect(narrow.join('\n')).toMatch(/HDFC INDEX FUND[^│]*…/)
    expect(narrow.join('\n')).toMatch(/261229 61000C/)
    for (const l of narrow) expect(displayWidth(l)).toBeLessThanOrEqual(62)
  })

  it('keeps a keepIfDistinct column only while its rows differ, and drops a column note with its column', () => {
    const one = book.map((r) => ['fidelity-ira', ...r.slice(1)])
    const out = renderTable(columns, one, {width: 60})
    expect(out.split('\n')[1]).not.toContain('Portf')
    expect(out).toContain('Theta')
    const tight = renderTable(columns, book, {width: 58})
    expect(tight.split('\n')[1]).not.toContain('Theta')
    expect(tight).not.toContain('Theta = per day')
  })

  it('wraps a `wrap` column over several lines instead of cutting it', () => {
    const cols: Column[] = [{header: 'ID', priority: 0}, {header: 'Message', priority: 0, minWidth: 12, cut: 'wrap'}]
    const out = renderTable(cols, [['1', 'limit breached: fidelity-ira MSFT: |delta dollars| 80,975.34 exceeds 60,000']], {width: 30}).split('\n')
    for (const l of out) expect(displayWidth(l)).toBeLessThanOrEqual(30)
    expect(out.join(' ').replace(/[│ ]+/g, ' ')).toContain('limit breached: fidelity-ira MSFT: |delta dollars| 80,975.34 exceeds 60,000')
  })

  it('a wrapped line of an aligned message (an end-of-day summary) keeps its indent, loses its padding, and continues further in', () => {
    const cols: Column[] = [{header: 'ID', priority: 0}, {header: 'Message', priority: 0, minWidth: 12, cut: 'wrap'}]
    const msg = 'end of day XNSE\n  zerodha              equity 1,787,559.00 INR  day ?  4 positions'
    const cells = renderTable(cols, [['7', msg]], {width: 36}).split('\n').slice(3, -1).map((l) => l.split('│')[2].slice(1).trimEnd())
    expect(cells).toEqual(['end of day XNSE', '  zerodha equity', '    1,787,559.00 INR day ?', '    4 positions'])
  })

  it('drops the columns of a group together (a grid thins out evenly)', () => {
    const vols = [-10, -5, 0, 5, 10]
    const cols: Column[] = [{header: 'move', priority: 0}, ...vols.map((v, j) => ({header: String(v), align: 'right' as const, priority: j === 2 || j === 0 || j === 4 ? 1 : 2, group: 'vol'}))]
    const out = renderTable(cols, [['-15%', '-4,250', '-4,250', '-4,250', '-4,250', '-4,250']], {width: 40}).split('\n')
    expect(out[1]).toMatch(/│ move │ +-10 │ +0 │ +10 │/)
  })
})

describe('shortSymbol', () => {
  it('an option: OCC date, then the root cut, never the strike', () => {
    expect(shortSymbol('BANKNIFTY 2026-12-29 61000C', 27)).toBe('BANKNIFTY 2026-12-29 61000C')
    expect(shortSymbol('BANKNIFTY 2026-12-29 61000C', 23)).toBe('BANKNIFTY 261229 61000C')
    expect(shortSymbol('BANKNIFTY 2026-12-29 61000C', 18)).toBe('BAN… 261229 61000C')
    expect(shortSymbol('BANKNIFTY 2026-12-29 61000C', 10)).toBe('…29 61000C')
    expect(shortSymbol('HDFC INDEX FUND NIFTY 50 PLAN', 18)).toBe('HDFC INDEX FUND N…')
  })
})
