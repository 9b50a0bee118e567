// No console window on Windows in release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use till::backup::{self, DataDirLock};

const USAGE: &str = "\
Usage:
  smart-till                  start the till
  smart-till backup <file>    copy the journal (of the environment the till is set to) to <file>,
                              consistently, also while the till runs
  smart-till restore <file>   put the backup <file> in place of the journal (the till must be closed);
                              the current journal is kept aside, never deleted; an older copy
                              is refused over a healthy journal (receipt numbers would repeat)
  smart-till receipt-pdf <number> <file.pdf>
                              write receipt <number> from the journal as an 80 mm PDF, exactly as
                              issued (a cancellation's own number gives its receipt); also while
                              the till runs
  smart-till export-dsfinvk --from YYYY-MM-DD --to YYYY-MM-DD <out>
                              the tax audit export (DSFinV-K) of every closing whose business day
                              lies in the range, into the folder <out> (new or empty) or, where
                              <out> ends in .zip, into that zip file; also while the till runs
  smart-till import-articles <file.csv> [--dry-run]
                              import articles from a CSV file (the format is in the README): prints
                              the preview and every bad line; imports the good lines in one go
                              (nothing with --dry-run); fails when nothing could be imported
  smart-till export-articles <out.csv>
                              write every article as CSV (UTF-8, ';', decimal comma)

The data directory is the platform's app-data directory for de.smarttill.app,
or SMART_TILL_DATA_DIR when set.

Exit codes: 0 done, 1 failed, 2 wrong usage, 3 the till is running (restore),
4 no receipt with that number (receipt-pdf) or no closing in the range (export-dsfinvk),
5 <out> exists and is not empty (export-dsfinvk).";

/// The app is running: a restore would pull the journal from under it.
const EXIT_RUNNING: u8 = 3;
/// `receipt-pdf`: the journal has no receipt with that number.
const EXIT_NO_RECEIPT: u8 = 4;
/// `export-dsfinvk`: the range holds no closing: nothing was exported.
const EXIT_NO_CLOSING: u8 = 4;
/// `export-dsfinvk`: the target is taken: nothing was written.
const EXIT_TARGET_TAKEN: u8 = 5;

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    match args.first().and_then(|a| a.to_str()) {
        // Handled before Tauri starts: no window, no second-instance hand-over.
        Some("import-articles" | "export-articles") => {
            attach_console();
            articles_command(&args)
        }
        Some("backup" | "restore" | "receipt-pdf" | "help" | "--help" | "-h") => {
            attach_console();
            command_line(&args)
        }
        Some("export-dsfinvk") => {
            attach_console();
            export_dsfinvk(&args[1..])
        }
        _ => {
            smart_till_lib::footprint::before_start();
            smart_till_lib::run();
            ExitCode::SUCCESS
        }
    }
}

