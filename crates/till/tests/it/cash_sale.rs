//! A cash sale through the real client, the sandbox over loopback HTTP and a real SQLite file.

use std::sync::Mutex;

use receipt::ShopHeader;
use secuconnect::{Client, ClientConfig, Credentials, Secret};
use secuconnect_sandbox::demo;
use till::{Basket, BasketLine, Cents, Checkout, CheckoutError, Journal, VatRate};

fn shop() -> ShopHeader {
    ShopHeader {
        name: "Bäckerei Müller".into(),
        address_lines: vec!["Hauptstraße 1".into()],
        vat_id: None,
        footer: None,
    }
}

fn client(url: &str, secret: &str) -> Client {
    Client::new(ClientConfig::new(
        url,
        Credentials {
            client_id: demo::DEMO_CLIENT_ID.into(),
            client_secret: Secret::new(secret),
        },
    ))
    .unwrap()
}

fn basket() -> Basket {
    let mut sandwich = BasketLine::article("Sandwich Romano", 1, Cents(349), VatRate::Reduced);
    sandwich.article_number = Some("30037".into());
    let mut water = BasketLine::article("Wasser 0,25 l", 2, Cents(99), VatRate::Standard);
    water.article_number = Some("51".into());
    water.ean = Some("4999012345678".into());
    Basket {
        lines: vec![sandwich, water],
        card: None,
    }
}

#[tokio::test]
async fn a_cash_sale_is_registered_and_journaled_once() {
    let sandbox = secuconnect_sandbox::start_demo().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let journal = Mutex::new(Journal::open(&dir.path().join("journal.sqlite3")).unwrap());
    let client = client(&sandbox.url(), demo::DEMO_CLIENT_SECRET);
    let checkout = Checkout {
        client: &client,
        journal: &journal,
        shop: shop(),
        till_id: "KASSE-1",
        demo: true,
        tse: None,
    };

    let sale = checkout
        .pay_cash(&basket(), Some(Cents(1000)))
        .await
        .unwrap();

    assert_eq!(sale.total, Cents(547));
    assert_eq!(sale.receipt_number, 1);
    assert!(sale.receipt_text.contains("5,47"));
    assert!(sale.receipt_text.contains("4,53")); // change
    let stx = sandbox.state.get_transaction(&sale.transaction_id).unwrap();
    assert_eq!(stx["status"], "ok");
    assert_eq!(stx["basket_info"]["sum"], 547);
    assert_eq!(stx["transactionRef"], sale.sale_id.as_str());
    let journal = journal.lock().unwrap();
    let sales = journal.entries(Some("sale")).unwrap();
    assert_eq!(sales.len(), 1);
    let intents = journal.entries(Some("intent")).unwrap();
    assert_eq!(
        intents[0].body["transaction_id"],
        sale.transaction_id.as_str()
    );
    assert_eq!(intents[0].sale_id.as_deref(), Some(sale.sale_id.as_str()));
    assert_eq!(sales[0].body["payments"][0]["method"], "cash");
    assert_eq!(sales[0].body["payments"][0]["amount"], 547);
    assert_eq!(sales[0].body["payments"][0]["change"], 453);
    assert_eq!(intents.len(), 1);
    assert_eq!(journal.day_figures().unwrap().by_method.cash, Cents(547));
    // A cash sale without a secucard has no provider receipt; the till's own
    // receipt is rebuilt from the journal exactly as printed.
    assert_eq!(journal.entries(Some("receipt_customer")).unwrap().len(), 0);
    let record = journal.sale_by_receipt(1).unwrap();
    assert_eq!(
        till::receipt_doc::rebuild(&record),
        Some(sale.receipt.clone())
    );
    assert_eq!(journal.verify().unwrap(), None);
}

#[tokio::test]
async fn a_refused_payment_leaves_nothing_in_the_journal() {
    let sandbox = secuconnect_sandbox::start_demo().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let journal = Mutex::new(Journal::open(&dir.path().join("journal.sqlite3")).unwrap());
    let client = client(&sandbox.url(), "wrong secret");
    let checkout = Checkout {
        client: &client,
        journal: &journal,
        shop: shop(),
        till_id: "KASSE-1",
        demo: true,
        tse: None,
    };

    let err = checkout.pay_cash(&basket(), None).await.unwrap_err();

    assert!(
        matches!(err, CheckoutError::Api(secuconnect::Error::Auth(_))),
        "{err:?}"
    );
    assert!(journal.lock().unwrap().entries(None).unwrap().is_empty());
    assert!(sandbox.state.transaction_ids().is_empty());
}

#[tokio::test]
async fn an_unreachable_service_completes_the_cash_sale_offline_and_queues_it() {
    let sandbox = secuconnect_sandbox::start_demo().await.unwrap();
    let url = sandbox.url();
    sandbox.shutdown().await;
    let dir = tempfile::tempdir().unwrap();
    let journal = Mutex::new(Journal::open(&dir.path().join("journal.sqlite3")).unwrap());
    let client = client(&url, demo::DEMO_CLIENT_SECRET);
    let checkout = Checkout {
        client: &client,
        journal: &journal,
        shop: shop(),
        till_id: "KASSE-1",
        demo: true,
        tse: None,
    };

    let sale = checkout.pay_cash(&basket(), None).await.unwrap();

    assert!(sale.queued);
    assert_eq!(sale.receipt_number, 1);
    assert_eq!(sale.transaction_id, "");
    let journal = journal.lock().unwrap();
    let state = journal.outbox_state().unwrap();
    assert_eq!(state.count, 1);
    assert_eq!(journal.outbox().unwrap()[0].sale_id, sale.sale_id);
    assert_eq!(journal.verify().unwrap(), None);
}
