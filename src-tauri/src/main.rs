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
  smart-till import-articles <file.csv> [--dry-run]
                              import articles from a CSV file (the format is in the README): prints
                              the preview and every bad line; imports the good lines in one go
                              (nothing with --dry-run); fails when nothing could be imported
  smart-till export-articles <out.csv>
                              write every article as CSV (UTF-8, ';', decimal comma)

The data directory is the platform's app-data directory for de.smarttill.app,
or SMART_TILL_DATA_DIR when set.

Exit codes: 0 done, 1 failed, 2 wrong usage, 3 the till is running (restore).";

/// The app is running: a restore would pull the journal from under it.
const EXIT_RUNNING: u8 = 3;

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    match args.first().and_then(|a| a.to_str()) {
        // Handled before Tauri starts: no window, no second-instance hand-over.
        Some("import-articles" | "export-articles") => {
            attach_console();
            articles_command(&args)
        }
        Some("backup" | "restore" | "help" | "--help" | "-h") => {
            attach_console();
            command_line(&args)
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
    let Some(data) = smart_till_lib::data_dir() else {
        eprintln!("smart-till: no home directory: set SMART_TILL_DATA_DIR to the data directory");
        return ExitCode::FAILURE;
    };
    let journal = smart_till_lib::journal_path(&data);
    let file = PathBuf::from(file);
    if command == "backup" {
        run_backup(&journal, &file)
    } else {
        run_restore(&data, &journal, &file)
    }
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
