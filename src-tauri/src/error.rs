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
            CheckoutError::Journal(j) => j.into(),
            CheckoutError::InDoubt { .. } => {
                Self::new("outcome_unknown", capitalise(&e.to_string()))
            }
            CheckoutError::CardOffline => Self::new("card_offline", capitalise(&e.to_string())),
            // The payment may have gone through: never "nothing booked".
            CheckoutError::Unjournaled { .. } => {
                Self::new("unjournaled", capitalise(&e.to_string()))
            }
            CheckoutError::PaymentsInDoubt(_) => {
                Self::new("payment_in_doubt", capitalise(&e.to_string()))
            }
            CheckoutError::CancelInDoubt { .. } => {
                Self::new("cancel_in_doubt", capitalise(&e.to_string()))
            }
        }
    }
}

impl From<till::JournalError> for CommandError {
    fn from(e: till::JournalError) -> Self {
        use till::JournalError as J;
        match e {
            // What was typed, not the journal, is wrong.
            J::CountedCash | J::NoteTooLong | J::Amount => {
                Self::new("invalid_input", capitalise(&e.to_string()))
            }
            _ => Self::new("journal", capitalise(&e.to_string())),
        }
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
    fn a_journal_that_fails_after_the_payment_is_never_nothing_booked() {
        let e = CommandError::from(CheckoutError::Unjournaled {
            sale_id: "s".into(),
            source: till::JournalError::Locked,
        });
        assert_eq!(e.code, "unjournaled");
        assert!(
            e.message.contains("Do not take the payment again"),
            "{}",
            e.message
        );
        let e = CommandError::from(CheckoutError::PaymentsInDoubt(1));
        assert_eq!(e.code, "payment_in_doubt");
        let e = CommandError::from(CheckoutError::CancelInDoubt { receipt_number: 4 });
        assert_eq!(e.code, "cancel_in_doubt");
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
