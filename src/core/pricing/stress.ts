/*
 * Stress grid: P&L of a book under instantaneous price moves × implied-vol shifts, by full
 * revaluation (revalue.ts), per underlying and in total. Pure.
 *
 * Price moves follow the portfolio-margin scan: each underlying has its own range (±15 % for a
 * single stock, −8 % … +6 % for a broad index) cut into `steps` equal points on each side of 0,
 * so every underlying has the same number of columns; column c of the total is every underlying
 * at its own c-th move (all at their largest fall in the first column), as the margin scan does.
 */
import {revaluePnl, type LegBook, type LegEngine} from './revalue.js'

export interface ScanRange {
  /** largest fall, percent (negative, e.g. −15) */
  down: number
  /** largest rise, percent (e.g. 15) */
  up: number
  /** points on each side of 0 */
  steps: number
}

/** steps points from `down` to 0 (exclusive), 0, then steps points up to `up`: 2·steps + 1 values, percent. */
export function scanPoints(r: ScanRange): number[] {
  const out: number[] = []
  for (let i = r.steps; i >= 1; i--) out.push(round((r.down * i) / r.steps))
  out.push(0)
  for (let i = 1; i <= r.steps; i++) out.push(round((r.up * i) / r.steps))
  return out
}

const round = (x: number) => Math.round(x * 1e10) / 1e10

export interface StressResult {
  /** per underlying (book order): its price moves, percent */
  moves: number[][]
  /** implied-vol shifts, vol points (+2 = σ + 0.02) */
  volShifts: number[]
  /** per underlying: P&L[move][vol], money in the book's currency */
  underlying: number[][][]
  /** P&L[move column][vol] of the whole book */
  total: number[][]
}

/**
 * `moves[u]` are percent moves for underlying u (all the same length); `volShifts` in vol points.
 * Instantaneous: no time passes.
 */
export function stressGrid(book: LegBook, moves: number[][], volShifts: number[], engine?: LegEngine, interpolate = false): StressResult {
  const m = book.underlyings.length
  const P = moves[0]?.length ?? 0
  if (moves.length !== m || moves.some((row) => row.length !== P)) throw new RangeError('stress: one list of moves per underlying, all the same length')
  const V = volShifts.length
  const n = P * V
  const spotFactor = new Float64Array(m * n)
  const volShift = new Float64Array(m * n)
  for (let u = 0; u < m; u++)
    for (let p = 0; p < P; p++)
      for (let v = 0; v < V; v++) {
        spotFactor[u * n + p * V + v] = 1 + moves[u][p] / 100
        volShift[u * n + p * V + v] = volShifts[v] / 100
      }
  const out = new Float64Array(n)
  const per = new Float64Array(m * n)
  revaluePnl(book, {n, spotFactor, volShift, elapsedYears: 0}, out, {engine, interpolate}, per)
  const grid = (arr: Float64Array, offset: number) => Array.from({length: P}, (_, p) => Array.from({length: V}, (_, v) => arr[offset + p * V + v]))
  return {moves, volShifts, underlying: book.underlyings.map((_, u) => grid(per, u * n)), total: grid(out, 0)}
}

/** The cell with the lowest P&L: indices and value. */
export function worstCell(g: number[][]): {move: number; vol: number; pnl: number} | null {
  let best: {move: number; vol: number; pnl: number} | null = null
  g.forEach((row, p) => row.forEach((x, v) => {
    if (best === null || x < best.pnl) best = {move: p, vol: v, pnl: x}
  }))
  return best
}
