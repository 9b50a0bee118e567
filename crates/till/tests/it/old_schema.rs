//! Old journals (a backup from an earlier Smart Till) opened read-only: read
//! from a migrated copy, the file itself left byte for byte as it was.

use std::path::Path;

use rusqlite::Connection;
use sha2::{Digest, Sha256};
use till::basket::{Basket, BasketLine};
use till::journal::{testing, Journal, JournalError, PaymentIntent};
use till::{Cents, PaymentMethod, VatRate};

/// A current journal with two paid cash sales (nobody logged in, so its
/// entries hash as an older till's did).
fn journal_with_sales(path: &Path) {
    let mut j = Journal::open(path).unwrap();
    for sale_id in ["a", "b"] {
        let basket = Basket {
            lines: vec![BasketLine::article(
                "Wasser 0,25 l",
                2,
                Cents(99),
                VatRate::Standard,
            )],
            card: None,
        };
        testing::sell(&mut j, sale_id, &basket, PaymentMethod::Cash, false).unwrap();
    }
}

/// A journal file of schema `version` built by that schema's migrations,
/// holding the entries of `source` its tables can hold: all of them from
/// schema 2 on; schema 1's totals lack the payment counts, so there the
/// entries before the first running totals. Answers how many entries it holds.
fn old_journal(path: &Path, version: usize, source: &Path) -> i64 {
    testing::create_at_schema(path, version).unwrap();
    let conn = Connection::open(path).unwrap();
    conn.execute("ATTACH ?1 AS src", [source.to_str().unwrap()])
        .unwrap();
    let cols = "seq, kind, sale_id, receipt_number, created_at, body, prev_hash, hash";
    if version == 1 {
        conn.execute_batch(&format!(
            "INSERT INTO entries ({cols}) SELECT {cols} FROM src.entries
             WHERE seq < (SELECT MIN(seq) FROM src.totals)"
        ))
        .unwrap();
    } else {
        conn.execute_batch(&format!(
            "INSERT INTO entries ({cols}) SELECT {cols} FROM src.entries;
             INSERT INTO totals SELECT * FROM src.totals;"
        ))
        .unwrap();
    }
    conn.query_row("SELECT COUNT(*) FROM entries", [], |r| r.get(0))
        .unwrap()
}

fn digest(path: &Path) -> Vec<u8> {
    Sha256::digest(std::fs::read(path).unwrap()).to_vec()
}

#[test]
fn a_journal_of_every_older_schema_opens_read_only_and_is_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("current.sqlite3");
    journal_with_sales(&source);
    let current: i64 = {
        let j = Journal::open_read_only(&source).unwrap();
        j.entries(None).unwrap().len() as i64
    };
    let latest = Connection::open(&source)
        .unwrap()
        .pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))
        .unwrap() as usize;
    for version in 1..latest {
        let path = dir.path().join(format!("backup-schema-{version}.sqlite3"));
        let held = old_journal(&path, version, &source);
        assert!(
            held >= 1 && (version == 1 || held == current),
            "schema {version}: {held} entries"
        );
        let before = digest(&path);

        let mut j = Journal::open_read_only(&path)
            .unwrap_or_else(|e| panic!("schema {version} does not open: {e}"));
        assert_eq!(
            j.verify().unwrap(),
            None,
            "schema {version}: the chain holds"
        );
        assert_eq!(
            j.entries(None).unwrap().len() as i64,
            held,
            "schema {version}"
        );
        // Read from a copy brought to the current schema (the journal screen's list came with 4).
        let copy = j.path().unwrap();
        assert_ne!(copy, path);
        let listed: i64 = j
            .connection()
            .query_row("SELECT COUNT(*) FROM listing", [], |r| r.get(0))
            .unwrap();
        assert_eq!(listed, if version == 1 { 0 } else { 2 }, "schema {version}");
        let intent = PaymentIntent::new(
            "c",
            PaymentMethod::Cash,
            &Basket {
                lines: vec![],
                card: None,
            },
            None,
            None,
        );
        assert!(matches!(
            j.begin_payment(&intent),
            Err(JournalError::ReadOnly)
        ));
        // A backup check (restore, verify) takes it too.
        let summary = till::backup::check(&path).unwrap();
        assert_eq!(summary.entries, held);
        drop(j);

        assert!(
            !copy.exists(),
            "schema {version}: the copy is removed with the journal"
        );
        assert_eq!(
            digest(&path),
            before,
            "schema {version}: the backup is unchanged"
        );
        let version_after: i64 = Connection::open(&path)
            .unwrap()
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version_after, version as i64);
        assert!(!dir
            .path()
            .join(format!("backup-schema-{version}.sqlite3-wal"))
            .exists());
    }
}

#[test]
fn a_file_that_is_not_a_journal_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "Kassenbuch 2026\n".repeat(200)).unwrap();
    let other = dir.path().join("other.sqlite3");
    Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE articles (id INTEGER PRIMARY KEY)")
        .unwrap();
    let newer = dir.path().join("newer.sqlite3");
    testing::create_at_schema(&newer, 1).unwrap();
    Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();

    for (path, says) in [
        (
            &text,
            "is not a Smart Till journal: it is not an SQLite database",
        ),
        (
            &other,
            "is not a Smart Till journal: it has no journal entries",
        ),
        (&newer, "was written by a newer Smart Till (schema 99"),
        (
            &dir.path().join("missing.sqlite3"),
            "there is no journal at",
        ),
    ] {
        let before = std::fs::read(path).ok();
        let err = Journal::open_read_only(path).err().unwrap();
        assert!(matches!(err, JournalError::Open(_)), "{err:?}");
        assert!(err.to_string().contains(says), "{}: {err}", path.display());
        assert_eq!(
            std::fs::read(path).ok(),
            before,
            "{} is left as it was",
            path.display()
        );
    }
}

#[test]
fn the_journals_of_earlier_releases_open_read_only_with_their_sales() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let dir = tempfile::tempdir().unwrap();
    for name in ["journal-v1.sqlite3", "journal-v3.sqlite3"] {
        let path = dir.path().join(name);
        std::fs::copy(fixtures.join(name), &path).unwrap();
        let before = digest(&path);
        let (entries, receipts): (i64, i64) = Connection::open(&path)
            .unwrap()
            .query_row(
                "SELECT COUNT(*), COUNT(receipt_number) FROM entries",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let mut j = Journal::open_read_only(&path).unwrap();
        assert_eq!(j.verify().unwrap(), None, "{name}: the chain holds");
        assert_eq!(j.entries(None).unwrap().len() as i64, entries, "{name}");
        let listed: i64 = j
            .connection()
            .query_row("SELECT COUNT(*) FROM listing", [], |r| r.get(0))
            .unwrap();
        assert!(
            listed > 0 && listed <= receipts,
            "{name}: {listed} of {receipts} listed"
        );
        drop(j);
        assert_eq!(digest(&path), before, "{name} is unchanged");
    }
}
