//! Card payments, secucards, reconciliation, the outbox, cancellations and
//! the closing: the real client, the simulator over loopback HTTP and a real
//! SQLite journal.

use crate::common;

use std::time::Duration;

use common::Till;
use secuconnect::{CancellationToken, Device};
use secuconnect_sandbox::{CardSpec, Fault, FaultKind};
use serde_json::Value;
use till::basket::{Basket, BasketLine};
use till::journal::{kind, PaymentIntent};
use till::{Cents, CheckoutError, JournalError, PaymentMethod, SaleState, VatRate};

/// 5,47 € by default; `cents` sets the coffee's price (the terminal's magic endings).
fn basket(coffee: i64) -> Basket {
    Basket {
        lines: vec![
            BasketLine::article("Sandwich Romano", 1, Cents(349), VatRate::Reduced),
            BasketLine::article("Kaffee", 1, Cents(coffee), VatRate::Standard),
        ],
        card: None,
    }
}

#[tokio::test]
async fn a_card_payment_keeps_both_receipts_and_the_terminal_receipt_number() {
    let till = Till::new().await;
    let sale = till
        .checkout()
        .pay_card(&basket(198), &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(sale.total, Cents(547));
    assert!(sale.receipt_text.contains("Karte"));
    assert!(sale.merchant_receipt_text.is_some());
    let payments = till.terminal_payments();
    assert_eq!(payments.len(), 1);
    assert_eq!(payments[0]["amount"], 547);
    let j = till.journal();
    let record = j.sale_by_receipt(1).unwrap();
    assert_eq!(record.state, SaleState::Paid);
    assert_eq!(record.paid.payments[0].method, PaymentMethod::Card);
    assert_eq!(
        record.paid.payments[0].terminal_receipt,
        payments[0]["receipt_number"].as_i64()
    );
    let customer = record.paid.customer_receipt.as_ref().unwrap();
    let merchant = record.paid.merchant_receipt.as_ref().unwrap();
    assert!(!customer.received.as_array().unwrap().is_empty());
    assert!(customer.text.contains("Kundenbeleg"), "{}", customer.text);
    assert!(merchant.text.contains("Händlerbeleg"), "{}", merchant.text);
    assert_eq!(till::receipt_doc::rebuild(&record), Some(sale.receipt));
    assert_eq!(j.day_figures().unwrap().by_method.card, Cents(547));
    assert_eq!(j.verify().unwrap(), None);
}

#[tokio::test]
async fn a_declined_card_fails_the_sale_and_takes_no_receipt_number() {
    let till = Till::new().await;
    let err = till
        .checkout()
        .pay_card(&basket(164), &CancellationToken::new()) // 5,13 €: declined
        .await
        .unwrap_err();
    assert!(matches!(err, CheckoutError::NotPaid(_)), "{err:?}");
    {
        let j = till.journal();
        assert_eq!(j.entries(Some(kind::FAILED)).unwrap().len(), 1);
        assert!(j.entries(Some(kind::SALE)).unwrap().is_empty());
        assert!(j.in_doubt().unwrap().is_empty());
    }
    // The next sale gets receipt number 1.
    let sale = till
        .checkout()
        .pay_card(&basket(198), &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(sale.receipt_number, 1);
}

#[tokio::test]
async fn a_lost_answer_is_read_back_and_the_card_is_charged_once() {
    let till = Till::new().await;
    till.sandbox
        .state
        .inject(Fault::new(
            "POST /api/v2/Smart/Transactions/*/start/cashless",
            FaultKind::DropAfter,
        ))
        .unwrap();
    let sale = till
        .checkout()
        .pay_card(&basket(198), &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(sale.receipt_number, 1);
    assert_eq!(till.terminal_payments().len(), 1);
    assert_eq!(till.stx_by_ref(&sale.sale_id).len(), 1);
}

#[tokio::test]
async fn a_payment_that_never_reached_the_terminal_is_aborted_not_started_again() {
    // The call waits longer than the till: its answer is lost, and when it is
    // read back the terminal has not started it.
    let till = Till::with_terminal_timeout(Duration::from_millis(300)).await;
    let mut slow = Fault::new(
        "POST /api/v2/Smart/Transactions/*/start/cashless",
        FaultKind::Latency,
    );
    slow.latency_ms = Some(1500);
    till.sandbox.state.inject(slow).unwrap();
    let err = till
        .checkout()
        .pay_card(&basket(198), &CancellationToken::new())
        .await
        .unwrap_err();
    assert!(matches!(err, CheckoutError::NotPaid(_)), "{err:?}");
    // The late request arrives after the abort and is refused: no charge, ever.
    tokio::time::sleep(Duration::from_millis(2000)).await;
    assert!(till.terminal_payments().is_empty());
    let j = till.journal();
    assert_eq!(j.entries(Some(kind::FAILED)).unwrap().len(), 1);
    assert!(j.in_doubt().unwrap().is_empty());
}

#[tokio::test]
async fn after_a_crash_the_payment_is_completed_from_the_provider() {
    let till = Till::new().await;
    // What a till does up to the crash: transaction, intent, the terminal call.
    let b = basket(198);
    let stx = till
        .client
        .create_transaction(&secuconnect::TransactionDraft {
            basket_info: Some(secuconnect::BasketInfo::eur(547)),
            transaction_ref: Some("crashed-sale".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let intent = PaymentIntent::new("crashed-sale", PaymentMethod::Card, &b, Some(&stx.id), None);
    till.journal().begin_payment(&intent).unwrap();
    till.client
        .start_cashless(&stx.id, &CancellationToken::new())
        .await
        .unwrap();
    // The answer never reached the journal. Restart: reconcile.
    let report = till.checkout().reconcile().await.unwrap();
    assert_eq!(report.completed.len(), 1);
    assert_eq!((report.failed, report.pending), (0, 0));
    {
        let j = till.journal();
        assert_eq!(j.sale_state("crashed-sale").unwrap(), SaleState::Paid);
        let record = j.sale_by_receipt(1).unwrap();
        assert!(record.paid.merchant_receipt.is_some());
    }
    assert_eq!(till.terminal_payments().len(), 1);
    // Reconciling again changes nothing.
    let again = till.checkout().reconcile().await.unwrap();
    assert!(again.completed.is_empty());
    assert_eq!(till.journal().entries(Some(kind::SALE)).unwrap().len(), 1);
}

#[tokio::test]
async fn card_payments_cannot_run_offline_and_say_so() {
    let till = Till::new().await;
    till.sandbox.state.set_offline(true);
    let err = till
        .checkout()
        .pay_card(&basket(198), &CancellationToken::new())
        .await
        .unwrap_err();
    assert!(matches!(err, CheckoutError::CardOffline), "{err:?}");
    assert!(err.to_string().contains("offline"));
    assert!(till
        .journal()
        .entries(Some(kind::INTENT))
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn offline_cash_sales_are_registered_later_in_order_and_once() {
    let till = Till::new().await;
    till.sandbox.state.set_offline(true);
    let first = till.checkout().pay_cash(&basket(198), None).await.unwrap();
    let second = till.checkout().pay_cash(&basket(250), None).await.unwrap();
    assert!(first.queued && second.queued);
    assert_eq!((first.receipt_number, second.receipt_number), (1, 2));
    // Still offline: nothing moves, nothing is lost.
    let report = till.checkout().sync_outbox().await.unwrap();
    assert_eq!((report.registered, report.remaining), (0, 2));
    till.sandbox.state.set_offline(false);
    // A third sale whose create arrived but whose answer was lost.
    till.sandbox
        .state
        .inject(Fault::new(
            "POST /api/v2/Smart/Transactions",
            FaultKind::DropAfter,
        ))
        .unwrap();
    let third = till.checkout().pay_cash(&basket(300), None).await.unwrap();
    assert!(third.queued);
    assert_eq!(till.journal().outbox_state().unwrap().count, 3);

    let report = till.checkout().sync_outbox().await.unwrap();
    assert_eq!((report.registered, report.remaining), (3, 0));
    assert_eq!(till.journal().outbox_state().unwrap().count, 0);
    let snapshot = till.sandbox.state.snapshot();
    let mut paid: Vec<(i64, &str)> = snapshot["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["status"] == "ok")
        .map(|t| {
            let trans_id = match &t["trans_id"] {
                Value::String(s) => s.parse().unwrap(),
                v => v.as_i64().unwrap(),
            };
            (trans_id, t["transactionRef"].as_str().unwrap())
        })
        .collect();
    // The provider numbers payments as they come: registered in the order
    // paid; the third found by its id, not created again.
    paid.sort();
    let refs: Vec<&str> = paid.into_iter().map(|(_, r)| r).collect();
    assert_eq!(
        refs,
        vec![
            first.sale_id.as_str(),
            second.sale_id.as_str(),
            third.sale_id.as_str()
        ]
    );
    assert_eq!(till.stx_by_ref(&third.sale_id).len(), 1);
    let j = till.journal();
    assert_eq!(j.entries(Some(kind::REGISTERED)).unwrap().len(), 3);
    let record = j.sale_by_receipt(3).unwrap();
    assert_eq!(
        record.paid.transaction_id.as_deref(),
        till.stx_by_ref(&third.sale_id)[0]["id"].as_str()
    );
    assert_eq!(j.verify().unwrap(), None);
}

#[tokio::test]
async fn a_secucard_pays_first_and_cash_the_rest() {
    let till = Till::new().await;
    let card = "9276000000000042";
    till.sandbox
        .state
        .put_card(CardSpec {
            cardnumber: card.into(),
            cash_balance: Some(300),
            ..CardSpec::default()
        })
        .unwrap();
    let mut b = basket(198);
    b.card = Some(card.into());
    let sale = till
        .checkout()
        .pay_cash(&b, Some(Cents(500)))
        .await
        .unwrap();
    assert_eq!(sale.total, Cents(547));
    let record = till.journal().sale_by_receipt(1).unwrap();
    let methods: Vec<(PaymentMethod, Cents)> = record
        .paid
        .payments
        .iter()
        .map(|p| (p.method, p.amount))
        .collect();
    assert_eq!(
        methods,
        vec![
            (PaymentMethod::Secucard, Cents(300)),
            (PaymentMethod::Cash, Cents(247))
        ]
    );
    assert_eq!(record.paid.payments[1].change, Some(Cents(253)));
    assert_eq!(till.sandbox.state.card(card).unwrap()["balance"], 0);
    let figures = till.journal().day_figures().unwrap();
    assert_eq!(
        (figures.by_method.secucard, figures.by_method.cash),
        (Cents(300), Cents(247))
    );
}

#[tokio::test]
async fn loading_a_secucard_is_a_zero_rate_sale() {
    let till = Till::new().await;
    let card = "9276000000000043";
    till.sandbox
        .state
        .put_card(CardSpec {
            cardnumber: card.into(),
            ..CardSpec::default()
        })
        .unwrap();
    let b = Basket {
        lines: vec![BasketLine::card_load(Cents(1500))],
        card: Some(card.into()),
    };
    till.checkout().pay_cash(&b, None).await.unwrap();
    assert_eq!(till.sandbox.state.card(card).unwrap()["balance"], 1500);
    let figures = till.journal().day_figures().unwrap();
    assert_eq!(figures.card_loads, Cents(1500));
    assert_eq!(figures.by_rate[2].gross, Cents(1500));
    assert_eq!(figures.by_rate[2].tax, Cents(0));
}

#[tokio::test]
async fn cancellations_reverse_the_card_payment_and_counter_book_cash() {
    let till = Till::new().await;
    let cancel = CancellationToken::new();
    let card_sale = till
        .checkout()
        .pay_card(&basket(198), &cancel)
        .await
        .unwrap();
    let cash_sale = till.checkout().pay_cash(&basket(250), None).await.unwrap();

    let c = till
        .checkout()
        .cancel_sale(card_sale.receipt_number as i64, "Kunde storniert", &cancel)
        .await
        .unwrap();
    assert_eq!((c.receipt_number, c.total), (3, Cents(-547)));
    assert_eq!(till.terminal_payments()[0]["cancelled"], true);
    let c = till
        .checkout()
        .cancel_sale(cash_sale.receipt_number as i64, "Fehlbon", &cancel)
        .await
        .unwrap();
    assert_eq!((c.receipt_number, c.total), (4, Cents(-599)));
    let text = c.receipt_text.unwrap();
    assert!(text.contains("STORNO zu Beleg 2"), "{text}");
    assert!(text.contains("-5,99"), "{text}");
    // A sale is cancelled once.
    let again = till
        .checkout()
        .cancel_sale(cash_sale.receipt_number as i64, "again", &cancel)
        .await
        .unwrap_err();
    assert!(
        matches!(
            again,
            CheckoutError::Journal(JournalError::Transition { .. })
        ),
        "{again:?}"
    );
    let j = till.journal();
    let figures = j.day_figures().unwrap();
    assert_eq!((figures.sales, figures.cancellations), (2, 2));
    assert_eq!(figures.total, Cents(0));
    // The originals are still there.
    assert_eq!(j.sale_by_receipt(1).unwrap().intent.total, Cents(547));
    assert_eq!(j.entries(Some(kind::CANCELLATION)).unwrap().len(), 2);
}

#[tokio::test]
async fn the_closing_stores_the_terminals_end_of_day_and_locks_card_sales() {
    let till = Till::new().await;
    let cancel = CancellationToken::new();
    till.checkout()
        .pay_card(&basket(198), &cancel)
        .await
        .unwrap();
    till.checkout()
        .pay_cash(&basket(250), Some(Cents(1000)))
        .await
        .unwrap();
    let closing = till
        .checkout()
        .close_day(Cents(599), Some(&Device::Me), &cancel)
        .await
        .unwrap();
    assert_eq!(closing.z_number, 1);
    assert_eq!(closing.figures.by_method.card, Cents(547));
    assert_eq!(closing.figures.by_method.cash, Cents(599));
    assert_eq!(closing.difference, Cents(0));
    let terminal = closing.terminal.as_ref().unwrap();
    assert_eq!(terminal["end_of_day"]["count"], 1);
    assert_eq!(terminal["end_of_day"]["sum"], 547);
    assert_eq!(till.journal().closing(1).unwrap().unwrap(), closing);
    // After the terminal's end of day a card payment is no longer reversed.
    let err = till
        .checkout()
        .cancel_sale(1, "too late", &cancel)
        .await
        .unwrap_err();
    assert!(
        matches!(err, CheckoutError::Journal(JournalError::ClosedIn(1))),
        "{err:?}"
    );
}
