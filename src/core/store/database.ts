/*
 * The storage engine: one SQLite file, held entirely in memory by sql.js (WebAssembly SQLite).
 *
 * Why it looks like this (see docs/architecture.md, "Storage with sql.js"):
 * - sql.js has no file locking and no incremental writes: a command loads the whole file, works on it in
 *   memory, and (for writes) exports the whole file again. So writers serialise on a lock file, and a save
 *   is temp file + fsync + rename, which lets lock-free readers see either the old or the new file, never
 *   a torn one.
 * - One load and at most one save per command: `writeDb` takes a *synchronous* callback so nobody can do
 *   network I/O (a broker call, a quote feed) while holding the lock and the in-memory copy.
 * - Never overwrite a file we could not read: every check (header, integrity, application marker, schema
 *   version) runs before the lock holder touches anything on disk.
 * - Start-up time matters (every CLI command opens the db): sql.js and proper-lockfile are loaded lazily
 *   (first use, not import), the wasm is read from disk and compiled synchronously, and PRAGMA quick_check
 *   runs only before writes. Measured numbers are next to each choice.
 */
import {constants as fsConstants, readFileSync, statSync, accessSync, openSync, readSync, closeSync, type Stats} from 'node:fs'
import type * as FsPromises from 'node:fs/promises'
import {createRequire} from 'node:module'
import * as path from 'node:path'
import type {Database as SqlJsDatabase, SqlJsStatic, SqlValue, Statement} from 'sql.js'
import {missCount, ReplayDb, replayMiss, replayStore} from './read-cache.js'
import {StoreError} from '../errors.js'
import {mayCreateDirectory} from './gate.js'
import {MIGRATIONS, SCHEMA_VERSION, type Migration} from './migrations.js'

/** node:fs/promises on first use: only writers need it, and loading it cost every read ~3-5 ms (it pulls in streams and readline). */
const fs = (): typeof FsPromises => process.getBuiltinModule('node:fs/promises')

export {SCHEMA_VERSION}

export type SqlParams = Record<string, unknown> | unknown[]

export interface Db {
  /** Execute ONE statement; several in one string are refused (SQLite's prepare would silently drop the rest). */
  run(sql: string, params?: SqlParams): void
  all<T = Record<string, unknown>>(sql: string, params?: SqlParams): T[]
  get<T = Record<string, unknown>>(sql: string, params?: SqlParams): T | undefined
  /** Rows as arrays with the column names once: cheaper than all()'s objects for large reads (sql.js asks for the names per row). */
  table(sql: string, params?: SqlParams): {columns: string[]; rows: unknown[][]}
  /** rows changed by the last statement */
  changes(): number
  lastInsertId(): number
}

export interface WriteOptions {
  /**
   * How many times to retry taking the lock (backoff 10 ms → 100 ms, so the default 200 is ~20 s, longer
   * than the 10 s after which a crashed holder's lock counts as stale). Tests lower it to see "busy" fast.
   */
  lockRetries?: number
  /** Told once when the lock has been waited for `lockNoticeMs` (default: a line on stderr naming the holder's pid). */
  onLockWait?: (message: string) => void
  /** How long to wait for the lock before saying so (default 1000 ms; tests use 0). */
  lockNoticeMs?: number
}

const MAGIC = 'SQLite format 3\0'

/**
 * The two kinds of file cotrader writes: the main database and the per-year history files of daily
 * snapshots (store/history.ts). Each has its own marker in `meta` and its own migrations, so neither
 * is ever mistaken for (or migrated as) the other.
 */
export interface FileKind {
  /** the `meta` row `application`: the marker that proves the file is this kind */
  readonly application: string
  readonly migrations: readonly Migration[]
  /** the version a fully migrated file has */
  readonly version: number
  /** how messages call it */
  readonly noun: string
  /**
   * The file lives in a directory of its own beside the main database (the history's `<db>.history/`),
   * made on first write when the main database's directory exists.
   */
  readonly ownDirectory?: boolean
}

export const MAIN_FILE: FileKind = {application: 'cotrader', migrations: MIGRATIONS, version: SCHEMA_VERSION, noun: 'database'}
/** Markers of every kind, to name a file of the other kind in a refusal. */
const KIND_NAMES: Record<string, string> = {cotrader: 'the main cotrader database', 'cotrader-history': 'a cotrader history file (daily snapshots of one year)'}
/** A lock whose mtime is older than this is a crashed holder's; the live holder refreshes it every STALE/2. */
const LOCK_STALE_MS = 10_000
const LOCK_UPDATE_MS = 5_000
const LOCK_RETRIES = 200
const LOCK_NOTICE_MS = 1000

// ---------------------------------------------------------------------------------------------- sql.js

let sqlJsPromise: Promise<SqlJsStatic> | undefined
/** sql.js once loaded: read replay (read-cache.ts) opens a live copy synchronously with it. */
let loadedSql: SqlJsStatic | undefined

/**
 * WebAssembly tier-up. V8 first runs sql.js's wasm with its baseline compiler (Liftoff) and, once a
 * function has run enough, recompiles it with the optimising compiler on a background thread; a
 * process that is done cannot exit until those jobs finish (~100 ms measured here after a short
 * command had written its output). Short-lived commands switch tier-up off before the wasm is
 * compiled (`--wasm-tiering-budget` set very high, accepted at run time on Node 20, 22 and 24);
 * long-running ones (the daemon: `static keepWasmTierUp = true` on the command) keep the default.
 */
