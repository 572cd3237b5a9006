#!/usr/bin/env node
// Writes the demo exports in data/ relative to today (or --date ISO), so `npm start` on a fresh
// clone shows a live book on any date: expiries weeks to months out, marks for the time left,
// each file in its broker's format. The generator is src/demo/exports.ts (built to dist/).
import {mkdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {demoExports} from '../dist/demo/exports.js'

const i = process.argv.indexOf('--date')
const now = i > 0 ? new Date(process.argv[i + 1]) : new Date()
if (Number.isNaN(now.getTime())) {
  process.stderr.write(`demo-data: --date ${process.argv[i + 1]} is not a date\n`)
  process.exit(2)
}
const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'data')
mkdirSync(dir, {recursive: true})
const files = demoExports(now)
for (const [name, text] of files) writeFileSync(path.join(dir, name), text)
process.stderr.write(`demo-data: wrote ${files.size} demo exports to data/ as of ${now.toISOString()}\n`)
