//! Windows open hidden and show once their page has loaded. GTK drawing a
//! WebKitGTK web view whose web process has no frame yet blocks the main
//! thread for up to 500 ms while WebKit waits for one: a launch took 1.45 s
//! instead of 0.8 s (README "Speed and memory").

use std::time::Duration;

use tauri::{Runtime, WebviewWindow, Window};

/// A window whose page never reports it has loaded shows after this anyway:
/// a till that runs where nobody can see it is worse than a slow one.
const SHOW_ANYWAY_AFTER: Duration = Duration::from_secs(5);

/// The page in `window` has loaded: it has something to draw.
pub fn page_loaded<R: Runtime>(window: &Window<R>) {
    if !window.is_visible().unwrap_or(true) {
        let _ = window.show();
    }
}

/// Shows `window` after [`SHOW_ANYWAY_AFTER`] if its page has not loaded by then.
pub fn show_anyway_later<R: Runtime>(window: WebviewWindow<R>) {
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(SHOW_ANYWAY_AFTER).await;
        if !window.is_visible().unwrap_or(true) {
            tracing::warn!(
                window = window.label(),
                "the page did not load within 5 s; showing its window anyway"
            );
            let _ = window.show();
        }
    });
}
