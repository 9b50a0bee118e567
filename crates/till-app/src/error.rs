//! The one error shape that reaches the UI: `{code, message}`.

use serde::Serialize;
use till::secucard::SecucardError;
use till::CheckoutError;
use ts_rs::TS;

/// What went wrong, for the UI to branch on: serialized in snake_case
/// (`payment_in_doubt`), the strings the UI and its tests know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum ErrorCode {
    // The payment service.
    Offline,
    OutcomeUnknown,
    Auth,
    Provider,
    BadAnswer,
    // The sale.
    Basket,
    NotEnoughCash,
    NotPaid,
    CardOffline,
    TerminalBusy,
    // Pay by QR code.
    /// The payment service cannot be reached: no QR payment.
    QrOffline,
    /// A QR payment already waits for the customer.
    QrBusy,
    /// This basket cannot be paid by QR code (a customer card on it, no link sent).
    QrNotPossible,
    /// The checkout template of the QR settings is not a template id.
    QrTemplate,
    /// The QR settings' time to pay is out of its range.
    QrTimeout,
    Unjournaled,
    PaymentInDoubt,
    CancelInDoubt,
    Journal,
    InvalidInput,
    NotFound,
    NothingToClose,
    NotCancellable,
    AlreadyCancelled,
    // Secucards.
    CardNotFound,
    CardLocked,
    CardInactive,
    PasscodeRequired,
    // Settings and connection.
    InvalidSettings,
    InvalidShopName,
    InvalidAddressLine,
    InvalidVatId,
    InvalidTillId,
    InvalidTaxNumber,
    /// The customer display's message is too long or has a line break.
    InvalidDisplayMessage,
    SwitchCardRunning,
    SwitchPaymentInDoubt,
    SwitchOutbox,
    Io,
    // Printing.
    NoPrinter,
    PrinterOffline,
    PrinterPaperOut,
    PrinterError,
    PrinterAddressPublic,
    /// A receipt offered after a failed print was printed or dismissed meanwhile.
    AlreadyPrinted,
    // The TSE (its setup and the data sheet).
    TseUnreachable,
    TseAuth,
    TseDisabled,
    TsePukNeeded,
    TsePukWrong,
    TseAdminPin,
    TseRefused,
    TseNotSetUp,
    // The tax audit export.
    /// No closing in the range asked for.
    ExportNoClosing,
    /// The file exists, or the folder is not empty.
    ExportTargetTaken,
    DiskFull,
    ExportFailed,
    // The drawer's day.
    /// The opening float stands once the first sale is booked.
    FloatLocked,
    /// More cash out than the drawer holds.
    NotInDrawer,
    /// The lines cannot be taken back (already returned, unknown, a voucher load).
    NotReturnable,
    // Cashiers and rights.
    /// Nobody is logged in on the till (it is locked).
    NotLoggedIn,
    /// The logged-in cashier may not do this alone: a manager's PIN is needed.
    ManagerRequired,
    NotAManager,
    WrongPin,
    PinLocked,
    InvalidPin,
    WeakPin,
    PinTaken,
    OwnerExists,
    LastManager,
    CashierNotFound,
    // The catalogue.
    NumberTaken,
    EanTaken,
    InvalidEan,
    LabelUnit,
    MissingField,
    TooLong,
    PriceOutOfRange,
    NoVatRate,
    ArticleNotFound,
    GroupNotFound,
    GroupCodeTaken,
    InvalidColour,
    ImportHasBadLines,
    ImportStale,
    BadFile,
    /// The catalogue file cannot be read or written.
    Catalog,
}

/// `code` is stable for the UI to branch on; `message` is for the cashier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CommandError {
    pub code: ErrorCode,
    pub message: String,
}

