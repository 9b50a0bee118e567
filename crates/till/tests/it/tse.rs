//! The TSE in the till: the real checkout against the secuconnect and the
//! fiskaly simulators on loopback, a real SQLite journal. Each paid sale and
//! each cancellation is signed; the signature is verified outside the
//! project's code (Python `cryptography`) from the QR code alone; a TSE that
//! is down or slow never stops a sale.

use crate::common;

use common::tse_till::{signed, TseTill};
use fiskaly_sandbox::{Fault, FaultKind};
use secuconnect::CancellationToken;
use till::journal::kind;
use till::{Basket, BasketLine, Cents, TseRecord, VatRate};

fn basket() -> Basket {
    Basket {
        lines: vec![
            BasketLine::article("Brot", 2, Cents(250), VatRate::Reduced),
            BasketLine::article("Wein", 1, Cents(1190), VatRate::Standard),
        ],
        card: None,
    }
}

/// `crates/fiskaly-sandbox/tests/verify_qr.py`: Python `cryptography`, nothing of ours.
fn verify_outside(qr: &str) -> String {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fiskaly-sandbox/tests/verify_qr.py");
    // `python3` on Linux and macOS; Windows installs often name it `python`.
    let python = ["python3", "python"]
        .into_iter()
        .find(|p| {
            std::process::Command::new(p)
                .args(["-c", "import cryptography"])
                .status()
                .is_ok_and(|s| s.success())
        })
        .expect("Python with the `cryptography` package: pip install cryptography");
    let out = std::process::Command::new(python)
        .arg(script)
        .arg(qr)
        .output()
        .expect("python3 runs");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[tokio::test]
async fn a_paid_sale_is_signed_and_its_signature_verifies_from_the_qr_code_alone() {
    let t = TseTill::new().await;
    let sale = t
        .checkout()
        .pay_cash(&basket(), Some(Cents(2000)))
        .await
        .unwrap();
    let s = signed(t.sale_tse(sale.receipt_number));
    assert_eq!(
        s.tx_id, sale.sale_id,
        "the sale's id is its TSE transaction's"
    );
    assert_eq!(s.client_serial, fiskaly_sandbox::DEMO_CLIENT_SERIAL);
    assert!(s.time_end >= s.time_start);
    // Beleg, 19 % then 7 % (DSFinV-K order), paid in cash.
    let fields: Vec<&str> = s.qr_code_data.split(';').collect();
    assert_eq!(fields[2], "Kassenbeleg-V1");
    assert_eq!(fields[3], "Beleg^11.90_5.00_0.00_0.00_0.00^16.90:Bar");
    assert_eq!(fields[4], s.tx_number.to_string());
    assert_eq!(fields[5], s.signature_counter.to_string());
    assert_eq!(verify_outside(&s.qr_code_data), "valid");
    // The TSE data is inside the hash chain: the entry's body holds it.
    let entries = t.till.journal().entries(Some(kind::SALE)).unwrap();
    assert_eq!(entries[0].body["tse"]["status"], "signed");
    assert_eq!(entries[0].body["tse"]["qr_code_data"], s.qr_code_data);
    assert!(t.till.journal().verify().unwrap().is_none());

    // A second sale: numbers and counters rise; a changed amount does not verify.
    let second = t.checkout().pay_cash(&basket(), None).await.unwrap();
    let s2 = signed(t.sale_tse(second.receipt_number));
    assert!(s2.tx_number > s.tx_number && s2.signature_counter > s.signature_counter);
    let forged = s2.qr_code_data.replace("16.90:Bar", "6.90:Bar");
    assert_ne!(verify_outside(&forged), "valid");
}

#[tokio::test]
async fn a_tse_that_is_down_or_slow_never_stops_the_sale() {
    let t = TseTill::new().await;
    t.tse_sandbox.set_offline(true).await;
    let sale = t.checkout().pay_cash(&basket(), None).await.unwrap();
    match t.sale_tse(sale.receipt_number) {
        Some(TseRecord::Failed { code, reason, .. }) => {
            assert_eq!(code, "tse_unreachable");
            assert!(!reason.is_empty());
        }
        other => panic!("expected a failed TSE, got {other:?}"),
    }
    assert!(sale.receipt_text.contains("TSE ausgefallen"));

    // Back: the next sale is signed again.
    t.tse_sandbox.set_offline(false).await;
    let sale = t.checkout().pay_cash(&basket(), None).await.unwrap();
    signed(t.sale_tse(sale.receipt_number));

    // Slow: every TSE call waits longer than the till's deadline.
    t.tse_sandbox
        .state
        .inject(
            Fault::new("PUT /api/v2/tss/*/tx/*", FaultKind::Latency)
                .latency_ms(3000)
                .times(10),
        )
        .unwrap();
    let sale = t.checkout().pay_cash(&basket(), None).await.unwrap();
    match t.sale_tse(sale.receipt_number) {
        Some(TseRecord::Failed { code, .. }) => assert_eq!(code, "tse_no_answer"),
        other => panic!("expected a failed TSE, got {other:?}"),
    }
    assert_eq!(t.till.journal().last_receipt_number().unwrap(), 3);
}

#[tokio::test]
async fn a_lost_answer_is_read_back_never_signed_twice() {
    let t = TseTill::new().await;
    t.tse_sandbox
        .state
        .inject(Fault::new("PUT /api/v2/tss/*/tx/*", FaultKind::DropAfter).times(2))
        .unwrap();
    let sale = t.checkout().pay_cash(&basket(), None).await.unwrap();
    let s = signed(t.sale_tse(sale.receipt_number));
    assert_eq!(verify_outside(&s.qr_code_data), "valid");
    assert_eq!(t.tse_transactions(), 1, "one TSE transaction for one sale");
}

#[tokio::test]
async fn a_cancellation_is_signed_as_its_own_receipt() {
    let t = TseTill::new().await;
    let sale = t.checkout().pay_cash(&basket(), None).await.unwrap();
    let original = signed(t.sale_tse(sale.receipt_number));
    let cancelled = t
        .checkout()
        .cancel_sale(
            sale.receipt_number as i64,
            "Kunde storniert",
            &CancellationToken::new(),
        )
        .await
        .unwrap();
    let entries = t.till.journal().entries(Some(kind::CANCELLATION)).unwrap();
    let record: TseRecord = serde_json::from_value(entries[0].body["tse"].clone()).unwrap();
    let s = signed(Some(record));
    assert_ne!(s.tx_id, original.tx_id);
    assert!(s.tx_number > original.tx_number);
    assert_eq!(
        s.qr_code_data.split(';').nth(3).unwrap(),
        "Beleg^-11.90_-5.00_0.00_0.00_0.00^-16.90:Bar"
    );
    assert_eq!(verify_outside(&s.qr_code_data), "valid");
    assert!(cancelled
        .receipt_text
        .unwrap()
        .contains(&s.tss_serial[..16]));
}

#[tokio::test]
async fn a_card_sale_is_unbar_and_a_declined_one_ends_as_belegabbruch() {
    let t = TseTill::new().await;
    let card = |coffee: i64| Basket {
        lines: vec![
            BasketLine::article("Sandwich Romano", 1, Cents(349), VatRate::Reduced),
            BasketLine::article("Kaffee", 1, Cents(coffee), VatRate::Standard),
        ],
        card: None,
    };
    let sale = t
        .checkout()
        .pay_card(&card(198), &CancellationToken::new())
        .await
        .unwrap();
    let s = signed(t.sale_tse(sale.receipt_number));
    assert_eq!(
        s.qr_code_data.split(';').nth(3).unwrap(),
        "Beleg^1.98_3.49_0.00_0.00_0.00^5.47:Unbar"
    );
    assert_eq!(verify_outside(&s.qr_code_data), "valid");

    // 5,13 €: the simulated terminal declines it.
    t.checkout()
        .pay_card(&card(164), &CancellationToken::new())
        .await
        .unwrap_err();
    let snapshot = t.tse_sandbox.state.snapshot();
    assert_eq!(snapshot["transactions"], 2);
    assert_eq!(
        snapshot["tss"][0]["active_transactions"], 0,
        "the declined sale's TSE transaction is finished, not left open: {snapshot}"
    );
}

#[tokio::test]
async fn a_sale_settled_after_a_crash_keeps_the_signature_made_before_it() {
    let t = TseTill::new().await;
    // Up to the crash: transaction, intent, the terminal paid, the TSE signed;
    // nothing of it reached the journal's sale.
    let sale_id = uuid::Uuid::new_v4().to_string();
    let b = basket();
    let stx = t
        .till
        .client
        .create_transaction(&secuconnect::TransactionDraft {
            basket_info: Some(secuconnect::BasketInfo::eur(b.total().0)),
            transaction_ref: Some(sale_id.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    let intent = till::journal::PaymentIntent::new(
        &sale_id,
        till::PaymentMethod::Card,
        &b,
        Some(&stx.id),
        None,
    );
    t.till.journal().begin_payment(&intent).unwrap();
    t.till
        .client
        .start_cashless(&stx.id, &CancellationToken::new())
        .await
        .unwrap();
    let before = signed(Some(
        t.tse
            .sign(&sale_id, &till::tse::sale_receipt(&intent))
            .await,
    ));
    // Restart: catching up journals the sale with the TSE's earlier answer.
    let report = t.checkout().reconcile().await.unwrap();
    assert_eq!(report.completed.len(), 1);
    let after = signed(t.sale_tse(1));
    assert_eq!(
        after, before,
        "the signature of before the crash, not a new one"
    );
    assert_eq!(t.tse_transactions(), 1);
    assert!(after.qr_code_data.ends_with(&before.public_key));
}

/// The TSE data an entry's body carries.
fn tse_of(entry: &till::journal::Entry) -> Option<TseRecord> {
    serde_json::from_value(entry.body["tse"].clone()).ok()
}

#[tokio::test]
async fn the_opening_float_is_signed_as_a_transfer_and_its_entry_carries_the_signature() {
    let t = TseTill::new().await;
    let state = t.checkout().set_opening_float(Cents(15_000)).await.unwrap();
    assert_eq!(state.amount, Some(Cents(15_000)));
    // Set again before the first sale: the difference is signed.
    t.checkout().set_opening_float(Cents(12_000)).await.unwrap();
    let entries = t.till.journal().entries(Some(kind::CASH_MOVEMENT)).unwrap();
    assert_eq!(entries.len(), 2);
    let first = signed(tse_of(&entries[0]));
    let second = signed(tse_of(&entries[1]));
    assert_eq!(entries[0].sale_id.as_deref(), Some(first.tx_id.as_str()));
    assert_eq!(
        first.qr_code_data.split(';').nth(3).unwrap(),
        "AVTransfer^0.00_0.00_0.00_0.00_150.00^150.00:Bar"
    );
    assert_eq!(
        second.qr_code_data.split(';').nth(3).unwrap(),
        "AVTransfer^0.00_0.00_0.00_0.00_-30.00^-30.00:Bar"
    );
    assert_eq!(verify_outside(&first.qr_code_data), "valid");
    assert!(second.signature_counter > first.signature_counter);
    assert_eq!(entries[1].body["float"], 12_000);
    assert!(t.till.journal().open_tse().unwrap().is_empty());
    assert_eq!(t.till.journal().verify().unwrap(), None);
    assert_eq!(t.tse_transactions(), 2);
    // The same float again moves nothing: nothing to sign.
    t.checkout().set_opening_float(Cents(12_000)).await.unwrap();
    assert_eq!(t.tse_transactions(), 2);
}

#[tokio::test]
async fn a_float_set_while_the_tse_is_down_is_journaled_unsigned_with_the_outage() {
    let t = TseTill::new().await;
    t.tse_sandbox.set_offline(true).await;
    let state = t.checkout().set_opening_float(Cents(10_000)).await.unwrap();
    assert_eq!(state.amount, Some(Cents(10_000)), "never refused");
    let entries = t.till.journal().entries(Some(kind::CASH_MOVEMENT)).unwrap();
    match tse_of(&entries[0]) {
        Some(TseRecord::Failed { code, .. }) => assert_eq!(code, "tse_unreachable"),
        other => panic!("expected the outage, got {other:?}"),
    }
    assert_eq!(
        t.till
            .journal()
            .entries(Some(kind::TSE_OUTAGE))
            .unwrap()
            .len(),
        1
    );
    assert!(t.till.journal().open_tse().unwrap().is_empty());
    // After the first sale the float stands, TSE or not.
    t.tse_sandbox.set_offline(false).await;
    t.checkout().pay_cash(&basket(), None).await.unwrap();
    assert!(t.checkout().set_opening_float(Cents(5_000)).await.is_err());
    assert_eq!(
        t.till.journal().float_state().unwrap().amount,
        Some(Cents(10_000))
    );
}

#[tokio::test]
async fn a_float_signed_just_before_a_crash_is_read_back_at_the_restart() {
    let t = TseTill::new().await;
    // Up to the crash: the start journaled, the TSE signed, no entry.
    let tx_id = till::tse::new_event_id();
    t.till.journal().record_tse_start(&tx_id).unwrap();
    let before = signed(Some(
        t.tse
            .sign(
                &tx_id,
                &till::cash_movement::float_tse_receipt(Cents(8_000)),
            )
            .await,
    ));
    let report = t.checkout().reconcile().await.unwrap();
    assert_eq!(report.tse_events_ended, 1);
    let aborts = t.till.journal().entries(Some(kind::TSE_ABORT)).unwrap();
    assert_eq!(aborts[0].sale_id.as_deref(), Some(tx_id.as_str()));
    assert_eq!(
        signed(tse_of(&aborts[0])),
        before,
        "journaled with what the TSE signed, not signed again"
    );
    assert_eq!(t.tse_transactions(), 1);
    assert!(t.till.journal().open_tse().unwrap().is_empty());
    // Not booked: the float is asked for again.
    assert_eq!(t.till.journal().float_state().unwrap().amount, None);
}

#[tokio::test]
async fn a_cash_cancellation_left_open_is_journaled_with_what_the_tse_signed() {
    let t = TseTill::new().await;
    let sale = t.checkout().pay_cash(&basket(), None).await.unwrap();
    let record = t
        .till
        .journal()
        .sale_by_receipt(sale.receipt_number as i64)
        .unwrap();
    // Up to the crash: the cancellation's transaction journaled, then signed.
    let tx_id = till::tse::cancellation_tx_id(&record.sale_id);
    t.till
        .journal()
        .record_tse_start_of(
            &tx_id,
            &till::journal::TseStartOf {
                cancels_receipt: Some(record.receipt_number),
                reason: Some("Kunde".into()),
            },
        )
        .unwrap();
    let before = signed(Some(
        t.tse
            .sign(&tx_id, &till::tse::cancellation_receipt(&record))
            .await,
    ));
    // The restart, with the TSE down: it stays open (the TSE may hold a
    // signature that cannot be read now).
    t.tse_sandbox.set_offline(true).await;
    t.checkout().reconcile().await.unwrap();
    assert_eq!(t.till.journal().open_tse().unwrap(), vec![tx_id.clone()]);
    assert!(t
        .till
        .journal()
        .entries(Some(kind::CANCELLATION))
        .unwrap()
        .is_empty());
    // Back: journaled with the signature of before.
    t.tse_sandbox.set_offline(false).await;
    let report = t.checkout().reconcile().await.unwrap();
    assert_eq!(report.tse_events_ended, 1);
    let cancellations = t.till.journal().entries(Some(kind::CANCELLATION)).unwrap();
    assert_eq!(cancellations.len(), 1);
    assert_eq!(cancellations[0].body["reason"], "Kunde");
    assert_eq!(signed(tse_of(&cancellations[0])), before);
    assert_eq!(
        t.tse_transactions(),
        2,
        "the sale and its cancellation, once"
    );
    assert!(t.till.journal().open_tse().unwrap().is_empty());
    assert_eq!(t.till.journal().verify().unwrap(), None);
    assert_eq!(
        t.till.journal().sale_state(&record.sale_id).unwrap(),
        till::SaleState::Cancelled
    );
}

#[tokio::test]
async fn the_x_report_shows_the_tse_part_of_the_running_period() {
    let t = TseTill::new().await;
    t.checkout().set_opening_float(Cents(10_000)).await.unwrap();
    let first = t.checkout().pay_cash(&basket(), None).await.unwrap();
    let first = signed(t.sale_tse(first.receipt_number));
    t.tse_sandbox.set_offline(true).await;
    t.checkout().pay_cash(&basket(), None).await.unwrap();
    t.tse_sandbox.set_offline(false).await;
    let last = t.checkout().pay_cash(&basket(), None).await.unwrap();
    let last = signed(t.sale_tse(last.receipt_number));

    let summary = t.till.journal().running_tse_summary().unwrap().unwrap();
    assert_eq!(summary.devices.len(), 1);
    let d = &summary.devices[0];
    // The float, the first and the last sale (the second was not signed).
    assert_eq!(d.signed, 3);
    assert_eq!(d.tss_serial, first.tss_serial);
    assert_eq!(d.last_tx_number, last.tx_number);
    assert!(
        d.first_tx_number < first.tx_number,
        "the float's comes first"
    );
    assert_eq!(d.last_signature_counter, last.signature_counter);
    assert_eq!(summary.outages.len(), 1);
    assert!(summary.outages[0].end.is_some(), "ended by the last sale");

    let summary_again = summary.clone();
    let (figures, drawer) = {
        let j = t.till.journal();
        (j.day_figures().unwrap(), j.drawer_figures().unwrap())
    };
    let header = till::z_report::ZReportHeader {
        shop: &t.till.shop,
        till_id: "KASSE-1",
        demo: true,
    };
    let x = till::z_report::x_report(
        figures,
        drawer,
        vec![],
        None,
        Some(summary.clone()),
        "2026-12-03T12:00:00+01:00",
        &header,
    );
    let text = receipt::render_document_text(&receipt::Document::ZReport(x), 42);
    for needle in [
        "X-Bericht",
        "Signaturzähler",
        &format!("{} - {}", d.first_tx_number, d.last_tx_number),
        &d.tss_serial[..16],
        "TSE ausgefallen:",
    ] {
        assert!(text.contains(needle), "{needle} missing in\n{text}");
    }
    // The closing stores the same part; after it the running period has none.
    let closing = t.till.journal().close_day(Cents(15_070), None).unwrap();
    assert_eq!(closing.tse, Some(summary_again));
    assert_eq!(t.till.journal().running_tse_summary().unwrap(), None);
}

#[tokio::test]
async fn a_return_is_signed_after_its_transaction_is_journaled() {
    let t = TseTill::new().await;
    let sale = t.checkout().pay_cash(&basket(), None).await.unwrap();
    let back = [till::returns::ReturnLine {
        line: 0,
        quantity: 1,
    }];
    let booked = t
        .checkout()
        .take_back(sale.receipt_number as i64, &back, None)
        .await
        .unwrap();
    let s = signed(booked.record.tse.clone());
    assert_eq!(s.tx_id, booked.record.id);
    assert_eq!(
        s.qr_code_data.split(';').nth(3).unwrap(),
        "Beleg^0.00_-2.50_0.00_0.00_0.00^-2.50:Bar"
    );
    // Its start is journaled and ended by the return's entry.
    let starts = t.till.journal().entries(Some(kind::TSE_START)).unwrap();
    assert!(starts
        .iter()
        .any(|e| e.sale_id.as_deref() == Some(booked.record.id.as_str())));
    assert!(t.till.journal().open_tse().unwrap().is_empty());
    assert_eq!(t.till.journal().verify().unwrap(), None);
}
