//! The API's resources and the `standard_v1` receipt, as the OpenAPI
//! document of SIGN DE v2.1.35 defines them (only the fields a till uses).

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::auth::Secret;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TssState {
    Created,
    Uninitialized,
    Initialized,
    Disabled,
    Deleted,
    Defective,
    Evicted,
}

/// A TSS (`TssResponse`). `Debug` shows the PUK masked.
#[derive(Debug, Clone, Deserialize)]
pub struct Tss {
    #[serde(rename = "_id")]
    pub id: String,
    pub state: TssState,
    pub serial_number: String,
    /// Base64 of the public key point.
    pub public_key: String,
    pub certificate: String,
    pub signature_algorithm: String,
    pub time_creation: i64,
    /// Only while the TSS is CREATED: the owner must keep it.
    #[serde(default)]
    pub admin_puk: Option<Secret>,
    #[serde(default, deserialize_with = "counter_opt")]
    pub signature_counter: Option<u64>,
    #[serde(default, deserialize_with = "counter_opt")]
    pub transaction_counter: Option<u64>,
    #[serde(default)]
    pub bsi_certification_id: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ClientState {
    Registered,
    Deregistered,
}

/// A registered till (`ClientResponse`).
#[derive(Debug, Clone, Deserialize)]
pub struct TssClient {
    #[serde(rename = "_id")]
    pub id: String,
    pub serial_number: String,
    pub state: ClientState,
    pub tss_id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TxState {
    Active,
    Cancelled,
    Finished,
}

/// DSFinV-K `BON_TYP` as the API names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReceiptType {
    /// Beleg
    Receipt,
    /// AVTraining
    Training,
    /// AVTransfer
    Transfer,
    /// AVBestellung
    Order,
    /// AVBelegabbruch
    Cancellation,
    /// AVBelegabbruch
    Abort,
    /// AVSachbezug
    BenefitInKind,
    /// AVRechnung
    Invoice,
    /// AVSonstige
    Other,
    /// AVBelegstorno
    Annulation,
}

/// The five VAT rates of DSFinV-K, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VatRate {
    /// 19 %
    #[serde(rename = "NORMAL")]
    Normal,
    /// 7 %
    #[serde(rename = "REDUCED_1")]
    Reduced1,
    /// 10.7 %
    #[serde(rename = "SPECIAL_RATE_1")]
    SpecialRate1,
    /// 5.5 %
    #[serde(rename = "SPECIAL_RATE_2")]
    SpecialRate2,
    /// 0 %
    #[serde(rename = "NULL")]
    Null,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PaymentType {
    /// Bar
    Cash,
    /// Unbar
    NonCash,
}

/// An amount as the API writes it: `"12.34"` (from integer cents).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Amount(String);

impl Amount {
    pub fn from_cents(cents: i64) -> Self {
        let sign = if cents < 0 { "-" } else { "" };
        let abs = cents.unsigned_abs();
        Self(format!("{sign}{}.{:02}", abs / 100, abs % 100))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VatAmount {
    pub vat_rate: VatRate,
    pub amount: Amount,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentAmount {
    pub payment_type: PaymentType,
    pub amount: Amount,
    /// ISO 4217; left out for EUR.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency_code: Option<String>,
}

/// The `standard_v1` receipt (`ProcessDataStandardV1Receipt`, process type `Kassenbeleg-V1`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub receipt_type: ReceiptType,
    pub amounts_per_vat_rate: Vec<VatAmount>,
    #[serde(default)]
    pub amounts_per_payment_type: Vec<PaymentAmount>,
}

impl Receipt {
    pub fn new(receipt_type: ReceiptType) -> Self {
        Self {
            receipt_type,
            amounts_per_vat_rate: Vec::new(),
            amounts_per_payment_type: Vec::new(),
        }
    }

    /// Adds the gross amount of a VAT rate, in cents.
    pub fn vat(mut self, vat_rate: VatRate, cents: i64) -> Self {
        self.amounts_per_vat_rate.push(VatAmount {
            vat_rate,
            amount: Amount::from_cents(cents),
        });
        self
    }

    /// Adds an amount paid in EUR, in cents.
    pub fn paid(mut self, payment_type: PaymentType, cents: i64) -> Self {
        self.amounts_per_payment_type.push(PaymentAmount {
            payment_type,
            amount: Amount::from_cents(cents),
            currency_code: None,
        });
        self
    }
}

/// `log` of a transaction: the operation signed and its time.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TxLog {
    /// `Start`, `Update` or `Finish`.
    pub operation: String,
    /// Unix seconds.
    pub timestamp: i64,
    pub timestamp_format: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TxSignature {
    /// Base64 of the signature (`r || s`).
    pub value: String,
    pub algorithm: String,
    /// A string in the API, sometimes a number from the middleware: both are read.
    #[serde(deserialize_with = "counter")]
    pub counter: u64,
    pub public_key: String,
}

/// A transaction at one revision (`TxResponse`): what a receipt prints.
#[derive(Debug, Clone, Deserialize)]
pub struct Transaction {
    #[serde(rename = "_id")]
    pub id: String,
    pub number: u64,
    pub state: TxState,
    pub revision: u64,
    pub latest_revision: u64,
    pub tss_id: String,
    pub tss_serial_number: String,
    pub client_id: String,
    pub client_serial_number: String,
    pub time_start: i64,
    #[serde(default)]
    pub time_end: Option<i64>,
    pub log: TxLog,
    pub signature: TxSignature,
    /// DSFinV-K Anhang I, for the receipt's QR code (once finished).
    #[serde(default)]
    pub qr_code_data: Option<String>,
    #[serde(default)]
    pub schema: Option<Value>,
}

fn counter<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => s.parse().map_err(serde::de::Error::custom),
        Value::Number(n) => n
            .as_u64()
            .ok_or_else(|| serde::de::Error::custom("a counter is a whole number ≥ 0")),
        other => Err(serde::de::Error::custom(format!("not a counter: {other}"))),
    }
}

fn counter_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    counter(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn amounts_come_from_integer_cents() {
        assert_eq!(Amount::from_cents(1234).as_str(), "12.34");
        assert_eq!(Amount::from_cents(5).as_str(), "0.05");
        assert_eq!(Amount::from_cents(-250).as_str(), "-2.50");
        assert_eq!(
            Amount::from_cents(i64::MIN).as_str(),
            "-92233720368547758.08"
        );
    }

    #[test]
    fn a_receipt_serialises_as_the_api_wants() {
        let receipt = Receipt::new(ReceiptType::Receipt)
            .vat(VatRate::Normal, 1190)
            .vat(VatRate::Reduced1, 107)
            .paid(PaymentType::Cash, 1297);
        assert_eq!(
            serde_json::to_value(&receipt).unwrap(),
            json!({
                "receipt_type": "RECEIPT",
                "amounts_per_vat_rate": [
                    {"vat_rate": "NORMAL", "amount": "11.90"},
                    {"vat_rate": "REDUCED_1", "amount": "1.07"},
                ],
                "amounts_per_payment_type": [{"payment_type": "CASH", "amount": "12.97"}],
            })
        );
    }

    #[test]
    fn counters_are_read_as_strings_or_numbers() {
        let sig = |counter: Value| {
            serde_json::from_value::<TxSignature>(json!({
                "value": "x", "algorithm": "ecdsa-plain-SHA256", "counter": counter, "public_key": "k"
            }))
        };
        assert_eq!(sig(json!("42")).unwrap().counter, 42);
        assert_eq!(sig(json!(42)).unwrap().counter, 42);
        assert!(sig(json!("-1")).is_err());
    }
}
