/*
 * The fast path: `positions`, `risk`, `pnl`, `greeks`, `--version` and the root `--help`, answered as
 * oclif would, without loading @oclif/core. scripts/bundle.mjs bundles it once per first word
 * (dist/bundle/fast-positions.cjs, ... fast-greeks.cjs, and fast-info.cjs for --version and help), each
 * with only that command's code; bin/run.js loads the one for argv[0] (with a V8 code cache).
 * It either does the whole run or nothing: it returns false before any output or side effect whenever
 * the argv or the environment is anything it does not reproduce exactly, and bin/run.js then runs
 * oclif. The commands' flags and bodies are the ones the oclif commands use (core/cli/hot/*), parsing
 * refuses whatever oclif would refuse (core/cli/fast-parse.ts), errors go through the same reporter
 * (core/cli/io.ts), and test/cli/fast-path.test.ts runs argv through both paths and compares them.
 *
 * Left to oclif: other commands, command help, unknown flags and every parse error, `--`, JSON to a
 * colour terminal (oclif colours it), DEBUG / COTRADER_DEBUG / OCLIF_* / COTRADER_CONTENT_TYPE in the
 * environment, user plugins (a package.json in the data dir), and root help on a terminal or with
 * colour (it is pre-rendered at build time for piped output: 80 columns, no colour).
 */
import {existsSync, readFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type {Dirs} from './core/cli/io.js'
import {isTerminal, useDirectOutput, write} from './core/cli/stdio.js'

/**
 * The commands the fast path answers, each with a module core/cli/hot/<name>.ts run by fast-command.ts
 * (scripts/bundle.mjs reads this list).
 */
export const FAST_COMMANDS = ['positions', 'risk', 'pnl', 'greeks'] as const

export interface PackageJson {
  name: string
  version: string
  oclif: {bin?: string; dirname?: string; [key: string]: unknown}
}

/** What oclif would start from, or null when anything would make its run differ from the fast path's. */
export function fastStart(root: string): {pjson: PackageJson; dirs: Dirs} | null {
  const env = process.env
  const pjson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as PackageJson
  const o = pjson.oclif
  // oclif features that would change what a run prints: none are used; if one ever is, oclif runs.
  if (o.plugins || o.hooks || o.additionalHelpFlags || o.additionalVersionFlags || o.jitPlugins || o.theme) return null
  const bin = o.bin ?? pjson.name
  const prefix = bin.replaceAll('@', '').replaceAll(/[/-]/g, '_').toUpperCase()
  for (const key of Object.keys(env)) {
    // debug output, oclif's own settings, JSON forced by the environment: oclif's behaviour, not ours
    if (key === 'DEBUG' || key.startsWith('OCLIF_') || key === `${prefix}_DEBUG` || key === `${prefix}_CONTENT_TYPE` || key === 'COTRADER_OCLIF') return null
  }
  const dirs = oclifDirs(env, o.dirname ?? pjson.name, prefix)
  // oclif loads user plugins from the data dir's package.json (they could add or replace commands)
  if (existsSync(path.join(dirs.dataDir, 'package.json'))) return null
  return {pjson, dirs}
}

/**
 * --version and root help (no arguments, or only --help). true = printed; false = nothing happened and
 * oclif should run. `root` is the package directory, `bundleDir` dist/bundle.
 */
export async function runInfo(argv: string[], root: string, bundleDir: string): Promise<boolean> {
  const start = fastStart(root)
  if (start === null) return false
  useDirectOutput()
  if (argv.length === 0 || (argv.length === 1 && argv[0] === '--help')) return rootHelp(start.pjson, bundleDir)
  if (argv[0] !== '--version') return false
  const agent = await userAgent(start.pjson)
  if (agent === null) return false
  write(1, `${agent}\n`)
  return true
}

/** oclif's Config: cacheDir, configDir and dataDir (config/config.js, dir() and scopedEnvVar()). */
export function oclifDirs(env: NodeJS.ProcessEnv, dirname: string, prefix: string): Dirs {
  const windows = process.platform === 'win32'
  const windowsHome = () => (env.HOMEDRIVE && env.HOMEPATH && path.join(env.HOMEDRIVE, env.HOMEPATH)) || env.USERPROFILE
  const home = env.HOME || (windows && windowsHome()) || os.homedir() || os.tmpdir()
  const dir = (category: string) =>
    path.join(env[`XDG_${category.toUpperCase()}_HOME`] || (windows && env.LOCALAPPDATA) || path.join(home, category === 'data' ? '.local/share' : `.${category}`), dirname)
  const scoped = (k: string) => env[`${prefix}_${k}`] || undefined
  return {
    cacheDir: scoped('CACHE_DIR') || (process.platform === 'darwin' ? path.join(home, 'Library', 'Caches', dirname) : undefined) || dir('cache'),
    configDir: scoped('CONFIG_DIR') || dir('config'),
    dataDir: scoped('DATA_DIR') || dir('data'),
  }
}

/** oclif's config.userAgent; null under WSL, where oclif names the platform "wsl" after a check left to it. */
async function userAgent(pjson: PackageJson): Promise<string | null> {
  // the same check oclif makes (is-wsl, via wsl-utils), bundled from oclif's own dependency
  if (process.platform === 'linux' && (await import('is-wsl')).default) return null
  const arch = os.arch() === 'ia32' ? 'x86' : os.arch()
  return `${pjson.name}/${pjson.version} ${process.platform}-${arch} node-${process.version}`
}

/**
 * Root help as oclif prints it to a pipe: rendered by oclif at build time (scripts/prerender-help.mjs)
 * for 80 columns without colour, which is what oclif renders whenever stdout is not a terminal and
 * colour is not forced. Only the version line depends on the machine: the build's is replaced by this
 * one's. A terminal, forced colour or a missing file: oclif renders it.
 */
async function rootHelp(pjson: PackageJson, bundleDir: string): Promise<boolean> {
  if (isTerminal(1)) return false
  // oclif colours section headers when supports-color says stdout and stderr take colour. For a stdout
  // that is not a terminal it says no unless FORCE_COLOR is set or argv has a --color flag (root help's
  // argv has none; newer versions also say yes under Azure Pipelines): only then is it asked (it loads
  // node:tty, a few ms).
  if ('FORCE_COLOR' in process.env || ('TF_BUILD' in process.env && 'AGENT_NAME' in process.env)) {
    const supportsColor = (await import('supports-color')).default
    if (supportsColor.stdout && supportsColor.stderr) return false
  }
  let help: {userAgent: string; text: string}
  try {
    help = JSON.parse(readFileSync(path.join(bundleDir, 'help.json'), 'utf8'))
  } catch {
    return false
  }
  const agent = await userAgent(pjson)
  if (agent === null) return false
  const line = `\n  ${help.userAgent}\n`
  if (help.text.split(line).length !== 2 || agent.length + 2 > 80) return false
  write(1, help.text.replace(line, `\n  ${agent}\n`))
  return true
}
