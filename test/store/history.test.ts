/*
 * The per-year snapshot history files (store/history.ts) against real files in temp dirs: the same
 * safety as the main database (damaged, foreign and newer files refused and left alone; concurrent
 * writers in separate processes lose nothing), and the one-time move of snapshots out of a database
 * written before the year files existed. Multi-process cases run test/store/helper.mjs on dist/.
 */
import {spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import initSqlJs from 'sql.js'
import {afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {StoreError} from '../../src/core/errors.js'
import {LEGACY_HISTORY_MIGRATION, readDb, SCHEMA_VERSION, writeDb} from '../../src/core/store/database.js'
import {historyDir, readHistory, writeHistory, yearFile, type History} from '../../src/core/store/history.js'
import {MIGRATIONS} from '../../src/core/store/migrations.js'
import {lastPositionSnapshotsBefore, portfolioSnapshots, positionSnapshots, writeSnapshots, type PortfolioSnapshot, type PositionSnapshot} from '../../src/core/store/snapshots.js'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..')
const HELPER = join(here, 'helper.mjs')
const DIST = join(root, 'dist', 'core', 'store', 'history.js')

beforeAll(() => {
  if (!existsSync(DIST)) throw new Error(`${DIST} is missing: build first (npm run build)`)
  for (const src of ['database.ts', 'history.ts', 'snapshots.ts', 'migrations.ts'])
    if (statSync(join(root, 'src', 'core', 'store', src)).mtimeMs > statSync(DIST).mtimeMs + 1000) throw new Error(`dist/ is older than src/core/store/${src}: rebuild (npm run build)`)
})

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cotrader-history-'))
})
afterEach(() => {
  rmSync(dir, {recursive: true, force: true})
})

const put = (date: string, mark: number): PositionSnapshot => ({
  date, portfolio: 'alpha', symbol: 'AAPL 2027-01-15 190P', underlying: 'AAPL', instrumentType: 'equity_option', quantity: -2, multiplier: 100, currency: 'USD',
  option: {expiry: '2027-01-15', strike: 190, right: 'put', style: 'american'}, entryPrice: 7.47, markPrice: mark, underlyingPrice: 201.37, iv: 0.273457,
  greeks: {delta: -0.312346, gamma: 0.0123457, theta: -0.045679, vega: 0.512346, rho: -0.234568}, unrealizedPnl: (mark - 7.47) * -2 * 100, takenAt: `${date}T21:15:00.000Z`,
})
const stock = (date: string, mark: number): PositionSnapshot => ({
  date, portfolio: 'alpha', symbol: 'AAPL', underlying: 'AAPL', instrumentType: 'equity', quantity: 100, multiplier: 1, currency: 'USD', entryPrice: 150.25,
  markPrice: mark, underlyingPrice: mark, iv: null, greeks: {delta: 1, gamma: 0, theta: 0, vega: 0, rho: 0}, unrealizedPnl: (mark - 150.25) * 100, takenAt: `${date}T21:15:00.000Z`,
})
const folio = (date: string, positions: number, equity = 100_000): PortfolioSnapshot => ({
  date, portfolio: 'alpha', currency: 'USD', equity, cash: 20_000, delta: 162.5, betaWeightedDelta: 80.1, gamma: -2.4, theta: 9.1, vega: -102.4,
  unrealizedPnl: 5484, dayPnl: null, positions, missing: 0, takenAt: `${date}T21:15:00.000Z`,
})
/** Three days over New Year: Dec 30 (put + stock), Dec 31 (put), Jan 2 (put). */
const DAYS = [
  {date: '2025-12-30', rows: [put('2025-12-30', 5.5), stock('2025-12-30', 199)]},
  {date: '2025-12-31', rows: [put('2025-12-31', 5.25)]},
  {date: '2026-01-02', rows: [put('2026-01-02', 5)]},
]

const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex')

async function rawSql() {
  const wasm = readFileSync(join(root, 'node_modules', 'sql.js', 'dist', 'sql-wasm.wasm'))
  return initSqlJs({wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer})
}

