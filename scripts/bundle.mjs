// Bundles dist/main.js (oclif + every command) into dist/bundle/: one file on the hot path instead of
// ~100 modules resolved one by one on every run. Code behind dynamic import() (the TastyTrade SDK,
// DXLink, the CSV importers) goes to separate chunks, loaded only when a command needs it.
import {build} from 'esbuild'

await build({
  entryPoints: ['dist/main.js'],
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // sql.js finds its wasm beside itself; the broker SDKs and ws are loaded lazily from node_modules;
  // typescript is an optional development-time import of oclif's.
  external: ['sql.js', '@tastytrade/api', '@dxfeed/dxlink-api', 'ws', 'typescript'],
  // Bundled CommonJS dependencies call require() for Node's built-ins.
  banner: {js: "import {createRequire as __cotraderRequire} from 'node:module'; const require = __cotraderRequire(import.meta.url);"},
  logLevel: 'warning',
})
