/*
 * The ledger's vocabulary: one event of one account, as the broker recorded it (its transactions API,
 * an activity export) or as cotrader booked it (a paper or live trade from `approve`, the daemon's
 * provisional settlement of an expiry). Every source is normalised to this shape at its adapter;
 * nothing past an adapter knows which broker an event came from except `source`/`sourceRef`.
 *
 * The ledger is append-only: an event is never edited. A correction is a new event; a provisional
 * event (the daemon's expected settlement) is linked to the broker's event that confirms or replaces
 * it (`LedgerLink`), so nothing is counted twice. Lots and realised P&L are recomputed from the events.
 *
 * Units, once:
 *  - quantity is signed by its effect on the position: + received / bought, − delivered / sold; in
 *    contracts for options and futures, shares/units otherwise;
 *  - price is per unit of the instrument (per share, per option contract unit, per futures point) in
 *    `currency`; multiplier converts one contract's price into money (100 for US equity options);
 *  - amount is the net cash effect on the account in `currency`, signed: + credit, − debit, fees
 *    included; null when the source did not state it;
 *  - fees are money in `currency`, each ≥ 0 (a rebate is negative); null = not stated, never 0.
 */
import type {ExerciseStyle, InstrumentType, OptionContract} from '../types.js'

export type EventKind =
  | 'trade'
  | 'assignment'
  | 'exercise'
  | 'expiration'
  | 'cash_settlement'
  | 'split'
  | 'reverse_split'
  | 'symbol_change'
  | 'dividend'
  | 'fee'
  | 'interest'
  | 'transfer'
  | 'unclassified'

export const EVENT_KINDS: readonly EventKind[] = [
  'trade', 'assignment', 'exercise', 'expiration', 'cash_settlement', 'split', 'reverse_split', 'symbol_change', 'dividend', 'fee', 'interest', 'transfer', 'unclassified',
]

/** Where an event came from: the broker's API, a broker export file, `approve` (paper / live), the daemon (provisional). */
export type EventSource = 'broker_api' | 'file' | 'paper' | 'live' | 'daemon'

/** Fees of one event by kind, money in the event's currency; each null = not stated. */
export interface Fees {
  commission: number | null
  clearing: number | null
  regulatory: number | null
  /** proprietary index option fees (TastyTrade), exchange fees */
  exchange: number | null
  other: number | null
}

export const NO_FEES: Fees = {commission: null, clearing: null, regulatory: null, exchange: null, other: null}

/** Total fees (≥ 0 is a cost), or 0 when none was stated: a fee not stated is a fee not charged as far as P&L goes. */
export function totalFees(f: Fees): number {
  return (f.commission ?? 0) + (f.clearing ?? 0) + (f.regulatory ?? 0) + (f.exchange ?? 0) + (f.other ?? 0)
}

/**
 * One event as an adapter delivers it, before the store gives it an id.
 * `key` is what makes an import idempotent: `id:<brokerId>` when the broker gives an id, else a
 * content key (see `contentKey`).
 */
