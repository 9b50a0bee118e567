//! Card payment on the terminal: pay, abort a running payment, check one in doubt.

use std::sync::atomic::Ordering;

use secuconnect::{CancellationToken, TransactionStatus};
use serde::Serialize;
use serde_json::Value;
use tracing::{info, instrument, warn};
use ts_rs::TS;

use crate::error::{CommandError, ErrorCode};
use crate::state::AppState;
use till::journal::kind;
use till::{Basket, CheckoutError, CompletedSale};

/// A sale as the UI's `CompletedSale` wants it, with the card-only fields.
#[derive(Debug, Serialize, TS)]
pub struct CardSale {
    #[serde(flatten)]
    pub sale: CompletedSale,
    pub has_merchant_receipt: bool,
    pub merchant_receipt_print: bool,
}

impl From<CompletedSale> for CardSale {
    fn from(sale: CompletedSale) -> Self {
        let has_merchant_receipt = sale.merchant_receipt_text.is_some();
        // The UI prints the merchant copy at once when the customer must sign it.
        let merchant_receipt_print = sale
            .merchant_receipt_text
            .as_deref()
            .is_some_and(receipt::asks_for_signature);
        Self {
            sale,
            has_merchant_receipt,
            merchant_receipt_print,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum CardOutcome {
    Paid,
    Declined,
    Aborted,
}

/// Declined and aborted are answers, not errors.
#[derive(Debug, Serialize, TS)]
pub struct CardPaymentResult {
    pub outcome: CardOutcome,
    pub message: Option<String>,
    pub sale: Option<CardSale>,
}

impl CardPaymentResult {
    fn paid(sale: CompletedSale) -> Self {
        Self {
            outcome: CardOutcome::Paid,
            message: None,
            sale: Some(sale.into()),
        }
    }
}

#[derive(Debug, Serialize, TS)]
pub struct AbortRequested {
    pub requested: bool,
}

/// Pays the basket on the terminal; blocks until the terminal has an outcome.
#[instrument(skip_all)]
pub async fn pay_card(state: &AppState, basket: Basket) -> Result<CardPaymentResult, CommandError> {
    crate::cashier::on_duty(state)?;
    let basket = basket.clean();
    state.display.paying();
    let result = pay_card_once(state, &basket).await;
    super::customer_display::payment_ended(state, paid_sale(&result));
    // The customer receipt is queued once the sale is in the journal.
    if let Ok(CardPaymentResult {
        sale: Some(paid), ..
    }) = &result
    {
        state
            .printing
            .after_sale(receipt::Document::receipt(paid.sale.receipt.clone()), false);
    }
    result
}

/// The sale a card payment's result carries, when it was paid.
pub(crate) fn paid_sale(
    result: &Result<CardPaymentResult, CommandError>,
) -> Option<&CompletedSale> {
    result.as_ref().ok()?.sale.as_ref().map(|s| &s.sale)
}

async fn pay_card_once(
    state: &AppState,
    basket: &Basket,
) -> Result<CardPaymentResult, CommandError> {
    // One terminal payment at a time, and never while catching up settles open sales.
    let Ok(_work) = state.provider_work.try_lock() else {
        if state.card_running() {
            return Err(CommandError::new(
                ErrorCode::TerminalBusy,
                "A card payment is already running on the terminal.",
            ));
        }
        // Catching up is short: wait for it.
        return pay_card_waiting(state, basket).await;
    };
    pay(state, basket).await
}

async fn pay_card_waiting(
    state: &AppState,
    basket: &Basket,
) -> Result<CardPaymentResult, CommandError> {
    let _work = state.provider_work.lock().await;
    pay(state, basket).await
}

async fn pay(state: &AppState, basket: &Basket) -> Result<CardPaymentResult, CommandError> {
    // Whatever catching up settled or the cashier aborted before belongs to an earlier screen.
    state.take_settled();
    state.abort_requested.store(false, Ordering::SeqCst);
    // The payment is stopped through the provider (abort_card_payment), never by
    // dropping the wait: that would leave it in doubt.
    let wait = CancellationToken::new();
    match state.checkout().pay_card(basket, &wait).await {
        Ok(sale) => {
            state.set_link(true);
            Ok(CardPaymentResult::paid(sale))
        }
        Err(CheckoutError::NotPaid(status)) => {
            state.set_link(true);
            let (outcome, message) = last_failure(state).unwrap_or((CardOutcome::Declined, None));
            info!(%status, ?outcome, "card payment not made");
            Ok(CardPaymentResult {
                outcome,
                message,
                sale: None,
            })
        }
        Err(e @ CheckoutError::CardOffline) => {
            state.set_link(false);
            Err(e.into())
        }
        Err(CheckoutError::InDoubt { .. }) => Err(CommandError::new(ErrorCode::OutcomeUnknown,
            "The payment service did not answer in time. Do not take the payment again; check the card payment first.",
        )),
        Err(e @ CheckoutError::Unjournaled { .. }) => {
            state.set_link(true);
            Err(e.into())
        }
        Err(e) => Err(e.into()),
    }
}

/// Whether the last failed payment was aborted or declined, and the terminal's words.
fn last_failure(state: &AppState) -> Option<(CardOutcome, Option<String>)> {
    let failed = {
        let journal = state.journal();
        journal.entries(Some(kind::FAILED)).ok()?.pop()?
    };
    let provider = &failed.body["provider"];
    let mut words = Vec::new();
    important_texts(provider, &mut words);
    let outcome = outcome_of(provider, state.take_abort_requested());
    Some((outcome, words.into_iter().next()))
}

/// Aborted or declined, from codes: the provider's status (`failed` covers
/// declined, aborted and timed out; `aborted` and the cancelled ones say it),
/// and whether the cashier asked the provider to abort this payment.
fn outcome_of(provider: &Value, abort_requested: bool) -> CardOutcome {
    let status = provider["status"].as_str().map(TransactionStatus::from);
    let aborted_by_provider =
        status.is_some_and(|s| s == TransactionStatus::Aborted || s.is_cancelled());
    if abort_requested || aborted_by_provider {
        CardOutcome::Aborted
    } else {
        CardOutcome::Declined
    }
}

/// The emphasised text lines of the provider's receipt (the terminal's verdict).
fn important_texts(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Array(items) => items.iter().for_each(|i| important_texts(i, out)),
        Value::Object(map) => {
            let important = map
                .get("decoration")
                .and_then(Value::as_array)
                .is_some_and(|d| d.iter().any(|x| x == "important"));
            if important {
                if let Some(text) = map.get("text").and_then(Value::as_str) {
                    out.push(text.to_string());
                }
            }
            map.values().for_each(|i| important_texts(i, out));
        }
        _ => {}
    }
}

/// Asks the provider to abort the running terminal payment; `pay_card` then
/// answers the real outcome (aborted, or paid if the customer was faster).
#[instrument(skip_all)]
pub async fn abort_card_payment(state: &AppState) -> Result<AbortRequested, CommandError> {
    if !state.card_running() {
        return Ok(AbortRequested { requested: false });
    }
    let running: Vec<String> = {
        let journal = state.journal();
        journal
            .in_doubt()?
            .into_iter()
            .filter(|d| d.intent.method == till::PaymentMethod::Card)
            .filter(|d| journal.payment_running(&d.intent.sale_id))
            .filter_map(|d| d.intent.transaction_id)
            .collect()
    };
    let Some(stx) = running.last() else {
        return Ok(AbortRequested { requested: false });
    };
    match state.client.abort_transaction(stx).await {
        Ok(_) => {
            state.abort_requested.store(true, Ordering::SeqCst);
            info!(%stx, "abort of the terminal payment requested");
            Ok(AbortRequested { requested: true })
        }
        Err(e) => {
            warn!(error = %e, "the terminal payment cannot be aborted now");
            Ok(AbortRequested { requested: false })
        }
    }
}

/// Reads a card payment in doubt back from the provider; `null` while it is still unknown.
#[instrument(skip_all)]
pub async fn check_card_payment(
    state: &AppState,
) -> Result<Option<CardPaymentResult>, CommandError> {
    if state.card_running() {
        return Ok(None);
    }
    let _work = state.provider_work.lock().await;
    let report = match state.checkout().reconcile().await {
        Ok(r) => r,
        Err(CheckoutError::Api(e)) if e.unreachable() => {
            state.set_link(false);
            return Err(e.into());
        }
        Err(e) => return Err(e.into()),
    };
    state.set_link(true);
    if report.pending > 0 {
        return Ok(None);
    }
    // Settled by catching up in the background before this check came.
    let earlier = state.take_settled();
    for sale in &report.completed {
        state
            .printing
            .after_sale(receipt::Document::receipt(sale.receipt.clone()), false);
    }
    if let Some(sale) = report.completed.into_iter().last().or(earlier) {
        super::customer_display::payment_ended(state, Some(&sale));
        return Ok(Some(CardPaymentResult::paid(sale)));
    }
    if report.failed > 0 {
        let (outcome, message) = last_failure(state).unwrap_or((CardOutcome::Declined, None));
        return Ok(Some(CardPaymentResult {
            outcome,
            message,
            sale: None,
        }));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aborted_and_declined_are_told_apart_by_codes_not_words() {
        let failed = serde_json::json!({"status": "failed", "receipt": [
            {"type": "textline", "value": {"text": "Abbruch durch Kunde", "decoration": ["important"]}}
        ]});
        assert_eq!(outcome_of(&failed, false), CardOutcome::Declined);
        assert_eq!(outcome_of(&failed, true), CardOutcome::Aborted);
        let aborted = serde_json::json!({"status": "aborted"});
        assert_eq!(outcome_of(&aborted, false), CardOutcome::Aborted);
        let cancelled = serde_json::json!({"status": "canceled"});
        assert_eq!(outcome_of(&cancelled, false), CardOutcome::Aborted);
        assert_eq!(
            outcome_of(&serde_json::json!({}), false),
            CardOutcome::Declined
        );
    }

    #[test]
    fn the_terminals_verdict_is_the_emphasised_line_of_its_receipt() {
        let provider = serde_json::json!({
            "status": "failed",
            "receipt": [
                {"type": "separator", "value": {"caption": "Kartenzahlung"}},
                {"type": "textline", "value": {"text": "* * Kundenbeleg * *", "decoration": []}},
                {"type": "name-value", "value": {"name": "Betrag EUR", "value": "10,13"}},
                {"type": "textline", "value": {"text": "Zahlung abgelehnt", "decoration": ["align-center", "important"]}},
                {"type": "textline", "value": {"text": "Bitte Karte entnehmen", "decoration": ["align-center"]}}
            ]
        });
        let mut words = Vec::new();
        important_texts(&provider, &mut words);
        assert_eq!(words, vec!["Zahlung abgelehnt".to_string()]);
    }
}
