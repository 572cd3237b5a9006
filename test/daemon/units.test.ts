import {existsSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {evaluateRules, type BookView} from '../../src/core/domain/rules.js'
import type {Position} from '../../src/core/domain/types.js'
import {createAlerter, parseSince} from '../../src/core/services/alerts.js'
import {SimClock} from '../../src/core/services/clock.js'
import {createLogger, redact} from '../../src/core/services/daemon/log.js'
import {tempDir} from '../cli/helpers.js'

const ASOF = new Date('2026-11-23T16:00:00Z') // Monday 11:00 New York
const opt = (symbol: string, quantity: number, entry: number, mark: number, under: number, expiry: string, strike: number, right: 'call' | 'put'): Position => ({
  portfolio: 'alpha', symbol, brokerSymbol: symbol, instrumentType: 'equity_option', underlying: symbol.split(' ')[0], quantity, multiplier: 100, entryPrice: entry, markPrice: mark,
  currency: 'USD', option: {expiry, strike, right, style: 'american'}, underlyingPrice: under, underlyingPriceSource: 'quotes', iv: 0.3, greeks: null, greeksSource: 'none',
})
const book: BookView = {betaWeightedDelta: 100, benchmark: 'SPY', benchmarkPrice: 600, defaultHedgePortfolio: 'alpha'}

describe('rules', () => {
  it('take profit at X % of the credit, stop at k × the credit: worked examples', () => {
    const win = opt('AAPL 2027-01-15 190P', -2, 4.0, 1.9, 260, '2027-01-15', 190, 'put') // 52.5 % earned
    const lose = opt('AAPL 2027-01-15 250P', -1, 3.0, 6.2, 240, '2027-01-15', 250, 'put') // 6.20 ≥ 2 × 3.00
    const hits = evaluateRules([win, lose], {...book, betaWeightedDelta: null}, {takeProfitPct: 50, stopLossMultiple: 2}, ASOF)
    expect(hits.map((h) => [h.rule, h.symbol, h.legs])).toEqual([
      ['take_profit', win.symbol, [{quantity: 2, symbol: win.symbol, price: 1.9}]],
      ['stop_loss', lose.symbol, [{quantity: 1, symbol: lose.symbol, price: 6.2}]],
    ])
    expect(hits[0].reason).toMatch(/52\.5 % of the max profit/)
    expect(evaluateRules([win], book, {takeProfitPct: 55}, ASOF)).toEqual([])
  })

  it('close at N days to expiry (calendar days in New York), assignment risk only for short options in the money', () => {
    const shortItm = opt('UBER 2026-11-27 100P', -1, 2, 5.8, 94.35, '2026-11-27', 100, 'put') // 4 days
    const shortOtm = opt('UBER 2026-11-27 90P', -1, 1, 0.2, 94.35, '2026-11-27', 90, 'put')
    const longItm = opt('UBER 2026-11-27 105P', 1, 3, 10.7, 94.35, '2026-11-27', 105, 'put')
    expect(evaluateRules([shortItm], book, {closeAtDte: 3}, ASOF)).toEqual([])
    expect(evaluateRules([shortItm], book, {closeAtDte: 4}, ASOF).map((h) => h.rule)).toEqual(['close_at_dte'])
    const risk = evaluateRules([shortItm, shortOtm, longItm], book, {assignmentRiskDte: 4}, ASOF)
    expect(risk.map((h) => h.symbol)).toEqual([shortItm.symbol])
    expect(risk[0].reason).toMatch(/5\.65 in the money with 4 day/)
  })

  it('beta-weighted delta outside the band: a hedge in the benchmark back to the middle, or in a named future', () => {
    const band = {deltaBand: {min: -100, max: 300}}
    const spy = evaluateRules([], {...book, betaWeightedDelta: 750}, band, ASOF)
    expect(spy).toEqual([{rule: 'delta_band', portfolio: 'alpha', symbol: '*', reason: expect.stringMatching(/750 SPY shares is outside \[-100, 300\]: sell 650 SPY to bring it to 100/), legs: [{quantity: -650, symbol: 'SPY', price: 600}]}])
    expect(evaluateRules([], {...book, betaWeightedDelta: 250}, band, ASOF)).toEqual([])
    const es = {...opt('/MESZ6', 1, 6000, 6100, 6100, '2026-12-18', 0, 'call'), option: undefined, instrumentType: 'future' as const, symbol: '/MESZ6', multiplier: 5}
    const fut = evaluateRules([es], {...book, betaWeightedDelta: -400}, {...band, hedge: {symbol: '/MESZ6', multiplier: 50, portfolio: 'tt'}}, ASOF)
    expect(fut[0].legs).toEqual([{quantity: 10, symbol: '/MESZ6', price: 6100}]) // (100 − (−400)) ÷ 50 SPY shares per contract
    expect(fut[0].portfolio).toBe('tt')
  })
})

describe('alerts: deduplicated, rate-limited, recorded, delivered to a file and a command', () => {
  it('the same alert within the window is a duplicate; over max per hour is rate-limited; the command gets args and env', async () => {
    const dir = tempDir()
    const db = path.join(dir, 'a.sqlite')
    const file = path.join(dir, 'alerts.jsonl')
    const out = path.join(dir, 'cmd.txt')
    const alerter = createAlerter(db, {file, command: ['sh', '-c', `echo "$COTRADER_ALERT_KIND|$1|$2" >> ${out}`, 'alert'], dedupeSeconds: 600, maxPerHour: 3})
    const t0 = Date.parse('2026-11-23T15:00:00Z')
    const at = (min: number) => new Date(t0 + min * 60_000)
    const a = {key: 'breach:alpha:maxLoss', kind: 'breach', severity: 'critical' as const, message: 'limit breached: alpha loss'}
    expect((await alerter.raise(a, at(0))).status).toBe('sent')
    expect((await alerter.raise(a, at(5))).status).toBe('duplicate')
    expect((await alerter.raise(a, at(11))).status).toBe('sent') // window over
    expect((await alerter.raise({...a, key: 'k2', message: 'two'}, at(12))).status).toBe('sent')
    expect((await alerter.raise({...a, key: 'k3', message: 'three'}, at(13))).status).toBe('rate_limited') // 3 sent in the last hour
    expect((await alerter.raise({...a, key: 'k4', message: 'four'}, at(61))).status).toBe('sent') // the first has left the hour
    expect(readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l).message)).toEqual(['limit breached: alpha loss', 'limit breached: alpha loss', 'two', 'four'])
    expect(readFileSync(out, 'utf8').trim().split('\n')[0]).toBe('breach|critical|limit breached: alpha loss')
    const failing = createAlerter(db, {command: ['false'], dedupeSeconds: 0, maxPerHour: 100})
    const f = await failing.raise({...a, key: 'k5', message: 'five'}, at(62))
    expect(f).toMatchObject({status: 'failed', error: 'command false exited 1'})
  })

  it('--since takes a date/time or a duration', () => {
    const now = new Date('2026-11-27T12:00:00Z')
    expect(parseSince('12h', now)).toBe('2026-11-27T00:00:00.000Z')
    expect(parseSince('7d', now)).toBe('2026-11-20T12:00:00.000Z')
    expect(parseSince('2026-11-27', now)).toBe('2026-11-27T00:00:00.000Z')
    expect(() => parseSince('soon', now)).toThrow(/neither a date/)
  })
})

