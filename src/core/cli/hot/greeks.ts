/*
 * greeks: flags and body, shared by the oclif command (src/commands/greeks.ts) and the fast path
 * (src/fast.ts). No database: nothing here loads sql.js.
 */
import {greeksService, type GreeksResult} from '../../services/greeks.js'
import type {CommandIo} from '../io.js'
import {renderGreeks} from '../render/greeks.js'
import type {BaseFlagValues, FlagsSpec, FlagValues} from '../spec.js'
import {parseAsOf} from '../time-flags.js'

export const flags = {
  type: {type: 'string', description: 'Option type.', options: ['call', 'put'], required: true},
  spot: {type: 'number', description: 'Underlying price (the futures price with --model black76).', required: true},
  strike: {type: 'number', description: 'Strike price.', required: true},
  expiry: {type: 'string', description: 'Expiry date YYYY-MM-DD.'},
  days: {type: 'number', description: 'Calendar days to expiry.'},
  years: {type: 'number', description: 'Years to expiry.'},
  vol: {type: 'number', description: 'Volatility as a fraction (0.25 = 25 %).'},
  price: {type: 'number', description: 'Option price: solve implied volatility from it.'},
  rate: {type: 'number', description: 'Risk-free rate, continuously compounded, as a fraction (0.045 = 4.5 %), from -0.1 to 1. Default 0.', default: 0},
  dividend: {type: 'number', description: 'Continuous dividend yield as a fraction (0.012 = 1.2 %), from -0.1 to 1. Default 0; ignored with --model black76.', default: 0},
  style: {type: 'string', description: 'Exercise style. Default european.', options: ['european', 'american'], default: 'european'},
  model: {type: 'string', description: 'bsm (stock, index) or black76 (futures options). Default bsm.', options: ['bsm', 'black76'], default: 'bsm'},
  engine: {
    type: 'string',
    description: 'American engine: exact (converged Andersen–Lake–Offengelden, within 1e-6 × strike), fast (the same with one iteration, ~7e-5 × strike) or bs2002 (Bjerksund–Stensland 2002, ~5e-2 × strike at worst). Default exact.',
    options: ['exact', 'fast', 'bs2002'],
    default: 'exact',
  },
  root: {type: 'string', description: 'Option class, for its settlement instant with --expiry: SPX/NDX/RUT/VIX are AM-settled (value fixed at the open), SPXW and equity options PM (16:00 New York).'},
  'as-of': {type: 'string', description: 'Measure time to expiry from this instant instead of now: DATE or DATETHH:MM New York time (a bare DATE is 12:00), or ISO with Z.', helpValue: 'DATE[THH:MM]'},
} satisfies FlagsSpec

export async function run(f: FlagValues<typeof flags> & BaseFlagValues, io: CommandIo): Promise<GreeksResult> {
  const result = greeksService({
    right: f.type as 'call' | 'put', spot: f.spot, strike: f.strike, expiry: f.expiry, days: f.days, years: f.years,
    vol: f.vol, price: f.price, rate: f.rate, dividend: f.dividend,
    style: f.style as 'european' | 'american', model: f.model as 'bsm' | 'black76', engine: f.engine as 'exact' | 'fast' | 'bs2002', root: f.root,
    asOf: f['as-of'] ? parseAsOf(f['as-of'], 'USD') : io.now(),
  })
  io.print(() => renderGreeks(result))
  return result
}