const moveVersion = MIGRATIONS.find((m) => m.name === LEGACY_HISTORY_MIGRATION)!.version

/**
 * A main database as a cotrader from before the year files wrote it: schema up to the migration before
 * the move, DAYS in migration 2's snapshot tables, and one sync_runs row. Built by packing DAYS with the
 * current store into one scratch file (the packing did not change) and copying its four tables over.
 */
async function legacyDb(file: string): Promise<void> {
  const scratch = join(dir, 'scratch', 'x.sqlite')
  mkdirSync(join(dir, 'scratch'), {recursive: true}) // the write gate creates no directory but the default data dir
  await writeHistory(scratch, [2000], (h) => {
    const d = h.writable(2000)
    const one: History = {years: () => [2000], year: () => d, writable: () => d, version: () => ''}
    for (const {date, rows} of DAYS) writeSnapshots(one, date, rows, [folio(date, rows.length)])
  })
  const SQL = await rawSql()
  const src = new SQL.Database(readFileSync(yearFile(scratch, 2000)))
  const main = new SQL.Database()
  main.exec('PRAGMA auto_vacuum = FULL')
  for (const m of MIGRATIONS.filter((m) => m.version < moveVersion)) main.exec(m.sql)
  main.exec(`PRAGMA user_version = ${moveVersion - 1}`)
  for (const table of ['snapshot_instruments', 'position_snapshots', 'snapshot_holdings', 'portfolio_snapshots']) {
    const res = src.exec(`SELECT * FROM ${table}`)[0]
    const stmt = main.prepare(`INSERT INTO ${table} (${res.columns.join(', ')}) VALUES (${res.columns.map(() => '?').join(', ')})`)
    for (const v of res.values) stmt.run(v)
    stmt.free()
  }
  main.exec("INSERT INTO sync_runs (portfolio, started_at, finished_at, status) VALUES ('alpha', 'a', 'b', 'ok')")
  writeFileSync(file, main.export())
  src.close()
  main.close()
}

const everything = (h: History) => ({
  positions: positionSnapshots(h, {}).map((r) => [r.date, r.symbol, r.markPrice, r.iv, r.greeks?.gamma ?? null, r.unrealizedPnl]),
  portfolios: portfolioSnapshots(h, {}),
  last: lastPositionSnapshotsBefore(h, '2026-01-02', ['alpha']).map((r) => [r.symbol, r.date]),
})

const EXPECTED = {
  positions: DAYS.flatMap(({rows}) => rows.map((r) => [r.date, r.symbol, r.markPrice, r.iv, r.greeks?.gamma ?? null, r.unrealizedPnl])),
  portfolios: DAYS.map(({date, rows}) => folio(date, rows.length)),
  last: [['AAPL 2027-01-15 190P', '2025-12-31'], ['AAPL', '2025-12-30']],
}

