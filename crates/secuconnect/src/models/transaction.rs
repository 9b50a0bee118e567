//! Smart transactions: the basket, its sum, the cards on it and the answers.

use super::codec::model;
use super::{open_enum, Customer, Extra, Ident, ObjectRef, ReceiptLine, Timestamp};

open_enum! {
    /// The status of a smart transaction: an open set, since the provider adds values.
    pub enum TransactionStatus {
        Created = "created",
        Processing = "processing",
        Approved = "approved",
        Pending = "pending",
        /// Paid (after `start/cash` or `start/cashless`).
        Ok = "ok",
        Received = "received",
        Shipped = "shipped",
        Collection = "collection",
        Collected = "collected",
        /// Failed, aborted or timed out at the terminal.
        Failed = "failed",
        Cancelled = "cancelled",
        /// The spelling older clients see; kept apart so that it re-encodes as received.
        Canceled = "canceled",
        Finished = "finished",
        Aborted = "aborted",
        Timeout = "timeout",
    }
}

impl TransactionStatus {
    /// The payment went through.
    pub fn is_paid(&self) -> bool {
        *self == Self::Ok
    }

    /// Either spelling of "cancelled".
    pub fn is_cancelled(&self) -> bool {
        matches!(self, Self::Cancelled | Self::Canceled)
    }

    /// The payment did not go through and will not any more.
    pub fn is_failed(&self) -> bool {
        matches!(self, Self::Failed | Self::Aborted | Self::Timeout)
    }
}

model! {
    /// One basket product. Amounts in cents (`priceOne` is the gross unit price);
    /// `tax` in percent.
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct Product {
        id: Option<i64> = "id",
        parent: Option<i64> = "parent",
        /// `article`, `coupon`, …
        item_type: Option<String> = "item_type",
        desc: Option<String> = "desc",
        /// A number in some answers, text in others: kept as text.
        article_number: Option<String> = "articleNumber" as StrOrNum,
        ean: Option<String> = "ean",
        serial_number: Option<String> = "serialNumber",
        quantity: i64 = "quantity",
        price_one: i64 = "priceOne",
        tax: i64 = "tax",
        sum: Option<i64> = "sum",
        reference_id: Option<String> = "reference_id",
        contract_id: Option<String> = "contract_id",
    }
}

model! {
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct Basket {
        products: Vec<Product> = "products",
        /// `default`, …
        kind: Option<String> = "type",
    }
}

model! {
    /// The amount to pay, in cents; must equal the basket total.
    #[derive(Debug, Clone, PartialEq)]
    pub struct BasketInfo {
        sum: i64 = "sum" as Req,
        currency: String = "currency" as Req,
        gratuity: Option<i64> = "gratuity",
        /// Set by `preTransaction`: what is left to pay after the card credit.
        missing_sum: Option<i64> = "missing_sum",
    }
}

impl BasketInfo {
    pub fn eur(sum: i64) -> Self {
        Self {
            sum,
            currency: "EUR".into(),
            gratuity: None,
            missing_sum: None,
            extra: Extra::new(),
        }
    }
}

model! {
    /// What the till sends to create or update a smart transaction.
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct TransactionDraft {
        is_demo: Option<bool> = "is_demo",
        /// `sale` or `order`.
        intent: Option<String> = "intent",
        contract: Option<ObjectRef> = "contract",
        device_source: Option<ObjectRef> = "device_source",
        customer: Option<Customer> = "customer",
        basket: Option<Basket> = "basket",
        basket_info: Option<BasketInfo> = "basket_info",
        idents: Vec<Ident> = "idents",
        merchant_ref: Option<String> = "merchantRef",
        /// Our own sale id: lets a sale registered twice be recognised.
        transaction_ref: Option<String> = "transactionRef",
        /// Asks for Smart Checkout: the answer then carries `payment_links`.
        application_context: Option<ApplicationContext> = "application_context",
    }
}

model! {
    /// How Smart Checkout looks for a transaction (guide 01).
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct ApplicationContext {
        /// The shop's checkout template (`COT_…`).
        checkout_template: Option<String> = "checkout_template",
        /// The page's language, `de` or `en`.
        language: Option<String> = "language",
    }
}

