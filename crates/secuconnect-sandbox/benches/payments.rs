//! How many sales (create + `start/cash` with a secucard) the sandbox serves per
//! second over loopback HTTP, and the latency of one sale. Prints its figures.
//!
//! `cargo bench -p secuconnect-sandbox --bench payments`

use std::sync::Arc;
use std::time::{Duration, Instant};

use secuconnect_sandbox::{demo, serve, CardSpec, Sandbox, SandboxConfig};
use serde_json::{json, Value};

const CLIENTS: usize = 16;
const SALES_PER_CLIENT: usize = 100;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let sandbox = Sandbox::with_config(&SandboxConfig {
        terminal_delay_ms: Some(0),
        ..SandboxConfig::default()
    })
    .unwrap();
    sandbox
        .put_card(CardSpec {
            cardnumber: "9276777700000001".into(),
            cash_balance: Some(1_000_000),
            ..CardSpec::default()
        })
        .unwrap();
    let running = serve(([127, 0, 0, 1], 0).into(), Arc::new(sandbox))
        .await
        .unwrap();
    let base = running.url();
    let begun = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let base = base.clone();
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let token: Value = http
                .post(format!("{base}/oauth/token"))
                .json(&json!({"grant_type": "client_credentials", "client_id": demo::DEMO_CLIENT_ID, "client_secret": demo::DEMO_CLIENT_SECRET}))
                .send().await.unwrap().json().await.unwrap();
            let token = token["access_token"].as_str().unwrap().to_string();
            let mut latencies = Vec::with_capacity(SALES_PER_CLIENT);
            for _ in 0..SALES_PER_CLIENT {
                let start = Instant::now();
                let stx: Value = http
                    .post(format!("{base}/api/v2/Smart/Transactions"))
                    .bearer_auth(&token)
                    .json(&json!({
                        "idents": [{"type": "card", "value": "9276777700000001"}],
                        "basket": {"products": [{"id": 1, "desc": "Kaffee", "quantity": 2, "priceOne": 250, "tax": 19}]},
                        "basket_info": {"sum": 500, "currency": "EUR"}
                    }))
                    .send().await.unwrap().json().await.unwrap();
                let paid: Value = http
                    .post(format!("{base}/api/v2/Smart/Transactions/{}/start/cash", stx["id"].as_str().unwrap()))
                    .bearer_auth(&token)
                    .send().await.unwrap().json().await.unwrap();
                assert_eq!(paid["status"], "ok");
                latencies.push(start.elapsed());
            }
            latencies
        }));
    }
    let mut latencies: Vec<Duration> = Vec::new();
    for t in tasks {
        latencies.extend(t.await.unwrap());
    }
    let elapsed = begun.elapsed();
    latencies.sort();
    let sales = latencies.len();
    let pct = |p: f64| latencies[((sales as f64 * p) as usize).min(sales - 1)];
    println!(
        "{sales} sales by {CLIENTS} clients in {:.2} s: {:.0} sales/s ({:.0} requests/s); per sale p50 {:.2} ms, p99 {:.2} ms",
        elapsed.as_secs_f64(),
        sales as f64 / elapsed.as_secs_f64(),
        2.0 * sales as f64 / elapsed.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
    );
    running.shutdown().await;
}
