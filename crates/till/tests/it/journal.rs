//! The journal on a real SQLite file: chain, state machine, errors, closing.

use std::path::Path;

use till::basket::{Basket, BasketLine};
use till::closing::CashMovement;
use till::journal::{
    kind, BreakKind, Journal, JournalError, PaidSale, Payment, PaymentIntent, StoredReceipt,
};
use till::sale::{SaleState, TransitionError};
use till::{Cents, PaymentMethod, VatRate};

fn basket() -> Basket {
    Basket {
        lines: vec![
            BasketLine::article("Sandwich Romano", 1, Cents(349), VatRate::Reduced),
            BasketLine::article("Wasser 0,25 l", 2, Cents(99), VatRate::Standard),
        ],
        card: None,
    }
}

fn paid(intent: &PaymentIntent, method: PaymentMethod) -> PaidSale {
    PaidSale {
        transaction_id: intent.transaction_id.clone(),
        trans_id: None,
        payments: vec![Payment {
            method,
            amount: intent.total,
            tendered: None,
            change: None,
            terminal_receipt: (method == PaymentMethod::Card).then_some(7),
            provider_method: None,
        }],
        queued: false,
        tse: None,
        customer_receipt: Some(StoredReceipt {
            received: serde_json::json!([]),
            text: "Beleg".into(),
        }),
        merchant_receipt: None,
    }
}

/// Intent, then paid: returns the receipt number.
fn sell(j: &mut Journal, sale_id: &str, method: PaymentMethod) -> i64 {
    let intent = PaymentIntent::new(sale_id, method, &basket(), Some("STX_1"), None);
    j.begin_payment(&intent).unwrap();
    j.record_paid(sale_id, |issue, intent| {
        (paid(intent, method), issue.receipt_number)
    })
    .unwrap()
}

fn open(dir: &Path) -> Journal {
    Journal::open(&dir.join("journal.sqlite3")).unwrap()
}

#[test]
fn receipt_numbers_are_gapless_across_sales_failures_and_cancellations() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = open(dir.path());
    assert_eq!(sell(&mut j, "a", PaymentMethod::Cash), 1);
    // A failed payment takes no receipt number.
    let intent = PaymentIntent::new("b", PaymentMethod::Card, &basket(), Some("STX_2"), None);
    j.begin_payment(&intent).unwrap();
    j.record_failed("b", "declined", None).unwrap();
    assert_eq!(sell(&mut j, "c", PaymentMethod::Card), 2);
    let (n, _) = j
        .record_cancellation(1, "customer changed mind", None)
        .unwrap();
    assert_eq!(n, 3);
    assert_eq!(sell(&mut j, "d", PaymentMethod::Cash), 4);
    let numbers: Vec<i64> = j
        .entries(None)
        .unwrap()
        .iter()
        .filter_map(|e| e.receipt_number)
        .collect();
    assert_eq!(numbers, vec![1, 2, 3, 4]);
    assert_eq!(j.verify().unwrap(), None);
}

