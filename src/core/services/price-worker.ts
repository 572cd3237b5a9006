/*
 * The pricing worker of model-greeks.ts (bundled as dist/bundle/price-worker.cjs): prices the job it
 * is given and posts the positions back.
 */
import {parentPort, workerData} from 'node:worker_threads'
import {priceJob, type PriceJob} from './model-greeks.js'

parentPort?.postMessage(priceJob(workerData as PriceJob))
