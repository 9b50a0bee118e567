//! The export of journals written through the real checkout against both
//! simulators (`crates/till/examples/demo-journal`): every table checked by
//! the project's own validator (`tests/validate.py`), the TSE tables, and
//! the odd cases — a day of cancellations only, a TSE outage, texts with
//! `;`, `"` and umlauts, 0 % voucher loads.

#[path = "../../till/examples/demo-journal/generate.rs"]
mod generate;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use chrono::{Days, Local};
use dsfinvk::{export, Cashpoint, Register};
use generate::{generate, opening_hours, DemoTill, Plan};
use till::closing::CashMovement;
use till::Cents;

type Record = BTreeMap<String, String>;

fn read(dir: &Path, file: &str) -> Vec<Record> {
    let mut r = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_path(dir.join(file))
        .unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|rec| {
            header
                .iter()
                .cloned()
                .zip(rec.unwrap().iter().map(str::to_string))
                .collect()
        })
        .collect()
}

/// The project's validator; `None` where there is no Python.
fn validate(out: &Path) -> Option<Result<(), String>> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/validate.py");
    let o = Command::new("python3").arg(script).arg(out).output().ok()?;
    Some(if o.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&o.stderr).into_owned())
    })
}

fn assert_valid(out: &Path) {
    match validate(out) {
        Some(r) => r.unwrap(),
        None => eprintln!("no python3 here: the export was not validated independently"),
    }
}

fn cashpoint() -> Cashpoint {
    Cashpoint {
        till_id: "KASSE-1".into(),
        name: "Bäckerei Müller".into(),
        country: "DEU".into(),
        register: Register {
            brand: "Smart Till".into(),
            software: "Smart Till".into(),
            version: "0.1.0".into(),
            ..Register::default()
        },
        ..Cashpoint::default()
    }
}

/// Journal writes take the writing thread's clock: one thread.
fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for f in std::fs::read_dir(from).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), to.join(f.file_name())).unwrap();
    }
}

#[test]
fn the_demo_journal_exports_every_day_valid_with_its_tse_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite3");
    let plan = Plan {
        days: 3,
        sales_per_day: 16,
        tse_outage: 2,
        seed: 11,
    };
    let written = block_on(generate(&path, &plan)).unwrap();
    assert_eq!(written.closings.len(), 3);
    assert_eq!(written.tse_failed, 2);
    let journal = till::Journal::open(&path).unwrap();
    let today = Local::now().date_naive();
    let out = dir.path().join("export");
    let summary = export(&journal, today - Days::new(2), today, &cashpoint(), &out).unwrap();
    assert_eq!(summary.closings, vec![1, 2, 3]);
    assert_valid(&out);

    // The business days are the journal's: one closing each, day by day.
    let closings = read(&out, "cashpointclosing.csv");
    let days: Vec<String> = closings
        .iter()
        .map(|r| r["Z_BUCHUNGSTAG"].clone())
        .collect();
    let want: Vec<String> = (0..3u64)
        .rev()
        .map(|d| (today - Days::new(d)).format("%Y-%m-%d").to_string())
        .collect();
    assert_eq!(days, want);

    // Every receipt has its TSE row: signed, or the outage named.
    let heads = read(&out, "transactions.csv");
    let tse_rows = read(&out, "transactions_tse.csv");
    assert_eq!(tse_rows.len(), heads.len());
    let failed: Vec<&Record> = tse_rows
        .iter()
        .filter(|r| !r["TSE_TA_FEHLER"].is_empty())
        .collect();
    assert_eq!(failed.len(), 2);
    assert!(failed[0]["TSE_TA_FEHLER"].starts_with("TSE ausgefallen"));
    assert_eq!(failed[0]["Z_NR"], "1");
    let signed: Vec<&Record> = tse_rows
        .iter()
        .filter(|r| r["TSE_TA_FEHLER"].is_empty())
        .collect();
    for r in &signed {
        assert_eq!(r["TSE_TA_VORGANGSART"], "Kassenbeleg-V1");
        assert!(r["TSE_VORGANGSDATEN"].starts_with("Beleg^"), "{r:?}");
        assert!(r["TSE_TA_START"].ends_with(".000Z"));
        // The TSE's log time is the business day's.
        let head = heads.iter().find(|h| h["BON_ID"] == r["BON_ID"]).unwrap();
        assert_eq!(r["TSE_TA_START"][..10], head["BON_START"][..10]);
    }
    // One TSE per closing in the master data, with its key.
    let tse = read(&out, "tse.csv");
    assert_eq!(tse.len(), 3);
    for t in &tse {
        assert_eq!(t["TSE_ID"], "1");
        assert_eq!(t["TSE_SERIAL"].len(), 64);
        assert_eq!(t["TSE_SIG_ALGO"], "ecdsa-plain-SHA256");
        assert_eq!(t["TSE_ZEITFORMAT"], "unixTime");
        assert_eq!(t["TSE_PD_ENCODING"], "UTF-8");
        assert!(!t["TSE_PUBLIC_KEY"].is_empty());
    }
    // The payment terminal of each closing's end of day.
    let slaves = read(&out, "slaves.csv");
    assert_eq!(slaves.len(), 3);
    assert_eq!(
        slaves[0]["TERMINAL_ID"],
        secuconnect_sandbox::demo::TERMINAL_TID
    );

    // Card payments, secucard loads (0 %, key 5) and payments are there.
    let pay_types: Vec<String> = read(&out, "datapayment.csv")
        .iter()
        .map(|r| r["ZAHLART_TYP"].clone())
        .collect();
    for t in ["Bar", "Unbar", "Guthabenkarte"] {
        assert!(pay_types.iter().any(|p| p == t), "no {t} payment");
    }
    let lines = read(&out, "lines.csv");
    assert!(lines
        .iter()
        .any(|l| l["GV_TYP"] == "MehrzweckgutscheinKauf"));
    let cases = read(&out, "businesscases.csv");
    assert!(cases
        .iter()
        .any(|c| c["GV_TYP"] == "MehrzweckgutscheinKauf" && c["UST_SCHLUESSEL"] == "5"));
    assert!(heads.iter().any(|h| h["BON_STORNO"] == "1"));
    assert_eq!(
        read(&out, "references.csv").len(),
        heads.iter().filter(|h| h["BON_STORNO"] == "1").count()
    );

    // The validator is not a rubber stamp: a TSE counter that goes back fails it.
    let broken = dir.path().join("broken");
    copy_dir(&out, &broken);
    let text = std::fs::read_to_string(broken.join("transactions_tse.csv")).unwrap();
    let mut lines: Vec<&str> = text.split_inclusive("\r\n").collect();
    let signed_at: Vec<usize> = (1..lines.len())
        .filter(|i| !lines[*i].contains("TSE ausgefallen"))
        .collect();
    lines.swap(signed_at[0], signed_at[1]);
    std::fs::write(broken.join("transactions_tse.csv"), lines.concat()).unwrap();
    if let Some(r) = validate(&broken) {
        assert!(r.unwrap_err().contains("do not rise"));
    }
}

