//! Rendering speed: text, ESC/POS and PDF per receipt, and (when
//! `RECEIPT_BENCH_PYTHON` names a Python with python-escpos, as
//! `benches/python_escpos.sh` sets it up) python-escpos on the same receipt in
//! the same run, with the ratio. Prints its figures; `harness = false`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use receipt::compose::layout_document;
use receipt::escpos::{document_escpos, EscPosSettings};
use receipt::layout::{Align, Block};
use receipt::pdf::document_pdf;
use receipt::{render_document_text, Document};

/// Time per run: wall clock, and the CPU time of this thread where Linux tells it
/// (on a shared, loaded machine the CPU time is the figure that compares).
#[derive(Clone, Copy)]
struct Timing {
    wall: Duration,
    cpu: Option<Duration>,
    runs: u32,
}

impl Timing {
    fn us(&self) -> String {
        match self.cpu {
            Some(cpu) => format!(
                "{:>9.2} µs CPU, {:>9.2} µs wall",
                cpu.as_secs_f64() * 1e6,
                self.wall.as_secs_f64() * 1e6
            ),
            None => format!("{:>9.2} µs wall", self.wall.as_secs_f64() * 1e6),
        }
    }

    fn ms(&self) -> String {
        match self.cpu {
            Some(cpu) => format!(
                "{:>7.3} ms CPU, {:>7.3} ms wall",
                cpu.as_secs_f64() * 1e3,
                self.wall.as_secs_f64() * 1e3
            ),
            None => format!("{:>7.3} ms wall", self.wall.as_secs_f64() * 1e3),
        }
    }

    /// The figure to compare: CPU time where known.
    fn best(&self) -> Duration {
        self.cpu.unwrap_or(self.wall)
    }
}

/// Nanoseconds this thread has run on a CPU (`/proc/thread-self/schedstat`).
fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// Runs `f` until `budget` is spent (at least `min` times).
fn time_per_run(budget: Duration, min: u32, mut f: impl FnMut()) -> Timing {
    f(); // warm-up: fonts parsed, tables built
    let cpu_start = thread_cpu();
    let start = Instant::now();
    let mut runs = 0;
    while runs < min || start.elapsed() < budget {
        f();
        runs += 1;
    }
    let wall = start.elapsed() / runs;
    let cpu = cpu_start.zip(thread_cpu()).map(|(a, b)| (b - a) / runs);
    Timing { wall, cpu, runs }
}

fn layout_json(document: &Document, columns: usize, iterations: u32) -> serde_json::Value {
    let layout = layout_document(document, columns);
    let blocks: Vec<serde_json::Value> = layout
        .blocks
        .iter()
        .map(|block| match block {
            Block::Line { text, align, style } => serde_json::json!({
                "kind": "line",
                "text": match align { Align::Left => text.trim_end(), _ => text.trim() },
                "align": match align { Align::Left => "left", Align::Center => "center", Align::Right => "right" },
                "bold": style.bold,
                "tall": style.tall,
            }),
            Block::Blank => serde_json::json!({"kind": "blank"}),
            Block::Qr(content) => serde_json::json!({"kind": "qr", "content": content}),
            Block::Image(_) => serde_json::json!({"kind": "image"}),
        })
        .collect();
    serde_json::json!({"blocks": blocks, "iterations": iterations})
}

fn main() {
    let document = common::secucard_receipt();
    let settings = EscPosSettings::default();
    let budget = Duration::from_secs(2);

    let t = time_per_run(budget, 100, || {
        black_box(render_document_text(black_box(&document), 42));
    });
    println!(
        "text    42 columns     {} per receipt ({} runs)",
        t.us(),
        t.runs
    );

    let t = time_per_run(budget, 100, || {
        black_box(layout_document(black_box(&document), 42));
    });
    println!(
        "layout  42 columns     {} per receipt ({} runs)",
        t.us(),
        t.runs
    );

    let layout = layout_document(&document, 42);
    let t = time_per_run(budget, 100, || {
        black_box(receipt::render_escpos(black_box(&layout), &settings, true).unwrap());
    });
    println!(
        "ESC/POS from layout    {} per receipt ({} runs)",
        t.us(),
        t.runs
    );

    let bytes = document_escpos(&document, &settings, true).unwrap();
    let escpos = time_per_run(budget, 100, || {
        black_box(document_escpos(black_box(&document), &settings, true).unwrap());
    });
    println!(
        "ESC/POS 42 columns     {} per receipt, {} bytes ({} runs)",
        escpos.us(),
        bytes.len(),
        escpos.runs
    );

    for (name, doc) in [
        ("receipt 80 mm", &document),
        ("Z report A4  ", &Document::ZReport(common::z_report())),
    ] {
        let pdf = document_pdf(doc, 42).unwrap();
        let t = time_per_run(budget, 20, || {
            black_box(document_pdf(black_box(doc), 42).unwrap());
        });
        println!(
            "PDF {name}      {} per document, {} bytes ({} runs; target < 5 ms)",
            t.ms(),
            pdf.len(),
            t.runs
        );
    }

    let Some(python) = std::env::var_os("RECEIPT_BENCH_PYTHON") else {
        println!(
            "python-escpos: not run (use benches/python_escpos.sh, or set RECEIPT_BENCH_PYTHON)"
        );
        return;
    };
    let spec = std::env::temp_dir().join(format!("receipt-bench-{}.json", std::process::id()));
    std::fs::write(&spec, layout_json(&document, 42, 2_000).to_string()).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/python_escpos.py");
    let out = std::process::Command::new(python)
        .arg(script)
        .arg(&spec)
        .output()
        .expect("run python-escpos");
    let _ = std::fs::remove_file(&spec);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "python-escpos failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let field = |key: &str| {
        said.lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().parse::<f64>().ok())
            .expect("python-escpos figure")
    };
    let py_cpu = field("python-escpos-cpu-us-per-receipt");
    let py_wall = field("python-escpos-us-per-receipt");
    println!(
        "python-escpos          {py_cpu:>9.2} µs CPU, {py_wall:>9.2} µs wall per receipt, {} bytes (same receipt, Dummy printer)",
        field("python-escpos-bytes")
    );
    println!(
        "ratio ESC/POS          {:.0}x faster than python-escpos by CPU time, {:.0}x by wall time (target >= 20x)",
        py_cpu / (escpos.best().as_secs_f64() * 1e6),
        py_wall / (escpos.wall.as_secs_f64() * 1e6)
    );
}
