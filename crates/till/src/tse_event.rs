//! A business event's TSE transaction from the basket's first line to its
//! end (KassenSichV §2: the TSE records the start of the event), and the
//! TSE's outages in the journal.
//!
//! - The first line enters the basket ([`Checkout::basket_started`]): the
//!   start is journaled (`tse_start`), then the TSE starts the transaction.
//!   The app runs this beside the cashier's work: nothing waits for it.
//! - Paid: the payment takes the event's id as the sale's id
//!   ([`Checkout::claim_event_for_payment`]), and the transaction is finished as
//!   `Beleg` (`checkout.rs`).
//! - The basket cleared ([`Checkout::basket_cleared`]): finished as
//!   `AVBelegabbruch` and journaled (`tse_abort`). An event a payment has
//!   claimed is left to it: a clearing that overtook the payment is not the
//!   cashier's.
//! - Left open by a crash or a closed app ([`Checkout::finish_left_open`], at
//!   start and with every catching-up round): every journaled start without
//!   its end (`open_tse`) is read back at the TSE and finished as
//!   `AVBelegabbruch`, or journaled as the TSE finished it before.
//!   A cash sale's cancellation found open is journaled with what the TSE
//!   signs under its id (`cancellation.rs`), not aborted: the cashier
//!   cancelled it, and its id is the sale's for good.
//! - Outages ([`Checkout::journal_tse_outage`]): the first failure after
//!   working journals `tse_outage` (when, why), the first success after it
//!   `tse_outage_end`; both are entries of the chain.

use tracing::{info, warn};

use crate::basket::Basket;
use crate::checkout::{Checkout, CheckoutError};
use crate::journal::{AbortReason, TseAbort};
use crate::tse::{self, OpenEvent, Started, Tse};

/// A payment's sale id, and its claim on the basket's business event.
pub(crate) struct PaymentEvent<'t> {
    /// The TSE whose open event was claimed (none: a new id).
    tse: Option<&'t Tse>,
    pub sale_id: String,
}

impl Drop for PaymentEvent<'_> {
    fn drop(&mut self) {
        // Still open: the payment stopped before its intent was journaled
        // (`event_became_sale` ends the event otherwise).
        if let Some(t) = self.tse {
            if let Some(e) = lock(&t.basket).as_mut().filter(|e| e.id == self.sale_id) {
                e.paying = false;
            }
        }
    }
}

