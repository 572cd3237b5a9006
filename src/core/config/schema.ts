/*
 * The shape of risk_config.yaml. The YAML uses snake_case; the validated config handed to the
 * rest of the program uses camelCase. Unknown keys are errors (a typo in a risk limit must not
 * silently fall back to a default). zod's tree-shakable "mini" API: this file is on every
 * command's start-up path, and the full API bundled ~700 kB of zod (locales included) into it.
 */
import * as z from 'zod/mini'

export const BROKERS = ['tastytrade', 'fidelity', 'zerodha', 'schwab', 'ibkr', 'manual', 'none'] as const
export const FILE_FORMATS = ['fidelity', 'zerodha-holdings', 'zerodha-positions', 'tastytrade-csv', 'schwab', 'ibkr-flex', 'generic'] as const
export const PORTFOLIO_KINDS = ['real', 'whatif', 'research'] as const
/** Transaction (activity) export formats the ledger reads; each has a parser in adapters/transactions/index.ts. */
export const TRANSACTION_FORMATS = ['generic', 'fidelity', 'zerodha-tradebook', 'schwab', 'ibkr-flex', 'tastytrade-csv'] as const
/** How closes are matched to open lots (domain/ledger/lots.ts). */
export const LOT_METHODS = ['fifo', 'lifo', 'average'] as const
/** How an assigned or exercised option's premium is booked (docs/LEDGER.md). */
export const ASSIGNMENT_BASES = ['broker', 'premium_in_basis'] as const

const currency = z.string().check(z.regex(/^[A-Z]{3}$/, 'must be a three-letter ISO currency code such as USD or INR'))
const nonNegative = z.number().check(z.gte(0, 'must be 0 or more'))
const percent = z.number().check(z.gte(0, 'must be a percentage from 0 to 100'), z.lte(100, 'must be a percentage from 0 to 100'))

const limitsSchema = z.strictObject({
  /** Max |delta dollars| per underlying (position delta in shares × underlying price), in the portfolio's currency. */
  max_delta_dollars_per_underlying: z.optional(nonNegative),
  /** Max |delta dollars| of the whole portfolio. */
  max_delta_dollars_total: z.optional(nonNegative),
  /** Max capital in use ÷ equity, in percent. */
  max_capital_utilization_pct: z.optional(percent),
  /** Max |market value| of one position ÷ equity, in percent. */
  max_position_pct_of_equity: z.optional(percent),
  /** Max |vega| of the portfolio, money per vol point. */
  max_abs_vega: z.optional(nonNegative),
  /** Max unrealized loss of the portfolio, as a positive amount of money. */
  max_loss: z.optional(nonNegative),
})

const sourceSchema = z.strictObject({
  file: z.string().check(z.minLength(1, 'must not be empty')),
  format: z.enum(FILE_FORMATS),
  /** The ledger's input: a transactions export, a glob (`activity/*.csv`) or a folder of them, relative to the config file. */
  transactions: z.optional(z.strictObject({
    file: z.string().check(z.minLength(1, 'must not be empty')),
    format: z.enum(TRANSACTION_FORMATS),
  })),
})

const portfolioSchema = z.strictObject({
  name: z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'must be letters, digits, "-", "_" or "." (no spaces)')),
  broker: z.enum(BROKERS),
  account: z.optional(z.pipe(z.union([z.string().check(z.minLength(1, 'must not be empty')), z.int()], {error: 'must be an account number: text or a whole number'}), z.transform(String))),
  currency: z._default(currency, 'USD'),
  kind: z._default(z.enum(PORTFOLIO_KINDS), 'real'),
  description: z.optional(z.string()),
  source: z.optional(sourceSchema),
  /** what-if portfolios: the real portfolio whose positions they start from. */
  shadows: z.optional(z.string()),
  /** Cash held outside the file (for exports that carry no cash line), in the portfolio's currency. */
  cash: z.optional(z.number()),
  /** Allow `approve --live` to send real orders for this portfolio. */
  trading_enabled: z._default(z.boolean(), false),
  limits: z.optional(limitsSchema),
  /** Lot matching for realised P&L: fifo (default), lifo, or average (how Indian brokers and funds report). */
  lots: z._default(z.enum(LOT_METHODS), 'fifo'),
  /** broker: each broker's own assignment/exercise treatment (IBKR folds the premium into the stock); premium_in_basis: always fold (the tax view). */
  assignment_basis: z._default(z.enum(ASSIGNMENT_BASES), 'broker'),
})

