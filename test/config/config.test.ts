import {mkdtempSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {loadConfig, parseConfig, resolveConfigPath} from '../../src/core/config/config.js'
import {ConfigError} from '../../src/core/errors.js'

const minimal = `
portfolios:
  - name: ira
    broker: fidelity
    account: "111"
    source: {file: ira.csv, format: fidelity}
`

function errorOf(text: string): string {
  try {
    parseConfig(text, '/cfg/risk_config.yaml')
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return (error as Error).message
  }
  throw new Error('expected a ConfigError')
}

describe('config: valid files', () => {
  it('fills defaults and resolves paths relative to the config file', () => {
    const c = parseConfig(`database: ../data/db.sqlite\n${minimal}`, '/cfg/risk_config.yaml')
    expect(c.baseCurrency).toBe('USD')
    expect(c.database).toBe('/data/db.sqlite')
    expect(c.portfolios[0]).toMatchObject({name: 'ira', currency: 'USD', kind: 'real', tradingEnabled: false, source: {file: '/cfg/ira.csv', format: 'fidelity'}})
    expect(c.fxRates).toEqual({USD: 1})
    expect(c.market.benchmark).toBe('SPY')
  })

  it('ledger keys: source.transactions resolved like the export, lots and assignment_basis with their defaults', () => {
    const c = parseConfig(minimal.replace('format: fidelity}', 'format: fidelity, transactions: {file: ../activity/*.csv, format: generic}}') + '    lots: average\n', '/cfg/risk_config.yaml')
    expect(c.portfolios[0]).toMatchObject({source: {transactions: {file: '/activity/*.csv', format: 'generic'}}, lots: 'average', assignmentBasis: 'broker'})
    expect(parseConfig(minimal, '/cfg/risk_config.yaml').portfolios[0]).toMatchObject({lots: 'fifo', assignmentBasis: 'broker'})
  })

  it('merges per-portfolio limits over the defaults', () => {
    const c = parseConfig(`defaults: {limits: {max_loss: 100, max_abs_vega: 50}}\n${minimal}    limits: {max_loss: 7}\n`, '/cfg/x.yaml')
    expect(c.portfolios[0].limits).toMatchObject({maxLoss: 7, maxAbsVega: 50})
  })

  it('the shipped demo config is valid', () => {
    const c = loadConfig(path.resolve(__dirname, '../../config/risk_config.yaml'))
    expect(c.portfolios.filter((p) => p.kind === 'whatif').length).toBeGreaterThanOrEqual(5)
    expect(c.portfolios.some((p) => p.broker === 'tastytrade')).toBe(true)
  })
})

describe('config: every bad file gets one message naming file, line, key and problem', () => {
  it.each([
    ['unknown top-level key', `colour: red\n${minimal}`, /risk_config\.yaml:1: colour: unknown key/],
    ['unknown portfolio key', `${minimal}    acount: "12"\n`, /:7: portfolios\[0\]\.acount: unknown key/],
    ['typo in a risk limit', `${minimal}    limits: {max_los: 5}\n`, /portfolios\[0\]\.limits\.max_los: unknown key/],
    ['wrong type', `${minimal}    cash: lots\n`, /:7: portfolios\[0\]\.cash: expected number, got string "lots"/],
    ['bad enum', minimal.replace('broker: fidelity', 'broker: robinhood'), /:4: portfolios\[0\]\.broker: must be one of tastytrade \| fidelity/],
    ['bad currency', `${minimal}    currency: dollars\n`, /portfolios\[0\]\.currency: must be a three-letter ISO currency code/],
    ['no portfolios', 'base_currency: USD\n', /portfolios: required/],
    ['duplicate portfolio name', `${minimal}  - {name: ira, broker: manual, account: "2", source: {file: a.csv, format: generic}}\n`, /:7: portfolios\[1\]\.name: duplicate portfolio name "ira"/],
    ['same broker and account twice', `${minimal}  - {name: ira2, broker: fidelity, account: "111", source: {file: a.csv, format: fidelity}}\n`, /portfolios\[1\]\.account: broker fidelity account 111 is already used by portfolios\[0\]/],
    ['what-if pointing at nothing', `${minimal}  - {name: w, broker: none, kind: whatif, shadows: nope}\n`, /portfolios\[1\]\.shadows: shadows "nope", which is not a portfolio/],
    ['what-if without shadows', `${minimal}  - {name: w, broker: none, kind: whatif}\n`, /portfolios\[1\]: a whatif portfolio needs "shadows/],
    ['what-if shadowing a research portfolio', `${minimal}  - {name: r, broker: none, kind: research}\n  - {name: w, broker: none, kind: whatif, shadows: r}\n`, /which is a research portfolio, not a real one/],
    ['file-fed broker without a source', 'portfolios:\n  - {name: z, broker: zerodha, account: Z1}\n', /portfolios\[0\]: broker zerodha has no API: add "source/],
    ['tastytrade without account', 'portfolios:\n  - {name: t, broker: tastytrade}\n', /a tastytrade portfolio needs its account number/],
    ['negative limit', `${minimal}    limits: {max_loss: -5}\n`, /portfolios\[0\]\.limits\.max_loss:/],
    ['invalid YAML', 'portfolios: [\n', /risk_config\.yaml:\d+:\d+: invalid YAML/],
    ['bad lot method', `${minimal}    lots: hifo\n`, /:7: portfolios\[0\]\.lots: must be one of fifo \| lifo \| average/],
    ['bad assignment basis', `${minimal}    assignment_basis: tax\n`, /:7: portfolios\[0\]\.assignment_basis: must be one of broker \| premium_in_basis/],
    ['bad transactions format', minimal.replace('format: fidelity}', 'format: fidelity, transactions: {file: tx/*.csv, format: quicken}}'), /:6: portfolios\[0\]\.source\.transactions\.format: must be one of generic/],
    ['transactions without a file', minimal.replace('format: fidelity}', 'format: fidelity, transactions: {format: generic}}'), /portfolios\[0\]\.source\.transactions\.file: required/],
    ['duplicate YAML key', `base_currency: USD\nbase_currency: INR\n${minimal}`, /invalid YAML: Map keys must be unique/],
  ])('%s', (_name, text, expected) => {
    const message = errorOf(text)
    expect(message).toMatch(/^\/cfg\/risk_config\.yaml/)
    expect(message).toMatch(expected)
    expect(message).not.toMatch(/\n/)
  })

  it('a missing file says so and what to do', () => {
    expect(() => loadConfig('/nonexistent/risk_config.yaml')).toThrow(/\/nonexistent\/risk_config\.yaml: file not found\. Pass --config FILE or set COTRADER_CONFIG/)
  })
})

describe('config: resolution order --config > COTRADER_CONFIG > ./config/risk_config.yaml > config dir', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cotrader-cfg-'))
  it('flag first', () => expect(resolveConfigPath('a.yaml', {COTRADER_CONFIG: 'b.yaml'}, dir, '/home/x')).toBe(path.join(dir, 'a.yaml')))
  it('then the environment', () => expect(resolveConfigPath(undefined, {COTRADER_CONFIG: 'b.yaml'}, dir, '/home/x')).toBe(path.join(dir, 'b.yaml')))
  it('then oclif config dir when ./config/risk_config.yaml is absent', () => expect(resolveConfigPath(undefined, {}, dir, '/home/x')).toBe('/home/x/risk_config.yaml'))
  it('then ./config/risk_config.yaml when present', () => {
    const local = path.join(dir, 'config')
    require('node:fs').mkdirSync(local, {recursive: true})
    writeFileSync(path.join(local, 'risk_config.yaml'), minimal)
    expect(resolveConfigPath(undefined, {}, dir, '/home/x')).toBe(path.join(local, 'risk_config.yaml'))
  })
})
