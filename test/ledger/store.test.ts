/* The ledger's store: idempotent appends by (portfolio, key), conflicts returned not written, occurrence keys. */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {NO_FEES, withContentKeys, type EventDraft} from '../../src/core/domain/ledger/events.js'
import {readDb, writeDb} from '../../src/core/store/database.js'
import {addLink, appendEvents, loadEvents, loadLinks} from '../../src/core/store/ledger.js'

let dir: string
let file: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cotrader-ledger-'))
  file = join(dir, 'db.sqlite')
})
afterEach(() => rmSync(dir, {recursive: true, force: true}))

function fill(over: Partial<EventDraft> = {}): Omit<EventDraft, 'key'> {
  return {
    portfolio: 'fid', account: 'X1', source: 'file', sourceRef: 'a.csv:3', brokerId: null, kind: 'trade', provisional: false, at: '2026-11-02T14:31:05.000Z', timeKnown: true,
    tradeDate: '2026-11-02', symbol: 'AAPL', brokerSymbol: 'AAPL', instrumentType: 'equity', underlying: 'AAPL', quantity: 10, price: 200.5, multiplier: 1, currency: 'USD',
    amount: -2005, fees: NO_FEES, orderId: null, positionEffect: 'open', description: 'YOU BOUGHT', brokerRealizedPnl: null, ...over,
  }
}

describe('ledger store', () => {
  it('two identical fills in one second stay two; the same file twice adds nothing', async () => {
    const rows = withContentKeys([fill(), fill()])
    expect(rows[0].key).not.toBe(rows[1].key)
    const first = await writeDb(file, (db) => appendEvents(db, rows, '2026-12-07T00:00:00Z'))
    expect(first.added).toHaveLength(2)
    const second = await writeDb(file, (db) => appendEvents(db, rows, '2026-12-07T00:01:00Z'))
    expect(second).toEqual({added: [], duplicates: 2, conflicts: []})
    expect(await readDb(file, (db) => loadEvents(db))).toHaveLength(2)
  })

  it('a broker id stored with other content is a conflict naming both, not written', async () => {
    const [a] = withContentKeys([fill({brokerId: '77'})])
    const [b] = withContentKeys([fill({brokerId: '77', quantity: 11})])
    expect(a.key).toBe('id:77')
    await writeDb(file, (db) => appendEvents(db, [a], 'now'))
    const r = await writeDb(file, (db) => appendEvents(db, [b], 'now'))
    expect(r.added).toEqual([])
    expect(r.conflicts).toHaveLength(1)
    expect(r.conflicts[0].stored.quantity).toBe(10)
    expect(r.conflicts[0].incoming.quantity).toBe(11)
  })

  it('one id twice in one call: the same content is a duplicate, other content a conflict naming the row stored earlier in the call', async () => {
    const rows = withContentKeys([fill({brokerId: '5'}), fill({brokerId: '5', sourceRef: 'a.csv:4'}), fill({brokerId: '5', sourceRef: 'a.csv:5', price: 201})])
    const r = await writeDb(file, (db) => appendEvents(db, rows, 'now'))
    expect(r.added).toHaveLength(1)
    expect(r.duplicates).toBe(1)
    expect(r.conflicts).toHaveLength(1)
    expect(r.conflicts[0]).toMatchObject({key: 'id:5', stored: {id: r.added[0], sourceRef: 'a.csv:3', price: 200.5}, incoming: {sourceRef: 'a.csv:5', price: 201}})
  })

  it('a re-import compares numbers as stored: a price within 1e-9 is the same event, one cent off a conflict', async () => {
    const [a] = withContentKeys([fill({brokerId: '8', price: 0.1 + 0.2})])
    await writeDb(file, (db) => appendEvents(db, [a], 'now'))
    const again = await writeDb(file, (db) => appendEvents(db, withContentKeys([fill({brokerId: '8', price: 0.3})]), 'now'))
    expect(again).toEqual({added: [], duplicates: 1, conflicts: []})
    const off = await writeDb(file, (db) => appendEvents(db, withContentKeys([fill({brokerId: '8', price: 0.31})]), 'now'))
    expect(off.conflicts.map((c) => [c.stored.price, c.incoming.price])).toEqual([[0.1 + 0.2, 0.31]])
  })

  it('round-trips every field, filters, and keeps links', async () => {
    const ev = withContentKeys([
      fill({kind: 'split', symbol: 'XYZ', underlying: 'XYZ', quantity: 50, price: null, amount: null, ratio: {from: 2, to: 3}, tradeDate: '2026-11-05', at: '2026-11-05T05:00:00.000Z', timeKnown: false}),
      fill({portfolio: 'tt', symbol: 'AAPL 2026-12-18 200P', instrumentType: 'equity_option', option: {expiry: '2026-12-18', strike: 200, right: 'put', style: 'american'}, quantity: -1, price: 3.1, multiplier: 100, fees: {...NO_FEES, commission: 1, regulatory: 0.04}}),
    ])
    const ids = await writeDb(file, (db) => {
      const r = appendEvents(db, ev, 'now')
      addLink(db, r.added[0], r.added[1], 'roll', 'now')
      addLink(db, r.added[0], r.added[1], 'roll', 'later')
      return r.added
    })
    const all = await readDb(file, (db) => ({events: loadEvents(db), tt: loadEvents(db, {portfolio: 'tt'}), links: loadLinks(db), splits: loadEvents(db, {kind: 'split', since: '2026-11-03'})}))
    expect(all.events.map((e) => e.id)).toEqual([ids[1], ids[0]]) // time order
    expect(all.tt[0]).toMatchObject({option: {expiry: '2026-12-18', strike: 200, right: 'put', style: 'american'}, fees: {commission: 1, regulatory: 0.04, clearing: null}})
    expect(all.splits[0]).toMatchObject({ratio: {from: 2, to: 3}, timeKnown: false, price: null})
    expect(all.links).toEqual([{from: ids[0], to: ids[1], kind: 'roll', at: 'now'}])
  })

  it("text with quotes and a NUL, and extreme numbers, round-trip through the multi-row insert; ids follow the order given", async () => {
    const rows = withContentKeys([
      fill({description: "O'Brien's \"fill\"; DROP TABLE x --"}),
      fill({description: 'a\u0000b', quantity: 1e-7, at: '2026-11-02T14:31:06.000Z'}),
      fill({description: 'last', price: 123456789.123456, at: '2026-11-02T14:31:07.000Z'}),
    ])
    const r = await writeDb(file, (db) => appendEvents(db, rows, 'now'))
    const back = await readDb(file, (db) => loadEvents(db))
    expect(back.map((e) => e.id)).toEqual(r.added)
    expect(back.map((e) => e.description)).toEqual(["O'Brien's \"fill\"; DROP TABLE x --", 'a\u0000b', 'last'])
    expect(back[1].quantity).toBe(1e-7)
    expect(back[2].price).toBe(123456789.123456)
  })
})
