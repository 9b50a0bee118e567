//! The journal: an append-only, hash-chained SQLite record of every sale,
//! payment, receipt, cancellation, cash movement and closing.
//!
//! - Each entry stores the SHA-256 of its content (and of the running totals
//!   written with it) chained to the entry before it, so `verify` names the
//!   first entry that was altered, removed or inserted. Triggers refuse UPDATE
//!   and DELETE: a correction is a new entry pointing at the old one.
//! - Every write is one IMMEDIATE transaction that first checks the sale's
//!   state machine: either all of an event's entries are written or none.
//! - `open_sales` is not part of the record: it lists the sales whose payment
//!   is in doubt or whose registration is queued (the outbox), so that start-up
//!   and the outbox worker need not scan the journal. It is written in the same
//!   transaction as the entries it mirrors.

use std::path::Path;
use std::time::Duration;

use rusqlite::{
    params, Connection, ErrorCode, OptionalExtension, Transaction, TransactionBehavior,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::basket::{Basket, VatTotal};
use crate::closing::{CashMovement, Closing, DayFigures, PaymentMethod, RunningTotals};
use crate::money::Cents;
use crate::sale::{SaleEvent, SaleState, TransitionError};
use crate::sha256x8::Batch;

/// Migrations in order; `user_version` records how many have run.
const MIGRATIONS: &[&str] = &[
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
];

/// The hash the first entry chains to.
const GENESIS: [u8; 32] = [0; 32];

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
}

/// Why the journal could not do what was asked, in words for the cashier.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("the disk is full: the sale was not saved. Free some space and try again.")]
    DiskFull,
    #[error("the journal file is read-only: the sale was not saved.")]
    ReadOnly,
    #[error("the journal is busy (locked by another program): the sale was not saved. Try again.")]
    Locked,
    #[error("the journal file is damaged: the sale was not saved. Call support.")]
    Corrupt,
    #[error("the journal could not be opened: {0}")]
    Open(String),
    #[error("sale {sale_id}: {source}")]
    Transition {
        sale_id: String,
        source: TransitionError,
    },
    #[error("there is no paid sale with receipt number {0}")]
    UnknownReceipt(i64),
    #[error(
        "{0} payment(s) are still in doubt: check them with the payment service before the closing"
    )]
    PaymentsInDoubt(usize),
    #[error("the sale belongs to closing Z {0}: a card payment can no longer be cancelled on the terminal")]
    ClosedIn(i64),
    #[error("the amount must be positive")]
    Amount,
    #[error("journal error: {0}")]
    Other(String),
}

impl From<rusqlite::Error> for JournalError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => JournalError::DiskFull,
            Some(ErrorCode::ReadOnly) => JournalError::ReadOnly,
            Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => JournalError::Locked,
            Some(ErrorCode::DatabaseCorrupt) | Some(ErrorCode::NotADatabase) => {
                JournalError::Corrupt
            }
            Some(ErrorCode::CannotOpen) => JournalError::Open(e.to_string()),
            _ => JournalError::Other(e.to_string()),
        }
    }
}

impl From<rusqlite::types::FromSqlError> for JournalError {
    fn from(_: rusqlite::types::FromSqlError) -> Self {
        // A stored value of the wrong type: the file was edited or damaged.
        JournalError::Corrupt
    }
}

impl From<serde_json::Error> for JournalError {
    fn from(e: serde_json::Error) -> Self {
        JournalError::Other(format!("an entry does not decode: {e}"))
    }
}

/// What the till is about to be paid, written before the payment call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentIntent {
    /// Stored in the entry's own column, not again in its body.
    #[serde(skip)]
    pub sale_id: String,
    /// Cash (the till's own payment, `start/cash`) or card (`start/cashless`).
    pub method: PaymentMethod,
    pub basket: Basket,
    pub total: Cents,
    /// The smart transaction; `None` for a sale paid offline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tendered: Option<Cents>,
    /// What the scanned secucard's balance pays (the provider applies it).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub from_card: Cents,
}

fn is_zero(c: &Cents) -> bool {
    c.0 == 0
}

impl PaymentIntent {
    pub fn new(
        sale_id: &str,
        method: PaymentMethod,
        basket: &Basket,
        transaction_id: Option<&str>,
        tendered: Option<Cents>,
    ) -> Self {
        Self {
            sale_id: sale_id.into(),
            method,
            basket: basket.clone(),
            total: basket.total(),
            transaction_id: transaction_id.map(str::to_string),
            tendered,
            from_card: Cents::ZERO,
        }
    }

    /// Net, tax and gross per rate (derived from the basket, not stored twice).
    pub fn vat(&self) -> Vec<VatTotal> {
        self.basket.vat_totals()
    }
}

/// The receipt number and time a paid sale is issued with.
#[derive(Debug, Clone, Copy)]
pub struct Issue {
    pub receipt_number: i64,
    pub issued_at: chrono::DateTime<chrono::Local>,
}

/// One payment of a sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub method: PaymentMethod,
    pub amount: Cents,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tendered: Option<Cents>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<Cents>,
    /// The terminal's receipt number, needed to cancel a card payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminal_receipt: Option<i64>,
}

/// A receipt as received from the provider and as the till rendered it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredReceipt {
    pub received: serde_json::Value,
    pub text: String,
}

/// What completes a paid sale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaidSale {
    /// The intent's smart transaction (not stored twice); `None` for a sale
    /// paid offline, whose transaction the `registered` entry names.
    #[serde(skip)]
    pub transaction_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trans_id: Option<String>,
    pub payments: Vec<Payment>,
    /// Paid locally while the provider was unreachable: queued for registration.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub queued: bool,
    #[serde(skip)]
    pub customer_receipt: Option<StoredReceipt>,
    #[serde(skip)]
    pub merchant_receipt: Option<StoredReceipt>,
}

/// A paid sale as read back from the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SaleRecord {
    pub sale_id: String,
    pub seq: i64,
    pub created_at: String,
    /// The settings (shop header, till id) the receipt was printed with.
    pub settings: Option<serde_json::Value>,
    pub receipt_number: i64,
    pub intent: PaymentIntent,
    pub paid: PaidSale,
    pub state: SaleState,
    /// The Z number of the closing the sale is locked into.
    pub closed_in: Option<i64>,
}

/// A counter-booking as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cancellation {
    pub cancels_receipt: i64,
    pub payments: Vec<Payment>,
    pub vat: Vec<VatTotal>,
    pub total: Cents,
    pub reason: String,
    /// The provider's answer (e.g. `canceltrx`), as received.
    pub provider: Option<serde_json::Value>,
}

/// A payment whose outcome is not known yet.
#[derive(Debug, Clone, PartialEq)]
pub struct InDoubt {
    pub intent: PaymentIntent,
    pub since: String,
}

/// A paid sale still to be registered with the provider.
#[derive(Debug, Clone, PartialEq)]
pub struct QueuedSale {
    pub sale_id: String,
    pub receipt_number: i64,
    pub intent: PaymentIntent,
    pub since: String,
}

/// What the cashier sees of the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxState {
    /// Sales waiting to be registered (not counting the refused ones).
    pub count: usize,
    /// When the oldest queued sale was paid.
    pub oldest: Option<String>,
    /// Sales the provider refused to register: they need the merchant.
    #[serde(default)]
    pub failed: Vec<RefusedSale>,
}

