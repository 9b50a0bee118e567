//! The customer display: what it shows now, the basket the cashier's window
//! reports, its settings; and how a payment's outcome reaches it.

use till::{Basket, CompletedSale};

use crate::customer_display::{CustomerDisplaySettings, CustomerView};
use crate::error::{CommandError, ErrorCode};
use crate::settings::{Settings, KEY_CUSTOMER_DISPLAY};
use crate::state::AppState;

/// What the display shows now: its window asks when it loads.
pub fn customer_view(state: &AppState) -> CustomerView {
    state.display.view()
}

/// The cashier's basket as it stands (`paying`: the payment screen is open).
/// The basket itself lives in the cashier's window; `basket_changed` stays
/// the TSE's.
pub fn customer_basket(state: &AppState, basket: Basket, paying: bool) -> Result<(), CommandError> {
    if basket.lines.len() > till::basket::MAX_LINES {
        return Err(CommandError::new(
            ErrorCode::Basket,
            format!(
                "The basket has more than {} lines.",
                till::basket::MAX_LINES
            ),
        ));
    }
    state.display.basket(&basket.clean(), paying);
    Ok(())
}

/// Saves the owner's message and whether the display opens at start; the
/// monitor stays as the till remembered it.
pub async fn save_customer_display(
    state: &AppState,
    display: CustomerDisplaySettings,
    manager_pin: Option<String>,
) -> Result<Settings, CommandError> {
    crate::cashier::may_change_settings(state, manager_pin.as_deref())?;
    let stored = stored(state);
    let display = CustomerDisplaySettings {
        monitor: stored.monitor,
        ..display.validated()?
    };
    state.settings.put(KEY_CUSTOMER_DISPLAY, &display)?;
    state
        .display
        .set_shop(state.shop().name, display.message.clone());
    Ok(super::settings::load(state))
}

/// The display's settings as saved.
pub fn stored(state: &AppState) -> CustomerDisplaySettings {
    state
        .settings
        .section(KEY_CUSTOMER_DISPLAY, &mut Vec::new())
}

/// Remembers where the display was opened (or that it was closed), so the
/// next start puts it there again.
pub fn remember_placement(
    state: &AppState,
    open: bool,
    monitor: Option<String>,
) -> Result<(), CommandError> {
    let mut display = stored(state);
    display.open_at_start = open;
    if monitor.is_some() {
        display.monitor = monitor;
    }
    state.settings.put(KEY_CUSTOMER_DISPLAY, &display)
}

/// A payment ended: paid with `sale`, or not (declined, aborted, failed).
pub(crate) fn payment_ended(state: &AppState, sale: Option<&CompletedSale>) {
    match sale {
        Some(sale) => state.display.paid(sale),
        None => state.display.not_paid(),
    }
}
