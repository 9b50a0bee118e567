//! The token source behind every call: `client_credentials`, the device grant
//! (pairing a till) and `refresh_token`.
//!
//! A token is reused until `expires_in − 10 s`; then the refresh token is used,
//! then a new grant. One token request at a time: concurrent callers wait for
//! the one in flight and share its answer.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::{watch, Mutex};
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

use crate::error::{mask_secrets, Error};
use crate::models::{DeviceCodeAnswer, OAuthError, TokenAnswer};

/// A secret string whose `Debug` never shows it (and which has no `Display`).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// OAuth client credentials.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub client_id: String,
    pub client_secret: Secret,
}

/// How the client gets a token when it has neither a valid one nor a refresh token.
#[derive(Debug, Clone, Default)]
pub enum Grant {
    /// `client_credentials`: a new token whenever needed.
    #[default]
    ClientCredentials,
    /// A till paired with the device grant. Tokens come from the refresh token
    /// the app stored after pairing; once the provider refuses it, the till
    /// must be paired again ([`crate::Client::start_device_pairing`]).
    Device { refresh_token: Secret },
}

/// Tokens are dropped this long before they expire, as the provider's SDKs do.
pub const EXPIRY_MARGIN: Duration = Duration::from_secs(10);

/// How many token requests of each grant the client made (for diagnostics and tests).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokenRequests {
    pub client_credentials: u64,
    pub refresh_token: u64,
    pub device_start: u64,
    pub device_poll: u64,
}

/// A pairing in progress: show `user_code` and `verification_url` to the
/// person who confirms it in the merchant back office.
#[derive(Clone)]
pub struct DevicePairing {
    pub user_code: String,
    pub verification_url: String,
    /// How long the codes are valid.
    pub expires_in: Duration,
    /// How long to wait between two polls.
    pub interval: Duration,
    device_code: Secret,
    started: Instant,
}

impl DevicePairing {
    pub(crate) fn from_answer(answer: DeviceCodeAnswer) -> Self {
        Self {
            user_code: answer.user_code,
            verification_url: answer.verification_url,
            expires_in: Duration::from_secs(answer.expires_in),
            interval: Duration::from_secs(answer.interval.max(1)),
            device_code: Secret::new(answer.device_code),
            started: Instant::now(),
        }
    }

    /// When the codes stop being valid.
    pub fn deadline(&self) -> Instant {
        self.started + self.expires_in
    }
}

impl fmt::Debug for DevicePairing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DevicePairing")
            .field("user_code", &self.user_code)
            .field("verification_url", &self.verification_url)
            .field("expires_in", &self.expires_in)
            .field("interval", &self.interval)
            .field("device_code", &"***")
            .finish()
    }
}

struct CachedToken {
    token: Secret,
    valid_until: Instant,
}

struct State {
    /// A paired till: without a refresh token it must be paired again.
    device: bool,
    refresh_token: Option<Secret>,
    cached: Option<CachedToken>,
    /// How the last token request failed, for the callers that waited for it.
    last_failure: Option<Error>,
}

/// Hands out a valid access token; one token request at a time (no stampede).
pub(crate) struct TokenSource {
    credentials: Credentials,
    token_url: String,
    timeout: Duration,
    state: Mutex<State>,
    refresh_tx: watch::Sender<Option<Secret>>,
    counts: [AtomicU64; 4],
    /// Token requests finished, to tell whether one ended while a caller waited.
    finished: AtomicU64,
}

/// Body of every token request; fields left out are not sent.
#[derive(Serialize)]
struct TokenRequest<'a> {
    grant_type: &'static str,
    client_id: &'a str,
    client_secret: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    uuid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'a str>,
}

/// How a token request ended when it did not give a token.
enum TokenFailure {
    /// The provider answered with an OAuth error.
    Refused { status: u16, error: OAuthError },
    /// Anything else (network, an answer that does not decode).
    Other(Error),
}

impl TokenFailure {
    fn into_error(self, what: &str) -> Error {
        match self {
            TokenFailure::Refused { status, error } => Error::Auth(format!(
                "{what} refused (HTTP {status}): {}",
                describe(&error)
            )),
            TokenFailure::Other(e) => e,
        }
    }
}

