//! Smart Till's application layer, without Tauri: the state the commands
//! share, one function per command (`commands`), the error codes the UI
//! branches on, the settings and secrets behind small traits, printing, the
//! connection and its pairing, and the background work (`background`).
//! Its tests run under plain `cargo test`, no window needed.

pub mod allocator;
pub mod background;
pub mod cashier;
pub mod cli;
pub mod commands;
pub mod connection;
pub mod customer_display;
pub mod documents;
pub mod error;
pub mod logging;
pub mod printing;
pub mod qr;
pub mod secrets;
pub mod settings;
pub mod startup;
pub mod state;
pub mod tse;

pub use error::{CommandError, ErrorCode};
pub use state::AppState;

/// The app's identifier (`tauri.conf.json`): names its data directory and its keychain entries.
pub const IDENTIFIER: &str = "de.smarttill.app";

/// The app's version, as the UI shows it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