const NO_TIER_UP_BUDGET = 2_000_000_000
let tierUp = true

/** Call before the first database access; with `false`, sql.js runs on baseline code only. */
export function setWasmTierUp(keep: boolean): void {
  tierUp = keep
}

/** Initialise sql.js once per process; later calls share the promise (and a failure is retried next time). */
export function loadSqlJs(): Promise<SqlJsStatic> {
  sqlJsPromise ??= initSqlJs().then((SQL) => (loadedSql = SQL), (error: unknown) => {
    sqlJsPromise = undefined
    throw new Error(`cannot load sql.js: ${errorMessage(error)}`, {cause: error})
  })
  return sqlJsPromise
}

/** The WebAssembly global is in Node but not in the ES lib typings this project compiles with. */
type WasmInstance = Parameters<Parameters<EmscriptenModule['instantiateWasm']>[1]>[0]
interface WasmApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => WasmInstance
}
const wasmApi = (globalThis as unknown as {WebAssembly: WasmApi}).WebAssembly

async function initSqlJs(): Promise<SqlJsStatic> {
  const require = createRequire(import.meta.url)
  // V8 reads the flag when it compiles the module, so it is set just before; it cannot be undone later.
  if (!tierUp) (require('node:v8') as typeof import('node:v8')).setFlagsFromString(`--wasm-tiering-budget=${NO_TIER_UP_BUDGET}`)
  // Read the wasm ourselves (sql.js would otherwise locate it by guessing its script directory). A sync
  // read: 0.7 MB costs well under a millisecond, while an async read waits for a libuv thread, which was
  // measured at 3–14 ms on a busy 2-CPU machine.
  const wasm = readFileSync(require.resolve('sql.js/dist/sql-wasm.wasm'))
  // require, not import(): sql.js is CommonJS, and going through the ESM loader measured 8–13 ms against
  // ~3 ms for require on Node 20. Still lazy: this runs on first use, not when this module is imported.
  const init = require('sql.js') as typeof import('sql.js')
  return init({
    // Compile synchronously: with Node's lazy wasm compilation `new WebAssembly.Module` only validates,
    // which measured ~5–8 ms faster cold than sql.js's own async instantiate path. If this throws, sql.js
    // rejects its init promise (after logging), which loadSqlJs turns into an error.
    instantiateWasm(imports, done) {
      done(new wasmApi.Instance(new wasmApi.Module(wasm), imports))
      return undefined
    },
  })
}

// ------------------------------------------------------------------------------------------ parameters

/** sql.js binds only number/string/Uint8Array/null (and bigint); map the other JS values we allow. */
function toSqlValue(value: unknown, name: string | number): SqlValue {
  if (value === undefined || value === null) return null
  switch (typeof value) {
    case 'number':
    case 'string':
      return value
    case 'boolean':
      return value ? 1 : 0
    case 'bigint':
      // sql.js binds bigint as a 64-bit integer; its typings just do not say so.
      return value as unknown as SqlValue
    default:
      if (value instanceof Uint8Array) return value
      if (value instanceof Date) return value.toISOString()
      throw new TypeError(`cannot bind a ${Object.prototype.toString.call(value)} to SQL parameter ${name}`)
  }
}

/**
 * Named params come without prefix (`{portfolio}` for `:portfolio`); the SQL may use `:`, `$` or `@`.
 * Each key is bound under the prefixes the SQL text actually contains (every lookup is a call into the
 * wasm, so binding all three blindly tripled the cost of a bulk insert). A named parameter the object
 * lacks stays unbound, which SQLite treats as NULL (the same as passing undefined).
 */
const PREFIXES = [':', '$', '@'] as const

/** Per SQL text: each key's prefixed names as they occur in it (computed once; bulk inserts bind the same keys 20,000 times). */
const namesBySql = new Map<string, Map<string, string[]>>()

function bindParams(stmt: Statement, params: SqlParams | undefined, sql: string): void {
  if (params === undefined) return
  if (Array.isArray(params)) {
    stmt.bind(params.map((v, i) => toSqlValue(v, i + 1)))
    return
  }
  let names = namesBySql.get(sql)
  if (!names) namesBySql.set(sql, (names = new Map()))
  const bound: Record<string, SqlValue> = {}
  for (const key in params) {
    if (!Object.hasOwn(params, key)) continue
    const value = toSqlValue(params[key], key)
    let as = names.get(key)
    if (!as) {
      as = key[0] === ':' || key[0] === '$' || key[0] === '@' ? [key] : PREFIXES.filter((prefix) => sql.includes(prefix + key)).map((prefix) => prefix + key)
      names.set(key, as)
    }
    for (const name of as) bound[name] = value
  }
  stmt.bind(bound)
}

// ---------------------------------------------------------------------------------------------- errors

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function isCorruption(error: unknown): boolean {
  return /malformed|not a database|SQLITE_CORRUPT|SQLITE_NOTADB/i.test(errorMessage(error))
}

function corrupt(file: string, what: string): StoreError {
  return new StoreError(`${file}: the database is damaged (${what}). It was left as it is; restore it from a backup or move it away.`)
}

// ------------------------------------------------------------------------------------------ Db wrapper

class SqlJsDb implements Db {
  constructor(
    private readonly raw: SqlJsDatabase,
    private readonly file: string,
  ) {}

  run(sql: string, params?: SqlParams): void {
    this.withStatement(sql, params, (stmt) => {
      stmt.step()
    })
  }

