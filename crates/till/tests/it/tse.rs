//! The TSE in the till: the real checkout against the secuconnect and the
//! fiskaly simulators on loopback, a real SQLite journal. Each paid sale and
//! each cancellation is signed; the signature is verified outside the
//! project's code (Python `cryptography`) from the QR code alone; a TSE that
//! is down or slow never stops a sale.

use crate::common;

use std::time::Duration;

use common::Till;
use fiskaly_sandbox::{Fault, FaultKind, RunningSandbox};
use secuconnect::CancellationToken;
use till::journal::kind;
use till::{Basket, BasketLine, Cents, Checkout, Tse, TseRecord, TseSignature, VatRate};

struct TseTill {
    till: Till,
    tse_sandbox: RunningSandbox,
    tse: Tse,
}

impl TseTill {
    async fn new() -> Self {
        let tse_sandbox = fiskaly_sandbox::start_demo().await.unwrap();
        let client = fiskaly::Client::new(
            fiskaly::ClientConfig::new(
                tse_sandbox.url(),
                fiskaly::Credentials {
                    api_key: fiskaly_sandbox::DEMO_API_KEY.into(),
                    api_secret: fiskaly::Secret::new(fiskaly_sandbox::DEMO_API_SECRET),
                },
            )
            .with_timeout(Duration::from_millis(800)),
        )
        .unwrap();
        Self {
            till: Till::new().await,
            tse: Tse::new(
                client,
                fiskaly_sandbox::DEMO_TSS_ID,
                fiskaly_sandbox::DEMO_CLIENT_ID,
            ),
            tse_sandbox,
        }
    }

    fn checkout(&self) -> Checkout<'_> {
        Checkout {
            tse: Some(&self.tse),
            ..self.till.checkout()
        }
    }

    fn sale_tse(&self, receipt_number: u64) -> Option<TseRecord> {
        self.till
            .journal()
            .sale_by_receipt(receipt_number as i64)
            .unwrap()
            .paid
            .tse
    }

    fn tse_transactions(&self) -> u64 {
        self.tse_sandbox.state.snapshot()["transactions"]
            .as_u64()
            .unwrap()
    }
}

fn basket() -> Basket {
    Basket {
        lines: vec![
            BasketLine::article("Brot", 2, Cents(250), VatRate::Reduced),
            BasketLine::article("Wein", 1, Cents(1190), VatRate::Standard),
        ],
        card: None,
    }
}

fn signed(record: Option<TseRecord>) -> TseSignature {
    match record {
        Some(TseRecord::Signed(s)) => s,
        other => panic!("not signed: {other:?}"),
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
