/*
 * The documentation fits the code and the demo:
 * - docs/COMMANDS.md is what scripts/commands-doc.mjs generates from the commands' own help (the oclif
 *   manifest of this build): it fails while the file is out of date (fix: npm run docs);
 * - the README stays a front page (under 200 lines, the two quickstart commands .ci/run relies on);
 * - every relative link in README.md and docs/*.md points to a file (and heading) that exists;
 * - every `cotrader …` example in the README runs on the demo book, in order, and gives plausible
 *   numbers (the what-if legs' implied vols near the held AAPL options'), and the what-if example still
 *   fits a demo that `npm start` writes on a later day (its legs priced near their marks, not at prices
 *   of another day: a sold put entered at 4.35 against a mark of 2.74 showed +161 on entry).
 */
import {copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
// @ts-expect-error: a plain ES module script without types
import {commandsMarkdown} from '../scripts/commands-doc.mjs'
import {cli, ROOT, tempDir, type RunResult} from './cli/helpers.js'
import {demoExports} from '../src/demo/exports.js'
import {syncedDemoBook, type DemoBook} from './cli/demo-book.js'

const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8')
const DOCS = readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md'))

describe('docs/COMMANDS.md', () => {
  it('is generated from the current commands (run `npm run docs` when this fails)', () => {
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'oclif.manifest.json'), 'utf8'))
    const expected: string = commandsMarkdown(manifest)
    const current = readFileSync(path.join(ROOT, 'docs', 'COMMANDS.md'), 'utf8')
    expect(current, 'docs/COMMANDS.md is out of date: run `npm run docs`').toBe(expected)
    // every command is in it, with every flag it declares
    for (const c of Object.values<any>(manifest.commands)) {
      expect(current).toContain(`## \`cotrader ${c.id.replace(/:/g, ' ')}\``)
      for (const f of Object.values<any>(c.flags)) if (!f.hidden && !['json', 'config', 'db', 'wide'].includes(f.name)) expect(current, `${c.id} --${f.name}`).toContain(`--${f.name}`)
    }
  })
})

