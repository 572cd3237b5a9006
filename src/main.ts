/*
 * The CLI's single entry: oclif's runner and every command, bundled into dist/cotrader.mjs at build
 * time (oclif's "explicit" command strategy). One bundled file loads in a fraction of the time of
 * ~100 separate modules resolved one by one, on every command. The broker SDKs, ws and sql.js stay
 * outside the bundle and are loaded only on the paths that need them.
 */
import Approve from './commands/approve.js'
import Greeks from './commands/greeks.js'
import Pnl from './commands/pnl.js'
import Portfolios from './commands/portfolios.js'
import Positions from './commands/positions.js'
import Reject from './commands/reject.js'
import Risk from './commands/risk.js'
import Snapshot from './commands/snapshot.js'
import Sync from './commands/sync.js'
import WhatifAdd from './commands/whatif/add.js'
import WhatifClear from './commands/whatif/clear.js'
import WhatifList from './commands/whatif/list.js'
import WhatifPayoff from './commands/whatif/payoff.js'
import WhatifRemove from './commands/whatif/remove.js'

export {execute} from '@oclif/core'

export const COMMANDS = {
  approve: Approve,
  greeks: Greeks,
  pnl: Pnl,
  portfolios: Portfolios,
  positions: Positions,
  reject: Reject,
  risk: Risk,
  snapshot: Snapshot,
  sync: Sync,
  'whatif:add': WhatifAdd,
  'whatif:clear': WhatifClear,
  'whatif:list': WhatifList,
  'whatif:payoff': WhatifPayoff,
  'whatif:remove': WhatifRemove,
}
