//! Cancelling a paid sale: a counter-booking in the journal, after the
//! provider has reversed what it holds.
//!
//! - card payment: `canceltrx` by the terminal's receipt number, only before
//!   the terminal's end of day (refused once the sale is in a closing);
//! - a sale with a secucard: the smart transaction is cancelled, which gives
//!   the card back what it paid and takes a load back;
//! - cash: the counter-booking alone.

use secuconnect::CancellationToken;
use serde::{Deserialize, Serialize};
use tracing::{info, instrument, warn};

use crate::checkout::{Checkout, CheckoutError, JOURNAL_RECEIPT_WIDTH};
use crate::closing::PaymentMethod;
use crate::journal::JournalError;
use crate::money::Cents;
use crate::receipt_doc;
use crate::sale::SaleEvent;

/// A cancellation as the cashier sees it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CancelledSale {
    /// The cancellation's own receipt number.
    pub receipt_number: i64,
    pub cancels_receipt: i64,
    /// Negative: what goes back to the customer.
    pub total: Cents,
    pub provider: Option<serde_json::Value>,
    /// The cancellation receipt (negative amounts, naming the original).
    pub receipt_text: Option<String>,
}

impl Checkout<'_> {
    #[instrument(skip(self, cancel))]
    pub async fn cancel_sale(
        &self,
        receipt_number: i64,
        reason: &str,
        cancel: &CancellationToken,
    ) -> Result<CancelledSale, CheckoutError> {
        let record = self.journal().sale_by_receipt(receipt_number)?;
        // Refuse what the state machine refuses before touching the provider.
        record
            .state
            .apply(SaleEvent::Cancel)
            .map_err(|source| JournalError::Transition {
                sale_id: record.sale_id.clone(),
                source,
            })?;
        let card = record
            .paid
            .payments
            .iter()
            .find(|p| p.method == PaymentMethod::Card);
        let provider = if let Some(card) = card {
            if let Some(z) = record.closed_in {
                return Err(JournalError::ClosedIn(z).into());
            }
            let number = card.terminal_receipt.ok_or_else(|| {
                JournalError::Other("the card payment has no terminal receipt number".into())
            })?;
            match self.client.cancel_terminal_payment(number, cancel).await {
                Ok(stx) => Some(serde_json::to_value(&stx).unwrap_or_default()),
                Err(e) if e.outcome_unknown() => {
                    // Read the payment back: reversed or not.
                    let id = record.paid.transaction_id.as_deref().unwrap_or_default();
                    let stx = self.client.get_transaction(id).await?;
                    if !stx.status.is_cancelled() {
                        warn!(error = %e, "cancellation on the terminal not confirmed");
                        return Err(e.into());
                    }
                    Some(serde_json::to_value(&stx).unwrap_or_default())
                }
                Err(e) => return Err(e.into()),
            }
        } else if let (Some(_), Some(id)) =
            (&record.intent.basket.card, &record.paid.transaction_id)
        {
            let stx = self.client.cancel_transaction(id).await?;
            Some(serde_json::to_value(&stx).unwrap_or_default())
        } else {
            None
        };
        let (number, c) = self
            .journal()
            .record_cancellation(receipt_number, reason, provider)?;
        info!(receipt = number, cancels = receipt_number, "sale cancelled");
        let receipt_text = receipt_doc::rebuild(&record).map(|original| {
            let storno = receipt_doc::cancellation(&original, number as u64, chrono::Local::now());
            receipt::render_text(&storno, JOURNAL_RECEIPT_WIDTH)
        });
        Ok(CancelledSale {
            receipt_number: number,
            cancels_receipt: receipt_number,
            total: c.total,
            provider: c.provider,
            receipt_text,
        })
    }
}
