// Child process for test/store/database.test.ts: runs the COMPILED engine (dist/), so that several real
// processes contend for the same file. Usage: node helper.mjs <mode> <file> [args...]
//   insert <file> <n> <tag>   n separate writeDb calls, each inserting one sync_runs row (portfolio = tag)
//   churn  <file> <n> <size>  n writeDb calls, each inserting a proposals row with a <size>-char payload
//   count  <file>             prints {"count": <rows in sync_runs>} read with readDb
//   hold   <file> <ms>        takes the lock like the engine does, prints "locked", holds it <ms>, releases
import lockfile from 'proper-lockfile'

const {readDb, writeDb} = await import(new URL('../../dist/core/store/database.js', import.meta.url).href)
const [mode, file, a, b] = process.argv.slice(2)

if (mode === 'insert') {
  for (let i = 0; i < Number(a); i++) {
    await writeDb(file, (db) =>
      db.run(
        "INSERT INTO sync_runs (portfolio, started_at, finished_at, status, positions) VALUES (:tag, :at, :at, 'ok', :i)",
        {tag: b, at: new Date().toISOString(), i},
      ),
    )
  }
} else if (mode === 'churn') {
  for (let i = 0; i < Number(a); i++) {
    await writeDb(file, (db) =>
      db.run("INSERT INTO proposals (source, portfolio, legs_json, status, created_at) VALUES ('user', 'p', ?, 'pending', ?)", [
        'x'.repeat(Number(b)),
        new Date().toISOString(),
      ]),
    )
  }
} else if (mode === 'count') {
  const count = await readDb(file, (db) => db.get('SELECT count(*) AS n FROM sync_runs').n)
  process.stdout.write(JSON.stringify({count}) + '\n')
} else if (mode === 'hold') {
  const release = await lockfile.lock(file, {realpath: false, stale: 10_000, update: 5_000})
  process.stdout.write('locked\n')
  await new Promise((resolve) => setTimeout(resolve, Number(a)))
  await release()
  process.stdout.write('released\n')
} else {
  process.stderr.write(`unknown mode ${mode}\n`)
  process.exit(2)
}
