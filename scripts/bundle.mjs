// Bundles the CLI into two CommonJS files in dist/bundle/:
//   main.cjs  dist/main.js: oclif and every command;
//   fast.cjs  dist/fast.js: the fast path for positions, risk, pnl, greeks, --version and root help,
//             without @oclif/core (the build fails if any of oclif ends up in it).
// One file on the hot path instead of ~100 modules resolved one by one on every run, and CommonJS so
// that bin/run.js can compile it with vm.Script and a V8 code cache (ES modules cannot use one). Code
// behind dynamic import() (the CSV importers, the TastyTrade adapter, each fast-path command) stays in
// the file but is only evaluated when a command needs it. dist/bundle/meta.json records the build id
// (a hash of both bundles: the code caches and the config cache are keyed by it), the commands that keep
// WebAssembly tier-up (static keepWasmTierUp) and the fast path's commands.
import {createHash} from 'node:crypto'
import {readFileSync, writeFileSync} from 'node:fs'
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
  banner: {js: "const __cotraderUrl = require('node:url').pathToFileURL(__filename).href; const __cotraderImport = globalThis.cotraderImport ?? ((s) => import(s));"},
  logLevel: 'warning',
  metafile: true,
}

const main = path.resolve('dist/bundle/main.cjs')
const fast = path.resolve('dist/bundle/fast.cjs')
await build({...options, entryPoints: ['dist/main.js'], outfile: main})
const fastBuild = await build({...options, entryPoints: ['dist/fast.js'], outfile: fast, alias})
const oclifInFast = Object.keys(fastBuild.metafile.inputs).filter((file) => file.includes('@oclif/'))
if (oclifInFast.length > 0) throw new Error(`the fast path must not contain oclif, but bundles ${oclifInFast.slice(0, 3).join(', ')}`)

// import() inside code compiled from a V8 code cache fails on Node 20 ("A dynamic import callback was
// not specified": the cached functions lose the script's import hook), so every import() in the bundle
// (the ES-module SDKs loaded lazily, oclif's loader for ES-module plugins) calls bin/run.js's instead.
const dynamicImport = /(?<![\w$.])import\((?=[\s"'`@(\w])/g
// (The banner's own fallback, for the bundle loaded by plain require(), keeps the real import().)
for (const out of [main, fast]) writeFileSync(out, readFileSync(out, 'utf8').replace(dynamicImport, '__cotraderImport(').replace('((s) => __cotraderImport(s))', '((s) => import(s))'))

const buildId = createHash('sha256').update(readFileSync(main)).update(readFileSync(fast)).digest('hex').slice(0, 16)
// Which commands keep tier-up is a property of the command classes: read it from the bundle itself.
const {COMMANDS} = require(main)
const keepWasmTierUp = Object.entries(COMMANDS)
  .filter(([, command]) => command.keepWasmTierUp === true)
  .map(([id]) => id)
const {FAST_COMMANDS} = require(fast)
writeFileSync(path.resolve('dist/bundle/meta.json'), `${JSON.stringify({buildId, keepWasmTierUp, commands: Object.keys(COMMANDS), fast: FAST_COMMANDS})}\n`)
