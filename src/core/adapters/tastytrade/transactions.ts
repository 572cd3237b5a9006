/*
 * tastytrade's own records of an account: `GET /accounts/{n}/transactions` (doc broker-transactions
 * §1), every page, oldest first, from a start date. Items arrive with money as unsigned decimal
 * strings and the sign in `*-effect` (Debit = money out), quantities unsigned with the direction in
 * the action (absent on option removals), padded OCC / futures-option symbols. Each becomes one
 * ledger event keyed by the transaction id, so overlapping pulls add nothing.
 *
 * All pages or nothing: any failed page fails the whole pull (sync stores nothing of that run).
 */
import type {PortfolioConfig} from '../../config/config.js'
import type {EventDraft, EventKind, Fees} from '../../domain/ledger/events.js'
import {withContentKeys} from '../../domain/ledger/events.js'
import {SymbolError} from '../../domain/symbols.js'
import type {FetchContext} from '../broker.js'
import {blank, clean, instrumentFields, instrumentOf, localDate, markDeliveries, type Draft, type Instrument} from '../transactions/common.js'
import {TastytradeApiError, type TastytradeApi} from './http.js'
import {num, type Json} from './mapping.js'

/** Items per page: the API's default is 250 and its maximum 2000 (a larger value is refused, tastyware#312). */
export const TRANSACTIONS_PER_PAGE = 1000
/** A reply that keeps announcing more pages than this is not believed (a loop guard, ~1M transactions). */
const MAX_PAGES = 1000

/**
 * Every transaction of `account` from trade date `since` (YYYY-MM-DD, inclusive; null = all),
 * in ascending order, as ledger events with keys `id:<transaction id>`.
 */
export async function fetchTastytradeTransactions(api: TastytradeApi, portfolio: PortfolioConfig, account: string, since: string | null, ctx: FetchContext): Promise<EventDraft[]> {
  const path = `/accounts/${account}/transactions`
  const items: Json[] = []
  for (let page = 0; ; page++) {
    const label = `GET ${path} (page ${page + 1})`
    ctx.onProgress?.(`tastytrade ${portfolio.name}: transactions page ${page + 1}`)
    const query: Record<string, string | number> = {'per-page': TRANSACTIONS_PER_PAGE, 'page-offset': page, sort: 'Asc'}
    if (since) query['start-date'] = since
    const response = await api.request(label, (c) => c.httpClient.getData(path, {}, query))
    const {items: pageItems, totalPages} = readPage(label, response)
    items.push(...pageItems)
    if (page + 1 >= totalPages) break
    if (page + 1 >= MAX_PAGES) throw new TastytradeApiError(`${label} failed: the reply announces ${totalPages} pages; more than ${MAX_PAGES} is not believed`)
  }
  const mapped = mapTastytradeTransactions(items, portfolio, `GET ${path}`)
  return withContentKeys(mapped)
}

/** One page's items and the total page count (1 when the reply has no pagination block). */
function readPage(label: string, response: unknown): {items: Json[]; totalPages: number} {
  const body = (response as {data?: unknown} | null)?.data
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new TastytradeApiError(`${label} failed: ${typeof body === 'string' && body.trim() !== '' ? 'the response body is not valid JSON' : 'the response has no {"data": …} envelope'}`)
  const data = (body as {data?: unknown}).data
  const list = (data as {items?: unknown} | null | undefined)?.items
  if (!Array.isArray(list)) throw new TastytradeApiError(`${label} failed: expected a list in data.items`)
  const pagination = (body as {pagination?: unknown}).pagination
  if (pagination === undefined || pagination === null) return {items: list.filter(isObject), totalPages: 1}
  const total = num((pagination as Json)['total-pages'])
  if (total === null || total < 0 || !Number.isInteger(total)) throw new TastytradeApiError(`${label} failed: pagination.total-pages ${JSON.stringify((pagination as Json)['total-pages'])} is not a page count`)
  return {items: list.filter(isObject), totalPages: Math.max(total, 1)}
}

function isObject(v: unknown): v is Json {
  return !!v && typeof v === 'object' && !Array.isArray(v)
}

/** Receive Deliver sub-types → kinds (also read by the web CSV parser when its export has a Sub Type column). */
export const RECEIVE_DELIVER: Record<string, EventKind> = {
  Expiration: 'expiration',
  Assignment: 'assignment',
  Exercise: 'exercise',
  'Cash Settled Assignment': 'cash_settlement',
  'Cash Settled Exercise': 'cash_settlement',
  'Forward Split': 'split',
  'Reverse Split': 'reverse_split',
  'Symbol Change': 'symbol_change',
  'Special Dividend': 'dividend',
  // A DRIP share receipt: shares bought with the dividend at a stated price (a lot opens).
  Dividend: 'trade',
  'Futures Settlement': 'cash_settlement',
  Transfer: 'transfer',
  ACAT: 'transfer',
}

