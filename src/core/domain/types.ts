/*
 * The domain's vocabulary. Every broker's data is normalised to these shapes at the adapter
 * boundary; nothing past an adapter knows which broker a number came from, except the fields
 * named *Source on purpose.
 *
 * Units, once:
 *  - prices (entry, mark, underlying) are per unit of the instrument (per share, per option
 *    contract unit, per futures point), in the position's currency;
 *  - quantity is signed: + long, − short, in contracts for options and futures, in shares/units
 *    otherwise; multiplier converts one contract's price into money (100 for US equity options);
 *  - Greeks are per unit unless a field says "position": delta per 1.00 move of the underlying,
 *    gamma per 1.00 move, theta per calendar day, vega per 1 vol point (σ + 0.01),
 *    rho per 1 rate point (r + 0.01).
 */

/** `bond` covers bonds and CDs: quantity is face value, price per 100 of face (multiplier 0.01). */
export type InstrumentType = 'equity' | 'equity_option' | 'future' | 'future_option' | 'crypto' | 'fund' | 'bond'

export type OptionRight = 'call' | 'put'
export type ExerciseStyle = 'american' | 'european'

/** One symbol in the internal form, whatever the broker wrote. */
export interface ParsedSymbol {
  /** Internal canonical form: `AAPL`, `AAPL 2026-01-16 150C`, `NIFTY 2024-01-25 21000C`, `NIFTY 2024-01 FUT`, `/ESZ6`… see symbols.ts. */
  symbol: string
  type: InstrumentType
  /** Symbol of the underlying instrument (`AAPL`, `NIFTY`, `/ES`); equals `symbol` for stock. */
  underlying: string
  /** Options only. */
  option?: OptionContract
  /** Futures only: expiry month `YYYY-MM` or date `YYYY-MM-DD` when known. */
  futureExpiry?: string
}

export interface OptionContract {
  /** Expiration date, `YYYY-MM-DD` (exchange-local calendar date). */
  expiry: string
  /** Strike, per unit of the underlying, in the position's currency. */
  strike: number
  right: OptionRight
}

/** Greeks of one unit of an instrument (see units at the top of this file). */
export interface UnitGreeks {
  delta: number
  gamma: number
  /** per calendar day */
  theta: number
  /** per vol point (0.01 of σ) */
  vega: number
  /** per rate point (0.01 of r) */
  rho: number
}

export type GreeksSource = 'feed' | 'model' | 'none'

/** Where each Greek came from: the feed, or the model where the feed gave none ("NaN"). */
export type GreeksSources = Record<keyof UnitGreeks, 'feed' | 'model'>
export type PriceSource = 'broker' | 'file' | 'feed' | 'quotes' | 'last' | 'none'

/**
 * A position as the adapters deliver it and the store keeps it.
 * Unknown numbers are null, never 0.
 */
