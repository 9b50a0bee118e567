//! The connection to the payment service: which environment (demo, testing,
//! live), where it is, how the till logs in (client credentials or a paired
//! device), and the device pairing that runs in the background.
//!
//! Each environment has its own journal, so demo sales never mix with real
//! ones. A switch is saved here and applies when the app starts again.

pub mod pairing;

use std::sync::Arc;
use std::time::Duration;

use secuconnect::{Client, ClientConfig, Credentials, Secret};
use tracing::{info, warn};

use crate::error::{CommandError, ErrorCode};
use crate::secrets::{SecretKind, SecretStore};
use crate::settings::{AuthMode, ConnectionSettings, Environment};

/// The provider's hosts (reference: API-NOTES, "Hosts").
pub const TESTING_URL: &str = "https://connect-testing.secuconnect.com";
pub const LIVE_URL: &str = "https://connect.secucard.com";
/// For tests only: points testing and live at another base URL, e.g. a
/// simulator on loopback (`http://127.0.0.1:PORT`). Honoured by debug builds
/// only, and only for https or a loopback address: a shipped till never sends
/// its stored secret anywhere but the provider.
pub const ENV_PROVIDER_URL: &str = "SMART_TILL_PROVIDER_URL";

/// How long checking new credentials may take before the till says "offline".
pub(crate) const CHECK_TIMEOUT: Duration = Duration::from_secs(15);

/// Where the provider of `env` is; `None` for demo (the built-in simulator).
pub fn provider_url(env: Environment) -> Option<String> {
    let real = match env {
        Environment::Demo => return None,
        Environment::Testing => TESTING_URL,
        Environment::Live => LIVE_URL,
    };
    let wanted = std::env::var(ENV_PROVIDER_URL).ok();
    Some(overridden(wanted.as_deref(), cfg!(debug_assertions)).unwrap_or_else(|| real.to_string()))
}

/// The test override of the provider's URL, where it may apply.
fn overridden(wanted: Option<&str>, debug_build: bool) -> Option<String> {
    test_override(ENV_PROVIDER_URL, wanted, debug_build)
}

/// A test override of a service's URL (`var` names it), where it may apply:
/// a debug build, and https or a loopback address.
pub(crate) fn test_override(var: &str, wanted: Option<&str>, debug_build: bool) -> Option<String> {
    let url = wanted.map(str::trim).filter(|u| !u.is_empty())?;
    let allowed = debug_build
        && reqwest::Url::parse(url).is_ok_and(|u| {
            let host = u.host_str().unwrap_or_default();
            let loopback = host == "localhost"
                || host
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback());
            match u.scheme() {
                "https" => !host.is_empty(),
                "http" => loopback,
                _ => false,
            }
        });
    if !allowed {
        tracing::warn!(
            "{var} is ignored: only debug builds honour it, for https or a loopback address"
        );
        return None;
    }
    Some(url.to_string())
}

/// The journal of `env`. Demo keeps the name it always had, so existing demo
/// journals stay where they are; testing and live each get their own.
pub fn journal_file(env: Environment) -> &'static str {
    match env {
        Environment::Demo => "journal.sqlite3",
        Environment::Testing => "journal-testing.sqlite3",
        Environment::Live => "journal-live.sqlite3",
    }
}

/// What the running till has open that a switch of environment would strand.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpenWork {
    pub card_payment_running: bool,
    pub payments_in_doubt: usize,
    pub outbox: usize,
}

/// Refuses a switch to another environment (another journal, another
/// provider) while something of the running one is not finished.
pub fn check_switch(
    running: Environment,
    target: Environment,
    open: OpenWork,
) -> Result<(), CommandError> {
    // One code a reason, so the UI can say which one in the cashier's language.
    let refuse = |code: ErrorCode, m: &str| Err(CommandError::new(code, m));
    if open.card_payment_running {
        return refuse(
            ErrorCode::SwitchCardRunning,
            "A card payment is running on the terminal. Finish it first, then switch.",
        );
    }
    if running == target {
        // Same journal and provider: new credentials may even help to catch up.
        return Ok(());
    }
    if open.payments_in_doubt > 0 {
        return refuse(
            ErrorCode::SwitchPaymentInDoubt,
            "A payment's outcome is still unknown. Check it on the sale screen (or wait until the till has checked it), then switch.",
        );
    }
    if open.outbox > 0 {
        return refuse(ErrorCode::SwitchOutbox, &format!(
            "{} sale(s) paid offline are not yet registered with the payment service. Wait until the till is online and they are sent (status bar), then switch.",
            open.outbox
        ));
    }
    Ok(())
}

/// Fetches a token with `credentials` at `base_url`: the check before anything is saved.
pub async fn verify_credentials(
    base_url: &str,
    credentials: Credentials,
) -> Result<(), CommandError> {
    let client = Client::new(ClientConfig::new(base_url, credentials).with_timeout(CHECK_TIMEOUT))?;
    client.access_token().await.map_err(login_error)?;
    Ok(())
}

/// A failed login in words, without any secret or URL.
pub(crate) fn login_error(e: secuconnect::Error) -> CommandError {
    use secuconnect::Error as E;
    match e {
        E::Auth(_) => CommandError::new(ErrorCode::Auth,
            "The payment service refused the client ID or client secret. Check both (as given by the payment service for this environment) and try again. Nothing was changed.",
        ),
        e if e.unreachable() => CommandError::new(ErrorCode::Offline,
            "The payment service cannot be reached. Check the network connection and try again. Nothing was changed.",
        ),
        other => CommandError::from(other),
    }
}

