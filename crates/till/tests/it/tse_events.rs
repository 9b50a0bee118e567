//! A business event's TSE transaction from the basket's first line to its
//! end, what a restart finds left open, and the TSE's outages in the
//! journal: the real checkout against both simulators on loopback and a
//! real SQLite journal file, reopened for the restart.

use crate::common;

use std::time::Duration;

use common::Till;
use fiskaly_sandbox::{Fault, FaultKind, RunningSandbox};
use till::journal::{kind, AbortReason, TseAbort};
use till::{Basket, BasketLine, Cents, Checkout, Journal, Tse, TseRecord, VatRate};

fn tse_for(sandbox: &RunningSandbox) -> Tse {
    let client = fiskaly::Client::new(
        fiskaly::ClientConfig::new(
            sandbox.url(),
            fiskaly::Credentials {
                api_key: fiskaly_sandbox::DEMO_API_KEY.into(),
                api_secret: fiskaly::Secret::new(fiskaly_sandbox::DEMO_API_SECRET),
            },
        )
        .with_timeout(Duration::from_millis(800)),
    )
    .unwrap();
    Tse::new(
        client,
        fiskaly_sandbox::DEMO_TSS_ID,
        fiskaly_sandbox::DEMO_CLIENT_ID,
    )
}

struct TseTill {
    till: Till,
    tse_sandbox: RunningSandbox,
    tse: Tse,
}

impl TseTill {
    async fn new() -> Self {
        let tse_sandbox = fiskaly_sandbox::start_demo().await.unwrap();
        Self {
            till: Till::new().await,
            tse: tse_for(&tse_sandbox),
            tse_sandbox,
        }
    }

    fn checkout(&self) -> Checkout<'_> {
        Checkout {
            tse: Some(&self.tse),
            ..self.till.checkout()
        }
    }

    /// The till as a new process finds it: the journal file opened again,
    /// a new TSE client, nothing kept in memory.
    fn restart(&mut self) {
        let path = self.till.path.clone();
        *self.till.journal.lock().unwrap() = Journal::open(&path).unwrap();
        self.tse = tse_for(&self.tse_sandbox);
    }

    fn active_at_tse(&self) -> u64 {
        self.tse_sandbox.state.snapshot()["tss"][0]["active_transactions"]
            .as_u64()
            .unwrap()
    }

    fn aborts(&self) -> Vec<(String, TseAbort)> {
        self.till
            .journal()
            .entries(Some(kind::TSE_ABORT))
            .unwrap()
            .into_iter()
            .map(|e| (e.sale_id.unwrap(), serde_json::from_value(e.body).unwrap()))
            .collect()
    }

    /// The TSE's signature on the journaled sale with `receipt_number`.
    fn signature_of_sale(&self, receipt_number: u64) -> till::TseSignature {
        let paid = self
            .till
            .journal()
            .sale_by_receipt(receipt_number as i64)
            .unwrap();
        match paid.paid.tse {
            Some(TseRecord::Signed(s)) => s,
            other => panic!("not signed: {other:?}"),
        }
    }

    fn kinds(&self, k: &str) -> usize {
        self.till.journal().entries(Some(k)).unwrap().len()
    }
}

fn basket() -> Basket {
    Basket {
        lines: vec![BasketLine::article("Brot", 2, Cents(250), VatRate::Reduced)],
        card: None,
    }
}

fn abort_qr(record: &Option<TseRecord>) -> String {
    match record {
        Some(TseRecord::Signed(s)) => s.qr_code_data.clone(),
        other => panic!("not signed: {other:?}"),
    }
}

