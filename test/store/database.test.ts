/*
 * The storage engine against real files in temp dirs, no mocks. Multi-process cases spawn `node
 * test/store/helper.mjs`, which runs the compiled engine from dist/ (npm test builds it first); in-process
 * cases use the source.
 */
import {spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, utimesSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {basename, dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import lockfile from 'proper-lockfile'
import initSqlJs from 'sql.js'
import {afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {StoreError} from '../../src/core/errors.js'
import {allowCreatingDirectory, readDb, SCHEMA_VERSION, writeDb, type Db} from '../../src/core/store/database.js'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..')
const HELPER = join(here, 'helper.mjs')
const DIST_ENGINE = join(root, 'dist', 'core', 'store', 'database.js')

// The child processes run dist/, so it must exist and be at least as new as the engine's sources.
beforeAll(() => {
  if (!existsSync(DIST_ENGINE)) {
    throw new Error(`${DIST_ENGINE} is missing: build first (npx tsc -p tsconfig.build.json; npm test does it)`)
  }
  for (const src of ['database.ts', 'migrations.ts']) {
    if (statSync(join(root, 'src', 'core', 'store', src)).mtimeMs > statSync(DIST_ENGINE).mtimeMs + 1000) {
      throw new Error(`dist/ is older than src/core/store/${src}: rebuild (npx tsc -p tsconfig.build.json) so the child processes test the current engine`)
    }
  }
})

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cotrader-db-'))
})
afterEach(() => {
  rmSync(dir, {recursive: true, force: true})
})

// ------------------------------------------------------------------------------------------- helpers

interface ChildResult {
  code: number | null
  stdout: string
  stderr: string
}

function runHelper(args: string[], onLine?: (line: string) => void): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HELPER, ...args], {stdio: ['ignore', 'pipe', 'pipe']})
    // Never leave a child behind (e.g. if dist/ is rebuilt under it); the test then fails on its exit code.
    const killer = setTimeout(() => child.kill('SIGKILL'), 50_000)
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
      if (onLine) for (const line of chunk.split('\n')) if (line) onLine(line)
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(killer)
      resolve({code, stdout, stderr})
    })
  })
}

function expectOk(result: ChildResult): void {
  // A writer that waits over a second for the lock says so on stderr (by design); nothing else may appear.
  const stderr = result.stderr.replace(/^waiting for the lock on .* held by (pid \d+|another cotrader process) …\n/gm, '')
  expect(stderr, result.stderr).toBe('')
  expect(result.code).toBe(0)
}

const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex')

/** Everything in the directory except the db itself: temp files and lock dirs must not linger. */
const leftovers = (file: string): string[] => readdirSync(dirname(file)).filter((n) => n !== basename(file))

const count = (db: Db, table = 'sync_runs'): number => Number(db.get<{n: number}>(`SELECT count(*) AS n FROM ${table}`)?.n)

function insertRun(db: Db, tag = 'p'): void {
  db.run("INSERT INTO sync_runs (portfolio, started_at, finished_at, status) VALUES (:tag, 'a', 'b', 'ok')", {tag})
}

async function rawSql() {
  const wasm = readFileSync(join(root, 'node_modules', 'sql.js', 'dist', 'sql-wasm.wasm'))
  return initSqlJs({wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer})
}

// --------------------------------------------------------------------------------------------- basics

