//! The access token behind every call: `POST /api/v2/auth` with the API key
//! and secret, then with the refresh token before the access token expires.
//! One token request at a time; concurrent callers wait and share its answer.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Deserializer};
use serde_json::json;
use tokio::sync::Mutex;
use tracing::{debug, info};

use crate::error::{loggable, Error};

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

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret)
    }
}

/// The API key of the TSE account.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub api_key: String,
    pub api_secret: Secret,
}

/// How many token requests the client made, by grant.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokenRequests {
    pub api_key: u64,
    pub refresh_token: u64,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: Secret,
    #[serde(default)]
    access_token_expires_in: Option<u64>,
    #[serde(default)]
    refresh_token: Option<Secret>,
    #[serde(default)]
    refresh_token_expires_in: Option<u64>,
}

struct Token {
    secret: Secret,
    /// Renewed from this moment on, ahead of its expiry.
    renew_at: Instant,
    expires_at: Instant,
}

#[derive(Default)]
struct Tokens {
    access: Option<Token>,
    refresh: Option<Token>,
}

pub(crate) struct TokenSource {
    credentials: Credentials,
    url: String,
    margin: Duration,
    tokens: Mutex<Tokens>,
    api_key_requests: AtomicU64,
    refresh_requests: AtomicU64,
}

/// How a token request failed.
enum Failure {
    /// The API answered 4xx: the credentials or the refresh token are no good.
    Refused(String),
    Other(Error),
}

impl TokenSource {
    pub(crate) fn new(credentials: Credentials, base_url: &str, margin: Duration) -> Self {
        Self {
            credentials,
            url: format!("{base_url}/api/v2/auth"),
            margin,
            tokens: Mutex::new(Tokens::default()),
            api_key_requests: AtomicU64::new(0),
            refresh_requests: AtomicU64::new(0),
        }
    }

    pub(crate) fn requests(&self) -> TokenRequests {
        TokenRequests {
            api_key: self.api_key_requests.load(Ordering::Relaxed),
            refresh_token: self.refresh_requests.load(Ordering::Relaxed),
        }
    }

    /// A token valid for a while yet: the cached one, a refreshed one, or a new one.
    pub(crate) async fn token(
        &self,
        http: &reqwest::Client,
        deadline: Instant,
    ) -> Result<Secret, Error> {
        let mut tokens = self.tokens.lock().await;
        let now = Instant::now();
        if let Some(t) = tokens.access.as_ref().filter(|t| now < t.renew_at) {
            return Ok(t.secret.clone());
        }
        if let Some(refresh) = tokens.refresh.take().filter(|t| now < t.expires_at) {
            self.refresh_requests.fetch_add(1, Ordering::Relaxed);
            let body = json!({"refresh_token": refresh.secret.expose()});
            match self.request(http, &body, deadline).await {
                Ok(answer) => return Ok(self.keep(&mut tokens, answer)),
                // An unusable refresh token: the API key is next.
                Err(Failure::Refused(reason)) => debug!(%reason, "refresh token refused"),
                Err(Failure::Other(e)) => {
                    tokens.refresh = Some(refresh);
                    return Err(e);
                }
            }
        }
        self.api_key_requests.fetch_add(1, Ordering::Relaxed);
        let body = json!({
            "api_key": self.credentials.api_key,
            "api_secret": self.credentials.api_secret.expose(),
        });
        match self.request(http, &body, deadline).await {
            Ok(answer) => {
                info!("authenticated with the API key");
                Ok(self.keep(&mut tokens, answer))
            }
            Err(Failure::Refused(reason)) => Err(Error::Auth(reason)),
            Err(Failure::Other(e)) => Err(e),
        }
    }

    /// Forgets `rejected` (the API refused it); a newer token stays.
    pub(crate) async fn invalidate(&self, rejected: &Secret) {
        let mut tokens = self.tokens.lock().await;
        if tokens
            .access
            .as_ref()
            .is_some_and(|t| &t.secret == rejected)
        {
            tokens.access = None;
        }
    }

    fn keep(&self, tokens: &mut Tokens, answer: TokenAnswer) -> Secret {
        let now = Instant::now();
        let lifetime = Duration::from_secs(answer.access_token_expires_in.unwrap_or(300));
        // Renew a margin ahead, but never later than half-way for short lifetimes.
        let ahead = self.margin.min(lifetime / 2);
        tokens.access = Some(Token {
            secret: answer.access_token.clone(),
            renew_at: now + lifetime - ahead,
            expires_at: now + lifetime,
        });
        tokens.refresh = answer.refresh_token.map(|secret| Token {
            secret,
            renew_at: now,
            expires_at: now + Duration::from_secs(answer.refresh_token_expires_in.unwrap_or(0)),
        });
        answer.access_token
    }

    async fn request(
        &self,
        http: &reqwest::Client,
        body: &serde_json::Value,
        deadline: Instant,
    ) -> Result<TokenAnswer, Failure> {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Failure::Other(Error::NotExecuted(
                "no time left to authenticate".into(),
            )));
        }
        let response = http
            .post(&self.url)
            .timeout(left)
            .json(body)
            .send()
            .await
            // An auth request changes nothing that matters: a lost answer means "not done".
            .map_err(|e| {
                Failure::Other(Error::NotExecuted(format!(
                    "authentication: {}",
                    e.without_url()
                )))
            })?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| {
            Failure::Other(Error::NotExecuted(format!(
                "authentication: {}",
                e.without_url()
            )))
        })?;
        if status.is_client_error() {
            return Err(Failure::Refused(format!(
                "HTTP {status}: {}",
                loggable(&bytes)
            )));
        }
        if !status.is_success() {
            return Err(Failure::Other(Error::NotExecuted(format!(
                "authentication answered HTTP {status}"
            ))));
        }
        serde_json::from_slice(&bytes).map_err(|e| {
            Failure::Other(Error::Decode {
                reason: format!("authentication answer: {e}"),
                body: loggable(&bytes),
            })
        })
    }
}