#[tokio::test]
async fn the_tse_transaction_starts_with_the_first_line_and_the_sale_is_signed_under_it() {
    let t = TseTill::new().await;
    let c = t.checkout();
    let event = c.basket_started().await.unwrap().expect("a TSE is set up");
    // The start is journaled and the TSE has the transaction open, before any payment.
    assert_eq!(t.till.journal().open_tse().unwrap(), vec![event.clone()]);
    assert_eq!(t.active_at_tse(), 1);
    // A second line: the same event.
    assert_eq!(c.basket_started().await.unwrap(), Some(event.clone()));

    let sale = c.pay_cash(&basket(), Some(Cents(500))).await.unwrap();
    assert_eq!(sale.sale_id, event, "the sale takes the event's id");
    let s = t.signature_of_sale(sale.receipt_number);
    assert_eq!(s.tx_id, event);
    assert!(s.qr_code_data.contains(";Beleg^"), "{}", s.qr_code_data);
    assert_eq!(t.active_at_tse(), 0);
    assert!(t.till.journal().open_tse().unwrap().is_empty());
    // Clearing the basket after the sale ends nothing more.
    c.basket_cleared().await.unwrap();
    assert!(t.aborts().is_empty());
    // The next basket is a new event.
    let next = c.basket_started().await.unwrap().unwrap();
    assert_ne!(next, event);
}

#[tokio::test]
async fn a_cleared_basket_ends_as_avbelegabbruch_in_the_tse_and_the_journal() {
    let t = TseTill::new().await;
    let c = t.checkout();
    let event = c.basket_started().await.unwrap().unwrap();
    c.basket_cleared().await.unwrap();
    assert_eq!(t.active_at_tse(), 0);
    let aborts = t.aborts();
    assert_eq!(aborts.len(), 1);
    assert_eq!(aborts[0].0, event);
    assert_eq!(aborts[0].1.reason, AbortReason::BasketCleared);
    let qr = abort_qr(&aborts[0].1.tse);
    assert!(qr.contains(";AVBelegabbruch^"), "{qr}");
    assert!(t.till.journal().open_tse().unwrap().is_empty());
    assert_eq!(t.till.journal().verify().unwrap(), None);
}

#[tokio::test]
async fn a_basket_left_open_by_a_closed_app_is_finished_at_the_restart() {
    let mut t = TseTill::new().await;
    let event = t.checkout().basket_started().await.unwrap().unwrap();
    assert_eq!(t.active_at_tse(), 1);
    // The app closes with the basket filled; a new process opens the file.
    t.restart();
    let report = t.checkout().reconcile().await.unwrap();
    assert_eq!(report.tse_events_ended, 1);
    assert_eq!(t.active_at_tse(), 0, "no transaction left ACTIVE");
    let aborts = t.aborts();
    assert_eq!(aborts.len(), 1);
    assert_eq!(aborts[0].0, event);
    assert_eq!(aborts[0].1.reason, AbortReason::LeftOpen);
    assert!(abort_qr(&aborts[0].1.tse).contains(";AVBelegabbruch^"));
    // Nothing is left to do in the next round.
    let again = t.checkout().reconcile().await.unwrap();
    assert_eq!(again.tse_events_ended, 0);
    assert_eq!(t.kinds(kind::TSE_ABORT), 1);
    assert_eq!(t.till.journal().verify().unwrap(), None);
}

#[tokio::test]
async fn an_abort_signed_before_a_crash_is_read_back_not_signed_again() {
    let mut t = TseTill::new().await;
    let c = t.checkout();
    let event = c.basket_started().await.unwrap().unwrap();
    // The abort is signed but its answer is lost (and its repeats), so the
    // journal never hears of it: the clean-up must find the signature.
    let counter_before = t.tse_sandbox.state.snapshot()["tss"][0]["signature_counter"]
        .as_u64()
        .unwrap();
    t.tse_sandbox
        .state
        .inject(Fault::new("PUT /api/v2/tss/*/tx/*", FaultKind::DropAfter).times(1000))
        .unwrap();
    t.tse_sandbox
        .state
        .inject(Fault::new("GET /api/v2/tss/*/tx/*", FaultKind::DropBefore).times(1000))
        .unwrap();
    c.basket_cleared().await.unwrap();
    drop(c);
    t.tse_sandbox.state.clear_faults();
    assert_eq!(
        t.kinds(kind::TSE_ABORT),
        0,
        "not journaled before the restart"
    );
    assert_eq!(t.active_at_tse(), 0, "the abort was signed");
    t.restart();
    let report = t.checkout().reconcile().await.unwrap();
    assert_eq!(report.tse_events_ended, 1);
    let aborts = t.aborts();
    assert_eq!(aborts[0].0, event);
    assert!(abort_qr(&aborts[0].1.tse).contains(";AVBelegabbruch^"));
    let counter_after = t.tse_sandbox.state.snapshot()["tss"][0]["signature_counter"]
        .as_u64()
        .unwrap();
    assert_eq!(counter_after, counter_before + 1, "the abort signed once");
    assert_eq!(t.active_at_tse(), 0);
}

