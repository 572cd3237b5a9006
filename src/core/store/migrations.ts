/*
 * Versioned schema migrations. `PRAGMA user_version` holds the number of the last migration applied;
 * the engine (database.ts) runs the pending ones inside the write transaction, so a file is either at
 * the old version or fully at the new one, never in between.
 *
 * Rules for adding a migration: append only (never edit one that has shipped: files in the wild were
 * built by it), keep it pure SQL with no data-dependent branches, and bump nothing else: SCHEMA_VERSION
 * follows from the list.
 *
 * Units (the contract for everyone writing rows): money is in the row's `currency`; Greeks are per unit
 * of the instrument unless the column says "position" (portfolio and snapshot aggregates are position
 * totals); NULL means unknown, never zero.
 */

export interface Migration {
  /** 1-based and consecutive: migration N moves a file from user_version N-1 to N. */
  readonly version: number
  readonly name: string
  /** One or more statements; run with sql.js `exec`, which accepts several separated by `;`. */
  readonly sql: string
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      -- The marker that tells a cotrader database from any other SQLite file: the engine refuses to
      -- touch a file that has tables but not this row.
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT
      );
      INSERT INTO meta (key, value) VALUES ('application', 'cotrader');

      -- Aggregates (delta .. positions_count) are position totals of the portfolio, in its currency.
      CREATE TABLE portfolios (
        name                    TEXT PRIMARY KEY,
        broker                  TEXT NOT NULL,
        account                 TEXT,
        currency                TEXT NOT NULL,
        kind                    TEXT NOT NULL,
        shadows                 TEXT,
        equity                  REAL,
        cash                    REAL,
        buying_power            REAL,
        maintenance_requirement REAL,
        delta                   REAL,
        gamma                   REAL,
        theta                   REAL,
        vega                    REAL,
        delta_dollars           REAL,
        unrealized_pnl          REAL,
        positions_count         INTEGER,
        last_sync_at            TEXT,
        last_sync_status        TEXT,
        last_sync_error         TEXT,
        updated_at              TEXT
      );

      -- Greeks here are per unit (one contract / one share), not per position.
      CREATE TABLE positions (
        portfolio               TEXT NOT NULL,
        symbol                  TEXT NOT NULL,
        broker_symbol           TEXT NOT NULL,
        instrument_type         TEXT NOT NULL,
        underlying              TEXT NOT NULL,
        quantity                REAL NOT NULL,
        multiplier              REAL NOT NULL,
        entry_price             REAL,
        mark_price              REAL,
        currency                TEXT NOT NULL,
        expiry                  TEXT,
        strike                  REAL,
        option_right            TEXT,
        style                   TEXT,
        underlying_price        REAL,
        underlying_price_source TEXT,
        underlying_price_at     TEXT,  -- when the underlying price was observed (ISO); older than updated_at for a carried-over 'last' price
        iv                      REAL,
        delta                   REAL,
        gamma                   REAL,
        theta                   REAL,
        vega                    REAL,
        rho                     REAL,
        greeks_source           TEXT NOT NULL,
        greeks_note             TEXT,
        updated_at              TEXT NOT NULL,
        PRIMARY KEY (portfolio, symbol)
      );

      -- What a position looked like the first time a sync saw it (per unit), kept after it changes.
      CREATE TABLE entry_greeks (
        portfolio        TEXT NOT NULL,
        symbol           TEXT NOT NULL,
        first_seen_at    TEXT NOT NULL,
        quantity         REAL,
        entry_price      REAL,
        underlying_price REAL,
        iv               REAL,
        delta            REAL,
        gamma            REAL,
        theta            REAL,
        vega             REAL,
        rho              REAL,
        greeks_source    TEXT NOT NULL,
        PRIMARY KEY (portfolio, symbol)
      );

      -- Daily (upserted), position totals; underlying '*' is the whole portfolio. Daily rather than
      -- per-sync on purpose: sql.js rewrites the whole file on every save, so the file must stay small.
      CREATE TABLE greeks_snapshots (
        date           TEXT NOT NULL,
        portfolio      TEXT NOT NULL,
        underlying     TEXT NOT NULL,
        delta          REAL,
        gamma          REAL,
        theta          REAL,
        vega           REAL,
        delta_dollars  REAL,
        unrealized_pnl REAL,
        equity         REAL,
        taken_at       TEXT NOT NULL,
        PRIMARY KEY (date, portfolio, underlying)
      );

      CREATE TABLE sync_runs (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        portfolio    TEXT NOT NULL,
        started_at   TEXT NOT NULL,
        finished_at  TEXT NOT NULL,
        status       TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'skipped')),
        positions    INTEGER,
        greeks_feed  INTEGER,
        greeks_model INTEGER,
        greeks_none  INTEGER,
        error        TEXT
      );
      CREATE INDEX sync_runs_portfolio_id ON sync_runs (portfolio, id);

      CREATE TABLE proposals (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        source      TEXT NOT NULL CHECK (source IN ('user', 'rule', 'screener')),
        portfolio   TEXT NOT NULL,
        legs_json   TEXT NOT NULL,
        reason      TEXT,
        status      TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'executed', 'failed')),
        created_at  TEXT NOT NULL,
        decided_at  TEXT,
        result_json TEXT
      );
      CREATE INDEX proposals_status ON proposals (status);

      -- Greeks per unit at the time of the trade.
      CREATE TABLE trades (
        id               INTEGER PRIMARY KEY AUTOINCREMENT,
        portfolio        TEXT NOT NULL,
        kind             TEXT NOT NULL CHECK (kind IN ('paper', 'live', 'what_if')),
        status           TEXT NOT NULL,
        proposal_id      INTEGER,
        symbol           TEXT NOT NULL,
        broker_symbol    TEXT,
        instrument_type  TEXT NOT NULL,
        underlying       TEXT NOT NULL,
        quantity         REAL NOT NULL,
        price            REAL NOT NULL,
        multiplier       REAL NOT NULL,
        currency         TEXT NOT NULL,
        expiry           TEXT,
        strike           REAL,
        option_right     TEXT,
        style            TEXT,
        underlying_price REAL,
        iv               REAL,
        delta            REAL,
        gamma            REAL,
        theta            REAL,
        vega             REAL,
        rho              REAL,
        greeks_source    TEXT NOT NULL,
        order_id         TEXT,
        order_status     TEXT,
        created_at       TEXT NOT NULL,
        updated_at       TEXT NOT NULL
      );
      CREATE INDEX trades_portfolio_kind ON trades (portfolio, kind);
    `,
  },
  {
    version: 2,
    name: 'daily snapshots',
    sql: `
      -- What an instrument is, once (daily rows point here by id, so history stays small).
      CREATE TABLE snapshot_instruments (
        id              INTEGER PRIMARY KEY,
        symbol          TEXT NOT NULL,
        underlying      TEXT NOT NULL,
        instrument_type TEXT NOT NULL,
        multiplier      REAL NOT NULL,
        currency        TEXT NOT NULL,
        expiry          TEXT,
        strike          REAL,
        option_right    TEXT,
        style           TEXT,
        UNIQUE (symbol, instrument_type, multiplier, currency, underlying)
      );

      -- One row per portfolio per month; \`data\` packs every position of every snapshot day of that month
      -- (store/snapshots.ts documents the format: quantities and prices lossless, IV and per-unit Greeks
      -- to fixed decimals). Month rows, not day rows: SQLite fills its pages far better with a few large
      -- rows than with many 1–5 kB ones, and one month compresses well (the same positions day after day).
      CREATE TABLE position_snapshots (
        id        INTEGER PRIMARY KEY,
        portfolio TEXT NOT NULL,
        month     TEXT NOT NULL,
        days      INTEGER NOT NULL,
        data      BLOB NOT NULL
      );
      CREATE UNIQUE INDEX position_snapshots_key ON position_snapshots (portfolio, month);

      -- First and last date each portfolio held each instrument in a snapshot, so "each position's latest
      -- row before D" reads a few days instead of the whole history.
      CREATE TABLE snapshot_holdings (
        portfolio     TEXT NOT NULL,
        instrument_id INTEGER NOT NULL,
        first_date    TEXT NOT NULL,
        last_date     TEXT NOT NULL,
        PRIMARY KEY (portfolio, instrument_id)
      ) WITHOUT ROWID;

      -- One row per portfolio per date. Money in \`currency\`; Greeks are position totals
      -- (delta in shares, theta per day, vega per vol point), beta-weighted delta in benchmark shares.
      CREATE TABLE portfolio_snapshots (
        date                TEXT NOT NULL,
        portfolio           TEXT NOT NULL,
        currency            TEXT NOT NULL,
        equity              REAL,
        cash                REAL,
        delta               REAL,
        beta_weighted_delta REAL,
        gamma               REAL,
        theta               REAL,
        vega                REAL,
        unrealized_pnl      REAL,
        day_pnl             REAL,
        positions           INTEGER NOT NULL,
        missing             INTEGER NOT NULL,
        taken_at            TEXT NOT NULL,
        PRIMARY KEY (portfolio, date)
      );
    `,
  },
  {
    version: 3,
    name: 'freshness: when marks and prices were observed',
    sql: `
      -- When each mark was observed (ISO) and what it is (live, file, quote_mid, previous_close);
      -- NULL on rows written before this migration = unknown.
      ALTER TABLE positions ADD COLUMN mark_at TEXT;
      ALTER TABLE positions ADD COLUMN mark_source TEXT;
      -- The observation time of the portfolio's prices: the export's own stamp (Fidelity's
      -- "Date downloaded"), else the sync time.
      ALTER TABLE portfolios ADD COLUMN prices_as_of TEXT;
    `,
  },
  {
    version: 4,
    name: 'daemon: workflow events, alerts, rule hits, expiries, latest state',
    sql: `
      -- Every state change of the workflow (self-loops such as a monitor tick are not stored).
      CREATE TABLE workflow_events (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        at         TEXT NOT NULL,
        from_state TEXT NOT NULL,
        to_state   TEXT NOT NULL,
        reason     TEXT NOT NULL
      );

      -- The daemon's latest state (one JSON value per key: status, last tick, jobs, breaches open,
      -- ends of day done, broker backoff). Monitoring keeps no per-tick rows.
      CREATE TABLE daemon_state (
        key        TEXT PRIMARY KEY,
        value      TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );

      -- Every alert raised, whether it was sent, a duplicate, or over the rate limit.
      CREATE TABLE alerts (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        at        TEXT NOT NULL,
        key       TEXT NOT NULL,
        kind      TEXT NOT NULL,
        severity  TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
        message   TEXT NOT NULL,
        status    TEXT NOT NULL CHECK (status IN ('sent', 'duplicate', 'rate_limited', 'failed', 'recorded')),
        error     TEXT
      );
      CREATE INDEX alerts_key_at ON alerts (key, at);
      CREATE INDEX alerts_at ON alerts (at);

      -- One rule hit per rule, portfolio, symbol and trade date: a rule never proposes twice a day.
      CREATE TABLE rule_hits (
        rule        TEXT NOT NULL,
        portfolio   TEXT NOT NULL,
        symbol      TEXT NOT NULL,
        date        TEXT NOT NULL,
        proposal_id INTEGER,
        at          TEXT NOT NULL,
        PRIMARY KEY (rule, portfolio, symbol, date)
      );

      -- Options that left the book at expiry. Money in \`currency\`; realized_pnl = (settlement value
      -- − entry) × quantity × multiplier with the settlement value = intrinsic value at the close.
      CREATE TABLE expiries (
        portfolio        TEXT NOT NULL,
        symbol           TEXT NOT NULL,
        date             TEXT NOT NULL,
        quantity         REAL NOT NULL,
        multiplier       REAL NOT NULL,
        currency         TEXT NOT NULL,
        outcome          TEXT NOT NULL CHECK (outcome IN ('expired', 'assigned', 'exercised', 'cash_settled')),
        underlying_price REAL,
        intrinsic        REAL NOT NULL,
        entry_price      REAL,
        realized_pnl     REAL,
        stock_symbol     TEXT,
        stock_quantity   REAL,
        at               TEXT NOT NULL,
        PRIMARY KEY (portfolio, symbol, date)
      );
    `,
  },
  {
    version: 5,
    name: 'paper trade closes',
    sql: `
      -- trades close ID: the price a paper trade was closed at (per unit, trade currency), the realised
      -- P&L ((close − open) × quantity × multiplier, money in the trade's currency) and when.
      ALTER TABLE trades ADD COLUMN close_price REAL;
      ALTER TABLE trades ADD COLUMN realized_pnl REAL;
      ALTER TABLE trades ADD COLUMN closed_at TEXT;
    `,
  },
  {
    version: 6,
    name: 'price history and stored VaR',
    sql: `
      -- Daily closes per symbol (imported CSV, DXLink candles). close per unit in the symbol's own
      -- currency; iv = that day's implied vol of the symbol as a fraction, NULL = unknown.
      CREATE TABLE price_history (
        symbol TEXT NOT NULL,
        date   TEXT NOT NULL,
        close  REAL NOT NULL,
        iv     REAL,
        source TEXT NOT NULL,
        PRIMARY KEY (symbol, date)
      ) WITHOUT ROWID;

      -- The latest VaR/ES of each portfolio and the time it was computed; inputs_key fingerprints
      -- what it was computed from (positions, prices, settings) so a reader knows when it is stale.
      CREATE TABLE var_results (
        portfolio   TEXT PRIMARY KEY,
        computed_at TEXT NOT NULL,
        inputs_key  TEXT NOT NULL,
        result_json TEXT NOT NULL
      );
    `,
  },
  {
    version: 7,
    name: 'positions: broker day-P&L basis',
    sql: `
      -- Per unit, the broker's basis for day P&L (TastyTrade average-daily-market-close-price: the previous
      -- close, or the fill price for a position opened today); NULL = the broker gave none.
      ALTER TABLE positions ADD COLUMN previous_close REAL;
    `,
  },
  {
    version: 8,
    name: 'daily snapshots move to per-year history files',
    sql: `
      -- Daily snapshots now live in one file per year next to the database (store/history.ts), so a
      -- save rewrites one year, not the whole history. writeDb copies the rows out to those files (and
      -- saves them) before this migration runs; the tables of migration 2 are then dropped here.
      DROP TABLE position_snapshots;
      DROP TABLE snapshot_holdings;
      DROP TABLE portfolio_snapshots;
      DROP TABLE snapshot_instruments;
    `,
  },
  {
    version: 9,
    name: 'ledger: events and links',
    sql: `
      -- The ledger (domain/ledger/events.ts): append-only events of each account, from the broker's
      -- records (API, export files), from approve (paper, live) and from the daemon (provisional
      -- settlements). Units as in events.ts: quantity signed by its effect on the position, price per
      -- unit, amount = net cash (+ credit, − debit, fees included), fees money ≥ 0; NULL = not stated.
      -- (portfolio, key) makes imports idempotent: key = 'id:<broker id>' or a content key.
      CREATE TABLE ledger_events (
        id                  INTEGER PRIMARY KEY AUTOINCREMENT,
        portfolio           TEXT NOT NULL,
        account             TEXT,
        source              TEXT NOT NULL CHECK (source IN ('broker_api', 'file', 'paper', 'live', 'daemon')),
        source_ref          TEXT,
        broker_id           TEXT,
        key                 TEXT NOT NULL,
        kind                TEXT NOT NULL,
        provisional         INTEGER NOT NULL DEFAULT 0,
        at                  TEXT NOT NULL,
        time_known          INTEGER NOT NULL DEFAULT 1,
        trade_date          TEXT NOT NULL,
        symbol              TEXT,
        broker_symbol       TEXT,
        instrument_type     TEXT,
        underlying          TEXT,
        expiry              TEXT,
        strike              REAL,
        option_right        TEXT,
        style               TEXT,
        quantity            REAL,
        price               REAL,
        multiplier          REAL,
        currency            TEXT NOT NULL,
        amount              REAL,
        fee_commission      REAL,
        fee_clearing        REAL,
        fee_regulatory      REAL,
        fee_exchange        REAL,
        fee_other           REAL,
        order_id            TEXT,
        position_effect     TEXT,
        ratio_from          REAL,
        ratio_to            REAL,
        new_symbol          TEXT,
        description         TEXT NOT NULL,
        broker_realized_pnl REAL,
        recorded_at         TEXT NOT NULL,
        UNIQUE (portfolio, key)
      );
      CREATE INDEX ledger_events_by_instrument ON ledger_events (portfolio, symbol, at);
      CREATE INDEX ledger_events_by_date ON ledger_events (trade_date);

      CREATE TABLE ledger_links (
        from_id INTEGER NOT NULL REFERENCES ledger_events (id),
        to_id   INTEGER NOT NULL REFERENCES ledger_events (id),
        kind    TEXT NOT NULL CHECK (kind IN ('confirms', 'replaces', 'reverses', 'roll')),
        at      TEXT NOT NULL,
        PRIMARY KEY (from_id, to_id, kind)
      ) WITHOUT ROWID;
    `,
  },  {
    version: 10,
    name: 'daemon: end-of-day runs, pending settlements, how each expiry was priced',
    sql: `
      -- One row per market and trade date whose end of day the daemon did (services/daemon/engine.ts): a
      -- catch-up after a suspend or a stopped process writes the missed dates oldest first; late = 1
      -- when some position had no close of that date and was valued at a later price (detail: JSON
      -- list of {portfolio, symbol, price, observedAt}).
      CREATE TABLE eod_runs (
        market  TEXT NOT NULL,
        date    TEXT NOT NULL,
        ran_at  TEXT NOT NULL,
        late    INTEGER NOT NULL DEFAULT 0,
        detail  TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (market, date)
      ) WITHOUT ROWID;

      -- Expiries the daemon could not settle: no price of the settlement instant (reason
      -- no_settlement_price) or a short option inside the pin band at the close (pin_risk). The
      -- position stays in the book marked pending settlement until the price or the broker's
      -- records arrive (resolved_at, resolution). alerted_at: alerted once.
      CREATE TABLE pending_settlements (
        portfolio   TEXT NOT NULL,
        symbol      TEXT NOT NULL,
        expiry_date TEXT NOT NULL,
        reason      TEXT NOT NULL,
        detail      TEXT NOT NULL,
        since       TEXT NOT NULL,
        alerted_at  TEXT,
        resolved_at TEXT,
        resolution  TEXT,
        PRIMARY KEY (portfolio, symbol, expiry_date)
      ) WITHOUT ROWID;

      -- Provisional ledger events (source daemon) the broker's next positions settled without a
      -- transaction yet (the ledger's links need a broker event; this records that the view may stop
      -- showing them as pending).
      CREATE TABLE provisional_seen (
        event_id INTEGER PRIMARY KEY,
        at       TEXT NOT NULL,
        how      TEXT NOT NULL
      );

      -- How each expiry was priced: the settlement instant's price, its source (close, open,
      -- stored close, final settlement) and when it was observed; processed_at vs date tells a
      -- late-processed expiry. kind: option | future.
      ALTER TABLE expiries ADD COLUMN price_source TEXT;
      ALTER TABLE expiries ADD COLUMN price_at TEXT;
      ALTER TABLE expiries ADD COLUMN kind TEXT NOT NULL DEFAULT 'option';
    `,
  },
  {
    version: 11,
    name: 'ledger: the last reconcile status of each portfolio (sync warns when it changes)',
    sql: `
      -- What the last sync found when it reconciled a portfolio's ledger with the broker's positions
      -- (services/sync.ts): status reconciles | differs; since = when it entered that status;
      -- differences = how many at the last check. sync warns on a change, not on every run.
      CREATE TABLE reconcile_status (
        portfolio   TEXT PRIMARY KEY,
        status      TEXT NOT NULL CHECK (status IN ('reconciles', 'differs')),
        since       TEXT NOT NULL,
        checked_at  TEXT NOT NULL,
        differences INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 12,
    name: 'positions: deliverable, unknown-instrument marker, settlement type, per-Greek sources',
    sql: `
      -- What one option contract delivers when it is not standard (XYZ1 after a 3-for-2 split: 150
      -- XYZ, cash 0): shares of deliverable_underlying per contract and cash per contract in the
      -- position's currency. NULL shares = a standard contract (or not an option).
      ALTER TABLE positions ADD COLUMN deliverable_shares REAL;
      ALTER TABLE positions ADD COLUMN deliverable_underlying TEXT;
      ALTER TABLE positions ADD COLUMN deliverable_cash REAL;
      -- Why the instrument (or its deliverable) is not understood: the row keeps the broker's numbers,
      -- its Greeks stay unknown and nothing re-prices it (never as 100 shares). NULL = understood.
      ALTER TABLE positions ADD COLUMN opaque TEXT;
      -- Options: 'am' | 'pm' as the broker states it (tastytrade settlement-type), 'cash' | 'physical';
      -- NULL = not stated (the option class decides, calendar/expiry.ts).
      ALTER TABLE positions ADD COLUMN settlement TEXT;
      ALTER TABLE positions ADD COLUMN settlement_kind TEXT;
      -- Per-Greek provenance when it is mixed (JSON {"delta":"feed",…,"vega":"model"}); NULL = every
      -- Greek from greeks_source.
      ALTER TABLE positions ADD COLUMN greeks_sources TEXT;
    `,
  },
  {
    version: 13,
    name: 'ledger: no secondary indexes on events',
    sql: `
      -- Every read of the ledger loads a portfolio's events in time order (lots are recomputed from
      -- all of them), which neither index served, while each cost a B-tree insert per event: about
      -- a quarter of an import's time in SQLite and of the file's growth (bench/ledger.mjs,
      -- docs/LEDGER.md "Speed"). The UNIQUE (portfolio, key) index stays: it is the idempotence.
      DROP INDEX IF EXISTS ledger_events_by_instrument;
      DROP INDEX IF EXISTS ledger_events_by_date;
    `,
  },
  {
    version: 14,
    name: 'ledger: events keep their ids without AUTOINCREMENT; the key index is a named index',
    sql: `
      -- Speed of imports (bench/ledger.mjs, docs/LEDGER.md "Speed"). AUTOINCREMENT rewrote
      -- sqlite_sequence on every insert (a fifth of SQLite's share of a 100,000-row import); the ledger
      -- is append-only (no row is ever deleted), so INTEGER PRIMARY KEY gives the same ids: max + 1,
      -- consecutive within one writer's transaction. The (portfolio, key) uniqueness moves from the
      -- table's constraint to a named index, so a large append can drop it and build it again once
      -- from sorted keys (store/ledger.ts appendEvents), which costs far less than 100,000 random
      -- B-tree inserts, and still fails the transaction on a duplicate key.
      CREATE TABLE ledger_events_v14 (
        id                  INTEGER PRIMARY KEY,
        portfolio           TEXT NOT NULL,
        account             TEXT,
        source              TEXT NOT NULL CHECK (source IN ('broker_api', 'file', 'paper', 'live', 'daemon')),
        source_ref          TEXT,
        broker_id           TEXT,
        key                 TEXT NOT NULL,
        kind                TEXT NOT NULL,
        provisional         INTEGER NOT NULL DEFAULT 0,
        at                  TEXT NOT NULL,
        time_known          INTEGER NOT NULL DEFAULT 1,
        trade_date          TEXT NOT NULL,
        symbol              TEXT,
        broker_symbol       TEXT,
        instrument_type     TEXT,
        underlying          TEXT,
        expiry              TEXT,
        strike              REAL,
        option_right        TEXT,
        style               TEXT,
        quantity            REAL,
        price               REAL,
        multiplier          REAL,
        currency            TEXT NOT NULL,
        amount              REAL,
        fee_commission      REAL,
        fee_clearing        REAL,
        fee_regulatory      REAL,
        fee_exchange        REAL,
        fee_other           REAL,
        order_id            TEXT,
        position_effect     TEXT,
        ratio_from          REAL,
        ratio_to            REAL,
        new_symbol          TEXT,
        description         TEXT NOT NULL,
        broker_realized_pnl REAL,
        recorded_at         TEXT NOT NULL
      );
      INSERT INTO ledger_events_v14 SELECT * FROM ledger_events;
      DROP TABLE ledger_events;
      ALTER TABLE ledger_events_v14 RENAME TO ledger_events;
      CREATE UNIQUE INDEX ledger_events_key ON ledger_events (portfolio, key);
    `,
  },
]

/** The version a fully migrated file has; a file with a higher user_version was written by a newer cotrader. */
export const SCHEMA_VERSION: number = MIGRATIONS.length
