//! Why the journal could not do what was asked, in words for the cashier.

use super::schema::MAX_NOTE;

use rusqlite::ErrorCode;

use crate::sale::TransitionError;

/// Why the journal could not do what was asked, in words for the cashier.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("the disk is full: the sale was not saved. Free some space and try again.")]
    DiskFull,
    #[error("the journal file is read-only: the sale was not saved.")]
    ReadOnly,
    #[error("the journal is busy (locked by another program): the sale was not saved. Try again.")]
    Locked,
    #[error("the journal file is damaged: the sale was not saved. Call support.")]
    Corrupt,
    #[error("the journal could not be opened: {0}")]
    Open(String),
    #[error("sale {sale_id}: {source}")]
    Transition {
        sale_id: String,
        source: TransitionError,
    },
    #[error("there is no paid sale with receipt number {0}")]
    UnknownReceipt(i64),
    #[error(
        "{0} payment(s) or cancellation(s) are still in doubt: check them with the payment service before the closing"
    )]
    PaymentsInDoubt(usize),
    #[error("the sale belongs to closing Z {0}: a card payment can no longer be cancelled on the terminal")]
    ClosedIn(i64),
    #[error("the amount must be positive")]
    Amount,
    #[error("the counted cash must be between 0,00 € and 1.000.000,00 €")]
    CountedCash,
    #[error("the note is longer than {MAX_NOTE} characters")]
    NoteTooLong,
    #[error("journal error: {0}")]
    Other(String),
}

impl From<rusqlite::Error> for JournalError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => JournalError::DiskFull,
            Some(ErrorCode::ReadOnly) => JournalError::ReadOnly,
            Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => JournalError::Locked,
            Some(ErrorCode::DatabaseCorrupt) | Some(ErrorCode::NotADatabase) => {
                JournalError::Corrupt
            }
            Some(ErrorCode::CannotOpen) => JournalError::Open(e.to_string()),
            _ => JournalError::Other(e.to_string()),
        }
    }
}

impl From<rusqlite::types::FromSqlError> for JournalError {
    fn from(_: rusqlite::types::FromSqlError) -> Self {
        // A stored value of the wrong type: the file was edited or damaged.
        JournalError::Corrupt
    }
}

impl From<serde_json::Error> for JournalError {
    fn from(e: serde_json::Error) -> Self {
        JournalError::Other(format!("an entry does not decode: {e}"))
    }
}
