/*
 * What every broker adapter delivers to the sync service. Adapters normalise at the boundary
 * (signs, strings to numbers, symbols to the internal form, multipliers); they never touch the
 * store. Model Greeks are filled in later by the sync service for any option whose Greeks are null.
 */
import type {PortfolioConfig} from '../config/config.js'
import type {Balances, Position, UnitGreeks} from '../domain/types.js'
import type {EventDraft} from '../domain/ledger/events.js'

export interface SkippedRow {
  /** 1-based line in the source file (0 when not from a file). */
  line: number
  reason: string
}

export interface FetchedPortfolio {
  /** `portfolio` is set to the configured portfolio name. One row per symbol. */
  positions: Position[]
  balances: Balances
  /** Rows left out under --skip-invalid. */
  skipped: SkippedRow[]
  /** Things the user should know that did not stop the import. */
  warnings: string[]
  /** When the file's prices were observed (ISO), from the export's own stamp (Fidelity's "Date downloaded" footer); unset = at fetch time. */
  pricesAsOf?: string
}

export interface FetchContext {
  /** The time the sync runs as; adapters never read the clock themselves. */
  asOf: Date
  /** Import what is valid and list the rest instead of failing the portfolio. */
  skipInvalid: boolean
  /** Progress for a spinner; optional. */
  onProgress?: (message: string) => void
}

export interface BrokerAdapter {
  /** Why this adapter cannot run (e.g. which environment variables to set), or null when it can. */
  unavailable(): string | null
  fetch(portfolio: PortfolioConfig, ctx: FetchContext): Promise<FetchedPortfolio>
  /**
   * The account's transactions from the broker's API (ledger events with `source: 'broker_api'` and
   * keys set), from trade date `since` (YYYY-MM-DD; null = all history). All pages or an error: a
   * failure part-way returns nothing, so sync stores nothing of that run. Absent for file-fed brokers.
   */
  fetchTransactions?(portfolio: PortfolioConfig, since: string | null, ctx: FetchContext): Promise<EventDraft[]>
  /** Release sockets and timers so the process can exit. */
  close(): Promise<void>
}

/** One option leg a market-data provider is asked about. */
export interface OptionQuoteRequest {
  /** Internal symbol, the key of the answer. */
  symbol: string
  underlying: string
  expiry: string
  strike: number
  right: 'call' | 'put'
}

export interface MarketSnapshot {
  /** Underlying symbol → price per unit (mid of bid/ask, else last). */
  quotes: Map<string, number>
  /** Internal option symbol → feed Greeks (per unit, domain units), IV (fraction) and option price per unit (quote mid, else the Greeks event's price). */
  greeks: Map<string, {greeks: UnitGreeks; iv: number | null; price: number | null}>
  /** Options whose feed event had only some usable Greeks ("NaN" for the rest): the model fills the others. */
  partialGreeks?: Map<string, {greeks: Partial<UnitGreeks>; iv: number | null}>
}

/** Live quotes and Greeks for positions held elsewhere (TastyTrade's feed for Fidelity's US options). */
export interface MarketDataProvider {
  readonly name: string
  unavailable(): string | null
  snapshot(underlyings: string[], options: OptionQuoteRequest[]): Promise<MarketSnapshot>
  close(): Promise<void>
}
