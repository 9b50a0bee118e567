use serde::Serialize;
use tauri::State;

use crate::state::AppState;

#[derive(Serialize)]
pub struct AppInfo {
    pub version: &'static str,
    pub demo: bool,
    pub shop_name: String,
    pub till_id: String,
    pub log_dir: String,
    /// No receipt issued yet: the UI shows the first steps.
    pub first_start: bool,
}

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        demo: state.demo,
        shop_name: state.shop().name,
        till_id: state.till_id.clone(),
        log_dir: state.log_dir.display().to_string(),
        first_start: state
            .journal
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .last_receipt_number()
            .is_ok_and(|n| n == 0),
    }
}
