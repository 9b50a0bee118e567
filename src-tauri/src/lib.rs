//! The desktop shell: Tauri setup, the one-line commands (`commands`), the
//! save dialog, the customer display's window, the settings store plugin,
//! the web view's footprint and when a window shows. The application itself is `till_app`.

mod commands;
mod customer_window;
mod dialog;
pub mod footprint;
mod reveal;
mod settings_store;

use std::sync::Arc;

use tauri::Manager;
use till_app::commands::customer_display::DisplayWindow;
use till_app::settings::STORE_FILE;
use till_app::startup::Dirs;
use tracing::info;

pub use till_app::startup::{catalog_path, data_dir, journal_path, shop_settings};
pub use till_app::IDENTIFIER;

pub fn run() {
    commands::register(tauri::Builder::default())
        // First: a second start hands over to the running till instead of opening the journal twice.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
        }))
        .plugin(tauri_plugin_store::Builder::new().build())
        .plugin(tauri_plugin_dialog::init())
        .on_page_load(|webview, load| {
            if load.event() == tauri::webview::PageLoadEvent::Started {
                reveal::page_started(&webview.window());
            }
        })
        .setup(|app| {
            let dirs = resolve_dirs(app.handle())?;
            // Held for the app's life: a restore refuses to run while it is.
            let lock = till::backup::DataDirLock::acquire(&dirs.data, RESTORE_WAIT)?.ok_or(
                "a restore of the journal is running; start Smart Till again when it has finished",
            )?;
            app.manage(DataDirLock(lock));
            let guard = till_app::logging::init(&dirs.logs)?;
            info!(version = till_app::VERSION, logs = %dirs.logs.display(), "Smart Till starting");
            // The store lives in the data directory.
            let store =
                settings_store::PluginStore::open(app.handle(), dirs.data.join(STORE_FILE))?;
            let secrets = till_app::secrets::detect(&dirs.data);
            let state = tauri::async_runtime::block_on(till_app::startup::start(
                &dirs,
                Arc::new(store),
                secrets,
            ))?;
            let state = Arc::new(state);
            app.manage(Arc::clone(&state));
            app.manage(LogGuard(guard));
            if let Some(window) = app.get_webview_window("main") {
                footprint::tune_web_view(&window);
                // It opens hidden (tauri.conf.json) and shows when its page starts loading.
                reveal::show_anyway_later(window);
            }
            tauri::async_runtime::spawn(till_app::background::catch_up_loop(
                Arc::clone(&state),
                till_app::allocator::release_freed_memory,
            ));
            customer_window::start(app.handle(), &state);
            tauri::async_runtime::spawn(till_app::background::check_journal_loop(state));
            Ok(())
        })
        .on_window_event(|window, event| {
            // The till's window closed: the customer display goes with it, so the app ends.
            if window.label() == "main" && matches!(event, tauri::WindowEvent::Destroyed) {
                customer_window::Desktop(window.app_handle()).destroy();
            }
        })
        .run(tauri::generate_context!())
        .expect("error while running Smart Till");
}

/// How long a start waits for a restore that holds the data directory.
const RESTORE_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// Keeps the data directory locked for as long as the app runs.
struct DataDirLock(#[allow(dead_code)] till::backup::DataDirLock);

/// Keeps the log writer alive (and flushing) for as long as the app runs.
struct LogGuard(#[allow(dead_code)] till_app::logging::WorkerGuard);

/// `SMART_TILL_DATA_DIR`, else the platform's app-data and log directories.
fn resolve_dirs(app: &tauri::AppHandle) -> Result<Dirs, tauri::Error> {
    if let Some(dirs) = Dirs::from_env() {
        return Ok(dirs);
    }
    Ok(Dirs {
        data: app.path().app_data_dir()?,
        logs: app.path().app_log_dir()?,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use super::commands;

    /// What the UI invokes is what `commands!` registers, what build.rs
    /// declares to Tauri and what the capabilities grant: a command missing
    /// from one of them would fail in the window only.
    #[test]
    fn every_command_the_ui_invokes_is_registered() {
        let registered: BTreeSet<&str> = commands::NAMES.iter().copied().collect();
        assert_eq!(registered.len(), commands::NAMES.len(), "a name twice");
        let declared: BTreeSet<&str> = env!("SMART_TILL_DECLARED_COMMANDS").split(',').collect();
        assert_eq!(
            registered, declared,
            "src/commands.rs against capabilities/"
        );
        let mut invoked = BTreeSet::new();
        ui_invokes(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src"),
            &mut invoked,
        );
        assert!(
            invoked.len() > 80,
            "the UI's calls were not found: {invoked:?}"
        );
        let missing: Vec<_> = invoked
            .iter()
            .filter(|n| !registered.contains(n.as_str()))
            .collect();
        assert!(
            missing.is_empty(),
            "the UI invokes {missing:?}, not registered"
        );
    }

    /// The names in `invoke('name'` and `invoke<Answer>('name'` in the UI's sources.
    fn ui_invokes(dir: &Path, names: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                ui_invokes(&path, names);
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            for (at, _) in text.match_indices("invoke") {
                let rest = &text[at + "invoke".len()..];
                // Past the answer's type, `<…>(`.
                let args = if rest.starts_with('<') {
                    rest.find(">(").map_or(0, |e| e + 1)
                } else {
                    0
                };
                let rest = &rest[args..];
                let Some(quoted) = rest.strip_prefix("('").or_else(|| rest.strip_prefix("(\""))
                else {
                    continue;
                };
                let name = &quoted[..quoted.find(['\'', '"']).unwrap_or(0)];
                names.insert(name.to_string());
            }
        }
    }

    #[test]
    fn the_command_line_finds_the_data_directory_the_app_uses() {
        let conf: serde_json::Value =
            serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
        assert_eq!(conf["identifier"], super::IDENTIFIER);
    }
}