#[tokio::test]
async fn a_start_that_never_reached_the_tse_is_closed_in_the_journal_alone() {
    let mut t = TseTill::new().await;
    t.tse_sandbox.set_offline(true).await;
    t.checkout().basket_started().await.unwrap().unwrap();
    t.restart();
    t.tse_sandbox.set_offline(false).await;
    let report = t.checkout().reconcile().await.unwrap();
    assert_eq!(report.tse_events_ended, 1);
    let aborts = t.aborts();
    assert_eq!(aborts[0].1.tse, None, "the TSE never had it");
    assert_eq!(t.active_at_tse(), 0);
}

#[tokio::test]
async fn an_outage_is_journaled_once_at_its_start_and_once_at_its_end() {
    let t = TseTill::new().await;
    let c = t.checkout();
    c.pay_cash(&basket(), Some(Cents(500))).await.unwrap();
    assert_eq!(t.kinds(kind::TSE_OUTAGE), 0);

    t.tse_sandbox.set_offline(true).await;
    for _ in 0..3 {
        c.basket_started().await.unwrap();
        c.pay_cash(&basket(), Some(Cents(500))).await.unwrap();
    }
    // An event that could not be ended while the TSE was down stays on the work list.
    c.basket_started().await.unwrap();
    c.basket_cleared().await.unwrap();
    assert_eq!(t.till.journal().open_tse().unwrap().len(), 1);
    assert_eq!(
        t.kinds(kind::TSE_OUTAGE),
        1,
        "one outage, however many failures"
    );
    assert_eq!(t.kinds(kind::TSE_OUTAGE_END), 0);
    let outage = &t.till.journal().entries(Some(kind::TSE_OUTAGE)).unwrap()[0];
    assert_eq!(outage.body["code"], "tse_unreachable");
    assert!(t.till.journal().tse_outage_open().unwrap());

    t.tse_sandbox.set_offline(false).await;
    let sale = c.pay_cash(&basket(), Some(Cents(500))).await.unwrap();
    assert!(sale.receipt_text.contains("Signatur") || sale.qr_svg.is_some());
    assert_eq!(t.kinds(kind::TSE_OUTAGE_END), 1);
    assert!(!t.till.journal().tse_outage_open().unwrap());
    // Catching up ends the event left open during the outage.
    assert_eq!(c.reconcile().await.unwrap().tse_events_ended, 1);
    assert_eq!(t.active_at_tse(), 0);
    // The outage with its start and end, as the closing reads it.
    let outages = t.till.journal().tse_outages(0, i64::MAX).unwrap();
    assert_eq!(outages.len(), 1);
    assert!(outages[0].end.is_some());
    assert_eq!(outages[0].reason, "the TSE cannot be reached");
    assert_eq!(t.till.journal().verify().unwrap(), None);
}

#[tokio::test]
async fn an_outage_open_at_a_restart_is_ended_by_the_first_signature_after_it() {
    let mut t = TseTill::new().await;
    t.tse_sandbox.set_offline(true).await;
    t.checkout()
        .pay_cash(&basket(), Some(Cents(500)))
        .await
        .unwrap();
    assert_eq!(t.kinds(kind::TSE_OUTAGE), 1);
    t.restart();
    t.tse_sandbox.set_offline(false).await;
    t.checkout()
        .pay_cash(&basket(), Some(Cents(500)))
        .await
        .unwrap();
    assert_eq!(t.kinds(kind::TSE_OUTAGE), 1);
    assert_eq!(t.kinds(kind::TSE_OUTAGE_END), 1);
}