/** Money Movement sub-types → kinds. */
export const MONEY_MOVEMENT: Record<string, EventKind> = {
  Deposit: 'transfer',
  Withdrawal: 'transfer',
  Transfer: 'transfer',
  'Credit Interest': 'interest',
  'Debit Interest': 'interest',
  'Balance Adjustment': 'fee',
  Fee: 'fee',
  // Credit = paid; Debit = tax withheld on it (same sub-type).
  Dividend: 'dividend',
}

export const TRADE_ACTIONS: ReadonlySet<string> = new Set(['Buy to Open', 'Sell to Open', 'Buy to Close', 'Sell to Close', 'Buy', 'Sell'])

/** A money field signed by its effect: Debit → −, Credit → +, None → 0; null when absent. */
function signed(item: Json, field: string, id: string): number | null {
  const raw = item[field]
  if (raw === undefined || raw === null || raw === '') return null
  const value = num(raw)
  if (value === null) throw new TastytradeApiError(`transaction ${id}: ${field} ${JSON.stringify(raw)} is not a number`)
  const effect = item[`${field}-effect`]
  if (effect === 'Debit') return -Math.abs(value)
  if (effect === 'Credit') return Math.abs(value)
  if (effect === 'None' || effect === undefined || effect === null) return value === 0 || effect === 'None' ? 0 : value
  throw new TastytradeApiError(`transaction ${id}: ${field}-effect ${JSON.stringify(effect)} is neither Credit, Debit nor None`)
}

/** A fee as a cost (≥ 0 is paid, negative is a rebate), from its signed cash effect. */
function fee(item: Json, field: string, id: string): number | null {
  const v = signed(item, field, id)
  return v === null ? null : clean(-v)
}

/**
 * Transaction items → ledger drafts (no keys). Pure: the REST pull and the fake server's tests
 * both come through here. Unknown type/sub-type pairs and symbols cotrader cannot read become
 * `unclassified` events with their text (never dropped); a missing id or time is an error.
 */
export function mapTastytradeTransactions(items: Json[], portfolio: PortfolioConfig, sourceRef: string): Draft[] {
  const deliveries = new Set<Draft>()
  const events = items.map((item) => mapItem(item, portfolio, sourceRef, deliveries))
  pairCorporateActions(events)
  markDeliveries(events, (e) => deliveries.has(e), (a, b) => a.at === b.at)
  return events
}

