/*
 * File-fed portfolios: one entry point that reads the portfolio's export and hands back the same
 * FetchedPortfolio an API adapter would. Formats are described for users in docs/FILE_FORMATS.md.
 */
import type {PortfolioConfig} from '../../config/config.js'
import type {FetchContext, FetchedPortfolio} from '../broker.js'
import {importFidelity} from './fidelity.js'
import {importGeneric} from './generic.js'
import {importIbkrFlexFile} from './ibkr.js'
import {importSchwab} from './schwab.js'
import {ImportError, readRecords} from './table.js'
import {importTastytradeCsv} from './tastytrade.js'
import {importZerodhaHoldings, importZerodhaPositions} from './zerodha.js'

export {ImportError} from './table.js'

export function importPositionsFile(portfolio: PortfolioConfig, ctx: Pick<FetchContext, 'skipInvalid'>): FetchedPortfolio {
  const source = portfolio.source
  if (!source) throw new ImportError(`portfolio ${portfolio.name}`, undefined, 'has no source file to import (add "source: {file: ..., format: ...}")')
  // IBKR Flex may be XML as well as CSV: its importer reads the file itself.
  if (source.format === 'ibkr-flex') return importIbkrFlexFile(portfolio, source.file, ctx.skipInvalid)
  const {display, records} = readRecords(source.file, {comments: source.format === 'generic'})
  switch (source.format) {
    case 'fidelity':
      return importFidelity(portfolio, display, records, ctx.skipInvalid)
    case 'zerodha-holdings':
      return importZerodhaHoldings(portfolio, display, records, ctx.skipInvalid)
    case 'zerodha-positions':
      return importZerodhaPositions(portfolio, display, records, ctx.skipInvalid)
    case 'tastytrade-csv':
      return importTastytradeCsv(portfolio, display, records, ctx.skipInvalid)
    case 'schwab':
      return importSchwab(portfolio, display, records, ctx.skipInvalid)
    case 'generic':
      return importGeneric(portfolio, display, records, ctx.skipInvalid)
    default: {
      const never: never = source.format
      throw new ImportError(display, undefined, `unknown file format "${String(never)}"`)
    }
  }
}
