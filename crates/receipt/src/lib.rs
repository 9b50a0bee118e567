//! The receipt as one document, rendered several ways.
//!
//! The document holds amounts as integer cents and already-decided texts; the
//! renderers only lay it out. Provider receipt lines (card payments, secucards)
//! are kept exactly as received and rendered after the till's own part.

pub mod document;
pub mod money;
pub mod text;

pub use document::{PaymentLine, ProviderLine, Receipt, ReceiptLine, ShopHeader, VatLine};
pub use money::format_eur;
pub use text::render_text;
