/*
 * The `--csv [FILE]` flag shared by every table view: FILE, or stdout when FILE is omitted or "-".
 * A file is written through csv.ts writeOutputFile (never the database, the config or an input
 * file); with --json, FILE gets the CSV and stdout the JSON, and `--csv -` with --json is refused.
 */
import type {Config} from '../config/config.js'
import {UserError} from '../errors.js'
import type {StringFlag} from './spec.js'
import {write} from './stdio.js'

/** The flag's spec (spec.ts); oclif-flags.ts csvFlag() is its oclif form. */
export const csvFlagSpec = {
  type: 'string',
  description: 'Write CSV (the --json rows, one header line; money in cents) to FILE, or to stdout when FILE is omitted or "-". Never overwrites the database, the config or an input file; with --json, FILE gets the CSV and stdout the JSON.',
  helpValue: '[FILE]',
} as const satisfies StringFlag

/** oclif string flags need a value: `--csv` alone (last, or before another flag) means stdout. */
export function csvToStdout(argv: string[]): void {
  const i = argv.indexOf('--csv')
  if (i >= 0 && (i === argv.length - 1 || (argv[i + 1].startsWith('-') && argv[i + 1] !== '-'))) argv.splice(i + 1, 0, '-')
}

/** Both would write stdout. */
export function checkCsvTarget(target: string | undefined, json: boolean): void {
  if (target === '-' && json) throw new UserError('--csv to stdout and --json both write stdout; give --csv a FILE to get both')
}

/** Writes `text` to stdout or FILE (safely); `note` reports a file write on stderr. */
export async function writeCsv(target: string, text: string, what: string, note: (message: string) => void, protect: {config: Config; dbPath: string}): Promise<void> {
  if (target === '-') {
    write(1, text)
    return
  }
  const {writeOutputFile} = await import('./csv.js')
  writeOutputFile(target, text, protect)
  note(`wrote ${what} to ${target}`)
}

/**
 * A text cell made safe to open in a spreadsheet (OWASP CSV injection): text starting with =, +, -,
 * @, tab or carriage return would be read as a formula (Fidelity's `-MSFT270115C560`, an account
 * named `=HYPERLINK(…)`), so it gets a leading apostrophe, which spreadsheets show as text and hide.
 * Only for text: numbers, negative ones included, are written as numbers and never pass through here.
 */
export function excelSafe(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text
}
