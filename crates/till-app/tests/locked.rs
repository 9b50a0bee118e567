//! A locked till books nothing: every command that books money refuses with
//! `not_logged_in` while nobody is logged in, and the journal stays as it was.

mod common;

use common::{basket, demo_till};
use till::cash_movement::CashReason;
use till::returns::ReturnLine;
use till::Cents;
use till_app::commands::cash_day::{self, DiscountRequest};
use till_app::commands::secucard::{self, LoadMethod};
use till_app::commands::{card, journal, sale};
use till_app::{cashier, CommandError, ErrorCode};

fn refused<T: std::fmt::Debug>(what: &str, r: Result<T, CommandError>) {
    let e = r.expect_err(what);
    assert_eq!(e.code, ErrorCode::NotLoggedIn, "{what}: {}", e.message);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_locked_till_books_nothing() {
    let (_dir, s) = demo_till().await.into_parts();
    // A sale while the manager is logged in, to try returning and cancelling.
    let paid = sale::pay_cash(&s, basket(250), Some(Cents(500)))
        .await
        .unwrap();
    cashier::lock(&s).unwrap();
    let head = s.journal().head().unwrap();
    let entries = s.journal().entries(None).unwrap().len();

    refused(
        "cash",
        sale::pay_cash(&s, basket(250), Some(Cents(500))).await,
    );
    refused("card", card::pay_card(&s, basket(250)).await);
    refused(
        "QR code",
        till_app::commands::qr::start_qr_payment(&s, basket(250)).await,
    );
    refused(
        "secucard",
        secucard::pay_secucard(&s, basket(250), "1234".into(), None, None).await,
    );
    refused(
        "load in cash",
        secucard::load_secucard(&s, "1234".into(), Cents(1_000), LoadMethod::Cash, None).await,
    );
    refused(
        "load on the terminal",
        secucard::load_secucard(&s, "1234".into(), Cents(1_000), LoadMethod::Card, None).await,
    );
    refused("float", cash_day::set_float(&s, Cents(10_000)).await);
    refused(
        "cash in",
        cash_day::cash_movement(&s, CashReason::ChangeFetched, Cents(1_000), None, None).await,
    );
    refused(
        "cash out",
        cash_day::cash_movement(&s, CashReason::ToBank, Cents(1_000), None, None).await,
    );
    refused(
        "return",
        cash_day::return_lines(
            &s,
            paid.receipt_number as i64,
            vec![ReturnLine {
                line: 0,
                quantity: 1,
            }],
            None,
        )
        .await,
    );
    refused(
        "cancellation",
        journal::cancel_sale(&s, &paid.sale_id, None, None).await,
    );
    refused(
        "discount",
        cash_day::apply_discounts(
            &s,
            basket(250),
            DiscountRequest {
                lines: vec![],
                basket: None,
            },
            None,
        )
        .await,
    );

    assert_eq!(
        s.journal().head().unwrap(),
        head,
        "the journal is unchanged"
    );
    assert_eq!(s.journal().entries(None).unwrap().len(), entries);

    // Logged in again, the same cash sale is booked.
    cashier::login(&s, catalog::demo::DEMO_CASHIER_PIN).unwrap();
    sale::pay_cash(&s, basket(250), Some(Cents(500)))
        .await
        .unwrap();
}
