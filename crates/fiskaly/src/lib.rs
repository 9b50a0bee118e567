//! Async client of the fiskaly SIGN DE v2 cloud TSE (technische
//! Sicherheitseinrichtung, KassenSichV): authentication with token renewal,
//! the TSS setup a shop does once, the registration of a till, and one
//! signed transaction per business event. No Tauri, no SQLite.
//!
//! Every call is bounded by a short deadline (default 3 s for a business
//! step, repeats included): the TSE never holds a sale for long. Every request
//! is idempotent (ids chosen by the till, transaction revisions), so an answer
//! lost on the way is repeated or read back, never signed twice. An error says
//! whether the TSE carried the step out ([`Error::execution`]) and carries a
//! stable code for the UI ([`Error::code`]).
//!
//! ```no_run
//! # async fn demo() -> Result<(), fiskaly::Error> {
//! use fiskaly::*;
//! let tse = Client::new(ClientConfig::new(
//!     "https://kassensichv-middleware.fiskaly.com",
//!     Credentials { api_key: "…".into(), api_secret: Secret::new("…") },
//! ))?;
//! let (tss, till, tx) = ("<tss uuid>", "<client uuid>", "<new tx uuid>");
//! tse.start_transaction(tss, till, tx).await?;
//! let receipt = Receipt::new(ReceiptType::Receipt)
//!     .vat(VatRate::Normal, 1190)
//!     .paid(PaymentType::Cash, 1190);
//! let signed = tse.finish_transaction(tss, till, tx, 2, &receipt).await?;
//! println!("{}", signed.qr_code_data.unwrap_or_default());
//! # Ok(()) }
//! ```

pub mod auth;
pub mod client;
pub mod der;
pub mod error;
pub mod models;
pub mod tlog;
mod tss;
mod tx;

pub use auth::{Credentials, Secret, TokenRequests};
pub use client::{Client, ClientConfig};
pub use error::{ApiErrorBody, Error, Execution};
pub use models::*;
pub use tlog::{QrCode, TransactionLog};
pub use tss::TssSetup;