#[test]
fn a_sale_is_never_paid_twice_and_a_payment_in_doubt_never_restarted() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = open(dir.path());
    let intent = PaymentIntent::new("s", PaymentMethod::Card, &basket(), Some("STX_1"), None);
    j.begin_payment(&intent).unwrap();
    assert_eq!(j.sale_state("s").unwrap(), SaleState::Paying);
    // Starting it again while in doubt is refused, by the state machine.
    match j.begin_payment(&intent) {
        Err(JournalError::Transition { source, .. }) => {
            assert_eq!(source, TransitionError::InDoubt)
        }
        other => panic!("{other:?}"),
    }
    j.record_paid("s", |_, i| (paid(i, PaymentMethod::Card), ()))
        .unwrap();
    assert_eq!(j.sale_state("s").unwrap(), SaleState::Paid);
    for attempt in [
        j.record_paid("s", |_, i| (paid(i, PaymentMethod::Card), ())),
        j.begin_payment(&intent).map(|_| ()),
    ] {
        match attempt {
            Err(JournalError::Transition { source, .. }) => {
                assert_eq!(source, TransitionError::AlreadyPaid)
            }
            other => panic!("{other:?}"),
        }
    }
    // Paid without an intent: illegal.
    assert!(matches!(
        j.record_paid("never-started", |_, i| (paid(i, PaymentMethod::Cash), ())),
        Err(JournalError::Transition { .. })
    ));
    assert!(matches!(
        j.record_failed("s", "late", None),
        Err(JournalError::Transition { .. })
    ));
    // Exactly one intent and one sale entry, and the chain holds.
    assert_eq!(j.entries(Some(kind::INTENT)).unwrap().len(), 1);
    assert_eq!(j.entries(Some(kind::SALE)).unwrap().len(), 1);
    assert_eq!(j.verify().unwrap(), None);
}

#[test]
fn the_database_itself_refuses_a_second_payment_of_a_sale() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = open(dir.path());
    sell(&mut j, "s", PaymentMethod::Cash);
    // Even a writer that skips the state machine cannot add a second sale entry.
    let err = j
        .connection()
        .execute(
            "INSERT INTO entries (seq, kind, sale_id, created_at, body, prev_hash, hash)
             VALUES (100, 'sale', 's', 'now', '{}', x'00', x'00')",
            [],
        )
        .unwrap_err();
    assert!(err.to_string().contains("UNIQUE"), "{err}");
}

#[test]
fn updates_and_deletes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = open(dir.path());
    sell(&mut j, "s", PaymentMethod::Cash);
    let c = j.connection();
    for sql in [
        "UPDATE entries SET body = '{}'",
        "DELETE FROM entries",
        "UPDATE totals SET cash = 0",
        "DELETE FROM totals",
    ] {
        let err = c.execute(sql, []).unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
}

fn three_sales(dir: &Path) -> Journal {
    let mut j = open(dir);
    for id in ["a", "b", "c"] {
        sell(&mut j, id, PaymentMethod::Cash);
    }
    // 3 sales × (intent, sale, customer receipt) = entries 1..=9
    assert_eq!(j.entries(None).unwrap().len(), 9);
    j
}

#[test]
fn verify_names_an_altered_entry() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = three_sales(dir.path());
    j.connection()
        .execute_batch(
            "DROP TRIGGER entries_append_only_update;
             UPDATE entries SET body = replace(body, '349', '1') WHERE seq = 4;",
        )
        .unwrap();
    let broken = j.verify().unwrap().unwrap();
    assert_eq!((broken.seq, broken.kind), (4, BreakKind::Altered));
}

#[test]
fn verify_names_altered_running_totals() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = three_sales(dir.path());
    j.connection()
        .execute_batch(
            "DROP TRIGGER totals_append_only_update;
             UPDATE totals SET cash = cash - 100 WHERE seq = 5;",
        )
        .unwrap();
    let broken = j.verify().unwrap().unwrap();
    assert_eq!((broken.seq, broken.kind), (5, BreakKind::Altered));
}

#[test]
fn verify_names_a_removed_entry() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = three_sales(dir.path());
    j.connection()
        .execute_batch(
            "DROP TRIGGER entries_append_only_delete;
             DELETE FROM entries WHERE seq = 6;",
        )
        .unwrap();
    let broken = j.verify().unwrap().unwrap();
    assert_eq!(
        (broken.seq, broken.kind),
        (6, BreakKind::Removed),
        "{broken:?}"
    );
}

