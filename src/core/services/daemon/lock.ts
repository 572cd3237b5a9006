/*
 * One daemon per database: a pid file next to the database, created with O_EXCL. A file whose
 * process no longer exists (the daemon was killed with -9, the machine rebooted) is stale: it is
 * reported, removed and taken over.
 */
import {closeSync, openSync, readFileSync, rmSync, writeSync} from 'node:fs'
import {UserError} from '../../errors.js'

export interface PidInfo {
  pid: number
  /** ISO instant the daemon started */
  since: string
  db: string
}

export const pidFileOf = (dbPath: string) => `${dbPath}.daemon.pid`

export function readPidFile(dbPath: string): (PidInfo & {alive: boolean}) | null {
  try {
    const info = JSON.parse(readFileSync(pidFileOf(dbPath), 'utf8')) as PidInfo
    return {...info, alive: isAlive(info.pid)}
  } catch {
    return null
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Takes the pid file or throws a UserError (exit 2) naming the running daemon. Returns the release function and what was stale. */
export function acquireDaemonLock(dbPath: string, now: Date): {release: () => void; stale: PidInfo | null} {
  const file = pidFileOf(dbPath)
  let stale: PidInfo | null = null
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600)
      writeSync(fd, JSON.stringify({pid: process.pid, since: now.toISOString(), db: dbPath} satisfies PidInfo))
      closeSync(fd)
      return {
        stale,
        release: () => {
          const current = readPidFile(dbPath)
          if (current?.pid === process.pid) rmSync(file, {force: true})
        },
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new UserError(`cannot create the daemon pid file ${file}: ${(error as Error).message}`)
      const held = readPidFile(dbPath)
      if (held?.alive && held.pid !== process.pid) throw new UserError(`a cotrader daemon is already running on ${dbPath} (pid ${held.pid}, since ${held.since}); stop it first (kill ${held.pid})`)
      stale = held
      rmSync(file, {force: true})
    }
  }
  throw new UserError(`cannot take the daemon pid file ${file}: another daemon is starting at the same moment`)
}
