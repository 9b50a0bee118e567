//! The settings screen: shop data, language (and, through the other
//! settings commands, the connection and printers).

use crate::connection::with_secrets;
use crate::error::CommandError;
use crate::settings::{Language, Settings, ShopSettings, KEY_LANGUAGE, KEY_SHOP};
use crate::state::AppState;

/// The settings as the screen shows them: from the file, with whether the
/// secrets are in the keychain (never the secrets themselves).
pub fn load(state: &AppState) -> Settings {
    let mut settings = state.settings.load(&state.log_dir);
    settings.connection = with_secrets(settings.connection, state.secrets.as_ref());
    settings
}

/// Everything the settings screen shows.
pub async fn settings(state: &AppState) -> Result<Settings, CommandError> {
    Ok(load(state))
}

/// Saves the shop's data; the next receipt carries the new header. A new
/// till number applies from the next start (the journal is per till).
pub async fn save_shop(
    state: &AppState,
    shop: ShopSettings,
    manager_pin: Option<String>,
) -> Result<Settings, CommandError> {
    crate::cashier::may_change_settings(state, manager_pin.as_deref())?;
    let shop = shop.validated()?;
    state.settings.put(KEY_SHOP, &shop)?;
    state.set_shop(shop.header());
    let message = super::customer_display::stored(state).message;
    state.display.set_shop(shop.name.clone(), message);
    Ok(load(state))
}

pub async fn set_language(state: &AppState, language: Language) -> Result<Settings, CommandError> {
    state.settings.put(KEY_LANGUAGE, language)?;
    state.display.set_language(language);
    Ok(load(state))
}