/// A sale paid offline that the provider refused to register, for good.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedSale {
    pub sale_id: String,
    pub receipt_number: i64,
    /// When it was paid.
    pub since: String,
    /// The provider's words.
    pub problem: String,
}

/// An entry as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: i64,
    pub kind: String,
    pub sale_id: Option<String>,
    pub receipt_number: Option<i64>,
    pub created_at: String,
    pub body: serde_json::Value,
    pub hash: String,
}

/// What is wrong with the chain at the first entry where it does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakKind {
    /// The entry's content (or its totals) no longer matches its hash.
    Altered,
    /// Entries are missing before this one.
    Removed,
    /// This entry was put in between two that were written one after the other.
    Inserted,
}

/// The first entry whose chain does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainBreak {
    pub seq: i64,
    pub kind: BreakKind,
    pub reason: String,
}

pub struct Journal {
    conn: Connection,
    /// The settings last seen in the journal, so that an unchanged one costs no query.
    settings: Option<String>,
    /// Sales whose payment call is running in this process right now: they
    /// are `paying` in the file, but not in doubt, and catching up must leave
    /// them to the call that will answer them.
    running: std::collections::HashSet<String>,
}

/// Appends entries inside one transaction, keeping the chain's head.
struct Appender<'t> {
    tx: &'t Transaction<'t>,
    seq: i64,
    prev: [u8; 32],
    created_at: String,
}

impl<'t> Appender<'t> {
    fn new(tx: &'t Transaction<'t>) -> Result<Self, JournalError> {
        Self::at(tx, chrono::Local::now())
    }

    fn at(
        tx: &'t Transaction<'t>,
        now: chrono::DateTime<chrono::Local>,
    ) -> Result<Self, JournalError> {
        let (seq, prev) = tx
            .query_row(
                "SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)),
            )
            .optional()?
            .unwrap_or((0, GENESIS.to_vec()));
        Ok(Self {
            tx,
            seq,
            prev: prev.try_into().map_err(|_| JournalError::Corrupt)?,
            created_at: now.to_rfc3339_opts(chrono::SecondsFormat::Millis, false),
        })
    }

    fn append(
        &mut self,
        kind: &str,
        sale_id: Option<&str>,
        receipt_number: Option<i64>,
        body: &str,
        totals: Option<&RunningTotals>,
    ) -> Result<i64, JournalError> {
        let seq = self.seq + 1;
        let totals_arr = totals.map(|t| (t.to_array(), t.extra_array()));
        let hash = entry_hash(
            &self.prev,
            seq,
            kind,
            sale_id,
            receipt_number,
            &self.created_at,
            body,
            totals_arr.as_ref().map(|(a, e)| (a, Some(e))),
        );
        self.tx
            .prepare_cached(
                "INSERT INTO entries (seq, kind, sale_id, receipt_number, created_at, body, prev_hash, hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                seq,
                kind,
                sale_id,
                receipt_number,
                self.created_at,
                body,
                &self.prev[..],
                &hash[..]
            ])?;
        if let Some((a, e)) = totals_arr {
            self.tx
                .prepare_cached(&format!(
                    "INSERT INTO totals (seq, {}, {}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)",
                    RunningTotals::COLUMNS,
                    RunningTotals::EXTRA_COLUMNS
                ))?
                .execute(params![
                    seq, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11],
                    a[12], a[13], a[14], a[15], a[16], e[0], e[1], e[2], e[3]
                ])?;
        }
        self.seq = seq;
        self.prev = hash;
        Ok(seq)
    }
}

fn latest_totals(conn: &Connection) -> Result<RunningTotals, JournalError> {
    totals_at(conn, None)
}

/// The running totals as of entry `seq` (the latest when `None`).
fn totals_at(conn: &Connection, seq: Option<i64>) -> Result<RunningTotals, JournalError> {
    let sql = format!(
        "SELECT {}, {} FROM totals WHERE seq <= ?1 ORDER BY seq DESC LIMIT 1",
        RunningTotals::COLUMNS,
        RunningTotals::EXTRA_COLUMNS
    );
    let row = conn
        .prepare_cached(&sql)?
        .query_row([seq.unwrap_or(i64::MAX)], |r| {
            let mut a = [0i64; 17];
            for (i, v) in a.iter_mut().enumerate() {
                *v = r.get(i)?;
            }
            // NULL before schema 2: the counts start from zero there.
            let mut e = [0i64; 4];
            for (i, v) in e.iter_mut().enumerate() {
                *v = r.get::<_, Option<i64>>(17 + i)?.unwrap_or(0);
            }
            Ok((a, e))
        })
        .optional()?;
    Ok(row
        .map(|(a, e)| RunningTotals::from_array(a).with_extra(e))
        .unwrap_or_default())
}

