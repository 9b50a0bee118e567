//! `backup`, `restore` and `receipt-pdf`: the journal of the environment the
//! till is set to.

use std::path::{Path, PathBuf};

use till::backup::{self, BackupError, DataDirLock};

use super::{
    data_dir, say, Console, EXIT_FAILED, EXIT_NO_RECEIPT, EXIT_OK, EXIT_RUNNING, EXIT_USAGE,
};
use crate::documents::{receipt_pdf_from_journal, ReceiptPdfError};
use crate::startup::journal_path;

pub(super) fn backup(data: Option<PathBuf>, file: &Path, console: &mut Console<'_>) -> u8 {
    let Some(data) = data_dir(data, console.err) else {
        return EXIT_FAILED;
    };
    match backup::backup(&journal_path(&data), file) {
        Ok(s) => {
            say!(
                console.out,
                "Backup written to {}: {} journal entries, last receipt {}, {} bytes; hash chain checked.",
                file.display(),
                s.entries,
                receipt(s.last_receipt),
                s.bytes
            );
            EXIT_OK
        }
        Err(e) => {
            say!(console.err, "smart-till backup: {e}");
            EXIT_FAILED
        }
    }
}

pub(super) fn restore(data: Option<PathBuf>, file: &Path, console: &mut Console<'_>) -> u8 {
    let Some(data) = data_dir(data, console.err) else {
        return EXIT_FAILED;
    };
    let journal = journal_path(&data);
    // The running app holds this lock for its whole life; so does the
    // restore while it works, so the app cannot start in between either.
    let _lock = match DataDirLock::try_acquire(&data) {
        Ok(Some(lock)) => lock,
        Ok(None) => {
            say!(
                console.err,
                "smart-till restore: Smart Till is running with the data directory {}. \
                 Close the till first, then run the restore again. Nothing was changed.",
                data.display()
            );
            return EXIT_RUNNING;
        }
        Err(e) => {
            say!(console.err, "smart-till restore: {e}");
            return EXIT_FAILED;
        }
    };
    match backup::restore(file, &journal) {
        Ok(r) => {
            say!(
                console.out,
                "Restored {} ({} journal entries, last receipt {}; hash chain checked) to {}.",
                file.display(),
                r.summary.entries,
                receipt(r.summary.last_receipt),
                journal.display()
            );
            match r.kept_aside {
                Some(aside) => say!(
                    console.out,
                    "The previous journal is kept at {} ({}).",
                    aside.display(),
                    r.replaced
                ),
                None => say!(console.out, "There was no journal before."),
            }
            say!(
                console.out,
                "The restore is journaled; receipt numbers continue from the backup's last one."
            );
            EXIT_OK
        }
        Err(e) => {
            let untouched = matches!(
                e,
                BackupError::NoJournal(_)
                    | BackupError::NotAJournal { .. }
                    | BackupError::ChainBroken { .. }
                    | BackupError::Older { .. }
                    | BackupError::Diverged { .. }
            );
            say!(console.err, "smart-till restore: {e}");
            if untouched {
                say!(console.err, "The journal was not changed.");
            }
            EXIT_FAILED
        }
    }
}

/// `receipt-pdf <number> <file.pdf>`: the work is `documents`'.
pub(super) fn receipt_pdf(
    data: Option<PathBuf>,
    number: &str,
    file: &str,
    console: &mut Console<'_>,
) -> u8 {
    let Some(number) = number.parse::<i64>().ok().filter(|n| *n > 0) else {
        say!(
            console.err,
            "smart-till receipt-pdf: {number:?} is not a receipt number (1, 2, 3, …)."
        );
        return EXIT_USAGE;
    };
    let Some(data) = data_dir(data, console.err) else {
        return EXIT_FAILED;
    };
    let file = Path::new(file);
    match receipt_pdf_from_journal(&journal_path(&data), number, file) {
        Ok(w) => {
            say!(
                console.out,
                "Receipt {}{} written to {} ({} bytes).",
                w.receipt_number,
                if w.cancellation {
                    " (cancellation)"
                } else {
                    ""
                },
                file.display(),
                w.bytes
            );
            EXIT_OK
        }
        Err(e @ (ReceiptPdfError::UnknownReceipt(..) | ReceiptPdfError::NoReceipts(_))) => {
            say!(
                console.err,
                "smart-till receipt-pdf: {e}. Nothing was written."
            );
            EXIT_NO_RECEIPT
        }
        Err(e) => {
            say!(
                console.err,
                "smart-till receipt-pdf: {e}. Nothing was written."
            );
            EXIT_FAILED
        }
    }
}

fn receipt(n: Option<i64>) -> String {
    n.map_or_else(|| "none".into(), |n| n.to_string())
}