function mapItem(item: Json, portfolio: PortfolioConfig, sourceRef: string, deliveries: Set<Draft>): Draft {
  const rawId = item.id
  if ((typeof rawId !== 'number' && typeof rawId !== 'string') || String(rawId).trim() === '') throw new TastytradeApiError(`${sourceRef} returned a transaction without an id: ${JSON.stringify(item).slice(0, 160)}`)
  const id = String(rawId)
  const executed = typeof item['executed-at'] === 'string' ? Date.parse(item['executed-at']) : Number.NaN
  if (!Number.isFinite(executed)) throw new TastytradeApiError(`transaction ${id}: executed-at ${JSON.stringify(item['executed-at'])} is not a time`)
  const at = new Date(executed).toISOString()
  const rawDate = item['transaction-date']
  const tradeDate = typeof rawDate === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(rawDate) ? rawDate : localDate('America/New_York', at)
  const type = String(item['transaction-type'] ?? '')
  const subType = String(item['transaction-sub-type'] ?? '')
  const action = typeof item.action === 'string' ? item.action : ''
  const text = typeof item.description === 'string' ? item.description : ''
  const currency = typeof item.currency === 'string' && /^[A-Z]{3}$/.test(item.currency) ? item.currency : portfolio.currency

  let kind: EventKind =
    type === 'Trade' ? 'trade' : type === 'Receive Deliver' ? RECEIVE_DELIVER[subType] ?? 'unclassified' : type === 'Money Movement' ? MONEY_MOVEMENT[subType] ?? 'unclassified' : 'unclassified'
  // Futures daily settlement moves cash for an open future; it is no trade, fee or interest.
  if (type === 'Money Movement' && subType === 'Mark to Market') kind = 'cash_settlement'
  // The stock leg of an assignment or exercise is a Receive Deliver with a trade sub-type; it is
  // marked as such here and given the removal's kind once all rows are read (markDeliveries).
  const delivery = type === 'Receive Deliver' && TRADE_ACTIONS.has(subType)
  if (delivery) kind = 'trade'

  const brokerSymbol = typeof item.symbol === 'string' && item.symbol.trim() !== '' ? item.symbol : null
  let instrument: Instrument | null = null
  let note = ''
  if (brokerSymbol) {
    try {
      instrument = instrumentOf(brokerSymbol, currency)
    } catch (error) {
      if (!(error instanceof SymbolError)) throw error
      // Kept, not dropped: the user sees it as unclassified with the broker's symbol and why.
      kind = 'unclassified'
      note = ` [symbol not understood: ${error.message}]`
    }
  }

  const size = item.quantity === undefined || item.quantity === null ? null : num(item.quantity)
  if (item.quantity !== undefined && item.quantity !== null && size === null) throw new TastytradeApiError(`transaction ${id}: quantity ${JSON.stringify(item.quantity)} is not a number`)
  let quantity: number | null = null
  if (size !== null && instrument) {
    if (/^Buy/.test(action)) quantity = Math.abs(size)
    else if (/^Sell/.test(action)) quantity = -Math.abs(size)
    // Removals carry no action: an assignment takes away a short, an exercise a long; an expiry
    // may be either, and the lot engine closes what is open.
    else if (subType === 'Assignment' || subType === 'Cash Settled Assignment') quantity = Math.abs(size)
    else if (subType === 'Exercise' || subType === 'Cash Settled Exercise') quantity = -Math.abs(size)
    else quantity = null
  }
  const removal = kind === 'expiration' || kind === 'assignment' || kind === 'exercise' || (kind === 'cash_settlement' && !!instrument?.option)
  const positionEffect = /to Open$/.test(action) ? 'open' : /to Close$/.test(action) ? 'close' : removal ? 'close' : null

  const price = item.price === undefined || item.price === null || item.price === '' ? null : num(item.price)
  if (item.price !== undefined && item.price !== null && item.price !== '' && price === null) throw new TastytradeApiError(`transaction ${id}: price ${JSON.stringify(item.price)} is not a number`)

  const fees: Fees = {
    commission: fee(item, 'commission', id),
    clearing: fee(item, 'clearing-fees', id),
    regulatory: fee(item, 'regulatory-fees', id),
    exchange: fee(item, 'proprietary-index-option-fees', id),
    other: sumFees(fee(item, 'other-charge', id), fee(item, 'currency-conversion-fees', id)),
  }
  const amount = signed(item, 'net-value', id) ?? signed(item, 'value', id)
  const reverses = item['reverses-id'] !== undefined && item['reverses-id'] !== null ? ` (reverses ${String(item['reverses-id'])})` : ''
  const other = typeof item['other-charge-description'] === 'string' && item['other-charge-description'] ? ` (${item['other-charge-description']})` : ''
  const label = kind === 'unclassified' ? `[${type} / ${subType}] ` : ''

  const draft = blank(portfolio, 'broker_api', sourceRef, kind, at, true, tradeDate, currency, `${label}${text}${reverses}${other}${note}`)
  draft.account = typeof item['account-number'] === 'string' ? item['account-number'] : draft.account
  draft.brokerId = id
  Object.assign(draft, instrumentFields(instrument))
  if (!instrument && brokerSymbol) draft.brokerSymbol = brokerSymbol
  draft.quantity = clean(quantity)
  draft.price = price
  draft.amount = clean(amount)
  draft.fees = fees
  draft.orderId = item['order-id'] === undefined || item['order-id'] === null ? null : String(item['order-id'])
  draft.positionEffect = positionEffect
  if (delivery && instrument) deliveries.add(draft)
  return draft
}

function sumFees(a: number | null, b: number | null): number | null {
  return a === null && b === null ? null : clean((a ?? 0) + (b ?? 0))
}

/**
 * Splits and symbol changes come as a close/open pair at one instant (their ids differ by 1). The
 * pair states the ratio (new units per old unit, from the two quantities) and, for a symbol change,
 * the new symbol; both rows carry them. A lone half is left as it is.
 */
function pairCorporateActions(events: Draft[]): void {
  for (const close of events) {
    if ((close.kind !== 'split' && close.kind !== 'reverse_split' && close.kind !== 'symbol_change') || close.positionEffect !== 'close' || close.quantity === null) continue
    const open = events.find(
      (o) => o !== close && o.kind === close.kind && o.positionEffect === 'open' && o.at === close.at && o.account === close.account && o.quantity !== null && (close.kind === 'symbol_change' || o.symbol === close.symbol),
    )
    if (!open || open.quantity === null) continue
    const ratio = {from: Math.abs(close.quantity), to: Math.abs(open.quantity)}
    if (close.kind !== 'symbol_change') {
      close.ratio = ratio
      open.ratio = {...ratio}
    } else if (open.symbol) {
      close.newSymbol = open.symbol
      if (ratio.from !== ratio.to) {
        close.ratio = ratio
        open.ratio = {...ratio}
      }
    }
  }
}
