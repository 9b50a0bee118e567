//! Every entry names the cashier logged in when it was written, inside its
//! hash; entries written before (or with nobody logged in) are hashed as
//! they always were.

use rusqlite::Connection;
use till::basket::{Basket, BasketLine};
use till::journal::{kind, testing, BreakKind, CashierRef, Journal};
use till::{Cents, PaymentMethod, VatRate};

fn sell(j: &mut Journal, id: &str) {
    let basket = Basket {
        lines: vec![BasketLine::article("Brot", 1, Cents(250), VatRate::Reduced)],
        card: None,
    };
    testing::sell(j, id, &basket, PaymentMethod::Cash, false).unwrap();
}

fn anna() -> CashierRef {
    CashierRef {
        id: "c0ffee00-0000-4000-8000-000000000001".into(),
        name: "Anna".into(),
    }
}

#[test]
fn entries_name_their_cashier_and_the_chain_holds_across_the_change() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite3");
    let mut j = Journal::open(&path).unwrap();
    sell(&mut j, "before");
    j.set_cashier(Some(&anna())).unwrap();
    sell(&mut j, "anna");
    j.record(kind::LOGIN, &[serde_json::json!({"cashier_id": anna().id})])
        .unwrap();
    j.set_cashier(None).unwrap();
    sell(&mut j, "after");
    assert_eq!(j.verify().unwrap(), None);

    let sales = j.entries(Some(kind::SALE)).unwrap();
    let named: Vec<Option<&str>> = sales
        .iter()
        .map(|e| e.cashier.as_ref().map(|c| c.name.as_str()))
        .collect();
    assert_eq!(named, [None, Some("Anna"), None]);
    // The cashier is per connection, not in the file: a reopened journal has nobody.
    drop(j);
    let mut j = Journal::open(&path).unwrap();
    sell(&mut j, "reopened");
    let last = j.entries(Some(kind::SALE)).unwrap().pop().unwrap();
    assert_eq!(last.cashier, None);
    assert_eq!(j.verify().unwrap(), None);
}

#[test]
fn a_cashier_changed_behind_the_journals_back_breaks_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite3");
    let mut j = Journal::open(&path).unwrap();
    j.set_cashier(Some(&anna())).unwrap();
    sell(&mut j, "a");
    sell(&mut j, "b");
    let target = j.entries(Some(kind::SALE)).unwrap()[0].seq;
    drop(j);
    let c = Connection::open(&path).unwrap();
    c.execute_batch("DROP TRIGGER entries_append_only_update;")
        .unwrap();
    c.execute(
        "UPDATE entries SET cashier = '{\"id\":\"x\",\"name\":\"Bob\"}' WHERE seq = ?1",
        [target],
    )
    .unwrap();
    drop(c);
    let j = Journal::open(&path).unwrap();
    let b = j.verify().unwrap().expect("the change is seen");
    assert_eq!((b.seq, b.kind), (target, BreakKind::Altered));
}

#[test]
fn only_the_kinds_recorded_as_given_can_be_written_as_given() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(&dir.path().join("journal.sqlite3")).unwrap();
    assert!(j
        .record(kind::SALE, &[serde_json::json!({"payments": []})])
        .is_err());
    j.record(
        kind::CATALOG_CHANGE,
        &[
            serde_json::json!({"catalog_seq": 1}),
            serde_json::json!({"catalog_seq": 2}),
        ],
    )
    .unwrap();
    assert_eq!(
        j.last_recorded(kind::CATALOG_CHANGE).unwrap().unwrap()["catalog_seq"],
        2
    );
    assert_eq!(j.last_recorded(kind::AUTHORISATION).unwrap(), None);
}

fn ben() -> CashierRef {
    CashierRef {
        id: "c0ffee00-0000-4000-8000-000000000002".into(),
        name: "Ben".into(),
    }
}

fn named(e: &till::journal::Entry) -> Option<&str> {
    e.cashier.as_ref().map(|c| c.name.as_str())
}

#[test]
fn entries_written_in_the_background_name_the_cashier_of_their_sale() {
    use till::journal::PaymentIntent;
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(&dir.path().join("journal.sqlite3")).unwrap();
    let basket = Basket {
        lines: vec![BasketLine::article("Brot", 1, Cents(250), VatRate::Reduced)],
        card: None,
    };
    // Anna starts a card payment; the terminal's answer is in doubt, and Ben takes over the till.
    j.set_cashier(Some(&anna())).unwrap();
    let intent = PaymentIntent::new("doubt", PaymentMethod::Card, &basket, Some("STX_1"), None);
    j.begin_payment(&intent).unwrap();
    j.set_cashier(Some(&ben())).unwrap();
    // Catching up finds it paid: the sale and its receipt are Anna's.
    let served = j
        .record_paid("doubt", |issue, intent| {
            (
                testing::paid_in_one(intent, PaymentMethod::Card, false),
                issue.served_by,
            )
        })
        .unwrap();
    assert_eq!(served.as_deref(), Some("Anna"));
    // Anna's offline sale leaves the outbox while Ben is logged in: in her name.
    j.set_cashier(Some(&anna())).unwrap();
    testing::sell(&mut j, "offline", &basket, PaymentMethod::Cash, true).unwrap();
    j.set_cashier(Some(&ben())).unwrap();
    j.record_registered("offline", "STX_2", &serde_json::json!({}))
        .unwrap();
    // Another payment of Anna's that failed, settled while Ben is logged in.
    j.set_cashier(Some(&anna())).unwrap();
    let failed = PaymentIntent::new("failed", PaymentMethod::Card, &basket, Some("STX_3"), None);
    j.begin_payment(&failed).unwrap();
    j.set_cashier(Some(&ben())).unwrap();
    j.record_failed("failed", "declined", None).unwrap();
    // Ben's own sale is Ben's.
    sell(&mut j, "ben");

    let sales = j.entries(Some(kind::SALE)).unwrap();
    let by: Vec<_> = sales
        .iter()
        .map(|e| (e.sale_id.as_deref(), named(e)))
        .collect();
    assert_eq!(
        by,
        [
            (Some("doubt"), Some("Anna")),
            (Some("offline"), Some("Anna")),
            (Some("ben"), Some("Ben"))
        ]
    );
    let registered = j.entries(Some(kind::REGISTERED)).unwrap();
    assert_eq!(named(&registered[0]), Some("Anna"));
    let failed = j.entries(Some(kind::FAILED)).unwrap();
    assert_eq!(named(&failed[0]), Some("Anna"));
    // The takings per cashier follow.
    let takings = j.takings_by_cashier().unwrap();
    let anna_takings = takings
        .iter()
        .find(|t| t.name.as_deref() == Some("Anna"))
        .expect("Anna's takings");
    assert_eq!(anna_takings.total, Cents(500));
    assert_eq!(j.verify().unwrap(), None);
}
