//! The command line (`till_app::cli`) as the shell runs it: arguments, a
//! data directory on a temporary folder (real journal and catalogue files),
//! what it prints and its exit codes, for right and wrong usage.

mod common;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use common::{basket, demo_till};
use till::Cents;
use till_app::cli::{
    self, Console, EXIT_FAILED, EXIT_NO_CLOSING, EXIT_NO_RECEIPT, EXIT_OK, EXIT_USAGE,
};
use till_app::commands::sale;

/// What one run printed and answered.
struct Ran {
    code: u8,
    out: String,
    err: String,
}

fn run(data: Option<&Path>, args: &[&str]) -> Ran {
    let args: Vec<OsString> = args.iter().map(OsString::from).collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = cli::run(
        &args,
        data.map(Path::to_path_buf),
        &mut Console {
            out: &mut out,
            err: &mut err,
        },
    );
    Ran {
        code,
        out: String::from_utf8(out).unwrap(),
        err: String::from_utf8(err).unwrap(),
    }
}

fn arg(p: &Path) -> String {
    p.to_str().unwrap().to_string()
}

#[test]
fn only_its_commands_are_the_command_lines() {
    let is = |a: &[&str]| cli::is_command(&a.iter().map(OsString::from).collect::<Vec<_>>());
    assert!(is(&["import-articles", "a.csv"]));
    assert!(is(&["help"]));
    assert!(!is(&[]));
    // What a desktop hands a starting app (a file to open, a flag) starts the till.
    assert!(!is(&["--minimized"]));
}

#[test]
fn help_and_wrong_usage() {
    let help = run(None, &["help"]);
    assert_eq!(help.code, EXIT_OK);
    assert!(help.out.starts_with("Usage:"), "{}", help.out);
    assert!(help.out.contains("Exit codes: 0 done"));
    for wrong in [
        &["backup"][..],
        &["restore", "a", "b"],
        &["receipt-pdf", "1"],
        &["import-articles"],
        &["import-articles", "a.csv", "--force"],
        &["export-articles"],
        &["export-dsfinvk", "--from", "2026-01-01", "out"],
        &["help", "me"],
    ] {
        let ran = run(None, wrong);
        assert_eq!(ran.code, EXIT_USAGE, "{wrong:?}");
        assert!(ran.err.starts_with("Usage:"), "{wrong:?}: {}", ran.err);
        assert!(ran.out.is_empty());
    }
    let ran = run(None, &["receipt-pdf", "first", "r.pdf"]);
    assert_eq!(ran.code, EXIT_USAGE);
    assert_eq!(
        ran.err,
        "smart-till receipt-pdf: \"first\" is not a receipt number (1, 2, 3, …).\n"
    );
    let ran = run(
        None,
        &[
            "export-dsfinvk",
            "--from",
            "2026-13-01",
            "--to",
            "2026-12-31",
            "out",
        ],
    );
    assert_eq!(ran.code, EXIT_USAGE);
    assert!(
        ran.err.starts_with("smart-till export-dsfinvk: "),
        "{}",
        ran.err
    );
    // Without a data directory the command says how to give one.
    let ran = run(None, &["export-articles", "out.csv"]);
    assert_eq!(ran.code, EXIT_FAILED);
    assert!(ran.err.contains("set SMART_TILL_DATA_DIR"), "{}", ran.err);
}

