/* CSV records of a transactions export with their lines, shared by the parsers of this folder. */
import {parse} from 'csv-parse/sync'
import {ImportError, type CsvRecord} from '../csv/table.js'

/** CSV records of a file's text with their 1-based lines (quoted cells may span lines), for parsers. */
export function csvRecords(text: string, file: string, options: {comments?: boolean} = {}): CsvRecord[] {
  if (text.replace(/^\uFEFF/, '').trim() === '') throw new ImportError(file, undefined, 'file is empty')
  // Without a quote anywhere, a CSV is lines of comma-separated cells: split directly (csv-parse's
  // per-record bookkeeping was most of the time of a 100,000-row import). Same records, same lines.
  if (!text.includes('"')) {
    const out: CsvRecord[] = []
    const lines = text.replace(/^\uFEFF/, '').split('\n')
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i]
      if (line === '' || (options.comments && line.startsWith('#'))) continue
      out.push({line: i + 1, cells: line.split(',')})
    }
    return out
  }
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
