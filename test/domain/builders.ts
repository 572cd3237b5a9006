/*
 * Tiny builders for readable scenarios: pos('-2 AAPL 2026-01-16 150P @ 7.47 mark 5.05').
 */
import type {Position} from '../../src/core/domain/types.js'

const OPTION = /^(\S+) (\d{4}-\d{2}-\d{2}) (\d+(?:\.\d+)?)([CP])$/

export function pos(spec: string, extra: Partial<Position> = {}): Position {
  const m = /^(-?[\d.]+) (.+?) @ ([\d.]+|\?) mark ([\d.]+|\?)$/.exec(spec)
  if (!m) throw new Error(`bad spec ${spec}`)
  const [, q, symbol, entry, mark] = m
  const o = OPTION.exec(symbol)
  const num = (s: string) => (s === '?' ? null : Number(s))
  const base: Position = {
    portfolio: 'test',
    symbol,
    brokerSymbol: symbol,
    instrumentType: o ? 'equity_option' : 'equity',
    underlying: o ? o[1] : symbol,
    quantity: Number(q),
    multiplier: o ? 100 : 1,
    entryPrice: num(entry),
    markPrice: num(mark),
    currency: 'USD',
    option: o ? {expiry: o[2], strike: Number(o[3]), right: o[4] === 'C' ? 'call' : 'put', style: 'american'} : undefined,
    underlyingPrice: o ? null : num(mark),
    underlyingPriceSource: o ? 'none' : 'file',
    iv: null,
    greeks: o ? null : {delta: 1, gamma: 0, theta: 0, vega: 0, rho: 0},
    greeksSource: o ? 'none' : 'model',
  }
  return {...base, ...extra}
}
