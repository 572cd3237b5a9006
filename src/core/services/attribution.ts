/*
 * pnl --attribution: each position's P&L since a start valuation split into delta, gamma, theta,
 * vega, rho and residual (domain/attribution.ts), summed per underlying and portfolio.
 *  - since yesterday: the start is each position's latest daily snapshot before today (mark,
 *    underlying price, IV and per-unit Greeks as stored then);
 *  - since DATE: its latest snapshot on or before DATE;
 *  - since entry: the entry price, with the underlying price, IV and Greeks recorded when the
 *    position was first seen (entry_greeks).
 * The end is the book as last synced (its marks, underlying prices and IVs), at the time of that sync.
 * Rates are not part of the history, so the rho term is 0 (the rate is taken as unchanged).
 */
import type {Config} from '../config/config.js'
import {attribute, type Attribution, type Valuation} from '../domain/attribution.js'
import {exchangeDate} from '../domain/daypnl.js'
import {convert, toBase} from '../domain/money.js'
import type {Position, UnitGreeks} from '../domain/types.js'
import {UserError} from '../errors.js'
import {lastPositionSnapshotsBefore, type PositionSnapshot} from '../store/snapshots.js'
import {isNeverSynced, loadCountedBook, neverSynced} from './book.js'

export interface AttributionOptions {
  config: Config
  dbPath: string
  /** only these portfolios (a name or several; all when absent) */
  portfolio?: string | readonly string[]
  asOf: Date
  /** 'yesterday' (default), 'entry', or a date YYYY-MM-DD */
  since?: string
}

const TERMS = ['pnl', 'delta', 'gamma', 'theta', 'vega', 'rho', 'explained', 'residual'] as const
type Term = (typeof TERMS)[number]

export interface AttributionLine {
  level: 'position' | 'underlying' | 'portfolio'
  portfolio: string
  symbol: string | null
  underlying: string | null
  /** money below is in this currency (the position's on position lines, the portfolio's otherwise) */
  currency: string
  /** start of the period (ISO instant), position lines only */
  from: string | null
  /** calendar days between the valuations, position lines only */
  days: number | null
  /** actual P&L over the period, money; sums leave out positions counted in `missing` */
  pnl: number | null
  /** Δ·dS, money */
  delta: number | null
  /** ½·Γ·dS², money */
  gamma: number | null
  /** Θ·dt (calendar days), money */
  theta: number | null
  /** ν·dσ (vol points), money */
  vega: number | null
  /** ρ·dr (rate points), money; 0 when the rate did not move */
  rho: number | null
  /** Σ of the five terms, money */
  explained: number | null
  /** pnl − explained, money */
  residual: number | null
  /** explained ÷ pnl, a fraction (1 = all explained); null when the P&L is 0 or unknown */
  explainedShare: number | null
  /** positions left out (no start valuation, unknown mark, Greeks, IV or underlying price) */
  missing: number
  /** why a position is left out, or a caveat */
  note: string | null
}

export interface AttributionResult {
  asOf: string
  baseCurrency: string
  /** what the start valuation is: yesterday, entry or a date */
  since: string
  positions: AttributionLine[]
  underlyings: AttributionLine[]
  portfolios: AttributionLine[]
  /** every portfolio in the base currency */
  total: Omit<AttributionLine, 'level' | 'portfolio' | 'symbol' | 'underlying' | 'from' | 'days' | 'note'>
  notSynced: string[]
}

interface Start {
  at: string
  quantity: number | null
  price: number | null
  underlyingPrice: number | null
  iv: number | null
  greeks: UnitGreeks | null
}

const DATE = /^\d{4}-\d{2}-\d{2}$/

