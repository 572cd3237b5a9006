/*
 * How events are written (store/ledger.ts appendEvents, migration 14): values shared by a whole append
 * go into the INSERT as literals, NULLs are never bound, a large append builds the (portfolio, key)
 * index once at the end, and a file from before migration 14 keeps its events, ids and links.
 */
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import initSqlJs from 'sql.js'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {NO_FEES, withContentKeys, type EventDraft} from '../../src/core/domain/ledger/events.js'
import {readDb, writeDb, type Db} from '../../src/core/store/database.js'
import {MIGRATIONS} from '../../src/core/store/migrations.js'
import {addLink, appendEvents, loadEvents, loadLinks} from '../../src/core/store/ledger.js'

let dir: string
let file: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cotrader-ledger-bulk-'))
  file = join(dir, 'db.sqlite')
})
afterEach(() => rmSync(dir, {recursive: true, force: true}))

function fill(n: number, over: Partial<EventDraft> = {}): Omit<EventDraft, 'key'> {
  const at = new Date(Date.UTC(2026, 0, 5, 15) + n * 1000).toISOString()
  return {
    portfolio: 'fid', account: 'X1', source: 'file', sourceRef: `a.csv:${n + 2}`, brokerId: `T${n}`, kind: 'trade', provisional: false, at, timeKnown: true,
    tradeDate: at.slice(0, 10), symbol: 'AAPL', brokerSymbol: 'AAPL', instrumentType: 'equity', underlying: 'AAPL', quantity: n % 2 ? -10 : 10, price: 200 + n / 100,
    multiplier: 1, currency: 'USD', amount: null, fees: NO_FEES, orderId: null, positionEffect: null, description: `fill ${n}`, brokerRealizedPnl: null, ...over,
  }
}

const keyIndex = (db: Db) => db.all<{name: string}>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ledger_events'").map((r) => r.name)

describe('appending events', () => {
  it('a large append into an empty ledger: ids in order, the key index built again, duplicates refused by it and by the next append', async () => {
    const rows = withContentKeys(Array.from({length: 1500}, (_, n) => fill(n)))
    const r = await writeDb(file, (db) => appendEvents(db, rows, '2026-12-07T00:00:00.000Z'))
    expect(r.added).toEqual(Array.from({length: 1500}, (_, n) => n + 1))
    await readDb(file, (db) => {
      expect(keyIndex(db)).toEqual(['ledger_events_key'])
      const back = loadEvents(db)
      expect(back).toHaveLength(1500)
      expect(back[1499]).toMatchObject({id: 1500, key: 'id:T1499', quantity: -10, price: 214.99, description: 'fill 1499', amount: null, orderId: null, recordedAt: '2026-12-07T00:00:00.000Z'})
    })
    const again = await writeDb(file, (db) => appendEvents(db, rows, '2026-12-08T00:00:00.000Z'))
    expect(again).toEqual({added: [], duplicates: 1500, conflicts: []})
    // A small append into the big table keeps the index as it is; the ids go on from the largest.
    const more = await writeDb(file, (db) => appendEvents(db, withContentKeys([fill(1500), fill(1501)]), 'later'))
    expect(more.added).toEqual([1501, 1502])
    // The index is the idempotence's last line: a second row under a stored key fails the statement.
    await expect(
      writeDb(file, (db) => db.run("INSERT INTO ledger_events (portfolio, source, key, kind, at, trade_date, currency, description, recorded_at) VALUES ('fid', 'file', 'id:T7', 'trade', 'a', 'b', 'USD', 'x', 'y')")),
    ).rejects.toThrow(/UNIQUE constraint failed/)
  })

  it('values shared by every row (quotes, a NUL, NULLs in some rows) round-trip exactly', async () => {
    const rows = withContentKeys([
      fill(0, {portfolio: "o'neil", account: "X'1; --", description: 'same', currency: 'USD'}),
      fill(1, {portfolio: "o'neil", account: null, description: 'same', orderId: 'O1'}),
      fill(2, {portfolio: "o'neil", account: 'a\u0000b', description: 'same', fees: {...NO_FEES, commission: 0.65}}),
    ])
    const nul = withContentKeys([fill(3, {portfolio: 'nul', account: 'a\u0000b'}), fill(4, {portfolio: 'nul', account: 'a\u0000b'})])
    await writeDb(file, (db) => {
      appendEvents(db, rows, "it's now")
      appendEvents(db, nul, 'now')
    })
    const back = await readDb(file, (db) => loadEvents(db))
    expect(back.map((e) => [e.portfolio, e.account, e.description, e.orderId, e.fees.commission, e.recordedAt])).toEqual([
      ["o'neil", "X'1; --", 'same', null, null, "it's now"],
      ["o'neil", null, 'same', 'O1', null, "it's now"],
      ["o'neil", 'a\u0000b', 'same', null, 0.65, "it's now"],
      ['nul', 'a\u0000b', 'fill 3', null, null, 'now'],
      ['nul', 'a\u0000b', 'fill 4', null, null, 'now'],
    ])
  })

  it('migration 14 keeps the events, their ids and links of an older file; new ids follow the largest', async () => {
    const wasm = readFileSync(join(__dirname, '..', '..', 'node_modules', 'sql.js', 'dist', 'sql-wasm.wasm'))
    const SQL = await initSqlJs({wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer})
    const old = new SQL.Database()
    old.exec('PRAGMA auto_vacuum = FULL')
    for (const m of MIGRATIONS.filter((m) => m.version < 14)) old.exec(m.sql)
    old.exec('PRAGMA user_version = 13')
    const ins = (id: number, key: string, qty: number) =>
      old.run(
        `INSERT INTO ledger_events (id, portfolio, source, key, kind, at, trade_date, symbol, quantity, price, multiplier, currency, description, recorded_at)
         VALUES (?, 'fid', 'file', ?, 'trade', ?, '2026-01-05', 'AAPL', ?, 200, 1, 'USD', 'old', 'then')`,
        [id, key, `2026-01-05T15:00:0${id % 10}.000Z`, qty],
      )
    ins(5, 'id:A', 10)
    ins(9, 'id:B', -4)
    old.run("INSERT INTO ledger_links (from_id, to_id, kind, at) VALUES (9, 5, 'roll', 'then')")
    writeFileSync(file, old.export())
    old.close()

    const r = await writeDb(file, (db) => {
      expect(keyIndex(db)).toEqual(['ledger_events_key'])
      const added = appendEvents(db, withContentKeys([fill(0, {brokerId: 'C'}), fill(1, {brokerId: 'A', quantity: 10, price: 200, at: '2026-01-05T15:00:05.000Z', description: 'old'})]), 'now')
      addLink(db, added.added[0], 5, 'roll', 'now')
      return added
    })
    // id:A is the stored event again (same content): a duplicate, not a new row.
    expect(r).toMatchObject({added: [10], duplicates: 1, conflicts: []})
    const back = await readDb(file, (db) => ({events: loadEvents(db).map((e) => [e.id, e.key, e.quantity]), links: loadLinks(db).map((l) => [l.from, l.to, l.kind])}))
    expect(back.events).toEqual([[10, 'id:C', 10], [5, 'id:A', 10], [9, 'id:B', -4]]) // in time order
    expect(back.links).toEqual([[10, 5, 'roll'], [9, 5, 'roll']]) // by the time recorded: 'now' < 'then'
  })
})
