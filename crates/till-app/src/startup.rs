//! Starting the till: where its data is, the environment's journal, and the
//! connection to its provider (the built-in simulator in demo mode).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use secuconnect::{Client, ClientConfig, Credentials, Secret};
use secuconnect_sandbox::{demo, Sandbox};
use till::Journal;
use tracing::info;

use crate::connection::pairing::Pairing;
use crate::connection::{client_for, journal_file, keep_refresh_token};
use crate::printing::Printing;
use crate::secrets::SecretStore;
use crate::settings::{
    AuthMode, Environment, JsonFileStore, SettingsFile, SettingsStore, STORE_FILE,
};
use crate::state::{AppState, LinkStatus};

/// Overrides the data directory (tests, portable installs).
pub const ENV_DATA_DIR: &str = "SMART_TILL_DATA_DIR";
/// Pins the demo simulator's port (tests reach it there); a free port otherwise.
pub const ENV_DEMO_PORT: &str = "SMART_TILL_DEMO_PORT";
/// Pins the demo TSE simulator's port (tests inject faults there); a free port otherwise.
pub const ENV_DEMO_TSE_PORT: &str = "SMART_TILL_DEMO_TSE_PORT";
/// A file where demo mode writes its simulators' URLs once they listen, as
/// `{"simulator": url, "tse": url}`. Tests leave the ports to the system and
/// read them here: a port picked free beforehand can be taken by another
/// process before the till binds it.
pub const ENV_DEMO_URLS_FILE: &str = "SMART_TILL_DEMO_URLS_FILE";
/// How many smart transactions the demo simulator remembers: a busy day's
/// worth, so that today's sales can be read back and cancelled, while its
/// memory stays flat however long the till runs (it forgets them all at a
/// restart anyway).
const DEMO_KEPT_TRANSACTIONS: usize = 1_000;

/// Where the till keeps its data and logs.
#[derive(Debug, Clone)]
pub struct Dirs {
    pub data: PathBuf,
    pub logs: PathBuf,
}

impl Dirs {
    /// Both under `SMART_TILL_DATA_DIR`, when it is set.
    pub fn from_env() -> Option<Self> {
        let data = PathBuf::from(std::env::var_os(ENV_DATA_DIR)?);
        Some(Self {
            logs: data.join("logs"),
            data,
        })
    }
}

/// The data directory without a running app (for the command line): the
/// same one the app resolves, `SMART_TILL_DATA_DIR` or the platform's app-data directory.
pub fn data_dir() -> Option<PathBuf> {
    match std::env::var_os(ENV_DATA_DIR) {
        Some(dir) => Some(PathBuf::from(dir)),
        None => dirs::data_dir().map(|d| d.join(crate::IDENTIFIER)),
    }
}

/// The journal the till opens in `data`: the one of the environment saved in
/// the settings (demo when none is saved or the file cannot be read).
pub fn journal_path(data: &Path) -> PathBuf {
    let settings = SettingsFile::new(Arc::new(JsonFileStore::new(data.join(STORE_FILE))));
    data.join(journal_file(settings.connection().environment))
}

/// The shop's settings saved in `data` (their defaults where none are
/// saved or the file cannot be read), for the command line.
pub fn shop_settings(data: &Path) -> crate::settings::ShopSettings {
    let settings = SettingsFile::new(Arc::new(JsonFileStore::new(data.join(STORE_FILE))));
    settings.section(crate::settings::KEY_SHOP, &mut Vec::new())
}

/// The catalogue beside the environment's journal: `catalog.sqlite3` in demo
/// mode, `catalog-testing.sqlite3` and `catalog-live.sqlite3` otherwise, so
/// that the demo shop's articles never reach a real till.
pub fn catalog_file(env: Environment) -> &'static str {
    match env {
        Environment::Demo => "catalog.sqlite3",
        Environment::Testing => "catalog-testing.sqlite3",
        Environment::Live => "catalog-live.sqlite3",
    }
}

/// The catalogue the till opens in `data` (the command line's import and export).
pub fn catalog_path(data: &Path) -> PathBuf {
    let settings = SettingsFile::new(Arc::new(JsonFileStore::new(data.join(STORE_FILE))));
    data.join(catalog_file(settings.connection().environment))
}

/// Opens the environment's catalogue; demo mode's starts with the demo shop.
pub fn open_catalog(
    data: &Path,
    environment: Environment,
) -> Result<catalog::Catalog, Box<dyn std::error::Error>> {
    let path = data.join(catalog_file(environment));
    let mut catalog = catalog::Catalog::open(&path)?;
    if environment == Environment::Demo {
        catalog.load_demo()?;
    }
    info!(path = %path.display(), "catalogue open");
    Ok(catalog)
}

/// The newest catalogue change the journal already has.
fn catalog_journaled(journal: &Journal) -> Result<i64, till::JournalError> {
    Ok(journal
        .last_recorded(till::journal::kind::CATALOG_CHANGE)?
        .and_then(|b| b["catalog_seq"].as_i64())
        .unwrap_or(0))
}

