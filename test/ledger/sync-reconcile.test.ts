/*
 * sync warns in one line when a portfolio *stops* reconciling (it reconciled at the previous sync and
 * does not now), not on every sync while it stays unreconciled: then only a one-line dim reminder. The
 * status is stored per portfolio (reconcile_status) when it changes.
 */
import {mkdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import type {BrokerAdapter, FetchedPortfolio, MarketDataProvider} from '../../src/core/adapters/broker.js'
import {renderSync} from '../../src/core/cli/render/sync.js'
import {parseConfig} from '../../src/core/config/config.js'
import {syncService} from '../../src/core/services/sync.js'
import {readDb} from '../../src/core/store/database.js'
import {loadReconcileStatus} from '../../src/core/store/reconcile.js'
import {tempDir} from '../cli/helpers.js'
import {pos} from '../domain/builders.js'

const HEADER = 'date,kind,symbol,quantity,price,commission,fees,amount,id,order_id,ratio,new_symbol,realized,description'

function broker(positions: FetchedPortfolio['positions']): BrokerAdapter & MarketDataProvider {
  return {
    name: 'fake',
    unavailable: () => null,
    fetch: async (p) => ({positions: positions.map((q) => ({...q, portfolio: p.name})), balances: {equity: 1000, cash: 100, buyingPower: null, maintenanceRequirement: null}, skipped: [], warnings: []}),
    snapshot: async () => ({quotes: new Map(), greeks: new Map()}),
    close: async () => {},
  }
}

describe('sync: the ledger stops reconciling', () => {
  it('warns once on reconciles → differs, reminds in one dim line while it stays so, says when it reconciles again', async () => {
    const dir = tempDir('cotrader-sync-rec-')
    const config = parseConfig(`portfolios:\n  - {name: w, broker: manual, account: W1, source: {file: w.csv, format: generic, transactions: {file: tx/*.csv, format: generic}}}\n`, path.join(dir, 'risk_config.yaml'))
    const db = path.join(dir, 'db.sqlite')
    mkdirSync(path.join(dir, 'tx'))
    writeFileSync(path.join(dir, 'tx/2026-11.csv'), [HEADER, '2026-11-02 10:00:00,trade,MSFT,10,400,,,,,,,,,', '2026-11-03 10:00:00,trade,MSFT,5,410,,,,,,,,,'].join('\n') + '\n')
    const sync = (shares: number, at: string) =>
      syncService({config, dbPath: db, skipInvalid: false, asOf: new Date(at), env: {}}, {file: async () => broker([pos(`${shares} MSFT @ 403.33 mark 420`)]), tastytrade: async () => broker([])})
    const ledgerLines = (r: Awaited<ReturnType<typeof sync>>) => renderSync(r).split('\n').filter((l) => /ledger/.test(l))

    const first = await sync(15, '2026-11-24T15:00:00Z')
    expect(first.portfolios[0].warnings).toEqual([])
    expect(first.portfolios[0].reconcile).toEqual({status: 'reconciles', since: '2026-11-24T15:00:00.000Z', differences: 0, changed: true, previous: null})
    expect(ledgerLines(first)).toEqual([])

    // reconciled at the previous sync, not now: one warning line
    const stops = await sync(20, '2026-11-25T15:00:00Z')
    expect(stops.portfolios[0].warnings).toHaveLength(1)
    expect(stops.portfolios[0].warnings[0]).toMatch(/^the ledger does not reconcile with the positions any more: 1 difference\(s\), e\.g\. MSFT ledger 15 vs broker 20/)
    expect(stops.portfolios[0].reconcile).toMatchObject({status: 'differs', changed: true, previous: 'reconciles', since: '2026-11-25T15:00:00.000Z'})
    expect(ledgerLines(stops)).toHaveLength(1)

    // still differing: no warning, one reminder line naming since when
    const still = await sync(20, '2026-11-26T15:00:00Z')
    expect(still.portfolios[0].warnings).toEqual([])
    expect(still.portfolios[0].reconcile).toMatchObject({status: 'differs', changed: false, since: '2026-11-25T15:00:00.000Z', differences: 1})
    expect(ledgerLines(still)).toEqual([expect.stringMatching(/w: ledger still differs from the positions \(since 2026-11-25, 1 difference\(s\)\); cotrader reconcile/)])
    expect(await readDb(db, (d) => loadReconcileStatus(d).get('w'))).toEqual({portfolio: 'w', status: 'differs', since: '2026-11-25T15:00:00.000Z', checkedAt: '2026-11-25T15:00:00.000Z', differences: 1})

    // back to the ledger's 15: reconciles again, said once
    const back = await sync(15, '2026-11-27T15:00:00Z')
    expect(back.portfolios[0].warnings).toEqual([])
    expect(back.portfolios[0].reconcile).toMatchObject({status: 'reconciles', changed: true, previous: 'differs'})
    expect(ledgerLines(back)).toEqual([expect.stringMatching(/w: ledger reconciles with the positions again/)])
    expect(await readDb(db, (d) => loadReconcileStatus(d).get('w')?.status)).toBe('reconciles')
    const quiet = await sync(15, '2026-11-28T15:00:00Z')
    expect(ledgerLines(quiet)).toEqual([])
  }, 60_000)

  it('a portfolio never checked before that does not reconcile: warned once (no "any more")', async () => {
    const dir = tempDir('cotrader-sync-rec-')
    const config = parseConfig(`portfolios:\n  - {name: w, broker: manual, account: W1, source: {file: w.csv, format: generic, transactions: {file: tx.csv, format: generic}}}\n`, path.join(dir, 'risk_config.yaml'))
    const db = path.join(dir, 'db.sqlite')
    writeFileSync(path.join(dir, 'tx.csv'), [HEADER, '2026-11-02 10:00:00,trade,MSFT,10,400,,,,,,,,,'].join('\n') + '\n')
    const sync = (at: string) => syncService({config, dbPath: db, skipInvalid: false, asOf: new Date(at), env: {}}, {file: async () => broker([pos('12 MSFT @ 400 mark 420')]), tastytrade: async () => broker([])})
    const a = await sync('2026-11-24T15:00:00Z')
    expect(a.portfolios[0].warnings).toEqual([expect.stringMatching(/^the ledger does not reconcile with the positions: /)])
    const b = await sync('2026-11-25T15:00:00Z')
    expect(b.portfolios[0].warnings).toEqual([])
    expect(b.portfolios[0].reconcile?.changed).toBe(false)
  }, 60_000)
})