describe('create, read, persist', () => {
  it('creates the file (and, in the default data directory only, missing parent directories) on the first write, migrated and marked', async () => {
    const file = join(dir, 'a', 'b', 'cotrader.db')
    // The write gate: a missing directory is refused, named, and not created …
    await expect(writeDb(file, (db) => insertRun(db))).rejects.toThrow(`the directory ${join(dir, 'a', 'b')} does not exist, so the database ${file} was not created (nothing was written)`)
    expect(existsSync(join(dir, 'a'))).toBe(false)
    // … unless it is the default data directory (cli/io.ts dbPathFor allows it).
    allowCreatingDirectory(join(dir, 'a', 'b'))
    await writeDb(file, (db) => insertRun(db))
    expect(readFileSync(file).subarray(0, 16).toString('latin1')).toBe('SQLite format 3\0')
    const info = await readDb(file, (db) => ({
      version: db.get<{user_version: number}>('PRAGMA user_version')?.user_version,
      app: db.get<{value: string}>("SELECT value FROM meta WHERE key = 'application'")?.value,
      rows: count(db),
      tables: db.all<{name: string}>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").map((r) => r.name),
    }))
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(1)
    expect(info).toEqual({
      version: SCHEMA_VERSION,
      app: 'cotrader',
      rows: 1,
      // daily snapshots live in the per-year history files (store/history.ts), not here
      tables: ['alerts', 'daemon_state', 'entry_greeks', 'eod_runs', 'expiries', 'greeks_snapshots', 'ledger_events', 'ledger_links', 'meta', 'pending_settlements', 'portfolios', 'positions', 'price_history', 'proposals', 'provisional_seen', 'reconcile_status', 'rule_hits', 'sqlite_sequence', 'sync_runs', 'trades', 'var_results', 'workflow_events'],
    })
    expect(leftovers(file)).toEqual([])
  })

  it('readDb on a missing file gives an empty migrated db and creates nothing', async () => {
    const file = join(dir, 'missing', 'cotrader.db')
    const info = await readDb(file, (db) => {
      insertRun(db) // allowed in memory, never saved
      return {version: db.get<{user_version: number}>('PRAGMA user_version')?.user_version, rows: count(db), portfolios: count(db, 'portfolios')}
    })
    expect(info).toEqual({version: SCHEMA_VERSION, rows: 1, portfolios: 0})
    expect(existsSync(join(dir, 'missing'))).toBe(false)
    expect(readdirSync(dir)).toEqual([])
  })

  it('treats a zero-length file as a new database', async () => {
    const file = join(dir, 'empty.db')
    writeFileSync(file, '')
    expect(await readDb(file, (db) => count(db))).toBe(0)
    await writeDb(file, (db) => insertRun(db))
    expect(await readDb(file, (db) => count(db))).toBe(1)
  })

  it('saves with mode 0600, also replacing a file that had wider permissions', async () => {
    const file = join(dir, 'cotrader.db')
    await writeDb(file, (db) => insertRun(db))
    expect(statSync(file).mode & 0o777).toBe(0o600)
    chmodSync(file, 0o644)
    await writeDb(file, (db) => insertRun(db))
    expect(statSync(file).mode & 0o777).toBe(0o600)
  })

  it('a write that changes nothing leaves the file alone (no rewrite)', async () => {
    const file = join(dir, 'cotrader.db')
    await writeDb(file, (db) => insertRun(db))
    const before = statSync(file)
    const rows = await writeDb(file, (db) => count(db))
    expect(rows).toBe(1)
    expect(statSync(file).ino).toBe(before.ino)
    await writeDb(file, (db) => db.run("UPDATE sync_runs SET error = 'x'"))
    expect(statSync(file).ino).not.toBe(before.ino) // a real change is saved by rename
  })

  it('data persists across processes, both ways', async () => {
    const file = join(dir, 'cotrader.db')
    await writeDb(file, (db) => insertRun(db))
    let result = await runHelper(['count', file])
    expectOk(result)
    expect(JSON.parse(result.stdout)).toEqual({count: 1})
    expectOk(await runHelper(['insert', file, '3', 'child']))
    expect(await readDb(file, (db) => db.all("SELECT portfolio FROM sync_runs WHERE portfolio = 'child'").length)).toBe(3)
    result = await runHelper(['count', file])
    expect(JSON.parse(result.stdout)).toEqual({count: 4})
  }, 60_000)

  it('writes through a symlinked path instead of replacing the link', async () => {
    const real = join(dir, 'real.db')
    const link = join(dir, 'link.db')
    await writeDb(real, (db) => insertRun(db))
    symlinkSync(real, link)
    await writeDb(link, (db) => insertRun(db))
    expect(lstatSync(link).isSymbolicLink()).toBe(true)
    expect(await readDb(real, (db) => count(db))).toBe(2)
  })
})

// --------------------------------------------------------------------------------------- Db interface

