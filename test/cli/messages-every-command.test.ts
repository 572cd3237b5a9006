/*
 * Issue 20 item 5 on every command, not only the quoted ones: a usage mistake (an unknown flag, a
 * flag without its value, what is required left out, an unknown command) gets one line in our words,
 * exit 2, each flag named once, no oclif boilerplate ("The following error occurred", "See more help",
 * " ›   Error"), and the same message as JSON under --json. The commands come from the manifest, so a new
 * command is checked without being listed here.
 */
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {ROOT, workspace} from './helpers.js'

const manifest = JSON.parse(readFileSync(path.join(ROOT, 'oclif.manifest.json'), 'utf8')) as {
  commands: Record<string, {flags: Record<string, {required?: boolean; type: string; hidden?: boolean}>; args?: Record<string, {required?: boolean}>}>
}
const COMMANDS = Object.entries(manifest.commands).map(([id, c]) => ({words: id.split(':'), ...c}))

const OCLIF_PHRASES = /The following errors? occurred|See more help|›|Parsing --|Missing required flag|Expected an integer|Nonexistent flag/

const ws = workspace({
  'risk_config.yaml': `base_currency: USD
portfolios:
  - {name: alpha, broker: manual, source: {file: alpha.csv, format: generic}}
  - {name: alpha-whatif, broker: none, kind: whatif, shadows: alpha}
`,
  'alpha.csv': 'symbol,quantity,entry_price,mark_price\nAAPL,10,150,200\n',
})

/** One line, our wording, exit 2; the flag or word named once. */
function usage(args: string[], named: string) {
  const r = ws.run(args)
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2)
  expect(r.stdout).toBe('')
  expect(r.stderr.split('\n').filter(Boolean), r.stderr).toHaveLength(1)
  expect(r.stderr).toMatch(/^Error: /)
  expect(r.stderr).not.toMatch(OCLIF_PHRASES)
  expect(r.stderr.split(named).length - 1, r.stderr).toBe(1)
  const j = ws.run([...args, '--json'])
  expect(j.code).toBe(2)
  expect(j.json().error).toMatchObject({code: 'usage', exitCode: 2})
  expect(j.json().error.message).toBe(r.stderr.replace(/^Error: /, '').trimEnd())
}

describe('usage mistakes on every command, in our words', {timeout: 300_000}, () => {
  it.each(COMMANDS.map((c) => [c.words.join(' '), c] as const))('%s', (_name, c) => {
    // an unknown flag
    usage([...c.words, '--nosuchflag'], '--nosuchflag')
    // a flag that takes a value, given none (the last word on the line)
    const valued = Object.entries(c.flags).find(([name, f]) => f.type === 'option' && !f.hidden && !['config', 'db', 'csv'].includes(name))
    if (valued) usage([...c.words, `--${valued[0]}`], `--${valued[0]}`)
    // everything required left out: each missing flag named once
    const required = Object.entries(c.flags).filter(([, f]) => f.required).map(([name]) => `--${name}`)
    const args = Object.entries(c.args ?? {}).filter(([, a]) => a.required)
    if (required.length > 0 || args.length > 0) {
      const r = ws.run(c.words)
      expect(r.code, r.stderr).toBe(2)
      expect(r.stderr).not.toMatch(OCLIF_PHRASES)
      if (args.length > 0) expect(r.stderr).toMatch(/^Error: missing the argument [A-Z]+ /)
      else for (const f of required) expect(r.stderr.split(f).length - 1, r.stderr).toBe(1)
      if (args.length === 0 && required.length > 1) expect(r.stderr).toMatch(/^Error: missing required flags --/)
    }
  })

  it('an unknown command or subcommand', () => {
    usage(['positon'], '"positon"')
    usage(['whatif', 'ad'], '"whatif ad"')
    usage(['help', 'nosuch'], '"nosuch"')
  })

  it('help COMMAND is COMMAND --help (oclif answered "command help:positions not found")', () => {
    for (const words of [['positions'], ['whatif', 'add'], ['whatif']]) {
      const r = ws.run(['help', ...words])
      expect(r.code, r.stderr).toBe(0)
      expect(r.stdout).toBe(ws.run([...words, '--help']).stdout)
      expect(r.stdout).toMatch(/USAGE/)
    }
  })
})
