//! Thin commands: translate between the UI and the crates, nothing more.

pub mod card;
pub mod catalog;
pub mod closing;
pub mod connection;
pub mod journal;
pub mod print;
pub mod printers;
pub mod sale;
pub mod secucard;
pub mod session;
pub mod settings;
pub mod status;
