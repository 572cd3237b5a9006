/*
 * Time for the daemon behind two small interfaces: a Clock (`now()`) and a Scheduler
 * (`every(name, spec, fn)`). Production uses the system clock, croner for cron expressions (with time
 * zones) and timers for intervals; tests and benchmarks use SimClock, which is both and runs a
 * trading week of jobs in order, in seconds of wall time, without sleeping.
 */
import {Cron} from 'croner'
import {ConfigError} from '../errors.js'

export interface Clock {
  now(): Date
}

export type JobSpec = {cron: string; timezone?: string} | {everySeconds: number}

export interface Job {
  readonly name: string
  /** next scheduled run; null when stopped or never again */
  nextRun(): Date | null
  stop(): void
}

export interface Scheduler {
  every(name: string, spec: JobSpec, fn: () => Promise<void>): Job
}

export const systemClock: Clock = {now: () => new Date()}

/**
 * The one clock of a process: COTRADER_NOW (an ISO instant) when set, running on from there at the
 * real pace (so the daemon's ticks still advance), else the system clock. Every stored time comes
 * from it: snapshots' takenAt, transitions, alerts, status.
 */
export function processClock(env: NodeJS.ProcessEnv): Clock {
  const text = env.COTRADER_NOW
  if (!text) return systemClock
  const start = new Date(text)
  if (Number.isNaN(start.getTime())) throw new ConfigError(`COTRADER_NOW "${text}" is not an ISO instant such as 2026-01-05T15:00:00Z`)
  const offset = start.getTime() - Date.now()
  return {now: () => new Date(Date.now() + offset)}
}

/** A paused croner instance: validates the expression and time zone, computes next runs. */
export function cronOf(pattern: string, timezone: string | undefined, where = 'cron'): Cron {
  try {
    const c = new Cron(pattern, {timezone, paused: true})
    if (c.nextRun() === null) throw new Error('it never runs')
    return c
  } catch (error) {
    throw new ConfigError(`${where}: invalid cron expression "${pattern}"${timezone ? ` in ${timezone}` : ''}: ${(error as Error).message}`)
  }
}

export function realScheduler(): Scheduler & {stopAll(): void} {
  const jobs: Job[] = []
  return {
    every(name, spec, fn) {
      let job: Job
      if ('cron' in spec) {
        const c = new Cron(spec.cron, {timezone: spec.timezone}, () => void fn())
        job = {name, nextRun: () => c.nextRun(), stop: () => c.stop()}
      } else {
        let timer: NodeJS.Timeout | undefined
        let next = Date.now() + spec.everySeconds * 1000
        const arm = () => {
          timer = setTimeout(() => {
            next += spec.everySeconds * 1000
            if (next < Date.now()) next = Date.now() + spec.everySeconds * 1000 // slept through: no burst of catch-up runs
            arm()
            void fn()
          }, Math.max(0, next - Date.now()))
        }
        arm()
        job = {name, nextRun: () => (timer ? new Date(next) : null), stop: () => {
          clearTimeout(timer)
          timer = undefined
        }}
      }
      jobs.push(job)
      return job
    },
    stopAll() {
      for (const j of jobs) j.stop()
    },
  }
}

interface SimJob {
  name: string
  spec: JobSpec
  fn: () => Promise<void>
  cron?: Cron
  next: number | null
  order: number
}

/** Simulated time: `runUntil` jumps from one due job to the next and awaits each, in time order. */
export class SimClock implements Clock, Scheduler {
  private t: number
  private jobs: SimJob[] = []
  private seq = 0
  /** jobs run so far, by name */
  readonly runs = new Map<string, number>()

  constructor(start: Date) {
    this.t = start.getTime()
  }

  now(): Date {
    return new Date(this.t)
  }

  /** Moves time forward without running anything (a long job, an outage). */
  advance(ms: number): void {
    this.t += ms
  }

  every(name: string, spec: JobSpec, fn: () => Promise<void>): Job {
    const job: SimJob = {name, spec, fn, next: null, order: this.seq++}
    if ('cron' in spec) job.cron = cronOf(spec.cron, spec.timezone)
    job.next = this.nextAfter(job, this.t)
    this.jobs.push(job)
    return {name, nextRun: () => (job.next === null ? null : new Date(job.next)), stop: () => {
      job.next = null
    }}
  }

  async runUntil(end: Date): Promise<void> {
    for (;;) {
      const due = this.jobs.filter((j) => j.next !== null && j.next <= end.getTime()).sort((a, b) => a.next! - b.next! || a.order - b.order)[0]
      if (!due) break
      this.t = Math.max(this.t, due.next!)
      due.next = this.nextAfter(due, this.t)
      this.runs.set(due.name, (this.runs.get(due.name) ?? 0) + 1)
      await due.fn()
    }
    this.t = Math.max(this.t, end.getTime())
  }

  private nextAfter(job: SimJob, t: number): number | null {
    if ('everySeconds' in job.spec) return t + job.spec.everySeconds * 1000
    return job.cron!.nextRun(new Date(t))?.getTime() ?? null
  }
}
