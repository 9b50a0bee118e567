//! The journal: an append-only, hash-chained SQLite record of every sale.
//!
//! Each entry stores the SHA-256 of its content and of the entry before it, so
//! `verify` finds an entry that was altered, removed or inserted. Triggers
//! refuse UPDATE and DELETE: a correction is a new entry pointing at the old one.

use std::path::Path;

use rusqlite::{params, Connection, ErrorCode, OptionalExtension, TransactionBehavior};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Migrations in order; `user_version` records how many have run.
const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE entries (
    seq            INTEGER PRIMARY KEY,
    kind           TEXT    NOT NULL,
    sale_id        TEXT,
    receipt_number INTEGER,
    created_at     TEXT    NOT NULL,
    body           TEXT    NOT NULL,
    prev_hash      TEXT    NOT NULL,
    hash           TEXT    NOT NULL
);
CREATE INDEX entries_sale ON entries(sale_id);
CREATE UNIQUE INDEX entries_receipt_number ON entries(receipt_number) WHERE kind = 'sale';
CREATE TRIGGER entries_append_only_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER entries_append_only_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
"#];

/// The hash the first entry chains to.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What kind of record an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    Sale,
    Payment,
    CustomerReceipt,
}

impl EntryKind {
    fn as_str(self) -> &'static str {
        match self {
            EntryKind::Sale => "sale",
            EntryKind::Payment => "payment",
            EntryKind::CustomerReceipt => "receipt_customer",
        }
    }
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
            _ => JournalError::Other(e.to_string()),
        }
    }
}

/// One entry to append.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub kind: EntryKind,
    pub sale_id: Option<String>,
    pub receipt_number: Option<u64>,
    pub body: serde_json::Value,
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

/// The first entry whose chain does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    pub seq: i64,
    pub reason: String,
}

pub struct Journal {
    conn: Connection,
}

impl Journal {
    /// Opens (or creates) the journal file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self, JournalError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| JournalError::Open(e.to_string()))?;
        }
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(2))?;
        // WAL: readers never block the till; FULL: a committed sale survives power loss.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let mut journal = Self { conn };
        journal.migrate()?;
        Ok(journal)
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
        let tx = self.conn.transaction()?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The receipt number the next sale gets (gapless, starting at 1).
    fn next_receipt_number(conn: &Connection) -> Result<u64, JournalError> {
        let max: Option<i64> = conn.query_row(
            "SELECT MAX(receipt_number) FROM entries WHERE kind = 'sale'",
            [],
            |r| r.get(0),
        )?;
        Ok(max.unwrap_or(0) as u64 + 1)
    }

    /// Appends the entries that `build` makes, in one durable transaction.
    ///
    /// `build` gets the next receipt number, so that the receipt printed with it
    /// and the entry that stores it can never disagree. Either all entries are
    /// written or none.
    pub fn append_sale<T>(
        &mut self,
        build: impl FnOnce(u64) -> (Vec<NewEntry>, T),
    ) -> Result<T, JournalError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let receipt_number = Self::next_receipt_number(&tx)?;
        let (entries, out) = build(receipt_number);
        let (mut seq, mut prev): (i64, String) = tx
            .query_row(
                "SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .unwrap_or((0, GENESIS.to_string()));
        let created_at = chrono::Local::now().to_rfc3339();
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO entries (seq, kind, sale_id, receipt_number, created_at, body, prev_hash, hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for entry in entries {
                seq += 1;
                let body = entry.body.to_string();
                let receipt_number = entry.receipt_number.map(|n| n as i64);
                let hash = entry_hash(
                    &prev,
                    seq,
                    entry.kind.as_str(),
                    entry.sale_id.as_deref(),
                    receipt_number,
                    &created_at,
                    &body,
                );
                insert.execute(params![
                    seq,
                    entry.kind.as_str(),
                    entry.sale_id,
                    receipt_number,
                    created_at,
                    body,
                    prev,
                    hash
                ])?;
                prev = hash;
            }
        }
        tx.commit()?;
        Ok(out)
    }

    /// All entries of one kind, oldest first.
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
                hash: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Walks the chain; names the first entry that was altered, removed or inserted.
    pub fn verify(&self) -> Result<Option<ChainBreak>, JournalError> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, kind, sale_id, receipt_number, created_at, body, prev_hash, hash
             FROM entries ORDER BY seq",
        )?;
        let mut rows = stmt.query([])?;
        let mut expected_prev = GENESIS.to_string();
        let mut expected_seq = 1;
        while let Some(r) = rows.next()? {
            let seq: i64 = r.get(0)?;
            let prev: String = r.get(6)?;
            let stored: String = r.get(7)?;
            if seq != expected_seq {
                return Ok(Some(ChainBreak {
                    seq,
                    reason: format!("entry {expected_seq} is missing"),
                }));
            }
            if prev != expected_prev {
                return Ok(Some(ChainBreak {
                    seq,
                    reason: "does not follow the entry before it".into(),
                }));
            }
            let kind: String = r.get(1)?;
            let sale_id: Option<String> = r.get(2)?;
            let receipt_number: Option<i64> = r.get(3)?;
            let created_at: String = r.get(4)?;
            let body: String = r.get(5)?;
            let hash = entry_hash(
                &prev,
                seq,
                &kind,
                sale_id.as_deref(),
                receipt_number,
                &created_at,
                &body,
            );
            if hash != stored {
                return Ok(Some(ChainBreak {
                    seq,
                    reason: "its content was altered".into(),
                }));
            }
            expected_prev = stored;
            expected_seq += 1;
        }
        Ok(None)
    }
}

