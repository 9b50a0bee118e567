//! The till over the simulator: the real client against a demo sandbox on
//! loopback, and a real SQLite journal in a temporary directory.
#![allow(dead_code)]

pub mod tse_till;

use std::sync::Mutex;
use std::time::Duration;

use receipt::ShopHeader;
use secuconnect::{Client, ClientConfig, Credentials, Secret};
use secuconnect_sandbox::{demo, RunningSandbox, SandboxConfig};
use till::{Checkout, Journal};

pub fn shop() -> ShopHeader {
    ShopHeader {
        name: "Bäckerei Müller".into(),
        address_lines: vec!["Hauptstraße 1".into()],
        vat_id: None,
        footer: None,
    }
}

/// The demo till's client of the simulator at `url`.
pub fn client(url: &str, terminal_timeout: Duration) -> Client {
    Client::new(
        ClientConfig::new(
            url,
            Credentials {
                client_id: demo::DEMO_CLIENT_ID.into(),
                client_secret: Secret::new(demo::DEMO_CLIENT_SECRET),
            },
        )
        .with_timeout(Duration::from_secs(10))
        .with_terminal_timeout(terminal_timeout),
    )
    .unwrap()
}

pub struct Till {
    pub sandbox: RunningSandbox,
    pub client: Client,
    pub journal: Mutex<Journal>,
    /// The journal's file.
    pub path: std::path::PathBuf,
    pub shop: ShopHeader,
    _dir: tempfile::TempDir,
}

impl Till {
    /// A simulator whose terminal answers after 20 ms, a terminal timeout of 30 s.
    pub async fn new() -> Self {
        Self::with_terminal_timeout(Duration::from_secs(30)).await
    }

    pub async fn with_terminal_timeout(timeout: Duration) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.sqlite3");
        Self::at(dir, &path, timeout).await
    }

    /// A till whose journal is the file `path` (`dir` is kept for the till's life).
    pub async fn at(dir: tempfile::TempDir, path: &std::path::Path, timeout: Duration) -> Self {
        let sandbox = secuconnect_sandbox::start_demo().await.unwrap();
        sandbox
            .state
            .configure(SandboxConfig {
                terminal_delay_ms: Some(20),
                ..SandboxConfig::default()
            })
            .unwrap();
        Self {
            client: client(&sandbox.url(), timeout),
            journal: Mutex::new(Journal::open(path).unwrap()),
            path: path.to_path_buf(),
            sandbox,
            shop: shop(),
            _dir: dir,
        }
    }

    pub fn checkout(&self) -> Checkout<'_> {
        Checkout {
            client: &self.client,
            journal: &self.journal,
            shop: self.shop.clone(),
            till_id: "KASSE-1",
            demo: true,
            tse: None,
        }
    }

    pub fn journal(&self) -> std::sync::MutexGuard<'_, Journal> {
        self.journal.lock().unwrap()
    }

    /// The payments the simulated terminal took (and whether each was refunded).
    pub fn terminal_payments(&self) -> Vec<serde_json::Value> {
        self.sandbox.state.snapshot()["terminal"]["payments"]
            .as_array()
            .unwrap()
            .clone()
    }

    /// How many of the terminal's payments were refunded.
    pub fn refunds(&self) -> usize {
        self.terminal_payments()
            .iter()
            .filter(|p| p["cancelled"] == true)
            .count()
    }

    /// The simulator's smart transactions made for our sale id.
    pub fn stx_by_ref(&self, sale_id: &str) -> Vec<serde_json::Value> {
        self.sandbox.state.snapshot()["transactions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["transactionRef"] == sale_id)
            .cloned()
            .collect()
    }
}
