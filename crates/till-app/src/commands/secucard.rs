//! Secucard (loyalty card): look up, check the passcode, split, pay from its
//! balance with cash for the rest, and load it in cash or on the terminal.

use serde::{Deserialize, Serialize};
use tracing::instrument;
use ts_rs::TS;

use crate::commands::card::{self, CardPaymentResult};
use crate::error::CommandError;
use crate::state::AppState;
use till::secucard::{CardSplit, Secucard, SecucardError};
use till::{Basket, Cents, CheckoutError, CompletedSale};

/// Records what a call showed about the link to the payment service.
fn seen<T>(state: &AppState, result: Result<T, SecucardError>) -> Result<T, CommandError> {
    match &result {
        Ok(_) => state.set_link(true),
        Err(SecucardError::Checkout(CheckoutError::Api(e))) => state.set_link(!e.unreachable()),
        Err(_) => {}
    }
    result.map_err(Into::into)
}

#[instrument(skip_all)]
pub async fn secucard_lookup(
    state: &AppState,
    card_number: String,
) -> Result<Secucard, CommandError> {
    seen(state, state.checkout().secucard(&card_number).await)
}

#[derive(Debug, Serialize, TS)]
pub struct PasscodeValid {
    pub valid: bool,
}

#[instrument(skip_all)]
pub async fn secucard_check_passcode(
    state: &AppState,
    card_number: String,
    passcode: String,
) -> Result<PasscodeValid, CommandError> {
    let valid = seen(
        state,
        state
            .checkout()
            .check_passcode(&card_number, &passcode)
            .await,
    )?;
    Ok(PasscodeValid { valid })
}

#[instrument(skip_all)]
pub async fn secucard_split(
    state: &AppState,
    basket: Basket,
    card_number: String,
    passcode: Option<String>,
) -> Result<CardSplit, CommandError> {
    seen(
        state,
        state
            .checkout()
            .secucard_split(&basket, &card_number, passcode.as_deref())
            .await,
    )
}

#[instrument(skip_all)]
pub async fn pay_secucard(
    state: &AppState,
    basket: Basket,
    card_number: String,
    passcode: Option<String>,
    tendered: Option<Cents>,
) -> Result<CompletedSale, CommandError> {
    crate::cashier::on_duty(state)?;
    state.display.paying();
    let sale = seen(
        state,
        state
            .checkout()
            .pay_secucard(&basket, &card_number, passcode.as_deref(), tendered)
            .await,
    );
    super::customer_display::payment_ended(state, sale.as_ref().ok());
    let sale = sale?;
    // The drawer opens only when cash was handed over for the rest.
    let cash = tendered.is_some_and(|t| t.0 > 0);
    state
        .printing
        .after_sale(receipt::Document::receipt(sale.receipt.clone()), cash);
    Ok(sale)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum LoadMethod {
    Cash,
    Card,
}

/// Loads the card (the provider's special article, 0 % VAT), paid in cash or
/// on the terminal; on the terminal it blocks like `pay_card`, and
/// `abort_card_payment` applies.
#[instrument(skip_all, fields(amount = amount.0, ?method))]
pub async fn load_secucard(
    state: &AppState,
    card_number: String,
    amount: Cents,
    method: LoadMethod,
    tendered: Option<Cents>,
) -> Result<CardPaymentResult, CommandError> {
    crate::cashier::on_duty(state)?;
    match method {
        LoadMethod::Cash => {
            let sale = seen(
                state,
                state
                    .checkout()
                    .load_secucard_cash(&card_number, amount, tendered)
                    .await,
            )?;
            super::customer_display::payment_ended(state, Some(&sale));
            state
                .printing
                .after_sale(receipt::Document::receipt(sale.receipt.clone()), true);
            Ok(CardPaymentResult {
                outcome: card::CardOutcome::Paid,
                message: None,
                sale: Some(sale.into()),
            })
        }
        LoadMethod::Card => {
            let basket = seen(
                state,
                state.checkout().card_load(&card_number, amount).await,
            )?;
            card::pay_card(state, basket).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_load_method_is_cash_or_card() {
        let m: LoadMethod = serde_json::from_str("\"card\"").unwrap();
        assert_eq!(m, LoadMethod::Card);
        assert!(serde_json::from_str::<LoadMethod>("\"cheque\"").is_err());
    }
}