const marketSchema = z.strictObject({
  /** Continuously compounded risk-free rate by currency, 0.045 = 4.5 %. */
  rates: z._default(z.record(currency, z.number().check(z.gte(-0.2, 'must be a rate as a fraction, e.g. 0.045'), z.lte(1, 'must be a rate as a fraction, e.g. 0.045'))), {}),
  /** Continuous dividend yield by underlying, 0.005 = 0.5 %. */
  dividends: z._default(z.record(z.string(), z.number().check(z.gte(0, 'must be a yield as a fraction, e.g. 0.012'), z.lte(1, 'must be a yield as a fraction, e.g. 0.012'))), {}),
  /** Benchmark for beta-weighted delta. */
  benchmark: z._default(z.string().check(z.minLength(1, 'must not be empty')), 'SPY'),
  /** Beta of each underlying to the benchmark; missing = unknown (no beta-weighted delta). */
  betas: z._default(z.record(z.string(), z.number()), {}),
  /** CSV of underlying prices (symbol,price[,as_of]) used when a file carries no price. */
  quotes_file: z.optional(z.string()),
  /** Next cash dividend by underlying (ex-date, money per share), for the assignment-risk flag of short calls. */
  next_dividends: z._default(
    z.record(z.string(), z.strictObject({
      ex_date: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')),
      amount: z.number().check(z.gte(0, 'must be money per share, ≥ 0')),
    })),
    {},
  ),
  /** How old a portfolio's prices may be before positions/risk/pnl warn: "1 session" (default), "2 sessions", "12h", "90m", "3d". */
  max_data_age: z.optional(z.string().check(z.regex(/^\s*\d+(\.\d+)?\s*(sessions?|h|m|d)\s*$/, 'must be an age such as "1 session", "2 sessions", "12h", "90m" or "3d"'))),
})

const tastytradeSchema = z.strictObject({
  environment: z._default(z.enum(['production', 'sandbox']), 'production'),
  /** JSON file with client_secret and refresh_token; must be mode 0600. */
  credentials_file: z.optional(z.string()),
  /** How long sync waits for DXLink Greeks and quotes, in seconds. */
  greeks_wait_seconds: z._default(z.number().check(z.gt(0, 'must be more than 0 seconds'), z.lte(120, 'must be at most 120 seconds')), 4),
})

const probability = z.number().check(z.gt(0, 'must be a probability strictly between 0 and 1, e.g. 0.99 for 99 %'), z.lt(1, 'must be a probability strictly between 0 and 1, e.g. 0.99 for 99 %'))
const wholeAtLeast = (n: number) => z.int().check(z.gte(n, `must be a whole number of at least ${n}`))

/** VaR and expected shortfall (risk, sync). */
const varSchema = z.strictObject({
  /** Confidence levels as probabilities, 0.99 = 99 %. */
  levels: z._default(z.array(probability).check(z.minLength(1, 'at least one level')), [0.95, 0.99]),
  /** Horizon in trading days (√t scaling only for the parametric methods). */
  horizon_days: z._default(z.int().check(z.gte(1, 'must be a whole number of trading days, at least 1'), z.lte(250, 'must be at most 250 trading days')), 1),
  /** Methods computed; the first is the one `risk` shows in its summary line. */
  methods: z._default(z.array(z.enum(['historical', 'monte-carlo', 'delta-normal', 'delta-gamma'])).check(z.minLength(1, 'at least one method')), ['historical', 'delta-normal', 'delta-gamma']),
  /** Most recent daily closes used. */
  lookback_days: z._default(wholeAtLeast(2), 501),
  /** Fewest scenarios (historical) or daily returns accepted before a VaR is given. */
  min_observations: z._default(wholeAtLeast(20), 100),
  monte_carlo: z._default(z.strictObject({
    scenarios: z._default(z.int().check(z.gte(100, 'must be at least 100'), z.lte(1_000_000, 'must be at most 1,000,000')), 10_000),
    seed: z._default(z.int(), 1),
    distribution: z._default(z.enum(['normal', 'student-t']), 'normal'),
    /** Student-t degrees of freedom, a whole number above 2. */
    dof: z._default(wholeAtLeast(3), 5),
  }), {scenarios: 10_000, seed: 1, distribution: 'normal', dof: 5}),
  /** Price option legs through the interpolating engine (true), always exactly (false); unset: interpolate when legs × scenarios ≥ 1,000,000. */
  interpolate: z.optional(z.boolean()),
})

