import {mkdtempSync, readdirSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {storeConfig} from '../../src/core/config/cache.js'
import {loadConfig, parseConfig} from '../../src/core/config/config.js'
import {ConfigError} from '../../src/core/errors.js'

const text = `
market: {quotes_file: ~/quotes.csv}
portfolios:
  - name: ira
    broker: fidelity
    account: "111"
    source: {file: ira.csv, format: fidelity}
`

function setup() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cotrader-cfgcache-'))
  const file = path.join(dir, 'risk_config.yaml')
  writeFileSync(file, text)
  return {file, cache: {dir: path.join(dir, 'cache'), buildId: 'build-1'}}
}

describe('config cache, keyed by the exact file text', () => {
  it('returns exactly what parsing returns, undefined fields included, and stores one entry', () => {
    const {file, cache} = setup()
    const parsed = parseConfig(text, file)
    expect(loadConfig(file, cache)).toStrictEqual(parsed) // miss: parsed and stored
    expect(readdirSync(cache.dir)).toHaveLength(1)
    const hit = loadConfig(file, cache)
    expect(hit).toStrictEqual(parsed)
    expect('database' in hit && hit.database === undefined).toBe(true)
  })

  it('uses the stored config while the text is the same, and parses again when one byte changes', () => {
    const {file, cache} = setup()
    loadConfig(file, cache)
    // A stored entry for this exact text is what a hit returns (here one with another base currency).
    storeConfig(cache, file, text, {...parseConfig(text, file), baseCurrency: 'EUR'})
    expect(loadConfig(file, cache).baseCurrency).toBe('EUR')
    writeFileSync(file, `${text}# edited\n`)
    expect(loadConfig(file, cache).baseCurrency).toBe('USD')
  })

  it('ignores an entry written by another build or for another HOME', () => {
    const {file, cache} = setup()
    storeConfig(cache, file, text, {...parseConfig(text, file), baseCurrency: 'EUR'})
    expect(loadConfig(file, {...cache, buildId: 'build-2'}).baseCurrency).toBe('USD')
    storeConfig(cache, file, text, {...parseConfig(text, file), baseCurrency: 'EUR'})
    const home = process.env.HOME
    process.env.HOME = '/elsewhere'
    try {
      expect(loadConfig(file, cache).market.quotesFile).toBe('/elsewhere/quotes.csv')
    } finally {
      process.env.HOME = home
    }
  })

  it('never caches an invalid file, and works when the cache directory cannot be written', () => {
    const {file, cache} = setup()
    writeFileSync(file, 'portfolios: 3\n')
    expect(() => loadConfig(file, cache)).toThrow(ConfigError)
    expect(() => loadConfig(file, cache)).toThrow(ConfigError)
    writeFileSync(file, text)
    // The cache "directory" is under a regular file: every write fails (ENOTDIR).
    expect(loadConfig(file, {dir: path.join(file, 'cache'), buildId: 'b'}).portfolios[0].name).toBe('ira')
  })
})
