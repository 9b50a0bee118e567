//! The client's own cost per call: `Client::get_transaction` against the
//! simulator on loopback, side by side with a bare reqwest call of the same
//! request (same URL, headers and token) in the same run, interleaved so that
//! both see the same machine load.
//!
//! `cargo bench -p secuconnect --bench overhead` (ITERATIONS=… to change the count).

use std::time::{Duration, Instant};

use secuconnect::{
    Client, ClientConfig, Credentials, Ident, Secret, SmartTransaction, TransactionDraft,
};
use secuconnect_sandbox::demo;

fn main() {
    let iterations: usize = std::env::var("ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);

    // The simulator runs on its own threads, like a remote server would.
    let (url_tx, url_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let sandbox = secuconnect_sandbox::start_demo().await.unwrap();
            url_tx.send(sandbox.url()).unwrap();
            std::future::pending::<()>().await;
        });
    });
    let url = url_rx.recv().unwrap();

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run(url, iterations));
}

async fn run(url: String, iterations: usize) {
    let client = Client::new(ClientConfig::new(
        url.clone(),
        Credentials {
            client_id: demo::DEMO_CLIENT_ID.into(),
            client_secret: Secret::new(demo::DEMO_CLIENT_SECRET),
        },
    ))
    .unwrap();
    let bare = reqwest::Client::builder().build().unwrap();

    // A small answer (a fresh transaction) and a large one (paid, with a card
    // and receipt lines).
    let small = client
        .create_transaction(&draft(349, None))
        .await
        .unwrap()
        .id;
    let large = client
        .create_transaction(&draft(796, Some("9276004429942845")))
        .await
        .unwrap()
        .id;
    client.start_cash(&large).await.unwrap();
    let token = client.access_token().await.unwrap();

    println!("secuconnect client overhead, GET /api/v2/Smart/Transactions/{{id}} on loopback");
    println!("{iterations} calls each, interleaved; times per call\n");
    println!("{:<34} {:>10} {:>10} {:>10}", "", "p50", "p99", "mean");
    for (label, id) in [
        ("fresh transaction", &small),
        ("paid, card + receipt", &large),
    ] {
        let path = format!("{url}/api/v2/Smart/Transactions/{id}");
        let answer_size = bare_get(&bare, &path, token.expose()).await.len();
        // Warm-up: connections, allocator, caches.
        for _ in 0..200 {
            client.get_transaction(id).await.unwrap();
            bare_get(&bare, &path, token.expose()).await;
        }
        let mut ours = Vec::with_capacity(iterations);
        let mut theirs = Vec::with_capacity(iterations);
        let mut theirs_decoded = Vec::with_capacity(iterations);
        for i in 0..iterations {
            // Alternate the order so that neither side always goes first.
            let measure_client = || async {
                let t = Instant::now();
                let stx = client.get_transaction(id).await.unwrap();
                let d = t.elapsed();
                std::hint::black_box(stx);
                d
            };
            if i % 2 == 0 {
                ours.push(measure_client().await);
            }
            let t = Instant::now();
            let bytes = bare_get(&bare, &path, token.expose()).await;
            theirs.push(t.elapsed());
            let t = Instant::now();
            let bytes2 = bare_get(&bare, &path, token.expose()).await;
            let value: serde_json::Value = serde_json::from_slice(&bytes2).unwrap();
            theirs_decoded.push(t.elapsed());
            std::hint::black_box((bytes, value));
            if i % 2 == 1 {
                ours.push(measure_client().await);
            }
        }
        println!("{label} ({answer_size} bytes):");
        let b = Stats::of(&mut theirs);
        let v = Stats::of(&mut theirs_decoded);
        let c = Stats::of(&mut ours);
        b.print("  bare reqwest (bytes)");
        v.print("  bare reqwest + serde_json::Value");
        c.print("  secuconnect Client (typed)");
        println!(
            "  ratio client/bare: p50 {:.2}x, p99 {:.2}x; client's own cost at p50: {:.1} µs",
            ratio(c.p50, b.p50),
            ratio(c.p99, b.p99),
            (c.p50.as_secs_f64() - b.p50.as_secs_f64()) * 1e6
        );
        // Where the cost goes: decoding the same bytes without any I/O.
        let body = bare_get(&bare, &path, token.expose()).await;
        let mut typed = Vec::with_capacity(iterations);
        let mut untyped = Vec::with_capacity(iterations);
        for _ in 0..iterations {
            let t = Instant::now();
            let stx: SmartTransaction = serde_json::from_slice(&body).unwrap();
            typed.push(t.elapsed());
            std::hint::black_box(stx);
            let t = Instant::now();
            let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
            untyped.push(t.elapsed());
            std::hint::black_box(value);
        }
        let t = Stats::of(&mut typed);
        let u = Stats::of(&mut untyped);
        println!(
            "  decoding alone, p50: typed (lossless) {:.1} µs, serde_json::Value {:.1} µs\n",
            t.p50.as_secs_f64() * 1e6,
            u.p50.as_secs_f64() * 1e6
        );
    }
}

async fn bare_get(http: &reqwest::Client, url: &str, token: &str) -> Vec<u8> {
    http.get(url)
        .bearer_auth(token)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec()
}

fn draft(cents: i64, card: Option<&str>) -> TransactionDraft {
    let product = secuconnect::Product {
        id: Some(1),
        desc: Some("Sandwich Romano".into()),
        article_number: Some("30037".into()),
        quantity: 1,
        price_one: cents,
        tax: 7,
        ..Default::default()
    };
    TransactionDraft {
        is_demo: Some(true),
        intent: Some("sale".into()),
        basket: Some(secuconnect::Basket {
            products: vec![product],
            ..Default::default()
        }),
        basket_info: Some(secuconnect::BasketInfo::eur(cents)),
        idents: card.map(Ident::card).into_iter().collect(),
        ..Default::default()
    }
}

struct Stats {
    p50: Duration,
    p99: Duration,
    mean: Duration,
}

impl Stats {
    fn of(samples: &mut [Duration]) -> Self {
        samples.sort();
        let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
        let total: Duration = samples.iter().sum();
        Self {
            p50: at(0.50),
            p99: at(0.99),
            mean: total / samples.len() as u32,
        }
    }

    fn print(&self, label: &str) {
        println!(
            "{label:<34} {:>8.1}µs {:>8.1}µs {:>8.1}µs",
            self.p50.as_secs_f64() * 1e6,
            self.p99.as_secs_f64() * 1e6,
            self.mean.as_secs_f64() * 1e6
        );
    }
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64()
}
