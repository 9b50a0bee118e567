//! Raw HTTP helpers of the tests: a token, and a sale on the demo TSS.

// Each test file uses a part of it.
#![allow(dead_code)]

use reqwest::Client;
use serde_json::{json, Value};

use fiskaly_sandbox::{DEMO_API_KEY, DEMO_API_SECRET, DEMO_CLIENT_ID, DEMO_TSS_ID};

/// `GET url` (with a token, if any) as JSON.
pub async fn get_json(http: &Client, url: &str, token: Option<&str>) -> Value {
    let mut request = http.get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap().json().await.unwrap()
}

pub async fn token(http: &Client, url: &str) -> String {
    let answer: Value = http
        .post(format!("{url}/api/v2/auth"))
        .json(&json!({"api_key": DEMO_API_KEY, "api_secret": DEMO_API_SECRET}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["access_token"].as_str().unwrap().into()
}

/// Starts and finishes transaction `tx` of the demo till with `receipt`;
/// the finished transaction.
pub async fn sale(http: &Client, url: &str, token: &str, tx: &str, receipt: &Value) -> Value {
    let path = format!("{url}/api/v2/tss/{DEMO_TSS_ID}/tx/{tx}");
    let finish = json!({"state": "FINISHED", "client_id": DEMO_CLIENT_ID,
                        "schema": {"standard_v1": {"receipt": receipt}}});
    let mut last = Value::Null;
    for (revision, body) in [
        (1, json!({"state": "ACTIVE", "client_id": DEMO_CLIENT_ID})),
        (2, finish),
    ] {
        let response = http
            .put(format!("{path}?tx_revision={revision}"))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{}",
            response.text().await.unwrap()
        );
        last = response.json().await.unwrap();
    }
    last
}