  all<T = Record<string, unknown>>(sql: string, params?: SqlParams): T[] {
    return this.withStatement(sql, params, (stmt) => {
      const rows: T[] = []
      while (stmt.step()) rows.push(stmt.getAsObject() as T)
      return rows
    })
  }

  get<T = Record<string, unknown>>(sql: string, params?: SqlParams): T | undefined {
    return this.withStatement(sql, params, (stmt) => (stmt.step() ? (stmt.getAsObject() as T) : undefined))
  }

  table(sql: string, params?: SqlParams): {columns: string[]; rows: unknown[][]} {
    return this.withStatement(sql, params, (stmt) => {
      const rows: unknown[][] = []
      while (stmt.step()) rows.push(stmt.get())
      return {columns: stmt.getColumnNames(), rows}
    })
  }

  changes(): number {
    return this.raw.getRowsModified()
  }

  lastInsertId(): number {
    // A SELECT does not touch sqlite3_changes(), so this can be called between run() and changes().
    return this.withStatement('SELECT last_insert_rowid() AS id', undefined, (stmt) => {
      stmt.step()
      return Number(stmt.getAsObject().id)
    })
  }

  /** Prepared statements by SQL text, reused for the life of this handle (sql.js frees them on close). */
  private readonly statements = new Map<string, Statement>()

  private withStatement<R>(sql: string, params: SqlParams | undefined, use: (stmt: Statement) => R): R {
    let stmt: Statement | undefined
    try {
      stmt = this.statements.get(sql)
      if (!stmt) {
        stmt = this.prepareOne(sql)
        this.statements.set(sql, stmt)
      }
      bindParams(stmt, params, sql)
      return use(stmt)
    } catch (error) {
      if (error instanceof TypeError) throw error // our own usage errors, already clear
      if (isCorruption(error)) throw corrupt(this.file, errorMessage(error))
      // Keep SQLite's message first (callers match on "UNIQUE constraint failed" etc.) and add the SQL.
      throw new Error(`${errorMessage(error)} [SQL: ${sql.replace(/\s+/g, ' ').trim().slice(0, 300)}]`, {cause: error})
    } finally {
      // Reset and clear bindings: no statement stays in progress across COMMIT, and a key left out next time binds as NULL.
      stmt?.reset()
    }
  }

  /** Prepares exactly one statement: the iterator exposes the text after the first, so a second statement is an error instead of silently not running. */
  private prepareOne(sql: string): Statement {
    const statements = this.raw.iterateStatements(sql)
    try {
      const first = statements.next()
      if (first.done) throw new TypeError(`no SQL statement in ${JSON.stringify(sql)}`)
      const rest = statements.getRemainingSQL().replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, '').trim()
      if (rest !== '') throw new TypeError(`one SQL statement per call; found more after the first: ${JSON.stringify(rest.slice(0, 80))}`)
    } finally {
      // Frees the iterator's statement and its copy of the SQL (sql.js has return(); its typings omit it).
      ;(statements as unknown as {return(): unknown}).return()
    }
    return this.raw.prepare(sql)
  }
}

// ------------------------------------------------------------------------------------ reading the file

/**
 * The database path must name a regular file or nothing: a character device (`--db /dev/null`), FIFO,
 * socket or block device is refused before anything opens it (reading a FIFO blocks forever, and the
 * save's rename would replace a device node with a file). Symlinks are followed. Returns the file's
 * stats, or undefined when it does not exist.
 */
export function checkDbPath(file: string): Stats | undefined {
  let st: Stats
  try {
    st = statSync(file)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return undefined
    if (code === 'ENOTDIR') throw new StoreError(`${file}: a parent of this path is not a directory`)
    throw new StoreError(`cannot use the database path ${file}: ${errorMessage(error)}`)
  }
  if (st.isFile()) return st
  const kind = st.isDirectory() ? 'a directory' : st.isCharacterDevice() ? 'a character device' : st.isBlockDevice() ? 'a block device' : st.isFIFO() ? 'a FIFO (named pipe)' : st.isSocket() ? 'a socket' : 'not a regular file'
  throw new StoreError(`${file} is ${kind}, not a cotrader database file; it was left as it is. Point --db at a regular file (or a path that does not exist yet).`)
}

/** A write replaces the file: one the user made read-only is refused, not replaced (root included: the mode bits decide). */
function checkWritable(file: string, st: Stats): void {
  let writable = (st.mode & 0o222) !== 0
  if (writable) {
    try {
      accessSync(file, fsConstants.W_OK)
    } catch {
      writable = false
    }
  }
  if (!writable) throw new StoreError(`${file} is read-only, so cotrader will not write to it (nothing was changed). Make it writable (chmod u+w) or point --db at another file.`)
}

/**
 * The file's bytes, or undefined when there is no database yet (missing or zero-length: a zero-length file
 * holds nothing to lose, e.g. a `touch`ed path). Cheap structural checks on the header happen here, before
 * sql.js sees the bytes, so that "not SQLite" and "truncated" get precise messages.
 */
function readDbFile(file: string): Uint8Array | undefined {
  let bytes: Buffer
  try {
    // Sync on purpose, like the wasm read in initSqlJs: a CLI command has nothing to overlap it with.
    bytes = readFileSync(file)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return undefined
    if (code === 'EISDIR') throw new StoreError(`${file} is a directory, not a cotrader database file`)
    throw new StoreError(`cannot read the database ${file}: ${errorMessage(error)}`)
  }
  if (bytes.length === 0) return undefined
  checkHeader(file, bytes)
  return bytes
}