#[test]
fn articles_are_imported_and_exported_with_english_reasons_for_bad_lines() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let csv = dir.path().join("a.csv");
    std::fs::write(
        &csv,
        "Artikelnummer;Bezeichnung;Preis;MwSt\n9001;Limo;1,50;19\n9002;Brause;zwei;19\n",
    )
    .unwrap();
    let dry = run(Some(&data), &["import-articles", "--dry-run", &arg(&csv)]);
    assert_eq!(dry.code, EXIT_OK, "{}", dry.err);
    assert!(dry.out.starts_with("1 new, 0 changed, "), "{}", dry.out);
    assert!(
        dry.out
            .contains("line 3: the price \"zwei\" is not a number like 2,50\n"),
        "{}",
        dry.out
    );
    let done = run(Some(&data), &["import-articles", &arg(&csv)]);
    assert_eq!(done.code, EXIT_OK);
    assert!(done.out.contains("imported: 1 created"), "{}", done.out);
    // A file with nothing to import fails.
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "Artikelnummer;Bezeichnung;Preis;MwSt\n9003;X;drei;19\n",
    )
    .unwrap();
    let ran = run(Some(&data), &["import-articles", &arg(&bad)]);
    assert_eq!(ran.code, EXIT_FAILED);
    assert!(
        ran.out.contains("Nothing could be imported."),
        "{}",
        ran.out
    );
    let ran = run(Some(&data), &["import-articles", "/no/such/file.csv"]);
    assert_eq!(ran.code, EXIT_FAILED);
    assert!(ran.err.contains("cannot be read"), "{}", ran.err);

    let out = dir.path().join("out.csv");
    let ran = run(Some(&data), &["export-articles", &arg(&out)]);
    assert_eq!(ran.code, EXIT_OK, "{}", ran.err);
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(written.contains("9001;"), "{written}");
    // The demo catalogue had the demo shop seeded first.
    assert!(written.contains("Brötchen"), "{written}");
    // An existing file is never overwritten.
    let ran = run(Some(&data), &["export-articles", &arg(&out)]);
    assert_eq!(ran.code, EXIT_FAILED);
    assert!(ran.err.contains("cannot be written"), "{}", ran.err);
}

#[tokio::test(flavor = "multi_thread")]
async fn receipts_backups_and_the_tax_export_from_the_journal() {
    let till = demo_till().await;
    let data: PathBuf = till.dir.path().to_path_buf();
    sale::pay_cash(&till.state, basket(250), Some(Cents(500)))
        .await
        .unwrap();
    let pdf = data.join("r1.pdf");
    let ran = run(Some(&data), &["receipt-pdf", "1", &arg(&pdf)]);
    assert_eq!(ran.code, EXIT_OK, "{}", ran.err);
    assert!(ran.out.starts_with("Receipt 1 written to "), "{}", ran.out);
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
    let ran = run(
        Some(&data),
        &["receipt-pdf", "9", &arg(&data.join("r9.pdf"))],
    );
    assert_eq!(ran.code, EXIT_NO_RECEIPT);
    assert!(ran.err.ends_with("Nothing was written.\n"), "{}", ran.err);
    assert!(!data.join("r9.pdf").exists());

    let copy = data.join("backup.sqlite3");
    let ran = run(Some(&data), &["backup", &arg(&copy)]);
    assert_eq!(ran.code, EXIT_OK, "{}", ran.err);
    assert!(ran.out.starts_with("Backup written to "), "{}", ran.out);
    assert!(ran.out.contains("last receipt 1"), "{}", ran.out);
    // A till running on this folder (it holds the folder's lock, as the app does): a restore is refused.
    let running = till::backup::DataDirLock::try_acquire(&data)
        .unwrap()
        .expect("the lock is free");
    let ran = run(Some(&data), &["restore", &arg(&copy)]);
    assert_eq!(ran.code, cli::EXIT_RUNNING, "{}", ran.err);
    assert!(ran.err.contains("Nothing was changed."), "{}", ran.err);
    drop(running);

    // No closing yet: nothing to export.
    let ran = run(
        Some(&data),
        &[
            "export-dsfinvk",
            "--from",
            "2026-01-01",
            "--to",
            "2026-12-31",
            &arg(&data.join("x")),
        ],
    );
    assert_eq!(ran.code, EXIT_NO_CLOSING, "{}", ran.err);
    // No journal in an empty folder.
    let empty = tempfile::tempdir().unwrap();
    let ran = run(
        Some(empty.path()),
        &[
            "export-dsfinvk",
            "--to",
            "2026-12-31",
            "--from",
            "2026-01-01",
            "x",
        ],
    );
    assert_eq!(ran.code, EXIT_FAILED);
    assert!(ran.err.contains("there is no journal at"), "{}", ran.err);
    let ran = run(
        Some(empty.path()),
        &["backup", &arg(&empty.path().join("b"))],
    );
    assert_eq!(ran.code, EXIT_FAILED);
    assert!(ran.err.starts_with("smart-till backup: "), "{}", ran.err);
}
