//! Secucard (loyalty card): look up, check the passcode, split, pay from its
//! balance with cash for the rest, and load it in cash or on the terminal.

use serde::{Deserialize, Serialize};
use tauri::State;
use tracing::instrument;

use crate::commands::card::{self, CardPaymentResult};
use crate::error::CommandError;
use crate::printing::Printing;
use crate::state::AppState;
use till::secucard::{CardSplit, Secucard, SecucardError};
use till::{Basket, Cents, CheckoutError, CompletedSale};

impl From<SecucardError> for CommandError {
    fn from(e: SecucardError) -> Self {
        match e {
            SecucardError::NotFound => Self::new(
                "card_not_found",
                "The payment service does not know this card. Check the number.",
            ),
            SecucardError::Locked => Self::new(
                "card_locked",
                "The card is locked and cannot be used. Take another payment.",
            ),
            SecucardError::Inactive => Self::new(
                "card_inactive",
                "The card is not active and cannot be used. Take another payment.",
            ),
            SecucardError::PasscodeRequired { wrong } => Self::new(
                "passcode_required",
                if wrong {
                    "The passcode is wrong. Let the customer type it again."
                } else {
                    "The card needs its passcode. Let the customer type it."
                },
            ),
            SecucardError::Checkout(e) => e.into(),
        }
    }
}

/// Records what a call showed about the link to the payment service.
fn seen<T>(state: &AppState, result: Result<T, SecucardError>) -> Result<T, CommandError> {
    match &result {
        Ok(_) => state.set_link(true),
        Err(SecucardError::Checkout(CheckoutError::Api(secuconnect::Error::NotExecuted(_)))) => {
            state.set_link(false)
        }
        Err(_) => {}
    }
    result.map_err(Into::into)
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn secucard_lookup(
    state: State<'_, AppState>,
    card_number: String,
) -> Result<Secucard, CommandError> {
    seen(&state, state.checkout().secucard(&card_number).await)
}

#[derive(Debug, Serialize)]
pub struct PasscodeValid {
    pub valid: bool,
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn secucard_check_passcode(
    state: State<'_, AppState>,
    card_number: String,
    passcode: String,
) -> Result<PasscodeValid, CommandError> {
    let valid = seen(
        &state,
        state
            .checkout()
            .check_passcode(&card_number, &passcode)
            .await,
    )?;
    Ok(PasscodeValid { valid })
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn secucard_split(
    state: State<'_, AppState>,
    basket: Basket,
    card_number: String,
    passcode: Option<String>,
) -> Result<CardSplit, CommandError> {
    seen(
        &state,
        state
            .checkout()
            .secucard_split(&basket, &card_number, passcode.as_deref())
            .await,
    )
}

#[tauri::command]
#[instrument(skip_all)]
pub async fn pay_secucard(
    state: State<'_, AppState>,
    printing: State<'_, Printing>,
    basket: Basket,
    card_number: String,
    passcode: Option<String>,
    tendered: Option<Cents>,
) -> Result<CompletedSale, CommandError> {
    let sale = seen(
        &state,
        state
            .checkout()
            .pay_secucard(&basket, &card_number, passcode.as_deref(), tendered)
            .await,
    )?;
    // The drawer opens only when cash was handed over for the rest.
    let cash = tendered.is_some_and(|t| t.0 > 0);
    printing.after_sale(receipt::Document::receipt(sale.receipt.clone()), cash);
    Ok(sale)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoadMethod {
    Cash,
    Card,
}

/// Loads the card (the provider's special article, 0 % VAT), paid in cash or
/// on the terminal; on the terminal it blocks like `pay_card`, and
/// `abort_card_payment` applies.
#[tauri::command]
#[instrument(skip_all, fields(amount = amount.0, ?method))]
pub async fn load_secucard(
    state: State<'_, AppState>,
    printing: State<'_, Printing>,
    card_number: String,
    amount: Cents,
    method: LoadMethod,
    tendered: Option<Cents>,
) -> Result<CardPaymentResult, CommandError> {
    match method {
        LoadMethod::Cash => {
            let sale = seen(
                &state,
                state
                    .checkout()
                    .load_secucard_cash(&card_number, amount, tendered)
                    .await,
            )?;
            printing.after_sale(receipt::Document::receipt(sale.receipt.clone()), true);
            Ok(CardPaymentResult {
                outcome: card::CardOutcome::Paid,
                message: None,
                sale: Some(sale.into()),
            })
        }
        LoadMethod::Card => {
            let basket = seen(
                &state,
                state.checkout().card_load(&card_number, amount).await,
            )?;
            card::pay_card(state, printing, basket).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_cards_reach_the_ui_with_their_codes() {
        let code = |e| CommandError::from(e).code;
        assert_eq!(code(SecucardError::NotFound), "card_not_found");
        assert_eq!(code(SecucardError::Locked), "card_locked");
        assert_eq!(code(SecucardError::Inactive), "card_inactive");
        assert_eq!(
            code(SecucardError::PasscodeRequired { wrong: true }),
            "passcode_required"
        );
        assert_eq!(
            code(SecucardError::Checkout(CheckoutError::NotEnoughCash {
                given: Cents(100),
                total: Cents(200)
            })),
            "not_enough_cash"
        );
        assert_eq!(
            code(secuconnect::Error::NotExecuted("connection refused".into()).into()),
            "offline"
        );
    }

    #[test]
    fn the_load_method_is_cash_or_card() {
        let m: LoadMethod = serde_json::from_str("\"card\"").unwrap();
        assert_eq!(m, LoadMethod::Card);
        assert!(serde_json::from_str::<LoadMethod>("\"cheque\"").is_err());
    }
}
