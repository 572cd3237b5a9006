// Bundles dist/main.js (oclif + every command) into one CommonJS file, dist/bundle/main.cjs: one file
// on the hot path instead of ~100 modules resolved one by one on every run, and CommonJS so that
// bin/run.js can compile it with vm.Script and a V8 code cache (ES modules cannot use one). Code behind
// dynamic import() (the CSV importers, the TastyTrade adapter) stays in the file but is only evaluated
// when a command needs it. dist/bundle/meta.json records the build id (a hash of the bundle: the code
// cache is keyed by it) and the commands that keep WebAssembly tier-up (static keepWasmTierUp).
import {createHash} from 'node:crypto'
import {readFileSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import path from 'node:path'
import {build} from 'esbuild'

const out = path.resolve('dist/bundle/main.cjs')
await build({
  entryPoints: ['dist/main.js'],
  outfile: out,
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
})

// import() inside code compiled from a V8 code cache fails on Node 20 ("A dynamic import callback was
// not specified": the cached functions lose the script's import hook), so every import() in the bundle
// (the ES-module SDKs loaded lazily, oclif's loader for ES-module plugins) calls bin/run.js's instead.
const dynamicImport = /(?<![\w$.])import\((?=[\s"'`@(\w])/g
// (The banner's own fallback, for the bundle loaded by plain require(), keeps the real import().)
writeFileSync(out, readFileSync(out, 'utf8').replace(dynamicImport, '__cotraderImport(').replace('((s) => __cotraderImport(s))', '((s) => import(s))'))

const code = readFileSync(out)
const buildId = createHash('sha256').update(code).digest('hex').slice(0, 16)
// Which commands keep tier-up is a property of the command classes: read it from the bundle itself.
const {COMMANDS} = createRequire(import.meta.url)(out)
const keepWasmTierUp = Object.entries(COMMANDS)
  .filter(([, command]) => command.keepWasmTierUp === true)
  .map(([id]) => id)
writeFileSync(path.resolve('dist/bundle/meta.json'), `${JSON.stringify({buildId, keepWasmTierUp, commands: Object.keys(COMMANDS)})}\n`)
