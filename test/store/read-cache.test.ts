/*
 * Read replay (store/read-cache.ts): answers are given again only for the very same bytes, a write makes
 * them stale, callers cannot change each other's rows, and a miss before sql.js is loaded reruns the read.
 */
import {mkdtempSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {readDb, replayRead, writeDb} from '../../src/core/store/database.js'
import {derivedRead, enableReadCache, readCacheStats, replayMiss, saveReadCache} from '../../src/core/store/read-cache.js'

let dir: string
let file: string
const rows = (db: {all<T>(sql: string, p?: unknown[]): T[]}) => db.all<{key: string; value: string}>("SELECT key, value FROM meta WHERE key LIKE 't%' ORDER BY key")

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cotrader-replay-'))
  file = join(dir, 'db.sqlite')
  await writeDb(file, (db) => db.run("INSERT INTO meta (key, value) VALUES ('t1', 'one')"))
  enableReadCache({dir: join(dir, 'cache'), buildId: 'test'})
})

afterEach(() => {
  enableReadCache(undefined)
  rmSync(dir, {recursive: true, force: true})
})

describe('read replay', () => {
  it('answers from the store for the same bytes, and only for them', async () => {
    const first = await readDb(file, rows)
    saveReadCache()
    const store = readdirSync(join(dir, 'cache')).filter((n) => n.startsWith('reads-'))
    expect(store).toHaveLength(1)
    expect(statSync(join(dir, 'cache', store[0])).mode & 0o777).toBe(0o600) // rows of the book, like the database

    const before = readCacheStats().hits
    expect(await readDb(file, rows)).toEqual(first)
    expect(readCacheStats().hits).toBe(before + 1)

    // any write replaces the file: the recorded answer is stale and never given again
    await writeDb(file, (db) => db.run("INSERT INTO meta (key, value) VALUES ('t2', 'two')"))
    const after = readCacheStats().hits
    expect(await readDb(file, rows)).toEqual([...first, {key: 't2', value: 'two'}])
    expect(readCacheStats().hits).toBe(after)
  })

  it('gives every caller fresh rows (a caller that changes its copy does not change the next answer)', async () => {
    await readDb(file, rows)
    saveReadCache()
    const a = await readDb(file, rows)
    a[0].value = 'changed'
    const b = await readDb(file, (db) => [rows(db), rows(db)])
    expect(b[0][0].value).toBe('one')
    expect(b[1][0].value).toBe('one')
  })

  it('asks sql.js for a query the store lacks, with the same parameters kept apart', async () => {
    await readDb(file, rows)
    saveReadCache()
    const q = (key: string) => readDb(file, (db) => db.get<{value: string}>('SELECT value FROM meta WHERE key = ?', [key]))
    expect(await q('t1')).toEqual({value: 'one'})
    expect(await q('nope')).toBeUndefined()
    saveReadCache()
    const before = readCacheStats().hits
    expect(await q('t1')).toEqual({value: 'one'})
    expect(await q('nope')).toBeUndefined()
    expect(readCacheStats().hits).toBe(before + 2)
  })

  it('gives blobs, integers, reals and NULL back exactly (JSON where it round-trips, v8.serialize otherwise)', async () => {
    const q = (db: {all<T>(sql: string): T[]}) => db.all<Record<string, unknown>>("SELECT x'00ff10' AS b, 9007199254740991 AS i, 0.1 + 0.2 AS r, NULL AS z, 'é – x' AS t")
    const live = await readDb(file, q)
    saveReadCache()
    const before = readCacheStats().hits
    const again = await readDb(file, q)
    expect(readCacheStats().hits).toBe(before + 1)
    expect(again).toEqual(live)
    expect(again[0].b).toBeInstanceOf(Uint8Array)
    expect(again[0].r).toBe(0.1 + 0.2)
  })

  it('a store of another build, or a copy of the file elsewhere with other bytes, is not used', async () => {
    await readDb(file, rows)
    saveReadCache()
    enableReadCache({dir: join(dir, 'cache'), buildId: 'other'})
    const before = readCacheStats().hits
    await readDb(file, rows)
    expect(readCacheStats().hits).toBe(before)
    // a file written over in place, same path: a different identity
    const other = join(dir, 'other.sqlite')
    await writeDb(other, (db) => db.run("INSERT INTO meta (key, value) VALUES ('t9', 'nine')"))
    const {readFileSync} = await import('node:fs')
    writeFileSync(file, readFileSync(other))
    expect(await readDb(file, rows)).toEqual([{key: 't9', value: 'nine'}])
  })

  it('replayRead runs the read again once sql.js is loaded when an answer was missing (even if the read swallowed the miss)', async () => {
    let calls = 0
    let missed = false
    const db = {close: () => undefined}
    const result = await replayRead(db, () => {
      calls++
      if (!missed) {
        missed = true
        try {
          throw replayMiss()
        } catch {
          return 'wrong: built on a missing answer'
        }
      }
      return 'right'
    }, 'test')
    expect(result).toBe('right')
    expect(calls).toBe(2)
  })

  it('derivedRead keeps a computed value for the same bytes and key only; without read replay it always computes', async () => {
    let computed = 0
    const count = (key: string) => (db: {all<T>(sql: string, p?: unknown[]): T[]}) =>
      derivedRead(db as never, key, () => {
        computed++
        return {n: rows(db).length, key, nested: [{x: -0}]}
      })
    expect(await readDb(file, count('a'))).toEqual({n: 1, key: 'a', nested: [{x: -0}]})
    saveReadCache()
    const again = await readDb(file, count('a'))
    expect(computed).toBe(1)
    expect(Object.is(again.nested[0].x, -0)).toBe(true) // kept exactly (v8.serialize when JSON would not give it back)
    again.n = 99 // a caller's copy: the next one gets the kept value
    expect(await readDb(file, count('a'))).toMatchObject({n: 1})
    expect(computed).toBe(1)
    await readDb(file, count('b')) // another key: computed
    expect(computed).toBe(2)

    // a write makes every kept value stale
    await writeDb(file, (db) => db.run("INSERT INTO meta (key, value) VALUES ('t2', 'two')"))
    expect(await readDb(file, count('a'))).toMatchObject({n: 2})
    expect(computed).toBe(3)

    enableReadCache(undefined)
    await readDb(file, count('a'))
    await readDb(file, count('a'))
    expect(computed).toBe(5)
  })

  it('derivedRead keeps the 8 newest values per file (a key naming a day is never asked again once it has passed)', async () => {
    let computed = 0
    const value = (key: string) => readDb(file, (db) => derivedRead(db, key, () => ++computed))
    for (let day = 1; day <= 9; day++) {
      await value(`day ${day}`)
      saveReadCache()
    }
    expect(computed).toBe(9)
    for (let day = 2; day <= 9; day++) expect(await value(`day ${day}`)).toBe(day) // kept
    expect(computed).toBe(9)
    expect(await value('day 1')).toBe(10) // the oldest was dropped: computed again
  })
})
