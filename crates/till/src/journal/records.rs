//! What the journal stores and answers: the records of sales, payments,
//! cancellations, the work lists and the chain's breaks.

use serde::{Deserialize, Serialize};

use crate::basket::{Basket, VatTotal};
use crate::closing::PaymentMethod;
use crate::money::Cents;
use crate::sale::SaleState;

/// What the till is about to be paid, written before the payment call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentIntent {
    /// Stored in the entry's own column, not again in its body.
    #[serde(skip)]
    pub sale_id: String,
    /// Cash (the till's own payment, `start/cash`) or card (`start/cashless`).
    pub method: PaymentMethod,
    pub basket: Basket,
    pub total: Cents,
    /// The smart transaction; `None` for a sale paid offline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tendered: Option<Cents>,
    /// What the scanned secucard's balance pays (the provider applies it).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub from_card: Cents,
}

fn is_zero(c: &Cents) -> bool {
    c.0 == 0
}

impl PaymentIntent {
    pub fn new(
        sale_id: &str,
        method: PaymentMethod,
        basket: &Basket,
        transaction_id: Option<&str>,
        tendered: Option<Cents>,
    ) -> Self {
        Self {
            sale_id: sale_id.into(),
            method,
            basket: basket.clone(),
            total: basket.total(),
            transaction_id: transaction_id.map(str::to_string),
            tendered,
            from_card: Cents::ZERO,
        }
    }

    /// Net, tax and gross per rate (derived from the basket, not stored twice).
    pub fn vat(&self) -> Vec<VatTotal> {
        self.basket.vat_totals()
    }
}

/// The receipt number and time a paid sale is issued with.
#[derive(Debug, Clone)]
pub struct Issue {
    pub receipt_number: i64,
    pub issued_at: chrono::DateTime<chrono::Local>,
    /// The cashier logged in ("Es bediente Sie: …"); the entry names them too.
    pub served_by: Option<String>,
}

/// One payment of a sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub method: PaymentMethod,
    pub amount: Cents,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tendered: Option<Cents>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<Cents>,
    /// The terminal's receipt number, needed to cancel a card payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminal_receipt: Option<i64>,
    /// How the customer paid as the provider reports it (`paypal`,
    /// `creditcard`, …): a payment by QR code through Smart Checkout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_method: Option<String>,
}

/// A receipt as received from the provider and as the till rendered it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredReceipt {
    pub received: serde_json::Value,
    pub text: String,
}

/// What completes a paid sale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaidSale {
    /// The intent's smart transaction (not stored twice); `None` for a sale
    /// paid offline, whose transaction the `registered` entry names.
    #[serde(skip)]
    pub transaction_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trans_id: Option<String>,
    pub payments: Vec<Payment>,
    /// Paid locally while the provider was unreachable: queued for registration.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub queued: bool,
    /// The TSE's signature, or why there is none; `None` in sales journaled
    /// before the till had a TSE, or without one configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tse: Option<crate::tse::TseRecord>,
    #[serde(skip)]
    pub customer_receipt: Option<StoredReceipt>,
    #[serde(skip)]
    pub merchant_receipt: Option<StoredReceipt>,
}

/// A paid sale as read back from the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SaleRecord {
    pub sale_id: String,
    pub seq: i64,
    pub created_at: String,
    /// The settings (shop header, till id) the receipt was printed with.
    pub settings: Option<serde_json::Value>,
    pub receipt_number: i64,
    pub intent: PaymentIntent,
    pub paid: PaidSale,
    pub state: SaleState,
    /// The Z number of the closing the sale is locked into.
    pub closed_in: Option<i64>,
    /// Who was logged in when the sale was paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cashier: Option<CashierRef>,
}

/// A counter-booking as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cancellation {
    pub cancels_receipt: i64,
    pub payments: Vec<Payment>,
    pub vat: Vec<VatTotal>,
    pub total: Cents,
    pub reason: String,
    /// The provider's answer (e.g. `canceltrx`), as received.
    pub provider: Option<serde_json::Value>,
    /// The TSE's signature of the cancellation, or why there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tse: Option<crate::tse::TseRecord>,
}

/// A payment whose outcome is not known yet.
#[derive(Debug, Clone, PartialEq)]
pub struct InDoubt {
    pub intent: PaymentIntent,
    pub since: String,
}

/// A cancellation whose reversal at the provider may have run.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingCancellation {
    pub sale_id: String,
    /// The receipt being cancelled.
    pub receipt_number: i64,
    pub reason: String,
    pub since: String,
}

/// The point up to which the chain was last verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifiedPoint {
    pub seq: i64,
    pub at: String,
    /// When the whole chain was last walked (RFC 3339).
    pub full_at: Option<String>,
}

/// A paid sale still to be registered with the provider.
#[derive(Debug, Clone, PartialEq)]
pub struct QueuedSale {
    pub sale_id: String,
    pub receipt_number: i64,
    pub intent: PaymentIntent,
    pub since: String,
}

/// What the cashier sees of the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxState {
    /// Sales waiting to be registered (not counting the refused ones).
    pub count: usize,
    /// When the oldest queued sale was paid.
    pub oldest: Option<String>,
    /// Sales the provider refused to register: they need the merchant.
    #[serde(default)]
    pub failed: Vec<RefusedSale>,
}

/// A sale paid offline that the provider refused to register, for good.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct RefusedSale {
    pub sale_id: String,
    pub receipt_number: i64,
    /// When it was paid.
    pub since: String,
    /// The provider's words.
    pub problem: String,
}

/// The cashier an entry names: who was logged in on the till when it was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct CashierRef {
    pub id: String,
    pub name: String,
}

/// An entry as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: i64,
    pub kind: String,
    pub sale_id: Option<String>,
    pub receipt_number: Option<i64>,
    pub created_at: String,
    pub body: serde_json::Value,
    pub hash: String,
    /// Who was logged in (`None` in entries written before the till knew cashiers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cashier: Option<CashierRef>,
}

/// What is wrong with the chain at the first entry where it does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakKind {
    /// The entry's content (or its totals) no longer matches its hash.
    Altered,
    /// Entries are missing before this one.
    Removed,
    /// This entry was put in between two that were written one after the other.
    Inserted,
}

/// The first entry whose chain does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainBreak {
    pub seq: i64,
    pub kind: BreakKind,
    pub reason: String,
}
