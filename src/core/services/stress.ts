/*
 * risk --stress: the stress grid of every selected portfolio (domain/stress.ts), full revaluation
 * of the stored book at today's prices and implied vols.
 */
import type {Config} from '../config/config.js'
import type {PortfolioBundle} from '../containers/bundles.js'
import {bookStress, DEFAULT_STRESS_SETTINGS, type BookStress} from '../domain/stress.js'
import {dividendFor, rateFor} from './market.js'
import {scenarioEngine} from './var.js'

export interface PortfolioStress extends BookStress {
  portfolio: string
}

export interface StressResult {
  asOf: string
  portfolios: PortfolioStress[]
}

export function portfolioStress(config: Config, bundles: PortfolioBundle[], asOf: Date): PortfolioStress[] {
  const settings = config.stress ?? DEFAULT_STRESS_SETTINGS
  return bundles
    .filter((b) => b.config.kind !== 'whatif')
    .map((b) => {
      const market = {currency: b.config.currency, fxRates: config.fxRates, rate: (c: string) => rateFor(config, c), dividend: (u: string) => dividendFor(config, u)}
      return {portfolio: b.config.name, ...bookStress(b.positions, market, settings, asOf, scenarioEngine)}
    })
}
