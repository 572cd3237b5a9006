/*
 * Daily snapshot history in one SQLite file per calendar year, next to the main database:
 * `<db>.history/<YYYY>.sqlite` (`<db>` is the database path with symlinks resolved, so a temp copy of a
 * database has its own history and a link shares its target's).
 *
 * Why: sql.js loads and saves whole files, so a save costs in proportion to the file. With ten years of
 * snapshots in the main file every write of anything (a sync, a daemon tick) rewrote ~12 MB; now the
 * daily save rewrites the current year's ~1.2 MB, and commands that do not read history never open
 * these files. Readers open the years their date range needs, lazily, read-only and without a lock.
 *
 * Same safety as the main file (database.ts): each year file has its own lock, is written by temp file
 * + fsync + rename + fsync(dir), carries its own marker (`cotrader-history`) and schema version, and a
 * damaged, foreign or newer file is refused with a StoreError and never overwritten.
 *
 * Databases from before this layout kept snapshots in the main file (migration 2's tables). The first
 * write to such a database (or the first history read, which then does that write) copies them out to
 * the year files, saves those, and only then lets the migration drop the old tables: a crash in between
 * leaves the rows in the main file, and the copy, which skips days a year file already has, runs again.
 */
import {readdirSync, realpathSync, statSync} from 'node:fs'
import * as path from 'node:path'
import type {SqlJsStatic} from 'sql.js'
import {StoreError} from '../errors.js'
import {
  assertSynchronous, beginWrite, checkDbPath, headerVersion, LEGACY_HISTORY_MIGRATION, loadSqlJs, mayWrite, openFileForRead, writeDb, writeGate,
  replayRead, type Db, type FileKind, type OpenWrite, type WriteOptions,
} from './database.js'
import {MIGRATIONS, type Migration} from './migrations.js'
import {readCacheEnabled} from './read-cache.js'
import {copyLegacyYear, legacyYears} from './snapshots.js'

const HISTORY_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'daily snapshots of one year',
    sql: `
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT
      );
      INSERT INTO meta (key, value) VALUES ('application', 'cotrader-history');

      -- What an instrument is, once per file (daily rows point here by id).
      CREATE TABLE snapshot_instruments (
        id              INTEGER PRIMARY KEY,
        symbol          TEXT NOT NULL,
        underlying      TEXT NOT NULL,
        instrument_type TEXT NOT NULL,
        multiplier      REAL NOT NULL,
        currency        TEXT NOT NULL,
        expiry          TEXT,
        strike          REAL,
        option_right    TEXT,
        style           TEXT,
        UNIQUE (symbol, instrument_type, multiplier, currency, underlying)
      );

      -- One row per portfolio per month; \`data\` packs every position of every snapshot day of that
      -- month (store/snapshots.ts documents the format).
      CREATE TABLE position_snapshots (
        id        INTEGER PRIMARY KEY,
        portfolio TEXT NOT NULL,
        month     TEXT NOT NULL,
        days      INTEGER NOT NULL,
        data      BLOB NOT NULL
      );
      CREATE UNIQUE INDEX position_snapshots_key ON position_snapshots (portfolio, month);

      -- First and last date (within this year) each portfolio held each instrument.
      CREATE TABLE snapshot_holdings (
        portfolio     TEXT NOT NULL,
        instrument_id INTEGER NOT NULL,
        first_date    TEXT NOT NULL,
        last_date     TEXT NOT NULL,
        PRIMARY KEY (portfolio, instrument_id)
      ) WITHOUT ROWID;

      -- One row per portfolio per date. Money in \`currency\`; Greeks are position totals
      -- (delta in shares, theta per day, vega per vol point), beta-weighted delta in benchmark shares.
      CREATE TABLE portfolio_snapshots (
        date                TEXT NOT NULL,
        portfolio           TEXT NOT NULL,
        currency            TEXT NOT NULL,
        equity              REAL,
        cash                REAL,
        delta               REAL,
        beta_weighted_delta REAL,
        gamma               REAL,
        theta               REAL,
        vega                REAL,
        unrealized_pnl      REAL,
        day_pnl             REAL,
        positions           INTEGER NOT NULL,
        missing             INTEGER NOT NULL,
        taken_at            TEXT NOT NULL,
        PRIMARY KEY (portfolio, date)
      );
    `,
  },
]

