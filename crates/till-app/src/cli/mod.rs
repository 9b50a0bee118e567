//! The command line: `smart-till backup|restore|receipt-pdf|export-dsfinvk|
//! import-articles|export-articles|help`. Parsing, the work and the messages
//! are here; the desktop shell only hands over the arguments, the data
//! directory and its output streams, and exits with the code [`run`] answers.
//!
//! What is printed is English (a terminal, a shop's scripts); exit codes are
//! the constants below, documented in [`USAGE`].

mod articles;
mod journal;
mod tax_export;

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

pub const USAGE: &str = "\
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

/// Done.
pub const EXIT_OK: u8 = 0;
/// It did not work (the message says why).
pub const EXIT_FAILED: u8 = 1;
/// The arguments are not what [`USAGE`] says.
pub const EXIT_USAGE: u8 = 2;
/// `restore`: the app is running; a restore would pull the journal from under it.
pub const EXIT_RUNNING: u8 = 3;
/// `receipt-pdf`: the journal has no receipt with that number.
pub const EXIT_NO_RECEIPT: u8 = 4;
/// `export-dsfinvk`: the range holds no closing: nothing was exported.
pub const EXIT_NO_CLOSING: u8 = 4;
/// `export-dsfinvk`: the target is taken: nothing was written.
pub const EXIT_TARGET_TAKEN: u8 = 5;

/// The commands the command line knows; anything else starts the till.
const COMMANDS: &[&str] = &[
    "backup",
    "restore",
    "receipt-pdf",
    "export-dsfinvk",
    "import-articles",
    "export-articles",
    "help",
    "--help",
    "-h",
];

/// Is this a command-line call (handled before the window starts: no
/// window, no second-instance hand-over)?
pub fn is_command(args: &[OsString]) -> bool {
    args.first()
        .and_then(|a| a.to_str())
        .is_some_and(|a| COMMANDS.contains(&a))
}

/// Where a command writes: what it did (`out`) and what went wrong (`err`).
pub struct Console<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
}

// A console that cannot be written to has nobody to tell: the exit code still says it.
macro_rules! say {
    ($w:expr, $($arg:tt)*) => {{
        let _ = writeln!($w, $($arg)*);
    }};
}
pub(crate) use say;

/// Runs the command in `args` (without the program's name) on the data
/// directory `data` (`None`: there is none, no home directory) and answers
/// the exit code.
pub fn run(args: &[OsString], data: Option<PathBuf>, console: &mut Console<'_>) -> u8 {
    let Some(command) = args.first().and_then(|a| a.to_str()) else {
        return usage(console);
    };
    let rest: Vec<&str> = match args[1..].iter().map(|a| a.to_str()).collect() {
        Some(rest) => rest,
        None => {
            say!(
                console.err,
                "smart-till {command}: an argument is not valid Unicode."
            );
            return EXIT_USAGE;
        }
    };
    match (command, rest.as_slice()) {
        ("help" | "--help" | "-h", []) => {
            say!(console.out, "{USAGE}");
            EXIT_OK
        }
        ("backup", [file]) => journal::backup(data, Path::new(file), console),
        ("restore", [file]) => journal::restore(data, Path::new(file), console),
        ("receipt-pdf", [number, file]) => journal::receipt_pdf(data, number, file, console),
        ("export-dsfinvk", args) => tax_export::export_dsfinvk(data, args, console),
        ("import-articles", [file]) => articles::import(data, file, false, console),
        ("import-articles", [file, "--dry-run"] | ["--dry-run", file]) => {
            articles::import(data, file, true, console)
        }
        ("export-articles", [file]) => articles::export(data, file, console),
        _ => usage(console),
    }
}

/// Wrong usage: the usage on stderr, exit code 2.
pub(super) fn usage(console: &mut Console<'_>) -> u8 {
    say!(console.err, "{USAGE}");
    EXIT_USAGE
}

/// The data directory, or why there is none.
fn data_dir(data: Option<PathBuf>, err: &mut dyn Write) -> Option<PathBuf> {
    if data.is_none() {
        say!(
            err,
            "smart-till: no home directory: set SMART_TILL_DATA_DIR to the data directory"
        );
    }
    data
}
