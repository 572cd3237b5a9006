/*
 * The CLI's single entry: oclif's runner and every command, bundled into dist/cotrader.mjs at build
 * time (oclif's "explicit" command strategy). One bundled file loads in a fraction of the time of
 * ~100 separate modules resolved one by one, on every command. The broker SDKs, ws and sql.js stay
 * outside the bundle and are loaded only on the paths that need them.
 */
import Alerts from './commands/alerts.js'
import Approve from './commands/approve.js'
import Autocomplete from './commands/autocomplete.js'
import Daemon from './commands/daemon/index.js'
import DaemonStatus from './commands/daemon/status.js'
import Greeks from './commands/greeks.js'
import Ledger from './commands/ledger.js'
import Pnl from './commands/pnl.js'
import Portfolios from './commands/portfolios.js'
import PricesImport from './commands/prices/import.js'
import Positions from './commands/positions.js'
import Reconcile from './commands/reconcile.js'
import Reject from './commands/reject.js'
import Risk from './commands/risk.js'
import Snapshot from './commands/snapshot.js'
import Sync from './commands/sync.js'
import WhatifAdd from './commands/whatif/add.js'
import WhatifClear from './commands/whatif/clear.js'
import WhatifList from './commands/whatif/list.js'
import WhatifPayoff from './commands/whatif/payoff.js'
import WhatifRemove from './commands/whatif/remove.js'

import {execute as oclifExecute} from '@oclif/core'
import TradesClose from './commands/trades/close.js'
import TradesList from './commands/trades/list.js'
import TransactionsImport from './commands/transactions/import.js'

export const COMMANDS = {
  alerts: Alerts,
  approve: Approve,
  autocomplete: Autocomplete,
  daemon: Daemon,
  'daemon:status': DaemonStatus,
  greeks: Greeks,
  ledger: Ledger,
  pnl: Pnl,
  portfolios: Portfolios,
  'prices:import': PricesImport,
  positions: Positions,
  reconcile: Reconcile,
  reject: Reject,
  risk: Risk,
  snapshot: Snapshot,
  sync: Sync,
  'whatif:add': WhatifAdd,
  'whatif:clear': WhatifClear,
  'whatif:list': WhatifList,
  'whatif:payoff': WhatifPayoff,
  'whatif:remove': WhatifRemove,
  'trades:close': TradesClose,
  'trades:list': TradesList,
  'transactions:import': TransactionsImport,
}

/**
 * oclif's runner, except that an unknown command is answered in our words (oclif prints
 * " ›   Error: command foo not found"), and in JSON under --json, so a script parsing stdout always
 * gets a document.
 */
export async function execute(options: Parameters<typeof oclifExecute>[0]): Promise<unknown> {
  let argv = options.args ?? process.argv.slice(2)
  // "cotrader help positions" is "cotrader positions --help" (oclif answers "command help:positions not found")
  if (argv[0] === 'help') {
    argv = [...argv.slice(1), '--help']
    options = {...options, args: argv}
  }
  const unknown = unknownCommand(argv)
  if (unknown) {
    const names = Object.keys(COMMANDS).map((c) => c.replace(':', ' '))
    const near = names.filter((n) => editDistance(n, unknown) <= 2)
    return usageError(argv, `command "${unknown}" not found${near.length > 0 ? ` (did you mean ${near.join(' or ')}?)` : ''}; commands: ${names.join(', ')}`)
  }
  // A word after a command that takes no arguments: oclif would print " ›   Error: command positions:extra not found".
  const extra = unexpectedWord(argv)
  if (extra) return usageError(argv, `unexpected argument "${extra.word}": ${extra.command} takes no arguments (see --help)`)
  // --skip-invalid=yes: oclif answers "unexpected argument: yes", which names neither the flag nor the fix.
  const valued = valuedSwitch(argv)
  if (valued) return usageError(argv, `--${valued.name} is a switch and takes no value: write --${valued.name}, not ${valued.written} (see --help)`)
  return oclifExecute(options)
}

/** A usage error before oclif runs: exit 2, the message on stderr, or as a JSON document under --json. */
function usageError(argv: string[], message: string): undefined {
  if (argv.includes('--json')) process.stdout.write(`${JSON.stringify({error: {code: 'usage', message, exitCode: 2}}, null, 2)}\n`)
  else process.stderr.write(`Error: ${message}\n`)
  process.exitCode = 2
  return undefined
}

/** The first `--name=value` where the command's flag `name` is a switch (boolean), before any `--`. */
function valuedSwitch(argv: string[]): {name: string; written: string} | null {
  const table = COMMANDS as Record<string, {flags?: Record<string, {type?: string}>; baseFlags?: Record<string, {type?: string}>; enableJsonFlag?: boolean}>
  const id = table[`${argv[0]}:${argv[1]}`] ? `${argv[0]}:${argv[1]}` : argv[0]
  const command = id === undefined ? undefined : table[id]
  if (!command) return null
  const switches = new Set(Object.entries({...command.baseFlags, ...command.flags}).filter(([, f]) => f.type === 'boolean').map(([name]) => name))
  if (command.enableJsonFlag) switches.add('json')
  for (const a of argv) {
    if (a === '--') break
    const m = /^--([\w-]+)=/.exec(a)
    if (m && switches.has(m[1])) return {name: m[1], written: a}
  }
  return null
}

/** The first word after a command that takes no arguments (and is no topic), with the command. */
function unexpectedWord(argv: string[]): {command: string; word: string} | null {
  const [first, second] = argv
  if (!first || first.startsWith('-') || second === undefined || second.startsWith('-')) return null
  const ids = Object.keys(COMMANDS)
  if (!ids.includes(first) || ids.some((id) => id.startsWith(`${first}:`))) return null
  const args = (COMMANDS as Record<string, {args?: Record<string, unknown>}>)[first].args
  return args && Object.keys(args).length > 0 ? null : {command: first, word: second}
}

/** The command words of argv when they name no command (nor a topic), else null. */
function unknownCommand(argv: string[]): string | null {
  const words: string[] = []
  for (const a of argv) {
    if (a.startsWith('-')) break
    words.push(a)
    if (words.length === 2) break
  }
  if (words.length === 0) return null
  const ids = Object.keys(COMMANDS)
  if (ids.includes(words[0])) return null
  const topic = ids.some((id) => id.startsWith(`${words[0]}:`))
  if (topic && (words.length === 1 || ids.includes(`${words[0]}:${words[1]}`))) return null
  return words.join(' ')
}

/** Levenshtein distance (for "did you mean": a typed command one or two letters off). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({length: b.length + 1}, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    prev = row
  }
  return prev[b.length]
}