export const HISTORY_FILE: FileKind = {application: 'cotrader-history', migrations: HISTORY_MIGRATIONS, version: HISTORY_MIGRATIONS.length, noun: 'history file', ownDirectory: true}

/** The history directory of a database: `<db>.history` next to it (symlinks resolved as writeDb does). */
export function historyDir(dbPath: string): string {
  const abs = path.resolve(dbPath)
  let real = abs
  try {
    real = realpathSync(abs)
  } catch {
    try {
      real = path.join(realpathSync(path.dirname(abs)), path.basename(abs))
    } catch {}
  }
  return `${real}.history`
}

export function yearFile(dbPath: string, year: number): string {
  return path.join(historyDir(dbPath), `${year}.sqlite`)
}

/**
 * The snapshot history of one database, as store/snapshots.ts reads and writes it. Year files open on
 * first use: a reader that asks only for this year's rows opens one file.
 */
export interface History {
  /** years that have a file (or are being written by this History), ascending */
  years(): number[]
  /** that year's database (read-only unless this History is writing it); undefined when it has no file */
  year(y: number): Db | undefined
  /** the year's database inside writeHistory; a year not named there is refused */
  writable(y: number): Db
  /** a cheap fingerprint that changes when any year file is rewritten (names, sizes, mtimes; no reads) */
  version(): string
}

const YEAR_FILE = /^(\d{4})\.sqlite$/

class HistoryFiles implements History {
  private readonly opened = new Map<number, {db: Db; close(): void} | null>()
  private list: number[] | undefined
  readonly writing = new Map<number, OpenWrite>()

  constructor(
    /** undefined under read replay: year files are opened from their recorded answers, or with sql.js once loaded */
    private readonly SQL: SqlJsStatic | undefined,
    private readonly dir: string,
  ) {}

  years(): number[] {
    if (!this.list) {
      let names: string[] = []
      try {
        names = readdirSync(this.dir)
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        if (code !== 'ENOENT') throw new StoreError(`cannot read the history directory ${this.dir}: ${(error as Error).message}`)
      }
      const ys = new Set<number>()
      for (const n of names) {
        const m = YEAR_FILE.exec(n)
        if (m) ys.add(Number(m[1]))
      }
      for (const y of this.writing.keys()) ys.add(y)
      this.list = [...ys].sort((a, b) => a - b)
    }
    return this.list
  }

  year(y: number): Db | undefined {
    const w = this.writing.get(y)
    if (w) return w.db
    if (!this.opened.has(y)) this.opened.set(y, openFileForRead(this.SQL, path.join(this.dir, `${y}.sqlite`), HISTORY_FILE) ?? null)
    return this.opened.get(y)?.db
  }

  writable(y: number): Db {
    const w = this.writing.get(y)
    if (!w) throw new TypeError(`the history of ${y} is not open for writing (writeHistory was given ${[...this.writing.keys()].join(', ') || 'no years'})`)
    return w.db
  }

  version(): string {
    return this.years()
      .map((y) => {
        try {
          const st = statSync(path.join(this.dir, `${y}.sqlite`))
          return `${y}:${st.size}:${st.mtimeMs}`
        } catch {
          return `${y}:-`
        }
      })
      .join(',')
  }

  close(): void {
    for (const o of this.opened.values()) o?.close()
    this.opened.clear()
  }
}

/**
 * A lock-free history handle for reads spread over a command (close it when done). Moves a pre-history
 * database's snapshots out first (one write, once).
 */
