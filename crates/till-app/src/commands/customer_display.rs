//! The customer display: what it shows now, the basket the cashier's window
//! reports, its settings, opening and closing its window; and how a
//! payment's outcome reaches it.

use till::{Basket, CompletedSale};
use tracing::warn;

use crate::customer_display::{pick_monitor, CustomerDisplaySettings, CustomerView, MonitorSpot};
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

/// The desktop's side of the display's window: the shell implements it over
/// its windows and monitors; what is opened where is decided here.
pub trait DisplayWindow {
    /// A monitor as the desktop hands it out.
    type Monitor;
    /// Every monitor attached (none when the desktop cannot say).
    fn monitors(&self) -> Vec<Self::Monitor>;
    /// A monitor's name and where it is.
    fn spot<'m>(&self, monitor: &'m Self::Monitor) -> MonitorSpot<'m>;
    /// Where the primary monitor (the till's) is.
    fn primary(&self) -> Option<(i32, i32)>;
    fn is_open(&self) -> bool;
    /// Shows the open window and brings it to the front.
    fn bring_to_front(&self);
    /// Makes the window: full screen on `monitor`, else a plain window.
    fn build(&self, monitor: Option<&Self::Monitor>) -> Result<(), String>;
    /// Closes the window, when it is open.
    fn destroy(&self);
}

/// At start: opens the display on its monitor when the settings say so and
/// a second monitor is there for it (no window beside the till's unasked).
pub fn open_at_start<W: DisplayWindow>(state: &AppState, window: &W) {
    let settings = stored(state);
    if !settings.open_at_start {
        return;
    }
    let Some(monitor) = second_monitor(window, settings.monitor.as_deref()) else {
        return;
    };
    if let Err(e) = window.build(Some(&monitor)) {
        warn!(error = %e, "the customer display could not be opened");
        return;
    }
    if let Err(e) = remember_placement(state, true, name_of(window, &monitor)) {
        warn!(error = %e.message, "the customer display's monitor could not be remembered");
    }
}

/// Opens the display (or brings it to the front): full screen on a second
/// monitor when there is one, else a window beside the till's. Remembered.
pub fn open_display<W: DisplayWindow>(state: &AppState, window: &W) -> Result<bool, CommandError> {
    if window.is_open() {
        window.bring_to_front();
        return Ok(true);
    }
    let monitor = second_monitor(window, stored(state).monitor.as_deref());
    window.build(monitor.as_ref()).map_err(|e| {
        CommandError::new(
            ErrorCode::Io,
            format!("The customer display could not be opened ({e})."),
        )
    })?;
    let name = monitor.and_then(|m| name_of(window, &m));
    remember_placement(state, true, name)?;
    Ok(true)
}

/// Closes the display; the till starts without it from now on.
pub fn close_display<W: DisplayWindow>(state: &AppState, window: &W) -> Result<bool, CommandError> {
    window.destroy();
    remember_placement(state, false, None)?;
    Ok(false)
}

/// The monitor for the display when there are two or more ([`pick_monitor`]).
fn second_monitor<W: DisplayWindow>(window: &W, remembered: Option<&str>) -> Option<W::Monitor> {
    let monitors = window.monitors();
    let spots: Vec<_> = monitors.iter().map(|m| window.spot(m)).collect();
    let i = pick_monitor(&spots, window.primary(), remembered)?;
    monitors.into_iter().nth(i)
}

fn name_of<W: DisplayWindow>(window: &W, monitor: &W::Monitor) -> Option<String> {
    window.spot(monitor).name.map(str::to_owned)
}

/// A payment ended: paid with `sale`, or not (declined, aborted, failed).
pub(crate) fn payment_ended(state: &AppState, sale: Option<&CompletedSale>) {
    match sale {
        Some(sale) => state.display.paid(sale),
        None => state.display.not_paid(),
    }
}
