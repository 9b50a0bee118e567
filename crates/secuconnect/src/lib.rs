//! Async client of the secuconnect API.
//!
//! Transport types live here and nowhere deeper: the till turns them into its
//! own domain types. No Tauri, no SQLite.

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
