/*
 * Rolls and roll chains (pure). A roll is a closing leg and an opening leg on one underlying's options
 * in one order (the broker's order id), or, where the broker gives no order id, option trades of one
 * account and underlying within ROLL_WINDOW_MINUTES of each other. A chain is everything linked by
 * rolls and by lots: the legs a roll closes belong to the chain of the legs that opened them, so the
 * first short put, each roll and the final expiry or buy-back form one chain.
 *
 *  - credit: the cash the chain's option trades brought in, + credit / − debit, fees deducted
 *    (money in the chain's currency): −Σ quantity × price × multiplier − fees;
 *  - realised: Σ realised P&L of the option lots the chain closed (lots.ts);
 *  - P&L since start = credit + the value of the legs still open (Σ mark × quantity × multiplier);
 *    null when a mark is unknown. For a closed chain it equals the credit.
 */
import type {LedgerEvent} from './events.js'
import {totalFees} from './events.js'
import type {EventEffect, Lot} from './lots.js'

export const ROLL_WINDOW_MINUTES = 5

export interface Roll {
  /** the events of the roll: closing and opening legs */
  events: number[]
  at: string
  underlying: string
  orderId: string | null
}

export interface Chain {
  id: string
  portfolio: string
  underlying: string
  currency: string
  /** every event of the chain, in time order */
  events: number[]
  rolls: Roll[]
  startedAt: string
  lastAt: string
  status: 'open' | 'closed'
  /** money, + credit: cash from the chain's option trades, fees deducted */
  credit: number
  /** realised P&L of the lots the chain closed so far */
  realized: number | null
  /** Σ mark × quantity × multiplier of the chain's open legs; null = a mark unknown; 0 when closed */
  openValue: number | null
  /** credit + openValue */
  pnlSinceStart: number | null
  /** symbols of the legs still open */
  openSymbols: string[]
}

const isOptionTrade = (e: LedgerEvent) => e.kind === 'trade' && (e.instrumentType === 'equity_option' || e.instrumentType === 'future_option') && e.underlying !== null

/** Rolls among the events, given what each event did to the lots. */
export function detectRolls(events: readonly LedgerEvent[], effects: ReadonlyMap<number, EventEffect>): Roll[] {
  const groups: LedgerEvent[][] = []
  const byOrder = new Map<string, LedgerEvent[]>()
  const loose = new Map<string, LedgerEvent[]>()
  const sorted = [...events].filter(isOptionTrade).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id - b.id))
  for (const e of sorted) {
    if (e.orderId !== null) {
      const k = `${e.portfolio}\u0000${e.orderId}\u0000${e.underlying}`
      if (!byOrder.has(k)) groups.push(byOrder.set(k, []).get(k)!)
      byOrder.get(k)!.push(e)
      continue
    }
    if (!e.timeKnown) continue // date-only rows cannot tell a roll from two trades of one day
    const k = `${e.portfolio}\u0000${e.account ?? ''}\u0000${e.underlying}`
    const g = loose.get(k)
    if (g && Date.parse(e.at) - Date.parse(g[0].at) <= ROLL_WINDOW_MINUTES * 60_000) g.push(e)
    else {
      const n = [e]
      loose.set(k, n)
      groups.push(n)
    }
  }
  const rolls: Roll[] = []
  for (const g of groups) {
    const closes = g.some((e) => (effects.get(e.id)?.closed ?? 0) !== 0)
    const opens = g.some((e) => (effects.get(e.id)?.opened ?? 0) !== 0)
    if (closes && opens) rolls.push({events: g.map((e) => e.id), at: g[0].at, underlying: g[0].underlying!, orderId: g[0].orderId})
  }
  return rolls
}

/** Chains: connected option events holding at least one roll. `marks` gives a mark per unit by portfolio and symbol. */
export function buildChains(
  events: readonly LedgerEvent[],
  effects: ReadonlyMap<number, EventEffect>,
  openLots: readonly Lot[],
  marks: (portfolio: string, symbol: string) => number | null,
): Chain[] {
  const rolls = detectRolls(events, effects)
  if (rolls.length === 0) return []
  const parent = new Map<number, number>()
  const find = (x: number): number => {
    let r = x
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!
    parent.set(x, r)
    return r
  }
  const union = (a: number, b: number) => {
    const ra = find(a)
    const rb = find(b)
    if (ra !== rb) parent.set(Math.max(ra, rb), Math.min(ra, rb))
  }
  const byId = new Map(events.map((e) => [e.id, e]))
  const isOpt = (e: LedgerEvent | undefined) => e !== undefined && (e.instrumentType === 'equity_option' || e.instrumentType === 'future_option')
  for (const [id, eff] of effects) {
    if (!isOpt(byId.get(id))) continue
    for (const from of eff.closedFrom) if (from !== null) union(id, from)
  }
  for (const r of rolls) for (const id of r.events.slice(1)) union(r.events[0], id)
  const rollRoots = new Map<number, Roll[]>()
  for (const r of rolls) {
    const root = find(r.events[0])
    rollRoots.set(root, [...(rollRoots.get(root) ?? []), r])
  }
  const members = new Map<number, LedgerEvent[]>()
  for (const e of events) {
    if (!isOpt(e) || !parent.has(e.id)) continue
    const root = find(e.id)
    if (rollRoots.has(root)) members.set(root, [...(members.get(root) ?? []), e])
  }
  const chains: Chain[] = []
  for (const [root, evs] of members) {
    evs.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id - b.id))
    const ids = new Set(evs.map((e) => e.id))
    let credit = 0
    let realized: number | null = 0
    for (const e of evs) {
      if (e.kind === 'trade' && e.quantity !== null && e.price !== null) credit += -e.quantity * e.price * (e.multiplier ?? 1) - totalFees(e.fees)
      else credit -= totalFees(e.fees)
      const r = effects.get(e.id)?.realized
      if (r === null) realized = null
      else if (realized !== null && r !== undefined) realized += r
    }
    const open = openLots.filter((l) => l.openEventId !== null && ids.has(l.openEventId))
    let openValue: number | null = 0
    for (const l of open) {
      const m = marks(l.portfolio, l.symbol)
      openValue = m === null || openValue === null ? null : openValue + m * l.quantity * l.multiplier
    }
    const r2 = (v: number) => Math.round(v * 1e8) / 1e8
    chains.push({
      id: `R${root}`,
      portfolio: evs[0].portfolio,
      underlying: evs[0].underlying!,
      currency: evs[0].currency,
      events: evs.map((e) => e.id),
      rolls: rollRoots.get(root)!,
      startedAt: evs[0].at,
      lastAt: evs[evs.length - 1].at,
      status: open.length > 0 ? 'open' : 'closed',
      credit: r2(credit),
      realized: realized === null ? null : r2(realized),
      openValue: openValue === null ? null : r2(openValue),
      pnlSinceStart: openValue === null ? null : r2(credit + openValue),
      openSymbols: [...new Set(open.map((l) => l.symbol))],
    })
  }
  return chains.sort((a, b) => (a.startedAt < b.startedAt ? -1 : 1))
}
