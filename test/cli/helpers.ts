/*
 * Runs the built CLI as a real process (what users run) against temp configs and databases.
 */
import {spawnSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export const ROOT = path.resolve(__dirname, '../..')
const BIN = path.join(ROOT, 'bin', 'run.js')

export interface RunResult {
  code: number
  stdout: string
  stderr: string
  json: () => any
}

export function cli(args: string[], opts: {cwd?: string; env?: Record<string, string | undefined>} = {}): RunResult {
  // NODE_ENV (vitest sets it to test) would make oclif print developer warnings users never see.
  const env: Record<string, string | undefined> = {...process.env, NODE_ENV: undefined, NO_COLOR: '1', TASTYTRADE_CLIENT_SECRET: undefined, TASTYTRADE_REFRESH_TOKEN: undefined, COTRADER_CONFIG: undefined, COTRADER_DB: undefined, ...opts.env}
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k]
  const r = spawnSync(process.execPath, [BIN, ...args], {cwd: opts.cwd ?? ROOT, env: env as NodeJS.ProcessEnv, encoding: 'utf8', timeout: 60_000})
  return {code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, json: () => JSON.parse(r.stdout)}
}

export function tempDir(prefix = 'cotrader-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix))
}

/** A workspace with a config and files; returns paths and a runner bound to them. */
export function workspace(files: Record<string, string>) {
  const dir = tempDir()
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text)
  const config = path.join(dir, 'risk_config.yaml')
  const db = path.join(dir, 'book.sqlite')
  return {dir, config, db, run: (args: string[], env: Record<string, string | undefined> = {}) => cli([...args, '--config', config, '--db', db], {cwd: dir, env})}
}
