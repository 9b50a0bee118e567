//! The till's own TSE outside demo mode (fiskaly SIGN DE v2): what the till
//! keeps of it, where it is, the guided setup (`setup`) and the data sheet
//! for the tax office (`datasheet`).
//!
//! What the till keeps, and where:
//! - the API key and secret of the shop's fiskaly account: the secret store
//!   (keychain or `secrets.json`), never `settings.json`, a log line or the
//!   web view, which only learns whether they are set;
//! - the admin PIN the owner chose: the secret store too, because every later
//!   admin step (registering this till again, switching the TSS off) needs it;
//! - the PUK: **never**. The TSE shows it once, at creation; the till holds it
//!   in memory until the owner confirmed to have noted it (or the app ends),
//!   and needs it only to set the admin PIN. With the PUK the owner can always
//!   set a new PIN, so losing the secret store loses nothing for good;
//! - the TSS id, the client id, the till's serial number, the progress of the
//!   setup, the TSE's serial number and BSI certificate id, the purchase and
//!   start-of-use dates: `settings.json` (key `tse`), per environment (testing
//!   and live each have their own journal, so their own TSE).
//!
//! Ids are chosen by the till and saved before the call that uses them, so a
//! step whose answer was lost is repeated with the same id: never a second TSS.

pub mod datasheet;
pub mod setup;

use std::time::Duration;

use serde::{Deserialize, Serialize};
use tracing::{info, warn};
use ts_rs::TS;

use crate::error::{CommandError, ErrorCode};
use crate::secrets::{SecretKind, SecretStore};
use crate::settings::{Environment, SettingsFile};

/// fiskaly's one address for every call (the OpenAPI document's server; the
/// middleware URL works for all operations).
pub const FISKALY_URL: &str = "https://kassensichv-middleware.fiskaly.com";
/// For tests only: points the TSE of testing and live at another base URL,
/// e.g. `fiskaly-sandbox` on loopback. Debug builds only, https or loopback
/// only, as `SMART_TILL_PROVIDER_URL`.
pub const ENV_TSE_URL: &str = "SMART_TILL_TSE_URL";
/// The settings section.
pub const KEY_TSE: &str = "tse";
/// The whole time one TSE step of a sale may take before the sale goes on without it.
pub const STEP_TIMEOUT: Duration = Duration::from_secs(2);
/// A setup step (the API asks for at least 30 s when a TSS is deployed).
pub const SETUP_TIMEOUT: Duration = Duration::from_secs(30);

/// fiskaly's two environments: an API key belongs to one of them. A TEST TSE
/// signs like a real one but is not certified for a shop's sales.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(rename_all = "lowercase")]
pub enum FiskalyEnv {
    #[default]
    Test,
    Live,
}

impl FiskalyEnv {
    /// What fits the till's environment: TEST for testing, LIVE for live.
    pub fn for_till(env: Environment) -> Self {
        match env {
            Environment::Live => FiskalyEnv::Live,
            _ => FiskalyEnv::Test,
        }
    }
}

/// What the till keeps of one environment's TSE (no secret).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TseConfig {
    /// `None` until the owner chose one (then the till's environment decides).
    pub fiskaly_env: Option<FiskalyEnv>,
    pub tss_id: Option<String>,
    pub client_id: Option<String>,
    /// This till's serial number as registered with the TSE (printed on every receipt).
    pub client_serial: Option<String>,
    /// The admin PIN was set with the PUK (the PUK is not needed again).
    pub admin_pin_set: bool,
    /// The setup is complete: the TSS is INITIALIZED and this till registered.
    pub registered: bool,
    /// The TSE's serial number and BSI certificate id, as the TSE last reported them.
    pub tss_serial: Option<String>,
    pub bsi_certification_id: Option<String>,
    /// Entered by the owner for the tax office's notice (YYYY-MM-DD).
    pub purchase_date: Option<String>,
    /// Entered by the owner; by default the day of the first signed sale (YYYY-MM-DD).
    pub start_of_use: Option<String>,
}

impl TseConfig {
    pub fn fiskaly_env(&self, till: Environment) -> FiskalyEnv {
        self.fiskaly_env.unwrap_or(FiskalyEnv::for_till(till))
    }
}

/// The settings section: one TSE per environment with a journal of its own.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
struct TseSection {
    testing: TseConfig,
    live: TseConfig,
}

/// The TSE settings of `env` (demo has none: its TSE is built in).
pub fn config(settings: &SettingsFile, env: Environment) -> TseConfig {
    let section: TseSection = settings.section(KEY_TSE, &mut Vec::new());
    match env {
        Environment::Live => section.live,
        _ => section.testing,
    }
}

pub fn save_config(
    settings: &SettingsFile,
    env: Environment,
    config: &TseConfig,
) -> Result<(), CommandError> {
    let mut section: TseSection = settings.section(KEY_TSE, &mut Vec::new());
    match env {
        Environment::Demo => {
            return Err(CommandError::new(
                ErrorCode::InvalidSettings,
                "The demo signs with its built-in TSE; it needs no setup.",
            ))
        }
        Environment::Testing => section.testing = config.clone(),
        Environment::Live => section.live = config.clone(),
    }
    settings.put(KEY_TSE, &section)
}