#[test]
fn verify_names_an_inserted_entry() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = three_sales(dir.path());
    let entries = j.entries(None).unwrap();
    let prev = hex_decode(&entries[2].hash);
    // Make room after entry 3 and put a well-formed entry there that chains to entry 3.
    let c = j.connection();
    c.execute_batch(
        "DROP TRIGGER entries_append_only_update;
         UPDATE entries SET seq = seq + 100 WHERE seq >= 4;
         UPDATE entries SET seq = seq - 99 WHERE seq >= 100;",
    )
    .unwrap();
    c.execute(
        "INSERT INTO entries (seq, kind, sale_id, created_at, body, prev_hash, hash)
         VALUES (4, 'drawer_opened', NULL, 'now', '{}', ?1, ?2)",
        rusqlite::params![prev, vec![0u8; 32]],
    )
    .unwrap();
    let broken = j.verify().unwrap().unwrap();
    // Either way the first entry named is the inserted one.
    assert_eq!(broken.seq, 4, "{broken:?}");
    assert!(
        matches!(broken.kind, BreakKind::Inserted | BreakKind::Altered),
        "{broken:?}"
    );
}

fn hex_decode(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn a_self_consistent_insertion_is_named_as_inserted() {
    // An insertion whose own hash is right is still found: the entry after it
    // chains to the entry before it.
    let dir = tempfile::tempdir().unwrap();
    let mut j = three_sales(dir.path());
    let path = dir.path().join("journal.sqlite3");
    // Write a fourth sale into a copy, then splice its entries in as if inserted.
    drop(j);
    let copy = dir.path().join("copy.sqlite3");
    std::fs::copy(&path, &copy).unwrap();
    let _ = std::fs::copy(
        dir.path().join("journal.sqlite3-wal"),
        dir.path().join("copy.sqlite3-wal"),
    );
    let mut other = Journal::open(&copy).unwrap();
    other.record_drawer_opened("forged").unwrap();
    let forged: (i64, String, String, String, Vec<u8>, Vec<u8>) = other
        .connection()
        .query_row(
            "SELECT seq, kind, created_at, body, prev_hash, hash FROM entries WHERE seq = 10",
            [],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            },
        )
        .unwrap();
    drop(other);
    j = Journal::open(&path).unwrap();
    // Append a real entry 10, then put the forged one (hash-consistent as entry 10 after 9) in its place,
    // moving the real one to 11.
    j.record_drawer_opened("real").unwrap();
    let c = j.connection();
    c.execute_batch(
        "DROP TRIGGER entries_append_only_update;
         UPDATE entries SET seq = 11 WHERE seq = 10;",
    )
    .unwrap();
    c.execute(
        "INSERT INTO entries (seq, kind, sale_id, created_at, body, prev_hash, hash)
         VALUES (?1, ?2, NULL, ?3, ?4, ?5, ?6)",
        rusqlite::params![forged.0, forged.1, forged.2, forged.3, forged.4, forged.5],
    )
    .unwrap();
    let broken = j.verify().unwrap().unwrap();
    assert_eq!(
        (broken.seq, broken.kind),
        (10, BreakKind::Inserted),
        "{broken:?}"
    );
}

#[test]
fn a_failed_write_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = open(dir.path());
    sell(&mut j, "a", PaymentMethod::Cash);
    let before = j.entries(None).unwrap().len();
    let intent = PaymentIntent::new("b", PaymentMethod::Cash, &basket(), None, None);
    j.begin_payment(&intent).unwrap();
    // Payments that do not add up to the total are refused as a whole.
    let err = j
        .record_paid("b", |_, i| {
            let mut p = paid(i, PaymentMethod::Cash);
            p.payments[0].amount = Cents(1);
            (p, ())
        })
        .unwrap_err();
    assert!(matches!(err, JournalError::Other(_)), "{err:?}");
    assert_eq!(j.entries(None).unwrap().len(), before + 1); // only the intent
    assert_eq!(j.sale_state("b").unwrap(), SaleState::Paying);
    assert_eq!(j.verify().unwrap(), None);
}

