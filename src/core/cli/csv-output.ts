/*
 * The `--csv [FILE]` flag shared by every table view: FILE, or stdout when FILE is omitted or "-".
 * csv-stringify is imported only when CSV is asked for.
 */
import {writeFileSync} from 'node:fs'
import {Flags} from '@oclif/core'

export const csvFlag = () => Flags.string({description: 'Write CSV (the --json rows, one header line) to FILE, or to stdout when FILE is omitted or "-".', helpValue: '[FILE]'})

/** oclif string flags need a value: `--csv` alone (last, or before another flag) means stdout. */
export function csvToStdout(argv: string[]): void {
  const i = argv.indexOf('--csv')
  if (i >= 0 && (i === argv.length - 1 || (argv[i + 1].startsWith('-') && argv[i + 1] !== '-'))) argv.splice(i + 1, 0, '-')
}

/** Writes `text` to stdout or FILE; `note` reports a file write on stderr. */
export function writeCsv(target: string, text: string, what: string, note: (message: string) => void): void {
  if (target === '-') process.stdout.write(text)
  else {
    writeFileSync(target, text)
    note(`wrote ${what} to ${target}`)
  }
}
