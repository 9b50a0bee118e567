//! The settings file through `tauri-plugin-store` (`settings.json` in the
//! data directory): the desktop's [`SettingsStore`].

use std::sync::Arc;

use serde_json::Value;
use tauri::Wry;
use tauri_plugin_store::{Store, StoreExt};
use till_app::settings::SettingsStore;

pub struct PluginStore(Arc<Store<Wry>>);

impl PluginStore {
    pub fn open(app: &tauri::AppHandle, path: std::path::PathBuf) -> Result<Self, String> {
        app.store(path).map(Self).map_err(|e| {
            format!("The settings file cannot be opened ({e}). Check the app-data folder.")
        })
    }
}

impl SettingsStore for PluginStore {
    fn load(&self, key: &str) -> Result<Option<Value>, String> {
        Ok(self.0.get(key))
    }

    fn save(&self, key: &str, value: Value) -> Result<(), String> {
        self.0.set(key, value);
        self.0.save().map_err(|e| e.to_string())
    }
}
