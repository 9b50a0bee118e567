//! Secucards at the till: lookup, passcode, a sale paid from the balance with
//! cash for the rest, refused cards, loading. The real client, the simulator
//! over loopback HTTP and a real SQLite journal.

use crate::common;

use common::Till;
use secuconnect::CancellationToken;
use secuconnect_sandbox::demo;
use serde_json::Value;
use till::basket::{Basket, BasketLine};
use till::journal::kind;
use till::secucard::{CardSplit, SecucardError};
use till::{Cents, CheckoutError, PaymentMethod, SaleState, VatRate};

impl Till {
    /// The card as the simulator keeps it.
    fn card(&self, number: &str) -> Value {
        self.sandbox.state.card(number).unwrap()
    }

    fn transactions(&self) -> Vec<Value> {
        self.sandbox.state.snapshot()["transactions"]
            .as_array()
            .unwrap()
            .clone()
    }

    /// Nothing was charged and nothing booked: the card's balance is as
    /// before, no transaction was paid, the journal has no sale nor intent.
    fn assert_nothing_charged(&self, number: &str, balance: i64) {
        assert_eq!(self.card(number)["balance"], balance);
        assert!(
            self.transactions().iter().all(|t| t["status"] != "ok"),
            "{:#?}",
            self.transactions()
        );
        let j = self.journal();
        assert!(j.entries(Some(kind::SALE)).unwrap().is_empty());
        assert!(j.entries(Some(kind::INTENT)).unwrap().is_empty());
    }
}

/// 15,47 €: a sandwich (7 %) and a cake (19 %).
fn basket() -> Basket {
    Basket {
        lines: vec![
            BasketLine::article("Sandwich Romano", 1, Cents(349), VatRate::Reduced),
            BasketLine::article("Torte", 1, Cents(1198), VatRate::Standard),
        ],
        card: None,
    }
}

#[tokio::test]
async fn a_sale_takes_the_card_balance_first_and_cash_for_the_rest() {
    let till = Till::new().await;
    let number = demo::CARD_BONUS; // 10,00 € cash + 2,50 € bonus
    let card = till.checkout().secucard(number).await.unwrap();
    assert_eq!(card.card_number, number);
    assert_eq!(
        (card.balance, card.cash_balance, card.bonus_balance),
        (Cents(1250), Cents(1000), Cents(250))
    );
    assert_eq!((card.points, card.passcode_required), (340, false));
    assert_eq!(
        (card.lock_status.as_str(), card.stock_status.as_str()),
        ("unlocked", "active")
    );

    let split = till
        .checkout()
        .secucard_split(&basket(), number, None)
        .await
        .unwrap();
    assert_eq!(
        split,
        CardSplit {
            total: Cents(1547),
            from_card: Cents(1250),
            rest: Cents(297)
        }
    );
    // Asking for the split moves no money and leaves no open transaction.
    assert_eq!(till.card(number)["balance"], 1250);
    assert!(till
        .transactions()
        .iter()
        .all(|t| t["status"] == "cancelled"));

    let sale = till
        .checkout()
        .pay_secucard(&basket(), number, None, Some(Cents(500)))
        .await
        .unwrap();
    assert_eq!(sale.total, Cents(1547));
    // The simulator took the whole balance, bonus first.
    let after = till.card(number);
    assert_eq!(
        (
            &after["balance"],
            &after["bonus_balance"],
            &after["cash_balance"]
        ),
        (&Value::from(0), &Value::from(0), &Value::from(0))
    );
    assert_eq!(
        till.checkout().secucard(number).await.unwrap().balance,
        Cents(0)
    );
    let paid: Vec<Value> = till
        .transactions()
        .into_iter()
        .filter(|t| t["status"] == "ok")
        .collect();
    assert_eq!(paid.len(), 1);
    assert_eq!(paid[0]["id"].as_str(), Some(sale.transaction_id.as_str()));
    assert_eq!(paid[0]["idents"][0]["value"], number);

    let j = till.journal();
    let record = j.sale_by_receipt(1).unwrap();
    assert_eq!(record.state, SaleState::Paid);
    let payments: Vec<(PaymentMethod, Cents, Option<Cents>, Option<Cents>)> = record
        .paid
        .payments
        .iter()
        .map(|p| (p.method, p.amount, p.tendered, p.change))
        .collect();
    assert_eq!(
        payments,
        vec![
            (PaymentMethod::Secucard, Cents(1250), None, None),
            (
                PaymentMethod::Cash,
                Cents(297),
                Some(Cents(500)),
                Some(Cents(203))
            ),
        ]
    );
    // The receipt: both payments, the change, the provider's card lines.
    let text = &sale.receipt_text;
    for needle in [
        "Kundenkarte",
        "12,50",
        "Bar",
        "2,97",
        "5,00",
        "2,03",
        "15,47",
        "Aktuelles Guthaben:",
        "TA Code:",
    ] {
        assert!(text.contains(needle), "{needle:?} missing in\n{text}");
    }
    assert_eq!(till::receipt_doc::rebuild(&record), Some(sale.receipt));
    let figures = j.day_figures().unwrap();
    assert_eq!(
        (figures.by_method.secucard, figures.by_method.cash),
        (Cents(1250), Cents(297))
    );
    assert_eq!(j.verify().unwrap(), None);
}

