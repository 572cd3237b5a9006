/*
 * Flags declared once, without oclif. The hot read commands (positions, risk, pnl, greeks) declare their
 * flags here as plain data; oclif-flags.ts turns a spec into oclif's `static flags` (help, the manifest,
 * oclif's parser) and fast-parse.ts reads argv against the same spec on the fast path (src/fast.ts), so
 * the two can never disagree about which flags exist, their types, defaults, options or relations.
 */
import {UserError} from '../errors.js'

interface Common {
  description: string
  /** one-letter alias: -p */
  char?: string
  /** shown in help after the flag: --since DATE */
  helpValue?: string
  helpGroup?: string
  required?: boolean
  /** each of these must also be given */
  dependsOn?: readonly string[]
  /** none of these may also be given */
  exclusive?: readonly string[]
}

export interface StringFlag extends Common {
  type: 'string'
  options?: readonly string[]
  default?: string
  /** may be given more than once (-p a -p b): the value is then a list */
  multiple?: boolean
}

export interface BooleanFlag extends Common {
  type: 'boolean'
}

/** oclif's integer flag: an optional minus sign and digits, within [min, max]. */
export interface IntegerFlag extends Common {
  type: 'integer'
  min?: number
  max?: number
}

/** A finite number (parseNumber below). */
export interface NumberFlag extends Common {
  type: 'number'
  default?: number
}

export type FlagSpec = StringFlag | BooleanFlag | IntegerFlag | NumberFlag
export type FlagsSpec = Record<string, FlagSpec>

export type Value<F> = F extends BooleanFlag ? boolean : F extends {multiple: true} ? string[] : F extends StringFlag ? string : number
export type Always<F> = F extends {required: true} ? true : F extends {default: string | number} ? true : false

/** The parsed flags of a spec: flags with a default or required are always there, the others optional. */
export type FlagValues<S extends FlagsSpec> = {[K in keyof S as Always<S[K]> extends true ? K : never]: Value<S[K]>} & {
  [K in keyof S as Always<S[K]> extends true ? never : K]?: Value<S[K]>
}

/** The flags of every command (BaseCommand's baseFlags); oclif adds --json on its own (enableJsonFlag). */
export const baseFlags = {
  config: {
    type: 'string',
    description: 'Config file (default: $COTRADER_CONFIG, ./config/risk_config.yaml, then the user config dir).',
    helpGroup: 'GLOBAL',
  },
  db: {
    type: 'string',
    description: "SQLite database (default: $COTRADER_DB, the config's database:, then the user data dir).",
    helpGroup: 'GLOBAL',
  },
  wide: {
    type: 'boolean',
    description: 'Tables show every column even when wider than the terminal (piped output always does).',
    helpGroup: 'GLOBAL',
  },
} satisfies FlagsSpec

export type BaseFlagValues = FlagValues<typeof baseFlags> & {json?: boolean}

/** --number flags (greeks): any finite number JavaScript reads, "1e-3" included; blank is not zero. */
export function parseNumber(input: string): number {
  const v = Number(input)
  if (input.trim() === '' || !Number.isFinite(v)) throw new UserError(`"${input}" is not a number`)
  return v
}
