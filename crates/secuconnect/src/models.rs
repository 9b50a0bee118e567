//! Typed models of the provider's JSON. Every struct keeps fields it does not
//! know in `extra`, so that a read-modify-write never drops what the provider added.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// Unknown fields, kept as received.
pub type Extra = Map<String, Value>;

/// `{object, id}` and whatever else a reference carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ObjectRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl ObjectRef {
    pub fn id(id: impl Into<String>) -> Self {
        Self {
            id: Some(id.into()),
            ..Self::default()
        }
    }
}

/// The status of a smart transaction: an open set, since the provider adds values.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TransactionStatus {
    Created,
    Processing,
    Approved,
    Pending,
    Ok,
    Failed,
    Cancelled,
    Other(String),
}

impl TransactionStatus {
    pub fn as_str(&self) -> &str {
        match self {
            Self::Created => "created",
            Self::Processing => "processing",
            Self::Approved => "approved",
            Self::Pending => "pending",
            Self::Ok => "ok",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
            Self::Other(s) => s,
        }
    }
}

impl From<&str> for TransactionStatus {
    fn from(s: &str) -> Self {
        match s {
            "created" => Self::Created,
            "processing" => Self::Processing,
            "approved" => Self::Approved,
            "pending" => Self::Pending,
            "ok" => Self::Ok,
            "failed" => Self::Failed,
            // older clients see the American spelling
            "cancelled" | "canceled" => Self::Cancelled,
            other => Self::Other(other.to_string()),
        }
    }
}

impl Serialize for TransactionStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for TransactionStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(Self::from(s.as_str()))
    }
}

/// One basket product. Amounts in cents; `tax` in percent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Product {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    #[serde(default)]
    pub parent: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desc: Option<String>,
    /// A number in some guides, a string in others: kept as text.
    #[serde(
        default,
        rename = "articleNumber",
        deserialize_with = "de_opt_string_or_number"
    )]
    pub article_number: Option<String>,
    #[serde(default)]
    pub ean: Option<String>,
    #[serde(default)]
    pub quantity: i64,
    #[serde(default, rename = "priceOne")]
    pub price_one: i64,
    #[serde(default)]
    pub tax: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sum: Option<i64>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Basket {
    #[serde(default)]
    pub products: Vec<Product>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BasketInfo {
    pub sum: i64,
    pub currency: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gratuity: Option<i64>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl BasketInfo {
    pub fn eur(sum: i64) -> Self {
        Self {
            sum,
            currency: "EUR".into(),
            gratuity: None,
            extra: Extra::new(),
        }
    }
}

/// `{type: "card", value: "<card number>"}`; the answer adds the merchant card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Ident {
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid: Option<bool>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A provider receipt line (`separator`, `textline`, `name-value`, `space`), kept verbatim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReceiptLine {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub value: Value,
}

/// What the till sends to create or update a smart transaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct TransactionDraft {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_demo: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basket: Option<Basket>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basket_info: Option<BasketInfo>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub idents: Vec<Ident>,
    #[serde(
        default,
        rename = "merchantRef",
        skip_serializing_if = "Option::is_none"
    )]
    pub merchant_ref: Option<String>,
    /// Our own sale id: lets a sale registered twice be recognised.
    #[serde(
        default,
        rename = "transactionRef",
        skip_serializing_if = "Option::is_none"
    )]
    pub transaction_ref: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A smart transaction as the provider answers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SmartTransaction {
    #[serde(default)]
    pub object: Option<String>,
    pub id: String,
    #[serde(default)]
    pub merchant: Option<ObjectRef>,
    #[serde(default)]
    pub created: Option<String>,
    #[serde(default)]
    pub updated: Option<String>,
    pub status: TransactionStatus,
    #[serde(default)]
    pub intent: Option<String>,
    #[serde(default)]
    pub is_demo: Option<bool>,
    #[serde(default, rename = "merchantRef")]
    pub merchant_ref: Option<String>,
    #[serde(default, rename = "transactionRef")]
    pub transaction_ref: Option<String>,
    #[serde(default)]
    pub basket: Option<Basket>,
    #[serde(default)]
    pub basket_info: Option<BasketInfo>,
    #[serde(default)]
    pub idents: Vec<Ident>,
    #[serde(default)]
    pub transactions: Vec<ObjectRef>,
    #[serde(default)]
    pub receipt: Vec<ReceiptLine>,
    #[serde(default)]
    pub receipt_merchant: Vec<ReceiptLine>,
    #[serde(default)]
    pub receipt_merchant_print: Option<bool>,
    #[serde(default)]
    pub receipt_number: Option<i64>,
    #[serde(default)]
    pub payment_method: Option<String>,
    #[serde(default, deserialize_with = "de_opt_string_or_number")]
    pub trans_id: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Accepts `"123"`, `123` or `null` and yields text.
pub fn de_opt_string_or_number<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<String>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(serde::de::Error::custom(format!(
            "expected a string or a number, got {other}"
        ))),
    }
}

/// The OAuth token answer.
#[derive(Clone, PartialEq, Deserialize, Serialize)]
pub struct TokenAnswer {
    pub access_token: String,
    pub expires_in: u64,
    #[serde(default)]
    pub token_type: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub refresh_token: Option<String>,
}

impl std::fmt::Debug for TokenAnswer {
    // Tokens are secrets: never in a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenAnswer")
            .field("access_token", &"***")
            .field("expires_in", &self.expires_in)
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "***"))
            .finish()
    }
}

/// The OAuth error answer: `{error, error_description}`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct OAuthError {
    pub error: String,
    #[serde(default)]
    pub error_description: Option<String>,
}
