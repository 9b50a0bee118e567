//! Backup and restore of the journal.
//!
//! A backup is a consistent copy taken while the till keeps selling: SQLite's
//! online backup API copies every page inside one read transaction (in WAL
//! mode readers never block the writer), so the copy holds exactly the sales
//! committed when it started. The copy is a self-contained file (no `-wal`),
//! checked (`quick_check`, schema, hash chain) before it gets its final name.
//!
//! A restore puts a checked backup in place of the journal while the app is
//! not running ([`DataDirLock`]); the journal it replaces is kept aside under
//! a timestamped name, never deleted. It refuses to put an older copy (or
//! another till's) over a healthy journal: receipt numbers would be issued a
//! second time. Where the journal is missing or damaged it restores, and the
//! restore is journaled as the first entry after the copy's own.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use crate::journal::{ChainBreak, Journal, JournalError};

/// The lock file the running app holds in its data directory.
pub const LOCK_FILE: &str = "smart-till.lock";

/// How long a copy waits for a writer that holds the file longer than usual.
const BUSY_WAIT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("there is no journal at {0}")]
    NoJournal(PathBuf),
    #[error(
        "{0} already exists: choose another file name (an existing backup is never overwritten)"
    )]
    Exists(PathBuf),
    #[error("{path} is not a Smart Till journal: {reason}")]
    NotAJournal { path: PathBuf, reason: String },
    #[error("the hash chain of {path} does not hold at entry {}: {}", .brk.seq, .brk.reason)]
    ChainBroken { path: PathBuf, brk: ChainBreak },
    #[error("the journal stayed locked by another program for {0:?}; try again")]
    Busy(Duration),
    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error("{path} is older than the journal (its last receipt is {backup_last}, the journal's is {journal_last}): restoring it would issue receipt numbers a second time. The journal is healthy and was left as it is.")]
    Older {
        path: PathBuf,
        backup_last: i64,
        journal_last: i64,
    },
    #[error("{path} is not a copy of this journal (their entries differ from entry {seq} on): the journal is healthy and was left as it is.")]
    Diverged { path: PathBuf, seq: i64 },
}

fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> BackupError {
    let path = path.to_path_buf();
    move |source| BackupError::Io {
        action,
        path,
        source,
    }
}

/// What a checked journal file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub entries: i64,
    /// The last receipt number issued (`None` before the first sale).
    pub last_receipt: Option<i64>,
    pub bytes: u64,
    /// The newest entry's position (0 for an empty journal).
    pub head_seq: i64,
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    pub summary: Summary,
    /// Where the journal that was replaced now is (`None` when there was none).
    pub kept_aside: Option<PathBuf>,
    /// Why it was replaced: missing, damaged (and how), or an older copy of the backup.
    pub replaced: String,
}

/// Copies the journal at `journal` to the new file `dest`, consistently,
/// while other connections keep writing; checks the copy before it gets its name.
pub fn backup(journal: &Path, dest: &Path) -> Result<Summary, BackupError> {
    if !journal.is_file() {
        return Err(BackupError::NoJournal(journal.to_path_buf()));
    }
    if dest.exists() {
        return Err(BackupError::Exists(dest.to_path_buf()));
    }
    let part = with_suffix(dest, ".part");
    let result = copy_pages(journal, &part).and_then(|()| check(&part));
    let summary = match result {
        Ok(s) => s,
        Err(e) => {
            let _ = std::fs::remove_file(&part);
            return Err(e);
        }
    };
    // Another process may have taken the name meanwhile: never replace it.
    if dest.exists() {
        let _ = std::fs::remove_file(&part);
        return Err(BackupError::Exists(dest.to_path_buf()));
    }
    std::fs::rename(&part, dest).map_err(io("renaming to", dest))?;
    sync_dir(dest);
    Ok(summary)
}

