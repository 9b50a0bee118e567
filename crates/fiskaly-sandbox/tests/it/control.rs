//! The control surface over HTTP: faults, offline, expired tokens, a
//! disabled TSS, the snapshot, reset.

use crate::common;

use std::time::{Duration, Instant};

use reqwest::Client;
use serde_json::{json, Value};

async fn control(http: &Client, url: &str, path: &str, body: Value) -> Value {
    let response = http
        .post(format!("{url}/_sandbox/{path}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{path}");
    response.json().await.unwrap()
}

#[tokio::test]
async fn faults_offline_tokens_and_a_disabled_tss_over_http() {
    let sb = fiskaly_sandbox::start_demo().await.unwrap();
    let (http, url) = (Client::new(), sb.url());
    let token = common::token(&http, &url).await;
    let tss_url = format!("{url}/api/v2/tss/{}", fiskaly_sandbox::DEMO_TSS_ID);
    let get = || http.get(&tss_url).bearer_auth(&token).send();

    // A bad fault is refused in the API's error shape.
    let bad = http
        .post(format!("{url}/_sandbox/faults"))
        .json(&json!({"route": "nowhere", "kind": "latency"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 400);
    assert_eq!(
        bad.json::<Value>().await.unwrap()["code"],
        "E_FAILED_SCHEMA_VALIDATION"
    );

    let pending = control(
        &http,
        &url,
        "faults",
        json!({"route": "GET /api/v2/tss/*", "kind": "error_5xx", "status": 502}),
    )
    .await;
    assert_eq!(pending.as_array().unwrap().len(), 1);
    let answer = get().await.unwrap();
    assert_eq!(answer.status().as_u16(), 502);
    assert_eq!(answer.json::<Value>().await.unwrap()["status_code"], 502);
    assert_eq!(
        get().await.unwrap().status().as_u16(),
        200,
        "a fault fires once"
    );

    control(
        &http,
        &url,
        "faults",
        json!({"route": "*", "kind": "latency", "latency_ms": 300}),
    )
    .await;
    let started = Instant::now();
    assert_eq!(get().await.unwrap().status().as_u16(), 200);
    assert!(started.elapsed() >= Duration::from_millis(300));

    control(
        &http,
        &url,
        "faults",
        json!({"route": "GET /api/v2/tss/*", "kind": "drop_before"}),
    )
    .await;
    assert!(
        get().await.is_err(),
        "the connection closes without an answer"
    );

    // Offline: the port is closed; back online on the same port.
    control(&http, &url, "offline", json!({"offline": true})).await;
    sb.set_offline(true).await; // already asked for: waits until the port is closed
    let refused = Client::new()
        .get(&tss_url)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap_err();
    assert!(refused.is_connect(), "{refused}");
    sb.set_offline(false).await;
    assert_eq!(get().await.unwrap().status().as_u16(), 200);

    control(&http, &url, "tokens/expire", json!({})).await;
    assert_eq!(get().await.unwrap().status().as_u16(), 401);
    let token = common::token(&http, &url).await;

    let tss = fiskaly_sandbox::DEMO_TSS_ID;
    control(&http, &url, &format!("tss/{tss}/disable"), json!({})).await;
    let snapshot = common::get_json(&http, &format!("{url}/_sandbox/state"), None).await;
    assert_eq!(snapshot["tss"][0]["state"], "DISABLED");
    assert_eq!(snapshot["auth"]["rejected_tokens"], 1);
    assert!(
        !snapshot.to_string().contains("secret_key") && !snapshot.to_string().contains("admin_puk")
    );
    let start = http
        .put(format!(
            "{tss_url}/tx/9a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d?tx_revision=1"
        ))
        .bearer_auth(&token)
        .json(&json!({"state": "ACTIVE", "client_id": fiskaly_sandbox::DEMO_CLIENT_ID}))
        .send()
        .await
        .unwrap();
    assert_eq!(start.status().as_u16(), 400);
    assert_eq!(
        start.json::<Value>().await.unwrap()["code"],
        "E_TSS_DISABLED"
    );

    control(&http, &url, "reset", json!({})).await;
    let snapshot = common::get_json(&http, &format!("{url}/_sandbox/state"), None).await;
    assert_eq!(snapshot["tss"], json!([]));
    assert_eq!(snapshot["offline"], false);
}

#[tokio::test]
async fn keep_newest_forgets_old_finished_transactions_only() {
    let state = fiskaly_sandbox::Sandbox::with_demo_tss().keep_newest(2);
    let sb = fiskaly_sandbox::serve(([127, 0, 0, 1], 0).into(), std::sync::Arc::new(state))
        .await
        .unwrap();
    let (http, url) = (Client::new(), sb.url());
    let token = common::token(&http, &url).await;
    let receipt = json!({"receipt_type": "RECEIPT", "amounts_per_vat_rate": [{"vat_rate": "NULL", "amount": "1.00"}]});
    let tx = |n: u32| format!("00000000-0000-4000-8000-{n:012}");
    // One left open, then three sales.
    let open = http
        .put(format!(
            "{url}/api/v2/tss/{}/tx/{}?tx_revision=1",
            fiskaly_sandbox::DEMO_TSS_ID,
            tx(0)
        ))
        .bearer_auth(&token)
        .json(&json!({"state": "ACTIVE", "client_id": fiskaly_sandbox::DEMO_CLIENT_ID}))
        .send()
        .await
        .unwrap();
    assert!(open.status().is_success());
    for n in 1..=3 {
        common::sale(&http, &url, &token, &tx(n), &receipt).await;
    }
    let status = |n: u32| {
        let request = http
            .get(format!(
                "{url}/api/v2/tss/{}/tx/{}",
                fiskaly_sandbox::DEMO_TSS_ID,
                tx(n)
            ))
            .bearer_auth(&token);
        async move { request.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(
        [
            status(0).await,
            status(1).await,
            status(2).await,
            status(3).await
        ],
        [200, 404, 200, 200]
    );
}
