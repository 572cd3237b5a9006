/*
 * Read replay: the answers SQLite gave a read-only command, kept per user and given again while the
 * database file holds exactly the same bytes, so that a repeated `positions`, `risk` or `pnl` does not
 * start sql.js at all.
 *
 * Why: on Node 20 starting sql.js costs a read-only command ~45 ms of its ~120 ms (instantiating the
 * 650 KB wasm, copying the file into it, and compiling on first call every SQLite function the first
 * queries touch), more than the rest of the command's own work on the demo. The answers to the
 * queries of a read are a function of the file's bytes and the SQL text with its parameters only, so
 * they can be kept: exact by construction, with no rule about what changes what.
 *
 * How:
 * - only when enabled (`enableReadCache`: the fast path does, for its hot read commands; nothing else,
 *   so writers, the daemon and tests in-process see no change);
 * - one file per database path in the per-user cache directory (`reads-<hash of the path>.bin`, mode
 *   0600: it holds rows of the book, like the database itself), written atomically after the run;
 * - a store is used only for the same build, the same kind of file (main or history year), and the same
 *   file: size, inode, modification and change times in ns, SQLite's change counter (header offset 24,
 *   bumped by every commit), and the very same bytes: the store keeps a copy of the file and compares it
 *   byte for byte (memcmp: cheaper than the CRC-32 it replaced, whose zlib cost a read ~3-10 ms to load).
 *   Every write cotrader makes replaces the file (temp file + rename: a new inode, a new counter), so
 *   any write makes the store stale; so does a copy over it;
 * - answers are kept per query (SQL text + parameters), each serialised on its own (JSON when that
 *   round-trips exactly, as rows of numbers, text and NULL do; v8.serialize for blobs, -0, …) and
 *   parsed afresh on every ask, so a caller that changes a row it got cannot change the next caller's;
 * - a query the store lacks is answered by sql.js on a copy opened from the same bytes (and kept). If
 *   sql.js is not loaded yet (its start is asynchronous and a read callback is synchronous), the read
 *   throws `ReplayMiss`; `readDb` then loads sql.js and runs the callback again (callbacks of readDb are
 *   pure reads returning a value, so running one twice gives one result);
 * - a `run()` on a read copy (nothing does that today) switches that copy to sql.js for good and the
 *   store is not written, since answers after a change are no longer the file's.
 * A file that needed an in-memory upgrade (an older schema) is never recorded: its answers depend on
 * the migration. Any failure to read or write a store just means sql.js answers.
 */