const scanSchema = (down: number, up: number, steps: number) =>
  z._default(z.strictObject({
    /** Largest fall in percent (≤ 0). */
    down: z.number().check(z.lte(0, 'must be 0 or a negative percentage'), z.gt(-100, 'must be above -100 %')),
    /** Largest rise in percent (≥ 0). */
    up: z.number().check(z.gte(0, 'must be 0 or a positive percentage')),
    /** Points on each side of 0. */
    steps: z._default(z.int().check(z.gte(1, 'must be at least 1'), z.lte(50, 'must be at most 50')), 5),
  }), {down, up, steps})

/** Stress grid (risk --stress): price moves × implied-vol shifts. */
const stressSchema = z.strictObject({
  single_stock: scanSchema(-15, 15, 5),
  broad_index: scanSchema(-8, 6, 5),
  /** Underlyings scanned with the broad-index range. */
  index_symbols: z.optional(z.array(z.string())),
  /** Implied-vol shifts in vol points (down ≤ 0, up ≥ 0). */
  vol_shifts: scanSchema(-10, 10, 4),
})
const seconds = (what: string) => z.number().check(z.gte(0, `must be a number of seconds, 0 or more (${what})`))
const positive = (what: string) => z.number().check(z.gt(0, `must be more than 0 (${what})`))

/** The daemon's schedules, rules, alerts, logging and retry settings (issue 10). Times in seconds unless named. */
const daemonSchema = z.strictObject({
  monitor: z._default(
    z.strictObject({
      /** seconds between monitor ticks while a market the book trades in is open */
      in_hours_seconds: z._default(positive('seconds'), 60),
      /** seconds between ticks when every market is closed; 0 = no ticks outside hours */
      out_of_hours_seconds: z._default(seconds('0 = none'), 900),
    }),
    {in_hours_seconds: 60, out_of_hours_seconds: 900},
  ),
  scan: z._default(
    z.strictObject({
      /** cron expression (5 or 6 fields) for opportunity_scan, in `timezone` */
      cron: z._default(z.string(), '*/30 * * * *'),
      /** IANA time zone of `cron` (checked here, so a bad one is reported at its key and line, not as a bad cron expression) */
      timezone: z._default(z.string().check(z.refine(isTimeZone, 'not a time zone; use an IANA name such as America/New_York or Asia/Kolkata')), 'America/New_York'),
    }),
    {cron: '*/30 * * * *', timezone: 'America/New_York'},
  ),
  eod: z._default(
    z.strictObject({
      /** minutes after each market's close that eod_evaluation runs */
      offset_minutes: z._default(seconds('minutes'), 15),
      /** per-market overrides, e.g. {XNSE: 30} */
      markets: z._default(z.partialRecord(z.enum(['XNYS', 'XCBO', 'XCME', 'XNSE', 'XBOM']), seconds('minutes')), {}),
    }),
    {offset_minutes: 15, markets: {}},
  ),
  backoff: z._default(
    z.strictObject({
      initial_seconds: z._default(positive('seconds'), 30),
      max_seconds: z._default(positive('seconds'), 900),
      factor: z._default(z.number().check(z.gte(1, 'must be 1 or more')), 2),
    }),
    {initial_seconds: 30, max_seconds: 900, factor: 2},
  ),
  rules: z._default(
    z.strictObject({
      /** close a credit position once this % of its max profit is earned */
      take_profit_pct: z.optional(z.number().check(z.gt(0, 'must be a percentage above 0'), z.lte(100, 'must be at most 100'))),
      /** close or roll an option this many calendar days before expiry */
      close_at_dte: z.optional(seconds('days')),
      /** stop when the cost to close reaches k × the credit received */
      stop_loss_multiple: z.optional(positive('multiple of the credit')),
      /** short option in the money within this many days of expiry: assignment risk */
      assignment_risk_dte: z.optional(seconds('days')),
      /** band for the book's beta-weighted delta, in benchmark shares; outside → hedge to the middle */
      delta_band: z.optional(z.strictObject({min: z.number(), max: z.number()})),
      /** what the hedge trades: the benchmark's shares (default) or a named future with its multiplier */
      hedge: z.optional(z.strictObject({symbol: z.string().check(z.minLength(1, 'must not be empty')), multiplier: z._default(positive('multiplier'), 1), portfolio: z.optional(z.string())})),
    }),
    {},
  ),
  alerts: z._default(
    z.strictObject({
      /** argv of a command run per alert, e.g. ["notify-send", "cotrader"]; the alert is appended as arguments and set in COTRADER_ALERT_* env */
      command: z.optional(z.array(z.string()).check(z.minLength(1, 'must name a command'))),
      /** append-only file, one JSON line per alert */
      file: z.optional(z.string()),
      /** the same alert (same key) again within this many seconds is recorded as a duplicate, not sent */
      dedupe_seconds: z._default(seconds('seconds'), 3600),
      /** at most this many alerts sent per hour; more are recorded as rate-limited */
      max_per_hour: z._default(positive('alerts per hour'), 30),
    }),
    {dedupe_seconds: 3600, max_per_hour: 30},
  ),
  log: z._default(
    z.strictObject({
      /** JSON-lines log; default daemon.log in the user data dir */
      file: z.optional(z.string()),
      level: z._default(z.enum(['debug', 'info', 'warn', 'error']), 'info'),
      /** rotate when the file exceeds this many bytes; keeps `keep` old files */
      max_bytes: z._default(positive('bytes'), 5_000_000),
      keep: z._default(z.int().check(z.gte(1, 'must keep at least 1 file')), 3),
    }),
    {level: 'info', max_bytes: 5_000_000, keep: 3},
  ),
  /** expiry settlement as the OCC does it (issue 18): exercise by exception and the pin band */
  settlement: z._default(
    z.strictObject({
      /** money per unit: an option in the money by at least this much at settlement is exercised / assigned (OCC: 0.01) */
      exercise_threshold: z._default(seconds('money per unit'), 0.01),
      /** money per unit: a short option whose underlying closes within ± max(this, pin_band_pct % of the strike) of its strike is pin risk */
      pin_band_abs: z._default(seconds('money per unit'), 0.05),
      /** percent of the strike (0.1 = 0.1 %) */
      pin_band_pct: z._default(seconds('percent of the strike'), 0.1),
    }),
    {exercise_threshold: 0.01, pin_band_abs: 0.05, pin_band_pct: 0.1},
  ),
  /** the DXLink feed in the daemon: a connection silent (no event, no keepalive) this long is closed and reopened */
  feed: z._default(
    z.strictObject({
      silent_seconds: z._default(positive('seconds'), 120),
    }),
    {silent_seconds: 120},
  ),
})

