//! A catalogue on a real SQLite file in a temporary folder, with a clock the test moves.

#![allow(dead_code)]

use std::sync::Arc;

use catalog::{Actor, Catalog, ManualClock};
use chrono::{TimeZone, Utc};
use tempfile::TempDir;

pub struct Shop {
    pub catalog: Catalog,
    pub clock: Arc<ManualClock>,
    pub dir: TempDir,
}

pub fn shop() -> Shop {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 12, 3, 8, 0, 0).unwrap(),
    ));
    let catalog = Catalog::open_with_clock(&dir.path().join("catalog.sqlite3"), clock.clone())
        .expect("the catalogue opens");
    Shop {
        catalog,
        clock,
        dir,
    }
}

impl Shop {
    /// The same file opened again, as after a restart.
    pub fn reopen(&mut self) {
        let path = self.dir.path().join("catalog.sqlite3");
        self.catalog = Catalog::open_with_clock(&path, self.clock.clone()).expect("reopens");
    }
}

pub fn owner() -> Actor {
    Actor::system("Test")
}
