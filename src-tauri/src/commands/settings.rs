//! The settings screen: shop data, language (and, through the other
//! settings commands, the connection and printers).

use tauri::{AppHandle, State};

use crate::connection::{with_secrets, ConnectionState};
use crate::error::CommandError;
use crate::settings::{Language, Settings, SettingsStore, ShopSettings, KEY_LANGUAGE, KEY_SHOP};
use crate::state::AppState;

/// The settings as the screen shows them: from the file, with whether the
/// secrets are in the keychain (never the secrets themselves).
pub fn load(store: &SettingsStore, state: &AppState, conn: &ConnectionState) -> Settings {
    let mut settings = store.load(&state.log_dir);
    settings.connection = with_secrets(settings.connection, &conn.secrets);
    settings
}

/// Everything the settings screen shows.
#[tauri::command]
pub async fn settings(
    app: AppHandle,
    state: State<'_, AppState>,
    conn: State<'_, ConnectionState>,
) -> Result<Settings, CommandError> {
    Ok(load(&SettingsStore::open(&app)?, &state, &conn))
}

/// Saves the shop's data; the next receipt carries the new header. A new
/// till number applies from the next start (the journal is per till).
#[tauri::command]
pub async fn save_shop(
    app: AppHandle,
    state: State<'_, AppState>,
    conn: State<'_, ConnectionState>,
    shop: ShopSettings,
) -> Result<Settings, CommandError> {
    let shop = shop.validated()?;
    let store = SettingsStore::open(&app)?;
    store.put(KEY_SHOP, &shop)?;
    state.set_shop(shop.header());
    Ok(load(&store, &state, &conn))
}

#[tauri::command]
pub async fn set_language(
    app: AppHandle,
    state: State<'_, AppState>,
    conn: State<'_, ConnectionState>,
    language: Language,
) -> Result<Settings, CommandError> {
    let store = SettingsStore::open(&app)?;
    store.put(KEY_LANGUAGE, language)?;
    Ok(load(&store, &state, &conn))
}