fn describe(e: &OAuthError) -> String {
    match &e.error_description {
        Some(d) => format!("{} ({d})", e.error),
        None => e.error.clone(),
    }
}

const CLIENT_CREDENTIALS: usize = 0;
const REFRESH_TOKEN: usize = 1;
const DEVICE_START: usize = 2;
const DEVICE_POLL: usize = 3;

impl TokenSource {
    pub(crate) fn new(
        credentials: Credentials,
        grant: Grant,
        token_url: String,
        timeout: Duration,
    ) -> Self {
        let (device, refresh_token) = match grant {
            Grant::Device { refresh_token } => (true, Some(refresh_token)),
            Grant::ClientCredentials => (false, None),
        };
        let (refresh_tx, _) = watch::channel(refresh_token.clone());
        Self {
            credentials,
            token_url,
            timeout,
            state: Mutex::new(State {
                device,
                refresh_token,
                cached: None,
                last_failure: None,
            }),
            refresh_tx,
            counts: Default::default(),
            finished: AtomicU64::new(0),
        }
    }

    pub(crate) fn requests(&self) -> TokenRequests {
        let c = |i: usize| self.counts[i].load(Ordering::Relaxed);
        TokenRequests {
            client_credentials: c(CLIENT_CREDENTIALS),
            refresh_token: c(REFRESH_TOKEN),
            device_start: c(DEVICE_START),
            device_poll: c(DEVICE_POLL),
        }
    }

    /// The refresh token to keep, now and whenever it changes (`None`: none, or
    /// the provider refused it and the till must be paired again).
    pub(crate) fn refresh_token_updates(&self) -> watch::Receiver<Option<Secret>> {
        self.refresh_tx.subscribe()
    }

    /// A token valid for at least the margin: the cached one, else one from the
    /// refresh token, else from a new grant.
    pub(crate) async fn token(&self, http: &reqwest::Client) -> Result<Secret, Error> {
        let finished_before = self.finished.load(Ordering::Acquire);
        // Holding the lock across the request makes concurrent callers wait for one answer.
        let mut state = self.state.lock().await;
        if let Some(t) = &state.cached {
            if Instant::now() < t.valid_until {
                return Ok(t.token.clone());
            }
        }
        // A request made while this caller waited failed: share that answer
        // rather than queueing up for the same wait again.
        if self.finished.load(Ordering::Acquire) != finished_before {
            if let Some(e) = &state.last_failure {
                return Err(e.clone());
            }
        }
        let result = self.obtain(http, &mut state).await;
        state.last_failure = result.as_ref().err().cloned();
        self.finished.fetch_add(1, Ordering::AcqRel);
        result
    }

    async fn obtain(&self, http: &reqwest::Client, state: &mut State) -> Result<Secret, Error> {
        state.cached = None;

        if let Some(refresh_token) = state.refresh_token.clone() {
            match self.refresh(http, &refresh_token).await {
                Ok(answer) => return Ok(self.install(state, answer)),
                Err(TokenFailure::Refused { status, error }) => {
                    warn!(status, error = %error.error, "refresh token refused");
                    state.refresh_token = None;
                    let _ = self.refresh_tx.send_replace(None);
                    if state.device {
                        return Err(Error::Auth(format!(
                            "the till's pairing is no longer valid; pair it again ({})",
                            describe(&error)
                        )));
                    }
                }
                Err(TokenFailure::Other(e)) => return Err(e),
            }
        } else if state.device {
            return Err(Error::Auth(
                "the till is not paired; pair it with the payment service".into(),
            ));
        }

        let answer = self
            .client_credentials(http)
            .await
            .map_err(|f| f.into_error("the client credentials were"))?;
        Ok(self.install(state, answer))
    }

    /// Forgets `rejected` if it is still the cached token (a concurrent caller
    /// may already have replaced it), e.g. after the provider refused it.
    pub(crate) async fn invalidate(&self, rejected: &Secret) {
        let mut state = self.state.lock().await;
        if state.cached.as_ref().is_some_and(|c| &c.token == rejected) {
            state.cached = None;
        }
    }

