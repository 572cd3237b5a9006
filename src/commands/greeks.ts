import {Flags} from '@oclif/core'
import {BaseCommand} from '../core/cli/base.js'
import {UserError} from '../core/errors.js'
import {renderGreeks} from '../core/cli/render/greeks.js'
import {greeksService, type GreeksResult} from '../core/services/greeks.js'
import {parseAsOf} from '../core/cli/time-flags.js'

const number = Flags.custom<number>({
  parse: async (input) => {
    const v = Number(input)
    if (input.trim() === '' || !Number.isFinite(v)) throw new UserError(`"${input}" is not a number`)
    return v
  },
})

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
  static override flags = {
    type: Flags.string({description: 'Option type.', options: ['call', 'put'], required: true}),
    spot: number({description: 'Underlying price (the futures price with --model black76).', required: true}),
    strike: number({description: 'Strike price.', required: true}),
    expiry: Flags.string({description: 'Expiry date YYYY-MM-DD.'}),
    days: number({description: 'Calendar days to expiry.'}),
    years: number({description: 'Years to expiry.'}),
    vol: number({description: 'Volatility as a fraction (0.25 = 25 %).'}),
    price: number({description: 'Option price: solve implied volatility from it.'}),
    rate: number({description: 'Risk-free rate, continuously compounded, as a fraction (0.045 = 4.5 %), from -0.1 to 1. Default 0.', default: 0}),
    dividend: number({description: 'Continuous dividend yield as a fraction (0.012 = 1.2 %), from -0.1 to 1. Default 0; ignored with --model black76.', default: 0}),
    style: Flags.string({description: 'Exercise style. Default european.', options: ['european', 'american'], default: 'european'}),
    model: Flags.string({description: 'bsm (stock, index) or black76 (futures options). Default bsm.', options: ['bsm', 'black76'], default: 'bsm'}),
    engine: Flags.string({
      description: 'American engine: exact (converged Andersen–Lake–Offengelden, within 1e-6 × strike), fast (the same with one iteration, ~7e-5 × strike) or bs2002 (Bjerksund–Stensland 2002, ~5e-2 × strike at worst). Default exact.',
      options: ['exact', 'fast', 'bs2002'],
      default: 'exact',
    }),
    root: Flags.string({description: 'Option class, for its settlement instant with --expiry: SPX/NDX/RUT/VIX are AM-settled (value fixed at the open), SPXW and equity options PM (16:00 New York).'}),
    'as-of': Flags.string({description: 'Measure time to expiry from this instant instead of now: DATE or DATETHH:MM New York time (a bare DATE is 12:00), or ISO with Z.', helpValue: 'DATE[THH:MM]'}),
  }

  async run(): Promise<GreeksResult> {
    const {flags} = await this.parse(Greeks)
    const result = greeksService({
      right: flags.type as 'call' | 'put', spot: flags.spot, strike: flags.strike, expiry: flags.expiry, days: flags.days, years: flags.years,
      vol: flags.vol, price: flags.price, rate: flags.rate, dividend: flags.dividend,
      style: flags.style as 'european' | 'american', model: flags.model as 'bsm' | 'black76', engine: flags.engine as 'exact' | 'fast' | 'bs2002', root: flags.root,
      asOf: flags['as-of'] ? parseAsOf(flags['as-of'], 'USD') : this.now(),
    })
    this.print(() => renderGreeks(result))
    return result
  }
}
