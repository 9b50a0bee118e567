//! The journal's schema: migrations in code, the kinds of entry.

/// Migrations in order; `user_version` records how many have run.
pub(super) const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE entries (
    seq            INTEGER PRIMARY KEY,
    kind           TEXT    NOT NULL,
    sale_id        TEXT,
    receipt_number INTEGER,
    created_at     TEXT    NOT NULL,
    body           TEXT    NOT NULL,
    prev_hash      BLOB    NOT NULL,
    hash           BLOB    NOT NULL
);
-- Each of these happens at most once per sale: one payment is started, a sale
-- is paid once, cancelled once. The database refuses a second one.
CREATE UNIQUE INDEX entries_sale_once ON entries(sale_id, kind)
    WHERE kind IN ('intent', 'sale', 'failed', 'cancellation', 'registered');
CREATE UNIQUE INDEX entries_receipt_number ON entries(receipt_number)
    WHERE receipt_number IS NOT NULL;
CREATE INDEX entries_closings ON entries(seq) WHERE kind = 'closing';
CREATE INDEX entries_settings ON entries(seq) WHERE kind = 'settings';
CREATE TRIGGER entries_append_only_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER entries_append_only_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;

CREATE TABLE totals (
    seq INTEGER PRIMARY KEY,
    sales INTEGER NOT NULL, cancellations INTEGER NOT NULL, drawer_openings INTEGER NOT NULL,
    cash INTEGER NOT NULL, card INTEGER NOT NULL, secucard INTEGER NOT NULL,
    gross_a INTEGER NOT NULL, tax_a INTEGER NOT NULL,
    gross_b INTEGER NOT NULL, tax_b INTEGER NOT NULL,
    gross_c INTEGER NOT NULL, tax_c INTEGER NOT NULL,
    card_loads INTEGER NOT NULL,
    float INTEGER NOT NULL, cash_in INTEGER NOT NULL, cash_out INTEGER NOT NULL,
    last_receipt INTEGER NOT NULL
);
CREATE TRIGGER totals_append_only_update BEFORE UPDATE ON totals
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER totals_append_only_delete BEFORE DELETE ON totals
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;

