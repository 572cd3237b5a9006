/*
 * `cotrader autocomplete bash|zsh|fish`: the scripts are sourced in the real shells and asked for
 * completions as a user's Tab would (bash: the completion function on COMP_WORDS; fish: `complete -C`;
 * zsh: syntax and the shared candidate function), against a `cotrader` on PATH that runs this build,
 * so portfolio names come from the config at completion time. zsh and fish are skipped where not
 * installed.
 */
import {spawnSync} from 'node:child_process'
import {chmodSync, mkdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {cli, ROOT, tempDir} from './helpers.js'

const has = (shell: string) => spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0

let dir: string
let env: NodeJS.ProcessEnv
const scripts: Record<string, string> = {}

const CONFIG = `base_currency: USD
portfolios:
  - {name: alpha-ira, broker: manual, account: A1, currency: USD, kind: real, source: {file: a.csv, format: generic}}
  - {name: beta-cash, broker: manual, account: B1, currency: USD, kind: real, source: {file: b.csv, format: generic}}
`

beforeAll(() => {
  dir = tempDir('cotrader-complete-')
  const bin = path.join(dir, 'bin')
  mkdirSync(bin)
  // `cotrader` as a user has it on PATH: this build
  writeFileSync(path.join(bin, 'cotrader'), `#!/bin/sh\nexec "${process.execPath}" "${path.join(ROOT, 'bin', 'run.js')}" "$@"\n`)
  chmodSync(path.join(bin, 'cotrader'), 0o755)
  writeFileSync(path.join(dir, 'risk_config.yaml'), CONFIG)
  writeFileSync(path.join(dir, 'other.yaml'), CONFIG.replace('alpha-ira', 'gamma-roth'))
  env = {PATH: `${bin}:${process.env.PATH}`, HOME: dir, COTRADER_CONFIG: path.join(dir, 'risk_config.yaml'), NO_COLOR: '1'}
  for (const shell of ['bash', 'zsh', 'fish']) {
    const r = cli(['autocomplete', shell])
    expect(r.code, r.stderr).toBe(0)
    scripts[shell] = path.join(dir, `completion.${shell}`)
    writeFileSync(scripts[shell], r.stdout)
  }
}, 120_000)

/** What bash completes for a command line ending in the word being completed. */
function bashComplete(words: string[]): string[] {
  const script = `source ${JSON.stringify(scripts.bash)}
COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(' ')}); COMP_CWORD=${words.length - 1}
_cotrader; printf '%s\\n' "\${COMPREPLY[@]}"`
  const r = spawnSync('bash', ['--norc', '-c', script], {cwd: dir, env, encoding: 'utf8'})
  expect(r.stderr).toBe('')
  return r.stdout.split('\n').filter(Boolean)
}

describe('bash', () => {
  it('completes commands and topics, then a topic\'s commands', () => {
    const top = bashComplete(['cotrader', ''])
    for (const c of ['positions', 'risk', 'pnl', 'sync', 'whatif', 'trades', 'daemon', 'autocomplete']) expect(top).toContain(c)
    expect(bashComplete(['cotrader', 'po'])).toEqual(['portfolios', 'positions'])
    expect(bashComplete(['cotrader', 'whatif', ''])).toEqual(['add', 'clear', 'list', 'payoff', 'remove'])
  })

  it("completes each command's own flags (and only those)", () => {
    const risk = bashComplete(['cotrader', 'risk', '--'])
    for (const f of ['--portfolio', '--fail-on-breach', '--with-whatif', '--stress', '--json', '--config', '--wide']) expect(risk).toContain(f)
    expect(risk).not.toContain('--leg')
    expect(bashComplete(['cotrader', 'whatif', 'add', '--l'])).toEqual(['--leg'])
    expect(bashComplete(['cotrader', 'risk', '--fail']).sort()).toEqual(['--fail-on-breach', '--fail-on-stale', '--fail-on-unchecked'])
  })

  it('completes portfolio names from the config at completion time (after --portfolio and -p; --config on the line wins)', () => {
    expect(bashComplete(['cotrader', 'positions', '--portfolio', ''])).toEqual(['alpha-ira', 'beta-cash'])
    expect(bashComplete(['cotrader', 'pnl', '-p', 'b'])).toEqual(['beta-cash'])
    expect(bashComplete(['cotrader', 'risk', '--config', path.join(dir, 'other.yaml'), '-p', ''])).toEqual(['gamma-roth', 'beta-cash'])
  })

  it('completes option values and arguments', () => {
    expect(bashComplete(['cotrader', 'greeks', '--type', ''])).toEqual(['call', 'put'])
    expect(bashComplete(['cotrader', 'greeks', '--engine', 'b'])).toEqual(['bs2002'])
    expect(bashComplete(['cotrader', 'autocomplete', ''])).toEqual(['bash', 'zsh', 'fish'])
    expect(bashComplete(['cotrader', 'positions', '--csv', 'risk_'])).toEqual(['risk_config.yaml'])
  })
})

describe.runIf(has('fish'))('fish', () => {
  const complete = (line: string) => {
    const r = spawnSync('fish', ['--no-config', '-c', `source ${JSON.stringify(scripts.fish)}; complete -C${JSON.stringify(line)}`], {cwd: dir, env, encoding: 'utf8'})
    expect(r.stderr).toBe('')
    return r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0])
  }
  it('completes commands, flags and portfolio names', () => {
    expect(complete('cotrader po')).toEqual(['portfolios', 'positions'])
    expect(complete('cotrader whatif ')).toEqual(['add', 'clear', 'list', 'payoff', 'remove'])
    expect(complete('cotrader risk --fail')).toEqual(['--fail-on-breach', '--fail-on-stale', '--fail-on-unchecked'])
    expect(complete('cotrader positions --portfolio ')).toEqual(['alpha-ira', 'beta-cash'])
    expect(complete('cotrader greeks --type ')).toEqual(['call', 'put'])
  })
})

describe.runIf(has('zsh'))('zsh', () => {
  it('parses, and its candidate function gives the same words as bash', () => {
    expect(spawnSync('zsh', ['-n', scripts.zsh], {encoding: 'utf8'}).status).toBe(0)
    const words = (args: string) => {
      const r = spawnSync('zsh', ['-f', '-c', `compdef() { :; }; source ${JSON.stringify(scripts.zsh)}; _cotrader_words ${args}`], {cwd: dir, env, encoding: 'utf8'})
      expect(r.stderr).toBe('')
      return r.stdout.trim().split(/\s+/)
    }
    expect(words("'' '' words")).toContain('positions')
    expect(words("whatif whatif words")).toEqual(['add', 'clear', 'list', 'payoff', 'remove'])
    expect(words("positions --portfolio words")).toEqual(['alpha-ira', 'beta-cash'])
    expect(words("risk risk flags")).toContain('--fail-on-breach')
  })
})
