// Child process for test/store/database.test.ts: runs the COMPILED engine (dist/), so that several real
// processes contend for the same file. Usage: node helper.mjs <mode> <file> [args...]
//   insert <file> <n> <tag>   n separate writeDb calls, each inserting one sync_runs row (portfolio = tag)
//   churn  <file> <n> <size>  n writeDb calls, each inserting a proposals row with a <size>-char payload
//   count  <file>             prints {"count": <rows in sync_runs>} read with readDb
//   hold   <file> <ms>        takes the lock like the engine does, prints "locked", holds it <ms>, releases
//   snap   <file> <n> <tag> [offset]   n separate writeHistory calls, each taking a one-position snapshot of
//                             portfolio <tag> on the next of n days from 2026-03-02 + offset days (all in 2026's file)
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
} else if (mode === 'snap') {
  const {writeHistory} = await import(new URL('../../dist/core/store/history.js', import.meta.url).href)
  const {writeSnapshots} = await import(new URL('../../dist/core/store/snapshots.js', import.meta.url).href)
  for (let i = 0; i < Number(a); i++) {
    const date = new Date(Date.UTC(2026, 2, 2) + (i + Number(process.argv[6] ?? 0)) * 86_400_000).toISOString().slice(0, 10)
    const takenAt = `${date}T21:15:00.000Z`
    const position = {date, portfolio: b, symbol: 'AAPL', underlying: 'AAPL', instrumentType: 'equity', quantity: 100, multiplier: 1, currency: 'USD',
      entryPrice: 150, markPrice: 150 + i, underlyingPrice: 150 + i, iv: null, greeks: null, unrealizedPnl: i * 100, takenAt}
    const folio = {date, portfolio: b, currency: 'USD', equity: 15000 + i * 100, cash: 0, delta: 100, betaWeightedDelta: null, gamma: 0, theta: 0, vega: 0,
      unrealizedPnl: i * 100, dayPnl: null, positions: 1, missing: 0, takenAt}
    await writeHistory(file, [2026], (h) => writeSnapshots(h, date, [position], [folio]))
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
