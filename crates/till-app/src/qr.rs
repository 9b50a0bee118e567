//! Pay by QR code in the app: its settings, the one QR payment that runs,
//! and the task that follows it at the provider until it ends.
//!
//! A till behind a shop's router gets no webhooks, so the till asks: every
//! [`POLL_EVERY`], backing off up to [`POLL_BACKOFF_MAX`] while the provider
//! cannot be read. The task runs on its own (a reloaded screen loses
//! nothing); the screen waits for its result.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};
use ts_rs::TS;

use crate::error::{CommandError, ErrorCode};
use crate::settings::Language;
use crate::state::AppState;
use till::checkout::Settled;
use till::CompletedSale;

/// The settings section of pay by QR.
pub const KEY_QR: &str = "qr";
/// How often the till asks the provider while the customer pays.
pub const POLL_EVERY: Duration = Duration::from_secs(1);
/// The longest pause between two questions while the provider cannot be read.
pub const POLL_BACKOFF_MAX: Duration = Duration::from_secs(5);
pub const TIMEOUT_DEFAULT_SECS: u64 = 180;
pub const TIMEOUT_MIN_SECS: u64 = 5;
pub const TIMEOUT_MAX_SECS: u64 = 900;

/// Pay by QR code (Einstellungen): the provider's checkout page and how long the till waits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct QrSettings {
    /// The shop's Smart Checkout template (`COT_…`); none: the provider's default.
    pub checkout_template: Option<String>,
    /// The checkout page's language; none: the till's own.
    pub language: Option<Language>,
    /// How long the till waits for the customer, in seconds.
    pub timeout_secs: u64,
}

impl Default for QrSettings {
    fn default() -> Self {
        Self {
            checkout_template: None,
            language: None,
            timeout_secs: TIMEOUT_DEFAULT_SECS,
        }
    }
}

impl QrSettings {
    /// Checked, with an empty template as none.
    pub fn validated(mut self) -> Result<Self, CommandError> {
        self.checkout_template = self
            .checkout_template
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty());
        if let Some(t) = &self.checkout_template {
            let well_formed = t.strip_prefix("COT_").is_some_and(|rest| {
                (20..=40).contains(&rest.len())
                    && rest
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            });
            if !well_formed {
                return Err(CommandError::new(
                    ErrorCode::QrTemplate,
                    format!("The checkout template \"{t}\" is not a template id: it reads COT_ and then capital letters and digits (e.g. COT_WD0DE66HN2XWJHW8JM88003YG0NEA2), as the provider shows it."),
                ));
            }
        }
        if !(TIMEOUT_MIN_SECS..=TIMEOUT_MAX_SECS).contains(&self.timeout_secs) {
            return Err(CommandError::new(
                ErrorCode::QrTimeout,
                format!(
                    "The time the customer has to pay must be between {TIMEOUT_MIN_SECS} and {TIMEOUT_MAX_SECS} seconds, not {}.",
                    self.timeout_secs
                ),
            ));
        }
        Ok(self)
    }

    /// The `application_context` of the transaction.
    pub fn context(&self, till_language: Language) -> secuconnect::ApplicationContext {
        let language = match self.language.unwrap_or(till_language) {
            Language::De => "de",
            Language::En => "en",
        };
        secuconnect::ApplicationContext {
            checkout_template: self.checkout_template.clone(),
            language: Some(language.into()),
            ..Default::default()
        }
    }
}

/// How a QR payment ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum QrOutcome {
    Paid,
    /// The payment failed on the provider's page.
    Failed,
    /// The customer cancelled on the page.
    Cancelled,
    /// The cashier aborted; the transaction is aborted at the provider.
    Aborted,
    /// Nobody paid in time; the transaction is aborted at the provider.
    TimedOut,
    /// A payment was under way when the till stopped waiting (or the
    /// provider could not be asked): catching up settles it. Do not take
    /// the payment again.
    InDoubt,
}

/// The answer the QR screen waits for.
#[derive(Debug, Clone, Serialize, TS)]
pub struct QrPaymentResult {
    pub outcome: QrOutcome,
    /// The paid sale with its receipt.
    pub sale: Option<CompletedSale>,
}

/// What starting a QR payment shows: on the cashier's screen and, at the
/// merge with the customer display, there.
#[derive(Debug, Clone, Serialize, TS)]
pub struct QrPaymentStarted {
    pub sale_id: String,
    /// `payment_links.general`, the address the QR code carries.
    pub link: String,
    pub amount_cents: i64,
    /// ISO 8601: when the till stops waiting and aborts the payment.
    pub expires_at: String,
    pub timeout_secs: u64,
    /// The QR code of `link` as SVG.
    pub qr_svg: String,
}

/// The running QR payment.
struct Running {
    started: QrPaymentStarted,
    abort: CancellationToken,
    result: watch::Receiver<Option<QrPaymentResult>>,
}

