// Preloaded (NODE_OPTIONS=--require) by fast-path.test.ts: records every script bin/run.js compiles
// (vm.Script: which bundle ran) and every module required, into $COTRADER_TRACE_FILE at exit. It writes
// nothing to stdout or stderr, so the run's output is what it would be without it.
const fs = require('node:fs')
const Module = require('node:module')
const vm = require('node:vm')

const loaded = []
const Script = vm.Script
vm.Script = class extends Script {
  constructor(code, options) {
    super(code, options)
    loaded.push(`script ${options?.filename ?? '?'}`)
  }
}
const load = Module._load
Module._load = function (request, ...rest) {
  loaded.push(`require ${request}`)
  return load.call(this, request, ...rest)
}
// Node's own modules that cost a warm read most (node:v8 loads the stream modules): listed as `builtin <id>`.
const builtins = ['v8', 'stream']
process.on('exit', () => {
  for (const id of builtins) if (process.moduleLoadList.includes(`NativeModule ${id}`)) loaded.push(`builtin ${id}`)
  fs.writeFileSync(process.env.COTRADER_TRACE_FILE, `${loaded.join('\n')}\n`)
})
