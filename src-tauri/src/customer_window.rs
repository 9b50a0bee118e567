//! The customer display's window: a second window without controls, full
//! screen on a second monitor when there is one (the monitor remembered in
//! the settings), otherwise a plain window opened and closed from the
//! settings screen. It shows the views `till_app::customer_display` pushes
//! (`emit_to` this window only) and asks for the current one when it loads.

use std::sync::Arc;

use tauri::{AppHandle, Emitter, Manager, Monitor, WebviewUrl, WebviewWindowBuilder};
use till_app::commands::customer_display::{remember_placement, stored};
use till_app::customer_display::{pick_monitor, CustomerView, DisplaySink, MonitorSpot, EVENT};
use till_app::{AppState, CommandError, ErrorCode};
use tracing::{info, warn};

/// The window's label: events go to it alone, its capability names it.
pub const LABEL: &str = "customer";

/// The entry of the UI that renders the display (the same app, another route).
const ENTRY: &str = "index.html#customer";

/// The window's size when it is not full screen on a monitor of its own.
const WINDOWED: (f64, f64) = (1024.0, 640.0);

/// Sends every new view to the display's window (none open: nothing to do).
struct WindowSink(AppHandle);

impl DisplaySink for WindowSink {
    fn show(&self, view: &CustomerView) {
        if self.0.get_webview_window(LABEL).is_none() {
            return;
        }
        if let Err(e) = self.0.emit_to(LABEL, EVENT, view) {
            warn!(error = %e, "the customer display could not be updated");
        }
    }
}

/// Connects the display's state to its window; opens the window at start
/// when the settings say so and a second monitor is there for it.
pub fn start(app: &AppHandle, state: &AppState) {
    state.display.connect(Arc::new(WindowSink(app.clone())));
    let settings = stored(state);
    if !settings.open_at_start {
        return;
    }
    if let Some(monitor) = second_monitor(app, settings.monitor.as_deref()) {
        if let Err(e) = build(app, Some(&monitor)) {
            warn!(error = %e, "the customer display could not be opened");
            return;
        }
        if let Err(e) = remember_placement(state, true, monitor.name().cloned()) {
            warn!(error = %e.message, "the customer display's monitor could not be remembered");
        }
    }
}

/// Opens the display (or brings it to the front): full screen on a second
/// monitor when there is one, else a window beside the till's. Remembered.
pub fn open(app: &AppHandle, state: &AppState) -> Result<bool, CommandError> {
    if let Some(window) = app.get_webview_window(LABEL) {
        let _ = window.show();
        let _ = window.set_focus();
        return Ok(true);
    }
    let settings = stored(state);
    let monitor = second_monitor(app, settings.monitor.as_deref());
    build(app, monitor.as_ref()).map_err(|e| {
        CommandError::new(
            ErrorCode::Io,
            format!("The customer display could not be opened ({e})."),
        )
    })?;
    remember_placement(state, true, monitor.and_then(|m| m.name().cloned()))?;
    Ok(true)
}

/// Closes the display; the till starts without it from now on.
pub fn close(app: &AppHandle, state: &AppState) -> Result<bool, CommandError> {
    if let Some(window) = app.get_webview_window(LABEL) {
        let _ = window.destroy();
    }
    remember_placement(state, false, None)?;
    Ok(false)
}

/// Whether the display's window is open.
pub fn is_open(app: &AppHandle) -> bool {
    app.get_webview_window(LABEL).is_some()
}

/// The till's window closed: the display goes with it, so the app ends.
pub fn close_with_till(app: &AppHandle) {
    if let Some(window) = app.get_webview_window(LABEL) {
        let _ = window.destroy();
    }
}

fn build(app: &AppHandle, monitor: Option<&Monitor>) -> tauri::Result<()> {
    let builder = WebviewWindowBuilder::new(app, LABEL, WebviewUrl::App(ENTRY.into()))
        .title("Smart Till – Kundenanzeige");
    let window = match monitor {
        // The builder places in logical pixels, the monitor says where it is in physical ones.
        Some(m) => {
            let at = m.position().to_logical::<f64>(m.scale_factor());
            info!(monitor = ?m.name(), x = at.x, y = at.y, "customer display on its own monitor");
            builder
                .position(at.x, at.y)
                .decorations(false)
                .fullscreen(true)
                .build()?
        }
        None => builder
            .inner_size(WINDOWED.0, WINDOWED.1)
            .focused(false)
            .build()?,
    };
    crate::footprint::tune_web_view(&window);
    Ok(())
}

/// The monitor for the display when there are two or more
/// (`customer_display::pick_monitor`).
fn second_monitor(app: &AppHandle, remembered: Option<&str>) -> Option<Monitor> {
    let monitors = app.available_monitors().ok()?;
    let primary = app
        .primary_monitor()
        .ok()
        .flatten()
        .map(|p| (p.position().x, p.position().y));
    let spots: Vec<MonitorSpot<'_>> = monitors
        .iter()
        .map(|m| MonitorSpot {
            name: m.name().map(String::as_str),
            position: (m.position().x, m.position().y),
        })
        .collect();
    let i = pick_monitor(&spots, primary, remembered)?;
    monitors.into_iter().nth(i)
}