/// `import-articles` and `export-articles`: the logic is till-app's, on the
/// catalogue of the environment the till is set to.
fn articles_command(args: &[OsString]) -> ExitCode {
    let args: Vec<&str> = args.iter().filter_map(|a| a.to_str()).collect();
    let (import, file, dry_run) = match args.as_slice() {
        ["import-articles", file] => (true, *file, false),
        ["import-articles", file, "--dry-run"] | ["import-articles", "--dry-run", file] => {
            (true, *file, true)
        }
        ["export-articles", file] => (false, *file, false),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let Some(data) = smart_till_lib::data_dir() else {
        eprintln!("smart-till: no home directory: set SMART_TILL_DATA_DIR to the data directory");
        return ExitCode::FAILURE;
    };
    let done = if import {
        till_app::commands::articles::import_file_at(
            &smart_till_lib::catalog_path(&data),
            Path::new(file),
            dry_run,
        )
    } else {
        till_app::commands::articles::export_file_at(
            &smart_till_lib::catalog_path(&data),
            Path::new(file),
        )
    };
    match done {
        Ok((report, ok)) => {
            print!("{report}");
            if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("smart-till: {}", e.message);
            ExitCode::FAILURE
        }
    }
}

fn command_line(args: &[OsString]) -> ExitCode {
    if args.first().is_some_and(|c| c == "receipt-pdf") {
        return receipt_pdf(&args[1..]);
    }
    let (command, file) = match args {
        [c, file] if c == "backup" || c == "restore" => (c.to_str().unwrap_or(""), file),
        [c] if c != "backup" && c != "restore" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let Some((data, journal)) = data_and_journal() else {
        return ExitCode::FAILURE;
    };
    let file = PathBuf::from(file);
    if command == "backup" {
        run_backup(&journal, &file)
    } else {
        run_restore(&data, &journal, &file)
    }
}

/// The data directory and the journal the till opens there (the environment
/// saved in the settings); says so when there is no data directory.
fn data_and_journal() -> Option<(PathBuf, PathBuf)> {
    let Some(data) = smart_till_lib::data_dir() else {
        eprintln!("smart-till: no home directory: set SMART_TILL_DATA_DIR to the data directory");
        return None;
    };
    let journal = smart_till_lib::journal_path(&data);
    Some((data, journal))
}

fn run_backup(journal: &Path, file: &Path) -> ExitCode {
    match backup::backup(journal, file) {
        Ok(s) => {
            println!(
                "Backup written to {}: {} journal entries, last receipt {}, {} bytes; hash chain checked.",
                file.display(),
                s.entries,
                receipt(s.last_receipt),
                s.bytes
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("smart-till backup: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run_restore(data: &Path, journal: &Path, file: &Path) -> ExitCode {
    // The running app holds this lock for its whole life; so does the
    // restore while it works, so the app cannot start in between either.
    let _lock = match DataDirLock::try_acquire(data) {
        Ok(Some(lock)) => lock,
        Ok(None) => {
            eprintln!(
                "smart-till restore: Smart Till is running with the data directory {}. \
                 Close the till first, then run the restore again. Nothing was changed.",
                data.display()
            );
            return ExitCode::from(EXIT_RUNNING);
        }
        Err(e) => {
            eprintln!("smart-till restore: {e}");
            return ExitCode::FAILURE;
        }
    };
    match backup::restore(file, journal) {
        Ok(r) => {
            println!(
                "Restored {} ({} journal entries, last receipt {}; hash chain checked) to {}.",
                file.display(),
                r.summary.entries,
                receipt(r.summary.last_receipt),
                journal.display()
            );
            match r.kept_aside {
                Some(aside) => println!(
                    "The previous journal is kept at {} ({}).",
                    aside.display(),
                    r.replaced
                ),
                None => println!("There was no journal before."),
            }
            println!(
                "The restore is journaled; receipt numbers continue from the backup's last one."
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            let untouched = matches!(
                e,
                backup::BackupError::NoJournal(_)
                    | backup::BackupError::NotAJournal { .. }
                    | backup::BackupError::ChainBroken { .. }
                    | backup::BackupError::Older { .. }
                    | backup::BackupError::Diverged { .. }
            );
            eprintln!("smart-till restore: {e}");
            if untouched {
                eprintln!("The journal was not changed.");
            }
            ExitCode::FAILURE
        }
    }
}

/// `receipt-pdf <number> <file.pdf>`: the logic is `till_app::documents`.
fn receipt_pdf(args: &[OsString]) -> ExitCode {
    let [number, file] = args else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let Some(number) = number
        .to_str()
        .and_then(|n| n.parse::<i64>().ok())
        .filter(|n| *n > 0)
    else {
        eprintln!(
            "smart-till receipt-pdf: {:?} is not a receipt number (1, 2, 3, …).",
            number
        );
        return ExitCode::from(2);
    };
    let Some((_, journal)) = data_and_journal() else {
        return ExitCode::FAILURE;
    };
    let file = PathBuf::from(file);
    use till_app::documents::{receipt_pdf_from_journal, ReceiptPdfError};
    match receipt_pdf_from_journal(&journal, number, &file) {
        Ok(w) => {
            println!(
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
            ExitCode::SUCCESS
        }
        Err(e @ (ReceiptPdfError::UnknownReceipt(..) | ReceiptPdfError::NoReceipts(_))) => {
            eprintln!("smart-till receipt-pdf: {e}. Nothing was written.");
            ExitCode::from(EXIT_NO_RECEIPT)
        }
        Err(e) => {
            eprintln!("smart-till receipt-pdf: {e}. Nothing was written.");
            ExitCode::FAILURE
        }
    }
}

/// `export-dsfinvk --from DAY --to DAY OUT`: the work is `till_app`'s.
fn export_dsfinvk(args: &[OsString]) -> ExitCode {
    use till_app::commands::tax_export;
    use till_app::ErrorCode;
    let args: Vec<&str> = args.iter().filter_map(|a| a.to_str()).collect();
    let (from, to, out) = match args.as_slice() {
        ["--from", from, "--to", to, out] | ["--to", to, "--from", from, out] => (*from, *to, *out),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let (from, to) = match (tax_export::parse_day(from), tax_export::parse_day(to)) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("smart-till export-dsfinvk: {}", e.message);
            return ExitCode::from(2);
        }
    };
    let Some((data, journal)) = data_and_journal() else {
        return ExitCode::FAILURE;
    };
    if !journal.exists() {
        eprintln!(
            "smart-till export-dsfinvk: there is no journal at {}.",
            journal.display()
        );
        return ExitCode::FAILURE;
    }
    let shop = smart_till_lib::shop_settings(&data);
    let mut shown = 0;
    let result = tax_export::export(&journal, &shop, from, to, Path::new(out), &mut |percent| {
        // A line every 10 % on a terminal that waits.
        if percent >= shown + 10 || percent == 100 {
            shown = percent;
            eprintln!("{percent:>3} %");
        }
    });
    match result {
        Ok(done) => {
            println!(
                "DSFinV-K export written to {}: {} closing(s) (Z {}), {} receipts, {} bytes.",
                done.path,
                done.closings.len(),
                done.closings
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                done.receipts,
                done.bytes
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("smart-till export-dsfinvk: {}", e.message);
            match e.code {
                ErrorCode::ExportNoClosing => ExitCode::from(EXIT_NO_CLOSING),
                ErrorCode::ExportTargetTaken => ExitCode::from(EXIT_TARGET_TAKEN),
                ErrorCode::InvalidInput => ExitCode::from(2),
                _ => ExitCode::FAILURE,
            }
        }
    }
}

fn receipt(n: Option<i64>) -> String {
    n.map_or_else(|| "none".into(), |n| n.to_string())
}

/// A release build on Windows has no console of its own: write to the one
/// the command was typed in.
#[cfg(windows)]
fn attach_console() {
    extern "system" {
        fn AttachConsole(process_id: u32) -> i32;
    }
    const ATTACH_PARENT_PROCESS: u32 = u32::MAX;
    // SAFETY: a plain Win32 call without pointers; failure only means no console.
    unsafe {
        AttachConsole(ATTACH_PARENT_PROCESS);
    }
}

#[cfg(not(windows))]
fn attach_console() {}
