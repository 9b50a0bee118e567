//! Writes a realistic demo journal through the real checkout against the
//! embedded simulators, for the tax audit export's tests and benches and for
//! trying the export by hand.
//!
//! `cargo run -p till --example demo-journal -- --days D --sales-per-day N
//!  [--tse-outage K] [--seed S] OUT.sqlite3`

mod generate;

use std::path::PathBuf;
use std::process::ExitCode;

use generate::{generate, Plan};

const USAGE: &str =
    "usage: demo-journal [--days D] [--sales-per-day N] [--tse-outage K] [--seed S] OUT.sqlite3
  --days D            business days, the last one today (default 3)
  --sales-per-day N   receipts a day (default 20)
  --tse-outage K      receipts of the first day made while the TSE is down (default 2)
  --seed S            the choice of baskets and payments (default 7)
OUT.sqlite3 must not exist yet.";

fn parse(args: &[String]) -> Result<(Plan, PathBuf), String> {
    let mut plan = Plan::default();
    let mut out = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut number = |name: &str| -> Result<u64, String> {
            it.next()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("{name} needs a number"))
        };
        match a.as_str() {
            "--days" => plan.days = number("--days")?.clamp(1, 3650) as u32,
            "--sales-per-day" => {
                plan.sales_per_day = number("--sales-per-day")?.min(1_000_000) as u32
            }
            "--tse-outage" => plan.tse_outage = number("--tse-outage")?.min(1_000_000) as u32,
            "--seed" => plan.seed = number("--seed")?,
            "-h" | "--help" => return Err(String::new()),
            other if other.starts_with('-') => return Err(format!("unknown option {other}")),
            path if out.is_none() => out = Some(PathBuf::from(path)),
            extra => return Err(format!("one output file only, not also {extra}")),
        }
    }
    let out = out.ok_or("the output file is missing")?;
    if out.exists() {
        return Err(format!("{} exists already", out.display()));
    }
    Ok((plan, out))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (plan, out) = match parse(&args) {
        Ok(p) => p,
        Err(problem) => {
            if !problem.is_empty() {
                eprintln!("{problem}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    // Journal writes take this thread's clock: one thread for everything.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let started = std::time::Instant::now();
    match runtime.block_on(generate(&out, &plan)) {
        Ok(w) => {
            println!(
                "{}: {} days, {} sales ({} by card, {} secucard loads, {} from a secucard, {} with a discount), {} cancellations, {} returns, {} cash movements, {} receipts while the TSE was down, closings Z {}–{} in {:.1} s",
                out.display(),
                plan.days,
                w.sales,
                w.card_sales,
                w.card_loads,
                w.secucard_payments,
                w.discounted,
                w.cancellations,
                w.returns,
                w.movements,
                w.tse_failed,
                w.closings.first().map(|c| c.z_number).unwrap_or_default(),
                w.closings.last().map(|c| c.z_number).unwrap_or_default(),
                started.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("the demo journal could not be written: {e}");
            ExitCode::FAILURE
        }
    }
}
