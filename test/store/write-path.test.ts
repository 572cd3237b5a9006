/*
 * The sync's store path after its speed-up (issue 8): the positional bulk insert stores exactly what the
 * named-parameter insert stored, the last-price query picks exactly the rows the row-by-row loop picked
 * (ties included), and writes with the in-memory journal still roll back savepoints and failed writes.
 * The references below are the previous implementations, kept here verbatim as the worked examples.
 */
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import type {Position} from '../../src/core/domain/types.js'
import {readDb, writeDb, type Db} from '../../src/core/store/database.js'
import * as repo from '../../src/core/store/repositories.js'

const dir = mkdtempSync(join(tmpdir(), 'cotrader-write-path-'))
const NOW = '2026-12-01T15:00:00.000Z'

function referenceReplacePositions(db: Db, portfolio: string, positions: Position[], now: string): void {
  db.run('DELETE FROM positions WHERE portfolio = :portfolio', {portfolio})
  for (const p of positions) {
    const g = p.greeks
    const row = {
      portfolio, symbol: p.symbol, broker_symbol: p.brokerSymbol, instrument_type: p.instrumentType, underlying: p.underlying, quantity: p.quantity,
      multiplier: p.multiplier, entry_price: p.entryPrice, mark_price: p.markPrice, previous_close: p.previousClose ?? null, currency: p.currency,
      expiry: p.option?.expiry ?? null, strike: p.option?.strike ?? null, option_right: p.option?.right ?? null, style: p.option?.style ?? null,
      underlying_price: p.underlyingPrice, underlying_price_source: p.underlyingPriceSource, underlying_price_at: p.underlyingPrice === null ? null : p.underlyingPriceAsOf ?? now,
      iv: p.iv, delta: g?.delta ?? null, gamma: g?.gamma ?? null, theta: g?.theta ?? null, vega: g?.vega ?? null, rho: g?.rho ?? null,
      greeks_source: p.greeksSource, greeks_note: p.greeksNote ?? null, mark_at: p.markPrice === null ? null : p.markAsOf ?? now,
      mark_source: p.markPrice === null ? null : p.markSource ?? null, updated_at: now,
    }
    const cols = Object.keys(row)
    db.run(`INSERT INTO positions (${cols.join(', ')}) VALUES (${cols.map((c) => `:${c}`).join(', ')})`, row)
    db.run(
      `INSERT OR IGNORE INTO entry_greeks (portfolio, symbol, first_seen_at, quantity, entry_price, underlying_price, iv, delta, gamma, theta, vega, rho, greeks_source)
       VALUES (:portfolio, :symbol, :now, :quantity, :entry_price, :underlying_price, :iv, :delta, :gamma, :theta, :vega, :rho, :greeks_source)`,
      {portfolio, symbol: p.symbol, now, quantity: p.quantity, entry_price: p.entryPrice, underlying_price: p.underlyingPrice, iv: p.iv,
        delta: g?.delta ?? null, gamma: g?.gamma ?? null, theta: g?.theta ?? null, vega: g?.vega ?? null, rho: g?.rho ?? null, greeks_source: p.greeksSource},
    )
  }
  db.run('DELETE FROM entry_greeks WHERE portfolio = :portfolio AND symbol NOT IN (SELECT symbol FROM positions WHERE portfolio = :portfolio)', {portfolio})
}

function referenceLastPrices(db: Db): Map<string, {price: number; at: string}> {
  const out = new Map<string, {price: number; at: string}>()
  const rows = db.all<{underlying: string; price: number; at: string}>(
    `SELECT underlying, underlying_price AS price, underlying_price_at AS at FROM positions WHERE underlying_price IS NOT NULL
     ORDER BY underlying_price_at, CASE underlying_price_source WHEN 'feed' THEN 3 WHEN 'broker' THEN 2 WHEN 'file' THEN 2 WHEN 'quotes' THEN 1 ELSE 0 END`,
  )
  for (const r of rows) out.set(r.underlying, {price: r.price, at: r.at})
  return out
}

/** Positions covering every column shape: options and stock, unknowns, integers, -0, tiny and huge numbers, text with quotes and non-ASCII. */
function book(): Position[] {
  const out: Position[] = []
  const sources = ['feed', 'file', 'quotes', 'last', 'broker'] as const
  for (let i = 0; i < 60; i++) {
    const option = i % 3 !== 0
    out.push({
      symbol: option ? `XYZ 2027-0${1 + (i % 9)}-15 ${100 + i}${i % 2 ? 'C' : 'P'}` : `STK${i}`,
      brokerSymbol: i % 7 === 0 ? `B'${i}` : `-XYZ${i}`,
      instrumentType: option ? 'equity_option' : 'equity',
      underlying: ['XYZ', 'ABC', 'Ünï "q"'][i % 3],
      quantity: i % 4 === 0 ? -0 : i % 2 ? i : -i * 1.5,
      multiplier: option ? 100 : 1,
      entryPrice: i % 5 === 0 ? null : 1 / (i + 3),
      markPrice: i % 11 === 0 ? null : 2 ** 40 + i / 7,
      previousClose: i % 6 === 0 ? undefined : i * 0.1,
      currency: i % 8 === 0 ? 'INR' : 'USD',
      option: option ? {expiry: `2027-0${1 + (i % 9)}-15`, strike: 100 + i + (i % 2) * 0.5, right: i % 2 ? 'call' : 'put', style: i % 4 ? 'american' : 'european'} : undefined,
      underlyingPrice: i % 13 === 0 ? null : 150 + i * 1e-9,
      underlyingPriceSource: sources[i % 5],
      underlyingPriceAsOf: i % 2 ? `2026-11-${10 + (i % 3)}T21:00:00.000Z` : undefined,
      iv: option ? 0.2 + i * 1e-12 : null,
      greeks: i % 9 === 0 ? null : {delta: -0.5 + i / 100, gamma: 1e-300 * i, theta: -i, vega: i / 3, rho: 0},
      greeksSource: i % 9 === 0 ? 'none' : 'model',
      greeksNote: i % 9 === 0 ? `no "mark" for ${i} → ?` : undefined,
      markAsOf: i % 3 ? '2026-11-30T20:00:00.000Z' : undefined,
      markSource: i % 3 ? 'file' : undefined,
    } as unknown as Position)
  }
  return out
}