export interface EventDraft {
  portfolio: string
  /** the broker's account number as written in the source; null when the source has none */
  account: string | null
  source: EventSource
  /** where exactly: `file.csv:12`, `proposal 4`, `GET /accounts/…/transactions`, `daemon eod 2026-12-18` */
  sourceRef: string | null
  /** the broker's transaction id, when it has one */
  brokerId: string | null
  key: string
  kind: EventKind
  /** the daemon's expected settlement, until the broker's records confirm or replace it */
  provisional: boolean
  /** ISO instant of the event (execution time; for date-only sources, that date at 00:00 exchange-local, said in `timeKnown`) */
  at: string
  /** whether `at` carries a time of day from the source (false for date-only exports) */
  timeKnown: boolean
  /** exchange-local trade date YYYY-MM-DD */
  tradeDate: string
  /** internal canonical symbol (domain/symbols.ts); null for cash-only events (fees, interest, transfers of cash) */
  symbol: string | null
  brokerSymbol: string | null
  instrumentType: InstrumentType | null
  underlying: string | null
  option?: OptionContract & {style?: ExerciseStyle}
  /** signed effect on the position (see units); null for cash-only events */
  quantity: number | null
  /** per unit; null when not stated (an expiration has none) */
  price: number | null
  multiplier: number | null
  currency: string
  /** net cash effect, + credit / − debit, fees included; null = not stated */
  amount: number | null
  fees: Fees
  /** the broker's order id: legs of one order share it (roll detection) */
  orderId: string | null
  /** open / close when the source says (TastyTrade actions, IBKR Open/CloseIndicator); null = not stated */
  positionEffect: 'open' | 'close' | null
  /** splits and reverse splits: new units per old unit as a fraction `to/from` (3-for-2: {from: 2, to: 3}) */
  ratio?: {from: number; to: number}
  /** symbol changes: the new internal symbol */
  newSymbol?: string
  /** the source's own text for the event (kept for unclassified events and for the user) */
  description: string
  /** the broker's own realised P&L for this event when it states one (IBKR FifoPnlRealized), in `currency` */
  brokerRealizedPnl: number | null
}

/** A stored event: the draft plus its id (insertion order) and when it was recorded. */
export interface LedgerEvent extends EventDraft {
  id: number
  recordedAt: string
}

/**
 * Links between events, themselves append-only:
 *  - confirms: a broker event (`to`) confirms a provisional one (`from`), which stops counting;
 *  - replaces: a broker event replaces a provisional one with another outcome (assigned, not expired);
 *  - reverses: a correction cancels an earlier event;
 *  - roll: two legs of one roll (closing leg `from`, opening leg `to`).
 */
export type LinkKind = 'confirms' | 'replaces' | 'reverses' | 'roll'

export interface LedgerLink {
  from: number
  to: number
  kind: LinkKind
  at: string
}

/**
 * The content key of an event that has no broker id: account, time, instrument, side, quantity,
 * price, and `occurrence`, the index of this row among identical rows of one source (so two
 * identical fills in one second stay two fills, and the same file imported twice adds nothing).
 */
export function contentKey(e: Pick<EventDraft, 'account' | 'at' | 'kind' | 'symbol' | 'quantity' | 'price' | 'amount'>, occurrence: number): string {
  const n = (v: number | null): string => (v === null ? '' : String(Math.round(v * 1e8) / 1e8))
  return `c:${e.account ?? ''}|${e.at}|${e.kind}|${e.symbol ?? ''}|${n(e.quantity)}|${n(e.price)}|${n(e.amount)}#${occurrence}`
}

/** Gives drafts that share a content key (before the occurrence) their occurrence index, in source order. */
export function withContentKeys<T extends Omit<EventDraft, 'key'> & {key?: string}>(drafts: T[]): (T & {key: string})[] {
  const seen = new Map<string, number>()
  return drafts.map((d) => {
    if (d.brokerId) return {...d, key: `id:${d.brokerId}`}
    const base = contentKey(d, 0)
    const occurrence = seen.get(base) ?? 0
    seen.set(base, occurrence + 1)
    return {...d, key: contentKey(d, occurrence)}
  })
}

/**
 * withContentKeys in place: sets each draft's key on the draft itself, for a caller that owns the
 * array (an import's freshly parsed file), instead of copying 100,000 events. Same keys, same order.
 */
export function assignContentKeys<T extends Omit<EventDraft, 'key'> & {key?: string}>(drafts: T[]): (T & {key: string})[] {
  const seen = new Map<string, number>()
  for (const d of drafts) {
    if (d.brokerId) {
      d.key = `id:${d.brokerId}`
      continue
    }
    const base = contentKey(d, 0)
    const occurrence = seen.get(base) ?? 0
    seen.set(base, occurrence + 1)
    d.key = occurrence === 0 ? base : contentKey(d, occurrence)
  }
  return drafts as (T & {key: string})[]
}
