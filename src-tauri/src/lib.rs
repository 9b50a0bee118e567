//! The desktop app: Tauri setup, shared state and the commands the UI calls.

mod commands;
mod connection;
mod error;
pub mod footprint;
mod logging;
mod printing;
mod secrets;
mod settings;
mod state;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use secuconnect::{Client, ClientConfig, Credentials, Secret};
use secuconnect_sandbox::{demo, Sandbox};
use tauri::Manager;
use till::Journal;
use tracing::info;

use state::AppState;

/// Overrides the data directory (tests, portable installs).
const ENV_DATA_DIR: &str = "SMART_TILL_DATA_DIR";
/// Pins the demo simulator's port (tests reach it there); a free port otherwise.
const ENV_DEMO_PORT: &str = "SMART_TILL_DEMO_PORT";
/// How many smart transactions the demo simulator remembers: a busy day's
/// worth, so that today's sales can be read back and cancelled, while its
/// memory stays flat however long the till runs (it forgets them all at a
/// restart anyway).
const DEMO_KEPT_TRANSACTIONS: usize = 1_000;

pub fn run() {
    tauri::Builder::default()
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
        .setup(|app| {
            let dirs = Dirs::resolve(app.handle())?;
            // Held for the app's life: a restore refuses to run while it is.
            let lock = till::backup::DataDirLock::acquire(&dirs.data, RESTORE_WAIT)?
                .ok_or("a restore of the journal is running; start Smart Till again when it has finished")?;
            app.manage(DataDirLock(lock));
            let guard = logging::init(&dirs.logs)?;
            info!(version = env!("CARGO_PKG_VERSION"), logs = %dirs.logs.display(), "Smart Till starting");
            // Before the store is first opened: it lives in the data directory.
            app.manage(settings::SettingsFile(dirs.data.join(settings::STORE_FILE)));
            let store = settings::SettingsStore::open(app.handle()).map_err(|e| e.message)?;
            let settings = store.load(&dirs.logs);
            for problem in &settings.problems {
                tracing::warn!("{problem}");
            }
            app.manage(printing::Printing::start(&settings));
            let secrets = Arc::new(secrets::SecretStore::detect(&dirs.data));
            let state =
                tauri::async_runtime::block_on(startup(&dirs, settings, Arc::clone(&secrets)))?;
            app.manage(state);
            app.manage(connection::ConnectionState {
                secrets,
                pairing: connection::Pairing::default(),
            });
            app.manage(LogGuard(guard));
            if let Some(window) = app.get_webview_window("main") {
                footprint::tune_web_view(&window);
            }
            spawn_catch_up(app.handle().clone());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::session::app_info,
            commands::catalog::articles,
            commands::catalog::article_by_code,
            commands::sale::pay_cash,
            commands::status::till_status,
            commands::status::sync_now,
            commands::card::pay_card,
            commands::card::abort_card_payment,
            commands::card::check_card_payment,
            commands::closing::day_summary,
            commands::closing::terminal_end_of_day,
            commands::closing::close_day,
            commands::closing::closings,
            commands::closing::closing,
            commands::journal::journal_search,
            commands::journal::journal_sale,
            commands::journal::cancel_sale,
            commands::journal::receipt_preview,
            commands::settings::settings,
            commands::settings::save_shop,
            commands::settings::set_language,
            commands::secucard::secucard_lookup,
            commands::secucard::secucard_check_passcode,
            commands::secucard::secucard_split,
            commands::secucard::pay_secucard,
            commands::secucard::load_secucard,
            commands::connection::set_environment,
            commands::connection::pairing_start,
            commands::connection::pairing_status,
            commands::connection::pairing_cancel,
            commands::connection::restart_app,
            commands::print::print_receipt,
            commands::print::reprint_receipt,
            commands::print::print_missed_receipt,
            commands::print::dismiss_missed_receipt,
            commands::print::export_receipt_pdf,
            commands::print::open_drawer,
            commands::print::print_z_report,
            commands::print::export_z_report_pdf,
            commands::printers::printers_discover,
            commands::printers::save_printer,
            commands::printers::remove_printer,
            commands::printers::test_print,
        ])
        .run(tauri::generate_context!())
        .expect("error while running Smart Till");
}

/// How often payments in doubt and queued offline sales are retried.
const CATCH_UP_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// Settles payments left in doubt (e.g. by a crash) and registers sales paid
/// offline: once at start-up, then every few seconds, off the UI's path.
fn spawn_catch_up(app: tauri::AppHandle) {
    let checks = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let printing = app.state::<printing::Printing>();
        loop {
            commands::status::catch_up(&state, &printing).await;
            footprint::release_freed_memory();
            tokio::time::sleep(CATCH_UP_EVERY).await;
        }
    });
    tauri::async_runtime::spawn(check_journal(checks));
}

