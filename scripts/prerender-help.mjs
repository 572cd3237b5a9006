// Root help for the fast path (src/fast.ts): oclif renders it here, at build time, as it prints it to a
// pipe (80 columns, no colour), into dist/bundle/help.json with the version line it printed. Runs after
// `oclif manifest`, with oclif forced (COTRADER_OCLIF=1) and empty per-user directories, so nothing of
// this machine's user (plugins, theme) gets in.
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const home = mkdtempSync(path.join(os.tmpdir(), 'cotrader-help-'))
const env = {PATH: process.env.PATH ?? '', HOME: home, COTRADER_OCLIF: '1', COTRADER_CACHE_DIR: path.join(home, 'cache'), COTRADER_CONFIG_DIR: path.join(home, 'config'), COTRADER_DATA_DIR: path.join(home, 'data')}
const run = (args) => {
  const r = spawnSync(process.execPath, ['bin/run.js', ...args], {env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})
  if (r.status !== 0 || r.stderr !== '') throw new Error(`cotrader ${args.join(' ')} exited ${r.status}: ${r.stderr}`)
  return r.stdout
}
try {
  const userAgent = run(['--version']).trim()
  const text = run(['--help'])
  if (!text.includes(`\n  ${userAgent}\n`)) throw new Error('root help has no version line')
  writeFileSync(path.resolve('dist/bundle/help.json'), `${JSON.stringify({userAgent, text})}\n`)
} finally {
  rmSync(home, {recursive: true, force: true})
}
