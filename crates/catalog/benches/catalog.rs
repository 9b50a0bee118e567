//! The catalogue at a shop's scale: importing 20,000 articles (target < 5 s), and a search
//! and a scan lookup among them (target < 20 ms each), plus a PIN check.
//!
//! `cargo bench -p catalog` prints the figures; the README keeps the last run's.

use std::time::{Duration, Instant};

use catalog::{Actor, ApplyMode, Catalog, Filter, Role, ScanOutcome};

/// Time this thread spent on a CPU (Linux): on a busy machine the wall clock also
/// counts the time other processes had the cores, so both are printed.
fn cpu() -> Duration {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .map_or(Duration::ZERO, Duration::from_nanos)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

/// Wall-clock percentiles, and the mean CPU time (the kernel counts CPU time in ticks,
/// too coarse for single calls, so only the sum is meaningful).
fn report(name: &str, mut times: Vec<Duration>, cpu_times: Vec<Duration>) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let cpu_mean = cpu_times.iter().sum::<Duration>() / cpu_times.len() as u32;
    println!(
        "{name:<30} n={:<5} wall p50 {:>8.3} ms  p99 {:>8.3} ms  | cpu mean {:>8.3} ms",
        times.len(),
        ms(percentile(&times, 0.50)),
        ms(percentile(&times, 0.99)),
        ms(cpu_mean),
    );
}

/// Runs `f` and gives its wall and CPU time.
fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration, Duration) {
    let (wall, cpu0) = (Instant::now(), cpu());
    let out = f();
    (out, wall.elapsed(), cpu() - cpu0)
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

    let (preview, p_wall, p_cpu) = timed(|| catalog.preview_import(&file).expect("preview"));
    assert!(preview.bad.is_empty());
    let (outcome, a_wall, a_cpu) = timed(|| {
        catalog
            .apply_import(&preview, ApplyMode::AllOrNothing, &by)
            .expect("apply")
    });
    assert_eq!(outcome.created, n as usize);
    let s = |d: Duration| d.as_secs_f64();
    println!(
        "import {n} articles ({:.1} MB): preview {:.2} s + apply {:.2} s = {:.2} s wall, \
         {:.2} s cpu (target < 5 s)",
        file.len() as f64 / 1e6,
        s(p_wall),
        s(a_wall),
        s(p_wall + a_wall),
        s(p_cpu + a_cpu)
    );
    let (_, wall, cpu_time) = timed(|| {
        let again = catalog.preview_import(&file).expect("preview");
        let outcome = catalog
            .apply_import(&again, ApplyMode::AllOrNothing, &by)
            .expect("apply");
        assert_eq!(outcome.unchanged, n as usize);
    });
    println!(
        "the same file again (nothing changes): {:.2} s wall, {:.2} s cpu",
        s(wall),
        s(cpu_time)
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
    let (mut times, mut cpus) = (Vec::new(), Vec::new());
    for q in &queries {
        let (found, wall, cpu_time) =
            timed(|| catalog.search(q, Filter::Active, 50).expect("search"));
        times.push(wall);
        cpus.push(cpu_time);
        std::hint::black_box(found);
    }
    report("search (50 results at most)", times, cpus);

    let articles = catalog.all_articles().expect("all");
    let (mut times, mut cpus) = (Vec::new(), Vec::new());
    for i in 0..1000usize {
        let a = &articles[i * 7919 % articles.len()];
        let (outcome, wall, cpu_time) = timed(|| catalog.scan(&a.eans[0]).expect("scan"));
        times.push(wall);
        cpus.push(cpu_time);
        assert!(matches!(outcome, ScanOutcome::Found(_)));
    }
    report("scan lookup (EAN-13)", times, cpus);
    let (mut times, mut cpus) = (Vec::new(), Vec::new());
    for i in 0..200u32 {
        let (outcome, wall, cpu_time) =
            timed(|| catalog.scan(&format!("40{:011}", i)).expect("scan"));
        times.push(wall);
        cpus.push(cpu_time);
        std::hint::black_box(outcome);
    }
    report("scan of unknown codes", times, cpus);

    let (exported, wall, cpu_time) = timed(|| catalog.export_csv().expect("export"));
    println!(
        "export {} articles: {:.0} ms wall, {:.0} ms cpu",
        articles.len(),
        wall.as_secs_f64() * 1e3,
        cpu_time.as_secs_f64() * 1e3
    );
    std::hint::black_box(exported);

    // a login tries each active cashier's Argon2id hash: 1 manager + 5 cashiers
    let (boss, _) = catalog.create_owner("Chefin", "2468").expect("owner");
    for (i, pin) in ["1357", "9753", "8024", "3690", "7410"].iter().enumerate() {
        catalog
            .create_cashier(&format!("Kasse {i}"), pin, Role::Cashier, &boss.actor())
            .expect("cashier");
    }
    let hash = catalog::pins::hash_pin("2468").expect("hash");
    let (mut verify, mut verify_cpu, mut login, mut login_cpu) = (vec![], vec![], vec![], vec![]);
    for _ in 0..10 {
        let (ok, wall, cpu_time) = timed(|| catalog::pins::verify_pin("2468", &hash).unwrap());
        assert!(ok);
        verify.push(wall);
        verify_cpu.push(cpu_time);
        let (_, wall, cpu_time) = timed(|| catalog.login("bench", "7410").expect("login"));
        login.push(wall);
        login_cpu.push(cpu_time);
    }
    report("PIN verify (Argon2id)", verify, verify_cpu);
    report("login, the last of 6 cashiers", login, login_cpu);
}