#[test]
fn odd_days_export_valid_cancellations_only_a_tse_outage_texts_and_zero_rate() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite3");
    let now = Local::now();
    let today = now.date_naive();
    let yesterday = today - Days::new(1);
    block_on(async {
        let till = DemoTill::open(&path).await.unwrap();
        let mut rng = generate::Rng::new(3);
        // Yesterday: sales, a secucard load (0 %), all while the TSE is down.
        let (open, close) = opening_hours(yesterday, now);
        till.set_clock(open);
        till.tse_down(true).await;
        let mut sold = Vec::new();
        for _ in 0..3 {
            sold.push(till.cash_sale(&till.basket(&mut rng)).await.unwrap());
        }
        till.card_load(Cents(2500), false).await.unwrap();
        till.tse_down(false).await;
        till.set_clock(close);
        till.close(Cents::ZERO).await.unwrap();
        // Today: nothing but the cancellations of yesterday's sales.
        let (open, close) = opening_hours(today, now);
        till.set_clock(open);
        for r in &sold {
            till.cancel(*r, "Reklamation; \"falsch\" berechnet")
                .await
                .unwrap();
        }
        till.cash_movement(CashMovement::CashIn, Cents(1000), "Münzrolle")
            .unwrap();
        till.set_clock(close);
        till.close(Cents::ZERO).await.unwrap();
        till::journal::testing::set_clock(None);
    });
    let journal = till::Journal::open(&path).unwrap();
    let out = dir.path().join("export");
    let summary = export(&journal, yesterday, today, &cashpoint(), &out).unwrap();
    assert_eq!(summary.closings, vec![1, 2]);
    assert_valid(&out);

    let heads = read(&out, "transactions.csv");
    let of_z2: Vec<&Record> = heads.iter().filter(|h| h["Z_NR"] == "2").collect();
    assert_eq!(of_z2.len(), 3);
    assert!(of_z2
        .iter()
        .all(|h| h["BON_STORNO"] == "1" && h["UMS_BRUTTO"].starts_with('-')));
    let closing2 = &read(&out, "cashpointclosing.csv")[1];
    assert!(closing2["Z_SE_ZAHLUNGEN"].starts_with('-'));
    // The outage: yesterday's receipts name it; today's cancellations are signed.
    let tse = read(&out, "transactions_tse.csv");
    assert!(tse
        .iter()
        .filter(|r| r["Z_NR"] == "1")
        .all(|r| !r["TSE_TA_FEHLER"].is_empty()));
    assert!(tse
        .iter()
        .filter(|r| r["Z_NR"] == "2")
        .all(|r| r["TSE_TA_FEHLER"].is_empty()));
    assert_eq!(
        read(&out, "tse.csv")
            .iter()
            .map(|r| r["Z_NR"].clone())
            .collect::<Vec<_>>(),
        vec!["2"]
    );
    // The 0 % load: VAT key 5, no tax.
    let load = read(&out, "lines.csv")
        .into_iter()
        .find(|l| l["GV_TYP"] == "MehrzweckgutscheinKauf")
        .unwrap();
    let vat = read(&out, "lines_vat.csv")
        .into_iter()
        .find(|l| l["BON_ID"] == load["BON_ID"] && l["POS_ZEILE"] == load["POS_ZEILE"])
        .unwrap();
    assert_eq!(
        (vat["UST_SCHLUESSEL"].as_str(), vat["POS_UST"].as_str()),
        ("5", "0,00000")
    );
    // Texts with `;`, `"` and umlauts survive the round trip.
    let texts: Vec<String> = read(&out, "lines.csv")
        .iter()
        .map(|l| l["ARTIKELTEXT"].clone())
        .collect();
    assert!(
        texts.iter().any(|t| t.contains(';')
            || t.contains('"')
            || t.contains('ö')
            || t.contains('ä')
            || t.contains('ü')
            || t.contains('ß')),
        "{texts:?}"
    );
    let cases = read(&out, "businesscases.csv");
    assert!(cases
        .iter()
        .any(|c| c["GV_TYP"] == "Einzahlung" && c["Z_NR"] == "2"));
}

