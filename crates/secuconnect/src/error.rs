use crate::models::codec::model;

model! {
    /// The provider's error payload: `{status: "error", error, error_details, error_user, code, supportId}`.
    #[derive(Debug, Clone, PartialEq, Default)]
    pub struct ApiErrorBody {
        status: Option<String> = "status",
        error: Option<String> = "error",
        error_details: Option<String> = "error_details",
        /// German text meant for the cashier.
        error_user: Option<String> = "error_user",
        /// A number in the docs, a string in the SDK models: kept as text.
        code: Option<String> = "code" as StrOrNum,
        /// To quote to the provider's support.
        support_id: Option<String> = "supportId",
    }
}

/// Everything a call can end in besides success.
#[derive(Debug, Clone, thiserror::Error)]
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
    /// A device pairing's code expired before anyone confirmed it (the
    /// provider's `expired_token`, or its lifetime ran out while polling).
    #[error("the pairing code expired before it was confirmed")]
    PairingExpired,
    /// The provider answered with its error payload.
    #[error("the payment service refused (HTTP {status}): {}", body.error_user.as_deref().or(body.error_details.as_deref()).or(body.error.as_deref()).unwrap_or("no details"))]
    Api { status: u16, body: ApiErrorBody },
    /// The answer did not decode; the body is kept for the log.
    #[error("unexpected answer from the payment service: {reason}")]
    Decode { reason: String, body: String },
}

/// Whether the provider carried out a request that ended in an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Execution {
    /// Nothing happened at the provider; the call may be made again.
    NotExecuted,
    /// The request may have been carried out: read the object back (GET)
    /// before doing anything else, never repeat it blindly.
    MaybeExecuted,
    /// The provider received the request and answered (an error payload, or
    /// an answer that does not decode).
    Executed,
}

impl Error {
    /// True when money may have moved and the caller must read back before anything else.
    pub fn outcome_unknown(&self) -> bool {
        matches!(self, Error::OutcomeUnknown(_))
    }

    /// The one rule for "the payment service cannot be reached": the request
    /// never got there, or no answer came back. Any answer, even a refusal or
    /// a server error, means it is reachable.
    pub fn unreachable(&self) -> bool {
        matches!(self, Error::NotExecuted(_) | Error::OutcomeUnknown(_))
    }

    /// What the error says about whether the request was carried out.
    pub fn execution(&self) -> Execution {
        match self {
            // A refused token or credentials stop a call before it is processed.
            Error::NotExecuted(_) | Error::Auth(_) | Error::PairingExpired => {
                Execution::NotExecuted
            }
            Error::OutcomeUnknown(_) => Execution::MaybeExecuted,
            // A server error may come after part of the work was done.
            Error::Api { status, .. } if *status >= 500 => Execution::MaybeExecuted,
            Error::Api { .. } | Error::Decode { .. } => Execution::Executed,
        }
    }

    /// The provider's words for the cashier, where it sent some.
    pub fn user_message(&self) -> Option<&str> {
        match self {
            Error::Api { body, .. } => body.error_user.as_deref(),
            _ => None,
        }
    }

    /// The provider's support id, to quote to its help desk.
    pub fn support_id(&self) -> Option<&str> {
        match self {
            Error::Api { body, .. } => body.support_id.as_deref(),
            _ => None,
        }
    }
}

/// Keys whose values are secrets wherever they appear in a body.
const SECRET_KEYS: &[&str] = &[
    "access_token",
    "refresh_token",
    "client_secret",
    "device_code",
    "password",
    "passcode",
];

/// The body of an answer for the log: secrets masked, at most 2 KiB.
pub(crate) fn mask_secrets(text: &str) -> String {
    let mut out = text.to_string();
    for key in SECRET_KEYS {
        out = mask_key(&out, key);
    }
    truncate(&out)
}

/// Replaces the value after `"key"…:` (JSON) or `key=` (form) with `***`.
fn mask_key(text: &str, key: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find(key) {
        let (before, after_start) = rest.split_at(pos);
        out.push_str(before);
        out.push_str(key);
        let mut after = &after_start[key.len()..];
        // JSON: optional closing quote, whitespace, colon, whitespace.
        let trimmed = after.strip_prefix('"').unwrap_or(after).trim_start();
        let value_start = if let Some(v) = trimmed.strip_prefix(':') {
            Some(v.trim_start())
        } else {
            after.strip_prefix('=')
        };
        if let Some(value) = value_start {
            out.push_str(&after[..after.len() - value.len()]);
            let (masked_len, quoted) = if let Some(inner) = value.strip_prefix('"') {
                let end = inner.find('"').unwrap_or(inner.len());
                (end + 1, true)
            } else {
                let end = value
                    .find(|c: char| c == '&' || c == ',' || c == '}' || c.is_whitespace())
                    .unwrap_or(value.len());
                (end, false)
            };
            out.push_str(if quoted { "\"***" } else { "***" });
            let consumed = masked_len.min(value.len());
            after = &value[consumed..];
            if quoted && after.starts_with('"') {
                out.push('"');
                after = &after[1..];
            }
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// At most 2 KiB of a body, cut at a character boundary.
pub(crate) fn truncate(text: &str) -> String {
    const MAX: usize = 2048;
    match text.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_secrets_in_json_and_form_bodies() {
        let json = r#"{"access_token": "abc123", "expires_in": 1200, "refresh_token":"r-9"}"#;
        let masked = mask_secrets(json);
        assert!(
            !masked.contains("abc123") && !masked.contains("r-9"),
            "{masked}"
        );
        assert!(masked.contains("\"expires_in\": 1200"), "{masked}");
        assert!(
            serde_json::from_str::<serde_json::Value>(&masked).is_ok(),
            "{masked}"
        );

        let form = "grant_type=device&device_code=XYZ&client_secret=s3cr3t";
        let masked = mask_secrets(form);
        assert_eq!(
            masked,
            "grant_type=device&device_code=***&client_secret=***"
        );
    }

    #[test]
    fn leaves_bodies_without_secrets_alone() {
        let body = "<html>502 Bad Gateway</html>";
        assert_eq!(mask_secrets(body), body);
    }
}
