//! Typed errors: what went wrong in words a cashier understands, a stable
//! code for the UI to translate, and whether the TSE carried out the step.

use serde::Deserialize;
use serde_json::Value;

/// The API's error payload: `{status_code, error, code, message}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct ApiErrorBody {
    /// The reason phrase, e.g. `Bad Request`.
    #[serde(default)]
    pub error: Option<String>,
    /// e.g. `E_TSS_DISABLED`.
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

/// Everything a call can end in besides success.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// The request never reached the TSE (connection refused, DNS, TLS, no
    /// time left to send it): nothing was signed.
    #[error("the TSE cannot be reached: {0}")]
    NotExecuted(String),
    /// The request left but no (complete) answer came back in time: the TSE
    /// may have signed the step. Repeat the same step (same transaction and
    /// revision) or read the transaction back; never start it anew.
    #[error("no answer from the TSE in time; whether it signed is unknown: {0}")]
    OutcomeUnknown(String),
    /// The API key or secret was refused.
    #[error("the TSE account refused the till's API key: {0}")]
    Auth(String),
    /// The TSE answered with its error payload.
    #[error("{} (HTTP {status}, {})", words(*status, body.code.as_deref()), body.code.as_deref().unwrap_or("no code"))]
    Api { status: u16, body: ApiErrorBody },
    /// The answer did not decode; the body (secrets masked) is kept for the log.
    #[error("unexpected answer from the TSE: {reason}")]
    Decode { reason: String, body: String },
}

/// Whether the TSE carried out a request that ended in an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Execution {
    /// Nothing happened at the TSE; the call may be made again.
    NotExecuted,
    /// The TSE may have carried it out: repeat the same idempotent step or read back.
    MaybeExecuted,
    /// The TSE received the request and answered it (refused, or an answer that does not decode).
    Executed,
}

/// The stable code and the cashier's words for an API error.
fn classify(status: u16, code: Option<&str>) -> (&'static str, &'static str) {
    match code.unwrap_or_default() {
        "E_TSS_DISABLED" => (
            "tse_disabled",
            "the TSE is switched off for good; a new TSE must be set up",
        ),
        "E_TSS_NOT_INITIALIZED" => ("tse_not_initialized", "the TSE is not set up yet"),
        "E_TSS_NOT_FOUND" => ("tse_not_found", "the TSE does not exist in this account"),
        "E_CLIENT_NOT_FOUND" | "E_CLIENT_DEREGISTERED" => (
            "tse_till_not_registered",
            "this till is not registered with the TSE",
        ),
        "E_ADMIN_LOGIN_FAILED" => ("tse_admin_pin_wrong", "the TSE admin PIN is wrong"),
        "E_ADMIN_PIN_BLOCKED" => (
            "tse_admin_pin_blocked",
            "the TSE admin PIN is blocked; set a new one with the PUK",
        ),
        "E_CHANGE_ADMIN_PIN_FAILED" => (
            "tse_puk_wrong",
            "the PUK is wrong, or the TSE is not ready for a new admin PIN",
        ),
        "E_TX_LIMIT_REACHED" => (
            "tse_too_many_open",
            "the TSE has too many open transactions",
        ),
        "E_TSS_DEFECTIVE" | "E_TSS_DELETED" | "E_TSS_EVICTED" => {
            ("tse_out_of_service", "the TSE is out of service")
        }
        _ => match status {
            429 => ("tse_busy", "the TSE is busy; try again in a moment"),
            423 => ("tse_locked", "the TSE is locked"),
            500..=599 => (
                "tse_server_error",
                "the TSE service has a fault; try again in a moment",
            ),
            _ => ("tse_refused", "the TSE refused this step"),
        },
    }
}

fn words(status: u16, code: Option<&str>) -> &'static str {
    classify(status, code).1
}

impl Error {
    /// What the error says about whether the request was carried out.
    pub fn execution(&self) -> Execution {
        match self {
            Error::NotExecuted(_) | Error::Auth(_) => Execution::NotExecuted,
            Error::OutcomeUnknown(_) => Execution::MaybeExecuted,
            // A server error may come after part of the work was done.
            Error::Api { status, .. } if *status >= 500 => Execution::MaybeExecuted,
            Error::Api { .. } | Error::Decode { .. } => Execution::Executed,
        }
    }

    /// True when the step may have been signed and must be repeated or read back.
    pub fn outcome_unknown(&self) -> bool {
        self.execution() == Execution::MaybeExecuted
    }

    /// A stable code for the UI to translate (`tse_…`).
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotExecuted(_) => "tse_unreachable",
            Error::OutcomeUnknown(_) => "tse_no_answer",
            Error::Auth(_) => "tse_auth_refused",
            Error::Decode { .. } => "tse_bad_answer",
            Error::Api { status, body } => classify(*status, body.code.as_deref()).0,
        }
    }

    /// The cashier's words alone, without the technical detail `Display` adds for the log.
    pub fn words(&self) -> &'static str {
        match self {
            Error::NotExecuted(_) => "the TSE cannot be reached",
            Error::OutcomeUnknown(_) => "no answer from the TSE in time",
            Error::Auth(_) => "the TSE account refused the till's API key",
            Error::Decode { .. } => "the TSE answered in a way the till does not understand",
            Error::Api { status, body } => words(*status, body.code.as_deref()),
        }
    }

    /// The API's own code, e.g. `E_TSS_DISABLED`.
    pub fn api_code(&self) -> Option<&str> {
        match self {
            Error::Api { body, .. } => body.code.as_deref(),
            _ => None,
        }
    }
}

/// Keys whose values are secrets wherever they appear in a body.
const SECRET_KEYS: &[&str] = &[
    "api_secret",
    "access_token",
    "refresh_token",
    "admin_puk",
    "admin_pin",
    "new_admin_pin",
];

/// A body for the log: secrets masked (JSON), at most 2 KiB.
pub(crate) fn loggable(bytes: &[u8]) -> String {
    let text = match serde_json::from_slice::<Value>(bytes) {
        Ok(mut value) => {
            mask(&mut value);
            value.to_string()
        }
        // Not JSON (a gateway's page): no field names to find secrets by.
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    };
    match text.char_indices().nth(2048) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text,
    }
}

fn mask(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if SECRET_KEYS.contains(&key.as_str()) {
                    *v = Value::String("***".into());
                } else {
                    mask(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_at_any_depth() {
        let body = br#"{"admin_puk":"ABCDEF1234","tss":{"access_token":"t0k","state":"CREATED"},"list":[{"api_secret":"s"}]}"#;
        let text = loggable(body);
        for secret in ["ABCDEF1234", "t0k", "\"s\""] {
            assert!(!text.contains(secret), "{text}");
        }
        assert!(text.contains("CREATED"), "{text}");
        assert_eq!(loggable(b"<html>502</html>"), "<html>502</html>");
    }

    #[test]
    fn codes_and_words_for_the_cashier() {
        let api = |status, code: &str| Error::Api {
            status,
            body: ApiErrorBody {
                code: Some(code.into()),
                ..Default::default()
            },
        };
        let disabled = api(400, "E_TSS_DISABLED");
        assert_eq!(disabled.code(), "tse_disabled");
        assert_eq!(disabled.execution(), Execution::Executed);
        assert!(
            disabled.to_string().contains("switched off for good"),
            "{disabled}"
        );
        let server = api(503, "E_TSS_LOCKED");
        assert_eq!(server.code(), "tse_server_error");
        assert!(server.outcome_unknown());
        assert_eq!(
            Error::NotExecuted("x".into()).execution(),
            Execution::NotExecuted
        );
    }
}