export interface Position {
  portfolio: string
  /** Internal canonical symbol. */
  symbol: string
  /** The symbol exactly as the broker wrote it (for orders and support tickets). */
  brokerSymbol: string
  instrumentType: InstrumentType
  underlying: string
  /** Signed: + long, − short. Contracts for options/futures, shares/units otherwise. */
  quantity: number
  /** Money per 1.00 of price per contract: 100 for US equity options, 1 for stock. */
  multiplier: number
  /** Average open price per unit; null when the broker did not say. */
  entryPrice: number | null
  /** Current mark per unit; null when unknown. */
  markPrice: number | null
  /**
   * The broker's basis for day P&L per unit, when it gives one (TastyTrade: the previous close, or the
   * fill price for a position opened today); null/absent = not given (day P&L then uses the snapshots).
   */
  previousClose?: number | null
  currency: string
  option?: OptionContract & {style: ExerciseStyle}
  /** Price of the underlying per unit, null when unknown. */
  underlyingPrice: number | null
  underlyingPriceSource: PriceSource
  /** When the underlying price was observed (ISO), if not just now: set for a carried-over last known price. */
  underlyingPriceAsOf?: string
  /** Implied volatility as a fraction (0.25 = 25 %), null when unknown. */
  iv: number | null
  /** Per-unit Greeks; null when unknown (greeksSource = none, greeksNote says why). */
  greeks: UnitGreeks | null
  greeksSource: GreeksSource
  /**
   * Per-Greek provenance when the Greeks are known and their sources differ (a DXLink event with one
   * "NaN" field: that Greek from the model, the others from the feed). Absent = every Greek is from
   * greeksSource (see greeksSourcesOf).
   */
  greeksSources?: GreeksSources
  greeksNote?: string
  /** When the mark was observed (ISO): the export's own stamp, the feed time, else the sync time. Unset = unknown. */
  markAsOf?: string
  /** What the mark is: a live broker/feed mark, the broker's previous close, a quote mid, or (as-of valuation) model/intrinsic value. */
  markSource?: MarkSource
  /** Set by the read side (containers/aging.ts) once the contract's settlement instant has passed. */
  expired?: boolean
  /**
   * Why the instrument could not be understood (a symbol or type cotrader cannot read). The row keeps
   * the broker's numbers (quantity, mark, value, P&L); its Greeks stay unknown, never modelled.
   */
  opaque?: string
  /**
   * Set by the read side for what an expiry changed that the broker's positions do not show yet: stock
   * the daemon's provisional settlement delivers (counted in the book until the broker's positions
   * confirm it), or an expired option left unsettled (no settlement price, pin risk). The text says which.
   */
  pendingSettlement?: string
  /** Options with a non-standard deliverable (after a split, merger or special dividend): what one contract delivers. */
  deliverable?: Deliverable
  /**
   * Options: when the settlement value is fixed, as the broker states it (tastytrade instruments
   * `settlement-type` AM/PM: SPX monthlies AM, SPXW PM); absent = by the option class (calendar/expiry.ts).
   */
  settlement?: 'am' | 'pm'
  /** Options: cash-settled (index options) or physical (delivers shares, or the future for futures options); absent = not stated. */
  settlementKind?: 'cash' | 'physical'
  /**
   * Greeks the feed gave when it did not give all five ("NaN" for the rest): the model fills only
   * the missing ones (domain/greeks.ts) and greeksNote names which. Transient: not stored.
   */
  feedGreeks?: Partial<UnitGreeks>
  /**
   * Other marks the source offered, best first, used when the mark fails the plausibility checks
   * (domain/plausible.ts): a crossed quote, below intrinsic, a call above its underlying. Transient.
   */
  markAlternatives?: {price: number; source: MarkSource}[]
}

/**
 * What one option contract delivers on exercise: `shares` of `underlying` plus `cash` (money, in the
 * option's currency), against strike × multiplier paid or received. Standard US equity options: 100
 * shares, no cash. XYZ1 after a 3-for-2 split: 150 XYZ, strike unchanged.
 */
export interface Deliverable {
  shares: number
  underlying: string
  cash: number
}

/**
 * live = the broker's or feed's current mark; file = the export's price (as of its stamp);
 * quote_mid = DXLink bid/ask mid; previous_close = the last session's close, shown when no live
 * mark exists (after hours); model = re-priced by --as-of at another instant; intrinsic = an
 * option valued at its settlement (expired under --as-of); broker_total = the broker's position
 * value (tastytrade `mark`) ÷ |quantity| ÷ multiplier, when it gives no per-unit mark; trade = the
 * last DXLink Trade price (no usable quote).
 */
export type MarkSource = 'live' | 'file' | 'quote_mid' | 'previous_close' | 'model' | 'intrinsic' | 'broker_total' | 'trade'

/** Account-level numbers of one portfolio, in its currency; null when the broker did not say. */
export interface Balances {
  /** Net liquidating value. */
  equity: number | null
  cash: number | null
  buyingPower: number | null
  maintenanceRequirement: number | null
}
