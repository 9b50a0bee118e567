//! The outbox: sales paid while the provider could not be reached are
//! registered with it when it is back, in the order they were paid.
//!
//! A sale the provider refuses for good (a 4xx that is not about the token
//! or the rate) does not hold up the others: it is journaled as refused and
//! waits for the merchant, with the provider's words. Anything else (the
//! provider unreachable, a 5xx, a lost answer) stops the round, so that
//! sales reach the provider in the order they were paid.
//!
//! Registering is idempotent: our sale id travels as `transactionRef`, so a
//! sale whose create did arrive (answer lost) is found and not created again,
//! and a transaction already paid is only recorded. A transaction that can no
//! longer be started (cancelled or failed at the provider) is replaced by a
//! fresh one for the same sale; a sale the provider still will not confirm
//! is set aside with its words, and the round goes on.

use secuconnect::{ListQuery, SmartTransaction, TransactionStatus};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tracing::{info, instrument, warn};

use crate::checkout::{draft_for, Checkout, CheckoutError};
use crate::journal::QueuedSale;
use crate::reconcile::ReconcileReport;

/// What a round of the outbox did.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OutboxReport {
    pub registered: usize,
    /// Still queued (the first of them could not be registered now).
    pub remaining: usize,
    /// Why the round stopped early, for the log and the status line.
    pub stopped: Option<String>,
    /// It stopped because the provider could not be reached.
    #[serde(default)]
    pub unreachable: bool,
    /// Refused by the provider for good in this round: they now wait for the merchant.
    #[serde(default)]
    pub refused: usize,
}

/// A refusal that trying again will not change: a 4xx other than a refused
/// token (401, 403), a request timeout (408) or too many requests (429).
fn refused_for_good(e: &CheckoutError) -> Option<(String, Option<serde_json::Value>)> {
    match e {
        CheckoutError::Api(secuconnect::Error::Api { status, body })
            if (400..500).contains(status) && ![401, 403, 408, 429].contains(status) =>
        {
            let words = body
                .error_user
                .as_deref()
                .or(body.error_details.as_deref())
                .or(body.error.as_deref())
                .unwrap_or("no details");
            Some((
                format!("refused by the payment service (HTTP {status}): {words}"),
                serde_json::to_value(body).ok(),
            ))
        }
        // Tried as it is (and afresh where it could no longer be started):
        // asking again will not change the answer.
        CheckoutError::NotPaid(status) => Some((
            format!("the payment service did not confirm the payment (status {status})"),
            None,
        )),
        _ => None,
    }
}

impl Checkout<'_> {
    /// Registers queued sales oldest first; stops at the first one that
    /// cannot be registered now, so that they stay in order. Run it now and
    /// then in the background while the outbox is not empty.
    #[instrument(skip_all)]
    pub async fn sync_outbox(&self) -> Result<OutboxReport, CheckoutError> {
        let queued = self.journal().outbox()?;
        let mut report = OutboxReport {
            remaining: queued.len(),
            ..OutboxReport::default()
        };
        for sale in queued {
            match self.register(&sale).await {
                Ok(()) => {
                    report.registered += 1;
                    report.remaining -= 1;
                }
                Err(e) => match refused_for_good(&e) {
                    Some((problem, provider)) => {
                        warn!(%problem, receipt = sale.receipt_number, "queued sale refused: needs the merchant");
                        self.journal().record_outbox_refused(
                            &sale.sale_id,
                            &problem,
                            provider.as_ref(),
                        )?;
                        report.refused += 1;
                        report.remaining -= 1;
                    }
                    None => {
                        warn!(error = %e, receipt = sale.receipt_number, "queued sale not registered yet");
                        report.unreachable =
                            matches!(&e, CheckoutError::Api(api) if api.unreachable());
                        report.stopped = Some(e.to_string());
                        break;
                    }
                },
            }
        }
        if report.registered > 0 {
            info!(
                registered = report.registered,
                remaining = report.remaining,
                "queued sales registered"
            );
        }
        Ok(report)
    }

    /// What the app's background task runs every few seconds (and once at
    /// start-up): settle payments in doubt, then register queued sales.
    pub async fn catch_up(&self) -> Result<(ReconcileReport, OutboxReport), CheckoutError> {
        let reconciled = self.reconcile().await?;
        let outbox = self.sync_outbox().await?;
        Ok((reconciled, outbox))
    }

    async fn register(&self, sale: &QueuedSale) -> Result<(), CheckoutError> {
        let known = match &sale.intent.transaction_id {
            Some(id) => Some(self.client.get_transaction(id).await?),
            None => self.find_by_ref(&sale.sale_id).await?,
        };
        let stx = match known {
            Some(stx) if !(stx.status.is_cancelled() || stx.status.is_failed()) => stx,
            stale => {
                if let Some(stx) = stale {
                    info!(stx = %stx.id, status = %stx.status.as_str(), receipt = sale.receipt_number,
                        "the queued sale's transaction can no longer be started: a fresh one carries it");
                }
                let draft = draft_for(&sale.intent.basket, &sale.sale_id, self.demo);
                self.client.create_transaction(&draft).await?
            }
        };
        let stx = if stx.status.is_paid() {
            stx
        } else if stx.status == TransactionStatus::Created {
            self.client.start_cash(&stx.id).await?
        } else {
            stx
        };
        if !stx.status.is_paid() {
            return Err(CheckoutError::NotPaid(stx.status.as_str().to_string()));
        }
        self.journal().record_registered(
            &sale.sale_id,
            &stx.id,
            &json!({"trans_id": stx.trans_id, "receipt": stx.receipt}),
        )?;
        Ok(())
    }

    /// The smart transaction created for our sale id, preferring a paid one.
    async fn find_by_ref(&self, sale_id: &str) -> Result<Option<SmartTransaction>, CheckoutError> {
        let list = self
            .client
            .list_transactions(&ListQuery {
                q: Some(format!("transactionRef:\"{sale_id}\"")),
                count: Some(10),
                ..ListQuery::default()
            })
            .await?;
        let mut found = list.data;
        found.retain(|s| s.transaction_ref.as_deref() == Some(sale_id));
        Ok(match found.iter().position(|s| s.status.is_paid()) {
            Some(i) => Some(found.swap_remove(i)),
            None => found
                .into_iter()
                .find(|s| s.status == TransactionStatus::Created),
        })
    }
}