fn secret_error(e: crate::secrets::SecretError) -> CommandError {
    warn!(error = %e, "the secret store refused");
    CommandError::new(ErrorCode::Io,
        "The keychain could not keep or read the client secret. Unlock the keychain (or check the app-data folder) and try again.",
    )
}

/// The credentials to use: the ones typed now, or the secret kept for `env`;
/// `true` when the secret is new (to be kept once it proved right).
pub fn credentials(
    secrets: &dyn SecretStore,
    env: Environment,
    client_id: Option<String>,
    client_secret: Option<String>,
) -> Result<(Credentials, bool), CommandError> {
    let client_id = client_id
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let Some(client_id) = client_id else {
        return Err(CommandError::new(ErrorCode::InvalidSettings,
            "The client ID is missing. Enter the one the payment service gave for this environment.",
        ));
    };
    let typed = client_secret.filter(|s| !s.trim().is_empty());
    let (secret, new) = match typed {
        Some(s) => (Secret::new(s.trim()), true),
        None => match secrets
            .get(env, SecretKind::ClientSecret)
            .map_err(secret_error)?
        {
            Some(kept) => (kept, false),
            None => {
                return Err(CommandError::new(ErrorCode::InvalidSettings,
                    "The client secret is missing. Enter the one the payment service gave for this environment.",
                ))
            }
        },
    };
    Ok((
        Credentials {
            client_id,
            client_secret: secret,
        },
        new,
    ))
}

/// Client credentials for `env` at `url`: a token is fetched with them first;
/// only then is a new secret kept. Answers the connection settings to save.
pub async fn connect_with_credentials(
    secrets: &dyn SecretStore,
    env: Environment,
    url: &str,
    client_id: Option<String>,
    client_secret: Option<String>,
    current: ConnectionSettings,
) -> Result<ConnectionSettings, CommandError> {
    let (credentials, new_secret) = credentials(secrets, env, client_id, client_secret)?;
    verify_credentials(url, credentials.clone()).await?;
    if new_secret {
        secrets
            .set(env, SecretKind::ClientSecret, &credentials.client_secret)
            .map_err(secret_error)?;
    }
    Ok(ConnectionSettings {
        environment: env,
        auth_mode: AuthMode::ClientCredentials,
        client_id: Some(credentials.client_id),
        has_client_secret: false,
        device_uuid: current.device_uuid,
        device_paired: false,
    })
}

/// Fills in what the settings file does not hold: whether the secrets are in the keychain.
pub fn with_secrets(mut c: ConnectionSettings, secrets: &dyn SecretStore) -> ConnectionSettings {
    c.has_client_secret =
        c.environment != Environment::Demo && secrets.has(c.environment, SecretKind::ClientSecret);
    c.device_paired = c.environment != Environment::Demo
        && c.auth_mode == AuthMode::Device
        && secrets.has(c.environment, SecretKind::RefreshToken);
    c
}

/// The API client for the connection settings, with the secrets from the
/// keychain. `None` for demo. A missing secret still gives a client: every
/// call then fails with `auth` and the settings screen says what to enter.
pub fn client_for(
    c: &ConnectionSettings,
    secrets: &dyn SecretStore,
) -> Result<Option<Client>, String> {
    let Some(url) = provider_url(c.environment) else {
        return Ok(None);
    };
    let env = c.environment;
    // A keychain that cannot be read (e.g. locked) must not keep the till
    // from starting: cash sales go on, the status bar shows the login failing.
    let kept = |kind| {
        secrets.get(env, kind).unwrap_or_else(|e| {
            warn!(error = %e, "a secret cannot be read from the keychain");
            None
        })
    };
    let secret = kept(SecretKind::ClientSecret);
    if secret.is_none() {
        warn!(
            environment = env.name(),
            "no client secret kept for this environment; enter it in the settings"
        );
    }
    let credentials = Credentials {
        client_id: c.client_id.clone().unwrap_or_default(),
        client_secret: secret.unwrap_or_else(|| Secret::new("")),
    };
    let mut config = ClientConfig::new(url.clone(), credentials);
    if c.auth_mode == AuthMode::Device {
        match kept(SecretKind::RefreshToken) {
            Some(rt) => config = config.with_device_refresh_token(rt),
            None => warn!("the till is set to log in as a paired device but is not paired; pair it in the settings"),
        }
    }
    info!(environment = env.name(), %url, auth_mode = ?c.auth_mode, "connecting to the payment service");
    Client::new(config).map(Some).map_err(|e| e.to_string())
}

/// Keeps a paired till's refresh token in the keychain when the provider
/// hands out a new one, and forgets it once the provider refused it.
pub fn keep_refresh_token(client: &Client, env: Environment, secrets: Arc<dyn SecretStore>) {
    let mut updates = client.refresh_token_updates();
    tokio::spawn(async move {
        while updates.changed().await.is_ok() {
            let current = updates.borrow_and_update().clone();
            let result = match current {
                Some(rt) => secrets.set(env, SecretKind::RefreshToken, &rt),
                None => {
                    warn!("the payment service no longer accepts the till's pairing; pair it again in the settings");
                    secrets.delete(env, SecretKind::RefreshToken)
                }
            };
            if let Err(e) = result {
                warn!(error = %e, "the refresh token could not be kept");
            }
        }
    });
}

/// This till's device id at the provider: kept in the settings once made.
pub fn new_device_uuid(till_id: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("/vendor/smart-till/serial/{till_id}-{nanos:x}")
}

#[cfg(test)]
mod tests;
