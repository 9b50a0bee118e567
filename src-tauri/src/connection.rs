//! The connection to the payment service: which environment (demo, testing,
//! live), where it is, how the till logs in (client credentials or a paired
//! device), and the device pairing that runs in the background.
//!
//! Each environment has its own journal, so demo sales never mix with real
//! ones. A switch is saved here and applies when the app starts again.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use secuconnect::{Client, ClientConfig, Credentials, Secret};
use serde::Serialize;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use crate::error::CommandError;
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
const CHECK_TIMEOUT: Duration = Duration::from_secs(15);

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
    let url = wanted.map(str::trim).filter(|u| !u.is_empty())?;
    let allowed = debug_build
        && tauri::Url::parse(url).is_ok_and(|u| {
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
            "{ENV_PROVIDER_URL} is ignored: only debug builds honour it, for https or a loopback address"
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

pub fn environment_name(env: Environment) -> &'static str {
    match env {
        Environment::Demo => "demo",
        Environment::Testing => "testing",
        Environment::Live => "live",
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
    let refuse = |code: &'static str, m: &str| Err(CommandError::new(code, m));
    if open.card_payment_running {
        return refuse(
            "switch_card_running",
            "A card payment is running on the terminal. Finish it first, then switch.",
        );
    }
    if running == target {
        // Same journal and provider: new credentials may even help to catch up.
        return Ok(());
    }
    if open.payments_in_doubt > 0 {
        return refuse(
            "switch_payment_in_doubt",
            "A payment's outcome is still unknown. Check it on the sale screen (or wait until the till has checked it), then switch.",
        );
    }
    if open.outbox > 0 {
        return refuse("switch_outbox", &format!(
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
fn login_error(e: secuconnect::Error) -> CommandError {
    use secuconnect::Error as E;
    match e {
        E::Auth(_) => CommandError::new(
            "auth",
            "The payment service refused the client ID or client secret. Check both (as given by the payment service for this environment) and try again. Nothing was changed.",
        ),
        E::NotExecuted(_) | E::OutcomeUnknown(_) => CommandError::new(
            "offline",
            "The payment service cannot be reached. Check the network connection and try again. Nothing was changed.",
        ),
        other => CommandError::from(other),
    }
}

fn secret_error(e: crate::secrets::SecretError) -> CommandError {
    warn!(error = %e, "the secret store refused");
    CommandError::new(
        "io",
        "The keychain could not keep or read the client secret. Unlock the keychain (or check the app-data folder) and try again.",
    )
}

/// The credentials to use: the ones typed now, or the secret kept for `env`;
/// `true` when the secret is new (to be kept once it proved right).
pub fn credentials(
    secrets: &SecretStore,
    env: Environment,
    client_id: Option<String>,
    client_secret: Option<String>,
) -> Result<(Credentials, bool), CommandError> {
    let client_id = client_id
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let Some(client_id) = client_id else {
        return Err(CommandError::new(
            "invalid_settings",
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
                return Err(CommandError::new(
                    "invalid_settings",
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
    secrets: &SecretStore,
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
pub fn with_secrets(mut c: ConnectionSettings, secrets: &SecretStore) -> ConnectionSettings {
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
pub fn client_for(c: &ConnectionSettings, secrets: &SecretStore) -> Result<Option<Client>, String> {
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
            environment = environment_name(env),
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
    info!(environment = environment_name(env), %url, auth_mode = ?c.auth_mode, "connecting to the payment service");
    Client::new(config).map(Some).map_err(|e| e.to_string())
}

/// Keeps a paired till's refresh token in the keychain when the provider
/// hands out a new one, and forgets it once the provider refused it.
pub fn keep_refresh_token(client: &Client, env: Environment, secrets: Arc<SecretStore>) {
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

/// The connection's part of the app state: the secret store and the pairing.
pub struct ConnectionState {
    pub secrets: Arc<SecretStore>,
    pub pairing: Pairing,
}

/// Step 1's answer, for the screen: the code and where to enter it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PairingStart {
    pub user_code: String,
    pub verification_url: String,
    pub expires_in: u64,
    pub interval: u64,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum PairingState {
    Idle,
    Waiting,
    Paired,
    Expired,
    Failed,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PairingStatus {
    pub state: PairingState,
    pub seconds_left: u64,
    pub message: Option<String>,
}

enum Phase {
    Idle,
    Waiting {
        deadline: Instant,
        cancel: CancellationToken,
    },
    Paired,
    Expired,
    Failed(String),
}

/// The one device pairing of this till (a new start replaces a running one).
#[derive(Clone)]
pub struct Pairing {
    inner: Arc<Mutex<(u64, Phase)>>,
}

impl Default for Pairing {
    fn default() -> Self {
        Self {
            inner: Arc::new(Mutex::new((0, Phase::Idle))),
        }
    }
}

/// What a pairing needs to know about where it pairs.
pub struct PairingRequest {
    pub environment: Environment,
    pub base_url: String,
    pub credentials: Credentials,
    /// The till's device id at the provider, e.g. `/vendor/smart-till/serial/…`.
    pub uuid: String,
}

impl Pairing {
    fn lock(&self) -> std::sync::MutexGuard<'_, (u64, Phase)> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Step 1 of the device grant; then polls in the background at the
    /// provider's interval. On success the client secret and the refresh
    /// token go to `secrets` and `on_paired` saves the connection settings.
    pub async fn start(
        &self,
        request: PairingRequest,
        secrets: Arc<SecretStore>,
        on_paired: impl FnOnce() -> Result<(), CommandError> + Send + 'static,
    ) -> Result<PairingStart, CommandError> {
        self.cancel();
        let client_secret = request.credentials.client_secret.clone();
        let client = Client::new(
            ClientConfig::new(request.base_url, request.credentials).with_timeout(CHECK_TIMEOUT),
        )?;
        let pairing = client
            .start_device_pairing(&request.uuid)
            .await
            .map_err(login_error)?;
        let answer = PairingStart {
            user_code: pairing.user_code.clone(),
            verification_url: pairing.verification_url.clone(),
            expires_in: pairing.expires_in.as_secs(),
            interval: pairing.interval.as_secs(),
        };
        let cancel = CancellationToken::new();
        let generation = {
            let mut inner = self.lock();
            inner.0 += 1;
            inner.1 = Phase::Waiting {
                deadline: pairing.deadline(),
                cancel: cancel.clone(),
            };
            inner.0
        };
        let env = request.environment;
        let this = self.clone();
        tokio::spawn(async move {
            let result = client.finish_device_pairing(&pairing, &cancel).await;
            if cancel.is_cancelled() {
                return;
            }
            let phase = match result {
                Ok(refresh_token) => {
                    let kept = secrets
                        .set(env, SecretKind::ClientSecret, &client_secret)
                        .and_then(|()| secrets.set(env, SecretKind::RefreshToken, &refresh_token));
                    match kept {
                        Err(e) => {
                            warn!(error = %e, "the pairing succeeded but its secrets cannot be kept");
                            Phase::Failed(
                                "The till was paired, but the keychain refused to keep the pairing. Check the keychain (or the app-data folder) and pair again.".into(),
                            )
                        }
                        Ok(()) => match on_paired() {
                            Ok(()) => {
                                info!(environment = environment_name(env), "the till is paired");
                                Phase::Paired
                            }
                            Err(e) => Phase::Failed(e.message),
                        },
                    }
                }
                Err(e) => {
                    let expired = Instant::now() + pairing.interval >= pairing.deadline()
                        || e.to_string().contains("expired");
                    if expired {
                        info!("the pairing code expired before it was confirmed");
                        Phase::Expired
                    } else {
                        warn!(error = %e, "the device pairing failed");
                        Phase::Failed(
                            "The payment service refused the pairing. Start it again; if it fails again, check the client ID and secret.".into(),
                        )
                    }
                }
            };
            let mut inner = this.lock();
            if inner.0 == generation {
                inner.1 = phase;
            }
        });
        Ok(answer)
    }

    pub fn status(&self) -> PairingStatus {
        let inner = self.lock();
        let (state, seconds_left, message) = match &inner.1 {
            Phase::Idle => (PairingState::Idle, 0, None),
            Phase::Waiting { deadline, .. } => (
                PairingState::Waiting,
                deadline.saturating_duration_since(Instant::now()).as_secs(),
                None,
            ),
            Phase::Paired => (PairingState::Paired, 0, None),
            Phase::Expired => (
                PairingState::Expired,
                0,
                Some("The code expired before it was confirmed. Start the pairing again.".into()),
            ),
            Phase::Failed(m) => (PairingState::Failed, 0, Some(m.clone())),
        };
        PairingStatus {
            state,
            seconds_left,
            message,
        }
    }

    /// Stops a running pairing; nothing is saved.
    pub fn cancel(&self) {
        let mut inner = self.lock();
        if let Phase::Waiting { cancel, .. } = &inner.1 {
            cancel.cancel();
            info!("device pairing cancelled");
        }
        inner.0 += 1;
        inner.1 = Phase::Idle;
    }
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
mod tests {
    use super::*;
    use secuconnect_sandbox::{demo, serve, RunningSandbox, Sandbox, SandboxConfig};
    use std::net::SocketAddr;

    async fn sandbox(config: SandboxConfig) -> (Arc<Sandbox>, RunningSandbox) {
        let sandbox = Arc::new(Sandbox::with_config(&config).unwrap());
        let running = serve(SocketAddr::from(([127, 0, 0, 1], 0)), sandbox.clone())
            .await
            .unwrap();
        (sandbox, running)
    }

    fn credentials(secret: &str) -> Credentials {
        Credentials {
            client_id: demo::DEMO_CLIENT_ID.into(),
            client_secret: Secret::new(secret),
        }
    }

    /// A secret store in a temporary directory of its own (the file a till without a keychain uses).
    fn file_secrets() -> (tempfile::TempDir, Arc<SecretStore>) {
        let dir = tempfile::tempdir().unwrap();
        let secrets = Arc::new(SecretStore::file(dir.path()));
        (dir, secrets)
    }

    /// Pairing "KASSE-1" with the demo client id and `secret` against `running`.
    fn pairing_request(
        environment: Environment,
        running: &RunningSandbox,
        secret: &str,
    ) -> PairingRequest {
        PairingRequest {
            environment,
            base_url: running.url(),
            credentials: credentials(secret),
            uuid: new_device_uuid("KASSE-1"),
        }
    }

    /// Polls `pairing` until it leaves `waiting` (generous: a loaded machine).
    async fn settled(pairing: &Pairing) -> PairingStatus {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let s = pairing.status();
            if s.state != PairingState::Waiting || Instant::now() > deadline {
                return s;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    #[tokio::test]
    async fn good_credentials_pass_and_a_wrong_secret_is_refused_in_words() {
        let (_sandbox, running) = sandbox(SandboxConfig::default()).await;
        verify_credentials(&running.url(), credentials(demo::DEMO_CLIENT_SECRET))
            .await
            .unwrap();
        let e = verify_credentials(&running.url(), credentials("wrong-secret"))
            .await
            .unwrap_err();
        assert_eq!(e.code, "auth");
        assert!(!e.message.contains("wrong-secret"), "{}", e.message);
        assert!(!e.message.contains("127.0.0.1"), "{}", e.message);

        // Nothing answers on a closed port: offline, not auth.
        drop(running);
        let closed = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            format!("http://{}", l.local_addr().unwrap())
        };
        let e = verify_credentials(&closed, credentials(demo::DEMO_CLIENT_SECRET))
            .await
            .unwrap_err();
        assert_eq!(e.code, "offline");
    }

    #[tokio::test]
    async fn new_credentials_are_kept_only_after_the_provider_accepted_them() {
        let (_sandbox, running) = sandbox(SandboxConfig::default()).await;
        let dir = tempfile::tempdir().unwrap();
        let secrets = SecretStore::file(dir.path());
        let id = || Some(demo::DEMO_CLIENT_ID.to_string());

        let e = connect_with_credentials(
            &secrets,
            Environment::Live,
            &running.url(),
            id(),
            Some("wrong-secret".into()),
            ConnectionSettings::default(),
        )
        .await
        .unwrap_err();
        assert_eq!(e.code, "auth");
        assert!(!e.message.contains("wrong-secret"));
        assert!(
            !dir.path().join(crate::secrets::FALLBACK_FILE).exists(),
            "nothing kept"
        );

        // No secret typed and none kept: said in words, nothing asked of the provider.
        let e = connect_with_credentials(
            &secrets,
            Environment::Live,
            &running.url(),
            id(),
            None,
            ConnectionSettings::default(),
        )
        .await
        .unwrap_err();
        assert_eq!(e.code, "invalid_settings");

        let saved = connect_with_credentials(
            &secrets,
            Environment::Live,
            &running.url(),
            id(),
            Some(format!(" {} ", demo::DEMO_CLIENT_SECRET)),
            ConnectionSettings::default(),
        )
        .await
        .unwrap();
        assert_eq!(saved.environment, Environment::Live);
        assert_eq!(saved.auth_mode, AuthMode::ClientCredentials);
        assert_eq!(saved.client_id.as_deref(), Some(demo::DEMO_CLIENT_ID));
        let json = serde_json::to_string(&saved).unwrap();
        assert!(!json.contains(demo::DEMO_CLIENT_SECRET), "{json}");
        assert!(with_secrets(saved, &secrets).has_client_secret);

        // The kept secret is used when none is typed; testing has none of its own.
        connect_with_credentials(
            &secrets,
            Environment::Live,
            &running.url(),
            id(),
            None,
            ConnectionSettings::default(),
        )
        .await
        .unwrap();
        assert!(!secrets.has(Environment::Testing, SecretKind::ClientSecret));
    }

    #[tokio::test]
    async fn a_confirmed_pairing_puts_the_refresh_token_into_the_secret_store() {
        let (sandbox, running) = sandbox(SandboxConfig::default()).await;
        let (_dir, secrets) = file_secrets();
        let pairing = Pairing::default();
        let saved = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let saved2 = saved.clone();
        let start = pairing
            .start(
                pairing_request(Environment::Testing, &running, demo::DEMO_CLIENT_SECRET),
                secrets.clone(),
                move || {
                    saved2.store(true, std::sync::atomic::Ordering::SeqCst);
                    Ok(())
                },
            )
            .await
            .unwrap();
        assert!(!start.user_code.is_empty());
        assert!(start.interval >= 1);
        let s = pairing.status();
        assert_eq!(s.state, PairingState::Waiting);
        assert!(s.seconds_left > 0 && s.seconds_left <= start.expires_in);
        // Nothing is kept before the pairing is confirmed.
        assert!(!secrets.has(Environment::Testing, SecretKind::RefreshToken));
        assert!(!secrets.has(Environment::Testing, SecretKind::ClientSecret));

        assert!(sandbox.confirm_user_code(&start.user_code));
        let s = settled(&pairing).await;
        assert_eq!(s.state, PairingState::Paired, "{s:?}");
        assert!(saved.load(std::sync::atomic::Ordering::SeqCst));

        let rt = secrets
            .get(Environment::Testing, SecretKind::RefreshToken)
            .unwrap()
            .expect("the refresh token is kept");
        assert_eq!(
            secrets
                .get(Environment::Testing, SecretKind::ClientSecret)
                .unwrap()
                .unwrap()
                .expose(),
            demo::DEMO_CLIENT_SECRET
        );
        // The kept token logs the till in at the next start.
        let conn = ConnectionSettings {
            environment: Environment::Testing,
            auth_mode: AuthMode::Device,
            client_id: Some(demo::DEMO_CLIENT_ID.into()),
            ..Default::default()
        };
        assert!(with_secrets(conn.clone(), &secrets).device_paired);
        let client = Client::new(
            ClientConfig::new(running.url(), credentials(demo::DEMO_CLIENT_SECRET))
                .with_device_refresh_token(rt),
        )
        .unwrap();
        client.access_token().await.unwrap();
        assert_eq!(client.token_requests().refresh_token, 1);
        assert_eq!(client.token_requests().client_credentials, 0);
    }

    #[tokio::test]
    async fn a_wrong_secret_starts_no_pairing() {
        let (_sandbox, running) = sandbox(SandboxConfig::default()).await;
        let (dir, secrets) = file_secrets();
        let pairing = Pairing::default();
        let e = pairing
            .start(
                pairing_request(Environment::Live, &running, "nope"),
                secrets.clone(),
                || Ok(()),
            )
            .await
            .unwrap_err();
        assert_eq!(e.code, "auth");
        assert_eq!(pairing.status().state, PairingState::Idle);
        assert!(!dir.path().join(crate::secrets::FALLBACK_FILE).exists());
    }

    #[tokio::test]
    async fn a_cancelled_pairing_keeps_nothing_even_if_confirmed_later() {
        let (sandbox, running) = sandbox(SandboxConfig::default()).await;
        let (_dir, secrets) = file_secrets();
        let pairing = Pairing::default();
        let start = pairing
            .start(
                pairing_request(Environment::Testing, &running, demo::DEMO_CLIENT_SECRET),
                secrets.clone(),
                || panic!("a cancelled pairing saves nothing"),
            )
            .await
            .unwrap();
        assert_eq!(pairing.status().state, PairingState::Waiting);
        pairing.cancel();
        assert_eq!(pairing.status().state, PairingState::Idle);
        assert!(sandbox.confirm_user_code(&start.user_code));
        // Give a poll that was not stopped more than one interval to show up.
        tokio::time::sleep(Duration::from_secs(start.interval + 2)).await;
        assert_eq!(pairing.status().state, PairingState::Idle);
        assert!(!secrets.has(Environment::Testing, SecretKind::RefreshToken));
    }

    #[tokio::test]
    async fn an_unconfirmed_code_expires() {
        let (_sandbox, running) = sandbox(SandboxConfig {
            device_code_lifetime_secs: Some(3),
            ..Default::default()
        })
        .await;
        let (_dir, secrets) = file_secrets();
        let pairing = Pairing::default();
        pairing
            .start(
                pairing_request(Environment::Testing, &running, demo::DEMO_CLIENT_SECRET),
                secrets.clone(),
                || panic!("an expired pairing saves nothing"),
            )
            .await
            .unwrap();
        let s = settled(&pairing).await;
        assert_eq!(s.state, PairingState::Expired, "{s:?}");
        assert!(s.message.is_some());
        assert!(!secrets.has(Environment::Testing, SecretKind::RefreshToken));
    }

    #[test]
    fn a_switch_waits_for_open_work_but_new_credentials_for_the_same_environment_do_not() {
        let open = OpenWork {
            outbox: 2,
            ..Default::default()
        };
        let e = check_switch(Environment::Demo, Environment::Live, open).unwrap_err();
        assert_eq!(e.code, "switch_outbox");
        assert!(e.message.contains("2 sale(s)"), "{}", e.message);
        check_switch(Environment::Live, Environment::Live, open).unwrap();
        let doubt = OpenWork {
            payments_in_doubt: 1,
            ..Default::default()
        };
        assert!(check_switch(Environment::Testing, Environment::Demo, doubt).is_err());
        let card = OpenWork {
            card_payment_running: true,
            ..Default::default()
        };
        assert!(check_switch(Environment::Live, Environment::Live, card).is_err());
        check_switch(Environment::Demo, Environment::Testing, OpenWork::default()).unwrap();
    }

    #[test]
    fn each_environment_has_its_own_journal_and_demo_keeps_the_old_name() {
        assert_eq!(journal_file(Environment::Demo), "journal.sqlite3");
        let files = [Environment::Demo, Environment::Testing, Environment::Live].map(journal_file);
        assert!(files[0] != files[1] && files[1] != files[2] && files[0] != files[2]);
        assert_eq!(provider_url(Environment::Demo), None);
    }

    #[test]
    fn the_provider_url_override_is_for_debug_builds_and_safe_addresses_only() {
        let debug = |u: &str| overridden(Some(u), true);
        assert_eq!(
            debug("http://127.0.0.1:8787"),
            Some("http://127.0.0.1:8787".into())
        );
        assert_eq!(
            debug(" http://localhost:1/ "),
            Some("http://localhost:1/".into())
        );
        assert_eq!(debug("http://[::1]:9"), Some("http://[::1]:9".into()));
        assert_eq!(
            debug("https://connect-testing.example"),
            Some("https://connect-testing.example".into())
        );
        assert_eq!(debug("http://192.168.1.9:8787"), None);
        assert_eq!(debug("http://evil.example"), None);
        assert_eq!(debug("ftp://127.0.0.1"), None);
        assert_eq!(debug("not a url"), None);
        assert_eq!(overridden(Some("http://127.0.0.1:8787"), false), None);
        assert_eq!(
            overridden(Some("https://connect-testing.example"), false),
            None
        );
        assert_eq!(overridden(None, true), None);
    }
}
