//! The till's domain: money and VAT, the basket, the sale and how it is paid,
//! the journal that keeps every sale, the outbox for offline sales, the
//! reconciliation after a crash and the closing.

// `CheckoutError::Api` carries the client's error as it is (the app matches
// on it); it is large, and errors are rare on this path.
#![allow(clippy::result_large_err)]

pub mod backup;
pub mod basket;
pub mod cancellation;
pub mod cash_day;
pub mod cash_movement;
pub mod catalog;
pub mod checkout;
pub mod closing;
pub mod discount;
pub mod drill;
pub mod end_of_day;
pub mod integrity;
pub mod journal;
pub mod money;
pub mod outbox;
pub mod qr_pay;
pub mod receipt_doc;
pub mod reconcile;
pub mod returns;
pub mod sale;
pub mod secucard;
pub mod sha256x8;
pub mod tse;
pub mod tse_certificate;
pub mod tse_event;
pub mod z_report;

pub use basket::{Basket, BasketLine};
pub use checkout::{Checkout, CheckoutError, CompletedSale};
pub use closing::{Closing, DayFigures, PaymentMethod};
pub use journal::{Journal, JournalError};
pub use money::{Cents, VatRate};
pub use outbox::OutboxReport;
pub use qr_pay::QrStarted;
pub use reconcile::ReconcileReport;
pub use sale::SaleState;
pub use tse::{Tse, TseRecord, TseSignature};
