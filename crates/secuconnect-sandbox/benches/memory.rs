//! What the simulator holds in memory per paid sale: the live heap after
//! `SALES` cash sales (create with a basket and our sale id, then
//! `start/cash`), counted by a global allocator, once without a cap on the
//! smart transactions it keeps and once with the cap the till's demo mode uses.
//! Prints its figures.
//!
//! `cargo bench -p secuconnect-sandbox --bench memory`

use secuconnect_sandbox::{Sandbox, SandboxConfig};
use serde_json::{json, Map, Value};

#[path = "support/counting_alloc.rs"]
mod counting_alloc;

use counting_alloc::{live_bytes, Counting};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const SALES: usize = 10_000;

/// The body the till sends for a one-article cash sale.
fn body(n: usize) -> Map<String, Value> {
    let Value::Object(map) = json!({
        "is_demo": true,
        "intent": "sale",
        "basket": {"products": [{
            "id": 1, "item_type": "article", "desc": "Mineralwasser 0,5 l",
            "articleNumber": "51", "ean": "4008501011012", "quantity": 1, "priceOne": 99, "tax": 19
        }], "type": "default"},
        "basket_info": {"sum": 99, "currency": "EUR"},
        "transactionRef": format!("S-20261201-{n:06}-0000-0000-000000000000"),
    }) else {
        unreachable!()
    };
    map
}

fn run(label: &str, sandbox: Sandbox) {
    let before = live_bytes();
    let mut samples = Vec::new();
    for n in 1..=SALES {
        let stx = sandbox.create_transaction(body(n)).expect("created");
        let id = stx["id"].as_str().expect("an id").to_string();
        let paid = sandbox.start_cash(&id).expect("paid");
        assert_eq!(paid["status"], "ok");
        if n == 1 {
            println!(
                "{label}: a paid sale reads back as {} bytes of JSON",
                paid.to_string().len()
            );
        }
        if n % 2_000 == 0 {
            samples.push((n, live_bytes() - before));
        }
    }
    let held = samples.last().map_or(0, |s| s.1);
    println!(
        "{label}: {:.1} MB held after {SALES} sales, {} bytes per sale; after {}",
        held as f64 / 1_048_576.0,
        held / SALES as isize,
        samples
            .iter()
            .map(|(n, b)| format!("{n}: {:.1} MB", *b as f64 / 1_048_576.0))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

fn main() {
    run("every transaction kept", Sandbox::with_demo_data());
    run(
        "demo mode (keeps the newest 1,000)",
        Sandbox::with_config(&SandboxConfig::default())
            .expect("config")
            .keep_newest(1_000),
    );
}
