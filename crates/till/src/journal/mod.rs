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

mod cash_day;
mod error;
mod query;
mod read_only;
mod records;
mod schema;
mod search;
#[doc(hidden)]
pub mod testing;
mod tse_events;
mod verify;
mod verify_tse;
mod write;

pub use cash_day::{CashDayError, DrawerFigures, FloatState, ReasonTotal};
pub use error::JournalError;
pub use records::*;
pub use schema::kind;
pub use schema::{MAX_NOTE, RECORDED_AS_GIVEN};
pub use search::{
    JournalEntry, JournalFilter, JournalPage, ListedState, CANCELLATION_PREFIX,
    CASH_RECEIPT_PREFIX, RETURN_PREFIX,
};
pub use tse_events::{
    AbortReason, OutagePeriod, TseAbort, TseOutage, TseRange, TseStartOf, TseSummary,
};
pub use verify_tse::signature_holds as tse_signature_holds;

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, Transaction, TransactionBehavior};

use schema::MIGRATIONS;

pub struct Journal {
    conn: Connection,
    /// The settings last seen in the journal, so that an unchanged one costs no query.
    settings: Option<String>,
    /// Sales whose payment call is running in this process right now: they
    /// are `paying` in the file, but not in doubt, and catching up must leave
    /// them to the call that will answer them.
    running: std::collections::HashSet<String>,
    /// A journal of an older schema opened read-only is read from a migrated
    /// copy in this directory, removed with the journal (after `conn`, which
    /// is dropped first as it is declared first).
    _copy: Option<tempfile::TempDir>,
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
            _copy: None,
        };
        journal.migrate()?;
        journal.create_session()?;
        Ok(journal)
    }

    /// The cashier logged in on this till (`None`: nobody). Every entry
    /// written from now on names them, inside its hash.
    pub fn set_cashier(&mut self, cashier: Option<&CashierRef>) -> Result<(), JournalError> {
        let json = cashier.map(serde_json::to_string).transpose()?;
        self.conn.execute(
            "INSERT OR REPLACE INTO temp.session (id, cashier) VALUES (1, ?1)",
            [json],
        )?;
        Ok(())
    }

    /// Opens an existing journal for reading only (audits, exports): every
    /// write is refused with `ReadOnly`. A journal of an older schema (an old
    /// backup) is read from a migrated copy in a temporary directory: the file
    /// itself is never written.
    pub fn open_read_only(path: &Path) -> Result<Self, JournalError> {
        let (conn, copy) = read_only::open(path)?;
        let journal = Self {
            conn,
            settings: None,
            running: Default::default(),
            _copy: copy,
        };
        // A write then fails as the file's mode says (`ReadOnly`), not for a missing session.
        journal.create_session()?;
        Ok(journal)
    }

    /// Who is logged in on this till: per connection (a TEMP table), never in the file.
    fn create_session(&self) -> Result<(), JournalError> {
        self.conn.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS session (id INTEGER PRIMARY KEY CHECK (id = 1), cashier TEXT)",
        )?;
        Ok(())
    }

    /// The journal's file (`None` for one in memory): exports open their own
    /// read-only connection on it, so that selling goes on meanwhile.
    pub fn path(&self) -> Option<std::path::PathBuf> {
        self.conn
            .path()
            .filter(|p| !p.is_empty())
            .map(std::path::PathBuf::from)
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
