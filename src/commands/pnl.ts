import {BaseCommand} from '../core/cli/base.js'
import {csvToStdout} from '../core/cli/csv-output.js'
import {flags, run} from '../core/cli/hot/pnl.js'
import {oclifFlags} from '../core/cli/oclif-flags.js'
import type {AttributionResult} from '../core/services/attribution.js'
import type {PnlHistoryResult} from '../core/services/history.js'
import type {PnlResult} from '../core/services/pnl.js'
import type {RealizedResult} from '../core/services/ledger/views.js'

export default class Pnl extends BaseCommand {
  static override summary = 'Unrealized and day P&L per position, underlying and portfolio, in each currency and in the base currency; history and attribution.'
  static override description = `Day P&L is the change since the previous close: the broker's own basis where it gives one (TastyTrade's close price from the API, Fidelity's "Today's Gain/Loss Dollar" in its export), else the previous daily snapshot's mark; a position opened today counts from its entry; unknown ("?") without a previous mark.
--realized shows the realised P&L of the ledger's closed lots (cotrader ledger; docs/LEDGER.md) per position, underlying, month and portfolio, with the broker's own figure where its export states one.
--history shows daily equity, open P&L and day P&L from the snapshots (cotrader snapshot), and the cumulative realised P&L of the ledger's lots closed up to each day, as a table and a chart. --attribution splits each position's P&L since yesterday's snapshot, its entry or a date into delta, gamma, theta, vega, rho and the residual.`
  static override examples = [
    '<%= config.bin %> pnl',
    '<%= config.bin %> pnl --portfolio zerodha',
    '<%= config.bin %> pnl --with-whatif',
    '<%= config.bin %> pnl --json',
    '<%= config.bin %> pnl --csv pnl.csv',
    '<%= config.bin %> pnl --as-of 2026-12-18T15:30   # option marks re-priced at that instant (time decay), expired ones at intrinsic',
    '<%= config.bin %> pnl --fail-on-stale --max-age 12h',
    '<%= config.bin %> pnl --history --days 60',
    '<%= config.bin %> pnl --history --since 2026-01-01 --csv equity.csv',
    "<%= config.bin %> pnl --attribution                 # since yesterday's snapshot",
    '<%= config.bin %> pnl --attribution --since entry   # since entry, with the entry Greeks',
    '<%= config.bin %> pnl --attribution --since 2026-03-02 --json',
    "<%= config.bin %> pnl --realized                     # the ledger's closed lots, all history",
    '<%= config.bin %> pnl --realized --year 2026 --csv realized.csv',
    '<%= config.bin %> pnl --realized --days 30 --portfolio research-wheel --json',
  ]
  // Declared in core/cli/hot/pnl.ts, which the fast path (src/fast.ts) parses and runs too.
  static override flags = oclifFlags(flags)

  async run(): Promise<PnlResult | PnlHistoryResult | AttributionResult | RealizedResult> {
    csvToStdout(this.argv)
    const parsed = await this.parse(Pnl)
    return run(parsed.flags, this.io())
  }
}
