/*
 * Where `transactions import` spends its time inside sql.js (issue 16). The ledger rows of an imported
 * database are inserted again into an empty table of the same schema (with its unique key index), in one
 * transaction, with the settings a cotrader write uses (journal in memory, a cache holding the whole
 * file; the file's auto_vacuum = FULL) and V8's default WebAssembly tier-up, the fastest sql.js runs here:
 * - `insertSelectMs`: SQLite's own work, no JavaScript in the loop (`INSERT INTO copy SELECT * FROM
 *   ledger_events`; this includes reading the source rows);
 * - `perRowMs`: the same rows, already in memory as JavaScript values, through sql.js's statement API
 *   one row at a time, as any import must hand them over: NULLs left out (one prepared statement per
 *   set of non-NULL columns, as store/ledger.ts does). No file, no CSV parsing, no keys, nothing saved.
 * An import through sql.js cannot take less than `perRowMs`; the difference to `insertSelectMs` is the
 * crossing between JavaScript and WebAssembly (values copied in, one call per value and per row).
 *
 * `node bench/sqljs-insert-floor.mjs DB` (DB: a database a 100,000-row import wrote); bench/ledger.mjs
 * runs it after its import. Prints one JSON line: {rows, insertSelectMs, perRowMs}.
 */
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'

const require = createRequire(import.meta.url)
const SQL = await require('sql.js')()
const db = new SQL.Database(readFileSync(process.argv[2]))
db.exec('PRAGMA journal_mode = MEMORY')
db.exec('PRAGMA cache_size = -400000')
const one = (sql) => db.exec(sql)[0].values[0][0]
const columns = db.exec('PRAGMA table_info(ledger_events)')[0].values.map((r) => r[1])
const [table, index] = ['table', 'index'].map((type) => one(`SELECT sql FROM sqlite_master WHERE tbl_name = 'ledger_events' AND type = '${type}' AND sql IS NOT NULL`))
const timed = (sql) => {
  const t = process.hrtime.bigint()
  db.exec(sql)
  return Number(process.hrtime.bigint() - t) / 1e6
}
const copy = () => {
  db.exec(table.replace(/"?ledger_events"?/, 'floor_copy'))
  db.exec(index.replace(/ledger_events_key ON ledger_events/, 'floor_copy_key ON floor_copy'))
}
const check = (what) => {
  const n = one('SELECT count(*) FROM floor_copy')
  if (n !== one('SELECT count(*) FROM ledger_events')) throw new Error(`${what}: copied ${n} rows`)
  return n
}

// Every page of the source read once first, so that neither timing pays for loading it into the cache.
db.exec(`SELECT sum(${columns.map((c) => `coalesce(length(${c}), 0)`).join(' + ')}) FROM ledger_events`)
db.exec('BEGIN')
copy()
const insertSelectMs = timed('INSERT INTO floor_copy SELECT * FROM ledger_events')
const rows = check('INSERT ... SELECT')
db.exec('ROLLBACK')

const values = db.exec('SELECT * FROM ledger_events')[0].values
db.exec('BEGIN')
copy()
const statements = new Map()
const t = process.hrtime.bigint()
for (const row of values) {
  const present = []
  for (let i = 0; i < row.length; i++) if (row[i] !== null) present.push(i)
  const shape = present.join(',')
  let st = statements.get(shape)
  if (!st) statements.set(shape, (st = db.prepare(`INSERT INTO floor_copy (${present.map((i) => columns[i]).join(', ')}) VALUES (${present.map(() => '?').join(', ')})`)))
  st.run(present.map((i) => row[i]))
}
const perRowMs = Number(process.hrtime.bigint() - t) / 1e6
check('per row')
db.exec('ROLLBACK')
console.log(JSON.stringify({rows, insertSelectMs, perRowMs}))
