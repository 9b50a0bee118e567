//! Every call of a till against the simulator, and every kind of failure.

mod common;

use std::time::{Duration, Instant};

use common::*;
use secuconnect::{
    BasketInfo, CancellationToken, Client, Device, Error, Execution, Ident, ListQuery, Product,
    TransactionDraft, TransactionStatus, ValidateMerchantCard,
};
use serde_json::json;

/// A client whose terminal calls answer quickly.
async fn quick_terminal(sim: &Sim) -> Client {
    sim.configure(json!({"terminal_delay_ms": 50})).await;
    sim.client()
}

#[tokio::test]
async fn a_sale_from_creation_to_cash_payment() {
    let sim = Sim::start().await;
    let client = sim.client();
    let created = client
        .create_transaction(&sale(349, "sale-1"))
        .await
        .unwrap();
    assert!(created.id.starts_with("STX_"), "{}", created.id);
    assert_eq!(created.status, TransactionStatus::Created);
    assert_eq!(created.transaction_ref.as_deref(), Some("sale-1"));

    let read = client.get_transaction(&created.id).await.unwrap();
    assert_eq!(read.id, created.id);
    assert_eq!(read.basket_info.as_ref().unwrap().sum, 349);

    // The cashier adds a second article: basket and sum go together.
    let mut basket = read.basket.clone().unwrap();
    basket.products.push(Product {
        id: Some(2),
        desc: Some("Water 0.25 l".into()),
        ean: Some("4999012345678".into()),
        quantity: 2,
        price_one: 99,
        tax: 19,
        ..Product::default()
    });
    let updated = client
        .update_transaction(
            &created.id,
            &basket,
            &BasketInfo::eur(349 + 2 * 99),
            &TransactionDraft {
                merchant_ref: Some("customer 7".into()),
                ..TransactionDraft::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.basket.as_ref().unwrap().products.len(), 2);
    assert_eq!(updated.basket_info.as_ref().unwrap().sum, 547);
    assert_eq!(updated.merchant_ref.as_deref(), Some("customer 7"));

    let paid = client.start_cash(&created.id).await.unwrap();
    assert!(paid.status.is_paid(), "{:?}", paid.status);
    assert_eq!(paid.payment_method.as_deref(), Some("cash"));
    assert_eq!(sim.transaction(&created.id).await["status"], "ok");
}

#[tokio::test]
async fn listing_finds_a_sale_by_our_reference() {
    let sim = Sim::start().await;
    let client = sim.client();
    for i in 0..3 {
        client
            .create_transaction(&sale(100 + i, &format!("list-{i}")))
            .await
            .unwrap();
    }
    let found = client
        .list_transactions(&ListQuery {
            q: Some("transactionRef:list-1".into()),
            ..ListQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(found.data.len(), 1, "{found:?}");
    assert_eq!(found.data[0].transaction_ref.as_deref(), Some("list-1"));

    let page = client
        .list_transactions(&ListQuery {
            count: Some(2),
            offset: Some(1),
            sort: Some("created:asc".into()),
            ..ListQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(page.count, Some(3));
    assert_eq!(page.data.len(), 2);
}

#[tokio::test]
async fn card_credit_pays_part_of_a_cash_sale() {
    let sim = Sim::start().await;
    let client = sim.client();
    let card = client
        .find_merchant_card(CARD)
        .await
        .unwrap()
        .expect("the guide's card");
    let balance = card.balance.expect("balance");
    assert!(balance > 0);

    let mut draft = sale(balance + 296, "card-credit");
    draft.idents = vec![Ident::card(CARD)];
    let stx = client.create_transaction(&draft).await.unwrap();
    assert_eq!(stx.idents[0].valid, Some(true));
    let pre = client.pre_transaction(&stx.id).await.unwrap();
    assert_eq!(pre.missing_sum, Some(296));

    let paid = client.start_cash(&stx.id).await.unwrap();
    assert!(paid.status.is_paid());
    let after = client.find_merchant_card(CARD).await.unwrap().unwrap();
    assert_eq!(after.balance, Some(0), "the credit was used");
}

#[tokio::test]
async fn merchant_cards_found_read_and_validated() {
    let sim = Sim::start().await;
    let client = sim.client();
    let card = client.find_merchant_card(CARD).await.unwrap().unwrap();
    assert_eq!(card.cardnumber(), Some(CARD));
    let id = card.id.clone().expect("MCD id");
    assert!(id.starts_with("MCD_"), "{id}");

    let same = client.get_merchant_card(&id).await.unwrap();
    assert_eq!(same.id, card.id);
    assert_eq!(same.balance, card.balance);

    let validation = client
        .validate_merchant_card(
            &id,
            &ValidateMerchantCard {
                cardnumber: CARD.into(),
                merchant: MERCHANT_ID.into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(validation.is_valid, Some(true));
    assert_eq!(validation.is_locked, Some(false));

    assert!(client
        .find_merchant_card("9276999999999999")
        .await
        .unwrap()
        .is_none());
    let err = client.find_merchant_card("92 OR 1").await.unwrap_err();
    assert_eq!(err.execution(), Execution::NotExecuted);
}

#[tokio::test]
async fn card_payment_on_the_terminal_and_its_cancellation() {
    let sim = Sim::start().await;
    let client = quick_terminal(&sim).await;
    sim.terminal_next("ok").await;
    let stx = client
        .create_transaction(&sale(1200, "cashless"))
        .await
        .unwrap();
    let paid = client
        .start_cashless(&stx.id, &CancellationToken::new())
        .await
        .unwrap();
    assert!(paid.status.is_paid(), "{:?}", paid.status);
    assert!(!paid.receipt.is_empty() && !paid.receipt_merchant.is_empty());
    let receipt_number = paid.receipt_number.expect("receipt number");

    // A girocard payment (the simulator's default card) can be cancelled.
    let cancelled = client
        .cancel_terminal_payment(receipt_number, &CancellationToken::new())
        .await
        .unwrap();
    assert!(!cancelled.receipt.is_empty(), "a cancellation slip");

    // A VISA payment (cents ending in 17) cannot: the provider says so in words.
    let visa = client
        .create_transaction(&sale(1017, "visa"))
        .await
        .unwrap();
    let paid = client
        .start_cashless(&visa.id, &CancellationToken::new())
        .await
        .unwrap();
    let err = client
        .cancel_terminal_payment(paid.receipt_number.unwrap(), &CancellationToken::new())
        .await
        .unwrap_err();
    assert!(err.user_message().is_some(), "{err:?}");
}

#[tokio::test]
async fn a_declined_card_leaves_the_transaction_failed() {
    let sim = Sim::start().await;
    let client = quick_terminal(&sim).await;
    // Cents ending in 13 are declined.
    let stx = client
        .create_transaction(&sale(1013, "declined"))
        .await
        .unwrap();
    let answer = client
        .start_cashless(&stx.id, &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(answer.status, TransactionStatus::Failed);
}

#[tokio::test]
async fn abort_and_cancel() {
    let sim = Sim::start().await;
    let client = sim.client();
    let open = client
        .create_transaction(&sale(500, "abort"))
        .await
        .unwrap();
    let aborted = client.abort_transaction(&open.id).await.unwrap();
    assert!(
        !matches!(
            aborted.status,
            TransactionStatus::Created | TransactionStatus::Ok
        ),
        "{:?}",
        aborted.status
    );

    let paid = client
        .create_transaction(&sale(600, "cancel"))
        .await
        .unwrap();
    client.start_cash(&paid.id).await.unwrap();
    let cancelled = client.cancel_transaction(&paid.id).await.unwrap();
    assert!(cancelled.status.is_cancelled(), "{:?}", cancelled.status);
}

#[tokio::test]
async fn end_of_day_and_diagnosis_on_the_terminal() {
    let sim = Sim::start().await;
    let client = quick_terminal(&sim).await;
    let stx = client.create_transaction(&sale(800, "eod")).await.unwrap();
    client
        .start_cashless(&stx.id, &CancellationToken::new())
        .await
        .unwrap();

    let cancel = CancellationToken::new();
    let report = client.end_of_day(&Device::Me, &cancel).await.unwrap();
    assert!(!report.receipt.is_empty(), "the terminal's report");
    // The totals are a field this client does not model: kept all the same.
    assert_eq!(report.extra["end_of_day"]["count"], 1);
    assert_eq!(report.extra["end_of_day"]["sum"], 800);
    let diagnosis = client
        .diagnosis(
            &Device::Id("SDV_2YJDXYESB2YBHECVB5GQGSYPNM8UA6".into()),
            &cancel,
        )
        .await
        .unwrap();
    assert!(!diagnosis.receipt.is_empty());

    let err = client
        .diagnosis(&Device::Id("SDV_UNKNOWN".into()), &cancel)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Api { status: 404, .. }), "{err:?}");
}

#[tokio::test]
async fn the_providers_error_payload_reaches_the_caller() {
    let sim = Sim::start().await;
    let client = sim.client();
    let err = client
        .get_transaction("STX_DOES_NOT_EXIST")
        .await
        .unwrap_err();
    let Error::Api { status, ref body } = err else {
        panic!("{err:?}")
    };
    assert_eq!(status, 404);
    assert_eq!(body.status.as_deref(), Some("error"));
    assert!(body.code.is_some());
    assert!(err.user_message().is_some_and(|m| !m.is_empty()));
    assert!(err.support_id().is_some_and(|s| !s.is_empty()));
    assert_eq!(err.execution(), Execution::Executed);
}

#[tokio::test]
async fn a_wrong_sum_is_refused_with_the_providers_words() {
    let sim = Sim::start().await;
    let client = sim.client();
    let mut draft = sale(500, "wrong-sum");
    draft.basket_info = Some(BasketInfo::eur(499));
    let err = client.create_transaction(&draft).await.unwrap_err();
    let Error::Api { status, ref body } = err else {
        panic!("{err:?}")
    };
    assert_eq!(status, 400);
    assert_eq!(body.code.as_deref(), Some("1002"));
    assert!(err
        .to_string()
        .contains(body.error_user.as_deref().unwrap()));
}

#[tokio::test]
async fn connection_dropped_after_processing_is_an_unknown_outcome_not_retried() {
    let sim = Sim::start().await;
    let client = sim.client();
    let stx = client
        .create_transaction(&sale(450, "drop-after"))
        .await
        .unwrap();
    sim.fault(
        "POST /api/v2/Smart/Transactions/*/start/cash",
        "drop_after",
        json!({}),
    )
    .await;
    let err = client.start_cash(&stx.id).await.unwrap_err();
    assert!(matches!(err, Error::OutcomeUnknown(_)), "{err:?}");
    assert_eq!(err.execution(), Execution::MaybeExecuted);
    // Reading back tells what happened: the payment went through, once.
    let read = client.get_transaction(&stx.id).await.unwrap();
    assert!(read.status.is_paid(), "{:?}", read.status);
}

#[tokio::test]
async fn connection_dropped_before_processing_is_still_unknown_to_the_client() {
    let sim = Sim::start().await;
    let client = sim.client();
    let stx = client
        .create_transaction(&sale(460, "drop-before"))
        .await
        .unwrap();
    sim.fault(
        "POST /api/v2/Smart/Transactions/*/start/cash",
        "drop_before",
        json!({}),
    )
    .await;
    let err = client.start_cash(&stx.id).await.unwrap_err();
    // From the client's side a dropped connection looks the same either way.
    assert!(matches!(err, Error::OutcomeUnknown(_)), "{err:?}");
    let read = client.get_transaction(&stx.id).await.unwrap();
    assert_eq!(read.status, TransactionStatus::Created, "nothing was paid");
    // Now it is known not to have run, so paying is safe.
    assert!(client.start_cash(&stx.id).await.unwrap().status.is_paid());
}

#[tokio::test]
async fn a_dropped_read_is_repeated_once() {
    let sim = Sim::start().await;
    let client = sim.client();
    let stx = client
        .create_transaction(&sale(470, "read-drop"))
        .await
        .unwrap();
    sim.fault("GET /api/v2/Smart/Transactions/*", "drop_after", json!({}))
        .await;
    let read = client.get_transaction(&stx.id).await.expect("second try");
    assert_eq!(read.id, stx.id);

    sim.fault(
        "GET /api/v2/Smart/Transactions/*",
        "drop_after",
        json!({"count": 2}),
    )
    .await;
    let err = client.get_transaction(&stx.id).await.unwrap_err();
    assert!(matches!(err, Error::NotExecuted(_)), "{err:?}");
}

#[tokio::test]
async fn a_server_error_is_the_providers_error_and_may_have_run() {
    let sim = Sim::start().await;
    let client = sim.client();
    let stx = client.create_transaction(&sale(480, "5xx")).await.unwrap();
    sim.fault(
        "POST /api/v2/Smart/Transactions/*/start/cash",
        "error_5xx",
        json!({}),
    )
    .await;
    let err = client.start_cash(&stx.id).await.unwrap_err();
    match &err {
        Error::Api { status, .. } => {
            assert!(*status >= 500);
            assert_eq!(err.execution(), Execution::MaybeExecuted);
        }
        other => panic!("{other:?}"),
    }
    // Reading back tells: this time nothing was paid.
    let read = client.get_transaction(&stx.id).await.unwrap();
    assert_eq!(read.status, TransactionStatus::Created);
}

#[tokio::test]
async fn an_answer_that_does_not_decode_keeps_the_body() {
    let sim = Sim::start().await;
    let client = sim.client();
    let stx = client
        .create_transaction(&sale(490, "malformed"))
        .await
        .unwrap();
    sim.fault(
        "POST /api/v2/Smart/Transactions/*/start/cash",
        "malformed",
        json!({}),
    )
    .await;
    let err = client.start_cash(&stx.id).await.unwrap_err();
    let Error::Decode { ref body, .. } = err else {
        panic!("{err:?}")
    };
    assert!(!body.is_empty());
    // The provider answered: it ran; read it back.
    assert_eq!(err.execution(), Execution::Executed);
    assert!(client
        .get_transaction(&stx.id)
        .await
        .unwrap()
        .status
        .is_paid());
}

#[tokio::test]
async fn offline_provider() {
    let sim = Sim::start().await;
    let client = sim.client();
    let stx = client
        .create_transaction(&sale(510, "offline"))
        .await
        .unwrap();
    sim.offline(true).await;
    let read = client.get_transaction(&stx.id).await.unwrap_err();
    assert_eq!(read.execution(), Execution::NotExecuted, "{read:?}");
    let pay = client.start_cash(&stx.id).await.unwrap_err();
    assert_ne!(pay.execution(), Execution::Executed, "{pay:?}");
    // A fresh client cannot even get a token: nothing ran.
    let fresh = sim.client();
    let err = fresh.start_cash(&stx.id).await.unwrap_err();
    assert!(matches!(err, Error::NotExecuted(_)), "{err:?}");
    sim.offline(false).await;
    assert_eq!(sim.transaction(&stx.id).await["status"], "created");
}

#[tokio::test]
async fn ordinary_calls_time_out_quickly() {
    let sim = Sim::start().await;
    let client = Client::new(sim.config().with_timeout(Duration::from_millis(500))).unwrap();
    let stx = client.create_transaction(&sale(520, "slow")).await.unwrap();
    sim.fault(
        "POST /api/v2/Smart/Transactions/*/start/cash",
        "latency",
        json!({"latency_ms": 5000}),
    )
    .await;
    let started = Instant::now();
    let err = client.start_cash(&stx.id).await.unwrap_err();
    assert!(matches!(err, Error::OutcomeUnknown(_)), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn terminal_calls_wait_longer_than_ordinary_ones_and_have_their_own_limit() {
    let sim = Sim::start().await;
    sim.configure(json!({"terminal_delay_ms": 1500})).await;
    let client = Client::new(
        sim.config()
            .with_timeout(Duration::from_millis(500))
            .with_terminal_timeout(Duration::from_secs(60)),
    )
    .unwrap();
    let stx = client.create_transaction(&sale(530, "long")).await.unwrap();
    let paid = client
        .start_cashless(&stx.id, &CancellationToken::new())
        .await
        .expect("outlives the ordinary timeout");
    assert!(paid.status.is_paid());

    let impatient = Client::new(
        sim.config()
            .with_terminal_timeout(Duration::from_millis(300)),
    )
    .unwrap();
    let stx = impatient
        .create_transaction(&sale(540, "too-long"))
        .await
        .unwrap();
    let err = impatient
        .start_cashless(&stx.id, &CancellationToken::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::OutcomeUnknown(_)), "{err:?}");
}

#[tokio::test]
async fn a_waiting_card_payment_can_be_cancelled_by_the_caller() {
    let sim = Sim::start().await;
    sim.configure(json!({"terminal_delay_ms": 60_000})).await;
    let client = sim.client();
    let stx = client
        .create_transaction(&sale(550, "cancel-wait"))
        .await
        .unwrap();
    let cancel = CancellationToken::new();
    let (result, ()) = tokio::join!(client.start_cashless(&stx.id, &cancel), async {
        sim.wait_for_status(&stx.id, "processing").await;
        cancel.cancel();
    });
    let err = result.unwrap_err();
    // The terminal may still take the card: the caller must read back.
    assert!(matches!(err, Error::OutcomeUnknown(_)), "{err:?}");
    assert_eq!(err.execution(), Execution::MaybeExecuted);

    // Stopping the terminal and reading back gives the answer.
    client.abort_transaction(&stx.id).await.unwrap();
    let read = client.get_transaction(&stx.id).await.unwrap();
    assert_eq!(read.status, TransactionStatus::Failed);

    let cancelled_early = CancellationToken::new();
    cancelled_early.cancel();
    let err = client
        .start_cashless(&stx.id, &cancelled_early)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotExecuted(_)), "{err:?}");
}
