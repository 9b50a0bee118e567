//! The one error shape that reaches the UI: `{code, message}`.

use serde::Serialize;
use till::CheckoutError;

/// `code` is stable for the UI to branch on; `message` is for the cashier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommandError {
    pub code: &'static str,
    pub message: String,
}

impl CommandError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl From<secuconnect::Error> for CommandError {
    fn from(e: secuconnect::Error) -> Self {
        use secuconnect::Error as E;
        match e {
            E::NotExecuted(_) => Self::new(
                "offline",
                "The payment service cannot be reached. Check the network; the sale is still open.",
            ),
            E::OutcomeUnknown(_) => Self::new(
                "outcome_unknown",
                "The payment service did not answer in time. The sale is still open; check it before paying again.",
            ),
            E::Auth(_) => Self::new(
                "auth",
                "The till could not log in to the payment service. Check the credentials in the settings.",
            ),
            E::Api { body, .. } => Self::new(
                "provider",
                body.error_user
                    .unwrap_or_else(|| "The payment service refused the request.".into()),
            ),
            // The provider did receive the request: whatever it did, the till must
            // read it back before anyone tries again.
            E::Decode { .. } => Self::new(
                "bad_answer",
                "The payment service sent an answer the till does not understand. Do not take the payment again; the till checks the sale with the payment service.",
            ),
        }
    }
}

impl From<CheckoutError> for CommandError {
    fn from(e: CheckoutError) -> Self {
        match e {
            CheckoutError::Api(api) => api.into(),
            CheckoutError::Basket(b) => Self::new("basket", capitalise(&b.to_string())),
            CheckoutError::NotEnoughCash { .. } => {
                Self::new("not_enough_cash", capitalise(&e.to_string()))
            }
            CheckoutError::NotPaid(_) => Self::new("not_paid", capitalise(&e.to_string())),
            CheckoutError::Journal(j) => Self::new("journal", capitalise(&j.to_string())),
            CheckoutError::InDoubt { .. } => {
                Self::new("outcome_unknown", capitalise(&e.to_string()))
            }
            CheckoutError::CardOffline => Self::new("card_offline", capitalise(&e.to_string())),
        }
    }
}

impl From<till::JournalError> for CommandError {
    fn from(e: till::JournalError) -> Self {
        Self::new("journal", capitalise(&e.to_string()))
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_code_and_message() {
        let e = CommandError::from(CheckoutError::Basket(till::basket::BasketError::Empty));
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"code": "basket", "message": "The basket is empty"})
        );
    }

    #[test]
    fn the_providers_words_reach_the_cashier() {
        let body = secuconnect::ApiErrorBody {
            error_user: Some("Karte gesperrt".into()),
            ..Default::default()
        };
        let e = CommandError::from(secuconnect::Error::Api { status: 400, body });
        assert_eq!(e.code, "provider");
        assert_eq!(e.message, "Karte gesperrt");
    }

    #[test]
    fn no_secret_or_url_leaks_into_the_message() {
        let e = CommandError::from(secuconnect::Error::NotExecuted(
            "error sending request for url (http://127.0.0.1:1/oauth/token)".into(),
        ));
        assert_eq!(e.code, "offline");
        assert!(!e.message.contains("http"));
    }
}