describe('daemon log', () => {
  it('JSON lines with time, level, state, job, msg; rotated at the size limit keeping N files; secrets masked', () => {
    const dir = tempDir()
    const file = path.join(dir, 'd.log')
    const clock = new SimClock(new Date('2026-11-23T15:00:00Z'))
    const human: string[] = []
    const log = createLogger({file, level: 'info', maxBytes: 400, keep: 2, clock, human: (l) => human.push(l), secrets: ['rt-super-secret-token'], state: () => 'monitoring'})
    log.debug('not written')
    log.info('sync failed: refresh_token=rt-super-secret-token and Bearer abc.def', {job: 'monitor'})
    const first = JSON.parse(readFileSync(file, 'utf8').trim())
    expect(first).toEqual({time: '2026-11-23T15:00:00.000Z', level: 'info', state: 'monitoring', job: 'monitor', msg: 'sync failed: refresh_token=[redacted] and Bearer [redacted]'})
    expect(human[0]).toBe('2026-11-23 15:00:00Z INFO  monitoring [monitor] sync failed: refresh_token=[redacted] and Bearer [redacted]')
    for (let i = 0; i < 20; i++) log.info(`line ${i} ${'x'.repeat(60)}`)
    expect(existsSync(`${file}.1`)).toBe(true)
    expect(existsSync(`${file}.2`)).toBe(true)
    expect(existsSync(`${file}.3`)).toBe(false)
    expect(readFileSync(file, 'utf8').length).toBeLessThanOrEqual(400)
    expect(redact('client_secret: "cs-123456789"')).toBe('client_secret: "[redacted]"')
  })
})
