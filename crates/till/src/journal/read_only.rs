//! Opening a journal file for reading only, whatever schema it was written
//! with: an auditor, a verify or an export may be handed an old backup.
//!
//! A file of the current schema is read in place. An older one is copied
//! (SQLite's backup API, from a read-only connection) into a temporary
//! directory, the copy is migrated as the till would migrate it, and the copy
//! is read: the backup itself stays byte for byte as it was, as evidence must.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, MAIN_DB};

use super::schema::MIGRATIONS;
use super::{Journal, JournalError};

/// A read-only connection to the journal at `path` at the current schema,
/// and the temporary directory of its migrated copy when the file is older.
pub(super) fn open(path: &Path) -> Result<(Connection, Option<tempfile::TempDir>), JournalError> {
    if !path.is_file() {
        return Err(JournalError::Open(format!(
            "there is no journal at {}",
            path.display()
        )));
    }
    let conn = connect(path)?;
    let version = match conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0)) {
        Ok(v) => v,
        Err(e) if e.sqlite_error_code() == Some(ErrorCode::NotADatabase) => {
            return Err(not_a_journal(path, "it is not an SQLite database"))
        }
        Err(e) => return Err(e.into()),
    };
    let current = MIGRATIONS.len() as i64;
    if version > current {
        return Err(JournalError::Open(format!(
            "{} was written by a newer Smart Till (schema {version}, this one reads up to {current}); update the app",
            path.display()
        )));
    }
    let has_entries = conn
        .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'entries'")?
        .exists([])?;
    if version < 1 || !has_entries {
        return Err(not_a_journal(path, "it has no journal entries"));
    }
    if version == current {
        return Ok((conn, None));
    }
    let dir = tempfile::Builder::new()
        .prefix("smart-till-journal-")
        .tempdir()
        .map_err(|e| JournalError::Open(format!("no temporary copy of an older journal: {e}")))?;
    let copy = dir.path().join("journal.sqlite3");
    conn.backup(MAIN_DB, &copy, None::<fn(rusqlite::backup::Progress)>)?;
    drop(conn);
    migrate_copy(&copy)?;
    Ok((connect(&copy)?, Some(dir)))
}

fn connect(path: &Path) -> Result<Connection, JournalError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::from_secs(2))?;
    Ok(conn)
}

/// Brings the copy at `copy` to the current schema with the till's own migrations.
fn migrate_copy(copy: &Path) -> Result<(), JournalError> {
    let conn = Connection::open(copy)?;
    // A plain file: the read-only connection after it needs no WAL beside it.
    conn.pragma_update(None, "journal_mode", "DELETE")?;
    let mut journal = Journal {
        conn,
        settings: None,
        running: Default::default(),
        _copy: None,
    };
    journal.migrate()
}

fn not_a_journal(path: &Path, reason: &str) -> JournalError {
    JournalError::Open(format!(
        "{} is not a Smart Till journal: {reason}",
        path.display()
    ))
}