#[test]
fn a_full_disk_is_a_clear_error_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = open(dir.path());
    sell(&mut j, "a", PaymentMethod::Cash);
    let pages: i64 = j
        .connection()
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    // The database may not grow: SQLite answers SQLITE_FULL as on a full disk.
    j.connection()
        .pragma_update(None, "max_page_count", pages)
        .unwrap();
    let big = Basket {
        lines: (0..400)
            .map(|i| {
                BasketLine::article(
                    &format!("Artikel {i} {}", "x".repeat(60)),
                    1,
                    Cents(100),
                    VatRate::Standard,
                )
            })
            .collect(),
        card: None,
    };
    let intent = PaymentIntent::new("b", PaymentMethod::Cash, &big, None, None);
    let err = j.begin_payment(&intent).unwrap_err();
    assert!(matches!(err, JournalError::DiskFull), "{err:?}");
    assert!(err.to_string().contains("disk is full"));
    assert_eq!(j.sale_state("b").unwrap(), SaleState::Open);
    assert_eq!(j.entries(None).unwrap().len(), 3);
    assert_eq!(j.verify().unwrap(), None);
}

#[test]
fn a_locked_database_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = open(dir.path());
    j.set_busy_timeout(std::time::Duration::from_millis(100))
        .unwrap();
    let other = rusqlite::Connection::open(dir.path().join("journal.sqlite3")).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let intent = PaymentIntent::new("a", PaymentMethod::Cash, &basket(), None, None);
    let err = j.begin_payment(&intent).unwrap_err();
    assert!(matches!(err, JournalError::Locked), "{err:?}");
    other.execute_batch("ROLLBACK").unwrap();
    j.begin_payment(&intent).unwrap();
}

#[test]
fn a_read_only_journal_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite3");
    {
        let mut j = Journal::open(&path).unwrap();
        sell(&mut j, "a", PaymentMethod::Cash);
    }
    // Opened read-only, as SQLite does when the file cannot be written.
    let mut j = Journal::open_read_only(&path).unwrap();
    let intent = PaymentIntent::new("b", PaymentMethod::Cash, &basket(), None, None);
    let err = j.begin_payment(&intent).unwrap_err();
    assert!(matches!(err, JournalError::ReadOnly), "{err:?}");
    assert_eq!(j.entries(None).unwrap().len(), 3);
}

#[test]
fn a_corrupt_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite3");
    std::fs::write(
        &path,
        b"this is not a database, it is a shopping list".repeat(100),
    )
    .unwrap();
    let err = Journal::open(&path).err().unwrap();
    assert!(matches!(err, JournalError::Corrupt), "{err:?}");
    assert!(err.to_string().contains("damaged"));
}

