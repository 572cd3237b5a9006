/*
 * The stress grid of a portfolio's positions (pricing/stress.ts does the arithmetic): which scan
 * range each underlying gets, and the result in the shape the views and --json show. Pure.
 */
import {legBook, type LegEngine} from '../pricing/revalue.js'
import {scanPoints, stressGrid, worstCell, type ScanRange} from '../pricing/stress.js'
import type {Position} from './types.js'
import {positionLegs, type VarMarket} from './var.js'

export interface StressSettings {
  singleStock: ScanRange
  broadIndex: ScanRange
  /** underlyings scanned with the broad-index range */
  indexSymbols: string[]
  /** implied-vol shifts in vol points */
  vol: ScanRange
}

export const DEFAULT_STRESS_SETTINGS: StressSettings = {
  singleStock: {down: -15, up: 15, steps: 5},
  broadIndex: {down: -8, up: 6, steps: 5},
  indexSymbols: ['SPX', 'SPY', 'XSP', 'NDX', 'QQQ', 'RUT', 'IWM', 'DJX', 'DIA', '/ES', '/MES', '/NQ', '/MNQ', '/RTY', '/YM', 'NIFTY', 'BANKNIFTY', 'SENSEX'],
  vol: {down: -10, up: 10, steps: 4},
}

export interface StressCell {
  /** index into each underlying's moves (the column of the scan) */
  moveIndex: number
  /** index into volShifts */
  volIndex: number
  /** money in the portfolio's currency */
  pnl: number
  /** readable: the moves and the vol shift of the cell */
  label: string
}

export interface UnderlyingStress {
  underlying: string
  /** 'index' (broad-index range) or 'stock' (single-stock range) */
  range: 'index' | 'stock'
  /** price moves, percent */
  moves: number[]
  /** P&L[move][vol shift], money in the portfolio's currency */
  pnl: number[][]
  worst: StressCell
}

export interface BookStress {
  currency: string
  /** implied-vol shifts, vol points */
  volShifts: number[]
  underlyings: UnderlyingStress[]
  /** P&L[scan column][vol shift] of the whole portfolio: column c = every underlying at its own c-th move */
  total: number[][]
  /** null when nothing could be valued */
  worst: StressCell | null
  positions: number
  /** positions left out (no price, implied vol or FX rate) */
  missing: number
  missingSymbols: string[]
}

const pctLabel = (x: number) => `${x > 0 ? '+' : ''}${Number(x.toFixed(2))} %`

export function bookStress(positions: Position[], market: VarMarket, settings: StressSettings, asOf: Date, engine?: LegEngine): BookStress {
  const {legs, missing} = positionLegs(positions, market, asOf)
  const volShifts = scanPoints(settings.vol)
  const base = {currency: market.currency, volShifts, positions: legs.length, missing: missing.length, missingSymbols: missing}
  if (legs.length === 0) return {...base, underlyings: [], total: [], worst: null}
  const book = legBook(legs)
  const indexes = new Set(settings.indexSymbols.map((s) => s.toUpperCase()))
  // A futures contract (/ESZ6) counts by its root (/ES).
  const root = (u: string) => (u.startsWith('/') ? u.toUpperCase().replace(/[FGHJKMNQUVXZ]\d{1,2}$/, '') : u.toUpperCase())
  const kinds = book.underlyings.map((u) => (indexes.has(u.toUpperCase()) || indexes.has(root(u)) ? 'index' : 'stock') as 'index' | 'stock')
  const stock = scanPoints(settings.singleStock)
  const index = scanPoints(settings.broadIndex)
  if (stock.length !== index.length) throw new RangeError('stress: single-stock and broad-index ranges need the same number of steps')
  const moves = kinds.map((k) => (k === 'index' ? index : stock))
  // Large books: the interpolating engine (64 exact prices per option instead of one per cell; revalue.ts).
  // Every cell priced by the model: American legs share one boundary solve per vol shift (revalue.ts),
  // cheaper than an interpolating grid would be for 99 cells.
  const g = stressGrid(book, moves, volShifts, engine)
  const vol = (v: number) => `vol ${pctLabel(volShifts[v]).replace(' %', ' pts')}`
  const underlyings = book.underlyings.map((u, i): UnderlyingStress => {
    const w = worstCell(g.underlying[i])!
    return {underlying: u, range: kinds[i], moves: moves[i], pnl: g.underlying[i], worst: {moveIndex: w.move, volIndex: w.vol, pnl: w.pnl, label: `${u} ${pctLabel(moves[i][w.move])}, ${vol(w.vol)}`}}
  })
  const w = worstCell(g.total)!
  const label = `${movesLabel(book.underlyings, moves, kinds, w.move)}; ${vol(w.vol)}`
  return {...base, underlyings, total: g.total, worst: {moveIndex: w.move, volIndex: w.vol, pnl: w.pnl, label}}
}

/** The price side of a portfolio cell: each underlying for up to three, else the move per range. */
function movesLabel(names: string[], moves: number[][], kinds: ('index' | 'stock')[], p: number): string {
  if (names.length <= 3) return names.map((u, i) => `${u} ${pctLabel(moves[i][p])}`).join(', ')
  const of = (k: 'index' | 'stock') => kinds.indexOf(k)
  const parts: string[] = []
  if (of('stock') >= 0) parts.push(`single stocks ${pctLabel(moves[of('stock')][p])}`)
  if (of('index') >= 0) parts.push(`indices ${pctLabel(moves[of('index')][p])}`)
  return `all ${names.length} underlyings: ${parts.join(', ')}`
}
