//! The status bar: online/offline, the outbox, a payment in doubt, the printer.

use serde::Serialize;
use tauri::State;
use tracing::instrument;

use crate::error::CommandError;
use crate::printing::Printing;
use crate::state::AppState;
use till::journal::RefusedSale;
use till::CheckoutError;

#[derive(Debug, Serialize)]
pub struct PrinterStatus {
    pub state: &'static str,
    pub name: Option<String>,
    pub message: Option<String>,
    /// Receipts whose automatic print failed (`unprinted`) and those to offer
    /// now that the printer is back (`offered`).
    #[serde(flatten)]
    pub missed: receipt::MissedReceipts,
}

#[derive(Debug, Serialize)]
pub struct TillStatus {
    /// The payment service answered the last round (reachability only: a
    /// sale it refused does not make the till offline).
    pub online: bool,
    pub environment: &'static str,
    pub demo: bool,
    pub outbox_pending: usize,
    /// Sales paid offline that the payment service refused for good.
    pub outbox_failed: usize,
    /// Those sales with the payment service's words, oldest first.
    pub outbox_failed_sales: Vec<RefusedSale>,
    pub last_sync: Option<String>,
    pub printer: PrinterStatus,
    pub pending_card_payment: bool,
    /// The journal's hash chain does not hold (the first break, in words):
    /// selling goes on, support must look at the file.
    pub journal_problem: Option<String>,
}

/// Answers from what the background task last saw: no network call here.
#[tauri::command]
#[instrument(skip_all)]
pub async fn till_status(state: State<'_, AppState>) -> Result<TillStatus, CommandError> {
    status_of(&state)
}

/// Settles payments in doubt and sends the outbox once, then answers the status.
#[tauri::command]
#[instrument(skip_all)]
pub async fn sync_now(
    state: State<'_, AppState>,
    printing: State<'_, Printing>,
) -> Result<TillStatus, CommandError> {
    catch_up(&state, &printing).await;
    status_of(&state)
}

/// One round of catching up with the payment service; records whether it answered.
/// Skipped while a card payment runs (it holds `provider_work`). A sale it
/// completes (a payment left in doubt) gets its receipt printed now.
pub async fn catch_up(state: &AppState, printing: &Printing) {
    let Ok(_work) = state.provider_work.try_lock() else {
        return;
    };
    let online = match state.client.access_token().await {
        Err(e) if unreachable(&e) => {
            tracing::warn!(error = %e, "the payment service cannot be reached");
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
                    printing.after_sale(receipt::Document::receipt(sale.receipt), false);
                }
                // A sale refused or a 5xx is not being offline.
                !outbox.unreachable
            }
            Err(CheckoutError::Api(e)) if unreachable(&e) => false,
            Err(e) => {
                tracing::warn!(error = %e, "catching up with the payment service failed; retrying");
                true
            }
        },
    };
    state.set_link(online);
}

fn unreachable(e: &secuconnect::Error) -> bool {
    matches!(
        e,
        secuconnect::Error::NotExecuted(_) | secuconnect::Error::OutcomeUnknown(_)
    )
}

pub fn status_of(state: &AppState) -> Result<TillStatus, CommandError> {
    let (outbox, in_doubt) = {
        let journal = state.journal.lock().unwrap_or_else(|p| p.into_inner());
        (journal.outbox_state()?, journal.in_doubt()?)
    };
    let link = state.link();
    let pending_card_payment = !state.card_running()
        && in_doubt
            .iter()
            .any(|d| d.intent.method == till::PaymentMethod::Card);
    Ok(TillStatus {
        online: link.online,
        environment: crate::connection::environment_name(state.environment),
        demo: state.demo,
        outbox_pending: outbox.count,
        outbox_failed: outbox.failed.len(),
        outbox_failed_sales: outbox.failed,
        last_sync: link.last_sync,
        // The receipt printer as last seen (a background check and the print jobs keep it).
        printer: crate::printing::bar_status(),
        pending_card_payment,
        journal_problem: state
            .health
            .broken()
            .map(|b| format!("entry {}: {}", b.seq, b.reason)),
    })
}
