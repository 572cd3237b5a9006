/*
 * Loads and validates risk_config.yaml. Resolution: --config > COTRADER_CONFIG >
 * ./config/risk_config.yaml > oclif's config dir. Every problem is reported as one ConfigError
 * naming the file, the line and key path, and what is wrong; nothing is written.
 */
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {isMap, isSeq, LineCounter, parseDocument, type Document} from 'yaml'
import type {$ZodError} from 'zod/v4/core'
import {ConfigError} from '../errors.js'
import {cachedConfig, storeConfig, type ConfigCache} from './cache.js'
import {configSchema, TRANSACTION_FORMATS, type RawDaemon, type RawLimits, type RawStress, type RawVar} from './schema.js'
import {DEFAULT_VAR_SETTINGS, type VarSettings} from '../domain/var.js'
import {DEFAULT_STRESS_SETTINGS, type StressSettings} from '../domain/stress.js'
import type {Deliverable} from '../domain/types.js'

export type Broker = 'tastytrade' | 'fidelity' | 'zerodha' | 'schwab' | 'ibkr' | 'manual' | 'none'
export type FileFormat = 'fidelity' | 'zerodha-holdings' | 'zerodha-positions' | 'tastytrade-csv' | 'schwab' | 'ibkr-flex' | 'generic'
export type PortfolioKind = 'real' | 'whatif' | 'research'
export type TransactionFormat = (typeof TRANSACTION_FORMATS)[number]
export type LotMethod = 'fifo' | 'lifo' | 'average'
export type AssignmentBasis = 'broker' | 'premium_in_basis'

/** Risk limits of one portfolio; undefined = no limit. Money in the portfolio's currency. */
export interface Limits {
  maxDeltaDollarsPerUnderlying?: number
  maxDeltaDollarsTotal?: number
  /** percent */
  maxCapitalUtilizationPct?: number
  /** percent */
  maxPositionPctOfEquity?: number
  /** money per vol point */
  maxAbsVega?: number
  /** positive amount of money */
  maxLoss?: number
}

export interface PortfolioConfig {
  name: string
  broker: Broker
  account?: string
  currency: string
  kind: PortfolioKind
  description?: string
  /** Absolute path and format of the export file, for file-fed portfolios. */
  /** `transactions`: the ledger's export file, glob or folder (absolute) and its format. */
  source?: {file: string; format: FileFormat; transactions?: {file: string; format: TransactionFormat}}
  /** Lot matching for realised P&L (domain/ledger/lots.ts); default fifo. */
  lots?: LotMethod
  /** Assignment/exercise premium treatment (docs/LEDGER.md); default broker. */
  assignmentBasis?: AssignmentBasis
  shadows?: string
  cash?: number
  tradingEnabled: boolean
  limits: Limits
}

export interface Config {
  /** Absolute path of the file this came from. */
  file: string
  baseCurrency: string
  /** Absolute path, when the config names one. */
  database?: string
  /** Value of 1 unit of the currency in the base currency. */
  fxRates: Record<string, number>
  market: {
    rates: Record<string, number>
    dividends: Record<string, number>
    benchmark: string
    betas: Record<string, number>
    quotesFile?: string
    /** next cash dividend by underlying: ex-date YYYY-MM-DD and money per share (assignment risk) */
    nextDividends?: Record<string, {exDate: string; amount: number}>
    /** how old prices may be before a warning: "1 session" (default), "12h"… (containers/freshness.ts) */
    maxDataAge?: string
  }
  tastytrade: {environment: 'production' | 'sandbox'; credentialsFile?: string; greeksWaitSeconds: number}
  portfolios: PortfolioConfig[]
  /** VaR settings (config `var:`); loadConfig fills in defaults, hand-built configs may leave it out */
  var?: VarSettings
  /** stress grid settings (config `stress:`); as above */
  stress?: StressSettings
  /** non-standard option deliverables by option root, upper case (config `deliverables:`); absent = none configured */
  deliverables?: Record<string, Deliverable>
  /** the daemon section as validated (snake_case; services/daemon/config.ts reads it) */
  daemon?: RawDaemon
  /**
   * The line in the file of the keys checked after loading (the daemon's cron expression, delta band,
   * backoff: croner is not loaded with the config), by dotted path ("daemon.scan.cron"), so their errors
   * say file:line like every other config error. Absent for configs built in code.
   */
  keyLines?: Record<string, number>
}

// Without YAML or zod, for the fast path: re-exported so every importer of this module keeps working.
export {findPortfolio, resolveConfigPath} from './lookup.js'

export const FILE_FED_BROKERS: readonly Broker[] = ['fidelity', 'zerodha', 'schwab', 'ibkr', 'manual']

