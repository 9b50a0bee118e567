//! `verify` checks the TSE's signatures: an insider who rewrites a signed
//! sale in the journal file and hashes the chain again is named. Real
//! sales through the checkout against both simulators on loopback, a real
//! SQLite file changed with raw SQL.

use crate::common;

use common::tse_till::TseTill;
use till::journal::testing::rewrite_and_rehash;
use till::journal::{kind, BreakKind};
use till::{Basket, BasketLine, Cents, VatRate};

/// Three signed cash sales, one cancelled, one basket abandoned.
async fn sell(t: &TseTill) -> Vec<till::journal::Entry> {
    let c = t.checkout();
    for cents in [1190, 500, 250] {
        c.basket_started().await.unwrap();
        let basket = Basket {
            lines: vec![BasketLine::article(
                "Wein",
                1,
                Cents(cents),
                VatRate::Standard,
            )],
            card: None,
        };
        c.pay_cash(&basket, None).await.unwrap();
    }
    c.basket_started().await.unwrap();
    c.basket_cleared().await.unwrap();
    c.cancel_sale(2, "Kunde", &secuconnect::CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(t.till.journal().verify().unwrap(), None);
    t.till.journal().entries(Some(kind::SALE)).unwrap()
}

#[tokio::test]
async fn a_signed_sale_whose_total_an_insider_rewrote_and_hashed_again_is_named() {
    let t = TseTill::new().await;
    let sales = sell(&t).await;
    let target = &sales[0];
    let body = serde_json::to_string(&target.body).unwrap();
    assert!(body.contains(r#""amount":1190"#), "{body}");
    let forged = body.replace(r#""amount":1190"#, r#""amount":190"#);
    rewrite_and_rehash(&t.till.path, target.seq, &forged);
    let found = t
        .till
        .journal()
        .verify()
        .unwrap()
        .expect("the rewrite is seen");
    assert_eq!(found.seq, target.seq, "{found:?}");
    assert_eq!(found.kind, BreakKind::Altered);
    assert!(
        found.reason.contains("differ from what the TSE signed"),
        "{}",
        found.reason
    );
}

#[tokio::test]
async fn a_rewrite_of_the_signed_data_too_breaks_the_signature() {
    let t = TseTill::new().await;
    let sales = sell(&t).await;
    let target = &sales[1];
    let body = serde_json::to_string(&target.body).unwrap();
    // The amounts, the process data and the QR code all rewritten alike:
    // only the TSE's key could sign that.
    let forged = body
        .replace(r#""amount":500"#, r#""amount":50"#)
        .replace("Beleg^5.00_", "Beleg^0.50_")
        .replace("^5.00:Bar", "^0.50:Bar");
    assert_ne!(forged, body);
    rewrite_and_rehash(&t.till.path, target.seq, &forged);
    let found = t
        .till
        .journal()
        .verify()
        .unwrap()
        .expect("the forgery is seen");
    assert_eq!(found.seq, target.seq, "{found:?}");
    assert!(
        found.reason.contains("signature does not match"),
        "{}",
        found.reason
    );
}

#[tokio::test]
async fn a_signature_copied_onto_another_sale_is_named() {
    let t = TseTill::new().await;
    let sales = sell(&t).await;
    // Two sales of 2.50: the second gets the first one's TSE data.
    let c = t.checkout();
    let basket = Basket {
        lines: vec![BasketLine::article(
            "Brot",
            1,
            Cents(250),
            VatRate::Standard,
        )],
        card: None,
    };
    c.pay_cash(&basket, None).await.unwrap();
    let sales_now = t.till.journal().entries(Some(kind::SALE)).unwrap();
    let (first, copy) = (&sales[2], sales_now.last().unwrap());
    let mut body = copy.body.clone();
    body["tse"] = first.body["tse"].clone();
    rewrite_and_rehash(&t.till.path, copy.seq, &body.to_string());
    let found = t
        .till
        .journal()
        .verify()
        .unwrap()
        .expect("the copy is seen");
    assert_eq!(found.seq, copy.seq, "{found:?}");
    assert!(found.reason.contains("used twice"), "{}", found.reason);
}

#[tokio::test]
async fn a_signed_cancellation_rewritten_is_named() {
    let t = TseTill::new().await;
    sell(&t).await;
    let cancellation = t
        .till
        .journal()
        .entries(Some(kind::CANCELLATION))
        .unwrap()
        .remove(0);
    let body = serde_json::to_string(&cancellation.body).unwrap();
    let forged = body.replace(r#""amount":-500"#, r#""amount":-900"#);
    assert_ne!(forged, body);
    rewrite_and_rehash(&t.till.path, cancellation.seq, &forged);
    let found = t.till.journal().verify().unwrap().expect("seen");
    assert_eq!(found.seq, cancellation.seq, "{found:?}");
}

/// A TSE till with the cash-only events the TSE signs: the float, cash in
/// and out, a return; all intact.
async fn cash_events() -> TseTill {
    use till::cash_movement::CashReason;
    use till::returns::ReturnLine;

    let t = TseTill::new().await;
    let c = t.checkout();
    c.set_opening_float(Cents(10_000)).await.unwrap();
    sell(&t).await;
    c.cash_movement(CashReason::ChangeFetched, Cents(5_000), "", None)
        .await
        .unwrap();
    c.cash_movement(CashReason::ToBank, Cents(2_000), "", None)
        .await
        .unwrap();
    let line = ReturnLine {
        line: 0,
        quantity: 1,
    };
    c.take_back(1, &[line], None).await.unwrap();
    assert_eq!(
        t.till.journal().verify().unwrap(),
        None,
        "all signed and intact"
    );
    t
}

/// Each cash-only event is checked as a sale is: rewritten and hashed again,
/// it is named.
#[tokio::test]
async fn a_signed_float_cash_receipt_or_return_rewritten_is_named() {
    let cases = [
        (kind::CASH_MOVEMENT, r#""amount":10000"#, r#""amount":1000"#),
        (kind::CASH_RECEIPT, r#""amount":5000"#, r#""amount":500"#),
        (kind::CASH_RECEIPT, r#""amount":2000"#, r#""amount":200"#),
        (kind::RETURN, r#""total":-1190"#, r#""total":-119"#),
    ];
    for (kind, signed, forged) in cases {
        let t = cash_events().await;
        let entry = t
            .till
            .journal()
            .entries(Some(kind))
            .unwrap()
            .into_iter()
            .find(|e| e.body.to_string().contains(signed))
            .unwrap_or_else(|| panic!("a {kind} entry with {signed}"));
        let body = serde_json::to_string(&entry.body).unwrap();
        assert!(body.contains(r#""status":"signed""#), "{body}");
        rewrite_and_rehash(&t.till.path, entry.seq, &body.replace(signed, forged));
        let found = t
            .till
            .journal()
            .verify()
            .unwrap()
            .expect("the rewrite is seen");
        assert_eq!(found.seq, entry.seq, "{kind}: {found:?}");
        assert!(
            found.reason.contains("differ from what the TSE signed"),
            "{kind}: {}",
            found.reason
        );
    }
}
