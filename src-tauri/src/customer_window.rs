//! The customer display's window: a second window without controls, full
//! screen on a second monitor or a plain window beside the till's; which one
//! and when is `till_app::commands::customer_display`'s, this is Tauri's side.
//! It shows the views `till_app::customer_display` pushes (`emit_to` this
//! window only) and asks for the current one when it loads.

use std::sync::Arc;

use tauri::{AppHandle, Emitter, Manager, Monitor, WebviewUrl, WebviewWindowBuilder};
use till_app::commands::customer_display::{self as display, DisplayWindow};
use till_app::customer_display::{CustomerView, DisplaySink, MonitorSpot, EVENT};
use till_app::AppState;
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

/// The display's window among the app's windows and the desktop's monitors.
pub struct Desktop<'a>(pub &'a AppHandle);

impl DisplayWindow for Desktop<'_> {
    type Monitor = Monitor;

    fn monitors(&self) -> Vec<Monitor> {
        self.0.available_monitors().unwrap_or_default()
    }

    fn spot<'m>(&self, m: &'m Monitor) -> MonitorSpot<'m> {
        let name = m.name().map(String::as_str);
        let position = (m.position().x, m.position().y);
        MonitorSpot { name, position }
    }

    fn primary(&self) -> Option<(i32, i32)> {
        let primary = self.0.primary_monitor().ok().flatten()?;
        Some((primary.position().x, primary.position().y))
    }

    fn is_open(&self) -> bool {
        self.0.get_webview_window(LABEL).is_some()
    }

    fn bring_to_front(&self) {
        if let Some(window) = self.0.get_webview_window(LABEL) {
            let _ = window.show();
            let _ = window.set_focus();
        }
    }

    fn build(&self, monitor: Option<&Monitor>) -> Result<(), String> {
        build(self.0, monitor).map_err(|e| e.to_string())
    }

    fn destroy(&self) {
        if let Some(window) = self.0.get_webview_window(LABEL) {
            let _ = window.destroy();
        }
    }
}

/// Connects the display's state to its window; opens the window at start
/// when the settings say so and a second monitor is there for it.
pub fn start(app: &AppHandle, state: &AppState) {
    state.display.connect(Arc::new(WindowSink(app.clone())));
    display::open_at_start(state, &Desktop(app));
}

fn build(app: &AppHandle, monitor: Option<&Monitor>) -> tauri::Result<()> {
    let builder = WebviewWindowBuilder::new(app, LABEL, WebviewUrl::App(ENTRY.into()))
        .title("Smart Till – Kundenanzeige")
        // It shows when its page starts loading (`reveal`).
        .visible(false);
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
    crate::reveal::show_anyway_later(window);
    Ok(())
}
