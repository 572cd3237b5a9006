/* CSV records of a transactions export with their lines, shared by the parsers of this folder. */
import {parse} from 'csv-parse/sync'
import {ImportError, type CsvRecord} from '../csv/table.js'

/** CSV records of a file's text with their 1-based lines (quoted cells may span lines), for parsers. */
export function csvRecords(text: string, file: string, options: {comments?: boolean} = {}): CsvRecord[] {
  if (text.replace(/^\uFEFF/, '').trim() === '') throw new ImportError(file, undefined, 'file is empty')
  let parsed: {record: string[]; info: {lines: number}}[]
  try {
    parsed = parse(text, {
      bom: true,
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      ...(options.comments ? {comment: '#', comment_no_infix: true} : {}),
    }) as unknown as {record: string[]; info: {lines: number}}[]
  } catch (error) {
    const e = error as Error & {lines?: number}
    throw new ImportError(file, typeof e.lines === 'number' ? e.lines : undefined, `not a readable CSV file: ${e.message}`)
  }
  return parsed.map(({record, info}) => {
    const newlines = record.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0)
    return {line: info.lines - newlines, cells: record}
  })
}
