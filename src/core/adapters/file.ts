/*
 * The broker adapter for portfolios fed from export files (Fidelity, Zerodha, manual CSVs).
 * Always available: it needs no credentials, only the file named in the config.
 */
import type {BrokerAdapter} from './broker.js'
import {importPositionsFile} from './csv/index.js'

export function fileAdapter(): BrokerAdapter {
  return {
    unavailable: () => null,
    fetch: async (portfolio, ctx) => importPositionsFile(portfolio, {skipInvalid: ctx.skipInvalid}),
    close: async () => {},
  }
}
