//! The till's own memory per sale, without a window: cash sales through
//! `Checkout` (the real client, the demo simulator on loopback with the limit
//! the app gives it, a journal file), with a catch-up round after every ten
//! as the app runs one every few seconds. The live heap is counted by a
//! global allocator and printed every 1,000 sales: it must level off.
//!
//! `cargo bench -p till --bench memory`

use std::sync::{Arc, Mutex};
use std::time::Instant;

use receipt::ShopHeader;
use secuconnect::{Client, ClientConfig, Credentials, Secret};
use secuconnect_sandbox::{demo, serve, Sandbox};
use till::{Basket, BasketLine, Cents, Checkout, Journal, VatRate};

#[path = "../../secuconnect-sandbox/benches/support/counting_alloc.rs"]
mod counting_alloc;

use counting_alloc::{live_bytes, Counting};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const SALES: usize = 5_000;
/// As many as the app's demo mode keeps (src-tauri/src/lib.rs).
const KEPT: usize = 1_000;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let sandbox = serve(
        ([127, 0, 0, 1], 0).into(),
        Arc::new(Sandbox::with_demo_data().keep_newest(KEPT)),
    )
    .await
    .expect("simulator");
    let client = Client::new(ClientConfig::new(
        sandbox.url(),
        Credentials {
            client_id: demo::DEMO_CLIENT_ID.into(),
            client_secret: Secret::new(demo::DEMO_CLIENT_SECRET),
        },
    ))
    .expect("client");
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = Mutex::new(Journal::open(&dir.path().join("journal.sqlite3")).expect("journal"));
    let checkout = Checkout {
        client: &client,
        journal: &journal,
        shop: ShopHeader {
            name: "Bäckerei Müller".into(),
            address_lines: vec!["Hauptstraße 1".into()],
            vat_id: None,
            footer: None,
        },
        till_id: "KASSE-1",
        demo: true,
        tse: None,
    };
    let basket = Basket {
        lines: vec![BasketLine::article(
            "Mineralwasser 0,5 l",
            1,
            Cents(99),
            VatRate::Standard,
        )],
        card: None,
    };
    let begun = Instant::now();
    let mut figures = Vec::new();
    let mut at_first = 0;
    for n in 1..=SALES {
        let sale = checkout
            .pay_cash(&basket, Some(Cents(100)))
            .await
            .expect("paid");
        assert!(!sale.queued, "sale {n} was queued");
        if n % 10 == 0 {
            checkout.catch_up().await.expect("caught up");
        }
        if n == 100 {
            at_first = live_bytes();
        }
        if n % 1_000 == 0 {
            figures.push((n, live_bytes()));
        }
    }
    let mb = |b: isize| b as f64 / 1_048_576.0;
    println!(
        "{SALES} cash sales in {:.1} s; live heap after 100 sales {:.1} MB, then {}",
        begun.elapsed().as_secs_f64(),
        mb(at_first),
        figures
            .iter()
            .map(|(n, b)| format!("after {n}: {:.1} MB", mb(*b)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let (first, last) = (figures[0], figures[figures.len() - 1]);
    println!(
        "growth from {} to {} sales: {} bytes per sale (the simulator is full at {KEPT})",
        first.0,
        last.0,
        (last.1 - first.1) / (last.0 - first.0) as isize
    );
}
