/*
 * Cumulative realised P&L per portfolio per day for `pnl --history` (services/history.ts), from the
 * ledger when read rather than stored with the daily snapshot: it is the realised P&L of the lots closed
 * up to that day's close, so transactions that arrive after a day's snapshot (an export imported a week
 * later, a broker correction) change that day's figure exactly as they change `pnl --realized`, and the
 * two never disagree; no history-file migration either. The cost is one ledger read per `pnl --history`.
 * A module of its own so that `risk --history` (which shares services/history.ts) never bundles the ledger.
 */
import {fxRateOn} from '../../domain/ledger/fx.js'
import {convert} from '../../domain/money.js'
import type {RealizedByDay} from '../history.js'
import {loadLedger} from './book.js'

/**
 * Cumulative realised P&L per portfolio up to a date, from the ledger's closed lots (see the header).
 * Portfolio figures are in the portfolio's currency (a piece in another currency converted at today's
 * config rate; counted missing without one); the total is in the base currency, each piece at the FX
 * rate stored for its close date, else today's.
 */
export const realizedByDay: RealizedByDay = async (config, dbPath, names) => {
  const ledger = await loadLedger(config, dbPath, names)
  const withLedger = new Set([...ledger.events.map((e) => e.portfolio), ...[...ledger.opening].filter(([, v]) => v.date !== null).map(([k]) => k)])
  const currencyOf = new Map(config.portfolios.map((p) => [p.name, p.currency]))
  const closed = [...ledger.lots.closed].sort((a, b) => (a.closeDate < b.closeDate ? -1 : a.closeDate > b.closeDate ? 1 : 0))
  const sum = (portfolios: readonly string[], date: string, value: (c: (typeof closed)[number]) => {v: number | null; today: boolean}) => {
    let v = 0
    let known = 0
    let missing = 0
    let today = 0
    for (const c of closed) {
      if (c.closeDate > date) break
      if (!portfolios.includes(c.portfolio)) continue
      const x = c.realized === null ? {v: null, today: false} : value(c)
      if (x.v === null) missing++
      else {
        v += x.v
        known++
        if (x.today) today++
      }
    }
    // as domain/sum.ts total(): nothing known but something missing is unknown, not 0
    return {v: known === 0 && missing > 0 ? null : Math.round(v * 1e8) / 1e8, missing, today}
  }
  return {
    portfolio(name: string, date: string) {
      if (!withLedger.has(name)) return {realizedPnl: null, realizedMissing: 0, fxAtToday: 0}
      const ccy = currencyOf.get(name) ?? config.baseCurrency
      const s = sum([name], date, (c) => ({v: convert(c.realized, c.currency, ccy, config.fxRates), today: false}))
      return {realizedPnl: s.v, realizedMissing: s.missing, fxAtToday: 0}
    },
    total(real: readonly string[], date: string) {
      const known = real.filter((n) => withLedger.has(n))
      if (known.length === 0) return {realizedPnl: null, realizedMissing: real.length, fxAtToday: 0}
      const s = sum(known, date, (c) => {
        const r = fxRateOn(c.currency, c.closeDate, config.baseCurrency, ledger.fx, config.fxRates)
        return r === null ? {v: null, today: false} : {v: c.realized! * r.rate, today: r.source === 'config'}
      })
      return {realizedPnl: s.v, realizedMissing: s.missing + real.length - known.length, fxAtToday: s.today}
    },
  }
}