import {mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import type * as V8 from 'node:v8'
import {packParts, unpackParts} from './cache-file.js'
import type {Db, SqlParams} from './database.js'

export interface ReadCacheSettings {
  /** per-user cache directory */
  dir: string
  /** the build: a store written by another build is never used */
  buildId: string
}

/** Thrown by a replayed read that needs sql.js before it is loaded; readDb loads it and runs the read again. */
export class ReplayMiss extends Error {
  constructor() {
    super('read replay: this query needs sql.js (loaded and run again)')
  }
}

/** A ReplayMiss, counted. */
export function replayMiss(): ReplayMiss {
  misses++
  return new ReplayMiss()
}

let settings: ReadCacheSettings | undefined
/** Answers given from a store (for tests and the bench's check that a warm run never starts sql.js). */
let hits = 0
/** Incremented on every ReplayMiss, so that a miss a callback caught and swallowed is still seen. */
let misses = 0
/** Derived values (derivedRead) given from a store instead of computed. */
let derivedHits = 0

/** Turn read replay on for this process (hot read commands only: see the header). */
export function enableReadCache(s: ReadCacheSettings | undefined): void {
  settings = s
  open.clear()
}

export function readCacheEnabled(): boolean {
  return settings !== undefined
}

export function missCount(): number {
  return misses
}

export function readCacheStats(): {hits: number; misses: number; derived: number} {
  return {hits, misses, derived: derivedHits}
}

/** Writes the stores this run added to (done at process exit; tests call it directly). */
export function saveReadCache(): void {
  for (const store of pending) store.save()
  pending.clear()
  open.clear()
}

const FORMAT = 4 // 4: store/cache-file.ts parts instead of v8.serialize; 3: the file's bytes kept with the answers (was a CRC-32 of them)
/** Stores above this size are not written (a 20,000-position book's reads are ~10 MB). */
const MAX_BYTES = 256 * 1024 * 1024
/** Derived values (derivedRead) kept per store, newest first (ReplayStore.recordDerived). */
const MAX_DERIVED = 8
/** Stores kept in the cache directory (one per database path: temp databases of tests and scripts come and go). */
const MAX_STORES = 32

/** An answer: JSON text when JSON gives it back exactly (parsing is ~4× faster than v8.deserialize), else v8.serialize bytes. */
type Answer = string | Uint8Array

interface StoreFile {
  format: number
  buildId: string
  file: string
  application: string
  identity: string
  /** a copy of the database file the answers came from: used only while the file holds exactly these bytes */
  bytes: Uint8Array
  entries: Map<string, Answer>
}

/*
 * On disk (store/cache-file.ts parts, not v8.serialize: node:v8 loads Node's stream modules): the header
 * as JSON, the file's bytes, then each query's key and answer in turn (an answer is JSON text or
 * v8.serialize bytes, told apart by the part's kind). Read back, the bytes and blob answers are views of
 * the store file's buffer.
 */
function packStore(f: StoreFile): Buffer {
  const parts: Array<string | Uint8Array> = [JSON.stringify({format: f.format, buildId: f.buildId, file: f.file, application: f.application, identity: f.identity}), f.bytes]
  for (const [k, v] of f.entries) parts.push(k, v)
  return packParts(parts)
}

function unpackStore(buf: Buffer): StoreFile | undefined {
  const parts = unpackParts(buf)
  if (parts === undefined || parts.length < 2 || parts.length % 2 !== 0 || typeof parts[0] !== 'string' || typeof parts[1] === 'string') return undefined
  const head = JSON.parse(parts[0]) as Omit<StoreFile, 'bytes' | 'entries'>
  const entries = new Map<string, Answer>()
  for (let i = 2; i < parts.length; i += 2) {
    const key = parts[i]
    if (typeof key !== 'string') return undefined
    entries.set(key, parts[i + 1])
  }
  return {...head, bytes: parts[1], entries}
}

/** True when JSON.parse(JSON.stringify(v)) gives v back: strings, finite numbers other than -0, booleans, null, plain arrays and objects of those. */
function jsonExact(v: unknown): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0)
  if (Array.isArray(v)) return v.every(jsonExact)
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    for (const k in v) if (!Object.hasOwn(v, k) || !jsonExact((v as Record<string, unknown>)[k])) return false
    return true
  }
  return false
}

/** `undefined` (a `get` that found no row) is the empty text, which no JSON text is: node:v8 is not loaded for it. */
function encode(v: unknown): Answer {
  return v === undefined ? '' : jsonExact(v) ? JSON.stringify(v) : v8().serialize(v)
}

function decode(a: Answer): unknown {
  return typeof a === 'string' ? (a === '' ? undefined : JSON.parse(a)) : v8().deserialize(a)
}

/** node:v8 on first use (it loads Node's streams): only for answers JSON cannot carry (blobs, -0, ...). */
const v8 = (): typeof V8 => process.getBuiltinModule('node:v8')

/** Byte for byte (memcmp): a store is kept with the very bytes it answers for. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.compare(a, b) === 0
}

/** What the file is: any write to it or over it gives another string (the bytes themselves are compared too: sameBytes). */
function identityOf(abs: string, bytes: Uint8Array): string | undefined {
  try {
    const st = statSync(abs, {bigint: true})
    if (st.size !== BigInt(bytes.length)) return undefined // changed between the stat and the read
    const counter = bytes.length >= 28 ? ((bytes[24] << 24) | (bytes[25] << 16) | (bytes[26] << 8) | bytes[27]) >>> 0 : 0
    return `${bytes.length}:${st.dev}:${st.ino}:${st.mtimeNs}:${st.ctimeNs}:${counter}`
  } catch {
    return undefined
  }
}

function storePath(dir: string, abs: string): string {
  let h = 0x811c9dc5
  for (let i = 0; i < abs.length; i++) h = Math.imul(h ^ abs.charCodeAt(i), 0x01000193)
  return path.join(dir, `reads-${(h >>> 0).toString(16).padStart(8, '0')}.bin`)
}