export type RawDaemon = z.infer<typeof daemonSchema>

/**
 * Non-standard option deliverables by option root (`XYZ1`): what one contract delivers after a
 * split, merger or special dividend. Used for file-fed portfolios (tastytrade says it itself).
 */
const deliverableSchema = z.strictObject({
  /** shares of `underlying` one contract delivers (150 after a 3-for-2 split of a 100-share contract) */
  shares: z.number().check(z.gt(0, 'must be a positive number of shares per contract')),
  /** the ticker those shares are of (XYZ for root XYZ1) */
  underlying: z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9./-]*$/, 'must be a ticker such as XYZ or BRK.B')),
  /** cash per contract delivered with the shares, in the option's currency; default 0 */
  cash: z._default(z.number().check(z.gte(0, 'must be 0 or more (money per contract)')), 0),
})

export const configSchema = z.strictObject({
  base_currency: z._default(currency, 'USD'),
  /** SQLite file, relative to this config file. */
  database: z.optional(z.string().check(z.minLength(1, 'must not be empty'))),
  /** Value of one unit of each currency in the base currency (INR: 0.0119 means 1 INR = 0.0119 USD). */
  fx_rates: z._default(z.record(currency, z.number().check(z.gt(0, 'must be a positive rate'))), {}),
  market: z._default(marketSchema, {rates: {}, dividends: {}, benchmark: 'SPY', betas: {}, next_dividends: {}}),
  tastytrade: z._default(tastytradeSchema, {environment: 'production', greeks_wait_seconds: 4}),
  defaults: z._default(z.strictObject({limits: z._default(limitsSchema, {})}), {limits: {}}),
  portfolios: z.array(portfolioSchema).check(z.minLength(1, 'at least one portfolio is required')),
  var: z.optional(varSchema),
  stress: z.optional(stressSchema),
  /** non-standard option deliverables by option root (`XYZ1: {shares: 150, underlying: XYZ}`) */
  deliverables: z._default(z.record(z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9.]{0,5}$/, 'must be an option root such as XYZ1 (up to 6 characters)')), deliverableSchema), {}),
  /** the daemon (schedules, rules, alerts, logging); optional, every key has a default */
  daemon: z.optional(daemonSchema),
})

export type RawConfig = z.infer<typeof configSchema>
export type RawPortfolio = z.infer<typeof portfolioSchema>
export type RawLimits = z.infer<typeof limitsSchema>
export type RawVar = z.infer<typeof varSchema>
export type RawStress = z.infer<typeof stressSchema>

/** True for a time zone name Intl knows (IANA names such as America/New_York, and UTC). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', {timeZone: name})
    return true
  } catch {
    return false
  }
}