/// The app's QR payments: the one running, and a late one catching up settled.
#[derive(Default)]
pub struct QrPayments {
    running: Mutex<Option<Running>>,
    /// A QR payment settled by catching up after the till stopped waiting.
    late: Mutex<Option<CompletedSale>>,
}

impl QrPayments {
    /// The running payment (for the customer display), while one runs.
    pub fn current(&self) -> Option<QrPaymentStarted> {
        let running = lock(&self.running);
        running
            .as_ref()
            .filter(|r| r.result.borrow().is_none())
            .map(|r| r.started.clone())
    }

    /// The sale of the QR payment last started.
    pub(crate) fn last_sale_id(&self) -> Option<String> {
        lock(&self.running)
            .as_ref()
            .map(|r| r.started.sale_id.clone())
    }

    pub(crate) fn is_running(&self) -> bool {
        self.current().is_some()
    }

    pub(crate) fn set(
        &self,
        started: QrPaymentStarted,
        abort: CancellationToken,
        result: watch::Receiver<Option<QrPaymentResult>>,
    ) {
        *lock(&self.running) = Some(Running {
            started,
            abort,
            result,
        });
    }

    /// The wait of the payment last started (`None`: none was started).
    pub(crate) fn waiter(&self) -> Option<watch::Receiver<Option<QrPaymentResult>>> {
        lock(&self.running).as_ref().map(|r| r.result.clone())
    }

    /// Asks the following task to stop and abort; `false` when nothing runs.
    pub(crate) fn request_abort(&self) -> bool {
        match lock(&self.running).as_ref() {
            Some(r) if r.result.borrow().is_none() => {
                r.abort.cancel();
                true
            }
            _ => false,
        }
    }

    /// Keeps a QR sale that catching up settled, for the screen to tell the cashier.
    pub fn remember_late(&self, sale: &CompletedSale) {
        *lock(&self.late) = Some(sale.clone());
    }

    pub fn take_late(&self) -> Option<CompletedSale> {
        lock(&self.late).take()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Follows the QR payment `sale_id` until it ends, the cashier aborts
/// (`abort`) or `timeout` passes; then the sale is left to catching up
/// (if still open) and the result is published.
pub(crate) async fn follow(
    state: Arc<AppState>,
    sale_id: String,
    timeout: Duration,
    abort: CancellationToken,
    result: watch::Sender<Option<QrPaymentResult>>,
) {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut pause = POLL_EVERY;
    let answer = loop {
        tokio::select! {
            _ = abort.cancelled() => break stop(&state, &sale_id, QrOutcome::Aborted).await,
            _ = tokio::time::sleep_until(deadline) => break stop(&state, &sale_id, QrOutcome::TimedOut).await,
            _ = tokio::time::sleep(pause) => {}
        }
        match state.checkout().poll_qr(&sale_id).await {
            Ok(Settled::Pending) => {
                state.set_link(true);
                pause = POLL_EVERY;
            }
            Ok(settled) => {
                state.set_link(true);
                break ended(settled, None);
            }
            Err(e) => {
                if let till::CheckoutError::Api(api) = &e {
                    state.set_link(!api.unreachable());
                }
                pause = (pause * 2).min(POLL_BACKOFF_MAX);
                warn!(error = %e, ?pause, "the QR payment cannot be read now; asking again");
            }
        }
    };
    state.checkout().qr_returned(&sale_id);
    if let Some(sale) = &answer.sale {
        state
            .printing
            .after_sale(receipt::Document::receipt(sale.receipt.clone()), false);
    }
    info!(outcome = ?answer.outcome, "QR payment ended");
    // The customer display: thanks and the receipt's total, or back to the basket.
    state.display.clear_qr();
    crate::commands::customer_display::payment_ended(&state, answer.sale.as_ref());
    let _ = result.send(Some(answer));
}

/// The cashier aborted or the time is up: abort at the provider, and take what it says.
async fn stop(state: &AppState, sale_id: &str, why: QrOutcome) -> QrPaymentResult {
    match state.checkout().abort_qr(sale_id).await {
        Ok(settled) => ended(settled, Some(why)),
        Err(e) => {
            warn!(error = %e, "the QR payment could not be settled at its abort");
            QrPaymentResult {
                outcome: QrOutcome::InDoubt,
                sale: None,
            }
        }
    }
}

/// The result of a settled payment; `stopped`: why the till stopped waiting.
fn ended(settled: Settled, stopped: Option<QrOutcome>) -> QrPaymentResult {
    let (outcome, sale) = match settled {
        Settled::Paid(sale) => (QrOutcome::Paid, Some(*sale)),
        Settled::Pending => (QrOutcome::InDoubt, None),
        Settled::Failed(status) => {
            let outcome = stopped.unwrap_or(match status.as_str() {
                "aborted" | "cancelled" | "canceled" => QrOutcome::Cancelled,
                _ => QrOutcome::Failed,
            });
            (outcome, None)
        }
    };
    QrPaymentResult { outcome, sale }
}
