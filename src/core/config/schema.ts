/*
 * The shape of risk_config.yaml. The YAML uses snake_case; the validated config handed to the
 * rest of the program uses camelCase. Unknown keys are errors (a typo in a risk limit must not
 * silently fall back to a default). zod's tree-shakable "mini" API: this file is on every
 * command's start-up path, and the full API bundled ~700 kB of zod (locales included) into it.
 */
import * as z from 'zod/mini'

export const BROKERS = ['tastytrade', 'fidelity', 'zerodha', 'manual', 'none'] as const
export const FILE_FORMATS = ['fidelity', 'zerodha-holdings', 'zerodha-positions', 'tastytrade-csv', 'generic'] as const
export const PORTFOLIO_KINDS = ['real', 'whatif', 'research'] as const

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
})

export type RawConfig = z.infer<typeof configSchema>
export type RawPortfolio = z.infer<typeof portfolioSchema>
export type RawLimits = z.infer<typeof limitsSchema>
