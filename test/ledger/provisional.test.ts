/*
 * The broker's records rule over the daemon's guesses (issue 16 item 4). A short UBER 100 put expires
 * on Friday 4 December 2026 with UBER at 95: the daemon settles it provisionally (assignment, +100
 * UBER at the 100 strike); the broker's transactions and positions then confirm or replace it.
 * Whichever arrives first, the book ends with exactly the broker's 100 shares.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {settleAtExpiry, type ExpirySettlement} from '../../src/core/domain/expiry-settlement.js'
import {NO_FEES, type EventDraft} from '../../src/core/domain/ledger/events.js'
import {countedEvents, matchProvisional, netQuantity} from '../../src/core/domain/ledger/provisional.js'
import type {Position} from '../../src/core/domain/types.js'
import {pendingSettlementRows, recordProvisionalSettlement, settleProvisional} from '../../src/core/services/ledger-provisional.js'
import {loadConfig} from '../../src/core/config/config.js'
import {loadCountedBook} from '../../src/core/services/book.js'
import {positionsService} from '../../src/core/services/positions.js'
import {readDb, writeDb, type Db} from '../../src/core/store/database.js'
import {appendEvents, loadEvents, loadLinks} from '../../src/core/store/ledger.js'
import * as repo from '../../src/core/store/repositories.js'

let dir: string
let file: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cotrader-prov-'))
  file = join(dir, 'db.sqlite')
})
afterEach(() => rmSync(dir, {recursive: true, force: true}))

const PUT: Position = {
  portfolio: 'tt', symbol: 'UBER 2026-12-04 100P', brokerSymbol: 'UBER  261204P00100000', instrumentType: 'equity_option', underlying: 'UBER', quantity: -1, multiplier: 100,
  entryPrice: 2, markPrice: 5, currency: 'USD', option: {expiry: '2026-12-04', strike: 100, right: 'put', style: 'american'}, underlyingPrice: 95, underlyingPriceSource: 'quote' as never,
  iv: 0.4, greeks: null, greeksSource: 'none',
}
const SHARES: Position = {...PUT, symbol: 'UBER', brokerSymbol: 'UBER', instrumentType: 'equity', quantity: 100, multiplier: 1, entryPrice: 100, markPrice: 102, option: undefined, underlyingPrice: 102}

/** Friday's close, as the daemon observed it at 15:59 New York. */
function settlement(): ExpirySettlement {
  const s = settleAtExpiry(PUT, '2026-12-04', {lastAt: '2026-12-04T20:59:00.000Z'})
  if (s?.status !== 'settled') throw new Error('expected a settlement')
  return s
}

/** The broker's records of the assignment, as a transactions import stores them. */
function brokerEvents(kind: 'assignment' | 'expiration' = 'assignment'): EventDraft[] {
  const base = {
    portfolio: 'tt', account: '5WT0001', source: 'broker_api' as const, sourceRef: 'GET /accounts/5WT0001/transactions', provisional: false, at: '2026-12-05T10:00:00.000Z', timeKnown: true,
    tradeDate: '2026-12-04', currency: 'USD', fees: NO_FEES, orderId: null, brokerRealizedPnl: null, positionEffect: 'close' as const,
  }
  const out: EventDraft[] = [
    {...base, brokerId: '9001', key: 'id:9001', kind, symbol: PUT.symbol, brokerSymbol: PUT.brokerSymbol, instrumentType: 'equity_option', underlying: 'UBER', option: PUT.option,
      quantity: 1, price: 0, multiplier: 100, amount: 0, description: kind === 'assignment' ? 'Removal of option due to assignment' : 'Removal of UBER 12/04/26 Put 100.00 due to expiration.'},
  ]
  if (kind === 'assignment')
    out.push({...base, brokerId: '9002', key: 'id:9002', kind: 'trade', symbol: 'UBER', brokerSymbol: 'UBER', instrumentType: 'equity', underlying: 'UBER', quantity: 100, price: 100,
      multiplier: 1, amount: -10000, positionEffect: 'open', description: 'Buy to Open 100 UBER @ 100.00'})
  return out
}

async function setup(): Promise<void> {
  await writeDb(file, (db) => {
    repo.upsertPortfolio(db, {name: 'tt', broker: 'tastytrade', account: '5WT0001', currency: 'USD', kind: 'real'} as never, '2026-12-04T20:59:00.000Z')
    repo.replacePositions(db, 'tt', [PUT], '2026-12-04T20:59:00.000Z')
    syncedAt(db, '2026-12-04T20:59:00.000Z')
  })
}

function syncedAt(db: Db, at: string): void {
  db.run("UPDATE portfolios SET last_sync_at = :at, last_sync_status = 'ok' WHERE name = 'tt'", {at})
}