/// Where the TSE is: fiskaly, or the test override in a debug build.
pub fn base_url() -> String {
    let wanted = std::env::var(ENV_TSE_URL).ok();
    crate::connection::test_override(ENV_TSE_URL, wanted.as_deref(), cfg!(debug_assertions))
        .unwrap_or_else(|| FISKALY_URL.to_string())
}

/// The API key and secret kept for `env`, when both are.
pub fn credentials(
    secrets: &dyn SecretStore,
    env: Environment,
) -> Result<Option<fiskaly::Credentials>, CommandError> {
    let get = |kind| secrets.get(env, kind).map_err(secret_error);
    match (get(SecretKind::TseApiKey)?, get(SecretKind::TseApiSecret)?) {
        (Some(key), Some(secret)) => Ok(Some(fiskaly::Credentials {
            api_key: key.expose().to_string(),
            api_secret: fiskaly::Secret::new(secret.expose()),
        })),
        _ => Ok(None),
    }
}

/// A fiskaly client at `base_url`: `timeout` bounds a sale's step, `setup` a setup step.
pub fn client(
    base_url: &str,
    credentials: fiskaly::Credentials,
    timeout: Duration,
    setup: Duration,
) -> Result<fiskaly::Client, CommandError> {
    let mut config = fiskaly::ClientConfig::new(base_url, credentials).with_timeout(timeout);
    config.setup_timeout = setup;
    fiskaly::Client::new(config).map_err(tse_error)
}

/// The TSE that signs this environment's sales, once its setup is complete
/// and its credentials are kept; `None` otherwise (the sales are not signed
/// and the settings screen says what is missing).
pub fn signing_tse(
    settings: &SettingsFile,
    secrets: &dyn SecretStore,
    env: Environment,
    base_url: &str,
) -> Option<till::Tse> {
    if env == Environment::Demo {
        return None;
    }
    let config = config(settings, env);
    let (Some(tss_id), Some(client_id), true) =
        (&config.tss_id, &config.client_id, config.registered)
    else {
        info!(
            environment = env.name(),
            "no TSE set up for this environment; sales are not signed until it is (Settings → TSE)"
        );
        return None;
    };
    let credentials = match credentials(secrets, env) {
        Ok(Some(c)) => c,
        Ok(None) | Err(_) => {
            warn!(
                environment = env.name(),
                "the TSE's API key or secret is missing from the secret store; sales are not signed"
            );
            return None;
        }
    };
    match client(base_url, credentials, STEP_TIMEOUT, SETUP_TIMEOUT) {
        Ok(client) => {
            info!(
                environment = env.name(),
                tss_id, "the TSE signs this till's sales"
            );
            Some(till::Tse::new(client, tss_id, client_id))
        }
        Err(e) => {
            warn!(error = %e.message, "the TSE client cannot be made; sales are not signed");
            None
        }
    }
}

pub(crate) fn secret_error(e: crate::secrets::SecretError) -> CommandError {
    warn!(error = %e, "the secret store refused");
    CommandError::new(
        ErrorCode::Io,
        "The keychain could not keep or read the TSE's access data. Unlock the keychain (or check the app-data folder) and try again.",
    )
}

/// A TSE failure in words a shop owner understands, with the code the UI words.
pub fn tse_error(e: fiskaly::Error) -> CommandError {
    warn!(error = %e, "TSE step failed");
    let (code, message) = match e.code() {
        "tse_unreachable" | "tse_no_answer" | "tse_server_error" | "tse_busy" => (
            ErrorCode::TseUnreachable,
            "The TSE (fiskaly) cannot be reached or did not answer in time. Check the internet connection and try again: the setup goes on where it stopped.",
        ),
        "tse_auth_refused" => (
            ErrorCode::TseAuth,
            "fiskaly refused the API key or secret. Check both in the fiskaly dashboard (an API key of the right environment, TEST or LIVE) and enter them again.",
        ),
        "tse_disabled" | "tse_out_of_service" | "tse_locked" => (
            ErrorCode::TseDisabled,
            "This TSE is switched off for good (disabled or out of service). Set up a new TSE.",
        ),
        "tse_puk_wrong" => (
            ErrorCode::TsePukWrong,
            "The TSE refused the PUK. Type the PUK exactly as it was shown when the TSE was created.",
        ),
        "tse_admin_pin_wrong" | "tse_admin_pin_blocked" => (
            ErrorCode::TseAdminPin,
            "The TSE refused the admin PIN (or blocked it after too many tries). Set a new admin PIN with the PUK.",
        ),
        _ => (
            ErrorCode::TseRefused,
            "The TSE refused this step. Try again; if it keeps refusing, call support with the till's log file.",
        ),
    };
    CommandError::new(code, message)
}

#[cfg(test)]
mod tests;
