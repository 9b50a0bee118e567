//! The body of every command the UI calls: one plain function each, taking
//! the app's state and typed arguments. The desktop shell's
//! `#[tauri::command]`s call these and nothing else.

pub mod articles;
pub mod card;
pub mod cash_day;
pub mod cashiers;
pub mod catalog;
pub mod closing;
pub mod connection;
pub mod customer_display;
pub mod journal;
pub mod print;
pub mod printers;
pub mod qr;
pub mod sale;
pub mod secucard;
pub mod session;
pub mod settings;
pub mod status;
pub mod tax_export;
pub mod tse;
