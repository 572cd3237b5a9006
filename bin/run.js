#!/usr/bin/env node
/*
 * Start-up. The CLI is CommonJS bundles (scripts/bundle.mjs) compiled here with vm.Script and a V8 code
 * cache, so a run skips parsing and compiling its JavaScript. The fast path (src/fast.ts: positions, risk,
 * pnl, greeks, --version, root help, without oclif; one small bundle per first word) is tried first for
 * those words; it does the whole run or nothing, and when it declines, or for anything else, the oclif
 * bundle (main.cjs) runs. COTRADER_OCLIF=1 skips the fast path (the parity test uses it).
 * The caches live in the user's cache directory (never the install directory, which may be read-only),
 * one file per bundle, build id and V8 configuration; a cache is written atomically after a run without a usable
 * one and ignored whenever V8 rejects it or it cannot be read. Before anything is compiled, WebAssembly
 * tier-up is turned off unless the command keeps it (static keepWasmTierUp, listed in meta.json at build
 * time): a short command then exits without waiting for V8's background optimisation of sql.js (see
 * src/core/store/database.ts).
 */
'use strict'
// CommonJS (bin/package.json says so): Node starts a CommonJS entry ~10 ms sooner than an ES module one.
const {mkdirSync, readFileSync, renameSync, rmSync, writeFileSync} = require('node:fs')
const Module = require('node:module')
const os = require('node:os')
const path = require('node:path')
const vm = require('node:vm')
const {createRequire} = Module

const root = path.resolve(__dirname, '..')
const dir = path.join(root, 'dist', 'bundle')
const meta = JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8'))
const argv = process.argv.slice(2)
// The command id as oclif reads it (topics separated by spaces: `daemon status` is daemon:status).
const command = meta.commands.includes(`${argv[0]}:${argv[1]}`) ? `${argv[0]}:${argv[1]}` : argv[0]
const keepTierUp = meta.keepWasmTierUp.includes(command)
/*
 * V8 flags this process sets for itself, before it compiles a bundle (V8 checks a code cache against its
 * flags, so the cache's name carries them: configKey).
 * NO_TIER_UP: the same value src/core/store/database.ts sets (see the header).
 * SHORT_RUN, for the fast path's data commands: V8 optimises a function with TurboFan once it has run
 * about this much bytecode (default 67,584). A short command ends before most of what TurboFan compiles
 * (on a background thread) pays back: 4.4 times the default cut the CPU time of `positions --json` on a
 * 1,000-position book by ~20 % on 2 shared cores, while a long computation still gets its hot loops
 * optimised: risk --stress on that book took ~7 % longer (654 against 613 ms; 1,000,000 cost it 18 %
 * for 7 % off positions): docs/PERFORMANCE.md.
 */
const NO_TIER_UP = '--wasm-tiering-budget=2000000000'
const SHORT_RUN = '--interrupt-budget=300000'
const flagsSet = []
function setFlags(...flags) {
  const fresh = flags.filter((f) => !flagsSet.includes(f))
  if (fresh.length === 0) return
  setV8Flags(fresh.join(' '))
  flagsSet.push(...fresh)
}
/*
 * v8.setFlagsFromString without loading node:v8: that module loads Node's stream modules at its top
 * (internal/heap_utils), ~9 M instructions, about a tenth of what `node -e 0` executes. The function is
 * the one node:v8 calls, on the binding it calls it on; reading that binding through process.binding
 * emits a deprecation warning (DEP0111), which the command must not print: warnings are silenced for
 * that call only (emitWarning checks process.noDeprecation synchronously). Where the binding does not
 * have it (another Node), node:v8 does it.
 */
let v8Binding
function setV8Flags(text) {
  if (v8Binding === undefined) {
    const quiet = process.noDeprecation
    try {
      process.noDeprecation = true
      v8Binding = typeof process.binding === 'function' ? process.binding('v8') : null
    } catch {
      v8Binding = null // no such binding here
    } finally {
      if (quiet === undefined) delete process.noDeprecation
      else process.noDeprecation = quiet
    }
  }
  if (v8Binding && typeof v8Binding.setFlagsFromString === 'function') v8Binding.setFlagsFromString(text)
  else require('node:v8').setFlagsFromString(text)
}
const noTierUp = () => (keepTierUp ? undefined : setFlags(NO_TIER_UP))