    /// Stores a token answer; a new refresh token makes this a paired device.
    fn install(&self, state: &mut State, answer: TokenAnswer) -> Secret {
        let lifetime = Duration::from_secs(answer.expires_in).saturating_sub(EXPIRY_MARGIN);
        let token = Secret::new(answer.access_token);
        state.cached = Some(CachedToken {
            token: token.clone(),
            valid_until: Instant::now() + lifetime,
        });
        if let Some(rt) = answer.refresh_token {
            let rt = Secret::new(rt);
            if state.refresh_token.as_ref() != Some(&rt) {
                state.refresh_token = Some(rt.clone());
                let _ = self.refresh_tx.send_replace(Some(rt));
            }
        }
        debug!(expires_in = answer.expires_in, "access token obtained");
        token
    }

    async fn client_credentials(
        &self,
        http: &reqwest::Client,
    ) -> Result<TokenAnswer, TokenFailure> {
        self.counts[CLIENT_CREDENTIALS].fetch_add(1, Ordering::Relaxed);
        self.post(
            http,
            &TokenRequest {
                grant_type: "client_credentials",
                client_id: &self.credentials.client_id,
                client_secret: self.credentials.client_secret.expose(),
                refresh_token: None,
                uuid: None,
                code: None,
            },
        )
        .await
    }

    async fn refresh(
        &self,
        http: &reqwest::Client,
        refresh_token: &Secret,
    ) -> Result<TokenAnswer, TokenFailure> {
        self.counts[REFRESH_TOKEN].fetch_add(1, Ordering::Relaxed);
        self.post(
            http,
            &TokenRequest {
                grant_type: "refresh_token",
                client_id: &self.credentials.client_id,
                client_secret: self.credentials.client_secret.expose(),
                refresh_token: Some(refresh_token.expose()),
                uuid: None,
                code: None,
            },
        )
        .await
    }

    /// Step 1 of the device grant: codes for the person who confirms the pairing.
    pub(crate) async fn start_device(
        &self,
        http: &reqwest::Client,
        uuid: &str,
    ) -> Result<DevicePairing, Error> {
        self.counts[DEVICE_START].fetch_add(1, Ordering::Relaxed);
        let answer: DeviceCodeAnswer = self
            .post(
                http,
                &TokenRequest {
                    grant_type: "device",
                    client_id: &self.credentials.client_id,
                    client_secret: self.credentials.client_secret.expose(),
                    refresh_token: None,
                    uuid: Some(uuid),
                    code: None,
                },
            )
            .await
            .map_err(|f| f.into_error("the device pairing was"))?;
        info!(verification_url = %answer.verification_url, "device pairing started");
        Ok(DevicePairing::from_answer(answer))
    }

    /// Step 2 of the device grant: polls every `interval` until the pairing is
    /// confirmed, expires, is refused or `cancel` fires. On success the token
    /// source uses the new tokens and the refresh token is returned to be stored.
    pub(crate) async fn finish_device(
        &self,
        http: &reqwest::Client,
        pairing: &DevicePairing,
        cancel: &CancellationToken,
    ) -> Result<Secret, Error> {
        let mut interval = pairing.interval;
        loop {
            let wake = Instant::now() + interval;
            if wake >= pairing.deadline() {
                return Err(Error::PairingExpired);
            }
            tokio::select! {
                _ = cancel.cancelled() => {
                    return Err(Error::Auth("the pairing was cancelled".into()));
                }
                _ = tokio::time::sleep_until(wake.into()) => {}
            }
            self.counts[DEVICE_POLL].fetch_add(1, Ordering::Relaxed);
            let request = TokenRequest {
                grant_type: "device",
                client_id: &self.credentials.client_id,
                client_secret: self.credentials.client_secret.expose(),
                refresh_token: None,
                uuid: None,
                code: Some(pairing.device_code.expose()),
            };
            let polled = tokio::select! {
                _ = cancel.cancelled() => {
                    return Err(Error::Auth("the pairing was cancelled".into()));
                }
                r = self.post::<TokenAnswer>(http, &request) => r,
            };
            match polled {
                Ok(answer) => {
                    let Some(rt) = answer.refresh_token.clone() else {
                        return Err(Error::Auth(
                            "the pairing answer carries no refresh token".into(),
                        ));
                    };
                    let mut state = self.state.lock().await;
                    state.device = true;
                    self.install(&mut state, answer);
                    info!("device pairing confirmed");
                    return Ok(Secret::new(rt));
                }
                Err(TokenFailure::Refused { error, .. })
                    if error.error == "authorization_pending" =>
                {
                    debug!("device pairing not yet confirmed");
                }
                Err(TokenFailure::Refused { error, .. }) if error.error == "expired_token" => {
                    return Err(Error::PairingExpired);
                }
                Err(TokenFailure::Refused { error, .. }) if error.error == "slow_down" => {
                    interval += Duration::from_secs(5);
                }
                Err(TokenFailure::Refused { status, error }) => {
                    return Err(Error::Auth(format!(
                        "the device pairing was refused (HTTP {status}): {}",
                        describe(&error)
                    )));
                }
                // A network hiccup does not end a pairing: poll again until the codes expire.
                Err(TokenFailure::Other(e)) => warn!(error = %e, "device pairing poll failed"),
            }
        }
    }