describe('Db', () => {
  it('binds named params without prefix for :, $ and @, positional arrays, undefined → NULL, booleans → 0/1', async () => {
    const file = join(dir, 'cotrader.db')
    const out = await writeDb(file, (db) => {
      db.run(
        'INSERT INTO sync_runs (portfolio, started_at, finished_at, status, positions, greeks_feed, error) VALUES (:p, $s, @f, :st, :pos, :feed, :err)',
        {p: 'x', s: 's', f: 'f', st: 'ok', pos: true, feed: false, err: undefined},
      )
      const first = {id: db.lastInsertId(), changes: db.changes()}
      db.run('INSERT INTO sync_runs (portfolio, started_at, finished_at, status, positions, error) VALUES (?, ?, ?, ?, ?, ?)', ['y', 's', 'f', 'failed', 7, undefined])
      db.run("UPDATE sync_runs SET error = 'e'")
      return {first, secondId: db.lastInsertId(), updated: db.changes()}
    })
    expect(out).toEqual({first: {id: 1, changes: 1}, secondId: 2, updated: 2})
    const rows = await readDb(file, (db) => db.all('SELECT portfolio, positions, greeks_feed, greeks_model FROM sync_runs ORDER BY id'))
    expect(rows).toEqual([
      {portfolio: 'x', positions: 1, greeks_feed: 0, greeks_model: null},
      {portfolio: 'y', positions: 7, greeks_feed: null, greeks_model: null},
    ])
    expect(await readDb(file, (db) => db.get('SELECT * FROM sync_runs WHERE portfolio = :p', {p: 'nobody'}))).toBeUndefined()
  })

  it('SQL errors keep SQLite’s message and propagate; CHECK constraints are in the schema', async () => {
    const file = join(dir, 'cotrader.db')
    await expect(writeDb(file, (db) => db.run("INSERT INTO sync_runs (portfolio, started_at, finished_at, status) VALUES ('p', 'a', 'b', 'bogus')"))).rejects.toThrow(
      /CHECK constraint failed/,
    )
    expect(existsSync(file)).toBe(false)
  })

  it('refuses several statements in one call instead of silently running only the first', async () => {
    const file = join(dir, 'cotrader.db')
    await expect(
      writeDb(file, (db) => db.run("INSERT INTO meta VALUES ('a', '1'); INSERT INTO meta VALUES ('b', '2')")),
    ).rejects.toThrow(/one SQL statement per call/)
    // A trailing semicolon or comment is still one statement.
    await writeDb(file, (db) => db.run("INSERT INTO meta VALUES ('a', '1'); -- done"))
    expect(await readDb(file, (db) => db.get("SELECT value FROM meta WHERE key = 'a'"))).toEqual({value: '1'})
  })

  it('rejects an async callback instead of using the db after it is closed', async () => {
    const file = join(dir, 'cotrader.db')
    await writeDb(file, (db) => insertRun(db))
    const hash = sha(file)
    await expect(writeDb(file, async (db) => insertRun(db))).rejects.toThrow(/must be synchronous/)
    expect(sha(file)).toBe(hash)
  })
})

// ------------------------------------------------------------------------------------- atomicity

describe('atomic save', () => {
  it('a throwing fn leaves the previous file byte-identical, propagates the error, and frees the lock', async () => {
    const file = join(dir, 'cotrader.db')
    await writeDb(file, (db) => insertRun(db))
    const hash = sha(file)
    const boom = new Error('boom')
    await expect(
      writeDb(file, (db) => {
        insertRun(db)
        insertRun(db)
        throw boom
      }),
    ).rejects.toBe(boom)
    expect(sha(file)).toBe(hash)
    expect(leftovers(file)).toEqual([])
    // The lock was released: this does not wait for it.
    const started = Date.now()
    expect(await writeDb(file, (db) => count(db))).toBe(1)
    expect(Date.now() - started).toBeLessThan(1000)
  })

  it('removes temp files a crashed save left behind', async () => {
    const file = join(dir, 'cotrader.db')
    await writeDb(file, (db) => insertRun(db))
    writeFileSync(`${file}.tmp-99999-deadbeef`, 'partial')
    await writeDb(file, (db) => insertRun(db))
    expect(leftovers(file)).toEqual([])
  })

  it('a reader looping while another process writes never sees a partial file', async () => {
    const file = join(dir, 'cotrader.db')
    await writeDb(file, (db) => insertRun(db))
    const payload = 50_000 // each write grows the file by ~50 KB, so a torn read would be likely
    const writes = 40
    let done = false
    const child = runHelper(['churn', file, String(writes), String(payload)]).finally(() => (done = true))
    let reads = 0
    let last = 0
    while (!done) {
      const seen = await readDb(file, (db) => db.all<{len: number}>('SELECT length(legs_json) AS len FROM proposals'))
      expect(seen.every((r) => r.len === payload)).toBe(true)
      expect(seen.length).toBeGreaterThanOrEqual(last) // never goes back to an older (or torn) state
      last = seen.length
      reads++
      // readDb of a warm engine may complete without an I/O wait (sync file read), so yield to let the
      // child's exit event through.
      await new Promise((resolve) => setImmediate(resolve))
    }
    expectOk(await child)
    expect(await readDb(file, (db) => count(db, 'proposals'))).toBe(writes)
    expect(reads).toBeGreaterThan(5)
    expect(leftovers(file)).toEqual([])
  }, 60_000)
})