impl Checkout<'_> {
    /// The basket got its first line: journals the business event's start
    /// and starts its TSE transaction. Answers the event's id (`None`
    /// without a TSE). Called again while the basket is filled, it answers
    /// the same event.
    pub async fn basket_started(&self) -> Result<Option<String>, CheckoutError> {
        let Some(tse) = self.tse else {
            return Ok(None);
        };
        let tx_id = {
            let mut open = lock(&tse.basket);
            if let Some(event) = open.as_ref() {
                return Ok(Some(event.id.clone()));
            }
            // Journaled before the TSE is asked, so that no transaction the
            // TSE may have started is unknown to the journal.
            let id = tse::new_event_id();
            self.journal().record_tse_start(&id)?;
            *open = Some(OpenEvent {
                id: id.clone(),
                started: false,
                paying: false,
            });
            id
        };
        info!(
            tx_id,
            "TSE: business event started (first line in the basket)"
        );
        if let Started::Yes = tse.start(&tx_id).await {
            if let Some(event) = lock(&tse.basket).as_mut().filter(|e| e.id == tx_id) {
                event.started = true;
            }
        }
        self.journal_tse_outage();
        Ok(Some(tx_id))
    }

    /// The basket was cleared without a sale: its business event ends as
    /// `AVBelegabbruch`. Nothing to do when no event is open (the payment
    /// took it). A TSE that cannot finish it now leaves it to
    /// [`Checkout::finish_left_open`].
    pub async fn basket_cleared(&self) -> Result<(), CheckoutError> {
        self.basket_abandoned(None).await
    }

    /// [`Checkout::basket_cleared`], with the basket as it stood before it
    /// was cleared: journaled with the abort, so that the tax export shows
    /// the aborted receipt's lines and amounts. A basket that is not valid
    /// (nothing a cashier can have had on screen) is not kept.
    pub async fn basket_abandoned(&self, basket: Option<&Basket>) -> Result<(), CheckoutError> {
        let Some(tse) = self.tse else {
            return Ok(());
        };
        // An event a payment has taken is the payment's to end. The UI's
        // calls overtake each other: the clearing after one sale can arrive
        // when the next basket's payment is already under way.
        let Some(event) = lock(&tse.basket).take_if(|e| !e.paying) else {
            return Ok(());
        };
        let basket = basket
            .map(|b| b.clone().clean())
            .filter(|b| b.validate().is_ok());
        self.end_abandoned(
            tse,
            &event.id,
            AbortReason::BasketCleared,
            event.started,
            basket,
        )
        .await?;
        Ok(())
    }

    /// The sale id of a payment: the basket's business event, when one is
    /// open (its TSE transaction becomes the sale's), else a new one. The
    /// event is the payment's from here on; if the payment stops before its
    /// intent is journaled, dropping the claim hands it back to the basket.
    pub(crate) fn claim_event_for_payment(&self) -> PaymentEvent<'_> {
        let claimed = self.tse.and_then(|t| {
            lock(&t.basket).as_mut().map(|e| {
                e.paying = true;
                e.id.clone()
            })
        });
        PaymentEvent {
            tse: claimed.as_ref().and(self.tse),
            sale_id: claimed.unwrap_or_else(tse::new_event_id),
        }
    }

    /// The intent to pay `sale_id` is journaled: the basket's event is now
    /// the sale's, which ends it (as a sale or a failed payment).
    pub(crate) fn event_became_sale(&self, sale_id: &str) {
        if let Some(t) = self.tse {
            let mut open = lock(&t.basket);
            if open.as_ref().is_some_and(|e| e.id == sale_id) {
                *open = None;
            }
        }
    }

    /// Ends every business event a crash or a closed app left open (the
    /// basket on screen and payments in doubt aside: those end by their
    /// sale). Answers how many were ended; the rest is tried again next round.
    pub async fn finish_left_open(&self) -> Result<usize, CheckoutError> {
        let Some(tse) = self.tse else {
            return Ok(0);
        };
        let open = self.journal().open_tse()?;
        let current = lock(&tse.basket).as_ref().map(|e| e.id.clone());
        let mut ended = 0;
        for tx_id in open {
            if current.as_deref() == Some(tx_id.as_str()) || lock(&tse.in_flight).contains(&tx_id) {
                continue;
            }
            let paying = {
                let journal = self.journal();
                journal.payment_running(&tx_id) || journal.intent(&tx_id).is_ok()
            };
            if paying {
                continue;
            }
            let of = self.journal().tse_start_of(&tx_id)?;
            if let Some(receipt) = of.cancels_receipt {
                let reason = of.reason.unwrap_or_default();
                match self
                    .finish_cash_cancellation(tse, &tx_id, receipt, &reason)
                    .await?
                {
                    Some(true) => {
                        ended += 1;
                        continue;
                    }
                    Some(false) => break, // the TSE cannot sign now: next round
                    None => {}
                }
            }
            if self
                .end_abandoned(tse, &tx_id, AbortReason::LeftOpen, false, None)
                .await?
            {
                ended += 1;
            } else {
                break; // the TSE cannot be reached now: next round
            }
        }
        Ok(ended)
    }

    /// Finishes an abandoned event at the TSE and journals it; `false` when
    /// the TSE could not settle it now.
    async fn end_abandoned(
        &self,
        tse: &Tse,
        tx_id: &str,
        reason: AbortReason,
        started: bool,
        basket: Option<Basket>,
    ) -> Result<bool, CheckoutError> {
        let answer = tse
            .abort_event(tx_id, reason == AbortReason::LeftOpen, started)
            .await;
        self.journal_tse_outage();
        match answer {
            Ok(record) => {
                info!(
                    tx_id,
                    ?reason,
                    "TSE: business event aborted (AVBelegabbruch)"
                );
                crate::drill::point("after_tse_abort");
                self.journal().record_tse_abort(
                    tx_id,
                    &TseAbort {
                        reason,
                        tse: record,
                        basket,
                    },
                )?;
                Ok(true)
            }
            Err(e) => {
                warn!(tx_id, error = %e, "TSE: the abandoned event stays open; tried again later");
                Ok(false)
            }
        }
    }

    /// Journals an outage's start (the first failure after working) or its
    /// end (the first success after it). Best effort: a journal that cannot
    /// write now leaves it to the next step.
    pub(crate) fn journal_tse_outage(&self) {
        let Some(tse) = self.tse else {
            return;
        };
        let Some(health) = lock(&tse.health).clone() else {
            return;
        };
        let mut known = lock(&tse.outage_journaled);
        let mut journal = self.journal();
        let open = match *known {
            Some(open) => open,
            None => match journal.tse_outage_open() {
                Ok(open) => open,
                Err(e) => {
                    warn!(error = %e, "TSE outage: the journal cannot be read");
                    return;
                }
            },
        };
        let written = match (&health, open) {
            (Err(outage), false) => journal.record_tse_outage(Some(outage)).map(|_| true),
            (Ok(()), true) => journal.record_tse_outage(None).map(|_| false),
            _ => Ok(open),
        };
        match written {
            Ok(now_open) => *known = Some(now_open),
            Err(e) => {
                *known = Some(open);
                warn!(error = %e, "TSE outage: not journaled yet");
            }
        }
    }
}

pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
