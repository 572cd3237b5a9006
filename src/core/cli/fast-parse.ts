/*
 * The fast path's argument parser: reads a command's argv against its flag spec (spec.ts) and returns
 * the flags exactly as oclif's parser would, or null whenever the argv is anything but plain and valid.
 * Null means "let oclif do it": every error message, every help request and every unusual spelling stays
 * oclif's, so the fast path never has to imitate an error. What it accepts:
 *   --name value, --name=value, -c value (a flag's one-letter alias), --flag (booleans), --json;
 *   each flag at most once (a `multiple` one any number of times); values as oclif checks them (options, integers and their bounds, numbers);
 *   required flags present, dependsOn satisfied, no exclusive pair given; defaults filled in.
 * Anything else (positional words, `--`, unknown flags, --help, -pVALUE, --no-x, a value that looks
 * like a flag, a repeated flag, a bad value) returns null.
 */
import {parseNumber, type FlagSpec, type FlagsSpec} from './spec.js'

export type ParsedFlags = Record<string, string | string[] | number | boolean>

export function fastParse(argv: readonly string[], spec: FlagsSpec): ParsedFlags | null {
  const flags: ParsedFlags = {}
  const given = new Set<string>()
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]
    let name: string | undefined
    let inline: string | undefined
    if (token.startsWith('--')) {
      const eq = token.indexOf('=')
      name = eq < 0 ? token.slice(2) : token.slice(2, eq)
      if (eq >= 0) inline = token.slice(eq + 1)
      if (!Object.hasOwn(spec, name)) return null
    } else if (/^-[a-zA-Z]$/.test(token)) {
      name = Object.keys(spec).find((k) => spec[k].char === token[1])
      if (name === undefined) return null
    } else return null // a positional word, `-`, or a spelling oclif reads in ways not handled here
    const flag = spec[name]
    // oclif refuses repeats of other flags; leave them to it. A `multiple` flag collects its values.
    if (given.has(name) && !(flag.type === 'string' && flag.multiple)) return null
    given.add(name)
    if (flag.type === 'boolean') {
      if (inline !== undefined) return null
      flags[name] = true
      continue
    }
    let text = inline
    if (text === undefined) {
      text = argv[++i]
      // oclif would take a flag-like word as the value; such argv are left to oclif (a number like -0.5 is fine)
      if (text === undefined || (text.startsWith('-') && text !== '-' && !/^-\.?\d/.test(text))) return null
    }
    const value = parseValue(flag, text)
    if (value === null) return null
    if (flag.type === 'string' && flag.multiple) flags[name] = [...((flags[name] as string[] | undefined) ?? []), value as string]
    else flags[name] = value
  }
  for (const [name, flag] of Object.entries(spec)) {
    if (flags[name] === undefined && (flag.type === 'string' || flag.type === 'number') && flag.default !== undefined) flags[name] = flag.default
  }
  for (const [name, flag] of Object.entries(spec)) {
    if (flags[name] === undefined) {
      if (flag.required) return null
      continue
    }
    if (flag.dependsOn?.some((other) => flags[other] === undefined)) return null
    // a default never makes a pair exclusive (oclif skips defaults too)
    if (given.has(name) && flag.exclusive?.some((other) => given.has(other))) return null
  }
  return flags
}

function parseValue(flag: FlagSpec, text: string): string | number | null {
  switch (flag.type) {
    case 'string':
      return flag.options && !flag.options.includes(text) ? null : text
    case 'integer': {
      if (!/^-?\d+$/.test(text)) return null
      const n = Number.parseInt(text, 10)
      if ((flag.min !== undefined && n < flag.min) || (flag.max !== undefined && n > flag.max)) return null
      return n
    }
    case 'number':
      try {
        return parseNumber(text)
      } catch {
        return null
      }
    default:
      return null
  }
}
