/*
 * Reconciliation (pure): the positions the ledger implies (opening balance + events → open lots of the
 * broker book) against the broker's latest positions, per portfolio and instrument. The broker's
 * positions are the truth; each difference is shown with its likely cause, never corrected:
 *
 *  - an option past its expiry still open in the ledger (or its shares differing by its deliverable):
 *    "expiry / assignment / exercise not yet in the transactions";
 *  - broker ÷ ledger a split ratio (2, 3, 3/2, 1/2, 1/10 …): "a split or reverse split not in the transactions";
 *  - transfer events of the instrument: "a transfer";
 *  - no event of the instrument at all: "a missing export period before the ledger's first event, or a transfer in";
 *  - otherwise: "a missing export period" (with the dates the ledger covers).
 */
import type {LedgerEvent} from './events.js'
import type {Lot} from './lots.js'

export interface BrokerPosition {
  portfolio: string
  symbol: string
  underlying: string
  quantity: number
  option?: {expiry: string; strike: number; right: 'call' | 'put'}
  multiplier: number
}

export interface ReconcileLine {
  symbol: string
  underlying: string
  /** signed quantity the ledger implies */
  ledger: number
  /** signed quantity the broker holds */
  broker: number
  /** broker − ledger */
  difference: number
  cause: string
}

export interface PortfolioReconciliation {
  portfolio: string
  status: 'reconciles' | 'differs' | 'no ledger'
  /** instruments compared */
  instruments: number
  differences: ReconcileLine[]
  /** events kept as unclassified: not booked, so a possible cause */
  unclassified: number
  firstEvent: string | null
  lastEvent: string | null
}

const EPS = 1e-6
const RATIOS = [2, 3, 4, 5, 10, 1.5, 4 / 3, 0.5, 1 / 3, 0.25, 0.2, 0.1, 2 / 3, 0.05]

export function reconcilePortfolio(
  portfolio: string,
  lots: readonly Lot[],
  positions: readonly BrokerPosition[],
  events: readonly LedgerEvent[],
  unclassified: number,
  today: string,
): PortfolioReconciliation {
  const mine = events.filter((e) => e.portfolio === portfolio)
  const firstEvent = mine.length ? mine.reduce((a, e) => (e.tradeDate < a ? e.tradeDate : a), mine[0].tradeDate) : null
  const lastEvent = mine.length ? mine.reduce((a, e) => (e.tradeDate > a ? e.tradeDate : a), mine[0].tradeDate) : null
  const ledger = new Map<string, {q: number; lot: Lot}>()
  for (const l of lots) {
    if (l.portfolio !== portfolio || l.book !== 'broker') continue
    const cur = ledger.get(l.symbol)
    ledger.set(l.symbol, {q: (cur?.q ?? 0) + l.quantity, lot: cur?.lot ?? l})
  }
  const broker = new Map<string, BrokerPosition>()
  for (const p of positions) if (p.portfolio === portfolio) broker.set(p.symbol, {...p, quantity: (broker.get(p.symbol)?.quantity ?? 0) + p.quantity})
  if (mine.length === 0 && ledger.size === 0) {
    return {portfolio, status: 'no ledger', instruments: broker.size, differences: [], unclassified: 0, firstEvent, lastEvent}
  }
  const symbols = [...new Set([...ledger.keys(), ...broker.keys()])].sort()
  const differences: ReconcileLine[] = []
  // Options past expiry still open in the ledger, by underlying: they explain share differences too.
  const expiredOpen = new Map<string, {symbol: string; q: number; lot: Lot}[]>()
  for (const [symbol, v] of ledger) {
    const o = v.lot.option
    if (o && o.expiry < today && Math.abs(v.q) > EPS && Math.abs(broker.get(symbol)?.quantity ?? 0) < EPS) {
      expiredOpen.set(v.lot.underlying, [...(expiredOpen.get(v.lot.underlying) ?? []), {symbol, q: v.q, lot: v.lot}])
    }
  }
  for (const symbol of symbols) {
    const l = ledger.get(symbol)?.q ?? 0
    const b = broker.get(symbol)?.quantity ?? 0
    if (Math.abs(l - b) <= EPS) continue
    const underlying = ledger.get(symbol)?.lot.underlying ?? broker.get(symbol)?.underlying ?? symbol
    const lot = ledger.get(symbol)?.lot
    const of = mine.filter((e) => e.symbol === symbol || e.newSymbol === symbol)
    let cause: string
    if (lot?.option && lot.option.expiry < today && Math.abs(b) < EPS) {
      cause = `expired ${lot.option.expiry}: its expiry, assignment or exercise is not yet in the transactions`
    } else if (!lot?.option && expiredOpen.has(underlying) && sharesExplained(b - l, expiredOpen.get(underlying)!)) {
      cause = `an assignment or exercise of ${expiredOpen.get(underlying)!.map((x) => x.symbol).join(', ')} not yet in the transactions`
    } else if (Math.abs(l) > EPS && Math.abs(b) > EPS && Math.sign(l) === Math.sign(b) && RATIOS.some((r) => Math.abs(b / l - r) < 1e-6)) {
      cause = `broker/ledger = ${fraction(b / l)}: a ${b / l > 1 ? 'split' : 'reverse split'} not in the transactions`
    } else if (of.some((e) => e.kind === 'transfer')) {
      cause = 'a transfer: check the transfer rows of this instrument'
    } else if (of.length === 0) {
      cause = `no transaction of ${symbol} in the ledger: an export period missing${firstEvent ? ` before ${firstEvent}` : ''}, or a transfer in`
    } else {
      cause = `an export period missing (the ledger covers ${firstEvent} to ${lastEvent}), or a transaction the parser could not classify`
    }
    differences.push({symbol, underlying, ledger: round(l), broker: round(b), difference: round(b - l), cause})
  }
  return {portfolio, status: differences.length > 0 ? 'differs' : 'reconciles', instruments: symbols.length, differences, unclassified, firstEvent, lastEvent}
}

/** A share difference that the deliverables of expired-but-open options could account for. */
function sharesExplained(diff: number, options: {q: number; lot: Lot}[]): boolean {
  let possible = 0
  for (const o of options) possible += Math.abs(o.q) * (o.lot.deliverable ?? o.lot.multiplier)
  return Math.abs(diff) > EPS && Math.abs(diff) <= possible + EPS
}

function fraction(x: number): string {
  for (const d of [1, 2, 3, 4, 5, 10, 20]) {
    const n = x * d
    if (Math.abs(n - Math.round(n)) < 1e-6) return d === 1 ? `${Math.round(n)}` : `${Math.round(n)}/${d}`
  }
  return x.toFixed(4)
}

const round = (v: number) => Math.round(v * 1e8) / 1e8
