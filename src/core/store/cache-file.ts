/*
 * File formats of the per-user caches that every warm `positions`, `risk` and `pnl` reads (read replay,
 * store/read-cache.ts; the validated config, config/cache.ts), without node:v8.
 *
 * Why: v8.serialize/deserialize live in node:v8, and loading node:v8 loads Node's stream modules
 * (internal/heap_utils requires them at its top): ~9 M instructions a run, about a tenth of what
 * `node -e 0` executes, for two small files. These formats need only Buffer and JSON:
 *
 * - `packParts`/`unpackParts`: a list of strings and byte arrays, each with its kind and length
 *   (a string whose characters all fit in one byte is stored as Latin-1: read back with a copy, no UTF-8
 *   decoding; byte arrays are read back as views of the file's buffer, no copy);
 * - `encodeTagged`/`decodeTagged`: JSON text for a value tree that JSON alone would not give back
 *   exactly: `undefined` (kept as a property, as v8.serialize keeps it), -0, NaN and the infinities are
 *   written as tagged objects. Anything else JSON cannot carry (Date, Map, typed arrays, class
 *   instances, sparse arrays, bigint, a key starting with the tag character) makes `encodeTagged`
 *   return undefined: the caller then stores nothing or falls back to v8.serialize.
 */

const MAGIC = 'cotrader-cache-parts-1'
const LATIN1 = 0
const UTF8 = 1
const BYTES = 2
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/** Strings and byte arrays in one buffer: `unpackParts` gives them back in order (a string with a lone surrogate throws). */
export function packParts(parts: ReadonlyArray<string | Uint8Array>): Buffer {
  const chunks: Uint8Array[] = []
  let size = 0
  for (const part of [MAGIC, ...parts]) {
    let kind: number
    let body: Uint8Array
    if (typeof part === 'string') {
      // eslint-disable-next-line no-control-regex
      kind = /^[\u0000-\u00ff]*$/.test(part) ? LATIN1 : UTF8
      // UTF-8 would write a lone surrogate as U+FFFD: refused, so that what is read back is what was written
      if (kind === UTF8 && LONE_SURROGATE.test(part)) throw new Error('cache file: a string with a lone surrogate cannot be stored')
      body = Buffer.from(part, kind === LATIN1 ? 'latin1' : 'utf8')
    } else {
      kind = BYTES
      body = part
    }
    const head = Buffer.allocUnsafe(5)
    head.writeUInt8(kind, 0)
    head.writeUInt32LE(body.byteLength, 1)
    chunks.push(head, body)
    size += 5 + body.byteLength
  }
  return Buffer.concat(chunks, size)
}

/** The parts `packParts` wrote, or undefined when the buffer is not such a file (another format, cut short). */
export function unpackParts(buf: Buffer): Array<string | Uint8Array> | undefined {
  const parts: Array<string | Uint8Array> = []
  let at = 0
  while (at < buf.length) {
    if (at + 5 > buf.length) return undefined
    const kind = buf[at]
    const length = buf.readUInt32LE(at + 1)
    const start = at + 5
    const end = start + length
    if (end > buf.length) return undefined
    if (kind === LATIN1) parts.push(buf.toString('latin1', start, end))
    else if (kind === UTF8) parts.push(buf.toString('utf8', start, end))
    else if (kind === BYTES) parts.push(buf.subarray(start, end))
    else return undefined
    if (parts.length === 1 && parts[0] !== MAGIC) return undefined
    at = end
  }
  if (parts.length === 0) return undefined
  return parts.slice(1)
}

const TAG = '\u0000'

/** JSON text that `decodeTagged` turns back into exactly `value`, or undefined when it cannot (see the header). */
export function encodeTagged(value: unknown): string | undefined {
  const tree = tag(value)
  return tree === NOT_JSON ? undefined : JSON.stringify(tree)
}

export function decodeTagged(text: string): unknown {
  return untag(JSON.parse(text))
}

const NOT_JSON = Symbol('not JSON')

function tag(v: unknown): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v
  if (v === undefined) return {[TAG]: 'u'}
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0) ? v : {[TAG]: 'n', v: Object.is(v, -0) ? '-0' : String(v)}
  if (typeof v !== 'object') return NOT_JSON // bigint, symbol, function
  if (Array.isArray(v)) {
    if (Object.getPrototypeOf(v) !== Array.prototype) return NOT_JSON
    const out: unknown[] = []
    for (let i = 0; i < v.length; i++) {
      if (!(i in v)) return NOT_JSON // a hole would come back as undefined
      const t = tag(v[i])
      if (t === NOT_JSON) return NOT_JSON
      out.push(t)
    }
    // extra own properties on an array (v8.serialize keeps them) are not carried
    if (Object.keys(v).length !== v.length) return NOT_JSON
    return out
  }
  if (Object.getPrototypeOf(v) !== Object.prototype) return NOT_JSON // Date, Map, Uint8Array, class instances, null prototype
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(v)) {
    if (k.startsWith(TAG)) return NOT_JSON
    const t = tag((v as Record<string, unknown>)[k])
    if (t === NOT_JSON) return NOT_JSON
    out[k] = t
  }
  return out
}

function untag(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = untag(v[i])
    return v
  }
  const o = v as Record<string, unknown>
  const t = o[TAG]
  if (t === 'u') return undefined
  if (t === 'n') return Number(o.v) // "-0", "NaN", "Infinity", "-Infinity"
  for (const k of Object.keys(o)) o[k] = untag(o[k])
  return o
}
