/*
 * File safety of the storage engine: --db must be a regular file or nothing (devices, FIFOs and
 * sockets are refused before anything opens them), a read-only file is refused for writes, a waiter
 * says whose lock it waits for, and a killed writer's temp files go with the next write.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {StoreError} from '../../src/core/errors.js'
import {readDb, writeDb} from '../../src/core/store/database.js'
import {readHistory, writeHistory} from '../../src/core/store/history.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cotrader-safety-'))
})
afterEach(() => {
  rmSync(dir, {recursive: true, force: true})
})

const insert = (file: string, tag = 'p') =>
  writeDb(file, (db) => db.run("INSERT INTO sync_runs (portfolio, started_at, finished_at, status) VALUES (?, 'a', 'b', 'ok')", [tag]), {lockRetries: 3})

async function storeError(p: Promise<unknown>): Promise<StoreError> {
  try {
    await p
  } catch (error) {
    expect(error).toBeInstanceOf(StoreError)
    expect((error as StoreError).exitCode).toBe(2)
    return error as StoreError
  }
  throw new Error('expected a StoreError')
}

describe('--db must be a regular file or not exist', () => {
  it('a FIFO is refused for reads and writes (no hang), and stays a FIFO', async () => {
    const fifo = join(dir, 'book.sqlite')
    execFileSync('mkfifo', [fifo])
    expect((await storeError(readDb(fifo, () => 1))).message).toMatch(/book\.sqlite is a FIFO \(named pipe\), not a cotrader database file; it was left as it is/)
    expect((await storeError(insert(fifo))).message).toMatch(/is a FIFO/)
    expect(lstatSync(fifo).isFIFO()).toBe(true)
    expect(readdirSync(dir)).toEqual(['book.sqlite']) // no lock, no temp file
  })

  it('the snapshot history of a FIFO path is refused too, and no .history directory appears next to it', async () => {
    const fifo = join(dir, 'book.sqlite')
    execFileSync('mkfifo', [fifo])
    expect((await storeError(readHistory(fifo, () => 1))).message).toMatch(/is a FIFO/)
    expect((await storeError(writeHistory(fifo, [2026], () => 1))).message).toMatch(/is a FIFO/)
    expect(readdirSync(dir)).toEqual(['book.sqlite'])
  })

  it('/dev/null (a character device) is refused before anything is written to it or next to it', async () => {
    const before = statSync('/dev/null')
    expect((await storeError(insert('/dev/null'))).message).toBe('/dev/null is a character device, not a cotrader database file; it was left as it is. Point --db at a regular file (or a path that does not exist yet).')
    expect((await storeError(readDb('/dev/null', () => 1))).message).toMatch(/character device/)
    const after = statSync('/dev/null')
    expect(after.isCharacterDevice()).toBe(true)
    expect([after.ino, after.rdev]).toEqual([before.ino, before.rdev])
    expect(existsSync('/dev/null.lock')).toBe(false)
  })

  it('a symlink to a device is followed and refused', async () => {
    const link = join(dir, 'link.sqlite')
    execFileSync('ln', ['-s', '/dev/null', link])
    expect((await storeError(insert(link))).message).toMatch(/character device/)
    expect(lstatSync(link).isSymbolicLink()).toBe(true)
  })
})

describe('a read-only database', () => {
  it('is refused for writes with a message that says so, byte-identical afterwards; reads still work', async () => {
    const file = join(dir, 'book.sqlite')
    await insert(file)
    chmodSync(file, 0o444)
    const bytes = readFileSync(file)
    expect((await storeError(insert(file))).message).toMatch(/book\.sqlite is read-only, so cotrader will not write to it \(nothing was changed\)/)
    expect(readFileSync(file).equals(bytes)).toBe(true)
    expect(statSync(file).mode & 0o777).toBe(0o444)
    expect(await readDb(file, (db) => db.get<{n: number}>('SELECT count(*) AS n FROM sync_runs')!.n)).toBe(1)
  })
})

describe('waiting for the lock', () => {
  /** A lock left by a writer: the lock directory (fresh, so not stale yet) and its pid file. */
  function leaveLock(file: string, pid: number): void {
    mkdirSync(`${file}.lock`)
    writeFileSync(`${file}.lock.pid`, String(pid))
  }

  it('names the pid of a crashed holder, and says it is no longer running', async () => {
    const file = join(dir, 'book.sqlite')
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!
    leaveLock(file, dead)
    const told: string[] = []
    const e = await storeError(writeDb(file, () => undefined, {lockRetries: 2, lockNoticeMs: 0, onLockWait: (m) => told.push(m)}))
    expect(told).toEqual([`waiting for the lock on ${file} held by pid ${dead}, which is no longer running (a crashed writer; its lock counts as stale 10 s after its last update and is then taken over) …`])
    expect(e.message).toMatch(new RegExp(`database is busy \\(locked by pid ${dead}, which is no longer running`))
  })

  it('names a live holder’s pid', async () => {
    const file = join(dir, 'book.sqlite')
    leaveLock(file, process.pid)
    const told: string[] = []
    await storeError(writeDb(file, () => undefined, {lockRetries: 1, lockNoticeMs: 0, onLockWait: (m) => told.push(m)}))
    expect(told).toEqual([`waiting for the lock on ${file} held by pid ${process.pid} …`])
  })

  it('says nothing when the lock comes at once, and leaves no pid file behind', async () => {
    const file = join(dir, 'book.sqlite')
    const told: string[] = []
    await writeDb(file, (db) => db.run("INSERT INTO sync_runs (portfolio, started_at, finished_at, status) VALUES ('p', 'a', 'b', 'ok')"), {lockNoticeMs: 0, onLockWait: (m) => told.push(m)})
    expect(told).toEqual([])
    expect(readdirSync(dir).sort()).toEqual(['book.sqlite'])
  })
})

describe('a killed writer', () => {
  it('leaves temp files and a pid file that the next write cleans up', async () => {
    const file = join(dir, 'book.sqlite')
    await insert(file)
    writeFileSync(`${file}.tmp-4242-abcdefgh`, 'half a database')
    writeFileSync(`${file}.lock.pid`, '4242')
    await insert(file, 'q')
    expect(readdirSync(dir).sort()).toEqual(['book.sqlite'])
    expect(await readDb(file, (db) => db.all<{portfolio: string}>('SELECT portfolio FROM sync_runs ORDER BY id').map((r) => r.portfolio))).toEqual(['p', 'q'])
  })
})
