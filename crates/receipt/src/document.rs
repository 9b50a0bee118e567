use serde::{Deserialize, Serialize};

/// The shop's header as set in the settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopHeader {
    pub name: String,
    pub address_lines: Vec<String>,
    pub vat_id: Option<String>,
}

/// One article line of the receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptLine {
    pub quantity: i64,
    pub text: String,
    pub unit_price_cents: i64,
    pub total_cents: i64,
    /// The letter that ties the line to its row in the VAT table (A = 19 %, B = 7 %, C = 0 %).
    pub vat_mark: char,
}

/// One row of the VAT table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VatLine {
    pub mark: char,
    pub rate_percent: u8,
    pub net_cents: i64,
    pub tax_cents: i64,
    pub gross_cents: i64,
}

/// How the sale was paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentLine {
    /// What the customer reads, e.g. "Bar".
    pub label: String,
    pub amount_cents: i64,
    /// Cash tendered and change, where cash was given.
    pub tendered_cents: Option<i64>,
    pub change_cents: Option<i64>,
}

/// A receipt line as the provider sends it (`receipt`, `receipt_merchant`), kept verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderLine {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub value: serde_json::Value,
}

/// The customer receipt of one sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub shop: ShopHeader,
    pub till_id: String,
    pub receipt_number: u64,
    /// Local date and time as printed, e.g. "21.11.2026 14:03".
    pub issued_at: String,
    pub lines: Vec<ReceiptLine>,
    pub total_cents: i64,
    pub vat: Vec<VatLine>,
    pub payments: Vec<PaymentLine>,
    /// The provider's transaction id (`STX_…`), printed for support.
    pub transaction_id: Option<String>,
    pub provider_lines: Vec<ProviderLine>,
    /// Marks a receipt from demo mode, so it can never pass for a real one.
    pub demo: bool,
}
