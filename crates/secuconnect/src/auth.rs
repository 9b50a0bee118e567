//! The token source behind every call.

use std::fmt;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::Mutex;

use crate::error::Error;
use crate::models::{OAuthError, TokenAnswer};

/// A secret string whose `Debug` and `Display` never show it.
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

/// Tokens are dropped this long before they expire, as the provider's SDKs do.
const EXPIRY_MARGIN: Duration = Duration::from_secs(10);

struct CachedToken {
    token: Secret,
    valid_until: Instant,
}

/// Hands out a valid access token; one token request at a time (no stampede).
pub(crate) struct TokenSource {
    credentials: Credentials,
    cached: Mutex<Option<CachedToken>>,
}

#[derive(Serialize)]
struct ClientCredentialsRequest<'a> {
    grant_type: &'static str,
    client_id: &'a str,
    client_secret: &'a str,
}

impl TokenSource {
    pub(crate) fn new(credentials: Credentials) -> Self {
        Self {
            credentials,
            cached: Mutex::new(None),
        }
    }

    /// A token valid for at least the margin; fetched when there is none.
    pub(crate) async fn token(
        &self,
        http: &reqwest::Client,
        token_url: &str,
    ) -> Result<Secret, Error> {
        // Holding the lock across the request makes concurrent callers wait for one answer.
        let mut cached = self.cached.lock().await;
        if let Some(t) = cached.as_ref() {
            if Instant::now() < t.valid_until {
                return Ok(t.token.clone());
            }
        }
        let answer = self.client_credentials(http, token_url).await?;
        let lifetime = Duration::from_secs(answer.expires_in).saturating_sub(EXPIRY_MARGIN);
        let token = Secret::new(answer.access_token);
        *cached = Some(CachedToken {
            token: token.clone(),
            valid_until: Instant::now() + lifetime,
        });
        Ok(token)
    }

    /// Forgets the token, e.g. after the provider said it is no longer valid.
    pub(crate) async fn invalidate(&self) {
        *self.cached.lock().await = None;
    }

    async fn client_credentials(
        &self,
        http: &reqwest::Client,
        token_url: &str,
    ) -> Result<TokenAnswer, Error> {
        let body = ClientCredentialsRequest {
            grant_type: "client_credentials",
            client_id: &self.credentials.client_id,
            client_secret: self.credentials.client_secret.expose(),
        };
        // Getting a token moves no money: any failure here means "not executed".
        let response = http
            .post(token_url)
            .json(&body)
            .send()
            .await
            .map_err(|e| Error::NotExecuted(e.without_url().to_string()))?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| Error::NotExecuted(e.without_url().to_string()))?;
        if status.is_success() {
            serde_json::from_str(&text).map_err(|e| Error::Decode {
                reason: e.to_string(),
                body: "<token answer withheld>".into(),
            })
        } else {
            let reason = serde_json::from_str::<OAuthError>(&text)
                .map(|e| match e.error_description {
                    Some(d) => format!("{} ({d})", e.error),
                    None => e.error,
                })
                .unwrap_or_else(|_| format!("HTTP {status}"));
            Err(Error::Auth(reason))
        }
    }
}
