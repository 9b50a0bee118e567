//! The catalogue at a shop's scale: importing 20,000 articles (target < 5 s), and a search
//! and a scan lookup among them (target < 20 ms each), plus a PIN check.
//!
//! `cargo bench -p catalog` prints the figures; the README keeps the last run's.

use std::time::{Duration, Instant};

use catalog::{Actor, ApplyMode, Catalog, Filter, Role, ScanOutcome};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn report(name: &str, mut times: Vec<Duration>) {
    times.sort();
    println!(
        "{name:<34} n={:<5} p50 {:>8.3} ms   p99 {:>8.3} ms   max {:>8.3} ms",
        times.len(),
        percentile(&times, 0.50).as_secs_f64() * 1e3,
        percentile(&times, 0.99).as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3,
    );
}

fn main() {
    // the figures depend on what else runs: say so
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!("load average at start: {}", load.trim());
    }
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut catalog = Catalog::open(&dir.path().join("catalog.sqlite3")).expect("opens");
    let by = Actor::system("Bench");
    let n = 20_000;
    let file = catalog::demo::generated_csv(n);

    let start = Instant::now();
    let preview = catalog.preview_import(&file).expect("preview");
    let previewed = start.elapsed();
    assert!(preview.bad.is_empty());
    let outcome = catalog
        .apply_import(&preview, ApplyMode::AllOrNothing, &by)
        .expect("apply");
    let total = start.elapsed();
    assert_eq!(outcome.created, n as usize);
    println!(
        "import {n} articles ({:.1} MB): preview {:.0} ms + apply {:.0} ms = {:.2} s (target < 5 s)",
        file.len() as f64 / 1e6,
        previewed.as_secs_f64() * 1e3,
        (total - previewed).as_secs_f64() * 1e3,
        total.as_secs_f64()
    );
    let start = Instant::now();
    let again = catalog.preview_import(&file).expect("preview");
    let outcome = catalog
        .apply_import(&again, ApplyMode::AllOrNothing, &by)
        .expect("apply");
    assert_eq!(outcome.unchanged, n as usize);
    println!(
        "the same file again (nothing changes): {:.2} s",
        start.elapsed().as_secs_f64()
    );

    // searches as a cashier types them: numbers, EANs, words, short and long, misses
    let queries: Vec<String> = (0..400u32)
        .map(|i| match i % 8 {
            0 => format!("{}", 10_000 + i * 37 % n),
            1 => format!("{}", 10 + i % 90),
            2 => "brötchen".into(),
            3 => "KÄSE 12".into(),
            4 => "sü".into(),
            5 => format!("sorte {}", i % 97),
            6 => "nichts dergleichen".into(),
            _ => "4000000".into(),
        })
        .collect();
    let mut times = Vec::new();
    for q in &queries {
        let t = Instant::now();
        let found = catalog.search(q, Filter::Active, 50).expect("search");
        times.push(t.elapsed());
        std::hint::black_box(found);
    }
    report("search (50 results at most)", times);

    let articles = catalog.all_articles().expect("all");
    let mut times = Vec::new();
    for i in 0..1000usize {
        let a = &articles[i * 7919 % articles.len()];
        let t = Instant::now();
        let outcome = catalog.scan(&a.eans[0]).expect("scan");
        times.push(t.elapsed());
        assert!(matches!(outcome, ScanOutcome::Found(_)));
    }
    report("scan lookup (EAN-13)", times);
    let mut times = Vec::new();
    for i in 0..200u32 {
        let t = Instant::now();
        let outcome = catalog.scan(&format!("40{:011}", i)).expect("scan");
        times.push(t.elapsed());
        std::hint::black_box(outcome);
    }
    report("scan of unknown codes", times);

    let start = Instant::now();
    let exported = catalog.export_csv().expect("export");
    println!(
        "export {} articles: {:.0} ms",
        articles.len(),
        start.elapsed().as_secs_f64() * 1e3
    );
    std::hint::black_box(exported);

    // a login tries each active cashier's Argon2id hash: 1 manager + 5 cashiers
    let (boss, _) = catalog.create_owner("Chefin", "2468").expect("owner");
    for (i, pin) in ["1357", "9753", "8024", "3690", "7410"].iter().enumerate() {
        catalog
            .create_cashier(&format!("Kasse {i}"), pin, Role::Cashier, &boss.actor())
            .expect("cashier");
    }
    let mut verify = Vec::new();
    let mut login = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        catalog::pins::verify_pin("2468", &catalog::pins::hash_pin("2468").unwrap()).unwrap();
        verify.push(t.elapsed());
        let t = Instant::now();
        catalog.login("bench", "7410").expect("login");
        login.push(t.elapsed());
    }
    report("PIN hash + verify (Argon2id)", verify);
    report("login, the last of 6 cashiers", login);
}
