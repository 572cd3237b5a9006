// Bundles the CLI into CommonJS files in dist/bundle/:
//   main.cjs             dist/main.js: oclif and every command;
//   fast-<command>.cjs   dist/fast.js with one command of the fast path (positions, risk, pnl, greeks),
//   fast-info.cjs        and with none (--version, root help); no @oclif/core in any of them (checked);
//   price-worker.cjs     sync's second pricing thread for big books (services/model-greeks.ts).
// One file on the hot path instead of ~100 modules resolved one by one on every run, and CommonJS so
// that bin/run.js can compile it with vm.Script and a V8 code cache (ES modules cannot use one). Code
// behind dynamic import() (the CSV importers, the TastyTrade adapter, each fast-path command) stays in
// the file but is only evaluated when a command needs it. dist/bundle/meta.json records the build id
// (a hash of both bundles: the code caches and the config cache are keyed by it), the commands that keep
// WebAssembly tier-up (static keepWasmTierUp) and the fast path's commands.
import {createHash} from 'node:crypto'
import {readFileSync, statSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import path from 'node:path'
import {build} from 'esbuild'

const require = createRequire(import.meta.url)
// The fast path asks two questions oclif asks (colour support, WSL) with the very modules oclif uses.
const oclifRequire = createRequire(require.resolve('@oclif/core'))
const alias = {
  'supports-color': oclifRequire.resolve('supports-color'),
  'is-wsl': createRequire(oclifRequire.resolve('wsl-utils')).resolve('is-wsl'),
}

const options = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // sql.js finds its wasm beside itself; the broker SDKs and ws are loaded lazily from node_modules;
  // typescript is an optional development-time import of oclif's.
  external: ['sql.js', '@tastytrade/api', '@dxfeed/dxlink-api', 'ws', 'typescript'],
  // The sources are ES modules: import.meta.url becomes the bundle's own URL.
  define: {'import.meta.url': '__cotraderUrl'},
  // (a plain POSIX path is its own file URL: requiring node:url and building a URL cost every start ~2 ms)
  banner: {js: "const __cotraderUrl = /^\\/[\\w\\/.-]*$/.test(__filename) ? 'file://' + __filename : require('node:url').pathToFileURL(__filename).href; const __cotraderImport = globalThis.cotraderImport ?? ((s) => import(s));"},
  logLevel: 'warning',
  metafile: true,
}

const main = path.resolve('dist/bundle/main.cjs')
await build({...options, entryPoints: ['dist/main.js'], outfile: main})
// sync's second pricing thread for big books (services/model-greeks.ts finds it beside main.cjs)
const worker = path.resolve('dist/bundle/price-worker.cjs')
await build({...options, entryPoints: ['dist/core/services/price-worker.js'], outfile: worker})

// The fast path, one bundle per first word: each holds only what its command runs.
const {FAST_COMMANDS} = await import(path.resolve('dist/fast.js'))
const fastEntries = {
  info: "export {runInfo as run} from './dist/fast.js'",
  ...Object.fromEntries(
    FAST_COMMANDS.map((name) => [
      name,
      `import {runCommand} from './dist/fast-command.js'\nimport * as command from './dist/core/cli/hot/${name}.js'\nexport const run = (argv, root) => runCommand(argv, root, command)`,
    ]),
  ),
}
/*
 * Left out of the fast bundles and required from node_modules when used (issue 19): YAML and zod parse
 * and validate the config only when the validated-config cache has no entry for the file (~330 KB of the
 * 720 KB fast-risk.cjs was these two), csv-stringify writes --csv only. Every run reads its whole bundle
 * and V8 checks and deserialises its code cache, so what a run does not execute still cost it time.
 */
const FAST_EXTERNAL = ['yaml', 'zod', 'csv-stringify']
/*
 * The fast bundles without comments and indentation: every run reads its bundle and hands V8 the text
 * (the code cache spares the compile, not the read), and comments with characters outside Latin-1
 * (×, →, ≤ in the doc comments) made the whole 400 KB file a two-byte string, decoded from UTF-8 on
 * every run. Names are kept (no identifier minification): error messages and stack traces read the same.
 */
