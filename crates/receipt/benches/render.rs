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

/// Runs `f` until `budget` is spent (at least `min` times); returns the time per run.
fn time_per_run(budget: Duration, min: u32, mut f: impl FnMut()) -> (Duration, u32) {
    f(); // warm-up: fonts parsed, tables built
    let start = Instant::now();
    let mut runs = 0;
    while runs < min || start.elapsed() < budget {
        f();
        runs += 1;
    }
    (start.elapsed() / runs, runs)
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
        })
        .collect();
    serde_json::json!({"blocks": blocks, "iterations": iterations})
}

fn main() {
    let document = common::secucard_receipt();
    let settings = EscPosSettings::default();
    let budget = Duration::from_secs(2);

    let (text, runs) = time_per_run(budget, 100, || {
        black_box(render_document_text(black_box(&document), 42));
    });
    println!(
        "text   42 columns: {:>9.2} µs per receipt ({runs} runs)",
        text.as_secs_f64() * 1e6
    );

    let (layout_t, runs) = time_per_run(budget, 100, || {
        black_box(layout_document(black_box(&document), 42));
    });
    println!(
        "layout 42 columns: {:>9.2} µs per receipt ({runs} runs)",
        layout_t.as_secs_f64() * 1e6
    );
    let layout = layout_document(&document, 42);
    let (bytes_t, runs) = time_per_run(budget, 100, || {
        black_box(receipt::render_escpos(black_box(&layout), &settings, true).unwrap());
    });
    println!(
        "ESC/POS from layout: {:>8.2} µs per receipt ({runs} runs)",
        bytes_t.as_secs_f64() * 1e6
    );

    let bytes = document_escpos(&document, &settings, true).unwrap();
    let (escpos, runs) = time_per_run(budget, 100, || {
        black_box(document_escpos(black_box(&document), &settings, true).unwrap());
    });
    println!(
        "ESC/POS 42 columns: {:>9.2} µs per receipt, {} bytes ({runs} runs)",
        escpos.as_secs_f64() * 1e6,
        bytes.len()
    );

    for (name, doc) in [
        ("receipt", &document),
        ("Z report A4", &Document::ZReport(common::z_report())),
    ] {
        let pdf = document_pdf(doc, 42).unwrap();
        let (t, runs) = time_per_run(budget, 20, || {
            black_box(document_pdf(black_box(doc), 42).unwrap());
        });
        println!(
            "PDF {name:<14} {:>9.3} ms, {} bytes ({runs} runs; target < 5 ms)",
            t.as_secs_f64() * 1e3,
            pdf.len()
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
    let py_us = field("python-escpos-us-per-receipt");
    println!(
        "python-escpos     : {:>9.2} µs per receipt, {} bytes (same receipt, Dummy printer)",
        py_us,
        field("python-escpos-bytes")
    );
    println!(
        "ratio ESC/POS     : {:.0}x faster than python-escpos (target >= 20x)",
        py_us / (escpos.as_secs_f64() * 1e6)
    );
}