function checkHeader(file: string, bytes: Buffer): void {
  const head = bytes.subarray(0, Math.min(16, bytes.length)).toString('latin1')
  // A file shorter than the magic that matches as far as it goes is a truncated SQLite file, not a foreign one.
  if (!MAGIC.startsWith(head)) {
    throw new StoreError(`${file} is not a SQLite database (unknown file header), so it is not a cotrader database. It was left as it is; point cotrader at another file or move it away.`)
  }
  if (bytes.length < 100) throw corrupt(file, `truncated: ${bytes.length} bytes, shorter than the 100-byte SQLite header`)
  // Page size: 2 bytes big-endian at offset 16, where 1 means 65536.
  const rawPageSize = bytes.readUInt16BE(16)
  const pageSize = rawPageSize === 1 ? 65_536 : rawPageSize
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) throw corrupt(file, `invalid page size ${rawPageSize} in the header`)
  if (bytes.length % pageSize !== 0) throw corrupt(file, `truncated: ${bytes.length} bytes is not a whole number of ${pageSize}-byte pages`)
  // The in-header page count (offset 28) is trustworthy when "version-valid-for" (92) equals the change
  // counter (24); every SQLite since 3.7 maintains it, sql.js included.
  const pageCount = bytes.readUInt32BE(28)
  if (pageCount > 0 && bytes.readUInt32BE(92) === bytes.readUInt32BE(24) && bytes.length < pageCount * pageSize) {
    throw corrupt(file, `truncated: ${bytes.length} bytes but the header says ${pageCount} pages of ${pageSize} bytes`)
  }
}

function scalar(raw: SqlJsDatabase, sql: string): SqlValue | undefined {
  return raw.exec(sql)[0]?.values[0]?.[0]
}

/**
 * Open the bytes in sql.js and decide whether this is a usable cotrader database. Returns the open
 * database and its user_version; a file with no tables at all comes back as a fresh database (version 0).
 * Closes the database before throwing.
 *
 * `quickCheck` (PRAGMA quick_check) is on for writes only. Measured on Node 20 here: it adds ~4 ms to a
 * cold open even of a tiny file (compiling SQLite's checking code) and ~1 ms per MB warm (6 ms at 2 MB,
 * 20 ms at 22 MB); integrity_check is ~5× slower at size. A read cannot damage anything, the header
 * checks catch truncation, and SQLite still reports corruption on any page a read touches (turned into a
 * StoreError by SqlJsDb); a write is about to replace the file, so it must prove the file sound first.
 */
function openDatabase(SQL: SqlJsStatic, file: string, bytes: Uint8Array | undefined, quickCheck: boolean, kind: FileKind = MAIN_FILE): {raw: SqlJsDatabase; version: number} {
  if (bytes === undefined) return {raw: freshDatabase(SQL), version: 0}
  let raw: SqlJsDatabase | undefined
  try {
    raw = new SQL.Database(bytes)
    if (quickCheck) {
      const rows = raw.exec('PRAGMA quick_check(5)')[0]?.values ?? []
      const problems = rows.map((r) => String(r[0])).filter((r) => r !== 'ok')
      if (problems.length > 0 || rows.length === 0) throw corrupt(file, `integrity check: ${problems.join('; ') || 'no result'}`)
    }
    const tables = (raw.exec("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")[0]?.values ?? []).map((r) => String(r[0]))
    if (tables.length === 0) {
      // A valid SQLite file with nothing in it (e.g. made by `sqlite3 file ''`): nothing to lose, start afresh
      // so that our own settings (auto_vacuum) apply.
      raw.close()
      raw = undefined
      return {raw: freshDatabase(SQL), version: 0}
    }
    const marker = tables.includes('meta') ? scalar(raw, "SELECT value FROM meta WHERE key = 'application'") : undefined
    if (marker !== kind.application) {
      const other = typeof marker === 'string' ? KIND_NAMES[marker] : undefined
      if (other) throw new StoreError(`${file} is ${other}, not a ${kind.noun}. It was left as it is; point cotrader at the right file.`)
      const shown = tables.slice(0, 5).join(', ') + (tables.length > 5 ? ', …' : '')
      throw new StoreError(`${file} is a SQLite database of another application (tables: ${shown}; no cotrader marker). It was left as it is; point cotrader at another file.`)
    }
    const version = Number(scalar(raw, 'PRAGMA user_version') ?? 0)
    if (version > kind.version) {
      throw new StoreError(`${file} was written by a newer cotrader (schema version ${version}; this cotrader knows up to ${kind.version}). Upgrade cotrader; the file was left as it is.`)
    }
    if (version < 1) throw corrupt(file, 'it has the cotrader marker but no schema version')
    return {raw, version}
  } catch (error) {
    raw?.close()
    if (error instanceof StoreError) throw error
    // sql.js reports a damaged file lazily, on the first statement that reads the bad page.
    throw corrupt(file, errorMessage(error))
  }
}

function freshDatabase(SQL: SqlJsStatic): SqlJsDatabase {
  const raw = new SQL.Database()
  // Must be set before the first table exists. FULL gives pages freed by deletes back at commit, so the
  // file (which is rewritten whole on every save) does not keep growing with pruned history.
  raw.exec('PRAGMA auto_vacuum = FULL')
  return raw
}