/** One database file's answers: loaded from the store when it matches, plus what this run asked anew. */
export class ReplayStore {
  readonly entries: Map<string, Answer>
  /** the store on disk was for these very bytes (and so for a file that passed every check when it was recorded) */
  readonly matched: boolean
  private added = 0
  private poisoned = false

  constructor(
    private readonly s: ReadCacheSettings,
    private readonly file: string,
    private readonly application: string,
    private readonly identity: string,
    /** the file's bytes these answers are for */
    readonly bytes: Uint8Array,
    entries: Map<string, Answer> | undefined,
  ) {
    this.entries = entries ?? new Map()
    this.matched = entries !== undefined
  }

  record(key: string, value: unknown): void {
    if (this.poisoned) return
    this.entries.set(key, encode(value))
    if (this.added++ === 0) pending.add(this)
  }

  /**
   * A derived value (keys starting `d\0`). At most MAX_DERIVED are kept per store, the oldest dropped
   * first: a value whose key names a day (pnl --realized's window ends today) is never asked again once
   * the day has passed, and a database left unchanged for weeks must not carry one copy per day.
   */
  recordDerived(key: string, value: unknown): void {
    if (this.poisoned) return
    const derived = [...this.entries.keys()].filter((k) => k.startsWith('d\0') && k !== key)
    for (const k of derived.slice(0, Math.max(0, derived.length - (MAX_DERIVED - 1)))) this.entries.delete(k)
    this.record(key, value)
  }

  /** Answers after this point may not be the file's: write nothing. */
  poison(): void {
    this.poisoned = true
  }

  save(): void {
    if (this.poisoned || this.added === 0) return
    let size = 0
    for (const [k, v] of this.entries) size += k.length + v.length
    if (size > MAX_BYTES) return
    const target = storePath(this.s.dir, this.file)
    const tmp = `${target}.${process.pid}.tmp`
    try {
      mkdirSync(this.s.dir, {recursive: true})
      writeFileSync(tmp, packStore({format: FORMAT, buildId: this.s.buildId, file: this.file, application: this.application, identity: this.identity, bytes: this.bytes, entries: this.entries}), {mode: 0o600})
      renameSync(tmp, target)
      prune(this.s.dir, target)
    } catch {
      try {
        rmSync(tmp, {force: true})
      } catch {
        // nothing was written
      }
    }
  }
}

/** Keeps the newest MAX_STORES stores. */
function prune(dir: string, keep: string): void {
  const stores = readdirSync(dir).filter((n) => /^reads-[0-9a-f]{8}\.bin$/.test(n))
  if (stores.length <= MAX_STORES) return
  const dated = stores
    .map((n) => path.join(dir, n))
    .filter((f) => f !== keep)
    .map((f) => {
      try {
        return {f, t: statSync(f).mtimeMs}
      } catch {
        return {f, t: 0}
      }
    })
    .sort((a, b) => a.t - b.t)
  for (const {f} of dated.slice(0, stores.length - MAX_STORES)) rmSync(f, {force: true})
}

const pending = new Set<ReplayStore>()
/** This process's store per file and identity: every read of one file shares it (and what it adds). */
const open = new Map<string, ReplayStore>()
let exitHook = false

/**
 * The store for this file's bytes (empty when there is none yet or it is stale), or undefined when read
 * replay is off. `application` is the kind of file (its marker).
 */
export function replayStore(abs: string, bytes: Uint8Array, application: string): ReplayStore | undefined {
  const s = settings
  if (!s) return undefined
  const identity = identityOf(abs, bytes)
  if (identity === undefined) return undefined
  if (!exitHook) {
    exitHook = true
    // After the command: the answers it needed are all recorded by then (bin/run.js exits with process.exit()).
    process.once('exit', saveReadCache)
  }
  const known = open.get(`${abs}\0${identity}`)
  if (known && sameBytes(known.bytes, bytes)) return known
  let entries: Map<string, Answer> | undefined
  try {
    const f = unpackStore(readFileSync(storePath(s.dir, abs)))
    if (f !== undefined && f.format === FORMAT && f.buildId === s.buildId && f.file === abs && f.application === application && f.identity === identity && f.entries instanceof Map && f.bytes instanceof Uint8Array && sameBytes(f.bytes, bytes)) entries = f.entries
  } catch {
    // none yet, or unreadable: sql.js answers and a new store is written
  }
  const store = new ReplayStore(s, abs, application, identity, bytes, entries)
  open.set(`${abs}\0${identity}`, store)
  return store
}

