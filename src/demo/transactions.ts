/*
 * The demo's ledger: a year of research-wheel transactions in cotrader's generic transactions CSV
 * (docs/FILE_FORMATS.md) that produce exactly the positions of research_wheel.csv (100 AAPL, one
 * short call, two short puts of the `m1` expiry): a short AAPL put rolled three times (one roll chain),
 * assigned at its last expiry (100 shares at the strike), a covered call that expired worthless, a
 * 3-for-2 split of a small XYZ position later sold, a dividend and interest. Dates are relative to
 * `now` on the real US monthly expiries, so `npm start` shows realised P&L on any date and
 * `cotrader reconcile` finds the ledger equal to the positions.
 */
import {addDays, localDate, tradingDayOnOrBefore} from '../core/domain/calendar/index.js'
import {usMonthly} from './exports.js'

/** The first US monthly expiry after `date` (YYYY-MM-DD). */
function nextMonthly(date: string): string {
  return usMonthly(new Date(`${date}T17:00:00Z`), 1)
}

export function demoTransactions(now: Date, m1: string): string {
  const today = localDate('XNYS', now)
  const day = (d: string) => tradingDayOnOrBefore('XNYS', d)
  const e1 = usMonthly(now, -330)
  const e2 = nextMonthly(e1)
  const e3 = nextMonthly(e2)
  const e4 = nextMonthly(e3)
  const e5 = nextMonthly(addDays(e4, 3))
  const rows: string[] = []
  const row = (date: string, kind: string, symbol: string, quantity: string, price: string, commission: string, fees: string, amount: string, orderId: string, extra: {ratio?: string; description?: string} = {}) =>
    rows.push([date, kind, symbol, quantity, price, commission, fees, amount, orderId, extra.ratio ?? '', extra.description ?? ''].join(','))
  const opt = (e: string, strike: number, right: 'C' | 'P') => `AAPL ${e} ${strike}${right}`

  // The chain: a cash-secured put, rolled down and out three times, assigned at the last expiry.
  const open = day(addDays(e1, -30))
  row(`${open} 10:42:13`, 'trade', opt(e1, 240, 'P'), '-1', '5.20', '1.00', '0.15', '518.85', 'W100', {description: 'sell to open the wheel'})
  const r1 = day(addDays(e1, -7))
  row(`${r1} 14:05:31`, 'trade', opt(e1, 240, 'P'), '1', '7.80', '1.00', '0.15', '-781.15', 'W101', {description: 'roll 1: buy to close'})
  row(`${r1} 14:05:31`, 'trade', opt(e2, 235, 'P'), '-1', '9.10', '0.00', '0.15', '909.85', 'W101', {description: 'roll 1: sell to open'})
  const r2 = day(addDays(e2, -7))
  row(`${r2} 11:20:02`, 'trade', opt(e2, 235, 'P'), '1', '6.40', '1.00', '0.15', '-641.15', 'W102', {description: 'roll 2: buy to close'})
  row(`${r2} 11:20:02`, 'trade', opt(e3, 245, 'P'), '-1', '8.05', '0.00', '0.15', '804.85', 'W102', {description: 'roll 2: sell to open'})
  const r3 = day(addDays(e3, -6))
  row(`${r3} 15:31:47`, 'trade', opt(e3, 245, 'P'), '1', '5.35', '1.00', '0.15', '-536.15', 'W103', {description: 'roll 3: buy to close'})
  row(`${r3} 15:31:47`, 'trade', opt(e4, 250, 'P'), '-1', '7.60', '0.00', '0.15', '759.85', 'W103', {description: 'roll 3: sell to open'})
  // Assigned at e4: the option is removed, 100 shares arrive at the strike (TastyTrade's two rows).
  row(`${e4} 16:00:00`, 'assignment', opt(e4, 250, 'P'), '1', '', '', '', '', '', {description: 'removal of option due to assignment'})
  row(`${e4} 16:00:00`, 'assignment', 'AAPL', '100', '250.00', '', '5.00', '-25005.00', '', {description: 'shares delivered at the strike'})
  // A covered call that expired worthless.
  const cc = day(addDays(e4, 3))
  row(`${cc} 10:15:00`, 'trade', opt(e5, 275, 'C'), '-1', '3.40', '1.00', '0.15', '338.85', 'W104', {description: 'covered call'})
  row(e5, 'expiration', opt(e5, 275, 'C'), '1', '', '', '', '', '', {description: 'expired worthless'})
  const div = day(addDays(e4, 40))
  if (div <= today) row(div, 'dividend', 'AAPL', '', '', '', '', '26.00', '', {description: 'cash dividend 0.26 per share'})
  // A 3-for-2 split of a small position, then sold: realised on the split-adjusted basis.
  row(`${day(addDays(e1, -20))} 09:48:10`, 'trade', 'XYZ', '20', '72.00', '0.00', '0.05', '-1440.05', 'X1', {description: 'buy'})
  row(day(addDays(e1, 40)), 'split', 'XYZ', '', '', '', '', '', '', {ratio: '3:2', description: '3-for-2 forward split'})
  row(`${day(addDays(e1, 95))} 13:12:44`, 'trade', 'XYZ', '-30', '61.50', '0.00', '0.08', '1844.92', 'X2', {description: 'sell'})
  row(day(addDays(today, -45)), 'interest', '', '', '', '', '', '12.48', '', {description: 'credit interest'})
  // Today's book: the covered call and the two cash-secured puts of research_wheel.csv.
  const recent = day(addDays(today, -9))
  row(`${recent} 10:30:05`, 'trade', opt(m1, 290, 'C'), '-1', '4.10', '1.00', '0.15', '408.85', 'W105', {description: 'covered call'})
  row(`${recent} 10:31:40`, 'trade', opt(m1, 250, 'P'), '-2', '6.85', '2.00', '0.30', '1367.70', 'W106', {description: 'cash-secured puts'})
  return [
    '# research-wheel transactions: a year of the AAPL wheel in cotrader\'s generic transactions CSV (docs/FILE_FORMATS.md).',
    `# Written by scripts/demo-data.mjs as of ${today}; read by sync (source.transactions in config/risk_config.yaml).`,
    'date,kind,symbol,quantity,price,commission,fees,amount,order_id,ratio,description',
    ...rows,
  ].join('\n') + '\n'
}
