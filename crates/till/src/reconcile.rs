//! After a crash or a lost answer: every payment left in doubt is settled by
//! reading its smart transaction back, never by paying again.
//!
//! - paid → the sale is completed with the receipts read back;
//! - failed, aborted, cancelled → the sale failed;
//! - still running at the terminal → asked again later;
//! - never started (`created`): a cash sale completes (the cash is in the
//!   drawer) and its registration is queued; a card payment is aborted first,
//!   so that a request still on its way can no longer start it, and then
//!   settled by what the abort answers.

use secuconnect::TransactionStatus;
use serde::{Deserialize, Serialize};
use tracing::{info, instrument, warn};

use crate::checkout::{
    complete, outcome_of_status, Checkout, CheckoutError, CompletedSale, Outcome, Settled,
};
use crate::closing::PaymentMethod;

/// What a round of reconciliation did.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ReconcileReport {
    /// Sales completed, with their receipts (to print now).
    pub completed: Vec<CompletedSale>,
    pub failed: usize,
    /// Still in doubt: ask again later.
    pub pending: usize,
    /// Cancellations left under way, now settled (booked, or the sale stays paid).
    #[serde(default)]
    pub cancellations_settled: usize,
    /// Cancellations still not confirmed either way: ask again later.
    #[serde(default)]
    pub cancellations_pending: usize,
    /// TSE transactions of abandoned baskets found open and ended (`AVBelegabbruch`).
    #[serde(default)]
    pub tse_events_ended: usize,
}

impl Checkout<'_> {
    /// Settles every sale left in `paying`, oldest first. Call it at start-up
    /// and then now and then while `pending` is not zero.
    #[instrument(skip_all)]
    pub async fn reconcile(&self) -> Result<ReconcileReport, CheckoutError> {
        let in_doubt: Vec<_> = {
            let journal = self.journal();
            journal
                .in_doubt()?
                .into_iter()
                // A sale whose payment call is still running is answered by that call.
                .filter(|d| !journal.payment_running(&d.intent.sale_id))
                .collect()
        };
        let mut report = ReconcileReport::default();
        for d in in_doubt {
            match self.settle(&d.intent.sale_id).await? {
                Settled::Paid(sale) => report.completed.push(*sale),
                Settled::Failed(_) => report.failed += 1,
                Settled::Pending => report.pending += 1,
            }
        }
        (report.cancellations_settled, report.cancellations_pending) =
            self.settle_cancellations().await?;
        // Business events a crash or a closed app left open at the TSE.
        report.tse_events_ended = self.finish_left_open().await?;
        if report.completed.len()
            + report.failed
            + report.pending
            + report.cancellations_settled
            + report.cancellations_pending
            + report.tse_events_ended
            > 0
        {
            info!(
                completed = report.completed.len(),
                failed = report.failed,
                pending = report.pending,
                cancellations = report.cancellations_settled,
                "payments in doubt reconciled"
            );
        }
        Ok(report)
    }

    /// Settles one sale in `paying` from what the provider says about it.
    pub(crate) async fn settle(&self, sale_id: &str) -> Result<Settled, CheckoutError> {
        let intent = self.journal().intent(sale_id)?;
        let own_cash = intent.method == PaymentMethod::Cash && intent.basket.card.is_none();
        let tse_receipt = crate::tse::sale_receipt(&intent);
        let Some(stx_id) = intent.transaction_id.clone() else {
            // Paid offline: the cash is in the drawer.
            let tse = self.tse_settle(sale_id, &tse_receipt).await;
            return Ok(Settled::Paid(Box::new(
                self.complete_locally(sale_id, tse)?,
            )));
        };
        let stx = match self.client.get_transaction(&stx_id).await {
            Ok(stx) => stx,
            Err(e) => {
                warn!(error = %e, stx = %stx_id, "cannot read the payment back yet");
                return Ok(Settled::Pending);
            }
        };
        let never_started = stx.status == TransactionStatus::Created;
        match outcome_of_status(stx) {
            Outcome::Unknown if never_started && own_cash => {
                let tse = self.tse_settle(sale_id, &tse_receipt).await;
                Ok(Settled::Paid(Box::new(
                    self.complete_locally(sale_id, tse)?,
                )))
            }
            Outcome::Unknown if never_started => {
                match self.client.abort_transaction(&stx_id).await {
                    Ok(stx) => {
                        self.record(sale_id, outcome_of_status(stx), &tse_receipt)
                            .await
                    }
                    Err(e) => {
                        warn!(error = %e, stx = %stx_id, "could not abort the payment that never started");
                        Ok(Settled::Pending)
                    }
                }
            }
            outcome => self.record(sale_id, outcome, &tse_receipt).await,
        }
    }

    /// The TSE transaction of a sale settled later (its id is the sale's):
    /// started again (a repeat of a start the TSE has is answered as before)
    /// and finished; a finish the TSE signed before the crash is answered as
    /// signed then, never signed twice.
    async fn tse_settle(
        &self,
        sale_id: &str,
        receipt: &fiskaly::Receipt,
    ) -> Option<crate::tse::TseRecord> {
        let again = crate::tse::Started::No(fiskaly::Error::NotExecuted("settled later".into()));
        self.tse_finish(sale_id, Some(again), receipt).await
    }

    pub(crate) async fn record(
        &self,
        sale_id: &str,
        outcome: Outcome,
        tse_receipt: &fiskaly::Receipt,
    ) -> Result<Settled, CheckoutError> {
        match outcome {
            Outcome::Paid(stx) => {
                let tse = self.tse_settle(sale_id, tse_receipt).await;
                let sale = self.journal().record_paid(sale_id, |issue, intent| {
                    complete(&self.settings(), issue, intent, Some(&stx), false, tse)
                })?;
                info!(receipt = sale.receipt_number, "payment in doubt was paid");
                Ok(Settled::Paid(Box::new(sale)))
            }
            Outcome::NotPaid(status, provider) => {
                let started = Some(crate::tse::Started::Yes);
                self.tse_abort(sale_id, started, tse_receipt).await;
                self.journal()
                    .record_failed(sale_id, &status, provider.as_ref())?;
                info!(%status, "payment in doubt did not happen");
                Ok(Settled::Failed(status))
            }
            Outcome::NotSent(_) | Outcome::Unknown => Ok(Settled::Pending),
        }
    }
}
