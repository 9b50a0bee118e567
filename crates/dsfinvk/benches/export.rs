//! The export of a long journal: `DSFINVK_BENCH_SALES` cash sales (default
//! 1,000,000) over `DSFINVK_BENCH_DAYS` days (default 10), a closing each
//! day, exported in full. Prints the time and the peak memory of the export
//! alone (Linux: `VmHWM` after resetting it; elsewhere not measured).
//!
//! A million sales through the real checkout and the simulators
//! (`crates/till/examples/demo-journal`) would take hours, so the journal is
//! written in bulk with the same entries a signed cash sale has (its TSE
//! record included, so the TSE tables are part of the work).

use std::time::Instant;

use chrono::{Days, Local, TimeZone};
use dsfinvk::{export, Cashpoint};
use till::basket::{Basket, BasketLine};
use till::journal::{testing, Journal, PaymentIntent};
use till::{Cents, PaymentMethod, TseRecord, TseSignature, VatRate};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Peak resident memory in kB since the last reset (Linux only).
fn peak_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// A TSE record shaped as the TSE simulator signs one (transaction number =
/// receipt number, two signatures per transaction); the export does not
/// verify signatures, it copies them.
fn signature(receipt: i64, at: i64) -> TseRecord {
    let n = receipt as u64;
    TseRecord::Signed(TseSignature {
        tx_id: format!("tx-{n}"),
        tx_number: n,
        tss_id: "b8b0a7a2-1c55-4c7e-9a51-0d6c1a3f0e01".into(),
        tss_serial: "9f2c4e1a".repeat(8),
        client_serial: "SMART-TILL-DEMO-1".into(),
        time_start: at,
        time_end: at,
        signature_counter: 2 * n,
        signature: "A".repeat(86) + "==",
        signature_algorithm: "ecdsa-plain-SHA256".into(),
        public_key: "B".repeat(86) + "s=",
        qr_code_data: format!(
            "V0;SMART-TILL-DEMO-1;Kassenbeleg-V1;Beleg^3.99_5.00_0.00_0.00_0.00^8.99:Bar;{n};{};x;x;ecdsa-plain-SHA256;unixTime;s;k",
            2 * n
        ),
    })
}

fn main() {
    let sales = env("DSFINVK_BENCH_SALES", 1_000_000);
    let days = env("DSFINVK_BENCH_DAYS", 10).max(1);
    let dir = tempfile::tempdir().unwrap();
    let mut journal = Journal::open(&dir.path().join("journal.sqlite3")).unwrap();
    let basket = Basket {
        lines: vec![
            BasketLine::article("Brot", 2, Cents(250), VatRate::Reduced),
            BasketLine::article("Kaffee", 1, Cents(399), VatRate::Standard),
        ],
        card: None,
    };
    let first_day = Local::now().date_naive() - Days::new(days as u64 + 1);
    let built = Instant::now();
    for d in 0..days {
        let day = first_day + Days::new(d as u64);
        let at = |h: u32| {
            Local
                .from_local_datetime(&day.and_hms_opt(h, 0, 0).unwrap())
                .earliest()
                .unwrap()
        };
        let n = sales / days + usize::from(d < sales % days);
        let opened = at(9);
        testing::append_sales_bulk_at(&mut journal, n, |i, r| {
            let intent = PaymentIntent::new(
                &format!("d{d}-s{i}"),
                PaymentMethod::Cash,
                &basket,
                Some("STX"),
                None,
            );
            let mut paid = testing::paid_in_one(&intent, PaymentMethod::Cash, false);
            paid.tse = Some(signature(r, opened.timestamp()));
            (opened, intent, paid)
        })
        .unwrap();
        testing::set_clock(Some(at(20)));
        journal.close_day(Cents(0), None).unwrap();
        testing::set_clock(None);
    }
    println!(
        "journal: {sales} sales over {days} days written in {:.1} s",
        built.elapsed().as_secs_f64()
    );

    let measured = reset_peak();
    let before = peak_kb();
    let out = dir.path().join("export");
    let started = Instant::now();
    let summary = export(
        &journal,
        first_day,
        first_day + Days::new(days as u64),
        &Cashpoint::default(),
        &out,
    )
    .unwrap();
    let took = started.elapsed().as_secs_f64();
    let rows: usize = summary.rows.iter().map(|(_, n)| n).sum();
    println!(
        "export: {} closings, {rows} rows in {took:.1} s (target < 60 s for 1,000,000 sales)",
        summary.closings.len()
    );
    match (measured, before, peak_kb()) {
        (true, Some(b), Some(p)) => println!(
            "peak resident memory during the export: {p} kB (at its start {b} kB, so +{} kB)",
            p.saturating_sub(b)
        ),
        _ => println!("peak memory: not measured on this system"),
    }
}
