//! The export of a long journal: `DSFINVK_BENCH_SALES` cash sales (default
//! 1,000,000) over `DSFINVK_BENCH_DAYS` days (default 10), a closing each
//! day, exported in full. Prints the time and the peak memory of the export
//! alone (Linux: `VmHWM` after resetting it; elsewhere not measured).

use std::time::Instant;

use chrono::{Days, Local, TimeZone};
use dsfinvk::{export, Cashpoint};
use till::basket::{Basket, BasketLine};
use till::journal::{testing, Journal, PaymentIntent};
use till::{Cents, PaymentMethod, VatRate};

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
        testing::append_sales_bulk_at(&mut journal, n, |i, _| {
            let intent = PaymentIntent::new(
                &format!("d{d}-s{i}"),
                PaymentMethod::Cash,
                &basket,
                Some("STX"),
                None,
            );
            let paid = testing::paid_in_one(&intent, PaymentMethod::Cash, false);
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
