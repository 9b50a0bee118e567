//! Async client of the secuconnect API: one token source for every grant,
//! the smart transaction and secucard calls a till needs, lossless models and
//! typed errors.
//!
//! Transport types live here and nowhere deeper: the till turns them into its
//! own domain types. No Tauri, no SQLite.
//!
//! Calls that move money are never repeated by the client once they may have
//! reached the provider. When one ends in [`Error::OutcomeUnknown`] (see
//! [`Error::execution`]), read the transaction back with
//! [`Client::get_transaction`] to learn what happened before anything else.
//!
//! ```no_run
//! # async fn demo() -> Result<(), secuconnect::Error> {
//! use secuconnect::*;
//! let client = Client::new(ClientConfig::new(
//!     "https://connect-testing.secuconnect.com",
//!     Credentials { client_id: "…".into(), client_secret: Secret::new("…") },
//! ))?;
//! let draft = TransactionDraft {
//!     basket_info: Some(BasketInfo::eur(796)),
//!     ..TransactionDraft::default()
//! };
//! let stx = client.create_transaction(&draft).await?;
//! let paid = client.start_cashless(&stx.id, &CancellationToken::new()).await?;
//! assert!(paid.status.is_paid());
//! # Ok(()) }
//! ```

// `Error::Api` carries the provider's payload inline because other crates build
// and match it; errors are rare next to a network round trip.
#![allow(clippy::result_large_err)]

pub mod auth;
mod cards;
pub mod client;
pub mod error;
pub mod models;
mod transactions;

pub use auth::{Credentials, DevicePairing, Grant, Secret, TokenRequests};
pub use client::{Client, ClientConfig};
pub use error::{ApiErrorBody, Error, Execution};
pub use models::*;
pub use tokio_util::sync::CancellationToken;
pub use transactions::Device;
