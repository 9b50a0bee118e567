//! Paying a sale: the provider's smart transaction, then the journal.

use std::sync::Mutex;

use receipt::{ProviderLine, Receipt, ShopHeader};
use secuconnect::{
    Basket as ApiBasket, BasketInfo, Client, Product, SmartTransaction, TransactionDraft,
    TransactionStatus,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tracing::{info, instrument, warn};
use uuid::Uuid;

use crate::basket::{Basket, BasketError};
use crate::journal::{EntryKind, Journal, JournalError, NewEntry};
use crate::money::Cents;
use crate::receipt_doc::{self, ReceiptInput};

/// Width of the receipt text kept in the journal.
const JOURNAL_RECEIPT_WIDTH: usize = 42;

/// Why a sale could not be paid. The sale stays open in every case.
#[derive(Debug, thiserror::Error)]
pub enum CheckoutError {
    #[error(transparent)]
    Basket(#[from] BasketError),
    #[error("the cash given ({given}) is less than the total ({total})")]
    NotEnoughCash { given: Cents, total: Cents },
    #[error(transparent)]
    Api(#[from] secuconnect::Error),
    #[error("the payment service did not confirm the payment (status {0})")]
    NotPaid(String),
    #[error(transparent)]
    Journal(#[from] JournalError),
}

/// A paid sale as the cashier sees it after "paid".
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CompletedSale {
    pub sale_id: String,
    pub receipt_number: u64,
    pub transaction_id: String,
    pub total: Cents,
    pub receipt: Receipt,
    pub receipt_text: String,
}

/// The till's settings a checkout needs.
pub struct Checkout<'a> {
    pub client: &'a Client,
    pub journal: &'a Mutex<Journal>,
    pub shop: &'a ShopHeader,
    pub till_id: &'a str,
    pub demo: bool,
}

impl Checkout<'_> {
    /// Pays a basket in cash: create the smart transaction, register the cash
    /// payment, then write sale, payment and receipt to the journal in one transaction.
    #[instrument(skip_all, fields(total = basket.total().0))]
    pub async fn pay_cash(
        &self,
        basket: &Basket,
        tendered: Option<Cents>,
    ) -> Result<CompletedSale, CheckoutError> {
        basket.validate()?;
        let total = basket.total();
        if let Some(given) = tendered {
            if given < total {
                return Err(CheckoutError::NotEnoughCash { given, total });
            }
        }
        let sale_id = Uuid::new_v4().to_string();
        let draft = draft_for(basket, &sale_id, self.demo);
        let created = self.client.create_transaction(&draft).await?;
        info!(stx = %created.id, "smart transaction created");
        let paid = self.client.start_cash(&created.id).await?;
        if paid.status != TransactionStatus::Ok {
            warn!(stx = %paid.id, status = paid.status.as_str(), "cash payment not confirmed");
            return Err(CheckoutError::NotPaid(paid.status.as_str().to_string()));
        }
        let sale = self.record(basket, &sale_id, tendered, &paid)?;
        info!(receipt = sale.receipt_number, "sale paid and journaled");
        Ok(sale)
    }

    fn record(
        &self,
        basket: &Basket,
        sale_id: &str,
        tendered: Option<Cents>,
        paid: &SmartTransaction,
    ) -> Result<CompletedSale, CheckoutError> {
        let total = basket.total();
        let payment = receipt_doc::cash_payment(total, tendered);
        let provider_lines: Vec<ProviderLine> = paid
            .receipt
            .iter()
            .map(|l| ProviderLine {
                kind: l.kind.clone(),
                value: l.value.clone(),
            })
            .collect();
        let mut journal = self.journal.lock().unwrap_or_else(|e| e.into_inner());
        let sale = journal.append_sale(|receipt_number| {
            let receipt = receipt_doc::build(ReceiptInput {
                shop: self.shop,
                till_id: self.till_id,
                receipt_number,
                issued_at: chrono::Local::now(),
                basket,
                payments: vec![payment.clone()],
                transaction_id: Some(&paid.id),
                provider_lines,
                demo: self.demo,
            });
            let receipt_text = receipt::render_text(&receipt, JOURNAL_RECEIPT_WIDTH);
            let entries = vec![
                NewEntry {
                    kind: EntryKind::Sale,
                    sale_id: Some(sale_id.to_string()),
                    receipt_number: Some(receipt_number),
                    body: json!({
                        "transaction_id": paid.id,
                        "trans_id": paid.trans_id,
                        "total": total.0,
                        "lines": basket.lines,
                        "vat": basket.vat_totals(),
                        "demo": self.demo,
                    }),
                },
                NewEntry {
                    kind: EntryKind::Payment,
                    sale_id: Some(sale_id.to_string()),
                    receipt_number: None,
                    body: json!({
                        "method": "cash",
                        "amount": total.0,
                        "tendered": tendered.map(|t| t.0),
                        "change": payment.change_cents,
                    }),
                },
                NewEntry {
                    kind: EntryKind::CustomerReceipt,
                    sale_id: Some(sale_id.to_string()),
                    receipt_number: None,
                    body: json!({
                        "document": receipt,
                        "text": receipt_text,
                        "provider": paid.receipt,
                    }),
                },
            ];
            let sale = CompletedSale {
                sale_id: sale_id.to_string(),
                receipt_number,
                transaction_id: paid.id.clone(),
                total,
                receipt,
                receipt_text,
            };
            (entries, sale)
        })?;
        Ok(sale)
    }
}

/// The create body the guides show: basket, `basket_info`, our sale id as `transactionRef`.
fn draft_for(basket: &Basket, sale_id: &str, demo: bool) -> TransactionDraft {
    let products = basket
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| Product {
            id: Some(i as i64 + 1),
            parent: None,
            item_type: Some("article".into()),
            desc: Some(l.text.clone()),
            article_number: l.article_number.clone(),
            ean: l.ean.clone(),
            quantity: l.quantity,
            price_one: l.unit_price.0,
            tax: i64::from(l.vat.percent()),
            ..Product::default()
        })
        .collect();
    TransactionDraft {
        is_demo: Some(demo),
        intent: Some("sale".into()),
        basket: Some(ApiBasket {
            products,
            ..ApiBasket::default()
        }),
        basket_info: Some(BasketInfo::eur(basket.total().0)),
        transaction_ref: Some(sale_id.to_string()),
        ..TransactionDraft::default()
    }
}
