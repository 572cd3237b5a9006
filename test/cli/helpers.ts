/*
 * Runs the built CLI as a real process (what users run) against temp configs and databases.
 */
import {spawn, spawnSync} from 'node:child_process'
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

export interface Run {
  args: string[]
  code: number
  stdout: string
  stderr: string
  json: () => any
}

/**
 * The CLI as a child process without blocking this process's event loop, for tests whose fake
 * server answers from it. TASTYTRADE_*, COTRADER_* and NODE_ENV (vitest sets it to test, which makes
 * oclif print developer warnings users never see) are not passed on; `extraEnv` sets what the test needs.
 */
export function cliAsync(args: string[], cwd: string, extraEnv: Record<string, string>): Promise<Run> {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) if (!/^(TASTYTRADE_|COTRADER_|NODE_ENV$)/.test(k)) env[k] = v
  Object.assign(env, {NO_COLOR: '1'}, extraEnv)
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {cwd, env, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({
        args,
        code: code ?? (signal ? 128 : -1),
        stdout,
        stderr,
        json: () => {
          try {
            return JSON.parse(stdout)
          } catch {
            throw new Error(`cotrader ${args.join(' ')} printed no JSON (exit ${code}): ${stdout.slice(0, 500)} ${stderr.slice(0, 500)}`)
          }
        },
      })
    })
  })
}
