//! The till's TSE (technische Sicherheitseinrichtung, KassenSichV §2): every
//! paid sale and every cancellation is one signed transaction of the cloud
//! TSE (fiskaly SIGN DE v2, `crates/fiskaly`).
//!
//! The TSE never holds the till: each step has a short deadline (the
//! client's), and a TSE that is down, slow or refusing leaves the sale paid
//! with a [`TseRecord::Failed`] (the reason in words) instead of the
//! signature. Transaction ids are the till's own (the sale's id, and one
//! derived from it for its cancellation), and each step names its revision, so
//! a step repeated after a lost answer is answered by the TSE with what it
//! signed before (or read back by the client), never signed twice.

use serde::{Deserialize, Serialize};
use tracing::{info, warn};
use uuid::Uuid;

use crate::closing::PaymentMethod;
use crate::journal::{PaymentIntent, SaleRecord, TseOutage};
use crate::money::{Cents, VatRate};

/// What the journal keeps of a business event's TSE transaction: its
/// signature, or why there is none. Part of the entry's body, so inside the
/// hash chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum TseRecord {
    Signed(TseSignature),
    /// The TSE could not sign it (KassenSichV: the outage is recorded; the
    /// receipt says "TSE ausgefallen").
    Failed {
        /// The client's stable code (`tse_unreachable`, `tse_no_answer`, …).
        code: String,
        /// In words a cashier understands.
        reason: String,
        /// When the till gave up (RFC 3339).
        at: String,
    },
}

/// The data of a finished TSE transaction, as the receipt prints it (§6 KassenSichV).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TseSignature {
    /// The till's transaction id (UUID).
    pub tx_id: String,
    /// The TSE's transaction number.
    pub tx_number: u64,
    pub tss_id: String,
    /// The TSE's serial number (hex of SHA-256 over its public key).
    pub tss_serial: String,
    /// The till's serial number as registered with the TSE.
    pub client_serial: String,
    /// Start and end of the transaction, unix seconds (the TSE's log times).
    pub time_start: i64,
    pub time_end: i64,
    pub signature_counter: u64,
    /// Base64 of the signature over the finish step (`r || s`).
    pub signature: String,
    pub signature_algorithm: String,
    /// Base64 of the TSE's public key.
    pub public_key: String,
    /// The DSFinV-K QR code's content (Anhang I), printed as it is.
    pub qr_code_data: String,
}

/// What the last TSE step showed, for the status bar.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TseSeen {
    /// `None` until a step ran; then whether it was signed.
    pub ok: Option<bool>,
    /// The TSE's serial number, once a signature named it.
    pub tss_serial: Option<String>,
    /// Why the last step failed, in words.
    pub problem: Option<String>,
}

/// Where the till's TSE is and which till it is.
pub struct Tse {
    client: fiskaly::Client,
    tss_id: String,
    client_id: String,
    seen: std::sync::Mutex<TseSeen>,
    /// The business event of the basket on screen (its TSE transaction's
    /// id), from its first line until it is paid or cleared.
    pub(crate) basket: std::sync::Mutex<Option<OpenEvent>>,
    /// Cash movements being signed right now (their `tse_start` is
    /// journaled): the clean-up of events left open leaves them alone.
    pub(crate) in_flight: std::sync::Mutex<std::collections::HashSet<String>>,
    /// The newest step's outcome: signed/started, or why not (the outage
    /// the journal records).
    pub(crate) health: std::sync::Mutex<Option<Result<(), TseOutage>>>,
    /// Whether the journal holds an outage without its end; `None` until read.
    pub(crate) outage_journaled: std::sync::Mutex<Option<bool>>,
}

/// The business event of the basket on screen.
#[derive(Debug, Clone)]
pub(crate) struct OpenEvent {
    pub id: String,
    /// The TSE confirmed its start.
    pub started: bool,
    /// A payment has taken its id and ends it, as the sale or a failed
    /// payment: a clearing of the basket that arrives meanwhile leaves it.
    pub paying: bool,
}

/// The one rule between sales and TSE transactions: a sale's TSE
/// transaction has the sale's own id (a cancellation's is
/// [`cancellation_tx_id`]).
pub fn sale_tx_id(sale_id: &str) -> &str {
    sale_id
}

/// The id of a new business event: its TSE transaction's id and, once it
/// is paid, the sale's ([`sale_tx_id`]).
pub fn new_event_id() -> String {
    Uuid::new_v4().to_string()
}

