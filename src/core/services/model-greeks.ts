/*
 * Model Greeks for a whole book: IV from each mark and Greeks at that IV (domain/greeks.ts
 * withModelGreeks), which is most of a big sync (20,000 American options: ~2 s of CPU). From
 * PARALLEL_MIN positions on, the second half (a little less) is priced in a worker thread (price-worker.ts, bundled
 * beside the CLI as dist/bundle/price-worker.cjs) while this thread prices the first: the same
 * functions on the same inputs give the same numbers, in the same order. Without the worker file
 * (code loaded other than from the bundle) or if the worker fails to start, everything is priced here.
 */
import {existsSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {withModelGreeks, type ModelMarket} from '../domain/greeks.js'
import type {Position} from '../domain/types.js'

/** Below this many positions a worker's start-up (~50 ms) costs more than it saves. */
export const PARALLEL_MIN = 2000

export interface PriceJob {
  positions: Position[]
  markets: ModelMarket[]
  /** ms since the epoch (a Date does not need to cross the thread boundary) */
  asOf: number
}

export function priceJob(job: PriceJob): Position[] {
  const asOf = new Date(job.asOf)
  return job.positions.map((p, i) => withModelGreeks(p, job.markets[i], asOf))
}

/** The worker bundle, beside this code when it runs from dist/bundle; undefined otherwise. */
function defaultWorkerFile(): string | undefined {
  try {
    const file = fileURLToPath(new URL('./price-worker.cjs', import.meta.url))
    return existsSync(file) ? file : undefined
  } catch {
    return undefined
  }
}

export async function withModelGreeksAll(positions: Position[], markets: ModelMarket[], asOf: Date, workerFile: string | undefined = defaultWorkerFile()): Promise<Position[]> {
  if (positions.length < PARALLEL_MIN || workerFile === undefined) return priceJob({positions, markets, asOf: asOf.getTime()})
  // This thread takes a little more than half: the worker first starts (~60 ms here) and its result
  // is copied back, and measured on a 20,000-option book this thread otherwise waited ~120 ms for it.
  const half = Math.ceil(positions.length * 0.52)
  const rest: PriceJob = {positions: positions.slice(half), markets: markets.slice(half), asOf: asOf.getTime()}
  const {Worker} = await import('node:worker_threads')
  let worker: InstanceType<typeof Worker> | undefined
  let second: Promise<Position[]> | undefined
  try {
    worker = new Worker(workerFile, {workerData: rest})
    const w = worker
    second = new Promise<Position[]>((resolve, reject) => {
      w.once('message', (result: Position[]) => resolve(result))
      w.once('error', reject)
      w.once('exit', (code) => reject(new Error(`the pricing worker stopped (exit code ${code}) before answering`)))
    })
    second.catch(() => undefined) // awaited below; a failure before then is handled there
  } catch {
    worker = undefined // no worker here (or none allowed): price everything in this thread
  }
  const first = priceJob({positions: positions.slice(0, half), markets: markets.slice(0, half), asOf: asOf.getTime()})
  if (!second) return [...first, ...priceJob(rest)]
  try {
    return [...first, ...(await second)]
  } catch {
    // The worker could not run it (no thread, no memory, a bug): price it here, where a bug throws as it would have.
    return [...first, ...priceJob(rest)]
  } finally {
    await worker?.terminate()
  }
}
