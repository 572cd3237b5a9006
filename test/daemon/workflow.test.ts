import {describe, expect, it} from 'vitest'
import {INITIAL, STATES, step, type Machine, type WorkflowEvent, type WorkflowState} from '../../src/core/domain/workflow/index.js'

const NOW = new Date('2026-11-23T15:00:00Z')
const at = (state: WorkflowState, executing: number[] = []): Machine => ({state, executing})

describe('workflow state machine: every transition', () => {
  const cases: [WorkflowState, WorkflowEvent, WorkflowState, string[]][] = [
    ['initializing', {type: 'booted'}, 'market_analysis', ['analyse_markets']],
    ['market_analysis', {type: 'markets_analysed'}, 'portfolio_state', ['load_portfolio_state']],
    ['portfolio_state', {type: 'portfolio_loaded'}, 'monitoring', []],
    ['monitoring', {type: 'tick'}, 'monitoring', ['monitor']],
    ['monitoring', {type: 'scan_due'}, 'opportunity_scan', ['scan']],
    ['opportunity_scan', {type: 'scan_done', hits: 2, pending: 0}, 'recommendation', ['record_proposals']],
    ['opportunity_scan', {type: 'scan_done', hits: 0, pending: 1}, 'recommendation', ['record_proposals']],
    ['opportunity_scan', {type: 'scan_done', hits: 0, pending: 0}, 'monitoring', []],
    ['recommendation', {type: 'proposals_recorded', pending: 2}, 'pending_approval', ['check_decisions']],
    ['recommendation', {type: 'proposals_recorded', pending: 0}, 'monitoring', []],
    ['pending_approval', {type: 'decisions', approved: [7], pending: 1}, 'execution', ['follow_orders']],
    ['pending_approval', {type: 'decisions', approved: [], pending: 0}, 'monitoring', []],
    ['pending_approval', {type: 'decisions', approved: [], pending: 2}, 'pending_approval', []],
    ['pending_approval', {type: 'tick'}, 'pending_approval', ['monitor', 'check_decisions']],
    ['pending_approval', {type: 'eod_due', market: 'XNYS', date: '2026-11-23'}, 'monitoring', ['dispatch']],
    ['execution', {type: 'execution_done', working: 0}, 'monitoring', []],
    ['execution', {type: 'execution_done', working: 1}, 'execution', []],
    ['execution', {type: 'tick'}, 'execution', ['monitor', 'follow_orders']],
    ['monitoring', {type: 'eod_due', market: 'XNYS', date: '2026-11-23'}, 'eod_evaluation', ['eod']],
    ['eod_evaluation', {type: 'eod_done', market: 'XNYS', date: '2026-11-23'}, 'monitoring', []],
    ['opportunity_scan', {type: 'failed', error: 'boom'}, 'monitoring', []],
    ['eod_evaluation', {type: 'failed', error: 'disk full'}, 'monitoring', []],
  ]
  for (const [from, event, to, actions] of cases) {
    it(`${from} + ${event.type}${'hits' in event ? ` (hits ${event.hits}, pending ${event.pending})` : ''} → ${to}`, () => {
      const r = step(at(from, from === 'execution' ? [7] : []), event, NOW)
      expect(r.machine.state).toBe(to)
      expect(r.actions.map((a) => a.type)).toEqual(actions)
      expect(r.ignored).toBeNull()
      if (from === to) expect(r.transition).toBeNull()
      else expect(r.transition).toMatchObject({at: NOW.toISOString(), from, to})
      if (r.transition) expect(r.transition.reason.length).toBeGreaterThan(3)
    })
  }

  it('the approved proposal ids travel into execution and its follow action', () => {
    const r = step(at('pending_approval'), {type: 'decisions', approved: [3, 5], pending: 0}, NOW)
    expect(r.machine.executing).toEqual([3, 5])
    expect(r.actions).toEqual([{type: 'follow_orders', proposals: [3, 5]}])
    expect(r.transition!.reason).toBe('approved: 3, 5')
    expect(step(r.machine, {type: 'execution_done', working: 0}, NOW).machine).toEqual({state: 'monitoring', executing: []})
  })

  it('an event that does not apply is ignored with a reason and changes nothing', () => {
    const m = at('monitoring')
    const r = step(m, {type: 'decisions', approved: [1], pending: 0}, NOW)
    expect(r).toEqual({machine: m, actions: [], transition: null, ignored: 'decisions does not apply in monitoring'})
    expect(step(INITIAL, {type: 'tick'}, NOW).ignored).toMatch(/tick does not apply in initializing/)
    expect(step(INITIAL, {type: 'failed', error: 'x'}, NOW).machine).toBe(INITIAL)
  })

  it('an end of day while proposals wait goes through monitoring and is fed again', () => {
    const eod: WorkflowEvent = {type: 'eod_due', market: 'XNYS', date: '2026-11-23'}
    const r1 = step(at('pending_approval'), eod, NOW)
    expect(r1.actions).toEqual([{type: 'dispatch', event: eod}])
    const r2 = step(r1.machine, eod, NOW)
    expect(r2.machine.state).toBe('eod_evaluation')
  })
})

describe('no path reaches execution without an approval', () => {
  const events: WorkflowEvent[] = [
    {type: 'booted'}, {type: 'markets_analysed'}, {type: 'portfolio_loaded'}, {type: 'tick'}, {type: 'scan_due'},
    {type: 'scan_done', hits: 0, pending: 0}, {type: 'scan_done', hits: 1, pending: 0}, {type: 'scan_done', hits: 0, pending: 3},
    {type: 'proposals_recorded', pending: 0}, {type: 'proposals_recorded', pending: 2},
    {type: 'decisions', approved: [], pending: 0}, {type: 'decisions', approved: [], pending: 2}, {type: 'decisions', approved: [9], pending: 0},
    {type: 'execution_done', working: 0}, {type: 'execution_done', working: 1}, {type: 'eod_due', market: 'XNYS', date: 'd'}, {type: 'eod_done', market: 'XNYS', date: 'd'},
    {type: 'failed', error: 'e'},
  ]

  it('over every (state, event) pair: execution is entered only from pending_approval on decisions that name approved proposals', () => {
    const entries: string[] = []
    for (const state of STATES) {
      for (const e of events) {
        const r = step(at(state), e, NOW)
        if (r.machine.state === 'execution' && state !== 'execution') entries.push(`${state} + ${e.type} ${JSON.stringify(e)}`)
      }
    }
    expect(entries).toEqual([`pending_approval + decisions ${JSON.stringify({type: 'decisions', approved: [9], pending: 0})}`])
  })

  it('every reachable state (breadth-first from initializing) leads into execution only through that edge', () => {
    const seen = new Set<WorkflowState>(['initializing'])
    const queue: WorkflowState[] = ['initializing']
    const intoExecution: string[] = []
    while (queue.length > 0) {
      const s = queue.shift()!
      for (const e of events) {
        const r = step(at(s), e, NOW)
        const t = r.machine.state
        if (t === 'execution' && s !== 'execution') intoExecution.push(`${s}:${e.type}:${e.type === 'decisions' ? e.approved.length : '-'}`)
        if (!seen.has(t)) {
          seen.add(t)
          queue.push(t)
        }
      }
    }
    expect([...seen].sort()).toEqual([...STATES].sort()) // every state is reachable
    expect(intoExecution).toEqual(['pending_approval:decisions:1'])
  })
})