impl std::fmt::Debug for Tse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tse")
            .field("tss_id", &self.tss_id)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// How far a transaction got before its finish.
#[derive(Debug, Clone)]
pub enum Started {
    Yes,
    /// The start failed; the finish tries the start again (it is idempotent).
    No(fiskaly::Error),
}

impl Tse {
    /// `client` reaches the TSE (its timeout bounds each step); `tss_id` and
    /// `client_id` name the TSS and this till as registered.
    pub fn new(client: fiskaly::Client, tss_id: &str, client_id: &str) -> Self {
        Self {
            client,
            tss_id: tss_id.into(),
            client_id: client_id.into(),
            seen: Default::default(),
            basket: Default::default(),
            in_flight: Default::default(),
            health: Default::default(),
            outage_journaled: Default::default(),
        }
    }

    /// What the last step showed.
    pub fn seen(&self) -> TseSeen {
        self.seen.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn note_health(&self, outcome: Result<(), TseOutage>) {
        *self.health.lock().unwrap_or_else(|p| p.into_inner()) = Some(outcome);
    }

    fn note(&self, record: &TseRecord) {
        self.note_health(match record {
            TseRecord::Signed(_) => Ok(()),
            TseRecord::Failed { code, reason, .. } => Err(TseOutage {
                code: code.clone(),
                reason: reason.clone(),
            }),
        });
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        match record {
            TseRecord::Signed(s) => {
                seen.ok = Some(true);
                seen.tss_serial = Some(s.tss_serial.clone());
                seen.problem = None;
            }
            TseRecord::Failed { reason, .. } => {
                seen.ok = Some(false);
                seen.problem = Some(reason.clone());
            }
        }
    }

    pub fn client(&self) -> &fiskaly::Client {
        &self.client
    }

    pub fn tss_id(&self) -> &str {
        &self.tss_id
    }

    /// Starts the transaction `tx_id` (revision 1, ACTIVE) when the business event starts.
    pub async fn start(&self, tx_id: &str) -> Started {
        match self
            .client
            .start_transaction(&self.tss_id, &self.client_id, tx_id)
            .await
        {
            Ok(_) => {
                self.note_health(Ok(()));
                Started::Yes
            }
            Err(e) => {
                warn!(tx_id, error = %e, "TSE: the transaction did not start");
                self.note_health(Err(outage_of(&e)));
                Started::No(e)
            }
        }
    }

    /// Finishes `tx_id` with its receipt (revision 2) when the event ends.
    /// A start that failed is tried again first: the TSE may be back.
    pub async fn finish(
        &self,
        tx_id: &str,
        started: Started,
        receipt: &fiskaly::Receipt,
    ) -> TseRecord {
        let record = self.finish_step(tx_id, started, receipt).await;
        self.note(&record);
        record
    }

    async fn finish_step(
        &self,
        tx_id: &str,
        started: Started,
        receipt: &fiskaly::Receipt,
    ) -> TseRecord {
        if let Started::No(_) = started {
            if let Err(e) = self
                .client
                .start_transaction(&self.tss_id, &self.client_id, tx_id)
                .await
            {
                return failed(tx_id, &e);
            }
        }
        match self
            .client
            .finish_transaction(&self.tss_id, &self.client_id, tx_id, 2, receipt)
            .await
        {
            Ok(tx) => match signature_of(tx_id, tx) {
                Some(s) => {
                    info!(
                        tx_id,
                        number = s.tx_number,
                        counter = s.signature_counter,
                        "TSE: signed"
                    );
                    TseRecord::Signed(s)
                }
                None => TseRecord::Failed {
                    code: "tse_bad_answer".into(),
                    reason: "The TSE answered without a QR code.".into(),
                    at: now(),
                },
            },
            Err(e) => failed(tx_id, &e),
        }
    }

    /// Start and finish at once (a cancellation, which is over when it starts).
    pub async fn sign(&self, tx_id: &str, receipt: &fiskaly::Receipt) -> TseRecord {
        let started = self.start(tx_id).await;
        self.finish(tx_id, started, receipt).await
    }
}

impl Tse {
    /// Ends an abandoned business event as `AVBelegabbruch` (DSFinV-K 2.6):
    /// revision 2 with no amounts, so a repeat is answered as signed before.
    /// `left_open` (found at start): a transaction the TSE never had stays
    /// unstarted (`Ok(None)`), one finished before the crash is read back.
    /// `Err`: not settled now (the TSE is down); tried again later.
    /// `started`: the TSE confirmed the start (else it is repeated first).
    pub async fn abort_event(
        &self,
        tx_id: &str,
        left_open: bool,
        started: bool,
    ) -> Result<Option<TseRecord>, fiskaly::Error> {
        let outcome = self.abort_step(tx_id, left_open, started).await;
        match &outcome {
            Ok(Some(record)) => self.note(record),
            Ok(None) => {}
            Err(e) => self.note_health(Err(outage_of(e))),
        }
        outcome
    }