/// How often the background looks whether the daily walk of the chain is due.
const JOURNAL_CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// The till's own check of its journal, off the UI's path: what came since the
/// last verified point at start, the whole chain once a day (`till::integrity`).
async fn check_journal(app: tauri::AppHandle) {
    let mut first = true;
    loop {
        let handle = app.clone();
        let run = tauri::async_runtime::spawn_blocking(move || {
            let state = handle.state::<AppState>();
            let walked = first && state.health.check_at_start(&state.journal)?;
            if !walked && state.health.full_check_due(&state.journal) {
                state.health.check_all(&state.journal)?;
            }
            Ok::<_, till::JournalError>(())
        });
        match run.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "the journal could not be checked now; trying again later")
            }
            Err(e) => tracing::warn!(error = %e, "the journal check stopped"),
        }
        first = false;
        tokio::time::sleep(JOURNAL_CHECK_EVERY).await;
    }
}

/// How long a start waits for a restore that holds the data directory.
const RESTORE_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// Keeps the data directory locked for as long as the app runs.
struct DataDirLock(#[allow(dead_code)] till::backup::DataDirLock);

/// The app's identifier (`tauri.conf.json`): names its data directory.
pub const IDENTIFIER: &str = "de.smarttill.app";
/// The journal the till opens in `data`: the one of the environment saved in
/// the settings (demo when none is saved or the file cannot be read).
pub fn journal_path(data: &std::path::Path) -> PathBuf {
    let environment = std::fs::read(data.join(settings::STORE_FILE))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .and_then(|store| {
            serde_json::from_value::<settings::ConnectionSettings>(
                store.get(settings::KEY_CONNECTION)?.clone(),
            )
            .ok()
        })
        .map(|c| c.environment)
        .unwrap_or_default();
    data.join(connection::journal_file(environment))
}

/// The data directory without a running app (for the command line): the
/// same one the app resolves, `SMART_TILL_DATA_DIR` or the platform's app-data directory.
pub fn data_dir() -> Option<PathBuf> {
    match std::env::var_os(ENV_DATA_DIR) {
        Some(dir) => Some(PathBuf::from(dir)),
        None => dirs::data_dir().map(|d| d.join(IDENTIFIER)),
    }
}

/// Keeps the log writer alive (and flushing) for as long as the app runs.
struct LogGuard(#[allow(dead_code)] tracing_appender::non_blocking::WorkerGuard);

/// Where the till keeps its data and logs.
struct Dirs {
    data: PathBuf,
    logs: PathBuf,
}

impl Dirs {
    /// The platform's app-data and log directories, or both under `SMART_TILL_DATA_DIR`.
    fn resolve(app: &tauri::AppHandle) -> Result<Self, tauri::Error> {
        Ok(match std::env::var_os(ENV_DATA_DIR) {
            Some(dir) => {
                let data = PathBuf::from(dir);
                Self {
                    logs: data.join("logs"),
                    data,
                }
            }
            None => Self {
                data: app.path().app_data_dir()?,
                logs: app.path().app_log_dir()?,
            },
        })
    }
}

/// Opens the environment's journal and connects to its provider: the
/// built-in simulator in demo mode, the provider's testing or live system with
/// the credentials from the keychain otherwise.
async fn startup(
    dirs: &Dirs,
    settings: settings::Settings,
    secrets: Arc<secrets::SecretStore>,
) -> Result<AppState, Box<dyn std::error::Error>> {
    let environment = settings.connection.environment;
    std::fs::create_dir_all(&dirs.data)?;
    let journal_path = dirs.data.join(connection::journal_file(environment));
    let journal = Journal::open(&journal_path)?;
    info!(path = %journal_path.display(), environment = connection::environment_name(environment), "journal open");

    let (client, sandbox) = match connection::client_for(&settings.connection, &secrets)? {
        Some(client) => {
            if settings.connection.auth_mode == settings::AuthMode::Device {
                connection::keep_refresh_token(&client, environment, Arc::clone(&secrets));
            }
            (client, None)
        }
        None => {
            let port: u16 = match std::env::var(ENV_DEMO_PORT) {
                Ok(p) => p
                    .parse()
                    .map_err(|_| format!("{ENV_DEMO_PORT} must be a port number, not {p:?}"))?,
                Err(_) => 0,
            };
            let sandbox = secuconnect_sandbox::serve(
                SocketAddr::from(([127, 0, 0, 1], port)),
                Arc::new(Sandbox::with_demo_data().keep_newest(DEMO_KEPT_TRANSACTIONS)),
            )
            .await?;
            info!(url = %sandbox.url(), "demo mode: built-in simulator running");
            let client = Client::new(ClientConfig::new(
                sandbox.url(),
                Credentials {
                    client_id: demo::DEMO_CLIENT_ID.into(),
                    client_secret: Secret::new(demo::DEMO_CLIENT_SECRET),
                },
            ))?;
            (client, Some(sandbox))
        }
    };

    Ok(AppState {
        client,
        journal: Mutex::new(journal),
        shop: Mutex::new(settings.shop.header()),
        till_id: settings.shop.till_id.clone(),
        demo: environment == settings::Environment::Demo,
        environment,
        log_dir: dirs.logs.clone(),
        _sandbox: sandbox,
        link: Mutex::new(state::LinkStatus::default()),
        provider_work: tokio::sync::Mutex::new(()),
        card_running: std::sync::atomic::AtomicBool::new(false),
        health: till::integrity::JournalHealth::new(&journal_path),
        settled: Mutex::new(None),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_finds_the_data_directory_the_app_uses() {
        let conf: serde_json::Value =
            serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
        assert_eq!(conf["identifier"], super::IDENTIFIER);
    }
}
