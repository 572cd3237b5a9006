import {describe, expect, it} from 'vitest'
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
    expect(at50.slice(6)).toEqual(['(hidden to fit 50 columns: Note, Ccy; --wide shows', 'all)'])
    const at40 = renderTable(cols, rows, {width: 40}).split('\n')
    expect(at40[1]).toBe('│ Name                    │ Qty │')
    expect(at40.slice(6).join(' ')).toBe('(hidden to fit 40 columns: Note, P&L, Ccy; --wide shows all)')
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