CREATE TABLE open_sales (
    sale_id   TEXT PRIMARY KEY,
    state     TEXT NOT NULL CHECK (state IN ('paying', 'queued')),
    since_seq INTEGER NOT NULL,
    since     TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX open_sales_order ON open_sales(state, since_seq);
"#,
    r#"
-- Payments counted by method and the gross cancelled. NULL in the rows
-- written before: those are hashed without these columns.
ALTER TABLE totals ADD COLUMN cash_count INTEGER;
ALTER TABLE totals ADD COLUMN card_count INTEGER;
ALTER TABLE totals ADD COLUMN secucard_count INTEGER;
ALTER TABLE totals ADD COLUMN cancelled INTEGER;

-- A queued sale the provider refused for good waits for the merchant
-- ('failed', with the provider's words) instead of holding up the others.
CREATE TABLE open_sales_v2 (
    sale_id   TEXT PRIMARY KEY,
    state     TEXT NOT NULL CHECK (state IN ('paying', 'queued', 'failed')),
    since_seq INTEGER NOT NULL,
    since     TEXT NOT NULL,
    problem   TEXT
) WITHOUT ROWID;
INSERT INTO open_sales_v2 (sale_id, state, since_seq, since)
    SELECT sale_id, state, since_seq, since FROM open_sales;
DROP TABLE open_sales;
ALTER TABLE open_sales_v2 RENAME TO open_sales;
-- No index on (state, since_seq): the table holds a handful of rows, and
-- one B-tree less is one page less to write with every sale.

-- The newest entry, kept by the database with every insert: removing the
-- newest entries (which no later entry links to) leaves it pointing past them.
CREATE TABLE head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash BLOB    NOT NULL
);
INSERT INTO head (id, seq, hash) SELECT 1, seq, hash FROM entries ORDER BY seq DESC LIMIT 1;
CREATE TRIGGER entries_head AFTER INSERT ON entries
BEGIN INSERT OR REPLACE INTO head (id, seq, hash) VALUES (1, NEW.seq, NEW.hash); END;
CREATE INDEX entries_day_marks ON entries(seq) WHERE kind IN ('terminal_end_of_day', 'closing');
"#,
    r#"
-- A cancellation whose reversal at the provider may be running ('cancelling')
-- is a work item like a payment in doubt: its intent is journaled before the
-- provider is asked, and reconciling settles it.
CREATE TABLE open_sales_v3 (
    sale_id   TEXT PRIMARY KEY,
    state     TEXT NOT NULL CHECK (state IN ('paying', 'queued', 'failed', 'cancelling')),
    since_seq INTEGER NOT NULL,
    since     TEXT NOT NULL,
    problem   TEXT
) WITHOUT ROWID;
INSERT INTO open_sales_v3 (sale_id, state, since_seq, since, problem)
    SELECT sale_id, state, since_seq, since, problem FROM open_sales;
DROP TABLE open_sales;
ALTER TABLE open_sales_v3 RENAME TO open_sales;

-- How far the app has verified the chain, so that the check at start covers
-- only what came since (not part of the record: the daily check covers all).
CREATE TABLE verified (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    seq     INTEGER NOT NULL,
    hash    BLOB    NOT NULL,
    at      TEXT    NOT NULL,
    -- when the whole chain was last walked
    full_at TEXT
);
"#,
    r#"
-- The journal screen's list: one row per sale and cancellation (the entries
-- with a receipt number), with what it is searched by. Not part of the
-- record: the chain hashes `entries` and `totals` only, and every value here
-- is derived from the entry `seq`. Receipt numbers are issued in the order of
-- the entries, so they order the list as the entries do.
CREATE TABLE listing (
    receipt_number INTEGER PRIMARY KEY,
    seq            INTEGER NOT NULL,
    -- the sale's payments added up, or the cancellation's total (negative)
    total          INTEGER NOT NULL,
    -- when it was issued, milliseconds since 1970 (UTC); NULL where the time
    -- does not read as a time (then `day` holds its first ten characters)
    at_ms          INTEGER,
    day            TEXT
);
CREATE INDEX listing_amount ON listing(abs(total));
CREATE INDEX listing_time ON listing(at_ms);
CREATE INDEX listing_day ON listing(day) WHERE day IS NOT NULL;
CREATE TRIGGER listing_append_only_update BEFORE UPDATE ON listing
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER listing_append_only_delete BEFORE DELETE ON listing
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;

-- How a listed row is derived from its entry: written once here, used for
-- the entries already in the journal and, by the trigger, for every new one.
CREATE VIEW listing_of_entries AS
SELECT receipt_number, seq,
    CASE WHEN NOT json_valid(body) THEN 0
         WHEN kind = 'cancellation' THEN COALESCE(json_extract(body, '$.total'), 0)
         ELSE (SELECT COALESCE(SUM(json_extract(p.value, '$.amount')), 0)
               FROM json_each(body, '$.payments') p)
    END AS total,
    CAST(round((julianday(created_at) - 2440587.5) * 86400000.0) AS INTEGER) AS at_ms,
    CASE WHEN julianday(created_at) IS NULL THEN substr(created_at, 1, 10) END AS day
FROM entries
WHERE kind IN ('sale', 'cancellation') AND receipt_number IS NOT NULL AND sale_id IS NOT NULL;

INSERT INTO listing (receipt_number, seq, total, at_ms, day)
    SELECT receipt_number, seq, total, at_ms, day FROM listing_of_entries ORDER BY seq;

CREATE TRIGGER entries_listing AFTER INSERT ON entries
WHEN NEW.kind IN ('sale', 'cancellation') AND NEW.receipt_number IS NOT NULL
BEGIN
    INSERT INTO listing (receipt_number, seq, total, at_ms, day)
        SELECT receipt_number, seq, total, at_ms, day FROM listing_of_entries WHERE seq = NEW.seq;
END;
"#,
    r#"
