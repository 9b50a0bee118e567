//! The sandbox's state: demo data, tokens, settings, faults; and the control API.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::distr::Alphanumeric;
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use tokio::sync::{watch, Notify};

use crate::cards::{Card, CardSpec};
use crate::config::{SandboxConfig, Settings};
use crate::demo;
use crate::error::ApiError;
use crate::faults::Fault;
use crate::stored::Stored;
use crate::terminal::{CardScheme, Outcome, TerminalNext, TerminalPayment};

/// How many of the newest smart transactions are kept as JSON trees; older
/// ones rest as text (`stored`).
const KEPT_AS_TREES: usize = 20;

/// All state of one sandbox. Share it behind an `Arc`.
pub struct Sandbox {
    inner: Mutex<Inner>,
    /// The settings it started with; `reset()` returns to them.
    initial: Settings,
    state_file: Option<PathBuf>,
    /// At most this many smart transactions are kept (`keep_newest`).
    keep: Option<usize>,
}

/// What survives a restart when a state file is given. No `Debug`: it holds
/// refresh tokens.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct Data {
    pub cards: BTreeMap<String, Card>,
    pub transactions: HashMap<String, Stored>,
    /// Transaction ids in creation order.
    pub order: Vec<String>,
    /// Rested transactions that changed since (trees again): put back to
    /// rest at the next creation.
    #[serde(skip)]
    pub woken: Vec<String>,
    pub last_trans_id: u64,
    pub last_receipt_number: u64,
    pub last_trace: u64,
    pub terminal_day: u64,
    pub terminal_payments: Vec<TerminalPayment>,
    pub closings: Vec<Value>,
    /// refresh token → the device it belongs to.
    pub refresh_tokens: HashMap<String, RefreshGrant>,
}

#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct RefreshGrant {
    pub client_id: String,
    pub device: String,
}

/// A smart transaction: its document as answered, and what its payment moved.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Transaction {
    pub doc: Map<String, Value>,
    pub settlement: Option<Settlement>,
}

/// The money a payment moved, so that a cancellation can move it back.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Settlement {
    pub cardnumber: Option<String>,
    pub from_bonus: i64,
    pub from_cash: i64,
    pub loaded: i64,
    /// What the till (or the terminal) collected.
    pub collected: i64,
    pub terminal_receipt: Option<u64>,
}

pub(crate) struct AccessToken {
    pub expires_at: Instant,
    pub device: Option<String>,
}

pub(crate) struct DeviceCode {
    pub user_code: String,
    pub uuid: String,
    pub client_id: String,
    pub expires_at: Instant,
    pub confirmed: bool,
}

/// A terminal operation in progress (`start/cashless`).
pub(crate) struct Running {
    pub abort: Arc<Notify>,
    pub done: watch::Receiver<bool>,
}

pub(crate) struct Inner {
    pub data: Data,
    pub settings: Settings,
    pub tokens: HashMap<String, AccessToken>,
    pub device_codes: HashMap<String, DeviceCode>,
    pub faults: Vec<Fault>,
    pub offline: bool,
    pub terminal_next: VecDeque<TerminalNext>,
    pub running: HashMap<String, Running>,
    /// `http://host:port` as served (kept by `reset`), for the checkout's `payment_links`.
    pub public_url: Option<String>,
}

/// A provider-style id: `PREFIX_` and 28 upper-case letters and digits.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", random_text(28).to_ascii_uppercase())
}

pub(crate) fn random_text(len: usize) -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

