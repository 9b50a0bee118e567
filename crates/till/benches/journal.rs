//! Journal benchmarks; prints its figures.
//!
//! `cargo bench -p till --bench journal` (set `TILL_BENCH_SALES` for another
//! journal size than 1,000,000 sales; `TILL_BENCH_DIR` for another disk).
//!
//! 1. A durable sale commit (the paid sale: sale, payments, receipts, running
//!    totals, one fsync'd transaction) beside a bare SQLite insert + fsync of
//!    the same bytes on the same disk, and their ratio.
//! 2. The day's figures and a closing over a journal of 1,000,000 sales.
//! 3. `verify` over that journal.
//! 4. The journal's size per sale.
//! 5. The journal screen's search over that journal: the first page, a
//!    receipt number, an amount, a day, a deep page (p50 and p99).

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, Local, TimeZone};
use rusqlite::{params, Connection};
use till::basket::{Basket, BasketLine};
use till::journal::{testing, Journal, JournalFilter, PaidSale, Payment, PaymentIntent};
use till::receipt_doc;
use till::sha256x8::{Batch, HashPath};
use till::{Cents, PaymentMethod, VatRate};

fn basket(i: usize) -> Basket {
    Basket {
        lines: vec![
            BasketLine::article("Brötchen", 1 + (i % 4) as i64, Cents(45), VatRate::Reduced),
            BasketLine::article("Croissant", 1, Cents(129), VatRate::Reduced),
            BasketLine::article("Kaffee", 1, Cents(220 + (i % 7) as i64), VatRate::Standard),
        ],
        card: None,
    }
}

fn shop() -> receipt::ShopHeader {
    receipt::ShopHeader {
        name: "Bäckerei Müller".into(),
        address_lines: vec!["Hauptstraße 1".into(), "12345 Musterstadt".into()],
        vat_id: Some("DE123456789".into()),
        footer: None,
    }
}

/// A typical cash sale as the checkout writes it.
fn cash_sale(i: usize) -> (PaymentIntent, PaidSale) {
    let basket = basket(i);
    let total = basket.total();
    let tendered = Some(Cents((total.0 / 500 + 1) * 500));
    let intent = PaymentIntent::new(
        &format!("{:08x}-0000-4000-8000-{:012x}", i, i),
        PaymentMethod::Cash,
        &basket,
        Some("STX_3HXQQBSVK2XWNAX7ESCZH9NZY3YZAZ"),
        tendered,
    );
    let paid = PaidSale {
        transaction_id: intent.transaction_id.clone(),
        trans_id: Some("29008411".into()),
        payments: vec![Payment {
            method: PaymentMethod::Cash,
            amount: total,
            tendered,
            change: tendered.map(|t| t - total),
            terminal_receipt: None,
            provider_method: None,
        }],
        queued: false,
        tse: None,
        // As the checkout writes it: a cash sale has no provider receipt; the
        // till's receipt is rebuilt from the sale.
        customer_receipt: None,
        merchant_receipt: None,
    };
    (intent, paid)
}

/// CPU seconds this process has used (user + system), where the OS tells.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name in parentheses; utime and stime are the 12th and 13th.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The 90th percentile.
fn p90(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() * 9 / 10]
}

