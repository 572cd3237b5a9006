/*
 * The ledger as the views need it: events from the store, the events that count (a provisional event
 * stops counting once a broker event confirms or replaces it), each portfolio's lot method and
 * assignment treatment, the opening balance, and lots recomputed from all of it (never stored).
 *
 * Opening balance: a ledger can start on an existing book. For each portfolio, the positions of the
 * latest daily snapshot dated before its first event (store/snapshots.ts) open the broker book as lots
 * at their entry price, dated that day; without such a snapshot the book starts empty.
 */
import type {Config, PortfolioConfig} from '../../config/config.js'
import type {LedgerEvent, LedgerLink} from '../../domain/ledger/events.js'
import {fxHistoryFromCloses, fxPairSymbols, type FxHistory} from '../../domain/ledger/fx.js'
import {computeLots, type AssignmentTreatment, type LotEvent, type LotOptions, type LotsResult, type OpeningLot} from '../../domain/ledger/lots.js'
import {countedEvents} from '../../domain/ledger/provisional.js'
import type {Db} from '../../store/database.js'
import {readDb} from '../../store/database.js'
import {readHistory, type History} from '../../store/history.js'
import {loadEvents, loadLinks, type EventFilter} from '../../store/ledger.js'
import {loadPriceHistory} from '../../store/prices.js'
import {lastPositionSnapshotsBefore} from '../../store/snapshots.js'

/** Each broker's own assignment/exercise treatment (docs/LEDGER.md): IBKR folds the premium into the shares. */
export function brokerTreatment(p: Pick<PortfolioConfig, 'broker'> & {source?: {transactions?: {format: string}}}): AssignmentTreatment {
  const format = p.source?.transactions?.format ?? ''
  return (p.broker as string) === 'ibkr' || format.startsWith('ibkr') ? 'fold' : 'separate'
}

export function lotOptions(config: Config): (portfolio: string) => LotOptions {
  const byName = new Map(config.portfolios.map((p) => [p.name, p]))
  // Asked per event booked: answered once per portfolio.
  const known = new Map<string, LotOptions>()
  return (name) => {
    let o = known.get(name)
    if (o) return o
    const p = byName.get(name)
    o = p ? {method: p.lots ?? 'fifo', assignment: p.assignmentBasis === 'premium_in_basis' ? 'fold' : brokerTreatment(p)} : {method: 'fifo', assignment: 'separate'}
    known.set(name, o)
    return o
  }
}

export interface LoadedLedger<E extends LotEvent = LedgerEvent> {
  events: E[]
  links: LedgerLink[]
  lots: LotsResult
  /** per portfolio: the snapshot date whose positions opened the ledger, or null */
  opening: Map<string, {date: string | null; positions: number}>
  /** dated FX rates of the events' currencies (price history under pair symbols; domain/ledger/fx.ts) */
  fx: FxHistory
}

/** Loads the events of `portfolios` (all when empty) and computes lots with their opening balances. */
export function loadLedger(config: Config, dbPath: string, portfolios: string[] = []): Promise<LoadedLedger> {
  return loadWith(config, dbPath, portfolios, loadEvents)
}

async function loadWith<E extends LotEvent>(config: Config, dbPath: string, portfolios: string[], read: (db: Db, filter: EventFilter) => E[]): Promise<LoadedLedger<E>> {
  const {rows, first} = await readDb(dbPath, (db) => ({rows: readLedgerRows(db, config, portfolios, read), first: firstEventDates(db)}))
  const {opening, lots} = await openingBalances(dbPath, first, portfolios)
  return {...bookLots(rows, config, lots), opening}
}

/** Each portfolio's first trade date in the ledger (whichever portfolios are asked: the opening balance is per portfolio). */
export function firstEventDates(db: Db): Map<string, string> {
  return new Map(db.all<{portfolio: string; d: string}>('SELECT portfolio, MIN(trade_date) AS d FROM ledger_events GROUP BY portfolio').map((x) => [x.portfolio, x.d]))
}

/** The ledger's rows that lots rest on: events of `portfolios` (all when empty), links, and the FX of the close dates. */
export function readLedgerRows<E extends LotEvent>(db: Db, config: Config, portfolios: string[], read: (db: Db, filter: EventFilter) => E[]): {events: E[]; links: LedgerLink[]; fx: FxHistory} {
  const events = read(db, portfolios.length ? {portfolio: portfolios} : {})
  // FX of the close dates: the price history's currency pairs, only for currencies other than the base.
  const currencies = [...new Set(events.map((e) => e.currency))].filter((c) => c !== config.baseCurrency)
  const pairs = currencies.flatMap((c) => Object.values(fxPairSymbols(c, config.baseCurrency)))
  const fx: FxHistory = pairs.length > 0 ? fxHistoryFromCloses(currencies, config.baseCurrency, loadPriceHistory(db, pairs)) : new Map()
  return {events, links: loadLinks(db), fx}
}

/** The events that count (provisional ones confirmed or replaced drop out) and the lots booked from them on top of the opening balance. */
export function bookLots<E extends LotEvent>(rows: {events: E[]; links: LedgerLink[]; fx: FxHistory}, config: Config, opening: readonly OpeningLot[]): Omit<LoadedLedger<E>, 'opening'> {
  const counting = countedEvents(rows.events, rows.links)
  return {events: counting, links: rows.links, lots: computeLots(counting, lotOptions(config), opening, config.deliverables ?? {}), fx: rows.fx}
}

/**
 * The opening balance of each portfolio of `portfolios` (all when empty) that has events: the positions
 * of its latest daily snapshot dated before its first event (see the header).
 */
export async function openingBalances(dbPath: string, first: Map<string, string>, portfolios: string[]): Promise<{opening: LoadedLedger['opening']; lots: OpeningLot[]}> {
  if (![...first.keys()].some((p) => portfolios.length === 0 || portfolios.includes(p))) return {opening: new Map(), lots: []}
  // readHistory: under read replay a year file whose answers are not recorded loads sql.js and reads again (a pure read).
  return readHistory(dbPath, (h) => openingFrom(h, first, portfolios))
}

/** openingBalances on a history already open (synchronous: a read callback may call it). */
export function openingFrom(h: History, first: Map<string, string>, portfolios: string[]): {opening: LoadedLedger['opening']; lots: OpeningLot[]} {
  const opening = new Map<string, {date: string | null; positions: number}>()
  const lots: OpeningLot[] = []
  for (const name of [...first.keys()].filter((p) => portfolios.length === 0 || portfolios.includes(p))) {
    const rows = lastPositionSnapshotsBefore(h, first.get(name)!, [name])
    const date = rows.reduce<string | null>((d, r) => (d === null || r.date > d ? r.date : d), null)
    const day = rows.filter((r) => r.date === date && r.quantity !== 0)
    opening.set(name, {date, positions: day.length})
    for (const r of day) {
      lots.push({
        portfolio: name, symbol: r.symbol, underlying: r.underlying, instrumentType: r.instrumentType, ...(r.option ? {option: {expiry: r.option.expiry, strike: r.option.strike, right: r.option.right}} : {}),
        multiplier: r.multiplier, currency: r.currency, quantity: r.quantity, price: r.entryPrice, openedAt: `${r.date}T00:00:00.000Z`, openDate: r.date,
      })
    }
  }
  return {opening, lots}
}
