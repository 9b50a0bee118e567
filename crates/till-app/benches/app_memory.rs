//! The app process's own memory per sale, without a window: a demo till
//! started as the desktop starts it (`startup::start`: the built-in payment
//! and TSE simulators with their limits, the journal and catalogue files, the
//! print queue, the cashier session), the catch-up loop running as in the
//! app, and sales through the commands the sale screen invokes (the basket
//! filled, cash paid, the status bar refreshed). The live heap is counted by
//! a global allocator and printed every 1,000 sales: it must level off once
//! the simulators are full (1,000 transactions each).
//!
//! `cargo bench -p till-app --bench app_memory` (`APP_MEMORY_SALES`, default 4,000)

use std::sync::Arc;
use std::time::Instant;

use till::basket::{Basket, BasketLine};
use till::{Cents, VatRate};
use till_app::commands::{sale, status};
use till_app::secrets::MemorySecrets;
use till_app::settings::MemoryStore;
use till_app::startup::{start, Dirs};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter};

#[path = "../../secuconnect-sandbox/benches/support/counting_alloc.rs"]
mod counting_alloc;

use counting_alloc::{live_bytes, Counting};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The resident set of this process in kB (`/proc/self/status`), where there is one.
fn rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let sales: usize = std::env::var("APP_MEMORY_SALES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let dirs = Dirs {
        data: dir.path().to_path_buf(),
        logs: dir.path().join("logs"),
    };
    // Logged as the desktop logs: info and up, formatted into a file.
    let log = std::fs::File::create(dir.path().join("bench.log")).expect("log file");
    tracing_subscriber::registry()
        .with(EnvFilter::new("info"))
        .with(
            fmt::layer()
                .with_ansi(false)
                .with_writer(std::sync::Mutex::new(log)),
        )
        .init();
    let state = start(
        &dirs,
        Arc::new(MemoryStore::default()),
        Arc::new(MemorySecrets::default()),
    )
    .await
    .expect("the demo till starts");
    let state = Arc::new(state);
    // The allocator as the desktop sets it, freed memory handed back after each round.
    till_app::allocator::limit();
    tokio::spawn(till_app::background::catch_up_loop(
        Arc::clone(&state),
        till_app::allocator::release_freed_memory,
    ));
    let basket = Basket {
        lines: vec![BasketLine::article(
            "Mineralwasser 0,5 l",
            1,
            Cents(99),
            VatRate::Standard,
        )],
        card: None,
    };
    let mb = |b: f64| b / 1_048_576.0;
    let begun = Instant::now();
    let mut figures = Vec::new();
    for n in 1..=sales {
        sale::basket_changed(&state, true)
            .await
            .expect("the basket's TSE transaction starts");
        let paid = sale::pay_cash(&state, basket.clone(), None)
            .await
            .unwrap_or_else(|e| panic!("sale {n}: {}", e.message));
        assert!(!paid.queued, "sale {n} was queued");
        if n % 5 == 0 {
            status::till_status(&state).await.expect("status");
        }
        if n % 1_000 == 0 {
            let live = live_bytes() as f64;
            figures.push((n, live));
            println!(
                "after {n} sales: live heap {:.2} MB, resident {} ({:.1} ms per sale)",
                mb(live),
                rss_kb().map_or("-".into(), |kb| format!("{:.1} MB", kb as f64 / 1024.0)),
                begun.elapsed().as_secs_f64() * 1000.0 / n as f64
            );
        }
    }
    if figures.len() >= 2 {
        let (first, last) = (figures[0], figures[figures.len() - 1]);
        println!(
            "live heap from {} to {} sales: {:+.3} MB per 1,000 sales (target < 0.2)",
            first.0,
            last.0,
            mb(last.1 - first.1) * 1_000.0 / (last.0 - first.0) as f64
        );
    }
}