/**
 * Read, don't recompute: `compute()` (a pure function of what it reads through `db` and of `key`) is kept
 * with the file's answers in its read-replay store and given again, decoded afresh, while the database
 * file holds the very same bytes and the caller's `key` is the same. `key` must name every other input
 * of the value (settings, dates, other files' content): the file's own content is covered by the store,
 * which is used for these bytes only. Without read replay (writers, the daemon, oclif's commands, tests
 * in-process) it just computes. A value that cannot round-trip exactly is kept with v8.serialize, like an
 * answer (encode).
 */
export function derivedRead<T>(db: Db, key: string, compute: () => T): T {
  return db instanceof ReplayDb ? db.derived(key, compute) : compute()
}

/** A query's key: its kind of answer, the SQL text and the parameters (bigint and Uint8Array spelled out). */
function keyOf(kind: string, sql: string, params: SqlParams | undefined): string {
  const p =
    params === undefined
      ? ''
      : JSON.stringify(params, (_k, v: unknown) =>
          typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? `u8:${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')}` : v,
        )
  return `${kind}\0${sql}\0${p}`
}

/**
 * A read-only Db over one file: recorded answers first, else a sql.js copy of the same bytes, opened on
 * first need by `open` (which throws ReplayMiss while sql.js is not loaded).
 */
export class ReplayDb implements Db {
  private live: {db: Db; close(): void; recordable: boolean} | undefined
  private changed = false

  constructor(
    private readonly store: ReplayStore,
    private readonly open: () => {db: Db; close(): void; recordable: boolean},
  ) {}

  /** A recording Db over a copy already open (a store that did not match: every query is asked and kept). */
  static recording(store: ReplayStore, live: {db: Db; close(): void; recordable: boolean}): ReplayDb {
    const db = new ReplayDb(store, () => live)
    db.liveDb()
    return db
  }

  all<T = Record<string, unknown>>(sql: string, params?: SqlParams): T[] {
    return this.query('a', sql, params, (db) => db.all<T>(sql, params))
  }

  get<T = Record<string, unknown>>(sql: string, params?: SqlParams): T | undefined {
    return this.query('g', sql, params, (db) => db.get<T>(sql, params))
  }

  /** Rows as arrays (store/ledger.ts reads many events this way): recorded like `all`. */
  table(sql: string, params?: SqlParams): {columns: string[]; rows: unknown[][]} {
    return this.query('t', sql, params, (db) => db.table(sql, params))
  }

  /**
   * A value computed from this file's answers (derivedRead): given again from the store while the file
   * holds the same bytes and `key` (everything else the value depends on) is the same.
   */
  derived<T>(key: string, compute: () => T): T {
    const k = `d\0${key}`
    if (!this.changed) {
      const hit = this.store.entries.get(k)
      if (hit) {
        derivedHits++
        return decode(hit) as T
      }
    }
    const value = compute()
    // Recorded only while every answer compute() saw was the file's (a copy that was changed or upgraded in memory poisons the store).
    if (!this.changed) this.store.recordDerived(k, value)
    return value
  }

  run(sql: string, params?: SqlParams): void {
    this.changed = true
    this.store.poison()
    this.liveDb().run(sql, params)
  }

  changes(): number {
    return this.liveDb().changes()
  }

  lastInsertId(): number {
    return this.liveDb().lastInsertId()
  }

  close(): void {
    this.live?.close()
    this.live = undefined
  }

  private query<R>(kind: string, sql: string, params: SqlParams | undefined, ask: (db: Db) => R): R {
    const key = keyOf(kind, sql, params)
    if (!this.changed) {
      const hit = this.store.entries.get(key)
      if (hit !== undefined) {
        hits++
        return decode(hit) as R
      }
    }
    const answer = ask(this.liveDb())
    if (!this.changed && this.live!.recordable) this.store.record(key, answer)
    return answer
  }

  private liveDb(): Db {
    if (!this.live) {
      this.live = this.open()
      if (!this.live.recordable) this.store.poison()
    }
    return this.live.db
  }
}