#[test]
fn the_closing_has_all_the_figures_and_reads_back_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = open(dir.path());
    j.record_cash_movement(CashMovement::Float, Cents(10_000), "Wechselgeld")
        .unwrap();
    sell(&mut j, "a", PaymentMethod::Cash); // 547: 349 @7 %, 198 @19 %
    sell(&mut j, "b", PaymentMethod::Card);
    sell(&mut j, "c", PaymentMethod::Cash);
    j.record_cancellation(3, "Fehlbon", None).unwrap(); // cancels c (cash)
    j.record_cash_movement(CashMovement::CashOut, Cents(2_000), "Einkauf")
        .unwrap();
    j.record_cash_movement(CashMovement::CashIn, Cents(500), "Einlage")
        .unwrap();
    j.record_drawer_opened("Wechseln").unwrap();

    let figures = j.day_figures().unwrap();
    assert_eq!((figures.sales, figures.cancellations), (3, 1));
    assert_eq!(figures.drawer_openings, 1);
    assert_eq!(figures.by_method.cash, Cents(547));
    assert_eq!(figures.by_method.card, Cents(547));
    assert_eq!(figures.total, Cents(1094));
    assert_eq!(figures.by_rate[0].gross, Cents(396)); // 19 %: 2 × 198
    assert_eq!(figures.by_rate[0].tax, Cents(64)); // 2 × 32
    assert_eq!(figures.by_rate[1].gross, Cents(698)); // 7 %: 2 × 349
    assert_eq!(figures.by_rate[1].net + figures.by_rate[1].tax, Cents(698));
    assert_eq!(
        (figures.first_receipt, figures.last_receipt),
        (Some(1), Some(4))
    );
    assert_eq!(figures.cash_expected, Cents(10_000 + 500 - 2_000 + 547));

    let z1 = j
        .close_day(Cents(9_000), Some(serde_json::json!({"status": "ok"})))
        .unwrap();
    assert_eq!(z1.z_number, 1);
    assert_eq!(z1.figures, figures);
    assert_eq!(z1.difference, Cents(9_000 - 9_047));
    // The next day starts at zero and numbers on.
    let empty = j.day_figures().unwrap();
    assert_eq!(
        (empty.sales, empty.total, empty.first_receipt),
        (0, Cents(0), None)
    );
    sell(&mut j, "d", PaymentMethod::Card);
    let z2 = j.close_day(Cents(0), None).unwrap();
    assert_eq!(z2.z_number, 2);
    assert_eq!(
        (z2.figures.first_receipt, z2.figures.last_receipt),
        (Some(5), Some(5))
    );
    assert_eq!(z2.figures.by_method.card, Cents(547));
    // Past closings read back as stored, also after reopening.
    drop(j);
    let j = open(dir.path());
    assert_eq!(j.closing(1).unwrap().unwrap(), z1);
    assert_eq!(j.closings().unwrap(), vec![z1, z2]);
    // Sales are locked into their closing.
    assert_eq!(j.sale_by_receipt(2).unwrap().closed_in, Some(1));
    assert_eq!(j.sale_by_receipt(5).unwrap().closed_in, Some(2));
    assert_eq!(j.verify().unwrap(), None);
}

#[test]
fn no_closing_while_a_payment_is_in_doubt() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = open(dir.path());
    let intent = PaymentIntent::new("s", PaymentMethod::Card, &basket(), Some("STX"), None);
    j.begin_payment(&intent).unwrap();
    assert!(matches!(
        j.close_day(Cents(0), None),
        Err(JournalError::PaymentsInDoubt(1))
    ));
}

#[test]
fn a_cancellation_is_a_counter_booking_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = open(dir.path());
    sell(&mut j, "a", PaymentMethod::Card);
    let (n, c) = j.record_cancellation(1, "Storno", None).unwrap();
    assert_eq!(n, 2);
    assert_eq!(c.total, Cents(-547));
    assert_eq!(c.payments[0].amount, Cents(-547));
    assert_eq!(c.payments[0].terminal_receipt, Some(7));
    assert_eq!(j.sale_state("a").unwrap(), SaleState::Cancelled);
    // The original is still there, unchanged.
    let original = j.sale_by_receipt(1).unwrap();
    assert_eq!(original.intent.total, Cents(547));
    assert!(j.record_cancellation(1, "again", None).is_err());
    assert!(matches!(
        j.record_cancellation(99, "none", None),
        Err(JournalError::UnknownReceipt(99))
    ));
    assert_eq!(j.day_figures().unwrap().total, Cents(0));
}

