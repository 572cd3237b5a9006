/*
 * oclif's flags from the plain specs in spec.ts: the one place a spec becomes `static flags`. The fast
 * path (fast-parse.ts) reads the same specs, so help, the manifest and both parsers agree.
 */
import {Flags, type Interfaces} from '@oclif/core'
import {csvFlagSpec} from './csv-output.js'
import {parseNumber, type Always, type BooleanFlag, type FlagSpec, type FlagsSpec, type Value} from './spec.js'

/** The oclif flag a spec becomes, typed so that oclif's parse() infers the same values as FlagValues. */
export type OclifFlag<F extends FlagSpec = FlagSpec> = F extends BooleanFlag
  ? Interfaces.BooleanFlag<boolean>
  : Interfaces.OptionFlag<Always<F> extends true ? Value<F> : Value<F> | undefined>

const number = Flags.custom<number>({parse: async (input) => parseNumber(input)})

export function oclifFlag<F extends FlagSpec>(spec: F): OclifFlag<F> {
  const {type, ...options} = spec
  // oclif's option types want mutable arrays and exact generics: the spec types above are the contract
  const o = options as never
  switch (type) {
    case 'string':
      return Flags.string(o) as OclifFlag<F>
    case 'boolean':
      return Flags.boolean(o) as OclifFlag<F>
    case 'integer':
      return Flags.integer(o) as OclifFlag<F>
    case 'number':
      return number(o) as OclifFlag<F>
  }
}

export function oclifFlags<S extends FlagsSpec>(spec: S): {[K in keyof S]: OclifFlag<S[K]>} {
  return Object.fromEntries(Object.entries(spec).map(([name, flag]) => [name, oclifFlag(flag)])) as {[K in keyof S]: OclifFlag<S[K]>}
}

/** The `--csv [FILE]` flag of the table commands that are not on the fast path (portfolios, whatif list). */
export const csvFlag = () => oclifFlag(csvFlagSpec)
