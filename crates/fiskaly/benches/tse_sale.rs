//! The time the TSE adds to a sale: start and finish of one transaction
//! through the client against the embedded simulator over loopback, as the
//! till does in demo mode. Prints p50, p99 and the maximum.
//!
//! `cargo bench -p fiskaly --bench tse_sale [-- SALES]` (default 500).

use std::time::{Duration, Instant};

use fiskaly::*;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let sales: usize = std::env::args()
        .filter_map(|a| a.parse().ok())
        .next()
        .unwrap_or(500);
    let sandbox = fiskaly_sandbox::start_demo()
        .await
        .expect("a loopback port");
    let tse = Client::new(ClientConfig::new(
        sandbox.url(),
        Credentials {
            api_key: fiskaly_sandbox::DEMO_API_KEY.into(),
            api_secret: Secret::new(fiskaly_sandbox::DEMO_API_SECRET),
        },
    ))
    .unwrap();
    let (tss, till) = (
        fiskaly_sandbox::DEMO_TSS_ID,
        fiskaly_sandbox::DEMO_CLIENT_ID,
    );
    let receipt = Receipt::new(ReceiptType::Receipt)
        .vat(VatRate::Normal, 1190)
        .vat(VatRate::Reduced1, 214)
        .paid(PaymentType::Cash, 1404);
    let mut times = Vec::with_capacity(sales);
    for n in 0..sales + 20 {
        let tx = format!("00000000-0000-4000-8000-{n:012}");
        let started = Instant::now();
        tse.start_transaction(tss, till, &tx).await.unwrap();
        tse.finish_transaction(tss, till, &tx, 2, &receipt)
            .await
            .unwrap();
        // The first sales authenticate and warm the connection.
        if n >= 20 {
            times.push(started.elapsed());
        }
    }
    times.sort();
    println!(
        "TSE per sale (start + finish, {sales} sales, client + embedded simulator): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        percentile(&times, 0.5).as_secs_f64() * 1000.0,
        percentile(&times, 0.99).as_secs_f64() * 1000.0,
        times.last().unwrap().as_secs_f64() * 1000.0,
    );
}