model! {
    /// Links to the provider's hosted checkout, one per payment method.
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct PaymentLinks {
        general: Option<String> = "general",
        creditcard: Option<String> = "creditcard",
        debit: Option<String> = "debit",
        eps: Option<String> = "eps",
        giropay: Option<String> = "giropay",
        invoice: Option<String> = "invoice",
        paypal: Option<String> = "paypal",
        prepaid: Option<String> = "prepaid",
        sofort: Option<String> = "sofort",
    }
}

model! {
    /// A smart transaction as the provider answers it (`STX_…`); also the answer
    /// of the terminal's end of day and diagnosis.
    #[derive(Debug, Clone, PartialEq)]
    pub struct SmartTransaction {
        object: Option<String> = "object",
        id: String = "id" as Req,
        merchant: Option<ObjectRef> = "merchant",
        contract: Option<ObjectRef> = "contract",
        device_source: Option<ObjectRef> = "device_source",
        device_destination: Option<ObjectRef> = "device_destination",
        customer: Option<Customer> = "customer",
        created: Option<Timestamp> = "created",
        updated: Option<Timestamp> = "updated",
        status: TransactionStatus = "status" as Req,
        intent: Option<String> = "intent",
        is_demo: Option<bool> = "is_demo",
        merchant_ref: Option<String> = "merchantRef",
        transaction_ref: Option<String> = "transactionRef",
        basket: Option<Basket> = "basket",
        basket_info: Option<BasketInfo> = "basket_info",
        idents: Vec<Ident> = "idents",
        /// e.g. the `loyalty.transactions` (`LTX_…`) a payment made.
        transactions: Vec<ObjectRef> = "transactions",
        /// The customer receipt (account data masked).
        receipt: Vec<ReceiptLine> = "receipt",
        /// The merchant receipt: keep it, show it on demand, have it signed where it says so.
        receipt_merchant: Vec<ReceiptLine> = "receipt_merchant",
        receipt_merchant_print: Option<bool> = "receipt_merchant_print",
        /// Needed to cancel a terminal payment (`canceltrx`).
        receipt_number: Option<i64> = "receipt_number",
        /// `cash`, `cashless`, …
        payment_method: Option<String> = "payment_method",
        trans_id: Option<String> = "trans_id" as StrOrNum,
        payment_links: Option<PaymentLinks> = "payment_links",
        application_context: Option<ApplicationContext> = "application_context",
    }
}

impl SmartTransaction {
    /// The Smart Checkout page offering every method (`payment_links.general`).
    pub fn checkout_link(&self) -> Option<&str> {
        self.payment_links.as_ref()?.general.as_deref()
    }
}

model! {
    /// The answer of `preTransaction`: what is left to pay, and the bonus
    /// products the card credit added to the basket.
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct PreTransaction {
        missing_sum: Option<i64> = "missing_sum",
        bonus_products: Vec<Product> = "bonus_products",
    }
}

model! {
    /// A page of smart transactions (`{count, data[]}`).
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct TransactionList {
        /// All matches, not just this page.
        count: Option<i64> = "count",
        data: Vec<SmartTransaction> = "data",
    }
}

/// Query of the list call (`GET /Smart/Transactions?q=&count=&offset=&sort=`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// e.g. `transactionRef:"sale-42"` or `status:ok AND created:[2024-01-01 TO *]`.
    pub q: Option<String>,
    pub count: Option<u32>,
    pub offset: Option<u32>,
    /// e.g. `created:desc`.
    pub sort: Option<String>,
}

impl ListQuery {
    pub(crate) fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(q) = &self.q {
            out.push(("q", q.clone()));
        }
        if let Some(c) = self.count {
            out.push(("count", c.to_string()));
        }
        if let Some(o) = self.offset {
            out.push(("offset", o.to_string()));
        }
        if let Some(s) = &self.sort {
            out.push(("sort", s.clone()));
        }
        out
    }
}
