//! The API client: one `reqwest::Client`, one token source, and the one path
//! every call takes (token, timeout, cancellation, re-auth, error typing).

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tracing::{debug, instrument, warn};

use crate::auth::{Credentials, DevicePairing, Grant, Secret, TokenRequests, TokenSource};
use crate::error::{mask_secrets, ApiErrorBody, Error};

/// Where and how to reach the provider.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// e.g. `https://connect-testing.secuconnect.com` (no trailing `/api/v2`).
    pub base_url: String,
    pub credentials: Credentials,
    /// For ordinary calls (and token requests).
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// For the calls that wait for the payment terminal: `start/cashless`,
    /// `canceltrx`, `endOfDay`, `diagnosis`.
    pub terminal_timeout: Duration,
    /// How tokens are obtained: client credentials, or a paired till's refresh token.
    pub grant: Grant,
}

impl ClientConfig {
    pub fn new(base_url: impl Into<String>, credentials: Credentials) -> Self {
        Self {
            base_url: base_url.into().trim_end_matches('/').to_string(),
            credentials,
            timeout: Duration::from_secs(15),
            connect_timeout: Duration::from_secs(5),
            terminal_timeout: Duration::from_secs(300),
            grant: Grant::ClientCredentials,
        }
    }

    /// A till paired earlier: authenticate with the refresh token the app stored.
    pub fn with_device_refresh_token(mut self, refresh_token: Secret) -> Self {
        self.grant = Grant::Device { refresh_token };
        self
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn with_terminal_timeout(mut self, timeout: Duration) -> Self {
        self.terminal_timeout = timeout;
        self
    }
}

/// What a call does at the provider; decides its timeout and what a lost
/// answer means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Changes nothing: a lost answer means nothing happened; repeated once
    /// after a dropped connection.
    Read,
    /// Changes something (maybe money): never repeated once it may have
    /// reached the provider.
    Write,
    /// Waits for the payment terminal: long timeout, cancellable, never repeated.
    Terminal,
}