    async fn abort_step(
        &self,
        tx_id: &str,
        left_open: bool,
        started: bool,
    ) -> Result<Option<TseRecord>, fiskaly::Error> {
        if left_open {
            match self.client.get_transaction(&self.tss_id, tx_id, None).await {
                Err(e) if e.api_code() == Some("E_TX_NOT_FOUND") => return Ok(None),
                Err(e) => return Err(e),
                Ok(tx) if tx.state != fiskaly::TxState::Active => {
                    return Ok(Some(signed_or_bad(tx_id, tx)));
                }
                Ok(_) => {}
            }
        } else if !started {
            // The start may still be on its way: repeated, it is answered as before.
            self.client
                .start_transaction(&self.tss_id, &self.client_id, tx_id)
                .await?;
        }
        let abort = fiskaly::Receipt::new(fiskaly::ReceiptType::Abort);
        let tx = self
            .client
            .finish_transaction(&self.tss_id, &self.client_id, tx_id, 2, &abort)
            .await?;
        info!(tx_id, number = tx.number, "TSE: business event aborted");
        Ok(Some(signed_or_bad(tx_id, tx)))
    }
}

fn signed_or_bad(tx_id: &str, tx: fiskaly::Transaction) -> TseRecord {
    signature_of(tx_id, tx)
        .map(TseRecord::Signed)
        .unwrap_or_else(|| TseRecord::Failed {
            code: "tse_bad_answer".into(),
            reason: "The TSE answered without a QR code.".into(),
            at: now(),
        })
}

fn outage_of(e: &fiskaly::Error) -> TseOutage {
    TseOutage {
        code: e.code().into(),
        reason: e.words().into(),
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn failed(tx_id: &str, e: &fiskaly::Error) -> TseRecord {
    warn!(tx_id, error = %e, "TSE: not signed; the sale goes on without it");
    TseRecord::Failed {
        code: e.code().into(),
        reason: e.words().into(),
        at: now(),
    }
}

fn signature_of(tx_id: &str, tx: fiskaly::Transaction) -> Option<TseSignature> {
    Some(TseSignature {
        tx_id: tx_id.into(),
        tx_number: tx.number,
        tss_id: tx.tss_id,
        tss_serial: tx.tss_serial_number,
        client_serial: tx.client_serial_number,
        time_start: tx.time_start,
        time_end: tx.time_end.unwrap_or(tx.log.timestamp),
        signature_counter: tx.signature.counter,
        signature: tx.signature.value,
        signature_algorithm: tx.signature.algorithm,
        public_key: tx.signature.public_key,
        qr_code_data: tx.qr_code_data?,
    })
}

/// The TSE transaction id of a cancellation: derived from the sale's, so a
/// cancellation tried again signs the same transaction, never a second one.
pub fn cancellation_tx_id(sale_id: &str) -> String {
    match Uuid::parse_str(sale_id) {
        Ok(sale) => Uuid::new_v5(&sale, b"cancellation").to_string(),
        Err(_) => Uuid::new_v5(&Uuid::NAMESPACE_OID, sale_id.as_bytes()).to_string(),
    }
}

fn vat_rate(rate: VatRate) -> fiskaly::VatRate {
    match rate {
        VatRate::Standard => fiskaly::VatRate::Normal,
        VatRate::Reduced => fiskaly::VatRate::Reduced1,
        VatRate::Zero => fiskaly::VatRate::Null,
    }
}

/// DSFinV-K `ZAHLART_TYP` as the TSE's process data knows it (`Bar`/`Unbar`):
/// the terminal and the secucard's balance are not cash.
fn payment_type(method: PaymentMethod) -> fiskaly::PaymentType {
    match method {
        PaymentMethod::Cash => fiskaly::PaymentType::Cash,
        PaymentMethod::Card | PaymentMethod::Secucard | PaymentMethod::Qr => {
            fiskaly::PaymentType::NonCash
        }
    }
}

/// Sums per kind, in the order first seen (the TSE wants one amount per
/// VAT rate and per payment type).
fn summed<K: PartialEq + Copy>(items: impl Iterator<Item = (K, Cents)>) -> Vec<(K, Cents)> {
    let mut out: Vec<(K, Cents)> = Vec::new();
    for (k, c) in items {
        match out.iter_mut().find(|(seen, _)| *seen == k) {
            Some((_, sum)) => *sum = *sum + c,
            None => out.push((k, c)),
        }
    }
    out
}

fn receipt_of(
    vat: impl Iterator<Item = (VatRate, Cents)>,
    payments: impl Iterator<Item = (PaymentMethod, Cents)>,
) -> fiskaly::Receipt {
    // DSFinV-K Anhang C (process data of `Kassenbeleg-V1`) and fiskaly's
    // `standard_v1.receipt`: BON_TYP `Beleg` (RECEIPT), the gross amount per
    // VAT rate, the amount per payment type (`Bar`/`Unbar`, EUR).
    let mut receipt = fiskaly::Receipt::new(fiskaly::ReceiptType::Receipt);
    for (rate, gross) in summed(vat.map(|(r, c)| (vat_rate(r), c))) {
        receipt = receipt.vat(rate, gross.0);
    }
    for (kind, amount) in summed(payments.map(|(m, c)| (payment_type(m), c))) {
        receipt = receipt.paid(kind, amount.0);
    }
    receipt
}

/// The `Beleg` of a paid sale: its VAT per rate and how it is paid (the
/// secucard's balance first, the rest by the intent's method).
pub fn sale_receipt(intent: &PaymentIntent) -> fiskaly::Receipt {
    let rest = intent.total - intent.from_card;
    let mut payments = Vec::new();
    if intent.from_card.0 > 0 {
        payments.push((PaymentMethod::Secucard, intent.from_card));
    }
    payments.push((intent.method, rest));
    receipt_of(
        intent.vat().into_iter().map(|v| (v.rate, v.gross)),
        payments.into_iter(),
    )
}

/// A cancellation is its own `Beleg` with the amounts negated (DSFinV-K
/// Bonkopf: `BON_TYP` Beleg, `BON_STORNO` 1; the TSE knows no storno flag).
pub fn cancellation_receipt(original: &SaleRecord) -> fiskaly::Receipt {
    receipt_of(
        original
            .intent
            .vat()
            .into_iter()
            .map(|v| (v.rate, -v.gross)),
        original.paid.payments.iter().map(|p| (p.method, -p.amount)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::basket::{Basket, BasketLine};
    use serde_json::json;

    #[test]
    fn a_sale_becomes_a_standard_v1_receipt() {
        let basket = Basket {
            lines: vec![
                BasketLine::article("Brot", 2, Cents(250), VatRate::Reduced),
                BasketLine::article("Wein", 1, Cents(1190), VatRate::Standard),
            ],
            card: None,
        };
        let mut intent = PaymentIntent::new("s", PaymentMethod::Cash, &basket, None, None);
        intent.from_card = Cents(100);
        let r = serde_json::to_value(sale_receipt(&intent)).unwrap();
        let mut vat = r["amounts_per_vat_rate"].as_array().unwrap().clone();
        vat.sort_by_key(|v| v["vat_rate"].as_str().unwrap().to_string());
        assert_eq!(r["receipt_type"], "RECEIPT");
        assert_eq!(
            vat,
            vec![
                json!({"vat_rate": "NORMAL", "amount": "11.90"}),
                json!({"vat_rate": "REDUCED_1", "amount": "5.00"}),
            ]
        );
        assert_eq!(
            r["amounts_per_payment_type"],
            json!([
                {"payment_type": "NON_CASH", "amount": "1.00"},
                {"payment_type": "CASH", "amount": "15.90"},
            ])
        );
    }

    #[test]
    fn a_cancellation_has_its_own_stable_tx_id() {
        let sale = Uuid::new_v4().to_string();
        assert_eq!(cancellation_tx_id(&sale), cancellation_tx_id(&sale));
        assert_ne!(cancellation_tx_id(&sale), sale);
        assert!(Uuid::parse_str(&cancellation_tx_id("not-a-uuid")).is_ok());
    }

    #[test]
    fn old_records_without_tse_read_back() {
        let signed = TseRecord::Failed {
            code: "tse_unreachable".into(),
            reason: "r".into(),
            at: "t".into(),
        };
        let v = serde_json::to_value(&signed).unwrap();
        assert_eq!(v["status"], "failed");
        assert_eq!(serde_json::from_value::<TseRecord>(v).unwrap(), signed);
    }
}
