/*
 * The one piece of the write gate (store/database.ts writeGate) that the CLI sets: which directory may be
 * created along with a new database. A module of its own so the CLI's start-up code (cli/io.ts, on the
 * fast path too) can name it without loading the store.
 */
import * as path from 'node:path'

const creatableDirs = new Set<string>()

/**
 * The default data directory (cli/io.ts dbPathFor, when no --db, COTRADER_DB or `database:` names the file)
 * may be created on the first write; any other missing directory is refused by the write gate.
 */
export function allowCreatingDirectory(dir: string): void {
  creatableDirs.add(path.resolve(dir))
}

export function mayCreateDirectory(dir: string): boolean {
  return creatableDirs.has(path.resolve(dir))
}
