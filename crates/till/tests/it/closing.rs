//! The closing on a real journal file: the cashier's note, counts by
//! method, the terminal's end of day across a restart, and past closings of
//! a journal written before these existed.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use till::basket::{Basket, BasketLine};
use till::closing::{CashMovement, Closing, DayFigures, MethodCounts};
use till::journal::{testing, Journal};
use till::{Cents, PaymentMethod, VatRate};

fn basket(price: i64) -> Basket {
    Basket {
        lines: vec![BasketLine::article(
            "Brot",
            1,
            Cents(price),
            VatRate::Reduced,
        )],
        card: None,
    }
}

fn sell(j: &mut Journal, id: &str, price: i64, method: PaymentMethod) -> i64 {
    testing::sell(j, id, &basket(price), method, false).unwrap()
}

/// A copy of the journal written by the release before schema 2 (two
/// closings, then two sales, one of them queued), with what it read then.
fn old_journal(dir: &Path) -> PathBuf {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let path = dir.join("journal.sqlite3");
    std::fs::copy(fixtures.join("journal-v1.sqlite3"), &path).unwrap();
    path
}

fn fixture_json(name: &str) -> Value {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    serde_json::from_str(&std::fs::read_to_string(fixtures.join(name)).unwrap()).unwrap()
}

/// Every field of `old` has the same value in `new` (which may have more).
fn assert_keeps(old: &Value, new: &Value, at: &str) {
    match (old, new) {
        (Value::Object(o), Value::Object(n)) => {
            for (k, v) in o {
                let there = n.get(k).unwrap_or_else(|| panic!("{at}.{k} is gone"));
                assert_keeps(v, there, &format!("{at}.{k}"));
            }
        }
        (Value::Array(o), Value::Array(n)) => {
            assert_eq!(o.len(), n.len(), "{at}");
            for (i, (a, b)) in o.iter().zip(n).enumerate() {
                assert_keeps(a, b, &format!("{at}[{i}]"));
            }
        }
        _ => assert_eq!(old, new, "{at}"),
    }
}

#[test]
fn past_closings_of_an_old_journal_read_back_unchanged_and_the_journal_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = old_journal(dir.path());
    let mut j = Journal::open(&path).unwrap();
    assert_eq!(j.verify().unwrap(), None);
    let old_closings = fixture_json("journal-v1.closings.json");
    let closings = j.closings().unwrap();
    assert_eq!(closings.len(), 2);
    assert_keeps(
        &old_closings,
        &serde_json::to_value(&closings).unwrap(),
        "closings",
    );
    let as_stored: Vec<Closing> = serde_json::from_value(old_closings.clone()).unwrap();
    assert_eq!(closings, as_stored);
    assert_eq!(
        closings[0].figures.counts_by_method,
        MethodCounts::default()
    );
    assert_eq!(closings[0].note, None);
    // The running day too.
    let figures = j.day_figures().unwrap();
    assert_keeps(
        &fixture_json("journal-v1.figures.json"),
        &serde_json::to_value(&figures).unwrap(),
        "figures",
    );
    // The outbox of the old file is still there.
    assert_eq!(j.outbox_state().unwrap().count, 1);

    // New sales after the upgrade count by method; old rows verify beside new ones.
    let first = sell(&mut j, "new-1", 250, PaymentMethod::Cash);
    sell(&mut j, "new-2", 300, PaymentMethod::Card);
    j.record_cancellation(first, "falsch", None).unwrap();
    let z3 = j
        .close_day_noted(Cents(0), None, Some("  Kasse klemmt  "))
        .unwrap();
    assert_eq!(z3.z_number, 3);
    assert_eq!(z3.note.as_deref(), Some("Kasse klemmt"));
    assert_eq!(z3.figures.sales, 4);
    assert_eq!(z3.figures.cancelled, Cents(250));
    // Two cash sales of the old rows carry no counts; the new ones do.
    assert_eq!(
        z3.figures.counts_by_method,
        MethodCounts {
            cash: 0,
            card: 1,
            secucard: 0,
            qr: 0,
        }
    );
    drop(j);
    let j = Journal::open(&path).unwrap();
    assert_eq!(j.verify().unwrap(), None);
    let again = j.closings().unwrap();
    assert_eq!(&again[..2], &as_stored[..]);
    assert_eq!(again[2], z3);
}