#[tokio::test]
async fn the_closing_and_its_z_report_carry_the_tse_serial_ranges_and_outages() {
    let t = TseTill::new().await;
    let c = t.checkout();
    let mut signed = Vec::new();
    for _ in 0..3 {
        c.basket_started().await.unwrap();
        let sale = c.pay_cash(&basket(), Some(Cents(500))).await.unwrap();
        let record = t
            .till
            .journal()
            .sale_by_receipt(sale.receipt_number as i64)
            .unwrap();
        match record.paid.tse {
            Some(TseRecord::Signed(s)) => signed.push(s),
            other => panic!("not signed: {other:?}"),
        }
    }
    t.tse_sandbox.set_offline(true).await;
    c.pay_cash(&basket(), Some(Cents(500))).await.unwrap();
    t.tse_sandbox.set_offline(false).await;
    c.basket_started().await.unwrap();
    c.basket_cleared().await.unwrap();
    let abort = match &t.aborts()[0].1.tse {
        Some(TseRecord::Signed(s)) => s.clone(),
        other => panic!("{other:?}"),
    };

    let closing = t
        .till
        .journal()
        .close_day_noted(Cents(0), Some(serde_json::json!({"status": "ok"})), None)
        .unwrap();
    let tse = closing.tse.clone().expect("the TSE's part");
    assert_eq!(tse.devices.len(), 1);
    let d = &tse.devices[0];
    assert_eq!(d.tss_serial, signed[0].tss_serial);
    assert_eq!(d.signed, 4, "three sales and the abort");
    assert_eq!(d.first_tx_number, signed[0].tx_number);
    assert_eq!(d.last_tx_number, abort.tx_number);
    assert_eq!(d.first_signature_counter, signed[0].signature_counter);
    assert_eq!(d.last_signature_counter, abort.signature_counter);
    assert_eq!(tse.outages.len(), 1);
    assert!(tse.outages[0].end.is_some());
    // As stored: read back the same, printed from it.
    assert_eq!(
        t.till.journal().closing(closing.z_number).unwrap(),
        Some(closing.clone())
    );
    let header = till::z_report::ZReportHeader {
        shop: &t.till.shop,
        till_id: "KASSE-1",
        demo: true,
    };
    let text = receipt::render_document_text(&till::z_report::document(&closing, &header), 42);
    for needle in [
        "TSE",
        &d.tss_serial[..42],
        &format!("{} - {}", d.first_tx_number, d.last_tx_number),
        &format!(
            "{} - {}",
            d.first_signature_counter, d.last_signature_counter
        ),
        "TSE ausgefallen:",
        "the TSE cannot be reached",
    ] {
        assert!(text.contains(needle), "{needle} missing in\n{text}");
    }

    // The next period starts afresh: no outage, the next numbers.
    c.basket_started().await.unwrap();
    c.pay_cash(&basket(), Some(Cents(500))).await.unwrap();
    let next = t
        .till
        .journal()
        .close_day_noted(Cents(0), Some(serde_json::json!({"status": "ok"})), None)
        .unwrap();
    let tse = next.tse.expect("signed");
    assert!(tse.outages.is_empty());
    assert_eq!(tse.devices[0].signed, 1);
    assert!(tse.devices[0].first_tx_number > abort.tx_number);
}