#[test]
fn a_zip_export_holds_the_same_valid_files_and_a_taken_target_or_an_empty_range_is_refused() {
    use dsfinvk::{export_to, PackageError};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite3");
    let plan = Plan {
        days: 2,
        sales_per_day: 6,
        tse_outage: 1,
        seed: 5,
    };
    block_on(generate(&path, &plan)).unwrap();
    let journal = till::Journal::open_read_only(&path).unwrap();
    let today = Local::now().date_naive();
    let from = today - Days::new(1);

    let zip_path = dir.path().join("Export 2026.zip");
    let mut seen = Vec::new();
    let done = export_to(&journal, from, today, &cashpoint(), &zip_path, &mut |p| {
        seen.push(p.percent())
    })
    .unwrap();
    assert!(done.zip && done.bytes > 0);
    assert_eq!(done.summary.closings, vec![1, 2]);
    assert_eq!(seen.first(), Some(&0));
    assert_eq!(seen.last(), Some(&100));
    // Nothing but the zip is left beside it.
    let beside: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("journal"))
        .collect();
    assert_eq!(beside, vec!["Export 2026.zip".to_string()]);
    // Unzipped, it is the export: 20 tables, the index, the DTD, valid.
    let unzipped = dir.path().join("unzipped");
    zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap())
        .unwrap()
        .extract(&unzipped)
        .unwrap();
    assert_eq!(std::fs::read_dir(&unzipped).unwrap().count(), 22);
    assert_valid(&unzipped);
    let folder = dir.path().join("folder");
    export_to(&journal, from, today, &cashpoint(), &folder, &mut |_| {}).unwrap();
    for t in dsfinvk::definition::official() {
        assert_eq!(
            std::fs::read(folder.join(&t.file)).unwrap(),
            std::fs::read(unzipped.join(&t.file)).unwrap(),
            "{}",
            t.file
        );
    }

    // Refusals, before anything is written.
    let err = export_to(&journal, from, today, &cashpoint(), &zip_path, &mut |_| {}).unwrap_err();
    assert!(matches!(err, PackageError::NotEmpty(_)), "{err}");
    let err = export_to(&journal, from, today, &cashpoint(), &folder, &mut |_| {}).unwrap_err();
    assert!(matches!(err, PackageError::NotEmpty(_)), "{err}");
    let long_ago = today - Days::new(400);
    let nothing = dir.path().join("nothing");
    let err = export_to(
        &journal,
        long_ago,
        long_ago,
        &cashpoint(),
        &nothing,
        &mut |_| {},
    )
    .unwrap_err();
    assert!(matches!(err, PackageError::NoClosing { .. }), "{err}");
    assert!(!nothing.exists());
    let err = export_to(&journal, today, from, &cashpoint(), &nothing, &mut |_| {}).unwrap_err();
    assert!(matches!(err, PackageError::BadRange { .. }), "{err}");

    // A full disk: the zip's file is the kernel's /dev/full (ENOSPC on write).
    #[cfg(target_os = "linux")]
    {
        let full = dir.path().join("full.zip");
        std::os::unix::fs::symlink("/dev/full", dir.path().join(".full.zip.part")).unwrap();
        let err = export_to(&journal, from, today, &cashpoint(), &full, &mut |_| {}).unwrap_err();
        assert!(matches!(err, PackageError::DiskFull(_)), "{err}");
        assert!(err.to_string().contains("disk is full"));
        assert!(!full.exists());
        assert!(!dir.path().join(".full.zip.files").exists());
        assert!(!dir.path().join(".full.zip.part").exists());
    }
}