describe('moving the snapshots of an older database out to the year files', () => {
  it('the first history read moves every row out, then the old tables are dropped from the main file', async () => {
    const db = join(dir, 'old.sqlite')
    await legacyDb(db)
    expect(await readHistory(db, everything)).toEqual(EXPECTED)
    expect(readdirSync(historyDir(db)).filter((n) => n.endsWith('.sqlite')).sort()).toEqual(['2025.sqlite', '2026.sqlite'])
    const main = await readDb(db, (d) => ({
      version: d.get<{user_version: number}>('PRAGMA user_version')!.user_version,
      tables: d.all<{name: string}>("SELECT name FROM sqlite_master WHERE name IN ('position_snapshots', 'portfolio_snapshots', 'snapshot_holdings', 'snapshot_instruments')"),
      runs: d.all('SELECT portfolio FROM sync_runs'),
    }))
    expect(main).toEqual({version: SCHEMA_VERSION, tables: [], runs: [{portfolio: 'alpha'}]})
    // Later reads and writes leave the moved history alone.
    await writeDb(db, (d) => d.run("INSERT INTO sync_runs (portfolio, started_at, finished_at, status) VALUES ('beta', 'a', 'b', 'ok')"))
    expect(await readHistory(db, everything)).toEqual(EXPECTED)
  })

  it('a read-only older database: a history read says the move needs one write, and changes nothing', async () => {
    const db = join(dir, 'old.sqlite')
    await legacyDb(db)
    const before = readFileSync(db)
    chmodSync(db, 0o444)
    const error = await readHistory(db, everything).then(() => null, (e: unknown) => e)
    expect(error).toBeInstanceOf(StoreError)
    expect((error as Error).message).toMatch(/is from an older cotrader \(schema version \d+\) that kept the daily snapshots inside the database; .* the file is read-only \(nothing was changed\)\. Make it writable once/)
    expect(readFileSync(db).equals(before)).toBe(true)
    expect(existsSync(historyDir(db))).toBe(false)
    chmodSync(db, 0o644)
    expect(await readHistory(db, everything)).toEqual(EXPECTED)
  })

  it('any write moves them too (here a sync-like write to the main file)', async () => {
    const db = join(dir, 'old.sqlite')
    await legacyDb(db)
    await writeDb(db, (d) => d.run("INSERT INTO sync_runs (portfolio, started_at, finished_at, status) VALUES ('beta', 'a', 'b', 'ok')"))
    expect(existsSync(yearFile(db, 2025)) && existsSync(yearFile(db, 2026))).toBe(true)
    expect(await readHistory(db, everything)).toEqual(EXPECTED)
  })

  it('a move that fails half-way keeps the main file as it was; the retry completes it without duplicates', async () => {
    const db = join(dir, 'old.sqlite')
    await legacyDb(db)
    const before = sha(db)
    // 2026's file is something else: the move saves 2025, then refuses to touch it (as a crash there would stop it).
    mkdirSync(historyDir(db), {recursive: true})
    writeFileSync(yearFile(db, 2026), 'not a database at all, but it is not ours to overwrite\n')
    const error = await readHistory(db, everything).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StoreError)
    expect((error as Error).message).toMatch(/2026\.sqlite is not a SQLite database/)
    expect(sha(db)).toBe(before) // the old tables are still there
    expect(readFileSync(yearFile(db, 2026), 'utf8')).toMatch(/not ours to overwrite/)
    expect(existsSync(yearFile(db, 2025))).toBe(true) // written first
    rmSync(yearFile(db, 2026))
    expect(await readHistory(db, everything)).toEqual(EXPECTED) // 2025 copied again over itself: no day twice
    expect(readdirSync(historyDir(db)).filter((n) => !/^\d{4}\.sqlite$/.test(n))).toEqual([]) // no temp files or locks left
  })

  it('a day the year file already has (retaken since) is kept, not replaced by the old copy', async () => {
    const db = join(dir, 'old.sqlite')
    await legacyDb(db)
    const other = join(dir, 'other.sqlite')
    await writeHistory(other, [2025], (h) => writeSnapshots(h, '2025-12-31', [put('2025-12-31', 9.75)], [folio('2025-12-31', 1, 123)]))
    mkdirSync(historyDir(db), {recursive: true})
    copyFileSync(yearFile(other, 2025), yearFile(db, 2025))
    const got = await readHistory(db, everything)
    expect(got.positions.filter((r) => r[0] === '2025-12-31').map((r) => r[2])).toEqual([9.75])
    expect(got.portfolios.find((p) => p.date === '2025-12-31')!.equity).toBe(123)
    expect(got.positions.filter((r) => r[0] === '2025-12-30')).toEqual(EXPECTED.positions.filter((r) => r[0] === '2025-12-30'))
  })
})

