//! What the TSE adds to a sale, as the cashier waits for it: the same cash
//! sale through `Checkout` (the real clients, the embedded simulators on
//! loopback, a journal file each) without a TSE and with one, alternating
//! sale by sale. With the TSE the basket's transaction is started when its
//! first line goes in (`basket_started`, off the cashier's path in the app;
//! timed on its own), and `pay_cash` signs the sale under it. Prints p50
//! and p99 of each and the difference; then what `verify` pays per signed
//! sale (both journals verified), and one signature check through p256
//! against ring (what `verify` uses).
//!
//! `cargo bench -p till --bench tse_sale` (`TILL_BENCH_TSE_SALES`, default 500)

use std::sync::Mutex;
use std::time::{Duration, Instant};

use receipt::ShopHeader;
use secuconnect::{Client, ClientConfig, Credentials, Secret};
use till::{Basket, BasketLine, Cents, Checkout, Journal, Tse, VatRate};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn summary(name: &str, times: &mut [Duration]) -> (Duration, Duration) {
    times.sort();
    let (p50, p99) = (percentile(times, 0.5), percentile(times, 0.99));
    println!(
        "{name:<44} p50 {:>6.2} ms   p99 {:>6.2} ms",
        ms(p50),
        ms(p99)
    );
    (p50, p99)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let sales: usize = std::env::var("TILL_BENCH_TSE_SALES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let provider = secuconnect_sandbox::start_demo().await.expect("simulator");
    let tse_sandbox = fiskaly_sandbox::start_demo().await.expect("TSE simulator");
    let client = Client::new(ClientConfig::new(
        provider.url(),
        Credentials {
            client_id: secuconnect_sandbox::demo::DEMO_CLIENT_ID.into(),
            client_secret: Secret::new(secuconnect_sandbox::demo::DEMO_CLIENT_SECRET),
        },
    ))
    .expect("client");
    let tse = Tse::new(
        fiskaly::Client::new(fiskaly::ClientConfig::new(
            tse_sandbox.url(),
            fiskaly::Credentials {
                api_key: fiskaly_sandbox::DEMO_API_KEY.into(),
                api_secret: fiskaly::Secret::new(fiskaly_sandbox::DEMO_API_SECRET),
            },
        ))
        .expect("TSE client"),
        fiskaly_sandbox::DEMO_TSS_ID,
        fiskaly_sandbox::DEMO_CLIENT_ID,
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let plain_journal = Mutex::new(Journal::open(&dir.path().join("plain.sqlite3")).unwrap());
    let tse_journal = Mutex::new(Journal::open(&dir.path().join("tse.sqlite3")).unwrap());
    let shop = ShopHeader {
        name: "Bäckerei Müller".into(),
        address_lines: vec!["Hauptstraße 1".into()],
        vat_id: None,
        footer: None,
    };
    let plain = Checkout {
        client: &client,
        journal: &plain_journal,
        shop: shop.clone(),
        till_id: "KASSE-1",
        demo: true,
        tse: None,
    };
    let signed = Checkout {
        journal: &tse_journal,
        tse: Some(&tse),
        shop: shop.clone(),
        ..plain
    };
    let basket = Basket {
        lines: vec![
            BasketLine::article("Brötchen", 3, Cents(45), VatRate::Reduced),
            BasketLine::article("Kaffee", 1, Cents(290), VatRate::Standard),
        ],
        card: None,
    };
    let (mut without, mut with, mut start) = (Vec::new(), Vec::new(), Vec::new());
    let warm_up = 20;
    for n in 0..sales + warm_up {
        let t = Instant::now();
        plain.pay_cash(&basket, None).await.expect("paid");
        let plain_time = t.elapsed();

        let t = Instant::now();
        signed.basket_started().await.expect("started");
        let start_time = t.elapsed();
        let t = Instant::now();
        let sale = signed.pay_cash(&basket, None).await.expect("paid");
        let signed_time = t.elapsed();
        assert!(sale.qr_svg.is_some(), "signed");
        if n >= warm_up {
            without.push(plain_time);
            with.push(signed_time);
            start.push(start_time);
        }
    }
    println!("{sales} cash sales each, alternating (after {warm_up} to warm up):");
    let (p50_0, p99_0) = summary("pay_cash without a TSE", &mut without);
    let (p50_1, p99_1) = summary("pay_cash with the TSE (started at 1st line)", &mut with);
    summary("basket_started (off the cashier's path)", &mut start);
    println!(
        "the TSE adds to the sale the cashier waits for: p50 {:+.2} ms, p99 {:+.2} ms",
        ms(p50_1) - ms(p50_0),
        ms(p99_1) - ms(p99_0)
    );

    let verify = |j: &Mutex<Journal>| {
        let j = j.lock().unwrap();
        let t = Instant::now();
        assert_eq!(j.verify().unwrap(), None);
        t.elapsed()
    };
    let (mut v0, mut v1) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        v0.push(verify(&plain_journal));
        v1.push(verify(&tse_journal));
    }
    v0.sort();
    v1.sort();
    let per_sale = (v1[2].saturating_sub(v0[2])).as_secs_f64() * 1e6 / (sales + warm_up) as f64;
    println!(
        "verify: {} unsigned sales {:.1} ms, {} signed {:.1} ms (medians of 5): {per_sale:.0} µs more per signed sale",
        sales + warm_up,
        ms(v0[2]),
        sales + warm_up,
        ms(v1[2]),
    );

    // The ECDSA check alone, one thread: p256 (`fiskaly::QrCode::verify`)
    // against ring (what `verify` uses), over the same signatures.
    let qrs: Vec<(fiskaly::QrCode, Vec<u8>)> = tse_journal
        .lock()
        .unwrap()
        .entries(Some(till::journal::kind::SALE))
        .unwrap()
        .iter()
        .map(|e| {
            let qr = fiskaly::QrCode::parse(e.body["tse"]["qr_code_data"].as_str().unwrap())
                .expect("a QR code");
            let key =
                base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &qr.public_key)
                    .unwrap();
            (qr, key)
        })
        .collect();
    let per_check = |check: &dyn Fn(&fiskaly::QrCode, &[u8]) -> bool| {
        let mut runs: Vec<f64> = (0..3)
            .map(|_| {
                let t = Instant::now();
                for (qr, key) in &qrs {
                    assert!(check(qr, key));
                }
                t.elapsed().as_secs_f64() * 1e6 / qrs.len() as f64
            })
            .collect();
        runs.sort_by(f64::total_cmp);
        runs[1]
    };
    let p256 = per_check(&|qr, _| qr.verify());
    let ring = per_check(&|qr, key| till::journal::tse_signature_holds(qr, key));
    println!(
        "one signature check, one thread (median of 3 over {}): p256 {p256:.0} µs, ring {ring:.0} µs ({:.1}x)",
        qrs.len(),
        p256 / ring
    );
}
