/*
 * The validated config, cached per user and keyed by the config file's exact text: parsing YAML and
 * validating it with zod on every run cost ~20 ms of each command's start-up. A hit needs the same file
 * path, the same bytes, the same HOME (paths starting with ~/ expand against it) and the same build of
 * cotrader (the Config shape changes with the code). Stored as tagged JSON (store/cache-file.ts), which
 * keeps undefined fields as they were, like v8.serialize did, without loading node:v8 (it loads Node's
 * stream modules: ~9 M instructions a run); a config that JSON cannot carry (none today) falls back to
 * v8.serialize. Any problem reading or writing the cache just means parsing the file again.
 */
import {mkdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import type * as V8 from 'node:v8'
import {decodeTagged, encodeTagged, packParts, unpackParts} from '../store/cache-file.js'
import type {Config} from './config.js'

/** node:v8 only for a config tagged JSON cannot carry: loading it pulls in Node's streams. */
const v8 = (): typeof V8 => process.getBuiltinModule('node:v8')
/** The entry's encoding, the first part of the file. */
const TAGGED = 'tagged-json'
const V8_SERIALIZED = 'v8'

export interface ConfigCache {
  /** Per-user cache directory. */
  dir: string
  /** Identifies the build: a cache written by another build is never used. */
  buildId: string
}

interface Entry {
  buildId: string
  file: string
  home: string
  text: string
  config: Config
}

function cacheFile(cache: ConfigCache, file: string): string {
  let h = 0x811c9dc5
  for (let i = 0; i < file.length; i++) h = Math.imul(h ^ file.charCodeAt(i), 0x01000193)
  return path.join(cache.dir, `config-${(h >>> 0).toString(16).padStart(8, '0')}.bin`)
}

export function cachedConfig(cache: ConfigCache, file: string, text: string): Config | undefined {
  try {
    const parts = unpackParts(readFileSync(cacheFile(cache, file)))
    if (parts === undefined || parts.length !== 2) return undefined
    const [kind, body] = parts
    const e = (kind === TAGGED && typeof body === 'string' ? decodeTagged(body) : kind === V8_SERIALIZED && typeof body !== 'string' ? v8().deserialize(body) : undefined) as Entry | undefined
    if (e !== undefined && e.buildId === cache.buildId && e.file === file && e.home === (process.env.HOME ?? '') && e.text === text) return e.config
  } catch {
    // no cache yet, or unreadable: parse the file
  }
  return undefined
}

export function storeConfig(cache: ConfigCache, file: string, text: string, config: Config): void {
  const target = cacheFile(cache, file)
  const tmp = `${target}.${process.pid}.tmp`
  try {
    mkdirSync(cache.dir, {recursive: true})
    const entry: Entry = {buildId: cache.buildId, file, home: process.env.HOME ?? '', text, config}
    const tagged = encodeTagged(entry)
    writeFileSync(tmp, packParts(tagged === undefined ? [V8_SERIALIZED, v8().serialize(entry)] : [TAGGED, tagged]))
    renameSync(tmp, target)
  } catch {
    try {
      rmSync(tmp, {force: true})
    } catch {
      // nothing was written
    }
  }
}