describe('year files have the main file\'s safety', () => {
  const db = () => join(dir, 'cotrader.sqlite')
  const write = () => writeHistory(db(), [2026], (h) => writeSnapshots(h, '2026-01-02', [put('2026-01-02', 5)], [folio('2026-01-02', 1)]))
  const read = () => readHistory(db(), (h) => positionSnapshots(h, {from: '2026-01-01'}))

  async function refused(pattern: RegExp): Promise<void> {
    const file = yearFile(db(), 2026)
    const hash = sha(file)
    for (const attempt of [write, read]) {
      const error = await attempt().catch((e: unknown) => e)
      expect(error).toBeInstanceOf(StoreError)
      expect((error as Error).message).toMatch(pattern)
    }
    expect(sha(file)).toBe(hash)
  }

  it('a damaged year file is refused for reads and writes and left as it is', async () => {
    await write()
    const file = yearFile(db(), 2026)
    const bytes = readFileSync(file)
    writeFileSync(file, bytes.subarray(0, bytes.length - 1024)) // lose the last page
    await refused(/damaged \(truncated/)
  })

  it('a SQLite file of another application in the history directory is refused', async () => {
    const SQL = await rawSql()
    const other = new SQL.Database()
    other.exec('CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES (1)')
    mkdirSync(historyDir(db()), {recursive: true})
    writeFileSync(yearFile(db(), 2026), other.export())
    await refused(/another application/)
  })

  it('a year file from a newer cotrader is refused', async () => {
    await write()
    const SQL = await rawSql()
    const f = new SQL.Database(readFileSync(yearFile(db(), 2026)))
    f.exec('PRAGMA user_version = 99')
    writeFileSync(yearFile(db(), 2026), f.export())
    await refused(/newer cotrader \(schema version 99/)
  })

  it('a main database is not a year file, and a year file is not a main database', async () => {
    await writeDb(join(dir, 'main.sqlite'), (d) => d.run("INSERT INTO sync_runs (portfolio, started_at, finished_at, status) VALUES ('p', 'a', 'b', 'ok')"))
    mkdirSync(historyDir(db()), {recursive: true})
    copyFileSync(join(dir, 'main.sqlite'), yearFile(db(), 2026))
    await refused(/is the main cotrader database, not a history file/)
    rmSync(yearFile(db(), 2026))
    await write()
    const error = await readDb(yearFile(db(), 2026), () => 1).catch((e: unknown) => e)
    expect((error as Error).message).toMatch(/is a cotrader history file .*not a database/)
  })

  it('processes writing snapshots of different portfolios and dates into the same year lose nothing', async () => {
    const n = 12
    // A and B: the same dates, different portfolios; A2: A's portfolio, the 12 dates after A's (same month rows as A).
    const results = await Promise.all([helper(['snap', db(), String(n), 'A']), helper(['snap', db(), String(n), 'B']), helper(['snap', db(), String(n), 'A', String(n)])])
    for (const r of results) {
      expect(r.stderr.replace(/^waiting for the lock on .* held by pid \d+ …\n/gm, '')).toBe('')
      expect(r.code).toBe(0)
    }
    const got = await readHistory(db(), (h) => ({folios: portfolioSnapshots(h, {}), positions: positionSnapshots(h, {})}))
    const run = Array.from({length: n}, (_, i) => i)
    const expected = {A: [...run, ...run], B: run}
    for (const tag of ['A', 'B'] as const) {
      expect(got.folios.filter((f) => f.portfolio === tag).map((f) => f.equity)).toEqual(expected[tag].map((i) => 15000 + i * 100))
      expect(got.positions.filter((p) => p.portfolio === tag).map((p) => p.markPrice)).toEqual(expected[tag].map((i) => 150 + i))
    }
    expect(got.folios.filter((f) => f.portfolio === 'A').map((f) => f.date)).toEqual(Array.from({length: 2 * n}, (_, i) => new Date(Date.UTC(2026, 2, 2) + i * 86_400_000).toISOString().slice(0, 10)))
    expect(readdirSync(historyDir(db()))).toEqual(['2026.sqlite'])
  }, 60_000)
})

function helper(args: string[]): Promise<{code: number | null; stderr: string}> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HELPER, ...args], {stdio: ['ignore', 'ignore', 'pipe']})
    const killer = setTimeout(() => child.kill('SIGKILL'), 50_000)
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(killer)
      resolve({code, stderr})
    })
  })
}
