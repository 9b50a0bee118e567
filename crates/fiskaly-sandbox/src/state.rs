//! The simulator's state: TSSs, clients, transactions (kept in a file when
//! asked), tokens and admin sessions (in memory only), faults; the control API.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tokio::sync::watch;

use crate::error::ApiError;
use crate::faults::Fault;
use crate::records::{ClientRecord, Tss, Tx};

/// Demo credentials; `--help` of the binary lists them.
pub const DEMO_API_KEY: &str = "test_demo_api_key_smart_till";
pub const DEMO_API_SECRET: &str = "demo-api-secret-smart-till";
/// The organisation every access token names.
pub const ORGANIZATION_ID: &str = "5e0a2a1b-6a3c-4b53-9d3e-7a1f2f0c9a11";

/// The settings a test or demo can change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SandboxConfig {
    /// Lifetime of new access tokens (default 86400 s, as the API's "up to 24 h").
    #[serde(default)]
    pub token_lifetime_secs: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Settings {
    pub token_lifetime: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            token_lifetime: Duration::from_secs(86_400),
        }
    }
}

/// How often the simulator authenticated, by grant, and rejected a token.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AuthCounts {
    pub api_key: u64,
    pub refresh_token: u64,
    pub rejected_tokens: u64,
}

/// What survives a restart when a state file is given. No `Debug`: it holds
/// the TSS keys, PUKs and PINs.
#[derive(Clone, Default, Serialize, Deserialize)]
pub(crate) struct Data {
    pub tss: BTreeMap<String, Tss>,
    pub clients: BTreeMap<String, ClientRecord>,
    /// By `"{tss_id}/{tx_id}"`.
    pub txs: BTreeMap<String, Tx>,
    /// Keys of the finished transactions, oldest first (for `keep_newest`).
    #[serde(default)]
    pub finished: VecDeque<String>,
}

pub(crate) struct Inner {
    pub data: Data,
    pub settings: Settings,
    pub access_tokens: HashMap<String, Instant>,
    pub refresh_tokens: HashMap<String, Instant>,
    /// `(tss_id, access token)` of the logged-in admins.
    pub admin_sessions: HashSet<(String, String)>,
    pub faults: Vec<Fault>,
    pub counts: AuthCounts,
    /// The time transactions are logged at (unix seconds) instead of the
    /// clock's, for journals written days in the past (`set_clock`).
    pub clock: Option<i64>,
}

