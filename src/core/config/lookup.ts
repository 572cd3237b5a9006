/*
 * The config functions the read path needs without YAML or zod (config.ts loads both): which file to
 * read, and a portfolio by name. The fast path (src/fast.ts) reaches the config through these and the
 * validated-config cache (cache.ts) and loads config.ts only when the cache has no entry for the file.
 */
import {existsSync} from 'node:fs'
import path from 'node:path'
import {ConfigError} from '../errors.js'
import type {Config, PortfolioConfig} from './config.js'

/** Picks the config file; `configDir` is oclif's per-user config directory. */
export function resolveConfigPath(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string, configDir: string): string {
  if (flag) return path.resolve(cwd, flag)
  if (env.COTRADER_CONFIG) return path.resolve(cwd, env.COTRADER_CONFIG)
  const local = path.resolve(cwd, 'config', 'risk_config.yaml')
  if (existsSync(local)) return local
  return path.join(configDir, 'risk_config.yaml')
}

/** Finds a portfolio by name or fails with the list of names. */
export function findPortfolio(config: Config, name: string): PortfolioConfig {
  const p = config.portfolios.find((q) => q.name === name)
  if (!p) throw new ConfigError(`unknown portfolio "${name}"; configured: ${config.portfolios.map((q) => q.name).join(', ')}`)
  return p
}