/** The broker's next positions: the put gone, 100 UBER held. */
function brokerPositions(db: Db, at: string): void {
  repo.replacePositions(db, 'tt', [SHARES], at)
  syncedAt(db, at)
}

async function state(): Promise<{shares: number; links: string[]; pending: string[]}> {
  return readDb(file, (db) => {
    const events = loadEvents(db, {portfolio: 'tt'})
    const links = loadLinks(db)
    const byId = new Map(events.map((e) => [e.id, e]))
    return {
      shares: netQuantity(events, links, 'UBER'),
      links: links.map((l) => `${byId.get(l.from)!.source}:${byId.get(l.from)!.symbol} ${l.kind} ${byId.get(l.to)!.source}:${byId.get(l.to)!.symbol}`).sort(),
      pending: pendingSettlementRows(db).map((r) => `${r.symbol} ${r.quantity}${r.confirmedByBroker ? ' confirmed' : ''}`),
    }
  })
}

describe('the daemon settles an assigned put provisionally; the broker rules', () => {
  it('the settlement: assigned at the close of 95, 100 shares at the 100 strike, realised (0 − 2) × −1 × 100 = +200 on the option', () => {
    const s = settlement()
    expect(s).toMatchObject({outcome: 'assigned', underlyingPrice: 95, intrinsic: 5, stockQuantity: 100, priceSource: 'close'})
    expect(s.realizedPnl).toBe(200) // (0 − 2) × −1 × 100: the premium kept; the 5 given up is in the shares bought at 100 (as the ledger's lots count it)
  })

  it('provisional first, then the broker’s transactions, then its positions: 100 shares throughout, pending until the positions', async () => {
    await setup()
    await writeDb(file, (db) => {
      recordProvisionalSettlement(db, PUT, settlement(), '2026-12-04T21:00:00.000Z', '5WT0001')
      db.run("DELETE FROM positions WHERE portfolio = 'tt' AND symbol = :s", {s: PUT.symbol}) // the daemon drops the settled option
    })
    expect(await state()).toEqual({shares: 100, links: [], pending: ['UBER 2026-12-04 100P 0', 'UBER 100']})
    // The broker's transactions arrive (an import; its caller runs settleProvisional in the same write).
    await writeDb(file, (db) => {
      appendEvents(db, brokerEvents(), '2026-12-05T10:00:00.000Z')
      settleProvisional(db, 'tt', '2026-12-05T10:00:00.000Z')
    })
    expect(await state()).toEqual({
      shares: 100,
      links: ['daemon:UBER 2026-12-04 100P confirms broker_api:UBER 2026-12-04 100P', 'daemon:UBER confirms broker_api:UBER'],
      pending: ['UBER 2026-12-04 100P 0 confirmed', 'UBER 100 confirmed'],
    })
    // Its positions: the shares are in the book now; nothing is pending.
    await writeDb(file, (db) => {
      brokerPositions(db, '2026-12-07T14:00:00.000Z')
      settleProvisional(db, 'tt', '2026-12-07T14:00:00.000Z', {positionsSynced: true})
    })
    const s = await state()
    expect(s.shares).toBe(100)
    expect(s.pending).toEqual([])
    // Applying it again changes nothing.
    await writeDb(file, (db) => settleProvisional(db, 'tt', '2026-12-07T15:00:00.000Z'))
    expect(await state()).toEqual(s)
  })

  it('the broker’s transactions first, then the daemon’s end of day: linked at once, 100 shares, never 200', async () => {
    await setup()
    await writeDb(file, (db) => {
      appendEvents(db, brokerEvents(), '2026-12-04T22:00:00.000Z')
      settleProvisional(db, 'tt', '2026-12-04T22:00:00.000Z')
    })
    expect((await state()).shares).toBe(100)
    await writeDb(file, (db) => recordProvisionalSettlement(db, PUT, settlement(), '2026-12-04T21:00:00.000Z', '5WT0001'))
    const s = await state()
    expect(s.shares).toBe(100)
    expect(s.links).toHaveLength(2)
  })

  it('the broker’s positions first (no transactions yet): the provisional events count once, nothing pending in the views', async () => {
    await setup()
    await writeDb(file, (db) => recordProvisionalSettlement(db, PUT, settlement(), '2026-12-04T21:00:00.000Z', '5WT0001'))
    await writeDb(file, (db) => {
      brokerPositions(db, '2026-12-07T14:00:00.000Z')
      settleProvisional(db, 'tt', '2026-12-07T14:00:00.000Z', {positionsSynced: true})
    })
    const s = await state()
    // The ledger counts the provisional shares until the broker's transaction; the positions hold the broker's 100: one each, no double count.
    expect(s).toEqual({shares: 100, links: [], pending: []})
    const positions = await readDb(file, (db) => repo.loadPositions(db).filter((p) => p.symbol === 'UBER'))
    expect(positions.map((p) => p.quantity)).toEqual([100])
  })

  it('the broker says it expired after all: the provisional assignment and its shares are replaced; 0 shares', async () => {
    await setup()
    await writeDb(file, (db) => recordProvisionalSettlement(db, PUT, settlement(), '2026-12-04T21:00:00.000Z', '5WT0001'))
    await writeDb(file, (db) => {
      appendEvents(db, brokerEvents('expiration'), '2026-12-05T10:00:00.000Z')
      settleProvisional(db, 'tt', '2026-12-05T10:00:00.000Z')
    })
    const s = await state()
    expect(s.shares).toBe(0)
    expect(s.links).toEqual(['daemon:UBER 2026-12-04 100P replaces broker_api:UBER 2026-12-04 100P', 'daemon:UBER replaces broker_api:UBER 2026-12-04 100P'])
    expect(s.pending).toEqual(['UBER 2026-12-04 100P 0 confirmed'])
  })

  it('the pure matcher: a broker event is used once, and positions synced before the daemon recorded do not settle it', () => {
    const ev = (id: number, over: Partial<ReturnType<typeof base>>) => ({...base(id), ...over})
    function base(id: number) {
      return {
        id, portfolio: 'tt', account: null, source: 'daemon' as const, sourceRef: null, brokerId: null, key: `k${id}`, kind: 'assignment' as const, provisional: true, at: '2026-12-04T21:00:00.000Z',
        timeKnown: true, tradeDate: '2026-12-04', symbol: PUT.symbol, brokerSymbol: null, instrumentType: 'equity_option' as const, underlying: 'UBER', option: PUT.option, quantity: 1, price: 0,
        multiplier: 100, currency: 'USD', amount: null, fees: NO_FEES, orderId: 'daemon:tt:x', positionEffect: 'close' as const, description: '', brokerRealizedPnl: null, recordedAt: '2026-12-04T21:15:00.000Z',
      }
    }
    const events = [ev(1, {}), ev(2, {orderId: 'daemon:tt:y'}), ev(3, {source: 'broker_api' as never, provisional: false, orderId: null as never})]
    const r = matchProvisional(events, [], {syncedAt: '2026-12-04T21:10:00.000Z', symbols: new Set()})
    expect(r.links).toEqual([{from: 1, to: 3, kind: 'confirms'}])
    expect(r.pending.map((g) => g.option.id)).toEqual([1, 2]) // synced 21:10, before the daemon recorded at 21:15
    expect(countedEvents(events as never, r.links.map((l) => ({...l, at: ''}))).map((e) => e.id)).toEqual([2, 3])
  })

  it('every view counts the same 100 shares: the provisional delivery before the broker’s positions, the broker’s shares after, never both', async () => {
    writeFileSync(join(dir, 'risk_config.yaml'), 'base_currency: USD\nportfolios:\n  - {name: tt, broker: tastytrade, account: 5WT0001, currency: USD, kind: real}\n')
    const config = loadConfig(join(dir, 'risk_config.yaml'))
    await setup()
    await writeDb(file, (db) => {
      recordProvisionalSettlement(db, PUT, settlement(), '2026-12-04T21:00:00.000Z', '5WT0001')
      db.run("DELETE FROM positions WHERE portfolio = 'tt' AND symbol = :s", {s: PUT.symbol})
    })
    const shares = async (at: string) => {
      const book = await loadCountedBook(config, file, undefined, {asOf: new Date(at)})
      const counted = book.counted.portfolios[0].bundle.positions.filter((p) => p.symbol === 'UBER')
      const rows = (await positionsService({config, dbPath: file, asOf: new Date(at)})).positions.filter((r) => r.symbol === 'UBER')
      return {counted: counted.map((p) => [p.quantity, p.entryPrice, p.pendingSettlement !== undefined]), rows: rows.map((r) => [r.quantity, r.pendingSettlement !== null])}
    }
    // Before the broker says anything: the delivery counts, marked pending, at the strike.
    expect(await shares('2026-12-05T12:00:00.000Z')).toEqual({counted: [[100, 100, true]], rows: [[100, true]]})
    // The broker's positions: its 100 shares, nothing pending.
    await writeDb(file, (db) => {
      brokerPositions(db, '2026-12-07T14:00:00.000Z')
      settleProvisional(db, 'tt', '2026-12-07T14:00:00.000Z', {positionsSynced: true})
    })
    expect(await shares('2026-12-07T15:00:00.000Z')).toEqual({counted: [[100, 100, false]], rows: [[100, false]]})
  })
})