/// The last closing: its entry's seq and its body.
fn last_closing(conn: &Connection) -> Result<Option<(i64, Closing)>, JournalError> {
    let row: Option<(i64, String)> = conn
        .prepare_cached(
            "SELECT seq, body FROM entries WHERE kind = 'closing' ORDER BY seq DESC LIMIT 1",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match row {
        Some((seq, body)) => Ok(Some((seq, serde_json::from_str(&body)?))),
        None => Ok(None),
    }
}

/// The terminal's end-of-day answer recorded after the last closing.
fn terminal_since_closing(
    conn: &Connection,
) -> Result<Option<(String, serde_json::Value)>, JournalError> {
    let row: Option<(String, String, String)> = conn
        .prepare_cached(
            "SELECT kind, created_at, body FROM entries
             WHERE kind IN ('terminal_end_of_day', 'closing') ORDER BY seq DESC LIMIT 1",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    match row {
        Some((k, at, body)) if k == kind::TERMINAL_END_OF_DAY => {
            Ok(Some((at, serde_json::from_str(&body)?)))
        }
        _ => Ok(None),
    }
}

/// The time of the first entry after entry `seq`.
fn first_entry_after(conn: &Connection, seq: i64) -> Result<Option<String>, JournalError> {
    Ok(conn
        .prepare_cached("SELECT created_at FROM entries WHERE seq > ?1 ORDER BY seq LIMIT 1")?
        .query_row([seq], |r| r.get(0))
        .optional()?)
}

/// The settings in force at entry `seq`.
fn settings_before(conn: &Connection, seq: i64) -> Result<Option<String>, JournalError> {
    Ok(conn
        .prepare_cached(
            "SELECT body FROM entries WHERE kind = 'settings' AND seq < ?1 ORDER BY seq DESC LIMIT 1",
        )?
        .query_row([seq], |r| r.get(0))
        .optional()?)
}

fn transition(sale_id: &str, from: SaleState, event: SaleEvent) -> Result<SaleState, JournalError> {
    from.apply(event)
        .map_err(|source| JournalError::Transition {
            sale_id: sale_id.to_string(),
            source,
        })
}

/// The state of a sale as the journal knows it (`Open` when it knows nothing).
fn state_of(conn: &Connection, sale_id: &str) -> Result<SaleState, JournalError> {
    let open: Option<String> = conn
        .prepare_cached("SELECT state FROM open_sales WHERE sale_id = ?1")?
        .query_row([sale_id], |r| r.get(0))
        .optional()?;
    match open.as_deref() {
        Some("paying") => return Ok(SaleState::Paying),
        Some(_) => return Ok(SaleState::Paid),
        None => {}
    }
    let mut stmt = conn.prepare_cached(
        "SELECT kind FROM entries WHERE sale_id = ?1
         AND kind IN ('intent', 'sale', 'failed', 'cancellation', 'registered')",
    )?;
    let kinds: Vec<String> = stmt
        .query_map([sale_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let has = |k: &str| kinds.iter().any(|x| x == k);
    Ok(if has(kind::CANCELLATION) {
        SaleState::Cancelled
    } else if has(kind::SALE) {
        SaleState::Paid
    } else if has(kind::FAILED) {
        SaleState::Failed
    } else if has(kind::INTENT) {
        // An intent not settled is always in open_sales; without it the file was edited.
        return Err(JournalError::Corrupt);
    } else {
        SaleState::Open
    })
}

fn read_intent(conn: &Connection, sale_id: &str) -> Result<PaymentIntent, JournalError> {
    let body: String = conn
        .prepare_cached(
            "SELECT body FROM entries WHERE sale_id = ?1 AND kind IN ('intent', 'sale', 'failed', 'cancellation', 'registered') AND kind = 'intent'",
        )?
        .query_row([sale_id], |r| r.get(0))?;
    let mut intent: PaymentIntent = serde_json::from_str(&body)?;
    intent.sale_id = sale_id.to_string();
    Ok(intent)
}

impl Journal {
    /// Opens (or creates) the journal file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self, JournalError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| JournalError::Open(e.to_string()))?;
        }
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(2))?;
        // WAL: readers never block the till; FULL: a committed sale survives power loss.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        let mut journal = Self {
            conn,
            settings: None,
            running: Default::default(),
        };
        journal.migrate()?;
        Ok(journal)
    }

    /// Opens an existing journal for reading only (audits, exports): every
    /// write is refused with `ReadOnly`.
    pub fn open_read_only(path: &Path) -> Result<Self, JournalError> {
        let conn = Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(Duration::from_secs(2))?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version != MIGRATIONS.len() as i64 {
            return Err(JournalError::Open(format!(
                "the journal has schema {version}, this Smart Till reads {}",
                MIGRATIONS.len()
            )));
        }
        Ok(Self {
            conn,
            settings: None,
            running: Default::default(),
        })
    }

    /// How long a write waits for another program's lock before it gives up.
    pub fn set_busy_timeout(&self, timeout: Duration) -> Result<(), JournalError> {
        Ok(self.conn.busy_timeout(timeout)?)
    }

    fn migrate(&mut self) -> Result<(), JournalError> {
        let version: usize = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))?
            .try_into()
            .unwrap_or(0);
        if version > MIGRATIONS.len() {
            return Err(JournalError::Open(format!(
                "the journal was written by a newer Smart Till (schema {version}); update the app"
            )));
        }
        if version >= 1 {
            // A file of the walking skeleton also says schema 1 but lacks the totals.
            let current: bool = self
                .conn
                .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'totals'")?
                .exists([])?;
            if !current {
                return Err(JournalError::Open(
                    "the journal was written by a pre-release Smart Till; move it aside".into(),
                ));
            }
        }
        if version == MIGRATIONS.len() {
            return Ok(());
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        }
        tx.commit()?;
        Ok(())
    }

    fn write_tx(&mut self) -> Result<Transaction<'_>, JournalError> {
        Ok(self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?)
    }

    /// Records the settings receipts are printed with (shop header, till id),
    /// when they differ from the last recorded ones. Returns whether it wrote.
    pub fn record_settings(&mut self, settings: &serde_json::Value) -> Result<bool, JournalError> {
        let body = settings.to_string();
        if self.settings.as_deref() == Some(body.as_str()) {
            return Ok(false);
        }
        let tx = self.write_tx()?;
        let last = settings_before(&tx, i64::MAX)?;
        let changed = last.as_deref() != Some(body.as_str());
        if changed {
            Appender::new(&tx)?.append(kind::SETTINGS, None, None, &body, None)?;
        }
        tx.commit()?;
        self.settings = Some(body);
        Ok(changed)
    }

    /// The intent a sale's payment was started with.
    pub fn intent(&self, sale_id: &str) -> Result<PaymentIntent, JournalError> {
        read_intent(&self.conn, sale_id)
    }

    /// The sale's state as far as the journal knows it.
    pub fn sale_state(&self, sale_id: &str) -> Result<SaleState, JournalError> {
        state_of(&self.conn, sale_id)
    }

    /// Writes the intent to pay: from here the sale is `paying` until the
    /// provider's answer (or reading the transaction back) settles it.
    pub fn begin_payment(&mut self, intent: &PaymentIntent) -> Result<i64, JournalError> {
        let tx = self.write_tx()?;
        let from = state_of(&tx, &intent.sale_id)?;
        transition(&intent.sale_id, from, SaleEvent::BeginPayment)?;
        let body = serde_json::to_string(intent)?;
        let mut app = Appender::new(&tx)?;
        let seq = app.append(kind::INTENT, Some(&intent.sale_id), None, &body, None)?;
        tx.prepare_cached(
            "INSERT INTO open_sales (sale_id, state, since_seq, since) VALUES (?1, 'paying', ?2, ?3)",
        )?
        .execute(params![intent.sale_id, seq, app.created_at])?;
        tx.commit()?;
        Ok(seq)
    }

    /// The payment call of `sale_id` is on its way in this process; until
    /// [`Journal::payment_returned`], catching up leaves the sale alone.
    pub fn payment_started(&mut self, sale_id: &str) {
        self.running.insert(sale_id.to_string());
    }

    /// The payment call of `sale_id` has returned (with or without an answer):
    /// from now on, if the sale is still `paying`, it is in doubt.
    pub fn payment_returned(&mut self, sale_id: &str) {
        self.running.remove(sale_id);
    }

    /// Whether the payment call of `sale_id` is still running in this process.
    pub fn payment_running(&self, sale_id: &str) -> bool {
        self.running.contains(sale_id)
    }

    /// Completes a sale in `paying`: gives it the next receipt number and
    /// writes the sale, its payments and receipts in one transaction.
    ///
    /// `build` gets the receipt number, the time and the intent, so that the
    /// receipt printed and the entry that stores it can never disagree.
    pub fn record_paid<T>(
        &mut self,
        sale_id: &str,
        build: impl FnOnce(Issue, &PaymentIntent) -> (PaidSale, T),
    ) -> Result<T, JournalError> {
        let tx = self.write_tx()?;
        let from = state_of(&tx, sale_id)?;
        transition(sale_id, from, SaleEvent::Paid)?;
        let intent = read_intent(&tx, sale_id)?;
        let mut totals = latest_totals(&tx)?;
        let receipt_number = totals.last_receipt + 1;
        let issued_at = chrono::Local::now();
        let (paid, out) = build(
            Issue {
                receipt_number,
                issued_at,
            },
            &intent,
        );
        let paid_sum: Cents = paid.payments.iter().map(|p| p.amount).sum();
        if paid_sum != intent.total {
            return Err(JournalError::Other(format!(
                "the payments ({paid_sum}) do not add up to the total ({})",
                intent.total
            )));
        }
        totals.sales += 1;
        totals.last_receipt = receipt_number;
        totals.add_vat(&intent.vat(), 1);
        totals.card_loads += intent.basket.card_load_total().0;
        for p in &paid.payments {
            totals.add_payment(p.method, p.amount);
        }
        let mut app = Appender::at(&tx, issued_at)?;
        let body = serde_json::to_string(&paid)?;
        let seq = app.append(
            kind::SALE,
            Some(sale_id),
            Some(receipt_number),
            &body,
            Some(&totals),
        )?;
        for (k, receipt) in [
            (kind::RECEIPT_CUSTOMER, &paid.customer_receipt),
            (kind::RECEIPT_MERCHANT, &paid.merchant_receipt),
        ] {
            if let Some(r) = receipt {
                app.append(k, Some(sale_id), None, &serde_json::to_string(r)?, None)?;
            }
        }
        if paid.queued {
            tx.prepare_cached(
                "UPDATE open_sales SET state = 'queued', since_seq = ?2, since = ?3 WHERE sale_id = ?1",
            )?
            .execute(params![sale_id, seq, app.created_at])?;
        } else {
            tx.prepare_cached("DELETE FROM open_sales WHERE sale_id = ?1")?
                .execute([sale_id])?;
        }
        tx.commit()?;
        Ok(out)
    }

    /// The payment of a sale in `paying` did not happen.
    pub fn record_failed(
        &mut self,
        sale_id: &str,
        reason: &str,
        provider: Option<&serde_json::Value>,
    ) -> Result<(), JournalError> {
        let tx = self.write_tx()?;
        let from = state_of(&tx, sale_id)?;
        transition(sale_id, from, SaleEvent::Failed)?;
        let body = serde_json::json!({"reason": reason, "provider": provider}).to_string();
        Appender::new(&tx)?.append(kind::FAILED, Some(sale_id), None, &body, None)?;
        tx.prepare_cached("DELETE FROM open_sales WHERE sale_id = ?1")?
            .execute([sale_id])?;
        tx.commit()?;
        Ok(())
    }

    /// A sale paid offline is now registered with the provider: it leaves the outbox.
    pub fn record_registered(
        &mut self,
        sale_id: &str,
        transaction_id: &str,
        provider: &serde_json::Value,
    ) -> Result<(), JournalError> {
        let tx = self.write_tx()?;
        let queued: bool = tx
            .prepare_cached("SELECT 1 FROM open_sales WHERE sale_id = ?1 AND state = 'queued'")?
            .exists([sale_id])?;
        if !queued {
            let from = state_of(&tx, sale_id)?;
            return Err(JournalError::Transition {
                sale_id: sale_id.into(),
                source: TransitionError::Illegal {
                    from: from.as_str(),
                    event: "registered from the outbox",
                },
            });
        }
        let body =
            serde_json::json!({"transaction_id": transaction_id, "provider": provider}).to_string();
        Appender::new(&tx)?.append(kind::REGISTERED, Some(sale_id), None, &body, None)?;
        tx.prepare_cached("DELETE FROM open_sales WHERE sale_id = ?1")?
            .execute([sale_id])?;
        tx.commit()?;
        Ok(())
    }

    /// The paid sale with this receipt number.
    pub fn sale_by_receipt(&self, receipt_number: i64) -> Result<SaleRecord, JournalError> {
        let row: Option<(i64, String, String, String)> = self
            .conn
            .prepare_cached(
                "SELECT seq, sale_id, body, created_at FROM entries WHERE receipt_number = ?1 AND kind = 'sale'",
            )?
            .query_row([receipt_number], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?;
        let (seq, sale_id, body, created_at) =
            row.ok_or(JournalError::UnknownReceipt(receipt_number))?;
        let mut paid: PaidSale = serde_json::from_str(&body)?;
        let intent = read_intent(&self.conn, &sale_id)?;
        paid.transaction_id = match &intent.transaction_id {
            Some(id) => Some(id.clone()),
            // Paid offline: the transaction is named where it was registered.
            None => self
                .conn
                .prepare_cached(
                    "SELECT body FROM entries WHERE sale_id = ?1 AND kind IN ('intent', 'sale', 'failed', 'cancellation', 'registered') AND kind = 'registered'",
                )?
                .query_row([&sale_id], |r| r.get::<_, String>(0))
                .optional()?
                .and_then(|b| serde_json::from_str::<serde_json::Value>(&b).ok())
                .and_then(|v| v["transaction_id"].as_str().map(str::to_string)),
        };
        // The receipts were written right after the sale, in the same transaction.
        let mut stmt = self.conn.prepare_cached(
            "SELECT kind, body FROM entries WHERE seq > ?1 AND seq <= ?1 + 2 AND sale_id = ?2
             AND kind IN ('receipt_customer', 'receipt_merchant')",
        )?;
        let receipts: Vec<(String, String)> = stmt
            .query_map(params![seq, sale_id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for (k, body) in receipts {
            let r: StoredReceipt = serde_json::from_str(&body)?;
            match k.as_str() {
                kind::RECEIPT_CUSTOMER => paid.customer_receipt = Some(r),
                kind::RECEIPT_MERCHANT => paid.merchant_receipt = Some(r),
                _ => {}
            }
        }
        let closed_in = match last_closing(&self.conn)? {
            Some((closing_seq, _)) if closing_seq > seq => Some(self.closing_covering(seq)?),
            _ => None,
        };
        let settings = match settings_before(&self.conn, seq)? {
            Some(s) => Some(serde_json::from_str(&s)?),
            None => None,
        };
        Ok(SaleRecord {
            created_at,
            settings,
            intent,
            state: state_of(&self.conn, &sale_id)?,
            sale_id,
            seq,
            receipt_number,
            paid,
            closed_in,
        })
    }

    /// The Z number of the first closing after entry `seq`.
    fn closing_covering(&self, seq: i64) -> Result<i64, JournalError> {
        let body: String = self
            .conn
            .prepare_cached(
                "SELECT body FROM entries WHERE kind = 'closing' AND seq > ?1 ORDER BY seq LIMIT 1",
            )?
            .query_row([seq], |r| r.get(0))?;
        Ok(serde_json::from_str::<Closing>(&body)?.z_number)
    }

    /// Books a cancellation of a paid sale as a new entry with its own receipt
    /// number; the original stays as it was. `provider` is the provider's
    /// answer to the reversal, where there was one (`canceltrx`, `cancel`).
    pub fn record_cancellation(
        &mut self,
        receipt_number: i64,
        reason: &str,
        provider: Option<serde_json::Value>,
    ) -> Result<(i64, Cancellation), JournalError> {
        let original = self.sale_by_receipt(receipt_number)?;
        let tx = self.write_tx()?;
        let from = state_of(&tx, &original.sale_id)?;
        transition(&original.sale_id, from, SaleEvent::Cancel)?;
        let mut totals = latest_totals(&tx)?;
        let number = totals.last_receipt + 1;
        let cancellation = Cancellation {
            cancels_receipt: receipt_number,
            payments: original
                .paid
                .payments
                .iter()
                .map(|p| Payment {
                    method: p.method,
                    amount: -p.amount,
                    tendered: None,
                    change: None,
                    terminal_receipt: p.terminal_receipt,
                })
                .collect(),
            vat: original
                .intent
                .vat()
                .iter()
                .map(|v| VatTotal {
                    rate: v.rate,
                    net: -v.net,
                    tax: -v.tax,
                    gross: -v.gross,
                })
                .collect(),
            total: -original.intent.total,
            reason: reason.into(),
            provider,
        };
        totals.cancellations += 1;
        totals.cancelled += original.intent.total.0;
        totals.last_receipt = number;
        totals.add_vat(&original.intent.vat(), -1);
        totals.card_loads -= original.intent.basket.card_load_total().0;
        for p in &original.paid.payments {
            totals.add_payment(p.method, -p.amount);
        }
        let body = serde_json::to_string(&cancellation)?;
        Appender::new(&tx)?.append(
            kind::CANCELLATION,
            Some(&original.sale_id),
            Some(number),
            &body,
            Some(&totals),
        )?;
        // A sale cancelled before it was registered need not be registered any more.
        tx.prepare_cached(
            "DELETE FROM open_sales WHERE sale_id = ?1 AND state IN ('queued', 'failed')",
        )?
        .execute([&original.sale_id])?;
        tx.commit()?;
        Ok((number, cancellation))
    }

    /// Float, cash in or cash out.
    pub fn record_cash_movement(
        &mut self,
        movement: CashMovement,
        amount: Cents,
        note: &str,
    ) -> Result<(), JournalError> {
        if amount.0 <= 0 {
            return Err(JournalError::Amount);
        }
        let tx = self.write_tx()?;
        let mut totals = latest_totals(&tx)?;
        movement.apply(&mut totals, amount);
        let body =
            serde_json::json!({"movement": movement, "amount": amount, "note": note}).to_string();
        Appender::new(&tx)?.append(kind::CASH_MOVEMENT, None, None, &body, Some(&totals))?;
        tx.commit()?;
        Ok(())
    }

    /// The drawer was opened without a sale.
    pub fn record_drawer_opened(&mut self, reason: &str) -> Result<(), JournalError> {
        let tx = self.write_tx()?;
        let mut totals = latest_totals(&tx)?;
        totals.drawer_openings += 1;
        let body = serde_json::json!({ "reason": reason }).to_string();
        Appender::new(&tx)?.append(kind::DRAWER_OPENED, None, None, &body, Some(&totals))?;
        tx.commit()?;
        Ok(())
    }

    /// The figures since the last closing, as they stand now.
    pub fn day_figures(&self) -> Result<DayFigures, JournalError> {
        let since = match last_closing(&self.conn)? {
            Some((seq, _)) => totals_at(&self.conn, Some(seq))?,
            None => RunningTotals::default(),
        };
        Ok(DayFigures::between(&since, &latest_totals(&self.conn)?))
    }

    /// Closes the day: the next Z number, the figures, the cash counted and
    /// the terminal's end-of-day answer. Refused while a payment is in doubt.
    pub fn close_day(
        &mut self,
        cash_counted: Cents,
        terminal: Option<serde_json::Value>,
    ) -> Result<Closing, JournalError> {
        self.close_day_noted(cash_counted, terminal, None)
    }

    /// Stores the terminal's end-of-day answer as its own entry, so that the
    /// closing finds it even after a restart.
    pub fn record_terminal_end_of_day(
        &mut self,
        answer: &serde_json::Value,
    ) -> Result<(), JournalError> {
        let tx = self.write_tx()?;
        Appender::new(&tx)?.append(
            kind::TERMINAL_END_OF_DAY,
            None,
            None,
            &answer.to_string(),
            None,
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The terminal's end-of-day answer recorded since the last closing (the
    /// latest), with when it was recorded.
    pub fn terminal_end_of_day(&self) -> Result<Option<(String, serde_json::Value)>, JournalError> {
        terminal_since_closing(&self.conn)
    }

    /// When the running day began: the time of its first entry.
    pub fn day_opened_at(&self) -> Result<Option<String>, JournalError> {
        let since = last_closing(&self.conn)?.map_or(0, |(seq, _)| seq);
        first_entry_after(&self.conn, since)
    }

    /// [`Journal::close_day`] with the cashier's note. Without `terminal`,
    /// the terminal's answer recorded since the last closing is stored.
    pub fn close_day_noted(
        &mut self,
        cash_counted: Cents,
        terminal: Option<serde_json::Value>,
        note: Option<&str>,
    ) -> Result<Closing, JournalError> {
        let tx = self.write_tx()?;
        let in_doubt: i64 = tx.query_row(
            "SELECT COUNT(*) FROM open_sales WHERE state = 'paying'",
            [],
            |r| r.get(0),
        )?;
        if in_doubt > 0 {
            return Err(JournalError::PaymentsInDoubt(in_doubt as usize));
        }
        let previous = last_closing(&tx)?;
        let since = match &previous {
            Some((seq, _)) => totals_at(&tx, Some(*seq))?,
            None => RunningTotals::default(),
        };
        let now = latest_totals(&tx)?;
        let figures = DayFigures::between(&since, &now);
        let terminal = match terminal {
            Some(t) => Some(t),
            None => terminal_since_closing(&tx)?.map(|(_, t)| t),
        };
        let opened_at = first_entry_after(&tx, previous.as_ref().map_or(0, |(seq, _)| *seq))?;
        let mut app = Appender::new(&tx)?;
        let closing = Closing {
            z_number: previous.map(|(_, c)| c.z_number).unwrap_or(0) + 1,
            closed_at: app.created_at.clone(),
            difference: cash_counted - figures.cash_expected,
            figures,
            cash_counted,
            terminal,
            chain_head: hex::encode(app.prev),
            note: note
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_string),
            opened_at,
        };
        // The closing carries the totals it closed at: the next day starts from them.
        app.append(
            kind::CLOSING,
            None,
            None,
            &serde_json::to_string(&closing)?,
            Some(&now),
        )?;
        tx.commit()?;
        Ok(closing)
    }

    /// A past closing, as it was stored.
    pub fn closing(&self, z_number: i64) -> Result<Option<Closing>, JournalError> {
        Ok(self
            .closings()?
            .into_iter()
            .find(|c| c.z_number == z_number))
    }

    /// All closings, oldest first.
    pub fn closings(&self) -> Result<Vec<Closing>, JournalError> {
        let mut stmt = self
            .conn
            .prepare("SELECT body FROM entries WHERE kind = 'closing' ORDER BY seq")?;
        let bodies: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        bodies
            .iter()
            .map(|b| Ok(serde_json::from_str(b)?))
            .collect()
    }

    /// Payments started but not settled (after a crash or a lost answer).
    pub fn in_doubt(&self) -> Result<Vec<InDoubt>, JournalError> {
        let mut stmt = self.conn.prepare(
            "SELECT sale_id, since FROM open_sales WHERE state = 'paying' ORDER BY since_seq",
        )?;
        let rows: Vec<(String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        rows.into_iter()
            .map(|(id, since)| {
                Ok(InDoubt {
                    intent: read_intent(&self.conn, &id)?,
                    since,
                })
            })
            .collect()
    }

    /// Sales paid offline and not yet registered, in the order they were paid.
    pub fn outbox(&self) -> Result<Vec<QueuedSale>, JournalError> {
        let mut stmt = self.conn.prepare(
            "SELECT o.sale_id, o.since, e.receipt_number FROM open_sales o
             JOIN entries e ON e.seq = o.since_seq
             WHERE o.state = 'queued' ORDER BY o.since_seq",
        )?;
        let rows: Vec<(String, String, i64)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        rows.into_iter()
            .map(|(id, since, receipt_number)| {
                Ok(QueuedSale {
                    intent: read_intent(&self.conn, &id)?,
                    sale_id: id,
                    receipt_number,
                    since,
                })
            })
            .collect()
    }

    /// How many sales wait for registration, and since when; and the ones
    /// the provider refused.
    pub fn outbox_state(&self) -> Result<OutboxState, JournalError> {
        let (count, oldest): (i64, Option<String>) = self.conn.query_row(
            "SELECT COUNT(*), MIN(since) FROM open_sales WHERE state = 'queued'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT o.sale_id, e.receipt_number, o.since, o.problem FROM open_sales o
             JOIN entries e ON e.seq = o.since_seq
             WHERE o.state = 'failed' ORDER BY o.since_seq",
        )?;
        let failed = stmt
            .query_map([], |r| {
                Ok(RefusedSale {
                    sale_id: r.get(0)?,
                    receipt_number: r.get(1)?,
                    since: r.get(2)?,
                    problem: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(OutboxState {
            count: count as usize,
            oldest,
            failed,
        })
    }

    /// The provider refused, for good, to register a sale paid offline: it
    /// leaves the queue so that the sales after it go on, and waits for the
    /// merchant with the provider's words (`problem`). The sale stays paid.
    pub fn record_outbox_refused(
        &mut self,
        sale_id: &str,
        problem: &str,
        provider: Option<&serde_json::Value>,
    ) -> Result<(), JournalError> {
        let tx = self.write_tx()?;
        let queued: bool = tx
            .prepare_cached("SELECT 1 FROM open_sales WHERE sale_id = ?1 AND state = 'queued'")?
            .exists([sale_id])?;
        if !queued {
            let from = state_of(&tx, sale_id)?;
            return Err(JournalError::Transition {
                sale_id: sale_id.into(),
                source: TransitionError::Illegal {
                    from: from.as_str(),
                    event: "refused by the provider from the outbox",
                },
            });
        }
        let body = serde_json::json!({"problem": problem, "provider": provider}).to_string();
        Appender::new(&tx)?.append(kind::OUTBOX_REFUSED, Some(sale_id), None, &body, None)?;
        tx.prepare_cached(
            "UPDATE open_sales SET state = 'failed', problem = ?2 WHERE sale_id = ?1",
        )?
        .execute(params![sale_id, problem])?;
        tx.commit()?;
        Ok(())
    }

    /// Entries of one kind (all when `None`), oldest first.
    pub fn entries(&self, kind: Option<&str>) -> Result<Vec<Entry>, JournalError> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, kind, sale_id, receipt_number, created_at, body, hash
             FROM entries WHERE (?1 IS NULL OR kind = ?1) ORDER BY seq",
        )?;
        let rows = stmt.query_map(params![kind], |r| {
            let body: String = r.get(5)?;
            Ok(Entry {
                seq: r.get(0)?,
                kind: r.get(1)?,
                sale_id: r.get(2)?,
                receipt_number: r.get(3)?,
                created_at: r.get(4)?,
                body: serde_json::from_str(&body).unwrap_or(serde_json::Value::String(body)),
                hash: hex::encode(r.get::<_, Vec<u8>>(6)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Walks the chain; names the first entry that was altered, removed or inserted.
    ///
    /// Entries never change once written, so the chain is checked in ranges
    /// of positions, several per core (a core slowed by other work takes
    /// fewer), each core on its own read connection; each range starts from
    /// the stored hash of the entry before it. The first break by position wins.
    pub fn verify(&self) -> Result<Option<ChainBreak>, JournalError> {
        // From this many entries on, ranges on every core.
        const PARALLEL_FROM: i64 = 20_000;
        const RANGES_PER_CORE: i64 = 4;
        let max_seq: i64 =
            self.conn
                .query_row("SELECT COALESCE(MAX(seq), 0) FROM entries", [], |r| {
                    r.get(0)
                })?;
        // Running totals past the last entry were added (those of a removed
        // entry in between are found by the walk, which reads them anyway).
        let added: Option<i64> = self.conn.query_row(
            "SELECT MIN(seq) FROM totals WHERE seq > ?1",
            [max_seq],
            |r| r.get(0),
        )?;
        let added = added.map(|seq| ChainBreak {
            seq,
            kind: BreakKind::Inserted,
            reason: format!(
                "running totals for entry {seq} were added, but there is no such entry"
            ),
        });
        let beside = first_of(anchor_break(&self.conn, max_seq)?, added);
        let path = self.conn.path().filter(|p| !p.is_empty()).map(Path::new);
        let cores = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(8) as i64;
        let Some(path) = path.filter(|_| cores > 1 && max_seq >= PARALLEL_FROM) else {
            let found = verify_range(&self.conn, 1, max_seq)?;
            return Ok(first_of(found, beside));
        };
        let ranges = cores * RANGES_PER_CORE;
        let chunk = max_seq / ranges + 1;
        let next = std::sync::atomic::AtomicI64::new(0);
        // The first range with a break: later ranges need not be read.
        let broken_at = std::sync::atomic::AtomicI64::new(i64::MAX);
        let results: Vec<Result<Vec<ChainBreak>, JournalError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..cores)
                .map(|_| {
                    scope.spawn(|| {
                        use std::sync::atomic::Ordering::Relaxed;
                        let conn = Connection::open_with_flags(
                            path,
                            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                                | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
                        )?;
                        // No mmap: each range is read once, and a fresh
                        // mapping's page faults cost more than copying the
                        // pages (measured: 1.95 vs 1.4 CPU s for all entries).
                        let mut found = Vec::new();
                        loop {
                            let i = next.fetch_add(1, Relaxed);
                            if i >= ranges || i > broken_at.load(Relaxed) {
                                return Ok(found);
                            }
                            let (from, to) = (1 + i * chunk, ((i + 1) * chunk).min(max_seq));
                            if let Some(b) = verify_range(&conn, from, to)? {
                                broken_at.fetch_min(i, Relaxed);
                                found.push(b);
                            }
                        }
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(JournalError::Other("verify stopped".into())))
                })
                .collect()
        });
        let mut first: Option<ChainBreak> = None;
        for r in results {
            for b in r? {
                first = first_of(first, Some(b));
            }
        }
        Ok(first_of(first, beside))
    }

    /// The journal's file size in bytes (main file + WAL).
    pub fn size_bytes(&self) -> Result<u64, JournalError> {
        let pages: i64 = self.conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
        let size: i64 = self.conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
        Ok((pages * size) as u64)
    }

    /// Direct access for benches and tests in this crate.
    #[doc(hidden)]
    pub fn connection(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

/// What the records kept beside the chain say about its end: the head the
/// database keeps with every insert, the head each closing stored, and the
/// entries the work list of open sales points at. Removing the newest
/// entries breaks no link, so only these can tell.
fn anchor_break(conn: &Connection, max_seq: i64) -> Result<Option<ChainBreak>, JournalError> {
    let stored_hash = |seq: i64| -> Result<Option<Vec<u8>>, JournalError> {
        Ok(conn
            .prepare_cached("SELECT hash FROM entries WHERE seq = ?1")?
            .query_row([seq], |r| r.get(0))
            .optional()?)
    };
    let mut found: Option<ChainBreak> = None;
    let head: Option<(i64, Vec<u8>)> = conn
        .query_row("SELECT seq, hash FROM head WHERE id = 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let head_break = match head {
        None if max_seq > 0 => Some(ChainBreak {
            seq: max_seq,
            kind: BreakKind::Removed,
            reason: format!(
                "the record of the newest entry is gone: entries after {max_seq} may have been removed"
            ),
        }),
        None => None,
        Some((seq, _)) if seq > max_seq => Some(ChainBreak {
            seq: max_seq + 1,
            kind: BreakKind::Removed,
            reason: if seq == max_seq + 1 {
                format!("the newest entry ({seq}) was removed")
            } else {
                format!("the newest entries ({} to {seq}) were removed", max_seq + 1)
            },
        }),
        Some((seq, _)) if seq < max_seq => Some(ChainBreak {
            seq: seq + 1,
            kind: BreakKind::Inserted,
            reason: format!(
                "entries {} to {max_seq} were added behind the journal's back",
                seq + 1
            ),
        }),
        Some((seq, hash)) => (stored_hash(seq)?.as_deref() != Some(&hash[..])).then(|| ChainBreak {
            seq,
            kind: BreakKind::Altered,
            reason: format!("the newest entry ({seq}) is not the one the journal wrote last"),
        }),
    };
    found = first_of(found, head_break);
    // Each closing stored the hash of the entry before it.
    let mut stmt =
        conn.prepare("SELECT seq, body FROM entries WHERE kind = 'closing' ORDER BY seq")?;
    let closings: Vec<(i64, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (seq, body) in closings {
        let Ok(closing) = serde_json::from_str::<Closing>(&body) else {
            // Its hash tells; the chain walk names it.
            continue;
        };
        let before = stored_hash(seq - 1)?.map(hex::encode);
        let expected = (seq == 1).then(|| hex::encode(GENESIS)).or(before);
        if expected.as_deref() != Some(closing.chain_head.as_str()) {
            found = first_of(
                found,
                Some(ChainBreak {
                    seq,
                    kind: BreakKind::Altered,
                    reason: format!(
                        "closing Z {} recorded another head of the journal than entry {} holds",
                        closing.z_number,
                        seq - 1
                    ),
                }),
            );
            break;
        }
    }
    // Sales in doubt or queued point at their entry; it must still be there.
    let dangling: Option<(String, i64)> = conn
        .query_row(
            "SELECT sale_id, since_seq FROM open_sales o
             WHERE NOT EXISTS (SELECT 1 FROM entries e WHERE e.seq = o.since_seq)
             ORDER BY since_seq LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((sale_id, seq)) = dangling {
        found = first_of(
            found,
            Some(ChainBreak {
                seq,
                kind: BreakKind::Removed,
                reason: format!("entry {seq} of open sale {sale_id} was removed"),
            }),
        );
    }
    Ok(found)
}

/// The break at the earlier position.
fn first_of(a: Option<ChainBreak>, b: Option<ChainBreak>) -> Option<ChainBreak> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if b.seq < a.seq { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// Checks the entries at positions `from..=to`: their links, starting from
/// the entry stored before `from`, and their hashes.
fn verify_range(conn: &Connection, from: i64, to: i64) -> Result<Option<ChainBreak>, JournalError> {
    let blob32 = |b: &[u8]| -> Result<[u8; 32], JournalError> {
        b.try_into().map_err(|_| JournalError::Corrupt)
    };
    // The two entries before the range: what the first link must point at,
    // and the one before it (to recognise an insertion).
    let before: Vec<(i64, Vec<u8>)> = conn
        .prepare("SELECT seq, hash FROM entries WHERE seq < ?1 ORDER BY seq DESC LIMIT 2")?
        .query_map([from], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut expected_prev = match before.first() {
        Some((_, h)) => blob32(h)?,
        None => GENESIS,
    };
    let mut expected_seq = before.first().map_or(1, |(s, _)| s + 1);
    let mut before_prev: Option<[u8; 32]> = match before.get(1) {
        Some((_, h)) => Some(blob32(h)?),
        None if before.len() == 1 => Some(GENESIS),
        None => None,
    };
    // Entries and their running totals are read side by side in position
    // order (a merge, not a lookup per entry).
    let mut entry_stmt = conn.prepare(
        "SELECT seq, kind, sale_id, receipt_number, created_at, body, prev_hash, hash
         FROM entries WHERE seq BETWEEN ?1 AND ?2 ORDER BY seq",
    )?;
    let mut totals_stmt = conn.prepare(&format!(
        "SELECT seq, {}, {} FROM totals WHERE seq BETWEEN ?1 AND ?2 ORDER BY seq",
        RunningTotals::COLUMNS,
        RunningTotals::EXTRA_COLUMNS
    ))?;
    let mut rows = entry_stmt.query([from, to])?;
    let mut totals_rows = totals_stmt.query([from, to])?;
    type TotalsRow = (i64, [i64; 17], Option<[i64; 4]>);
    let mut next_totals = || -> Result<Option<TotalsRow>, JournalError> {
        match totals_rows.next()? {
            Some(r) => {
                let mut t = [0i64; 17];
                // `get_ref`: the stored integer without a conversion step.
                for (i, v) in t.iter_mut().enumerate() {
                    *v = r.get_ref(1 + i)?.as_i64()?;
                }
                let mut e = [0i64; 4];
                let mut extra = true;
                for (i, v) in e.iter_mut().enumerate() {
                    match r.get_ref(18 + i)?.as_i64_or_null()? {
                        Some(x) => *v = x,
                        None => extra = false,
                    }
                }
                Ok(Some((r.get(0)?, t, extra.then_some(e))))
            }
            None => Ok(None),
        }
    };
    let mut pending_totals = next_totals()?;
    // The first running totals in the range without their entry.
    let mut orphan: Option<i64> = None;
    let orphan_break = |orphan: Option<i64>| {
        orphan.map(|seq| ChainBreak {
            seq,
            kind: BreakKind::Removed,
            reason: format!("entry {seq} was removed; its running totals remain"),
        })
    };
    let mut buf = Vec::with_capacity(1024);
    // Links are checked entry by entry; contents are hashed in batches,
    // several entries side by side (`sha256x8`). A batch is checked before
    // any link break after it is reported, so the first break still wins.
    const BATCH: usize = 64;
    let mut batch = Batch::default();
    let mut batch_seqs: Vec<(i64, [u8; 32])> = Vec::with_capacity(BATCH);
    let mut digests = Vec::with_capacity(BATCH);
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(0)?;
        let prev = blob32(r.get_ref(6)?.as_blob()?)?;
        let stored = blob32(r.get_ref(7)?.as_blob()?)?;
        if prev != expected_prev {
            let altered = first_altered(&batch, &batch_seqs, &mut digests);
            let link = altered.or(Some(link_break(
                seq,
                expected_seq,
                before_prev == Some(prev),
            )));
            return Ok(first_of(link, orphan_break(orphan)));
        }
        if seq != expected_seq {
            let altered = first_altered(&batch, &batch_seqs, &mut digests);
            let gap = altered.or(Some(ChainBreak {
                seq: expected_seq,
                kind: BreakKind::Removed,
                reason: format!("entry {expected_seq} is missing"),
            }));
            return Ok(first_of(gap, orphan_break(orphan)));
        }
        // Running totals whose entry is gone: the entry was removed.
        while let Some((t, _, _)) = pending_totals.filter(|(t, _, _)| *t < seq) {
            orphan = orphan.or(Some(t));
            pending_totals = next_totals()?;
        }
        let totals = match pending_totals {
            Some((t, values, extra)) if t == seq => {
                pending_totals = next_totals()?;
                Some((values, extra))
            }
            _ => None,
        };
        entry_message(
            &mut buf,
            &prev,
            seq,
            // The stored bytes as SQLite holds them: no copy, no UTF-8 check.
            r.get_ref(1)?.as_bytes()?,
            r.get_ref(2)?.as_bytes_or_null()?,
            r.get_ref(3)?.as_i64_or_null()?,
            r.get_ref(4)?.as_bytes()?,
            r.get_ref(5)?.as_bytes()?,
            totals.as_ref().map(|(t, e)| (t, e.as_ref())),
        );
        batch.push(&buf);
        batch_seqs.push((seq, stored));
        if batch.len() == BATCH {
            if let Some(altered) = first_altered(&batch, &batch_seqs, &mut digests) {
                return Ok(first_of(Some(altered), orphan_break(orphan)));
            }
            batch.clear();
            batch_seqs.clear();
        }
        before_prev = Some(expected_prev);
        expected_prev = stored;
        expected_seq += 1;
    }
    // Running totals after the range's last entry: their entries are gone.
    let orphan = orphan.or(pending_totals.map(|(t, _, _)| t));
    let altered = first_altered(&batch, &batch_seqs, &mut digests);
    Ok(first_of(altered, orphan_break(orphan)))
}

/// The first entry of a batch whose content no longer matches its stored hash.
fn first_altered(
    batch: &Batch,
    seqs: &[(i64, [u8; 32])],
    digests: &mut Vec<[u8; 32]>,
) -> Option<ChainBreak> {
    batch.digests(digests);
    seqs.iter()
        .zip(digests.iter())
        .find(|((_, stored), digest)| stored != *digest)
        .map(|((seq, _), _)| ChainBreak {
            seq: *seq,
            kind: BreakKind::Altered,
            reason: "its content no longer matches its hash".into(),
        })
}

/// Names what broke when entry `seq` does not link to the entry stored before it.
fn link_break(seq: i64, expected_seq: i64, links_to_the_one_before: bool) -> ChainBreak {
    if links_to_the_one_before {
        ChainBreak {
            seq: seq - 1,
            kind: BreakKind::Inserted,
            reason: format!(
                "entry {} was put in between; entry {seq} follows the one before it",
                seq - 1
            ),
        }
    } else if seq > expected_seq {
        ChainBreak {
            seq: expected_seq,
            kind: BreakKind::Removed,
            reason: format!("entries {expected_seq} to {} are missing", seq - 1),
        }
    } else if seq == 1 {
        ChainBreak {
            seq,
            kind: BreakKind::Removed,
            reason: "the entries before it are missing".into(),
        }
    } else {
        ChainBreak {
            seq: seq - 1,
            kind: BreakKind::Altered,
            reason: format!(
                "entry {} was changed and hashed again: entry {seq} no longer follows it",
                seq - 1
            ),
        }
    }
}

/// SHA-256 over the previous hash and every stored field, length-prefixed so
/// that moving bytes between fields changes the hash.
#[allow(clippy::too_many_arguments)]
fn entry_hash(
    prev: &[u8; 32],
    seq: i64,
    kind: &str,
    sale_id: Option<&str>,
    receipt_number: Option<i64>,
    created_at: &str,
    body: &str,
    totals: Option<(&[i64; 17], Option<&[i64; 4]>)>,
) -> [u8; 32] {
    entry_hash_bytes(
        &mut Vec::with_capacity(256 + body.len()),
        prev,
        seq,
        kind.as_bytes(),
        sale_id.map(str::as_bytes),
        receipt_number,
        created_at.as_bytes(),
        body.as_bytes(),
        totals,
    )
}

/// [`entry_hash`] over the text fields' bytes. The hashed message is laid
/// out in `buf` (reused across entries by `verify`) and hashed in one call:
/// SHA-256 fed in ~35 small pieces costs more than the hashing itself.
#[allow(clippy::too_many_arguments)]
fn entry_hash_bytes(
    buf: &mut Vec<u8>,
    prev: &[u8; 32],
    seq: i64,
    kind: &[u8],
    sale_id: Option<&[u8]>,
    receipt_number: Option<i64>,
    created_at: &[u8],
    body: &[u8],
    totals: Option<(&[i64; 17], Option<&[i64; 4]>)>,
) -> [u8; 32] {
    entry_message(
        buf,
        prev,
        seq,
        kind,
        sale_id,
        receipt_number,
        created_at,
        body,
        totals,
    );
    Sha256::digest(&buf[..]).into()
}

/// The bytes an entry's hash is taken over, laid out in `buf`.
#[allow(clippy::too_many_arguments)]
fn entry_message(
    buf: &mut Vec<u8>,
    prev: &[u8; 32],
    seq: i64,
    kind: &[u8],
    sale_id: Option<&[u8]>,
    receipt_number: Option<i64>,
    created_at: &[u8],
    body: &[u8],
    totals: Option<(&[i64; 17], Option<&[i64; 4]>)>,
) {
    buf.clear();
    buf.extend_from_slice(prev);
    buf.extend_from_slice(&seq.to_le_bytes());
    let receipt_number = receipt_number.map(i64::to_le_bytes);
    for field in [
        Some(kind),
        sale_id,
        receipt_number.as_ref().map(|b| &b[..]),
        Some(created_at),
        Some(body),
    ] {
        match field {
            Some(f) => {
                buf.extend_from_slice(&(f.len() as u64).to_le_bytes());
                buf.extend_from_slice(f);
            }
            None => buf.extend_from_slice(&u64::MAX.to_le_bytes()),
        }
    }
    match totals {
        // Rows before schema 2 have no counts: hashed as they were written.
        Some((t, None)) => {
            buf.push(1);
            for v in t {
                buf.extend_from_slice(&v.to_le_bytes());
            }
        }
        Some((t, Some(e))) => {
            buf.push(2);
            for v in t.iter().chain(e) {
                buf.extend_from_slice(&v.to_le_bytes());
            }
        }
        None => buf.push(0),
    }
}

#[doc(hidden)]
pub mod testing {
    //! Writes many sales fast, for benches: the same entries as a real sale,
    //! in one transaction.
    use super::*;

    /// Appends `n` paid cash sales of `intent`'s basket in one transaction.
    pub fn append_sales_bulk(
        journal: &mut Journal,
        n: usize,
        make: impl Fn(usize, i64) -> (PaymentIntent, PaidSale),
    ) -> Result<(), JournalError> {
        let tx = journal.write_tx()?;
        let mut totals = latest_totals(&tx)?;
        let mut app = Appender::new(&tx)?;
        for i in 0..n {
            let receipt_number = totals.last_receipt + 1;
            let (intent, paid) = make(i, receipt_number);
            app.append(
                kind::INTENT,
                Some(&intent.sale_id),
                None,
                &serde_json::to_string(&intent)?,
                None,
            )?;
            totals.sales += 1;
            totals.last_receipt = receipt_number;
            totals.add_vat(&intent.vat(), 1);
            for p in &paid.payments {
                totals.add_payment(p.method, p.amount);
            }
            app.append(
                kind::SALE,
                Some(&intent.sale_id),
                Some(receipt_number),
                &serde_json::to_string(&paid)?,
                Some(&totals),
            )?;
            if let Some(r) = &paid.customer_receipt {
                app.append(
                    kind::RECEIPT_CUSTOMER,
                    Some(&intent.sale_id),
                    None,
                    &serde_json::to_string(r)?,
                    None,
                )?;
            }
        }
        drop(app);
        tx.commit()?;
        Ok(())
    }
}