#[test]
fn in_doubt_payments_and_the_outbox_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut j = open(dir.path());
        let card = PaymentIntent::new("card", PaymentMethod::Card, &basket(), Some("STX"), None);
        j.begin_payment(&card).unwrap();
        for id in ["off-1", "off-2"] {
            let cash = PaymentIntent::new(id, PaymentMethod::Cash, &basket(), None, None);
            j.begin_payment(&cash).unwrap();
            j.record_paid(id, |_, i| {
                let mut p = paid(i, PaymentMethod::Cash);
                p.queued = true;
                (p, ())
            })
            .unwrap();
        }
    }
    let mut j = open(dir.path());
    let doubt = j.in_doubt().unwrap();
    assert_eq!(doubt.len(), 1);
    assert_eq!(doubt[0].intent.sale_id, "card");
    let outbox = j.outbox().unwrap();
    let ids: Vec<_> = outbox.iter().map(|q| q.sale_id.as_str()).collect();
    assert_eq!(ids, vec!["off-1", "off-2"]);
    assert_eq!(outbox[0].receipt_number, 1);
    let state = j.outbox_state().unwrap();
    assert_eq!(state.count, 2);
    assert_eq!(state.oldest.as_deref(), Some(outbox[0].since.as_str()));
    j.record_registered("off-1", "STX_9", &serde_json::json!({}))
        .unwrap();
    // Registered once only.
    assert!(j
        .record_registered("off-1", "STX_9", &serde_json::json!({}))
        .is_err());
    assert_eq!(j.outbox_state().unwrap().count, 1);
    assert_eq!(j.verify().unwrap(), None);
}

/// A journal big enough that `verify` checks it in ranges on several threads.
fn big_journal(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("big.sqlite3");
    let mut j = Journal::open(&path).unwrap();
    till::journal::testing::append_sales_bulk(&mut j, 12_000, |i, _| {
        let intent = PaymentIntent::new(
            &format!("sale-{i}"),
            PaymentMethod::Cash,
            &basket(),
            None,
            None,
        );
        let paid = paid(&intent, PaymentMethod::Cash);
        (intent, paid)
    })
    .unwrap();
    j.connection()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
    assert_eq!(j.verify().unwrap(), None);
    path
}

#[test]
fn verify_in_ranges_finds_breaks_at_the_edges_of_the_ranges() {
    let dir = tempfile::tempdir().unwrap();
    let path = big_journal(dir.path());
    let max_seq = 36_000i64; // 12,000 × (intent, sale, customer receipt)
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8) as i64;
    // As `verify` splits the chain: four ranges per core.
    let ranges = threads * 4;
    let chunk = max_seq / ranges + 1;
    // The first and last entry of each range, and one in the middle.
    let mut positions = vec![1, chunk / 2, max_seq];
    for i in 1..ranges {
        positions.push(i * chunk);
        positions.push(i * chunk + 1);
    }
    for (n, seq) in positions.into_iter().enumerate() {
        for (what, sql, expected) in [
            (
                "alter",
                format!("DROP TRIGGER entries_append_only_update; UPDATE entries SET created_at = 'x' WHERE seq = {seq};"),
                (seq, BreakKind::Altered),
            ),
            (
                "remove",
                format!("DROP TRIGGER entries_append_only_delete; DELETE FROM entries WHERE seq = {seq};"),
                (seq, BreakKind::Removed),
            ),
        ] {
            if what == "remove" && seq == max_seq {
                continue; // the last entry's removal needs an anchor outside the chain
            }
            let copy = dir.path().join(format!("copy-{n}-{what}.sqlite3"));
            std::fs::copy(&path, &copy).unwrap();
            let mut j = Journal::open(&copy).unwrap();
            j.connection().execute_batch(&sql).unwrap();
            let broken = j.verify().unwrap().unwrap();
            assert_eq!((broken.seq, broken.kind), expected, "{what} {seq}: {broken:?}");
            drop(j);
            std::fs::remove_file(&copy).unwrap();
        }
    }
}

#[test]
fn a_pre_release_journal_is_refused_not_misread() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite3");
    let old = rusqlite::Connection::open(&path).unwrap();
    old.execute_batch(
        "CREATE TABLE entries (seq INTEGER PRIMARY KEY, kind TEXT, body TEXT);
         PRAGMA user_version = 1;",
    )
    .unwrap();
    drop(old);
    let err = Journal::open(&path).err().unwrap();
    assert!(matches!(err, JournalError::Open(_)), "{err:?}");
}
