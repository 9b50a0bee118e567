//! What the commands share: the API client, the journal, the shop settings.

use std::sync::Mutex;

use receipt::ShopHeader;
use secuconnect::Client;
use secuconnect_sandbox::RunningSandbox;
use till::Journal;

pub struct AppState {
    pub client: Client,
    pub journal: Mutex<Journal>,
    pub shop: ShopHeader,
    pub till_id: String,
    /// Demo mode: the built-in simulator answers instead of the provider.
    pub demo: bool,
    /// Shown in the settings, so support can ask for the file.
    pub log_dir: std::path::PathBuf,
    /// Kept alive for as long as the app runs (demo mode only).
    pub _sandbox: Option<RunningSandbox>,
}

impl AppState {
    /// The checkout over this till's client, journal and settings.
    pub fn checkout(&self) -> till::Checkout<'_> {
        till::Checkout {
            client: &self.client,
            journal: &self.journal,
            shop: &self.shop,
            till_id: &self.till_id,
            demo: self.demo,
        }
    }
}
