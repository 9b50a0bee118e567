//! Windows open hidden and show when their page starts loading. GTK drawing a
//! WebKitGTK web view before its web process is up blocks the main thread for
//! up to 500 ms (README "What a launch waited for"). Once the page starts
//! loading the web process answers; the page itself loads in a shown window,
//! as a web view that loads while hidden may stay blank once shown.

use tauri::{Runtime, WebviewWindow, Window};

/// The page in `window` started loading: its web process is up.
pub fn page_started<R: Runtime>(window: &Window<R>) {
    show_if_hidden(window);
}

/// Shows `window` if it is hidden; answers whether it was.
fn show_if_hidden<R: Runtime>(window: &Window<R>) -> bool {
    let hidden = !window.is_visible().unwrap_or(true);
    if hidden {
        let _ = window.show();
    }
    hidden
}

/// Shows `window` after 5 s even if its page never started loading: a till
/// that runs where nobody can see it is worse than a slow one.
pub fn show_anyway_later<R: Runtime>(window: WebviewWindow<R>) {
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        if show_if_hidden(&window.as_ref().window()) {
            tracing::warn!(
                window = window.label(),
                "its page did not start loading in 5 s; shown anyway"
            );
        }
    });
}