/// Opens the environment's journal and connects to its provider: the
/// built-in simulator in demo mode, the provider's testing or live system with
/// the credentials from the keychain otherwise. Printing starts with the
/// receipt printer of the settings.
pub async fn start(
    dirs: &Dirs,
    store: Arc<dyn SettingsStore>,
    secrets: Arc<dyn SecretStore>,
) -> Result<AppState, Box<dyn std::error::Error>> {
    let settings_file = SettingsFile::new(store);
    let settings = settings_file.load(&dirs.logs);
    for problem in &settings.problems {
        tracing::warn!("{problem}");
    }
    let environment = settings.connection.environment;
    std::fs::create_dir_all(&dirs.data)?;
    let journal_path = dirs.data.join(journal_file(environment));
    let journal = Journal::open(&journal_path)?;
    info!(path = %journal_path.display(), environment = environment.name(), "journal open");
    let catalog = open_catalog(&dirs.data, environment)?;
    let journaled = catalog_journaled(&journal)?;

    let (client, sandbox) = match client_for(&settings.connection, secrets.as_ref())? {
        Some(client) => {
            if settings.connection.auth_mode == AuthMode::Device {
                keep_refresh_token(&client, environment, Arc::clone(&secrets));
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
    // Demo mode signs with the built-in TSE simulator, its TSS and this till
    // set up already; testing and live with the TSE of Settings → TSE, once
    // its guided setup is complete.
    let (tse, tse_sandbox) = if sandbox.is_some() {
        let (tse, running) = demo_tse().await?;
        (Some(tse), Some(running))
    } else {
        let tse = crate::tse::signing_tse(
            &settings_file,
            secrets.as_ref(),
            environment,
            &crate::tse::base_url(),
        );
        (tse, None)
    };

    if let (Some(file), Some(simulator), Some(tse)) =
        (std::env::var_os(ENV_DEMO_URLS_FILE), &sandbox, &tse_sandbox)
    {
        write_demo_urls(Path::new(&file), &simulator.url(), &tse.url())?;
    }

    let state = AppState {
        client,
        journal: Mutex::new(journal),
        shop: Mutex::new(settings.shop.header()),
        till_id: settings.shop.till_id.clone(),
        demo: environment == Environment::Demo,
        environment,
        log_dir: dirs.logs.clone(),
        sandbox,
        tse: tse.map(std::sync::OnceLock::from).unwrap_or_default(),
        tse_setup: Default::default(),
        tse_sandbox,
        link: Mutex::new(LinkStatus::default()),
        provider_work: tokio::sync::Mutex::new(()),
        abort_requested: Default::default(),
        health: till::integrity::JournalHealth::new(&journal_path),
        settled: Mutex::new(None),
        printing: Printing::start(&settings),
        secrets,
        pairing: Pairing::default(),
        settings: settings_file,
        catalog: Mutex::new(catalog),
        session: Default::default(),
        catalog_journaled: Mutex::new(journaled),
        pending_import: Mutex::new(None),
        display: crate::customer_display::CustomerDisplay::new(
            settings.shop.name.clone(),
            settings.customer_display.message.clone(),
            settings.language,
            crate::customer_display::THANKS_FOR,
        ),
        qr: Default::default(),
    };
    // Receipts that did not print before a crash or a restart are offered again.
    state.printing.keep_missed_in(state.settings.clone());
    // Changes made while the till was closed (an import on the command line, the demo shop).
    state.journal_catalog_changes().map_err(|e| e.message)?;
    crate::cashier::start_session(&state).map_err(|e| e.message)?;
    Ok(state)
}

/// Writes the demo simulators' URLs to `file` whole (a reader never sees half of it).
pub fn write_demo_urls(file: &Path, simulator: &str, tse: &str) -> std::io::Result<()> {
    let body = serde_json::json!({ "simulator": simulator, "tse": tse }).to_string();
    let partial = file.with_extension("partial");
    std::fs::write(&partial, body)?;
    std::fs::rename(&partial, file)
}

/// How many finished TSE transactions the demo simulator keeps (its memory
/// stays flat all day). The till never reads a finished one back: it journals
/// each signature as it gets it, and asks the TSE again only about
/// transactions left open, which the simulator never forgets. At about 4.5 kB
/// each, a day's thousand would be 4.5 MB held for no reader.
const DEMO_KEPT_TSE_TRANSACTIONS: usize = 100;

/// The built-in TSE simulator of demo mode on a free loopback port, with its
/// demo TSS (INITIALIZED) and this till registered, and the TSE over it.
pub async fn demo_tse(
) -> Result<(till::Tse, fiskaly_sandbox::RunningSandbox), Box<dyn std::error::Error>> {
    let port: u16 = match std::env::var(ENV_DEMO_TSE_PORT) {
        Ok(p) => p
            .parse()
            .map_err(|_| format!("{ENV_DEMO_TSE_PORT} must be a port number, not {p:?}"))?,
        Err(_) => 0,
    };
    let running = fiskaly_sandbox::serve(
        SocketAddr::from(([127, 0, 0, 1], port)),
        Arc::new(fiskaly_sandbox::Sandbox::with_demo_tss().keep_newest(DEMO_KEPT_TSE_TRANSACTIONS)),
    )
    .await?;
    info!(url = %running.url(), "demo mode: built-in TSE simulator running");
    let client = fiskaly::Client::new(
        fiskaly::ClientConfig::new(
            running.url(),
            fiskaly::Credentials {
                api_key: fiskaly_sandbox::DEMO_API_KEY.into(),
                api_secret: fiskaly::Secret::new(fiskaly_sandbox::DEMO_API_SECRET),
            },
        )
        .with_timeout(crate::tse::STEP_TIMEOUT),
    )?;
    let tse = till::Tse::new(
        client,
        fiskaly_sandbox::DEMO_TSS_ID,
        fiskaly_sandbox::DEMO_CLIENT_ID,
    );
    Ok((tse, running))
}
