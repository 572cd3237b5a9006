import {describe, expect, it} from 'vitest'
import {readHistory} from '../../src/core/store/history.js'
import {portfolioSnapshots, positionSnapshots} from '../../src/core/store/snapshots.js'
import {workspace} from '../cli/helpers.js'

const CONFIG = `
base_currency: USD
market: {rates: {USD: 0.04}, betas: {AAPL: 1.2, SPY: 1}, quotes_file: quotes.csv}
portfolios:
  - {name: alpha, broker: manual, account: A1, source: {file: alpha.csv, format: generic}, cash: 10000}
  - {name: alpha-whatif, broker: none, kind: whatif, shadows: alpha}
`
const ALPHA = `symbol,quantity,entry_price,mark_price
AAPL,100,150,200
AAPL 2027-01-15 190P,-2,7.47,5.05
`

describe('cotrader snapshot', () => {
  const ws = workspace({'risk_config.yaml': CONFIG, 'alpha.csv': ALPHA, 'quotes.csv': 'symbol,price\nSPY,600\n'})

  it('twice on one day → one row per position, the second replacing the first', async () => {
    expect(ws.run(['snapshot', '--json']).json().skipped).toEqual(['alpha']) // never synced: nothing to record
    // One clock (COTRADER_NOW): synced and snapshotted on Friday 27 November after the close. A past
    // --date with no stored closes would be refused (test/daemon/snapshot-date.test.ts).
    const fri = {COTRADER_NOW: '2026-11-27T21:30:00Z'}
    const mon = {COTRADER_NOW: '2026-11-30T21:30:00Z'}
    expect(ws.run(['sync'], fri).code).toBe(0)
    const first = ws.run(['snapshot', '--date', '2026-11-27', '--json'], fri)
    expect(first.code).toBe(0)
    const r1 = first.json()
    expect(r1.positions).toBe(2)
    expect(r1.portfolios).toHaveLength(1)
    expect(r1.portfolios[0]).toMatchObject({portfolio: 'alpha', date: '2026-11-27', currency: 'USD', positions: 2, replaced: false, equity: 10000 + 20000 - 1010, unrealizedPnl: 5000 + 484})
    // β-weighted delta: AAPL share delta × 200 × 1.2 ÷ 600, with the stock's 100 shares in it
    expect(r1.portfolios[0].betaWeightedDelta).toBeGreaterThan(40)
    // No earlier snapshot and no broker close: the positions may be months old, so the day P&L is
    // unknown (not the whole open P&L of 5,484), the same rule as `pnl` (domain/daypnl.ts).
    expect(r1.portfolios[0].dayPnl).toBeNull()
    expect(r1.asOf).toBe('2026-11-27T21:30:00.000Z')
    const second = ws.run(['snapshot', '--date', '2026-11-27', '--json'], fri).json()
    expect(second.portfolios[0].replaced).toBe(true)
    const rows = await readHistory(ws.db, (d) => positionSnapshots(d, {}))
    expect(rows.map((r) => r.symbol).sort()).toEqual(['AAPL', 'AAPL 2027-01-15 190P'])
    expect(await readHistory(ws.db, (d) => portfolioSnapshots(d, {}))).toHaveLength(1)
    const put = rows.find((r) => r.symbol === 'AAPL 2027-01-15 190P')!
    expect(put).toMatchObject({quantity: -2, markPrice: 5.05, entryPrice: 7.47, underlyingPrice: 200, unrealizedPnl: (5.05 - 7.47) * -2 * 100})
    expect(put.greeks!.delta).toBeLessThan(0) // per unit: a put's delta, whatever the sign of the holding
    // The next day counts day P&L from the previous snapshot's marks: unchanged marks → 0.
    expect(ws.run(['sync'], mon).code).toBe(0)
    const next = ws.run(['snapshot', '--date', '2026-11-30', '--json'], mon).json()
    expect(next.portfolios[0].dayPnl).toBe(0)
    const human = ws.run(['snapshot', '--date', '2026-11-30'], mon)
    expect(human.stdout).toMatch(/alpha\s*│\s*2026-11-30\s*│\s*USD\s*│\s*2\s*│/)
    expect(human.stdout).toMatch(/replaced/)
  })
})
