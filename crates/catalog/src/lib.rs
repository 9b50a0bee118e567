//! The shop's master data: articles and product groups, scanner codes, CSV
//! import and export, cashiers with PINs, and the rights table.
//!
//! Kept in its own SQLite file beside the journal. Master data changes; the
//! journal keeps what each sale sold. Every row has a stable UUID, a revision
//! and an `active` flag (no row is ever deleted), and every change is returned
//! and kept as a [`ChangeEvent`] the journal can store.

pub mod articles;
pub mod cashiers;
pub mod changes;
pub mod clock;
pub mod codes;
pub mod csv_io;
pub mod demo;
pub mod error;
pub mod groups;
pub mod import;
pub mod pins;
pub mod rights;
pub mod scan;
pub mod schema;
pub mod search;
pub mod text;

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use uuid::Uuid;

pub use articles::{Article, ArticleDraft, Unit};
pub use cashiers::{Authorisation, Cashier, Role};
pub use changes::{Actor, ChangeAction, ChangeEvent, Entity, FieldChange, StoredChange};
pub use clock::{Clock, ManualClock, SystemClock};
pub use codes::{CodeError, Measure};
pub use error::{CatalogError, ErrorBody, Result};
pub use groups::{Group, GroupDraft};
pub use import::{ApplyMode, ImportOutcome, ImportPreview};
pub use pins::Backoff;
pub use rights::{requires_manager, Action, Limits};
pub use scan::{ScanHit, ScanOutcome, UnknownCode};
pub use search::{Filter, Page};

/// The catalogue file, open.
pub struct Catalog {
    conn: Connection,
    clock: Arc<dyn Clock>,
    backoff: Backoff,
}

/// The file holds the PIN hashes: readable and writable by the till's user only
/// (SQLite gives its -wal and -shm files the same mode).
#[cfg(unix)]
fn keep_private(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Err(e) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)) {
        tracing::warn!("could not make the catalogue file private: {e}");
    }
}

#[cfg(not(unix))]
fn keep_private(_path: &Path) {}

impl Catalog {
    /// Opens (or creates) the catalogue at `path`, e.g. `catalog.sqlite3` in the till's data folder.
    pub fn open(path: &Path) -> Result<Catalog> {
        Catalog::open_with_clock(path, Arc::new(SystemClock))
    }

    pub fn open_with_clock(path: &Path, clock: Arc<dyn Clock>) -> Result<Catalog> {
        let mut conn = Connection::open(path)?;
        keep_private(path);
        schema::migrate(&mut conn)?;
        Ok(Catalog {
            conn,
            clock,
            backoff: Backoff::default(),
        })
    }

    /// Changes the wrong-PIN slow-down (a shop setting).
    pub fn set_backoff(&mut self, backoff: Backoff) {
        self.backoff = backoff;
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The changes of one article, group or cashier, oldest first.
    pub fn history(&self, entity_id: Uuid) -> Result<Vec<ChangeEvent>> {
        changes::history(&self.conn, entity_id)
    }

    /// Every change after `seq` (0 for all), oldest first, at most `limit`.
    pub fn changes_since(&self, seq: i64, limit: u32) -> Result<Vec<StoredChange>> {
        changes::since(&self.conn, seq, limit)
    }
}
