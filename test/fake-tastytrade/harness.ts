/*
 * Test wiring for the fake: a Config with one tastytrade portfolio pointed at it, the environment
 * that carries the credentials and the API URL override, and a check that no secret appears in
 * anything an error can be turned into.
 */
import type {Config, PortfolioConfig} from '../../src/core/config/config.js'
import type {FakeTastytrade} from './server.js'
import {ACCOUNT, CLIENT_SECRET, REFRESH_TOKEN} from './scenario.js'

export function portfolio(overrides: Partial<PortfolioConfig> = {}): PortfolioConfig {
  return {name: 'tt-main', broker: 'tastytrade', account: ACCOUNT, currency: 'USD', kind: 'real', tradingEnabled: false, limits: {}, ...overrides}
}

export function configFor(options: {portfolios?: PortfolioConfig[]; greeksWaitSeconds?: number; credentialsFile?: string} = {}): Config {
  return {
    file: '/tmp/cotrader-test/risk_config.yaml',
    baseCurrency: 'USD',
    fxRates: {USD: 1},
    market: {rates: {USD: 0.04}, dividends: {}, benchmark: 'SPY', betas: {}},
    tastytrade: {environment: 'production', greeksWaitSeconds: options.greeksWaitSeconds ?? 1, ...(options.credentialsFile ? {credentialsFile: options.credentialsFile} : {})},
    portfolios: options.portfolios ?? [portfolio()],
  }
}

export function envFor(fake: FakeTastytrade, withCredentials = true): NodeJS.ProcessEnv {
  return {
    TASTYTRADE_API_URL: fake.url,
    ...(withCredentials ? {TASTYTRADE_CLIENT_SECRET: CLIENT_SECRET, TASTYTRADE_REFRESH_TOKEN: REFRESH_TOKEN} : {}),
  }
}

/** Everything an error can be rendered as: message, String(), JSON, stack. */
export function renderings(error: unknown): string[] {
  const e = error as Error
  return [e?.message ?? '', String(error), JSON.stringify(error) ?? '', e?.stack ?? '']
}

/** Secrets that must never show: the client secret, the refresh token, every access and quote token. */
export function secretsOf(fake: FakeTastytrade): string[] {
  return [CLIENT_SECRET, REFRESH_TOKEN, ...fake.state.accessTokens, ...fake.state.quoteTokens]
}