fn commit_ratio(dir: &Path, shop: &receipt::ShopHeader) {
    let rounds: usize = std::env::var("TILL_BENCH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(400);
    const WARMUP: usize = 20;
    let mut journal = Journal::open(&dir.join("commit.sqlite3")).unwrap();
    journal
        .record_settings(&receipt_doc::settings_value(shop, "KASSE-1", false))
        .unwrap();
    let bare = Connection::open(dir.join("bare.sqlite3")).unwrap();
    bare.pragma_update(None, "journal_mode", "WAL").unwrap();
    bare.pragma_update(None, "synchronous", "FULL").unwrap();
    bare.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        .unwrap();
    // The bare insert writes as many bytes as the sale's entry: its body,
    // kind, sale id, time, the two hashes and the running totals' 21 numbers.
    let (_, paid) = cash_sale(0);
    let bytes = serde_json::to_string(&paid).unwrap().len() + 4 + 36 + 29 + 64 + 21 * 8;
    let payload = "x".repeat(bytes);
    let (mut sale, mut insert, mut whole, mut ratios) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let load_before = load_average();
    for i in 0..WARMUP + rounds {
        let (intent, paid) = cash_sale(i);
        let mut commit_sale = || {
            let t = Instant::now();
            journal.begin_payment(&intent).unwrap();
            let after_intent = Instant::now();
            journal
                .record_paid(&intent.sale_id, |_, _| (paid.clone(), ()))
                .unwrap();
            let done = Instant::now();
            (done - after_intent, done - t)
        };
        let commit_bare = || {
            let t = Instant::now();
            bare.execute("INSERT INTO t (body) VALUES (?1)", params![payload])
                .unwrap();
            t.elapsed()
        };
        // Both sides in every round, on the same disk at the same time; which
        // goes first alternates, so that neither always follows the other's fsync.
        let ((s, w), b) = if i % 2 == 0 {
            let s = commit_sale();
            (s, commit_bare())
        } else {
            let b = commit_bare();
            (commit_sale(), b)
        };
        if i >= WARMUP {
            sale.push(s);
            insert.push(b);
            whole.push(w);
            ratios.push(s.as_secs_f64() / b.as_secs_f64());
        }
    }
    ratios.sort_by(f64::total_cmp);
    let (s, b, w) = (median(sale.clone()), median(insert.clone()), median(whole));
    println!(
        "durable sale commit ({rounds} rounds after {WARMUP} warm-up, sides interleaved, order alternating; {bytes} bytes of entry):"
    );
    println!(
        "  sale commit        median {:8.3} ms   p90 {:8.3} ms",
        ms(s),
        ms(p90(sale))
    );
    println!(
        "  bare insert+fsync  median {:8.3} ms   p90 {:8.3} ms",
        ms(b),
        ms(p90(insert))
    );
    println!(
        "  ratio of medians   {:8.2}   median of per-round ratios {:.2}   (target <= 1.5)",
        ms(s) / ms(b),
        ratios[ratios.len() / 2]
    );
    println!(
        "  whole sale (intent + sale, two commits) median {:.3} ms = {:.2} x bare",
        ms(w),
        ms(w) / ms(b)
    );
    println!(
        "  (load average before: {load_before}, after: {})",
        load_average()
    );
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn big_journal(dir: &Path, shop: &receipt::ShopHeader, n: usize) {
    let path = dir.join("big.sqlite3");
    let mut journal = Journal::open(&path).unwrap();
    journal
        .record_settings(&receipt_doc::settings_value(shop, "KASSE-1", false))
        .unwrap();
    let t = Instant::now();
    // Rows in batches of one transaction each: the setup, not what is measured.
    let batch = 100_000;
    let mut done = 0;
    while done < n {
        let k = batch.min(n - done);
        let offset = done;
        testing::append_sales_bulk_at(&mut journal, k, |i, _| {
            let (intent, paid) = cash_sale(offset + i);
            (issued_at(offset + i, n), intent, paid)
        })
        .unwrap();
        done += k;
    }
    journal
        .connection()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
    println!(
        "\njournal of {n} cash sales written in {:.1} s (setup)",
        t.elapsed().as_secs_f64()
    );
    let size = std::fs::metadata(&path).unwrap().len();
    println!(
        "journal size: {:.1} MiB, {} bytes per sale (intent with basket, sale with payment, running totals, indexes)",
        size as f64 / 1048576.0,
        size / n as u64
    );
    // Reopen: nothing cached from writing.
    drop(journal);
    let mut journal = Journal::open(&path).unwrap();
    let mut figures = Vec::new();
    for _ in 0..21 {
        let t = Instant::now();
        let f = journal.day_figures().unwrap();
        figures.push(t.elapsed());
        assert_eq!(f.sales, n as i64);
    }
    println!(
        "day's figures over {n} sales: median {:.3} ms, first {:.3} ms (target < 20 ms)",
        ms(median(figures.clone())),
        ms(figures[0])
    );
    search_figures(&journal, n);
    let t = Instant::now();
    let closing = journal.close_day(Cents(0), None).unwrap();
    println!(
        "closing Z {} over {n} sales (figures + durable write): {:.3} ms; turnover {}",
        closing.z_number,
        ms(t.elapsed()),
        closing.figures.total
    );
    // Where verify's time goes: reading the rows, and hashing their bytes
    // (each on one core).
    let t = Instant::now();
    let (rows, bytes) = {
        let conn = journal.connection();
        let mut stmt = conn
            .prepare("SELECT seq, kind, sale_id, receipt_number, created_at, body, prev_hash, hash FROM entries ORDER BY seq")
            .unwrap();
        let mut q = stmt.query([]).unwrap();
        let (mut rows, mut bytes) = (0u64, 0u64);
        while let Some(r) = q.next().unwrap() {
            rows += 1;
            for i in [1, 2, 4, 5, 6, 7] {
                bytes += r
                    .get_ref(i)
                    .unwrap()
                    .as_bytes_or_null()
                    .unwrap()
                    .map_or(0, |b| b.len()) as u64;
            }
        }
        (rows, bytes)
    };
    println!(
        "  (reading all {rows} entries once, one core: {:.2} s; {:.0} MiB of content)",
        t.elapsed().as_secs_f64(),
        bytes as f64 / 1048576.0
    );
    // Each hashing path over as many entry-sized messages (the entry's
    // content, its previous hash and the length prefixes), one core each.
    let piece = (bytes / rows.max(1)) as usize + 32 + 8 * 8;
    let message = vec![7u8; piece];
    let mut digests = Vec::new();
    for path in HashPath::available() {
        let mut batch = Batch::new(path);
        let cpu_before = cpu_seconds();
        let t = Instant::now();
        for i in 0..rows {
            batch.push(&message);
            if i % 64 == 63 || i + 1 == rows {
                batch.digests(&mut digests);
                batch.clear();
            }
        }
        let took = t.elapsed().as_secs_f64();
        let cpu = cpu_seconds().zip(cpu_before).map(|(a, b)| a - b);
        let mib = rows as f64 * piece as f64 / 1048576.0;
        println!(
            "  (SHA-256 of {rows} entry-sized messages ({piece} bytes), {}: {took:.2} s, {:.0} MiB/s; {} CPU s, {} MiB per CPU second{})",
            path.describe(),
            mib / took,
            cpu.map_or("?".into(), |c| format!("{c:.2}")),
            cpu.map_or("?".into(), |c| format!("{:.0}", mib / c)),
            if path == HashPath::fastest() { "; verify uses this" } else { "" }
        );
    }
    println!(
        "  (load average while measuring: {}; cores: {})",
        load_average(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let entries: i64 = journal
        .connection()
        .query_row("SELECT MAX(seq) FROM entries", [], |r| r.get(0))
        .unwrap();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Three runs: the machine is shared, so wall clock moves with the load
    // (printed with each run); the CPU seconds do not.
    for run in 1..=3 {
        let load_before = load_average();
        let cpu_before = cpu_seconds();
        let t = Instant::now();
        let broken = journal.verify().unwrap();
        let took = t.elapsed();
        let cpu = cpu_seconds().zip(cpu_before).map(|(a, b)| a - b);
        assert_eq!(broken, None);
        println!(
            "verify over {entries} entries ({n} sales), run {run}: {:.2} s (target < 1.5 s); {} CPU s, on {cores} idle cores about {} s; load average before {load_before}, after {}",
            took.as_secs_f64(),
            cpu.map_or("?".into(), |c| format!("{c:.2}")),
            cpu.map_or("?".into(), |c| format!("{:.2}", c / cores as f64)),
            load_average()
        );
    }
}

/// The bench's sales spread over a year from 1 January 2026, as a shop
/// sells: about 2,700 a day at 1,000,000 sales.
const DAYS: usize = 365;

fn first_day() -> DateTime<Local> {
    Local
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .earliest()
        .unwrap()
}

/// When sale `i` of `n` was issued.
fn issued_at(i: usize, n: usize) -> DateTime<Local> {
    let ms_per_sale = (DAYS as i64 * 86_400_000) / n.max(1) as i64;
    first_day() + chrono::Duration::milliseconds(i as i64 * ms_per_sale)
}

/// The journal screen's searches, each `rounds` times with other values
/// (receipt numbers, amounts, days, offsets spread over the journal): p50
/// and p99 of each, and how many rows each found.
fn search_figures(journal: &Journal, n: usize) {
    const ROUNDS: usize = 200;
    const PAGE: usize = 50;
    let amounts: Vec<Cents> = (0..28).map(|i| basket(i).total()).collect();
    let spread = |k: usize, range: usize| (k * 7919 + 13) % range.max(1);
    type Query = Box<dyn Fn(usize) -> (JournalFilter, usize)>;
    let queries: Vec<(&str, Query)> = vec![
        (
            "first page, no filter",
            Box::new(|_| (JournalFilter::default(), 0)),
        ),
        (
            "a receipt number",
            Box::new(move |k| {
                let filter = JournalFilter {
                    receipt_number: Some(1 + spread(k, n) as i64),
                    ..Default::default()
                };
                (filter, 0)
            }),
        ),
        (
            "an amount (either sign)",
            Box::new(move |k| {
                let filter = JournalFilter {
                    amount: Some(amounts[k % amounts.len()]),
                    ..Default::default()
                };
                (filter, 0)
            }),
        ),
        (
            "a day",
            Box::new(move |k| {
                let day = first_day() + chrono::Duration::days(spread(k, DAYS) as i64);
                let filter = JournalFilter {
                    date: Some(day.format("%Y-%m-%d").to_string()),
                    ..Default::default()
                };
                (filter, 0)
            }),
        ),
        (
            "deep page, offset ~500,000",
            Box::new(move |k| (JournalFilter::default(), (n / 2).saturating_sub(k * 50))),
        ),
    ];
    println!(
        "journal search over {n} sales ({PAGE} rows a page, {ROUNDS} searches each; target < 50 ms):"
    );
    for (what, query) in &queries {
        let mut times = Vec::with_capacity(ROUNDS);
        let mut found = 0;
        for k in 0..ROUNDS {
            let (filter, offset) = query(k);
            let t = Instant::now();
            let page = journal.search(&filter, offset, PAGE).unwrap();
            times.push(t.elapsed());
            assert!(!page.entries.is_empty(), "{what}: {filter:?} found nothing");
            found += page.total_count;
        }
        let first = times[0];
        times.sort();
        println!(
            "  {what:28} p50 {:7.3} ms   p99 {:7.3} ms   first {:7.3} ms   ({} rows match on average)",
            ms(times[ROUNDS / 2]),
            ms(times[ROUNDS * 99 / 100]),
            ms(first),
            found / ROUNDS
        );
    }
    println!("  (load average: {})", load_average());
}

fn main() {
    let n: usize = std::env::var("TILL_BENCH_SALES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let base = std::env::var("TILL_BENCH_DIR").ok();
    let dir = match &base {
        Some(b) => tempfile::tempdir_in(b).unwrap(),
        None => tempfile::tempdir().unwrap(),
    };
    let shop = shop();
    println!("journal benchmarks in {}", dir.path().display());
    commit_ratio(dir.path(), &shop);
    big_journal(dir.path(), &shop, n);
    migration_to_schema_4(&dir.path().join("big.sqlite3"), n);
}

/// What opening the big journal costs once when it was written with schema
/// 3: the list is taken out again (as a schema-3 file is) and the file opened.
fn migration_to_schema_4(path: &Path, n: usize) {
    let raw = Connection::open(path).unwrap();
    raw.execute_batch(
        "DROP TRIGGER entries_listing; DROP VIEW listing_of_entries; DROP TABLE listing;
         PRAGMA user_version = 3; PRAGMA wal_checkpoint(TRUNCATE);",
    )
    .unwrap();
    drop(raw);
    let t = Instant::now();
    let journal = Journal::open(path).unwrap();
    let took = t.elapsed();
    let listed = journal
        .search(&JournalFilter::default(), 0, 1)
        .unwrap()
        .total_count;
    println!(
        "schema 3 -> 4 (the journal screen's list filled for {listed} receipts of {n} sales), once at the first start: {:.2} s; load average {}",
        took.as_secs_f64(),
        load_average()
    );
}