const FAST_OPTIONS = {minifyWhitespace: true, legalComments: 'none', charset: 'ascii'}
/*
 * Size budgets of the fast bundles (bytes): the build fails past them. Each is the size at issue 19 plus
 * ~10 % room; a command that needs more on its common path should say why here, and code that is off the
 * common path belongs behind import() or in FAST_EXTERNAL. docs/PERFORMANCE.md explains them.
 * Raised with issue 16 (positions 375,000 → 440,000, pnl 365,000 → 440,000, risk 415,000 → 440,000):
 * every book read now also reads the pending settlements (services/ledger-provisional.ts: the
 * daemon's provisional events the broker has not confirmed), which is on the common path; and the
 * ledger's views (`positions --group` roll chains, `pnl --realized`) ride in these bundles behind
 * import(), which esbuild keeps in the one file but the common path never evaluates.
 */
/*
 * Lowered after the whitespace and comments went (FAST_OPTIONS): ~12 % above the sizes then (info 10,094,
 * greeks 102,498, positions 316,753, pnl 318,033, risk 315,037 bytes).
 */
const FAST_BUDGET = {info: 11_500, greeks: 115_000, positions: 355_000, pnl: 355_000, risk: 355_000}
const fastFiles = []
for (const [word, code] of Object.entries(fastEntries)) {
  const outfile = path.resolve(`dist/bundle/fast-${word}.cjs`)
  fastFiles.push(outfile)
  const {metafile} = await build({...options, ...FAST_OPTIONS, external: [...options.external, ...FAST_EXTERNAL], stdin: {contents: `${code}\n`, resolveDir: path.resolve('.'), sourcefile: `fast-${word}.js`, loader: 'js'}, outfile, alias})
  checkFast(word, metafile.inputs)
  const size = statSync(outfile).size
  const wide = /[^\x00-\x7f]/.exec(readFileSync(outfile, 'latin1'))
  if (wide) throw new Error(`fast-${word}.cjs has a character outside ASCII at byte ${wide.index} (a regular expression written with it? escape it as \\uXXXX): see FAST_OPTIONS`)
  if (size > FAST_BUDGET[word]) throw new Error(`fast-${word}.cjs is ${size} bytes, over its budget of ${FAST_BUDGET[word]} (scripts/bundle.mjs FAST_BUDGET; see docs/PERFORMANCE.md)`)
}

/**
 * A fast-path bundle must not contain oclif, and what a run evaluates (the modules reachable by static
 * imports from the entry) must not include YAML and zod: config.ts stays behind an import() and is
 * loaded only when the validated-config cache has no entry for the file.
 */
function checkFast(word, inputs) {
  const oclif = Object.keys(inputs).filter((file) => file.includes('@oclif/'))
  if (oclif.length > 0) throw new Error(`fast-${word}: the fast path must not contain oclif, but bundles ${oclif.slice(0, 3).join(', ')}`)
  const seen = new Set()
  const visit = (file) => {
    if (seen.has(file)) return
    seen.add(file)
    for (const i of inputs[file]?.imports ?? []) if (i.kind === 'import-statement' && !i.external) visit(i.path)
  }
  visit(Object.keys(inputs).find((file) => file === '<stdin>' || file.startsWith('fast-')))
  const eager = [...seen].filter((file) => /node_modules\/(yaml|zod)\/|dist\/core\/config\/(config|schema)\.js/.test(file))
  if (eager.length > 0) throw new Error(`fast-${word} loads ${eager[0]} on every run: keep it behind import()`)
}

// import() inside code compiled from a V8 code cache fails on Node 20 ("A dynamic import callback was
// not specified": the cached functions lose the script's import hook), so every import() in the bundle
// (the ES-module SDKs loaded lazily, oclif's loader for ES-module plugins) calls bin/run.js's instead.
const dynamicImport = /(?<![\w$.])import\((?=[\s"'`@(\w])/g
// (The banner's own fallback, for the bundle loaded by plain require(), keeps the real import().)
for (const out of [main, ...fastFiles]) writeFileSync(out, readFileSync(out, 'utf8').replace(dynamicImport, '__cotraderImport(').replace('((s) => __cotraderImport(s))', '((s) => import(s))'))

const hash = createHash('sha256')
for (const out of [main, worker, ...fastFiles]) hash.update(readFileSync(out))
const buildId = hash.digest('hex').slice(0, 16)
// Which commands keep tier-up is a property of the command classes: read it from the bundle itself.
const {COMMANDS} = require(main)
const keepWasmTierUp = Object.entries(COMMANDS)
  .filter(([, command]) => command.keepWasmTierUp === true)
  .map(([id]) => id)
writeFileSync(path.resolve('dist/bundle/meta.json'), `${JSON.stringify({buildId, keepWasmTierUp, commands: Object.keys(COMMANDS), fast: FAST_COMMANDS})}\n`)
