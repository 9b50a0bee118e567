//! Printing errors in words a cashier understands, with stable codes for the UI.

use serde::Serialize;

/// Why a print did not go through. `message()` is for the cashier, `code()` for the UI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrintError {
    #[error("printer {0} not found")]
    NotFound(String),
    #[error("printer {0} is offline or unreachable")]
    Offline(String),
    #[error("printer is out of paper")]
    PaperOut,
    #[error("printer cover is open")]
    CoverOpen,
    #[error("printer reports an error: {0}")]
    PrinterFault(String),
    #[error("printer did not answer in time")]
    Timeout,
    #[error("printer does not report its status")]
    NoStatus,
    #[error("print spooler: {0}")]
    Spooler(String),
    #[error("connection to the printer failed: {0}")]
    Io(String),
    #[error("document could not be rendered: {0}")]
    Render(String),
}

/// The shape errors take towards the UI: `{code, message}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorInfo {
    pub code: &'static str,
    pub message: String,
}

impl PrintError {
    /// A stable identifier the UI can branch on.
    pub fn code(&self) -> &'static str {
        match self {
            PrintError::NotFound(_) => "printer_not_found",
            PrintError::Offline(_) => "printer_offline",
            PrintError::PaperOut => "printer_paper_out",
            PrintError::CoverOpen => "printer_cover_open",
            PrintError::PrinterFault(_) => "printer_fault",
            PrintError::Timeout => "printer_timeout",
            PrintError::NoStatus => "printer_no_status",
            PrintError::Spooler(_) => "printer_spooler",
            PrintError::Io(_) => "printer_io",
            PrintError::Render(_) => "receipt_render",
        }
    }

    /// What the cashier reads.
    pub fn message(&self) -> String {
        match self {
            PrintError::NotFound(name) => {
                format!("Drucker „{name}“ nicht gefunden. Ist er angeschlossen und eingeschaltet?")
            }
            PrintError::Offline(name) => {
                format!("Drucker „{name}“ ist nicht erreichbar. Bitte Strom und Kabel prüfen.")
            }
            PrintError::PaperOut => "Papier leer. Bitte eine neue Rolle einlegen.".into(),
            PrintError::CoverOpen => "Druckerdeckel offen. Bitte schließen.".into(),
            PrintError::PrinterFault(_) => {
                "Der Drucker meldet einen Fehler. Bitte aus- und wieder einschalten.".into()
            }
            PrintError::Timeout => "Der Drucker antwortet nicht.".into(),
            PrintError::NoStatus => "Der Drucker meldet keinen Status.".into(),
            PrintError::Spooler(_) => "Das Betriebssystem hat den Druckauftrag abgelehnt.".into(),
            PrintError::Io(_) => "Verbindung zum Drucker unterbrochen.".into(),
            PrintError::Render(_) => "Der Beleg konnte nicht erstellt werden.".into(),
        }
    }

    pub fn info(&self) -> ErrorInfo {
        ErrorInfo {
            code: self.code(),
            message: self.message(),
        }
    }

    /// Sorts an I/O error of a connection into what the cashier can act on.
    pub(crate) fn from_io(printer: &str, err: &std::io::Error) -> Self {
        use std::io::ErrorKind;
        match err.kind() {
            ErrorKind::NotFound => PrintError::NotFound(printer.to_string()),
            ErrorKind::TimedOut | ErrorKind::WouldBlock => PrintError::Timeout,
            ErrorKind::ConnectionRefused
            | ErrorKind::ConnectionReset
            | ErrorKind::ConnectionAborted
            | ErrorKind::NotConnected
            | ErrorKind::BrokenPipe
            | ErrorKind::HostUnreachable
            | ErrorKind::NetworkUnreachable
            | ErrorKind::AddrNotAvailable => PrintError::Offline(printer.to_string()),
            _ => PrintError::Io(err.to_string()),
        }
    }
}
