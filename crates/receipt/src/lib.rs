//! The receipt as one document, rendered several ways, and the printers it goes to.
//!
//! The document holds amounts as integer cents and already-decided texts; the
//! renderers only lay it out. Provider receipt lines (card payments, secucards)
//! are kept exactly as received and rendered after the till's own part.
//!
//! - [`compose`] lays a document out in columns ([`layout::Layout`]); every
//!   renderer draws from that layout: [`text`], [`escpos`] (thermal printers),
//!   [`pdf`] (80 mm roll and A4).
//! - [`printer`] sends the bytes: serial port, TCP 9100, the OS spooler; and asks
//!   thermal printers for their status over `DLE EOT`.
//! - [`queue`] prints off the sale path: a failed print is kept for a retry;
//!   [`missed`] decides which receipts that failed to print are offered again.

pub mod codepage;
pub mod compose;
pub mod document;
pub mod error;
pub mod escpos;
pub mod layout;
pub mod missed;
pub mod money;
pub mod pdf;
pub mod printer;
pub mod qr;
pub mod queue;
pub mod status;
pub mod test_page;
pub mod text;

pub use self::escpos::{render_escpos, DrawerKick, DrawerPin, EscPosSettings, PrinterModel};
pub use codepage::CodePage;
pub use document::{
    asks_for_signature, Document, InfoSection, InfoSheet, LineDiscountText, Logo, MerchantCopy,
    PaymentLine, PaymentTotal, ProviderLine, Receipt, ReceiptExtras, ReceiptLine, SecucardSummary,
    ShopHeader, TseBlock, VatLine, ZReport, ZReportOutage, ZReportTse, ZReportTseDevice,
};
pub use error::PrintError;
pub use missed::MissedReceipts;
pub use money::format_eur;
pub use printer::{Connection, PrinterConfig};
pub use queue::{JobInfo, JobState, PrintQueue};

/// A print job's number in the queue (also what a missed receipt keeps).
pub type JobId = u64;
pub use status::PrinterStatus;
pub use text::{render_document_text, render_text};