#[tokio::test]
async fn a_balance_that_covers_the_sale_needs_no_cash() {
    let till = Till::new().await;
    let number = demo::CARD_PASSCODE; // 20,00 €
    let sale = till
        .checkout()
        .pay_secucard(&basket(), number, Some("1234"), Some(Cents(0)))
        .await
        .unwrap();
    assert_eq!(till.card(number)["balance"], 2000 - 1547);
    let record = till
        .journal()
        .sale_by_receipt(sale.receipt_number as i64)
        .unwrap();
    let methods: Vec<(PaymentMethod, Cents)> = record
        .paid
        .payments
        .iter()
        .map(|p| (p.method, p.amount))
        .collect();
    assert_eq!(
        methods,
        vec![
            (PaymentMethod::Secucard, Cents(1547)),
            (PaymentMethod::Cash, Cents(0))
        ]
    );
}

#[tokio::test]
async fn locked_inactive_and_unissued_cards_are_refused_and_nothing_is_charged() {
    let till = Till::new().await;
    let card = till.checkout().secucard(demo::CARD_LOCKED).await.unwrap();
    assert_eq!(card.lock_status, "locked");
    for (number, balance, locked) in [
        (demo::CARD_LOCKED, 800, true),
        (demo::CARD_INACTIVE, 300, false),
        (demo::CARD_STORED, 0, false),
    ] {
        let err = till
            .checkout()
            .secucard_split(&basket(), number, None)
            .await
            .unwrap_err();
        let err2 = till
            .checkout()
            .pay_secucard(&basket(), number, None, Some(Cents(2000)))
            .await
            .unwrap_err();
        for e in [err, err2] {
            if locked {
                assert!(matches!(e, SecucardError::Locked), "{e:?}");
            } else {
                assert!(matches!(e, SecucardError::Inactive), "{e:?}");
            }
        }
        till.assert_nothing_charged(number, balance);
    }
    // Nothing was even created at the provider.
    assert!(till.transactions().is_empty());
    // A locked card is not loaded either.
    let err = till
        .checkout()
        .load_secucard_cash(demo::CARD_LOCKED, Cents(1000), None)
        .await
        .unwrap_err();
    assert!(matches!(err, SecucardError::Locked), "{err:?}");
    till.assert_nothing_charged(demo::CARD_LOCKED, 800);
}

#[tokio::test]
async fn an_unknown_card_is_not_found() {
    let till = Till::new().await;
    for number in [demo::CARD_UNKNOWN, "", "9276 0000'"] {
        let err = till.checkout().secucard(number).await.unwrap_err();
        assert!(
            matches!(err, SecucardError::NotFound),
            "{number:?}: {err:?}"
        );
    }
    let err = till
        .checkout()
        .pay_secucard(&basket(), demo::CARD_UNKNOWN, None, None)
        .await
        .unwrap_err();
    assert!(matches!(err, SecucardError::NotFound), "{err:?}");
}

