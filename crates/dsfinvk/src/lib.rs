//! The tax audit export (DSFinV-K): the official table definitions
//! (`index.xml`), a writer that checks every row against them, and the
//! tables filled from the till's journal.

mod bon;
mod business_case;
pub mod definition;
pub mod from_journal;
pub mod package;
mod tse;
pub mod writer;

pub use definition::{Column, ColumnType, Table};
pub use from_journal::{
    export, export_with_progress, Cashpoint, ExportError, ExportSummary, Progress, Register,
};
pub use package::{export_to, Exported, PackageError};
pub use writer::{Row, Value, WriteError, Writer};
