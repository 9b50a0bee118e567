//! Thin commands: translate between the UI and the crates, nothing more.

pub mod catalog;
pub mod sale;
pub mod session;
