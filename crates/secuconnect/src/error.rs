use serde::{Deserialize, Serialize};

/// The provider's error payload: `{status: "error", error, error_details, error_user, code, supportId}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ApiErrorBody {
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub error_details: Option<String>,
    /// German text meant for the cashier.
    #[serde(default)]
    pub error_user: Option<String>,
    /// A number in the docs, a string in the SDK models: kept as text.
    #[serde(default, deserialize_with = "crate::models::de_opt_string_or_number")]
    pub code: Option<String>,
    #[serde(default, rename = "supportId")]
    pub support_id: Option<String>,
}

/// Everything a call can end in besides success.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request never left (connection refused, DNS, TLS): nothing happened at the provider.
    #[error("the payment service cannot be reached: {0}")]
    NotExecuted(String),
    /// The request left but no answer came back (timeout, connection dropped):
    /// the provider may or may not have carried it out. Read the object back.
    #[error("no answer from the payment service; the outcome is unknown: {0}")]
    OutcomeUnknown(String),
    /// The provider refused our credentials or token.
    #[error("authentication failed: {0}")]
    Auth(String),
    /// The provider answered with its error payload.
    #[error("the payment service refused (HTTP {status}): {}", body.error_user.as_deref().or(body.error_details.as_deref()).or(body.error.as_deref()).unwrap_or("no details"))]
    Api { status: u16, body: ApiErrorBody },
    /// The answer did not decode; the body is kept for the log.
    #[error("unexpected answer from the payment service: {reason}")]
    Decode { reason: String, body: String },
}

impl Error {
    /// True when money may have moved and the caller must read back before anything else.
    pub fn outcome_unknown(&self) -> bool {
        matches!(self, Error::OutcomeUnknown(_))
    }
}