pub(crate) fn now() -> String {
    chrono::Local::now()
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

fn demo_data() -> Data {
    Data {
        cards: crate::cards::demo_cards()
            .into_iter()
            .map(|c| (c.cardnumber.clone(), c))
            .collect(),
        transactions: HashMap::new(),
        order: Vec::new(),
        woken: Vec::new(),
        last_trans_id: demo::FIRST_TRANS_ID,
        last_receipt_number: 0,
        last_trace: 10,
        terminal_day: 1,
        terminal_payments: Vec::new(),
        closings: Vec::new(),
        refresh_tokens: HashMap::new(),
    }
}

impl Inner {
    fn new(data: Data, settings: Settings) -> Self {
        Self {
            data,
            settings,
            tokens: HashMap::new(),
            device_codes: HashMap::new(),
            faults: Vec::new(),
            offline: false,
            terminal_next: VecDeque::new(),
            running: HashMap::new(),
            public_url: None,
        }
    }
}

/// Errors of the state file.
#[derive(Debug, thiserror::Error)]
pub enum StateFileError {
    #[error("cannot read the state file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the state file {path} is not a sandbox state: {source}")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
}

impl Sandbox {
    /// The demo data with demo settings (terminal waits a few seconds).
    pub fn with_demo_data() -> Self {
        Self::with_settings(Settings::default())
    }

    /// The demo data with `config` applied on top of the demo settings; `reset()`
    /// returns to these settings.
    pub fn with_config(config: &SandboxConfig) -> Result<Self, ApiError> {
        let mut settings = Settings::default();
        settings.apply(config)?;
        Ok(Self::with_settings(settings))
    }

    fn with_settings(settings: Settings) -> Self {
        Self {
            inner: Mutex::new(Inner::new(demo_data(), settings.clone())),
            initial: settings,
            state_file: None,
            keep: None,
        }
    }

    /// Keeps only the newest `n` smart transactions: an older one is forgotten
    /// once `n` newer ones exist, unless its terminal payment is still running.
    /// For a simulator that runs all day inside the till (demo mode), whose
    /// memory must not grow with every sale; a forgotten transaction answers
    /// "not found", as every one does after the demo till restarts.
    pub fn keep_newest(mut self, n: usize) -> Self {
        self.keep = Some(n.max(1));
        self
    }

    /// Forgets the oldest transactions beyond the `keep_newest` limit.
    pub(crate) fn forget_beyond_limit(&self, inner: &mut Inner) {
        let Some(keep) = self.keep else {
            return;
        };
        let data = &mut inner.data;
        let mut excess = data.order.len().saturating_sub(keep);
        if excess == 0 {
            return;
        }
        let transactions = &mut data.transactions;
        // The newest is the one just created: never forgotten, even when
        // every older one is a running payment.
        let newest = data.order.len() - 1;
        let mut index = 0;
        data.order.retain(|id| {
            index += 1;
            if excess == 0 || index > newest {
                return true;
            }
            let running = transactions.get(id).is_some_and(Stored::is_running);
            if running {
                return true;
            }
            transactions.remove(id);
            excess -= 1;
            false
        });
    }

    /// Puts to rest (as text, see `stored`) the transaction that has just
    /// left the newest `KEPT_AS_TREES`, and those that changed since they
    /// rested. The newest stay trees: they are the ones being paid.
    pub(crate) fn rest_settled(inner: &mut Inner) {
        let data = &mut inner.data;
        let leaving = data
            .order
            .len()
            .checked_sub(KEPT_AS_TREES + 1)
            .map(|i| data.order[i].clone());
        for id in data.woken.drain(..).chain(leaving) {
            if let Some(stored) = data.transactions.get_mut(&id) {
                stored.rest();
            }
        }
    }

    /// Keeps the state in `path` (JSON), loading it when the file exists, so that
    /// a demo survives a restart. Every change is written at once.
    pub fn persisted_to(mut self, path: &Path) -> Result<Self, StateFileError> {
        match std::fs::read(path) {
            Ok(bytes) => {
                let data: Data =
                    serde_json::from_slice(&bytes).map_err(|source| StateFileError::Parse {
                        path: path.to_path_buf(),
                        source,
                    })?;
                let inner = self.inner.get_mut().unwrap_or_else(|e| e.into_inner());
                inner.data = data;
                // Terminal payments that were running when the sandbox stopped never
                // finished: they failed, and the card gets its held share back.
                let Data {
                    transactions,
                    cards,
                    ..
                } = &mut inner.data;
                for stored in transactions.values_mut() {
                    if !stored.is_running() {
                        continue;
                    }
                    let tx = stored.get_mut();
                    tx.doc.insert("status".into(), json!("failed"));
                    if let Some(held) = tx.settlement.take() {
                        if let Some(card) = held.cardnumber.as_ref().and_then(|n| cards.get_mut(n))
                        {
                            card.bonus_balance += held.from_bonus;
                            card.cash_balance += held.from_cash;
                        }
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(StateFileError::Read {
                    path: path.to_path_buf(),
                    source,
                })
            }
        }
        self.state_file = Some(path.to_path_buf());
        Ok(self)
    }

    /// The address the sandbox is served at (set by `serve`); checkout links point there.
    pub fn set_public_url(&self, url: &str) {
        self.lock().public_url = Some(url.to_string());
    }

    pub fn public_url(&self) -> Option<String> {
        self.lock().public_url.clone()
    }

    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panicking handler must not take the whole sandbox down with it.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes the state file (if any); called with the lock held so that writes
    /// are never reordered.
    pub(crate) fn persist(&self, inner: &Inner) {
        let Some(path) = &self.state_file else {
            return;
        };
        let result = serde_json::to_vec_pretty(&inner.data)
            .map_err(std::io::Error::other)
            .and_then(|bytes| {
                let tmp = path.with_extension("tmp");
                std::fs::write(&tmp, bytes)?;
                std::fs::rename(&tmp, path)
            });
        if let Err(e) = result {
            tracing::error!(path = %path.display(), error = %e, "cannot write the state file");
        }
    }

    // ---- control API ------------------------------------------------------

    /// Back to the demo data: no transactions, tokens, faults; the starting settings.
    pub fn reset(&self) {
        let mut inner = self.lock();
        // Wake any terminal still waiting so that nothing runs on after a reset.
        for running in inner.running.values() {
            running.abort.notify_one();
        }
        let public_url = inner.public_url.take();
        *inner = Inner::new(demo_data(), self.initial.clone());
        inner.public_url = public_url;
        self.persist(&inner);
    }

    /// The whole state as JSON: transactions, cards, device codes, faults, settings.
    pub fn snapshot(&self) -> Value {
        let inner = self.lock();
        let now = Instant::now();
        let transactions: Vec<Value> = inner
            .data
            .order
            .iter()
            .filter_map(|id| inner.data.transactions.get(id))
            .map(|t| Sandbox::render(&inner, &t.get()))
            .collect();
        let cards: Vec<Value> = inner
            .data
            .cards
            .values()
            .map(|c| {
                json!({
                    "id": c.id,
                    "cardnumber": c.cardnumber,
                    "balance": c.balance(),
                    "cash_balance": c.cash_balance,
                    "bonus_balance": c.bonus_balance,
                    "points": c.points,
                    "stock_status": c.stock_status,
                    "lock_status": c.lock_status,
                    "passcode": c.passcode,
                })
            })
            .collect();
        let device_codes: Vec<Value> = inner
            .device_codes
            .values()
            .map(|d| {
                json!({
                    "user_code": d.user_code,
                    "uuid": d.uuid,
                    "confirmed": d.confirmed,
                    "expires_in": d.expires_at.saturating_duration_since(now).as_secs(),
                })
            })
            .collect();
        json!({
            "transactions": transactions,
            "cards": cards,
            "device_codes": device_codes,
            "faults": inner.faults,
            "offline": inner.offline,
            "config": inner.settings.to_config(),
            "tokens": inner.tokens.values().filter(|t| t.expires_at > now).count(),
            "terminal": {
                "day": inner.data.terminal_day,
                "last_receipt_number": inner.data.last_receipt_number,
                "last_trans_id": inner.data.last_trans_id,
                "next": inner.terminal_next,
                "payments": inner.data.terminal_payments,
                "closings": inner.data.closings,
            },
        })
    }

    /// The merchant confirms a pairing code in the back office. False when the
    /// code is unknown or expired.
    pub fn confirm_user_code(&self, user_code: &str) -> bool {
        let wanted = normalise_user_code(user_code);
        let mut inner = self.lock();
        let now = Instant::now();
        match inner
            .device_codes
            .values_mut()
            .find(|d| normalise_user_code(&d.user_code) == wanted && d.expires_at > now)
        {
            Some(code) => {
                code.confirmed = true;
                true
            }
            None => false,
        }
    }

    /// Changes the given settings; an invalid value changes nothing.
    pub fn configure(&self, config: SandboxConfig) -> Result<(), ApiError> {
        self.lock().settings.apply(&config)
    }

    /// The settings in effect.
    pub fn config(&self) -> SandboxConfig {
        self.lock().settings.to_config()
    }

    /// Injects a fault for the next `count` matching calls.
    pub fn inject(&self, fault: Fault) -> Result<(), ApiError> {
        fault.validate().map_err(ApiError::bad_request)?;
        self.lock().faults.push(fault);
        Ok(())
    }

    /// Offline: every API route drops the connection before processing.
    pub fn set_offline(&self, offline: bool) {
        self.lock().offline = offline;
    }

    pub fn is_offline(&self) -> bool {
        self.lock().offline
    }

    /// The outcome of the next `start/cashless` (queued: one per call).
    pub fn next_terminal_outcome(&self, outcome: Outcome) {
        self.next_terminal(TerminalNext {
            outcome,
            card: None,
        });
    }

    /// The outcome and the customer's card of the next `start/cashless`.
    pub fn next_terminal(&self, next: TerminalNext) {
        self.lock().terminal_next.push_back(next);
    }

    /// Changes or adds a secucard (balances, status, passcode).
    pub fn put_card(&self, spec: CardSpec) -> Result<Value, ApiError> {
        spec.validate().map_err(ApiError::bad_request)?;
        let mut inner = self.lock();
        let card = inner
            .data
            .cards
            .entry(spec.cardnumber.clone())
            .or_insert_with(|| {
                let mut c = crate::cards::demo_cards().remove(2);
                c.id = new_id("MCD");
                c.card_id = new_id("CRD");
                c.cardnumber = spec.cardnumber.clone();
                c.created = now();
                c
            });
        spec.apply(card);
        let answer = card.to_json();
        self.persist(&inner);
        Ok(answer)
    }

    /// A card's state by its number.
    pub fn card(&self, cardnumber: &str) -> Option<Value> {
        self.lock().data.cards.get(cardnumber).map(Card::to_json)
    }

    /// Removes every pending fault.
    pub fn clear_faults(&self) {
        self.lock().faults.clear();
    }

    /// The faults still pending.
    pub fn pending_faults(&self) -> Vec<Fault> {
        self.lock().faults.clone()
    }

    /// Takes one use of every fault matching the request.
    pub(crate) fn take_faults(&self, method: &str, path: &str) -> Vec<Fault> {
        let mut inner = self.lock();
        let mut fired = Vec::new();
        for fault in inner.faults.iter_mut() {
            if fault.count > 0 && fault.matches(method, path) {
                fault.count -= 1;
                fired.push(fault.clone());
            }
        }
        inner.faults.retain(|f| f.count > 0);
        fired
    }

    pub(crate) fn terminal_delay(&self) -> Duration {
        self.lock().settings.terminal_delay
    }

    // ---- tokens ------------------------------------------------------------

    fn new_access_token(inner: &mut Inner, device: Option<String>) -> String {
        let token = random_text(26).to_ascii_lowercase();
        // A new token for a device invalidates its previous one.
        if let Some(device) = &device {
            inner
                .tokens
                .retain(|_, t| t.device.as_deref() != Some(device.as_str()));
        }
        let now = Instant::now();
        inner.tokens.retain(|_, t| t.expires_at > now);
        let expires_at = now + inner.settings.token_lifetime;
        inner
            .tokens
            .insert(token.clone(), AccessToken { expires_at, device });
        token
    }

    fn token_answer(inner: &Inner, token: String, refresh: Option<String>) -> Value {
        let mut answer = json!({
            "access_token": token,
            "expires_in": inner.settings.token_lifetime.as_secs(),
            "token_type": "bearer",
            "scope": "https://scope.secucard.com/e/api",
        });
        if let Some(refresh) = refresh {
            answer["refresh_token"] = json!(refresh);
        }
        answer
    }

    /// A token for the `client_credentials` grant.
    pub fn issue_token(&self) -> String {
        Self::new_access_token(&mut self.lock(), None)
    }

    pub(crate) fn client_credentials_answer(&self) -> Value {
        let mut inner = self.lock();
        let token = Self::new_access_token(&mut inner, None);
        Self::token_answer(&inner, token, None)
    }

    /// Device grant, step 1: a device code and the user code to confirm.
    pub(crate) fn start_device_authorisation(&self, client_id: &str, uuid: &str) -> Value {
        let mut inner = self.lock();
        let now = Instant::now();
        inner.device_codes.retain(|_, d| d.expires_at > now);
        let device_code = random_text(32).to_ascii_lowercase();
        let letters: String = (0..8)
            .map(|_| char::from(b'A' + rand::rng().random_range(0..26u8)))
            .collect();
        let user_code = format!("{}-{}", &letters[..4], &letters[4..]);
        let lifetime = inner.settings.device_code_lifetime;
        inner.device_codes.insert(
            device_code.clone(),
            DeviceCode {
                user_code: user_code.clone(),
                uuid: uuid.to_string(),
                client_id: client_id.to_string(),
                expires_at: now + lifetime,
                confirmed: false,
            },
        );
        json!({
            "device_code": device_code,
            "user_code": user_code,
            "verification_url": "https://connect-testing.secuconnect.com/device",
            "expires_in": lifetime.as_secs(),
            "interval": crate::config::DEVICE_POLL_INTERVAL_SECS,
        })
    }

    /// Device grant, step 2: a token once the user code is confirmed.
    pub(crate) fn poll_device_code(
        &self,
        client_id: &str,
        device_code: &str,
    ) -> Result<Value, (&'static str, &'static str)> {
        let mut inner = self.lock();
        let now = Instant::now();
        let Some(code) = inner.device_codes.get(device_code) else {
            return Err(("invalid_device", "The device code is unknown or was used"));
        };
        if code.client_id != client_id {
            return Err(("invalid_device", "The device code is unknown or was used"));
        }
        if code.expires_at <= now {
            inner.device_codes.remove(device_code);
            return Err(("expired_token", "The device code has expired"));
        }
        if !code.confirmed {
            return Err((
                "authorization_pending",
                "The user code has not been confirmed yet",
            ));
        }
        let Some(code) = inner.device_codes.remove(device_code) else {
            return Err(("invalid_device", "The device code is unknown or was used"));
        };
        let token = Self::new_access_token(&mut inner, Some(code.uuid.clone()));
        let refresh = random_text(40).to_ascii_lowercase();
        // One refresh token per device: pairing again replaces the old one.
        inner
            .data
            .refresh_tokens
            .retain(|_, g| g.device != code.uuid);
        inner.data.refresh_tokens.insert(
            refresh.clone(),
            RefreshGrant {
                client_id: client_id.to_string(),
                device: code.uuid,
            },
        );
        let answer = Self::token_answer(&inner, token, Some(refresh));
        self.persist(&inner);
        Ok(answer)
    }

    /// The `refresh_token` grant: a new token for the device, the old one dies.
    pub(crate) fn refresh(&self, client_id: &str, refresh_token: &str) -> Option<Value> {
        let mut inner = self.lock();
        let grant = inner.data.refresh_tokens.get(refresh_token)?.clone();
        if grant.client_id != client_id {
            return None;
        }
        let token = Self::new_access_token(&mut inner, Some(grant.device));
        Some(Self::token_answer(
            &inner,
            token,
            Some(refresh_token.to_string()),
        ))
    }

    /// Ok for a known, unexpired token; the provider's error (status as configured) otherwise.
    pub fn check_token(&self, token: &str) -> Result<(), ApiError> {
        let inner = self.lock();
        match inner.tokens.get(token) {
            Some(t) if Instant::now() < t.expires_at => Ok(()),
            _ => Err(ApiError::token_required_with(
                inner.settings.auth_failure_status,
            )),
        }
    }

    /// Ends a token's life now (the `expire_token` fault).
    pub fn expire_token(&self, token: &str) {
        if let Some(t) = self.lock().tokens.get_mut(token) {
            t.expires_at = Instant::now();
        }
    }

    /// The card scheme and outcome for the next terminal payment.
    pub(crate) fn choose_terminal(inner: &mut Inner, sum: i64) -> (Outcome, CardScheme) {
        let magic = crate::terminal::by_magic_amount(sum);
        let next = inner.terminal_next.pop_front().unwrap_or(magic);
        (
            next.outcome,
            next.card.or(magic.card).unwrap_or(CardScheme::Girocard),
        )
    }
}

/// User codes are compared without case and separators.
fn normalise_user_code(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}