#[tokio::test]
async fn a_card_with_a_passcode_pays_only_with_the_right_one() {
    let till = Till::new().await;
    let number = demo::CARD_PASSCODE;
    let card = till.checkout().secucard(number).await.unwrap();
    assert!(card.passcode_required);
    let check = |p: &'static str| {
        let till = &till;
        async move { till.checkout().check_passcode(number, p).await.unwrap() }
    };
    assert!(!check("1111").await);
    assert!(!check("12x4").await);
    assert!(check("1234").await);

    for (passcode, wrong) in [(None, false), (Some(""), false), (Some("4321"), true)] {
        let err = till
            .checkout()
            .pay_secucard(&basket(), number, passcode, Some(Cents(0)))
            .await
            .unwrap_err();
        assert!(
            matches!(err, SecucardError::PasscodeRequired { wrong: w } if w == wrong),
            "{passcode:?}: {err:?}"
        );
        let err = till
            .checkout()
            .secucard_split(&basket(), number, passcode)
            .await
            .unwrap_err();
        assert!(
            matches!(err, SecucardError::PasscodeRequired { .. }),
            "{err:?}"
        );
    }
    till.assert_nothing_charged(number, 2000);

    let split = till
        .checkout()
        .secucard_split(&basket(), number, Some("1234"))
        .await
        .unwrap();
    assert_eq!((split.from_card, split.rest), (Cents(1547), Cents(0)));
    till.checkout()
        .pay_secucard(&basket(), number, Some("1234"), None)
        .await
        .unwrap();
    assert_eq!(till.card(number)["balance"], 453);
}

#[tokio::test]
async fn too_little_cash_for_the_rest_books_nothing() {
    let till = Till::new().await;
    let number = demo::CARD_GUIDE; // 5,00 €
    let err = till
        .checkout()
        .pay_secucard(&basket(), number, None, Some(Cents(1000)))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            SecucardError::Checkout(CheckoutError::NotEnoughCash {
                given: Cents(1000),
                total: Cents(1047)
            })
        ),
        "{err:?}"
    );
    till.assert_nothing_charged(number, 500);
    // The transaction created for it is abandoned, not left open.
    let statuses: Vec<Value> = till
        .transactions()
        .iter()
        .map(|t| t["status"].clone())
        .collect();
    assert_eq!(statuses, vec![Value::from("cancelled")]);
}

#[tokio::test]
async fn loading_a_card_in_cash_issues_it_and_raises_its_balance() {
    let till = Till::new().await;
    let number = demo::CARD_STORED;
    assert_eq!(
        till.checkout().secucard(number).await.unwrap().stock_status,
        "stored"
    );
    let sale = till
        .checkout()
        .load_secucard_cash(number, Cents(1500), Some(Cents(2000)))
        .await
        .unwrap();
    assert_eq!(sale.total, Cents(1500));
    let card = till.checkout().secucard(number).await.unwrap();
    assert_eq!(
        (card.balance, card.cash_balance, card.stock_status.as_str()),
        (Cents(1500), Cents(1500), "active")
    );
    assert!(
        sale.receipt_text.contains("Kartenaufladung"),
        "{}",
        sale.receipt_text
    );
    assert!(
        sale.receipt_text.contains("Aufladung:"),
        "{}",
        sale.receipt_text
    );
    {
        let j = till.journal();
        let record = j.sale_by_receipt(1).unwrap();
        assert_eq!(record.paid.payments.len(), 1);
        let cash = &record.paid.payments[0];
        assert_eq!(
            (cash.method, cash.amount, cash.change),
            (PaymentMethod::Cash, Cents(1500), Some(Cents(500)))
        );
        assert_eq!(j.day_figures().unwrap().card_loads, Cents(1500));
    }
    // Nothing to load is no sale.
    let err = till
        .checkout()
        .load_secucard_cash(number, Cents(0), None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, SecucardError::Checkout(CheckoutError::Basket(_))),
        "{err:?}"
    );
}

#[tokio::test]
async fn loading_a_card_on_the_terminal_raises_its_balance() {
    let till = Till::new().await;
    let number = demo::CARD_GUIDE;
    let basket = till
        .checkout()
        .card_load(number, Cents(2000))
        .await
        .unwrap();
    let sale = till
        .checkout()
        .pay_card(&basket, &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(sale.total, Cents(2000));
    assert_eq!(till.card(number)["balance"], 2500);
    let record = till.journal().sale_by_receipt(1).unwrap();
    assert_eq!(record.paid.payments[0].method, PaymentMethod::Card);
    assert!(sale.merchant_receipt_text.is_some());
    // A locked card is refused before the terminal is asked.
    let err = till
        .checkout()
        .card_load(demo::CARD_LOCKED, Cents(2000))
        .await
        .unwrap_err();
    assert!(matches!(err, SecucardError::Locked), "{err:?}");
}
