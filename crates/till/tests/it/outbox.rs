//! The outbox against the simulator over loopback HTTP and a real journal
//! file: a sale the provider refuses for good does not hold up the others;
//! transient errors keep the order and are retried.

use std::sync::Mutex;

use receipt::ShopHeader;
use secuconnect::{Client, ClientConfig, Credentials, Secret};
use secuconnect_sandbox::{demo, Fault, FaultKind, RunningSandbox};
use till::{Basket, BasketLine, Cents, Checkout, Journal, SaleState, VatRate};

const CREATE: &str = "POST /api/v2/Smart/Transactions";

fn shop() -> ShopHeader {
    ShopHeader {
        name: "Bäckerei Müller".into(),
        address_lines: vec!["Hauptstraße 1".into()],
        vat_id: None,
        footer: None,
    }
}

fn client(url: &str) -> Client {
    Client::new(ClientConfig::new(
        url,
        Credentials {
            client_id: demo::DEMO_CLIENT_ID.into(),
            client_secret: Secret::new(demo::DEMO_CLIENT_SECRET),
        },
    ))
    .unwrap()
}

fn basket(price: i64) -> Basket {
    Basket {
        lines: vec![BasketLine::article(
            "Brot",
            1,
            Cents(price),
            VatRate::Reduced,
        )],
        card: None,
    }
}

/// Sells `prices.len()` cash sales while the simulator is offline; returns their sale ids.
async fn sell_offline(
    sandbox: &RunningSandbox,
    checkout: &Checkout<'_>,
    prices: &[i64],
) -> Vec<String> {
    sandbox.state.set_offline(true);
    let mut ids = Vec::new();
    for &p in prices {
        let sale = checkout.pay_cash(&basket(p), None).await.unwrap();
        assert!(sale.queued);
        ids.push(sale.sale_id);
    }
    sandbox.state.set_offline(false);
    ids
}

/// The simulator's transactions for our sale ids, in the order they were created.
fn registered_refs(sandbox: &RunningSandbox) -> Vec<String> {
    sandbox
        .state
        .transaction_ids()
        .iter()
        .filter_map(|id| {
            let stx = sandbox.state.get_transaction(id).ok()?;
            (stx["status"] == "ok").then(|| stx["transactionRef"].as_str().unwrap().to_string())
        })
        .collect()
}

#[tokio::test]
async fn a_sale_refused_for_good_waits_for_the_merchant_and_the_rest_go_on() {
    let sandbox = secuconnect_sandbox::start_demo().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite3");
    let journal = Mutex::new(Journal::open(&path).unwrap());
    let client = client(&sandbox.url());
    let shop = shop();
    let checkout = Checkout {
        client: &client,
        journal: &journal,
        shop: shop.clone(),
        till_id: "KASSE-1",
        demo: true,
        tse: None,
    };
    let ids = sell_offline(&sandbox, &checkout, &[250, 260, 270]).await;
    // The provider refuses the first sale's create, for good.
    sandbox
        .state
        .inject(Fault::new(CREATE, FaultKind::Refuse).with_status(422))
        .unwrap();

    let report = checkout.sync_outbox().await.unwrap();

    assert_eq!(
        (report.registered, report.refused, report.remaining),
        (2, 1, 0),
        "{report:?}"
    );
    assert!(!report.unreachable);
    assert_eq!(
        registered_refs(&sandbox),
        vec![ids[1].clone(), ids[2].clone()]
    );
    {
        let j = journal.lock().unwrap();
        let state = j.outbox_state().unwrap();
        assert_eq!(state.count, 0);
        assert_eq!(state.failed.len(), 1);
        assert_eq!(state.failed[0].sale_id, ids[0]);
        assert_eq!(state.failed[0].receipt_number, 1);
        assert!(
            state.failed[0].problem.contains("422"),
            "{}",
            state.failed[0].problem
        );
        assert!(
            state.failed[0].problem.contains("abgelehnt"),
            "{}",
            state.failed[0].problem
        );
        let refused = j.entries(Some("outbox_refused")).unwrap();
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].sale_id.as_deref(), Some(ids[0].as_str()));
        // The sale stays paid (the cash is in the drawer) and in the day's figures.
        assert_eq!(j.sale_state(&ids[0]).unwrap(), SaleState::Paid);
        assert_eq!(j.day_figures().unwrap().by_method.cash, Cents(780));
        assert_eq!(j.verify().unwrap(), None);
    }
    // It is not tried again by the next round, and survives a restart.
    let again = checkout.sync_outbox().await.unwrap();
    assert_eq!((again.registered, again.refused), (0, 0));
    let reopened = Journal::open(&path).unwrap();
    assert_eq!(reopened.outbox_state().unwrap().failed.len(), 1);
}

