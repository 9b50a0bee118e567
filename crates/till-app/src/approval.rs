//! Manager limits: the one place that decides whether an action above a
//! cashier's limit may go ahead. Cashiers and their rights are not in the
//! app yet, so no PIN can be checked here: above the limit the action is
//! refused with `manager_required`. When cashiers arrive, this function asks
//! them (and returns the manager's authorisation, journaled with the event).

use serde_json::Value;
use till::Cents;

use crate::error::{CommandError, ErrorCode};
use crate::state::AppState;

/// What may need a manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Cash taken out of the drawer (any reason out).
    CashOut,
    /// A discount on a line or the basket (the amount it takes off).
    Discount,
    /// Lines of a sale taken back.
    Return,
}

/// Cash out above 200,00 € needs a manager.
pub const CASH_OUT_LIMIT: Cents = Cents(20_000);
/// Discounts above 20,00 € on one sale need a manager.
pub const DISCOUNT_LIMIT: Cents = Cents(2_000);
/// Returns above 100,00 € need a manager.
pub const RETURN_LIMIT: Cents = Cents(10_000);

fn limit(action: Action) -> Cents {
    match action {
        Action::CashOut => CASH_OUT_LIMIT,
        Action::Discount => DISCOUNT_LIMIT,
        Action::Return => RETURN_LIMIT,
    }
}

/// `Ok(None)`: the cashier may. Above the limit: refused with
/// `manager_required` (no manager's PIN can be checked yet).
pub fn authorise(
    _state: &AppState,
    action: Action,
    amount: Cents,
    _manager_pin: Option<&str>,
) -> Result<Option<Value>, CommandError> {
    if amount <= limit(action) {
        return Ok(None);
    }
    Err(CommandError::new(
        ErrorCode::ManagerRequired,
        format!(
            "{amount} is above the cashier's limit of {}: a manager must authorise it.",
            limit(action)
        ),
    ))
}
