/*
 * The shape of risk_config.yaml. The YAML uses snake_case; the validated config handed to the
 * rest of the program uses camelCase. Unknown keys are errors (a typo in a risk limit must not
 * silently fall back to a default).
 */
import {z} from 'zod'

export const BROKERS = ['tastytrade', 'fidelity', 'zerodha', 'manual', 'none'] as const
export const FILE_FORMATS = ['fidelity', 'zerodha-holdings', 'zerodha-positions', 'tastytrade-csv', 'generic'] as const
export const PORTFOLIO_KINDS = ['real', 'whatif', 'research'] as const

const currency = z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter ISO currency code such as USD or INR')
const nonNegative = z.number().finite().nonnegative()

const limitsSchema = z
  .object({
    /** Max |delta dollars| per underlying (position delta in shares × underlying price), in the portfolio's currency. */
    max_delta_dollars_per_underlying: nonNegative.optional(),
    /** Max |delta dollars| of the whole portfolio. */
    max_delta_dollars_total: nonNegative.optional(),
    /** Max capital in use ÷ equity, in percent. */
    max_capital_utilization_pct: z.number().finite().min(0).max(100).optional(),
    /** Max |market value| of one position ÷ equity, in percent. */
    max_position_pct_of_equity: z.number().finite().min(0).max(100).optional(),
    /** Max |vega| of the portfolio, money per vol point. */
    max_abs_vega: nonNegative.optional(),
    /** Max unrealized loss of the portfolio, as a positive amount of money. */
    max_loss: nonNegative.optional(),
  })
  .strict()

const sourceSchema = z
  .object({
    file: z.string().min(1),
    format: z.enum(FILE_FORMATS),
  })
  .strict()

const portfolioSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'must be letters, digits, "-", "_" or "." (no spaces)'),
    broker: z.enum(BROKERS),
    account: z.union([z.string().min(1), z.number().int()]).transform(String).optional(),
    currency: currency.default('USD'),
    kind: z.enum(PORTFOLIO_KINDS).default('real'),
    description: z.string().optional(),
    source: sourceSchema.optional(),
    /** what-if portfolios: the real portfolio whose positions they start from. */
    shadows: z.string().optional(),
    /** Cash held outside the file (for exports that carry no cash line), in the portfolio's currency. */
    cash: z.number().finite().optional(),
    /** Allow `approve --live` to send real orders for this portfolio. */
    trading_enabled: z.boolean().default(false),
    limits: limitsSchema.optional(),
  })
  .strict()

const marketSchema = z
  .object({
    /** Continuously compounded risk-free rate by currency, 0.045 = 4.5 %. */
    rates: z.record(currency, z.number().finite().min(-0.2).max(1)).default({}),
    /** Continuous dividend yield by underlying, 0.005 = 0.5 %. */
    dividends: z.record(z.string(), z.number().finite().min(0).max(1)).default({}),
    /** Benchmark for beta-weighted delta. */
    benchmark: z.string().min(1).default('SPY'),
    /** Beta of each underlying to the benchmark; missing = unknown (no beta-weighted delta). */
    betas: z.record(z.string(), z.number().finite()).default({}),
    /** CSV of underlying prices (symbol,price[,as_of]) used when a file carries no price. */
    quotes_file: z.string().optional(),
  })
  .strict()

const tastytradeSchema = z
  .object({
    environment: z.enum(['production', 'sandbox']).default('production'),
    /** JSON file with client_secret and refresh_token; must be mode 0600. */
    credentials_file: z.string().optional(),
    /** How long sync waits for DXLink Greeks and quotes, in seconds. */
    greeks_wait_seconds: z.number().finite().positive().max(120).default(4),
  })
  .strict()

export const configSchema = z
  .object({
    base_currency: currency.default('USD'),
    /** SQLite file, relative to this config file. */
    database: z.string().min(1).optional(),
    /** Value of one unit of each currency in the base currency (INR: 0.0119 means 1 INR = 0.0119 USD). */
    fx_rates: z.record(currency, z.number().finite().positive()).default({}),
    market: marketSchema.default({rates: {}, dividends: {}, benchmark: 'SPY', betas: {}}),
    tastytrade: tastytradeSchema.default({environment: 'production', greeks_wait_seconds: 4}),
    defaults: z.object({limits: limitsSchema.default({})}).strict().default({limits: {}}),
    portfolios: z.array(portfolioSchema).min(1, 'at least one portfolio is required'),
  })
  .strict()

export type RawConfig = z.infer<typeof configSchema>
export type RawPortfolio = z.infer<typeof portfolioSchema>
export type RawLimits = z.infer<typeof limitsSchema>
