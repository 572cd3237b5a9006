/*
 * Calendar and aging figures (issue 11), printed never asserted: what time-aware reads add to a
 * command, measured in one process as ratios.
 *  - aging 1,000 stored positions (expiry instant per product + holiday roll-back) vs the first
 *    Intl time-zone lookup the calendar avoids by rule;
 *  - freshness of 50 portfolios (session walk-back on the calendar).
 * Run by bench/run.js, or alone: node bench/calendar.mjs (after npm run build).
 */
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const dist = (p) => pathToFileURL(path.join(root, 'dist', p)).href
const line = (name, value, target) => console.log(`${name.padEnd(52)} ${value.padStart(16)}   target ${target}`)

export async function runCalendarBench() {
  const t0 = performance.now()
  const {agePositions} = await import(dist('core/containers/aging.js'))
  const {isStale} = await import(dist('core/containers/freshness.js'))
  const tImport = performance.now() - t0
  const roots = [['AAPL', 'USD'], ['SPX', 'USD'], ['SPXW', 'USD'], ['NIFTY', 'INR'], ['SENSEX', 'INR']]
  const positions = Array.from({length: 1000}, (_, i) => {
    const [root, currency] = roots[i % roots.length]
    const expiry = new Date(Date.UTC(2026, 11, 1) + (i % 400) * 86_400_000).toISOString().slice(0, 10)
    return {portfolio: 'p', symbol: `${root} ${expiry} 100C`, brokerSymbol: '', instrumentType: 'equity_option', underlying: root === 'SPXW' ? 'SPX' : root, quantity: 1, multiplier: 100,
      entryPrice: 1, markPrice: 1, currency, option: {expiry, strike: 100, right: 'call', style: 'european'}, underlyingPrice: 100, underlyingPriceSource: 'file', iv: 0.2, greeks: null, greeksSource: 'none'}
  })
  const asOf = new Date('2027-01-25T12:00:00Z')
  const t1 = performance.now()
  const aged = agePositions(positions, {asOf, revalue: false, market: () => ({rate: 0.04, dividend: 0})})
  const tAge = performance.now() - t1
  const t2 = performance.now()
  for (let i = 0; i < 50; i++) isStale(i % 2 ? 'XNYS' : 'XNSE', new Date('2027-01-20T15:00:00Z'), asOf, {sessions: 1 + (i % 3)})
  const tFresh = performance.now() - t2
  const t3 = performance.now()
  new Intl.DateTimeFormat('en-US', {timeZone: 'America/New_York', hour: 'numeric'}).format(asOf)
  const tIntl = performance.now() - t3
  line('calendar+aging modules import (ms)', tImport.toFixed(1), '')
  line(`age 1,000 positions (${aged.expired.length} expired) (ms)`, tAge.toFixed(1), '')
  line('freshness of 50 portfolios (ms)', tFresh.toFixed(1), '')
  line('first Intl time-zone lookup, avoided (ms)', tIntl.toFixed(1), '')
  line('  aging 1,000 positions ÷ one Intl lookup', (tAge / tIntl).toFixed(2), '< 1')
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await runCalendarBench()
