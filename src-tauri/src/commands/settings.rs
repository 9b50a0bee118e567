//! The settings screen: shop data, language (and, through the other
//! settings commands, the connection and printers).

use tauri::{AppHandle, State};

use crate::error::CommandError;
use crate::settings::{Language, Settings, SettingsStore, ShopSettings, KEY_LANGUAGE, KEY_SHOP};
use crate::state::AppState;

/// Everything the settings screen shows.
#[tauri::command]
pub fn settings(app: AppHandle, state: State<'_, AppState>) -> Result<Settings, CommandError> {
    Ok(SettingsStore::open(&app)?.load(&state.log_dir))
}

/// Saves the shop's data; the next receipt carries the new header. A new
/// till number applies from the next start (the journal is per till).
#[tauri::command]
pub fn save_shop(
    app: AppHandle,
    state: State<'_, AppState>,
    shop: ShopSettings,
) -> Result<Settings, CommandError> {
    let shop = shop.validated()?;
    let store = SettingsStore::open(&app)?;
    store.put(KEY_SHOP, &shop)?;
    state.set_shop(shop.header());
    Ok(store.load(&state.log_dir))
}

#[tauri::command]
pub fn set_language(
    app: AppHandle,
    state: State<'_, AppState>,
    language: Language,
) -> Result<Settings, CommandError> {
    let store = SettingsStore::open(&app)?;
    store.put(KEY_LANGUAGE, language)?;
    Ok(store.load(&state.log_dir))
}