// The bundle's import() calls (the ES-module SDKs, loaded lazily) come here: see scripts/bundle.mjs.
globalThis.cotraderImport = (specifier) => import(specifier)
globalThis.cotraderBuildId = meta.buildId // the config cache is keyed by it (src/core/config/cache.ts)
// The fast path's bundle for this first word: a command's, or "info" for --version and root help.
const fastWord = argv.length === 0 || argv[0] === '--help' || argv[0] === '--version' ? 'info' : meta.fast.includes(argv[0]) ? argv[0] : null
/*
 * process.stdout and process.stderr are built on first use (Node's stream modules, and net for a pipe: a
 * few ms); the fast path writes to the descriptors directly and may never build them. This notes which
 * ones were built, so that exit() waits for those only instead of building them to ask.
 */
const streams = []
for (const name of ['stdout', 'stderr']) {
  const d = Object.getOwnPropertyDescriptor(process, name)
  if (!d || typeof d.get !== 'function' || !d.configurable) {
    streams.push(() => process[name]) // not a lazy getter here: always wait for it
    continue
  }
  let built
  Object.defineProperty(process, name, {
    configurable: true,
    enumerable: d.enumerable,
    get() {
      built ??= d.get.call(process)
      return built
    },
  })
  streams.push(() => built)
}
main()

async function main() {
  if (fastWord !== null && !process.env.COTRADER_OCLIF) {
    // --version, help and greeks never start sql.js: they set no flag (and skip loading node:v8, ~1-3 ms)
    if (fastWord !== 'info' && fastWord !== 'greeks') {
      noTierUp()
      setFlags(SHORT_RUN)
    }
    const fast = loadCached(path.join(dir, `fast-${fastWord}.cjs`), `fast-${fastWord}-${meta.buildId}-${configKey()}`)
    if (await fast.run(argv, root, dir)) return exit()
  }
  noTierUp()
  const bundle = loadCached(path.join(dir, 'main.cjs'), `main-${meta.buildId}-${configKey()}`)
  // oclif finds the package from this URL (the bin script's own, as when this file was an ES module)
  await bundle.execute({dir: require('node:url').pathToFileURL(path.join(root, 'package.json')).href})
  await exit()
}

/**
 * Every command awaits its own work (writes, sockets) before returning; what can be left is libuv
 * closing file handles oclif opened, which on these machines kept the process ~50 ms longer, so the
 * process exits here. Output to a pipe is asynchronous in Node (a full pipe takes the rest later) and
 * process.exit() would cut it: first wait until stdout and stderr have handed over everything.
 */
async function exit() {
  const flushed = (stream) => new Promise((resolve) => (stream && stream.writableLength > 0 ? stream.write('', () => resolve()) : resolve()))
  await Promise.all(streams.map((built) => flushed(built())))
  process.exit()
}

/** The per-user cache directory (the same place oclif's config.cacheDir points to). */
function cacheDir() {
  const env = process.env
  if (env.COTRADER_CACHE_DIR) return env.COTRADER_CACHE_DIR
  if (process.platform === 'win32') return path.join(env.LOCALAPPDATA || path.join(os.homedir(), 'AppData', 'Local'), 'cotrader')
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Caches', 'cotrader')
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'cotrader')
}

/** What V8 checks a code cache against besides the source: its version, architecture and flags. */
function configKey() {
  const text = [process.version, process.arch, process.execArgv.join(' '), process.env.NODE_OPTIONS ?? '', ...flagsSet].join('\0')
  let h = 0x811c9dc5 // FNV-1a, 32 bits: a file name, not a security boundary (V8 checks the rest)
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return (h >>> 0).toString(16).padStart(8, '0')
}

/** Loads a CommonJS file like require() would, compiled with the code cache; registered in require's cache. */
function loadCached(file, key) {
  const cacheFile = path.join(cacheDir(), `${key}.v8cache`)
  let cachedData
  try {
    cachedData = readFileSync(cacheFile)
  } catch {
    // first run, or no readable cache: compile from source
  }
  const script = new vm.Script(Module.wrap(readFileSync(file, 'utf8')), {filename: file, cachedData})
  if (cachedData === undefined || script.cachedDataRejected) process.once('exit', () => saveCache(script, cacheFile))
  const module = new Module(file, undefined)
  module.filename = file
  module.paths = Module._nodeModulePaths(path.dirname(file))
  Module._cache[file] = module // oclif require()s the same file to find the commands: it gets this instance
  script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file))
  module.loaded = true
  return module.exports
}

/** After the run, so the cache holds the functions the command compiled too. Any failure leaves no cache. */
function saveCache(script, cacheFile) {
  const tmp = `${cacheFile}.${process.pid}.tmp`
  try {
    mkdirSync(path.dirname(cacheFile), {recursive: true})
    writeFileSync(tmp, script.createCachedData())
    renameSync(tmp, cacheFile)
  } catch {
    try {
      rmSync(tmp, {force: true})
    } catch {
      // nothing was written
    }
  }
}
