//! Printer status over `DLE EOT n` (real-time status of ESC/POS printers).
//!
//! Each request is answered with one byte whose bits 0, 1, 4, 7 are fixed to
//! 0, 1, 1, 0, which tells an answer from stray data.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::error::PrintError;

/// `DLE EOT 1`: printer status (online/offline).
pub const REQUEST_PRINTER: [u8; 3] = [0x10, 0x04, 1];
/// `DLE EOT 2`: offline cause (cover open, paper end, error).
pub const REQUEST_OFFLINE_CAUSE: [u8; 3] = [0x10, 0x04, 2];
/// `DLE EOT 4`: roll paper sensor (near end, end).
pub const REQUEST_PAPER: [u8; 3] = [0x10, 0x04, 4];

/// What the printer says about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct PrinterStatus {
    pub online: bool,
    pub cover_open: bool,
    pub paper_out: bool,
    pub paper_near_end: bool,
    pub error: bool,
}

impl PrinterStatus {
    /// Whether a receipt can print now, and if not, why (in the cashier's words).
    pub fn ready(&self) -> Result<(), PrintError> {
        if self.paper_out {
            Err(PrintError::PaperOut)
        } else if self.cover_open {
            Err(PrintError::CoverOpen)
        } else if self.error {
            Err(PrintError::PrinterFault("error bit set".into()))
        } else if !self.online {
            Err(PrintError::Offline("status".into()))
        } else {
            Ok(())
        }
    }

    /// Reads the three answers into one status.
    pub fn from_bytes(printer: u8, offline_cause: u8, paper: u8) -> Self {
        PrinterStatus {
            online: printer & 0x08 == 0,
            cover_open: offline_cause & 0x04 != 0,
            paper_out: paper & 0x60 == 0x60 || offline_cause & 0x20 != 0,
            paper_near_end: paper & 0x0C == 0x0C,
            error: offline_cause & 0x40 != 0,
        }
    }
}

/// Whether `byte` has the fixed bits of a real-time status answer.
pub fn is_status_byte(byte: u8) -> bool {
    byte & 0x93 == 0x12
}

/// Asks the printer on `port` for its status: three requests, one byte each.
/// `port` must have a read timeout set; `timeout` bounds each answer.
pub fn query<P: Read + Write>(
    port: &mut P,
    timeout: Duration,
) -> Result<PrinterStatus, PrintError> {
    let printer = ask(port, &REQUEST_PRINTER, timeout)?;
    let cause = ask(port, &REQUEST_OFFLINE_CAUSE, timeout)?;
    let paper = ask(port, &REQUEST_PAPER, timeout)?;
    Ok(PrinterStatus::from_bytes(printer, cause, paper))
}

fn ask<P: Read + Write>(port: &mut P, request: &[u8], timeout: Duration) -> Result<u8, PrintError> {
    port.write_all(request)
        .and_then(|_| port.flush())
        .map_err(|e| PrintError::from_io("status", &e))?;
    let deadline = Instant::now() + timeout;
    let mut byte = [0u8; 1];
    loop {
        match port.read(&mut byte) {
            Ok(1) if is_status_byte(byte[0]) => return Ok(byte[0]),
            // The other side closed: it will not answer.
            Ok(0) => return Err(PrintError::NoStatus),
            // Anything else (e.g. an old answer's echo) is skipped.
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::TimedOut
                        | std::io::ErrorKind::WouldBlock
                        | std::io::ErrorKind::Interrupted
                ) => {}
            Err(e) => return Err(PrintError::from_io("status", &e)),
        }
        if Instant::now() >= deadline {
            return Err(PrintError::NoStatus);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_status_bits() {
        let ok = PrinterStatus::from_bytes(0x12, 0x12, 0x12);
        assert!(ok.online && !ok.paper_out && !ok.cover_open);
        assert_eq!(ok.ready(), Ok(()));

        let paper_out = PrinterStatus::from_bytes(0x1A, 0x32, 0x72);
        assert!(!paper_out.online && paper_out.paper_out);
        assert_eq!(paper_out.ready(), Err(PrintError::PaperOut));

        let cover = PrinterStatus::from_bytes(0x1A, 0x16, 0x12);
        assert_eq!(cover.ready(), Err(PrintError::CoverOpen));

        let near_end = PrinterStatus::from_bytes(0x12, 0x12, 0x1E);
        assert!(near_end.paper_near_end && near_end.ready().is_ok());

        assert!(is_status_byte(0x12) && is_status_byte(0x72));
        assert!(!is_status_byte(0x00) && !is_status_byte(b'A'));
    }
}