#[tokio::test]
async fn transient_errors_keep_the_order_and_are_retried() {
    let sandbox = secuconnect_sandbox::start_demo().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let journal = Mutex::new(Journal::open(&dir.path().join("journal.sqlite3")).unwrap());
    let client = client(&sandbox.url());
    let shop = shop();
    let checkout = Checkout {
        client: &client,
        journal: &journal,
        shop: shop.clone(),
        till_id: "KASSE-1",
        demo: true,
        tse: None,
    };
    let ids = sell_offline(&sandbox, &checkout, &[310, 320]).await;

    // Too many requests, a server error, then the provider unreachable:
    // each stops the round at the first sale, which stays queued.
    sandbox
        .state
        .inject(Fault::new(CREATE, FaultKind::Refuse).with_status(429))
        .unwrap();
    let r = checkout.sync_outbox().await.unwrap();
    assert_eq!((r.registered, r.refused, r.remaining), (0, 0, 2), "{r:?}");
    assert!(r.stopped.is_some() && !r.unreachable, "{r:?}");
    sandbox
        .state
        .inject(Fault::new(CREATE, FaultKind::Error5xx).with_status(503))
        .unwrap();
    let r = checkout.sync_outbox().await.unwrap();
    assert_eq!((r.registered, r.refused, r.remaining), (0, 0, 2), "{r:?}");
    sandbox.state.set_offline(true);
    let r = checkout.sync_outbox().await.unwrap();
    assert_eq!((r.registered, r.remaining), (0, 2), "{r:?}");
    assert!(r.unreachable, "{r:?}");
    sandbox.state.set_offline(false);
    assert!(registered_refs(&sandbox).is_empty());

    let r = checkout.sync_outbox().await.unwrap();
    assert_eq!((r.registered, r.refused, r.remaining), (2, 0, 0), "{r:?}");
    assert_eq!(registered_refs(&sandbox), ids);
    let j = journal.lock().unwrap();
    assert_eq!(j.outbox_state().unwrap().count, 0);
    assert!(j.outbox_state().unwrap().failed.is_empty());
    assert_eq!(j.verify().unwrap(), None);
}

/// Catching up runs beside the cashier's sales; it must leave a sale whose
/// payment call is still running to that call, or the call would find its
/// sale already settled and tell the cashier it failed.
#[tokio::test]
async fn catching_up_leaves_a_running_payment_to_its_call() {
    let sandbox = secuconnect_sandbox::start_demo().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let journal = Mutex::new(Journal::open(&dir.path().join("journal.sqlite3")).unwrap());
    let client = client(&sandbox.url());
    let checkout = Checkout {
        client: &client,
        journal: &journal,
        shop: shop(),
        till_id: "KASSE-1",
        demo: true,
        tse: None,
    };
    sandbox
        .state
        .inject(
            Fault::new(
                "POST /api/v2/Smart/Transactions/*/start/cash",
                FaultKind::Latency,
            )
            .with_latency_ms(1500),
        )
        .unwrap();

    let catch_up_while_paying = async {
        // Wait until the intent is written and the call is on its way.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while journal.lock().unwrap().in_doubt().unwrap().is_empty() {
            assert!(
                std::time::Instant::now() < deadline,
                "the sale never started paying"
            );
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        checkout.reconcile().await.unwrap()
    };
    let basket = basket(380);
    let (sale, report) = tokio::join!(checkout.pay_cash(&basket, None), catch_up_while_paying);

    let sale = sale.expect("the cashier's own call answers the sale");
    assert!(!sale.queued);
    assert_eq!(
        (report.completed.len(), report.failed, report.pending),
        (0, 0, 0),
        "catching up touched the running payment"
    );
    let j = journal.lock().unwrap();
    assert_eq!(j.sale_state(&sale.sale_id).unwrap(), SaleState::Paid);
    assert!(j.in_doubt().unwrap().is_empty());
    assert!(j.verify().unwrap().is_none());
}