#[tokio::test]
async fn a_closing_journals_the_tse_certificate_once_and_a_tse_that_is_down_never_holds_it_up() {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let t = TseTill::new().await;
    let c = t.checkout();
    let sale = c.pay_cash(&basket(), Some(Cents(500))).await.unwrap();
    let signed = match t
        .till
        .journal()
        .sale_by_receipt(sale.receipt_number as i64)
        .unwrap()
        .paid
        .tse
    {
        Some(TseRecord::Signed(s)) => s,
        other => panic!("not signed: {other:?}"),
    };
    let certificates = |t: &TseTill| {
        t.till
            .journal()
            .entries(Some(kind::TSE_CERTIFICATE))
            .unwrap()
    };
    let closing = c.close_day(Cents(500), None, &Default::default()).await;
    closing.unwrap();
    let journaled = certificates(&t);
    assert_eq!(journaled.len(), 1);
    let cert: till::tse_certificate::TseCertificate =
        serde_json::from_value(journaled[0].body.clone()).unwrap();
    // The TSE the signatures name, and a certificate of its key: the DER
    // holds the key's point in its subject public key info.
    assert_eq!(cert.tss_serial, signed.tss_serial);
    assert_eq!(cert.public_key, signed.public_key);
    let der = b64.decode(&cert.certificate).unwrap();
    let point = b64.decode(&signed.public_key).unwrap();
    assert_eq!(der[0], 0x30, "a DER sequence");
    assert!(der.windows(point.len()).any(|w| w == point.as_slice()));

    // The next closing finds it journaled: no second entry.
    c.pay_cash(&basket(), Some(Cents(500))).await.unwrap();
    c.close_day(Cents(500), None, &Default::default())
        .await
        .unwrap();
    assert_eq!(certificates(&t).len(), 1);

    // A TSE that is down never holds up the closing.
    t.tse_sandbox.set_offline(true).await;
    c.pay_cash(&basket(), Some(Cents(500))).await.unwrap();
    c.close_day(Cents(500), None, &Default::default())
        .await
        .unwrap();
    assert_eq!(certificates(&t).len(), 1);
}

/// The payment's create call at the provider, held up for `ms`.
fn slow_create(t: &TseTill, ms: u64) {
    t.till
        .sandbox
        .state
        .inject(
            secuconnect_sandbox::Fault::new(
                "POST /api/v2/Smart/Transactions",
                secuconnect_sandbox::FaultKind::Latency,
            )
            .with_latency_ms(ms),
        )
        .unwrap();
}

#[tokio::test]
async fn a_clearing_that_overtakes_the_next_payment_leaves_the_event_to_the_sale() {
    // The UI's calls overtake each other: the clearing of the basket after one
    // sale can reach the till while the next basket's payment is under way.
    // 3 % of the sales of a fast soak went unsigned this way: the clearing
    // aborted the event, then the sale's finish was refused.
    let t = TseTill::new().await;
    let c = t.checkout();
    let event = c.basket_started().await.unwrap().unwrap();
    slow_create(&t, 400);
    let clearing_meanwhile = async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        c.basket_cleared().await.unwrap();
    };
    let sold = basket();
    let (sale, ()) = tokio::join!(c.pay_cash(&sold, Some(Cents(500))), clearing_meanwhile);
    let sale = sale.unwrap();
    assert_eq!(sale.sale_id, event, "the sale takes the event's id");
    assert_eq!(t.signature_of_sale(sale.receipt_number).tx_id, event);
    assert!(t.aborts().is_empty(), "nothing aborted: {:?}", t.aborts());
    assert_eq!(t.active_at_tse(), 0);
    assert_eq!(t.till.journal().verify().unwrap(), None);
}

#[tokio::test]
async fn a_payment_that_stops_before_it_is_journaled_hands_the_event_back_to_the_basket() {
    let t = TseTill::new().await;
    let c = t.checkout();
    let event = c.basket_started().await.unwrap().unwrap();
    t.till
        .sandbox
        .state
        .inject(secuconnect_sandbox::Fault::new(
            "POST /api/v2/Smart/Transactions",
            secuconnect_sandbox::FaultKind::Refuse,
        ))
        .unwrap();
    let refused = c
        .pay_card(&basket(), &secuconnect::CancellationToken::new())
        .await;
    assert!(refused.is_err(), "{refused:?}");
    // Still the basket's: the next line answers it, a clearing ends it.
    assert_eq!(c.basket_started().await.unwrap(), Some(event.clone()));
    c.basket_cleared().await.unwrap();
    let aborts = t.aborts();
    assert_eq!(aborts.len(), 1);
    assert_eq!(aborts[0].0, event);
    assert_eq!(t.active_at_tse(), 0);
}
