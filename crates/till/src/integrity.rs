//! The till checks its own journal: at start what was written since the last
//! verified point (a day's entries, so start stays fast), and the whole chain
//! once a day in the background on a connection of its own (selling goes on
//! meanwhile). A break is kept for the status bar and logged; the till goes on
//! selling, since refusing sales would not mend the file.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use tracing::{error, info};

use crate::journal::{ChainBreak, Journal, JournalError};

/// How often the whole chain is walked.
pub const FULL_CHECK_EVERY: Duration = Duration::from_secs(24 * 60 * 60);

/// What the till knows about its journal's chain.
pub struct JournalHealth {
    path: PathBuf,
    broken: Mutex<Option<ChainBreak>>,
}

impl JournalHealth {
    pub fn new(path: &Path) -> Self {
        Self {
            path: path.to_path_buf(),
            broken: Mutex::new(None),
        }
    }

    /// The first break found, if any (until the till is started again).
    pub fn broken(&self) -> Option<ChainBreak> {
        self.broken
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Whether the whole chain is due for its daily walk.
    pub fn full_check_due(&self, journal: &Mutex<Journal>) -> bool {
        let point = lock(journal).verified_point().ok().flatten();
        let Some(full_at) = point.and_then(|p| p.full_at) else {
            return true;
        };
        chrono::DateTime::parse_from_rfc3339(&full_at).map_or(true, |at| {
            chrono::Local::now().signed_duration_since(at)
                >= chrono::Duration::from_std(FULL_CHECK_EVERY).unwrap_or_default()
        })
    }

    /// The check at start: since the last verified point, or the whole chain
    /// (off the journal's lock) where there is none yet; answers whether it
    /// walked the whole chain.
    pub fn check_at_start(&self, journal: &Mutex<Journal>) -> Result<bool, JournalError> {
        let has_point = lock(journal).verified_point()?.is_some();
        if has_point {
            let found = lock(journal).verify_since_checkpoint()?;
            self.record(found, "since the last check");
            Ok(false)
        } else {
            self.check_all(journal)?;
            Ok(true)
        }
    }

    /// Walks the whole chain on its own connection; the journal's lock is
    /// taken only to note how far it holds.
    pub fn check_all(&self, journal: &Mutex<Journal>) -> Result<(), JournalError> {
        let reader = Journal::open_read_only(&self.path)?;
        let head = reader.head()?;
        let found = reader.verify()?;
        if let (None, Some((seq, _))) = (&found, head) {
            lock(journal).mark_verified(seq, true)?;
        }
        self.record(found, "whole chain");
        Ok(())
    }

    fn record(&self, found: Option<ChainBreak>, what: &str) {
        match found {
            Some(brk) => {
                error!(seq = brk.seq, kind = ?brk.kind, reason = %brk.reason, "the journal's hash chain does not hold ({what}); selling goes on, call support");
                let mut broken = self.broken.lock().unwrap_or_else(|e| e.into_inner());
                if broken.as_ref().is_none_or(|b| brk.seq < b.seq) {
                    *broken = Some(brk);
                }
            }
            None => info!("the journal's hash chain holds ({what})"),
        }
    }
}

fn lock(journal: &Mutex<Journal>) -> std::sync::MutexGuard<'_, Journal> {
    journal.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_check_walks_everything_and_later_ones_only_what_is_new() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.sqlite3");
        let mut j = Journal::open(&path).unwrap();
        j.record_settings(&serde_json::json!({"shop": "A"}))
            .unwrap();
        let journal = Mutex::new(j);
        let health = JournalHealth::new(&path);
        assert!(health.full_check_due(&journal));
        assert!(
            health.check_at_start(&journal).unwrap(),
            "the first check walks it all"
        );
        assert_eq!(health.broken(), None);
        let point = lock(&journal).verified_point().unwrap().unwrap();
        assert!(point.full_at.is_some());
        assert!(!health.full_check_due(&journal));

        lock(&journal)
            .record_settings(&serde_json::json!({"shop": "B"}))
            .unwrap();
        assert!(!health.check_at_start(&journal).unwrap());
        let later = lock(&journal).verified_point().unwrap().unwrap();
        assert_eq!(later.seq, point.seq + 1);
        // The full walk's time is kept by the incremental check.
        assert_eq!(later.full_at, point.full_at);

        // A change behind the journal's back is found and kept for the status.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP TRIGGER entries_append_only_update;
             UPDATE entries SET body = replace(body, 'A', 'Z') WHERE seq = 1;",
        )
        .unwrap();
        health.check_all(&journal).unwrap();
        assert_eq!(health.broken().map(|b| b.seq), Some(1));
    }
}