/// SHA-256 over the previous hash and every stored field, length-prefixed so
/// that moving bytes between fields changes the hash.
fn entry_hash(
    prev: &str,
    seq: i64,
    kind: &str,
    sale_id: Option<&str>,
    receipt_number: Option<i64>,
    created_at: &str,
    body: &str,
) -> String {
    let mut h = Sha256::new();
    let receipt_number = receipt_number.map(|n| n.to_string());
    for field in [
        Some(prev),
        Some(&seq.to_string()[..]),
        Some(kind),
        sale_id,
        receipt_number.as_deref(),
        Some(created_at),
        Some(body),
    ] {
        match field {
            Some(f) => {
                h.update((f.len() as u64).to_le_bytes());
                h.update(f.as_bytes());
            }
            None => h.update(u64::MAX.to_le_bytes()),
        }
    }
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sale(n: u64) -> Vec<NewEntry> {
        vec![
            NewEntry {
                kind: EntryKind::Sale,
                sale_id: Some(format!("s{n}")),
                receipt_number: Some(n),
                body: json!({"total": 100}),
            },
            NewEntry {
                kind: EntryKind::Payment,
                sale_id: Some(format!("s{n}")),
                receipt_number: None,
                body: json!({"method": "cash", "amount": 100}),
            },
        ]
    }

    #[test]
    fn receipt_numbers_are_gapless_and_the_chain_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(&dir.path().join("j.sqlite3")).unwrap();
        for _ in 0..3 {
            j.append_sale(|n| (sale(n), ())).unwrap();
        }
        let sales = j.entries(Some("sale")).unwrap();
        let numbers: Vec<_> = sales.iter().map(|s| s.receipt_number.unwrap()).collect();
        assert_eq!(numbers, vec![1, 2, 3]);
        assert_eq!(j.verify().unwrap(), None);
    }

    #[test]
    fn updates_and_deletes_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(&dir.path().join("j.sqlite3")).unwrap();
        j.append_sale(|n| (sale(n), ())).unwrap();
        assert!(j
            .conn
            .execute("UPDATE entries SET body = '{}'", [])
            .is_err());
        assert!(j.conn.execute("DELETE FROM entries", []).is_err());
    }

    #[test]
    fn verify_names_the_altered_entry() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.sqlite3");
        let mut j = Journal::open(&path).unwrap();
        for _ in 0..3 {
            j.append_sale(|n| (sale(n), ())).unwrap();
        }
        // Someone edits the file behind the till's back.
        j.conn
            .execute_batch(
                "DROP TRIGGER entries_append_only_update;
                 UPDATE entries SET body = '{\"total\":1}' WHERE seq = 3;",
            )
            .unwrap();
        let broken = j.verify().unwrap().unwrap();
        assert_eq!(broken.seq, 3);
    }

    #[test]
    fn a_failed_build_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(&dir.path().join("j.sqlite3")).unwrap();
        let mut entries = sale(1);
        // A second sale entry with the same receipt number violates the unique index.
        entries.push(entries[0].clone());
        assert!(j.append_sale(|_| (entries, ())).is_err());
        assert!(j.entries(None).unwrap().is_empty());
    }
}
