import {describe, expect, it} from 'vitest'
import {decodeTagged, encodeTagged, packParts, unpackParts} from '../../src/core/store/cache-file.js'

describe('cache files without node:v8 (store/cache-file.ts)', () => {
  it('gives strings (one-byte and wider) and byte arrays back in order', () => {
    const bytes = new Uint8Array([0, 1, 2, 255, 254])
    const parts = ['', 'plain ASCII', 'Latin-1 \u00e9\u00ff', 'wide \u20ac \u{1f600} \u0000 end', bytes, new Uint8Array(0), 'last']
    const back = unpackParts(packParts(parts))!
    expect(back).toHaveLength(parts.length)
    for (let i = 0; i < parts.length; i++) {
      if (typeof parts[i] === 'string') expect(back[i]).toBe(parts[i])
      else expect(Buffer.from(back[i] as Uint8Array).equals(Buffer.from(parts[i] as Uint8Array))).toBe(true)
    }
  })

  it('refuses to store a string with a lone surrogate (UTF-8 could not give it back)', () => {
    expect(() => packParts(['ok \u{1f600}', 'lone \ud800 x'])).toThrow(/lone surrogate/)
    expect(() => packParts(['lone \udc00'])).toThrow(/lone surrogate/)
  })

  it('refuses what it did not write: another format, a file cut short, an unknown kind', () => {
    const packed = packParts(['a', new Uint8Array([1, 2, 3])])
    expect(unpackParts(packed.subarray(0, packed.length - 1))).toBeUndefined()
    expect(unpackParts(Buffer.from([0xff, 0x0f, 0x6f, 0x22]))).toBeUndefined() // v8.serialize's header
    expect(unpackParts(Buffer.alloc(0))).toBeUndefined()
    const other = Buffer.from(packed)
    other[0] = 9
    expect(unpackParts(other)).toBeUndefined()
  })

  it('tagged JSON keeps undefined properties, -0, NaN and the infinities, and key order', () => {
    const value = {b: undefined, a: [1, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, null, 'x', undefined], n: {deep: {k: true, u: undefined}}, '2': 'two', s: 'text \u0000 \u20ac'}
    const back = decodeTagged(encodeTagged(value)!) as typeof value
    expect(back).toStrictEqual(value)
    expect(Object.keys(back)).toEqual(Object.keys(value))
    expect('b' in back && back.b === undefined).toBe(true)
    expect(Object.is(back.a[1], -0)).toBe(true)
    expect(Object.keys(back.n.deep)).toEqual(['k', 'u'])
  })

  it('tagged JSON declines what it cannot give back exactly', () => {
    for (const v of [new Date(0), new Map(), new Uint8Array(2), 1n, Object.create(null), [1, , 3], {'\u0000x': 1}, {f: () => 1}, Object.assign([1], {extra: 2})]) {
      expect(encodeTagged(v)).toBeUndefined()
      expect(encodeTagged({nested: [v]})).toBeUndefined()
    }
  })
})
