//! The export of journals written through the real checkout against both
//! simulators (`crates/till/examples/demo-journal`): every table checked by
//! the project's own validator (`tests/validate.py`), the TSE tables, and
//! the odd cases — a day of cancellations only, a TSE outage, texts with
//! `;`, `"` and umlauts, 0 % voucher loads.

mod common;
#[path = "../../till/examples/demo-journal/generate.rs"]
mod generate;

use std::path::Path;

use chrono::{Days, Local};
use common::{
    assert_valid, assert_valid_against, cashpoint, read, validate, validate_against, Record,
};
use dsfinvk::export;
use generate::{generate, opening_hours, DemoTill, Plan};
use till::closing::CashMovement;
use till::Cents;

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
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
    // Valid, and each closing's cash is its Z report's: float + takings +
    // movements ± difference = counted.
    assert_valid_against(&out, &written.closings);

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

    // Every receipt has its TSE row: signed, or the outage named; the float
    // too (an `AVTransfer`), but not the counting difference, which the TSE
    // does not sign. Neither has a receipt number of the journal's.
    let heads = read(&out, "transactions.csv");
    let tse_rows = read(&out, "transactions_tse.csv");
    let numberless: Vec<&Record> = heads
        .iter()
        .filter(|h| h["BON_ID"].starts_with("J-") && h["BON_TYP"] != "AVBelegabbruch")
        .collect();
    assert_eq!(numberless.len(), 3 + 1, "three floats, one difference");
    let floats_signed = numberless
        .iter()
        .filter(|h| tse_rows.iter().any(|r| r["BON_ID"] == h["BON_ID"]))
        .count();
    assert_eq!(floats_signed, 3, "each day's float has its TSE row");
    assert_eq!(tse_rows.len(), heads.len() - 1);
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
        let head = heads.iter().find(|h| h["BON_ID"] == r["BON_ID"]).unwrap();
        // A sale is signed as a `Beleg`, a cash movement as an `AVTransfer`.
        let signed_as = format!("{}^", head["BON_TYP"]);
        assert!(r["TSE_VORGANGSDATEN"].starts_with(&signed_as), "{r:?}");
        assert!(r["TSE_TA_START"].ends_with(".000Z"));
        // The TSE's log time is the business day's.
        assert_eq!(r["TSE_TA_START"][..10], head["BON_START"][..10]);
    }
    // A basket cleared each day: an `AVBelegabbruch` with its lines as they
    // stood (cheese by weight: MENGE in kg, STK_BR the price per kg) and its
    // amount, nothing paid, signed by the TSE as such; in no business case.
    assert_eq!(written.aborted, 3);
    let aborted: Vec<&Record> = heads
        .iter()
        .filter(|h| h["BON_TYP"] == "AVBelegabbruch")
        .collect();
    assert_eq!(aborted.len(), 3);
    let lines = read(&out, "lines.csv");
    let lines_vat = read(&out, "lines_vat.csv");
    let paid = read(&out, "datapayment.csv");
    for (z, a) in aborted.iter().enumerate() {
        assert_eq!(a["Z_NR"], (z + 1).to_string());
        assert!(a["BON_ID"].starts_with("J-"), "{a:?}");
        assert_eq!(a["UMS_BRUTTO"], "9,76", "6,56 € of cheese and a coffee");
        assert!(!a["BEDIENER_ID"].is_empty());
        let of = |r: &&Record| r["Z_NR"] == a["Z_NR"] && r["BON_ID"] == a["BON_ID"];
        let its: Vec<&Record> = lines.iter().filter(of).collect();
        assert_eq!(its.len(), 2);
        let cheese = its[0];
        assert_eq!(
            (
                cheese["MENGE"].as_str(),
                cheese["EINHEIT"].as_str(),
                cheese["STK_BR"].as_str(),
                cheese["GV_TYP"].as_str()
            ),
            ("0,347", "kg", "18,90000", "Umsatz")
        );
        let cheese_vat = lines_vat.iter().find(of).unwrap();
        // 0,347 kg × 18,90 €/kg = 6,5583 € → 6,56 €
        assert_eq!(cheese_vat["POS_BRUTTO"], "6,56000");
        assert_eq!(
            (its[1]["MENGE"].as_str(), its[1]["EINHEIT"].as_str()),
            ("1,000", "Stück")
        );
        assert_eq!(paid.iter().filter(of).count(), 0, "an abort pays nothing");
        let tse = tse_rows.iter().find(of).expect("its TSE row");
        assert!(
            tse["TSE_VORGANGSDATEN"].starts_with("AVBelegabbruch^"),
            "{tse:?}"
        );
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
        // The certificate the TSE gave at the closing (the validator reads
        // it with Python's `cryptography`: of the key TSE_PUBLIC_KEY names).
        assert!(t["TSE_ZERTIFIKAT_I"].len() > 100, "{t:?}");
        assert!(t["TSE_ZERTIFIKAT_I"].len() <= 1000);
    }
    // Journaled once, at the first closing; not again while it is the same.
    let journaled = journal
        .entries(Some(till::journal::kind::TSE_CERTIFICATE))
        .unwrap();
    assert_eq!(journaled.len(), 1);
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
    // Cancellations and returns name their original.
    let refs = read(&out, "references.csv");
    let storno = heads.iter().filter(|h| h["BON_STORNO"] == "1").count();
    assert_eq!(refs.len(), storno + written.returns as usize);
    assert_eq!(written.returns, 3);

    // Cash movements of every reason, each a receipt of its own (AVTransfer,
    // untaxed), every day; the difference of day two.
    let case_of = |h: &Record| -> String {
        lines
            .iter()
            .find(|l| l["BON_ID"] == h["BON_ID"] && l["Z_NR"] == h["Z_NR"])
            .map(|l| l["GV_TYP"].clone())
            .unwrap()
    };
    let transfers: Vec<(String, String)> = heads
        .iter()
        .filter(|h| h["BON_TYP"] == "AVTransfer")
        .map(|h| (h["Z_NR"].clone(), case_of(h)))
        .collect();
    for z in ["1", "2", "3"] {
        for gv in [
            "Anfangsbestand",
            "Einzahlung",
            "Privateinlage",
            "Auszahlung",
            "Privatentnahme",
            "Geldtransit",
        ] {
            assert!(
                transfers.contains(&(z.to_string(), gv.to_string())),
                "closing {z}: no {gv}"
            );
        }
    }
    assert_eq!(
        transfers
            .iter()
            .filter(|(_, gv)| gv == "DifferenzSollIst")
            .collect::<Vec<_>>(),
        vec![&("2".to_string(), "DifferenzSollIst".to_string())]
    );
    let difference = cases
        .iter()
        .find(|c| c["GV_TYP"] == "DifferenzSollIst")
        .unwrap();
    assert_eq!(
        (
            difference["Z_UMS_BRUTTO"].as_str(),
            difference["UST_SCHLUESSEL"].as_str()
        ),
        ("-1,00000", "5")
    );
    // Movements' receipts carry the journal's receipt numbers.
    let expense = heads
        .iter()
        .find(|h| h["BON_TYP"] == "AVTransfer" && case_of(h) == "Auszahlung")
        .unwrap();
    assert_eq!(expense["BON_NR"], expense["BON_ID"]);

    // A return: negative, paid back in cash, naming its original receipt.
    let returned = refs
        .iter()
        .filter(|r| {
            let h = heads.iter().find(|h| h["BON_ID"] == r["BON_ID"]).unwrap();
            h["BON_STORNO"] == "0"
        })
        .collect::<Vec<_>>();
    assert_eq!(returned.len(), 3);
    for r in returned {
        assert_eq!(r["REF_TYP"], "Transaktion");
        let h = heads.iter().find(|h| h["BON_ID"] == r["BON_ID"]).unwrap();
        assert!(h["UMS_BRUTTO"].starts_with('-'));
        assert!(heads
            .iter()
            .any(|o| o["BON_ID"] == r["REF_BON_ID"] && o["Z_NR"] == r["REF_Z_NR"]));
    }

    // Discounts: the basket's as `Rabatt` lines, a line's own in itemamounts.
    assert!(written.discounted > 0);
    assert!(lines.iter().any(|l| l["GV_TYP"] == "Rabatt"));
    assert!(cases.iter().any(|c| c["GV_TYP"] == "Rabatt"));
    assert!(read(&out, "itemamounts.csv")
        .iter()
        .any(|r| r["TYP"] == "discount"));

    // Both cashiers, by id and name, on the receipts they made.
    let by: std::collections::BTreeSet<(String, String)> = heads
        .iter()
        .map(|h| (h["BEDIENER_ID"].clone(), h["BEDIENER_NAME"].clone()))
        .collect();
    let want: std::collections::BTreeSet<(String, String)> = generate::cashiers()
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    assert_eq!(by, want);

    // The validator catches a certificate of another key.
    let other = dir.path().join("other-key");
    copy_dir(&out, &other);
    let file = other.join("tse.csv");
    let text = std::fs::read_to_string(&file).unwrap();
    let key = &tse[0]["TSE_PUBLIC_KEY"];
    let mut point = base64_decode(key);
    point[40] ^= 1;
    std::fs::write(&file, text.replace(key.as_str(), &base64_encode(&point))).unwrap();
    if let Some(r) = validate(&other) {
        let problems = r.unwrap_err();
        assert!(problems.contains("of another key"), "{problems}");
    }

    // The validator catches a closing's cash a cent off its Z report.
    let off = dir.path().join("off");
    copy_dir(&out, &off);
    let file = off.join("cash_per_currency.csv");
    let text = std::fs::read_to_string(&file).unwrap();
    let counted = written.closings[0].cash_counted;
    let was = format!("{},{:02}", counted.0 / 100, counted.0 % 100);
    let now = format!("{},{:02}", (counted.0 + 1) / 100, (counted.0 + 1) % 100);
    assert!(text.contains(&was));
    std::fs::write(&file, text.replacen(&was, &now, 1)).unwrap();
    if let Some(r) = validate_against(&off, Some(&written.closings)) {
        let problems = r.unwrap_err();
        assert!(problems.contains("cash per currency"), "{problems}");
    }

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
    let closings = block_on(async {
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
        let first = till.close(Cents::ZERO).await.unwrap();
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
        let second = till.close(Cents::ZERO).await.unwrap();
        till::journal::testing::set_clock(None);
        vec![first, second]
    });
    let journal = till::Journal::open(&path).unwrap();
    let out = dir.path().join("export");
    let summary = export(&journal, yesterday, today, &cashpoint(), &out).unwrap();
    assert_eq!(summary.closings, vec![1, 2]);
    assert_valid_against(&out, &closings);

    let heads = read(&out, "transactions.csv");
    let of_z2: Vec<&Record> = heads
        .iter()
        .filter(|h| h["Z_NR"] == "2" && h["BON_TYP"] == "Beleg")
        .collect();
    assert_eq!(of_z2.len(), 3);
    // Beside them the cash put in (an entry of an older till: `Einzahlung`)
    // and the difference: the refunds took more than the drawer held, and
    // nothing was counted.
    let lines = read(&out, "lines.csv");
    let moved: Vec<(&str, &str)> = heads
        .iter()
        .filter(|h| h["Z_NR"] == "2" && h["BON_TYP"] == "AVTransfer")
        .map(|h| {
            let line = lines.iter().find(|l| l["BON_ID"] == h["BON_ID"]).unwrap();
            (line["GV_TYP"].as_str(), h["UMS_BRUTTO"].as_str())
        })
        .collect();
    assert_eq!(moved[0], ("Einzahlung", "10,00"));
    assert_eq!(moved[1].0, "DifferenzSollIst");
    assert_eq!(moved.len(), 2);
    assert!(of_z2
        .iter()
        .all(|h| h["BON_STORNO"] == "1" && h["UMS_BRUTTO"].starts_with('-')));
    let closing2 = &read(&out, "cashpointclosing.csv")[1];
    assert_eq!(closing2["Z_SE_BARZAHLUNGEN"], "0,00");
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