-- TSE transactions started when the first line entered the basket or a
-- cash movement is about to be signed (`tse_start`) and not yet ended by
-- the sale, its failed payment, the movement's receipt or an abort
-- (`tse_abort`): the work list of the clean-up at start, which
-- finishes what a crash or a closed app left open. Kept by the database
-- from the entries, like `head`; not part of the record.
CREATE TABLE open_tse (
    tx_id     TEXT PRIMARY KEY,
    since_seq INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TRIGGER entries_open_tse_start AFTER INSERT ON entries
WHEN NEW.kind = 'tse_start'
BEGIN INSERT OR IGNORE INTO open_tse (tx_id, since_seq) VALUES (NEW.sale_id, NEW.seq); END;
CREATE TRIGGER entries_open_tse_end AFTER INSERT ON entries
WHEN NEW.kind IN ('sale', 'failed', 'tse_abort', 'cash_receipt')
BEGIN DELETE FROM open_tse WHERE tx_id = NEW.sale_id; END;
CREATE UNIQUE INDEX entries_tse_once ON entries(sale_id, kind)
    WHERE kind IN ('tse_start', 'tse_abort');
-- Outages of the TSE (their start and their end), read by the closing.
CREATE INDEX entries_tse_outages ON entries(seq) WHERE kind IN ('tse_outage', 'tse_outage_end');
"#,
    r#"
-- Who worked the till when an entry was written: the cashier logged in, as
-- JSON {"id": …, "name": …}. NULL in the entries written before (hashed
-- without it) and in those written with nobody logged in.
ALTER TABLE entries ADD COLUMN cashier TEXT;
CREATE INDEX entries_sales_cashier ON entries(seq, cashier) WHERE kind IN ('sale', 'cancellation', 'return');
CREATE INDEX entries_catalog_changes ON entries(kind, seq) WHERE kind = 'catalog_change';
"#,
    r#"
-- The journal screen's list takes the drawer's receipts too: returns (their
-- total, negative) and cash in or out (the amount signed by its direction).
DROP TRIGGER entries_listing;
DROP VIEW listing_of_entries;
CREATE VIEW listing_of_entries AS
SELECT receipt_number, seq,
    CASE WHEN NOT json_valid(body) THEN 0
         WHEN kind IN ('cancellation', 'return') THEN COALESCE(json_extract(body, '$.total'), 0)
         WHEN kind = 'cash_receipt' THEN
             CASE json_extract(body, '$.direction') WHEN 'out' THEN -1 ELSE 1 END
             * COALESCE(json_extract(body, '$.amount'), 0)
         ELSE (SELECT COALESCE(SUM(json_extract(p.value, '$.amount')), 0)
               FROM json_each(body, '$.payments') p)
    END AS total,
    CAST(round((julianday(created_at) - 2440587.5) * 86400000.0) AS INTEGER) AS at_ms,
    CASE WHEN julianday(created_at) IS NULL THEN substr(created_at, 1, 10) END AS day
FROM entries
WHERE kind IN ('sale', 'cancellation', 'return', 'cash_receipt')
    AND receipt_number IS NOT NULL AND sale_id IS NOT NULL;

INSERT OR IGNORE INTO listing (receipt_number, seq, total, at_ms, day)
    SELECT receipt_number, seq, total, at_ms, day FROM listing_of_entries
    WHERE seq IN (SELECT seq FROM entries WHERE kind IN ('return', 'cash_receipt'))
    ORDER BY seq;

CREATE TRIGGER entries_listing AFTER INSERT ON entries
WHEN NEW.kind IN ('sale', 'cancellation', 'return', 'cash_receipt') AND NEW.receipt_number IS NOT NULL
BEGIN
    INSERT INTO listing (receipt_number, seq, total, at_ms, day)
        SELECT receipt_number, seq, total, at_ms, day FROM listing_of_entries WHERE seq = NEW.seq;
END;
"#,
];

/// The kinds `entries_sale_once` indexes: a query by sale id names them
/// (beside the kind it wants) so that SQLite uses that index.
pub(super) const ONCE_PER_SALE: &str =
    "kind IN ('intent', 'sale', 'failed', 'cancellation', 'registered')";

/// The hash the first entry chains to.
pub(super) const GENESIS: [u8; 32] = [0; 32];

