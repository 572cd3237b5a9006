/*
 * Migration 12's columns (deliverable, opaque marker, settlement type, per-Greek sources): written and
 * read back exactly; rows of an older file (columns absent) and values this code never writes read as
 * "not stated", never as a guess. And the instrument record's settlement-type as the mapping reads it,
 * bad values included.
 */
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {mapPositionRow, withInstrument} from '../../src/core/adapters/tastytrade/mapping.js'
import type {Position} from '../../src/core/domain/types.js'
import {readDb, writeDb} from '../../src/core/store/database.js'
import {loadPositions, replacePositions, rowToPosition, upsertPortfolio} from '../../src/core/store/repositories.js'
import {tempDir} from '../cli/helpers.js'

const base: Position = {
  portfolio: 'p', symbol: 'XYZ1 2026-06-18 50C', brokerSymbol: 'XYZ1  260618C00050000', instrumentType: 'equity_option', underlying: 'XYZ', quantity: 2, multiplier: 100,
  entryPrice: 10, markPrice: 12, currency: 'USD', option: {expiry: '2026-06-18', strike: 50, right: 'call', style: 'american'}, underlyingPrice: 40, underlyingPriceSource: 'feed',
  iv: 0.3, greeks: {delta: 0.9, gamma: 0.05, theta: -0.01, vega: 0.1, rho: 0.05}, greeksSource: 'feed',
}

describe('positions: migration 12 columns', () => {
  it('round-trips deliverable, opaque, settlement, settlementKind and mixed greeksSources; leaves them absent when not stated', async () => {
    const db = path.join(tempDir('cotrader-m11-'), 'book.sqlite')
    const rows: Position[] = [
      {...base, deliverable: {shares: 150, underlying: 'XYZ', cash: 25}, settlement: 'pm', settlementKind: 'physical', greeksSources: {delta: 'feed', gamma: 'feed', theta: 'feed', vega: 'model', rho: 'model'}},
      {...base, symbol: 'QRS1 2026-06-18 20C', greeks: null, iv: null, greeksSource: 'none', opaque: 'not understood (delivers shares of QRS and TUV)'},
      {...base, symbol: 'AAPL 2026-06-18 170P', underlying: 'AAPL'},
    ]
    await writeDb(db, (d) => {
      upsertPortfolio(d, {name: 'p', broker: 'manual', currency: 'USD', kind: 'real', tradingEnabled: false, limits: {}}, '2026-01-05T15:00:00Z')
      replacePositions(d, 'p', rows, '2026-01-05T15:00:00Z')
    })
    const got = Object.fromEntries((await readDb(db, (d) => loadPositions(d))).map((p) => [p.symbol, p]))
    expect(got['XYZ1 2026-06-18 50C']).toMatchObject({deliverable: {shares: 150, underlying: 'XYZ', cash: 25}, settlement: 'pm', settlementKind: 'physical', greeksSources: {delta: 'feed', vega: 'model', rho: 'model'}})
    expect(got['QRS1 2026-06-18 20C'].opaque).toBe('not understood (delivers shares of QRS and TUV)')
    const plain = got['AAPL 2026-06-18 170P']
    for (const k of ['deliverable', 'opaque', 'settlement', 'settlementKind', 'greeksSources'] as const) expect(plain[k]).toBeUndefined()
  })

  it('a row of an older file (no such columns) or with values this code never writes reads as not stated', () => {
    const old = {portfolio: 'p', symbol: 'XYZ1 2026-06-18 50C', broker_symbol: 'XYZ1', instrument_type: 'equity_option', underlying: 'XYZ', quantity: 1, multiplier: 100, entry_price: 1, mark_price: 1,
      currency: 'USD', expiry: '2026-06-18', strike: 50, option_right: 'call', style: 'american', underlying_price: 40, underlying_price_source: 'feed', iv: 0.3,
      delta: 0.5, gamma: 0.1, theta: -0.1, vega: 0.1, rho: 0.1, greeks_source: 'feed', greeks_note: null}
    const a = rowToPosition(old)
    expect([a.deliverable, a.opaque, a.settlement, a.settlementKind, a.greeksSources]).toEqual([undefined, undefined, undefined, undefined, undefined])
    const b = rowToPosition({...old, settlement: 'noon', settlement_kind: 'barter', greeks_sources: '{"delta":"feed"', opaque: ''})
    expect([b.settlement, b.settlementKind, b.greeksSources, b.opaque]).toEqual([undefined, undefined, undefined, undefined])
    const c = rowToPosition({...old, greeks_sources: '{"delta":"feed","gamma":"guess","theta":"feed","vega":"feed","rho":"feed"}'})
    expect(c.greeksSources).toBeUndefined()
    // per-Greek sources of unknown Greeks are never read back
    expect(rowToPosition({...old, delta: null, greeks_sources: '{"delta":"feed","gamma":"feed","theta":"feed","vega":"model","rho":"feed"}'}).greeksSources).toBeUndefined()
  })
})

describe('tastytrade instrument record: settlement-type', () => {
  const mapped = (symbol: string) => {
    const r = mapPositionRow({symbol, 'instrument-type': 'Equity Option', 'underlying-symbol': symbol.slice(0, 6).trim().replace(/W$/, ''), quantity: '1', 'quantity-direction': 'Long', multiplier: 100, 'mark-price': '5.0'}, 'p')
    if (!('ok' in r)) throw new Error('not mapped')
    return r.ok
  }
  const record = (over: Record<string, unknown>) => ({'expiration-date': '2026-03-20', 'strike-price': '6100.0', 'option-type': 'C', ...over})

  it('AM/PM and Future as stated; cash for index classes, physical for shares; absent, null or unknown values state nothing', () => {
    expect(withInstrument(mapped('SPX   260320C06100000'), record({'settlement-type': 'AM'})).position).toMatchObject({settlement: 'am', settlementKind: 'cash'})
    expect(withInstrument(mapped('SPXW  260320C06100000'), record({'settlement-type': 'PM'})).position).toMatchObject({settlement: 'pm', settlementKind: 'cash'})
    const aapl = withInstrument(mapped('AAPL  260320C06100000'), record({'settlement-type': 'PM'})).position
    expect(aapl).toMatchObject({settlement: 'pm', settlementKind: 'physical'})
    for (const bad of [null, 'NaN', 'Noon', 7]) {
      const p = withInstrument(mapped('SPX   260320C06100000'), record({'settlement-type': bad})).position
      expect(p.settlement).toBeUndefined()
    }
  })
})