/** Reads and validates the config file; with `cache`, a config validated earlier from the same text is reused. */
export function loadConfig(file: string, cache?: ConfigCache): Config {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : `cannot read (${code})`
    throw new ConfigError(`${file}: ${why}. Pass --config FILE or set COTRADER_CONFIG.`)
  }
  if (!cache) return parseConfig(text, file)
  const hit = cachedConfig(cache, file, text)
  if (hit) return hit
  const config = parseConfig(text, file)
  storeConfig(cache, file, text, config)
  return config
}

export function parseConfig(text: string, file: string): Config {
  const lines = new LineCounter()
  const doc = parseDocument(text, {lineCounter: lines, uniqueKeys: true, prettyErrors: false})
  if (doc.errors.length > 0) {
    const e = doc.errors[0]
    const at = lines.linePos(e.pos[0])
    throw new ConfigError(`${file}:${at.line}:${at.col}: invalid YAML: ${firstLine(e.message)}`)
  }
  const data = doc.toJS() ?? {}
  const result = configSchema.safeParse(data)
  if (!result.success) throw zodError(result.error, doc, lines, file)
  const raw = result.data
  const fail = (keyPath: (string | number)[], message: string): never => {
    throw new ConfigError(`${file}${lineOf(doc, lines, keyPath)}: ${formatPath(keyPath)}: ${message}`)
  }
  const dir = path.dirname(file)
  const names = new Map<string, number>()
  const accounts = new Map<string, number>()
  raw.portfolios.forEach((p, i) => {
    if (names.has(p.name)) fail(['portfolios', i, 'name'], `duplicate portfolio name "${p.name}" (also portfolios[${names.get(p.name)}])`)
    names.set(p.name, i)
    if (p.account !== undefined && p.broker !== 'none') {
      const key = `${p.broker}/${p.account}`
      if (accounts.has(key)) fail(['portfolios', i, 'account'], `broker ${p.broker} account ${p.account} is already used by portfolios[${accounts.get(key)}]; each account maps to one portfolio`)
      accounts.set(key, i)
    }
    if (p.kind === 'whatif') {
      if (!p.shadows) fail(['portfolios', i], 'a whatif portfolio needs "shadows: <name of a real portfolio>"')
    } else if (p.shadows) fail(['portfolios', i, 'shadows'], 'only whatif portfolios shadow another portfolio')
    if (p.kind !== 'whatif' && (FILE_FED_BROKERS as string[]).includes(p.broker) && !p.source)
      fail(['portfolios', i], `broker ${p.broker} has no API: add "source: {file: ..., format: ...}"`)
    if (p.broker === 'tastytrade' && !p.account) fail(['portfolios', i], 'a tastytrade portfolio needs its account number in "account"')
  })
  raw.portfolios.forEach((p, i) => {
    if (!p.shadows) return
    const target = raw.portfolios.find((q) => q.name === p.shadows)
    if (!target) fail(['portfolios', i, 'shadows'], `shadows "${p.shadows}", which is not a portfolio in this file`)
    else if (target.kind !== 'real') fail(['portfolios', i, 'shadows'], `shadows "${p.shadows}", which is a ${target.kind} portfolio, not a real one`)
  })
  const defaults = raw.defaults.limits
  return {
    file,
    baseCurrency: raw.base_currency,
    database: raw.database ? path.resolve(dir, expandHome(raw.database)) : undefined,
    fxRates: {...raw.fx_rates, [raw.base_currency]: 1},
    market: {
      rates: raw.market.rates,
      dividends: raw.market.dividends,
      benchmark: raw.market.benchmark,
      betas: raw.market.betas,
      quotesFile: raw.market.quotes_file ? path.resolve(dir, expandHome(raw.market.quotes_file)) : undefined,
      nextDividends: Object.fromEntries(Object.entries(raw.market.next_dividends).map(([k, v]) => [k, {exDate: v.ex_date, amount: v.amount}])),
      ...(raw.market.max_data_age ? {maxDataAge: raw.market.max_data_age.trim()} : {}),
    },
    tastytrade: {
      environment: raw.tastytrade.environment,
      credentialsFile: raw.tastytrade.credentials_file ? path.resolve(dir, expandHome(raw.tastytrade.credentials_file)) : undefined,
      greeksWaitSeconds: raw.tastytrade.greeks_wait_seconds,
    },
    portfolios: raw.portfolios.map((p) => ({
      name: p.name,
      broker: p.broker,
      account: p.account,
      currency: p.currency,
      kind: p.kind,
      description: p.description,
      source: p.source
        ? {
            file: path.resolve(dir, expandHome(p.source.file)),
            format: p.source.format,
            ...(p.source.transactions ? {transactions: {file: path.resolve(dir, expandHome(p.source.transactions.file)), format: p.source.transactions.format}} : {}),
          }
        : undefined,
      lots: p.lots,
      assignmentBasis: p.assignment_basis,
      shadows: p.shadows,
      cash: p.cash,
      tradingEnabled: p.trading_enabled,
      limits: toLimits({...defaults, ...p.limits}),
    })),
    daemon: raw.daemon,
    keyLines: Object.fromEntries(
      [['daemon', 'scan', 'cron'], ['daemon', 'rules', 'delta_band'], ['daemon', 'backoff']].flatMap((k) => {
        const at = lineOf(doc, lines, k)
        return at ? [[k.join('.'), Number(at.slice(1))]] : []
      }),
    ),
    deliverables: Object.fromEntries(Object.entries(raw.deliverables).map(([root, d]) => [root.toUpperCase(), {shares: d.shares, underlying: d.underlying.toUpperCase(), cash: d.cash}])),
    var: toVar(raw.var),
    stress: toStress(raw.stress),
  }
}