export async function attributionService(o: AttributionOptions): Promise<AttributionResult> {
  const since = o.since ?? 'yesterday'
  if (since !== 'yesterday' && since !== 'entry' && (!DATE.test(since) || Number.isNaN(Date.parse(since))))
    throw new UserError(`--since ${since}: expected yesterday, entry or a date YYYY-MM-DD`)
  const fromSnap = (s: PositionSnapshot): Start => ({at: s.takenAt, quantity: s.quantity, price: s.markPrice, underlyingPrice: s.underlyingPrice, iv: s.iv, greeks: s.greeks})
  // The counted book (services/book.ts), as pnl's: paper trades and pending deliveries are attributed too.
  const book = await loadCountedBook(o.config, o.dbPath, o.portfolio, {asOf: o.asOf}, (_db, names, history) => {
    const starts = new Map<string, Start>()
    if (since === 'entry') return starts
    // Yesterday: before each exchange's today; a date: on or before it.
    const dates = since === 'yesterday' ? [...new Set(['USD', 'INR', o.config.baseCurrency].map((c) => exchangeDate(c, o.asOf)))] : [new Date(Date.parse(since) + 86_400_000).toISOString().slice(0, 10)]
    for (const date of dates) for (const s of lastPositionSnapshotsBefore(history, date, names)) starts.set(`${date}\u0000${s.portfolio}\u0000${s.symbol}`, fromSnap(s))
    return starts
  })
  const startOf = (p: Position): Start | null => {
    if (since === 'entry') {
      const e = book.entryGreeks.get(`${p.portfolio}\u0000${p.symbol}`)
      return e ? {at: e.firstSeenAt, quantity: e.quantity, price: e.entryPrice, underlyingPrice: e.underlyingPrice, iv: e.iv, greeks: e.greeks} : null
    }
    const date = since === 'yesterday' ? exchangeDate(p.currency, o.asOf) : new Date(Date.parse(since) + 86_400_000).toISOString().slice(0, 10)
    return book.extra.get(`${date}\u0000${p.portfolio}\u0000${p.symbol}`) ?? null
  }

  const positions: AttributionLine[] = []
  const underlyings: AttributionLine[] = []
  const portfolios: AttributionLine[] = []
  const base: Record<Term, (number | null)[]> = Object.fromEntries(TERMS.map((k) => [k, []])) as never
  let baseMissing = 0
  for (const b of book.counted.portfolios.map((c) => c.bundle)) {
    if (b.config.kind === 'whatif') continue
    const end = b.stored?.lastSyncAt ? new Date(b.stored.lastSyncAt) : o.asOf
    const items = b.positions.map((p) => {
      const s = startOf(p)
      let outcome: {ok: Attribution} | {unknown: string}
      if (!s) outcome = {unknown: since === 'entry' ? 'no entry Greeks recorded' : `no snapshot ${since === 'yesterday' ? 'before today' : `on or before ${since}`}`}
      else {
        const start: Valuation = {at: new Date(s.at), price: s.price, underlyingPrice: s.underlyingPrice, iv: s.iv}
        // One clock (COTRADER_NOW or the real one) for every stored time: an end at or before its start is two clocks mixed, never a negative period.
        // (--since entry starts at the first sync that saw the position, which may be the last sync itself: a zero period is then allowed.)
        if (end.getTime() < start.at.getTime() || (since !== 'entry' && end.getTime() === start.at.getTime()))
          throw new UserError(`attribution of ${b.config.name} ${p.symbol}: its end ${end.toISOString()} (the last sync) is at or before its start ${start.at.toISOString()} (the snapshot); were they taken with different clocks (COTRADER_NOW)? Sync again, or pick another --since`)
        const now: Valuation = {at: end, price: p.markPrice, underlyingPrice: p.underlyingPrice, iv: p.iv}
        outcome = attribute({quantity: p.quantity, multiplier: p.multiplier, linear: !p.option, greeks: s.greeks, start, end: now})
      }
      const changed = s && s.quantity !== null && s.quantity !== p.quantity ? `quantity was ${s.quantity} at the start; attributed on the current ${p.quantity}` : null
      return {p, s, a: 'ok' in outcome ? outcome.ok : null, note: 'ok' in outcome ? changed : outcome.unknown}
    })
    for (const it of items)
      positions.push({
        level: 'position', portfolio: b.config.name, symbol: it.p.symbol, underlying: it.p.underlying, currency: it.p.currency,
        from: it.s?.at ?? null, days: it.a?.days ?? null, ...terms(it.a ? [it.a] : [], it.a ? 0 : 1), note: it.note,
      })
    // Sums in the portfolio's currency.
    const restated = items.map((it) => ({u: it.p.underlying, a: it.a ? restate(it.a, it.p.currency, b.config.currency, o.config.fxRates) : null}))
    for (const u of [...new Set(restated.map((r) => r.u))].sort()) {
      const mine = restated.filter((r) => r.u === u)
      const known = mine.flatMap((r) => (r.a ? [r.a] : []))
      underlyings.push({level: 'underlying', portfolio: b.config.name, symbol: null, underlying: u, currency: b.config.currency, from: null, days: null, ...terms(known, mine.length - known.length), note: null})
    }
    const known = restated.flatMap((r) => (r.a ? [r.a] : []))
    const line: AttributionLine = {level: 'portfolio', portfolio: b.config.name, symbol: null, underlying: null, currency: b.config.currency, from: null, days: null, ...terms(known, restated.length - known.length), note: null}
    portfolios.push(line)
    // The total is of the real book (services/book.ts): research portfolios are listed, never summed in;
    // a never-synced portfolio is one unknown part of it.
    if (b.config.kind !== 'real') continue
    for (const k of TERMS) base[k].push(isNeverSynced(b) ? null : toBase(line[k], b.config.currency, o.config.fxRates))
    baseMissing += line.missing + (isNeverSynced(b) ? 1 : 0) + (o.config.fxRates[b.config.currency] === undefined && known.length > 0 ? known.length : 0)
  }
  const sum = (k: Term) => {
    const known = base[k].filter((v): v is number => v !== null)
    return known.length === 0 ? null : known.reduce((x, y) => x + y, 0)
  }
  const totalTerms = Object.fromEntries(TERMS.map((k) => [k, sum(k)])) as Record<Term, number | null>
  return {
    asOf: o.asOf.toISOString(),
    baseCurrency: o.config.baseCurrency,
    since,
    positions,
    underlyings,
    portfolios,
    total: {currency: o.config.baseCurrency, ...totalTerms, explainedShare: share(totalTerms.explained, totalTerms.pnl), missing: baseMissing},
    notSynced: neverSynced(book.bundles),
  }
}

function share(explained: number | null, pnl: number | null): number | null {
  return explained === null || pnl === null || pnl === 0 ? null : explained / pnl
}

function restate(a: Attribution, from: string, to: string, fx: Record<string, number>): Attribution | null {
  if (from === to) return a
  const k = convert(1, from, to, fx)
  if (k === null) return null
  return {...a, pnl: a.pnl * k, delta: a.delta * k, gamma: a.gamma * k, theta: a.theta * k, vega: a.vega * k, rho: a.rho * k, explained: a.explained * k, residual: a.residual * k}
}

function terms(list: Attribution[], missing: number): Pick<AttributionLine, Term | 'explainedShare' | 'missing'> {
  const out = {} as Record<Term, number | null>
  for (const k of TERMS) out[k] = list.length === 0 ? null : list.reduce((s, a) => s + a[k], 0)
  return {...out, explainedShare: share(out.explained, out.pnl), missing}
}