impl CommandError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
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
            E::NotExecuted(_) => Self::new(ErrorCode::Offline,
                "The payment service cannot be reached. Check the network; the sale is still open.",
            ),
            E::OutcomeUnknown(_) => Self::new(ErrorCode::OutcomeUnknown,
                "The payment service did not answer in time. The sale is still open; check it before paying again.",
            ),
            E::Auth(_) | E::PairingExpired => Self::new(ErrorCode::Auth,
                "The till could not log in to the payment service. Check the credentials in the settings.",
            ),
            E::Api { body, .. } => Self::new(ErrorCode::Provider,
                body.error_user
                    .unwrap_or_else(|| "The payment service refused the request.".into()),
            ),
            // The provider did receive the request: whatever it did, the till must
            // read it back before anyone tries again.
            E::Decode { .. } => Self::new(ErrorCode::BadAnswer,
                "The payment service sent an answer the till does not understand. Do not take the payment again; the till checks the sale with the payment service.",
            ),
        }
    }
}

impl From<CheckoutError> for CommandError {
    fn from(e: CheckoutError) -> Self {
        match e {
            CheckoutError::Api(api) => api.into(),
            CheckoutError::Basket(b) => Self::new(ErrorCode::Basket, capitalise(&b.to_string())),
            CheckoutError::NotEnoughCash { .. } => {
                Self::new(ErrorCode::NotEnoughCash, capitalise(&e.to_string()))
            }
            CheckoutError::NotPaid(_) => Self::new(ErrorCode::NotPaid, capitalise(&e.to_string())),
            CheckoutError::Journal(j) => j.into(),
            CheckoutError::InDoubt { .. } => {
                Self::new(ErrorCode::OutcomeUnknown, capitalise(&e.to_string()))
            }
            CheckoutError::CardOffline => {
                Self::new(ErrorCode::CardOffline, capitalise(&e.to_string()))
            }
            CheckoutError::QrOffline => Self::new(ErrorCode::QrOffline, capitalise(&e.to_string())),
            CheckoutError::NoCheckoutLink | CheckoutError::QrWithCard => {
                Self::new(ErrorCode::QrNotPossible, capitalise(&e.to_string()))
            }
            // The payment may have gone through: never "nothing booked".
            CheckoutError::Unjournaled { .. } => {
                Self::new(ErrorCode::Unjournaled, capitalise(&e.to_string()))
            }
            CheckoutError::PaymentsInDoubt(_) => {
                Self::new(ErrorCode::PaymentInDoubt, capitalise(&e.to_string()))
            }
            CheckoutError::CancelInDoubt { .. } => {
                Self::new(ErrorCode::CancelInDoubt, capitalise(&e.to_string()))
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
                Self::new(ErrorCode::InvalidInput, capitalise(&e.to_string()))
            }
            _ => Self::new(ErrorCode::Journal, capitalise(&e.to_string())),
        }
    }
}

impl From<till::journal::CashDayError> for CommandError {
    fn from(e: till::journal::CashDayError) -> Self {
        use till::journal::CashDayError as C;
        match e {
            C::Journal(j) => j.into(),
            C::FloatLocked => Self::new(ErrorCode::FloatLocked, capitalise(&e.to_string())),
            C::FloatAmount | C::Movement(_) => {
                Self::new(ErrorCode::InvalidInput, capitalise(&e.to_string()))
            }
            C::NotInDrawer(_) => Self::new(ErrorCode::NotInDrawer, capitalise(&e.to_string())),
            C::Return(_) => Self::new(ErrorCode::NotReturnable, capitalise(&e.to_string())),
        }
    }
}

impl From<SecucardError> for CommandError {
    fn from(e: SecucardError) -> Self {
        match e {
            SecucardError::NotFound => Self::new(
                ErrorCode::CardNotFound,
                "The payment service does not know this card. Check the number.",
            ),
            SecucardError::Locked => Self::new(
                ErrorCode::CardLocked,
                "The card is locked and cannot be used. Take another payment.",
            ),
            SecucardError::Inactive => Self::new(
                ErrorCode::CardInactive,
                "The card is not active and cannot be used. Take another payment.",
            ),
            SecucardError::PasscodeRequired { wrong } => Self::new(
                ErrorCode::PasscodeRequired,
                if wrong {
                    "The passcode is wrong. Let the customer type it again."
                } else {
                    "The card needs its passcode. Let the customer type it."
                },
            ),
            SecucardError::Checkout(e) => e.into(),
        }
    }
}