/// Kinds of entry.
pub mod kind {
    /// The intent to pay, written before the provider is called.
    pub const INTENT: &str = "intent";
    /// A paid sale: receipt number, payments.
    pub const SALE: &str = "sale";
    pub const RECEIPT_CUSTOMER: &str = "receipt_customer";
    pub const RECEIPT_MERCHANT: &str = "receipt_merchant";
    /// The payment did not happen.
    pub const FAILED: &str = "failed";
    /// A sale paid offline was registered with the provider.
    pub const REGISTERED: &str = "registered";
    /// A counter-booking of a paid sale.
    pub const CANCELLATION: &str = "cancellation";
    pub const CASH_MOVEMENT: &str = "cash_movement";
    pub const DRAWER_OPENED: &str = "drawer_opened";
    pub const CLOSING: &str = "closing";
    /// The shop header and till id receipts are printed with, when they change.
    pub const SETTINGS: &str = "settings";
    /// The payment terminal's end-of-day answer, kept for the next closing.
    pub const TERMINAL_END_OF_DAY: &str = "terminal_end_of_day";
    /// The provider refused to register a sale paid offline, for good: it
    /// needs the merchant's attention (the provider's words are in the body).
    pub const OUTBOX_REFUSED: &str = "outbox_refused";
    /// The intent to cancel a paid sale, written before the provider is asked
    /// to give the money back.
    pub const CANCELLING: &str = "cancelling";
    /// The provider did not reverse the payment: the sale stays paid.
    pub const CANCEL_FAILED: &str = "cancel_failed";
    /// The journal was restored from a backup (which copy, its last receipt number).
    pub const RESTORED: &str = "restored";
    /// The first line entered the basket: its TSE transaction is started
    /// under this id (the sale's id once it is paid).
    pub const TSE_START: &str = "tse_start";
    /// The basket was abandoned (or left open by a crash): its TSE
    /// transaction ended as `AVBelegabbruch` (DSFinV-K 2.6, BON_TYP).
    pub const TSE_ABORT: &str = "tse_abort";
    /// The TSE failed after working (or since the start): when, why.
    pub const TSE_OUTAGE: &str = "tse_outage";
    /// The first signed step after an outage: the outage's end.
    pub const TSE_OUTAGE_END: &str = "tse_outage_end";
    /// Cash put in or taken out with a reason (DSFinV-K `Privateinlage`,
    /// `Privatentnahme`, `Geldtransit`, `Auszahlung`, `Einzahlung`): a receipt
    /// of its own with a number from the sales' sequence.
    pub const CASH_RECEIPT: &str = "cash_receipt";
    /// Lines of a paid sale taken back: a receipt of its own; `sale_id` is the original's.
    pub const RETURN: &str = "return";
    /// The counted cash differs from the expected at a closing (`DifferenzSollIst`).
    pub const CASH_DIFFERENCE: &str = "cash_difference";
    /// A cashier logged in on the till, or the till was locked.
    pub const LOGIN: &str = "login";
    pub const LOGOUT: &str = "logout";
    /// A manager's PIN on the spot allowed one action (who, what, how much).
    pub const AUTHORISATION: &str = "authorisation";
    /// A change to an article, group or cashier (who, when, old → new), so
    /// that the journal explains every price a receipt shows.
    pub const CATALOG_CHANGE: &str = "catalog_change";
    /// The TSE's certificate, public key and serial, journaled once per TSE
    /// (`tse_certificate`): the tax audit export hands the certificate over.
    pub const TSE_CERTIFICATE: &str = "tse_certificate";
}

/// The kinds the layers above the journal write as they are (`Journal::record`):
/// none of them touches a sale, a total or a receipt number.
pub const RECORDED_AS_GIVEN: &[&str] = &[
    kind::LOGIN,
    kind::LOGOUT,
    kind::AUTHORISATION,
    kind::CATALOG_CHANGE,
    kind::TSE_CERTIFICATE,
];

/// The longest note a closing keeps.
pub const MAX_NOTE: usize = 1000;
/// The most cash a drawer can be counted at (guards against typos and overflow).
pub(super) const MAX_COUNTED: i64 = 100_000_000;
