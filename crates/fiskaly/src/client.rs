//! The client: one `reqwest::Client`, one token source, and the one path
//! every call takes: a deadline for the whole operation, one re-auth after a
//! 401, repeats of idempotent requests whose answer was lost, typed errors.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;
use tracing::{debug, warn};

use crate::auth::{Credentials, TokenRequests, TokenSource};
use crate::error::{loggable, ApiErrorBody, Error};

/// Where and how to reach the TSE.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// e.g. `https://kassensichv-middleware.fiskaly.com` (without `/api/v2`).
    pub base_url: String,
    pub credentials: Credentials,
    /// The whole time one business step may take, repeats and re-auth
    /// included (default 3 s): the TSE never holds a sale for long.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// For the one-time TSS setup calls (the API asks for ≥ 30 s when a TSS is deployed).
    pub setup_timeout: Duration,
    /// Access tokens are renewed this long before they expire (at most half their lifetime).
    pub token_renewal_margin: Duration,
}

impl ClientConfig {
    pub fn new(base_url: impl Into<String>, credentials: Credentials) -> Self {
        Self {
            base_url: base_url.into().trim_end_matches('/').to_string(),
            credentials,
            timeout: Duration::from_secs(3),
            connect_timeout: Duration::from_secs(1),
            setup_timeout: Duration::from_secs(30),
            token_renewal_margin: Duration::from_secs(60),
        }
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn with_token_renewal_margin(mut self, margin: Duration) -> Self {
        self.token_renewal_margin = margin;
        self
    }
}

pub struct Client {
    http: reqwest::Client,
    base_url: String,
    pub(crate) timeout: Duration,
    pub(crate) setup_timeout: Duration,
    auth: TokenSource,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// A TSE that answers 5xx this often in one step is reported, not asked again.
const MAX_SERVER_ERRORS: u32 = 3;

/// An answer lost on the way: whether the request may have arrived.
struct Lost {
    error: Error,
    arrived: bool,
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Self, Error> {
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .user_agent(concat!("smart-till/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::NotExecuted(e.to_string()))?;
        Ok(Self {
            http,
            auth: TokenSource::new(
                config.credentials,
                &config.base_url,
                config.token_renewal_margin,
            ),
            base_url: config.base_url,
            timeout: config.timeout,
            setup_timeout: config.setup_timeout,
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Token requests made so far, by grant.
    pub fn token_requests(&self) -> TokenRequests {
        self.auth.requests()
    }

    /// One request until `deadline`. Every request the client makes is
    /// idempotent (ids chosen by the till, transaction revisions), so a lost
    /// answer or a 5xx is repeated while time is left; a 401 re-authenticates once.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
        deadline: Instant,
    ) -> Result<T, Error> {
        let url = format!("{}/api/v2/{path}", self.base_url);
        let mut reauthenticated = false;
        let mut server_errors = 0;
        let mut last: Option<Error> = None;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(last
                    .unwrap_or_else(|| Error::NotExecuted("no time left to call the TSE".into())));
            }
            let token = match self.auth.token(&self.http, deadline).await {
                Ok(t) => t,
                // A failed token request after a lost answer leaves the outcome unknown.
                Err(e) => return Err(last.filter(Error::outcome_unknown).unwrap_or(e)),
            };
            let left = deadline
                .saturating_duration_since(Instant::now())
                .max(Duration::from_millis(1));
            let mut request = self
                .http
                .request(method.clone(), &url)
                .timeout(left)
                .bearer_auth(token.expose())
                .query(query);
            if let Some(body) = body {
                request = request.json(body);
            }
            let started = Instant::now();
            let (status, bytes) = match exchange(request).await {
                Ok(answer) => answer,
                Err(Lost { error, arrived }) => {
                    warn!(%method, path, %error, "no answer from the TSE");
                    // Once a request may have arrived, the outcome stays unknown
                    // until an answer says otherwise.
                    let unknown = arrived || last.as_ref().is_some_and(Error::outcome_unknown);
                    let error = match error {
                        Error::NotExecuted(m) if unknown => Error::OutcomeUnknown(m),
                        e => e,
                    };
                    if !arrived {
                        // Connection refused: the TSE is down; asking again now would only wait.
                        return Err(error);
                    }
                    last = Some(error);
                    // A pause before asking again: never a burst of requests at a TSE in trouble.
                    pause_before_retry(deadline).await;
                    continue;
                }
            };
            debug!(%method, path, %status, elapsed_ms = started.elapsed().as_millis() as u64, "TSE answered");
            if status.is_success() {
                return serde_json::from_slice(&bytes).map_err(|e| Error::Decode {
                    reason: e.to_string(),
                    body: loggable(&bytes),
                });
            }
            let body: ApiErrorBody = serde_json::from_slice(&bytes).unwrap_or_default();
            let admin = body
                .code
                .as_deref()
                .is_some_and(|c| c.starts_with("E_ADMIN"));
            if status == StatusCode::UNAUTHORIZED && !admin && !reauthenticated {
                // The token expired or was revoked; a refused call did nothing.
                reauthenticated = true;
                self.auth.invalidate(&token).await;
                continue;
            }
            let error = Error::Api {
                status: status.as_u16(),
                body,
            };
            if status.is_server_error() {
                server_errors += 1;
            }
            if status.is_server_error() && server_errors < MAX_SERVER_ERRORS {
                warn!(%method, path, %status, "TSE server error");
                last = Some(error);
                pause_before_retry(deadline).await;
                continue;
            }
            return Err(error);
        }
    }

    /// Deadline of a business step.
    pub(crate) fn step_deadline(&self) -> Instant {
        Instant::now() + self.timeout
    }

    /// Deadline of a setup step.
    pub(crate) fn setup_deadline(&self) -> Instant {
        Instant::now() + self.setup_timeout
    }
}

/// How long a lost answer or a server error waits before the request is
/// repeated (never past the step's deadline).
const RETRY_PAUSE: Duration = Duration::from_millis(50);

async fn pause_before_retry(deadline: Instant) {
    tokio::time::sleep(RETRY_PAUSE.min(deadline.saturating_duration_since(Instant::now()))).await;
}

/// Sends the request and reads the whole answer.
async fn exchange(request: reqwest::RequestBuilder) -> Result<(StatusCode, Vec<u8>), Lost> {
    let response = request.send().await.map_err(|e| {
        // A refused connection never carried the request; anything later may have.
        let arrived = !e.is_connect();
        let e = e.without_url();
        let message = match std::error::Error::source(&e) {
            Some(source) => format!("{e}: {source}"),
            None => e.to_string(),
        };
        Lost {
            error: if arrived {
                Error::OutcomeUnknown(message)
            } else {
                Error::NotExecuted(message)
            },
            arrived,
        }
    })?;
    let status = response.status();
    let bytes = response.bytes().await.map_err(|e| Lost {
        error: Error::OutcomeUnknown(format!("the answer was cut off: {}", e.without_url())),
        arrived: true,
    })?;
    Ok((status, bytes.to_vec()))
}
