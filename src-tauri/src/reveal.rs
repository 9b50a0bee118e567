//! Windows open hidden and show once their page has loaded: GTK drawing a
//! WebKitGTK web view before its web process has a frame blocks the main
//! thread for up to 500 ms (README "What a launch waited for").

use tauri::{Runtime, WebviewWindow, Window};

/// The page in `window` has loaded: it has something to draw.
pub fn page_loaded<R: Runtime>(window: &Window<R>) {
    if !window.is_visible().unwrap_or(true) {
        let _ = window.show();
    }
}

/// Shows `window` after 5 s even if its page never said it loaded: a till
/// that runs where nobody can see it is worse than a slow one.
pub fn show_anyway_later<R: Runtime>(window: WebviewWindow<R>) {
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        if !window.is_visible().unwrap_or(true) {
            tracing::warn!(
                window = window.label(),
                "its page did not load in 5 s; shown anyway"
            );
            let _ = window.show();
        }
    });
}
