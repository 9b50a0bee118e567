//! What the commands share: the API client, the journal, the shop settings,
//! printing, the secrets and the pairing, and the small status the
//! background task keeps for the status bar.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use receipt::ShopHeader;
use secuconnect::Client;
use secuconnect_sandbox::RunningSandbox;
use till::Journal;

use crate::connection::pairing::Pairing;
use crate::printing::Printing;
use crate::secrets::SecretStore;
use crate::settings::{Environment, SettingsFile};

pub struct AppState {
    pub client: Client,
    pub journal: Mutex<Journal>,
    /// The receipt header; the settings screen changes it between sales.
    pub shop: Mutex<ShopHeader>,
    pub till_id: String,
    /// Demo mode: the built-in simulator answers instead of the provider.
    pub demo: bool,
    /// The environment this run is connected to (a switch applies at the next start).
    pub environment: Environment,
    /// Shown in the settings, so support can ask for the file.
    pub log_dir: std::path::PathBuf,
    /// Kept alive for as long as the app runs (demo mode only).
    pub sandbox: Option<RunningSandbox>,
    /// The TSE that signs every sale and cancellation; empty: none set up
    /// (yet: a setup finished while the till runs fills it, see [`AppState::tse`]).
    pub tse: std::sync::OnceLock<till::Tse>,
    /// The guided TSE setup's memory (the PUK until it is noted).
    pub tse_setup: crate::tse::setup::SetupMemory,
    /// The built-in TSE simulator, kept alive with the app (demo mode only).
    pub tse_sandbox: Option<fiskaly_sandbox::RunningSandbox>,
    /// What the last contact with the payment service showed.
    pub link: Mutex<LinkStatus>,
    /// Held by whoever talks to the provider about open sales (a card
    /// payment, catching up), so catching up never settles a payment that is
    /// still running on the terminal.
    pub provider_work: tokio::sync::Mutex<()>,
    /// The cashier asked the provider to abort the running card payment: a
    /// payment that then fails was aborted, not declined.
    pub abort_requested: AtomicBool,
    /// What the till's own checks found in its journal's chain.
    pub health: till::integrity::JournalHealth,
    /// The last sale that catching up settled (a payment left in doubt), for
    /// the card screen that is still waiting to hear of it. Only one payment
    /// can be in doubt at a time; a new card payment clears it.
    pub settled: Mutex<Option<till::CompletedSale>>,
    /// The print queue, the receipt printer and its last known state.
    pub printing: Printing,
    /// The client secret and a paired till's refresh token.
    pub secrets: Arc<dyn SecretStore>,
    /// The one device pairing of this till.
    pub pairing: Pairing,
    /// The settings file (`settings.json`).
    pub settings: SettingsFile,
    /// The shop's articles, groups and cashiers (`catalog.sqlite3` beside the journal).
    pub catalog: Mutex<catalog::Catalog>,
    /// Who is logged in on this till.
    pub session: crate::cashier::Session,
    /// The newest catalogue change already in the journal (`changes.seq`).
    pub catalog_journaled: Mutex<i64>,
    /// The CSV file previewed on the import screen, until it is imported.
    pub pending_import: Mutex<Option<catalog::ImportPreview>>,
    /// What the customer display shows; the shell connects its window.
    pub display: Arc<crate::customer_display::CustomerDisplay>,
    /// Pay by QR code: the payment that waits for the customer, a late one.
    pub qr: crate::qr::QrPayments,
}

/// How many catalogue changes go into the journal in one transaction.
const CHANGES_PER_ROUND: u32 = 1_000;

/// Online/offline as last seen, and when the till last caught up.
#[derive(Debug, Clone)]
pub struct LinkStatus {
    pub online: bool,
    /// ISO 8601 time of the last round that reached the payment service.
    pub last_sync: Option<String>,
}

impl Default for LinkStatus {
    /// Online until a round shows otherwise, so card payment is offered at start-up.
    fn default() -> Self {
        Self {
            online: true,
            last_sync: None,
        }
    }
}

impl AppState {
    /// The checkout over this till's client, journal and settings.
    pub fn checkout(&self) -> till::Checkout<'_> {
        till::Checkout {
            client: &self.client,
            journal: &self.journal,
            shop: self.shop(),
            till_id: &self.till_id,
            demo: self.demo,
            tse: self.tse(),
        }
    }

    /// The TSE that signs this till's sales, when one is set up.
    pub fn tse(&self) -> Option<&till::Tse> {
        self.tse.get()
    }

    /// The journal, also after a thread panicked while holding it.
    pub fn journal(&self) -> std::sync::MutexGuard<'_, Journal> {
        self.journal.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The catalogue, also after a thread panicked while holding it.
    pub fn catalog(&self) -> std::sync::MutexGuard<'_, catalog::Catalog> {
        self.catalog.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Writes the catalogue's changes the journal does not have yet into it
    /// (who, when, old → new), so that the journal explains every price a
    /// receipt shows. Called after every change, and at start for changes
    /// made while the till was closed (the command-line import).
    pub fn journal_catalog_changes(&self) -> Result<(), crate::CommandError> {
        let mut done = self
            .catalog_journaled
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let catalog = self.catalog();
        loop {
            let changes = catalog.changes_since(*done, CHANGES_PER_ROUND)?;
            let Some(last) = changes.last().map(|c| c.seq) else {
                return Ok(());
            };
            let bodies: Vec<serde_json::Value> = changes
                .iter()
                .map(|c| {
                    let mut body = serde_json::to_value(&c.event).unwrap_or_default();
                    body["catalog_seq"] = c.seq.into();
                    body
                })
                .collect();
            self.journal()
                .record(till::journal::kind::CATALOG_CHANGE, &bodies)?;
            *done = last;
        }
    }

    pub fn shop(&self) -> ShopHeader {
        self.shop.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn set_shop(&self, shop: ShopHeader) {
        *self.shop.lock().unwrap_or_else(|p| p.into_inner()) = shop;
    }

    pub fn link(&self) -> LinkStatus {
        self.link.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn set_link(&self, online: bool) {
        let mut link = self.link.lock().unwrap_or_else(|p| p.into_inner());
        link.online = online;
        if online {
            link.last_sync = Some(chrono::Local::now().to_rfc3339());
        }
    }

    /// Records what a call to the payment service showed about the link:
    /// an answer means online, [`unreachable`] offline.
    pub fn seen<T>(&self, result: &Result<T, secuconnect::Error>) {
        match result {
            Ok(_) => self.set_link(true),
            Err(e) => self.set_link(!e.unreachable()),
        }
    }

    /// Keeps a sale settled in the background for the card screen.
    pub fn remember_settled(&self, sale: &till::CompletedSale) {
        *self.settled.lock().unwrap_or_else(|p| p.into_inner()) = Some(sale.clone());
    }

    /// The sale settled in the background since the card screen last asked.
    pub fn take_settled(&self) -> Option<till::CompletedSale> {
        self.settled
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
    }

    /// A card payment's call is running on the terminal now. The journal
    /// knows which payment calls are on their way (`Journal::payment_running`),
    /// the one mechanism that also keeps catching up from settling it.
    pub fn card_running(&self) -> bool {
        let journal = self.journal();
        journal.in_doubt().is_ok_and(|open| {
            open.iter().any(|d| {
                d.intent.method == till::PaymentMethod::Card
                    && journal.payment_running(&d.intent.sale_id)
            })
        })
    }

    pub(crate) fn take_abort_requested(&self) -> bool {
        self.abort_requested.swap(false, Ordering::SeqCst)
    }
}