/** Apply the migrations after `from`. The caller owns the transaction. */
function migrate(raw: SqlJsDatabase, file: string, from: number, kind: FileKind = MAIN_FILE): void {
  for (const m of kind.migrations) {
    if (m.version <= from) continue
    try {
      raw.exec(m.sql)
      // PRAGMA takes no bound parameters; the version is our own integer.
      raw.exec(`PRAGMA user_version = ${Math.trunc(m.version)}`)
    } catch (error) {
      throw new StoreError(`${file}: cannot upgrade the ${kind.noun} to schema version ${m.version} (${m.name}): ${errorMessage(error)}`)
    }
  }
}

/** fn must be synchronous (see the header); a Promise would run after the db is closed and the lock gone. */
export function assertSynchronous(result: unknown, where: string): void {
  if (result !== null && typeof result === 'object' && typeof (result as {then?: unknown}).then === 'function') {
    // Silence the orphaned promise's own rejection: the bug is reported by this throw.
    ;(result as Promise<unknown>).then(undefined, () => undefined)
    throw new Error(`${where}: the callback must be synchronous (it returned a Promise); do async work before or after`)
  }
}

// ----------------------------------------------------------------------------------------------- read

/**
 * Load the file (no lock), run fn, discard. A missing file gives an empty, migrated in-memory db and creates nothing.
 * With read replay on (store/read-cache.ts: the fast path's hot commands), fn gets the recorded answers for
 * these very bytes when there are any, else sql.js's, recorded.
 */
export async function readDb<T>(file: string, fn: (db: Db) => T): Promise<T> {
  const abs = path.resolve(file)
  checkDbPath(abs)
  const bytes = readDbFile(abs)
  const store = bytes === undefined ? undefined : replayStore(abs, bytes, MAIN_FILE.application)
  if (store?.matched) return replayRead(new ReplayDb(store, () => openLive(abs, bytes!, MAIN_FILE)), fn, 'readDb')
  const SQL = await loadSqlJs()
  const {raw, version} = openDatabase(SQL, abs, bytes, false)
  let db: Db = new SqlJsDb(raw, abs)
  try {
    if (version < SCHEMA_VERSION) {
      // An older (or no) file: upgrade the in-memory copy only; readers never write.
      raw.exec('BEGIN')
      migrate(raw, abs, version)
      raw.exec('COMMIT')
    } else if (store) db = ReplayDb.recording(store, {db, close: () => undefined, recordable: true})
    const result = fn(db)
    assertSynchronous(result, 'readDb')
    return result
  } finally {
    raw.close()
  }
}

/**
 * Runs a read callback on replayed answers; when one was missing before sql.js was loaded (ReplayMiss,
 * counted even if the callback swallowed it), loads sql.js and runs the callback again: the second run
 * cannot miss. Read callbacks are pure, so a second run gives the same result.
 */
export async function replayRead<D extends {close(): void}, T>(db: D, fn: (db: D) => T, where: string): Promise<T> {
  try {
    for (let attempt = 0; ; attempt++) {
      const before = missCount()
      try {
        const result = fn(db)
        assertSynchronous(result, where)
        if (attempt > 0 || missCount() === before) return result
      } catch (error) {
        if (attempt > 0 || missCount() === before) throw error
      }
      await loadSqlJs()
    }
  } finally {
    db.close()
  }
}

/** A sql.js copy of bytes already read and checked, for read replay; throws ReplayMiss while sql.js is not loaded. */
function openLive(abs: string, bytes: Uint8Array, kind: FileKind): {db: Db; close(): void; recordable: boolean} {
  if (!loadedSql) throw replayMiss()
  return openLiveWith(loadedSql, abs, bytes, kind)
}

function openLiveWith(SQL: SqlJsStatic, abs: string, bytes: Uint8Array, kind: FileKind): {db: Db; close(): void; recordable: boolean} {
  const {raw, version} = openDatabase(SQL, abs, bytes, false, kind)
  try {
    if (version < kind.version) {
      raw.exec('BEGIN')
      migrate(raw, abs, version, kind)
      raw.exec('COMMIT')
    }
  } catch (error) {
    raw.close()
    throw error
  }
  return {db: new SqlJsDb(raw, abs), close: () => raw.close(), recordable: version === kind.version}
}

/**
 * Synchronous lock-free open of one file of `kind` (sql.js already loaded: `await loadSqlJs()` first),
 * for readers that open files on demand (store/history.ts). Undefined when the file does not exist or
 * is empty; an older file is upgraded in memory only. Same checks as readDb.
 */
export function openFileForRead(SQL: SqlJsStatic | undefined, file: string, kind: FileKind): {db: Db; close(): void} | undefined {
  const abs = path.resolve(file)
  if (!checkDbPath(abs)) return undefined
  const bytes = readDbFile(abs)
  if (bytes === undefined) return undefined
  // Read replay (store/read-cache.ts): recorded answers for these bytes, else sql.js's, recorded. Without
  // sql.js loaded yet (history opened lazily under read replay) this throws ReplayMiss: see replayRead.
  const store = replayStore(abs, bytes, kind.application)
  if (store?.matched) {
    const db = new ReplayDb(store, () => openLive(abs, bytes, kind))
    return {db, close: () => db.close()}
  }
  if (!SQL && !loadedSql) throw replayMiss()
  const live = SQL ? openLiveWith(SQL, abs, bytes, kind) : openLive(abs, bytes, kind)
  if (store && live.recordable) {
    const db = ReplayDb.recording(store, live)
    return {db, close: () => db.close()}
  }
  return {db: live.db, close: live.close}
}

