//! What the UI asks at start: version, demo mode, the shop, the log folder.

use serde::Serialize;
use ts_rs::TS;

use crate::state::AppState;

#[derive(Debug, Serialize, TS)]
pub struct AppInfo {
    pub version: &'static str,
    pub demo: bool,
    pub shop_name: String,
    pub till_id: String,
    pub log_dir: String,
    /// No receipt issued yet: the UI shows the first steps.
    pub first_start: bool,
}

pub fn app_info(state: &AppState) -> AppInfo {
    AppInfo {
        version: crate::VERSION,
        demo: state.demo,
        shop_name: state.shop().name,
        till_id: state.till_id.clone(),
        log_dir: state.log_dir.display().to_string(),
        first_start: state.journal().last_receipt_number().is_ok_and(|n| n == 0),
    }
}