export async function openHistory(dbPath: string): Promise<History & {close(): void}> {
  await moveOutIfOld(dbPath)
  // Under read replay (store/read-cache.ts) sql.js is loaded only if a year file's answers are not recorded.
  return new HistoryFiles(readCacheEnabled() ? undefined : await loadSqlJs(), historyDir(dbPath))
}

/** Open the history (no lock), run fn, close. fn is synchronous, like readDb's. */
export async function readHistory<T>(dbPath: string, fn: (h: History) => T): Promise<T> {
  return replayRead(await openHistory(dbPath), fn, 'readHistory')
}

/**
 * Lock the year files of `years` (in order, so two writers never wait on each other crosswise), load
 * them, run fn in one transaction per file, then save each changed file atomically and unlock. fn may
 * also read other years (read-only). If fn throws, nothing is saved. Two year files are saved one after
 * the other, not atomically together (a snapshot spans two years only when two markets' trade dates
 * straddle New Year).
 */
export async function writeHistory<T>(dbPath: string, years: number[], fn: (h: History) => T, options: WriteOptions = {}): Promise<T> {
  // The main database's write gate first: its history is written only where the database itself could be
  // (a read-only database keeps a read-only history; a --db in a missing directory gets no history beside it).
  writeGate(dbPath)
  await moveOutIfOld(dbPath)
  return writeYears(dbPath, years, fn, options)
}

async function writeYears<T>(dbPath: string, years: number[], fn: (h: History) => T, options: WriteOptions): Promise<T> {
  for (const y of years) if (!Number.isInteger(y) || y < 1000 || y > 9999) throw new TypeError(`not a year: ${y}`)
  const dir = historyDir(dbPath)
  const h = new HistoryFiles(await loadSqlJs(), dir)
  const held: OpenWrite[] = []
  try {
    for (const y of [...new Set(years)].sort((a, b) => a - b)) {
      const w = await beginWrite(path.join(dir, `${y}.sqlite`), HISTORY_FILE, options)
      held.push(w)
      h.writing.set(y, w)
    }
    let result: T
    try {
      result = fn(h)
      assertSynchronous(result, 'writeHistory')
      for (const w of held) w.commit()
    } catch (error) {
      for (const w of held) w.rollback()
      throw error
    }
    for (const w of held) await w.save()
    return result
  } finally {
    h.close()
    for (const w of held.reverse()) await w.close()
  }
}

// ------------------------------------------------------------------------------- the move out of the main file

function moveVersion(): number | undefined {
  return MIGRATIONS.find((m) => m.name === LEGACY_HISTORY_MIGRATION)?.version
}

/**
 * Before any history access: the database path must be a regular file or nothing (a device or FIFO is
 * refused, and no `.history` directory is made next to it), and a main file older than the move
 * (header version only, no load) gets one write, which moves its snapshots out.
 */
async function moveOutIfOld(dbPath: string): Promise<void> {
  checkDbPath(path.resolve(dbPath))
  const v = headerVersion(dbPath)
  const moved = moveVersion()
  if (v === undefined || moved === undefined || v === 0 || v >= moved) return
  // The move is a write: on a file the gate refuses, say why a read needs it (not just "read-only").
  if (!mayWrite(dbPath))
    throw new StoreError(`${path.resolve(dbPath)} is from an older cotrader (schema version ${v}) that kept the daily snapshots inside the database; they move out to the history files on first use, which needs one write, and the file is read-only (nothing was changed). Make it writable once (chmod u+w) and run the command again.`)
  await writeDb(dbPath, () => undefined)
}

/**
 * Called by writeDb under the main file's lock, before the migration that drops the old tables: copy
 * every year's snapshots to its year file (days the file already has are kept as they are) and save.
 */
export async function moveLegacySnapshots(main: Db, mainPath: string, options: WriteOptions): Promise<void> {
  for (const y of legacyYears(main)) await writeYears(mainPath, [y], (h) => copyLegacyYear(main, h.writable(y), y), options)
}
