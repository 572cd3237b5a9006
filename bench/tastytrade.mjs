/*
 * Bench: `cotrader sync --json` of a 1,000-position tastytrade account against the local fake
 * tastytrade (REST + DXLink on 127.0.0.1), wall time of the real CLI process.
 *
 * The fake is TypeScript (test/fake-tastytrade, importing src/ for its pricing): the whole project
 * is compiled once into <tmp>/build with the project's tsconfig, and the compiled fake is imported
 * from there. <tmp>/build gets a package.json saying "type": "module" (the emitted JS is ESM) and
 * a node_modules link to the project's, so the compiled files resolve `ws` and the rest.
 *
 * The fake runs in THIS process, so the CLI is spawned asynchronously (spawnSync would block the
 * event loop the fake answers from).
 */
import {spawn, spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, symlinkSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {pathToFileURL} from 'node:url'

const RUNS = 5
const GREEKS_WAIT_SECONDS = 2

/**
 * @param {{bin: string, root: string, env: NodeJS.ProcessEnv, tmp: string}} options
 * @returns {Promise<{totalMs: number, waitMs: number, runsMs: number[], positions: number, greeks: {feed: number, model: number, none: number}, syncSeconds: number}>}
 *   totalMs: median wall time of `sync --json`; waitMs: the configured Greeks wait (spent in
 *   full on every run, see the silent symbol below); runsMs: every run; the rest from the last
 *   run's JSON (greeks: 599 feed, 400 model for the stock, and the silent option by model, or
 *   none once its June 2026 expiry has passed).
 */
export async function runTastytradeBench({bin, root, env, tmp, account: kind = 'large', runs = RUNS}) {
  const dir = path.join(tmp, kind === 'large' ? 'tastytrade' : `tastytrade-${kind}`)
  // One compiled build per bench run (tmp), shared by both accounts: compiling is most of a cold run.
  const build = path.join(tmp, 'tastytrade-build')
  mkdirSync(dir, {recursive: true})

  // 1. Compile the project (src, test, bench) so the fake can run under plain Node.
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc')
  const entry = path.join(build, 'test', 'fake-tastytrade', 'index.js')
  const compiled = existsSync(entry) ? {status: 0, stdout: '', stderr: ''} : spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.json'), '--outDir', build], {cwd: root, encoding: 'utf8'})
  // tsc exits non-zero on type errors elsewhere in the tree but still emits; only a missing fake is fatal.
  if (!existsSync(entry)) throw new Error(`compiling the fake tastytrade failed (tsc exit ${compiled.status}): ${(compiled.stdout + compiled.stderr).slice(0, 2000)}`)
  writeFileSync(path.join(build, 'package.json'), '{"type": "module"}\n')
  if (!existsSync(path.join(build, 'node_modules'))) symlinkSync(path.join(root, 'node_modules'), path.join(build, 'node_modules'), 'dir')

  // 2. The fake with the 1,000-position account (40 % stock, 60 % equity options). One option's
  // streamer symbol stays silent, like an illiquid contract that never ticks: without it every
  // symbol arrives early, sync stops waiting before the configured wait is up, and "total − wait"
  // would not be the time spent beyond the wait. With it, each run waits the full wait.
  const fakeModule = await import(pathToFileURL(entry).href)
  // large: 40 % stock, 60 % equity options; mixed: a third CME futures options, futures, stock, equity options, crypto
  const account = kind === 'mixed' ? fakeModule.mixedAccount(1000) : fakeModule.largeAccount(1000)
  const silent = Object.keys(account.options).slice(0, 1)
  const fake = await fakeModule.startFakeTastytrade({...account, dxlink: {...fakeModule.defaultScenario().dxlink, silent}})
  try {
    const config = path.join(dir, 'risk_config.yaml')
    const db = path.join(dir, 'tastytrade.sqlite')
    writeFileSync(
      config,
      `market: {rates: {USD: 0.04}}
tastytrade: {greeks_wait_seconds: ${GREEKS_WAIT_SECONDS}}
portfolios:
  - {name: tt-large, broker: tastytrade, account: '${fakeModule.ACCOUNT}'}
`,
    )
    const childEnv = {
      ...env,
      NO_COLOR: '1',
      TASTYTRADE_API_URL: fake.url,
      TASTYTRADE_CLIENT_SECRET: fakeModule.CLIENT_SECRET,
      TASTYTRADE_REFRESH_TOKEN: fakeModule.REFRESH_TOKEN,
    }

    // 3. sync --json, RUNS times; every run must import the whole account.
    const times = []
    let last
    for (let i = 0; i < runs; i++) {
      const started = process.hrtime.bigint()
      const r = await run(process.execPath, [bin, 'sync', '--json', '--config', config, '--db', db], {cwd: dir, env: childEnv})
      times.push(Number(process.hrtime.bigint() - started) / 1e6)
      let result
      try {
        result = JSON.parse(r.stdout)
      } catch {
        throw new Error(`sync --json printed no JSON (exit ${r.code}): ${r.stderr.slice(0, 1000)}`)
      }
      const p = result.portfolios?.[0]
      if (r.code !== 0 || p?.status !== 'ok' || p.positions !== 1000) {
        throw new Error(`tastytrade bench sync did not import the account (exit ${r.code}): ${JSON.stringify(p).slice(0, 1000)}`)
      }
      last = p
    }
    const sorted = [...times].sort((a, b) => a - b)
    return {
      totalMs: sorted[Math.floor(sorted.length / 2)],
      waitMs: GREEKS_WAIT_SECONDS * 1000,
      runsMs: times,
      positions: last.positions,
      greeks: last.greeks,
      syncSeconds: last.duration,
    }
  } finally {
    await fake.close()
  }
}

function run(command, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {...options, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({code, stdout, stderr}))
  })
}
