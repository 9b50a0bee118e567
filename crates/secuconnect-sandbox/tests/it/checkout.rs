//! Smart Checkout over loopback HTTP: the links a transaction with an
//! `application_context` answers, the page they open, and what paying,
//! cancelling, a slow and a failing method do to the transaction.

use crate::common;

use std::time::Duration;

use common::{start_with, Env, STX};
use reqwest::StatusCode;
use secuconnect_sandbox::SandboxConfig;
use serde_json::{json, Value};

async fn env() -> Env {
    start_with(SandboxConfig {
        terminal_delay_ms: Some(20),
        checkout_delay_ms: Some(300),
        ..SandboxConfig::default()
    })
    .await
}

fn draft(sum: i64, language: &str) -> Value {
    json!({
        "intent": "sale",
        "basket": {"products": [{"id": 1, "desc": "Kaffee", "quantity": 1, "priceOne": sum, "tax": 19}]},
        "basket_info": {"sum": sum, "currency": "EUR"},
        "application_context": {"checkout_template": "COT_WD0DE66HN2XWJHW8JM88003YG0NEA2", "language": language}
    })
}

/// The page answers HTML with its status.
async fn open(env: &Env, url: &str) -> (StatusCode, String) {
    let resp = env.http.get(url).send().await.unwrap();
    (resp.status(), resp.text().await.unwrap())
}

/// Submits the page's form as a browser does.
async fn submit(env: &Env, action: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
    let resp = env
        .http
        .post(env.url(action))
        .form(form)
        .send()
        .await
        .unwrap();
    (resp.status(), resp.text().await.unwrap())
}

async fn status_of(env: &Env, id: &str) -> Value {
    let (status, stx) = env.get(&format!("{STX}/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    stx
}

#[tokio::test]
async fn a_transaction_with_an_application_context_answers_links_to_the_sandboxs_own_page() {
    let env = env().await;
    let stx = env.create(draft(1234, "de")).await;
    let id = stx["id"].as_str().unwrap();
    let links = stx["payment_links"].as_object().unwrap();
    for m in [
        "creditcard",
        "debit",
        "eps",
        "giropay",
        "invoice",
        "paypal",
        "prepaid",
        "sofort",
    ] {
        let link = links[m].as_str().unwrap();
        assert!(link.starts_with(&env.sandbox.url()), "{link}");
        assert!(
            link.contains(&format!("payment-method={m}&stx={id}")),
            "{link}"
        );
    }
    assert_eq!(
        links["general"],
        format!("{}/checkout?stx={id}&server=sandbox", env.sandbox.url())
    );
    assert_eq!(stx["payment_context"]["auto_capture"], true);

    // The page: amount, shop, every method, and cancel.
    let (status, page) = open(&env, links["general"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    for text in [
        "12,34 €",
        "Secupay Test-Shop",
        "PayPal",
        "Kreditkarte",
        "giropay",
        "Abbrechen",
        "id=\"pay-slow\"",
        "id=\"pay-failing\"",
    ] {
        assert!(page.contains(text), "{text} missing: {page}");
    }
    // A method's own link offers that method only.
    let (_, page) = open(&env, links["paypal"].as_str().unwrap()).await;
    assert!(page.contains("id=\"pay-paypal\"") && !page.contains("id=\"pay-creditcard\""));

    // Without a context: no links (a till's ECR payment).
    let mut plain = draft(500, "de");
    plain.as_object_mut().unwrap().remove("application_context");
    let plain = env.create(plain).await;
    assert!(plain["payment_links"].is_null());
    // An update adds the context, and with it the links, in English.
    let pid = plain["id"].as_str().unwrap();
    let (status, updated) = env.put(&format!("{STX}/{pid}"), draft(500, "en")).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    let (_, page) = open(&env, updated["payment_links"]["general"].as_str().unwrap()).await;
    assert!(
        page.contains("Credit card") && page.contains("Cancel"),
        "{page}"
    );
}

#[tokio::test]
async fn paying_on_the_page_makes_the_transaction_ok_with_the_method_and_only_once() {
    let env = env().await;
    let id = env.create(draft(700, "de")).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, page) = submit(&env, "/checkout/pay", &[("stx", &id), ("method", "paypal")]).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Bezahlt"), "{page}");
    let stx = status_of(&env, &id).await;
    assert_eq!(stx["status"], "ok");
    assert_eq!(stx["payment_method"], "paypal");
    assert!(stx["trans_id"].is_string());
    // A second payment is refused, and the page says why.
    let (status, page) = submit(
        &env,
        "/checkout/pay",
        &[("stx", &id), ("method", "creditcard")],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("bereits bezahlt"), "{page}");
    assert_eq!(status_of(&env, &id).await["payment_method"], "paypal");
}

#[tokio::test]
async fn the_customer_cancelling_or_a_failing_method_ends_the_transaction_unpaid() {
    let env = env().await;
    let id = env.create(draft(800, "de")).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, page) = submit(&env, "/checkout/cancel", &[("stx", &id)]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("abgebrochen"), "{page}");
    assert_eq!(status_of(&env, &id).await["status"], "aborted");
    let (status, _) = submit(&env, "/checkout/pay", &[("stx", &id), ("method", "paypal")]).await;
    assert_eq!(status, StatusCode::CONFLICT);

    let id = env.create(draft(900, "de")).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, page) = submit(
        &env,
        "/checkout/pay",
        &[("stx", &id), ("method", "failing")],
    )
    .await;
    assert!(page.contains("fehlgeschlagen"), "{page}");
    assert_eq!(status_of(&env, &id).await["status"], "failed");
}

#[tokio::test]
async fn an_abort_before_the_customer_pays_stops_the_payment_but_not_a_slow_one_under_way() {
    let env = env().await;
    // Aborted first: the page refuses the payment.
    let id = env.create(draft(1000, "de")).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, stx) = env.post_empty(&format!("{STX}/{id}/abort")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(stx["status"], "cancelled");
    let (status, page) = submit(&env, "/checkout/pay", &[("stx", &id), ("method", "paypal")]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("abgebrochen"), "{page}");

    // The slow method: processing, an abort cannot stop it, then paid.
    let id = env.create(draft(1100, "de")).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, page) = submit(&env, "/checkout/pay", &[("stx", &id), ("method", "slow")]).await;
    assert!(page.contains("bearbeitet"), "{page}");
    assert_eq!(status_of(&env, &id).await["status"], "processing");
    let (status, stx) = env.post_empty(&format!("{STX}/{id}/abort")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(stx["status"], "processing");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let stx = status_of(&env, &id).await;
        if stx["status"] == "ok" {
            assert_eq!(stx["payment_method"], "paypal");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "never paid: {stx}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_page_of_an_unknown_transaction_says_so() {
    let env = env().await;
    let (status, page) = open(&env, &env.url("/checkout?stx=STX_UNKNOWN")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("<p id=\"error\">"), "{page}");
}