impl From<catalog::CatalogError> for CommandError {
    fn from(e: catalog::CatalogError) -> Self {
        use catalog::CatalogError as C;
        let code = match &e {
            C::NumberTaken(_) => ErrorCode::NumberTaken,
            C::EanTaken { .. } => ErrorCode::EanTaken,
            C::InvalidEan(_) => ErrorCode::InvalidEan,
            C::LabelUnit(_) => ErrorCode::LabelUnit,
            C::Missing(_) => ErrorCode::MissingField,
            C::TooLong { .. } => ErrorCode::TooLong,
            C::PriceOutOfRange => ErrorCode::PriceOutOfRange,
            C::NoVatRate => ErrorCode::NoVatRate,
            C::ArticleNotFound(_) => ErrorCode::ArticleNotFound,
            C::GroupNotFound(_) => ErrorCode::GroupNotFound,
            C::GroupCodeTaken(_) => ErrorCode::GroupCodeTaken,
            C::InvalidColour(_) => ErrorCode::InvalidColour,
            C::CashierNotFound => ErrorCode::CashierNotFound,
            C::InvalidPin => ErrorCode::InvalidPin,
            C::WeakPin => ErrorCode::WeakPin,
            C::PinTaken => ErrorCode::PinTaken,
            C::WrongPin => ErrorCode::WrongPin,
            C::PinLocked { .. } => ErrorCode::PinLocked,
            C::NotAManager => ErrorCode::NotAManager,
            C::OwnerExists => ErrorCode::OwnerExists,
            C::LastManager => ErrorCode::LastManager,
            C::ImportHasBadLines(_) => ErrorCode::ImportHasBadLines,
            C::ImportStale => ErrorCode::ImportStale,
            C::BadFile(_) => ErrorCode::BadFile,
            C::Storage(_) | C::SchemaTooNew(_) | C::PinHash(_) => ErrorCode::Catalog,
        };
        Self::new(code, e.to_string())
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
    fn refused_cards_reach_the_ui_with_their_codes() {
        // The wire strings the UI and the end-to-end tests branch on.
        let code = |e: SecucardError| serde_json::to_value(CommandError::from(e).code).unwrap();
        assert_eq!(code(SecucardError::NotFound), "card_not_found");
        assert_eq!(code(SecucardError::Locked), "card_locked");
        assert_eq!(code(SecucardError::Inactive), "card_inactive");
        assert_eq!(
            code(SecucardError::PasscodeRequired { wrong: true }),
            "passcode_required"
        );
        assert_eq!(
            code(SecucardError::Checkout(CheckoutError::NotEnoughCash {
                given: till::Cents(100),
                total: till::Cents(200)
            })),
            "not_enough_cash"
        );
        assert_eq!(
            code(SecucardError::Checkout(CheckoutError::Api(
                secuconnect::Error::NotExecuted("connection refused".into())
            ))),
            "offline"
        );
    }

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
        assert_eq!(e.code, ErrorCode::Provider);
        assert_eq!(e.message, "Karte gesperrt");
    }

    #[test]
    fn a_journal_that_fails_after_the_payment_is_never_nothing_booked() {
        let e = CommandError::from(CheckoutError::Unjournaled {
            sale_id: "s".into(),
            source: till::JournalError::Locked,
        });
        assert_eq!(e.code, ErrorCode::Unjournaled);
        assert!(
            e.message.contains("Do not take the payment again"),
            "{}",
            e.message
        );
        let e = CommandError::from(CheckoutError::PaymentsInDoubt(1));
        assert_eq!(e.code, ErrorCode::PaymentInDoubt);
        let e = CommandError::from(CheckoutError::CancelInDoubt { receipt_number: 4 });
        assert_eq!(e.code, ErrorCode::CancelInDoubt);
    }

    #[test]
    fn no_secret_or_url_leaks_into_the_message() {
        let e = CommandError::from(secuconnect::Error::NotExecuted(
            "error sending request for url (http://127.0.0.1:1/oauth/token)".into(),
        ));
        assert_eq!(e.code, ErrorCode::Offline);
        assert!(!e.message.contains("http"));
    }
}
