/*
 * Transactions into the ledger: read (files: parse outside any lock), then store (inside the caller's
 * write: `transactions import` runs its own writeDb, sync stores them in the same write as the
 * positions). A file is one unit: a malformed row refuses the whole file with file:line, and a
 * transaction id already stored with other content refuses it naming both rows. Re-importing a file,
 * or an overlapping export, adds nothing (store/ledger.ts: keys are broker ids or content keys whose
 * occurrence index counts identical rows within one file, so overlaps take the maximum, not the sum).
 */
import {readdirSync, statSync} from 'node:fs'
import path from 'node:path'
import {transactionParser} from '../../adapters/transactions/index.js'
import {displayPath, ImportError, readExport} from '../../adapters/csv/table.js'
import type {Config, PortfolioConfig} from '../../config/config.js'
import {TRANSACTION_FORMATS} from '../../config/schema.js'
import {assignContentKeys, type EventDraft} from '../../domain/ledger/events.js'
import {UserError} from '../../errors.js'
import type {Db} from '../../store/database.js'
import {writeDb, writeGate} from '../../store/database.js'
import {appendEvents, type AppendConflict} from '../../store/ledger.js'
import {settleProvisional} from '../ledger-provisional.js'

export interface ParsedFile {
  file: string
  events: EventDraft[]
  warnings: string[]
}

/** The files a `source.transactions` names: one file, every file of a folder, or a glob whose last part has * / ? (sorted). */
export function expandTransactionFiles(pattern: string): string[] {
  let st: ReturnType<typeof statSync> | undefined
  try {
    st = statSync(pattern)
  } catch {
    st = undefined
  }
  if (st?.isFile()) return [pattern]
  const list = (dir: string, re: RegExp | null) => {
    let names: string[]
    try {
      names = readdirSync(dir)
    } catch {
      throw new ImportError(displayPath(pattern), undefined, `no such ${re ? 'folder for the pattern' : 'file or folder'}`)
    }
    return names.filter((n) => !n.startsWith('.') && (re === null || re.test(n))).map((n) => path.join(dir, n)).filter((f) => statSync(f).isFile()).sort()
  }
  if (st?.isDirectory()) return list(pattern, null)
  const base = path.basename(pattern)
  if (!/[*?]/.test(base)) throw new ImportError(displayPath(pattern), undefined, 'file not found')
  if (/[*?]/.test(path.dirname(pattern))) throw new ImportError(displayPath(pattern), undefined, 'only the file name may hold * or ? (e.g. activity/*.csv)')
  const re = new RegExp(`^${base.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`)
  return list(path.dirname(pattern), re)
}

/** Parses one file with the format's parser; events get their keys (per-file occurrence indexes) and are sorted by time. */
export function parseTransactionsFile(file: string, format: string, portfolio: PortfolioConfig): ParsedFile {
  const parser = transactionParser(format)
  if (!parser) throw new UserError(`unknown transactions format "${format}"; known: ${TRANSACTION_FORMATS.join(', ')}`)
  const display = displayPath(file)
  const text = readExport(file, display)
  const parsed = parser(text, display, portfolio)
  const keyed = assignContentKeys(parsed.events)
  // Events out of order in a file are sorted, never rejected for order alone.
  keyed.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
  return {file: display, events: keyed, warnings: [...parsed.warnings, ...(parsed.skipped ?? []).map((s) => `${display}:${s.line}: skipped: ${s.reason}`)]}
}

export interface StoredFile {
  file: string
  added: number
  duplicates: number
}

/** Appends a file's events inside the caller's write; a conflicting id throws (the caller's transaction then stores nothing). */
export function storeParsedFile(db: Db, f: ParsedFile, now: string): StoredFile {
  const r = appendEvents(db, f.events, now)
  if (r.conflicts.length > 0) throw conflictError(r.conflicts)
  // The broker's records just stored confirm or replace the daemon's provisional settlements.
  for (const portfolio of new Set(f.events.map((e) => e.portfolio))) settleProvisional(db, portfolio, now)
  return {file: f.file, added: r.added.length, duplicates: r.duplicates}
}

function conflictError(conflicts: AppendConflict[]): ImportError {
  const c = conflicts[0]
  const show = (e: EventDraft) => `${e.kind} ${e.symbol ?? ''} ${e.quantity ?? ''} @ ${e.price ?? '-'} on ${e.tradeDate}`.replace(/\s+/g, ' ')
  const [file, line] = splitRef(c.incoming.sourceRef)
  const more = conflicts.length > 1 ? ` (and ${conflicts.length - 1} more)` : ''
  return new ImportError(file, line, `transaction ${c.key.replace(/^id:/, 'id ')} (${show(c.incoming)}) differs from the one already stored from ${c.stored.sourceRef ?? c.stored.source} (${show(c.stored)})${more}; nothing of this file was imported`)
}

function splitRef(ref: string | null): [string, number | undefined] {
  const m = ref ? /^(.*):(\d+)$/.exec(ref) : null
  return m ? [m[1], Number(m[2])] : [ref ?? 'transactions', undefined]
}

export interface ImportTransactionsOptions {
  config: Config
  dbPath: string
  file: string
  portfolio: string
  format?: string
  asOf: Date
}

export interface ImportTransactionsResult {
  portfolio: string
  file: string
  format: string
  /** events read from the file */
  events: number
  added: number
  duplicates: number
  firstDate: string | null
  lastDate: string | null
  unclassified: number
  warnings: string[]
}

/** `cotrader transactions import FILE --portfolio P [--format F]`: one file, one transaction. */
export async function importTransactionsService(o: ImportTransactionsOptions): Promise<ImportTransactionsResult> {
  writeGate(o.dbPath) // store/database.ts: the one gate of every write, before any work (a large file is not parsed for a write that cannot happen)
  const p = o.config.portfolios.find((q) => q.name === o.portfolio)
  if (!p) throw new UserError(`unknown portfolio "${o.portfolio}"; configured: ${o.config.portfolios.map((q) => q.name).join(', ')}`)
  if (p.kind === 'whatif') throw new UserError(`portfolio "${p.name}" is a what-if portfolio; transactions belong to a real or research one`)
  const format = o.format ?? p.source?.transactions?.format
  if (!format) throw new UserError(`portfolio "${p.name}" has no source.transactions.format in the config; pass --format (${TRANSACTION_FORMATS.join(', ')})`)
  const parsed = parseTransactionsFile(path.resolve(o.file), format, p)
  const now = o.asOf.toISOString()
  const stored = await writeDb(o.dbPath, (db) => storeParsedFile(db, parsed, now))
  const dates = parsed.events.map((e) => e.tradeDate).sort()
  return {
    portfolio: p.name, file: parsed.file, format, events: parsed.events.length, added: stored.added, duplicates: stored.duplicates,
    firstDate: dates[0] ?? null, lastDate: dates[dates.length - 1] ?? null, unclassified: parsed.events.filter((e) => e.kind === 'unclassified').length, warnings: parsed.warnings,
  }
}