pub struct Client {
    http: reqwest::Client,
    base_url: String,
    timeout: Duration,
    terminal_timeout: Duration,
    auth: TokenSource,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("terminal_timeout", &self.terminal_timeout)
            .finish_non_exhaustive()
    }
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Self, Error> {
        // Timeouts are set per request: ordinary and terminal calls differ.
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .user_agent(concat!("smart-till/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::NotExecuted(e.to_string()))?;
        let token_url = format!("{}/oauth/token", config.base_url);
        Ok(Self {
            http,
            auth: TokenSource::new(config.credentials, config.grant, token_url, config.timeout),
            base_url: config.base_url,
            timeout: config.timeout,
            terminal_timeout: config.terminal_timeout,
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Token requests made so far, by grant.
    pub fn token_requests(&self) -> TokenRequests {
        self.auth.requests()
    }

    /// The refresh token for the app to keep (as a secret), now and whenever
    /// it changes; `None` once the provider refused it (pair again).
    pub fn refresh_token_updates(&self) -> watch::Receiver<Option<Secret>> {
        self.auth.refresh_token_updates()
    }

    /// A valid access token (for diagnostics; every call gets its own).
    pub async fn access_token(&self) -> Result<Secret, Error> {
        self.auth.token(&self.http).await
    }

    /// Starts pairing this till (device grant) under `uuid`, e.g.
    /// `/vendor/smart-till/serial/42`. Show `user_code` and `verification_url`,
    /// then call [`Client::finish_device_pairing`].
    #[instrument(skip(self))]
    pub async fn start_device_pairing(&self, uuid: &str) -> Result<DevicePairing, Error> {
        self.auth.start_device(&self.http, uuid).await
    }

    /// Waits until the pairing is confirmed (polling every `interval`), the
    /// codes expire or `cancel` fires. From then on the client authenticates
    /// as the device; the returned refresh token is for the app to store.
    #[instrument(skip_all)]
    pub async fn finish_device_pairing(
        &self,
        pairing: &DevicePairing,
        cancel: &CancellationToken,
    ) -> Result<Secret, Error> {
        self.auth.finish_device(&self.http, pairing, cancel).await
    }

    /// One API call: token, request with the kind's timeout, one retry after
    /// the provider rejected the token, typed errors.
    pub(crate) async fn call<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        kind: Kind,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&B>,
        cancel: Option<&CancellationToken>,
    ) -> Result<T, Error> {
        let url = format!("{}/api/v2/{path}", self.base_url);
        let timeout = match kind {
            Kind::Terminal => self.terminal_timeout,
            Kind::Read | Kind::Write => self.timeout,
        };
        let mut token_retried = false;
        let mut read_retried = false;
        loop {
            let token = match cancel {
                Some(c) => tokio::select! {
                    biased;
                    _ = c.cancelled() => {
                        return Err(Error::NotExecuted("cancelled before the request was sent".into()))
                    }
                    t = self.auth.token(&self.http) => t?,
                },
                None => self.auth.token(&self.http).await?,
            };
            let mut request = self
                .http
                .request(method.clone(), &url)
                .timeout(timeout)
                .bearer_auth(token.expose())
                .header(reqwest::header::ACCEPT, "application/json");
            if !query.is_empty() {
                request = request.query(query);
            }
            if let Some(body) = body {
                request = request.json(body);
            }
            let started = Instant::now();
            let exchanged = match cancel {
                Some(c) => tokio::select! {
                    biased;
                    _ = c.cancelled() => Err(cancelled_in_flight(kind)),
                    r = exchange(request, kind) => r,
                },
                None => exchange(request, kind).await,
            };
            let (status, bytes) = match exchanged {
                Ok(answer) => answer,
                Err(Lost { error, retryable })
                    if kind == Kind::Read && retryable && !read_retried =>
                {
                    // Reading twice is harmless; a stale pooled connection is not worth an error.
                    warn!(path, %error, "read failed; trying once more");
                    read_retried = true;
                    continue;
                }
                Err(Lost { error, .. }) => return Err(error),
            };
            debug!(%status, path, elapsed_ms = started.elapsed().as_millis() as u64, "secuconnect answered");
            if status.is_success() {
                return serde_json::from_slice(&bytes).map_err(|e| Error::Decode {
                    reason: e.to_string(),
                    body: mask_secrets(&String::from_utf8_lossy(&bytes)),
                });
            }
            let error: Option<ApiErrorBody> = serde_json::from_slice(&bytes)
                .ok()
                .filter(|b: &ApiErrorBody| b.error.is_some() || b.code.is_some());
            if is_token_rejected(status, error.as_ref()) {
                if !token_retried {
                    // The token expired or was replaced; a rejected call did nothing.
                    token_retried = true;
                    self.auth.invalidate(&token).await;
                    continue;
                }
                let reason = error
                    .and_then(|e| e.error_details.or(e.error))
                    .unwrap_or_else(|| format!("HTTP {status}"));
                return Err(Error::Auth(format!(
                    "the payment service refused a fresh token: {reason}"
                )));
            }
            return Err(match error {
                Some(body) => Error::Api {
                    status: status.as_u16(),
                    body,
                },
                // A gateway's error page: the provider behind it may have acted.
                None if status.is_server_error() && kind != Kind::Read => {
                    Error::OutcomeUnknown(format!("HTTP {status} without the provider's answer"))
                }
                None if status.is_server_error() => {
                    Error::NotExecuted(format!("HTTP {status} without the provider's answer"))
                }
                None => Error::Decode {
                    reason: format!("HTTP {status} without the provider's error payload"),
                    body: mask_secrets(&String::from_utf8_lossy(&bytes)),
                },
            });
        }
    }
}

/// A call that got no (complete) answer.
struct Lost {
    error: Error,
    /// Worth one more try if the call only reads.
    retryable: bool,
}

/// Sends the request and reads the whole answer.
async fn exchange(
    request: reqwest::RequestBuilder,
    kind: Kind,
) -> Result<(StatusCode, Vec<u8>), Lost> {
    let response = request.send().await.map_err(|e| {
        let retryable = !e.is_timeout();
        Lost {
            error: transport_error(e, kind),
            retryable,
        }
    })?;
    let status = response.status();
    let bytes = response.bytes().await.map_err(|e| {
        let retryable = !e.is_timeout();
        // The provider answered but the body was cut: it did act on the request.
        let message = format!("the answer was cut off: {}", e.without_url());
        Lost {
            error: if kind == Kind::Read {
                Error::NotExecuted(message)
            } else {
                Error::OutcomeUnknown(message)
            },
            retryable,
        }
    })?;
    Ok((status, Vec::from(bytes)))
}

fn cancelled_in_flight(kind: Kind) -> Lost {
    let error = if kind == Kind::Read {
        Error::NotExecuted("cancelled".into())
    } else {
        Error::OutcomeUnknown(
            "cancelled while waiting for the answer; the request may still be carried out".into(),
        )
    };
    Lost {
        error,
        retryable: false,
    }
}

/// 401, or 403 with code 2003 ("Valid auth token required").
fn is_token_rejected(status: StatusCode, error: Option<&ApiErrorBody>) -> bool {
    status == StatusCode::UNAUTHORIZED
        || (status == StatusCode::FORBIDDEN
            && error.and_then(|e| e.code.as_deref()) == Some("2003"))
}

/// Splits transport failures into "never left" and "left, answer lost".
fn transport_error(e: reqwest::Error, kind: Kind) -> Error {
    let not_sent = e.is_connect() || e.is_builder();
    let e = e.without_url();
    let message = match std::error::Error::source(&e) {
        Some(source) => format!("{e}: {source}"),
        None => e.to_string(),
    };
    if not_sent || kind == Kind::Read {
        Error::NotExecuted(message)
    } else {
        Error::OutcomeUnknown(message)
    }
}

/// Escapes one path segment (ids are plain, but a card number or device id is input).
pub(crate) fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
