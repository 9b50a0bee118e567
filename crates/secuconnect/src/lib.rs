//! Async client of the secuconnect API.
//!
//! Transport types live here and nowhere deeper: the till turns them into its
//! own domain types. No Tauri, no SQLite.

pub mod auth;
pub mod client;
pub mod error;
pub mod models;

pub use auth::{Credentials, Secret};
pub use client::{Client, ClientConfig};
pub use error::{ApiErrorBody, Error};
pub use models::*;