/// Checks that `file` is a whole journal: SQLite's `quick_check`, the schema
/// this app reads, and the hash chain of every entry.
pub fn check(file: &Path) -> Result<Summary, BackupError> {
    let not_journal = |reason: String| BackupError::NotAJournal {
        path: file.to_path_buf(),
        reason,
    };
    if !file.is_file() {
        return Err(BackupError::NoJournal(file.to_path_buf()));
    }
    let bytes = std::fs::metadata(file).map_err(io("reading", file))?.len();
    {
        let conn = Connection::open_with_flags(
            file,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let ok: String = conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(|e| not_journal(e.to_string()))?;
        if ok != "ok" {
            return Err(not_journal(format!("SQLite finds it damaged ({ok})")));
        }
        let has_entries = conn
            .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'entries'")?
            .exists([])?;
        if !has_entries {
            return Err(not_journal("it has no journal entries table".into()));
        }
    }
    let journal = Journal::open_read_only(file).map_err(|e| not_journal(e.to_string()))?;
    if let Some(brk) = journal.verify()? {
        return Err(BackupError::ChainBroken {
            path: file.to_path_buf(),
            brk,
        });
    }
    let conn = Connection::open_with_flags(
        file,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let (entries, last_receipt, head_seq) = conn.query_row(
        "SELECT COUNT(*), MAX(receipt_number), COALESCE(MAX(seq), 0) FROM entries",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    Ok(Summary {
        entries,
        last_receipt,
        bytes,
        head_seq,
    })
}

/// Whether the backup `from` may replace the journal at `journal`, and why:
/// always where the journal is missing or damaged; over a healthy journal
/// only a copy that holds all of it (the same entries up to its head).
fn may_replace(from: &Path, backup: &Summary, journal: &Path) -> Result<String, BackupError> {
    if !journal.exists() {
        return Ok("there was no journal".into());
    }
    let current = match check(journal) {
        Ok(current) => current,
        Err(e) => return Ok(format!("the journal was damaged: {e}")),
    };
    if backup.head_seq < current.head_seq {
        return Err(BackupError::Older {
            path: from.to_path_buf(),
            backup_last: backup.last_receipt.unwrap_or(0),
            journal_last: current.last_receipt.unwrap_or(0),
        });
    }
    let head = Journal::open_read_only(journal)?.head()?;
    if let Some((seq, hash)) = head {
        if Journal::open_read_only(from)?.hash_at(seq)? != Some(hash) {
            return Err(BackupError::Diverged {
                path: from.to_path_buf(),
                seq,
            });
        }
    }
    Ok("the journal was an older state of the backup".into())
}

/// Puts the backup `from` in place of the journal at `journal`, after checking
/// it. The caller holds the [`DataDirLock`]: the app must not be running.
/// The current journal (with its `-wal`) is renamed to
/// `journal.sqlite3.before-restore-<UTC time>`, never deleted.
pub fn restore(from: &Path, journal: &Path) -> Result<Restored, BackupError> {
    let backup = check(from)?;
    let replaced = may_replace(from, &backup, journal)?;
    let dir = journal.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io("creating", dir))?;
    // Copy next to the journal first, so that putting it in place is one rename.
    let incoming = with_suffix(journal, ".restoring");
    let _ = std::fs::remove_file(&incoming);
    let prepared = copy_pages(from, &incoming)
        .and_then(|()| check(&incoming))
        .and_then(|summary| {
            record_restore(&incoming, from, &summary, &replaced)?;
            Ok(summary)
        });
    let summary = match prepared {
        Ok(s) => s,
        Err(e) => {
            let _ = std::fs::remove_file(&incoming);
            return Err(e);
        }
    };

    let kept_aside = if journal.exists() {
        // Fold the WAL into the file when it can be opened, so the copy kept
        // aside is one file; when it cannot, its -wal travels with it.
        if let Ok(conn) = Connection::open(journal) {
            let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
            let _ = conn.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()));
        }
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let mut aside = with_suffix(journal, &format!(".before-restore-{stamp}"));
        let mut n = 1;
        while aside.exists() {
            n += 1;
            aside = with_suffix(journal, &format!(".before-restore-{stamp}-{n}"));
        }
        for side in ["-wal", "-shm", "-journal"] {
            let src = with_suffix(journal, side);
            if src.exists() {
                std::fs::rename(&src, with_suffix(&aside, side))
                    .map_err(io("keeping aside", &src))?;
            }
        }
        std::fs::rename(journal, &aside).map_err(io("keeping aside", journal))?;
        Some(aside)
    } else {
        None
    };
    std::fs::rename(&incoming, journal).map_err(io("putting in place", journal))?;
    sync_dir(journal);
    Ok(Restored {
        summary,
        kept_aside,
        replaced,
    })
}

/// Journals the restore in the copy about to be put in place: which file,
/// its last receipt number and newest entry, why the journal was replaced.
fn record_restore(
    incoming: &Path,
    from: &Path,
    summary: &Summary,
    replaced: &str,
) -> Result<(), BackupError> {
    let mut j = Journal::open(incoming)?;
    j.record_restored(&serde_json::json!({
        "from": from.display().to_string(),
        "last_receipt": summary.last_receipt,
        "head_seq": summary.head_seq,
        "replaced": replaced,
    }))?;
    // One self-contained file again before it is renamed into place.
    j.connection()
        .query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()))?;
    drop(j);
    File::open(incoming)
        .and_then(|f| f.sync_all())
        .map_err(io("writing", incoming))?;
    Ok(())
}