/** The schema version in a file's header (user_version, 4 bytes at offset 60) without loading it; undefined when there is no SQLite file. */
export function headerVersion(file: string): number | undefined {
  let fd: number | undefined
  try {
    // Regular files only: opening a FIFO would block (the callers' own checks refuse it with a message).
    if (!statSync(path.resolve(file)).isFile()) return undefined
    fd = openSync(path.resolve(file), 'r')
    const head = Buffer.alloc(100)
    if (readSync(fd, head, 0, 100, 0) < 100 || head.subarray(0, 16).toString('latin1') !== MAGIC) return undefined
    return head.readUInt32BE(60)
  } catch {
    return undefined
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

// ----------------------------------------------------------------------------------------- write gate

export {allowCreatingDirectory} from './gate.js'

/**
 * THE write gate: every write of a cotrader file passes here before anything is created, locked or
 * fetched (writeDb and beginWrite call it for each file, writeHistory for the main database first, and
 * services that do network work before their write, such as sync, approve and the daemon, call it up
 * front so nothing is fetched, sent or logged for a write that cannot happen). Refused with StoreError
 * (exit 2), nothing written anywhere:
 *  - a path that is not a regular file (device, FIFO, socket, directory);
 *  - an existing file without write permission, or in a directory that is not writable (the atomic save
 *    writes a temp file there and renames it);
 *  - a file that does not exist in a directory that does not exist, unless the directory is the default
 *    data directory (allowCreatingDirectory) or the kind's own directory beside an existing one.
 */
export function writeGate(file: string, kind: FileKind = MAIN_FILE): void {
  const abs = path.resolve(file)
  const st = checkDbPath(abs)
  const dir = path.dirname(abs)
  if (st) {
    checkWritable(abs, st)
    checkDirWritable(dir, abs, kind)
    return
  }
  let dirSt: Stats | undefined
  try {
    dirSt = statSync(dir)
  } catch {
    dirSt = undefined
  }
  if (dirSt) {
    if (!dirSt.isDirectory()) throw new StoreError(`${dir} is not a directory, so the ${kind.noun} ${abs} cannot be created there (nothing was written)`)
    checkDirWritable(dir, abs, kind)
    return
  }
  if (mayCreateDirectory(dir)) return
  if (kind.ownDirectory && existsDir(path.dirname(dir))) return checkDirWritable(path.dirname(dir), abs, kind)
  throw new StoreError(`the directory ${dir} does not exist, so the ${kind.noun} ${abs} was not created (nothing was written). Create the directory first, or point --db at a file in an existing directory.`)
}

/**
 * Whether the write gate would let a write of `file` through (no throw). For readers that store a derived
 * cache as a courtesy (services/var.ts: `risk` keeps the VaR it computed): on a file the gate refuses
 * (read-only database or directory) they compute and show it without storing, so reading never fails
 * because a cache could not be written.
 */
export function mayWrite(file: string, kind: FileKind = MAIN_FILE): boolean {
  try {
    writeGate(file, kind)
    return true
  } catch (error) {
    if (error instanceof StoreError) return false
    throw error
  }
}

function existsDir(dir: string): boolean {
  try {
    return statSync(dir).isDirectory()
  } catch {
    return false
  }
}

function checkDirWritable(dir: string, file: string, kind: FileKind): void {
  try {
    accessSync(dir, fsConstants.W_OK)
  } catch {
    throw new StoreError(`the directory ${dir} is read-only, so cotrader will not write the ${kind.noun} ${file} (nothing was changed). Make the directory writable or point --db elsewhere.`)
  }
}

// ---------------------------------------------------------------------------------------------- write

/**
 * Exclusive lock → load (or create) → migrate → BEGIN → fn → COMMIT → export → temp file + fsync + rename +
 * fsync dir → unlock (in finally). If fn throws: ROLLBACK, the file is untouched, the error propagates.
 * fn is synchronous on purpose: no network I/O while holding the lock.
 *
 * A main database from before the per-year history files first moves its daily snapshots out to them
 * (store/history.ts), under its own lock and before the migration that drops the old tables.
 */
export async function writeDb<T>(file: string, fn: (db: Db) => T, options: WriteOptions = {}): Promise<T> {
  const w = await beginWrite(file, MAIN_FILE, options, moveLegacyHistory)
  try {
    let result: T
    try {
      result = fn(w.db)
      assertSynchronous(result, 'writeDb')
      w.commit()
    } catch (error) {
      w.rollback()
      throw error
    }
    await w.save()
    return result
  } finally {
    await w.close()
  }
}

/** The first write after the upgrade to per-year history files moves the old snapshot tables out (store/history.ts). */
async function moveLegacyHistory(db: Db, target: string, version: number, options: WriteOptions): Promise<void> {
  const moved = MIGRATIONS.find((m) => m.name === LEGACY_HISTORY_MIGRATION)
  if (!moved || version >= moved.version || version === 0) return
  const {moveLegacySnapshots} = await import('./history.js')
  await moveLegacySnapshots(db, target, options)
}

/** The name of the migration that drops the snapshot tables from the main file (found by name: numbers may change at merge). */
export const LEGACY_HISTORY_MIGRATION = 'daily snapshots move to per-year history files'

/** One locked file inside a write: its database in an open transaction, then commit, save and close. */
export interface OpenWrite {
  readonly file: string
  readonly db: Db
  /** COMMIT (sql.js must commit before it can export) */
  commit(): void
  /** ROLLBACK; harmless when SQLite has already rolled back */
  rollback(): void
  /** after commit: export and save atomically if anything changed (a new file, a migration, rows, DDL) */
  save(): Promise<void>
  /** close the database and release the lock; always call, in finally */
  close(): Promise<void>
}

/**
 * Lock and open one file for writing (the first half of writeDb; store/history.ts holds several year
 * files at once). `beforeBegin` runs under the lock on the checked file, before BEGIN and the migrations.
 */
export async function beginWrite(
  file: string,
  kind: FileKind,
  options: WriteOptions = {},
  beforeBegin?: (db: Db, target: string, version: number, options: WriteOptions) => Promise<void>,
): Promise<OpenWrite> {
  const abs = path.resolve(file)
  const dir = path.dirname(abs)
  // The write gate, before creating anything (a directory, a lock file) next to it.
  writeGate(abs, kind)
  // Start sql.js while we create the directory and wait for the lock.
  const sqlJs = loadSqlJs()
  sqlJs.catch(() => undefined) // awaited below; this only avoids an unhandled rejection if locking fails first

  try {
    // 0700: the directory holds private positions.
    await fs().mkdir(dir, {recursive: true, mode: 0o700})
  } catch (error) {
    throw new StoreError(`cannot create the directory ${dir} for the ${kind.noun}: ${errorMessage(error)}`)
  }
  const target = await resolveTarget(abs)
  const lock = await acquireLock(target, options)
  let raw: SqlJsDatabase | undefined
  try {
    // Checked again under the lock: the file may have been replaced while we waited.
    const st = checkDbPath(target)
    if (st) checkWritable(target, st)
    await removeOrphanTemps(target)
    const SQL = await sqlJs
    // Always check integrity before a write: we are about to replace the file.
    const bytes = readDbFile(target)
    const opened = openDatabase(SQL, target, bytes, true, kind)
    raw = opened.raw
    const version = opened.version
    tuneForWrite(raw, bytes?.length ?? 0)
    const db = new SqlJsDb(raw, target)
    if (beforeBegin) await beforeBegin(db, target, version, options)
    const isNew = version === 0
    const changesBefore = isNew ? 0 : Number(scalar(raw, 'SELECT total_changes()'))
    const schemaBefore = isNew ? 0 : Number(scalar(raw, 'PRAGMA schema_version'))
    raw.exec('BEGIN IMMEDIATE')
    try {
      migrate(raw, target, version, kind)
    } catch (error) {
      try {
        raw.exec('ROLLBACK')
      } catch {}
      throw error
    }
    const held = raw
    let committed = false
    return {
      file: target,
      db,
      commit() {
        held.exec('COMMIT')
        committed = true
      },
      rollback() {
        // SQLite may already have rolled back on some errors; then ROLLBACK itself fails, harmlessly.
        try {
          held.exec('ROLLBACK')
        } catch {}
      },
      async save() {
        if (!committed) throw new Error(`${target}: save() before commit()`)
        // Nothing changed (no rows, no DDL, no migration): leave the file alone, no rewrite, no fsync.
        const changed =
          isNew ||
          version < kind.version ||
          Number(scalar(held, 'SELECT total_changes()')) !== changesBefore ||
          Number(scalar(held, 'PRAGMA schema_version')) !== schemaBefore
        if (!changed) return
        const data = held.export() // only after COMMIT: sql.js 1.16 refuses during a write transaction
        if (lock.compromised) {
          throw new StoreError(`${target}: lost the ${kind.noun} lock while working (${errorMessage(lock.compromised)}); nothing was saved`)
        }
        await saveAtomically(target, data)
      },
      async close() {
        held.close()
        await lock.release()
      },
    }
  } catch (error) {
    raw?.close()
    await lock.release()
    throw error
  }
}

/**
 * In sql.js the database and its rollback journal are files in Emscripten's in-memory file system, so
 * every page SQLite writes to either is a call out of the wasm into JavaScript that copies the page.
 * A big write (a sync replacing 20,000 positions) spilled dirty pages from SQLite's default 2 MB cache
 * and journalled them page by page: over a third of its store time. Here the journal stays in SQLite's
 * own memory (the file on disk is protected by saveAtomically, never by this journal; rollback and
 * savepoints work the same) and the cache can hold the whole database twice over, so each page goes
 * out once, at COMMIT. Neither setting is stored in the file.
 */
function tuneForWrite(raw: SqlJsDatabase, fileBytes: number): void {
  raw.exec('PRAGMA journal_mode = MEMORY')
  // cache_size < 0 is in KiB; SQLite takes the pages only as it needs them
  raw.exec(`PRAGMA cache_size = -${Math.max(2048, Math.ceil((2 * fileBytes) / 1024) + 16_384)}`)
}

/**
 * Write through a symlinked database path instead of replacing the link with a regular file (rename
 * replaces whatever the name points at). Resolves the directory too, so the lock path is the same whether
 * or not the file exists yet.
 */
async function resolveTarget(abs: string): Promise<string> {
  try {
    return await fs().realpath(abs)
  } catch {
    try {
      return path.join(await fs().realpath(path.dirname(abs)), path.basename(abs))
    } catch {
      return abs
    }
  }
}

interface HeldLock {
  release(): Promise<void>
  /** Set if proper-lockfile found our lock taken over (we stalled past the stale time). */
  compromised: Error | undefined
}

/** Next to the lock directory, the holder writes its pid so that a waiter can say whom it waits for. */
function pidFile(target: string): string {
  return `${target}.lock.pid`
}

function lockHolder(target: string): string {
  let pid: number
  try {
    pid = Number(readFileSync(pidFile(target), 'utf8').trim())
  } catch {
    return 'another cotrader process'
  }
  if (!Number.isInteger(pid) || pid <= 0) return 'another cotrader process'
  let running = true
  try {
    process.kill(pid, 0)
  } catch (error) {
    running = (error as NodeJS.ErrnoException).code === 'EPERM'
  }
  return running ? `pid ${pid}` : `pid ${pid}, which is no longer running (a crashed writer; its lock counts as stale ${LOCK_STALE_MS / 1000} s after its last update and is then taken over)`
}

async function acquireLock(target: string, options: WriteOptions): Promise<HeldLock> {
  // Lazy (only writers need it) and via require for the same reason as sql.js.
  const lockfile = createRequire(import.meta.url)('proper-lockfile') as typeof import('proper-lockfile')
  const held: HeldLock = {compromised: undefined, release: async () => undefined}
  const retries = options.lockRetries ?? LOCK_RETRIES
  const noticeAfter = options.lockNoticeMs ?? LOCK_NOTICE_MS
  const notify = options.onLockWait ?? ((message: string) => process.stderr.write(`${message}\n`))
  const started = Date.now()
  let noticed = false
  let release: (() => Promise<void>) | undefined
  for (let attempt = 0; release === undefined; attempt++) {
    try {
      release = await lockfile.lock(target, {
        realpath: false, // the db file may not exist yet
        stale: LOCK_STALE_MS,
        update: LOCK_UPDATE_MS,
        retries: 0, // retried here, so that a long wait can be reported
        // The default throws from a timer (crashing the process); record it and refuse to save instead.
        onCompromised: (error) => {
          held.compromised = error
        },
      })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw new StoreError(`cannot lock the database ${target}: ${errorMessage(error)}`)
      if (attempt >= retries) throw new StoreError(`${target}: database is busy (locked by ${lockHolder(target)}); try again`)
      if (!noticed && Date.now() - started >= noticeAfter) {
        noticed = true
        notify(`waiting for the lock on ${target} held by ${lockHolder(target)} …`)
      }
      // Backoff 10 ms → 100 ms with jitter, as proper-lockfile's own retries did.
      const delay = Math.min(100, 10 * 2 ** Math.min(attempt, 4)) * (1 + Math.random())
      await new Promise((resolve) => setTimeout(resolve, delay))
    }
  }
  const unlock = release
  // Best effort: the pid only improves a waiter's message.
  await fs().writeFile(pidFile(target), String(process.pid), {mode: 0o600}).catch(() => undefined)
  held.release = async () => {
    await fs().rm(pidFile(target), {force: true}).catch(() => undefined)
    try {
      await unlock()
    } catch {
      // Already released (compromised) or the lock dir vanished: either way it is not ours any more, and
      // failing here would hide the real outcome (a save that succeeded, or the original error).
    }
  }
  return held
}

/** Temp files can only be written by the lock holder, so any we find while holding it are from a crashed save. */
async function removeOrphanTemps(target: string): Promise<void> {
  const prefix = `${path.basename(target)}.tmp-`
  try {
    const names = await fs().readdir(path.dirname(target))
    await Promise.all(names.filter((n) => n.startsWith(prefix)).map((n) => fs().rm(path.join(path.dirname(target), n), {force: true})))
  } catch {
    // Best effort: a leftover temp file wastes space but harms nothing.
  }
}

/** temp file (0600) + fsync + rename + fsync dir; the temp file is removed on any failure. */
async function saveAtomically(target: string, data: Uint8Array): Promise<void> {
  // Math.random, not node:crypto: importing crypto measured ~2 ms of start-up, and uniqueness here only
  // needs to avoid our own stale names (we hold the lock, and O_EXCL refuses to reuse a name anyway).
  const tmp = `${target}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`
  let handle: FsPromises.FileHandle | undefined
  try {
    handle = await fs().open(tmp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o600)
    await handle.chmod(0o600) // the open mode is filtered by the umask; positions are private either way
    await handle.writeFile(data)
    await handle.sync()
    await handle.close()
    handle = undefined
    await fs().rename(tmp, target)
  } catch (error) {
    await handle?.close().catch(() => undefined)
    await fs().rm(tmp, {force: true}).catch(() => undefined)
    throw new StoreError(`cannot save the database ${target}: ${errorMessage(error)}. The previous file is unchanged.`)
  }
  await syncDirectory(target)
}

/** Make the rename itself durable. Some platforms/filesystems cannot fsync a directory; that is not an error there. */
async function syncDirectory(target: string): Promise<void> {
  if (process.platform === 'win32') return
  const dir = path.dirname(target)
  let handle: FsPromises.FileHandle | undefined
  try {
    handle = await fs().open(dir, 'r')
    await handle.sync()
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EISDIR' && code !== 'EPERM') {
      throw new StoreError(`saved ${target} but could not make it durable (fsync of the directory failed): ${errorMessage(error)}`)
    }
  } finally {
    await handle?.close().catch(() => undefined)
  }
}
