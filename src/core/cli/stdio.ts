/*
 * Output for the fast path without Node's stream objects. The first use of process.stdout or
 * process.stderr builds a stream for the descriptor, loading Node's stream modules and, for a pipe,
 * net (3-8 ms a process here: more than `--version` costs otherwise). The fast path
 * (`useDirectOutput`) writes with fs.writeSync instead: the same bytes, in the same order, and done
 * when the call returns. bin/run.js still waits at exit for any stream that was created.
 *
 * A descriptor that cannot take a synchronous write (non-blocking and full: EAGAIN; a closed pipe:
 * EPIPE; anything else) hands the rest to its stream, which then reports as it always did (printLine
 * ignores errors, as console.log does). After that the stream takes every write to that descriptor,
 * so nothing can overtake what it still holds.
 * Off (the default: oclif's commands, tests in-process), every write goes to the stream as before.
 */
import {fstatSync, writeSync} from 'node:fs'

type Fd = 1 | 2

let direct = false
const viaStream: Record<Fd, boolean> = {1: false, 2: false}

/** The fast path's switch: write to the descriptors directly. */
export function useDirectOutput(on = true): void {
  direct = on
}

function stream(fd: Fd): NodeJS.WriteStream {
  return fd === 1 ? process.stdout : process.stderr
}

/**
 * Whether the descriptor is a terminal, as its stream's isTTY says, without building the stream when
 * fstat already tells: a pipe, a file or a socket is never a terminal. A character device (a terminal,
 * or /dev/null) is left to the stream.
 */
export function isTerminal(fd: Fd): boolean {
  try {
    if (!fstatSync(fd).isCharacterDevice()) return false
  } catch {
    // closed or unknown descriptor: the stream decides, as before
  }
  return Boolean(stream(fd).isTTY)
}

/** What table.ts's terminalWidth reads: the stream itself only when it is a terminal. */
export function terminal(fd: Fd): {isTTY?: boolean; columns?: number} {
  return isTerminal(fd) ? stream(fd) : {isTTY: false}
}

/** process.stdout.write / process.stderr.write. */
export function write(fd: Fd, text: string): void {
  if (!direct || viaStream[fd]) stream(fd).write(text)
  else writeDirect(fd, text, false)
}

/** console.log of one string (a line on stdout; write errors ignored, as console.log does). */
export function printLine(text: string): void {
  if (!direct || viaStream[1]) console.log(text)
  else writeDirect(1, `${text}\n`, true)
}

function writeDirect(fd: Fd, text: string, quiet: boolean): void {
  const bytes = Buffer.from(text)
  let done = 0
  try {
    while (done < bytes.length) done += writeSync(fd, bytes, done)
  } catch {
    viaStream[fd] = true
    const s = stream(fd)
    // console.log keeps a write error (a reader that went away) from ending the process: so does a quiet write
    if (quiet && s.listenerCount('error') === 0) s.on('error', () => undefined)
    s.write(bytes.subarray(done))
  }
}