function toVar(v: RawVar | undefined): VarSettings {
  if (!v) return DEFAULT_VAR_SETTINGS
  return {
    levels: v.levels,
    horizonDays: v.horizon_days,
    methods: v.methods,
    lookbackDays: v.lookback_days,
    minObservations: v.min_observations,
    monteCarlo: v.monte_carlo,
    interpolate: v.interpolate,
  }
}

function toStress(s: RawStress | undefined): StressSettings {
  if (!s) return DEFAULT_STRESS_SETTINGS
  return {
    singleStock: s.single_stock,
    broadIndex: s.broad_index,
    indexSymbols: s.index_symbols ?? DEFAULT_STRESS_SETTINGS.indexSymbols,
    vol: s.vol_shifts,
  }
}

function toLimits(l: RawLimits): Limits {
  return {
    maxDeltaDollarsPerUnderlying: l.max_delta_dollars_per_underlying,
    maxDeltaDollarsTotal: l.max_delta_dollars_total,
    maxCapitalUtilizationPct: l.max_capital_utilization_pct,
    maxPositionPctOfEquity: l.max_position_pct_of_equity,
    maxAbsVega: l.max_abs_vega,
    maxLoss: l.max_loss,
  }
}

function expandHome(p: string): string {
  return p.startsWith('~/') ? path.join(process.env.HOME ?? '', p.slice(2)) : p
}

function zodError(error: $ZodError, doc: Document, lines: LineCounter, file: string): ConfigError {
  const issue = error.issues[0]
  const keyPath = issue.path.filter((k: PropertyKey): k is string | number => typeof k !== 'symbol')
  let message = issue.message
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys
    const where = [...keyPath, keys[0]]
    return new ConfigError(`${file}${lineOf(doc, lines, where)}: ${formatPath(where)}: unknown key${keys.length > 1 ? `s ${keys.join(', ')}` : ''}`)
  }
  if (issue.code === 'invalid_type') {
    const value = getIn(doc.toJS(), keyPath)
    message = value === undefined ? `required (${issue.expected})` : `expected ${issue.expected}, got ${describe(value)}`
  } else if (issue.code === 'invalid_value' && 'values' in issue) {
    message = `must be one of ${(issue.values as unknown[]).join(' | ')}, got ${describe(getIn(doc.toJS(), keyPath))}`
  }
  return new ConfigError(`${file}${lineOf(doc, lines, keyPath)}: ${formatPath(keyPath) || '(top level)'}: ${message}`)
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  return `${typeof value} ${JSON.stringify(value)}`
}

function getIn(data: unknown, keyPath: (string | number)[]): unknown {
  let v: any = data
  for (const k of keyPath) v = v?.[k]
  return v
}

/** `portfolios[2].limits.max_loss` */
function formatPath(keyPath: (string | number)[]): string {
  return keyPath.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('')
}

/** `:LINE` of the deepest node on the path that exists in the document. */
function lineOf(doc: Document, lines: LineCounter, keyPath: (string | number)[]): string {
  let node: unknown = doc.contents
  let offset: number | undefined
  for (const key of keyPath) {
    if (isMap(node)) {
      const pair = node.items.find((p: any) => String(p.key?.value ?? p.key) === String(key))
      if (!pair) break
      offset = (pair.key as any)?.range?.[0] ?? offset
      node = pair.value
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key]
      offset = (node as any)?.range?.[0] ?? offset
    } else break
  }
  if (offset === undefined) return ''
  return `:${lines.linePos(offset).line}`
}

function firstLine(s: string): string {
  return s.split('\n')[0]
}
