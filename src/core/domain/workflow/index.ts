/*
 * The co-trader's workflow as a pure state machine: (state, event, now) → (next state, actions).
 * The daemon service executes the actions with the same services the commands use and feeds their
 * outcomes back as events. Nothing here does I/O or reads a clock.
 *
 * initializing → market_analysis → portfolio_state → monitoring
 * monitoring → opportunity_scan → recommendation → pending_approval → execution → monitoring
 * opportunity_scan → monitoring (nothing found, nothing pending)
 * monitoring → eod_evaluation → monitoring
 *
 * The only way into `execution` is a `decisions` event in `pending_approval` naming proposals the
 * trader approved (approve/reject run in another shell; the daemon reads their outcome). The daemon
 * never sends an order itself: `approve` does; execution follows the order to a final status.
 * Monitoring keeps running while proposals wait (a tick in pending_approval or execution monitors
 * without leaving the state), and an end of day in pending_approval passes through monitoring.
 */

export const STATES = ['initializing', 'market_analysis', 'portfolio_state', 'monitoring', 'opportunity_scan', 'recommendation', 'pending_approval', 'execution', 'eod_evaluation'] as const
export type WorkflowState = (typeof STATES)[number]

export type WorkflowEvent =
  /** config loaded and validated, adapters built */
  | {type: 'booted'}
  | {type: 'markets_analysed'}
  | {type: 'portfolio_loaded'}
  /** the monitor interval came round */
  | {type: 'tick'}
  | {type: 'scan_due'}
  /** rules evaluated: `hits` new proposals to record, `pending` proposals already waiting */
  | {type: 'scan_done'; hits: number; pending: number}
  | {type: 'proposals_recorded'; pending: number}
  /** outcome of approve/reject so far: proposals approved since they were put to the trader, and how many still wait */
  | {type: 'decisions'; approved: number[]; pending: number}
  /** live orders of the approved proposals still working at the broker */
  | {type: 'execution_done'; working: number}
  | {type: 'eod_due'; market: string; date: string}
  | {type: 'eod_done'; market: string; date: string}
  /** the action of the current state failed; the loop goes on */
  | {type: 'failed'; error: string}

export type Action =
  | {type: 'analyse_markets'}
  | {type: 'load_portfolio_state'}
  /** sync, refresh, risk-limit checks, capital utilisation, breach alerts */
  | {type: 'monitor'}
  | {type: 'scan'}
  | {type: 'record_proposals'}
  | {type: 'check_decisions'}
  /** follow the approved proposals' live orders to a final status (paper bookings are already final) */
  | {type: 'follow_orders'; proposals: number[]}
  /** snapshot, expiries, end-of-day summary for one market's session */
  | {type: 'eod'; market: string; date: string}
  /** feed this event again after the transition (an end of day reached while proposals wait) */
  | {type: 'dispatch'; event: WorkflowEvent}

export interface Transition {
  /** ISO instant */
  at: string
  from: WorkflowState
  to: WorkflowState
  reason: string
}

export interface Machine {
  state: WorkflowState
  /** proposals approved and being executed (followed) */
  executing: number[]
}

export interface StepResult {
  machine: Machine
  actions: Action[]
  /** set when the state changed (self-loops are not transitions and are not recorded) */
  transition: Transition | null
  /** set when the event does not apply in this state; nothing changes */
  ignored: string | null
}

export const INITIAL: Machine = {state: 'initializing', executing: []}

export function step(m: Machine, e: WorkflowEvent, now: Date): StepResult {
  const at = now.toISOString()
  const go = (to: WorkflowState, reason: string, actions: Action[], executing = m.executing): StepResult => ({
    machine: {state: to, executing},
    actions,
    transition: to === m.state ? null : {at, from: m.state, to, reason},
    ignored: null,
  })
  const stay = (actions: Action[]): StepResult => ({machine: m, actions, transition: null, ignored: null})
  const ignore = (): StepResult => ({machine: m, actions: [], transition: null, ignored: `${e.type} does not apply in ${m.state}`})

  if (e.type === 'failed') {
    // A failure inside a step never stops the daemon: back to watching the book.
    if (m.state === 'initializing' || m.state === 'monitoring') return ignore()
    return go('monitoring', `${m.state} failed: ${e.error}`, [], [])
  }
  switch (m.state) {
    case 'initializing':
      return e.type === 'booted' ? go('market_analysis', 'config valid, adapters built', [{type: 'analyse_markets'}]) : ignore()
    case 'market_analysis':
      return e.type === 'markets_analysed' ? go('portfolio_state', 'market hours and prices known', [{type: 'load_portfolio_state'}]) : ignore()
    case 'portfolio_state':
      return e.type === 'portfolio_loaded' ? go('monitoring', 'book synced and refreshed', []) : ignore()
    case 'monitoring':
      switch (e.type) {
        case 'tick':
          return stay([{type: 'monitor'}])
        case 'scan_due':
          return go('opportunity_scan', 'scan schedule', [{type: 'scan'}])
        case 'eod_due':
          return go('eod_evaluation', `${e.market} closed for ${e.date}`, [{type: 'eod', market: e.market, date: e.date}])
        default:
          return ignore()
      }
    case 'opportunity_scan':
      if (e.type !== 'scan_done') return ignore()
      if (e.hits > 0) return go('recommendation', `${e.hits} rule hit(s)`, [{type: 'record_proposals'}])
      if (e.pending > 0) return go('recommendation', `no new hits; ${e.pending} proposal(s) still pending`, [{type: 'record_proposals'}])
      return go('monitoring', 'nothing found', [])
    case 'recommendation':
      if (e.type !== 'proposals_recorded') return ignore()
      return e.pending > 0 ? go('pending_approval', `${e.pending} proposal(s) wait for approve/reject`, [{type: 'check_decisions'}]) : go('monitoring', 'nothing to approve', [])
    case 'pending_approval':
      switch (e.type) {
        case 'decisions':
          if (e.approved.length > 0) return go('execution', `approved: ${e.approved.join(', ')}`, [{type: 'follow_orders', proposals: e.approved}], e.approved)
          if (e.pending === 0) return go('monitoring', 'every proposal decided; none approved', [])
          return stay([])
        case 'tick':
          return stay([{type: 'monitor'}, {type: 'check_decisions'}])
        case 'eod_due':
          return go('monitoring', `${e.market} closed for ${e.date}; proposals stay pending`, [{type: 'dispatch', event: e}])
        default:
          return ignore()
      }
    case 'execution':
      switch (e.type) {
        case 'execution_done':
          return e.working > 0 ? stay([]) : go('monitoring', `proposal(s) ${m.executing.join(', ')} executed`, [], [])
        case 'tick':
          return stay([{type: 'monitor'}, {type: 'follow_orders', proposals: m.executing}])
        case 'eod_due':
          return go('monitoring', `${e.market} closed for ${e.date}; orders followed after the end of day`, [{type: 'dispatch', event: e}], [])
        default:
          return ignore()
      }
    case 'eod_evaluation':
      return e.type === 'eod_done' ? go('monitoring', `end of day done for ${e.market} ${e.date}`, []) : ignore()
  }
}
