//! The API client: one `reqwest::Client`, one token source, typed calls.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tracing::{debug, instrument};

use crate::auth::{Credentials, TokenSource};
use crate::error::{ApiErrorBody, Error};
use crate::models::{SmartTransaction, TransactionDraft};

/// Where and how to reach the provider.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// e.g. `https://connect-testing.secuconnect.com` (no trailing `/api/v2`).
    pub base_url: String,
    pub credentials: Credentials,
    /// For ordinary calls.
    pub timeout: Duration,
    pub connect_timeout: Duration,
}

impl ClientConfig {
    pub fn new(base_url: impl Into<String>, credentials: Credentials) -> Self {
        Self {
            base_url: base_url.into().trim_end_matches('/').to_string(),
            credentials,
            timeout: Duration::from_secs(15),
            connect_timeout: Duration::from_secs(5),
        }
    }
}

pub struct Client {
    http: reqwest::Client,
    base_url: String,
    auth: TokenSource,
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Self, Error> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .user_agent(concat!("smart-till/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::NotExecuted(e.to_string()))?;
        Ok(Self {
            http,
            base_url: config.base_url,
            auth: TokenSource::new(config.credentials),
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Creates a smart transaction (`POST /api/v2/Smart/Transactions`).
    #[instrument(skip_all)]
    pub async fn create_transaction(
        &self,
        draft: &TransactionDraft,
    ) -> Result<SmartTransaction, Error> {
        self.call(Method::POST, "Smart/Transactions", Some(draft))
            .await
    }

    /// Reads a smart transaction back (`GET /api/v2/Smart/Transactions/{id}`).
    #[instrument(skip(self))]
    pub async fn get_transaction(&self, id: &str) -> Result<SmartTransaction, Error> {
        self.call::<(), _>(Method::GET, &format!("Smart/Transactions/{id}"), None)
            .await
    }

    /// Registers the till's own payment (`POST …/{id}/start/cash`); the card credit pays the rest.
    #[instrument(skip(self))]
    pub async fn start_cash(&self, id: &str) -> Result<SmartTransaction, Error> {
        self.call::<(), _>(
            Method::POST,
            &format!("Smart/Transactions/{id}/start/cash"),
            None,
        )
        .await
    }

    /// One API call with the token, and one retry after the provider rejected the token.
    async fn call<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<T, Error> {
        let url = format!("{}/api/v2/{path}", self.base_url);
        let token_url = format!("{}/oauth/token", self.base_url);
        let mut retried = false;
        loop {
            let token = self.auth.token(&self.http, &token_url).await?;
            let mut request = self
                .http
                .request(method.clone(), &url)
                .bearer_auth(token.expose())
                .header(reqwest::header::ACCEPT, "application/json");
            if let Some(body) = body {
                request = request.json(body);
            }
            let response = request.send().await.map_err(transport_error)?;
            let status = response.status();
            let text = response.text().await.map_err(|e| {
                // The provider answered but the body was cut: it did act on the request.
                Error::OutcomeUnknown(e.without_url().to_string())
            })?;
            debug!(%status, path, "secuconnect answered");
            if status.is_success() {
                return serde_json::from_str(&text).map_err(|e| Error::Decode {
                    reason: e.to_string(),
                    body: truncate(&text),
                });
            }
            let error: ApiErrorBody = serde_json::from_str(&text).unwrap_or_default();
            if is_token_rejected(status, &error) && !retried {
                // The token expired or was replaced; a rejected call did nothing.
                retried = true;
                self.auth.invalidate().await;
                continue;
            }
            if is_token_rejected(status, &error) {
                return Err(Error::Auth(
                    error
                        .error_details
                        .or(error.error)
                        .unwrap_or_else(|| format!("HTTP {status}")),
                ));
            }
            if error == ApiErrorBody::default() {
                return Err(Error::Decode {
                    reason: format!("HTTP {status} without the provider's error payload"),
                    body: truncate(&text),
                });
            }
            return Err(Error::Api {
                status: status.as_u16(),
                body: error,
            });
        }
    }
}

/// 401, or 403 with code 2003 ("Valid auth token required").
fn is_token_rejected(status: StatusCode, error: &ApiErrorBody) -> bool {
    status == StatusCode::UNAUTHORIZED
        || (status == StatusCode::FORBIDDEN && error.code.as_deref() == Some("2003"))
}

/// Splits transport failures into "never left" and "left, answer lost".
fn transport_error(e: reqwest::Error) -> Error {
    let not_sent = e.is_connect() || e.is_builder();
    let message = e.without_url().to_string();
    if not_sent {
        Error::NotExecuted(message)
    } else {
        Error::OutcomeUnknown(message)
    }
}

fn truncate(text: &str) -> String {
    const MAX: usize = 2048;
    match text.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}