const dump = (db: Db) => ({
  positions: db.all('SELECT *, typeof(quantity) AS tq, typeof(strike) AS ts, typeof(delta) AS td FROM positions ORDER BY rowid'),
  entry: db.all('SELECT *, typeof(quantity) AS tq FROM entry_greeks ORDER BY rowid'),
})

describe('store write path', () => {
  it('the positional bulk insert stores every column exactly as the named-parameter insert did (types included), twice over', async () => {
    const positions = book()
    const ours = join(dir, 'ours.sqlite')
    const ref = join(dir, 'ref.sqlite')
    for (const [file, replace] of [[ours, repo.replacePositions], [ref, referenceReplacePositions]] as const) {
      await writeDb(file, (db) => replace(db, 'p', positions, NOW))
      // a re-sync with one position gone and the others changed: entry Greeks kept for the survivors only
      await writeDb(file, (db) => replace(db, 'p', positions.slice(1).map((p) => ({...p, markPrice: 3})), '2026-12-02T15:00:00.000Z'))
    }
    const a = await readDb(ours, dump)
    const b = await readDb(ref, dump)
    expect(a.positions).toHaveLength(59)
    expect(a.entry).toHaveLength(59)
    expect(a).toEqual(b)
    // and the values read back are the numbers written
    const p7 = positions[7]
    const row = a.positions.find((r) => r.symbol === p7.symbol)!
    expect([row.quantity, row.entry_price, row.mark_price, row.underlying_price, row.delta]).toEqual([p7.quantity, p7.entryPrice, 3, p7.underlyingPrice, p7.greeks!.delta])
  })

  it('last underlying prices: the latest row per underlying, feed over file over quotes over last, then the last written (as the row-by-row loop chose)', async () => {
    const file = join(dir, 'prices.sqlite')
    const mk = (symbol: string, underlying: string, price: number | null, source: string, at: string | undefined) =>
      ({...book()[1], symbol, underlying, underlyingPrice: price, underlyingPriceSource: source, underlyingPriceAsOf: at}) as unknown as Position
    const t1 = '2026-11-30T21:00:00.000Z'
    const t2 = '2026-12-01T21:00:00.000Z'
    await writeDb(file, (db) => {
      repo.replacePositions(db, 'a', [mk('A1', 'AAA', 10, 'file', t2), mk('A2', 'AAA', 11, 'quotes', t2), mk('A3', 'AAA', 9, 'feed', t1), mk('B1', 'BBB', 20, 'last', t1), mk('C1', 'CCC', null, 'file', t2)], NOW)
      // ties on time and rank: the row written last wins
      repo.replacePositions(db, 'b', [mk('B2', 'BBB', 21, 'file', t2), mk('B3', 'BBB', 22, 'broker', t2), mk('D1', 'DDD', 40, 'quotes', undefined), mk('D2', 'DDD', 41, 'quotes', undefined)], NOW)
    })
    const [ours, ref] = await readDb(file, (db) => [repo.lastUnderlyingPrices(db), referenceLastPrices(db)])
    expect(Object.fromEntries(ours)).toEqual(Object.fromEntries(ref))
    expect(Object.fromEntries(ours)).toEqual({AAA: {price: 10, at: t2}, BBB: {price: 22, at: t2}, DDD: {price: 41, at: NOW}})
  })

  it('with the journal in memory, a savepoint still rolls back and a failed write leaves the file byte-identical', async () => {
    const file = join(dir, 'rollback.sqlite')
    const positions = book()
    await writeDb(file, (db) => repo.replacePositions(db, 'p', positions.slice(0, 10), NOW))
    await writeDb(file, (db) => {
      db.run('SAVEPOINT portfolio')
      repo.replacePositions(db, 'p', positions, NOW)
      db.run('ROLLBACK TO portfolio')
      db.run('RELEASE portfolio')
      repo.replacePositions(db, 'q', positions.slice(0, 3), NOW)
    })
    expect(await readDb(file, (db) => db.all('SELECT portfolio, count(*) AS n FROM positions GROUP BY portfolio ORDER BY portfolio'))).toEqual([{portfolio: 'p', n: 10}, {portfolio: 'q', n: 3}])
    const before = readFileSync(file)
    await expect(writeDb(file, (db) => {
      repo.replacePositions(db, 'p', positions, NOW)
      throw new Error('broker went away')
    })).rejects.toThrow('broker went away')
    expect(readFileSync(file).equals(before)).toBe(true)
  })
})
