//! The desktop app: Tauri setup, shared state and the commands the UI calls.

mod commands;
mod error;
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
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();

    tauri::Builder::default()
        .setup(|app| {
            let state = tauri::async_runtime::block_on(startup(app.handle()))?;
            app.manage(state);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::session::app_info,
            commands::catalog::articles,
            commands::sale::pay_cash,
        ])
        .run(tauri::generate_context!())
        .expect("error while running Smart Till");
}

/// Opens the journal and connects to the provider, or to the built-in simulator in demo mode.
async fn startup(app: &tauri::AppHandle) -> Result<AppState, Box<dyn std::error::Error>> {
    let data_dir = match std::env::var_os(ENV_DATA_DIR) {
        Some(dir) => PathBuf::from(dir),
        None => app.path().app_data_dir()?,
    };
    let journal_path = data_dir.join("journal.sqlite3");
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
        _sandbox: Some(sandbox),
    })
}