impl Inner {
    fn new(data: Data, settings: Settings) -> Self {
        Self {
            data,
            settings,
            access_tokens: HashMap::new(),
            refresh_tokens: HashMap::new(),
            admin_sessions: HashSet::new(),
            faults: Vec::new(),
            counts: AuthCounts::default(),
            clock: None,
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
    #[error("the state file {path} is not a simulator state: {source}")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
}

/// All state of one simulator; share it behind an `Arc`.
pub struct Sandbox {
    inner: Mutex<Inner>,
    initial: Settings,
    state_file: Option<PathBuf>,
    offline: watch::Sender<bool>,
    /// At most this many finished transactions are kept (`keep_newest`).
    keep: Option<usize>,
}

/// Unix seconds now.
pub(crate) fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn random_token(len: usize) -> String {
    use rand::distr::{Alphanumeric, SampleString};
    Alphanumeric.sample_string(&mut rand::rng(), len)
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Sandbox {
    /// An empty simulator: no TSS yet.
    pub fn new() -> Self {
        Self {
            inner: Mutex::new(Inner::new(Data::default(), Settings::default())),
            initial: Settings::default(),
            state_file: None,
            offline: watch::channel(false).0,
            keep: None,
        }
    }

    /// Keeps only the newest `n` finished transactions; an older one is
    /// forgotten (then "not found") once `n` newer ones have finished. Open
    /// transactions are always kept. For the simulator inside the till, which
    /// runs all day in demo mode and must not grow with every sale.
    pub fn keep_newest(mut self, n: usize) -> Self {
        self.keep = Some(n.max(1));
        self
    }

    /// Notes a finished transaction and forgets the oldest beyond the limit.
    pub(crate) fn finished(&self, inner: &mut Inner, key: String) {
        let Some(keep) = self.keep else {
            return;
        };
        inner.data.finished.push_back(key);
        while inner.data.finished.len() > keep {
            if let Some(old) = inner.data.finished.pop_front() {
                inner.data.txs.remove(&old);
            }
        }
    }

    /// Keeps the state in `path` (JSON), loading it when the file exists.
    /// Every change is written at once (the whole state, atomically).
    pub fn persisted_to(mut self, path: &Path) -> Result<Self, StateFileError> {
        match std::fs::read(path) {
            Ok(bytes) => {
                let data: Data =
                    serde_json::from_slice(&bytes).map_err(|source| StateFileError::Parse {
                        path: path.to_path_buf(),
                        source,
                    })?;
                self.inner.get_mut().unwrap_or_else(|e| e.into_inner()).data = data;
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

    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes the state file (if any), with the lock held so writes keep their order.
    pub(crate) fn persist(&self, inner: &Inner) {
        let Some(path) = &self.state_file else {
            return;
        };
        let result = serde_json::to_vec(&inner.data)
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

    // ---- control API -------------------------------------------------------

    /// Forgets everything: no TSS, tokens or faults; the starting settings; online.
    pub fn reset(&self) {
        let mut inner = self.lock();
        *inner = Inner::new(Data::default(), self.initial.clone());
        self.persist(&inner);
        drop(inner);
        self.set_offline(false);
    }

    /// Logs the transaction steps from now on at `unix` seconds (`None`: the
    /// clock again). For test journals whose business days lie in the past:
    /// a TSS that has logged no transaction yet starts its log then; after
    /// that, log times still never go back.
    pub fn set_clock(&self, unix: Option<i64>) {
        let mut inner = self.lock();
        inner.clock = unix;
        if let Some(at) = unix {
            for tss in inner.data.tss.values_mut() {
                if tss.transaction_counter == 0 {
                    tss.last_log_time = tss.last_log_time.min(at);
                }
            }
        }
    }

    pub fn configure(&self, config: &SandboxConfig) {
        if let Some(secs) = config.token_lifetime_secs {
            self.lock().settings.token_lifetime = Duration::from_secs(secs);
        }
    }

    pub fn config(&self) -> SandboxConfig {
        SandboxConfig {
            token_lifetime_secs: Some(self.lock().settings.token_lifetime.as_secs()),
        }
    }

    pub fn inject(&self, fault: Fault) -> Result<(), ApiError> {
        fault.validate().map_err(ApiError::schema)?;
        self.lock().faults.push(fault);
        Ok(())
    }

    pub fn pending_faults(&self) -> Vec<Fault> {
        self.lock().faults.clone()
    }

    pub fn clear_faults(&self) {
        self.lock().faults.clear();
    }

    /// Takes one use of every fault matching a request.
    pub(crate) fn take_faults(&self, method: &str, path: &str) -> Vec<Fault> {
        let mut inner = self.lock();
        let mut fired = Vec::new();
        for fault in inner.faults.iter_mut().filter(|f| f.matches(method, path)) {
            fault.count -= 1;
            fired.push(fault.clone());
        }
        inner.faults.retain(|f| f.count > 0);
        fired
    }

    /// Offline: the simulator closes its port (connections are refused) and
    /// every open connection; online again, it listens on the same port.
    pub fn set_offline(&self, offline: bool) {
        self.offline.send_replace(offline);
    }

    pub fn is_offline(&self) -> bool {
        *self.offline.borrow()
    }

    pub(crate) fn offline_updates(&self) -> watch::Receiver<bool> {
        self.offline.subscribe()
    }

    /// Ends the life of every access token now (the next call gets 401).
    pub fn expire_tokens(&self) {
        let mut inner = self.lock();
        let past = Instant::now();
        for expiry in inner.access_tokens.values_mut() {
            *expiry = past;
        }
    }

    pub fn auth_counts(&self) -> AuthCounts {
        self.lock().counts
    }

    /// The whole state as JSON (without keys, PUKs or PINs).
    pub fn snapshot(&self) -> Value {
        let inner = self.lock();
        let tss: Vec<Value> = inner
            .data
            .tss
            .values()
            .map(|t| {
                json!({
                    "id": t.id,
                    "state": t.state,
                    "serial_number": t.serial_number,
                    "public_key": t.public_key,
                    "signature_counter": t.signature_counter,
                    "transaction_counter": t.transaction_counter,
                    "active_transactions": t.active_transactions,
                })
            })
            .collect();
        json!({
            "tss": tss,
            "clients": inner.data.clients.len(),
            "transactions": inner.data.txs.len(),
            "auth": inner.counts,
            "faults": inner.faults,
            "offline": *self.offline.borrow(),
            "config": {"token_lifetime_secs": inner.settings.token_lifetime.as_secs()},
        })
    }

    // ---- authentication ----------------------------------------------------

    /// `POST /api/v2/auth`: API key and secret, or a refresh token.
    pub(crate) fn authenticate(&self, body: &Value) -> Result<Value, ApiError> {
        let mut inner = self.lock();
        let now_instant = Instant::now();
        inner.access_tokens.retain(|_, t| *t > now_instant);
        inner.refresh_tokens.retain(|_, t| *t > now_instant);
        let refused = || ApiError::unauthorized("E_UNAUTHORIZED", "invalid credentials");
        match (
            body.get("api_key").and_then(Value::as_str),
            body.get("api_secret").and_then(Value::as_str),
            body.get("refresh_token").and_then(Value::as_str),
        ) {
            (Some(key), Some(secret), None) => {
                if key != DEMO_API_KEY || secret != DEMO_API_SECRET {
                    return Err(refused());
                }
                inner.counts.api_key += 1;
            }
            (None, None, Some(refresh)) => {
                if inner.refresh_tokens.remove(refresh).is_none() {
                    return Err(refused());
                }
                inner.counts.refresh_token += 1;
            }
            _ => {
                return Err(ApiError::schema(
                    "the body needs api_key and api_secret, or refresh_token",
                ))
            }
        }
        let lifetime = inner.settings.token_lifetime;
        let refresh_lifetime = lifetime * 2;
        let access = random_token(48);
        let refresh = random_token(48);
        inner
            .access_tokens
            .insert(access.clone(), now_instant + lifetime);
        inner
            .refresh_tokens
            .insert(refresh.clone(), now_instant + refresh_lifetime);
        let now = now();
        Ok(json!({
            "access_token": access,
            "access_token_claims": {"env": "TEST", "organization_id": ORGANIZATION_ID},
            "access_token_expires_in": lifetime.as_secs(),
            "access_token_expires_at": now + lifetime.as_secs() as i64,
            "refresh_token": refresh,
            "refresh_token_expires_in": refresh_lifetime.as_secs(),
            "refresh_token_expires_at": now + refresh_lifetime.as_secs() as i64,
        }))
    }

    /// Ok for a known, unexpired access token.
    pub(crate) fn check_token(&self, token: Option<&str>) -> Result<(), ApiError> {
        let mut inner = self.lock();
        let valid = token
            .and_then(|t| inner.access_tokens.get(t))
            .is_some_and(|expiry| *expiry > Instant::now());
        if valid {
            Ok(())
        } else {
            inner.counts.rejected_tokens += 1;
            Err(ApiError::unauthorized(
                "E_UNAUTHORIZED",
                "the access token is missing, invalid or expired",
            ))
        }
    }
}