#[test]
fn the_closing_counts_payments_by_method_and_keeps_the_note() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite3");
    let mut j = Journal::open(&path).unwrap();
    j.record_cash_movement(CashMovement::Float, Cents(10_000), "Wechselgeld")
        .unwrap();
    let a = sell(&mut j, "a", 199, PaymentMethod::Cash);
    sell(&mut j, "b", 299, PaymentMethod::Cash);
    sell(&mut j, "c", 399, PaymentMethod::Card);
    j.record_drawer_opened("Kleingeld").unwrap();
    j.record_cancellation(a, "Kunde", None).unwrap();
    let f: DayFigures = j.day_figures().unwrap();
    assert_eq!(
        f.counts_by_method,
        MethodCounts {
            cash: 1,
            card: 1,
            secucard: 0,
            qr: 0,
        }
    );
    assert_eq!(
        (f.by_method.cash, f.by_method.card),
        (Cents(299), Cents(399))
    );
    assert_eq!(f.cancelled, Cents(199));
    assert_eq!((f.sales, f.cancellations, f.drawer_openings), (3, 1, 1));
    assert_eq!((f.first_receipt, f.last_receipt), (Some(1), Some(4)));
    let opened = j.day_opened_at().unwrap().unwrap();
    let z = j
        .close_day_noted(Cents(10_299), None, Some("alles gut"))
        .unwrap();
    assert_eq!(z.opened_at.as_deref(), Some(opened.as_str()));
    assert_eq!(z.difference, Cents(0));
    drop(j);
    let j = Journal::open(&path).unwrap();
    let stored = j.closing(1).unwrap().unwrap();
    assert_eq!(stored, z);
    assert_eq!(stored.note.as_deref(), Some("alles gut"));
    assert_eq!(stored.figures.counts_by_method.cash, 1);
    // The next day starts from zero.
    let next = j.day_figures().unwrap();
    assert_eq!(next.counts_by_method, MethodCounts::default());
    assert_eq!(j.day_opened_at().unwrap(), None);
}

#[test]
fn the_terminals_end_of_day_survives_a_restart_into_the_closing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite3");
    let answer = json!({"status": "ok", "end_of_day": {"count": 1, "sum": 399}, "receipt": []});
    {
        let mut j = Journal::open(&path).unwrap();
        sell(&mut j, "c", 399, PaymentMethod::Card);
        assert_eq!(j.terminal_end_of_day().unwrap(), None);
        j.record_terminal_end_of_day(&answer).unwrap();
    }
    // The app restarts between the terminal's end of day and the closing.
    let mut j = Journal::open(&path).unwrap();
    let (_, kept) = j.terminal_end_of_day().unwrap().unwrap();
    assert_eq!(kept, answer);
    let z = j.close_day_noted(Cents(0), None, None).unwrap();
    assert_eq!(z.terminal, Some(answer));
    // Used by that closing: the next day has none yet.
    assert_eq!(j.terminal_end_of_day().unwrap(), None);
    let z2 = j.close_day(Cents(0), None).unwrap();
    assert_eq!(z2.terminal, None);
    assert_eq!(j.verify().unwrap(), None);
}

#[test]
fn qr_payments_have_a_line_of_their_own_on_the_z_report_card_stays_card() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite3");
    let mut j = Journal::open(&path).unwrap();
    sell(&mut j, "a", 399, PaymentMethod::Card);
    sell(&mut j, "b", 250, PaymentMethod::Qr);
    let c = sell(&mut j, "c", 120, PaymentMethod::Qr);
    sell(&mut j, "d", 100, PaymentMethod::Cash);
    j.record_cancellation(c, "Kunde", None).unwrap();
    let f = j.day_figures().unwrap();
    assert_eq!(
        (f.by_method.card, f.by_method.qr, f.by_method.cash),
        (Cents(399), Cents(250), Cents(100))
    );
    assert_eq!(
        f.counts_by_method,
        MethodCounts {
            cash: 1,
            card: 1,
            secucard: 0,
            qr: 1,
        }
    );
    let z = j.close_day_noted(Cents(100), None, None).unwrap();
    assert_eq!(z.figures, f);
    // Stored so, and the Z report (screen, print, PDF share it) says so.
    let stored = Journal::open(&path).unwrap().closing(1).unwrap().unwrap();
    assert_eq!(stored.figures.by_method.qr, Cents(250));
    let shop = receipt::ShopHeader {
        name: "Bäckerei".into(),
        address_lines: vec![],
        vat_id: None,
        footer: None,
    };
    let header = till::z_report::ZReportHeader {
        shop: &shop,
        till_id: "KASSE-1",
        demo: false,
    };
    let report = till::z_report::build(&stored, &header);
    let lines: Vec<_> = report
        .payments
        .iter()
        .map(|p| (p.label.as_str(), p.count, p.amount_cents))
        .collect();
    assert_eq!(
        lines,
        vec![("Bar", 1, 100), ("Karte", 1, 399), ("QR-Code", 1, 250)]
    );
    let text = receipt::render_document_text(&till::z_report::document(&stored, &header), 42);
    assert!(text.contains("QR-Code (1x)"), "{text}");
    // The next day starts from zero.
    let next = Journal::open(&path).unwrap().day_figures().unwrap();
    assert_eq!((next.by_method.qr, next.counts_by_method.qr), (Cents(0), 0));
}
