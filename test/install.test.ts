/*
 * A quiet `npm install` (issue 20): the warnings a fresh clone printed came from our dependency choices,
 * so they are checked on the installed tree instead of by running npm (tests never reach the registry):
 * - `npm ls` finds no invalid dependency (esbuild was ^0.25 while vite wants ^0.27 || ^0.28: npm
 *   printed an ERESOLVE override);
 * - every installed package with an install script is allowed in package.json `allowScripts`
 *   (npm 11 lists the ones it skipped);
 * - the build runs `oclif manifest` without its update check ("oclif update available");
 * - the project's .npmrc turns off npm's funding appeal and its own update notice (a fresh clone under a
 *   default user config printed "65 packages are looking for funding" and "New minor version of npm").
 * The fresh-clone check itself (git clone; npm install; count the lines) is in the report of issue 20.
 */
import {readdirSync, readFileSync, existsSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {spawnSync} from 'node:child_process'
import {ROOT} from './cli/helpers.js'

const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'))
const NM = path.join(ROOT, 'node_modules')

/** Every package directory under node_modules (scoped and nested included). */
function packages(dir = NM): string[] {
  const out: string[] = []
  if (!existsSync(dir)) return out
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.')) continue
    const full = path.join(dir, name)
    if (name.startsWith('@')) {
      for (const sub of readdirSync(full)) out.push(...withNested(path.join(full, sub)))
    } else out.push(...withNested(full))
  }
  return out
}
function withNested(dir: string): string[] {
  if (!existsSync(path.join(dir, 'package.json'))) return []
  return [dir, ...packages(path.join(dir, 'node_modules'))]
}

const manifest = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'))

describe('npm install prints no warnings of our making', () => {
  const all = packages()

  it('the installed tree has no invalid or missing dependency (npm ls: no ERESOLVE override)', () => {
    // npm ls reads node_modules only; it reports a peer installed outside its range as "invalid"
    // (esbuild 0.25 under vite's ^0.27 || ^0.28 did).
    const r = spawnSync('npm', ['ls', '--all', '--json'], {cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: {...process.env, npm_config_offline: 'true'}})
    const tree = JSON.parse(r.stdout)
    expect(tree.problems ?? []).toEqual([])
    expect(all.length).toBeGreaterThan(50)
  }, 60_000)

  it('every installed package with an install script is allowed (allowScripts)', () => {
    const allowed = Object.keys(pkg.allowScripts ?? {}).map((k) => k.replace(/@[^@/]+$/, '') || k)
    const scripted = all.map(manifest).filter((m) => ['preinstall', 'install', 'postinstall'].some((s) => m.scripts?.[s]))
    expect(scripted.length).toBeGreaterThan(0) // esbuild's postinstall
    for (const m of scripted) expect(allowed, m.name).toContain(m.name)
  })

  it('.npmrc: no funding appeal, no npm update notice', () => {
    const npmrc = readFileSync(path.join(ROOT, '.npmrc'), 'utf8')
    expect(npmrc).toMatch(/^fund=false$/m)
    expect(npmrc).toMatch(/^update-notifier=false$/m)
  })

  it('the build skips oclif\'s update check', () => {
    expect(pkg.scripts.build).toMatch(/OCLIF_SKIP_NEW_VERSION_CHECK=true oclif manifest/)
  })
})
