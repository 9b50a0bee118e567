//! Pay by QR code: start (the link, its QR code, the amount and when it
//! expires), wait for the outcome, abort; a late payment settled by catching
//! up; the settings of the checkout page.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tracing::instrument;
use ts_rs::TS;

use crate::error::{CommandError, ErrorCode};
use crate::qr::{self, QrPaymentResult, QrPaymentStarted, QrSettings, KEY_QR};
use crate::settings::{Language, KEY_LANGUAGE};
use crate::state::AppState;
use till::{Basket, CheckoutError};

/// Whether pay by QR code can be offered now: it needs the payment service.
#[derive(Debug, Clone, Serialize, TS)]
pub struct QrAvailability {
    pub available: bool,
}

/// The settings of pay by QR code (defaults until saved).
pub fn qr_settings(state: &AppState) -> QrSettings {
    state.settings.section(KEY_QR, &mut Vec::new())
}

pub async fn get_qr_settings(state: &AppState) -> Result<QrSettings, CommandError> {
    Ok(qr_settings(state))
}

/// Saves them once checked (a manager's right, like every setting).
pub async fn save_qr_settings(
    state: &AppState,
    settings: QrSettings,
    manager_pin: Option<String>,
) -> Result<QrSettings, CommandError> {
    crate::cashier::may_change_settings(state, manager_pin.as_deref())?;
    let settings = settings.validated()?;
    state.settings.put(KEY_QR, &settings)?;
    Ok(settings)
}

/// Offered only while the payment service answers, and never in offline mode.
pub async fn qr_available(state: &AppState) -> Result<QrAvailability, CommandError> {
    Ok(QrAvailability {
        available: state.link().online,
    })
}

/// Starts a QR payment of the basket: the smart transaction with the
/// checkout page's context, the intent journaled, then the link. The till
/// follows the payment from here on its own; `wait_qr_payment` answers how it ended.
#[instrument(skip_all)]
pub async fn start_qr_payment(
    state: &Arc<AppState>,
    basket: Basket,
) -> Result<QrPaymentStarted, CommandError> {
    crate::cashier::on_duty(state)?;
    if state.qr.is_running() {
        return Err(CommandError::new(
            ErrorCode::QrBusy,
            "A payment by QR code is already waiting for the customer.",
        ));
    }
    if !state.link().online {
        return Err(CheckoutError::QrOffline.into());
    }
    let settings = qr_settings(state).validated()?;
    let language: Language = state.settings.section(KEY_LANGUAGE, &mut Vec::new());
    let basket = basket.clean();
    // Never while a card payment runs or catching up settles open sales.
    let started = {
        let _work = state.provider_work.lock().await;
        state
            .checkout()
            .start_qr(&basket, settings.context(language))
            .await
    };
    let started = match started {
        Ok(s) => s,
        Err(e @ CheckoutError::QrOffline) => {
            state.set_link(false);
            return Err(e.into());
        }
        Err(e) => return Err(e.into()),
    };
    state.set_link(true);
    let timeout = Duration::from_secs(settings.timeout_secs);
    let expires_at = chrono::Local::now()
        + chrono::Duration::seconds(i64::try_from(settings.timeout_secs).unwrap_or(i64::MAX));
    let answer = QrPaymentStarted {
        qr_svg: receipt::qr::svg(&started.link).unwrap_or_default(),
        sale_id: started.sale_id.clone(),
        link: started.link,
        amount_cents: started.total.0,
        expires_at: expires_at.to_rfc3339(),
        timeout_secs: settings.timeout_secs,
    };
    // Large on the customer display, for the customer's phone.
    if let Err(e) = state.display.show_qr(
        &answer.link,
        till::Cents(answer.amount_cents),
        &answer.expires_at,
    ) {
        tracing::warn!(error = %e.message, "the payment link cannot be shown on the customer display");
    }
    let abort = CancellationToken::new();
    let (tx, rx) = watch::channel(None);
    state.qr.set(answer.clone(), abort.clone(), rx);
    tokio::spawn(qr::follow(
        Arc::clone(state),
        started.sale_id,
        timeout,
        abort,
        tx,
    ));
    Ok(answer)
}

/// Waits until the QR payment last started has ended (paid, failed,
/// cancelled, aborted, timed out or left in doubt).
#[instrument(skip_all)]
pub async fn wait_qr_payment(state: &AppState) -> Result<QrPaymentResult, CommandError> {
    let Some(mut waiter) = state.qr.waiter() else {
        return Err(CommandError::new(
            ErrorCode::NotFound,
            "No payment by QR code was started.",
        ));
    };
    let stopped = || CommandError::new(ErrorCode::Journal, "The QR payment stopped.");
    let ended = waiter
        .wait_for(Option::is_some)
        .await
        .map_err(|_| stopped())?
        .clone();
    ended.ok_or_else(stopped)
}

/// The cashier aborts: the till aborts the transaction at the provider;
/// `wait_qr_payment` answers the real outcome (aborted, or paid if the
/// customer was faster).
pub async fn abort_qr_payment(
    state: &AppState,
) -> Result<super::card::AbortRequested, CommandError> {
    Ok(super::card::AbortRequested {
        requested: state.qr.request_abort(),
    })
}

/// A QR payment left in doubt, once catching up has settled it: paid (with
/// its receipt) or not; `null` while it is still open.
pub async fn check_qr_payment(state: &AppState) -> Result<Option<QrPaymentResult>, CommandError> {
    if let Some(sale) = state.qr.take_late() {
        return Ok(Some(QrPaymentResult {
            outcome: qr::QrOutcome::Paid,
            sale: Some(sale),
        }));
    }
    let Some(sale_id) = state.qr.last_sale_id() else {
        return Ok(None);
    };
    let outcome = match state.journal().sale_state(&sale_id)? {
        till::SaleState::Paying => return Ok(None),
        // Paid by the payment itself (its screen already showed it).
        till::SaleState::Paid | till::SaleState::Cancelling | till::SaleState::Cancelled => {
            qr::QrOutcome::Paid
        }
        _ => qr::QrOutcome::Failed,
    };
    Ok(Some(QrPaymentResult {
        outcome,
        sale: None,
    }))
}