    async fn post<T: serde::de::DeserializeOwned>(
        &self,
        http: &reqwest::Client,
        body: &TokenRequest<'_>,
    ) -> Result<T, TokenFailure> {
        // Getting a token moves no money: any transport failure means "not executed".
        let response = http
            .post(&self.token_url)
            .timeout(self.timeout)
            .header(reqwest::header::ACCEPT, "application/json")
            .json(body)
            .send()
            .await
            .map_err(|e| TokenFailure::Other(Error::NotExecuted(e.without_url().to_string())))?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| TokenFailure::Other(Error::NotExecuted(e.without_url().to_string())))?;
        if status.is_success() {
            return serde_json::from_str(&text).map_err(|e| {
                // serde's message may quote a value, and values here are secrets.
                TokenFailure::Other(Error::Decode {
                    reason: format!(
                        "the token answer does not decode ({:?} at line {} column {})",
                        e.classify(),
                        e.line(),
                        e.column()
                    ),
                    body: mask_secrets(&text),
                })
            });
        }
        match serde_json::from_str::<OAuthError>(&text) {
            Ok(error) => Err(TokenFailure::Refused {
                status: status.as_u16(),
                error,
            }),
            Err(_) if status.is_server_error() => Err(TokenFailure::Other(Error::NotExecuted(
                format!("the token service answered HTTP {status}"),
            ))),
            Err(_) => Err(TokenFailure::Other(Error::Auth(format!(
                "the token service answered HTTP {status}"
            )))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source() -> TokenSource {
        TokenSource::new(
            Credentials {
                client_id: "till".into(),
                client_secret: Secret::new("s3cr3t"),
            },
            Grant::ClientCredentials,
            // Never contacted: the pairing below expires before its first poll.
            "http://127.0.0.1:9/oauth/token".into(),
            Duration::from_secs(1),
        )
    }

    #[tokio::test]
    async fn a_pairing_stops_when_its_codes_expire_before_the_next_poll() {
        let pairing = DevicePairing::from_answer(DeviceCodeAnswer {
            device_code: "dc".into(),
            user_code: "ABCD".into(),
            verification_url: "https://example.invalid/device".into(),
            expires_in: 3,
            interval: 5,
        });
        let source = source();
        let err = source
            .finish_device(&reqwest::Client::new(), &pairing, &CancellationToken::new())
            .await
            .unwrap_err();
        assert!(matches!(err, Error::PairingExpired), "{err:?}");
        assert_eq!(source.requests().device_poll, 0);
    }

    #[test]
    fn debug_output_hides_secrets() {
        let credentials = Credentials {
            client_id: "till".into(),
            client_secret: Secret::new("s3cr3t"),
        };
        let grant = Grant::Device {
            refresh_token: Secret::new("rt-123"),
        };
        let pairing = DevicePairing::from_answer(DeviceCodeAnswer {
            device_code: "dc-456".into(),
            user_code: "ABCD".into(),
            verification_url: "https://example.invalid/device".into(),
            expires_in: 1200,
            interval: 5,
        });
        let text = format!("{credentials:?} {grant:?} {pairing:?}");
        for secret in ["s3cr3t", "rt-123", "dc-456"] {
            assert!(!text.contains(secret), "{text}");
        }
        assert!(text.contains("ABCD"), "the user code is for showing");
    }
}