// ------------------------------------------------------------------------------------- concurrency

describe('concurrency and locking', () => {
  it('two processes inserting 50 rows each, one writeDb per row, end with exactly 100 rows', async () => {
    const file = join(dir, 'cotrader.db')
    const [a, b] = await Promise.all([runHelper(['insert', file, '50', 'A']), runHelper(['insert', file, '50', 'B'])])
    expectOk(a)
    expectOk(b)
    const rows = await readDb(file, (db) => db.all<{portfolio: string; n: number}>('SELECT portfolio, count(*) AS n FROM sync_runs GROUP BY portfolio ORDER BY portfolio'))
    expect(rows).toEqual([
      {portfolio: 'A', n: 50},
      {portfolio: 'B', n: 50},
    ])
    expect(leftovers(file)).toEqual([])
  }, 60_000)

  it('waits for a lock held by another process and succeeds after its release', async () => {
    const file = join(dir, 'cotrader.db')
    await writeDb(file, (db) => insertRun(db))
    let locked!: () => void
    const isLocked = new Promise<void>((resolve) => (locked = resolve))
    const holder = runHelper(['hold', file, '800'], (line) => line === 'locked' && locked())
    await isLocked
    const started = Date.now()
    await writeDb(file, (db) => insertRun(db))
    expect(Date.now() - started).toBeGreaterThanOrEqual(500)
    expectOk(await holder)
    expect(await readDb(file, (db) => count(db))).toBe(2)
  })

  it('gives up with "database is busy" when the lock stays held, touching nothing', async () => {
    const file = join(dir, 'cotrader.db')
    await writeDb(file, (db) => insertRun(db))
    const hash = sha(file)
    const release = await lockfile.lock(file, {realpath: false})
    try {
      const error = await writeDb(file, (db) => insertRun(db), {lockRetries: 2}).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(StoreError)
      expect((error as Error).message).toMatch(/database is busy \(locked by another cotrader process\)/)
      expect(sha(file)).toBe(hash)
    } finally {
      await release()
    }
  })

  it('breaks a stale lock (left by a crashed process)', async () => {
    const file = join(dir, 'cotrader.db')
    await writeDb(file, (db) => insertRun(db))
    mkdirSync(`${file}.lock`)
    const old = new Date(Date.now() - 60_000)
    utimesSync(`${file}.lock`, old, old)
    const started = Date.now()
    await writeDb(file, (db) => insertRun(db))
    expect(Date.now() - started).toBeLessThan(2000)
    expect(await readDb(file, (db) => count(db))).toBe(2)
    expect(existsSync(`${file}.lock`)).toBe(false)
  })
})

// ----------------------------------------------------------------------------------- unusable files

