import {BaseCommand} from '../core/cli/base.js'
import {flags, run} from '../core/cli/hot/greeks.js'
import {oclifFlags} from '../core/cli/oclif-flags.js'
import type {GreeksResult} from '../core/services/greeks.js'

export default class Greeks extends BaseCommand {
  static override summary = 'Price, implied volatility and Greeks of one option from our models.'
  static override description = `Units: price per unit; delta and gamma per 1.00 of the underlying; theta per calendar day; vega per vol point (σ + 0.01); rho per rate point (r + 0.01). Time: --expiry DATE, --days N (calendar days) or --years T (T = N/365). Give --vol to price or --price to solve the implied volatility. American options are priced by the converged engine (--engine exact) or a faster approximation (--engine fast, or bs2002 for Bjerksund–Stensland 2002); --engine has no effect on European style. Defaults: --rate 0, --dividend 0, --style european, --model bsm, --engine exact.`
  static override examples = [
    '<%= config.bin %> greeks --type call --spot 49 --strike 50 --years 0.3846 --vol 0.2 --rate 0.05',
    '<%= config.bin %> greeks --type put --spot 100 --strike 95 --days 30 --price 1.25 --rate 0.045 --dividend 0.01 --style american',
    '<%= config.bin %> greeks --type call --spot 5000 --strike 5100 --expiry 2026-12-18 --vol 0.18 --model black76 --json',
    '<%= config.bin %> greeks --type put --spot 100 --strike 100 --years 0.5 --vol 0.2 --rate 0.08 --style american',
    '<%= config.bin %> greeks --type put --spot 100 --strike 100 --years 0.5 --vol 0.2 --rate 0.08 --style american --engine bs2002',
    '<%= config.bin %> greeks --type call --spot 6795 --strike 6800 --expiry 2026-12-18 --root SPX --price 12 --rate 0.045 --as-of 2026-12-17T16:30   # AM-settled: 17 h left, IV ≈ 11.8 %',
  ]
  // Declared in core/cli/hot/greeks.ts, which the fast path (src/fast.ts) parses and runs too.
  static override flags = oclifFlags(flags)

  async run(): Promise<GreeksResult> {
    const parsed = await this.parse(Greeks)
    return run(parsed.flags, this.io())
  }
}
