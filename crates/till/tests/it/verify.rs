//! `verify` on a real file whose newest entries were removed with raw SQL:
//! no link breaks, so the records kept beside the chain must tell.

use std::path::Path;

use rusqlite::Connection;
use till::basket::{Basket, BasketLine};
use till::journal::{testing, BreakKind, Journal};
use till::{Cents, PaymentMethod, VatRate};

fn sell(j: &mut Journal, id: &str, queued: bool) {
    let basket = Basket {
        lines: vec![BasketLine::article("Brot", 1, Cents(250), VatRate::Reduced)],
        card: None,
    };
    testing::sell(j, id, &basket, PaymentMethod::Cash, queued).unwrap();
}

/// Five sales, a closing, then `after` more sales (the last one queued).
/// Returns the seq of the closing and the last seq.
fn journal(path: &Path, after: usize) -> (i64, i64) {
    let mut j = Journal::open(path).unwrap();
    for i in 0..5 {
        sell(&mut j, &format!("a{i}"), false);
    }
    j.close_day(Cents(0), None).unwrap();
    for i in 0..after {
        sell(&mut j, &format!("b{i}"), i + 1 == after);
    }
    assert_eq!(j.verify().unwrap(), None);
    let closing = j.entries(Some("closing")).unwrap()[0].seq;
    let last = j.entries(None).unwrap().last().unwrap().seq;
    (closing, last)
}

/// What someone with the file and `sqlite3` can do: drop the guards and cut
/// the tail, running totals included.
fn cut_tail(path: &Path, from_seq: i64) {
    let c = Connection::open(path).unwrap();
    c.execute_batch(
        "DROP TRIGGER entries_append_only_delete; DROP TRIGGER totals_append_only_delete;",
    )
    .unwrap();
    c.execute("DELETE FROM entries WHERE seq >= ?1", [from_seq])
        .unwrap();
    c.execute("DELETE FROM totals WHERE seq >= ?1", [from_seq])
        .unwrap();
}

#[test]
fn removing_the_newest_sales_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite3");
    let (closing, last) = journal(&path, 3);
    // The last two sales (intent + sale each).
    let from = last - 3;
    assert!(from > closing);
    cut_tail(&path, from);
    let j = Journal::open(&path).unwrap();
    let b = j.verify().unwrap().expect("the cut is seen");
    assert_eq!((b.seq, b.kind), (from, BreakKind::Removed), "{b:?}");
    assert!(b.reason.contains("newest"), "{}", b.reason);
    assert!(b.reason.contains(&last.to_string()), "{}", b.reason);
}

#[test]
fn removing_the_last_closing_and_what_followed_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite3");
    let (closing, _) = journal(&path, 2);
    cut_tail(&path, closing);
    let j = Journal::open(&path).unwrap();
    let b = j.verify().unwrap().expect("the cut is seen");
    assert_eq!((b.seq, b.kind), (closing, BreakKind::Removed), "{b:?}");
    assert!(j.closings().unwrap().is_empty());
}

#[test]
fn a_cut_that_also_rewrites_the_head_is_still_seen_by_the_queued_sale_it_removed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite3");
    let (_, last) = journal(&path, 2);
    // The last sale was paid offline and waits in the outbox.
    let queued_sale = last - 1;
    cut_tail(&path, queued_sale);
    let c = Connection::open(&path).unwrap();
    c.execute(
        "UPDATE head SET seq = (SELECT MAX(seq) FROM entries),
                         hash = (SELECT hash FROM entries ORDER BY seq DESC LIMIT 1)",
        [],
    )
    .unwrap();
    drop(c);
    let j = Journal::open(&path).unwrap();
    let b = j.verify().unwrap().expect("the cut is seen");
    // Named at the queued sale's own entry (its intent before it went too).
    assert_eq!((b.seq, b.kind), (last, BreakKind::Removed), "{b:?}");
    assert!(b.reason.contains("b1"), "{}", b.reason);
}

#[test]
fn an_intact_journal_verifies_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite3");
    journal(&path, 4);
    assert_eq!(Journal::open(&path).unwrap().verify().unwrap(), None);
}

#[test]
fn running_totals_without_their_entry_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite3");
    let (_, last) = journal(&path, 2);
    let c = Connection::open(&path).unwrap();
    // Totals copied past the end: no entry of theirs was ever written.
    c.execute(
        "INSERT INTO totals SELECT seq + 10, sales, cancellations, drawer_openings, cash, card,
         secucard, gross_a, tax_a, gross_b, tax_b, gross_c, tax_c, card_loads, float, cash_in,
         cash_out, last_receipt, cash_count, card_count, secucard_count, cancelled
         FROM totals WHERE seq = ?1",
        [last],
    )
    .unwrap();
    drop(c);
    let b = Journal::open(&path)
        .unwrap()
        .verify()
        .unwrap()
        .expect("the added totals are seen");
    assert_eq!((b.seq, b.kind), (last + 10, BreakKind::Inserted), "{b:?}");
    assert!(b.reason.contains("running totals"), "{}", b.reason);
}
