//! The desktop app: Tauri setup, shared state and the commands the UI calls.

mod commands;
mod error;
mod logging;
mod state;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use receipt::ShopHeader;
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
        .setup(|app| {
            let dirs = Dirs::resolve(app.handle())?;
            // Held for the app's life: a restore refuses to run while it is.
            let lock = till::backup::DataDirLock::acquire(&dirs.data, RESTORE_WAIT)?
                .ok_or("a restore of the journal is running; start Smart Till again when it has finished")?;
            app.manage(DataDirLock(lock));
            let guard = logging::init(&dirs.logs)?;
            info!(version = env!("CARGO_PKG_VERSION"), logs = %dirs.logs.display(), "Smart Till starting");
            let state = tauri::async_runtime::block_on(startup(&dirs))?;
            app.manage(state);
            app.manage(LogGuard(guard));
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
        ])
        .run(tauri::generate_context!())
        .expect("error while running Smart Till");
}

/// How often payments in doubt and queued offline sales are retried.
const CATCH_UP_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// Settles payments left in doubt (e.g. by a crash) and registers sales paid
/// offline: once at start-up, then every few seconds, off the UI's path.
fn spawn_catch_up(app: tauri::AppHandle) {
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        loop {
            commands::status::catch_up(&state).await;
            tokio::time::sleep(CATCH_UP_EVERY).await;
        }
    });
}

/// How long a start waits for a restore that holds the data directory.
const RESTORE_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// Keeps the data directory locked for as long as the app runs.
struct DataDirLock(#[allow(dead_code)] till::backup::DataDirLock);

/// The app's identifier (`tauri.conf.json`): names its data directory.
pub const IDENTIFIER: &str = "de.smarttill.app";
/// The journal's file name in the data directory.
pub const JOURNAL_FILE: &str = "journal.sqlite3";

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

/// Opens the journal and connects to the provider, or to the built-in simulator in demo mode.
async fn startup(dirs: &Dirs) -> Result<AppState, Box<dyn std::error::Error>> {
    let journal_path = dirs.data.join(JOURNAL_FILE);
    let journal = Journal::open(&journal_path)?;
    info!(path = %journal_path.display(), "journal open");

    // No credentials are configured yet: demo mode against the simulator.
    let port: u16 = match std::env::var(ENV_DEMO_PORT) {
        Ok(p) => p
            .parse()
            .map_err(|_| format!("{ENV_DEMO_PORT} must be a port number, not {p:?}"))?,
        Err(_) => 0,
    };
    let sandbox = secuconnect_sandbox::serve(
        SocketAddr::from(([127, 0, 0, 1], port)),
        Arc::new(Sandbox::with_demo_data()),
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

    Ok(AppState {
        client,
        journal: Mutex::new(journal),
        shop: ShopHeader {
            name: "Smart Till Demo-Café".into(),
            address_lines: vec!["Musterstraße 1".into(), "09123 Chemnitz".into()],
            vat_id: Some("DE000000000".into()),
        },
        till_id: "KASSE-1".into(),
        demo: true,
        log_dir: dirs.logs.clone(),
        _sandbox: Some(sandbox),
        link: Mutex::new(state::LinkStatus::default()),
        provider_work: tokio::sync::Mutex::new(()),
        card_running: std::sync::atomic::AtomicBool::new(false),
        terminal_eod: Mutex::new(None),
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