describe('README.md is a front page', () => {
  it('is short and keeps the two-command quickstart', () => {
    expect(README.split('\n').length).toBeLessThan(200)
    expect(README).toContain('npm install && npm start')
    expect(README).toContain('npm install && npm test')
  })

  /** GitHub's anchor for a heading. */
  const slug = (h: string) => h.trim().toLowerCase().replace(/[`*]/g, '').replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-')

  it.each([['README.md'], ...DOCS.map((d) => [`docs/${d}`])])('%s: every relative link resolves', (file) => {
    const text = readFileSync(path.join(ROOT, file), 'utf8')
    const dir = path.dirname(path.join(ROOT, file))
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]
      if (/^[a-z]+:/.test(target)) continue
      const [rel, anchor] = target.split('#')
      const to = rel === '' ? path.join(ROOT, file) : path.resolve(dir, rel)
      let body: string
      try {
        body = readFileSync(to, 'utf8')
      } catch {
        throw new Error(`${file}: link ${target}: no such file`)
      }
      if (anchor && to.endsWith('.md')) {
        const slugs = [...body.matchAll(/^#+ (.+)$/gm)].map((h) => slug(h[1]))
        expect(slugs, `${file}: link ${target}`).toContain(anchor)
      }
    }
  })
})

/** The README's example command lines: `cotrader …` lines of its ```sh blocks, comments removed. */
function readmeExamples(): string[][] {
  const out: string[][] = []
  for (const block of README.matchAll(/```sh\n([\s\S]*?)```/g))
    for (const raw of block[1].split('\n')) {
      if (!raw.startsWith('cotrader ')) continue
      // the command itself: before a comment, a pipe, `||` or a redirection
      const line = raw.replace(/\s+#\s.*$/, '').split(/\s\|\|?\s|\s>\s/)[0].trim()
      out.push(shellWords(line).slice(1))
    }
  return out
}

/** Splits a command line as sh does for these examples: spaces, "double" and 'single' quotes. */
function shellWords(line: string): string[] {
  const words: string[] = []
  for (const m of line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) words.push(m[1] ?? m[2] ?? m[3])
  return words
}

describe('the README examples on the demo book', () => {
  let book: DemoBook
  const runs: {args: string[]; r: RunResult}[] = []
  beforeAll(() => {
    book = syncedDemoBook()
    for (const args of readmeExamples()) runs.push({args, r: book.run(args)})
  }, 300_000)

  it('there are examples, and every one runs (exit 0; 3 only where a breach is asked for)', () => {
    expect(runs.length).toBeGreaterThan(15)
    for (const {args, r} of runs) {
      const ok = args.includes('--fail-on-breach') ? [0, 3] : [0]
      expect(ok, `cotrader ${args.join(' ')} exited ${r.code}: ${r.stderr}`).toContain(r.code)
      expect(r.stderr, `cotrader ${args.join(' ')}`).not.toMatch(/Error:|at .*\(.*:\d+:\d+\)/)
      expect(r.stdout.length, `cotrader ${args.join(' ')} printed nothing`).toBeGreaterThan(0)
    }
  })

  it('the what-if example is consistent with the demo: its legs price near the held AAPL options', () => {
    const held = book.run(['positions', '--json']).json().positions.filter((p: any) => p.underlying === 'AAPL' && p.iv !== null)
    expect(held.length).toBeGreaterThan(0)
    const heldIv = held.map((p: any) => p.iv)
    // `approve 1` booked the README's two what-if legs as paper trades
    const legs = book.run(['positions', '--json']).json().agentTrades.filter((t: any) => t.underlying === 'AAPL')
    expect(legs).toHaveLength(2)
    for (const l of legs) {
      expect(l.iv, l.symbol).toBeGreaterThan(Math.min(...heldIv) - 0.1)
      expect(l.iv, l.symbol).toBeLessThan(Math.max(...heldIv) + 0.1)
    }
    // and the greeks examples give sane numbers
    const g = runs.find((x) => x.args[0] === 'greeks' && x.args.includes('--json'))!.r.json()
    expect(g.iv).toBeGreaterThan(0.05)
    expect(g.iv).toBeLessThan(1)
  })
})

describe('the README what-if example on a demo written on a later day (npm start writes it relative to today)', () => {
  // The last day the demo's AAPL expiry is still 2027-01-15 (the first monthly 35+ days out), as the README says.
  const LATER = '2026-12-11T21:05:00Z'
  let legs: any[]
  let held: any[]
  beforeAll(() => {
    const dir = tempDir('cotrader-demo-later-')
    mkdirSync(path.join(dir, 'config'))
    mkdirSync(path.join(dir, 'data'))
    const config = path.join(dir, 'config', 'risk_config.yaml')
    copyFileSync(path.join(ROOT, 'config', 'risk_config.yaml'), config)
    for (const [name, text] of demoExports(new Date(LATER))) writeFileSync(path.join(dir, 'data', name), text)
    const run = (args: string[]) => {
      const r = cli(args, {cwd: dir, env: {COTRADER_CONFIG: config, COTRADER_NOW: LATER, COTRADER_CACHE_DIR: path.join(dir, 'cache')}})
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0)
      return r
    }
    run(['prices', 'import', path.join(dir, 'data', 'price_history_us.csv')])
    run(['sync'])
    const example = readmeExamples().find((a) => a[0] === 'whatif' && a[1] === 'add')!
    legs = run([...example, '--json']).json().trades
    held = run(['positions', '--underlying', 'AAPL', '--json']).json().positions.filter((p: any) => p.iv !== null)
  }, 120_000)

  it('its legs are entered near their marks, at implied vols near the held AAPL options\'', () => {
    expect(legs.length).toBe(2)
    expect(held.length).toBeGreaterThan(0)
    for (const l of legs) {
      expect(l.expiry, `${l.symbol}: the README's expiry is the demo's on ${LATER}`).toBe(held[0].expiry)
      expect(Math.abs(l.entryPrice - l.markPrice), `${l.symbol}: entered at ${l.entryPrice}, marked ${l.markPrice}`).toBeLessThan(0.05)
      expect(l.iv, l.symbol).toBeGreaterThan(Math.min(...held.map((p: any) => p.iv)) - 0.1)
      expect(l.iv, l.symbol).toBeLessThan(Math.max(...held.map((p: any) => p.iv)) + 0.1)
    }
  })
})