/// Copies every page of `src` into the new file `dest` in one step (one read
/// transaction, so the copy is consistent), then makes it a single file.
fn copy_pages(src: &Path, dest: &Path) -> Result<(), BackupError> {
    let from = Connection::open_with_flags(
        src,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    from.busy_timeout(BUSY_WAIT)?;
    let mut to = Connection::open(dest)?;
    {
        let copy = Backup::new(&from, &mut to)?;
        let started = Instant::now();
        loop {
            // -1: all pages at once. Steps of a few pages would restart
            // whenever the till writes between them and might never finish.
            match copy.step(-1)? {
                StepResult::Done => break,
                StepResult::More | StepResult::Busy | StepResult::Locked => {
                    if started.elapsed() > BUSY_WAIT {
                        return Err(BackupError::Busy(BUSY_WAIT));
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                _ => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }
    // One self-contained file: no -wal beside it to forget when it is moved.
    to.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()))?;
    drop(to);
    File::open(dest)
        .and_then(|f| f.sync_all())
        .map_err(io("writing", dest))?;
    Ok(())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Makes a rename durable (on Unix the directory entry needs its own fsync).
fn sync_dir(file: &Path) {
    #[cfg(unix)]
    if let Some(dir) = file.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = file;
}

/// An exclusive lock on the data directory, held by the running app for its
/// whole life and by a restore while it works. The OS releases it when the
/// process ends, even by a crash, so a stale lock file never blocks anyone.
#[derive(Debug)]
pub struct DataDirLock {
    _file: File,
}

impl DataDirLock {
    /// Takes the lock, or `None` when another process holds it.
    pub fn try_acquire(data_dir: &Path) -> Result<Option<Self>, BackupError> {
        std::fs::create_dir_all(data_dir).map_err(io("creating", data_dir))?;
        let path = data_dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io("opening", &path))?;
        match file.try_lock() {
            Ok(()) => Ok(Some(Self { _file: file })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(io("locking", &path)(e)),
        }
    }

    /// Takes the lock, waiting up to `timeout` while another process holds it.
    pub fn acquire(data_dir: &Path, timeout: Duration) -> Result<Option<Self>, BackupError> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(lock) = Self::try_acquire(data_dir)? {
                return Ok(Some(lock));
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::basket::{Basket, BasketLine};
    use crate::journal::{PaidSale, Payment, PaymentIntent};
    use crate::{Cents, PaymentMethod, VatRate};
    use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
    use std::sync::Arc;

    fn sell(j: &mut Journal, i: usize) -> i64 {
        let basket = Basket {
            lines: vec![
                BasketLine::article("Brötchen", 1 + (i % 3) as i64, Cents(45), VatRate::Reduced),
                BasketLine::article("Kaffee", 1, Cents(220), VatRate::Standard),
            ],
            card: None,
        };
        let intent = PaymentIntent::new(
            &format!("sale-{i}"),
            PaymentMethod::Cash,
            &basket,
            Some("STX_X"),
            None,
        );
        j.begin_payment(&intent).unwrap();
        j.record_paid(&intent.sale_id, |issue, intent| {
            (
                PaidSale {
                    transaction_id: intent.transaction_id.clone(),
                    trans_id: None,
                    payments: vec![Payment {
                        method: PaymentMethod::Cash,
                        amount: intent.total,
                        tendered: None,
                        change: None,
                        terminal_receipt: None,
                        provider_method: None,
                    }],
                    queued: false,
                    tse: None,
                    customer_receipt: None,
                    merchant_receipt: None,
                },
                issue.receipt_number,
            )
        })
        .unwrap()
    }

    /// A journal with `n` sales, and the writer that keeps selling into it.
    fn journal_with(dir: &Path, n: usize) -> Journal {
        let mut j = Journal::open(&dir.join("journal.sqlite3")).unwrap();
        for i in 0..n {
            sell(&mut j, i);
        }
        j
    }

    #[test]
    fn backups_taken_while_sales_are_written_are_consistent() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.sqlite3");
        drop(journal_with(dir.path(), 200));

        // A writer sells without pause on its own connection, as the app does.
        let stop = Arc::new(AtomicBool::new(false));
        let written = Arc::new(AtomicI64::new(200));
        let writer = {
            let (stop, written, path) = (stop.clone(), written.clone(), path.clone());
            std::thread::spawn(move || {
                let mut j = Journal::open(&path).unwrap();
                let mut i = 200;
                while !stop.load(Ordering::Relaxed) {
                    let receipt = sell(&mut j, i);
                    written.store(receipt, Ordering::SeqCst);
                    i += 1;
                }
            })
        };

        let mut last = 0;
        for k in 0..5 {
            // Let sales land between the copies.
            let before = written.load(Ordering::SeqCst);
            while written.load(Ordering::SeqCst) < before + 20 {
                std::thread::sleep(Duration::from_millis(5));
            }
            let at_start = written.load(Ordering::SeqCst);
            let dest = dir.path().join(format!("backup-{k}.sqlite3"));
            let summary = backup(&path, &dest).unwrap();
            // Every sale committed before the copy began is in it; the copy
            // is a whole journal whose chain holds (check() verified it).
            let receipts = summary.last_receipt.unwrap();
            assert!(receipts >= at_start, "{receipts} < {at_start}");
            assert!(receipts > last);
            last = receipts;
            // One file: nothing left beside it.
            assert!(!with_suffix(&dest, "-wal").exists());
            assert!(!with_suffix(&dest, ".part").exists());
            let copy = Journal::open_read_only(&dest).unwrap();
            assert_eq!(copy.verify().unwrap(), None);
            let sales = copy.entries(Some(crate::journal::kind::SALE)).unwrap();
            assert_eq!(sales.len() as i64, receipts, "gapless receipts in the copy");
        }
        stop.store(true, Ordering::Relaxed);
        writer.join().unwrap();
    }

    #[test]
    fn an_existing_file_is_never_overwritten_and_a_missing_journal_is_named() {
        let dir = tempfile::tempdir().unwrap();
        drop(journal_with(dir.path(), 3));
        let dest = dir.path().join("b.sqlite3");
        std::fs::write(&dest, b"precious").unwrap();
        let err = backup(&dir.path().join("journal.sqlite3"), &dest).unwrap_err();
        assert!(matches!(err, BackupError::Exists(_)), "{err}");
        assert_eq!(std::fs::read(&dest).unwrap(), b"precious");
        let err = backup(&dir.path().join("nope.sqlite3"), &dir.path().join("c")).unwrap_err();
        assert!(matches!(err, BackupError::NoJournal(_)), "{err}");
    }

    /// Cuts the newest entry off a journal file behind its back (raw SQL).
    fn cut_tail(path: &Path) {
        let conn = Connection::open(path).unwrap();
        conn.execute_batch(
            "DROP TRIGGER entries_append_only_delete; DROP TRIGGER totals_append_only_delete;
             DELETE FROM totals WHERE seq = (SELECT MAX(seq) FROM entries);
             DELETE FROM entries WHERE seq = (SELECT MAX(seq) FROM entries);",
        )
        .unwrap();
    }

    fn restored_entry(path: &Path) -> serde_json::Value {
        let j = Journal::open_read_only(path).unwrap();
        let entries = j.entries(Some(crate::journal::kind::RESTORED)).unwrap();
        entries
            .last()
            .expect("the restore is journaled")
            .body
            .clone()
    }

    #[test]
    fn an_older_copy_is_refused_over_a_healthy_journal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.sqlite3");
        drop(journal_with(dir.path(), 10));
        let saved = dir.path().join("saved.sqlite3");
        assert_eq!(backup(&path, &saved).unwrap().last_receipt, Some(10));
        let mut j = Journal::open(&path).unwrap();
        for i in 10..15 {
            sell(&mut j, i);
        }
        drop(j);

        let err = restore(&saved, &path).unwrap_err();
        assert!(
            matches!(
                err,
                BackupError::Older {
                    backup_last: 10,
                    journal_last: 15,
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("receipt numbers a second time"));
        // A copy with its tail cut is older too.
        let cut = dir.path().join("cut.sqlite3");
        backup(&path, &cut).unwrap();
        cut_tail(&cut);
        let err = restore(&cut, &path).unwrap_err();
        assert!(
            matches!(
                err,
                BackupError::Older { .. } | BackupError::ChainBroken { .. }
            ),
            "{err}"
        );
        // Nothing moved.
        assert_eq!(check(&path).unwrap().last_receipt, Some(15));

        // Another till's journal with more entries is not a copy of this one.
        let other_dir = tempfile::tempdir().unwrap();
        drop(journal_with(other_dir.path(), 30));
        let other = other_dir.path().join("journal.sqlite3");
        let err = restore(&other, &path).unwrap_err();
        assert!(matches!(err, BackupError::Diverged { .. }), "{err}");

        // A newer copy of the same journal may replace it: a till whose
        // journal is the state of 15 receipts takes the copy of 16.
        let at_15 = dir.path().join("at-15.sqlite3");
        backup(&path, &at_15).unwrap();
        let mut j = Journal::open(&path).unwrap();
        sell(&mut j, 15);
        drop(j);
        let at_16 = dir.path().join("at-16.sqlite3");
        backup(&path, &at_16).unwrap();
        let restored = restore(&at_16, &at_15).unwrap();
        assert_eq!(restored.summary.last_receipt, Some(16));
        assert_eq!(
            restored.replaced,
            "the journal was an older state of the backup"
        );
    }

    #[test]
    fn a_damaged_or_missing_journal_is_restored_and_the_restore_journaled() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.sqlite3");
        drop(journal_with(dir.path(), 10));
        let saved = dir.path().join("saved.sqlite3");
        backup(&path, &saved).unwrap();
        let mut j = Journal::open(&path).unwrap();
        for i in 10..15 {
            sell(&mut j, i);
        }
        drop(j);
        // The journal loses its newest entry: damaged, so the backup may replace it.
        cut_tail(&path);

        let restored = restore(&saved, &path).unwrap();
        assert_eq!(restored.summary.last_receipt, Some(10));
        assert!(
            restored.replaced.starts_with("the journal was damaged"),
            "{}",
            restored.replaced
        );
        let aside = restored.kept_aside.unwrap();
        assert!(aside
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("journal.sqlite3.before-restore-"));
        // The damaged journal is kept aside, not deleted.
        assert!(aside.is_file());
        let what = restored_entry(&path);
        assert_eq!(what["last_receipt"], 10);
        assert_eq!(what["from"], saved.display().to_string());
        // The app opens the restored journal and carries on gaplessly from the backup.
        let mut j = Journal::open(&path).unwrap();
        assert_eq!(sell(&mut j, 100), 11);
        assert_eq!(j.verify().unwrap(), None);
        drop(j);

        // No journal at all: restored too.
        let empty = tempfile::tempdir().unwrap();
        let fresh = empty.path().join("journal.sqlite3");
        let restored = restore(&saved, &fresh).unwrap();
        assert_eq!(restored.kept_aside, None);
        assert_eq!(restored.replaced, "there was no journal");
        assert_eq!(restored_entry(&fresh)["last_receipt"], 10);
        assert_eq!(check(&fresh).unwrap().last_receipt, Some(10));
    }

    #[test]
    fn restore_refuses_a_damaged_or_foreign_backup_and_leaves_the_journal_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.sqlite3");
        drop(journal_with(dir.path(), 5));
        let saved = dir.path().join("saved.sqlite3");
        backup(&path, &saved).unwrap();

        // A sale's amount changed in the backup: the chain no longer holds.
        {
            let conn = Connection::open(&saved).unwrap();
            let triggers: Vec<String> = conn
                .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            for t in triggers {
                conn.execute_batch(&format!("DROP TRIGGER \"{t}\""))
                    .unwrap();
            }
            conn.execute(
                "UPDATE entries SET body = replace(body, '220', '120') WHERE kind = 'intent' AND seq = 3",
                [],
            )
            .unwrap();
        }
        let err = restore(&saved, &path).unwrap_err();
        assert!(matches!(err, BackupError::ChainBroken { .. }), "{err}");

        let foreign = dir.path().join("notes.txt");
        std::fs::write(
            &foreign,
            "not a database at all, just some text".repeat(100),
        )
        .unwrap();
        let err = restore(&foreign, &path).unwrap_err();
        assert!(matches!(err, BackupError::NotAJournal { .. }), "{err}");

        // Nothing moved: the journal is the one with 5 sales, nothing kept aside.
        assert_eq!(check(&path).unwrap().last_receipt, Some(5));
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            !names
                .iter()
                .any(|n| n.contains("before-restore") || n.ends_with(".restoring")),
            "{names:?}"
        );
    }

    #[test]
    fn the_data_dir_lock_is_exclusive_and_released_with_its_holder() {
        let dir = tempfile::tempdir().unwrap();
        let held = DataDirLock::try_acquire(dir.path()).unwrap().unwrap();
        assert!(DataDirLock::try_acquire(dir.path()).unwrap().is_none());
        assert!(DataDirLock::acquire(dir.path(), Duration::from_millis(300))
            .unwrap()
            .is_none());
        drop(held);
        assert!(DataDirLock::try_acquire(dir.path()).unwrap().is_some());
    }
}