describe('files that are not usable cotrader databases are refused and never overwritten', () => {
  async function expectRefused(file: string, message: RegExp, {read = true}: {read?: boolean} = {}) {
    const hash = sha(file)
    if (read) {
      const readError = await readDb(file, (db) => count(db)).catch((e: unknown) => e)
      expect(readError).toBeInstanceOf(StoreError)
      expect((readError as Error).message).toMatch(message)
      expect((readError as Error).message).toContain(file)
    }
    let called = false
    const writeError = await writeDb(file, (db) => {
      called = true
      insertRun(db)
    }).catch((e: unknown) => e)
    expect(writeError).toBeInstanceOf(StoreError)
    expect((writeError as Error).message).toMatch(message)
    expect((writeError as Error).message).toContain(file)
    expect(called).toBe(false)
    expect(sha(file)).toBe(hash)
    expect(leftovers(file)).toEqual([])
  }

  /** A real cotrader db spanning many pages, for truncation and damage. */
  async function populated(file: string): Promise<void> {
    await writeDb(file, (db) => {
      for (let i = 0; i < 200; i++) {
        db.run("INSERT INTO proposals (source, portfolio, legs_json, status, created_at) VALUES ('user', 'p', ?, 'pending', 'now')", ['y'.repeat(500)])
      }
    })
  }

  it('random bytes', async () => {
    const file = join(dir, 'cotrader.db')
    const bytes = Buffer.alloc(8192)
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + 13) % 251
    writeFileSync(file, bytes)
    await expectRefused(file, /is not a SQLite database/)
  })

  it('a short text file', async () => {
    const file = join(dir, 'cotrader.db')
    writeFileSync(file, 'hello\n')
    await expectRefused(file, /is not a SQLite database/)
  })

  it('a truncated SQLite file (whole pages missing, a partial page, a cut header)', async () => {
    const file = join(dir, 'cotrader.db')
    await populated(file)
    const size = statSync(file).size
    truncateSync(file, Math.floor(size / 2 / 4096) * 4096)
    await expectRefused(file, /damaged \(truncated: .* but the header says \d+ pages/)
    truncateSync(file, 4096 * 3 + 100)
    await expectRefused(file, /damaged \(truncated: .* not a whole number of 4096-byte pages/)
    truncateSync(file, 50)
    await expectRefused(file, /damaged \(truncated: 50 bytes/)
  })

  it('a damaged page inside an otherwise valid file (caught by quick_check on write, by SQLite on read)', async () => {
    const file = join(dir, 'cotrader.db')
    await populated(file)
    const root = await readDb(file, (db) => db.get<{rootpage: number}>("SELECT rootpage FROM sqlite_master WHERE name = 'proposals'")?.rootpage)
    const bytes = readFileSync(file)
    bytes.fill(0xff, (root! - 1) * 4096, (root! - 1) * 4096 + 64) // garbage b-tree page header
    writeFileSync(file, bytes)
    await expectRefused(file, /damaged/, {read: false})
    // (count(*) would read the smaller proposals_status index and miss the damaged table page.)
    const readError = await readDb(file, (db) => db.all('SELECT legs_json FROM proposals')).catch((e: unknown) => e)
    expect(readError).toBeInstanceOf(StoreError)
    expect((readError as Error).message).toMatch(/damaged .*malformed/)
  })

  it('a SQLite database of another application', async () => {
    const SQL = await rawSql()
    const other = new SQL.Database()
    other.run('CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers (name) VALUES (\'ann\')')
    const file = join(dir, 'cotrader.db')
    writeFileSync(file, other.export())
    other.close()
    await expectRefused(file, /another application \(tables: customers; no cotrader marker\)/)
  })

  it('a SQLite database with a `meta` table that is not ours', async () => {
    const SQL = await rawSql()
    const other = new SQL.Database()
    other.run("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT); INSERT INTO meta VALUES ('application', 'someone-else')")
    const file = join(dir, 'cotrader.db')
    writeFileSync(file, other.export())
    other.close()
    await expectRefused(file, /another application/)
  })

  it('a file written by a newer cotrader (user_version > SCHEMA_VERSION)', async () => {
    const file = join(dir, 'cotrader.db')
    await writeDb(file, (db) => insertRun(db))
    const SQL = await rawSql()
    const db = new SQL.Database(readFileSync(file))
    db.run(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`)
    writeFileSync(file, db.export())
    db.close()
    await expectRefused(file, new RegExp(`written by a newer cotrader \\(schema version ${SCHEMA_VERSION + 1}`))
  })

  it('a directory where the file should be', async () => {
    const file = join(dir, 'cotrader.db')
    mkdirSync(file)
    await expect(readDb(file, (db) => count(db))).rejects.toThrow(StoreError)
    await expect(writeDb(file, (db) => insertRun(db))).rejects.toThrow(StoreError)
  })
})
