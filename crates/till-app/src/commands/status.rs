//! The status bar: online/offline, the outbox, a payment in doubt, the printer.

use serde::Serialize;
use tracing::instrument;
use ts_rs::TS;

use crate::error::CommandError;
use crate::printing::PrinterStatus;
use crate::settings::Environment;
use crate::state::AppState;
use till::journal::RefusedSale;
use till::CheckoutError;

#[derive(Debug, Serialize, TS)]
pub struct TillStatus {
    /// The payment service answered the last round (reachability only: a
    /// sale it refused does not make the till offline).
    pub online: bool,
    pub environment: Environment,
    pub demo: bool,
    pub outbox_pending: usize,
    /// Sales paid offline that the payment service refused for good.
    pub outbox_failed: usize,
    /// Those sales with the payment service's words, oldest first.
    pub outbox_failed_sales: Vec<RefusedSale>,
    pub last_sync: Option<String>,
    pub printer: PrinterStatus,
    /// The TSE that signs the sales, as the last sale found it.
    pub tse: TseStatus,
    pub pending_card_payment: bool,
    /// The journal's hash chain does not hold (the first break, in words):
    /// selling goes on, support must look at the file.
    pub journal_problem: Option<String>,
}

/// The TSE in the status bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TseState {
    /// No TSE is set up (Settings → TSE): sales are not signed.
    None,
    /// Set up; no sale has been signed since the start.
    Unknown,
    /// The last sale was signed.
    Ready,
    /// The last sale could not be signed: its receipt says "TSE ausgefallen".
    Failed,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct TseStatus {
    pub state: TseState,
    /// The TSE's serial number, once a signature named it.
    pub serial: Option<String>,
    /// Why the last sale was not signed, in words.
    pub problem: Option<String>,
}

fn tse_status(state: &AppState) -> TseStatus {
    let Some(tse) = state.tse() else {
        return TseStatus {
            state: TseState::None,
            serial: None,
            problem: None,
        };
    };
    let seen = tse.seen();
    TseStatus {
        state: match seen.ok {
            None => TseState::Unknown,
            Some(true) => TseState::Ready,
            Some(false) => TseState::Failed,
        },
        serial: seen.tss_serial,
        problem: seen.problem,
    }
}

/// Answers from what the background task last saw: no network call here.
#[instrument(skip_all)]
pub async fn till_status(state: &AppState) -> Result<TillStatus, CommandError> {
    status_of(state)
}

/// Settles payments in doubt and sends the outbox once, then answers the status.
#[instrument(skip_all)]
pub async fn sync_now(state: &AppState) -> Result<TillStatus, CommandError> {
    catch_up(state).await;
    status_of(state)
}

/// One round of catching up with the payment service; records whether it answered.
/// Skipped while a card payment runs (it holds `provider_work`). A sale it
/// completes (a payment left in doubt) gets its receipt printed now.
pub async fn catch_up(state: &AppState) {
    let Ok(_work) = state.provider_work.try_lock() else {
        return;
    };
    let online = match state.client.access_token().await {
        Err(e) if e.unreachable() => {
            tracing::warn!(error = %e, "the payment service cannot be reached");
            // The TSE's clean-up does not need the payment service.
            if let Err(e) = state.checkout().finish_left_open().await {
                tracing::warn!(error = %e, "TSE events left open: not ended yet");
            }
            false
        }
        // It answered (e.g. refused the credentials): reachable.
        Err(e) => {
            tracing::warn!(error = %e, "the payment service refused the till's token request");
            true
        }
        Ok(_) => match state.checkout().catch_up().await {
            Ok((reconciled, outbox)) => {
                tracing::debug!(?reconciled, ?outbox, "caught up");
                for sale in reconciled.completed {
                    state.remember_settled(&sale);
                    // A QR payment that arrived after the till stopped waiting.
                    let by_qr = state
                        .journal()
                        .intent(&sale.sale_id)
                        .is_ok_and(|i| i.method == till::PaymentMethod::Qr);
                    if by_qr {
                        state.qr.remember_late(&sale);
                    }
                    state
                        .printing
                        .after_sale(receipt::Document::receipt(sale.receipt), false);
                }
                // A sale refused or a 5xx is not being offline.
                !outbox.unreachable
            }
            Err(CheckoutError::Api(e)) if e.unreachable() => false,
            Err(e) => {
                tracing::warn!(error = %e, "catching up with the payment service failed; retrying");
                true
            }
        },
    };
    state.set_link(online);
}

pub fn status_of(state: &AppState) -> Result<TillStatus, CommandError> {
    let (outbox, pending_card_payment) = {
        let journal = state.journal();
        let outbox = journal.outbox_state()?;
        // A card payment whose call has returned without an outcome (one
        // still running on the terminal is not "pending").
        let pending = journal.in_doubt()?.iter().any(|d| {
            d.intent.method == till::PaymentMethod::Card
                && !journal.payment_running(&d.intent.sale_id)
        });
        (outbox, pending)
    };
    let link = state.link();
    Ok(TillStatus {
        online: link.online,
        environment: state.environment,
        demo: state.demo,
        outbox_pending: outbox.count,
        outbox_failed: outbox.failed.len(),
        outbox_failed_sales: outbox.failed,
        last_sync: link.last_sync,
        // The receipt printer as last seen (a background check and the print jobs keep it).
        printer: state.printing.bar_status(),
        tse: tse_status(state),
        pending_card_payment,
        journal_problem: state
            .health
            .broken()
            .map(|b| format!("entry {}: {}", b.seq, b.reason)),
    })
}
