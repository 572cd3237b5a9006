/*
 * The scan's rules see the book every view counts (services/book.ts): an option past its settlement
 * instant is out of it, so no rule proposes to close it between the close and the end of day that
 * settles it (daysToExpiry is still 0 for the rest of its expiry date).
 */
import {beforeAll, describe, expect, it} from 'vitest'
import {readDb} from '../../src/core/store/database.js'
import * as repo from '../../src/core/store/repositories.js'
import {DAEMON_YAML, demoCopy, simDaemon} from './helpers.js'

// Wednesday 25 Nov 2026: the sim call (UBER 2026-11-25 110C) expires at 16:00 New York; the scan runs at
// 16:30, the end of day only at 17:30 (offset 90 minutes).
const START = new Date('2026-11-25T20:50:00Z')
const END = new Date('2026-11-25T21:45:00Z')

describe('scan after the close of an expiry day', () => {
  const ws = demoCopy({daemon: DAEMON_YAML().replace('cron: "0 11,15 * * 1-5"', 'cron: "30 16 * * 1-5"').replace('offset_minutes: 15', 'offset_minutes: 90')})
  let proposals: repo.Proposal[] = []

  beforeAll(async () => {
    const sim = simDaemon(ws, START)
    await sim.daemon.boot()
    sim.daemon.start()
    await sim.clock.runUntil(END)
    proposals = await readDb(ws.dbPath, (db) => repo.loadProposals(db, {}).filter((p) => p.portfolio === 'sim-expiry'))
  }, 300_000)

  it('proposes for the put expiring Friday, not for the call that expired at 16:00', () => {
    const symbols = proposals.map((p) => p.legs[0].symbol)
    expect(symbols).toContain('UBER 2026-11-27 100P')
    expect(symbols).not.toContain('UBER 2026-11-25 110C')
  })
})
